"""Parsing ``/proc/net/tcp{,6}``, with lines captured on a Linux x86-64 machine.

Each vector was read from the kernel while the sockets it describes were open; the
expected addresses, ports and uids are what the socket API (``getsockname()``) and the
process (``setpriv --reuid=65534``) said at the time, not what the parser gives.
"""

from __future__ import annotations

from ipaddress import IPv4Address, IPv6Address

import pytest

from cardbridge.api.proc_net import TcpSocket, owner_of_peer, parse_address, parse_line

HEADER = (
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
    "timeout inode"
)
HEADER6 = (
    "  sl  local_address                         remote_address                        st "
    "tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode"
)
# A listener on 127.0.0.1:55859, a root client 127.0.0.1:43046 and the accepted socket.
LISTEN_V4 = (
    "   1: 0100007F:DA33 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0"
    "        0 11494 1 00000000a4732e46 100 0 0 10 0                     "
)
SERVER_SIDE_V4 = (
    "   8: 0100007F:DA33 0100007F:A826 01 00000000:00000000 00:00000000 00000000     0"
    "        0 11496 1 000000006a91a972 20 0 0 10 -1                     "
)
CLIENT_V4 = (
    "   9: 0100007F:A826 0100007F:DA33 01 00000000:00000000 00:00000000 00000000     0"
    "        0 11495 2 00000000c5af8b40 20 0 0 10 -1                     "
)
# An IPv6 socket (getsockname ::ffff:127.0.0.1, port 43052) connected to that listener.
CLIENT_V4_MAPPED = (
    "   2: 0000000000000000FFFF00000100007F:A82C 0000000000000000FFFF00000100007F:DA33 01 "
    "00000000:00000000 00:00000000 00000000     0        0 11500 2 00000000f5cbcf7e 20 0 0 10 -1"
)
# A listener on [::1]:49393 and a root client [::1]:33438.
CLIENT_V6 = (
    "   1: 00000000000000000000000001000000:829E 00000000000000000000000001000000:C0F1 01 "
    "00000000:00000000 00:00000000 00000000     0        0 11498 2 00000000a51d1a4f 20 0 0 10 -1"
)
SERVER_SIDE_V6 = (
    "   3: 00000000000000000000000001000000:C0F1 00000000000000000000000001000000:829E 01 "
    "00000000:00000000 00:00000000 00000000     0        0 11499 1 000000003d897ca9 20 0 0 10 -1"
)
# A client run as uid 65534 (127.0.0.1:45682) connected to a listener on 127.0.0.1:41409.
CLIENT_NOBODY = (
    "  10: 0100007F:B272 0100007F:A1C1 01 00000000:00000000 00:00000000 00000000 65534"
    "        0 11543 2 00000000c65a551b 20 0 0 10 -1                     "
)
SERVER_SIDE_NOBODY = (
    "   8: 0100007F:A1C1 0100007F:B272 01 00000000:00000000 00:00000000 00000000     0"
    "        0 10521 1 000000006a91a972 20 0 0 10 -1                     "
)
# A client of that listener (port 45690) that closed first: TIME_WAIT, uid 0, inode 0.
TIME_WAIT = (
    "  11: 0100007F:B27A 0100007F:A1C1 06 00000000:00000000 03:00001765 00000000     0"
    "        0 0 3 00000000ee89818e                                      "
)
LOCALHOST = IPv4Address("127.0.0.1")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            CLIENT_V4,
            TcpSocket((LOCALHOST, 43046), (LOCALHOST, 55859), 0x01, 0, 11495),
        ),
        (LISTEN_V4, TcpSocket((LOCALHOST, 55859), (IPv4Address("0.0.0.0"), 0), 0x0A, 0, 11494)),
        (
            CLIENT_V6,
            TcpSocket((IPv6Address("::1"), 33438), (IPv6Address("::1"), 49393), 0x01, 0, 11498),
        ),
        (
            CLIENT_V4_MAPPED,  # given as the IPv4 address the other end sees
            TcpSocket((LOCALHOST, 43052), (LOCALHOST, 55859), 0x01, 0, 11500),
        ),
        (
            CLIENT_NOBODY,
            TcpSocket((LOCALHOST, 45682), (LOCALHOST, 41409), 0x01, 65534, 11543),
        ),
        (TIME_WAIT, TcpSocket((LOCALHOST, 45690), (LOCALHOST, 41409), 0x06, 0, 0)),
    ],
)
def test_lines(line: str, expected: TcpSocket) -> None:
    assert parse_line(line, "little") == expected


@pytest.mark.parametrize("line", [HEADER, HEADER6, ""])
def test_header_and_blank_lines(line: str) -> None:
    assert parse_line(line, "little") is None


@pytest.mark.parametrize(
    "line",
    [
        "garbage",
        "   1: 0100007F:DA33 00000000:0000 0A",  # cut short
        "   1: 0100007F:DA3 00000000:0000 0A 0:0 0:0 0 0 0 1",  # 3-digit port
        "   1: 0100007F00:DA33 00000000:0000 0A 0:0 0:0 0 0 0 1",  # 5-byte address
        "   1: 0100007G:DA33 00000000:0000 0A 0:0 0:0 0 0 0 1",  # not hex
    ],
)
def test_malformed_lines(line: str) -> None:
    with pytest.raises(ValueError):
        parse_line(line, "little")


def test_big_endian_words() -> None:
    """On a big-endian machine the kernel prints each 32-bit word in network order."""
    assert parse_address("7F000001:1F90", "big") == (LOCALHOST, 8080)
    assert parse_address("00000000000000000000000000000001:0050", "big") == (
        IPv6Address("::1"),
        80,
    )


TABLE_V4 = [HEADER, LISTEN_V4, SERVER_SIDE_V4, CLIENT_V4, SERVER_SIDE_NOBODY, CLIENT_NOBODY]
TABLE_V6 = [HEADER6, CLIENT_V4_MAPPED, CLIENT_V6, SERVER_SIDE_V6]


@pytest.mark.parametrize(
    ("peer", "server", "owner"),
    [
        (("127.0.0.1", 43046), ("127.0.0.1", 55859), 0),
        (("127.0.0.1", 45682), ("127.0.0.1", 41409), 65534),
        (("::1", 33438), ("::1", 49393), 0),
        # The v4-mapped client, as the IPv4 server sees it.
        (("127.0.0.1", 43052), ("127.0.0.1", 55859), 0),
        # Not the server's port: no such connection.
        (("127.0.0.1", 43046), ("127.0.0.1", 55860), None),
        # TIME_WAIT's uid 0 is nobody's, not root's.
        (("127.0.0.1", 45690), ("127.0.0.1", 41409), None),
    ],
)
def test_owner_of_peer(peer: tuple[str, int], server: tuple[str, int], owner: int | None) -> None:
    lines = [*TABLE_V4, TIME_WAIT, *TABLE_V6]
    assert owner_of_peer(lines, peer, server, "little") == owner


def test_two_owners_for_one_connection_is_unknown() -> None:
    other = CLIENT_V4.replace("     0        0 11495", " 1000        0 11999")
    found = owner_of_peer([CLIENT_V4, other], ("127.0.0.1", 43046), ("127.0.0.1", 55859), "little")
    assert found is None
