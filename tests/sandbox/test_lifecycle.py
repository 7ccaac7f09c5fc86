"""The sandbox's life: `cardbridge dmp-sandbox` starts and stops, a restart loses nothing,
a deposit cut off half-way or a server killed mid-request leaves no half-stored document,
and a failing submission rolls back what it had written."""

from __future__ import annotations

import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

from testkit.dmp_documents import Doc, Package, cda, mtom, provide_and_register
from testkit.dmp_messages import envelope
from testkit.dmp_queries import find_documents, read_mtom, retrieve
from testkit.dmp_sandbox import Identity, RunningSandbox, client_context, running_sandbox
from tests.sandbox.conftest import PIERRE

RIM = "urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0"


def _count(data_dir: Path) -> int:
    with sqlite3.connect(data_dir / "dmp-sandbox.sqlite3") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        # Deposited documents (the seed's have no submission set).
        query = "SELECT count(*) FROM document WHERE submission_uuid IS NOT NULL"
        return int(db.execute(query).fetchone()[0])


def _partial_deposit(port: int, trust: bytes, who: Identity) -> None:
    """Send a deposit's headers and half its body, then hang up."""
    body, parts = provide_and_register([Doc(PIERRE)])
    content_type, data = mtom(envelope("TD2.1", body, who.signed()), parts)
    context = client_context(trust, who.tls)
    with (
        socket.create_connection(("127.0.0.1", port), timeout=10) as raw,
        context.wrap_socket(raw, server_hostname="localhost") as tls,
    ):
        tls.sendall(
            (
                "POST /si-dmp-server/v2/services/repository HTTP/1.1\r\n"
                f"Host: localhost\r\nContent-Type: {content_type}\r\n"
                f"Content-Length: {len(data)}\r\n\r\n"
            ).encode()
            + data[: len(data) // 2]
        )


def test_restart_loses_nothing(
    tmp_path: Path, data_dir: Path, organisations, demo_doctor: Identity
) -> None:  # type: ignore[no-untyped-def]
    doc = Doc(PIERRE)
    with running_sandbox(tmp_path / "dmp", data_dir) as dmp:
        assert dmp.deposit([doc], demo_doctor).status == 200
    with running_sandbox(tmp_path / "dmp", data_dir) as dmp:
        found = dmp.call("TD3.1", find_documents(PIERRE), demo_doctor).xml()
        unique_ids = {i.get("value") for i in found.iter(f"{{{RIM}}}ExternalIdentifier")}
        assert doc.unique_id in unique_ids
        answer = dmp.call("TD3.2", retrieve(doc.unique_id), demo_doctor)
        _, attachments = read_mtom(answer.content_type, answer.body)
        assert list(attachments.values()) == [cda(doc)]


def test_a_deposit_cut_off_half_way_stores_nothing(
    dmp: RunningSandbox, demo_doctor: Identity
) -> None:
    _partial_deposit(dmp.port, dmp.trust, demo_doctor)
    assert _count(dmp.data_dir) == 0
    assert dmp.deposit([Doc(PIERRE)], demo_doctor).status == 200
    assert _count(dmp.data_dir) == 2  # the document and its signature document


def test_a_failing_submission_rolls_back(dmp: RunningSandbox, demo_doctor: Identity) -> None:
    # Document01 is written, then Document02's replacement target is missing: nothing stays.
    package = Package(
        replaces="urn:uuid:00000000-0000-0000-0000-000000000000", replacing="Document02"
    )
    answer = dmp.deposit([Doc(PIERRE), Doc(PIERRE)], demo_doctor, package)
    assert b"XDSRegistryError" in answer.body
    assert _count(dmp.data_dir) == 0


def _start(data_dir: Path) -> tuple[subprocess.Popen[str], int]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cardbridge",
            "dmp-sandbox",
            "--port",
            "0",
            "--data-dir",
            str(data_dir),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    match = re.search(r"https://127\.0\.0\.1:(\d+)/si-dmp-server/v2/services/", line)
    assert match, (line, process.stderr.read() if process.poll() is not None else "")  # type: ignore[union-attr]
    return process, int(match.group(1))


def test_the_command_serves_and_stops_on_sigterm(
    tmp_path: Path, organisations, demo_doctor: Identity
) -> None:  # type: ignore[no-untyped-def]
    process, port = _start(tmp_path / "cli")
    try:
        dmp = RunningSandbox(port, organisations.trust_anchors_pem(), tmp_path / "cli")
        assert dmp.deposit([Doc(PIERRE)], demo_doctor).status == 200
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0


def test_a_server_killed_mid_deposit_leaves_nothing(
    tmp_path: Path, organisations, demo_doctor: Identity
) -> None:  # type: ignore[no-untyped-def]
    process, port = _start(tmp_path / "killed")
    try:
        _partial_deposit(port, organisations.trust_anchors_pem(), demo_doctor)
    finally:
        process.kill()
        process.wait(timeout=30)
    assert _count(tmp_path / "killed") == 0
    process, port = _start(tmp_path / "killed")
    try:
        dmp = RunningSandbox(port, organisations.trust_anchors_pem(), tmp_path / "killed")
        assert dmp.deposit([Doc(PIERRE)], demo_doctor).status == 200
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    assert _count(tmp_path / "killed") == 2


def test_the_command_refuses_a_non_loopback_host() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "cardbridge", "dmp-sandbox", "--host", "0.0.0.0"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "loopback only" in result.stderr
