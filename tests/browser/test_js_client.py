"""The JavaScript client (``clients/js``) in Chromium, against a running bridge.

A web application's page, served on its own loopback port (so its own origin, configured
and approved on the bridge), loads the client's bundle as built from its sources. The
clinician (Playwright) logs in and opens a DMP through the bridge's approval window; the
page shows what the client answered; the offline DMP's own patient page says what it
holds and who accessed it. Errors come back as their classes; the event stream follows
the bridge through a restart and through a silent stream. The client's types are those
openapi-typescript writes for the app's current OpenAPI document.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from lxml import etree
from playwright.sync_api import Browser, BrowserContext, Page, expect

from cardbridge.api.app import bridge_of
from cardbridge.api.server import BridgeServer, server_config
from cardbridge.auth.trust import TrustStore
from cardbridge.config import Settings
from cardbridge.emulator.factory import build_card
from cardbridge.emulator.inprocess import DEMO_CPS_READER, DEMO_VITALE_READER, EmulatedBackend
from cardbridge.emulator.issuance import PkiIssuer
from cardbridge.emulator.keys import KeyPool
from cardbridge.emulator.pki import TestPki
from cardbridge.emulator.profiles import load_profile
from cardbridge.errors.http_status import STATUS_BY_CODE
from testkit.dmp_sandbox import RunningSandbox
from testkit.server import TOKEN, LiveServer, app_from_settings, free_socket
from tests.browser.conftest import PIN, Bridge, demo_bridge, pairing_link, shot
from tests.browser.dmp_steps import DMP_WAIT, PIERRE_DOCUMENTS, sandbox_table
from tests.browser.js_site import TYPES, build, generated_types, openapi_document, serve_site
from tests.browser.js_site import site_app as make_site
from tests.support.dmp_fixtures import LOUISE, PIERRE

PIERRE_NAME = "PIERRE LE QUINIO"
# A minor's secret access: the VIHF's confidentiality code (as tests/api/test_dmp_secret.py).
SECRET_CODE = "INVISIBLE_REPRESENTANTS_LEGAUX"
CONFIDENTIALITY = "urn:oasis:names:tc:xspa:1.0:resource:patient:hl7:confidentiality-code"


@pytest.fixture(scope="module")
def bundle() -> Path:
    """The client's bundle, built from its current sources."""
    return build()


@pytest.fixture
def trust(test_pki: TestPki) -> TrustStore:
    return TrustStore.from_pem(test_pki.trust_anchors_pem(), test_pki.intermediates_pem())


@pytest.fixture
def site_socket() -> Iterator[Any]:
    sock = free_socket()
    yield sock
    sock.close()


def origin_of(sock: Any) -> str:
    return f"http://127.0.0.1:{sock.getsockname()[1]}"


@pytest.fixture
def js_bridge(
    key_pool: KeyPool,
    issuer: PkiIssuer,
    data_dir: Path,
    tmp_path: Path,
    dmp: RunningSandbox,
    site_socket: Any,
) -> Iterator[Bridge]:
    """The demo cards served by a bridge that reaches the offline DMP ``dmp``, on which
    the site's origin is configured and approved."""
    roots = tmp_path / "dmp-roots.pem"
    roots.write_bytes(dmp.trust)
    with demo_bridge(
        key_pool,
        issuer,
        data_dir,
        tmp_path,
        dmp_endpoint=f"https://127.0.0.1:{dmp.port}",
        dmp_server_roots=[roots],
        allowed_origins=[origin_of(site_socket)],
    ) as served:
        yield served


def open_site(context: BrowserContext, live: LiveServer, origin: str, errors: list[str]) -> Page:
    """The clinician paired this browser with the bridge once (the approval window needs
    it); the site's page, its client ready, its uncaught errors kept in ``errors``."""
    pairing = context.new_page()
    pairing.goto(pairing_link(live))
    expect(pairing.locator("#connection")).to_have_attribute("data-state", "open")
    pairing.close()
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{origin}/")
    page.wait_for_function("() => window.ready === true")
    return page


