"""Every decoder of card data (the layouts' ``from_bytes`` and friends), for fuzzing, with
the property each must keep on any input (:func:`check_decoding`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cardbridge.errors import CardDataError
from cardbridge.layouts import cps, iasecc, vitale
from cardbridge.pcsc.tlv import Tlv, TlvError


def _security_environment(value: Any) -> bytes:
    # ISO/IEC 7816-4 control reference template: 80 algorithm reference, 84 key reference.
    environment: iasecc.SecurityEnvironment = value
    return (
        Tlv(0x80, bytes((environment.algorithm,))).to_bytes()
        + Tlv(0x84, bytes((environment.key_reference or 0,))).to_bytes()
    )


def _final_hash(value: Any) -> bytes:
    # PSO HASH data of a hash the host finished: 90 <digest> (ISO/IEC 7816-8).
    digest: bytes = value
    return Tlv(0x90, digest).to_bytes()


# Each decoder, and how to write back what it read.
CODECS: tuple[tuple[Callable[[bytes], Any], Callable[[Any], bytes]], ...] = (
    (cps.ChipSerial.from_bytes, lambda value: value.to_bytes()),
    (cps.DataUpdate.from_bytes, lambda value: value.to_bytes()),
    (cps.CardIdentity.from_bytes, lambda value: value.to_bytes()),
    (cps.HolderName.from_bytes, lambda value: value.to_bytes()),
    (cps.ProfessionalInfo.from_bytes, lambda value: value.to_bytes()),
    (cps.SituationFile.from_bytes, lambda value: value.to_bytes()),
    (vitale.decode_identity_file, vitale.encode_identity_file),
    (vitale.decode_nir_file, vitale.encode_nir_file),
    (vitale.InsuranceData.from_bytes, lambda value: value.to_bytes()),
    (iasecc.PinSecurityObject.from_bytes, lambda value: value.to_bytes()),
    (iasecc.SecurityEnvironment.from_bytes, _security_environment),
    (lambda data: iasecc.digest_from_hash_data(data, 32), _final_hash),
)
DECODERS: tuple[Callable[[bytes], object], ...] = tuple(decoder for decoder, _ in CODECS)


def _decoded(decoder: Callable[[bytes], Any], data: bytes) -> tuple[Any, CardDataError | None]:
    try:
        return decoder(data), None
    except CardDataError as error:
        return None, error


def check_decoding(index: int, data: bytes) -> None:
    """Decoder ``index`` on ``data``: a refusal is :class:`CardDataError` (or its BER-TLV
    kind, :class:`TlvError`), nothing else; what it reads, written back, reads the same."""
    decoder, encoder = CODECS[index]
    value, refusal = _decoded(decoder, data)
    if refusal is not None:
        assert type(refusal) in (CardDataError, TlvError), repr(refusal)
        assert refusal.code == "card_data_invalid"
        return
    assert decoder(encoder(value)) == value
    if index == len(CODECS) - 1:  # a SHA-256 digest, whichever form named it
        assert len(value) == 32
