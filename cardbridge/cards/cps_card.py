"""What the bridge asks of a CPS, whatever carries the conversation.

:class:`CpsCard` is the one interface the card service, the token signer and the DMP
workflow use. Two sessions satisfy it: :class:`~cardbridge.cards.cps.CpsSession`
(cardbridge's own APDUs over PC/SC) and
:class:`~cardbridge.cards.cps_pkcs11.Pkcs11CpsSession` (a PKCS#11 middleware such as the
ANS Cryptolib CPS; docs/cps-card.md, "The PKCS#11 road").
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from cardbridge.cards.cps import CpsCertificates, CpsSession
from cardbridge.cards.models import PinStatus, Practitioner, Situation
from cardbridge.pcsc.connection import Connection


class CpsCard(Protocol):
    """A session with one CPS."""

    @property
    def reader(self) -> str:
        """The reader (for PKCS#11: the slot's description) holding the card."""
        ...

    def read_practitioner(self, *, with_situations: bool = False) -> Practitioner:
        """The holder and the card; with ``with_situations``, the practice situations."""
        ...

    def read_situations(self) -> list[Situation]:
        """The practice situations (after the PIN)."""
        ...

    def certificates(self) -> CpsCertificates:
        """Both certificates (DER)."""
        ...

    def authentication_certificate(self) -> bytes:
        """The authentication certificate (DER)."""
        ...

    def signature_certificate(self) -> bytes:
        """The signature certificate (DER)."""
        ...

    def pin_status(self) -> PinStatus:
        """Tries left, without spending one."""
        ...

    def verify_pin(self, pin: str) -> None:
        """Present ``pin`` once; raise the PIN error the answer means."""
        ...

    def deauthenticate(self) -> bool:
        """Clear the verified PIN; ``False`` when that was refused."""
        ...

    def change_pin(self, old: str, new: str) -> None:
        """Change the PIN."""
        ...

    def unblock_pin(self, puk: str, new_pin: str) -> None:
        """Unblock the PIN with the PUK, setting ``new_pin``."""
        ...

    def authenticate(self, message: bytes) -> bytes:
        """RS256 signature of ``message`` with the authentication key."""
        ...

    def authenticate_digest(self, digest: bytes) -> bytes:
        """RS256 signature, with the authentication key, of a SHA-256 digest already made
        (the mutual TLS handshake's, docs/dmp-client.md "Transport")."""
        ...

    def sign(self, message: bytes) -> bytes:
        """RSA-SHA256 signature of ``message`` with the signature key."""
        ...


@runtime_checkable
class CpsCardConnection(Protocol):
    """A connection that is itself a session with a CPS (a PKCS#11 token): the card
    service uses its :attr:`cps` instead of speaking APDUs over it."""

    @property
    def cps(self) -> CpsCard:
        """The CPS session of this connection."""
        ...


def open_cps(connection: Connection) -> CpsCard:
    """The CPS session over ``connection``: its own when it is one, else cardbridge's APDUs."""
    if isinstance(connection, CpsCardConnection):
        return connection.cps
    return CpsSession(connection)
