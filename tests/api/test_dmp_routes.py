"""The DMP routes over real HTTP on the emulated demo cards."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from cardbridge.dmp.journal import DATABASE_NAME
from testkit.dmp_sandbox import RunningSandbox
from testkit.sample_files import pdf, pdf_of_size
from testkit.server import LiveServer
from tests.api.conftest import APP_ORIGIN, PIN, Demo, serving_dmp
from tests.support.dmp_fixtures import LOUISE, PIERRE
from tests.support.xmldsig import attribute_texts, verify_signxml, verify_xmlsec1

# Louise has a DMP on which the demo CPS has no authorization (the sandbox's seed).
INS = LOUISE
PDF = pdf()  # a one-page PDF written by pypdf


@pytest.fixture
def dmp_live(
    demo: Demo, dmp: RunningSandbox, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """A server with a journal of its own (a fresh data dir), reaching the offline DMP."""
    with serving_dmp(
        demo.backend, dmp, tmp_path_factory.mktemp("roots"), data_dir=tmp_path
    ) as server:
        yield server


@pytest.fixture
def client(dmp_live: LiveServer) -> Iterator[httpx.Client]:
    with dmp_live.client() as client:
        client.timeout = httpx.Timeout(60.0)
        yield client


def access(client: httpx.Client, **body: object) -> httpx.Response:
    return client.post(
        "/v1/dmp/access", json={"situation": 0, "patient": {"ins": INS}, "mode": "normal", **body}
    )


def test_document_types(client: httpx.Client) -> None:
    types = client.get("/v1/dmp/document-types").json()
    assert {
        "label": "CR de consultation",
        "code": "11488-4",
        "system": "2.16.840.1.113883.6.1",
        "class_code": "10",
        "known": True,
    } in types
    # The three types once refused for want of a code, with their codes of JDV_J66
    # (ANS correspondence ASS_X16; see tests/dmp/test_documents.py).
    codes = {t["label"]: t["code"] for t in types}
    assert codes["Bilan psychologique"] == "83901-9"
    assert codes["Formulaire de conciliation médicamenteuse (Hôpital)"] == "80820-4"
    assert codes["Grille d'évaluation médico-social"] == "34842-5"
    assert all(t["known"] for t in types)


def test_patient_selection(client: httpx.Client) -> None:
    by_ins = client.post("/v1/dmp/patient", json={"ins": INS}).json()
    assert by_ins["ins"]["cx"] == f"{INS}^^^&1.2.250.1.213.1.4.10&ISO^NH"  # emulator: test OID
    child = client.post("/v1/dmp/patient", json={"vitale": {"beneficiary": 1}}).json()
    assert child["source"] == "vitale"
    assert child["birth_date"] == "20150235"
    criteria = client.post(
        "/v1/dmp/patient",
        json={
            "criteria": {
                "last_name": "Martin",
                "first_name": "Léa",
                "sex": "F",
                "birth_year": "1980",
            }
        },
    ).json()
    assert (criteria["ins"], criteria["last_name"]) == (None, "MARTIN")
    wrong = client.post("/v1/dmp/patient", json={"ins": "295109912611194"})
    assert wrong.status_code == 422
    assert wrong.json()["field"] == "ins"
    two_ways = client.post("/v1/dmp/patient", json={"ins": INS, "vitale": {"beneficiary": 0}})
    assert two_ways.status_code == 422
    bad_date = client.post(
        "/v1/dmp/patient",
        json={
            "criteria": {
                "last_name": "X",
                "first_name": "Y",
                "sex": "F",
                "birth_date": "31/02/2000",
            }
        },
    )
    assert bad_date.status_code == 422
    assert bad_date.json()["field"] == "criteria.birth_date"


CRITERIA = {"last_name": "Martin", "first_name": "Léa", "sex": "F"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"ins": INS, "vitale": {"beneficiary": 0}}, "ins"),
        ({"vitale": {"beneficiary": 0}, "criteria": CRITERIA}, "criteria"),
        ({}, "vitale"),
        ({"criteria": {**CRITERIA, "age": 40, "age_min": 30}}, "criteria.age_min"),
        ({"criteria": {**CRITERIA, "age_min": 50, "age_max": 30}}, "criteria.age_max"),
        (
            {
                "criteria": {
                    **CRITERIA,
                    "birth_date_from": "01/02/1990",
                    "birth_date_to": "01/01/1990",
                }
            },
            "criteria.birth_date_to",
        ),
        ({"criteria": {**CRITERIA, "birth_date_from": "01/02/1990"}}, "criteria.birth_date_to"),
        (
            {"criteria": {**CRITERIA, "birth_date": "01/02/1990", "birth_year": "1990"}},
            "criteria.birth_year",
        ),
    ],
)
def test_patient_refusals_name_the_field(
    client: httpx.Client, body: dict[str, object], field: str
) -> None:
    answer = client.post("/v1/dmp/patient", json=body)
    assert answer.status_code == 422
    problem = answer.json()
    assert problem["field"] == field
    assert problem["detail"].startswith(f"{field}: ")
    assert "Value error" not in problem["detail"]


def test_access_refusals_name_the_field_inside_the_patient(client: httpx.Client) -> None:
    criteria = {**CRITERIA, "birth_year": "1990", "birth_date_from": "01/01/1990"}
    answer = access(client, patient={"criteria": criteria})
    assert answer.json()["field"] == "patient.criteria.birth_date_from"
    both = access(client, patient={"ins": INS, "criteria": CRITERIA})
    assert both.json()["field"] == "patient.criteria"


def test_access_workflow(client: httpx.Client) -> None:
    before_pin = access(client, consent=True)
    assert before_pin.status_code == 403
    assert before_pin.json()["code"] == "pin_required"
    assert client.post("/v1/cps/pin/verify", json={"pin": PIN}).status_code == 200

    refused = access(client)
    assert refused.status_code == 403
    assert refused.json()["code"] == "consent_required"
    granted = access(client, consent=True)
    assert granted.status_code == 200, granted.text
    answer = granted.json()
    assert answer["consent_needed"] is True
    assert answer["patient"]["ins"]["value"] == INS
    assert answer["structure_id"] == "499700735741008"
    certificate = client.get("/v1/cps/certificates").json()["signature"]
    verify_signxml(answer["vihf"].encode(), certificate)
    assert verify_xmlsec1(answer["vihf"].encode(), certificate)
    again = access(client).json()
    assert again["consent_needed"] is False

    no_reason = access(client, mode="bris_de_glace")
    assert no_reason.status_code == 422
    assert no_reason.json()["field"] == "reason"
    emergency = access(client, mode="bris_de_glace", reason="Patient inconscient aux urgences")
    assert emergency.status_code == 200

    child = client.post(
        "/v1/dmp/access",
        json={"situation": 0, "patient": {"vitale": {"beneficiary": 0}}, "consent": True},
    )
    assert child.status_code == 200  # the insured: INS from the card
    no_situation = access(client, situation=3, consent=True)
    assert no_situation.status_code == 422
    assert no_situation.json()["field"] == "situation"

    records = client.get("/v1/dmp/journal").json()
    assert [r["details"]["mode"] for r in records] == [
        "normal",
        "bris_de_glace",
        "normal",
        "normal",
    ]
    assert records[3]["details"]["vihf_id"] == answer["assertion_id"]
    assert client.get("/v1/dmp/journal", params={"kind": "deposit"}).json() == []
    check = client.get("/v1/dmp/journal/verify").json()
    assert check == {"ok": True, "records": 4, "problems": []}


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("until", "0.0"),
        ("since", "0"),
        ("since", "1700000000"),
        ("until", "20261126"),
        ("since", "2026-11-26 09:30"),
        ("until", "2026-02-30"),
    ],
)
def test_journal_period_is_iso_text_only(client: httpx.Client, param: str, value: str) -> None:
    answer = client.get("/v1/dmp/journal", params={param: value})
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert (problem["code"], problem["field"]) == ("invalid_request", param)
    assert "ISO 8601" in problem["detail"]


def test_journal_patient_filter(client: httpx.Client) -> None:
    client.post("/v1/cps/pin/verify", json={"pin": PIN})
    assert access(client, consent=True).status_code == 200
    insured = client.post(
        "/v1/dmp/access",
        json={"situation": 0, "patient": {"vitale": {"beneficiary": 0}}, "consent": True},
    )
    assert insured.status_code == 200
    criteria = {"last_name": "Martin", "first_name": "Léa", "sex": "F", "birth_year": "1980"}
    traits = client.post("/v1/dmp/patient", json={"criteria": criteria}).json()["journal_key"]
    cx = f"{INS}^^^&1.2.250.1.213.1.4.10&ISO^NH"
    for given in (INS, "2 15 02 75 123 456 10", cx):
        found = client.get("/v1/dmp/journal", params={"patient": given}).json()
        assert [r["patient"] for r in found] == [cx], given
    assert client.get("/v1/dmp/journal", params={"patient": traits}).json() == []
    assert len(client.get("/v1/dmp/journal").json()) == 2
    wrong = client.get("/v1/dmp/journal", params={"patient": "295109912611194"})
    assert wrong.status_code == 422
    assert (wrong.json()["field"], wrong.json()["code"]) == ("patient", "invalid_request")
    assert "key does not match" in wrong.json()["detail"]


def test_journal_period_of_whole_days(client: httpx.Client) -> None:
    client.post("/v1/cps/pin/verify", json={"pin": PIN})
    assert access(client, consent=True).status_code == 200
    today = datetime.now().astimezone().date()
    # A date includes its whole day, also as the end of the period.
    assert len(client.get("/v1/dmp/journal", params={"until": str(today)}).json()) == 1
    assert len(client.get("/v1/dmp/journal", params={"since": str(today)}).json()) == 1
    tomorrow = str(today + timedelta(days=1))
    assert client.get("/v1/dmp/journal", params={"since": tomorrow}).json() == []
    yesterday = str(today - timedelta(days=1))
    assert client.get("/v1/dmp/journal", params={"until": yesterday}).json() == []
    in_an_hour = (datetime.now(UTC) + timedelta(hours=1)).isoformat(timespec="seconds")
    assert len(client.get("/v1/dmp/journal", params={"until": in_an_hour}).json()) == 1


@pytest.mark.parametrize("field", ["document_date", "event_start", "event_end"])
@pytest.mark.parametrize("value", ["0", "0.0", "20261120", "2026-11-20T00:00:00"])
def test_deposit_dates_are_iso_dates_only(client: httpx.Client, field: str, value: str) -> None:
    client.post("/v1/cps/pin/verify", json={"pin": PIN})
    answer = deposit(client, **{field: value})
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == field
    assert "YYYY-MM-DD" in answer.json()["detail"]


@pytest.mark.parametrize("mode", ["bris_de_glace", "centre_15"])
def test_emergency_access_gives_no_consent(client: httpx.Client, mode: str) -> None:
    client.post("/v1/cps/pin/verify", json={"pin": PIN})
    emergency = access(client, mode=mode, reason="Patient inconscient aux urgences")
    assert emergency.status_code == 200, emergency.text
    # The reason reaches the signed VIHF (it used to stop at the journal).
    vihf = emergency.json()["vihf"].encode()
    assert attribute_texts(vihf, "Mode_Acces_Raison") == ["Patient inconscient aux urgences"]
    normal = access(client)
    assert normal.status_code == 403
    assert normal.json()["code"] == "consent_required"
    assert "emergency or centre 15" in normal.json()["detail"]
    assert access(client, consent=True).status_code == 200
    assert access(client).status_code == 200  # now within six months of a consented access


def test_a_deposit_is_traced_with_the_dmps_unique_id(client: httpx.Client) -> None:
    client.post("/v1/cps/pin/verify", json={"pin": PIN})
    assert access(client, patient={"ins": PIERRE}).status_code == 200
    answer = deposit(client)
    assert answer.status_code == 200, answer.text
    (record,) = client.get("/v1/dmp/journal", params={"kind": "deposit"}).json()
    assert record["details"]["document_id"] == answer.json()["receipt"]["unique_id"]
    assert record["seq"] == answer.json()["journal_seq"]


def tamper(data_dir: Path, *statements: str) -> None:
    """Edit the journal behind the bridge's back, as someone with file access would."""
    db = sqlite3.connect(data_dir / DATABASE_NAME, isolation_level=None)
    db.execute("DROP TRIGGER IF EXISTS records_no_delete")
    for statement in statements:
        db.execute(statement)
    db.close()


