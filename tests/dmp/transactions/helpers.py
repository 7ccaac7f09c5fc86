"""What the transaction tests share: the sender, and VIHFs as the transport takes them."""

from __future__ import annotations

from lxml import etree

from cardbridge.dmp.transactions.hl7v3 import Hl7Sender
from testkit.dmp_sandbox import Identity

SENDER = Hl7Sender("2.999.250.1", "cardbridge tests")
TEST_INS_OID = "1.2.250.1.213.1.4.10"  # the seed's INS are test INS
CENTRE_15 = {"purpose": "centre_15", "reason": "Appel au centre 15"}


def vihf(identity: Identity, **changes: object) -> bytes:
    """``identity``'s signed VIHF with ``changes`` (patient=…, purpose=…), serialized."""
    return etree.tostring(identity.signed(identity.vihf.but(**changes)))
