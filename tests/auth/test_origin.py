"""Origin normal form: what is signed and what is compared are the same text."""

from __future__ import annotations

import pytest

from cardbridge.auth.origin import normalize_origin
from cardbridge.errors import OriginInvalidError


@pytest.mark.parametrize(
    ("origin", "normal"),
    [
        ("https://dmp.example", "https://dmp.example"),
        ("HTTPS://DMP.Example", "https://dmp.example"),
        ("https://dmp.example:443", "https://dmp.example"),
        ("https://dmp.example:8443", "https://dmp.example:8443"),
        ("http://localhost:80", "http://localhost"),
        ("http://127.0.0.1:8470", "http://127.0.0.1:8470"),
        ("https://médecin.example", "https://xn--mdecin-bva.example"),
        ("https://[0:0::1]:8443", "https://[::1]:8443"),
        ("  https://dmp.example  ", "https://dmp.example"),
    ],
)
def test_normal_forms(origin: str, normal: str) -> None:
    assert normalize_origin(origin) == normal
    assert normalize_origin(normal) == normal


@pytest.mark.parametrize(
    ("origin", "message"),
    [
        ("https://dmp.example/", "no path"),
        ("https://dmp.example/login", "no path"),
        ("https://dmp.example?x=1", "no path"),
        ("https://dmp.example#top", "no path"),
        ("ftp://dmp.example", "https://"),
        ("dmp.example", "https://"),
        ("https://user:pw@dmp.example", "user name"),
        ("https://dmp.example:99999", "not valid"),
        ("https://dmp.example:0", "not a port"),
        ("https://", "no host"),
        ("https://a..b", "not valid"),
        ("https://[zz]", "not valid"),
    ],
)
def test_refused(origin: str, message: str) -> None:
    with pytest.raises(OriginInvalidError, match=message):
        normalize_origin(origin)


def test_look_alikes_stay_different() -> None:
    base = normalize_origin("https://dmp.example")
    for other in ("https://dmp.example.evil", "https://dmp.example:444", "http://dmp.example"):
        assert normalize_origin(other) != base
