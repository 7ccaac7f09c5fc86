"""Emulated CPS3 and CPS4 cards, built from a profile with :mod:`cardbridge.layouts.cps`.

The tree (docs/cps-card.md; what is field, inferred or ours: the layout modules)::

    MF 3F00 (AID 8025000001FF0100)  PIN 01 and PUK 02 (global), EF.DIR 2F00, EF.ATR 2F01,
    │                       EF.SN.ICC D003, EF_ACTUA D010
    ├── DF 0001             PKCS#15 application "CPX IAS" (AID E828BD08...FF0010): ODF 5031,
    │                       TokenInfo 5032, AODF 7001, PrKDF 7002, CDF 7005, DODF 7006;
    │                       keys 81 and 82, CPS_ID_CARD, CPS_NAME_PS, CPS_INFO_PS, both
    │                       certificates, situations D120.. (read after the PIN)
    └── DF 0002             the contactless application's DF (empty here)
"""

from __future__ import annotations

import datetime as dt

from cryptography.hazmat.primitives.serialization import Encoding

from cardbridge.emulator.engine import (
    Access,
    Acl,
    CardKey,
    DedicatedFile,
    ElementaryFile,
    IsoCard,
    Pin,
)
from cardbridge.emulator.issuance import CertificateIssuer
from cardbridge.emulator.keys import KeySource, generate_key
from cardbridge.emulator.profiles import CpsProfile
from cardbridge.layouts import cps, cps_pkcs15
from cardbridge.layouts.encoding import FileRef
from cardbridge.layouts.iasecc import READ_BINARY_MAX, Crt

# EF_ACTUA start date (ours): the card's data are dated this long before its expiry.
CARD_VALIDITY_YEARS = 3


def _issue_date(expires: dt.date) -> dt.date:
    try:
        return expires.replace(year=expires.year - CARD_VALIDITY_YEARS)
    except ValueError:  # 29 February
        return expires.replace(year=expires.year - CARD_VALIDITY_YEARS, day=28)


PUBLIC = Acl(cps_pkcs15.ACL_PUBLIC_EF, cps_pkcs15.ACL_CONTACTLESS_READ_ONLY)
READ_ONLY = Acl(cps_pkcs15.ACL_READ_ONLY_EF, cps_pkcs15.ACL_CONTACTLESS_READ_ONLY)
DF_ACL = Acl(cps_pkcs15.ACL_DF)


def _ef(ref: FileRef, data: bytes) -> ElementaryFile:
    return ElementaryFile(ref.fid, data, sfi=ref.sfi, acl=READ_ONLY)


def _pin(profile: CpsProfile) -> Pin:
    return Pin(
        cps.PIN_REFERENCE,
        value=profile.pin.encode(),
        puk=profile.puk.encode(),
        max_tries=profile.pin_tries,
        puk_max_tries=profile.puk_tries,
        min_length=cps.PIN_MIN_LENGTH,
        max_length=cps.PIN_MAX_LENGTH,
        puk_reference=cps_pkcs15.PUK_REFERENCE,
        acl=cps_pkcs15.PIN_ACL,
        puk_acl=cps_pkcs15.PUK_ACL,
        puk_usage=cps_pkcs15.PUK_USAGE,
    )


def _pkcs15_files(profile: CpsProfile) -> list[ElementaryFile]:
    """ODF, TokenInfo and the object directories of the PKCS#15 application."""
    situations = [cps.situation_path(i)[-1] for i in range(len(profile.situations))]
    public = [
        (cps_pkcs15.ID_CARD_LABEL, cps.EF_ID_CARD.fid),
        (cps_pkcs15.NAME_LABEL, cps.EF_NAME_PS.fid),
        (cps_pkcs15.INFO_LABEL, cps.EF_INFO_PS.fid),
    ]
    contents = {
        cps_pkcs15.EF_ODF: cps_pkcs15.odf(),
        cps_pkcs15.EF_TOKEN_INFO: cps_pkcs15.token_info(
            profile.serial, _issue_date(profile.expires)
        ),
        cps_pkcs15.EF_AODF: cps_pkcs15.aodf(
            cps.PIN_REFERENCE, cps.PIN_MIN_LENGTH, cps.PIN_MAX_LENGTH, cps.PUK_LENGTH
        ),
        cps_pkcs15.EF_PRKDF: cps_pkcs15.prkdf(
            cps.KeyReference.SIGNATURE, cps.KeyReference.AUTHENTICATION
        ),
        cps_pkcs15.EF_CDF: cps_pkcs15.cdf(
            cps.EF_CERT_AUTHENTICATION.fid, cps.EF_CERT_SIGNATURE.fid
        ),
        cps_pkcs15.EF_DODF: cps_pkcs15.dodf(public, situations),
    }
    return [ElementaryFile(fid, data, acl=READ_ONLY) for fid, data in contents.items()]


