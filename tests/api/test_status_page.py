"""The status page over HTTP: served at ``/`` with its files, self-contained (nothing
loaded from elsewhere), locked down by its headers, and its same-origin calls need no
token. What it shows is tested in a real browser (``tests/browser``)."""

from __future__ import annotations

import json
import re

import httpx
import pytest

from cardbridge.api.routes.status import (
    MEDIA_TYPES,
    PAGE,
    STATIC_DIR,
    WRITTEN_MODULES,
    static_files,
)
from testkit.server import LiveServer

FILES = sorted(static_files())
# Where a page names another resource: src/href attributes, CSS url() and @import, JS imports.
HTML_REFERENCE = re.compile(r"""\b(?:src|href)\s*=\s*["']([^"']*)["']""")
CSS_REFERENCE = re.compile(r"""url\(|@import""")
JS_IMPORT = re.compile(r"""^import\s.*?from\s+["']([^"']+)["'];$""", re.MULTILINE)
ANY_URL = re.compile(r"""(?i)\b[a-z][a-z0-9+.-]*://|["'(]//""")
# The event names of GET /v1/events as the README's "Events" section documents them.
DOCUMENTED_EVENTS = [
    "state",
    "reader_added",
    "reader_removed",
    "card_inserted",
    "card_removed",
    "pcsc_unavailable",
    "pcsc_available",
    "heartbeat",
]
EXPORTED_NAMES = re.compile(r"export const EVENT_NAMES = Object\.freeze\((\[[^\]]*\])\);")
EXPORTED_DETAILS = re.compile(r"export const DETAIL_ORDER = Object\.freeze\((\[[^\]]*\])\);")
DETAIL_LABEL = re.compile(r'^\s*"detail\.(\w+)":', re.MULTILINE)


@pytest.fixture
def page_client(live: LiveServer) -> httpx.Client:
    """The paired page's own requests: its cookie, no token."""
    return live.page_client()


def test_page_served_at_root(live: LiveServer) -> None:
    with live.client(token=False) as client:
        response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert '<html lang="fr">' in response.text
    assert '<script type="module" src="/static/app.js"></script>' in response.text


def test_security_headers(live: LiveServer) -> None:
    with live.client(token=False) as client:
        for path in ("/", "/static/app.js"):
            headers = client.get(path).headers
            policy = dict(
                directive.strip().split(" ", 1)
                for directive in headers["content-security-policy"].split(";")
            )
            assert policy["default-src"] == "'none'"
            assert policy["script-src"] == policy["style-src"] == policy["connect-src"] == "'self'"
            assert policy["form-action"] == policy["frame-ancestors"] == "'none'"
            assert headers["x-frame-options"] == "DENY"
            assert headers["x-content-type-options"] == "nosniff"
            assert headers["referrer-policy"] == "no-referrer"


@pytest.mark.parametrize("name", FILES)
def test_static_files_served(live: LiveServer, name: str) -> None:
    with live.client(token=False) as client:
        response = client.get(f"/static/{name}")
    assert response.status_code == 200
    assert response.headers["content-type"] == MEDIA_TYPES[STATIC_DIR.joinpath(name).suffix]
    assert response.content == STATIC_DIR.joinpath(name).read_bytes()


def test_every_shipped_file_is_served() -> None:
    shipped = {path.name for path in STATIC_DIR.iterdir() if path.is_file()}
    assert shipped == set(FILES)
    assert {"index.html", "app.js", "style.css"} <= shipped
    assert not shipped & set(WRITTEN_MODULES), "a written module shadows a shipped file"


def test_event_names_module(live: LiveServer) -> None:
    """The page's event names come from the bridge: those the README documents, in order."""
    with live.client(token=False) as client:
        response = client.get("/static/event_names.js")
    assert response.status_code == 200
    assert response.headers["content-type"] == MEDIA_TYPES[".js"]
    assert response.headers["x-content-type-options"] == "nosniff"
    exported = EXPORTED_NAMES.search(response.text)
    assert exported is not None, response.text
    assert json.loads(exported[1]) == DOCUMENTED_EVENTS
    events_js = STATIC_DIR.joinpath("events.js").read_text(encoding="utf-8")
    assert '"reader_added"' not in events_js, "events.js restates the event names"


def test_journal_details_module(live: LiveServer) -> None:
    """The page's journal details come from the bridge: one per label the page has."""
    with live.client(token=False) as client:
        response = client.get("/static/journal_details.js")
    assert response.status_code == 200
    assert response.headers["content-type"] == MEDIA_TYPES[".js"]
    exported = EXPORTED_DETAILS.search(response.text)
    assert exported is not None, response.text
    labelled = set(DETAIL_LABEL.findall(STATIC_DIR.joinpath("i18n.js").read_text("utf-8")))
    assert sorted(json.loads(exported[1])) == sorted(labelled)
    journal_js = STATIC_DIR.joinpath("journal.js").read_text(encoding="utf-8")
    assert '"consent_attested"' not in journal_js, "journal.js restates the details"


@pytest.mark.parametrize(
    "path", ["/static/nothing.js", "/static/..%2Froutes%2Fstatus.py", "/static/", "/static/a/b.js"]
)
def test_unknown_static_file(live: LiveServer, path: str) -> None:
    with live.client(token=False) as client:
        response = client.get(path)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def _references() -> list[tuple[str, str]]:
    found = []
    for name in FILES:
        text = STATIC_DIR.joinpath(name).read_text(encoding="utf-8")
        if name.endswith(".html"):
            found += [(name, ref) for ref in HTML_REFERENCE.findall(text)]
        elif name.endswith(".js"):
            found += [(name, ref) for ref in JS_IMPORT.findall(text)]
    return found


