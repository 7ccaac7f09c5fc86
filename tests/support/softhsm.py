"""A SoftHSM2 token holding an emulated CPS's objects under the Cryptolib's labels.

SoftHSM2 (Debian package, installed by scripts/ensure-system-packages) stands for a
middleware whose token shows the CPS as the ANS Cryptolib names its objects:
certificates "Certificat d'Authentification CPS" / "Certificat de Signature CPS", keys
CPS_PRIV_AUT / CPS_PRIV_SIG, data objects CPS_ID_CARD, CPS_NAME_PS, CPS_INFO_PS and the
private CPS_ACTIVITY_xx_PS. The token holds the same keys and certificates as an
emulated card built alongside it, so that both backends can be compared answer for answer.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pkcs11
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from pkcs11 import Attribute, CertificateType, ObjectClass
from pkcs11.util.rsa import decode_rsa_private_key

from cardbridge.emulator.cps import build_cps_card
from cardbridge.emulator.engine import IsoCard
from cardbridge.emulator.issuance import CertificatePair, PkiIssuer
from cardbridge.emulator.keys import KeySource
from cardbridge.emulator.profiles import CpsProfile
from cardbridge.layouts import cps, cps_pkcs15

SOFTHSM = "/usr/lib/softhsm/libsofthsm2.so"
USER_PIN, SO_PIN = "1234", "12345678"
TOKEN_LABEL = "CPS3v3-0123456789"


@dataclass
class SoftHsmCps:
    """The token (in ``module``) and the emulated card holding the same CPS."""

    module: str
    profile: CpsProfile
    card: IsoCard
    authentication: x509.Certificate
    signature: x509.Certificate


class _Recorder:
    """Keys and certificates of the card being built, kept to load them in the token."""

    def __init__(self, keys: KeySource, issuer: PkiIssuer) -> None:
        self._keys, self._issuer = keys, issuer
        self.keys: list[rsa.RSAPrivateKey] = []
        self.pair: CertificatePair | None = None

    def key(self) -> rsa.RSAPrivateKey:
        self.keys.append(self._keys())
        return self.keys[-1]

    def issue(
        self, profile: CpsProfile, authentication: RSAPublicKey, signature: RSAPublicKey
    ) -> CertificatePair:
        self.pair = self._issuer.issue(profile, authentication, signature)
        return self.pair

    def trust_anchors_pem(self) -> bytes:
        return self._issuer.trust_anchors_pem()


def _key_of(certificate: x509.Certificate, keys: list[rsa.RSAPrivateKey]) -> rsa.RSAPrivateKey:
    wanted = certificate.public_key()
    assert isinstance(wanted, rsa.RSAPublicKey)
    return next(k for k in keys if k.public_key().public_numbers() == wanted.public_numbers())


def _data(label: str, value: bytes, *, private: bool = False) -> dict[Attribute, object]:
    return {
        Attribute.CLASS: ObjectClass.DATA,
        Attribute.TOKEN: True,
        Attribute.PRIVATE: private,
        Attribute.LABEL: label,
        Attribute.APPLICATION: "CPS",
        Attribute.VALUE: value,
    }


def softhsm_cps(
    directory: Path, profile: CpsProfile, keys: KeySource, issuer: PkiIssuer
) -> SoftHsmCps:
    """An emulated card for ``profile`` and a SoftHSM2 token in ``directory`` holding its
    keys, certificates and data objects. Sets ``SOFTHSM2_CONF`` (read once, when the
    module is first loaded in the process: one such token per test session)."""
    recorder = _Recorder(keys, issuer)
    card = build_cps_card(profile, issuer=recorder, keys=recorder.key)
    assert recorder.pair is not None
    authentication, signature = recorder.pair
    (directory / "tokens").mkdir()
    config = directory / "softhsm2.conf"
    config.write_text(
        f"directories.tokendir = {directory / 'tokens'}\nobjectstore.backend = file\n"
    )
    os.environ["SOFTHSM2_CONF"] = str(config)
    subprocess.run(
        [
            *("softhsm2-util", "--init-token", "--free", "--label", TOKEN_LABEL),
            *("--pin", USER_PIN, "--so-pin", SO_PIN),
        ],
        check=True,
        capture_output=True,
    )
    token = pkcs11.lib(SOFTHSM).get_token(token_label=TOKEN_LABEL)
    with token.open(rw=True, user_pin=USER_PIN) as session:
        for key_label, cert_label, certificate, key_id in (
            (
                cps_pkcs15.AUTHENTICATION_KEY_LABEL,
                cps_pkcs15.AUTHENTICATION_CERT_LABEL,
                authentication,
                b"\x02",
            ),
            (
                cps_pkcs15.SIGNATURE_KEY_LABEL,
                cps_pkcs15.SIGNATURE_CERT_LABEL,
                signature,
                b"\x01",
            ),
        ):
            der = _key_of(certificate, recorder.keys).private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.TraditionalOpenSSL,
                serialization.NoEncryption(),
            )
            attributes = decode_rsa_private_key(der)
            attributes.update(
                {Attribute.TOKEN: True, Attribute.LABEL: key_label, Attribute.ID: key_id}
            )
            session.create_object(attributes)
            session.create_object(
                {
                    Attribute.CLASS: ObjectClass.CERTIFICATE,
                    Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
                    Attribute.TOKEN: True,
                    Attribute.LABEL: cert_label,
                    Attribute.ID: key_id,
                    Attribute.SUBJECT: certificate.subject.public_bytes(),
                    Attribute.VALUE: certificate.public_bytes(serialization.Encoding.DER),
                }
            )
        holder = profile.holder
        identity = cps.CardIdentity(profile.card_type, profile.serial, profile.expires, True)
        name = cps.HolderName(
            holder.national_id, holder.civility, holder.last_name, holder.first_name
        )
        info = cps.ProfessionalInfo(holder.profession, holder.specialty)
        for label, value in (
            (cps_pkcs15.ID_CARD_LABEL, identity.to_bytes()),
            (cps_pkcs15.NAME_LABEL, name.to_bytes()),
            (cps_pkcs15.INFO_LABEL, info.to_bytes()),
        ):
            session.create_object(_data(label, value))
        for index, place in enumerate(profile.situations):
            value = cps.SituationFile(place.structure_id, place.name, place.sector).to_bytes()
            session.create_object(_data(cps_pkcs15.activity_label(index), value, private=True))
    return SoftHsmCps(SOFTHSM, profile, card, authentication, signature)
