"""The bridge, the CLI and the Python client read the same settings: under a config dir
and a port that are not the defaults (``XDG_CONFIG_HOME``, ``CARDBRIDGE_PORT`` or the
config file), a client started with no argument finds the bridge and its token, and the
messages name the token file where it is. Where the files should be comes from the XDG
Base Directory specification, not from cardbridge."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from testkit.serve_process import ServeProcess, free_port

CLIENT = """
from cardbridge.client import CardBridgeClient
with CardBridgeClient() as bridge:
    print(bridge.health().status, [reader.name for reader in bridge.readers()][0])
"""


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("where", ["environment", "config file"])
def test_client_cli_and_server_agree(tmp_path: Path, where: str) -> None:
    port = free_port(avoid=("8470",))
    config_home = tmp_path / "elsewhere"  # not ~/.config
    extra = {"XDG_CONFIG_HOME": str(config_home), "CARDBRIDGE_EMULATOR": "true"}
    if where == "environment":
        extra["CARDBRIDGE_PORT"] = str(port)
    else:
        (config_home / "cardbridge").mkdir(parents=True)
        (config_home / "cardbridge" / "config.toml").write_text(f"port = {port}\n")
    server = ServeProcess(tmp_path, port, env=extra, address_options=False)
    try:
        server.wait_ready()
        # The XDG spec: $XDG_CONFIG_HOME/<application>/...
        token_file = config_home / "cardbridge" / "api-token"
        assert token_file.is_file()
        env = server.env
        client = run(env, "-c", CLIENT)
        assert client.returncode == 0, client.stderr
        assert client.stdout.startswith("ok cardbridge emulated reader 0")
        config = ("-m", "cardbridge", "config")
        assert run(env, *config, "url").stdout.strip() == f"http://127.0.0.1:{port}"
        assert run(env, *config, "token-path").stdout.strip() == str(token_file)
        opened = run(env, "-m", "cardbridge", "open", "--print-only")
        assert opened.returncode == 0, opened.stderr
        assert f"http://127.0.0.1:{port}/pair?code=" in opened.stdout
        # The bridge's 401 names the token file where it is.
        refused = httpx.get(f"{server.url}/v1/readers", headers={"Authorization": "Bearer x"})
        assert refused.status_code == 401
        assert str(token_file) in refused.json()["detail"]
        assert f"token of {token_file}" in server.output
    finally:
        assert server.stop() == 0


def test_the_client_without_a_token_names_the_file(tmp_path: Path) -> None:
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "nowhere")}
    env.pop("CARDBRIDGE_API_TOKEN", None)
    client = run(env, "-c", CLIENT)
    assert client.returncode == 1
    assert f"No local API token in {tmp_path / 'nowhere' / 'cardbridge' / 'api-token'}" in (
        client.stderr
    )


def test_config_show_never_prints_the_token(tmp_path: Path) -> None:
    secret = "s3cr3t-token-0123456789"
    env = {
        **os.environ,
        "XDG_CONFIG_HOME": str(tmp_path),
        "CARDBRIDGE_API_TOKEN": secret,
        "CARDBRIDGE_PORT": "9123",
    }
    for args in (("show",), ("show", "--json")):
        shown = run(env, "-m", "cardbridge", "config", *args)
        assert shown.returncode == 0, shown.stderr
        assert secret not in shown.stdout
        assert "9123" in shown.stdout
        assert "CARDBRIDGE_API_TOKEN" in shown.stdout
