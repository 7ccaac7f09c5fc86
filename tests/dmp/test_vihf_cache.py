"""The VIHF cache's own rules: validity minus the margin, bounded size, per-caller clearing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cardbridge.dmp.access import AccessMode
from cardbridge.dmp.vihf_cache import SignedVihf, VihfCache, VihfKey

NOW = datetime(2026, 11, 26, 10, tzinfo=UTC)
MARGIN = timedelta(minutes=2)


def key(patient: str = "P1", caller: str = "native") -> VihfKey:
    return VihfKey(patient, AccessMode.NORMAL, None, False, caller, "899700735741", 0)


def vihf(name: str, minutes: int = 30) -> SignedVihf:
    return SignedVihf(name.encode(), name, "CN=x", NOW + timedelta(minutes=minutes))


class Card:
    """Stands for a card session (the cache keeps a weak reference to it)."""


CARD = Card()


def test_reused_until_the_margin_before_its_end() -> None:
    cache = VihfCache(margin=MARGIN)
    cache.put(key(), vihf("a"), NOW, card=CARD)
    assert cache.get(key(), NOW + timedelta(minutes=27, seconds=59), card=CARD) == vihf("a")
    assert cache.get(key(), NOW + timedelta(minutes=28), card=CARD) is None
    assert len(cache) == 0  # an unusable one is dropped, not kept


def test_an_assertion_too_close_to_its_end_is_not_kept() -> None:
    cache = VihfCache(margin=MARGIN)
    cache.put(key(), vihf("short", minutes=1), NOW, card=CARD)
    assert cache.get(key(), NOW, card=CARD) is None


def test_bounded_the_closest_to_its_end_goes_first() -> None:
    cache = VihfCache(margin=MARGIN, max_entries=2)
    cache.put(key("P1"), vihf("a", 10), NOW, card=CARD)
    cache.put(key("P2"), vihf("b", 30), NOW, card=CARD)
    cache.put(key("P3"), vihf("c", 20), NOW, card=CARD)
    assert len(cache) == 2
    assert cache.get(key("P1"), NOW, card=CARD) is None
    assert [cache.get(key(p), NOW, card=CARD) for p in ("P2", "P3")] == [
        vihf("b", 30),
        vihf("c", 20),
    ]


def test_clear_caller_leaves_the_others() -> None:
    cache = VihfCache(margin=MARGIN)
    cache.put(key(caller="native"), vihf("a"), NOW, card=CARD)
    cache.put(key(caller="origin:https://app.example"), vihf("b"), NOW, card=CARD)
    cache.clear_caller("origin:https://app.example")
    assert cache.get(key(caller="origin:https://app.example"), NOW, card=CARD) is None
    assert cache.get(key(caller="native"), NOW, card=CARD) == vihf("a")
    cache.clear()
    assert len(cache) == 0


def test_only_the_card_session_that_signed_it_reuses_it() -> None:
    """A card taken out and put back (or another card) is another session: it signs anew."""
    cache = VihfCache(margin=MARGIN)
    first = Card()
    cache.put(key(), vihf("a"), NOW, card=first)
    assert cache.get(key(), NOW, card=Card()) is None
    assert len(cache) == 0
    cache.put(key(), vihf("b"), NOW, card=first)
    del first  # the session is gone: its VIHF serves no new one
    assert cache.get(key(), NOW, card=Card()) is None
