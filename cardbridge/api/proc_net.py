"""Reading Linux's ``/proc/net/tcp`` and ``/proc/net/tcp6``: who owns a TCP socket.

Pure parsing, no I/O. Each line after the header describes one socket of this network
namespace: ``sl local_address rem_address st ... uid timeout inode ...``. Addresses are
hexadecimal in the kernel's memory order: an IPv4 address is one 32-bit word, an IPv6
address four, each printed as a native (little-endian on x86 and arm64) integer; the
port is big-endian hex. ``uid`` is the owner of the socket (the user of the process
that created it), ``inode`` that of the socket file, 0 when no process holds it any more.

Sockets in TIME_WAIT (and FIN_WAIT2 after the owner closed) are kept by the kernel as
"timewait" entries, printed with uid 0 and inode 0: they belong to nobody and must never
be taken for root's. Only entries with an inode are trusted here. Details and sources
in ``docs/os-user-boundary.md``.
"""

from __future__ import annotations

import ipaddress
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Endpoint = tuple[IpAddress, int]
ByteOrder = Literal["little", "big"]

_BYTE_ORDER: ByteOrder = "little" if sys.byteorder == "little" else "big"
_FIELDS_BEFORE_INODE = 9  # sl, local, remote, st, queues, timer, retransmits, uid, timeout


@dataclass(frozen=True, slots=True)
class TcpSocket:
    """One line of ``/proc/net/tcp{,6}``: a socket's ends, state, owner and inode."""

    local: Endpoint
    remote: Endpoint
    state: int
    uid: int
    inode: int


def parse_address(text: str, byteorder: ByteOrder = _BYTE_ORDER) -> Endpoint:
    """``0100007F:1F90`` → ``(127.0.0.1, 8080)``; 32 hex digits for IPv6.

    An IPv4-mapped IPv6 address (``::ffff:127.0.0.1``, an IPv6 socket talking to an IPv4
    one) is given as the IPv4 address, which is how the other end sees it.
    """
    address, _, port = text.partition(":")
    if len(address) not in (8, 32) or len(port) != 4:
        raise ValueError(f"not an address of /proc/net/tcp: {text!r}")
    raw = bytes.fromhex(address)
    words = [raw[i : i + 4] for i in range(0, len(raw), 4)]
    packed = b"".join(int.from_bytes(word, byteorder).to_bytes(4, "big") for word in words)
    ip: IpAddress = ipaddress.ip_address(packed)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip, int(port, 16)


def parse_line(line: str, byteorder: ByteOrder = _BYTE_ORDER) -> TcpSocket | None:
    """The socket a line describes; ``None`` for the header line.

    Raises :class:`ValueError` on a line that is neither.
    """
    fields = line.split()
    if not fields or fields[0] == "sl":
        return None
    if len(fields) < _FIELDS_BEFORE_INODE + 1 or not fields[0].endswith(":"):
        raise ValueError(f"not a line of /proc/net/tcp: {line!r}")
    return TcpSocket(
        local=parse_address(fields[1], byteorder),
        remote=parse_address(fields[2], byteorder),
        state=int(fields[3], 16),
        uid=int(fields[7]),
        inode=int(fields[9]),
    )


def _normal(endpoint: tuple[str, int]) -> Endpoint:
    ip: IpAddress = ipaddress.ip_address(endpoint[0].split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip, endpoint[1]


def owner_of_peer(
    lines: Iterable[str],
    peer: tuple[str, int],
    server: tuple[str, int],
    byteorder: ByteOrder = _BYTE_ORDER,
) -> int | None:
    """The uid of the process socket at ``peer`` connected to ``server`` (both as a
    socket's ``getpeername()``/``getsockname()`` give them), from ``lines`` of
    ``/proc/net/tcp`` and ``/proc/net/tcp6``.

    That socket's line has ``peer`` as its local end and ``server`` as its remote end.
    ``None`` when no held socket (inode not 0) matches, or when several owners would:
    the caller cannot tell who is calling, and must refuse.
    """
    wanted_local, wanted_remote = _normal(peer), _normal(server)
    # Only lines naming the peer's port are parsed: a busy machine lists thousands.
    port = f":{wanted_local[1]:04X} "
    owners = set()
    for line in lines:
        if port not in line:
            continue
        entry = parse_line(line, byteorder)
        if (
            entry is not None
            and entry.inode != 0
            and entry.local == wanted_local
            and entry.remote == wanted_remote
        ):
            owners.add(entry.uid)
    return owners.pop() if len(owners) == 1 else None
