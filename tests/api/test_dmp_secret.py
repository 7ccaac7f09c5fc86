"""Secret access to a minor's DMP ("connexion secrète") through the API, the CLI and the
Python client, against the offline DMP: the DMP must see the VIHF's confidentiality code on
the access and on the transactions made in it. What the DMP saw is read from its own trace
table (sqlite3), the seed says who is a minor (cardbridge/sandbox/seeds/default.yaml)."""

from __future__ import annotations

import json
import sqlite3

import httpx
import pytest
from lxml import etree

from cardbridge.cli import main
from cardbridge.client import CardBridgeClient
from cardbridge.dmp.patients import PatientSelector
from cardbridge.errors import InvalidInputError
from cardbridge.sandbox.store import DATABASE_NAME
from testkit.dmp_sandbox import RunningSandbox
from testkit.server import TOKEN, LiveServer
from tests.support.dmp_fixtures import LOUISE, PIERRE

SECRET_CODE = "INVISIBLE_REPRESENTANTS_LEGAUX"
CONFIDENTIALITY = "urn:oasis:names:tc:xspa:1.0:resource:patient:hl7:confidentiality-code"


def _traces(sandbox: RunningSandbox, ins: str) -> list[tuple[str, str | None]]:
    """(transaction, audience) of each request the offline DMP traced about ``ins``."""
    connection = sqlite3.connect(sandbox.data_dir / DATABASE_NAME)
    try:
        return connection.execute(
            "SELECT transaction_, audience FROM trace WHERE ins = ? ORDER BY id", (ins,)
        ).fetchall()
    finally:
        connection.close()


def _confidentiality(vihf: str) -> list[str]:
    assertion = etree.fromstring(vihf.encode())
    return [
        "".join(value.itertext())
        for attribute in assertion.iter("{*}Attribute")
        if attribute.get("Name") == CONFIDENTIALITY
        for value in attribute.iter("{*}AttributeValue")
    ]


def test_a_secret_access_and_its_documents_are_hidden_from_the_legal_representatives(
    clinician: httpx.Client, dmp: RunningSandbox
) -> None:
    body = {"situation": 0, "patient": {"ins": LOUISE}, "consent": True, "secret": True}
    opened = clinician.post("/v1/dmp/access", json=body)
    assert opened.status_code == 200, opened.text
    answer = opened.json()
    assert answer["secret"] is True
    assert any(SECRET_CODE in value for value in _confidentiality(answer["vihf"]))
    listed = clinician.get("/v1/dmp/documents", params={"patient": LOUISE})
    assert listed.status_code == 200, listed.text
    # The status asked again after the access (as the page does) stays secret too.
    assert clinician.get("/v1/dmp/status", params={"patient": LOUISE}).status_code == 200
    traces = _traces(dmp, LOUISE)
    # TD0.2, TD0.3 (the consent adds the authorization), TD3.1 in the access, TD0.2.
    assert [transaction for transaction, _ in traces] == ["TD0.2", "TD0.3", "TD3.1", "TD0.2"]
    assert {audience for _, audience in traces} == {SECRET_CODE}
    journal = clinician.get("/v1/dmp/journal", params={"patient": LOUISE}).json()
    assert journal[0]["details"]["secret"] is True


def test_a_normal_access_states_no_restriction(
    clinician: httpx.Client, dmp: RunningSandbox
) -> None:
    opened = clinician.post(
        "/v1/dmp/access", json={"situation": 0, "patient": {"ins": LOUISE}, "consent": True}
    )
    assert opened.status_code == 200, opened.text
    assert opened.json()["secret"] is False
    assert _confidentiality(opened.json()["vihf"]) == []
    assert {audience for _, audience in _traces(dmp, LOUISE)} == {None}


def test_an_adult_on_the_vitale_card_gets_no_secret_access(
    clinician: httpx.Client, dmp: RunningSandbox
) -> None:
    # Beneficiary 0 of the demo Vitale card is Pierre, born in 1955.
    body = {"situation": 0, "patient": {"vitale": {"beneficiary": 0}}, "secret": True}
    refused = clinician.post("/v1/dmp/access", json=body)
    assert refused.status_code == 422, refused.text
    assert refused.json()["field"] == "secret"
    assert "open the DMP without it" in refused.json()["detail"]
    assert _traces(dmp, PIERRE) == []  # refused before anything reached the DMP


@pytest.mark.parametrize("given", ["yes", 1, "true"])
def test_only_json_true_asks_for_a_secret_access(clinician: httpx.Client, given: object) -> None:
    body = {"situation": 0, "patient": {"ins": LOUISE}, "consent": True, "secret": given}
    answer = clinician.post("/v1/dmp/access", json=body)
    assert answer.status_code == 422, answer.text


def test_the_cli_and_the_client_ask_for_it(
    dmp_live: LiveServer,
    clinician: httpx.Client,
    dmp: RunningSandbox,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("CARDBRIDGE_API_TOKEN", TOKEN)
    capsys.readouterr()
    arguments = ["dmp", "access", LOUISE, "--consent", "--secret", "--url", dmp_live.url]
    assert main([*arguments, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["secret"] is True
    assert main(arguments) == 0
    assert "hidden from the legal representatives" in capsys.readouterr().out
    assert {audience for _, audience in _traces(dmp, LOUISE)} == {SECRET_CODE}
    with CardBridgeClient(dmp_live.url, token=TOKEN, timeout=60) as bridge:
        opened = bridge.dmp_access(0, PatientSelector(ins=LOUISE), consent=True, secret=True)
        assert opened.secret is True
        with pytest.raises(InvalidInputError) as refused:
            bridge.dmp_access(0, PatientSelector(vitale={"beneficiary": 0}), secret=True)
        assert refused.value.field == "secret"
