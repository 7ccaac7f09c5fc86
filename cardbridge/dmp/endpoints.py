"""Where the DMP is: the ``dmp_endpoint`` setting → the base URL of the services.

Values (docs/dmp-client.md, "Transport"): ``sandbox`` (the offline DMP that
``cardbridge dmp-sandbox`` serves on this machine), ``formation1``…``formation5`` (the
national training environments), ``production``, or an ``https://`` URL (an editor test
environment such as DV1): the services' base URL, to which each service's path is added.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from cardbridge.dmp.transport import Service
from cardbridge.errors import ConfigError
from cardbridge.messages import configuration as say

# The offline DMP's default address (`cardbridge dmp-sandbox`; a test checks it is the
# sandbox's own default).
SANDBOX_URL = "https://127.0.0.1:8471"
# Its patient pages (the access history a patient reads): plain HTTP on loopback.
SANDBOX_PAGES_URL = "http://127.0.0.1:8472"
SERVICES_PATH = "/si-dmp-server/v2/services"
PRODUCTION_URL = f"https://lps2.dmp.gouv.fr{SERVICES_PATH}"
_FORMATION_URL = "https://{name}.lps2.dmp.gouv.fr" + SERVICES_PATH
_FORMATION = re.compile(r"formation[1-5]")


@dataclass(frozen=True)
class DmpEndpoint:
    """The services' base URL (``https://host[:port]/…/services``) and its parts."""

    name: str
    base_url: str

    @property
    def host(self) -> str:
        """The server's host name or address."""
        return urlsplit(self.base_url).hostname or ""

    @property
    def port(self) -> int:
        """The server's port (443 unless the URL says)."""
        return urlsplit(self.base_url).port or 443

    @property
    def is_sandbox(self) -> bool:
        """Whether this is the offline DMP of ``dmp_endpoint = sandbox``."""
        return self.name == "sandbox"

    def path(self, service: Service) -> str:
        """The request path of ``service`` (``/si-dmp-server/v2/services/registry``)."""
        return f"{urlsplit(self.base_url).path.rstrip('/')}/{service.value}"

    def url(self, service: Service) -> str:
        """The full URL of ``service``: the ``wsa:To`` of its requests."""
        return f"{self.base_url.rstrip('/')}/{service.value}"


def resolve_endpoint(setting: str) -> DmpEndpoint:
    """The endpoint a ``dmp_endpoint`` value names; :class:`ConfigError` when none."""
    value = setting.strip()
    if value == "sandbox":
        return DmpEndpoint("sandbox", SANDBOX_URL + SERVICES_PATH)
    if value == "production":
        return DmpEndpoint("production", PRODUCTION_URL)
    if _FORMATION.fullmatch(value):
        return DmpEndpoint(value, _FORMATION_URL.format(name=value))
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.hostname or parts.query or parts.fragment:
        raise ConfigError(say.DMP_ENDPOINT_UNKNOWN.format(value=repr(setting)))
    try:
        parts.port  # noqa: B018 - a port out of range raises here
    except ValueError:
        raise ConfigError(say.DMP_ENDPOINT_PORT.format(value=repr(setting))) from None
    base = value.rstrip("/")
    if parts.path in ("", "/"):
        base += SERVICES_PATH
    return DmpEndpoint("url", base)


def patient_pages_url(pages: str | None, endpoint: str) -> str | None:
    """The offline DMP's patient pages: ``pages`` when set, the sandbox's default with
    ``dmp_endpoint = sandbox``, else none (the national services have no such pages)."""
    if pages:
        return pages.rstrip("/")
    return SANDBOX_PAGES_URL if endpoint.strip() == "sandbox" else None
