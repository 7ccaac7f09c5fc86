"""Facts about cardbridge's own files: configuration, data dir, API token, trust anchors.

Gathering never creates anything: a missing data dir or test PKI is reported, not made.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography import x509

from cardbridge.auth.trust import TrustStore
from cardbridge.config import Settings, load_settings
from cardbridge.config_sources import api_token_path, config_file_path
from cardbridge.emulator.pki import PKI_DIRNAME, TestPki
from cardbridge.errors import ConfigError

ENV_PREFIX = "CARDBRIDGE_"


@dataclass(frozen=True, slots=True)
class ConfigFacts:
    """The configuration as cardbridge loads it, or why it cannot."""

    path: Path
    file_exists: bool
    settings: Settings | None
    error: str | None = None
    variables: tuple[str, ...] = ()  # names of the CARDBRIDGE_* variables set (never values)


@dataclass(frozen=True, slots=True)
class DirFacts:
    """A directory cardbridge writes to."""

    path: Path
    exists: bool
    writable: bool
    reason: str | None = None  # why it is not writable


@dataclass(frozen=True, slots=True)
class TokenFacts:
    """The local API token: configured, or kept in a file."""

    path: Path
    configured: bool  # CARDBRIDGE_API_TOKEN or api_token in the config file
    exists: bool
    regular: bool = True
    mode: int | None = None
    owner_uid: int | None = None


@dataclass(frozen=True, slots=True)
class Anchor:
    """A CA certificate of the trust store."""

    name: str
    not_after: datetime


@dataclass(frozen=True, slots=True)
class TrustFacts:
    """The CA certificates tokens are verified with: the configured PEM files
    (``configured``, e.g. the IGC-Santé CAs), or else the emulator's test PKI."""

    directory: Path  # the test PKI's
    exists: bool
    anchors: tuple[Anchor, ...] = ()
    error: str | None = None
    configured: tuple[Path, ...] = ()  # the trust_anchors and intermediates files, when set


def config_facts() -> ConfigFacts:
    """Load the settings as ``cardbridge serve`` would, keeping the error message."""
    path = config_file_path()
    variables = tuple(sorted(name for name in os.environ if name.startswith(ENV_PREFIX)))
    try:
        settings = load_settings()
    except ConfigError as error:
        return ConfigFacts(path, path.is_file(), None, error.message, variables)
    return ConfigFacts(path, path.is_file(), settings, None, variables)


def dir_facts(path: Path) -> DirFacts:
    """Whether cardbridge can write in ``path``, or create it."""
    if path.exists():
        if not path.is_dir():
            return DirFacts(path, True, False, "it is not a directory")
        try:
            # os.access is not enough: read-only mounts and ACLs only show on a real write.
            with tempfile.TemporaryFile(dir=path, prefix=".cardbridge-doctor-"):
                pass
        except OSError as error:
            return DirFacts(path, True, False, error.strerror or str(error))
        return DirFacts(path, True, True)
    ancestor = path.parent
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        return DirFacts(path, False, False, f"{ancestor} is not a directory")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        return DirFacts(path, False, False, f"{ancestor} is not writable")
    return DirFacts(path, False, True)


def token_facts(settings: Settings) -> TokenFacts:
    """Where the API token comes from, and the token file's type, mode and owner."""
    path = api_token_path()
    configured = settings.api_token is not None
    try:
        info = path.stat()
    except OSError:
        return TokenFacts(path, configured, exists=False)
    return TokenFacts(
        path,
        configured,
        exists=True,
        regular=path.is_file(),
        mode=info.st_mode & 0o777,
        owner_uid=info.st_uid,
    )


def trust_facts(
    data_dir: Path, anchors: Sequence[Path] = (), intermediates: Sequence[Path] = ()
) -> TrustFacts:
    """The configured CA files (``anchors``, ``intermediates``) when there are any, else
    the CA certificates of the test PKI in ``data_dir``, if it exists."""
    directory = data_dir / PKI_DIRNAME
    configured = (*anchors, *intermediates)
    if configured:
        try:
            store = TrustStore.from_pem_files(anchors, intermediates)
        except ConfigError as error:
            return TrustFacts(directory, True, error=error.message, configured=configured)
        found = tuple(
            Anchor(_common_name(ca), ca.not_valid_after_utc)
            for ca in (*store.anchors, *store.intermediates)
        )
        return TrustFacts(directory, True, anchors=found, configured=configured)
    if not directory.is_dir():
        return TrustFacts(directory, exists=False)
    try:
        pki = TestPki.load_or_create(data_dir)  # loads only: the directory exists
    except ConfigError as error:
        return TrustFacts(directory, exists=True, error=error.message)
    test_cas = tuple(
        Anchor(_common_name(certified.certificate), certified.certificate.not_valid_after_utc)
        for certified in (pki.root, pki.issuing_ca)
    )
    return TrustFacts(directory, exists=True, anchors=test_cas)


def _common_name(certificate: x509.Certificate) -> str:
    names = certificate.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    return str(names[0].value) if names else certificate.subject.rfc4514_string()