@pytest.fixture
def site(
    chromium: Browser,
    js_bridge: Bridge,
    site_socket: Any,
    trust: TrustStore,
    bundle: Path,
    artifacts: Path,
) -> Iterator[Page]:
    """The site's page, paired with ``js_bridge``; no uncaught error in it by the end."""
    origin = origin_of(site_socket)
    errors: list[str] = []
    with serve_site(make_site(js_bridge.url, origin, trust), site_socket):
        # A French workstation's browser (navigator.language "fr-FR").
        context = chromium.new_context(viewport={"width": 1024, "height": 768}, locale="fr-FR")
        try:
            yield open_site(context, js_bridge.live, origin, errors)
        finally:
            context.close()
    assert not errors


def approve_in_the_window(page: Page, button: str, question: str) -> None:
    """Click ``button`` in the site's page; in the bridge's window that opens, the
    clinician reads ``question`` and types the PIN."""
    with page.expect_popup() as opened:
        page.click(button)
    window = opened.value
    window.wait_for_load_state()
    expect(window.locator("#approve-question")).to_contain_text(question)
    window.fill("#approve-pin", PIN)
    with window.expect_event("close"):  # it closes itself once it has answered
        window.click("#approve-yes")


@pytest.mark.timeout(180)
def test_a_site_logs_in_and_lists_dmp_documents(
    site: Page, js_bridge: Bridge, dmp: RunningSandbox, site_socket: Any
) -> None:
    origin = origin_of(site_socket)
    approve_in_the_window(site, "#login", f"{origin} demande à vous connecter en tant que")
    expect(site.locator("#result")).to_have_text(f"connecté : {PIERRE_NAME}")

    # The DMP needs a PIN session: the client asks for it through the window when the
    # bridge answers pin_required, then sends the access again.
    before = sandbox_table(dmp, PIERRE, "Historique des accès")
    approve_in_the_window(site, "#documents", origin)
    expect(site.locator("#result")).to_contain_text(f"documents pour {PIERRE}", timeout=DMP_WAIT)
    shot(site, "js-client-documents")
    listed = site.locator("#document-list li").all_inner_texts()
    # The seed's documents of Pierre; among them, those that the offline
    # DMP's own page shows him (rows "date title type"); its access history: the
    # demo CPS's accesses, in normal mode.
    assert sorted(listed) == sorted(PIERRE_DOCUMENTS)
    shown = sandbox_table(dmp, PIERRE, "Documents")
    assert shown
    assert {row.split(" ", 1)[1].rsplit(" ", 1)[0] for row in shown} <= set(listed)
    after = sandbox_table(dmp, PIERRE, "Historique des accès")
    new = after[: len(after) - len(before)]
    assert new
    assert all(f"{PIERRE_NAME} Accès normal" in row for row in new)

    # A deposit (multipart), in the PIN session the window opened: the offline DMP's page
    # shows the new document to Pierre.
    deposited = outcome(
        site,
        """(b) => b.deposit({
            beneficiary: 0, situation: 0, type: "11488-4", title: "Note du site web",
            document_date: "2026-12-01", event_start: "2026-12-01",
            practice_setting: "AMBULATOIRE", visibility: "N",
            file: new Blob(["Patient revu ce jour.\\n"], {type: "text/plain"}),
            filename: "note.txt",
        }).then((answer) => answer.receipt.unique_id)""",
    )
    assert deposited.get("value"), deposited
    assert any("Note du site web" in row for row in sandbox_table(dmp, PIERRE, "Documents"))
    fetched = outcome(
        site,
        f"""(b) => b.document("{deposited["value"]}", {{patient: "{PIERRE}"}})
            .then(async (got) => [got.mediaType, await got.content.text()])""",
    )
    assert fetched["value"][0].startswith("text/plain")
    assert fetched["value"][1] == "Patient revu ce jour.\n"
    # The answer's headers, read by the page of another origin (the bridge exposes them):
    # the name, when there is one, and the CDA wrapping; compared below with native's.
    unique_id = deposited["value"]
    read = outcome(
        site,
        f"""(b) => b.document("{unique_id}", {{patient: "{PIERRE}"}})
            .then((got) => [got.filename, got.wrappedInCda])""",
    )

    # The DMP's own conditions, as classes: Louise's DMP not opened yet; her consent.
    bridge_said(
        outcome(site, f"(b) => b.documents({{patient: '{LOUISE}'}})"),
        "DmpAccessRequiredError",
        "dmp_access_required",
    )
    louise = "{situation: 0, patient: {vitale: {beneficiary: 1}}, mode: 'normal', consent: false}"
    consent = outcome(site, f"(b, cb) => b.dmpAccess({louise}).catch((e) => [e.name, e.reason])")
    assert consent["value"][0] == "ConsentRequiredError"
    assert consent["value"][1]

    # A minor's secret access, through the client: the signed VIHF states the confidentiality
    # code that hides it from her legal representatives, and the journal records it.
    secret = outcome(
        site,
        f"""(b) => b.dmpAccess({{situation: 0, patient: {{ins: "{LOUISE}"}}, mode: "normal",
            consent: true, secret: true}}).then((opened) => [opened.secret, opened.vihf])""",
    )
    assert secret["value"][0] is True, secret
    # code^code system, as HL7 writes a coded value
    assert [code.split("^")[0] for code in confidentiality_codes(secret["value"][1])] == [
        SECRET_CODE
    ]
    newest = outcome(site, "(b) => b.journal({limit: 1})")["value"][0]
    assert (newest["kind"], newest["details"]["secret"]) == ("access", True)

    # The journal, a page past the first: the records before the last one of the first
    # page, as native software lists them in one page.
    paged = outcome(
        site,
        """async (b) => {
            const first = await b.journal({limit: 1});
            const second = await b.journal({limit: 2, before: first[0].seq});
            return [first.map((r) => r.seq), second.map((r) => r.seq)];
        }""",
    )["value"]
    with js_bridge.live.client() as native:
        whole = [record["seq"] for record in native.get("/v1/dmp/journal?limit=3").json()]
    assert len(whole) == 3  # Pierre's access, the deposit, Louise's secret access at least
    assert paged == [whole[:1], whole[1:]]

    # The session ended, two DMP calls at once: one window for both.
    assert outcome(site, "(b) => b.endPinSession()") == {"value": None}
    windows: list[Page] = []
    site.on("popup", lambda window: windows.append(window))  # noqa: PLW0108 - a bound builtin is no Playwright handler
    approve_in_the_window(site, "#two-calls", origin)
    expect(site.locator("#result")).to_have_text("deux réponses : active, active", timeout=DMP_WAIT)
    assert len(windows) == 1

    # The document's headers as native software reads them (its own PIN session and DMP
    # access, last: its PIN verification ends the site's session).
    with js_bridge.live.client() as native:
        native.timeout = httpx.Timeout(60.0)
        assert native.post("/v1/cps/pin/verify", json={"pin": PIN}).status_code == 200
        opened = native.post(
            "/v1/dmp/access",
            json={"situation": 0, "patient": {"ins": PIERRE}, "mode": "normal", "consent": False},
        )
        assert opened.status_code == 200, opened.text
        raw = native.get(f"/v1/dmp/documents/{unique_id}", params={"patient": PIERRE})
    assert raw.status_code == 200, raw.text
    disposition = re.search(r'filename="([^"]+)"', raw.headers.get("content-disposition", ""))
    assert read.get("value") == [
        disposition.group(1) if disposition else None,
        raw.headers["x-dmp-wrapped-in-cda"] == "true",
    ]
    assert read["value"][1] is True  # a text deposited is wrapped in its CDA


