"""The whole DMP workflow as a workstation runs it: the emulated CPS and Vitale in pcscd
through vpcd, ``cardbridge serve`` as a process, the offline DMP over mutual TLS. Expected
values come from the sandbox's seed (cardbridge/sandbox/seeds/default.yaml), from what the
DMP received (its TLS peer certificate, the bodies, its accepted connections, its trace and
patient page), from OpenSC (pkcs15-tool) and xmlsec1 — not from cardbridge's own code."""

from __future__ import annotations

import base64
import json
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from lxml import etree

from cardbridge.emulator.factory import build_card
from cardbridge.emulator.issuance import PkiIssuer
from cardbridge.emulator.keys import KeyPool
from cardbridge.emulator.pki import TestPki
from cardbridge.emulator.pki_organisations import OrganisationPki
from cardbridge.emulator.profiles import load_profile
from cardbridge.layouts.cps import KeyReference
from cardbridge.sandbox.store import DATABASE_NAME
from testkit.dmp_card_credentials import card_key
from testkit.pcscd import VpcdSlot
from testkit.sample_files import image, pdf
from tests.api.test_dmp_workflow import access_history
from tests.dmp.transactions.test_xades import xmlsec1_verify
from tests.real.api.dmp_stack import DS, SAFE, DmpServe, RecordingSandbox, recording_sandbox
from tests.support.dmp_fixtures import LOUISE, PIERRE, organisations
from tests.support.vpcd_cards import card_in_reader
from tests.support.xmldsig import verify_xmlsec1

__all__ = ["organisations"]

PIN = "1234"
DEMO_DOCTOR = "899700735741"
AID = "E828BD080F8025000001FF0010"  # the CPS3's PKCS#15 application (docs/cps-card.md)
AUTHENTICATION_ID = AID.lower() + "02"
REASON = "Patient inconscient, régulation SAMU"
DELETED = "urn:asip:ci-sis:2010:StatusType:Deleted"
SEED_TITLES = {
    "Compte rendu de consultation",
    "Synthèse d'hospitalisation",
    "Compte rendu de biologie",
    "Plan de soins infirmiers",
}
FORMATS = {
    "pdf": ("cr.pdf", pdf(), "application/pdf"),
    "text": ("cr.txt", b"Suivi tensionnel, pas de changement.\n", "text/plain"),
    "rtf": (
        "cr.rtf",
        b"{\\rtf1\\ansi\\deff0 {\\fonttbl {\\f0 Helvetica;}}\\f0 Suivi.}",
        "text/rtf",
    ),
    "jpeg": ("photo.jpg", image("JPEG"), "image/jpeg"),
    "tiff": ("scan.tif", image("TIFF", pages=2), "image/tiff"),
}
FORM = {
    "situation": "0",
    "title": "Compte rendu de consultation",
    "document_date": "2026-11-20",
    "type": "11488-4",
    "event_start": "2026-11-20",
    "event_end": "2026-11-20",
    "comment": "Déposé par le niveau réel des tests",
}


def _pem(der: bytes) -> str:
    return x509.load_der_x509_certificate(der).public_bytes(Encoding.PEM).decode()


@pytest.fixture
def dmp_real(
    tmp_path: Path, data_dir: Path, organisations: OrganisationPki
) -> Iterator[RecordingSandbox]:
    with recording_sandbox(tmp_path / "sandbox", data_dir) as sandbox:
        yield sandbox


def _settings(tmp_path: Path, test_pki: TestPki, sandbox: RecordingSandbox) -> dict[str, str]:
    anchors, intermediates = tmp_path / "anchors.pem", tmp_path / "intermediates.pem"
    anchors.write_bytes(test_pki.trust_anchors_pem())
    intermediates.write_bytes(test_pki.intermediates_pem())
    roots = tmp_path / "dmp-roots.pem"
    roots.write_bytes(sandbox.running.trust)
    return {
        "CARDBRIDGE_TRUST_ANCHORS": str(anchors),
        "CARDBRIDGE_INTERMEDIATES": str(intermediates),
        "CARDBRIDGE_DMP_ENDPOINT": f"https://127.0.0.1:{sandbox.running.port}",
        "CARDBRIDGE_DMP_SERVER_ROOTS": str(roots),
    }


@pytest.fixture
def cards(key_pool: KeyPool, issuer: PkiIssuer) -> dict[str, object]:
    return {
        name: build_card(load_profile(name), keys=key_pool, issuer=issuer)
        for name in ("demo-cps", "demo-vitale")
    }


