"""The CLI starts light: parsing arguments imports neither the web stack nor the cards'."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("fastapi", "starlette", "pydantic", "cryptography", "lxml", "smartcard", "pkcs11")


def _imported_after(code: str) -> list[str]:
    probe = (
        "import sys\n"
        f"{code}\n"
        "import json\n"
        f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    return list(json.loads(done.stdout.strip().splitlines()[-1]))


def test_building_the_parser_imports_no_heavy_package() -> None:
    assert _imported_after("from cardbridge import cli\ncli.build_parser()") == []


def test_version_imports_no_heavy_package() -> None:
    code = (
        "from cardbridge import cli\n"
        "try:\n    cli.main(['--version'])\nexcept SystemExit:\n    pass"
    )
    assert _imported_after(code) == []


def test_a_command_still_imports_what_it_needs_when_it_runs() -> None:
    # The handler's own imports happen when it runs (a stub would list nothing): the
    # settings, for the bridge's address.
    code = "from cardbridge import cli\ncli.main(['config', 'url'])"
    assert "pydantic" in _imported_after(code)
