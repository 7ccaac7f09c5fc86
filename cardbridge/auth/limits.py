"""Limits of token verification, importable without the verifier (the CLI's parser
shows them as defaults)."""

from __future__ import annotations

from datetime import timedelta

# Clock difference allowed between this machine and the card's world.
DEFAULT_CLOCK_SKEW = timedelta(minutes=2)
# A token larger than this is refused before it is parsed.
MAX_TOKEN_BYTES = 16 * 1024
