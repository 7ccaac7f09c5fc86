"""The configuration itself, the local API token and the token verifier's settings are
refused in French and in English.

The expected sentences are written here as the person configuring the bridge reads them;
the operating system's reason is ``os.strerror``'s own words, pydantic's English its
own (as its documentation gives them), the TOML parser's the standard library's.
"""

from __future__ import annotations

import errno
import os
import tomllib
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography import x509

from cardbridge.auth.trust import TrustStore
from cardbridge.auth.verifier import TokenVerifier
from cardbridge.config import Settings, ensure_api_token, load_settings, read_api_token
from cardbridge.emulator.pki import TestPki
from cardbridge.errors import ConfigError
from cardbridge.service.authorities import CertificateAuthorities

from .test_configuration_messages import _both

NO_SUCH_FILE = os.strerror(errno.ENOENT)


@pytest.fixture
def config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "config.toml"
    monkeypatch.setenv("CARDBRIDGE_CONFIG_FILE", str(path))
    return path


def test_settings_refused_with_what_is_wrong_with_each(config_file: Path) -> None:
    with pytest.raises(ConfigError) as refused:
        load_settings(port="huit", vihf_validity_minutes=0)
    assert _both(refused) == (
        f"Configuration non valide ({config_file}) : port : nombre entier attendu ; "
        "vihf_validity_minutes : valeur supérieure ou égale à 1 attendue",
        f"Invalid configuration ({config_file}): port: Input should be a valid integer, "
        "unable to parse string as an integer; vihf_validity_minutes: Input should be "
        "greater than or equal to 1",
    )


def test_settings_that_need_another_one(config_file: Path) -> None:
    with pytest.raises(ConfigError) as refused:
        load_settings(card_backend="pkcs11")
    assert _both(refused) == (
        f"Configuration non valide ({config_file}) : config : card_backend = pkcs11 demande "
        "pkcs11_module (le chemin du module PKCS#11)",
        f"Invalid configuration ({config_file}): config: Value error, card_backend = pkcs11 "
        "needs pkcs11_module (the path of the PKCS#11 module)",
    )
    with pytest.raises(ConfigError) as refused:
        load_settings(dmp_authentication="indirect")
    assert _both(refused) == (
        f"Configuration non valide ({config_file}) : config : dmp_authentication = indirect "
        "demande dmp_structure_tls_pkcs12 et dmp_structure_sign_pkcs12 (les fichiers PKCS#12 "
        "de la structure)",
        f"Invalid configuration ({config_file}): config: Value error, dmp_authentication = "
        "indirect needs dmp_structure_tls_pkcs12 and dmp_structure_sign_pkcs12 (the "
        "structure's PKCS#12 files)",
    )


def test_a_config_file_that_is_not_toml(config_file: Path) -> None:
    config_file.write_text("port = \n", encoding="utf-8")
    with pytest.raises(tomllib.TOMLDecodeError) as parsed:
        tomllib.loads(config_file.read_text(encoding="utf-8"))
    parser = str(parsed.value)
    with pytest.raises(ConfigError) as refused:
        load_settings()
    assert _both(refused) == (
        f"Le fichier de configuration {config_file} n'est pas du TOML valide : {parser}",
        f"The config file {config_file} is not valid TOML: {parser}",
    )


def test_an_api_token_unreadable_open_to_others_or_damaged(tmp_path: Path) -> None:
    path = tmp_path / "api-token"
    path.mkdir()
    reason = os.strerror(errno.EISDIR)
    with pytest.raises(ConfigError) as refused:
        read_api_token(path)
    assert _both(refused) == (
        f"Impossible de lire le jeton d'API {path} : {reason}.",
        f"Cannot read the API token {path}: {reason}.",
    )
    path.rmdir()
    path.write_text("a-token-of-the-right-shape\n", encoding="ascii")
    path.chmod(0o640)
    with pytest.raises(ConfigError) as refused:
        read_api_token(path)
    assert _both(refused) == (
        f"Le jeton d'API {path} est lisible par les autres utilisateurs : lancez "
        f"« chmod 600 {path} ».",
        f"The API token {path} is readable by other users: run `chmod 600 {path}`.",
    )
    path.chmod(0o600)
    for damaged in ("", "two words\n"):
        path.write_text(damaged, encoding="ascii")
        with pytest.raises(ConfigError) as refused:
            read_api_token(path)
        assert _both(refused) == (
            f"Le fichier du jeton d'API {path} est endommagé : supprimez-le pour en obtenir "
            "un nouveau.",
            f"The API token file {path} is damaged: delete it to get a new one.",
        )


