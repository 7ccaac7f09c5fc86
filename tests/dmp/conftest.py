"""The DMP client's fixtures: the offline DMP and transports to it as the seed's people.

``transport_for(identity)`` gives the transport the client's tests go through; the
sandbox's fixtures come from tests/support/dmp_fixtures.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from cardbridge.dmp.endpoints import resolve_endpoint
from cardbridge.dmp.http import CardConnector, HttpsTransport
from cardbridge.dmp.server_trust import ServerVerifier
from cardbridge.dmp.transport import Transport
from testkit.dmp_card_credentials import der, software_credential
from testkit.dmp_sandbox import Identity, RunningSandbox
from tests.support.dmp_fixtures import (
    demo_doctor,
    dmp,
    hospital,
    nurse,
    organisations,
    other_doctor,
)
from tests.support.dmp_transport import SandboxTransport

__all__ = ["demo_doctor", "dmp", "hospital", "nurse", "organisations", "other_doctor"]


@pytest.fixture
def transport_for(dmp: RunningSandbox) -> Callable[[Identity], Transport]:
    """A transport to the fresh sandbox ``dmp`` presenting ``identity``'s TLS certificate."""

    def make(identity: Identity) -> Transport:
        return SandboxTransport(dmp, identity)

    return make


@pytest.fixture
def production_transport_for(dmp: RunningSandbox) -> Iterator[Callable[[Identity], Transport]]:
    """cardbridge's own transport to the fresh sandbox ``dmp``, as ``identity`` (its TLS key
    in software, signing through the same path as a card's): the transaction tests can run
    through it instead of ``transport_for``."""
    made: list[HttpsTransport] = []

    def make(identity: Identity) -> Transport:
        credential = software_credential(der(identity.tls.certificate), identity.tls.private_key)
        connector = CardConnector(credential, ServerVerifier.from_pem(dmp.trust))
        transport = HttpsTransport(resolve_endpoint(f"https://127.0.0.1:{dmp.port}"), connector)
        made.append(transport)
        return transport

    yield make
    for transport in made:
        transport.close()
