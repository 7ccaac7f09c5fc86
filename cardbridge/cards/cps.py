"""The CPS session: the practitioner's card read into typed models, its PIN, its two keys.

Each public method is one operation in one PC/SC transaction on the connection it was
given; it never powers off nor resets the card (the connection leaves it as found).

PIN rules, so that no try is ever wasted: the PIN status is read without VERIFY
(GET DATA of the PIN object); VERIFY is sent only with a PIN the caller gave for that
call, only when it has the right shape (4 to 8 digits), and never retried; a card
removed or reset during VERIFY is ``card_removed``, never ``pin_invalid``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from cardbridge.cards.certificates import check_card_certificates, parse_practitioner_certificate
from cardbridge.cards.cps_map import CpsMap
from cardbridge.cards.cps_models import practitioner_model, situation_model
from cardbridge.cards.files import read_object_file, select_aid, select_path
from cardbridge.cards.models import PinStatus, Practitioner, Situation
from cardbridge.cards.session import CardSession
from cardbridge.errors import (
    PinBlockedError,
    PinFormatError,
    PinInvalidError,
    PinRequiredError,
    PukBlockedError,
    PukInvalidError,
    WrongCardTypeError,
)
from cardbridge.layouts import cps, cps_pkcs15, iasecc
from cardbridge.messages import Text
from cardbridge.messages import inputs as say
from cardbridge.pcsc.apdu import SW, ApduError, CommandApdu, Ins
from cardbridge.pcsc.atr import CardFamily
from cardbridge.pcsc.connection import Connection
from cardbridge.pcsc.protocol import ApduProtocol

# DER prefix of a DigestInfo for SHA-256 (PKCS#1 v2.2 §9.2): INTERNAL AUTHENTICATE pads it.
SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")
RSA_SIGNATURE_LE = 256


@dataclass(frozen=True, slots=True)
class CpsCertificates:
    """The two certificates of the card, DER."""

    authentication: bytes
    signature: bytes


def check_pin_shape(secret: str, shape: Text = say.PIN_SHAPE) -> None:
    """Refuse a PIN of the wrong shape (digits, the layout's lengths) before a try is spent."""
    if not (
        secret.isascii()
        and secret.isdigit()
        and cps.PIN_MIN_LENGTH <= len(secret) <= cps.PIN_MAX_LENGTH
    ):
        raise PinFormatError(shape.format(minimum=cps.PIN_MIN_LENGTH, maximum=cps.PIN_MAX_LENGTH))


class CpsSession(CardSession):
    """Talks to the CPS on ``connection``; raises :class:`WrongCardTypeError` otherwise."""

    family = CardFamily.CPS
    wrong_card_message = say.NOT_A_CPS

    def __init__(self, connection: Connection) -> None:
        super().__init__(connection)
        if self.model.contactless:
            raise WrongCardTypeError(
                say.CPS_CONTACTLESS,
                reader=connection.reader,
            )
        assert self.model.generation in ("cps3", "cps4")
        self.generation: str = self.model.generation
        self._confirmed = False
        self._map = CpsMap(self._protocol)

    @contextmanager
    def _operation(self) -> Iterator[ApduProtocol]:
        with self._transaction():
            if not self._confirmed:
                self._confirm_issuer()
            yield self._protocol

    def _confirm_issuer(self) -> None:
        """The ATR says CPS; EF.SN.ICC must name the CPS issuer, as the Cryptolib checks."""
        select_path(self._protocol, cps.EF_SN_ICC)
        serial = cps.ChipSerial.from_bytes(
            read_object_file(self._protocol, chunk=iasecc.READ_BINARY_MAX)
        )
        if not serial.is_cps:
            raise WrongCardTypeError(say.NOT_ISSUED_BY_ANS, reader=self.reader)
        self._confirmed = True

    def _read(self, path: bytes) -> bytes:
        """The object in the file at a PKCS#15 ``path`` (the application selected)."""
        self._map.select(path)
        return read_object_file(self._protocol, chunk=iasecc.READ_BINARY_MAX)

    def _select_application(self) -> None:
        select_aid(self._protocol, self._map.aid)

    # --- Identity -------------------------------------------------------------------

    def read_practitioner(self, *, with_situations: bool = False) -> Practitioner:
        """The holder and the card; with ``with_situations``, also the practice situations
        (the PIN must have been verified on the card: :class:`PinRequiredError`).

        Both certificates are read and checked against the holder data
        (:func:`~cardbridge.cards.certificates.check_card_certificates`): a card whose
        parts name different practitioners is refused (:class:`CardDataError`).
        """
        with self._operation():
            where = self._map.objects()
            self._select_application()
            identity = cps.CardIdentity.from_bytes(
                self._read(where.object(cps_pkcs15.ID_CARD_LABEL))
            )
            holder = cps.HolderName.from_bytes(self._read(where.object(cps_pkcs15.NAME_LABEL)))
            info = cps.ProfessionalInfo.from_bytes(self._read(where.object(cps_pkcs15.INFO_LABEL)))
            authentication = parse_practitioner_certificate(
                self._read(where.authentication_certificate)
            )
            signature = parse_practitioner_certificate(self._read(where.signature_certificate))
            situations = self._situations() if with_situations else None
        check_card_certificates(holder.national_id, authentication, signature, reader=self.reader)
        return practitioner_model(
            self.reader,
            self.generation,
            identity=identity,
            holder=holder,
            info=info,
            situations=situations,
        )

    def read_situations(self) -> list[Situation]:
        """The practice situations (the PIN must have been verified on the card)."""
        with self._operation():
            self._map.objects()
            self._select_application()
            return self._situations()

    def _situations(self) -> list[Situation]:
        """The ``CPS_ACTIVITY_xx_PS`` objects the DODF lists (the application selected)."""
        found: list[Situation] = []
        for index, path in enumerate(self._map.objects().activities):
            try:
                raw = self._read(path)
            except ApduError as error:
                if error.sw == SW.SECURITY_CONDITION_NOT_SATISFIED:
                    raise PinRequiredError(say.SITUATIONS_PROTECTED, reader=self.reader) from None
                raise
            found.append(situation_model(index, cps.SituationFile.from_bytes(raw)))
        return found

    def certificates(self) -> CpsCertificates:
        """Both certificates (DER)."""
        with self._operation():
            where = self._map.objects()
            self._select_application()
            return CpsCertificates(
                authentication=self._read(where.authentication_certificate),
                signature=self._read(where.signature_certificate),
            )

    def authentication_certificate(self) -> bytes:
        """The authentication certificate (DER) alone: what a token carries."""
        with self._operation():
            path = self._map.objects().authentication_certificate
            self._select_application()
            return self._read(path)

    def signature_certificate(self) -> bytes:
        """The signature certificate (DER) alone: what a VIHF's signature names."""
        with self._operation():
            path = self._map.objects().signature_certificate
            self._select_application()
            return self._read(path)

    # --- PIN --------------------------------------------------------------------------

    def pin_status(self) -> PinStatus:
        """Tries left and maximum, read without spending a try."""
        with self._operation():
            select_path(self._protocol, (cps.MF,))
            raw = self._protocol.send(
                CommandApdu(
                    0x00,
                    Ins.GET_DATA_ODD,
                    iasecc.GET_DATA_P1P2 >> 8,
                    iasecc.GET_DATA_P1P2 & 0xFF,
                    iasecc.pin_status_query(cps.PIN_REFERENCE),
                    le=256,
                )
            )
        status = iasecc.PinSecurityObject.from_bytes(raw)
        return PinStatus(
            tries_left=status.tries_left, max_tries=status.max_tries, blocked=status.blocked
        )

    def verify_pin(self, pin: str) -> None:
        """VERIFY once with ``pin``; raise the PIN error the card's answer means."""
        check_pin_shape(pin)
        with self._operation():
            self._pin_command(Ins.VERIFY, 0x00, cps.pin_block(pin))

    def deauthenticate(self) -> bool:
        """Clear the PIN's verified state (ISO 7816-4 VERIFY with P1 ``FF``), so that nothing
        signs without the PIN again, without resetting the card that other programs share.
        ``False`` when the card refuses the command (see docs/security.md)."""
        with self._operation():
            response = self._protocol.transceive(
                CommandApdu(0x00, Ins.VERIFY, cps.VERIFY_RESET_STATUS, cps.PIN_REFERENCE)
            )
        return response.sw == SW.SUCCESS

    def change_pin(self, old: str, new: str) -> None:
        """Change the PIN (the old one is checked by the card: a wrong one spends a try)."""
        check_pin_shape(old)
        check_pin_shape(new, say.NEW_PIN_SHAPE)
        with self._operation():
            self._pin_command(
                Ins.CHANGE_REFERENCE_DATA, 0x00, cps.pin_block(old) + cps.pin_block(new)
            )

    def unblock_pin(self, puk: str, new_pin: str) -> None:
        """Unblock the PIN with the PUK and set ``new_pin``."""
        if not (puk.isascii() and puk.isdigit() and len(puk) == cps.PUK_LENGTH):
            raise PinFormatError(say.PUK_SHAPE.format(length=cps.PUK_LENGTH))
        check_pin_shape(new_pin, say.NEW_PIN_SHAPE)
        with self._operation():
            response = self._protocol.transceive(
                CommandApdu(
                    0x00,
                    Ins.RESET_RETRY_COUNTER,
                    0x00,
                    cps.PIN_REFERENCE,
                    puk.encode() + cps.pin_block(new_pin),
                )
            )
        if response.sw == SW.SUCCESS:
            return
        if response.sw1 == 0x63 and response.sw2 & 0xF0 == 0xC0:
            left = response.sw2 & 0x0F
            raise (
                PukBlockedError(reader=self.reader)
                if not left
                else PukInvalidError(left, reader=self.reader)
            )
        if response.sw == SW.AUTH_METHOD_BLOCKED:
            raise PukBlockedError(reader=self.reader)
        raise ApduError(response.sw, command="RESET_RETRY_COUNTER")

    def _pin_command(self, ins: Ins, p1: int, data: bytes) -> None:
        response = self._protocol.transceive(CommandApdu(0x00, ins, p1, cps.PIN_REFERENCE, data))
        if response.sw == SW.SUCCESS:
            return
        if response.sw1 == 0x63 and response.sw2 & 0xF0 == 0xC0:
            left = response.sw2 & 0x0F
            if not left:
                raise PinBlockedError(reader=self.reader)
            raise PinInvalidError(left, reader=self.reader)
        if response.sw == SW.AUTH_METHOD_BLOCKED:
            raise PinBlockedError(reader=self.reader)
        if response.sw == SW.INCORRECT_DATA:
            raise PinFormatError(reader=self.reader)
        raise ApduError(response.sw, command=Ins(ins).name)

    # --- Keys -------------------------------------------------------------------------

    def authenticate(self, message: bytes) -> bytes:
        """RS256 signature of ``message`` with the authentication key (INTERNAL AUTHENTICATE)."""
        return self.authenticate_digest(hashlib.sha256(message).digest())

    def authenticate_digest(self, digest: bytes) -> bytes:
        """RS256 signature of a SHA-256 ``digest`` already made (a TLS handshake's hash):
        the card pads and signs its DigestInfo."""
        if len(digest) != hashlib.sha256().digest_size:
            raise ValueError("a SHA-256 digest has 32 bytes")
        digest_info = SHA256_DIGEST_INFO + digest
        with self._operation():
            key = self._map.keys().authentication
            self._select_application()
            self._set_environment(iasecc.Crt.AUTHENTICATION, iasecc.Algorithm.RSA_PKCS1, key)
            return self._key_operation(
                CommandApdu(0x00, Ins.INTERNAL_AUTHENTICATE, 0, 0, digest_info, le=256)
            )

    def sign(self, message: bytes) -> bytes:
        """RSA-SHA256 (PKCS#1 v1.5) signature of ``message`` with the signature key.

        The card performs the last SHA-256 step (PSO HASH with the intermediate state),
        then PSO COMPUTE DIGITAL SIGNATURE.
        """
        with self._operation():
            key = self._map.keys().signature
            self._select_application()
            self._set_environment(
                iasecc.Crt.DIGITAL_SIGNATURE, iasecc.Algorithm.RSA_PKCS1_SHA256, key
            )
            self._protocol.send(
                CommandApdu(
                    0x00,
                    Ins.PERFORM_SECURITY_OPERATION,
                    iasecc.PSO_HASH_P1P2 >> 8,
                    iasecc.PSO_HASH_P1P2 & 0xFF,
                    iasecc.partial_hash_data(message),
                )
            )
            return self._key_operation(
                CommandApdu(
                    0x00,
                    Ins.PERFORM_SECURITY_OPERATION,
                    iasecc.PSO_CDS_P1P2 >> 8,
                    iasecc.PSO_CDS_P1P2 & 0xFF,
                    le=RSA_SIGNATURE_LE,
                )
            )

    def _set_environment(self, crt: iasecc.Crt, algorithm: iasecc.Algorithm, key: int) -> None:
        self._protocol.send(
            CommandApdu(
                0x00,
                Ins.MANAGE_SECURITY_ENVIRONMENT,
                iasecc.MSE_SET_P1,
                crt,
                iasecc.mse_set_data(algorithm, key),
            )
        )

    def _key_operation(self, command: CommandApdu) -> bytes:
        response = self._protocol.transceive(command)
        if response.sw == SW.SECURITY_CONDITION_NOT_SATISFIED:
            raise PinRequiredError(say.SIGNS_AFTER_PIN, reader=self.reader)
        if not response.ok:
            raise ApduError(response.sw, command=command.name)
        return response.data