def _refusal(answer: httpx.Response, transaction: str) -> dict[str, str]:
    """A DMP refusal as the API shows it: the DMP's code and text, the transaction."""
    assert answer.status_code == 422, answer.text
    problem: dict[str, str] = answer.json()
    assert (problem["code"], problem["transaction"]) == ("dmp_refused", transaction)
    assert problem["dmp_code"]
    assert problem["dmp_text"]
    assert problem["dmp_code"] in problem["detail"] or problem["dmp_text"] in problem["detail"]
    return problem


def _trace(sandbox: RecordingSandbox) -> list[sqlite3.Row]:
    """The sandbox's trace table, read with sqlite3 (what its patient pages show)."""
    connection = sqlite3.connect(sandbox.running.data_dir / DATABASE_NAME)
    connection.row_factory = sqlite3.Row
    try:
        return connection.execute("SELECT * FROM trace ORDER BY id").fetchall()
    finally:
        connection.close()


def _stored_status(sandbox: RecordingSandbox, unique_id: str) -> str:
    """The status the offline DMP's database holds for the current version of a document."""
    connection = sqlite3.connect(sandbox.running.data_dir / DATABASE_NAME)
    try:
        rows = connection.execute(
            "SELECT status FROM document WHERE unique_id = ? ORDER BY rowid DESC", (unique_id,)
        ).fetchall()
    finally:
        connection.close()
    return str(rows[0][0])


def test_the_whole_workflow_over_pcscd_serve_and_mutual_tls_with_the_card(
    tmp_path: Path,
    vpcd_pair: list[VpcdSlot],
    cards: dict[str, object],
    test_pki: TestPki,
    dmp_real: RecordingSandbox,
) -> None:
    cps_slot, vitale_slot = vpcd_pair
    cps_card, vitale_card = cards["demo-cps"], cards["demo-vitale"]
    authentication = card_key(cps_card, KeyReference.AUTHENTICATION)  # type: ignore[arg-type]
    serve = DmpServe(tmp_path / "home", _settings(tmp_path, test_pki, dmp_real))
    try:
        with (
            card_in_reader(cps_slot, cps_card),  # type: ignore[arg-type]
            card_in_reader(vitale_slot, vitale_card),  # type: ignore[arg-type]
        ):
            serve.wait_seen(cps_slot)
            serve.wait_seen(vitale_slot)
            # OpenSC's reading of the card's authentication certificate, before any session.
            opensc = subprocess.run(
                [
                    "pkcs15-tool",
                    "-r",
                    cps_slot.reader,
                    "--aid",
                    AID,
                    "--read-certificate",
                    AUTHENTICATION_ID,
                ],
                capture_output=True,
                text=True,
                timeout=60,
                check=True,
            ).stdout
            with serve.client() as api:
                _workflow(
                    api, serve, cps_slot, vitale_slot, dmp_real, opensc, authentication, test_pki
                )
    finally:
        serve.stop()


