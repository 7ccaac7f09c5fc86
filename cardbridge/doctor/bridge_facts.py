"""Facts about the running bridge: who holds the API port, and what it answers there."""

from __future__ import annotations

import socket
from dataclasses import dataclass
from pathlib import Path

import httpx

_CONNECT_TIMEOUT = 1.0
_HTTP_TIMEOUT = 2.0
_LISTEN = "0A"  # TCP state in /proc/net/tcp


@dataclass(frozen=True, slots=True)
class Health:
    """What a cardbridge answers on ``GET /v1/health``."""

    version: str
    backend: str
    pcsc: str


@dataclass(frozen=True, slots=True)
class PortFacts:
    """Who answers on the API address."""

    host: str
    port: int
    listening: bool
    health: Health | None = None  # set when cardbridge answered
    answer: str | None = None  # what another program answered
    owner: str | None = None  # the listening program, when this user may see it


def parse_health(body: object) -> Health | None:
    """The health answer of the HTTP contract, or None for anything else."""
    if not isinstance(body, dict):
        return None
    version, backend, pcsc = body.get("version"), body.get("backend"), body.get("pcsc")
    if isinstance(version, str) and backend in ("pcsc", "emulator") and pcsc in ("up", "down"):
        return Health(version, str(backend), str(pcsc))
    return None


def port_facts(host: str, port: int) -> PortFacts:
    """Whether something listens on ``host:port``, and whether it is a cardbridge."""
    try:
        with socket.create_connection((host, port), timeout=_CONNECT_TIMEOUT):
            pass
    except OSError:
        return PortFacts(host, port, listening=False)
    owner = port_owner(port)
    authority = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    # trust_env=False: a proxy configured for the practice must not see loopback requests.
    with httpx.Client(timeout=_HTTP_TIMEOUT, trust_env=False) as client:
        try:
            response = client.get(f"http://{authority}/v1/health")
        except httpx.HTTPError:
            return PortFacts(host, port, True, answer="it does not answer HTTP", owner=owner)
    health = None
    if response.status_code == 200:
        try:
            health = parse_health(response.json())
        except ValueError:
            health = None
    if health is not None:
        return PortFacts(host, port, True, health=health, owner=owner)
    server = response.headers.get("server")
    answer = f"HTTP {response.status_code}" + (f" from “{server}”" if server else "")
    return PortFacts(host, port, True, answer=answer, owner=owner)


def port_owner(port: int, proc: Path = Path("/proc")) -> str | None:
    """``name, pid N`` of the process listening on TCP ``port``, if this user can see it."""
    inodes = set()
    for table in ("tcp", "tcp6"):
        try:
            lines = (proc / "net" / table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[3] == _LISTEN and int(fields[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(fields[9])
    if not inodes:
        return None
    wanted = {f"socket:[{inode}]" for inode in inodes}
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if any(str(fd.readlink()) in wanted for fd in (entry / "fd").iterdir()):
                return f"{(entry / 'comm').read_text().strip()}, pid {entry.name}"
        except OSError:  # another user's process, or gone
            continue
    return None
