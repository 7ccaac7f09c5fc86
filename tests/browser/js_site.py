"""The JavaScript client (``clients/js``) for the browser tests: its build, its types
generated from the bridge's OpenAPI document, and a web application's site that loads
its bundle, served on a loopback port of its own (so its own origin, not the bridge's).

``python -m tests.browser.js_site types`` writes the client's types from the app's
current OpenAPI document (``make js-client-types``).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI
from fastapi.responses import FileResponse, HTMLResponse, StreamingResponse

from cardbridge.auth.nonces import Challenges, MemoryNonceStore
from cardbridge.auth.trust import TrustStore
from cardbridge.auth.verifier import TokenVerifier
from cardbridge.config import Settings
from cardbridge.emulator.inprocess import EmulatedBackend
from testkit.server import app_from_settings
from tests.support.relying_party import add_login_routes

CLIENT = Path(__file__).resolve().parents[2] / "clients" / "js"
BUNDLE = CLIENT / "dist" / "cardbridge.js"
TYPES = CLIENT / "src" / "openapi.ts"
TOOLS = CLIENT / "node_modules" / ".bin"
NOT_INSTALLED = "the JavaScript client's tools are not installed: run `make js-client`"

# The site's page: the bundle as an ES module, the client for the bridge at __BRIDGE__,
# and the buttons a clinician clicks (the approval window opens from a click). What the
# client answers is shown in the page, errors as their class, code and detail.
PAGE = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Application DMP de test</title></head>
<body>
<button id="login" type="button">Se connecter avec la carte CPS</button>
<button id="documents" type="button">Documents DMP de Pierre</button>
<button id="two-calls" type="button">Deux questions au DMP à la fois</button>
<p id="result"></p>
<ul id="document-list"></ul>
<p id="stream-status"></p>
<ul id="stream-events"></ul>
<script type="module">
import * as cardbridge from "/cardbridge.js";
const bridge = new cardbridge.CardBridge({ origin: __BRIDGE__ });
window.cardbridge = cardbridge;
window.bridge = bridge;
const show = (text) => { document.getElementById("result").textContent = text; };
window.describe = (error) => ({
  name: error.name, code: error.code, status: error.status, detail: error.detail,
  isBridgeError: error instanceof cardbridge.CardBridgeError,
});
const failed = (error) => show(`erreur ${error.name} ${error.code} : ${error.detail}`);

document.getElementById("login").addEventListener("click", async () => {
  try {
    const { nonce } = await (await fetch("/nonce", { method: "POST" })).json();
    const token = await bridge.login(nonce);
    const verdict = await (await fetch("/login", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ token, nonce }),
    })).json();
    show(verdict.valid ? `connecté : ${verdict.name}` : `refusé : ${verdict.code}`);
  } catch (error) { failed(error); }
});

document.getElementById("documents").addEventListener("click", async () => {
  try {
    const patient = { vitale: { beneficiary: 0 } };
    const chosen = await bridge.patient(patient);
    await bridge.dmpAccess({ situation: 0, patient, mode: "normal", consent: false });
    const ins = chosen.ins.value;
    window.lastIns = ins;
    const listed = await bridge.documents({ patient: ins });
    const list = document.getElementById("document-list");
    list.replaceChildren(...listed.map((entry) => {
      const item = document.createElement("li");
      item.textContent = entry.title;
      return item;
    }));
    show(`${listed.length} documents pour ${ins}`);
  } catch (error) { failed(error); }
});

document.getElementById("two-calls").addEventListener("click", async () => {
  try {
    const asked = { patient: window.lastIns, situation: 0 };
    const both = await Promise.all([bridge.dmpStatus(asked), bridge.dmpStatus(asked)]);
    show(`deux réponses : ${both.map((status) => status.state).join(", ")}`);
  } catch (error) { failed(error); }
});

window.follow = (options) => {
  const events = document.getElementById("stream-events");
  window.stream = bridge.events({
    ...options,
    onStatus: (status) => {
      document.getElementById("stream-status").textContent = status.state;
      document.getElementById("stream-status").dataset.reason = status.reason ?? "";
    },
    onEvent: (name, data) => {
      const item = document.createElement("li");
      item.textContent = name === "state"
        ? `state ${data.readers.map((r) => r.name + ":" + (r.card_type ?? "vide")).join(", ")}`
        : `${name} ${data.reader}`;
      events.append(item);
    },
  });
};
window.ready = true;
</script>
</body></html>
"""