def _workflow(
    api: httpx.Client,
    serve: DmpServe,
    cps_slot: VpcdSlot,
    vitale_slot: VpcdSlot,
    sandbox: RecordingSandbox,
    opensc: str,
    authentication: object,
    pki: TestPki,
) -> None:
    cps = {"reader": cps_slot.reader}
    signed_before = authentication.signatures  # type: ignore[attr-defined]
    assert api.post("/v1/cps/pin/verify", params=cps, json={"pin": PIN}).status_code == 200
    certificates = api.get("/v1/cps/certificates", params=cps).json()

    # The patient from the Vitale card, then the DMP searched by criteria (centre 15 only).
    vitale = {"beneficiary": 0, "reader": vitale_slot.reader}
    patient = api.post("/v1/dmp/patient", params=cps, json={"vitale": vitale})
    assert patient.status_code == 200, patient.text
    assert patient.json()["ins"]["value"].replace(" ", "") == PIERRE
    criteria = {"last_name": "LE QUINIO", "first_name": "PIERRE", "sex": "M"}
    wrong_mode = api.post(
        "/v1/dmp/patient", params=cps, json={"criteria": criteria, "situation": 0, "mode": "normal"}
    )
    assert (wrong_mode.status_code, wrong_mode.json()["field"]) == (422, "mode")
    found = api.post(
        "/v1/dmp/patient",
        params=cps,
        json={"criteria": criteria, "situation": 0, "mode": "centre_15", "reason": REASON},
    )
    assert found.status_code == 200, found.text
    assert [c["ins"] for c in found.json()["candidates"]] == [PIERRE]

    # The TLS client certificate the DMP saw is the card's authentication certificate, as
    # OpenSC and the API read it from the card.
    peer = sandbox.exchanges[-1].client.certificate
    assert peer is not None
    assert peer == x509.load_pem_x509_certificate(opensc.encode())
    assert peer == x509.load_pem_x509_certificate(certificates["authentication"].encode())

    status = api.get("/v1/dmp/status", params={"patient": PIERRE, **cps})
    assert status.status_code == 200, status.text
    assert (status.json()["state"], status.json()["authorization"]) == ("active", "VALIDE")
    assert status.json()["treating_physician"] is True
    cli = serve.cli("status", PIERRE, "--reader", cps_slot.reader, "--json")
    assert cli.returncode == 0, cli.stderr
    assert json.loads(cli.stdout) == status.json()

    # Consent: Louise's DMP has no authorization of the demo doctor in the seed.
    louise = {"situation": 0, "patient": {"ins": LOUISE}, "mode": "normal"}
    refused = api.post("/v1/dmp/access", params=cps, json=louise)
    assert (refused.status_code, refused.json()["code"]) == (403, "consent_required")
    consented = api.post("/v1/dmp/access", params=cps, json={**louise, "consent": True})
    assert consented.status_code == 200, consented.text
    assert consented.json()["authorization_added"] is True
    listed = api.get("/v1/dmp/authorizations", params={"patient": LOUISE, **cps}).json()
    assert DEMO_DOCTOR in {entry["national_id"] for entry in listed}

    # Pierre's documents, a deposit of each format retrieved byte-identical.
    opened = api.post(
        "/v1/dmp/access", params=cps, json={"situation": 0, "patient": {"ins": PIERRE}}
    )
    assert opened.status_code == 200, opened.text
    documents = api.get("/v1/dmp/documents", params={"patient": PIERRE, **cps})
    assert {e["title"] for e in documents.json()} == SEED_TITLES
    deposited = _deposit_each_format(api, cps)
    signature_pem = certificates["signature"]
    _check_deposits_with_xmlsec1(sandbox, signature_pem, len(deposited), pki, signature_pem)
    cli = serve.cli("documents", PIERRE, "--reader", cps_slot.reader, "--json")
    assert cli.returncode == 0, cli.stderr
    assert {e["unique_id"] for e in json.loads(cli.stdout)} >= set(deposited)

    _visibility_archive_delete(api, cps, deposited[0])
    _refusals(api, cps, sandbox)

    # An emergency access: the DMP's trace and the patient's page show its reason.
    emergency = api.post(
        "/v1/dmp/access",
        params=cps,
        json={
            "situation": 0,
            "patient": {"ins": LOUISE},
            "mode": "bris_de_glace",
            "reason": REASON,
        },
    )
    assert emergency.status_code == 200, emergency.text
    assert REASON in {row["reason"] for row in _trace(sandbox) if row["ins"] == LOUISE}
    assert [row for row in access_history(sandbox.running, LOUISE) if REASON in row]

    # One signature by the card's authentication key per TLS session the DMP accepted.
    assert authentication.signatures - signed_before == len(sandbox.connections)  # type: ignore[attr-defined]
    assert len(sandbox.connections) < len(sandbox.exchanges)  # the connection was kept


def _deposit_each_format(api: httpx.Client, cps: dict[str, str]) -> list[str]:
    unique_ids = []
    for name, content, media_type in FORMATS.values():
        answer = api.post(
            "/v1/dmp/documents",
            params=cps,
            data={**FORM, "ins": PIERRE},
            files={"file": (name, content)},
        )
        assert answer.status_code == 200, answer.text
        unique_id = answer.json()["receipt"]["unique_id"]
        got = api.get(f"/v1/dmp/documents/{unique_id}", params={"patient": PIERRE, **cps})
        assert got.status_code == 200, got.text
        assert got.content == content
        assert got.headers["content-type"].split(";")[0] == media_type
        unique_ids.append(unique_id)
    return unique_ids


