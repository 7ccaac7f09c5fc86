"""The data directory kept private, and the emulator's test PKI made in it, say what they
did or why they refuse in French and in English.

The expected sentences are written here as the person starting the bridge reads them; the
operating system's reason is ``os.strerror``'s own words.
"""

from __future__ import annotations

import errno
import logging
import os
import shutil
from pathlib import Path

import pytest

from cardbridge.emulator.pki import PKI_DIRNAME, TestPki
from cardbridge.emulator.pki_organisations import ORGANISATIONS_DIRNAME, OrganisationPki
from cardbridge.errors import ConfigError
from cardbridge.private_dir import secure_data_dir
from tests.support.other_user import NOBODY, other_user_can_run

from .test_configuration_messages import _both

BRIDGE_SETTING_FR = "CARDBRIDGE_DATA_DIR, ou data_dir dans config.toml"
BRIDGE_SETTING_EN = "CARDBRIDGE_DATA_DIR, or data_dir in config.toml"


def test_a_data_dir_that_cannot_be_created(tmp_path: Path) -> None:
    blocker = tmp_path / "share"
    blocker.write_text("a file where the directory should be", encoding="utf-8")
    data = blocker / "cardbridge"
    reason = os.strerror(errno.ENOTDIR)
    with pytest.raises(ConfigError) as refused:
        secure_data_dir(data)
    assert _both(refused) == (
        f"Impossible de créer le dossier de données {data} : {reason}. Choisissez-en un "
        f"autre avec {BRIDGE_SETTING_FR}.",
        f"Cannot create the data directory {data}: {reason}. Choose another with "
        f"{BRIDGE_SETTING_EN}.",
    )
    with pytest.raises(ConfigError) as refused:
        secure_data_dir(data, choose_with="--data-dir")
    assert _both(refused) == (
        f"Impossible de créer le dossier de données {data} : {reason}. Choisissez-en un "
        "autre avec --data-dir.",
        f"Cannot create the data directory {data}: {reason}. Choose another with --data-dir.",
    )


def test_a_data_dir_of_another_user(tmp_path: Path) -> None:
    other_user_can_run()
    data = tmp_path / "cardbridge"
    secure_data_dir(data)
    key = data / "journal.key"
    key.write_text("0" * 64, encoding="ascii")
    os.chown(key, NOBODY, NOBODY)
    with pytest.raises(ConfigError) as refused:
        secure_data_dir(data)
    assert _both(refused) == (
        f"{key} appartient à un autre utilisateur (uid {NOBODY}) : les données de santé et "
        f"les clés du dossier de données {data} ne vous seraient pas réservées. Rendez-le à "
        f"votre utilisateur (« sudo chown -R $USER: {data} ») ou choisissez un autre dossier "
        f"avec {BRIDGE_SETTING_FR}.",
        f"{key} belongs to another user (uid {NOBODY}), so the health data and keys of the "
        f"data directory {data} would not be yours alone. Give it back to your user (sudo "
        f"chown -R $USER: {data}) or choose another directory with {BRIDGE_SETTING_EN}.",
    )


def test_a_data_dir_that_cannot_be_made_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """chmod refused (a read-only file system would refuse it so)."""
    data = tmp_path / "cardbridge"
    data.mkdir(mode=0o755)
    data.chmod(0o755)
    reason = os.strerror(errno.EROFS)

    def read_only(path: object, mode: int) -> None:
        raise OSError(errno.EROFS, reason)

    monkeypatch.setattr(os, "chmod", read_only)
    with pytest.raises(ConfigError) as refused:
        secure_data_dir(data)
    assert _both(refused) == (
        f"{data} est lisible par les autres utilisateurs (mode 0755) et ne peut pas être "
        f"rendu privé : {reason}. Lancez « chmod -R go= {data} ».",
        f"{data} can be read by other users (mode 0755) and cannot be made private: "
        f"{reason}. Run `chmod -R go= {data}`.",
    )


@pytest.mark.parametrize(
    ("locale", "said"),
    [
        (
            "fr_FR.UTF-8",
            "le dossier de données était lisible par les autres utilisateurs ; rendu privé : "
            "{data} : 0755 → 0700, {data}/journal.key : 0644 → 0600",
        ),
        (
            "en_GB.UTF-8",
            "the data directory was readable by other users; made private: "
            "{data}: 0755 → 0700, {data}/journal.key: 0644 → 0600",
        ),
    ],
)
def test_what_was_made_private_is_said_in_the_language_asked_for(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    locale: str,
    said: str,
) -> None:
    data = tmp_path / "cardbridge"
    data.mkdir()
    (data / "journal.key").write_text("0" * 64, encoding="ascii")
    data.chmod(0o755)
    (data / "journal.key").chmod(0o644)
    monkeypatch.setenv("LC_MESSAGES", locale)
    with caplog.at_level(logging.WARNING, logger="cardbridge.private_dir"):
        tightened = secure_data_dir(data)
    # What it returns is for programs: the same whatever the language.
    assert tightened == [f"{data}: 0755 → 0700", f"{data}/journal.key: 0644 → 0600"]
    assert caplog.messages == [said.format(data=data)]


def test_a_test_pki_that_cannot_be_made_or_is_damaged(tmp_path: Path) -> None:
    """Its lock file is a directory; then its directory holds none of its files."""
    directory = tmp_path / PKI_DIRNAME
    (tmp_path / f"{PKI_DIRNAME}.lock").mkdir()
    reason = os.strerror(errno.EISDIR)
    with pytest.raises(ConfigError) as refused:
        TestPki.load_or_create(tmp_path)
    assert _both(refused) == (
        f"Impossible de créer la PKI de test de l'émulateur dans {directory} : {reason}.",
        f"Cannot create the emulator's test PKI in {directory}: {reason}.",
    )
    directory.mkdir()
    with pytest.raises(ConfigError) as refused:
        TestPki.load_or_create(tmp_path)
    assert _both(refused) == (
        f"La PKI de test de l'émulateur dans {directory} est endommagée (root-ca) : "
        "supprimez ce dossier, une nouvelle PKI de test sera créée.",
        f"The emulator's test PKI in {directory} is damaged (root-ca): delete that "
        "directory and a new test PKI will be created.",
    )


def test_an_organisations_ca_that_cannot_be_made_or_is_damaged(
    tmp_path: Path, test_pki: TestPki
) -> None:
    """Beside a sound test PKI (the session's, copied)."""
    shutil.copytree(test_pki.directory, tmp_path / PKI_DIRNAME)
    directory = tmp_path / ORGANISATIONS_DIRNAME
    (tmp_path / f"{ORGANISATIONS_DIRNAME}.lock").mkdir()
    reason = os.strerror(errno.EISDIR)
    with pytest.raises(ConfigError) as refused:
        OrganisationPki.load_or_create(tmp_path)
    assert _both(refused) == (
        "Impossible de créer l'autorité des organisations de la PKI de test dans "
        f"{directory} : {reason}.",
        f"Cannot create the test PKI's organisations CA in {directory}: {reason}.",
    )
    directory.mkdir()
    with pytest.raises(ConfigError) as refused:
        OrganisationPki.load_or_create(tmp_path)
    assert _both(refused) == (
        f"L'autorité des organisations de la PKI de test dans {directory} est endommagée "
        "(organisations-ca) : supprimez ce dossier, une nouvelle sera créée.",
        f"The test PKI's organisations CA in {directory} is damaged (organisations-ca): "
        "delete that directory and a new one will be created.",
    )
