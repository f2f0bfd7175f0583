"""A lean HTTP/1.1 load generator: raw keep-alive connections on asyncio, nothing else.

The server and its load share this machine's cores, so the generator's own CPU per
request is part of every figure: httpx spent 4-5 ms of CPU per request, a fifth of
what the server spent answering. This client writes a prepared request and parses
only the status line and `content-length` of the answer: about a tenth of that.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass
class LoadResult:
    """Latencies (ms) in completion order, the wall time, and the client's own CPU."""

    latencies_ms: list[float] = field(default_factory=list)
    wall_s: float = 0.0
    client_cpu_s: float = 0.0
    statuses: dict[int, int] = field(default_factory=dict)


def search_request(host: str, port: int, key: str, query: str, k: int = 10) -> bytes:
    """The bytes of one `POST /v1/search` on a kept-alive connection."""
    body = json.dumps({"query": query, "k": k}).encode()
    head = (
        f"POST /v1/search HTTP/1.1\r\nHost: {host}:{port}\r\n"
        f"Authorization: Bearer {key}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def _answer(reader: asyncio.StreamReader) -> int:
    """Read one response; its status code."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    length = 0
    for line in lines[1:]:
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
            break
    if length:
        await reader.readexactly(length)
    return status


async def run(
    host: str, port: int, requests: Sequence[bytes], clients: int, warmup: int = 0
) -> LoadResult:
    """Send `requests` over `clients` connections, each sending its next when answered.

    The first `warmup` requests of every connection are not timed (fresh connections,
    first queries).
    """
    out = LoadResult()
    todo = list(requests)
    position = 0

    async def one_client() -> None:
        nonlocal position
        reader, writer = await asyncio.open_connection(host, port)
        try:
            for _ in range(warmup):
                writer.write(todo[position % len(todo)])
                position += 1
                await _answer(reader)
            await ready.wait()
            while True:
                if position >= len(todo):
                    return
                payload = todo[position]
                position += 1
                start = time.perf_counter()
                writer.write(payload)
                status = await _answer(reader)
                out.latencies_ms.append((time.perf_counter() - start) * 1000)
                out.statuses[status] = out.statuses.get(status, 0) + 1
        finally:
            writer.close()

    ready = asyncio.Event()
    tasks = [asyncio.create_task(one_client()) for _ in range(clients)]
    # Every connection open and warmed before the clock starts.
    while position < warmup * clients and not any(t.done() for t in tasks):
        await asyncio.sleep(0.01)
    position = 0
    cpu = time.process_time()
    start = time.perf_counter()
    ready.set()
    await asyncio.gather(*tasks)
    out.wall_s = time.perf_counter() - start
    out.client_cpu_s = time.process_time() - cpu
    return out


def load(
    host: str, port: int, requests: Sequence[bytes], clients: int, warmup: int = 2
) -> LoadResult:
    """`run` in a fresh event loop (uvloop where installed: less CPU per request)."""
    try:
        import uvloop

        return uvloop.run(run(host, port, requests, clients, warmup))
    except ImportError:  # pragma: no cover - uvicorn[standard] installs it
        return asyncio.run(run(host, port, requests, clients, warmup))
