"""The offline DMP and the DMP client meet only on the wire: neither imports the other."""

from __future__ import annotations

import ast
from pathlib import Path

import cardbridge

PACKAGE = Path(cardbridge.__file__).parent


def _imported_modules(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _violations(package: str, forbidden: str) -> list[str]:
    return [
        f"{path.relative_to(PACKAGE)} imports {name}"
        for path in sorted((PACKAGE / package).rglob("*.py"))
        for name in sorted(_imported_modules(path))
        if name == forbidden or name.startswith(f"{forbidden}.")
    ]


def test_the_sandbox_never_imports_the_dmp_client() -> None:
    assert (PACKAGE / "sandbox").is_dir()
    assert _violations("sandbox", "cardbridge.dmp") == []


def test_the_dmp_client_never_imports_the_sandbox() -> None:
    assert _violations("dmp", "cardbridge.sandbox") == []


def test_the_checker_sees_an_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("from cardbridge.dmp import vihf\nimport cardbridge.dmp.journal as j\n")
    assert {"cardbridge.dmp", "cardbridge.dmp.vihf", "cardbridge.dmp.journal"} <= (
        _imported_modules(module)
    )
