"""MTOM/XOP (``multipart/related``): reading a request's parts, writing an answer's.

A request is either a bare SOAP envelope (``application/soap+xml``) or a multipart whose
root part (``start``, else the first) is the envelope, with ``xop:Include href="cid:…"``
pointing at binary parts (hrefs are URL-decoded before matching Content-IDs, as CXF
encodes them). Answers of ITI-43, faults included, are MTOM (docs/dmp-sandbox.md, "Envelopes").
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from email.message import Message
from urllib.parse import unquote

from cardbridge.sandbox.faults import Fault, ServiceFault

_HEADER_END = b"\r\n\r\n"


@dataclass(frozen=True)
class Related:
    """The root part and the attachments (Content-ID without angle brackets → bytes)."""

    root: bytes
    attachments: dict[str, bytes] = field(default_factory=dict)

    def attachment(self, href: str) -> bytes | None:
        """The part an ``xop:Include/@href`` (``cid:…``) points at, or None."""
        if not href.startswith("cid:"):
            return None
        return self.attachments.get(unquote(href[4:]))


def _params(content_type: str) -> tuple[str, dict[str, str]]:
    message = Message()
    message["Content-Type"] = content_type
    params = {key.lower(): value for key, value in message.get_params(failobj=[])[1:]}
    return message.get_content_type(), params


def media_type(content_type: str) -> str:
    """``type/subtype`` of a Content-Type header, lower case."""
    return _params(content_type)[0]


def _headers(head: bytes) -> dict[str, str]:
    headers: dict[str, str] = {}
    for line in head.decode("latin-1").split("\r\n"):
        name, colon, value = line.partition(":")
        if colon:
            headers[name.strip().lower()] = value.strip()
    return headers


def _parts(body: bytes, boundary: bytes) -> list[tuple[dict[str, str], bytes]]:
    """The parts between the delimiters, each content copied once (a deposit is megabytes).

    A delimiter is CRLF ``--boundary`` (RFC 2046 §5.1.1): the CRLF belongs to it, not to
    the content before it; the first may open the body. A body cut short ends its last part.
    """
    delimiter = b"--" + boundary
    parts: list[tuple[dict[str, str], bytes]] = []
    found = body.find(delimiter)
    while found >= 0:
        start = found + len(delimiter)
        if body.startswith(b"--", start):
            break
        head_end = body.find(_HEADER_END, start)
        if head_end < 0:
            raise ServiceFault(Fault.NOT_SOAP, "multipart", "partie MIME sans en-têtes")
        content_start = head_end + len(_HEADER_END)
        found = body.find(b"\r\n" + delimiter, content_start)
        if found < 0:
            content = body[content_start:].removesuffix(b"\r\n")
        else:
            content = body[content_start:found]
            found += 2
        parts.append((_headers(body[start:head_end]), content))
    return parts


def parse_request_body(content_type: str, body: bytes) -> Related:
    """The SOAP envelope and attachments of a request; :class:`ServiceFault` when unreadable."""
    kind, params = _params(content_type)
    if kind in ("application/soap+xml", "text/xml", "application/xml"):
        return Related(body)
    if kind != "multipart/related" or "boundary" not in params:
        raise ServiceFault(Fault.NOT_SOAP, "Content-Type", f"type {kind} non pris en charge")
    parts = _parts(body, params["boundary"].encode("ascii", "replace"))
    if not parts:
        raise ServiceFault(Fault.NOT_SOAP, "multipart", "aucune partie MIME")
    start = params.get("start", "").strip("<>")
    by_id = {headers.get("content-id", "").strip("<>"): content for headers, content in parts}
    root = by_id.get(start) if start else parts[0][1]
    if root is None:
        raise ServiceFault(Fault.NOT_SOAP, "multipart", "partie racine introuvable")
    return Related(root, {cid: content for cid, content in by_id.items() if cid})


_CID_SAFE = re.compile(r"[^A-Za-z0-9.@_-]")


def new_content_id(suffix: str) -> str:
    """A fresh Content-ID (without brackets), CXF style."""
    return f"{uuid.uuid4()}-{_CID_SAFE.sub('_', suffix)}@urn:ihe:iti:xds-b:2007"


def build_related(envelope: bytes, attachments: dict[str, bytes], action: str) -> tuple[str, bytes]:
    """``(Content-Type, body)`` of an MTOM message: the envelope, then each attachment."""
    boundary = f"uuid:{uuid.uuid4()}"
    root_id = f"root.message@{uuid.uuid4()}"
    chunks = [
        f"--{boundary}\r\n"
        'Content-Type: application/xop+xml; charset=UTF-8; type="application/soap+xml"\r\n'
        "Content-Transfer-Encoding: binary\r\n"
        f"Content-ID: <{root_id}>\r\n\r\n".encode(),
        envelope,
    ]
    for content_id, content in attachments.items():
        chunks += [
            f"\r\n--{boundary}\r\n"
            "Content-Type: application/octet-stream\r\n"
            "Content-Transfer-Encoding: binary\r\n"
            f"Content-ID: <{content_id}>\r\n\r\n".encode(),
            content,
        ]
    chunks.append(f"\r\n--{boundary}--\r\n".encode())
    content_type = (
        f'multipart/related; type="application/xop+xml"; boundary="{boundary}"; '
        f'start="<{root_id}>"; start-info="application/soap+xml"; action="{action}"'
    )
    return content_type, b"".join(chunks)
