"""The DMP workflow's real stack: ``cardbridge serve`` as a child process over the real
pcscd (emulated cards in vpcd readers), reaching an offline DMP served in this process
whose requests are recorded as they arrived (the TLS client certificate, the SOAP or MTOM
body) and whose TLS connections are counted: what the DMP saw, independently of what the
bridge says it sent."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from lxml import etree

from cardbridge.sandbox.app import build_pages, build_sandbox, build_server
from cardbridge.sandbox.mtom import parse_request_body
from cardbridge.sandbox.tls import ClientIdentity
from testkit.dmp_sandbox import RunningSandbox
from testkit.pcscd import VpcdSlot
from testkit.serve_process import ServeProcess, free_port

SEEN_TIMEOUT = 20.0
DS = "http://www.w3.org/2000/09/xmldsig#"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
SAFE = etree.XMLParser(resolve_entities=False, no_network=True)


@dataclass(frozen=True)
class Exchange:
    """One request as the DMP received it."""

    path: str
    content_type: str
    body: bytes
    client: ClientIdentity

    def vihf(self) -> bytes:
        """The signed saml2:Assertion of the request's ``wsse:Security`` header."""
        related = parse_request_body(self.content_type, self.body)
        envelope = etree.fromstring(related.root, SAFE)
        (assertion,) = envelope.iter(f"{{{SAML}}}Assertion")
        return etree.tostring(assertion)

    def attachments(self) -> dict[str, bytes]:
        """The MTOM parts besides the envelope (Content-ID → bytes)."""
        related = parse_request_body(self.content_type, self.body)
        return {cid: data for cid, data in related.attachments.items() if data != related.root}


@dataclass
class RecordingSandbox:
    """The offline DMP on free loopback ports, with what it received."""

    running: RunningSandbox
    exchanges: list[Exchange] = field(default_factory=list)
    connections: list[str] = field(default_factory=list)

    def deposits(self) -> list[Exchange]:
        """The TD2.1 requests (the repository's other transaction is TD3.2)."""
        return [e for e in self.exchanges if b"ProvideAndRegisterDocumentSetRequest" in e.body]


@contextmanager
def recording_sandbox(data_dir: Path, pki_dir: Path) -> Iterator[RecordingSandbox]:
    """The default seed's sandbox of ``data_dir``; every request and TLS connection it
    accepts is recorded before it is answered."""
    sandbox = build_sandbox(data_dir, None, pki_dir=pki_dir)
    server = build_server(sandbox, "127.0.0.1", 0)
    pages = build_pages(sandbox, "127.0.0.1", 0)
    recording = RecordingSandbox(
        RunningSandbox(
            server.port,
            sandbox.pki.trust_anchors_pem(),
            data_dir,
            f"http://127.0.0.1:{pages.port}",
        )
    )
    handle, accept = sandbox.handle, server.get_request

    def recorded(path: str, content_type: str, body: bytes, client: ClientIdentity) -> Any:
        recording.exchanges.append(Exchange(path, content_type, body, client))
        return handle(path, content_type, body, client)

    def accepted() -> tuple[Any, Any]:
        connection = accept()
        recording.connections.append(str(connection[1]))
        return connection

    sandbox.handle = recorded  # type: ignore[method-assign]
    server.get_request = accepted  # type: ignore[method-assign]
    threads = [server.start_in_thread(), pages.start_in_thread()]
    try:
        yield recording
    finally:
        server.shutdown()
        server.server_close()
        pages.shutdown()
        pages.server_close()
        for thread in threads:
            thread.join(timeout=10)
        sandbox.store.close()


class DmpServe:
    """``cardbridge serve`` over pcscd, configured by environment to reach the sandbox."""

    def __init__(self, home: Path, settings: dict[str, str]) -> None:
        self.home = home
        self.process = _serve_with(home, settings)
        self.process.wait_ready()
        token = (home / "config" / "cardbridge" / "api-token").read_text().strip()
        self.headers = {"Authorization": f"Bearer {token}"}

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.process.url, headers=self.headers, timeout=120.0)

    def wait_seen(self, slot: VpcdSlot) -> None:
        """Until the bridge reports ``slot``'s card with its type read."""
        deadline = time.monotonic() + SEEN_TIMEOUT
        with self.client() as client:
            while time.monotonic() < deadline:
                readers = client.get("/v1/readers")
                if readers.status_code == 200 and any(
                    r["name"] == slot.reader and r["card_present"] and r["card_type"]
                    for r in readers.json()
                ):
                    return
                time.sleep(0.05)
        raise TimeoutError(f"cardbridge serve never saw the card in {slot.reader}")

    def cli(self, *arguments: str) -> subprocess.CompletedProcess[str]:
        """``cardbridge dmp …`` in the bridge's environment (its token file), on its URL."""
        action, *rest = arguments
        return subprocess.run(
            [sys.executable, "-m", "cardbridge", "dmp", action, "--url", self.process.url, *rest],
            env=self.process.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    def stop(self) -> None:
        assert self.process.stop() == 0, self.process.output


def _serve_with(home: Path, settings: dict[str, str]) -> ServeProcess:
    """ServeProcess takes this process's environment: ``settings`` are set for its start."""
    saved = {name: os.environ.get(name) for name in settings}
    os.environ.update(settings)
    try:
        return ServeProcess(home, free_port())
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
