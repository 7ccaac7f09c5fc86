"""The layer map is enforced: import-linter keeps every contract of pyproject.toml, and
breaks them when a module of a copy of the package imports against the map."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(package_parent: Path) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONPATH": str(package_parent)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(ROOT / "pyproject.toml")],
        cwd=package_parent,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_package_keeps_every_contract() -> None:
    done = _lint(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        ("cardbridge/pcsc/atr.py", "import cardbridge.dmp.period", "imports point down only"),
        ("cardbridge/cards/cps.py", "import smartcard.System", "Only the transport talks"),
        ("cardbridge/sandbox/store.py", "import cardbridge.dmp.journal", "meet only on the wire"),
        ("cardbridge/dmp/vihf.py", "import cardbridge.emulator.pki", "lean on the stand-ins"),
        ("cardbridge/domain/nir.py", "import tests.support.cards", "never imports its tests"),
        ("cardbridge/domain/nir.py", "import testkit.cards", "never imports its tests"),
        ("bench/__init__.py", "import tests.support.cards", "never lean on the test suite"),
        ("soak/__init__.py", "import tests.support.cards", "never lean on the test suite"),
        ("testkit/cards.py", "import tests.support.cards", "never lean on the test suite"),
        ("cardbridge/api/app.py", "import cardbridge.emulator.pki", "given its bridge"),
        ("cardbridge/api/app.py", "import cardbridge.pcsc.reader_interface", "given its bridge"),
        ("cardbridge/api/app.py", "import cardbridge.service.backends", "given its bridge"),
    ],
)
def test_an_import_against_the_map_breaks_its_contract(
    tmp_path: Path, module: str, line: str, contract: str
) -> None:
    shutil.copytree(ROOT / "cardbridge", tmp_path / "cardbridge")
    # The other packages the contracts name, empty but for the modules imported here.
    for extra in ("tests", "tests/support", "bench", "soak", "testkit"):
        (tmp_path / extra).mkdir()
        (tmp_path / extra / "__init__.py").touch()
    (tmp_path / "tests" / "support" / "cards.py").touch()
    (tmp_path / "testkit" / "cards.py").touch()
    target = tmp_path / module
    target.write_text(target.read_text() + f"\n{line}  # noqa\n")
    done = _lint(tmp_path)
    assert done.returncode != 0
    # A contract's row ends "BROKEN", or "BROKEN (1 ignored import)" when it ignores some.
    broken = [row for row in done.stdout.splitlines() if " BROKEN" in row]
    assert len(broken) == 1
    assert contract in broken[0]
