"""A remote web site that logs practitioners in with their CPS, as an integrator builds it
with ``cardbridge.auth``: its server issues the nonces (kept in Redis, 5 minutes, single
use) and verifies the tokens; its page asks the local bridge for a token and opens the
bridge's approval window when told to. Served on its own loopback port, so that its
origin is not the bridge's."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import redis
import uvicorn
from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from cardbridge.auth.nonces import Challenges, RedisNonceStore
from cardbridge.auth.trust import TrustStore
from cardbridge.auth.verifier import TokenVerifier
from cardbridge.errors import AuthError
from testkit.server import free_socket

# The page's script: a nonce from its server, the token from the bridge (through the
# approval window), the verdict from its server. It never sees, asks for or sends a PIN.
PAGE = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Application web de test</title></head>
<body>
<button id="login" type="button">Se connecter avec la carte CPS</button>
<p id="result"></p>
<!-- For the tests' attacker: have the card sign a nonce given here (no verification). -->
<input id="nonce" aria-label="nonce"><button id="sign" type="button">Signer ce nonce</button>
<script>
const BRIDGE = __BRIDGE__;

async function tokenFromTheBridge(nonce) {
  const asked = await fetch(BRIDGE + "/v1/auth/token", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ nonce }),
  });
  const problem = await asked.json();
  if (problem.code !== "approval_required") throw new Error(problem.code);
  const decided = new Promise((resolve) => {
    window.addEventListener("message", (event) => {
      const data = event.data;
      if (event.origin === BRIDGE && data.type === "cardbridge:approval"
          && data.id === problem.approval_id) resolve(data.status);
    });
  });
  window.open(problem.approval_url, "cardbridge-approval", "popup,width=520,height=640");
  const status = await decided;
  const outcome = await (await fetch(BRIDGE + "/v1/approvals/" + problem.approval_id)).json();
  if (status !== "approved" || outcome.status !== "approved") throw new Error(status);
  return outcome.token;
}

async function login(nonce) {
  const own = nonce === undefined;
  if (own) nonce = (await (await fetch("/nonce", { method: "POST" })).json()).nonce;
  const token = await tokenFromTheBridge(nonce);
  window.lastLogin = { token, nonce };
  if (!own) return;
  const verdict = await (await fetch("/login", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ token, nonce }),
  })).json();
  document.getElementById("result").textContent =
    verdict.valid ? "connecté : " + verdict.name : "refusé : " + verdict.code;
}

const failed = (error) => {
  document.getElementById("result").textContent = "erreur : " + error.message;
};
document.getElementById("login").addEventListener("click", () => login().catch(failed));
document.getElementById("sign").addEventListener(
  "click", () => login(document.getElementById("nonce").value).catch(failed));
</script>
</body></html>
"""


@dataclass
class RelyingParty:
    """A running site: its origin, and the Redis client its nonce store uses."""

    origin: str
    redis: redis.Redis
    prefix: str

    def nonce_key(self, nonce: str) -> str:
        return self.prefix + nonce


def relying_party_app(
    origin: str, bridge_url: str, redis_client: redis.Redis, trust: TrustStore, prefix: str
) -> FastAPI:
    """The site's server: ``POST /nonce``, ``POST /login``, and its page at ``/``."""
    challenges = Challenges(RedisNonceStore(redis_client, prefix=prefix))
    verifier = TokenVerifier(trust, challenges=challenges)
    app = FastAPI()
    page = PAGE.replace("__BRIDGE__", json.dumps(bridge_url))

    @app.get("/")
    async def home() -> HTMLResponse:
        return HTMLResponse(page)

    add_login_routes(app, challenges, verifier, origin)
    return app


def add_login_routes(
    app: FastAPI, challenges: Challenges, verifier: TokenVerifier, origin: str
) -> None:
    """A relying party's server side of a login: ``POST /nonce`` issues a challenge for
    ``origin``, ``POST /login`` verifies the token the page got from the bridge."""

    @app.post("/nonce")
    async def nonce() -> dict[str, str]:
        return {"nonce": challenges.issue(origin).nonce}

    @app.post("/login")
    async def login(body: dict[str, Any]) -> dict[str, Any]:
        try:
            who = verifier.verify(body["token"], str(body["nonce"]), origin)
        except AuthError as error:
            return {"valid": False, "code": error.code}
        return {"valid": True, "name": f"{who.first_name} {who.last_name}"}


@contextmanager
def relying_party(
    bridge_url: str, redis_port: int, trust: TrustStore, *, sock: Any = None
) -> Iterator[RelyingParty]:
    """Serve a relying party on its own loopback port (``sock``, or a free one)."""
    sock = sock or free_socket()
    port = sock.getsockname()[1]
    origin = f"http://127.0.0.1:{port}"
    client = redis.Redis(host="127.0.0.1", port=redis_port)
    prefix = f"rp-{port}:"
    app = relying_party_app(origin, bridge_url, client, trust, prefix)
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, access_log=False, lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the relying party did not start")
        time.sleep(0.01)
    try:
        yield RelyingParty(origin, client, prefix)
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
        client.close()
