"""What direct mode's TLS needs from the card, without loading the TLS code: the
certificate chain and a way to have the card sign (docs/dmp-client.md, "Transport")."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class CardCredential:
    """A TLS client certificate whose key signs through ``sign_digest``.

    ``certificate_chain``: the authentication certificate (DER) first, then the CAs to
    send with it. ``sign_digest(sha256_digest) -> signature``: the RSA PKCS#1 v1.5
    signature of a SHA-256 digest (the card pads a DigestInfo) — in the bridge, a call
    that runs on the CPS reader's worker.
    """

    certificate_chain: Sequence[bytes]
    sign_digest: Callable[[bytes], bytes]
