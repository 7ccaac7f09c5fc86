"""The DMP client's fixtures: the offline DMP and transports to it as the seed's people.

``transport_for(identity)`` gives the transport the client's tests go through; the
sandbox's fixtures come from tests/support/dmp_fixtures.py.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from cardbridge.dmp.transport import Transport
from tests.support.dmp_fixtures import (
    demo_doctor,
    dmp,
    hospital,
    nurse,
    organisations,
    other_doctor,
)
from tests.support.dmp_sandbox import Identity, RunningSandbox
from tests.support.dmp_transport import SandboxTransport

__all__ = ["demo_doctor", "dmp", "hospital", "nurse", "organisations", "other_doctor"]


@pytest.fixture
def transport_for(dmp: RunningSandbox) -> Callable[[Identity], Transport]:
    """A transport to the fresh sandbox ``dmp`` presenting ``identity``'s TLS certificate."""

    def make(identity: Identity) -> Transport:
        return SandboxTransport(dmp, identity)

    return make