def test_journal_check_reports_a_truncated_end(client: httpx.Client, tmp_path: Path) -> None:
    client.post("/v1/cps/pin/verify", json={"pin": PIN})
    first = access(client, consent=True).json()
    assert access(client).status_code == 200
    assert client.get("/v1/dmp/journal/verify").json()["ok"] is True
    mac = (
        sqlite3.connect(tmp_path / DATABASE_NAME)
        .execute("SELECT mac FROM records WHERE seq = ?", (first["journal_seq"],))
        .fetchone()[0]
    )
    tamper(
        tmp_path,
        "DELETE FROM records WHERE seq = 2",
        f"UPDATE head SET seq = 1, mac = '{mac}', count = 1",
    )
    assert client.get("/v1/dmp/journal/verify").json() == {
        "ok": False,
        "records": 1,
        "problems": ["the journal head was modified: the last records may have been deleted"],
    }
    refused = access(client)
    assert (refused.status_code, refused.json()["code"]) == (503, "journal_error")
    assert "tampered with" in refused.json()["detail"]


def test_journal_check_reports_a_wiped_journal(client: httpx.Client, tmp_path: Path) -> None:
    client.post("/v1/cps/pin/verify", json={"pin": PIN})
    assert access(client, consent=True).status_code == 200
    tamper(tmp_path, "DELETE FROM records", "DELETE FROM head")
    check = client.get("/v1/dmp/journal/verify").json()
    assert check["problems"] == ["the journal is empty and its head is gone: the journal was wiped"]
    # Nothing can be added to a wiped journal: the access is refused before the DMP is
    # asked anything, with or without consent.
    assert access(client).json()["code"] == "journal_error"
    assert access(client, consent=True).json()["code"] == "journal_error"


