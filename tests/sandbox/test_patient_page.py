"""What the patient sees: the page of the sandbox in a real browser (Debian's Chromium via
Playwright), and the notification e-mail of a first access, received by a real SMTP server
(aiosmtpd)."""

from __future__ import annotations

import email
import email.policy
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import Browser, Page, expect, sync_playwright

from cardbridge.sandbox.notifications import SmtpServer
from testkit.dmp_documents import Doc
from testkit.dmp_messages import existence_test, set_authorization
from testkit.dmp_sandbox import Identity, RunningSandbox, running_sandbox
from tests.sandbox.conftest import LOUISE, PIERRE

CHROMIUM = Path("/usr/bin/chromium")
SECRET = "INVISIBLE_REPRESENTANTS_LEGAUX^1.2.250.1.213.1.1.4.13"


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        content = envelope.content  # type: ignore[attr-defined]
        self.messages.append(email.message_from_bytes(content, policy=email.policy.default))  # type: ignore[arg-type]
        return "250 OK"

    def wait(self, count: int) -> list[email.message.EmailMessage]:
        deadline = time.monotonic() + 10
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.messages


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def inbox() -> Iterator[tuple[_Inbox, SmtpServer]]:
    handler = _Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield handler, SmtpServer("127.0.0.1", controller.port)
    finally:
        controller.stop()


@pytest.fixture
def mailing_dmp(tmp_path: Path, data_dir: Path, organisations, inbox) -> Iterator[RunningSandbox]:  # type: ignore[no-untyped-def]
    with running_sandbox(tmp_path / "dmp", data_dir, smtp=inbox[1]) as running:
        yield running


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    assert CHROMIUM.exists(), "`make test` installs chromium (Debian package)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--headless=new", "--no-sandbox", "--disable-gpu"]
        )
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: Browser) -> Iterator[Page]:
    context = chromium.new_context()
    yield context.new_page()
    context.close()


def test_first_access_sends_one_email(mailing_dmp: RunningSandbox, inbox, nurse: Identity) -> None:  # type: ignore[no-untyped-def]
    handler, _ = inbox
    assert mailing_dmp.call("TD0.3", set_authorization("AJOUT"), nurse).status == 200
    assert mailing_dmp.call("TD0.2", existence_test(PIERRE), nurse).status == 200
    messages = handler.wait(1)
    time.sleep(0.3)  # a second message, if wrongly sent, would have arrived by now
    assert len(messages) == 1
    message = messages[0]
    assert message["To"] == "pierre.lequinio@patient.example"
    body = message.get_content()
    assert "HÉLÈNE BÉRANGER (Infirmier)" in body
    assert "pour la première fois" in body


def test_secret_access_sends_nothing(
    mailing_dmp: RunningSandbox, inbox, other_doctor: Identity
) -> None:  # type: ignore[no-untyped-def]
    handler, _ = inbox
    vihf = other_doctor.signed(
        other_doctor.vihf.but(
            patient=LOUISE, purpose="bris_de_glace", reason="Urgence", confidentiality=SECRET
        )
    )
    assert mailing_dmp.call("TD0.2", existence_test(LOUISE), other_doctor, vihf=vihf).status == 200
    time.sleep(0.5)
    assert handler.messages == []


def test_patient_and_representative_views(
    dmp: RunningSandbox, page: Page, demo_doctor: Identity, other_doctor: Identity
) -> None:
    louise = demo_doctor.vihf.but(patient=LOUISE)
    assert (
        dmp.call(
            "TD0.3", set_authorization("AJOUT"), demo_doctor, vihf=demo_doctor.signed(louise)
        ).status
        == 200
    )
    docs = {
        "Compte rendu visible": (),
        "Compte rendu caché au patient": ("INVISIBLE_PATIENT",),
        "Compte rendu caché aux parents": ("INVISIBLE_REPRESENTANTS_LEGAUX",),
    }
    for title, codes in docs.items():
        doc = Doc(LOUISE, title=title, confidentiality=codes)
        assert (
            b"ResponseStatusType:Success"
            in dmp.deposit([doc], demo_doctor, vihf=demo_doctor.signed(louise)).body
        )
    secret = other_doctor.signed(
        other_doctor.vihf.but(
            patient=LOUISE,
            purpose="bris_de_glace",
            reason="Malaise au collège",
            confidentiality=SECRET,
        )
    )
    assert dmp.call("TD0.2", existence_test(LOUISE), other_doctor, vihf=secret).status == 200

    page.goto(f"{dmp.pages_url}/patients/{LOUISE}")
    expect(page.get_by_role("heading", level=1)).to_have_text("LOUISE LE QUINIO")
    documents = page.get_by_role("table", name="Documents")
    expect(documents).to_contain_text("Compte rendu visible")
    expect(documents).to_contain_text("Compte rendu caché aux parents")
    expect(documents).not_to_contain_text("Compte rendu caché au patient")
    history = page.get_by_role("table", name="Historique des accès")
    expect(history).to_contain_text("PIERRE LE QUINIO")
    expect(history).to_contain_text("Accès en urgence")
    expect(history).to_contain_text("Malaise au collège")
    expect(page.get_by_role("table", name="Notifications")).to_contain_text(
        "famille.lequinio@patient.example"
    )

    page.goto(f"{dmp.pages_url}/patients/{LOUISE}?view=representative")
    expect(page.get_by_text("Vue d'un représentant légal")).to_be_visible()
    documents = page.get_by_role("table", name="Documents")
    expect(documents).to_contain_text("Compte rendu visible")
    expect(documents).not_to_contain_text("Compte rendu caché aux parents")
    expect(documents).not_to_contain_text("Compte rendu caché au patient")
    history = page.get_by_role("table", name="Historique des accès")
    expect(history).to_contain_text("PIERRE LE QUINIO")
    expect(history).not_to_contain_text("Malaise au collège")
    expect(history).not_to_contain_text("JEAN-BAPTISTE")


def test_index_lists_the_dmps_and_unknown_is_404(dmp: RunningSandbox, page: Page) -> None:
    page.goto(dmp.pages_url + "/")
    expect(page.get_by_role("link", name="PIERRE LE QUINIO")).to_be_visible()
    expect(page.get_by_text("SOPHIE MARTIN (fermé)")).to_be_visible()
    response = page.goto(f"{dmp.pages_url}/patients/185057512345673")
    assert response is not None
    assert response.status == 404
