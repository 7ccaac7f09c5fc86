"""Nonces: single use, lifetime, origin binding; memory and Redis stores behave alike."""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import redis

from cardbridge.auth.nonces import (
    MAX_MEMORY_NONCES,
    MAX_NONCES_PER_ORIGIN,
    Challenges,
    MemoryNonceStore,
    NonceStore,
    RedisNonceStore,
    check_nonce,
)
from cardbridge.errors import NonceInvalidError, OriginMismatchError
from tests.support.redis_server import redis_server


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def redis_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[redis.Redis]:
    with redis_server(tmp_path_factory.mktemp("redis")) as port:
        client = redis.Redis(host="127.0.0.1", port=port)
        yield client
        client.close()


@pytest.fixture(params=["memory", "redis"])
def store(request: pytest.FixtureRequest) -> NonceStore:
    if request.param == "memory":
        return MemoryNonceStore()
    return RedisNonceStore(request.getfixturevalue("redis_client"), prefix=f"t{id(request)}:")


def test_nonce_shape(store: NonceStore) -> None:
    challenge = Challenges(store).issue("https://dmp.example")
    assert len(base64.b64decode(challenge.nonce)) == 32


def test_single_use(store: NonceStore) -> None:
    challenges = Challenges(store)
    nonce = challenges.issue("https://DMP.example:443").nonce
    challenges.consume(nonce, "https://dmp.example")
    with pytest.raises(NonceInvalidError):
        challenges.consume(nonce, "https://dmp.example")


def test_unknown_nonce(store: NonceStore) -> None:
    with pytest.raises(NonceInvalidError):
        Challenges(store).consume("bm9wZQ==", "https://dmp.example")


def test_bound_to_its_origin_and_burnt_by_a_wrong_one(store: NonceStore) -> None:
    challenges = Challenges(store)
    nonce = challenges.issue("https://dmp.example").nonce
    with pytest.raises(OriginMismatchError) as caught:
        challenges.consume(nonce, "https://dmp.example.evil")
    assert str(caught.value) == "The challenge was issued for another web site."
    with pytest.raises(NonceInvalidError):
        challenges.consume(nonce, "https://dmp.example")


def test_memory_expiry() -> None:
    clock = FakeClock()
    challenges = Challenges(MemoryNonceStore(clock=clock))
    nonce = challenges.issue("https://dmp.example").nonce
    clock.now += timedelta(minutes=5).total_seconds()
    with pytest.raises(NonceInvalidError):
        challenges.consume(nonce, "https://dmp.example")


def test_redis_expiry(redis_client: redis.Redis) -> None:
    store = RedisNonceStore(redis_client, prefix="expiry:")
    store.put("n1", "https://dmp.example", ttl=0.05)
    assert redis_client.pttl("expiry:n1") > 0
    threading.Event().wait(0.2)
    assert store.take("n1") is None


def test_memory_store_is_bounded() -> None:
    store = MemoryNonceStore(capacity=3)
    for n in range(10):
        store.put(f"n{n}", "https://dmp.example", ttl=60)
    assert [store.take(f"n{n}") is not None for n in range(10)] == [False] * 7 + [True] * 3


def test_a_flood_from_one_origin_evicts_only_its_own() -> None:
    """The attack of issue 13: more challenges from one origin than the store holds."""
    challenges = Challenges(MemoryNonceStore())
    pending = challenges.issue("https://dmp.example").nonce
    flood = [challenges.issue("https://evil.example").nonce for _ in range(MAX_MEMORY_NONCES + 1)]
    challenges.consume(pending, "https://dmp.example")
    # The flooder keeps only its latest challenges, up to its share.
    kept = [nonce for nonce in flood if _taken(challenges, nonce, "https://evil.example")]
    assert kept == flood[-MAX_NONCES_PER_ORIGIN:]


def _taken(challenges: Challenges, nonce: str, origin: str) -> bool:
    try:
        challenges.consume(nonce, origin)
    except NonceInvalidError:
        return False
    return True


def test_a_flood_from_several_origins_evicts_the_biggest() -> None:
    store = MemoryNonceStore(capacity=10, per_origin=4)
    store.put("mine-1", "https://dmp.example", ttl=60)
    store.put("mine-2", "https://dmp.example", ttl=60)
    for n in range(100):
        for flooder in ("a", "b", "c"):
            store.put(f"{flooder}{n}", f"https://{flooder}.example", ttl=60)
    assert [store.take("mine-1"), store.take("mine-2")] == ["https://dmp.example"] * 2
    # 8 places for three flooders: each keeps its latest challenges, none more than 4.
    kept = [f"{f}{n}" for f in "abc" for n in range(100) if store.take(f"{f}{n}") is not None]
    assert len(kept) == 8
    assert all(int(nonce[1:]) >= 96 for nonce in kept)


