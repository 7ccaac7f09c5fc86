"""The XDS answers' common parts, read from bytes: ``rs:RegistryResponse`` and
``query:AdhocQueryResponse`` statuses and errors (IHE ITI TF-3 §4.2.4, ebRS 3.0), ebRIM
slots, names, classifications and external identifiers (ITI TF-3 §4.2.3; the scheme
UUIDs are IHE's, §4.2.5), the DMP's times, and the safe parser."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from lxml import etree

from cardbridge.dmp.transactions.answers import (
    classifications,
    external_id,
    localized_value,
    parse_xml,
    raise_for_errors,
    read_time,
    slot_value,
    slot_values,
)
from cardbridge.dmp.transactions.registry_response import check_registry_response
from cardbridge.errors import DmpAnswerError, DmpRefusedError

RS = "urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0"
RIM = "urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0"
QUERY = "urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0"
STATUS = "urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:"
TYPE_CODE = "urn:uuid:f0306f51-975f-434e-a61c-c59651d33983"
CLASS_CODE = "urn:uuid:41a5887f-8865-4c09-adf7-e362475b143a"
UNIQUE_ID = "urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab"
PATIENT_ID = "urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427"


def _response(status: str, *errors: dict[str, str], root: str = "rs:RegistryResponse") -> bytes:
    listed = "".join(
        "<rs:RegistryError "
        + " ".join(f'{name}="{value}"' for name, value in error.items())
        + ' severity="urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Error"/>'
        for error in errors
    )
    error_list = f"<rs:RegistryErrorList>{listed}</rs:RegistryErrorList>" if errors else ""
    return (
        f'<{root} xmlns:rs="{RS}" xmlns:query="{QUERY}" status="{status}">{error_list}</{root}>'
    ).encode()


def _check(answer: bytes) -> DmpRefusedError:
    with pytest.raises(DmpRefusedError) as refused:
        check_registry_response(parse_xml(answer, "an answer"), "TD2.1")
    assert refused.value.transaction == "TD2.1"
    return refused.value


# --- rs:RegistryResponse (TD2.1, TD3.3) --------------------------------------------------


def test_a_success_goes_on() -> None:
    check_registry_response(parse_xml(_response(STATUS + "Success"), "an answer"), "TD2.1")


def test_the_first_error_is_kept_with_its_location() -> None:
    refused = _check(
        _response(
            STATUS + "Failure",
            {"errorCode": "XDSPatientIdDoesNotMatch", "codeContext": "INS", "location": "ei1"},
            {"errorCode": "XDSRegistryError", "codeContext": "second"},
        )
    )
    assert (refused.dmp_code, refused.dmp_text) == ("XDSPatientIdDoesNotMatch", "INS (ei1)")


def test_an_error_without_location_keeps_its_text() -> None:
    refused = _check(_response(STATUS + "Failure", {"errorCode": "E1", "codeContext": "texte"}))
    assert (refused.dmp_code, refused.dmp_text) == ("E1", "texte")


def test_an_error_with_a_location_only_keeps_the_location() -> None:
    refused = _check(_response(STATUS + "Failure", {"errorCode": "E1", "location": "ei1"}))
    assert refused.dmp_text == "ei1"


@pytest.mark.parametrize("error", [{"codeContext": "x"}, {"errorCode": "", "codeContext": "x"}])
def test_an_error_without_code_is_a_failure(error: dict[str, str]) -> None:
    assert _check(_response(STATUS + "Failure", error)).dmp_code == "Failure"


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (STATUS + "Failure", "Failure"),
        (STATUS + "PartialSuccess", "PartialSuccess"),
        ("", "Failure"),
    ],
)
def test_a_status_without_errors_is_a_refusal_named_by_the_status(status: str, code: str) -> None:
    refused = _check(_response(status))
    assert (refused.dmp_code, refused.dmp_text) == (code, "")


def test_an_error_with_a_code_only_has_no_text() -> None:
    refused = _check(_response(STATUS + "Failure", {"errorCode": "XDSRepositoryError"}))
    assert (refused.dmp_code, refused.dmp_text) == ("XDSRepositoryError", "")


def test_a_response_without_status_is_a_failure() -> None:
    answer = _response(STATUS).replace(f' status="{STATUS}"'.encode(), b"")
    refused = _check(answer)
    assert (refused.dmp_code, refused.dmp_text) == ("Failure", "")


def test_another_answer_than_a_registry_response_is_named() -> None:
    with pytest.raises(DmpAnswerError) as error:
        check_registry_response(etree.Element(f"{{{QUERY}}}AdhocQueryResponse"), "TD3.3")
    assert error.value.message == "TD3.3: the DMP answered AdhocQueryResponse"


# --- raise_for_errors (TD3.1 and TD3.3 answers) -----------------------------------------


def _raise(answer: bytes) -> DmpRefusedError:
    with pytest.raises(DmpRefusedError) as refused:
        raise_for_errors(parse_xml(answer, "an answer"), "TD3.1")
    assert refused.value.transaction == "TD3.1"
    return refused.value


def test_a_query_success_goes_on_even_with_warnings() -> None:
    answer = _response(STATUS + "Success", {"errorCode": "W1"}, root="query:AdhocQueryResponse")
    raise_for_errors(parse_xml(answer, "an answer"), "TD3.1")


def test_a_query_failure_keeps_the_first_errors_code_and_text() -> None:
    refused = _raise(
        _response(
            STATUS + "Failure",
            {"errorCode": "XDSUnknownPatientId", "codeContext": "INS inconnu"},
            {"errorCode": "XDSRegistryError", "codeContext": "autre"},
            root="query:AdhocQueryResponse",
        )
    )
    assert (refused.dmp_code, refused.dmp_text) == ("XDSUnknownPatientId", "INS inconnu")


def test_a_query_error_without_code_nor_text_is_a_registry_error() -> None:
    refused = _raise(_response(STATUS + "Failure", {"location": "x"}))
    assert (refused.dmp_code, refused.dmp_text) == ("XDSRegistryError", "")


def test_a_query_failure_without_errors_is_a_registry_error() -> None:
    refused = _raise(_response(STATUS + "Failure"))
    assert (refused.dmp_code, refused.dmp_text) == ("XDSRegistryError", "")


@pytest.mark.parametrize("status", [STATUS + "PartialSuccess", ""])
def test_an_unknown_status_without_errors_is_unreadable(status: str) -> None:
    with pytest.raises(DmpAnswerError) as error:
        raise_for_errors(parse_xml(_response(status), "an answer"), "TD3.1")
    assert error.value.message == "The DMP's TD3.1 answer has no status the client knows."


def test_an_unknown_status_with_errors_is_a_refusal() -> None:
    refused = _raise(_response(STATUS + "PartialSuccess", {"errorCode": "E2"}))
    assert refused.dmp_code == "E2"


# --- parsing and ebRIM ------------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b"<a>", b"not xml"], ids=["empty", "unclosed", "text"])
def test_what_is_not_xml_is_unreadable_and_named(data: bytes) -> None:
    with pytest.raises(DmpAnswerError) as error:
        parse_xml(data, "a document list")
    assert error.value.message == "The DMP sent a document list that is not well-formed XML."


def test_an_entity_is_not_expanded() -> None:
    data = b'<!DOCTYPE a [<!ENTITY e "expanded">]><a>&e;</a>'
    assert "expanded" not in etree.tostring(parse_xml(data, "an answer")).decode()


ENTRY = f"""<rim:ExtrinsicObject xmlns:rim="{RIM}" id="urn:uuid:e1">
  <rim:Slot name="creationTime"><rim:ValueList><rim:Value> 20190221123445 </rim:Value>
  </rim:ValueList></rim:Slot>
  <rim:Slot name="sourcePatientInfo"><rim:ValueList><rim:Value>PID-5|A</rim:Value>
    <rim:Value>PID-7|19550615</rim:Value><rim:Value/></rim:ValueList></rim:Slot>
  <rim:Slot name="sourcePatientInfo"><rim:ValueList><rim:Value>PID-8|M</rim:Value>
  </rim:ValueList></rim:Slot>
  <rim:Name><rim:LocalizedString value="Compte rendu" xml:lang="FR"/></rim:Name>
  <rim:Description/>
  <rim:Classification classificationScheme="{CLASS_CODE}" nodeRepresentation="10" id="c1"/>
  <rim:Classification classificationScheme="{TYPE_CODE}" nodeRepresentation="11488-4" id="c2"/>
  <rim:Classification classificationScheme="{TYPE_CODE}" nodeRepresentation="34133-9" id="c3"/>
  <rim:ExternalIdentifier identificationScheme="{PATIENT_ID}" value="INS^^^" id="e1"/>
  <rim:ExternalIdentifier identificationScheme="{UNIQUE_ID}" value="1.2.3.4" id="e2"/>
  <rim:ExternalIdentifier identificationScheme="{UNIQUE_ID}" value="9.9" id="e3"/>