def _data_objects(profile: CpsProfile) -> list[ElementaryFile]:
    holder = profile.holder
    identity = cps.CardIdentity(profile.card_type, profile.serial, profile.expires, profile.test)
    name = cps.HolderName(holder.national_id, holder.civility, holder.last_name, holder.first_name)
    info = cps.ProfessionalInfo(holder.profession, holder.specialty)
    return [
        _ef(cps.EF_ID_CARD, identity.to_bytes()),
        _ef(cps.EF_NAME_PS, name.to_bytes()),
        _ef(cps.EF_INFO_PS, info.to_bytes()),
    ]


def _situations(profile: CpsProfile, pin: Pin) -> list[ElementaryFile]:
    return [
        ElementaryFile(
            cps.situation_path(index)[-1],
            cps.SituationFile(s.structure_id, s.name, s.sector).to_bytes(),
            read=Access(pin=pin),
            acl=Acl(cps_pkcs15.ACL_READ_AFTER_PIN),
        )
        for index, s in enumerate(profile.situations)
    ]


def build_cps_card(
    profile: CpsProfile, *, issuer: CertificateIssuer, keys: KeySource = generate_key
) -> IsoCard:
    """A CPS card as ``profile`` describes it, its certificates issued by ``issuer``."""
    pin = _pin(profile)
    signature_key, authentication_key = keys(), keys()
    authentication_cert, signature_cert = issuer.issue(
        profile, authentication_key.public_key(), signature_key.public_key()
    )
    application = DedicatedFile(
        cps.DF_KEYS,
        aid=cps.PKCS15_AID,
        acl=DF_ACL,
        children=[
            *_pkcs15_files(profile),
            *_data_objects(profile),
            _ef(cps.EF_CERT_AUTHENTICATION, authentication_cert.public_bytes(Encoding.DER)),
            _ef(cps.EF_CERT_SIGNATURE, signature_cert.public_bytes(Encoding.DER)),
            *_situations(profile, pin),
        ],
        keys=[
            CardKey(
                cps.KeyReference.SIGNATURE,
                signature_key,
                usages=frozenset({Crt.DIGITAL_SIGNATURE}),
                pin=pin,
                acl=cps_pkcs15.SIGNATURE_KEY_ACL,
            ),
            CardKey(
                cps.KeyReference.AUTHENTICATION,
                authentication_key,
                usages=frozenset({Crt.AUTHENTICATION}),
                pin=pin,
                acl=cps_pkcs15.AUTHENTICATION_KEY_ACL,
            ),
        ],
    )
    serial = cps.ChipSerial(cps.ISSUER, profile.serial)
    update = cps.DataUpdate(_issue_date(profile.expires), profile.expires)
    mf = DedicatedFile(
        cps.MF,
        aid=cps_pkcs15.MF_AID,
        acl=DF_ACL,
        quiet_name_select=True,
        children=[
            ElementaryFile(
                cps_pkcs15.EF_DIR_FID, cps_pkcs15.ef_dir(), sfi=cps_pkcs15.EF_DIR_SFI, acl=PUBLIC
            ),
            ElementaryFile(
                cps.EF_ATR[-1], cps_pkcs15.EF_ATR_CONTENT, sfi=cps.EF_ATR_SFI, acl=PUBLIC
            ),
            ElementaryFile(
                cps.EF_SN_ICC[-1], serial.to_bytes(), sfi=cps.EF_SN_ICC_SFI, acl=READ_ONLY
            ),
            ElementaryFile(cps.EF_ACTUA[-1], update.to_bytes(), acl=READ_ONLY),
            application,
            DedicatedFile(cps.DF_0002, acl=DF_ACL),
        ],
        pins=[pin],
    )
    atr = cps.ATR_CPS4 if profile.generation == "cps4" else cps.ATR_CPS3
    return IsoCard(atr=atr, mf=mf, fci=False, read_limit=READ_BINARY_MAX)
