"""The split SHA-256 (host hashes whole blocks, card finishes) against hashlib."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cardbridge import split_sha256
from cardbridge.layouts import iasecc


def test_initial_state_is_fips_180_4() -> None:
    assert split_sha256.INITIAL_STATE.hex() == (
        "6a09e667bb67ae853c6ef372a54ff53a510e527f9b05688c1f83d9ab5be0cd19"
    )


@pytest.mark.parametrize("length", [0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 1000, 4096])
def test_split_then_finish(length: int) -> None:
    message = bytes(i * 7 % 256 for i in range(length))
    state, bits, rest = split_sha256.split(message)
    assert bits == 8 * (length - length % 64)
    assert len(rest) == length % 64
    assert split_sha256.finish(state, bits, rest) == hashlib.sha256(message).digest()


@given(st.binary(max_size=700), st.integers(0, 10))
def test_resume_from_any_block_boundary(message: bytes, cut_blocks: int) -> None:
    cut = min(cut_blocks * 64, len(message) - len(message) % 64)
    state, bits, _ = split_sha256.split(message[:cut])
    assert split_sha256.finish(state, bits, message[cut:]) == hashlib.sha256(message).digest()


def test_finish_refuses_partial_blocks_and_bad_states() -> None:
    with pytest.raises(ValueError, match="whole number of blocks"):
        split_sha256.finish(split_sha256.INITIAL_STATE, 8, b"")
    with pytest.raises(ValueError, match="32 bytes"):
        split_sha256.finish(b"\x00" * 31, 0, b"")


def test_pso_hash_data_vectors() -> None:
    assert iasecc.partial_hash_data(b"abc") == bytes.fromhex("9000 8003 616263")
    digest = hashlib.sha256(b"abc").digest()
    assert iasecc.final_hash_data(digest) == b"\x90\x20" + digest
    long = bytes(100)
    data = iasecc.partial_hash_data(long)
    state, bits, rest = split_sha256.split(long)
    assert data == b"\x90\x28" + state + bits.to_bytes(8, "big") + b"\x80\x24" + rest
    for hash_data in (data, iasecc.final_hash_data(hashlib.sha256(long).digest())):
        assert iasecc.digest_from_hash_data(hash_data, 32) == hashlib.sha256(long).digest()
