"""HTTP requests made by a process of another OS user: ``nobody`` (uid 65534).

The client is Debian's ``python3`` with its standard library only, run through
``setpriv`` (so the tests need root, as CI has): it reads ``[host, port, requests]`` as
JSON on its standard input and prints, for each request, ``[status, problem code]``
(``[0, error name]`` when the connection failed). One process makes every request, so
that a whole table of routes costs one start. The same client run as our own user
(``same_user=True``) shows that only the user makes the difference.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Sequence

import pytest

NOBODY = 65534
SYSTEM_PYTHON = "/usr/bin/python3"
AS_NOBODY = ("setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups")

CLIENT = r"""
import http.client, json, sys
host, port, requests = json.load(sys.stdin)
answers = []
for method, path, headers in requests:
    connection = http.client.HTTPConnection(host, port, timeout=10)
    try:
        connection.request(method, path, headers=headers)
        response = connection.getresponse()
        code = None
        if response.getheader("content-type") == "application/problem+json":
            code = json.loads(response.read()).get("code")
        answers.append([response.status, code])
    except OSError as error:
        answers.append([0, type(error).__name__])
    finally:
        connection.close()
json.dump(answers, sys.stdout)
"""

Request = tuple[str, str, dict[str, str]]


def other_user_can_run() -> None:
    """Fail (in CI) or skip (a developer's session) when we cannot become ``nobody``."""
    if os.geteuid() != 0:
        if os.environ.get("CI"):
            pytest.fail("CI runs as root: running a client as another user needs it")
        pytest.skip("running a client as another OS user needs root")


def requests_from(
    host: str, port: int, requests: Sequence[Request], *, same_user: bool = False
) -> list[tuple[int, str | None]]:
    """The answers to ``requests`` sent by ``nobody`` (or by us if ``same_user``)."""
    if not same_user:
        other_user_can_run()
    command = [SYSTEM_PYTHON, "-I", "-c", CLIENT]
    done = subprocess.run(
        command if same_user else [*AS_NOBODY, *command],
        input=json.dumps([host, port, list(requests)]),
        capture_output=True,
        text=True,
        cwd="/",
        timeout=120,
        check=True,
    )
    return [(status, code) for status, code in json.loads(done.stdout)]
