"""The HL7v3 shell and acknowledgement, against the ANS samples' shapes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest

from cardbridge.config import Settings
from cardbridge.dmp.transactions import hl7v3
from cardbridge.dmp.transactions.hl7v3 import Hl7Sender, check_acknowledgement
from cardbridge.dmp.transactions.status import existence_request
from cardbridge.errors import DmpAnswerError, DmpRefusedError
from tests.dmp.transactions.helpers import (
    GENERATED,
    HL7,
    SAMPLE_INS,
    SAMPLE_SENDER,
    assert_unreadable,
    paris_time,
)
from tests.dmp.transactions.samples import (
    TD02_ANSWER,
    TD02_REQUEST,
    TD05_ANSWER,
    elements,
    parse,
    shape,
    variant,
)


def test_the_existence_request_has_the_ans_samples_shape() -> None:
    built = existence_request(SAMPLE_INS, SAMPLE_SENDER)
    assert shape(built) == shape(parse(TD02_REQUEST))


def test_ids_go_under_the_oid_root() -> None:
    built = existence_request(SAMPLE_INS, SAMPLE_SENDER)
    sample = parse(TD02_REQUEST)
    for path in (
        "id",
        "sender/device/id",
        "receiver/device/id",
        "controlActProcess/queryByParameter/queryId",
    ):
        steps = "/".join(f"{{{HL7}}}{step}" for step in path.split("/"))
        ours, theirs = built.find(steps), sample.find(steps)
        assert ours is not None
        assert theirs is not None
        assert ours.get("root") == theirs.get("root"), path
    # The sample's creation time is to the second, as ours.
    assert len(built.find(f"{{{HL7}}}creationTime").get("value", "")) == 14  # type: ignore[union-attr]


def test_the_sender_as_the_settings_give_it() -> None:
    settings = Settings(lps_oid_root="1.2.250.1.999.7", lps_name="MON LPS")
    sender = Hl7Sender(settings.lps_oid_root, settings.lps_name)
    assert (sender.message_root, sender.query_root) == ("1.2.250.1.999.7.1.1", "1.2.250.1.999.7.2")
    built = existence_request(SAMPLE_INS, sender)
    assert built.findtext(f"{{{HL7}}}sender/{{{HL7}}}device/{{{HL7}}}softwareName") == "MON LPS"


@pytest.mark.parametrize("sample", [TD02_ANSWER, TD05_ANSWER], ids=["attribute", "child"])
def test_aa_goes_on_in_both_of_the_samples_forms(sample: bytes) -> None:
    check_acknowledgement(parse(sample), "TD0.x")


def test_a_refusal_keeps_the_details_code_and_text() -> None:
    refused = variant(
        TD02_ANSWER,
        b'<acknowledgement typeCode="AA">',
        b'<acknowledgement typeCode="AE"><acknowledgementDetail typeCode="E">'
        b'<code code="DMPPatientNotFound"/><text>Patient   inconnu</text>'
        b"</acknowledgementDetail>",
    )
    with pytest.raises(DmpRefusedError) as error:
        check_acknowledgement(parse(refused), "TD0.2")
    assert (error.value.dmp_code, error.value.dmp_text) == ("DMPPatientNotFound", "Patient inconnu")
    assert error.value.transaction == "TD0.2"


def test_a_refusal_without_detail_code_keeps_the_type_code() -> None:
    refused = variant(TD05_ANSWER, b'<typeCode code="AA"/>', b'<typeCode code="AR"/>')
    with pytest.raises(DmpRefusedError) as error:
        check_acknowledgement(parse(refused), "TD0.5")
    assert (error.value.dmp_code, error.value.dmp_text) == ("AR", "")


def test_the_existence_request_is_the_ans_sample_element_by_element() -> None:
    # Every tag, text and attribute of the sample (classCode, typeCode, processing codes,
    # the receiver's OID…), but the ids and time each message makes anew.
    built = existence_request(SAMPLE_INS, SAMPLE_SENDER)
    assert elements(built, GENERATED) == elements(parse(TD02_REQUEST), GENERATED)


def test_message_and_query_ids_are_new_random_uuids() -> None:
    first, second = (existence_request(SAMPLE_INS, SAMPLE_SENDER) for _ in range(2))
    ids = [
        message.find(path).get("extension", "")  # type: ignore[union-attr]
        for message in (first, second)
        for path in (
            f"{{{HL7}}}id",
            f"{{{HL7}}}controlActProcess/{{{HL7}}}queryByParameter/{{{HL7}}}queryId",
        )
    ]
    assert [uuid.UUID(value).version for value in ids] == [4, 4, 4, 4]
    assert len(set(ids)) == 4


def test_the_creation_time_is_utc_on_a_paris_workstation() -> None:
    # 14:53:05 in Paris on the 1st of June (summer time, UTC+2) is 12:53:05 UTC.
    summer = timezone(timedelta(hours=2))
    with paris_time():
        built = hl7v3.message(
            "PRPA_IN201307UV02", SAMPLE_SENDER, datetime(2021, 6, 1, 14, 53, 5, tzinfo=summer)
        )
    assert built.find(f"{{{HL7}}}creationTime").get("value") == "20210601125305"  # type: ignore[union-attr]


def test_the_creation_time_is_now_in_utc() -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    with paris_time():
        built = existence_request(SAMPLE_INS, SAMPLE_SENDER)
    after = datetime.now(UTC)
    value = built.find(f"{{{HL7}}}creationTime").get("value", "")  # type: ignore[union-attr]
    assert before <= datetime.strptime(value, "%Y%m%d%H%M%S").replace(tzinfo=UTC) <= after


def test_a_refusal_joins_the_details_texts_and_skips_the_empty_ones() -> None:
    refused = variant(
        TD02_ANSWER,
        b'<acknowledgement typeCode="AA">',
        b'<acknowledgement typeCode="AE">'
        b'<acknowledgementDetail typeCode="E"><code code="DMPQueryError"/><text/>'
        b"</acknowledgementDetail>"
        b"<acknowledgementDetail><text>Trop de\n  patients</text></acknowledgementDetail>"
        b"<acknowledgementDetail><text>Affinez</text></acknowledgementDetail>",
    )
    with pytest.raises(DmpRefusedError) as error:
        check_acknowledgement(parse(refused), "TD0.5")
    assert (error.value.dmp_code, error.value.dmp_text) == (
        "DMPQueryError",
        "Trop de patients; Affinez",
    )


def test_a_refusal_takes_the_first_detail_with_a_code() -> None:
    refused = variant(
        TD02_ANSWER,
        b'<acknowledgement typeCode="AA">',
        b'<acknowledgement typeCode="AE">'
        b"<acknowledgementDetail><code/><text>sans code</text></acknowledgementDetail>"
        b'<acknowledgementDetail><code code="DMPAccessDenied"/></acknowledgementDetail>',
    )
    with pytest.raises(DmpRefusedError) as error:
        check_acknowledgement(parse(refused), "TD0.2")
    assert error.value.dmp_code == "DMPAccessDenied"


def test_an_acknowledgement_without_type_code_says_so() -> None:
    broken = variant(TD02_ANSWER, b'<acknowledgement typeCode="AA">', b"<acknowledgement>")
    with pytest.raises(DmpAnswerError) as error:
        check_acknowledgement(parse(broken), "TD0.2")
    assert_unreadable(error, "TD0.2", "no acknowledgement type code")


def test_an_answer_without_acknowledgement_says_so() -> None:
    answer = parse(TD02_ANSWER)
    answer.remove(answer.find(f"{{{HL7}}}acknowledgement"))  # type: ignore[arg-type]
    with pytest.raises(DmpAnswerError) as error:
        check_acknowledgement(answer, "TD0.2")
    assert_unreadable(error, "TD0.2", "no acknowledgement")


def test_another_interaction_than_the_expected_answer_is_named() -> None:
    with pytest.raises(DmpAnswerError) as error:
        hl7v3.answer_root(parse(TD05_ANSWER), "PRPA_IN201308UV02", "TD0.2")
    assert_unreadable(error, "TD0.2", "PRPA_IN201308UV02 expected, got PRPA_IN201306UV02")


@pytest.mark.parametrize("code", [b"<queryResponseCode/>", b'<queryResponseCode code=""/>'])
def test_an_answer_without_query_response_code_says_so(code: bytes) -> None:
    answer = variant(TD02_ANSWER, b'<queryResponseCode code="OK"/>', code)
    with pytest.raises(DmpAnswerError) as error:
        hl7v3.query_response_code(parse(answer), "TD0.2")
    assert_unreadable(error, "TD0.2", "no queryResponseCode")


def test_the_query_response_code_is_read() -> None:
    assert hl7v3.query_response_code(parse(TD02_ANSWER), "TD0.2") == "OK"
