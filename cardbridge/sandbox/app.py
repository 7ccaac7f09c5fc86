"""Assembly: the store, the seed, the test PKI, the handlers and the TLS server, in one place."""

from __future__ import annotations

from pathlib import Path

from cardbridge.emulator.pki_organisations import OrganisationPki
from cardbridge.sandbox import (
    deposit,
    habilitations,
    hl7v3,
    listings,
    pdq,
    query,
    retrieve,
    update,
)
from cardbridge.sandbox.notifications import SmtpServer
from cardbridge.sandbox.pages import PagesServer
from cardbridge.sandbox.seed import apply_seed, load_seed
from cardbridge.sandbox.server import SandboxServer
from cardbridge.sandbox.service import Handler, Sandbox
from cardbridge.sandbox.store import Store
from cardbridge.sandbox.tls import server_context

DEFAULT_PORT = 8471
DEFAULT_PAGES_PORT = 8472

HANDLERS: dict[str, Handler] = {
    "TD0.2": hl7v3.existence_test,
    "TD0.3": habilitations.set_authorization,
    "TD0.4": listings.list_patients,
    "TD0.5": pdq.find_patients,
    "TD1.6": listings.list_authorizations,
    "TD2.1": deposit.provide_and_register,
    "TD3.1": query.stored_query,
    "TD3.2": retrieve.retrieve,
    "TD3.3": update.update_document_set,
}


def build_sandbox(
    data_dir: Path,
    seed: Path | None = None,
    pki_dir: Path | None = None,
    smtp: SmtpServer | None = None,
) -> Sandbox:
    """The service of ``data_dir``, seeded (``seed``, else the packaged default).

    ``pki_dir`` is the data dir of the test PKI (default: ``data_dir``): the bridge's, so
    that the emulated cards' certificates are accepted. ``smtp``: where notification
    e-mails go (None: the outbox only).
    """
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    store = Store.in_directory(data_dir)
    apply_seed(store, load_seed(seed))
    pki = OrganisationPki.load_or_create(pki_dir or data_dir)
    return Sandbox(store, pki, HANDLERS, smtp=smtp)


def build_server(
    sandbox: Sandbox, host: str = "127.0.0.1", port: int = DEFAULT_PORT
) -> SandboxServer:
    """The HTTPS server of ``sandbox`` (port 0: any free port)."""
    return SandboxServer((host, port), sandbox, server_context(sandbox.pki))


def build_pages(
    sandbox: Sandbox, host: str = "127.0.0.1", port: int = DEFAULT_PAGES_PORT
) -> PagesServer:
    """The patient pages of ``sandbox`` over plain HTTP (port 0: any free port)."""
    return PagesServer((host, port), sandbox.store)