def confidentiality_codes(vihf: str) -> list[str]:
    """The values of the VIHF's confidentiality attribute (the ASIP's VIHF guide)."""
    assertion = etree.fromstring(vihf.encode())
    return [
        "".join(value.itertext())
        for attribute in assertion.iter("{*}Attribute")
        if attribute.get("Name") == CONFIDENTIALITY
        for value in attribute.iter("{*}AttributeValue")
    ]


def outcome(page: Page, script: str) -> dict[str, Any]:
    """Run ``script`` (an async function of ``bridge`` and ``cardbridge``) in the page:
    what it threw, described, or ``{"value": …}``."""
    answer: dict[str, Any] = page.evaluate(
        f"""async () => {{
            try {{ return {{ value: await ({script})(window.bridge, window.cardbridge) }}; }}
            catch (error) {{ return window.describe(error); }}
        }}"""
    )
    return answer


def bridge_said(result: dict[str, Any], name: str, code: str) -> None:
    """The client threw ``name`` for ``code``, with the HTTP status the bridge's table
    gives that code."""
    assert result["isBridgeError"], result
    assert (result["name"], result["code"]) == (name, code)
    assert result["status"] == STATUS_BY_CODE[code]
    assert result["detail"]


@pytest.mark.timeout(180)
def test_errors_come_back_as_their_classes(site: Page, js_bridge: Bridge, site_socket: Any) -> None:
    # Every code of the bridge's table has its class in the client, and no other.
    classes = site.evaluate("() => Object.keys(window.cardbridge.ERROR_CLASSES)")
    assert sorted(classes) == sorted(STATUS_BY_CODE)

    bridge_said(outcome(site, "(b) => b.login('short')"), "InvalidRequestError", "nonce_invalid")
    bridge_said(
        outcome(site, "(b) => b.verifyPin({pin: '1234'})"), "AccessError", "caller_forbidden"
    )
    bridge_said(outcome(site, "(b) => b.approval('nope')"), "NotFoundError", "not_found")

    # The bridge's detail in the page's language (French here) by default, in English when
    # asked, or when the browser's is English: as the bridge words it for native software.
    def bridge_words(language: str) -> str:
        with js_bridge.live.client(headers={"Accept-Language": language}) as native:
            detail: str = native.get("/v1/approvals/nope").json()["detail"]
            return detail

    french, english = bridge_words("fr"), bridge_words("en")
    assert french != english
    assert outcome(site, "(b) => b.approval('nope')")["detail"] == french
    asked = "(b, cb) => new cb.CardBridge({origin: b.origin, language: 'en'}).approval('nope')"
    assert outcome(site, asked)["detail"] == english
    browser_in_english = """(b, cb) => {
        Object.defineProperty(navigator, "language", {value: "en-GB", configurable: true});
        try { return new cb.CardBridge({origin: b.origin}).approval("nope"); }
        finally { delete navigator.language; }
    }"""
    assert outcome(site, browser_in_english)["detail"] == english
    assert site.evaluate("() => navigator.language") == "fr-FR"
    no_window = f"""(b, cb) => new cb.CardBridge({{origin: b.origin, pinSessionOnDemand: false}})
        .dmpStatus({{patient: "{PIERRE}"}})"""
    bridge_said(outcome(site, no_window), "PinRequiredError", "pin_required")

    js_bridge.backend.remove(DEMO_VITALE_READER)
    bridge_said(outcome(site, "(b) => b.vitale()"), "ReaderError", "card_absent")

    # The clinician refuses in the window: the page is told, in French.
    with site.expect_popup() as opened:
        site.click("#login")
    window = opened.value
    window.wait_for_load_state()
    expect(window.locator("#approve-no")).to_be_visible()
    with window.expect_event("close"):
        window.click("#approve-no")
    expect(site.locator("#result")).to_have_text(
        "erreur ApprovalError approval_refused : "
        "Vous avez refusé la demande dans la fenêtre de cardbridge."
    )

    # The clinician closes the window without answering.
    with site.expect_popup() as opened:
        site.click("#login")
    opened.value.wait_for_load_state()
    opened.value.close()
    expect(site.locator("#result")).to_have_text(
        "erreur ApprovalError approval_cancelled : "
        "La fenêtre de cardbridge a été fermée sans réponse. Recommencez si besoin."
    )

    # The browser kept the window closed (window.open answers null, as for a pop-up
    # blocked): the page is told why.
    blocked = outcome(
        site,
        "(b, cb) => new cb.CardBridge({origin: b.origin, openWindow: () => null}).openPinSession()",
    )
    assert (blocked["name"], blocked["code"]) == ("ApprovalError", "approval_window_blocked")
    assert blocked["detail"].startswith("Le navigateur a bloqué la fenêtre")

    # The clinician withdraws the site's approval on the status page.
    js_bridge.live.bridge.origins.revoke(origin_of(site_socket))
    bridge_said(
        outcome(site, "(b) => b.readers()"), "OriginNotApprovedError", "origin_not_approved"
    )

    # No bridge there at all.
    closed = free_socket()
    gone = f"http://127.0.0.1:{closed.getsockname()[1]}"
    closed.close()
    lost = outcome(site, f"(b, cb) => new cb.CardBridge({{origin: '{gone}'}}).health()")
    assert (lost["name"], lost["code"], lost["status"]) == (
        "BridgeUnreachableError",
        "bridge_unreachable",
        0,
    )
    assert lost["detail"].startswith(f"Le module des cartes (cardbridge) ne répond pas à {gone}")
    english = outcome(
        site, f"(b, cb) => new cb.CardBridge({{origin: '{gone}', language: 'en'}}).health()"
    )
    assert english["detail"].startswith(f"The card bridge (cardbridge) does not answer at {gone}")


