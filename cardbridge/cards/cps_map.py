"""Where a CPS keeps its certificates, keys and data objects: read from its PKCS#15 lists.

As OpenSC and the Cryptolib do on real cards (docs/cps-card.md): EF.DIR (``3F00/2F00``)
gives the path of the PKCS#15 application, its ODF (``5031``, ISO/IEC 7816-15) the paths
of the object lists; the PrKDF gives the key references of ``CPS_PRIV_AUT`` and
``CPS_PRIV_SIG``, the CDF the files of the certificates with the same identifiers, the
DODF the files of the data objects by label. Certificates are found by their CDF label
and keys by their PrKDF label, as the Cryptolib finds them. Nothing here assumes a file
identifier that only the emulator has.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from cardbridge.cards.files import read_current_file, select_aid, select_ef, select_path
from cardbridge.errors import CardDataError
from cardbridge.layouts import cps_pkcs15, iasecc
from cardbridge.layouts.cps import MF, PKCS15_AID
from cardbridge.layouts.encoding import FilePath
from cardbridge.layouts.pkcs15 import Directory
from cardbridge.layouts.pkcs15_read import (
    ListedObject,
    parse_applications,
    parse_directory,
    parse_odf,
)
from cardbridge.pcsc.protocol import ApduProtocol

EF_DIR: FilePath = (MF, 0x2F00)
EF_ODF = 0x5031  # ISO/IEC 7816-15: EF.OD of a PKCS#15 application
_DAMAGED = "The CPS's PKCS#15 lists are unreadable ({}): the card may be damaged."


@dataclass(frozen=True, slots=True)
class CpsObjects:
    """Paths (as PKCS#15 gives them: 2-byte file ids of the application, or paths from
    the MF) of the certificates and data objects, by the Cryptolib's labels."""

    authentication_certificate: bytes
    signature_certificate: bytes
    objects: Mapping[str, bytes]
    activities: tuple[bytes, ...]

    def object(self, label: str) -> bytes:
        path = self.objects.get(label)
        if path is None:
            raise CardDataError(_DAMAGED.format(f"no data object {label}"))
        return path


@dataclass(frozen=True, slots=True)
class CpsKeys:
    """Key references of the two private keys, from the PrKDF."""

    authentication: int
    signature: int


class CpsMap:
    """What one CPS's lists say, read when first needed and kept for the session:
    EF.DIR and the ODF, then the CDF and DODF (:meth:`objects`), the PrKDF (:meth:`keys`).
    """

    def __init__(self, protocol: ApduProtocol) -> None:
        self._protocol = protocol
        self._aid: bytes | None = None
        self._lists: dict[Directory, list[bytes]] = {}
        self._objects: CpsObjects | None = None
        self._keys: CpsKeys | None = None

    @property
    def aid(self) -> bytes:
        """The AID of the contact PKCS#15 application (read EF.DIR and the ODF first)."""
        self._read_odf()
        assert self._aid is not None
        return self._aid

    def select(self, path: bytes) -> None:
        """Select the file at a PKCS#15 ``path`` (a 2-byte path: in the application,
        which must be the current DF)."""
        if len(path) == 2:
            select_ef(self._protocol, int.from_bytes(path, "big"))
        elif len(path) >= 4 and len(path) % 2 == 0 and path[:2] == MF.to_bytes(2, "big"):
            select_path(
                self._protocol,
                tuple(int.from_bytes(path[i : i + 2], "big") for i in range(0, len(path), 2)),
            )
        else:
            raise CardDataError(_DAMAGED.format(f"path {path.hex()}"))

    def objects(self) -> CpsObjects:
        """Certificates (by the CDF labels) and data objects (by the DODF labels)."""
        if self._objects is None:
            certificates = {c.label: c.file for c in self._directory(Directory.CERTIFICATES)}
            found = {o.label: o.file for o in self._directory(Directory.DATA_OBJECTS)}
            activities = sorted(label for label in found if label.startswith("CPS_ACTIVITY_"))
            self._objects = CpsObjects(
                authentication_certificate=_required(
                    certificates, cps_pkcs15.AUTHENTICATION_CERT_LABEL
                ),
                signature_certificate=_required(certificates, cps_pkcs15.SIGNATURE_CERT_LABEL),
                objects=found,
                activities=tuple(found[label] for label in activities),
            )
        return self._objects

    def keys(self) -> CpsKeys:
        """The references of ``CPS_PRIV_AUT`` and ``CPS_PRIV_SIG``."""
        if self._keys is None:
            keys = {k.label: k.key_reference for k in self._directory(Directory.PRIVATE_KEYS)}
            self._keys = CpsKeys(
                authentication=_reference(keys, cps_pkcs15.AUTHENTICATION_KEY_LABEL),
                signature=_reference(keys, cps_pkcs15.SIGNATURE_KEY_LABEL),
            )
        return self._keys

    def _read_odf(self) -> None:
        if self._aid is not None:
            return
        select_path(self._protocol, EF_DIR)
        records = read_current_file(self._protocol, chunk=iasecc.READ_BINARY_MAX)
        app = next((a for a in parse_applications(records) if a.aid == PKCS15_AID), None)
        if app is None:
            raise CardDataError(_DAMAGED.format("no CPS application in EF.DIR"))
        if app.path:
            self.select(app.path + EF_ODF.to_bytes(2, "big"))
        else:
            select_aid(self._protocol, app.aid)
            select_ef(self._protocol, EF_ODF)
        self._lists = parse_odf(read_current_file(self._protocol, chunk=iasecc.READ_BINARY_MAX))
        self._aid = app.aid

    def _directory(self, kind: Directory) -> list[ListedObject]:
        self._read_odf()
        found: list[ListedObject] = []
        for path in self._lists.get(kind, []):
            if len(path) == 2:
                select_aid(self._protocol, self.aid)
            self.select(path)
            data = read_current_file(self._protocol, chunk=iasecc.READ_BINARY_MAX)
            found += parse_directory(data, kind)
        return found


def _required(paths: Mapping[str, bytes], label: str) -> bytes:
    path = paths.get(label)
    if path is None:
        raise CardDataError(_DAMAGED.format(f"no {label}"))
    return path


def _reference(keys: Mapping[str, int | None], label: str) -> int:
    reference = keys.get(label)
    if reference is None or not 0 < reference < 0x100:
        raise CardDataError(_DAMAGED.format(f"no key reference for {label}"))
    return reference
