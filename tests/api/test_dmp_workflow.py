"""The DMP workflow through the API, against the offline DMP over mutual TLS with the
demo CPS: each route a real transaction. Expected values come from the sandbox's seed
(cardbridge/sandbox/seeds/default.yaml) and its own records, not from the client."""

from __future__ import annotations

import io

import httpx
import pytest
from lxml import html
from PIL import Image

from cardbridge.layouts.cps import KeyReference
from testkit.dmp_card_credentials import card_key
from testkit.dmp_documents import minimal_pdf
from testkit.dmp_sandbox import RunningSandbox
from tests.api.conftest import CPS, PIN, Demo
from tests.support.dmp_fixtures import LOUISE, LUC, PIERRE, SOPHIE

REASON = "Patient inconscient, régulation SAMU"


def open_dmp(client: httpx.Client, ins: str, **body: object) -> httpx.Response:
    return client.post("/v1/dmp/access", json={"situation": 0, "patient": {"ins": ins}, **body})


def test_status_of_pierre_as_his_treating_physician(clinician: httpx.Client) -> None:
    answer = clinician.get("/v1/dmp/status", params={"patient": PIERRE})
    assert answer.status_code == 200, answer.text
    status = answer.json()
    # The seed: an active DMP, the demo CPS authorized as treating physician.
    assert status["state"] == "active"
    assert status["authorization"] == "VALIDE"
    assert status["treating_physician"] is True


def test_status_of_a_closed_dmp_and_of_none(clinician: httpx.Client) -> None:
    closed = clinician.get("/v1/dmp/status", params={"patient": SOPHIE}).json()
    assert closed["state"] == "closed"
    assert closed["closed_on"].startswith("2025-11-30")
    assert clinician.get("/v1/dmp/status", params={"patient": LUC}).json()["state"] == "absent"


def test_status_needs_the_callers_pin_session(dmp_live: object, api: httpx.Client) -> None:
    answer = api.get("/v1/dmp/status", params={"patient": PIERRE})
    assert answer.status_code == 403
    assert answer.json()["code"] == "pin_required"


def test_access_needs_consent_where_the_dmp_has_no_authorization(
    clinician: httpx.Client,
) -> None:
    refused = open_dmp(clinician, LOUISE, mode="normal")
    assert refused.status_code == 403, refused.text
    assert refused.json()["code"] == "consent_required"
    # Nothing was added: the DMP still has no authorization of the demo CPS.
    status = clinician.get("/v1/dmp/status", params={"patient": LOUISE}).json()
    assert status["authorization"] == "NON_EXISTE"

    opened = open_dmp(clinician, LOUISE, mode="normal", consent=True)
    assert opened.status_code == 200, opened.text
    answer = opened.json()
    assert answer["authorization_added"] is True
    assert answer["dmp"]["authorization"] == "NON_EXISTE"  # what TD0.2 said before TD0.3
    # The DMP now holds the authorization (TD0.2 again, and TD1.6).
    status = clinician.get("/v1/dmp/status", params={"patient": LOUISE}).json()
    assert status["authorization"] == "VALIDE"
    listed = clinician.get("/v1/dmp/authorizations", params={"patient": LOUISE}).json()
    assert "899700735741" in {entry["national_id"] for entry in listed}


def test_the_dmps_authorization_wins_over_an_empty_journal(clinician: httpx.Client) -> None:
    # The journal has no access to Pierre's DMP (the local rule asks consent), but the DMP
    # says the demo CPS is authorized: the DMP's answer wins.
    opened = open_dmp(clinician, PIERRE, mode="normal")
    assert opened.status_code == 200, opened.text
    answer = opened.json()
    assert answer["authorization_added"] is False
    assert answer["dmp"]["authorization"] == "VALIDE"
    journal = clinician.get("/v1/dmp/journal", params={"patient": PIERRE}).json()
    assert journal[0]["details"]["dmp_authorization"] == "VALIDE"


def test_documents_need_the_dmp_opened_first(clinician: httpx.Client) -> None:
    answer = clinician.get("/v1/dmp/documents", params={"patient": PIERRE})
    assert answer.status_code == 409
    assert answer.json()["code"] == "dmp_access_required"