def test_every_route_has_its_method(site: Page, js_bridge: Bridge) -> None:
    document = httpx.get(f"{js_bridge.url}/openapi.json", timeout=10).json()
    served = {
        (method, path) for path, operations in document["paths"].items() for method in operations
    }
    routes = site.evaluate("() => Object.values(window.cardbridge.ROUTES)")
    assert len(routes) == len(served)
    assert {(method, path) for method, path in routes} == served
    methods = site.evaluate(
        """() => Object.keys(window.cardbridge.ROUTES)
            .filter((name) => typeof window.bridge[name] !== "function")"""
    )
    assert methods == []


def test_types_are_those_of_the_current_openapi_document() -> None:
    expected = generated_types(openapi_document())
    assert TYPES.read_text(encoding="utf-8") == expected, (
        "clients/js/src/openapi.ts differs from the app's OpenAPI document: "
        "run `make js-client-types` and commit it"
    )


def stream_items(page: Page) -> list[str]:
    return page.locator("#stream-events li").all_inner_texts()


def test_the_event_stream_follows_a_silent_stream(site: Page, js_bridge: Bridge) -> None:
    # The bridge's heartbeat comes every 15 s; a client that hears nothing for 1 s takes
    # the stream for dead, and connects again.
    site.evaluate("() => window.follow({idleTimeoutMs: 1000, retryMs: 100})")
    status = site.locator("#stream-status")
    expect(status).to_have_text("open")
    expect(status).to_have_text("reconnecting")
    expect(status).to_have_text("open")
    assert site.evaluate("() => window.stream.connections") >= 2
    states = [item for item in stream_items(site) if item.startswith("state ")]
    assert len(states) >= 2
    assert states[0] == states[-1]
    site.evaluate("() => window.stream.close()")
    expect(status).to_have_text("closed")


