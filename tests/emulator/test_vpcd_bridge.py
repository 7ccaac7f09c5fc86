"""The vpcd bridge against a stand-in for vpcd's side of the socket (no pcscd needed)."""

from __future__ import annotations

import socket
import struct
from collections.abc import Iterator

import pytest

from cardbridge.emulator import vpcd
from cardbridge.emulator.vpcd import VpcdBridge
from cardbridge.errors import InvalidInputError, PcscUnavailableError
from testkit.cards import CPS3_ATR, ScriptedCard


class FakeVpcd:
    """vpcd's end: listens on a loopback port, sends frames, reads the answers."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(5.0)
        self.port: int = self.server.getsockname()[1]
        self.conn: socket.socket | None = None

    def accept(self) -> socket.socket:
        conn, _ = self.server.accept()
        conn.settimeout(5.0)
        self.conn = conn
        return conn

    def send(self, payload: bytes, *, bytewise: bool = False) -> None:
        assert self.conn is not None
        frame = struct.pack(">H", len(payload)) + payload
        if bytewise:
            for byte in frame:
                self.conn.sendall(bytes([byte]))
        else:
            # vpcd writes the length and the payload separately.
            self.conn.sendall(frame[:2])
            self.conn.sendall(frame[2:])

    def receive(self) -> bytes:
        (length,) = struct.unpack(">H", self._exactly(2))
        return self._exactly(length)

    def exchange(self, payload: bytes, **kw: bool) -> bytes:
        self.send(payload, **kw)
        return self.receive()

    def _exactly(self, size: int) -> bytes:
        assert self.conn is not None
        data = b""
        while len(data) < size:
            chunk = self.conn.recv(size - len(data))
            assert chunk, "bridge closed the connection"
            data += chunk
        return data

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
        self.server.close()


@pytest.fixture
def server() -> Iterator[FakeVpcd]:
    server = FakeVpcd()
    yield server
    server.close()


@pytest.fixture
def card() -> ScriptedCard:
    return ScriptedCard()


@pytest.fixture
def bridge(server: FakeVpcd, card: ScriptedCard) -> Iterator[VpcdBridge]:
    bridge = VpcdBridge(card, port=server.port)
    bridge.start()
    server.accept()
    assert bridge.wait_connected(5.0)
    yield bridge
    bridge.stop()


def test_controls_reach_the_card(server: FakeVpcd, bridge: VpcdBridge, card: ScriptedCard) -> None:
    server.send(b"\x01")
    assert server.exchange(b"\x04") == CPS3_ATR
    server.send(b"\x02")
    server.send(b"\x00")
    assert server.exchange(b"\x04") == CPS3_ATR  # a reply proves the controls were handled
    assert card.power_events() == ["power_on", "reset", "power_off"]


def test_apdus_are_answered_in_one_frame(server: FakeVpcd, bridge: VpcdBridge) -> None:
    assert server.exchange(bytes.fromhex("00B0000004")) == bytes.fromhex("00010203 9000")
    long_answer = server.exchange(bytes.fromhex("00B0000000"))
    assert len(long_answer) == 258
    assert long_answer[-2:] == b"\x90\x00"


def test_frames_split_into_single_bytes(server: FakeVpcd, bridge: VpcdBridge) -> None:
    assert server.exchange(bytes.fromhex("00B0000002"), bytewise=True) == bytes.fromhex("0001 9000")


def test_volatile_state_is_lost_on_reset(server: FakeVpcd, bridge: VpcdBridge) -> None:
    assert server.exchange(bytes.fromhex("002000010431323334")) == b"\x90\x00"
    assert server.exchange(bytes.fromhex("00200001")) == b"\x90\x00"
    server.send(b"\x02")
    assert server.exchange(bytes.fromhex("00200001")) == b"\x63\xc3"


def test_a_failing_card_answers_6f00(server: FakeVpcd, card: ScriptedCard) -> None:
    class Broken(ScriptedCard):
        def process(self, apdu: bytes) -> bytes:
            raise RuntimeError("bug")

    with VpcdBridge(Broken(), port=server.port) as bridge:
        server.accept()
        assert server.exchange(b"\x00\xa4\x00\x00") == b"\x6f\x00"
        assert bridge.connected


def test_stop_removes_the_card(server: FakeVpcd, bridge: VpcdBridge, card: ScriptedCard) -> None:
    bridge.stop()
    assert not bridge.connected
    assert server.conn is not None
    assert server.conn.recv(1) == b""  # vpcd sees the connection closed: card removed
    assert card.power_events()[-1] == "power_off"


def test_reconnects_after_vpcd_goes_away(server: FakeVpcd, bridge: VpcdBridge) -> None:
    assert server.conn is not None
    server.conn.close()
    server.accept()  # the bridge came back by itself
    assert server.exchange(b"\x04") == CPS3_ATR
    assert bridge.wait_connected(5.0)


def test_without_reconnect_the_bridge_ends(server: FakeVpcd, card: ScriptedCard) -> None:
    bridge = VpcdBridge(card, port=server.port, reconnect=False)
    bridge.start()
    conn = server.accept()
    conn.close()
    bridge.stop()
    assert not bridge.connected


def test_context_manager_fails_clearly_when_nothing_listens(
    monkeypatch: pytest.MonkeyPatch, card: ScriptedCard
) -> None:
    monkeypatch.setattr(vpcd, "ENTER_TIMEOUT", 0.3)
    with socket.create_server(("127.0.0.1", 0)) as probe:
        free_port = probe.getsockname()[1]
    with pytest.raises(PcscUnavailableError, match=f"127.0.0.1:{free_port}"):
        VpcdBridge(card, port=free_port).__enter__()


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "localhost"])
def test_loopback_hosts_are_accepted(host: str, card: ScriptedCard) -> None:
    VpcdBridge(card, host=host)


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "example.org"])
def test_other_hosts_are_refused(host: str, card: ScriptedCard) -> None:
    with pytest.raises(InvalidInputError, match="host"):
        VpcdBridge(card, host=host)


class RecordingSocket(socket.socket):
    """A real socket that notes the options set on it and when it receives."""

    calls: list[str]

    def setsockopt(self, level: int, option: int, value: object, *args: object) -> None:  # type: ignore[override]
        if level == socket.IPPROTO_TCP:
            self.calls.append(
                {socket.TCP_NODELAY: "nodelay", socket.TCP_QUICKACK: "quickack"}[option]
            )
        super().setsockopt(level, option, value, *args)  # type: ignore[call-overload]

    def recv_into(self, *args: object, **kwargs: object) -> int:  # type: ignore[override]
        self.calls.append("recv")
        return super().recv_into(*args, **kwargs)  # type: ignore[arg-type]


def test_no_nagle_and_quick_acks_on_the_card_socket(
    server: FakeVpcd, card: ScriptedCard, monkeypatch: pytest.MonkeyPatch
) -> None:
    """vpcd writes a frame in two pieces: without these options each APDU waits ~40 ms."""
    sockets: list[RecordingSocket] = []
    real_connect = socket.create_connection

    def recording_connection(*args: object, **kwargs: object) -> socket.socket:
        plain = real_connect(*args, **kwargs)  # type: ignore[arg-type]
        recording = RecordingSocket(fileno=plain.detach())
        recording.calls = []
        sockets.append(recording)
        return recording

    monkeypatch.setattr(vpcd.socket, "create_connection", recording_connection)
    with VpcdBridge(card, port=server.port) as bridge:
        server.accept()
        assert bridge.wait_connected(5.0)
        for _ in range(3):
            assert server.exchange(bytes.fromhex("00B0000004"))[-2:] == b"\x90\x00"
    calls = sockets[0].calls
    assert calls[0] == "nodelay"
    assert calls.count("nodelay") == 1
    receives = [i for i, call in enumerate(calls) if call == "recv"]
    assert len(receives) >= 6  # a header and a payload per APDU
    assert all(calls[i - 1] == "quickack" for i in receives)
