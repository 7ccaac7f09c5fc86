"""What the soak's clients do, and which errors each route may answer while cards come
and go.

Each client thread runs one *scenario* in a loop, with a short random pause between
calls: the mix of a practitioner's software (identity, PIN, authentication, DMP
access and deposit, journal). A card pulled out explains ``card_absent`` (no card in
the reader when the request came) and ``card_removed`` (the card left during the
operation); a CPS put back needs its PIN again, which explains ``pin_required`` on a
DMP access or deposit (they name the practice situation, which the PIN unlocks).
Nothing else is expected: no wrong PIN is ever sent, every nonce is fresh,
every body is valid.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import httpx
from pypdf import PdfWriter

from cardbridge.emulator.inprocess import DEMO_CPS_READER
from soak.load import Caller

PIN = "1234"  # the demo CPS's
ORIGIN = "https://dmp.example.fr"
INS = "215027512345610"  # Louise's, whose DMP the offline DMP's seed holds
CRITERIA = {"last_name": "MARTIN", "first_name": "Léa", "sex": "F", "birth_year": "1980"}
REASON = "Patient inconscient aux urgences"


def _one_page_pdf() -> bytes:
    """A PDF that opens (the bridge refuses one that only starts like a PDF)."""
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


PDF = _one_page_pdf()
DEPOSIT_FORM = {
    "situation": "0",
    "beneficiary": "0",  # Pierre, whose DMP the demo CPS may open
    "title": "CR de consultation",
    "document_date": "2025-11-20",
    "type": "11488-4",
    "event_start": "2025-11-20",
}

NONE: frozenset[str] = frozenset()
CARD_GONE = frozenset({"card_absent", "card_removed"})
EXPECTED_ERRORS: dict[str, frozenset[str]] = {
    "GET /v1/health": NONE,
    "GET /v1/readers": NONE,
    "GET /v1/cps": CARD_GONE,
    "GET /v1/cps/certificates": CARD_GONE,
    "GET /v1/cps/pin": CARD_GONE,
    "POST /v1/cps/pin/verify": CARD_GONE,
    "GET /v1/vitale": CARD_GONE,
    "POST /v1/auth/challenge": NONE,
    "POST /v1/auth/token": CARD_GONE,
    "POST /v1/auth/verify": NONE,
    "POST /v1/dmp/patient": CARD_GONE,  # the Vitale beneficiary; INS and criteria: none
    "POST /v1/dmp/access": CARD_GONE | {"pin_required"},
    "GET /v1/dmp/journal": NONE,
    "GET /v1/dmp/journal/verify": NONE,
    # A removal between the access and the deposit ends the PIN session, and the DMPs
    # opened in it with it.
    "POST /v1/dmp/documents": CARD_GONE | {"pin_required", "dmp_access_required"},
}
"""Per route, the error codes that card insertions and removals explain."""


def _valid_token(response: httpx.Response) -> str | None:
    return None if response.json()["valid"] is True else "token refused"


def _journal_intact(response: httpx.Response) -> str | None:
    return None if response.json()["ok"] is True else "journal check failed"


def identity(caller: Caller) -> None:
    """What a practitioner's software reads most: readers, practitioner, patient."""
    for path in ("/v1/health", "/v1/readers", "/v1/cps", "/v1/vitale", "/v1/cps/certificates"):
        caller.call("GET", path)


def named_reader(caller: Caller) -> None:
    """The same through ``?reader=``: a named empty reader answers ``card_absent``."""
    caller.call("GET", "/v1/cps", params={"reader": DEMO_CPS_READER})
    caller.call("GET", "/v1/cps/pin", params={"reader": DEMO_CPS_READER})


def pin(caller: Caller) -> None:
    """The PIN counter, and the right PIN (again after each reinsertion)."""
    caller.call("GET", "/v1/cps/pin")
    caller.call("POST", "/v1/cps/pin/verify", json={"pin": PIN})


def authentication(caller: Caller) -> None:
    """Challenge, token signed by the card, verification of the token."""
    challenge = caller.call("POST", "/v1/auth/challenge", json={"origin": ORIGIN})
    if challenge is None:
        return
    nonce = challenge.json()["nonce"]
    token = caller.call(
        "POST", "/v1/auth/token", json={"nonce": nonce, "pin": PIN, "origin": ORIGIN}
    )
    if token is None:
        return
    caller.call(
        "POST",
        "/v1/auth/verify",
        json={"token": token.json(), "nonce": nonce, "origin": ORIGIN},
        check=_valid_token,
    )


def dmp(caller: Caller) -> None:
    """Patient selection three ways, accesses (normal, emergency), a deposit."""
    for patient in ({"ins": INS}, {"criteria": CRITERIA}, {"vitale": {"beneficiary": 0}}):
        caller.call("POST", "/v1/dmp/patient", json=patient)
    caller.call(
        "POST",
        "/v1/dmp/access",
        json={"situation": 0, "patient": {"ins": INS}, "mode": "normal", "consent": True},
    )
    caller.call(
        "POST",
        "/v1/dmp/access",
        json={
            "situation": 0,
            "patient": {"vitale": {"beneficiary": caller.rng.choice((0, 1))}},
            "mode": "bris_de_glace",
            "reason": REASON,
        },
    )
    pierre = {"situation": 0, "patient": {"vitale": {"beneficiary": 0}}, "mode": "normal"}
    caller.call("POST", "/v1/dmp/access", json=pierre)
    caller.call("POST", "/v1/dmp/documents", data=DEPOSIT_FORM, files={"file": ("cr.pdf", PDF)})


def journal(caller: Caller) -> None:
    """The history of one patient, of accesses, and now and then its integrity."""
    patient = caller.call("POST", "/v1/dmp/patient", json={"ins": INS})
    if patient is not None:
        key = patient.json()["journal_key"]
        caller.call("GET", "/v1/dmp/journal", params={"patient": key, "limit": 20})
    caller.call("GET", "/v1/dmp/journal", params={"kind": "access", "limit": 10})
    if caller.rng.random() < 0.2:
        caller.call("GET", "/v1/dmp/journal/verify", check=_journal_intact)


Scenario = Callable[[Caller], None]
SCENARIOS: dict[str, Scenario] = {
    "identity": identity,
    "named-reader": named_reader,
    "pin": pin,
    "authentication": authentication,
    "dmp": dmp,
    "journal": journal,
}