def test_nothing_loaded_from_elsewhere() -> None:
    for name in FILES:
        if name.endswith((".html", ".css", ".js")):
            text = STATIC_DIR.joinpath(name).read_text(encoding="utf-8")
            assert not ANY_URL.search(text), f"{name} names an external URL"
            if name.endswith(".css"):
                assert not CSS_REFERENCE.search(text), f"{name} loads another resource"
    references = _references()
    assert references, "the reference patterns found nothing: they are out of date"
    for name, reference in references:
        assert reference.startswith(("/", "./", "#")), f"{name} refers to {reference}"


def test_references_resolve() -> None:
    """Every file the page and its modules name is one the bridge serves."""
    for name, reference in _references():
        served = {*FILES, *WRITTEN_MODULES}
        if reference.startswith("/static/"):
            assert reference.removeprefix("/static/") in served, f"{name}: {reference}"
        elif reference.startswith("./"):
            assert reference.removeprefix("./") in served, f"{name}: {reference}"
        else:
            assert reference == "/docs" or reference.startswith("#"), f"{name}: {reference}"


def test_paired_page_calls_need_no_token(live: LiveServer, page_client: httpx.Client) -> None:
    with page_client:
        for path in ("/v1/health", "/v1/readers", "/v1/cps", "/v1/cps/pin", "/v1/vitale"):
            assert page_client.get(path).status_code == 200, path
        challenge = page_client.post("/v1/auth/challenge")
        assert challenge.status_code == 200
        # Same origin: no CORS header is needed, none is sent.
        assert "access-control-allow-origin" not in challenge.headers
    with live.client(token=False, headers={"Origin": live.url}) as unpaired:
        assert unpaired.post("/v1/auth/challenge").json()["code"] == "pairing_required"


def test_other_pages_get_no_access(live: LiveServer) -> None:
    """Another site, or no credential at all, is refused (the page itself is open)."""
    with live.client(token=False, headers={"Sec-Fetch-Site": "cross-site"}) as client:
        assert client.get("/").status_code == 200
        assert client.get("/v1/readers").status_code == 401
    with live.client(token=False, headers={"Origin": "https://evil.example"}) as client:
        assert client.post("/v1/auth/challenge").json()["code"] == "origin_forbidden"


def _dictionary(language: str) -> set[str]:
    """The keys of one language's texts in ``i18n.js``."""
    source = STATIC_DIR.joinpath("i18n.js").read_text(encoding="utf-8")
    block = re.search(rf"^  {language}: \{{\n(.*?)^  \}},$", source, re.DOTALL | re.MULTILINE)
    assert block is not None, language
    return set(re.findall(r'^    "([\w.]+)":', block.group(1), re.MULTILINE))


def test_every_text_in_both_languages() -> None:
    french, english = _dictionary("fr"), _dictionary("en")
    assert len(french) > 100
    assert english <= french
    # French only: the page's own words for some errors in their context; in English the
    # page shows the server's detail (in the page's language too: api.js asks for it).
    assert {key for key in french - english if not key.startswith("error.")} == set()
    used = set(re.findall(r'data-i18n="([\w.]+)"', STATIC_DIR.joinpath(PAGE).read_text()))
    for name in FILES:
        if name.endswith(".js") and name != "i18n.js":  # i18n.js defines t()
            text = STATIC_DIR.joinpath(name).read_text(encoding="utf-8")
            used |= set(re.findall(r'\bt\("([\w.]+)"', text))
    assert used - french == set()


def test_the_first_visit_guide_and_the_secret_access_in_both_languages() -> None:
    """What the guide (guide.js) and the DMP's secret access show, both languages; the
    page's refusal of a secret access, French only, shows the server's detail in English
    (``SECRET_FOR_MINORS`` of the catalogue)."""
    french, english = _dictionary("fr"), _dictionary("en")
    guide_js = STATIC_DIR.joinpath("guide.js").read_text(encoding="utf-8")
    guide = set(re.findall(r'\bt\("([\w.]+)"', guide_js)) | {
        key for key in french if key.startswith("guide.")
    }
    assert len(guide) >= 15
    assert guide - english == set()
    assert guide - french == set()
    secret = {key for key in french | english if "secret" in key}
    assert {"access.secret", "access.secret_hint", "vihf.secret", "detail.secret"} <= secret
    assert secret - {"error.invalid_request.secret"} <= english & french
    assert "error.invalid_request.secret" in french


def test_api_documentation_is_served_offline(live: LiveServer) -> None:
    """``/docs`` loads Swagger UI from the bridge itself, not from a CDN."""
    with live.client(token=False) as client:
        page = client.get("/docs")
        assert page.status_code == 200
        assert not re.findall(r"""(?:src|href)=["']https?://""", page.text)
        for asset in ("/docs-assets/swagger-ui-bundle.js", "/docs-assets/swagger-ui.css"):
            assert asset in page.text
            assert client.get(asset).status_code == 200


def test_api_documentation_cannot_be_framed(live: LiveServer) -> None:
    """``/docs`` and ``/openapi.json`` carry the status page's headers: no framing, no
    script from elsewhere (Swagger UI's data: images allowed, nothing else added)."""
    with live.client(token=False) as client:
        page = client.get("/").headers
        for path in ("/docs", "/openapi.json"):
            headers = client.get(path).headers
            assert headers["x-frame-options"] == "DENY", path
            assert headers["x-content-type-options"] == "nosniff", path
            assert headers["referrer-policy"] == "no-referrer", path
            policy = headers["content-security-policy"].split("; ")
            assert "frame-ancestors 'none'" in policy, path
            assert set(policy) - set(page["content-security-policy"].split("; ")) == {
                "img-src 'self' data:"
            }, path
