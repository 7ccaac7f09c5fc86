"""``cardbridge serve`` run as users run it: a child process, its output kept."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from testkit.server import free_socket

START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0


def free_port(avoid: tuple[str, ...] = ()) -> int:
    """A loopback port free now, whose number contains none of ``avoid``."""
    for _ in range(100):
        with free_socket() as sock:
            port: int = sock.getsockname()[1]
        if not any(text in str(port) for text in avoid):
            return port
    raise RuntimeError("no free port found")


class ServeProcess:
    """A running ``cardbridge [OPTIONS] serve ARGS`` with its own XDG directories."""

    def __init__(
        self,
        home: Path,
        port: int,
        *args: str,
        host: str = "127.0.0.1",
        options: tuple[str, ...] = (),
        umask: int = -1,
        python: str = sys.executable,
        env: dict[str, str] | None = None,
        address_options: bool = True,
    ) -> None:
        """``umask``: the process's file creation mask (-1: ours); ``python``: the
        interpreter (another virtualenv's); ``env``: more environment variables;
        ``address_options``: whether ``--port`` and ``--host`` are given (else the
        settings say where it listens, ``port`` and ``host`` being what they say)."""
        self.port = port
        self.host = host
        self.env = {
            **os.environ,
            "XDG_CONFIG_HOME": str(home / "config"),
            "XDG_DATA_HOME": str(home / "data"),
            **(env or {}),
        }
        self.env.pop("CARDBRIDGE_API_TOKEN", None)
        self.process = subprocess.Popen(
            [
                python,
                "-m",
                "cardbridge",
                *options,
                "serve",
                *(("--port", str(port), "--host", host) if address_options else ()),
                *args,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=self.env,
            umask=umask,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def wait_ready(self) -> None:
        """Until ``GET /v1/health`` answers."""
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                if httpx.get(f"{self.url}/v1/health", timeout=1.0).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"cardbridge serve did not start:\n{self.output}")
            time.sleep(0.05)

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        code = self.process.wait(STOP_TIMEOUT)
        self._reader.join(STOP_TIMEOUT)
        return code

    def finish(self) -> int:
        """Wait for a process that ends by itself (a refused start)."""
        code = self.process.wait(START_TIMEOUT)
        self._reader.join(STOP_TIMEOUT)
        return code
