"""MTOM/XOP messages (``multipart/related``), both ways.

Writing: the envelope as the root part (``application/xop+xml``), then each attachment
under its Content-ID, binary, CXF style (docs/dmp-client.md, "Transport"); the body is a
list of buffers, each large attachment one of them as it is (a deposit's megabytes are
never copied into one body). Reading: the
standard library's MIME parser (:mod:`email`, with the HTTP policy), whose multipart
reading is the Python project's own and needs no new dependency; the root part is the one
the ``start`` parameter names (else the first), and Content-IDs are URL-decoded as
``xop:Include`` hrefs are.
"""

from __future__ import annotations

import email.parser
import email.policy
import uuid
from collections.abc import Mapping
from email.message import Message
from urllib.parse import unquote

from cardbridge.errors import DmpAnswerError

XOP_ROOT_TYPE = 'application/xop+xml; charset=UTF-8; type="application/soap+xml"'


def media_type(content_type: str) -> str:
    """The ``type/subtype`` of a Content-Type header, lower case."""
    return content_type.partition(";")[0].strip().lower()


# Pieces shorter than this are joined with their neighbours (part headers, the envelope):
# a few buffers, each sent as whole TLS records. Ours.
_SMALL = 64 * 1024


def encode_parts(
    envelope: bytes, attachments: Mapping[str, bytes], action: str
) -> tuple[str, list[bytes]]:
    """``(Content-Type, body's buffers)`` of an MTOM request carrying ``attachments``: the
    body is the buffers' concatenation; an attachment of 64 KiB or more is a buffer of
    its own, not copied."""
    boundary = f"uuid:{uuid.uuid4()}"
    root_id = f"root.message@{uuid.uuid4()}"
    pieces = [
        f"--{boundary}\r\nContent-Type: {XOP_ROOT_TYPE}\r\n"
        f"Content-Transfer-Encoding: binary\r\nContent-ID: <{root_id}>\r\n\r\n".encode(),
        envelope,
    ]
    for content_id, data in attachments.items():
        pieces += [
            f"\r\n--{boundary}\r\nContent-Type: application/octet-stream\r\n"
            f"Content-Transfer-Encoding: binary\r\nContent-ID: <{content_id}>\r\n\r\n".encode(),
            data,
        ]
    pieces.append(f"\r\n--{boundary}--\r\n".encode())
    content_type = (
        f'multipart/related; type="application/xop+xml"; boundary="{boundary}"; '
        f'start="<{root_id}>"; start-info="application/soap+xml"; action="{action}"'
    )
    buffers: list[bytes] = []
    pending: list[bytes] = []
    for piece in pieces:
        if len(piece) < _SMALL:
            pending.append(piece)
            continue
        if pending:
            buffers.append(b"".join(pending))
            pending = []
        buffers.append(piece)
    if pending:
        buffers.append(b"".join(pending))
    return content_type, buffers


def encode(envelope: bytes, attachments: Mapping[str, bytes], action: str) -> tuple[str, bytes]:
    """``(Content-Type, body)`` of an MTOM request carrying ``attachments``, in one piece."""
    content_type, buffers = encode_parts(envelope, attachments, action)
    return content_type, b"".join(buffers)


def _content_id(part: Message) -> str:
    return unquote(str(part.get("Content-ID", "")).strip().strip("<>"))


def decode(content_type: str, body: bytes) -> tuple[bytes, dict[str, bytes]]:
    """The root part and the attachments (Content-ID → bytes) of an MTOM answer."""
    parser = email.parser.BytesParser(policy=email.policy.HTTP)
    message = parser.parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body)
    parts = list(message.iter_parts()) if message.is_multipart() else []
    if not parts:
        raise DmpAnswerError("The DMP's MTOM answer has no parts.")
    start = unquote(str(message.get_param("start", "", header="content-type")).strip("<>"))
    by_id = {_content_id(part): part for part in parts}
    root = by_id.get(start) if start else parts[0]
    if root is None:
        raise DmpAnswerError("The DMP's MTOM answer has no root part.")
    attachments = {
        content_id: _payload(part)
        for content_id, part in by_id.items()
        if content_id and part is not root
    }
    return _payload(root), attachments


def _payload(part: Message) -> bytes:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        raise DmpAnswerError("A part of the DMP's MTOM answer cannot be read.")
    return payload
