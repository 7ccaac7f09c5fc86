"""ISO 7816-4 command and response APDUs, status words and the ``ApduError``.

A :class:`CommandApdu` encodes the four cases in short or extended form and parses
them back (the emulator is the card side of the same model). ``le`` is the number of
bytes expected, ``None`` when the command has no Le field; ``256`` (short) and
``65536`` (extended) are the "maximum" values encoded as zeros.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, unique

from cardbridge.errors import CardError

SHORT_MAX_DATA = 255
SHORT_MAX_LE = 256
EXTENDED_MAX_DATA = 65535
EXTENDED_MAX_LE = 65536
CLA_CHAINING = 0x10


@unique
class Ins(IntEnum):
    """Instruction bytes used by cardbridge (ISO 7816-4 / IAS-ECC)."""

    VERIFY = 0x20
    MANAGE_SECURITY_ENVIRONMENT = 0x22
    CHANGE_REFERENCE_DATA = 0x24
    PERFORM_SECURITY_OPERATION = 0x2A
    RESET_RETRY_COUNTER = 0x2C
    GET_CHALLENGE = 0x84
    INTERNAL_AUTHENTICATE = 0x88
    SELECT = 0xA4
    READ_BINARY = 0xB0
    READ_RECORD = 0xB2
    GET_RESPONSE = 0xC0
    GET_DATA = 0xCA
    GET_DATA_ODD = 0xCB


# INS whose command data are secrets (PIN, PUK): never logged.
SECRET_INS = frozenset({Ins.VERIFY, Ins.CHANGE_REFERENCE_DATA, Ins.RESET_RETRY_COUNTER})


@unique
class SW(IntEnum):
    """Status words with a fixed meaning (ISO 7816-4 §5.6)."""

    SUCCESS = 0x9000
    WARNING_NO_INFORMATION = 0x6200
    CORRUPTED_DATA = 0x6281
    END_OF_FILE = 0x6282
    FILE_DEACTIVATED = 0x6283
    VERIFY_FAILED = 0x63C0
    MEMORY_FAILURE = 0x6581
    WRONG_LENGTH = 0x6700
    LOGICAL_CHANNEL_NOT_SUPPORTED = 0x6881
    SECURE_MESSAGING_NOT_SUPPORTED = 0x6882
    LAST_COMMAND_EXPECTED = 0x6883
    COMMAND_CHAINING_NOT_SUPPORTED = 0x6884
    INCOMPATIBLE_FILE_STRUCTURE = 0x6981
    SECURITY_CONDITION_NOT_SATISFIED = 0x6982
    AUTH_METHOD_BLOCKED = 0x6983
    REFERENCE_DATA_NOT_USABLE = 0x6984
    CONDITIONS_NOT_SATISFIED = 0x6985
    COMMAND_NOT_ALLOWED = 0x6986
    INCORRECT_DATA = 0x6A80
    FUNCTION_NOT_SUPPORTED = 0x6A81
    FILE_NOT_FOUND = 0x6A82
    RECORD_NOT_FOUND = 0x6A83
    NOT_ENOUGH_MEMORY = 0x6A84
    INCORRECT_P1P2 = 0x6A86
    REFERENCE_NOT_FOUND = 0x6A88
    WRONG_P1P2 = 0x6B00
    INS_NOT_SUPPORTED = 0x6D00
    CLA_NOT_SUPPORTED = 0x6E00
    NO_PRECISE_DIAGNOSIS = 0x6F00


def describe_sw(sw: int) -> str:
    """Name a status word, including the families with a count in SW2."""
    sw1, sw2 = sw >> 8, sw & 0xFF
    if sw1 == 0x61:
        return f"BYTES_REMAINING ({sw2 or 256} more bytes)"
    if sw1 == 0x6C:
        return f"WRONG_LE (exact length {sw2 or 256})"
    if sw1 == 0x63 and sw2 & 0xF0 == 0xC0:
        return f"VERIFY_FAILED ({sw2 & 0x0F} tries left)"
    try:
        return SW(sw).name
    except ValueError:
        return "UNKNOWN_STATUS"


class MalformedApduError(ValueError):
    """Bytes that are not a valid ISO 7816-4 command APDU."""


class ApduError(CardError):
    """The card answered with a status word other than 9000."""

    code = "card_error"

    def __init__(self, sw: int, data: bytes = b"", *, command: str | None = None) -> None:
        self.sw = sw
        self.data = data
        self.command = command
        where = f" to {command}" if command else ""
        super().__init__(f"The card refused the command{where}: SW=0x{sw:04X} ({describe_sw(sw)})")

    def details(self) -> dict[str, object]:
        return {**super().details(), "sw": f"{self.sw:04X}"}


def _command_name(ins: int) -> str:
    try:
        return Ins(ins).name
    except ValueError:
        return f"INS {ins:02X}"


@dataclass(frozen=True, slots=True)
class CommandApdu:
    """A command APDU: header, optional data (Lc) and optional Le."""

    cla: int
    ins: int
    p1: int
    p2: int
    data: bytes = b""
    le: int | None = None

    def __post_init__(self) -> None:
        for name in ("cla", "ins", "p1", "p2"):
            if not 0 <= getattr(self, name) <= 0xFF:
                raise ValueError(f"{name} must be one byte")
        if len(self.data) > EXTENDED_MAX_DATA:
            raise ValueError(f"command data longer than {EXTENDED_MAX_DATA} bytes")
        if self.le is not None and not 1 <= self.le <= EXTENDED_MAX_LE:
            raise ValueError(f"le must be between 1 and {EXTENDED_MAX_LE}")

    @property
    def case(self) -> int:
        """ISO 7816-3 case: 1 (no data, no Le), 2 (Le), 3 (data), 4 (data and Le)."""
        return 1 + (self.le is not None) + 2 * bool(self.data)

    @property
    def needs_extended(self) -> bool:
        return len(self.data) > SHORT_MAX_DATA or (self.le or 0) > SHORT_MAX_LE

    @property
    def name(self) -> str:
        return _command_name(self.ins)

    def to_bytes(self, *, extended: bool | None = None) -> bytes:
        """Encode; ``extended=None`` picks extended lengths only when needed."""
        if extended is None:
            extended = self.needs_extended
        elif not extended and self.needs_extended:
            raise ValueError("this command needs extended lengths")
        out = bytearray((self.cla, self.ins, self.p1, self.p2))
        if extended:
            if self.data:
                out += b"\x00" + len(self.data).to_bytes(2, "big") + self.data
            if self.le is not None:
                if not self.data:
                    out += b"\x00"
                out += (self.le % EXTENDED_MAX_LE).to_bytes(2, "big")
        else:
            if self.data:
                out += bytes((len(self.data),)) + self.data
            if self.le is not None:
                out.append(self.le % SHORT_MAX_LE)
        return bytes(out)

    @classmethod
    def from_bytes(cls, raw: bytes) -> CommandApdu:
        """Parse a command APDU of any case; raise :class:`MalformedApduError`."""
        n = len(raw)
        if n < 4:
            raise MalformedApduError("an APDU has at least 4 header bytes")
        cla, ins, p1, p2 = raw[:4]
        if n == 4:
            return cls(cla, ins, p1, p2)
        if n == 5:
            return cls(cla, ins, p1, p2, le=raw[4] or SHORT_MAX_LE)
        if raw[4] != 0:
            lc = raw[4]
            if n == 5 + lc:
                return cls(cla, ins, p1, p2, data=raw[5:])
            if n == 6 + lc:
                return cls(cla, ins, p1, p2, data=raw[5:-1], le=raw[-1] or SHORT_MAX_LE)
            raise MalformedApduError(f"Lc={lc} does not match the {n}-byte APDU")
        if n == 7:
            return cls(cla, ins, p1, p2, le=int.from_bytes(raw[5:7], "big") or EXTENDED_MAX_LE)
        lc = int.from_bytes(raw[5:7], "big")
        if lc == 0:
            raise MalformedApduError("extended Lc of zero")
        if n == 7 + lc:
            return cls(cla, ins, p1, p2, data=raw[7:])
        if n == 9 + lc:
            return cls(
                cla,
                ins,
                p1,
                p2,
                data=raw[7:-2],
                le=int.from_bytes(raw[-2:], "big") or EXTENDED_MAX_LE,
            )
        raise MalformedApduError(f"extended Lc={lc} does not match the {n}-byte APDU")

    def redacted(self) -> str:
        """Hex for logs, with PIN/PUK data replaced by its length."""
        header = f"{self.cla:02X} {self.ins:02X} {self.p1:02X} {self.p2:02X}"
        if self.data and self.ins in SECRET_INS:
            body = f" <{len(self.data)} secret bytes>"
        elif self.data:
            body = " " + self.data.hex(" ").upper()
        else:
            body = ""
        le = f" Le={self.le}" if self.le is not None else ""
        return f"{self.name}: {header}{body}{le}"


def redact_raw(apdu: bytes) -> str:
    """Redacted log text of raw command bytes (that may not even parse)."""
    try:
        return CommandApdu.from_bytes(apdu).redacted()
    except (MalformedApduError, ValueError):
        if len(apdu) > 1 and apdu[1] in SECRET_INS:
            return f"<{len(apdu)} bytes, secret>"
        return apdu.hex(" ").upper()


@dataclass(frozen=True, slots=True)
class ResponseApdu:
    """A response APDU: data and the two status bytes as one ``int``."""

    data: bytes
    sw: int

    @property
    def sw1(self) -> int:
        return self.sw >> 8

    @property
    def sw2(self) -> int:
        return self.sw & 0xFF

    @property
    def ok(self) -> bool:
        return self.sw == SW.SUCCESS

    def to_bytes(self) -> bytes:
        return self.data + self.sw.to_bytes(2, "big")

    @classmethod
    def from_bytes(cls, raw: bytes) -> ResponseApdu:
        if len(raw) < 2:
            raise MalformedApduError("a response has at least the two status bytes")
        return cls(raw[:-2], int.from_bytes(raw[-2:], "big"))
