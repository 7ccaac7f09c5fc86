"""The CPS read through a PKCS#11 module instead of PC/SC: the road for workstations where
the ANS Cryptolib is the middleware (docs/cps-card.md, "The PKCS#11 road").

:class:`Pkcs11CpsSession` gives what :class:`~cardbridge.cards.cps.CpsSession` gives,
from the objects the middleware shows under the Cryptolib's labels: the practitioner
from the ``CPS_*`` data objects and the certificates, the PIN by C_Login (tries from
the token's flags), the two keys by label. It satisfies
:class:`~cardbridge.cards.cps_card.CpsCard`, so the card service serves it like the PC/SC
session (:mod:`cardbridge.cards.pkcs11_backend` makes its slots readers). Unblocking the
PIN with the PUK is left to the middleware's own tools.
"""

from __future__ import annotations

import hashlib

from pkcs11 import Mechanism, ObjectClass

from cardbridge.cards.certificates import check_card_certificates, parse_practitioner_certificate
from cardbridge.cards.cps import SHA256_DIGEST_INFO, CpsCertificates, check_pin_shape
from cardbridge.cards.cps_models import practitioner_model, situation_model
from cardbridge.cards.models import PinStatus, Practitioner, Situation
from cardbridge.cards.pkcs11_token import PIN_MAX_TRIES, Pkcs11Token
from cardbridge.errors import CardError
from cardbridge.layouts import cps, cps_pkcs15
from cardbridge.messages import inputs as say


class Pkcs11CpsSession:
    """The CPS of one PKCS#11 token (``reader``: the slot description, i.e. the reader)."""

    def __init__(self, module: str, reader: str | None = None, *, generation: str = "cps3") -> None:
        self._token = Pkcs11Token(module, reader)
        self.reader = self._token.reader
        self.generation = generation

    def close(self) -> None:
        self._token.close()

    def read_practitioner(self, *, with_situations: bool = False) -> Practitioner:
        """The holder and the card, checked against both certificates like the PC/SC
        session; with ``with_situations``, the practice situations (after the PIN)."""
        identity = cps.CardIdentity.from_bytes(self._data(cps_pkcs15.ID_CARD_LABEL))
        holder = cps.HolderName.from_bytes(self._data(cps_pkcs15.NAME_LABEL))
        info = cps.ProfessionalInfo.from_bytes(self._data(cps_pkcs15.INFO_LABEL))
        certificates = self.certificates()
        check_card_certificates(
            holder.national_id,
            parse_practitioner_certificate(certificates.authentication),
            parse_practitioner_certificate(certificates.signature),
            reader=self.reader,
        )
        return practitioner_model(
            self.reader,
            self.generation,
            identity=identity,
            holder=holder,
            info=info,
            situations=self.read_situations() if with_situations else None,
        )

    def read_situations(self) -> list[Situation]:
        """The ``CPS_ACTIVITY_xx_PS`` objects (private: the PIN first)."""
        labels = sorted(
            label
            for label in self._token.labels(ObjectClass.DATA)
            if label.startswith("CPS_ACTIVITY_")
        )
        if not labels:
            self._data(cps_pkcs15.activity_label(0))  # raises PinRequiredError before login
        return [
            situation_model(index, cps.SituationFile.from_bytes(self._data(label)))
            for index, label in enumerate(labels)
        ]

    def certificates(self) -> CpsCertificates:
        """Both certificates (DER), found by the Cryptolib's labels."""
        return CpsCertificates(
            authentication=self._token.value(
                ObjectClass.CERTIFICATE, cps_pkcs15.AUTHENTICATION_CERT_LABEL
            ),
            signature=self._token.value(ObjectClass.CERTIFICATE, cps_pkcs15.SIGNATURE_CERT_LABEL),
        )

    def authentication_certificate(self) -> bytes:
        """The authentication certificate (DER) alone: what a token carries."""
        return self._token.value(ObjectClass.CERTIFICATE, cps_pkcs15.AUTHENTICATION_CERT_LABEL)

    def signature_certificate(self) -> bytes:
        """The signature certificate (DER) alone: what a VIHF's signature names."""
        return self._token.value(ObjectClass.CERTIFICATE, cps_pkcs15.SIGNATURE_CERT_LABEL)

    def pin_status(self) -> PinStatus:
        """Tries left as the token's flags tell them, without spending one."""
        left = self._token.tries_left()
        return PinStatus(tries_left=left, max_tries=PIN_MAX_TRIES, blocked=left == 0)

    def verify_pin(self, pin: str) -> None:
        """C_Login once with ``pin`` (shape checked first, as the PC/SC session does)."""
        check_pin_shape(pin)
        self._token.login(pin)

    def deauthenticate(self) -> bool:
        """C_Logout: the token needs the PIN again; ``False`` when the module refused."""
        return self._token.logout()

    def change_pin(self, old: str, new: str) -> None:
        """C_SetPIN (shapes checked first; a wrong ``old`` spends a try)."""
        check_pin_shape(old)
        check_pin_shape(new, say.NEW_PIN_SHAPE)
        self._token.set_pin(old, new)

    def unblock_pin(self, puk: str, new_pin: str) -> None:
        """Not through PKCS#11: the PUK is the middleware's business (docs/cps-card.md)."""
        raise CardError(
            "With the PKCS#11 middleware, unblock the CPS with the middleware's own tool "
            "(the Cryptolib's), or set card_backend = pcsc.",
            reader=self.reader,
        )

    def authenticate(self, message: bytes) -> bytes:
        """RS256 signature of ``message`` with ``CPS_PRIV_AUT`` (RSA PKCS#1 on a DigestInfo)."""
        return self.authenticate_digest(hashlib.sha256(message).digest())

    def authenticate_digest(self, digest: bytes) -> bytes:
        """RS256 signature of a SHA-256 ``digest`` already made (RSA PKCS#1 on its DigestInfo)."""
        if len(digest) != hashlib.sha256().digest_size:
            raise ValueError("a SHA-256 digest has 32 bytes")
        digest_info = SHA256_DIGEST_INFO + digest
        return self._token.sign(
            cps_pkcs15.AUTHENTICATION_KEY_LABEL, Mechanism.RSA_PKCS, digest_info
        )

    def sign(self, message: bytes) -> bytes:
        """RSA-SHA256 signature of ``message`` with ``CPS_PRIV_SIG`` (the middleware hashes)."""
        return self._token.sign(cps_pkcs15.SIGNATURE_KEY_LABEL, Mechanism.SHA256_RSA_PKCS, message)

    def _data(self, label: str) -> bytes:
        return self._token.value(ObjectClass.DATA, label)