def test_documents_list_and_filters(clinician: httpx.Client) -> None:
    assert open_dmp(clinician, PIERRE).status_code == 200
    listed = clinician.get("/v1/dmp/documents", params={"patient": PIERRE})
    assert listed.status_code == 200, listed.text
    titles = {entry["title"] for entry in listed.json()}
    # The seed's four documents of Pierre: the treating physician sees them all.
    assert titles == {
        "Compte rendu de consultation",
        "Synthèse d'hospitalisation",
        "Compte rendu de biologie",
        "Plan de soins infirmiers",
    }
    by_type = clinician.get(
        "/v1/dmp/documents", params={"patient": PIERRE, "type": "11502-2"}
    ).json()
    assert [entry["title"] for entry in by_type] == ["Compte rendu de biologie"]
    recent = clinician.get(
        "/v1/dmp/documents", params={"patient": PIERRE, "from": "2026-11-01"}
    ).json()
    assert {entry["title"] for entry in recent} == {
        "Compte rendu de biologie",
        "Plan de soins infirmiers",
    }


def test_search_by_criteria_in_centre_15_mode(clinician: httpx.Client) -> None:
    criteria = {"last_name": "LE QUINIO", "first_name": "PIERRE", "sex": "M"}
    wrong_mode = clinician.post(
        "/v1/dmp/patient", json={"criteria": criteria, "situation": 0, "mode": "normal"}
    )
    assert wrong_mode.status_code == 422
    assert wrong_mode.json()["field"] == "mode"
    assert "centre 15" in wrong_mode.json()["detail"]
    found = clinician.post(
        "/v1/dmp/patient",
        json={"criteria": criteria, "situation": 0, "mode": "centre_15", "reason": REASON},
    )
    assert found.status_code == 200, found.text
    candidates = found.json()["candidates"]
    assert [c["ins"] for c in candidates] == [PIERRE]


def _jpeg() -> bytes:
    picture = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(picture, "JPEG")
    return picture.getvalue()


def _tiff() -> bytes:
    picture = io.BytesIO()
    Image.new("L", (8, 8), 128).save(picture, "TIFF")
    return picture.getvalue()


RTF = b"{\\rtf1\\ansi\\deff0 {\\fonttbl {\\f0 Helvetica;}}\\f0 Suivi.}"
FORMATS = {
    "pdf": ("cr.pdf", minimal_pdf("Compte rendu de consultation"), "application/pdf"),
    "jpeg": ("photo.jpg", _jpeg(), "image/jpeg"),
    "tiff": ("scan.tif", _tiff(), "image/tiff"),
    "rtf": (
        "cr.rtf",
        b"{\\rtf1\\ansi\\deff0 {\\fonttbl {\\f0 Helvetica;}}\\f0 Suivi.}",
        "text/rtf",
    ),
    "text": ("cr.txt", b"Suivi tensionnel, pas de changement.\n", "text/plain"),
}
FORM = {
    "situation": "0",
    "beneficiary": "0",
    "title": "Compte rendu de consultation",
    "document_date": "2026-11-20",
    "type": "11488-4",
    "event_start": "2026-11-20",
    "event_end": "2026-11-20",
    "comment": "Déposé par les tests de l'API",
}


def deposit(client: httpx.Client, **fields: str) -> httpx.Response:
    name, content, _ = FORMATS["pdf"]
    data = {**FORM, **fields}
    files = None if "text" in fields else {"file": (name, content)}
    return client.post("/v1/dmp/documents", data=data, files=files)


@pytest.mark.parametrize("kind", sorted(FORMATS))
def test_deposit_each_format_and_retrieve_it_byte_identical(
    clinician: httpx.Client, kind: str
) -> None:
    assert open_dmp(clinician, PIERRE).status_code == 200
    name, content, media_type = FORMATS[kind]
    answer = clinician.post("/v1/dmp/documents", data=FORM, files={"file": (name, content)})
    assert answer.status_code == 200, answer.text
    unique_id = answer.json()["receipt"]["unique_id"]
    listed = clinician.get("/v1/dmp/documents", params={"patient": PIERRE}).json()
    assert unique_id in {entry["unique_id"] for entry in listed}
    got = clinician.get(f"/v1/dmp/documents/{unique_id}", params={"patient": PIERRE})
    assert got.status_code == 200, got.text
    assert got.content == content
    assert got.headers["content-type"].split(";")[0] == media_type
    assert got.headers["x-dmp-wrapped-in-cda"] == "true"


