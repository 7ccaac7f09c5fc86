"""The deposit's upload is read into memory: a 5 MB document is not spooled to a temporary
file (health data on disk, read back through a thread per chunk)."""

from __future__ import annotations

import asyncio

import httpx
from starlette.datastructures import UploadFile
from starlette.requests import Request

from cardbridge.api.routes.dmp import DEPOSIT_BODY_LIMIT
from tests.support.sample_files import pdf_of_size


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
