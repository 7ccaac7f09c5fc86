"""Token creation: the CPS signs a challenge for an origin with its authentication key."""

from __future__ import annotations

from cardbridge import __version__
from cardbridge.auth.origin import normalize_origin
from cardbridge.auth.token import AuthToken, signed_message
from cardbridge.cards.cps_card import CpsCard

APP_VERSION = f"cardbridge/{__version__}"


def sign_challenge(
    session: CpsCard, origin: str, nonce: str, *, pin: str | None = None
) -> AuthToken:
    """A Web eID 1.0 token: the card's RS256 signature of ``SHA-256(origin) || SHA-256(nonce)``.

    ``origin`` is normalised first (what verifiers compare). With ``pin``, the PIN is
    verified first (once, never retried); without it the card must already have it.
    """
    message = signed_message(normalize_origin(origin), nonce)
    if pin is not None:
        session.verify_pin(pin)
    certificate = session.authentication_certificate()
    return AuthToken(certificate, "RS256", session.authenticate(message), APP_VERSION)
