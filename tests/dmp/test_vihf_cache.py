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


def test_reused_until_the_margin_before_its_end() -> None:
    cache = VihfCache(margin=MARGIN)
    cache.put(key(), vihf("a"), NOW)
    assert cache.get(key(), NOW + timedelta(minutes=27, seconds=59)) == vihf("a")
    assert cache.get(key(), NOW + timedelta(minutes=28)) is None
    assert len(cache) == 0  # an unusable one is dropped, not kept


def test_an_assertion_too_close_to_its_end_is_not_kept() -> None:
    cache = VihfCache(margin=MARGIN)
    cache.put(key(), vihf("short", minutes=1), NOW)
    assert cache.get(key(), NOW) is None


def test_bounded_the_closest_to_its_end_goes_first() -> None:
    cache = VihfCache(margin=MARGIN, max_entries=2)
    cache.put(key("P1"), vihf("a", 10), NOW)
    cache.put(key("P2"), vihf("b", 30), NOW)
    cache.put(key("P3"), vihf("c", 20), NOW)
    assert len(cache) == 2
    assert cache.get(key("P1"), NOW) is None
    assert [cache.get(key(p), NOW) for p in ("P2", "P3")] == [vihf("b", 30), vihf("c", 20)]


def test_clear_caller_leaves_the_others() -> None:
    cache = VihfCache(margin=MARGIN)
    cache.put(key(caller="native"), vihf("a"), NOW)
    cache.put(key(caller="origin:https://app.example"), vihf("b"), NOW)
    cache.clear_caller("origin:https://app.example")
    assert cache.get(key(caller="origin:https://app.example"), NOW) is None
    assert cache.get(key(caller="native"), NOW) == vihf("a")
    cache.clear()
    assert len(cache) == 0
