"""Reading files: READ BINARY offsets stay within the 15 bits that P1-P2 can carry."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from cardbridge.cards.files import MAX_FILE_SIZE, read_object_file, read_padded_file
from cardbridge.errors import CardDataError
from cardbridge.layouts.encoding import FileRef
from cardbridge.pcsc.apdu import CommandApdu, Ins
from cardbridge.pcsc.protocol import ApduProtocol

SFI = 2
REF = FileRef(0xD002, sfi=SFI)


@dataclass
class FileCard:
    """A card whose current file holds ``content`` (``None``: zeros that never end)."""

    content: bytes | None = None
    reads: list[CommandApdu] = field(default_factory=list)

    def transmit(self, apdu: bytes) -> tuple[bytes, int]:
        command = CommandApdu.from_bytes(apdu)
        assert command.ins == Ins.READ_BINARY
        self.reads.append(command)
        offset = 0 if command.p1 & 0x80 else command.p1 << 8 | command.p2
        wanted = command.le or 256
        if self.content is None:
            return bytes(wanted), 0x9000
        chunk = self.content[offset : offset + wanted]
        return (chunk, 0x9000) if chunk or not offset else (b"", 0x6B00)

    def offsets(self) -> list[int]:
        """The offset of every read after the first (which names the file by its SFI)."""
        return [read.p1 << 8 | read.p2 for read in self.reads[1:]]


def test_a_file_that_never_ends_is_refused_before_offset_0x8000() -> None:
    card = FileCard()
    with pytest.raises(CardDataError, match="32 KiB"):
        read_padded_file(ApduProtocol(card), REF)
    first = card.reads[0]
    assert (first.p1, first.p2) == (0x80 | SFI, 0)
    # Bit 8 of P1 set would name a short file identifier, not an offset.
    assert all(read.p1 < 0x80 for read in card.reads[1:])
    assert card.offsets()[-1] == MAX_FILE_SIZE - 256
    assert len(card.reads) == MAX_FILE_SIZE // 256


@pytest.mark.parametrize("size", [1, 255, 256, 257, 0x1234, MAX_FILE_SIZE - 1])
def test_files_up_to_the_limit_are_read_whole(size: int) -> None:
    card = FileCard(bytes(size))
    assert read_padded_file(ApduProtocol(card), REF) == bytes(size)
    assert all(offset < MAX_FILE_SIZE for offset in card.offsets())


def test_a_file_of_exactly_the_limit_is_refused() -> None:
    """Its end could only be learnt from a read at offset 0x8000."""
    card = FileCard(bytes(MAX_FILE_SIZE))
    with pytest.raises(CardDataError, match="larger"):
        read_padded_file(ApduProtocol(card), REF)
    assert max(card.offsets()) < MAX_FILE_SIZE


def test_an_object_of_the_largest_size_is_read_below_the_limit() -> None:
    body = MAX_FILE_SIZE - 5  # tag, 0x83 and three length bytes: 0x8000 bytes in all
    card = FileCard(bytes([0x30, 0x83]) + body.to_bytes(3, "big") + bytes(body))
    assert len(read_object_file(ApduProtocol(card), chunk=231)) == MAX_FILE_SIZE
    assert max(read.p1 for read in card.reads) < 0x80