# A stream in every form the format allows (WHATWG HTML, "Server-sent events"): CRLF, CR
# and LF line ends, one split between its CR and LF, a comment, a field without a space
# or without a colon, data on several lines, an event without data, an id, and chunks
# cut anywhere. The tests compare the client's reading with Chromium's own EventSource.
SSE_SAMPLE = [
    b': a comment\r\nretry: 50\r\nevent: state\r\ndata: {"readers": []}\r\n\r',
    b'\nevent: card_inserted\ndata:{"reader":\n',
    b'data: "R 1"}\n\nevent: card_removed\rdata: {"reader": "R',
    b' 2"}\r\revent: heartbeat\nretry\n\nevent: heartbeat\ndata: {"time": "09:30"}\n',
    b"id: 7\n\n",
]


def require_tools() -> None:
    """Fail (never skip) when ``npm ci`` did not run in clients/js."""
    if not (TOOLS / "esbuild").exists():
        raise RuntimeError(NOT_INSTALLED)


def build() -> Path:
    """The bundle of the client's current sources: built again (tsc checks the types
    first) unless it is newer than every source (`make js-client` built it)."""
    require_tools()
    sources = [*(CLIENT / "src").iterdir(), CLIENT / "package.json", CLIENT / "tsconfig.json"]
    newest = max(path.stat().st_mtime for path in sources)
    if not BUNDLE.exists() or BUNDLE.stat().st_mtime < newest:
        command = ["npm", "run", "--silent", "build"]
        subprocess.run(command, cwd=CLIENT, check=True, capture_output=True)
    return BUNDLE


def openapi_document() -> dict[str, Any]:
    """The OpenAPI document of the app as it is now (as ``GET /openapi.json`` serves it)."""
    with tempfile.TemporaryDirectory(prefix="cardbridge-openapi-") as folder:
        settings = Settings(
            data_dir=Path(folder) / "data", state_dir=Path(folder) / "state", emulator=True
        )
        app = app_from_settings(settings, backend=EmulatedBackend(), api_token="t" * 32)
        document: dict[str, Any] = app.openapi()
        return document


def generated_types(document: dict[str, Any]) -> str:
    """The TypeScript that openapi-typescript writes for ``document``."""
    require_tools()
    with tempfile.TemporaryDirectory(prefix="cardbridge-types-") as folder:
        source = Path(folder) / "openapi.json"
        target = Path(folder) / "openapi.ts"
        source.write_text(json.dumps(document), encoding="utf-8")
        subprocess.run(
            [str(TOOLS / "openapi-typescript"), str(source), "--output", str(target)],
            cwd=CLIENT,
            check=True,
            capture_output=True,
        )
        return target.read_text(encoding="utf-8")


def site_app(bridge_url: str, origin: str, trust: TrustStore) -> FastAPI:
    """The site: its page, the client's bundle, and its server's login (a nonce of its
    own, the token verified with ``cardbridge.auth`` for its own origin)."""
    challenges = Challenges(MemoryNonceStore())
    verifier = TokenVerifier(trust, challenges=challenges)
    page = PAGE.replace("__BRIDGE__", json.dumps(bridge_url))
    app = FastAPI()

    @app.get("/")
    async def home() -> HTMLResponse:
        return HTMLResponse(page)

    @app.get("/cardbridge.js")
    async def bundle() -> FileResponse:
        return FileResponse(BUNDLE, media_type="text/javascript")

    @app.get("/sse-sample")
    async def sse_sample() -> StreamingResponse:
        return StreamingResponse(iter(SSE_SAMPLE), media_type="text/event-stream")

    add_login_routes(app, challenges, verifier, origin)
    return app


@contextmanager
def serve_site(app: FastAPI, sock: Any) -> Iterator[None]:
    """Serve ``app`` on the listening-ready socket ``sock`` until the block ends."""
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, access_log=False, lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the site did not start")
        time.sleep(0.01)
    try:
        yield
    finally:
        server.should_exit = True
        thread.join(10)


def main(argv: list[str]) -> int:
    if argv != ["types"]:
        print("usage: python -m tests.browser.js_site types", file=sys.stderr)
        return 2
    if shutil.which("node") is None:
        print("node is missing: `make test` installs it", file=sys.stderr)
        return 1
    TYPES.write_text(generated_types(openapi_document()), encoding="utf-8")
    print(f"wrote {TYPES.relative_to(CLIENT.parents[1])}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
