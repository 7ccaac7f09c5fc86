"""The ISO 7816-4 file tree: the MF, DFs (with optional AIDs) and transparent EFs.

DFs also hold their security objects (IAS-ECC attaches PINs and keys to a DF). An
EF has a read rule: always, after a PIN, or never.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from cardbridge.emulator.engine.security import CardKey, Pin
from cardbridge.pcsc.tlv import Tlv

MF_FID = 0x3F00
DESCRIPTOR_TRANSPARENT_EF = 0x01
DESCRIPTOR_DF = 0x38
LIFE_CYCLE_ACTIVATED = 0x05
# Security attributes in compact format (tag 8C): an access mode byte, then one
# condition byte per operation it flags. Only READ BINARY is described.
TAG_COMPACT_SECURITY = 0x8C
TAG_CONTACTLESS_SECURITY = 0x9C
TAG_SECURITY_TEMPLATE = 0xA1
ACCESS_MODE_READ = 0x01
CONDITION_ALWAYS = 0x00
CONDITION_NEVER = 0xFF
CONDITION_USER_AUTHENTICATION = 0x11  # user authentication in security environment 1


@dataclass(frozen=True, slots=True)
class Acl:
    """IAS-ECC security attributes of a file as a card gives them in its FCP.

    ``contact`` and ``contactless`` are the contents of tags ``8C`` and ``9C`` (an
    access mode byte, then one condition byte per operation it flags), sent inside
    ``A1``. They describe the file; the engine enforces :class:`Access` only.
    """

    contact: bytes
    contactless: bytes | None = None


@dataclass(frozen=True, slots=True)
class Access:
    """Who may read an EF: anyone, after verifying ``pin``, or nobody (``never``)."""

    pin: Pin | None = None
    never: bool = False


ALWAYS = Access()
NEVER = Access(never=True)


class ElementaryFile:
    """A transparent EF."""

    def __init__(
        self,
        fid: int,
        data: bytes,
        *,
        sfi: int | None = None,
        read: Access = ALWAYS,
        acl: Acl | None = None,
    ) -> None:
        if sfi is not None and not 1 <= sfi <= 30:
            raise ValueError("an SFI is between 1 and 30")
        self.fid = fid
        self.sfi = sfi
        self.data = data
        self.read = read
        self.acl = acl
        self.parent: DedicatedFile | None = None

    def __repr__(self) -> str:
        return f"EF {self.fid:04X} ({len(self.data)} bytes)"


class DedicatedFile:
    """A DF (the MF is the DF without parent). ``fid`` may be absent for a DF known by AID.

    ``quiet_name_select``: SELECT by this DF's name with P2 ``00`` (FCI wanted) succeeds
    without data, where the card refuses P2 ``00`` for other files.
    """

    def __init__(
        self,
        fid: int | None,
        *,
        aid: bytes | None = None,
        children: Iterable[ElementaryFile | DedicatedFile] = (),
        pins: Iterable[Pin] = (),
        keys: Iterable[CardKey] = (),
        acl: Acl | None = None,
        quiet_name_select: bool = False,
    ) -> None:
        self.fid = fid
        self.aid = aid
        self.acl = acl
        self.quiet_name_select = quiet_name_select
        self.parent: DedicatedFile | None = None
        self.children: list[ElementaryFile | DedicatedFile] = []
        self.pins = {pin.reference: pin for pin in pins}
        self.keys = {key.reference: key for key in keys}
        for child in children:
            self.add(child)

    def __repr__(self) -> str:
        name = f"{self.fid:04X}" if self.fid is not None else (self.aid or b"").hex().upper()
        return f"DF {name}"

    def add(self, child: ElementaryFile | DedicatedFile) -> None:
        child.parent = self
        self.children.append(child)

    def child(self, fid: int) -> ElementaryFile | DedicatedFile | None:
        return next((c for c in self.children if c.fid == fid), None)

    def ef_by_sfi(self, sfi: int) -> ElementaryFile | None:
        return next(
            (c for c in self.children if isinstance(c, ElementaryFile) and c.sfi == sfi), None
        )

    def walk(self) -> Iterator[DedicatedFile]:
        """This DF and every DF below it."""
        yield self
        for child in self.children:
            if isinstance(child, DedicatedFile):
                yield from child.walk()

    def find_aid(self, aid: bytes) -> DedicatedFile | None:
        return next((df for df in self.walk() if df.aid == aid), None)

    @property
    def root(self) -> DedicatedFile:
        df = self
        while df.parent is not None:
            df = df.parent
        return df


def control_parameters(file: ElementaryFile | DedicatedFile) -> list[Tlv]:
    """The FCP objects of a file (size, descriptor, FID, DF name, SFI, life cycle, access)."""
    objects: list[Tlv] = []
    if isinstance(file, ElementaryFile):
        objects.append(Tlv(0x80, len(file.data).to_bytes(2, "big")))
        objects.append(Tlv(0x82, bytes((DESCRIPTOR_TRANSPARENT_EF,))))
    else:
        objects.append(Tlv(0x82, bytes((DESCRIPTOR_DF,))))
    if file.fid is not None:
        objects.append(Tlv(0x83, file.fid.to_bytes(2, "big")))
    if isinstance(file, DedicatedFile) and file.aid:
        objects.append(Tlv(0x84, file.aid))
    if isinstance(file, ElementaryFile) and file.sfi is not None:
        objects.append(Tlv(0x88, bytes((file.sfi << 3,))))
    if file.acl is not None:
        # The IAS-ECC form: A1 { 8C contact, 9C contactless } before the life cycle.
        rules = [Tlv(TAG_COMPACT_SECURITY, file.acl.contact)]
        if file.acl.contactless is not None:
            rules.append(Tlv(TAG_CONTACTLESS_SECURITY, file.acl.contactless))
        objects.append(Tlv.of(TAG_SECURITY_TEMPLATE, rules))
        objects.append(Tlv(0x8A, bytes((LIFE_CYCLE_ACTIVATED,))))
        return objects
    objects.append(Tlv(0x8A, bytes((LIFE_CYCLE_ACTIVATED,))))
    objects.append(Tlv(TAG_COMPACT_SECURITY, _security_attributes(file)))
    return objects


def _security_attributes(file: ElementaryFile | DedicatedFile) -> bytes:
    if isinstance(file, DedicatedFile):
        return b"\x00"
    if file.read.never:
        condition = CONDITION_NEVER
    elif file.read.pin is not None:
        condition = CONDITION_USER_AUTHENTICATION
    else:
        condition = CONDITION_ALWAYS
    return bytes((ACCESS_MODE_READ, condition))
