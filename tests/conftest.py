"""Fixtures shared by every tier: an isolated home, the session's data dir and test PKI."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from cardbridge.emulator.issuance import PkiIssuer
from cardbridge.emulator.keys import KeyPool
from cardbridge.emulator.pki import TestPki
from cardbridge.emulator.profiles import CpsProfile, load_profile
from tests.support import fuzzing  # noqa: F401 - loads the Hypothesis profile
from tests.support.softhsm import SoftHsmCps, softhsm_cps


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under `make mutation`, only the tests of the module being mutated run.

    scripts/mutation-report names them in ``CARDBRIDGE_MUTATION_TESTS`` (paths, space
    separated, from ``[tool.cardbridge.mutation-tests]``); the others are deselected, so
    that a module is not charged with the minutes of another module's tests. So are the
    tests that start the offline DMP (fixture ``dmp``, a TLS server per test): the DMP
    client's files mix them with in-process tests of the same messages, and only the
    in-process ones are fast enough to run for each mutant.
    """
    wanted = os.environ.get("CARDBRIDGE_MUTATION_TESTS", "").split()
    if not wanted:
        return

    def chosen(item: pytest.Item) -> bool:
        in_process = "dmp" not in getattr(item, "fixturenames", ())
        return item.nodeid.split("::")[0] in wanted and in_process

    kept = [item for item in items if chosen(item)]
    dropped = [item for item in items if not chosen(item)]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(scope="session", autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """XDG directories point at temporary ones: no test writes into the home directory.

    Child processes (the emulator, the server) inherit them, so they share the
    session's data dir, and with it the test PKI.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("xdg-data")))
        patch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("xdg-config")))
        patch.delenv("CARDBRIDGE_DATA_DIR", raising=False)
        patch.delenv("CARDBRIDGE_CONFIG_FILE", raising=False)
        # Messages in English unless a test asks for another language: most tests were
        # written against the English texts; tests/commands/test_cli_language.py checks the
        # French default with the language variables cleared.
        patch.delenv("LC_ALL", raising=False)
        patch.setenv("LC_MESSAGES", "en_US.UTF-8")
        yield


@pytest.fixture(scope="session")
def data_dir(_isolated_home: None) -> Path:
    """The session's data dir: cardbridge's default one under the isolated home, private
    as cardbridge makes it (whichever test of a worker's session creates it first)."""
    path = Path(os.environ["XDG_DATA_HOME"]) / "cardbridge"
    path.mkdir(mode=0o700, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def test_pki(data_dir: Path) -> TestPki:
    """The emulator's test PKI of the session's data dir."""
    return TestPki.load_or_create(data_dir)


@pytest.fixture(scope="session")
def card_keys() -> tuple[rsa.RSAPrivateKey, rsa.RSAPrivateKey]:
    """An authentication and a signature RSA-2048 key pair for issuing card certificates."""
    return (
        rsa.generate_private_key(public_exponent=65537, key_size=2048),
        rsa.generate_private_key(public_exponent=65537, key_size=2048),
    )


@pytest.fixture(scope="session")
def key_pool() -> KeyPool:
    """Shared card keys: building a card costs no RSA key generation after the first four."""
    return KeyPool(4)


@pytest.fixture(scope="session")
def issuer(test_pki: TestPki) -> PkiIssuer:
    """Issues emulated cards' certificates from the session's test PKI."""
    return PkiIssuer(test_pki)


@pytest.fixture(scope="session")
def softhsm(
    tmp_path_factory: pytest.TempPathFactory, key_pool: KeyPool, issuer: PkiIssuer
) -> SoftHsmCps:
    """The demo CPS twice: an emulated card, and a SoftHSM2 token holding the same keys,
    certificates and data under the Cryptolib's labels (one per session: SoftHSM2 reads
    its configuration once per process)."""
    profile = load_profile("demo-cps")
    assert isinstance(profile, CpsProfile)
    return softhsm_cps(tmp_path_factory.mktemp("softhsm"), profile, key_pool, issuer)
