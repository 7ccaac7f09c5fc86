"""OpenSC reads the emulated CPS3 as it reads a real one: PKCS#15 through pcscd, PKCS#11.

Expected values come from OpenSC's own output (pkcs15-tool, pkcs11-tool) and from the
certificates, checked with ``cryptography``; the bridge's view is read over the same
pcscd. See docs/cps-card.md for what a real CPS3 shows and why.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.serialization import Encoding

from cardbridge.cards.cps import CpsCertificates, CpsSession
from cardbridge.cards.models import Practitioner, Situation
from cardbridge.emulator.factory import build_card
from cardbridge.emulator.issuance import PkiIssuer
from cardbridge.emulator.keys import KeyPool
from cardbridge.emulator.pki import TestPki
from cardbridge.emulator.profiles import CpsProfile, load_profile
from cardbridge.pcsc.backend import PcscBackend
from cardbridge.service.pin_guard import FIRST_DELAY as PIN_WAIT
from testkit.pcscd import VpcdSlot
from testkit.serve_process import ServeProcess, free_port
from tests.support.pkcs11_probe import MESSAGE
from tests.support.vpcd_cards import card_in_reader, wait_atr

MODULE = "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so"
AID = "E828BD080F8025000001FF0010"
SIGNATURE_ID = AID.lower() + "01"
AUTHENTICATION_ID = AID.lower() + "02"
SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")
ORIGIN = "https://dmp.example"
INS = "295109912611193"


@dataclass
class InsertedCps:
    reader: str
    pin: str
    certificates: CpsCertificates

    def tries_left(self) -> int:
        with PcscBackend().connect(self.reader) as connection:
            return CpsSession(connection).pin_status().tries_left


@pytest.fixture
def cps_card(vpcd_slot: VpcdSlot, key_pool: KeyPool, issuer: PkiIssuer) -> Iterator[InsertedCps]:
    """The demo CPS3 in a vpcd reader, with the certificates the bridge reads from it."""
    profile = load_profile("demo-cps")
    assert isinstance(profile, CpsProfile)
    card = build_card(profile, keys=key_pool, issuer=issuer)
    with card_in_reader(vpcd_slot, card):
        wait_atr(vpcd_slot.reader, card.atr)
        with PcscBackend().connect(vpcd_slot.reader) as connection:
            certificates = CpsSession(connection).certificates()
        yield InsertedCps(vpcd_slot.reader, profile.pin, certificates)


def run(*command: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    out = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    if ok:
        assert out.returncode == 0, out.stdout + out.stderr
    return out


def pkcs11(card: InsertedCps, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    """pkcs11-tool on the slot of ``card``'s reader (other runs may fill other readers)."""
    return run("pkcs11-tool", "--module", MODULE, "--slot-description", card.reader, *args, ok=ok)


def blocks(listing: str) -> dict[str, dict[str, str]]:
    """``pkcs15-tool -D`` output: ``{"Kind [label]": {field: value}}``."""
    found: dict[str, dict[str, str]] = {}
    current: dict[str, str] | None = None
    for line in listing.splitlines():
        if line and not line[0].isspace() and "[" in line:
            current = found.setdefault(line.strip(), {})
        elif current is not None and ":" in line and line.startswith("\t"):
            key, _, value = line.strip().partition(":")
            current[key.strip()] = value.strip()
    return found


def test_pkcs15_tool_lists_pin_keys_and_certificates(cps_card: InsertedCps) -> None:
    listing = blocks(run("pkcs15-tool", "-r", cps_card.reader, "--aid", AID, "-D").stdout)
    pin = listing["PIN [Code porteur de la carte CPX]"]
    assert (pin["Reference"], pin["Auth ID"], pin["ID"]) == ("1 (0x01)", "02", "01")
    assert "PIN [Code de deblocage de la carte CPX]" in listing
    signature = listing["Private RSA Key [CPS_PRIV_SIG]"]
    authentication = listing["Private RSA Key [CPS_PRIV_AUT]"]
    # The fields real CPS3 cards show (OpenSC commits 137286858 / 405ecfc40).
    assert signature["Key ref"] == "129 (0x81)"
    assert signature["Usage"] == "[0x200], nonRepudiation"
    assert signature["Access Rules"] == "pso_cds:01;"
    assert signature["ID"] == SIGNATURE_ID
    assert signature["Path"] == AID.lower() + "::"
    assert authentication["Key ref"] == "130 (0x82)"
    assert authentication["Usage"] == "[0x06], decrypt, sign"
    assert authentication["Object Flags"] == "[0x07], private, modifiable"
    assert authentication["Access Rules"] == "pso_decrypt:01; int_auth:01;"
    assert authentication["ID"] == AUTHENTICATION_ID
    assert listing["X.509 Certificate [Certificat de Signature CPS]"]["ID"] == SIGNATURE_ID
    assert (
        listing["X.509 Certificate [Certificat d'Authentification CPS]"]["ID"] == AUTHENTICATION_ID
    )