def test_free_text_deposit(clinician: httpx.Client) -> None:
    assert open_dmp(clinician, PIERRE).status_code == 200
    text = "Patient vu ce jour. Poursuite du traitement.\n"
    answer = deposit(clinician, text=text)
    assert answer.status_code == 200, answer.text
    unique_id = answer.json()["receipt"]["unique_id"]
    got = clinician.get(f"/v1/dmp/documents/{unique_id}", params={"patient": PIERRE})
    assert got.content == text.encode()
    assert got.headers["content-type"].startswith("text/plain")


def test_visibility_archive_and_delete_seen_in_a_new_search(clinician: httpx.Client) -> None:
    assert open_dmp(clinician, PIERRE).status_code == 200
    unique_id = deposit(clinician).json()["receipt"]["unique_id"]
    path = f"/v1/dmp/documents/{unique_id}"

    masked = clinician.patch(path, json={"patient": PIERRE, "masked_from_professionals": True})
    assert masked.status_code == 200, masked.text
    assert masked.json()["visibility"]["masked_from_professionals"] is True
    listed = clinician.get("/v1/dmp/documents", params={"patient": PIERRE}).json()
    entry = next(e for e in listed if e["unique_id"] == unique_id)
    assert entry["visibility"]["masked_from_professionals"] is True

    archived = clinician.patch(path, json={"patient": PIERRE, "archived": True})
    assert archived.status_code == 200, archived.text
    assert archived.json()["status"] == "archived"
    current = clinician.get("/v1/dmp/documents", params={"patient": PIERRE}).json()
    assert unique_id not in {e["unique_id"] for e in current}
    old = clinician.get(
        "/v1/dmp/documents", params={"patient": PIERRE, "status": "archived"}
    ).json()
    assert unique_id in {e["unique_id"] for e in old}

    assert clinician.patch(path, json={"patient": PIERRE, "archived": False}).status_code == 200
    deleted = clinician.delete(path, params={"patient": PIERRE})
    assert deleted.status_code == 204, deleted.text
    every = clinician.get("/v1/dmp/documents", params={"patient": PIERRE, "status": "all"})
    # Only the version the mask replaced is left in the list, as replaced (deprecated).
    left = {e["status"] for e in every.json() if e["unique_id"] == unique_id}
    assert left == {"deprecated"}


def test_a_dmp_refusal_comes_with_its_code_and_text(clinician: httpx.Client) -> None:
    assert open_dmp(clinician, PIERRE).status_code == 200
    answer = clinician.get("/v1/dmp/documents/1.2.250.1.999.404", params={"patient": PIERRE})
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert problem["code"] == "dmp_refused"
    assert problem["transaction"] == "TD3.2"
    assert problem["dmp_code"].startswith("XDS")
    assert problem["dmp_text"]


def access_history(sandbox: RunningSandbox, ins: str) -> list[str]:
    """The rows of the access history the sandbox's patient page shows, as text."""
    page = httpx.get(f"{sandbox.pages_url}/patients/{ins}", timeout=10)
    assert page.status_code == 200
    table = html.fromstring(page.text).xpath("//table[@aria-label='Historique des accès']")
    rows = table[0].xpath(".//tr[td]") if table else []
    return [" ".join(cell.text_content().strip() for cell in row.xpath("td")) for row in rows]


def test_an_emergency_access_with_its_reason_seen_by_the_dmp(
    clinician: httpx.Client, dmp: RunningSandbox
) -> None:
    no_reason = open_dmp(clinician, LOUISE, mode="bris_de_glace")
    assert no_reason.status_code == 422
    assert no_reason.json()["field"] == "reason"
    opened = open_dmp(clinician, LOUISE, mode="bris_de_glace", reason=REASON)
    assert opened.status_code == 200, opened.text
    assert opened.json()["authorization_added"] is False  # no consent asked, none added
    (row,) = [row for row in access_history(dmp, LOUISE) if REASON in row]
    assert "urgence" in row.lower() or "bris de glace" in row.lower()
    # The documents are read in that mode, with that reason (the VIHF is reused).
    assert clinician.get("/v1/dmp/documents", params={"patient": LOUISE}).status_code == 200
    journal = clinician.get("/v1/dmp/journal", params={"patient": LOUISE}).json()
    assert journal[0]["details"]["mode"] == "bris_de_glace"
    assert journal[0]["details"]["reason"] == REASON


