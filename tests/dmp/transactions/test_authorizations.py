"""TD0.3 and TD1.6: the ANS samples, then the offline DMP (other_doctor before and after
his authorization, a nurse, refusals with the DMP's code and text)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from cardbridge.dmp.patients import InsReference
from cardbridge.dmp.results import Authorization, AuthorizationMode, PractitionerAuthorization
from cardbridge.dmp.transactions.authorizations import (
    AuthorizationAction,
    AuthorizationListMode,
    list_authorizations,
    read_authorizations,
    read_set_authorization,
    set_authorization,
    set_authorization_request,
)
from cardbridge.dmp.transactions.status import existence_test
from cardbridge.dmp.transport import Service, SoapAnswer, SoapCall, Transport
from cardbridge.errors import DmpAnswerError, DmpRefusedError, InvalidInputError
from testkit.dmp_sandbox import Identity
from tests.dmp.transactions.helpers import SENDER, TEST_INS_OID, vihf
from tests.dmp.transactions.samples import (
    TD03_ANSWER,
    TD03_REQUEST,
    TD16_ANSWER,
    TD16_REQUEST,
    parse,
    shape,
    variant,
)
from tests.support.dmp_fixtures import PIERRE, SOPHIE

ALREADY = "Autorisation déjà présente aucune action effectuée"  # the ANS sample's context
DEMO_DOCTOR = "899700735741"  # demo-cps, the seed's treating physician of Pierre
OTHER_DOCTOR = "810002813839"  # cps4-doctor
NURSE = "0751234567"  # cps-adeli-nurse
NATIONAL_ID_OID = "1.2.250.1.71.4.2.1"  # idNat_PS (the TD1.6 sample's nationalIdType)

# --- the ANS samples --------------------------------------------------------------------


def test_the_requests_have_the_samples_shape() -> None:
    assert shape(set_authorization_request(AuthorizationAction.ADD)) == shape(parse(TD03_REQUEST))
    with_role = set_authorization_request(AuthorizationAction.ADD, treating_physician=True)
    assert shape(with_role)[-1] == ("{urn:si-dmp-habilitations}role", "MEDECIN_TRAITANT")


class _Recording:
    """A transport answering one sample, keeping the call (for the body sent)."""

    def __init__(self, answer: bytes) -> None:
        self.answer = answer
        self.calls: list[SoapCall] = []

    def call(self, call: SoapCall, vihf: bytes) -> SoapAnswer:
        self.calls.append(call)
        return SoapAnswer(call.action + "Response", parse(self.answer))


def test_td16_sends_the_samples_body_to_habilitations() -> None:
    recording = _Recording(TD16_ANSWER)
    list_authorizations(recording, b"<vihf/>", AuthorizationListMode.ALL)
    (call,) = recording.calls
    assert (call.service, call.transaction) == (Service.HABILITATIONS, "TD1.6")
    assert (
        call.action == "urn:si-dmp-habilitations:HabilitationsEndPoint:listAuthorizationByPatient"
    )
    assert shape(call.payload) == shape(parse(TD16_REQUEST))


def test_the_td03_sample_answer_gives_its_context() -> None:
    assert read_set_authorization(parse(TD03_ANSWER)) == ALREADY


def test_a_td03_status_other_than_dmpok_is_refused_with_its_text() -> None:
    # No other status is in our sources: this one stands for any.
    answer = variant(TD03_ANSWER, b"DMPOk", b"DMPKo")
    with pytest.raises(DmpRefusedError) as refused:
        read_set_authorization(parse(answer))
    assert (refused.value.dmp_code, refused.value.dmp_text) == ("DMPKo", ALREADY)
    assert refused.value.transaction == "TD0.3"


def test_the_td16_sample_answer() -> None:
    assert read_authorizations(parse(TD16_ANSWER)) == [
        PractitionerAuthorization(
            national_id="899900063480",
            national_id_type=NATIONAL_ID_OID,
            last_name="LIBRE",
            first_name="MAX",
            specialties=["Médecin - Qualifié en Médecine générale (SM)"],
            specialty_codes=["G15_10/SM26"],
            since=datetime(2021, 6, 1, 13, 58, 4, tzinfo=UTC),
            last_action=datetime(2021, 6, 1, 14, 6, 6, tzinfo=UTC),
            mode=AuthorizationMode.ACTIVE,
            treating_physician=False,
        )
    ]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (b"<ns1:mode>ACTIVE</ns1:mode>", b"<ns1:mode>PEUT_ETRE</ns1:mode>"),
        (b"<ns1:nationalId>899900063480</ns1:nationalId>", b""),
        (b"20210601135804", b"2021-06-01"),
        (b'xmlns:ns1="urn:si-dmp-habilitations"', b'xmlns:ns1="urn:si-dmp-patients"'),
        (b"<ns1:output>", b"<output>"),
    ],
    ids=["unknown mode", "no national id", "bad date", "another service", "unqualified output"],
)
def test_malformed_td16_answers(old: bytes, new: bytes) -> None:
    answer = variant(TD16_ANSWER, old, new)
    if new == b"<output>":
        answer = answer.replace(b"</ns1:output>", b"</output>")
    with pytest.raises(DmpAnswerError):
        read_authorizations(parse(answer))


def test_the_role_goes_with_ajout_only() -> None:
    with pytest.raises(InvalidInputError):
        set_authorization(
            _Recording(TD03_ANSWER),
            b"<vihf/>",
            AuthorizationAction.REMOVE,
            treating_physician=True,
        )


# --- the offline DMP --------------------------------------------------------------------


def _authorization(
    transport_for: Callable[[Identity], Transport], who: Identity
) -> tuple[Authorization | None, bool]:
    status = existence_test(
        transport_for(who),
        vihf(who, patient=PIERRE),
        InsReference(value=PIERRE, oid=TEST_INS_OID),
        SENDER,
    )
    return status.authorization, status.treating_physician


def _listed(
    transport_for: Callable[[Identity], Transport], who: Identity
) -> dict[str, PractitionerAuthorization]:
    found = list_authorizations(
        transport_for(who), vihf(who, patient=PIERRE), AuthorizationListMode.ACTIVE
    )
    return {item.national_id: item for item in found}


def test_another_doctor_adds_lists_and_removes_his_authorization(
    transport_for: Callable[[Identity], Transport], other_doctor: Identity
) -> None:
    transport, own = transport_for(other_doctor), vihf(other_doctor, patient=PIERRE)
    assert _authorization(transport_for, other_doctor) == (Authorization.NONE, False)
    with pytest.raises(DmpRefusedError) as refused:  # TD1.6 needs an authorization
        list_authorizations(transport, own, AuthorizationListMode.ACTIVE)
    assert refused.value.dmp_code == "DMPAccessDeniedByRightsService"

    context = set_authorization(transport, own, AuthorizationAction.ADD)
    assert context  # the DMP's own words, shown to the clinician
    assert _authorization(transport_for, other_doctor) == (Authorization.VALID, False)
    listed = _listed(transport_for, other_doctor)
    assert set(listed) == {DEMO_DOCTOR, OTHER_DOCTOR}
    him = listed[OTHER_DOCTOR]
    # cps4-doctor's holder and speciality (the emulator profile the seed's directory reads).
    assert (him.last_name, him.first_name) == ("D'ARTAGNAN-CASTELMORE", "JEAN-BAPTISTE")
    assert (him.national_id_type, him.specialty_codes) == (NATIONAL_ID_OID, ["G15_10/SM26"])
    assert (him.mode, him.treating_physician) == (AuthorizationMode.ACTIVE, False)
    assert listed[DEMO_DOCTOR].treating_physician

    # Asked again, nothing changes and the DMP says so (the ANS sample's text).
    assert set_authorization(transport, own, AuthorizationAction.ADD) == ALREADY

    set_authorization(transport, own, AuthorizationAction.REMOVE)
    assert _authorization(transport_for, other_doctor) == (Authorization.NONE, False)


def test_a_doctor_becomes_treating_physician(
    transport_for: Callable[[Identity], Transport], other_doctor: Identity
) -> None:
    set_authorization(
        transport_for(other_doctor),
        vihf(other_doctor, patient=PIERRE),
        AuthorizationAction.ADD,
        treating_physician=True,
    )
    assert _authorization(transport_for, other_doctor) == (Authorization.VALID, True)
    assert _listed(transport_for, other_doctor)[OTHER_DOCTOR].treating_physician


def test_the_treating_physician_stops_and_keeps_access(
    transport_for: Callable[[Identity], Transport], demo_doctor: Identity
) -> None:
    set_authorization(
        transport_for(demo_doctor), vihf(demo_doctor, patient=PIERRE), AuthorizationAction.ADD
    )
    assert _authorization(transport_for, demo_doctor) == (Authorization.VALID, False)


def test_a_nurse_may_be_authorized_but_not_treating_physician(
    transport_for: Callable[[Identity], Transport], nurse: Identity
) -> None:
    transport, own = transport_for(nurse), vihf(nurse, patient=PIERRE)
    with pytest.raises(DmpRefusedError) as refused:
        set_authorization(transport, own, AuthorizationAction.ADD, treating_physician=True)
    assert refused.value.dmp_code == "DMPAccessDeniedByRightsService"
    assert "médecin traitant" in refused.value.dmp_text
    assert refused.value.transaction == "TD0.3"
    set_authorization(transport, own, AuthorizationAction.ADD)
    assert _authorization(transport_for, nurse) == (Authorization.VALID, False)
    # A nurse's speciality code is the profession alone (G15_60).
    assert _listed(transport_for, nurse)[NURSE].specialty_codes == ["G15_60"]


def test_a_closed_dmp_refuses_an_authorization(
    transport_for: Callable[[Identity], Transport], other_doctor: Identity
) -> None:
    with pytest.raises(DmpRefusedError) as refused:
        set_authorization(
            transport_for(other_doctor),
            vihf(other_doctor, patient=SOPHIE),
            AuthorizationAction.ADD,
        )
    assert refused.value.dmp_code == "DMPClosed"
    assert refused.value.dmp_text