def test_journal_check_reports_a_deleted_database(client: httpx.Client, tmp_path: Path) -> None:
    client.post("/v1/cps/pin/verify", json={"pin": PIN})
    assert access(client, consent=True).status_code == 200
    for path in tmp_path.glob(f"{DATABASE_NAME}*"):
        path.unlink()
    check = client.get("/v1/dmp/journal/verify").json()
    assert (check["ok"], check["records"]) == (False, 0)
    assert "is missing although its key is there" in check["problems"][0]
    refused = access(client, consent=True)
    assert refused.status_code == 503
    assert refused.json()["code"] == "journal_error"
    assert "is missing" in refused.json()["detail"]
    assert "Ask your administrator" in refused.json()["detail"]
    listing = client.get("/v1/dmp/journal")
    assert (listing.status_code, listing.json()["code"]) == (503, "journal_error")
    assert not (tmp_path / DATABASE_NAME).exists()


def test_a_patient_without_ins_cannot_be_opened(client: httpx.Client) -> None:
    client.post("/v1/cps/pin/verify", json={"pin": PIN})
    answer = client.post(
        "/v1/dmp/access",
        json={
            "situation": 0,
            "consent": True,
            "patient": {"criteria": {"last_name": "X", "first_name": "Y", "sex": "M"}},
        },
    )
    assert answer.status_code == 422
    assert answer.json()["field"] == "patient"


