"""Web origins in one normal form: ``scheme://host[:port]``.

Lowercase scheme and host, internationalised host names in punycode (IDNA 2008 with
UTS 46 mapping), no default port, and nothing else: an origin with a path (even
``/``), a query, a fragment or credentials is refused rather than trimmed, so that
what is signed and what is compared are exactly the same text.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from urllib.parse import urlsplit

import idna

from cardbridge.errors import OriginInvalidError

DEFAULT_PORTS = {"https": 443, "http": 80}


def _host(raw: str) -> str:
    for parse, form in ((ipaddress.IPv4Address, "{}"), (ipaddress.IPv6Address, "[{}]")):
        try:
            return form.format(parse(raw).compressed)
        except ValueError:
            pass
    try:
        return idna.encode(raw, uts46=True).decode("ascii")
    except idna.IDNAError:
        raise OriginInvalidError(f"the host name {raw!r} is not valid") from None


@lru_cache(maxsize=1024)
def normalize_origin(origin: str) -> str:
    """The normal form of ``origin``; raise :class:`OriginInvalidError` if it is not one.

    Remembered for the last origins seen (a refusal is not: it raises again)."""
    try:
        parts = urlsplit(origin.strip())
        port = parts.port
    except ValueError as error:
        raise OriginInvalidError(f"the origin is not valid: {error}") from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise OriginInvalidError(f"the origin must start with https:// (got {origin!r})")
    if parts.path or parts.query or parts.fragment or "?" in origin or "#" in origin:
        raise OriginInvalidError(
            f"an origin has no path, query or fragment: use {scheme}://{parts.netloc}"
        )
    if parts.username is not None or parts.password is not None:
        raise OriginInvalidError("an origin has no user name or password")
    if not parts.hostname:
        raise OriginInvalidError("the origin has no host")
    if port == 0:
        raise OriginInvalidError("0 is not a port number")
    host = _host(parts.hostname)
    if port is None or port == DEFAULT_PORTS[scheme]:
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"
