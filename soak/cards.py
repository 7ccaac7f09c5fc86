"""The cards moving, and the event stream that must tell every move.

:class:`CardMover` takes a card out of one of the emulated readers every few seconds
and puts it back a moment later, as a clinician does; :class:`EventFollower` reads
``GET /v1/events`` like a status page and keeps, per reader, the card events in the
order they came. At the end both lists must be the same, reader by reader.
"""

from __future__ import annotations

import random
import threading
from collections import Counter, defaultdict
from collections.abc import Sequence

from cardbridge.client import CardBridgeClient
from cardbridge.emulator.card import VirtualCard
from cardbridge.emulator.inprocess import EmulatedBackend

CARD_EVENTS = ("card_inserted", "card_removed")


class CardMover:
    """Removes and reinserts the cards of ``readers`` until stopped (bounded by the soak)."""

    def __init__(
        self,
        backend: EmulatedBackend,
        readers: Sequence[str],
        rng: random.Random,
        *,
        period: tuple[float, float] = (1.5, 4.0),
        out_for: tuple[float, float] = (0.3, 1.5),
    ) -> None:
        self._backend = backend
        self._rng = rng
        self._period = period
        self._out_for = out_for
        self._cards: dict[str, VirtualCard] = {}
        for reader in readers:
            card = backend.card(reader)
            if card is None:
                raise ValueError(f"no card in {reader}")
            self._cards[reader] = card
        self.moves: dict[str, list[str]] = {reader: [] for reader in readers}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="soak-card-mover", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop moving; every card is back in its reader when this returns."""
        self._stop.set()
        self._thread.join()

    def counts(self) -> Counter[str]:
        with self._lock:
            return Counter(move for moves in self.moves.values() for move in moves)

    def _record(self, reader: str, move: str) -> None:
        with self._lock:
            self.moves[reader].append(move)

    def _run(self) -> None:
        readers = sorted(self._cards)
        while not self._stop.wait(self._rng.uniform(*self._period)):
            reader = self._rng.choice(readers)
            self._backend.remove(reader)
            self._record(reader, "card_removed")
            self._stop.wait(self._rng.uniform(*self._out_for))
            self._backend.insert(reader, self._cards[reader])  # the same card, back
            self._record(reader, "card_inserted")


class EventFollower:
    """Follows ``GET /v1/events`` until the server ends the stream."""

    def __init__(self, url: str, token: str) -> None:
        self._client = CardBridgeClient(url, token=token)
        self.sequences: dict[str, list[str]] = defaultdict(list)
        self.others: Counter[str] = Counter()
        self.error: str | None = None
        self.following = threading.Event()  # set once the stream's `state` came
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="soak-events", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        try:
            for event in self._client.events(heartbeats=True):
                if event.name == "state":
                    self.following.set()
                reader = getattr(event.data, "reader", None)
                with self._lock:
                    if event.name in CARD_EVENTS and reader is not None:
                        self.sequences[reader].append(event.name)
                    else:
                        self.others[event.name] += 1
        except Exception as error:  # reported as a failed check, not a crash of the soak
            self.error = repr(error)
        finally:
            self._client.close()

    def counts(self) -> Counter[str]:
        with self._lock:
            return Counter(name for names in self.sequences.values() for name in names)

    def mismatches(self, moves: dict[str, list[str]]) -> int:
        """Events missing, extra or out of order, compared with ``moves``, per reader."""
        with self._lock:
            seen = {reader: list(names) for reader, names in self.sequences.items()}
        wrong = 0
        for reader in set(moves) | set(seen):
            done, told = moves.get(reader, []), seen.get(reader, [])
            wrong += sum(a != b for a, b in zip(done, told, strict=False))
            wrong += abs(len(done) - len(told))
        return wrong

    def join(self, timeout: float) -> None:
        self._thread.join(timeout)
