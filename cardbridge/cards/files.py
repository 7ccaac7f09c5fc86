"""Selecting and reading files, with as few APDUs as the card allows.

Two ways to know where a file ends:
- a file holding one BER-TLV object (certificates, the CPS data objects): the first
  chunk gives the object's length, and exactly the rest is read;
- a file of several objects and padding (Vitale): chunks are read until the card
  returns fewer bytes than asked for, or says the end was reached.
"""

from __future__ import annotations

from cardbridge.errors import CardDataError
from cardbridge.layouts.encoding import FilePath, FileRef, path_bytes
from cardbridge.pcsc.apdu import SHORT_MAX_LE, SW, ApduError, CommandApdu, Ins
from cardbridge.pcsc.protocol import ApduProtocol

SELECT_BY_FID = 0x00
SELECT_EF_UNDER_CURRENT_DF = 0x02
SELECT_BY_NAME = 0x04
SELECT_BY_PATH = 0x09
NO_RESPONSE_DATA = 0x0C
READ_BY_SFI = 0x80
# READ BINARY (B0) gives the offset in 15 bits of P1-P2: with bit 8 of P1 set, P1 names a
# short file identifier instead (ISO 7816-4 §11.3.3). So no read starts at 0x8000 or
# beyond, and a file is read up to that size; none of ours comes near it.
MAX_FILE_SIZE = 0x8000


def select_aid(protocol: ApduProtocol, aid: bytes) -> None:
    """SELECT an application by name, asking for no answer data (P2 ``0C``)."""
    protocol.send(CommandApdu(0x00, Ins.SELECT, SELECT_BY_NAME, NO_RESPONSE_DATA, aid))


def select_path(protocol: ApduProtocol, path: FilePath) -> None:
    """SELECT by path from the MF (P1 ``09``, the path starting with ``3F00``)."""
    protocol.send(CommandApdu(0x00, Ins.SELECT, SELECT_BY_PATH, NO_RESPONSE_DATA, path_bytes(path)))


def select_ef(protocol: ApduProtocol, fid: int) -> None:
    """SELECT an EF of the current DF by its file identifier."""
    protocol.send(
        CommandApdu(
            0x00, Ins.SELECT, SELECT_EF_UNDER_CURRENT_DF, NO_RESPONSE_DATA, fid.to_bytes(2, "big")
        )
    )


def _read(protocol: ApduProtocol, offset: int, le: int, sfi: int | None) -> tuple[bytes, bool]:
    """One READ BINARY; returns the data and whether the card said the file ended."""
    if not 0 <= offset < MAX_FILE_SIZE:
        raise ValueError(f"READ BINARY offset {offset:#x} does not fit in 15 bits")
    if sfi is not None and offset == 0:
        p1, p2 = READ_BY_SFI | sfi, 0
    else:
        p1, p2 = offset >> 8, offset & 0xFF
    response = protocol.transceive(CommandApdu(0x00, Ins.READ_BINARY, p1, p2, le=le))
    if response.sw == SW.SUCCESS:
        return response.data, False
    if response.sw == SW.END_OF_FILE:
        return response.data, True
    if response.sw == SW.WRONG_P1P2 and offset:
        return b"", True  # offset past the end: the file ended on the previous read
    raise ApduError(response.sw, response.data, command="READ_BINARY")


def _object_size(head: bytes) -> int:
    """Total size of the BER-TLV object whose first bytes are ``head``."""
    index = 1
    if head[0] & 0x1F == 0x1F:
        while index < len(head) and head[index] & 0x80:
            index += 1
        index += 1
    if index >= len(head):
        raise CardDataError("The file is too short to hold a data object.")
    first = head[index]
    if first < 0x80:
        return index + 1 + first
    count = first & 0x7F
    if not 0 < count <= 3 or index + 1 + count > len(head):
        raise CardDataError("The file's data object has an unreadable length.")
    return index + 1 + count + int.from_bytes(head[index + 1 : index + 1 + count], "big")


def _sfi(ref: FileRef) -> int:
    if ref.sfi is None:
        raise ValueError(f"file {ref.fid:04X} has no short identifier")
    return ref.sfi


def read_object_file(protocol: ApduProtocol, ref: FileRef | None = None, *, chunk: int) -> bytes:
    """Read a file holding one BER-TLV object (the current EF, or ``ref`` by its SFI).

    ``chunk`` is the most the card returns to one READ BINARY; the object's length,
    known from the first chunk, says how much more to read, so nothing is read twice
    and no read is spent finding the end.
    """
    data, ended = _read(protocol, 0, chunk, _sfi(ref) if ref is not None else None)
    if not data:
        raise CardDataError("The card returned an empty file.")
    size = _object_size(data)
    if size > MAX_FILE_SIZE:
        raise CardDataError("The card's file is larger than any cardbridge reads.")
    while len(data) < size and not ended:
        more, ended = _read(protocol, len(data), min(chunk, size - len(data)), None)
        if not more:
            break
        data += more
    if len(data) < size:
        raise CardDataError("The card's file ends in the middle of its data object.")
    return data[:size]


def read_current_file(protocol: ApduProtocol, *, chunk: int) -> bytes:
    """Read the current EF whole when its size is not known (a list of objects): chunks
    of ``chunk`` bytes until the card returns fewer, or says the file ended."""
    data = b""
    while len(data) < MAX_FILE_SIZE:
        more, ended = _read(protocol, len(data), chunk, None)
        data += more
        if ended or len(more) < chunk:
            return data
    raise CardDataError("The card's file is larger than any cardbridge reads.")


def read_padded_file(protocol: ApduProtocol, ref: FileRef) -> bytes:
    """Read a whole file by its SFI, chunk after chunk of up to 256 bytes, until its end.

    A file that has not ended at :data:`MAX_FILE_SIZE` bytes is refused: its end cannot
    be asked for without an offset that READ BINARY cannot carry.
    """
    sfi = _sfi(ref)
    data = b""
    while len(data) < MAX_FILE_SIZE:
        more, ended = _read(protocol, len(data), SHORT_MAX_LE, sfi)
        data += more
        if ended or len(more) < SHORT_MAX_LE:
            return data
    raise CardDataError(
        "The card's file is larger than any cardbridge reads (32 KiB): the card may be "
        "damaged. Contact the card issuer."
    )
