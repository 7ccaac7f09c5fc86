"""The vpcd bridge: a :class:`VirtualCard` inserted into a virtual reader of the real pcscd.

vpcd (the ``vsmartcard-vpcd`` pcscd driver) listens on a TCP port per virtual reader;
the card side connects to it as a client, which inserts the card, and closing the
connection removes it. Frames go both ways as a 2-byte big-endian length then the
payload. A one-byte payload from vpcd is a control (power off, power on, reset: no
reply; get ATR: reply with the ATR); any other payload is a command APDU, answered
with one frame ``data || SW1 SW2``. An empty reply would eject the card, so none is
ever sent.

Latency: vpcd writes the length and the APDU in two writes, so with delayed ACKs on
our side every APDU would wait ~40 ms for Nagle on pcscd's side. ``TCP_QUICKACK``
is set again before every receive (the kernel leaves quick-ACK mode on its own), and
``TCP_NODELAY`` once per connection (it stays set), which brings an APDU round trip
through pcscd well under a millisecond.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import socket
import struct
import sys
import threading
from enum import IntEnum, unique

from cardbridge.emulator.card import VirtualCard
from cardbridge.errors import InvalidInputError, PcscUnavailableError

log = logging.getLogger(__name__)

VPCD_PORT = 35963
_LENGTH = struct.Struct(">H")
CONNECT_TIMEOUT = 2.0
# Reconnection back-off while pcscd is away (restart, upgrade): bounded, and short enough
# for the card to be back soon after pcscd.
BACKOFF_FIRST = 0.05
BACKOFF_MAX = 0.5
# How long ``with VpcdBridge(...)`` waits for the card to be in the reader.
ENTER_TIMEOUT = 5.0
# Any APDU answer is at least a status word; a card that cannot answer says "no precise
# diagnosis" rather than ejecting itself with an empty frame.
_SW_NO_PRECISE_DIAGNOSIS = b"\x6f\x00"

_QUICKACK: int | None = socket.TCP_QUICKACK if sys.platform == "linux" else None


@unique
class Control(IntEnum):
    """One-byte control payloads sent by vpcd."""

    POWER_OFF = 0
    POWER_ON = 1
    RESET = 2
    GET_ATR = 4


def _require_loopback(host: str) -> None:
    if host == "localhost":
        return
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise InvalidInputError(
            "the vpcd reader must be on this computer (127.0.0.1, ::1 or localhost)",
            field="host",
        )


class VpcdBridge:
    """Keeps ``card`` inserted in the vpcd reader at ``host:port`` until :meth:`stop`.

    :meth:`start` runs the bridge on a background thread, :meth:`run` in the calling
    thread (for a command line). With ``reconnect``, a lost connection (pcscd stopped
    or restarted) is retried with a bounded back-off until :meth:`stop`; without it,
    the bridge ends at the first failure or disconnection. Used as a context manager,
    the bridge starts, waits until the card is in the reader, and stops on exit.
    """

    def __init__(
        self,
        card: VirtualCard,
        host: str = "127.0.0.1",
        port: int = VPCD_PORT,
        *,
        reconnect: bool = True,
    ) -> None:
        _require_loopback(host)
        self.card = card
        self.host = host
        self.port = port
        self.reconnect = reconnect
        self._stopping = threading.Event()
        self._connected = threading.Event()
        self._lock = threading.Lock()
        self._socket: socket.socket | None = None
        self._thread: threading.Thread | None = None

    @property
    def connected(self) -> bool:
        """Whether the card is in the reader (the connection to vpcd is open)."""
        return self._connected.is_set()

    def start(self) -> None:
        """Run the bridge on a background thread (idempotent)."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self.run, name=f"vpcd-{self.port}", daemon=True)
        self._thread.start()

    def wait_connected(self, timeout: float) -> bool:
        """Wait until the card is in the reader; ``False`` after ``timeout`` seconds."""
        return self._connected.wait(timeout)

    def stop(self, timeout: float = 5.0) -> None:
        """Close the connection, which removes the card, and end the bridge."""
        self._stopping.set()
        with self._lock:
            if self._socket is not None:
                # Wakes the thread blocked in recv; the thread closes the socket.
                with contextlib.suppress(OSError):
                    self._socket.shutdown(socket.SHUT_RDWR)
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
            if thread.is_alive():
                log.warning("the vpcd bridge on port %d did not stop", self.port)

    def run(self) -> None:
        """Keep the card inserted until :meth:`stop` (blocking)."""
        delay = BACKOFF_FIRST
        while not self._stopping.is_set():
            sock = self._connect()
            if sock is not None:
                delay = BACKOFF_FIRST
                self._serve(sock)
            if not self.reconnect:
                return
            self._stopping.wait(delay)
            delay = min(delay * 2, BACKOFF_MAX)

    def __enter__(self) -> VpcdBridge:
        self.start()
        if not self.wait_connected(ENTER_TIMEOUT):
            self.stop()
            raise PcscUnavailableError(
                f"The emulated card could not be inserted: nothing answers on "
                f"{self.host}:{self.port}. Check that pcscd runs with the vpcd driver."
            )
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _connect(self) -> socket.socket | None:
        try:
            sock = socket.create_connection((self.host, self.port), timeout=CONNECT_TIMEOUT)
        except OSError as error:
            log.debug("vpcd at %s:%d not reachable: %s", self.host, self.port, error)
            return None
        sock.settimeout(None)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self._lock:
            if self._stopping.is_set():
                sock.close()
                return None
            self._socket = sock
        return sock

    def _serve(self, sock: socket.socket) -> None:
        self._connected.set()
        log.info("card inserted in the vpcd reader at %s:%d", self.host, self.port)
        try:
            while (payload := self._receive(sock)) is not None:
                reply = self._handle(payload)
                if reply is not None:
                    sock.sendall(_LENGTH.pack(len(reply)) + reply)
        except OSError as error:
            log.debug("vpcd connection on port %d lost: %s", self.port, error)
        finally:
            self._connected.clear()
            with self._lock:
                self._socket = None
            sock.close()
            # Out of the reader, a card has no power: its volatile state is gone.
            self.card.power_off()
            log.info("card removed from the vpcd reader at %s:%d", self.host, self.port)

    def _receive(self, sock: socket.socket) -> bytes | None:
        """One frame's payload, or ``None`` when vpcd closed the connection."""
        header = _read_exactly(sock, _LENGTH.size)
        if header is None:
            return None
        (length,) = _LENGTH.unpack(header)
        return _read_exactly(sock, length)

    def _handle(self, payload: bytes) -> bytes | None:
        if len(payload) != 1:
            try:
                reply = self.card.process(payload)
            except Exception:
                log.exception("the emulated card failed on a command")
                return _SW_NO_PRECISE_DIAGNOSIS
            return reply if len(reply) >= 2 else _SW_NO_PRECISE_DIAGNOSIS
        control = payload[0]
        if control == Control.GET_ATR:
            return self.card.atr
        if control == Control.POWER_OFF:
            self.card.power_off()
        elif control == Control.POWER_ON:
            self.card.power_on()
        elif control == Control.RESET:
            self.card.reset()
        else:
            log.warning("unknown vpcd control byte %d ignored", control)
        return None


def _read_exactly(sock: socket.socket, size: int) -> bytes | None:
    """``size`` bytes from ``sock``, or ``None`` if it closes first."""
    buffer = bytearray(size)
    view = memoryview(buffer)
    received = 0
    while received < size:  # each pass receives at least one byte or returns
        if _QUICKACK is not None:
            sock.setsockopt(socket.IPPROTO_TCP, _QUICKACK, 1)
        count = sock.recv_into(view[received:])
        if count == 0:
            return None
        received += count
    return bytes(buffer)