def deposit(
    client: httpx.Client, content: bytes = PDF, name: str = "cr.pdf", **fields: str
) -> httpx.Response:
    form = {
        "situation": "0",
        "beneficiary": "0",  # Pierre, whose DMP the demo CPS may open
        "title": "CR de consultation",
        "document_date": "2026-11-20",
        "type": "11488-4",
        "event_start": "2026-11-20",
        **fields,
    }
    return client.post("/v1/dmp/documents", data=form, files={"file": (name, content)})


def test_deposit(client: httpx.Client) -> None:
    client.post("/v1/cps/pin/verify", json={"pin": PIN})
    closed = deposit(client)
    assert (closed.status_code, closed.json()["code"]) == (409, "dmp_access_required")
    assert access(client, patient={"ins": PIERRE}).status_code == 200
    answer = deposit(client, visibility="MASQUE_PS")
    assert answer.status_code == 200, answer.text
    metadata = answer.json()["metadata"]
    assert metadata["format_code"]["code"] == "urn:ihe:iti:xds-sd:pdf:2008"
    assert metadata["confidentiality_codes"][0]["code"] == "MASQUE_PS"
    assert metadata["author"]["national_id"] == "899700735741"
    assert (
        client.get("/v1/dmp/journal", params={"kind": "deposit"}).json()[0]["seq"]
        == (answer.json()["journal_seq"])
    )

    misnamed = deposit(client, name="cr.txt")
    assert misnamed.status_code == 200, misnamed.text
    misnamed_metadata = misnamed.json()["metadata"]
    assert (misnamed_metadata["detected_format"], misnamed_metadata["named_format"]) == (
        "pdf",
        "txt",
    )
    windows_text = "Compte rendu : tension élevée, à revoir.\r\n".encode("cp1252")
    unnamed = deposit(client, content=windows_text, name="compte-rendu")
    assert unnamed.status_code == 200, unnamed.text
    text_metadata = unnamed.json()["metadata"]
    assert text_metadata["format_code"]["code"] == "urn:ihe:iti:xds-sd:text:2008"
    assert (text_metadata["detected_format"], text_metadata["text_encoding"]) == (
        "txt",
        "windows-1252",
    )
    assert text_metadata["named_format"] is None
    page = deposit(client, content=b"<html><script>alert(1)</script></html>", name="cr.txt")
    assert page.status_code == 422
    assert page.json()["field"] == "file"
    assert "web markup" in page.json()["detail"]
    unknown_type = deposit(client, type="Bilan de psychologie")
    assert unknown_type.status_code == 422
    assert unknown_type.json()["field"] == "type"
    typo = deposit(client, coment="x")
    assert typo.status_code == 422
    assert typo.json()["field"] == "coment"
    both = deposit(client, ins=PIERRE)
    assert both.status_code == 422
    assert both.json()["field"] == "beneficiary"
    neither = deposit(client, beneficiary="")
    assert neither.status_code == 422
    assert neither.json()["field"] == "ins"
    ends_before_start = deposit(client, event_start="2026-11-20", event_end="2026-11-19")
    assert ends_before_start.status_code == 422
    assert ends_before_start.json()["field"] == "event_end"
    assert ends_before_start.json()["detail"] == (
        "event_end: the event ends before it starts (event_start)"
    )
    too_big = deposit(client, content=b"%PDF-" + bytes(6 * 1024 * 1024))
    assert too_big.status_code == 413


