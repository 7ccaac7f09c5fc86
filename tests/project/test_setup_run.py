"""``make run``'s set-up (scripts/setup-run) as a first user meets it: a fresh virtualenv
holding the runtime dependencies and not the dev extra, made without a single warning of
ours or of the build tools, then the bridge's start banner run from it.

The script runs on a copy of what it reads (pyproject.toml and itself), into a virtualenv
of the test's own; pip's cache makes it quick. pip reads no configuration file of this
machine (``PIP_CONFIG_FILE=/dev/null``): a workstation's pip configuration (an index
folder that does not exist, say) draws pip's own complaints, which are not the project's.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

from testkit.serve_process import ServeProcess, free_port

ROOT = Path(__file__).resolve().parents[2]
# What a warning looks like in pip's, setuptools' and Python's output (setuptools frames
# its deprecations between "!!" lines).
WARNING = re.compile(r"warn|deprecat|^\s*!!\s*$", re.IGNORECASE | re.MULTILINE)


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def test_setup_installs_the_runtime_only_without_warnings(tmp_path: Path) -> None:
    copy = tmp_path / "source"
    (copy / "scripts").mkdir(parents=True)
    shutil.copy2(ROOT / "pyproject.toml", copy)
    shutil.copy2(ROOT / "scripts" / "setup-run", copy / "scripts")
    venv = tmp_path / "venv-run"
    env = {**os.environ, "PIP_CONFIG_FILE": os.devnull}
    made = subprocess.run(
        [copy / "scripts" / "setup-run", str(venv)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    assert made.returncode == 0, made.stdout
    assert not WARNING.search(made.stdout), made.stdout
    assert made.stdout == ""  # quiet: nothing to read when all goes well

    listed = subprocess.run(
        [venv / "bin" / "python", "-m", "pip", "list", "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    )
    installed = {package["name"].lower().replace("_", "-") for package in json.loads(listed.stdout)}
    with (ROOT / "pyproject.toml").open("rb") as file:
        project = tomllib.load(file)["project"]
    runtime = {_name(requirement) for requirement in project["dependencies"]}
    dev = {_name(requirement) for requirement in project["optional-dependencies"]["dev"]}
    assert runtime <= installed, runtime - installed
    assert not dev & installed, dev & installed
    assert "cardbridge" not in installed  # run from the source tree, never built

    # The banner of the bridge run from that environment, as `make run` starts it.
    port = free_port()
    server = ServeProcess(
        tmp_path,
        port,
        "--emulator",
        python=str(venv / "bin" / "python"),
        env={"PYTHONPATH": str(ROOT)},
    )
    try:
        server.wait_ready()
    finally:
        assert server.stop() == 0
    banner = server.output
    assert not WARNING.search(banner), banner
    assert "serves emulated readers" in banner
    assert "  - cardbridge emulated reader 0 (CPS): a CPS card" in banner
    assert "  - cardbridge emulated reader 1 (Vitale): a Vitale card" in banner
    assert "the demo CPS's PIN is 1234" in banner
    assert re.search(rf"http://127\.0\.0\.1:{port}/pair\?code=[\w-]+", banner), banner
    assert "DMP: the offline DMP at https://127.0.0.1:8471/" in banner
    assert "its patient pages: http://127.0.0.1:8472/" in banner
