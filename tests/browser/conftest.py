"""The status page in a real browser: Debian's headless Chromium driven by Playwright, on
the API served over in-process emulated readers that the tests fill and empty.

One browser for these tests (package scope: Playwright's event loop must be gone before
other tests run ``asyncio.run``); each test gets a fresh bridge (new cards, new access
journal, the session's test PKI) and a fresh browser context (no storage left over).
Screenshots are kept in ``test-artifacts/``: the states the tests name, and the page of
any test that failed.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml
from playwright.sync_api import Browser, ConsoleMessage, Page, expect, sync_playwright

from cardbridge.emulator.card import VirtualCard
from cardbridge.emulator.factory import build_card
from cardbridge.emulator.inprocess import DEMO_CPS_READER, DEMO_VITALE_READER, EmulatedBackend
from cardbridge.emulator.issuance import PkiIssuer
from cardbridge.emulator.keys import KeyPool
from cardbridge.emulator.profiles import load_profile
from testkit.dmp_sandbox import RunningSandbox, running_sandbox
from testkit.server import LiveServer, serve_backend
from tests.support.dmp_fixtures import dmp, organisations

__all__ = ["dmp", "organisations"]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PIN = "1234"
WRONG_PIN = "9999"
# Playwright's default wait for an expectation; the page reacts in well under a second.
expect.set_options(timeout=5000)


@dataclass
class Bridge:
    """A running bridge over emulated readers, and how to make more cards."""

    live: LiveServer
    backend: EmulatedBackend
    card: Callable[[str], VirtualCard]

    @property
    def url(self) -> str:
        return self.live.url


@pytest.fixture(scope="package")
def chromium() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs it (Debian package chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@contextmanager
def demo_bridge(
    key_pool: KeyPool, issuer: PkiIssuer, data_dir: Path, tmp_path: Path, **settings: Any
) -> Iterator[Bridge]:
    """Serve the demo CPS and Vitale cards in two readers, with ``settings``; a data dir
    of its own (an empty access journal) that shares the session's test PKI (which
    signed the cards). The bridge reaches the offline DMP that ``settings`` name
    (``dmp_endpoint``…), else one of its own whose patients authorized nobody yet."""

    def card(profile: str) -> VirtualCard:
        return build_card(load_profile(profile), keys=key_pool, issuer=issuer)

    own_data = tmp_path / "data"
    own_data.mkdir(exist_ok=True)  # a test may have put a journal there
    (own_data / "emulator-pki").symlink_to(data_dir / "emulator-pki")
    backend = EmulatedBackend([DEMO_CPS_READER, DEMO_VITALE_READER])
    backend.insert(DEMO_CPS_READER, card("demo-cps"))
    backend.insert(DEMO_VITALE_READER, card("demo-vitale"))
    if "dmp_endpoint" in settings:  # the caller's own offline DMP
        with serve_backend(backend, data_dir=own_data, **settings) as live:
            yield Bridge(live, backend, card)
        return
    with running_sandbox(tmp_path / "dmp", data_dir, _seed_without_authorizations(tmp_path)) as dmp:
        roots = tmp_path / "dmp-roots.pem"
        roots.write_bytes(dmp.trust)
        dmp_settings = {
            "dmp_endpoint": f"https://127.0.0.1:{dmp.port}",
            "dmp_server_roots": [roots],
        }
        with serve_backend(backend, data_dir=own_data, **dmp_settings, **settings) as live:
            yield Bridge(live, backend, card)


def _seed_without_authorizations(folder: Path) -> Path:
    """The offline DMP's default seed, but no patient has authorized anyone: a first
    access asks the patient's consent, as the page shows it."""
    seeds = folder / "seeds"  # with the files the seed's documents name
    shutil.copytree(Path(str(resources.files("cardbridge.sandbox").joinpath("seeds"))), seeds)
    path = seeds / "default.yaml"
    seed = yaml.safe_load(path.read_text(encoding="utf-8"))
    for patient in seed["patients"]:
        patient.pop("authorizations", None)
    path.write_text(yaml.safe_dump(seed, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
def bridge(
    key_pool: KeyPool, issuer: PkiIssuer, data_dir: Path, tmp_path: Path
) -> Iterator[Bridge]:
    """The demo cards served by a bridge of their own (see :func:`demo_bridge`)."""
    with demo_bridge(key_pool, issuer, data_dir, tmp_path) as served:
        # No wait after a wrong PIN: the tests walk through every PIN state (the wait
        # itself is shown by test_pairing_page's own test).
        served.live.bridge.cards.backoff.first_delay = 0
        yield served


@pytest.fixture
def dmp_bridge(
    key_pool: KeyPool, issuer: PkiIssuer, data_dir: Path, tmp_path: Path, dmp: RunningSandbox
) -> Iterator[Bridge]:
    """The demo cards served by a bridge that reaches the fresh offline DMP ``dmp`` (its
    test root as ``dmp_server_roots``, its patient pages as ``dmp_patient_pages``)."""
    roots = tmp_path / "dmp-roots.pem"
    roots.write_bytes(dmp.trust)
    with demo_bridge(
        key_pool,
        issuer,
        data_dir,
        tmp_path,
        dmp_endpoint=f"https://127.0.0.1:{dmp.port}",
        dmp_server_roots=[roots],
        dmp_patient_pages=dmp.pages_url,
    ) as served:
        yield served


@dataclass
class PageErrors:
    """What went wrong in the page: uncaught exceptions and console errors (failed
    requests excepted: the API answers errors on purpose), and everything logged."""

    errors: list[str]
    console: list[str]

    def on_console(self, message: ConsoleMessage) -> None:
        self.console.append(message.text)
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.errors.append(message.text)


def _artifact_name(node_name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", node_name).strip("-")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item) -> Iterator[None]:
    """Keep each phase's report on the test, for the page fixture to see a failure."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def page_errors() -> PageErrors:
    return PageErrors([], [])


@pytest.fixture
def page(
    chromium: Browser,
    bridge: Bridge,
    artifacts: Path,
    page_errors: PageErrors,
    request: pytest.FixtureRequest,
) -> Iterator[Page]:
    """The status page, paired (its one-time link followed), loaded, its event stream
    connected."""
    with paired_page(chromium, bridge, artifacts, page_errors, request) as opened:
        yield opened


@pytest.fixture
def dmp_page(
    chromium: Browser,
    dmp_bridge: Bridge,
    artifacts: Path,
    page_errors: PageErrors,
    request: pytest.FixtureRequest,
) -> Iterator[Page]:
    """The status page of :func:`dmp_bridge` (the offline DMP behind it), paired."""
    with paired_page(chromium, dmp_bridge, artifacts, page_errors, request) as opened:
        yield opened


@contextmanager
def paired_page(
    chromium: Browser,
    bridge: Bridge,
    artifacts: Path,
    page_errors: PageErrors,
    request: pytest.FixtureRequest,
) -> Iterator[Page]:
    """The status page of ``bridge`` in a new browser context, paired and connected; a
    screenshot of it when the test failed."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.on("pageerror", lambda error: page_errors.errors.append(str(error)))
    page.on("console", page_errors.on_console)
    page.goto(pairing_link(bridge.live), wait_until="domcontentloaded")
    # Not expect(): its polling backs off to 500 ms steps; this checks at each frame. A
    # function, not an expression: the page's CSP forbids the eval an expression needs.
    page.wait_for_function("() => document.getElementById('connection').dataset.state === 'open'")
    try:
        yield page
        call = getattr(request.node, "report_call", None)
        if call is not None and call.failed:
            name = f"failed-{_artifact_name(request.node.name)}.png"
            page.screenshot(path=artifacts / name, full_page=True)
    finally:
        context.close()
    assert not page_errors.errors


def pairing_link(live: LiveServer) -> str:
    """A one-time pairing link, as `cardbridge serve` prints it."""
    return f"{live.url}/pair?code={live.bridge.pairings.issue_link().code}"


def shot(page: Page, name: str, *, full_page: bool = True) -> None:
    """Keep a screenshot of the page now, as ``test-artifacts/<name>.png`` (the window
    only with ``full_page=False``: where a modal dialog shows)."""
    page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=full_page)


def wrong_pin(page: Page, tries_left: int) -> None:
    """Submit a wrong PIN and wait for the card's answer."""
    page.fill("#pin", WRONG_PIN)
    page.press("#pin", "Enter")
    expect(page.locator("#pin-tries")).to_have_text(f"Essais restants : {tries_left} sur 3.")


def unlock(page: Page) -> None:
    """Verify the demo CPS's PIN through the page (confirming the last try if asked)."""
    if page.locator("#pin-confirm").is_visible():
        page.check("#pin-confirm")
    page.fill("#pin", PIN)
    page.click("#pin-form button[type=submit]")
    expect(page.locator("#situations-area")).to_be_visible()
