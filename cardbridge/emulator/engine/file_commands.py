"""SELECT and READ BINARY (ISO 7816-4 §11.2, §11.3)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cardbridge.emulator.engine.files import (
    MF_FID,
    DedicatedFile,
    ElementaryFile,
    control_parameters,
)
from cardbridge.emulator.engine.status import CardStatus, Reply
from cardbridge.pcsc.apdu import EXTENDED_MAX_LE, SHORT_MAX_LE, SW, CommandApdu
from cardbridge.pcsc.tlv import Tlv

if TYPE_CHECKING:
    from cardbridge.emulator.engine.card import IsoCard

File = ElementaryFile | DedicatedFile

SELECT_FID = 0x00
SELECT_CHILD_DF = 0x01
SELECT_EF = 0x02
SELECT_PARENT = 0x03
SELECT_NAME = 0x04
SELECT_PATH_FROM_MF = 0x08
SELECT_PATH_FROM_CURRENT = 0x09

ANSWER_MASK = 0x0C
ANSWER_FCI = 0x00
ANSWER_FCP = 0x04
ANSWER_NONE = 0x0C
MAX_AID_LENGTH = 16

READ_BY_SFI = 0x80


def select(card: IsoCard, apdu: CommandApdu) -> Reply:
    """SELECT by FID, child DF, EF, parent, DF name (AID) or path."""
    answer = apdu.p2 & ANSWER_MASK
    if apdu.p2 & ~ANSWER_MASK or answer == 0x08:  # only the first occurrence
        raise CardStatus(SW.INCORRECT_P1P2)
    if answer == ANSWER_FCI and not card.fci:
        # A card without FCI refuses P2=00, except for a DF whose name select is quiet.
        if apdu.p1 != SELECT_NAME or not _quiet(card, apdu.data):
            raise CardStatus(SW.INCORRECT_P1P2)
        answer = ANSWER_NONE
    target = _resolve(card, apdu.p1, apdu.data)
    state = card.state
    if isinstance(target, DedicatedFile):
        state.current_df, state.current_ef = target, None
    else:
        assert target.parent is not None
        state.current_df, state.current_ef = target.parent, target
    if answer == ANSWER_NONE:
        return Reply()
    template = 0x6F if answer == ANSWER_FCI else 0x62
    return Reply(Tlv.of(template, control_parameters(target)).to_bytes())


def _quiet(card: IsoCard, name: bytes) -> bool:
    df = card.mf.find_aid(name)
    return df is not None and df.quiet_name_select


def _fid(data: bytes) -> int:
    if len(data) != 2:
        raise CardStatus(SW.WRONG_LENGTH)
    return int.from_bytes(data, "big")


def _found(file: File | None, kind: type[File] | None = None) -> File:
    if file is None or (kind is not None and not isinstance(file, kind)):
        raise CardStatus(SW.FILE_NOT_FOUND)
    return file


def _resolve(card: IsoCard, p1: int, data: bytes) -> File:
    current = card.state.current_df
    if p1 == SELECT_FID:
        return card.mf if not data else _by_fid(card, _fid(data))
    if p1 == SELECT_CHILD_DF:
        return _found(current.child(_fid(data)), DedicatedFile)
    if p1 == SELECT_EF:
        fid = _fid(data)
        if fid == MF_FID:
            # IAS-ECC cards take the MF's FID here too (OpenSC selects it so).
            return card.mf
        return _found(current.child(fid), ElementaryFile)
    if p1 == SELECT_PARENT:
        if data:
            raise CardStatus(SW.WRONG_LENGTH)
        return _found(current.parent)
    if p1 == SELECT_NAME:
        if not 1 <= len(data) <= MAX_AID_LENGTH:
            raise CardStatus(SW.WRONG_LENGTH)
        return _found(card.mf.find_aid(data))
    if p1 in (SELECT_PATH_FROM_MF, SELECT_PATH_FROM_CURRENT):
        if not data or len(data) % 2:
            raise CardStatus(SW.WRONG_LENGTH)
        fids = [int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data), 2)]
        start = card.mf if p1 == SELECT_PATH_FROM_MF else current
        if p1 == SELECT_PATH_FROM_CURRENT and fids[0] == MF_FID:
            # The CPS3 takes paths from the current DF as absolute when they start at 3F00.
            start, fids = card.mf, fids[1:]
        return _walk(start, fids)
    raise CardStatus(SW.INCORRECT_P1P2)


def _by_fid(card: IsoCard, fid: int) -> File:
    """P1=00: the MF, a child of the current DF, the current DF, its parent or a sibling."""
    current = card.state.current_df
    if fid == MF_FID:
        return card.mf
    if current.fid == fid:
        return current
    found = current.child(fid)
    if found is None and current.parent is not None:
        parent = current.parent
        found = parent if parent.fid == fid else parent.child(fid)
    return _found(found)


def _walk(start: DedicatedFile, fids: list[int]) -> File:
    node: File = start
    for fid in fids:
        if not isinstance(node, DedicatedFile):
            raise CardStatus(SW.FILE_NOT_FOUND)
        node = _found(node.child(fid))
    return node


def read_binary(card: IsoCard, apdu: CommandApdu) -> Reply:
    """READ BINARY from the current EF, or from the EF with an SFI (which becomes current)."""
    if apdu.data or apdu.le is None:
        raise CardStatus(SW.WRONG_LENGTH)
    state = card.state
    if apdu.p1 & READ_BY_SFI:
        sfi = apdu.p1 & 0x1F
        if apdu.p1 & 0x60 or not sfi:
            raise CardStatus(SW.INCORRECT_P1P2)
        ef = state.current_df.ef_by_sfi(sfi)
        if ef is None:
            raise CardStatus(SW.FILE_NOT_FOUND)
        state.current_ef = ef
        offset = apdu.p2
    else:
        if state.current_ef is None:
            raise CardStatus(SW.COMMAND_NOT_ALLOWED)
        ef = state.current_ef
        offset = apdu.p1 << 8 | apdu.p2
    if ef.read.never or (ef.read.pin is not None and ef.read.pin not in state.verified):
        raise CardStatus(SW.SECURITY_CONDITION_NOT_SATISFIED)
    if offset >= len(ef.data):
        raise CardStatus(SW.WRONG_P1P2)
    # One short READ BINARY gets at most what the card returns at once (read_limit):
    # the host sees fewer bytes than it asked for, with 9000, and reads on.
    wanted = min(apdu.le, card.read_limit) if apdu.le <= SHORT_MAX_LE else apdu.le
    chunk = ef.data[offset : offset + wanted]
    if len(chunk) < wanted and apdu.le not in (SHORT_MAX_LE, EXTENDED_MAX_LE):
        # An exact Le beyond the end: the bytes up to the end, with a warning (ISO 7816-4).
        return Reply(chunk, SW.END_OF_FILE)
    return Reply(chunk)
