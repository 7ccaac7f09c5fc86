"""TD0.2's found patient: the traits the DMP states (``patientPerson`` [MSG]), which head a
deposit's CDA when the patient was chosen by a typed INS. Expected values are the ANS
sample's, written out, and the offline DMP's seed (cardbridge/sandbox/seeds/default.yaml)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from cardbridge.dmp.patients import InsReference
from cardbridge.dmp.results import DmpState
from cardbridge.dmp.transactions.status import existence_test_with_traits, read_traits
from cardbridge.dmp.transport import Transport
from cardbridge.errors import DmpAnswerError
from testkit.dmp_sandbox import Identity
from tests.dmp.transactions.helpers import SENDER, TEST_INS_OID, vihf
from tests.dmp.transactions.samples import TD02_ANSWER, parse, variant
from tests.support.dmp_fixtures import LOUISE, LUC

SAMPLE_INS = InsReference(value="207058575627097", oid=TEST_INS_OID)


def test_the_sample_answers_patient() -> None:
    traits = read_traits(parse(TD02_ANSWER), SAMPLE_INS)
    assert traits is not None
    # The ANS sample: LAURENCE patb-quatre, M, born 25 May 1907; no birth name stated.
    assert (traits.ins, traits.ins_oid) == ("207058575627097", TEST_INS_OID)
    assert (traits.first_name, traits.last_name, traits.birth_name) == (
        "LAURENCE",
        "patb-quatre",
        None,
    )
    assert (traits.sex, traits.birth_date) == ("M", date(1907, 5, 25))


def test_no_traits_without_a_birth_date() -> None:
    answer = variant(TD02_ANSWER, b'<birthTime value="19070525"/>', b"")
    assert read_traits(parse(answer), SAMPLE_INS) is None


def test_a_patient_other_than_the_ins_asked_is_unreadable() -> None:
    other = InsReference(value="153078987658513", oid=TEST_INS_OID)
    with pytest.raises(DmpAnswerError):
        read_traits(parse(TD02_ANSWER), other)


def test_louises_traits_from_the_offline_dmp(
    transport_for: Callable[[Identity], Transport], demo_doctor: Identity
) -> None:
    ins = InsReference(value=LOUISE, oid=TEST_INS_OID)
    status, traits = existence_test_with_traits(
        transport_for(demo_doctor), vihf(demo_doctor, patient=LOUISE), ins, SENDER
    )
    assert status.state is DmpState.ACTIVE
    assert traits is not None
    # The seed: LE QUINIO LOUISE, F, born 1 February 2015.
    assert (traits.last_name, traits.birth_name, traits.first_name) == (
        "LE QUINIO",
        "LE QUINIO",
        "LOUISE",
    )
    assert (traits.sex, traits.birth_date) == ("F", date(2015, 2, 1))


def test_no_dmp_no_traits(
    transport_for: Callable[[Identity], Transport], demo_doctor: Identity
) -> None:
    ins = InsReference(value=LUC, oid=TEST_INS_OID)
    status, traits = existence_test_with_traits(
        transport_for(demo_doctor), vihf(demo_doctor, patient=LUC), ins, SENDER
    )
    assert (status.state, traits) == (DmpState.ABSENT, None)
