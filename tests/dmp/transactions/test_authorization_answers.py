"""TD0.3 and TD1.6 in process: the calls sent, and each field of the ANS sample answers
when it is missing, repeated or unreadable (the samples and their variants, as bytes)."""

from __future__ import annotations

import pytest

from cardbridge.dmp.results import AuthorizationMode
from cardbridge.dmp.transactions.authorizations import (
    AuthorizationAction,
    AuthorizationListMode,
    list_authorizations,
    read_authorizations,
    read_set_authorization,
    set_authorization,
)
from cardbridge.dmp.transport import Service
from cardbridge.errors import DmpAnswerError, InvalidInputError
from tests.dmp.transactions.helpers import Answering, assert_unreadable
from tests.dmp.transactions.samples import (
    TD03_ANSWER,
    TD03_REQUEST,
    TD16_ANSWER,
    TD16_REQUEST,
    elements,
    parse,
    variant,
)

HAB = "urn:si-dmp-habilitations"
ACTIVE_MODE = b"<ns1:mode>ACTIVE</ns1:mode>"


def test_td03_sends_the_samples_body_to_habilitations_with_the_vihf() -> None:
    transport = Answering(TD03_ANSWER)
    context = set_authorization(transport, b"<vihf/>", AuthorizationAction.ADD)
    (call,) = transport.calls
    # docs/dmp-client.md, the services table.
    assert (call.service, call.action, call.transaction) == (
        Service.HABILITATIONS,
        "urn:si-dmp-habilitations:HabilitationsEndPoint:setAuthorization",
        "TD0.3",
    )
    assert transport.vihfs == [b"<vihf/>"]
    assert elements(call.payload) == elements(parse(TD03_REQUEST))
    assert context == "Autorisation déjà présente aucune action effectuée"


def test_becoming_treating_physician_adds_the_role_after_the_action() -> None:
    transport = Answering(TD03_ANSWER)
    set_authorization(transport, b"<vihf/>", AuthorizationAction.ADD, treating_physician=True)
    (call,) = transport.calls
    assert [(element.tag, element.text) for element in call.payload] == [
        (f"{{{HAB}}}action", "AJOUT"),
        (f"{{{HAB}}}role", "MEDECIN_TRAITANT"),
    ]


def test_removing_sends_suppression() -> None:
    transport = Answering(TD03_ANSWER)
    set_authorization(transport, b"<vihf/>", AuthorizationAction.REMOVE)
    (call,) = transport.calls
    assert [(element.tag, element.text) for element in call.payload] == [
        (f"{{{HAB}}}action", "SUPPRESSION")
    ]


def test_the_role_with_a_removal_is_refused_before_calling() -> None:
    transport = Answering(TD03_ANSWER)
    with pytest.raises(InvalidInputError) as error:
        set_authorization(
            transport, b"<vihf/>", AuthorizationAction.REMOVE, treating_physician=True
        )
    assert transport.calls == []
    assert error.value.details()["field"] == "treating_physician"
    assert error.value.message == (
        "treating_physician: the treating-physician role goes with adding an authorization "
        "(AJOUT); to stop being treating physician and keep access, add without the role"
    )


def test_a_td03_answer_without_context_gives_an_empty_text() -> None:
    answer = variant(
        TD03_ANSWER,
        "<ns1:context>Autorisation déjà présente aucune action effectuée</ns1:context>".encode(),
        b"",
    )
    assert read_set_authorization(parse(answer)) == ""


def test_a_td03_answer_of_another_response_names_the_transaction() -> None:
    with pytest.raises(DmpAnswerError) as error:
        read_set_authorization(parse(TD16_ANSWER))
    assert_unreadable(
        error, "TD0.3", "setAuthorizationResponse expected, got listAuthorizationByPatientResponse"
    )


