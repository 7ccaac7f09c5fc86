"""A setting the bridge cannot use is refused in French and in English: the DMP's address,
its server roots, the structure's PKCS#12 files, the CPS's PKCS#11 module, the certificate
authorities, the bridge's state files.

The expected sentences are written here as the person configuring the bridge reads them;
the operating system's reason is ``os.strerror``'s own words.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from cardbridge.cards.pkcs11_backend import load_module
from cardbridge.cards.pkcs11_token import Pkcs11Token
from cardbridge.config import Settings
from cardbridge.dmp.connect import load_structure_key, server_verifier
from cardbridge.dmp.endpoints import resolve_endpoint
from cardbridge.errors import ConfigError
from cardbridge.service.authorities import CertificateAuthorities
from cardbridge.service.state_file import read_state, write_state

NO_SUCH_FILE = os.strerror(errno.ENOENT)


def _both(error: pytest.ExceptionInfo[ConfigError]) -> tuple[str, str]:
    assert error.value.code == "config_invalid"
    return error.value.message_in("fr"), error.value.message_in("en")


def test_an_unknown_dmp_endpoint() -> None:
    with pytest.raises(ConfigError) as refused:
        resolve_endpoint("ftp://dmp.example")
    assert _both(refused) == (
        "dmp_endpoint 'ftp://dmp.example' n'est ni sandbox, ni formation1…formation5, ni "
        "production, ni une adresse https:// des services du DMP.",
        "dmp_endpoint 'ftp://dmp.example' is not one of sandbox, formation1…formation5, "
        "production or an https:// URL of the DMP services.",
    )


def test_a_dmp_endpoint_with_a_port_out_of_range() -> None:
    with pytest.raises(ConfigError) as refused:
        resolve_endpoint("https://dmp.example:70000")
    assert _both(refused) == (
        "dmp_endpoint 'https://dmp.example:70000' a un numéro de port invalide.",
        "dmp_endpoint 'https://dmp.example:70000' has an invalid port.",
    )


def test_dmp_server_roots_missing_unreadable_or_empty(tmp_path: Path) -> None:
    production = resolve_endpoint("production")
    with pytest.raises(ConfigError) as refused:
        server_verifier(Settings(), production)
    assert _both(refused) == (
        "dmp_endpoint production demande dmp_server_roots : les fichiers PEM des racines "
        "IGC-Santé qui vérifient le serveur du DMP. cardbridge ne se connecte jamais à un "
        "serveur qu'il n'a pas vérifié.",
        "dmp_endpoint production needs dmp_server_roots: the PEM files of the IGC-Santé roots "
        "that verify the DMP server. cardbridge never connects to an unverified server.",
    )
    missing = tmp_path / "missing.pem"
    with pytest.raises(ConfigError) as refused:
        server_verifier(Settings(dmp_server_roots=[missing]), production)
    assert _both(refused) == (
        f"dmp_server_roots : impossible de lire {missing} ({NO_SUCH_FILE}).",
        f"dmp_server_roots: cannot read {missing} ({NO_SUCH_FILE}).",
    )
    junk = tmp_path / "junk.pem"
    junk.write_text("no certificate here", encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        server_verifier(Settings(dmp_server_roots=[junk]), production)
    assert _both(refused) == (
        "dmp_server_roots ne contient aucun certificat PEM lisible.",
        "dmp_server_roots holds no readable PEM certificate.",
    )


def test_the_structure_key_not_set_unreadable_or_not_pkcs12(tmp_path: Path) -> None:
    setting = "dmp_structure_tls_pkcs12"
    with pytest.raises(ConfigError) as refused:
        load_structure_key(None, None, setting)
    assert _both(refused) == (
        "dmp_structure_tls_pkcs12 n'est pas renseigné (le mode indirect en a besoin).",
        "dmp_structure_tls_pkcs12 is not set (needed in indirect mode).",
    )
    missing = tmp_path / "missing.p12"
    with pytest.raises(ConfigError) as refused:
        load_structure_key(missing, None, setting)
    assert _both(refused) == (
        f"dmp_structure_tls_pkcs12 : impossible de lire {missing} ({NO_SUCH_FILE}).",
        f"dmp_structure_tls_pkcs12: cannot read {missing} ({NO_SUCH_FILE}).",
    )
    junk = tmp_path / "junk.p12"
    junk.write_bytes(b"not a PKCS#12 file")
    with pytest.raises(ConfigError) as refused:
        load_structure_key(junk, b"secret", setting)
    assert _both(refused) == (
        f"dmp_structure_tls_pkcs12 : {junk} n'est pas un fichier PKCS#12 que ce mot de passe "
        "ouvre.",
        f"dmp_structure_tls_pkcs12: {junk} is not a PKCS#12 file this password opens.",
    )


def test_certificate_authorities_unreadable_or_none(tmp_path: Path) -> None:
    missing = tmp_path / "root.pem"
    with pytest.raises(ConfigError) as refused:
        CertificateAuthorities.from_settings(Settings(trust_anchors=[missing]))
    assert _both(refused) == (
        f"ancre de confiance {missing} : lecture impossible ({NO_SUCH_FILE}).",
        f"trust anchor {missing}: cannot read it ({NO_SUCH_FILE}).",
    )
    with pytest.raises(ConfigError) as refused:
        CertificateAuthorities.from_settings(Settings(intermediates=[missing]))
    assert _both(refused)[0] == (
        f"certificat intermédiaire {missing} : lecture impossible ({NO_SUCH_FILE})."
    )
    with pytest.raises(ConfigError) as refused:
        _ = CertificateAuthorities().verifier
    assert _both(refused) == (
        "Aucune ancre de confiance n'est configurée pour vérifier les jetons : indiquez dans "
        "« trust_anchors » de la configuration les certificats racines IGC-Santé (PEM).",
        "No trust anchor is configured to verify tokens: set `trust_anchors` to the IGC-Santé "
        "root certificates (PEM) in the configuration.",
    )


def test_a_state_file_unreadable_open_to_others_or_damaged(tmp_path: Path) -> None:
    path = tmp_path / "pairings.json"
    path.mkdir()
    with pytest.raises(ConfigError) as refused:
        read_state(path)
    reason = os.strerror(errno.EISDIR)
    assert _both(refused) == (
        f"Impossible de lire {path} : {reason}.",
        f"Cannot read {path}: {reason}.",
    )
    path.rmdir()
    path.write_text("{}", encoding="utf-8")
    path.chmod(0o644)
    with pytest.raises(ConfigError) as refused:
        read_state(path)
    assert _both(refused) == (
        f"{path} est accessible aux autres utilisateurs : lancez « chmod 600 {path} ».",
        f"{path} is open to other users: run `chmod 600 {path}`.",
    )
    for damaged in ("{not json", "[1, 2]"):
        path.write_text(damaged, encoding="utf-8")
        path.chmod(0o600)
        with pytest.raises(ConfigError) as refused:
            read_state(path)
        assert _both(refused) == (
            f"{path} est endommagé : supprimez-le (les appairages ou les autorisations qu'il "
            "contenait seront perdus).",
            f"{path} is damaged: delete it (the pairings or approvals it held are lost).",
        )


def test_a_state_file_that_cannot_be_written(tmp_path: Path) -> None:
    blocker = tmp_path / "config"
    blocker.write_text("a file where the directory should be", encoding="utf-8")
    path = blocker / "origins.json"
    with pytest.raises(ConfigError) as refused:
        write_state(path, {"approved": []})
    reason = os.strerror(errno.EEXIST)
    assert _both(refused) == (
        f"Impossible d'écrire {path} : {reason}.",
        f"Cannot write {path}: {reason}.",
    )


def test_a_pkcs11_module_that_does_not_load(tmp_path: Path) -> None:
    """The module loader's own reason, the same in both languages, after the catalogue's
    words (by the backend's loader and by a token opened directly)."""
    module = str(tmp_path / "libmissing.so")
    for load in (load_module, Pkcs11Token):
        with pytest.raises(ConfigError) as refused:
            load(module)
        french, english = _both(refused)
        prefix_fr = f"Impossible de charger le module PKCS#11 {module} : "
        prefix_en = f"Cannot load the PKCS#11 module {module}: "
        assert french.startswith(prefix_fr), french
        assert english.startswith(prefix_en), english
        reason = english.removeprefix(prefix_en)
        assert reason.endswith(".")
        assert len(reason) > 1
        assert french.removeprefix(prefix_fr) == reason