def _check_deposits_with_xmlsec1(
    sandbox: RecordingSandbox, signature_pem: str, count: int, pki: TestPki, author_pem: str
) -> None:
    """Each TD2.1 the DMP received: its VIHF verifies with xmlsec1 and ``signature_pem``'s
    key; its XAdES signature document, made by ``author_pem`` (the card's signature
    certificate), with xmlsec1 trusting the test root, the manifest's digests recomputed
    over the CDA the DMP received."""
    deposits = sandbox.deposits()
    assert len(deposits) == count
    for exchange in deposits:
        assert verify_xmlsec1(exchange.vihf(), signature_pem)
        parts = exchange.attachments()
        ((signature_cid, signature),) = [
            (cid, data)
            for cid, data in parts.items()
            if etree.fromstring(data, SAFE).tag == f"{{{DS}}}Signature"
        ]
        manifest = etree.fromstring(signature, SAFE).iter(f"{{{DS}}}Manifest")
        uris = [ref.get("URI", "") for m in manifest for ref in m.iter(f"{{{DS}}}Reference")]
        others = [data for cid, data in parts.items() if cid != signature_cid]
        assert len(uris) == len(others) == 1
        documents = {uris[0].removeprefix("urn:oid:"): others[0]}
        result = xmlsec1_verify(signature, pki, documents)
        assert result.returncode == 0, result.stderr
        (signer,) = etree.fromstring(signature, SAFE).iter(f"{{{DS}}}X509Certificate")
        author = x509.load_pem_x509_certificate(author_pem.encode())
        assert x509.load_der_x509_certificate(base64.b64decode(signer.text or "")) == author


def _visibility_archive_delete(api: httpx.Client, cps: dict[str, str], unique_id: str) -> None:
    path = f"/v1/dmp/documents/{unique_id}"
    masked = api.patch(
        path, params=cps, json={"patient": PIERRE, "masked_from_professionals": True}
    )
    assert masked.status_code == 200, masked.text
    listed = api.get("/v1/dmp/documents", params={"patient": PIERRE, **cps}).json()
    (entry,) = [e for e in listed if e["unique_id"] == unique_id]
    assert entry["visibility"]["masked_from_professionals"] is True

    archived = api.patch(path, params=cps, json={"patient": PIERRE, "archived": True})
    assert archived.status_code == 200, archived.text
    current = api.get("/v1/dmp/documents", params={"patient": PIERRE, **cps}).json()
    assert unique_id not in {e["unique_id"] for e in current}
    old = api.get(
        "/v1/dmp/documents", params={"patient": PIERRE, "status": "archived", **cps}
    ).json()
    assert unique_id in {e["unique_id"] for e in old}

    assert api.patch(path, params=cps, json={"patient": PIERRE, "archived": False}).is_success
    deleted = api.delete(path, params={"patient": PIERRE, **cps})
    assert deleted.status_code == 204, deleted.text
    every = api.get("/v1/dmp/documents", params={"patient": PIERRE, "status": "all", **cps})
    assert {e["status"] for e in every.json() if e["unique_id"] == unique_id} == {"deprecated"}


def _refusals(api: httpx.Client, cps: dict[str, str], sandbox: RecordingSandbox) -> None:
    """Each DMP refusal reaches the API with the DMP's own code and text: the code the DMP
    wrote in its trace for that request."""
    unknown = "1.2.250.1.999.404"
    retrieve = api.get(f"/v1/dmp/documents/{unknown}", params={"patient": PIERRE, **cps})
    assert _refusal(retrieve, "TD3.2")["dmp_code"] == _trace(sandbox)[-1]["result"]
    # A change to an unknown document: the bridge finds none in the list (TD3.1) first.
    change = api.patch(
        f"/v1/dmp/documents/{unknown}", params=cps, json={"patient": PIERRE, "archived": True}
    )
    assert (change.status_code, change.json()["code"]) == (404, "not_found")

    # Louise's seed document was written by another professional: the demo doctor, only
    # authorized by her consent, may neither delete nor archive it (the rights service).
    (other,) = api.get("/v1/dmp/documents", params={"patient": LOUISE, **cps}).json()
    path = f"/v1/dmp/documents/{other['unique_id']}"
    deleted = _refusal(api.delete(path, params={"patient": LOUISE, **cps}), "TD3.3")
    assert deleted["dmp_code"] == _trace(sandbox)[-1]["result"]
    assert "delete" in deleted["dmp_text"]
    archived = _refusal(
        api.patch(path, params=cps, json={"patient": LOUISE, "archived": True}), "TD3.3"
    )
    assert archived["dmp_code"] == _trace(sandbox)[-1]["result"]
    assert "archive" in archived["dmp_text"]


