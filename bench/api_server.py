"""The server of the API benchmarks: ``python -m bench.api_server PORT TOKEN``.

The whole API over the emulated demo readers, plus ``GET /bench/bare``: a bare FastAPI
route behind the same middleware, the baseline of the cached ``GET /v1/cps``. It runs
in its own process so that the load generator does not share its interpreter.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from cardbridge.api.app import create_app
from cardbridge.api.server import BridgeServer, listening_socket, server_config
from cardbridge.config import Settings
from cardbridge.emulator.inprocess import demo_backend
from cardbridge.emulator.keys import KeyPool
from cardbridge.service.bridge import Bridge

BARE_PATH = "/bench/bare"


def main() -> None:
    port, token = int(sys.argv[1]), sys.argv[2]
    # A data dir of its own: the test PKI and the journal never go to the user's.
    with tempfile.TemporaryDirectory(prefix="cardbridge-bench-") as data_dir:
        settings = Settings(port=port, api_token=token, data_dir=Path(data_dir))
        backend = demo_backend(data_dir=settings.data_dir, keys=KeyPool(2))
        app = create_app(Bridge.from_settings(settings, backend=backend), settings)

        @app.get(BARE_PATH)
        async def bare() -> dict[str, str]:
            return {"status": "ok"}

        # The listening socket `cardbridge serve` makes: the figures are what users get.
        listening = listening_socket("127.0.0.1", port)
        BridgeServer(app, server_config(app, "127.0.0.1", port)).run(sockets=[listening])


if __name__ == "__main__":
    main()
