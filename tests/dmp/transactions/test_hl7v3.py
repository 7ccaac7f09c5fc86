"""The HL7v3 shell and acknowledgement, against the ANS samples' shapes."""

from __future__ import annotations

import pytest

from cardbridge.config import Settings
from cardbridge.dmp.patients import InsReference
from cardbridge.dmp.transactions.hl7v3 import Hl7Sender, check_acknowledgement
from cardbridge.dmp.transactions.status import existence_request
from cardbridge.errors import DmpAnswerError, DmpRefusedError
from tests.dmp.transactions.samples import (
    TD02_ANSWER,
    TD02_REQUEST,
    TD05_ANSWER,
    parse,
    shape,
    variant,
)

HL7 = "urn:hl7-org:v3"
SENDER = Hl7Sender("1.3.6.1.4.1.48364", "LPS GIE-SV")  # the ANS samples' software


def test_the_existence_request_has_the_ans_samples_shape() -> None:
    built = existence_request(
        InsReference(value="207058575627097", oid="1.2.250.1.213.1.4.10"), SENDER
    )
    assert shape(built) == shape(parse(TD02_REQUEST))


def test_ids_go_under_the_oid_root() -> None:
    built = existence_request(
        InsReference(value="207058575627097", oid="1.2.250.1.213.1.4.10"), SENDER
    )
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
    built = existence_request(
        InsReference(value="207058575627097", oid="1.2.250.1.213.1.4.10"), sender
    )
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


def test_an_acknowledgement_without_type_code_is_unreadable() -> None:
    broken = variant(TD02_ANSWER, b'<acknowledgement typeCode="AA">', b"<acknowledgement>")
    with pytest.raises(DmpAnswerError):
        check_acknowledgement(parse(broken), "TD0.2")


def test_an_answer_without_acknowledgement_is_unreadable() -> None:
    answer = parse(TD02_ANSWER)
    answer.remove(answer.find(f"{{{HL7}}}acknowledgement"))  # type: ignore[arg-type]
    with pytest.raises(DmpAnswerError):
        check_acknowledgement(answer, "TD0.2")
