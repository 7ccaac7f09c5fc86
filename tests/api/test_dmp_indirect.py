"""Indirect mode through the API: an establishment's server reaching the offline DMP with
the demo structure's PKCS#12 files (exported as an integrator receives them). Expected
values come from the seed (cardbridge/sandbox/seeds/default.yaml) and from what the
sandbox holds, read by its own test client as Pierre's treating physician."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from cardbridge.dmp import connect
from cardbridge.emulator.pki_organisations import OrganisationPki
from testkit.dmp_queries import find_documents
from testkit.dmp_sandbox import Identity, RunningSandbox
from testkit.sample_files import pdf
from testkit.server import LiveServer
from tests.api.conftest import PIN, Demo, serving_dmp
from tests.support.dmp_fixtures import PIERRE, demo_doctor

__all__ = ["demo_doctor"]

REASON = "Patient inconscient, régulation SAMU"
DELETED = "urn:asip:ci-sis:2010:StatusType:Deleted"
UNIQUE_ID = "urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab"
FORM = {
    "situation": "0",
    "title": "Compte rendu des urgences",
    "document_date": "2026-11-20",
    "type": "11488-4",
    "event_start": "2026-11-20",
    "event_end": "2026-11-20",
    "practice_setting": "ETABLISSEMENT",
}
CENTRE_15 = {"situation": 0, "mode": "centre_15", "reason": REASON}


@pytest.fixture
def tls_loads(monkeypatch: pytest.MonkeyPatch) -> list[Path | None]:
    """The AUTH_CLI PKCS#12 files read, in order (the SIGN one is read apart)."""
    loads: list[Path | None] = []
    load = connect.load_structure_key

    def counted(path: Path | None, password: bytes | None, setting: str) -> connect.StructureKey:
        if setting == "dmp_structure_tls_pkcs12":
            loads.append(path)
        return load(path, password, setting)

    monkeypatch.setattr(connect, "load_structure_key", counted)
    return loads


@pytest.fixture
def structure_live(
    demo: Demo, dmp: RunningSandbox, tmp_path: Path, organisations: OrganisationPki
) -> Iterator[LiveServer]:
    tls, sign = organisations.export_demo_structure_pkcs12(tmp_path / "p12", b"pw")
    with serving_dmp(
        demo.backend,
        dmp,
        tmp_path,
        dmp_authentication="indirect",
        dmp_structure_tls_pkcs12=tls,
        dmp_structure_sign_pkcs12=sign,
        dmp_structure_pkcs12_password="pw",
        dmp_structure_sector="SA01",  # the seed's sector of the structure
    ) as server:
        yield server


@pytest.fixture
def establishment(structure_live: LiveServer) -> Iterator[httpx.Client]:
    with structure_live.client() as client:
        client.timeout = httpx.Timeout(60.0)
        answer = client.post("/v1/cps/pin/verify", json={"pin": PIN})
        assert answer.status_code == 200, answer.text
        yield client


def _open_in_centre_15(client: httpx.Client) -> None:
    opened = client.post("/v1/dmp/access", json={"patient": {"ins": PIERRE}, **CENTRE_15})
    assert opened.status_code == 200, opened.text


def _deleted(dmp: RunningSandbox, doctor: Identity) -> set[str]:
    answer = dmp.call("TD3.1", find_documents(PIERRE, (DELETED,)), doctor)
    assert answer.status == 200, answer.body
    return {
        identifier.get("value", "")
        for identifier in answer.xml().iter("{*}ExternalIdentifier")
        if identifier.get("identificationScheme") == UNIQUE_ID
    }


def test_a_structure_deletes_the_document_it_deposited(
    establishment: httpx.Client, dmp: RunningSandbox, demo_doctor: Identity
) -> None:
    _open_in_centre_15(establishment)
    # No search (TD0.5) and no Vitale card: the traits the deposit states are those the
    # DMP gave when it was opened (TD0.2).
    deposited = establishment.post(
        "/v1/dmp/documents", data={**FORM, "ins": PIERRE}, files={"file": ("cr.pdf", pdf())}
    )
    assert deposited.status_code == 200, deposited.text
    unique_id = deposited.json()["receipt"]["unique_id"]
    assert unique_id not in _deleted(dmp, demo_doctor)

    deleted = establishment.delete(f"/v1/dmp/documents/{unique_id}", params={"patient": PIERRE})
    assert deleted.status_code == 204, deleted.text
    assert unique_id in _deleted(dmp, demo_doctor)
    # Gone: a second delete finds no version to delete.
    again = establishment.delete(f"/v1/dmp/documents/{unique_id}", params={"patient": PIERRE})
    assert again.status_code == 404, again.text


def test_the_tls_context_is_built_once_for_the_pin_sessions(
    structure_live: LiveServer, tls_loads: list[Path | None]
) -> None:
    with structure_live.client() as client:
        for _ in range(2):  # two PIN sessions, each with its own DMP connection
            assert client.post("/v1/cps/pin/verify", json={"pin": PIN}).status_code == 200
            status = client.get("/v1/dmp/status", params={"patient": PIERRE})
            assert status.status_code == 200, status.text
            assert client.delete("/v1/cps/pin/session").status_code in (200, 204)
    assert len(tls_loads) == 1, tls_loads