def test_indirect_mode_with_the_structures_certificates(
    tmp_path: Path,
    vpcd_slot: VpcdSlot,
    cards: dict[str, object],
    test_pki: TestPki,
    organisations: OrganisationPki,
    dmp_real: RecordingSandbox,
) -> None:
    """An establishment's server: TLS and the VIHF by the demo structure's PKCS#12 files
    (exported as an integrator receives them); the card signs nothing for the DMP."""
    password = "mot de passe du PKCS#12"
    tls, sign = organisations.export_demo_structure_pkcs12(tmp_path / "p12", password.encode())
    settings = {
        **_settings(tmp_path, test_pki, dmp_real),
        "CARDBRIDGE_DMP_AUTHENTICATION": "indirect",
        "CARDBRIDGE_DMP_STRUCTURE_TLS_PKCS12": str(tls),
        "CARDBRIDGE_DMP_STRUCTURE_SIGN_PKCS12": str(sign),
        "CARDBRIDGE_DMP_STRUCTURE_PKCS12_PASSWORD": password,
        "CARDBRIDGE_DMP_STRUCTURE_SECTOR": "SA01",  # the seed's sector of the structure
    }
    cps_card = cards["demo-cps"]
    authentication = card_key(cps_card, KeyReference.AUTHENTICATION)  # type: ignore[arg-type]
    structure = organisations.demo_structure
    serve = DmpServe(tmp_path / "home", settings)
    try:
        with card_in_reader(vpcd_slot, cps_card):  # type: ignore[arg-type]
            serve.wait_seen(vpcd_slot)
            cps = {"reader": vpcd_slot.reader}
            with serve.client() as api:
                signed_before = authentication.signatures
                assert api.post("/v1/cps/pin/verify", params=cps, json={"pin": PIN}).is_success
                certificates = api.get("/v1/cps/certificates", params=cps).json()
                card_signature = certificates["signature"]
                status = api.get("/v1/dmp/status", params={"patient": PIERRE, **cps})
                assert status.status_code == 200, status.text
                # A structure may not add its authorization (TD0.3): centre 15 mode opens
                # the DMP without one; the structure may deposit, not read (PDT-INF-526).
                access = {
                    "situation": 0,
                    "patient": {"ins": PIERRE},
                    "mode": "centre_15",
                    "reason": REASON,
                }
                opened = api.post("/v1/dmp/access", params=cps, json=access)
                assert opened.status_code == 200, opened.text
                # A search by traits (TD0.5), allowed to a structure in centre 15 mode.
                search = {
                    "criteria": {"last_name": "LE QUINIO", "first_name": "PIERRE", "sex": "M"},
                    **{k: access[k] for k in ("situation", "mode", "reason")},
                }
                found = api.post("/v1/dmp/patient", params=cps, json=search)
                assert [c["ins"] for c in found.json()["candidates"]] == [PIERRE], found.text
                answer = api.post(
                    "/v1/dmp/documents",
                    params=cps,
                    data={**FORM, "ins": PIERRE},
                    files={"file": ("cr.pdf", pdf())},
                )
                assert answer.status_code == 200, answer.text
                unique_id = answer.json()["receipt"]["unique_id"]
                path = f"/v1/dmp/documents/{unique_id}"
                read = api.get(path, params={"patient": PIERRE, **cps})
                assert _refusal(read, "TD3.2")["dmp_code"] == _trace(dmp_real)[-1]["result"]
                # The structure deletes its document, found by reference searches only.
                deleted = api.delete(path, params={"patient": PIERRE, **cps})
                assert deleted.status_code == 204, deleted.text
                last = [(r["transaction_"], r["result"]) for r in _trace(dmp_real)[-3:]]
                assert last == [("TD3.1", "OK"), ("TD3.1", "OK"), ("TD3.3", "OK")]
                assert _stored_status(dmp_real, unique_id) == DELETED
                assert authentication.signatures == signed_before
    finally:
        serve.stop()
    peers = {exchange.client.certificate for exchange in dmp_real.exchanges}
    assert peers == {structure.authentication.certificate}
    sign_pem = structure.signature.certificate.public_bytes(Encoding.PEM).decode()
    for exchange in dmp_real.exchanges:
        assert verify_xmlsec1(exchange.vihf(), sign_pem)
    # The document is still signed by its author's card (the CPS signature key).
    _check_deposits_with_xmlsec1(dmp_real, sign_pem, 1, test_pki, card_signature)
    modes = {row["authentication_mode"] for row in _trace(dmp_real) if row["ins"] == PIERRE}
    assert modes == {"INDIRECTE"}