def test_a_6_mb_body_is_refused_naming_the_dmps_5_mb_rule(client: httpx.Client) -> None:
    client.post("/v1/cps/pin/verify", json={"pin": PIN})
    assert access(client, patient={"ins": PIERRE}).status_code == 200
    too_big = deposit(client, content=b"%PDF-" + bytes(6_000_000))
    assert too_big.status_code == 413
    assert too_big.json()["detail"] == (
        "The document is larger than the DMP accepts: at most 5 MB (5,000,000 bytes)."
    )
    # Within the body's cap but over the file's: refused by the file's check, same rule.
    just_over = deposit(client, content=pdf_of_size(5_000_001))
    assert just_over.status_code == 422
    assert just_over.json()["field"] == "file"
    assert "at most 5 MB (5,000,000 bytes)" in just_over.json()["detail"]
    assert deposit(client, content=pdf_of_size(5_000_000)).status_code == 200


def test_a_pdf_judged_by_its_first_bytes_only_is_refused(client: httpx.Client) -> None:
    client.post("/v1/cps/pin/verify", json={"pin": PIN})
    fake = deposit(client, content=b"%PDF-1.7\n" + bytes(1000))
    assert fake.status_code == 422
    assert fake.json()["field"] == "file"
    assert "starts like a PDF but cannot be read" in fake.json()["detail"]


def test_future_event_dates_are_refused(client: httpx.Client) -> None:
    client.post("/v1/cps/pin/verify", json={"pin": PIN})
    tomorrow = str(datetime.now().astimezone().date() + timedelta(days=1))
    for field in ("event_start", "event_end", "document_date"):
        answer = deposit(client, **{field: tomorrow})
        assert answer.status_code == 422, field
        assert answer.json()["field"] == field
        assert "is in the future" in answer.json()["detail"]