def test_an_api_token_that_cannot_be_created(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The config dir is a symbolic link to nowhere (no token to read, none can be
    made); then the token vanishes between its creation and its reading (the link into
    place is made to do nothing)."""
    config_home = tmp_path / "config"
    config_home.symlink_to(tmp_path / "nowhere" / "config")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config_home))
    path = config_home / "cardbridge" / "api-token"
    reason = os.strerror(errno.EEXIST)
    with pytest.raises(ConfigError) as refused:
        ensure_api_token(Settings())
    assert _both(refused) == (
        f"Impossible de créer le jeton d'API {path} : {reason}.",
        f"Cannot create the API token {path}: {reason}.",
    )
    config_home.unlink()
    monkeypatch.setattr(os, "link", lambda source, target: None)
    with pytest.raises(ConfigError) as refused:
        ensure_api_token(Settings())
    assert _both(refused) == (
        f"Le jeton d'API {path} a disparu pendant sa création.",
        f"The API token {path} disappeared while being created.",
    )


def _not_a_ca(test_pki: TestPki) -> x509.Certificate:
    """A certificate without basicConstraints CA, serial 0x5eed1e55."""
    root = test_pki.root
    return (
        x509.CertificateBuilder()
        .subject_name(x509.Name.from_rfc4514_string("CN=a card not a CA"))
        .issuer_name(root.certificate.subject)
        .public_key(root.private_key.public_key())
        .serial_number(0x5EED1E55)
        .not_valid_before(root.certificate.not_valid_before_utc)
        .not_valid_after(root.certificate.not_valid_after_utc)
        .sign(root.private_key, root.certificate.signature_hash_algorithm)
    )


def test_trust_anchors_that_are_not_pem_unreadable_none_or_not_a_ca(
    tmp_path: Path, test_pki: TestPki
) -> None:
    with pytest.raises(ConfigError) as refused:
        TrustStore.from_pem(b"no certificate here")
    assert _both(refused) == (
        "ancres de confiance : ce n'est pas un fichier PEM de certificats X.509.",
        "trust anchors: not a PEM file of X.509 certificates.",
    )
    root_pem = (test_pki.directory / "root-ca.pem").read_bytes()
    with pytest.raises(ConfigError) as refused:
        TrustStore.from_pem(root_pem, b"no certificate here")
    assert _both(refused) == (
        "certificats intermédiaires : ce n'est pas un fichier PEM de certificats X.509.",
        "intermediates: not a PEM file of X.509 certificates.",
    )
    missing, junk = tmp_path / "missing.pem", tmp_path / "junk.pem"
    junk.write_text("no certificate here", encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        TrustStore.from_pem_files([missing])
    assert _both(refused) == (
        f"{missing} : lecture impossible ({NO_SUCH_FILE}).",
        f"{missing}: cannot read it ({NO_SUCH_FILE}).",
    )
    with pytest.raises(ConfigError) as refused:
        TrustStore.from_pem_files([junk])
    assert _both(refused) == (
        f"{junk} : ce n'est pas un fichier PEM de certificats X.509.",
        f"{junk}: not a PEM file of X.509 certificates.",
    )
    with pytest.raises(ConfigError) as refused:
        TrustStore([])
    assert _both(refused) == (
        "Aucune ancre de confiance : donnez au moins un certificat racine (PEM).",
        "No trust anchor: give at least one root certificate (PEM).",
    )
    with pytest.raises(ConfigError) as refused:
        TrustStore([_not_a_ca(test_pki)])
    assert _both(refused) == (
        "L'ancre de confiance de numéro de série 5eed1e55 n'est pas un certificat d'autorité "
        "de certification.",
        "Trust anchor serial 5eed1e55 is not a CA certificate.",
    )


def test_configured_trust_anchors_that_are_not_pem(tmp_path: Path) -> None:
    """The bridge's own settings name which list the file is in."""
    junk = tmp_path / "junk.pem"
    junk.write_text("no certificate here", encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        CertificateAuthorities.from_settings(Settings(trust_anchors=[junk]))
    assert _both(refused) == (
        f"ancre de confiance {junk} : ce n'est pas un fichier PEM de certificats X.509.",
        f"trust anchor {junk}: not a PEM file of X.509 certificates.",
    )
    with pytest.raises(ConfigError) as refused:
        CertificateAuthorities.from_settings(Settings(intermediates=[junk]))
    assert _both(refused) == (
        f"certificat intermédiaire {junk} : ce n'est pas un fichier PEM de certificats X.509.",
        f"intermediate certificate {junk}: not a PEM file of X.509 certificates.",
    )


def test_verifier_settings_refused(test_pki: TestPki) -> None:
    trust = TrustStore([test_pki.root.certificate])
    for algorithms in (["HS256"], []):
        with pytest.raises(ConfigError) as refused:
            TokenVerifier(trust, algorithms=algorithms)
        assert _both(refused) == (
            "Les algorithmes des jetons doivent être choisis parmi RS256, PS256, ES256.",
            "Token algorithms must be among RS256, PS256, ES256.",
        )
    with pytest.raises(ConfigError) as refused:
        TokenVerifier(trust, clock_skew=timedelta(seconds=-1))
    assert _both(refused) == (
        "La tolérance d'écart entre les horloges ne peut pas être négative.",
        "The clock skew cannot be negative.",
    )
    with pytest.raises(ConfigError) as refused:
        TokenVerifier(trust, required_policies=["1.2.250.1.71.2.6.1", "IGC-Santé fort"])
    assert _both(refused) == (
        "'IGC-Santé fort' n'est pas un OID de politique de certification (des nombres "
        "séparés par des points).",
        "'IGC-Santé fort' is not a certificate policy OID (dotted numbers).",
    )
