"""The DMP workflow from a shell (``cardbridge dmp …``) and from Python
(:class:`~cardbridge.client.CardBridgeClient`), through a running bridge and the offline
DMP: the CLI's ``--json`` is the API's JSON, the client's methods return the API's models."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import httpx
import pytest

from cardbridge.cli import main
from cardbridge.client import CardBridgeClient
from cardbridge.dmp.access import AccessMode
from cardbridge.dmp.documents import DepositForm
from cardbridge.dmp.patients import IdentityCriteria, PatientSelector
from cardbridge.errors import DmpAccessRequiredError, DmpRefusedError
from testkit.dmp_documents import minimal_pdf
from testkit.server import TOKEN, LiveServer
from tests.support.dmp_fixtures import LOUISE, PIERRE

Run = Callable[..., tuple[int, str]]
REASON = "Régulation du centre 15, patient inconscient"


@pytest.fixture
def run(
    dmp_live: LiveServer,
    clinician: httpx.Client,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Run:
    """``cardbridge dmp ACTION …`` against the bridge; returns (exit code, stdout)."""
    monkeypatch.setenv("CARDBRIDGE_API_TOKEN", TOKEN)

    def run(action: str, *arguments: str) -> tuple[int, str]:
        capsys.readouterr()
        code = main(["dmp", action, "--url", dmp_live.url, *arguments])
        return code, capsys.readouterr().out

    return run


def test_cli_json_is_the_apis_json(run: Run, clinician: httpx.Client) -> None:
    code, out = run("status", PIERRE, "--json")
    assert code == 0
    assert json.loads(out) == clinician.get("/v1/dmp/status", params={"patient": PIERRE}).json()

    code, out = run(
        "search",
        "--last-name",
        "LE QUINIO",
        "--first-name",
        "LOUISE",
        "--sex",
        "F",
        "--reason",
        REASON,
        "--json",
    )
    assert code == 0
    criteria = {"last_name": "LE QUINIO", "first_name": "LOUISE", "sex": "F"}
    api = clinician.post(
        "/v1/dmp/patient",
        json={"criteria": criteria, "situation": 0, "mode": "centre_15", "reason": REASON},
    ).json()
    assert json.loads(out) == api["candidates"]
    assert [candidate["ins"] for candidate in api["candidates"]] == [LOUISE]

    code, _ = run("access", PIERRE)
    assert code == 0
    code, out = run("documents", PIERRE, "--from", "2026-11-01", "--json")
    assert code == 0
    listed = clinician.get("/v1/dmp/documents", params={"patient": PIERRE, "from": "2026-11-01"})
    assert json.loads(out) == listed.json()
    assert len(listed.json()) == 2  # the seed's two documents of November


def test_cli_deposit_get_archive_delete(run: Run, tmp_path: Path) -> None:
    assert run("documents", PIERRE)[0] == 1  # the DMP is not opened yet
    assert run("access", PIERRE)[0] == 0
    text = "Texte libre écrit dans le formulaire.\n"
    code, out = run(
        "deposit",
        "--beneficiary",
        "0",
        "--text",
        text,
        "--title",
        "Note",
        "--type",
        "11488-4",
        "--date",
        "2026-11-20",
        "--event-start",
        "2026-11-20",
        "--json",
    )
    assert code == 0, out
    unique_id = json.loads(out)["receipt"]["unique_id"]
    target = tmp_path / "note.txt"
    assert run("get", PIERRE, unique_id, "-o", str(target))[0] == 0
    assert target.read_text(encoding="utf-8") == text
    code, out = run("get", PIERRE, unique_id, "--json")
    assert code == 0, out
    document = json.loads(out)
    # The content in standard base64, the rest as the API's headers say.
    assert base64.b64decode(document["content"], validate=True) == text.encode()
    assert document["unique_id"] == unique_id
    assert document["media_type"] == "text/plain"
    assert document["wrapped_in_cda"] is True
    code, out = run("archive", PIERRE, unique_id, "--json")
    assert code == 0
    assert json.loads(out)["status"] == "archived"
    assert run("archive", PIERRE, unique_id, "--undo")[0] == 0
    assert run("delete", PIERRE, unique_id)[0] == 0
    code, out = run("documents", PIERRE, "--json")
    assert unique_id not in {entry["unique_id"] for entry in json.loads(out)}


def test_the_client_methods(dmp_live: LiveServer, clinician: httpx.Client) -> None:
    with CardBridgeClient(dmp_live.url, token=TOKEN, timeout=60) as bridge:
        assert bridge.dmp_status(LOUISE).authorization is not None
        criteria = IdentityCriteria(last_name="LE QUINIO", first_name="PIERRE", sex="M")
        assert [c.ins for c in bridge.search_patients(0, criteria, REASON)] == [PIERRE]
        with pytest.raises(DmpAccessRequiredError):
            bridge.documents(PIERRE)
        opened = bridge.dmp_access(0, PatientSelector(ins=PIERRE))
        assert opened.dmp.treating_physician is True
        assert len(bridge.documents(PIERRE)) == 4  # the seed's four documents of Pierre
        content = minimal_pdf("Compte rendu")
        form = DepositForm(
            title="CR",
            document_date=date(2026, 11, 20),
            type="11488-4",
            event_start=date(2026, 11, 20),
        )
        answer = bridge.deposit(0, form, content=content, filename="cr.pdf", beneficiary=0)
        unique_id = answer.receipt.unique_id
        got = bridge.document(PIERRE, unique_id)
        assert (got.content, got.media_type, got.wrapped_in_cda) == (
            content,
            "application/pdf",
            True,
        )
        masked = bridge.change_document(PIERRE, unique_id, masked=True)
        assert masked.visibility.masked_from_professionals is True
        bridge.delete_document(PIERRE, unique_id)
        assert unique_id not in {e.unique_id for e in bridge.documents(PIERRE)}
        names = {a.national_id for a in bridge.authorizations(PIERRE)}
        assert "899700735741" in names
        assert PIERRE in {p.ins for p in bridge.dmp_patients()}
        with pytest.raises(DmpRefusedError) as refused:
            bridge.document(PIERRE, "1.2.250.1.999.404")
        assert refused.value.dmp_code.startswith("XDS")
        assert refused.value.transaction == "TD3.2"
        emergency = bridge.dmp_access(
            0, PatientSelector(ins=LOUISE), mode=AccessMode.EMERGENCY, reason=REASON
        )
        assert emergency.mode is AccessMode.EMERGENCY
