"""The JSON form of a retrieved document (``cardbridge dmp get --json``): its bytes in the
standard base64 alphabet every decoder reads, not pydantic's URL-safe one."""

from __future__ import annotations

import base64
import json

from cardbridge.dmp.results import DocumentContent


def test_content_is_standard_base64_in_json() -> None:
    content = bytes([0xFB, 0xFF, 0xBF, 0x00]) + "é\r\n".encode()  # "+" and "/" in base64
    document = DocumentContent(
        unique_id="1.2.3", media_type="application/pdf", content=content, wrapped_in_cda=True
    )
    written = json.loads(document.model_dump_json())
    assert written["content"] == base64.standard_b64encode(content).decode()
    assert "+" in written["content"]
    assert "/" in written["content"]
    # In Python the content stays bytes.
    assert document.model_dump()["content"] == content
