"""Search latency at 10k, 100k and 1M chunks, in-process (fresh process each) and over HTTP."""

from __future__ import annotations

import asyncio
import os
import random
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from bench import scale
from bench.common import dir_size_mb, percentiles, run_child
from kcrm.core.config import Settings
from kcrm.core.db import Database
from kcrm.core.keys import create_key
from kcrm.knowledge.embedders.base import Embedder
from kcrm.knowledge.index.replica import LEXICAL_DIR


def queries(rows: list[tuple[str, str]], n: int, seed: int = 1) -> list[str]:
    """Real customer questions, shuffled; they double as paraphrases of indexed ones."""
    rng = random.Random(seed)
    pool = [t for t, _ in rows]
    return [rng.choice(pool) for _ in range(n)]


def at_scale(
    workdir: Path, embedder: Embedder, rows: list[tuple[str, str]], total: int, n_queries: int
) -> dict[str, Any]:
    data_dir = workdir / f"kb-{total}"
    built = scale.build(data_dir, embedder, rows, total)
    index_dir = data_dir / "index"
    result = run_child(
        "bench.search_child", {"data_dir": str(data_dir), "queries": queries(rows, n_queries)}
    )
    result.update(built)
    result["index_size_mb"] = {
        "vectors": round(dir_size_mb(index_dir) - dir_size_mb(index_dir / LEXICAL_DIR), 1),
        "lexical": round(dir_size_mb(index_dir / LEXICAL_DIR), 1),
    }
    result["database_mb"] = round((data_dir / "kcrm.db").stat().st_size / 2**20, 1)
    result["data_dir"] = str(data_dir)
    return result


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def http_latency(
    data_dir: Path,
    rows: list[tuple[str, str]],
    per_client: int,
    clients: tuple[int, ...] = (1, 8),
    env: dict[str, str] | None = None,
) -> dict[str, Any]:
    """p50/p95/p99 of POST /v1/search through a real server on loopback.

    Args:
        env: settings for the server beyond the data dir (`KCRM_*` variables).
    """
    db = Database(Settings(data_dir=data_dir))
    key = create_key(db, "agent", "bench")[0]
    db.dispose()
    port = _free_port()
    env = {
        **os.environ,
        "KCRM_DATA_DIR": str(data_dir),
        "KCRM_RATE_LIMIT_PER_MINUTE": "1000000",
        **(env or {}),
    }
    start = time.perf_counter()
    server = subprocess.Popen(
        [sys.executable, "-m", "kcrm.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        ready = _wait_ready(port, server)
        cold = time.perf_counter() - start
        out: dict[str, Any] = {"process_to_ready_seconds": round(cold, 2)}
        for n in clients:
            cpu = time.process_time()
            lat, wall = asyncio.run(_load(port, key, queries(rows, n * per_client, seed=n), n))
            out[f"clients_{n}"] = percentiles(lat)
            out[f"clients_{n}"]["requests_per_s"] = round(len(lat) / wall, 1)
            # The load generator shares the machine's cores with the server.
            out[f"clients_{n}"]["client_cpu_ms_per_request"] = round(
                (time.process_time() - cpu) / len(lat) * 1000, 2
            )
        out["ready"] = ready
        return out
    finally:
        server.terminate()
        server.wait(timeout=60)


def _wait_ready(port: int, server: subprocess.Popen[bytes], timeout: float = 600) -> dict[str, Any]:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if server.poll() is not None:
            raise RuntimeError(
                f"server exited: {server.stderr.read().decode()[-2000:] if server.stderr else ''}"
            )
        try:
            r = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2)
            if r.status_code == 200:
                data: dict[str, Any] = r.json()
                return data
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError("server not ready")


async def _load(port: int, key: str, qs: list[str], concurrency: int) -> tuple[list[float], float]:
    latencies: list[float] = []
    queue: asyncio.Queue[str] = asyncio.Queue()
    for q in qs:
        queue.put_nowait(q)
    headers = {"Authorization": f"Bearer {key}"}

    async def worker(client: httpx.AsyncClient) -> None:
        while not queue.empty():
            q = queue.get_nowait()
            start = time.perf_counter()
            r = await client.post("/v1/search", json={"query": q, "k": 10}, headers=headers)
            latencies.append((time.perf_counter() - start) * 1000)
            if r.status_code != 200:
                raise RuntimeError(f"search answered {r.status_code}: {r.text[:300]}")

    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
        start = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
        wall = time.perf_counter() - start
    return latencies, wall


def main(argv: list[str] | None = None) -> None:
    """One scale only: `python -m bench.search --chunks 1000000 --http-per-client 100`."""
    import argparse
    import csv
    import json
    import tempfile

    from bench.common import BANKING77
    from kcrm.knowledge.embedders.factory import configured_embedder

    ap = argparse.ArgumentParser(description=main.__doc__)
    ap.add_argument("--chunks", type=int, default=1_000_000)
    ap.add_argument("--queries", type=int, default=500, help="in-process searches timed")
    ap.add_argument("--http-per-client", type=int, default=0, help="HTTP searches per client")
    ap.add_argument("--work", type=Path, default=None, help="keep the data dir here")
    ap.add_argument("--banking77", type=Path, default=BANKING77, help="Banking77 train.csv")
    ap.add_argument("--data-dir", type=Path, default=None, help="a data dir built before")
    ap.add_argument("--role", default="agent", help="customer: as the help page searches")
    ap.add_argument("--language", default=None, help="a language filter, as the help page sends")
    args = ap.parse_args(argv)
    with args.banking77.open(encoding="utf-8") as fh:
        rows = [(r["text"], r["category"]) for r in csv.DictReader(fh)]
    embedder = configured_embedder(Settings())
    with tempfile.TemporaryDirectory(prefix="kcrm-bench-") as tmp:
        if args.data_dir is not None:
            asked = {"data_dir": str(args.data_dir), "queries": queries(rows, args.queries)}
            if args.role != "agent" or args.language:
                asked.update({"role": args.role, "language": args.language})
            result = run_child("bench.search_child", asked)
            result["data_dir"] = str(args.data_dir)
        else:
            work = args.work or Path(tmp)
            result = at_scale(work, embedder, rows, args.chunks, args.queries)
        if args.http_per_client:
            result["http"] = http_latency(Path(result["data_dir"]), rows, args.http_per_client)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