def test_expired_nonces_make_room_first() -> None:
    clock = FakeClock()
    store = MemoryNonceStore(capacity=2, clock=clock)
    store.put("old", "https://a.example", ttl=10)
    store.put("mine", "https://dmp.example", ttl=60)
    clock.now += 11
    store.put("new", "https://a.example", ttl=60)  # the expired one goes, not "mine"
    assert (store.take("mine"), store.take("new")) == ("https://dmp.example", "https://a.example")


def test_concurrent_take_gives_one_winner(store: NonceStore) -> None:
    store.put("race", "https://dmp.example", ttl=60)
    results: list[str | None] = []
    barrier = threading.Barrier(8)

    def take() -> None:
        barrier.wait()
        results.append(store.take("race"))

    threads = [threading.Thread(target=take) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count("https://dmp.example") == 1
    assert results.count(None) == 7


def test_redis_server_is_really_used(redis_client: redis.Redis) -> None:
    RedisNonceStore(redis_client, prefix="seen:").put("abc", "https://dmp.example", ttl=60)
    assert redis_client.get("seen:abc") == b"https://dmp.example"


# Web eID asks for a nonce of at least 32 random bytes, as base64 text (docs/testing.md).
@pytest.mark.parametrize(
    ("size", "refused"),
    [(0, True), (16, True), (31, True), (32, False), (33, False), (96, False)],
)
def test_check_nonce_wants_32_bytes_or_more(size: int, refused: bool) -> None:
    nonce = base64.b64encode(bytes(range(size))).decode()
    if not refused:
        check_nonce(nonce)
        return
    with pytest.raises(NonceInvalidError) as caught:
        check_nonce(nonce)
    assert str(caught.value) == (
        f"The nonce must carry at least 32 random bytes (it has {size}): generate it on the "
        "relying party's server."
    )


def test_check_nonce_refuses_more_than_128_characters_and_other_text() -> None:
    check_nonce("A" * 128)  # 96 bytes, the longest accepted
    with pytest.raises(NonceInvalidError) as caught:
        check_nonce("A" * 132)
    assert str(caught.value) == "The nonce is longer than 128 characters."
    for text in ("*" * 44, "A" * 43, "A" * 42 + "=\n"):
        with pytest.raises(NonceInvalidError) as caught:
            check_nonce(text)
        assert str(caught.value) == "The nonce must be base64 text (A-Z, a-z, 0-9, +, /, =)."


def test_a_challenge_says_when_it_expires(store: NonceStore) -> None:
    before = datetime.now(UTC)
    challenge = Challenges(store, lifetime=timedelta(minutes=3)).issue("https://dmp.example")
    after = datetime.now(UTC)
    assert before + timedelta(minutes=3) <= challenge.expires_at <= after + timedelta(minutes=3)


def test_one_pending_nonce_per_origin_keeps_the_newest() -> None:
    store = MemoryNonceStore(per_origin=1)
    store.put("first", "https://dmp.example", 60)
    store.put("second", "https://dmp.example", 60)
    assert store.take("first") is None
    assert store.take("second") == "https://dmp.example"


def test_redis_keys_and_lifetime(redis_client: redis.Redis) -> None:
    """Every verifier instance sharing the Redis must find the others' nonces: the default
    key prefix is part of the contract, and so is the lifetime given in milliseconds."""
    store = RedisNonceStore(redis_client)
    store.put("k1", "https://dmp.example", ttl=60)
    assert redis_client.get("cardbridge:nonce:k1") == b"https://dmp.example"
    assert 59_000 <= redis_client.pttl("cardbridge:nonce:k1") <= 60_000
    store.put("k1", "https://dmp.example.evil", ttl=60)  # never overwrites a pending nonce
    assert store.take("k1") == "https://dmp.example"


def test_redis_clients_that_decode_answers_work_too(redis_client: redis.Redis) -> None:
    port = redis_client.connection_pool.connection_kwargs["port"]
    with redis.Redis(host="127.0.0.1", port=port, decode_responses=True) as text_client:
        store = RedisNonceStore(text_client, prefix="text:")
        store.put("k2", "https://dmp.example", ttl=60)
        assert store.take("k2") == "https://dmp.example"
        assert store.take("k2") is None
