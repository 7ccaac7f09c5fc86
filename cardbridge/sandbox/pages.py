"""The patient's page: what Mon espace santé shows, served on loopback without a certificate.

``/`` lists the DMPs; ``/patients/<INS>`` shows the documents the patient may see (not the
``INVISIBLE_PATIENT`` ones, Approved only) and the access history (who, when, mode,
reason); ``?view=representative`` is a legal representative's view: without the
``INVISIBLE_REPRESENTANTS_LEGAUX`` documents and without the secret accesses. The outbox of
notification e-mails is shown below (docs/dmp-sandbox.md, "Patient page and notifications").
It is a test tool: plain HTTP, loopback only, read-only.
"""

from __future__ import annotations

import json
import threading
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cardbridge.sandbox.server import check_loopback
from cardbridge.sandbox.store import DOCUMENT_METADATA, Store
from cardbridge.sandbox.xds_codes import APPROVED, INVISIBLE_GUARDIANS, INVISIBLE_PATIENT

_MODES = {"normal": "Accès normal", "bris_de_glace": "Accès en urgence", "centre_15": "Centre 15"}
_STYLE = (
    "body{font-family:sans-serif;margin:2rem;max-width:60rem}"
    "table{border-collapse:collapse;width:100%}"
    "td,th{border:1px solid #ccc;padding:.3rem;text-align:left}"
)


def _page(title: str, body: str) -> bytes:
    return (
        '<!doctype html><html lang="fr"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title>"
        f"<style>{_STYLE}</style></head><body><h1>{escape(title)}</h1>{body}</body></html>"
    ).encode()


def _table(caption: str, headers: list[str], rows: list[list[str]], empty: str) -> str:
    if not rows:
        return f"<h2>{escape(caption)}</h2><p>{escape(empty)}</p>"
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    lines = "".join(
        "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>" for row in rows
    )
    label = escape(caption)
    return f"<h2>{label}</h2><table aria-label='{label}'><tr>{head}</tr>{lines}</table>"


def patient_page(store: Store, ins: str, *, representative: bool) -> bytes | None:
    """The page of ``ins``, or None when there is no DMP."""
    dmp = store.one("SELECT * FROM dmp WHERE ins = ?", ins)
    if dmp is None:
        return None
    hidden = {INVISIBLE_PATIENT} | ({INVISIBLE_GUARDIANS} if representative else set())
    documents = [
        [d["creation_time"][:8], d["title"], d["type_code"].split("^")[0]]
        for d in store.all(
            f"SELECT {DOCUMENT_METADATA} FROM document "  # noqa: S608 - constant columns
            "WHERE ins = ? AND status = ? AND class_code NOT LIKE 'urn:%' "
            "ORDER BY creation_time DESC",
            ins,
            APPROVED,
        )
        if not set(json.loads(d["confidentiality"])) & hidden
    ]
    traces = store.all(
        "SELECT trace.*, professional.first_name, professional.last_name, structure.name "
        "FROM trace LEFT JOIN professional ON professional.national_id = trace.actor_id "
        "LEFT JOIN structure ON structure.structure_id = trace.structure_id "
        "WHERE trace.ins = ? AND trace.result IN ('OK', 'NF') ORDER BY trace.id DESC",
        ins,
    )
    history = [
        [
            t["at"].replace("T", " ").rstrip("Z"),
            f"{t['first_name']} {t['last_name']}"
            if t["last_name"]
            else (t["name"] or t["actor_id"]),
            _MODES.get(t["purpose"], t["purpose"]),
            t["reason"] or "",
        ]
        for t in traces
        if not (representative and t["audience"] == INVISIBLE_GUARDIANS)
    ]
    outbox = [
        [
            m["at"].replace("T", " ").rstrip("Z"),
            m["recipient"],
            m["subject"],
            "envoyé" if m["sent"] else "en attente",
        ]
        for m in store.all("SELECT * FROM outbox WHERE ins = ? ORDER BY id DESC", ins)
    ]
    view = "Vue d'un représentant légal" if representative else "Vue du patient"
    status = "fermé" if dmp["status"] != "active" else "actif"
    body = (
        f"<p>{escape(view)} — INS {escape(ins)} — dossier {status}</p>"
        + _table("Documents", ["Date", "Titre", "Type"], documents, "Aucun document.")
        + _table(
            "Historique des accès", ["Date (UTC)", "Qui", "Mode", "Motif"], history, "Aucun accès."
        )
        + _table(
            "Notifications", ["Date (UTC)", "À", "Objet", "État"], outbox, "Aucune notification."
        )
    )
    return _page(f"{dmp['given']} {dmp['family']}", body)


def index_page(store: Store) -> bytes:
    rows = store.all("SELECT ins, given, family, status FROM dmp ORDER BY family, given")
    items = "".join(
        f'<li><a href="/patients/{escape(r["ins"])}">{escape(r["given"])} {escape(r["family"])}</a>'
        f" ({'fermé' if r['status'] != 'active' else 'actif'})</li>"
        for r in rows
    )
    return _page("DMP sandbox — patients", f"<ul>{items}</ul>")


class _Handler(BaseHTTPRequestHandler):
    server: PagesServer

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        store = self.server.store
        page: bytes | None
        if url.path == "/":
            page = index_page(store)
        elif url.path.startswith("/patients/"):
            representative = parse_qs(url.query).get("view") == ["representative"]
            page = patient_page(
                store, url.path.removeprefix("/patients/"), representative=representative
            )
        else:
            page = None
        status = 200 if page is not None else 404
        data = page if page is not None else _page("Introuvable", "<p>Aucun dossier ici.</p>")
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
        self.end_headers()
        self.wfile.write(data)


class PagesServer(ThreadingHTTPServer):
    """The patient pages over plain HTTP on a loopback address."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], store: Store) -> None:
        check_loopback(address[0])
        self.store = store
        super().__init__(address, _Handler)

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def start_in_thread(self) -> threading.Thread:
        thread = threading.Thread(target=self.serve_forever, name="dmp-sandbox-pages", daemon=True)
        thread.start()
        return thread
