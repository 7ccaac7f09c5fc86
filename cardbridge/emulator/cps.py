"""Emulated CPS3 and CPS4 cards, built from a profile with :mod:`cardbridge.layouts.cps`.

The tree (DOMAIN.md §1; [ours] parts as the layout module says)::

    MF 3F00                 PIN 01 (global), EF.ATR 2F01, EF.SN.ICC D003, EF_ACTUA D010
    ├── DF 0001             PKCS#15 application (AID E828BD08...FF0010), keys 81 and 82,
    │                       CPS_ID_CARD, CPS_NAME_PS, CPS_INFO_PS, both certificates,
    │                       situations D120.. (read after the PIN)
    └── DF 0002
"""

from __future__ import annotations

import datetime as dt

from cryptography.hazmat.primitives.serialization import Encoding

from cardbridge.emulator.engine import Access, CardKey, DedicatedFile, ElementaryFile, IsoCard, Pin
from cardbridge.emulator.issuance import CertificateIssuer
from cardbridge.emulator.keys import KeySource, generate_key
from cardbridge.emulator.profiles import CpsProfile
from cardbridge.layouts import cps
from cardbridge.layouts.encoding import FileRef
from cardbridge.layouts.iasecc import READ_BINARY_MAX, Crt

# EF_ACTUA start date (ours): the card's data are dated this long before its expiry.
CARD_VALIDITY_YEARS = 3


def _issue_date(expires: dt.date) -> dt.date:
    try:
        return expires.replace(year=expires.year - CARD_VALIDITY_YEARS)
    except ValueError:  # 29 February
        return expires.replace(year=expires.year - CARD_VALIDITY_YEARS, day=28)


def _ef(ref: FileRef, data: bytes) -> ElementaryFile:
    return ElementaryFile(ref.fid, data, sfi=ref.sfi)


def _pin(profile: CpsProfile) -> Pin:
    return Pin(
        cps.PIN_REFERENCE,
        value=profile.pin.encode(),
        puk=profile.puk.encode(),
        max_tries=profile.pin_tries,
        puk_max_tries=profile.puk_tries,
        min_length=cps.PIN_MIN_LENGTH,
        max_length=cps.PIN_MAX_LENGTH,
    )


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
            cps.Situation(s.structure_id, s.name, s.sector).to_bytes(),
            read=Access(pin=pin),
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
        children=[
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
            ),
            CardKey(
                cps.KeyReference.AUTHENTICATION,
                authentication_key,
                usages=frozenset({Crt.AUTHENTICATION}),
                pin=pin,
            ),
        ],
    )
    serial = cps.ChipSerial(cps.ISSUER, profile.serial)
    update = cps.DataUpdate(_issue_date(profile.expires), profile.expires)
    mf = DedicatedFile(
        cps.MF,
        children=[
            ElementaryFile(cps.EF_ATR[-1], cps.EF_ATR_CONTENT, sfi=cps.EF_ATR_SFI),
            ElementaryFile(cps.EF_SN_ICC[-1], serial.to_bytes(), sfi=cps.EF_SN_ICC_SFI),
            ElementaryFile(cps.EF_ACTUA[-1], update.to_bytes()),
            application,
            DedicatedFile(cps.DF_0002),
        ],
        pins=[pin],
    )
    atr = cps.ATR_CPS4 if profile.generation == "cps4" else cps.ATR_CPS3
    return IsoCard(atr=atr, mf=mf, fci=False, read_limit=READ_BINARY_MAX)