def test_pkcs15_tool_reads_the_certificates_the_bridge_reports(cps_card: InsertedCps) -> None:
    for cert_id, expected in (
        (SIGNATURE_ID, cps_card.certificates.signature),
        (AUTHENTICATION_ID, cps_card.certificates.authentication),
    ):
        pem = run(
            "pkcs15-tool", "-r", cps_card.reader, "--aid", AID, "--read-certificate", cert_id
        ).stdout
        read = x509.load_pem_x509_certificate(pem.encode())
        assert read == x509.load_der_x509_certificate(expected)


def test_pkcs15_tool_lists_the_public_data_objects(cps_card: InsertedCps) -> None:
    listing = run("pkcs15-tool", "-r", cps_card.reader, "--aid", AID, "-D").stdout
    labels = re.findall(r"^Data object '([^']+)'", listing, flags=re.MULTILINE)
    assert labels == ["CPS_ID_CARD", "CPS_NAME_PS", "CPS_INFO_PS", "CPS_ACTIVITY_01_PS"]
    # Public objects are read (their data printed), the activity is behind the PIN.
    assert listing.count("Data (") == 3


def test_pkcs11_tool_lists_the_token_and_its_objects(cps_card: InsertedCps) -> None:
    slots = pkcs11(cps_card, "-L").stdout
    token = slots.split(cps_card.reader, 1)[1].split("Slot ", 1)[0]
    assert "token manufacturer : ASIP SANTE" in token
    assert re.search(r"token flags\s+: login required.*PIN initialized", token)
    assert "serial num         : 0000010123456789" in token  # EF.SN.ICC, as on real cards
    objects = pkcs11(cps_card, "-O").stdout
    assert objects.count("Certificate Object; type = X.509 cert") == 2
    assert "label:      Certificat de Signature CPS" in objects
    assert "label:      Certificat d'Authentification CPS" in objects
    assert "label:          'CPS_NAME_PS'" in objects
    private = pkcs11(cps_card, "--login", "--pin", cps_card.pin, "-O").stdout
    assert "Private Key Object; RSA" in private
    assert "label:      CPS_PRIV_SIG" in private
    assert "label:      CPS_PRIV_AUT" in private


def test_pkcs11_signature_with_the_authentication_key_verifies(
    cps_card: InsertedCps, tmp_path: Path
) -> None:
    message = b"pkcs11-tool through pcscd to the emulated CPS3"
    source, signature = tmp_path / "digest-info", tmp_path / "signature"
    source.write_bytes(SHA256_DIGEST_INFO + hashlib.sha256(message).digest())
    pkcs11(
        cps_card,
        *("--login", "--pin", cps_card.pin, "--sign", "-m", "RSA-PKCS"),
        *("--id", AUTHENTICATION_ID, "-i", str(source), "-o", str(signature)),
    )
    certificate = x509.load_der_x509_certificate(cps_card.certificates.authentication)
    key = certificate.public_key()
    assert isinstance(key, RSAPublicKey)
    key.verify(signature.read_bytes(), message, padding.PKCS1v15(), hashes.SHA256())


def test_opensc_cannot_hash_on_card_for_the_signature_key(
    cps_card: InsertedCps, tmp_path: Path
) -> None:
    # OpenSC's IAS-ECC driver leaves the last hash step to the card for keys signing
    # with PSO (CPS_PRIV_SIG); built against OpenSSL 3 it refuses that step
    # (iasecc_qsign_data_sha256: "not supported"), for real cards as for this one.
    source = tmp_path / "message"
    source.write_bytes(b"signed with the non-repudiation key")
    out = pkcs11(
        cps_card,
        *("--login", "--pin", cps_card.pin, "--sign", "-m", "SHA256-RSA-PKCS"),
        *("--id", SIGNATURE_ID, "-i", str(source), "-o", str(tmp_path / "signature")),
        ok=False,
    )
    assert out.returncode != 0
    assert "CKR_FUNCTION_NOT_SUPPORTED" in out.stderr


def test_a_wrong_pin_through_pkcs11_spends_exactly_one_try(cps_card: InsertedCps) -> None:
    assert cps_card.tries_left() == 3
    out = pkcs11(cps_card, "--login", "--pin", "9999", "-O", ok=False)
    assert "CKR_PIN_INCORRECT" in out.stderr
    assert cps_card.tries_left() == 2
    pkcs11(cps_card, "--login", "--pin", cps_card.pin, "-O")
    assert cps_card.tries_left() == 3