</rim:ExtrinsicObject>""".encode()


def test_a_slots_values_in_order_across_slots_of_that_name() -> None:
    entry = parse_xml(ENTRY, "an entry")
    assert slot_values(entry, "sourcePatientInfo") == ["PID-5|A", "PID-7|19550615", "", "PID-8|M"]
    assert slot_values(entry, "creationTime") == ["20190221123445"]
    assert slot_values(entry, "legalAuthenticator") == []


def test_a_slots_first_value_or_none() -> None:
    entry = parse_xml(ENTRY, "an entry")
    assert slot_value(entry, "sourcePatientInfo") == "PID-5|A"
    assert slot_value(entry, "legalAuthenticator") is None


def test_a_localized_value_or_none() -> None:
    entry = parse_xml(ENTRY, "an entry")
    assert localized_value(entry, "Name") == "Compte rendu"
    assert localized_value(entry, "Description") is None


def test_the_classifications_under_one_ihe_scheme() -> None:
    entry = parse_xml(ENTRY, "an entry")
    assert [c.get("id") for c in classifications(entry, "typeCode")] == ["c2", "c3"]
    assert [c.get("id") for c in classifications(entry, "classCode")] == ["c1"]
    assert classifications(entry, "formatCode") == []


def test_the_first_external_identifier_of_a_scheme_or_none() -> None:
    entry = parse_xml(ENTRY, "an entry")
    assert external_id(entry, "documentUniqueId") == "1.2.3.4"
    assert external_id(entry, "documentPatientId") == "INS^^^"
    assert external_id(entry, "submissionUniqueId") is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2019", datetime(2019, 1, 1, tzinfo=UTC)),
        ("201902", datetime(2019, 2, 1, tzinfo=UTC)),
        ("20190221", datetime(2019, 2, 21, tzinfo=UTC)),
        ("2019022112", datetime(2019, 2, 21, 12, tzinfo=UTC)),
        ("201902211234", datetime(2019, 2, 21, 12, 34, tzinfo=UTC)),
        ("20190221123445", datetime(2019, 2, 21, 12, 34, 45, tzinfo=UTC)),
    ],
)
def test_a_dmp_time_to_any_precision_is_utc(value: str, expected: datetime) -> None:
    assert read_time(value) == expected


@pytest.mark.parametrize("value", [None, ""])
def test_an_absent_time_is_none(value: str | None) -> None:
    assert read_time(value) is None


@pytest.mark.parametrize(
    "value", ["201", "20190", "201902211234456", "2019-02-21", "20191321", "20190230"]
)
def test_what_is_not_a_dmp_time_is_unreadable(value: str) -> None:
    with pytest.raises(DmpAnswerError) as error:
        read_time(value)
    assert error.value.message == f"The DMP sent a time that cannot be read ({value!r})."


def test_an_overlong_value_is_cut_in_the_message() -> None:
    with pytest.raises(DmpAnswerError) as error:
        read_time("x" * 40)
    assert error.value.message == f"The DMP sent a time that cannot be read ({'x' * 20!r})."
