"""Where the bridge finds the offline DMP: its services and its patient pages."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from pydantic import ValidationError

from cardbridge.config import Settings
from cardbridge.dmp.endpoints import patient_pages_url, resolve_endpoint
from cardbridge.sandbox.app import DEFAULT_PAGES_PORT, DEFAULT_PORT


def test_the_sandbox_defaults_are_the_sandboxs_own() -> None:
    services = urlsplit(resolve_endpoint("sandbox").base_url)
    assert (services.hostname, services.port) == ("127.0.0.1", DEFAULT_PORT)
    pages = urlsplit(patient_pages_url(None, "sandbox") or "")
    assert (pages.scheme, pages.hostname, pages.port) == ("http", "127.0.0.1", DEFAULT_PAGES_PORT)


def test_patient_pages_as_set_or_none_for_the_national_services() -> None:
    assert patient_pages_url("http://127.0.0.1:9000/", "https://127.0.0.1:9001") == (
        "http://127.0.0.1:9000"
    )
    for endpoint in ("production", "formation2", "https://dv1.example/si-dmp-server"):
        assert patient_pages_url(None, endpoint) is None


@pytest.mark.parametrize(
    "pages", ["https://127.0.0.1:8472", "http://dmp.example:8472", "http://127.0.0.1:8472/x"]
)
def test_patient_pages_are_on_loopback_over_plain_http(pages: str) -> None:
    with pytest.raises(ValidationError):
        Settings(dmp_patient_pages=pages)