@contextmanager
def bridge_on_port(
    port: int, backend: EmulatedBackend, folder: Path, origin: str
) -> Iterator[LiveServer]:
    """A bridge over ``backend`` on ``port`` (the same port again after a restart), its
    data and state in ``folder``, the site's ``origin`` configured and approved."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    settings = Settings(
        port=port,
        api_token=TOKEN,
        data_dir=folder / "data",
        state_dir=folder / "state",
        allowed_origins=[origin],
    )
    app = app_from_settings(settings, backend=backend)
    bridge_of(app).origins.approve(origin)
    server = BridgeServer(app, server_config(app, "127.0.0.1", port))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the bridge did not start")
        time.sleep(0.01)
    try:
        yield LiveServer(port, TOKEN, app, server)
    finally:
        server.should_exit = True
        thread.join(15)
        sock.close()


@pytest.mark.timeout(120)
def test_the_event_stream_follows_a_bridge_restart(
    chromium: Browser,
    key_pool: KeyPool,
    issuer: PkiIssuer,
    data_dir: Path,
    tmp_path: Path,
    site_socket: Any,
    trust: TrustStore,
    bundle: Path,
) -> None:
    def demo_cards() -> EmulatedBackend:
        backend = EmulatedBackend([DEMO_CPS_READER, DEMO_VITALE_READER])
        for reader, profile in [(DEMO_CPS_READER, "demo-cps"), (DEMO_VITALE_READER, "demo-vitale")]:
            backend.insert(reader, build_card(load_profile(profile), keys=key_pool, issuer=issuer))
        return backend

    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "emulator-pki").symlink_to(data_dir / "emulator-pki")
    origin = origin_of(site_socket)
    free = free_socket()
    port = free.getsockname()[1]
    free.close()
    both = f"state {DEMO_CPS_READER}:cps, {DEMO_VITALE_READER}:vitale"
    context = chromium.new_context()
    try:
        with serve_site(make_site(f"http://127.0.0.1:{port}", origin, trust), site_socket):
            first = demo_cards()
            with bridge_on_port(port, first, tmp_path, origin):
                page = context.new_page()
                page.goto(f"{origin}/")
                page.wait_for_function("() => window.ready === true")
                page.evaluate("() => window.follow({})")
                status = page.locator("#stream-status")
                expect(status).to_have_text("open")
                expect(page.locator("#stream-events li")).to_have_text([both])
                first.remove(DEMO_VITALE_READER)
                expect(page.locator("#stream-events li").last).to_have_text(
                    f"card_removed {DEMO_VITALE_READER}"
                )
            # The bridge stopped: its stream ended, and nothing answers on its port.
            expect(status).to_have_text("reconnecting")
            expect(status).to_have_attribute("data-reason", re.compile(r"fetch", re.I))
            second = demo_cards()
            with bridge_on_port(port, second, tmp_path, origin):
                expect(status).to_have_text("open", timeout=15_000)
                expect(page.locator("#stream-events li").last).to_have_text(both)
                second.remove(DEMO_CPS_READER)
                expect(page.locator("#stream-events li").last).to_have_text(
                    f"card_removed {DEMO_CPS_READER}"
                )
                assert page.evaluate("() => window.stream.connections") >= 2
                page.evaluate("() => window.stream.close()")
    finally:
        context.close()


def test_the_event_stream_reads_as_chromium_reads(site: Page) -> None:
    # The same stream (every line end, split chunks, comments…) read by Chromium's own
    # EventSource and by the client: the same events, in the same order.
    read = site.evaluate(
        """async () => {
            const wanted = 4;
            const names = ["state", "card_inserted", "card_removed", "heartbeat"];
            const native = await new Promise((resolve) => {
                const got = [];
                const source = new EventSource("/sse-sample");
                for (const name of names) {
                    source.addEventListener(name, (event) => {
                        got.push([name, JSON.parse(event.data)]);
                        if (got.length === wanted) { source.close(); resolve(got); }
                    });
                }
            });
            const ours = await new Promise((resolve) => {
                const got = [];
                const stream = new window.cardbridge.EventStream("/sse-sample", {
                    onEvent: (name, data) => {
                        got.push([name, data]);
                        if (got.length === wanted) { stream.close(); resolve(got); }
                    },
                });
            });
            return { native, ours };
        }"""
    )
    assert read["native"] == [
        ["state", {"readers": []}],
        ["card_inserted", {"reader": "R 1"}],
        ["card_removed", {"reader": "R 2"}],
        ["heartbeat", {"time": "09:30"}],
    ]
    assert read["ours"] == read["native"]
