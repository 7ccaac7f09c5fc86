"""`cardbridge serve`'s listening socket: asyncio must turn Nagle off on its connections."""

from __future__ import annotations

import asyncio
import socket

from cardbridge.api.server import listening_socket


def test_connections_of_the_listening_socket_have_no_nagle() -> None:
    """Without TCP_NODELAY every answer written in two parts waits ~40 ms for an ACK."""

    async def accepted_nodelay() -> int:
        sock = listening_socket("127.0.0.1", 0)
        port = sock.getsockname()[1]
        seen: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        class Probe(asyncio.Protocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                accepted = transport.get_extra_info("socket")
                seen.set_result(accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
                transport.close()

        server = await asyncio.get_running_loop().create_server(Probe, sock=sock)
        async with server:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            try:
                return await asyncio.wait_for(seen, 5.0)
            finally:
                writer.close()

    assert asyncio.run(accepted_nodelay()) == 1