def test_the_pkcs11_session_reads_what_the_pcsc_session_reads(cps_card: InsertedCps) -> None:
    """cardbridge's PKCS#11 road, on OpenSC's module (in its own process): the same
    practitioner, the same PIN counter, and an authentication signature that verifies."""
    with PcscBackend().connect(cps_card.reader) as connection:
        expected = CpsSession(connection).read_practitioner()
    out = subprocess.run(
        [sys.executable, "-m", "tests.support.pkcs11_probe", MODULE, cps_card.reader, cps_card.pin],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    seen = json.loads(out.stdout)
    assert Practitioner.model_validate(seen["practitioner"]) == expected
    # One wrong PIN: 2 tries left, as the token's flags and the bridge's counter say.
    assert seen["tries_left_after_wrong_pin"] == 2
    assert seen["tries_left_after_login"] == 3
    assert cps_card.tries_left() == 3
    with PcscBackend().connect(cps_card.reader) as connection:
        pcsc = CpsSession(connection)
        pcsc.verify_pin(cps_card.pin)
        situations = pcsc.read_situations()
    assert [Situation.model_validate(s) for s in seen["situations"]] == situations
    key = x509.load_der_x509_certificate(cps_card.certificates.authentication).public_key()
    assert isinstance(key, RSAPublicKey)
    key.verify(bytes.fromhex(seen["authentication"]), MESSAGE, padding.PKCS1v15(), hashes.SHA256())


def _opensc_conf(path: Path, reader: str) -> Path:
    """An OpenSC configuration that ignores every reader but ``reader``: other runs'
    cards are left alone (OpenSC connects to every card it sees, until it exits)."""
    others = [s.name for s in PcscBackend().list_readers() if s.name != reader]
    ignored = f"  ignored_readers = {', '.join(json.dumps(n) for n in others)};\n" if others else ""
    path.write_text(f"app default {{\n{ignored}}}\n")
    return path


def test_cardbridge_serve_on_opensc_pkcs11_module(
    cps_card: InsertedCps,
    tmp_path: Path,
    test_pki: TestPki,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``cardbridge serve`` with ``card_backend = pkcs11`` on OpenSC's module, the emulated
    CPS3 in a vpcd reader of the real pcscd: the practitioner the PC/SC session reads, a
    wrong PIN spending one try on the card, a login token the bridge verifies, and DMP
    access refused with the reason (OpenSC cannot sign with CPS_PRIV_SIG)."""
    with PcscBackend().connect(cps_card.reader) as connection:
        expected = CpsSession(connection).read_practitioner()
    anchor, intermediate = tmp_path / "root.pem", tmp_path / "issuing.pem"
    anchor.write_bytes(test_pki.root.certificate.public_bytes(Encoding.PEM))
    intermediate.write_bytes(test_pki.issuing_ca.certificate.public_bytes(Encoding.PEM))
    for name, value in (
        ("CARDBRIDGE_CARD_BACKEND", "pkcs11"),
        ("CARDBRIDGE_PKCS11_MODULE", MODULE),
        ("CARDBRIDGE_TRUST_ANCHORS", str(anchor)),
        ("CARDBRIDGE_INTERMEDIATES", str(intermediate)),
        ("OPENSC_CONF", str(_opensc_conf(tmp_path / "opensc.conf", cps_card.reader))),
    ):
        monkeypatch.setenv(name, value)
    server = ServeProcess(tmp_path, free_port())
    try:
        server.wait_ready()
        assert httpx.get(f"{server.url}/v1/health").json()["backend"] == "pkcs11"
        token = (tmp_path / "config" / "cardbridge" / "api-token").read_text().strip()
        with httpx.Client(
            base_url=server.url,
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        ) as api:
            at = {"reader": cps_card.reader}
            seen = api.get("/v1/cps", params=at)
            assert seen.status_code == 200, seen.text
            assert Practitioner.model_validate(seen.json()) == expected
            assert api.get("/v1/cps/pin", params=at).json()["tries_left"] == 3
            wrong = api.post("/v1/cps/pin/verify", json={"pin": "9999"}, params=at).json()
            assert (wrong["code"], wrong["tries_left"]) == ("pin_invalid", 2)
            assert cps_card.tries_left() == 2  # on the card, as the bridge's PC/SC read says
            time.sleep(PIN_WAIT)  # the bridge's wait after a wrong PIN
            challenge = api.post("/v1/auth/challenge", json={"origin": ORIGIN})
            assert challenge.status_code == 200, challenge.text
            challenge = challenge.json()
            body = {"nonce": challenge["nonce"], "origin": ORIGIN, "pin": cps_card.pin}
            signed = api.post("/v1/auth/token", json=body, params=at)
            assert signed.status_code == 200, signed.text
            check = api.post(
                "/v1/auth/verify",
                json={"token": signed.json(), "nonce": challenge["nonce"], "origin": ORIGIN},
            ).json()
            assert (check["valid"], check["code"]) == (True, None)
            assert cps_card.tries_left() == 3
            verified = api.post("/v1/cps/pin/verify", json={"pin": cps_card.pin}, params=at)
            assert verified.status_code == 200
            access = api.post(
                "/v1/dmp/access",
                json={"situation": 0, "patient": {"ins": INS}, "mode": "normal", "consent": True},
                params=at,
            ).json()
            assert access["code"] == "card_error"
            assert "CPS_PRIV_SIG" in access["detail"]
    finally:
        assert server.stop() == 0, server.output
