"""The deposit's fast paths read what the standard library reads: MTOM parts as the
``email`` package's MIME parser splits them, base64 as RFC 4648's grammar (§4, padding
only in the last quantum) and ``binascii.a2b_base64`` in strict mode read it (written by
others, used here as the oracle)."""

from __future__ import annotations

import base64
import binascii
import email
import email.policy
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cardbridge.sandbox.cda import decode_base64
from cardbridge.sandbox.faults import ServiceFault
from cardbridge.sandbox.mtom import parse_request_body

# Content that looks like the MIME syntax around it: line breaks, dashes, blank lines.
_PIECES = st.sampled_from([b"\r\n", b"\n", b"\r", b"--", b"-", b"\r\n\r\n", b"uuid", b"x"])
_CONTENT = st.one_of(
    st.binary(max_size=300),
    st.lists(st.one_of(_PIECES, st.binary(max_size=8)), max_size=40).map(b"".join),
)
_BOUNDARY = "uuid:7f1c0e2a-5b1d-4d7e-9c36-0a1b2c3d4e5f"


def _multipart(parts: list[bytes], preamble: bytes, epilogue: bytes) -> bytes:
    chunks = [preamble + b"\r\n" if preamble else b""]
    for number, content in enumerate(parts):
        chunks.append(
            f"--{_BOUNDARY}\r\nContent-Type: application/octet-stream\r\n"
            f"Content-Transfer-Encoding: binary\r\nContent-ID: <part{number}@test>\r\n\r\n".encode()
            + content
            + b"\r\n"
        )
    chunks.append(f"--{_BOUNDARY}--\r\n".encode() + epilogue)
    return b"".join(chunks)


def _email_parts(content_type: str, body: bytes) -> dict[str, bytes]:
    message = email.message_from_bytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body, policy=email.policy.HTTP
    )
    found: dict[str, bytes] = {}
    for part in message.iter_parts():
        payload = part.get_payload(decode=True)
        assert isinstance(payload, bytes)
        found[str(part["Content-ID"]).strip("<>")] = payload
    return found


@settings(max_examples=300, deadline=None)
@given(
    parts=st.lists(_CONTENT, min_size=1, max_size=4),
    preamble=st.sampled_from([b"", b"This is a MIME message."]),
    epilogue=st.sampled_from([b"", b"\r\n", b"epilogue\r\n"]),
    start=st.booleans(),
)
def test_mtom_parts_are_the_email_parsers(
    parts: list[bytes], preamble: bytes, epilogue: bytes, start: bool
) -> None:
    content_type = f'multipart/related; type="application/xop+xml"; boundary="{_BOUNDARY}"'
    if start:
        content_type += f'; start="<part{len(parts) - 1}@test>"'
    body = _multipart(parts, preamble, epilogue)
    related = parse_request_body(content_type, body)
    expected = _email_parts(content_type, body)
    assert related.attachments == expected
    assert related.root == (expected[f"part{len(parts) - 1}@test"] if start else parts[0])


def test_mtom_without_parts_or_root_is_refused() -> None:
    content_type = f'multipart/related; boundary="{_BOUNDARY}"; start="<missing@test>"'
    with pytest.raises(ServiceFault, match="racine"):
        parse_request_body(content_type, _multipart([b"<x/>"], b"", b""))
    with pytest.raises(ServiceFault, match="aucune partie"):
        parse_request_body(content_type, b"no delimiter at all")
    with pytest.raises(ServiceFault, match="sans en-têtes"):
        parse_request_body(content_type, f"--{_BOUNDARY}\r\nContent-ID: <a>".encode())


# RFC 4648 §4: whole quanta, then at most one padded last quantum.
_CANONICAL = re.compile(rb"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")


def _strict(encoded: bytes) -> bytes | None:
    compact = encoded.translate(None, b" \t\r\n")
    if not _CANONICAL.fullmatch(compact):
        return None
    return binascii.a2b_base64(compact, strict_mode=True)


def _ours(encoded: bytes) -> bytes | None:
    """What ``decode_base64`` makes of ``encoded``, as bytes and as the text lxml gives."""
    answers = []
    for form in (encoded, encoded.decode("latin-1")):
        try:
            answers.append(decode_base64(form))
        except ValueError:
            answers.append(None)
    assert answers[0] == answers[1]
    return answers[0]


_NOISE = st.sampled_from(
    [b"=", b"==", b"!", b"-", b"_", b"\n", b"\r\n", b" ", b"\t", b"\x00", b"A"]
)


@settings(max_examples=500, deadline=None)
@given(
    data=st.binary(max_size=200),
    noise=st.lists(st.tuples(st.integers(min_value=0), _NOISE), max_size=4),
    cut=st.integers(min_value=0, max_value=3),
)
def test_base64_is_strict_like_binascii(
    data: bytes, noise: list[tuple[int, bytes]], cut: int
) -> None:
    encoded = base64.b64encode(data)
    encoded = encoded[: len(encoded) - cut]
    for position, piece in noise:
        at = position % (len(encoded) + 1)
        encoded = encoded[:at] + piece + encoded[at:]
    assert _ours(encoded) == _strict(encoded)


def test_base64_with_line_breaks_is_read() -> None:
    data = bytes(range(256)) * 40
    assert decode_base64(base64.encodebytes(data)) == data
    assert _ours(b"QUJD\x00") is None
    # Padding after a whole quantum: Python 3.11's strict a2b_base64 lets it through.
    assert _ours(b"QUJD==") is None
