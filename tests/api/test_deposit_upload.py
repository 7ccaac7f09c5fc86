"""The deposit's upload is read into memory: a 5 MB document is not spooled to a temporary
file (health data on disk, read back through a thread per chunk); and the deposited PDF is
opened by pypdf once, by the form's check, not again by the deposit."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from starlette.datastructures import UploadFile
from starlette.requests import Request

from cardbridge.api.routes.dmp import DEPOSIT_BODY_LIMIT
from cardbridge.dmp import formats
from testkit.sample_files import pdf_of_size
from tests.support.dmp_fixtures import PIERRE


def _form_of(body: bytes, content_type: str) -> tuple[UploadFile, bytes]:
    async def read() -> tuple[UploadFile, bytes]:
        chunks = [body[i : i + 65536] for i in range(0, len(body), 65536)]

        async def receive() -> dict[str, object]:
            chunk = chunks.pop(0) if chunks else b""
            return {"type": "http.request", "body": chunk, "more_body": bool(chunks)}

        scope = {
            "type": "http",
            "method": "POST",
            "headers": [(b"content-type", content_type.encode())],
        }
        form = await Request(scope, receive).form()
        upload = form["file"]
        assert isinstance(upload, UploadFile)
        return upload, await upload.read()

    return asyncio.run(read())


def test_a_5_mb_document_is_read_in_memory() -> None:
    document = pdf_of_size(5_000_000)
    request = httpx.Request(
        "POST", "http://bridge/", data={"title": "CR"}, files={"file": ("cr.pdf", document)}
    )
    body = request.read()
    assert len(body) <= DEPOSIT_BODY_LIMIT.size
    upload, content = _form_of(body, request.headers["content-type"])
    assert content == document
    assert upload._in_memory  # Starlette's own test of a file not rolled over to disk


def test_a_deposited_pdf_is_opened_once(
    clinician: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bridge's PDF check (the offline DMP, in this process, opens it for its own)."""
    opened: list[int] = []
    check = formats._check_pdf

    def counting(content: bytes) -> None:
        opened.append(len(content))
        check(content)

    monkeypatch.setattr(formats, "_check_pdf", counting)
    access = {"situation": 0, "patient": {"ins": PIERRE}}
    assert clinician.post("/v1/dmp/access", json=access).status_code == 200
    form = {
        "situation": "0",
        "beneficiary": "0",
        "title": "Compte rendu",
        "document_date": "2026-11-20",
        "type": "11488-4",
        "event_start": "2026-11-20",
    }
    document = pdf_of_size(100_000)
    answer = clinician.post("/v1/dmp/documents", data=form, files={"file": ("cr.pdf", document)})
    assert answer.status_code == 200, answer.text
    assert opened == [len(document)]
    unique_id = answer.json()["receipt"]["unique_id"]
    got = clinician.get(f"/v1/dmp/documents/{unique_id}", params={"patient": PIERRE})
    assert got.content == document