@pytest.mark.parametrize("field", ["title", "type", "ins", "event_start"])
def test_a_form_field_given_twice_is_refused_naming_it(client: httpx.Client, field: str) -> None:
    client.post("/v1/cps/pin/verify", json={"pin": PIN})
    form: dict[str, str | list[str]] = {
        "situation": "0",
        "ins": INS,
        "title": "CR de consultation",
        "document_date": "2026-11-20",
        "type": "11488-4",
        "event_start": "2026-11-20",
    }
    value = form[field]
    assert isinstance(value, str)
    form[field] = [value, value]
    answer = client.post("/v1/dmp/documents", data=form, files={"file": ("cr.pdf", PDF)})
    assert answer.status_code == 422
    assert (answer.json()["code"], answer.json()["field"]) == ("invalid_request", field)
    assert "more than once" in answer.json()["detail"]
    assert client.get("/v1/dmp/journal", params={"kind": "deposit"}).json() == []


@pytest.mark.parametrize("given", ["yes", 1, "on", "true", "1"])
def test_only_json_true_counts_as_consent(client: httpx.Client, given: object) -> None:
    client.post("/v1/cps/pin/verify", json={"pin": PIN})
    answer = access(client, consent=given)
    assert answer.status_code == 422
    assert (answer.json()["code"], answer.json()["field"]) == ("invalid_request", "consent")
    assert client.get("/v1/dmp/journal").json() == []
    assert access(client, consent=True).status_code == 200


def test_no_route_documents_a_server_fault(client: httpx.Client) -> None:
    document = client.get("/openapi.json").json()
    statuses = {
        (path, method): set(operation["responses"])
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
    }
    assert all("500" not in answered for answered in statuses.values())
    journal_503 = document["paths"]["/v1/dmp/access"]["post"]["responses"]["503"]
    example = journal_503["content"]["application/problem+json"]["examples"]["journal_error"]
    assert example["value"]["status"] == 503
    assert "cardbridge journal verify" in example["value"]["detail"]


def test_body_cap_of_a_chunked_deposit(client: httpx.Client) -> None:
    client.post("/v1/cps/pin/verify", json={"pin": PIN})
    boundary = "cardbridge-test-boundary"
    head = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="file"; filename="cr.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n%PDF-1.7\n"
    ).encode()

    def body() -> Iterator[bytes]:
        yield head
        for _ in range(7 * 16):  # 7 MiB, over the deposits' cap (5 MB and the form)
            yield bytes(64 * 1024)
        yield f"\r\n--{boundary}--\r\n".encode()

    answer = client.post(
        "/v1/dmp/documents",
        content=body(),
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert "content-length" not in answer.request.headers
    assert answer.status_code == 413
    assert answer.json()["code"] == "payload_too_large"
    assert answer.json()["detail"] == (
        "The document is larger than the DMP accepts: at most 5 MB (5,000,000 bytes)."
    )
    assert client.get("/v1/dmp/journal").json() == []


def test_allowed_web_application_uses_the_dmp_routes(dmp_live: LiveServer) -> None:
    with dmp_live.client(token=False, headers={"Origin": APP_ORIGIN}) as page:
        answer = page.get("/v1/dmp/document-types")
    assert answer.status_code == 200
    assert answer.headers["access-control-allow-origin"] == APP_ORIGIN


def test_repeated_accesses_reuse_one_signed_vihf(client: httpx.Client) -> None:
    client.post("/v1/cps/pin/verify", json={"pin": PIN})
    first = access(client, consent=True).json()
    again = access(client).json()
    assert again["assertion_id"] == first["assertion_id"]
    assert again["vihf"] == first["vihf"]
    emergency = access(client, mode="bris_de_glace", reason="Patient inconscient aux urgences")
    assert emergency.json()["assertion_id"] != first["assertion_id"]  # another mode
    records = client.get("/v1/dmp/journal").json()
    assert [r["details"]["vihf_reused"] for r in records] == [False, True, False]
    assert records[1]["details"]["vihf_id"] == first["assertion_id"]