@pytest.mark.parametrize(
    ("mode", "sent"),
    [
        (AuthorizationListMode.ALL, "TOUTE"),
        (AuthorizationListMode.ACTIVE, "ACTIVE"),
        (AuthorizationListMode.FORBIDDEN, "INTERDITE"),
    ],
)
def test_td16_sends_the_mode_to_habilitations(mode: AuthorizationListMode, sent: str) -> None:
    transport = Answering(TD16_ANSWER)
    found = list_authorizations(transport, b"<vihf/>", mode)
    (call,) = transport.calls
    assert (call.service, call.action, call.transaction) == (
        Service.HABILITATIONS,
        "urn:si-dmp-habilitations:HabilitationsEndPoint:listAuthorizationByPatient",
        "TD1.6",
    )
    assert transport.vihfs == [b"<vihf/>"]
    expected = variant(TD16_REQUEST, b"<mode>TOUTE</mode>", f"<mode>{sent}</mode>".encode())
    assert elements(call.payload) == elements(parse(expected))
    assert [authorization.national_id for authorization in found] == ["899900063480"]


def test_a_td16_answer_of_another_response_names_the_transaction() -> None:
    with pytest.raises(DmpAnswerError) as error:
        read_authorizations(parse(TD03_ANSWER))
    assert_unreadable(
        error, "TD1.6", "listAuthorizationByPatientResponse expected, got setAuthorizationResponse"
    )


def test_the_treating_physician_is_told_by_a_specific_right() -> None:
    answer = variant(
        TD16_ANSWER,
        ACTIVE_MODE,
        ACTIVE_MODE + b"<ns1:specificRight>AUTRE</ns1:specificRight>"
        b"<ns1:specificRight> MEDECIN_TRAITANT </ns1:specificRight>",
    )
    (authorization,) = read_authorizations(parse(answer))
    assert authorization.treating_physician is True


def test_repeated_specialties_are_kept_in_order_on_one_line_each() -> None:
    answer = variant(
        TD16_ANSWER,
        b"<ns1:codeSpeciality>G15_10/SM26</ns1:codeSpeciality>",
        b"<ns1:codeSpeciality>G15_10/SM26</ns1:codeSpeciality>"
        b"<ns1:codeSpeciality>  </ns1:codeSpeciality><ns1:codeSpeciality/>"
        b"<ns1:codeSpeciality>G15_10/\n  SM54</ns1:codeSpeciality>",
    )
    (authorization,) = read_authorizations(parse(answer))
    assert authorization.specialty_codes == ["G15_10/SM26", "G15_10/ SM54"]


def test_missing_names_dates_and_specialties_are_empty() -> None:
    answer = TD16_ANSWER
    for field in (
        b"<ns1:firstName>MAX</ns1:firstName>",
        b"<ns1:lastName>LIBRE</ns1:lastName>",
        b"<ns1:codeSpeciality>G15_10/SM26</ns1:codeSpeciality>",
        b"<ns1:startOfAuthorization>20210601135804</ns1:startOfAuthorization>",
        b"<ns1:lastActionDate>20210601140606</ns1:lastActionDate>",
    ):
        answer = variant(answer, field, b"")
    (authorization,) = read_authorizations(parse(answer))
    assert (authorization.first_name, authorization.last_name) == (None, None)
    assert (authorization.since, authorization.last_action) == (None, None)
    assert authorization.specialty_codes == []
    assert authorization.mode is AuthorizationMode.ACTIVE


@pytest.mark.parametrize(
    ("old", "new", "what"),
    [
        (
            b"<ns1:nationalId>899900063480</ns1:nationalId>",
            b"",
            "an authorization without nationalId and nationalIdType",
        ),
        (
            b"<ns1:nationalIdType>1.2.250.1.71.4.2.1</ns1:nationalIdType>",
            b"",
            "an authorization without nationalId and nationalIdType",
        ),
        (ACTIVE_MODE, b"<ns1:mode>PEUT_ETRE</ns1:mode>", "mode 'PEUT_ETRE'"),
        (ACTIVE_MODE, b"", "mode None"),
        (b"20210601135804", b"hier", "a time 'hier'"),
        (b"20210601140606", b"avant", "a time 'avant'"),
    ],
    ids=["no id", "no id type", "unknown mode", "no mode", "start", "last action"],
)
def test_an_unreadable_authorization_is_named_with_the_transaction(
    old: bytes, new: bytes, what: str
) -> None:
    with pytest.raises(DmpAnswerError) as error:
        read_authorizations(parse(variant(TD16_ANSWER, old, new)))
    assert_unreadable(error, "TD1.6", what)