def test_the_card_signs_one_vihf_per_patient_and_mode_and_one_tls_handshake(
    clinician: httpx.Client, demo: Demo
) -> None:
    authentication = card_key(demo.cps.card, KeyReference.AUTHENTICATION)
    signature = card_key(demo.cps.card, KeyReference.SIGNATURE)
    tls, vihfs = authentication.signatures, signature.signatures

    assert clinician.get("/v1/dmp/status", params={"patient": PIERRE}).status_code == 200
    assert (authentication.signatures, signature.signatures) == (tls + 1, vihfs + 1)
    # Pierre, normal mode, the same caller: the same VIHF, the same TLS session.
    assert open_dmp(clinician, PIERRE).status_code == 200
    assert clinician.get("/v1/dmp/documents", params={"patient": PIERRE}).status_code == 200
    assert (authentication.signatures, signature.signatures) == (tls + 1, vihfs + 1)
    # Another patient: a new VIHF; another mode for Pierre: another one.
    assert clinician.get("/v1/dmp/status", params={"patient": LOUISE}).status_code == 200
    assert open_dmp(clinician, PIERRE, mode="bris_de_glace", reason=REASON).status_code == 200
    assert (authentication.signatures, signature.signatures) == (tls + 1, vihfs + 3)


def test_the_pin_session_ending_forgets_the_signed_vihfs(
    clinician: httpx.Client, demo: Demo
) -> None:
    signature = card_key(demo.cps.card, KeyReference.SIGNATURE)
    assert clinician.get("/v1/dmp/status", params={"patient": PIERRE}).status_code == 200
    signed = signature.signatures
    assert clinician.delete("/v1/cps/pin/session").status_code == 204
    assert clinician.post("/v1/cps/pin/verify", json={"pin": PIN}).status_code == 200
    assert clinician.get("/v1/dmp/status", params={"patient": PIERRE}).status_code == 200
    assert signature.signatures == signed + 1
    # The opened DMPs went with the session too.
    answer = clinician.get("/v1/dmp/documents", params={"patient": PIERRE})
    assert answer.json()["code"] == "dmp_access_required"


def test_the_card_leaving_forgets_the_vihfs_and_the_connection(
    clinician: httpx.Client, demo: Demo
) -> None:
    authentication = card_key(demo.cps.card, KeyReference.AUTHENTICATION)
    signature = card_key(demo.cps.card, KeyReference.SIGNATURE)
    assert clinician.get("/v1/dmp/status", params={"patient": PIERRE}).status_code == 200
    tls, vihfs = authentication.signatures, signature.signatures
    demo.backend.remove(CPS)
    demo.backend.insert(CPS, demo.cps)  # the same card again
    assert clinician.post("/v1/cps/pin/verify", json={"pin": PIN}).status_code == 200
    assert clinician.get("/v1/dmp/status", params={"patient": PIERRE}).status_code == 200
    # A new TLS session and a new VIHF: nothing signed before the removal was reused.
    assert (authentication.signatures, signature.signatures) == (tls + 1, vihfs + 1)


def test_a_dmp_that_cannot_be_opened_said_in_french_by_default(clinician: httpx.Client) -> None:
    """The seed: Sophie's DMP closed on 30 November 2025, Luc without one."""
    french = {"Accept-Language": "fr"}
    closed = clinician.post(
        "/v1/dmp/access",
        json={"situation": 0, "patient": {"ins": SOPHIE}},
        headers=french,
    )
    assert closed.status_code == 404, closed.text
    assert closed.json()["detail"] == (
        "Le DMP de ce patient a été fermé le 30/11/2025 : il ne peut pas être ouvert."
    )
    assert open_dmp(clinician, SOPHIE).json()["detail"] == (
        "This patient's DMP was closed on 30/11/2025: it cannot be opened."
    )
    absent = clinician.post(
        "/v1/dmp/access", json={"situation": 0, "patient": {"ins": LUC}}, headers=french
    )
    assert absent.status_code == 404, absent.text
    assert absent.json()["detail"] == (
        "Ce patient n'a pas de DMP (le DMP a répondu à TD0.2 : introuvable)."
    )


def test_a_period_ending_before_it_starts_said_in_both_languages(
    clinician: httpx.Client,
) -> None:
    assert open_dmp(clinician, PIERRE).status_code == 200
    period = {"patient": PIERRE, "from": "2026-11-02", "to": "2026-11-01"}
    answers = {
        language: clinician.get(
            "/v1/dmp/documents", params=period, headers={"Accept-Language": language}
        )
        for language in ("fr", "en")
    }
    for answer in answers.values():
        assert answer.status_code == 422, answer.text
        assert answer.json()["code"] == "invalid_request"
    assert "précède la date « from »" in answers["fr"].json()["detail"]
    assert "is before from" in answers["en"].json()["detail"]
