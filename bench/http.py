"""Search over HTTP under load, read against what one query costs to embed on this machine.

    python -m bench.http --data-dir DIR --build 0 [--clients 1 8 32] [--workers 1 2]
        [--before OLD_CHECKOUT] [--memory-dir BIG_DIR --memory-chunks 1000000]

A real `kcrm serve` on loopback answers `POST /v1/search` from 1, 8 and 32
kept-alive clients (`bench/httpclient.py`, a lean generator sharing the same
cores), with one worker and with two. Every round starts and ends with the
reference (`bench/reference.py`: one short query through raw
sentence-transformers on one PyTorch thread), so each latency has its yardstick
from the same minutes; figures are medians over rounds. Where the CPU goes comes
from the server itself: its processes' CPU time per request (from /proc), and the
per-stage timings it exports on /metrics (`kcrm_search_stage_seconds`).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from bench import httpclient, profile
from bench.common import BANKING77, percentiles, run_child
from bench.load import ROOT, kcrm, kcrm_env, serve

GOAL_RATIO = 4.0  # p99 with 8 clients, in units of the reference
SOURCE = "source"  # in a config's settings: the source tree to serve (`--before`)


def reference() -> float:
    """One short query through raw sentence-transformers (torch, 1 thread): median ms."""
    return float(run_child("bench.reference", {})["reference_ms"])


def _group_pids(pgid: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # field 5 of stat: the process group
            pids.append(int(entry.name))
    return pids


def group_cpu_seconds(pgid: int) -> float:
    """User + system CPU of every process in the server's process group."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in _group_pids(pgid):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


def group_peak_rss_mb(pgid: int) -> list[float]:
    """VmHWM of every process in the group, largest first (uvicorn's workers, or the one)."""
    out = []
    for pid in _group_pids(pgid):
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    out.append(round(int(line.split()[1]) / 1024, 1))
        except OSError:
            continue
    return sorted(out, reverse=True)


_STAGE = re.compile(r'^kcrm_search_stage_seconds_(sum|count)\{stage="([^"]+)"\} (\S+)$', re.M)


def stages(url: str) -> dict[str, tuple[float, float]]:
    """(seconds, count) per search stage, as the server's /metrics has them so far."""
    text = httpx.get(f"{url}/metrics", timeout=10).text
    out: dict[str, list[float]] = {}
    for kind, stage, value in _STAGE.findall(text):
        out.setdefault(stage, [0.0, 0.0])[0 if kind == "sum" else 1] = float(value)
    return {k: (v[0], v[1]) for k, v in out.items()}


def one_load(
    url: str, pgid: int, key: str, qs: list[str], clients: int, workers: int
) -> dict[str, Any]:
    host, port = url.removeprefix("http://").split(":")
    payloads = [httpclient.search_request(host, int(port), key, q) for q in qs]
    before = stages(url) if workers == 1 else {}
    cpu = group_cpu_seconds(pgid)
    res = httpclient.load(host, int(port), payloads, clients)
    server_cpu = group_cpu_seconds(pgid) - cpu
    n = len(res.latencies_ms)
    if res.statuses.get(200, 0) != n:
        raise RuntimeError(f"not every search answered 200: {res.statuses}")
    row: dict[str, Any] = percentiles(res.latencies_ms)
    row["requests_per_s"] = round(n / res.wall_s, 1)
    row["server_cpu_ms_per_request"] = round(server_cpu / n * 1000, 2)
    row["client_cpu_ms_per_request"] = round(res.client_cpu_s / n * 1000, 3)
    if workers == 1:
        after = stages(url)
        row["stages_ms_per_request"] = {
            stage: round((s - before.get(stage, (0.0, 0.0))[0]) / n * 1000, 3)
            for stage, (s, _) in sorted(after.items())
        }
        batches = after.get("embed_batch", (0.0, 0.0))[1] - before.get("embed_batch", (0, 0))[1]
        queries = after.get("embed", (0.0, 0.0))[1] - before.get("embed", (0, 0))[1]
        row["queries_per_embed_batch"] = round(queries / batches, 2) if batches else 0.0
    return row


def run(
    data_dir: Path,
    queries: list[str],
    clients: tuple[int, ...] = (1, 8, 32),
    configs: tuple[tuple[str, int, dict[str, str]], ...] = (
        ("workers_1", 1, {}),
        ("workers_2", 2, {}),
    ),
    per_client: int = 150,
    min_requests: int = 600,
    rounds: int = 3,
    profile_seconds: float = 0.0,
) -> dict[str, Any]:
    """Every (server config, clients) load `rounds` times, the reference around each round.

    Args:
        configs: (name, workers, extra `KCRM_*` settings) of each server to measure.
        profile_seconds: if given (and py-spy is installed), one-worker servers are also
            sampled this long under 8 clients in the first round (`bench/profile.py`).
    """
    base = kcrm_env(data_dir, model="all-MiniLM-L6-v2")
    made = kcrm(base, "keys", "create", "--role", "agent", "--name", "bench-http", "--json")
    key = json.loads(made.stdout)["key"]
    raw: list[dict[str, Any]] = []
    for r in range(rounds):
        one: dict[str, Any] = {"reference_ms": [reference()]}
        for name, workers, extra in configs:
            started = time.perf_counter()
            env = {k: v for k, v in {**base, **extra}.items() if k != SOURCE}
            source = Path(extra[SOURCE]) if SOURCE in extra else ROOT
            with serve(env, workers=workers, ready_timeout=600, source=source) as server:
                one[f"{name}_ready_s"] = round(time.perf_counter() - started, 2)
                pgid = server.proc.pid
                fresh = Fresh(queries, seed=1000 * r + len(one))
                warm(server.url, key, fresh.take(300))
                for n in clients:
                    qs = fresh.take(max(min_requests, n * per_client))
                    one[f"{name}_clients_{n}"] = one_load(server.url, pgid, key, qs, n, workers)
                if r == 0 and profile_seconds and profile.available() and workers == 1:
                    one[f"{name}_profile"] = profiled(
                        server.url, pgid, key, fresh, profile_seconds, one
                    )
                one[f"{name}_peak_rss_mb"] = group_peak_rss_mb(pgid)
        one["reference_ms"].append(reference())
        raw.append(one)
    return summarise(raw, clients, tuple(name for name, _, _ in configs))


def memory(
    data_dir: Path, queries: list[str], workers: tuple[int, ...] = (1, 2), requests: int = 2000
) -> dict[str, Any]:
    """Peak RSS of every worker process after `requests` searches from 8 clients.

    Each worker holds its own replica of the indexes (a private copy when there are
    several), so memory grows with workers; the supervisor process uvicorn adds for
    several workers, and multiprocessing's resource tracker, are small and listed apart.
    """
    base = kcrm_env(data_dir, model="all-MiniLM-L6-v2")
    made = kcrm(base, "keys", "create", "--role", "agent", "--name", "bench-rss", "--json")
    key = json.loads(made.stdout)["key"]
    out: dict[str, Any] = {}
    for w in workers:
        started = time.perf_counter()
        with serve(base, workers=w, ready_timeout=1800) as server:
            ready = round(time.perf_counter() - started, 2)
            fresh = Fresh(queries, seed=w)
            warm(server.url, key, fresh.take(300))
            row = one_load(server.url, server.proc.pid, key, fresh.take(requests), 8, w)
            rss = group_peak_rss_mb(server.proc.pid)
        # The workers are the big processes; with one worker it is the server process itself.
        out[f"workers_{w}"] = {
            "ready_s": ready,
            "worker_peak_rss_mb": rss[:w],
            "other_processes_rss_mb": rss[w:],
            "total_rss_mb": round(sum(rss), 1),
            "clients_8": {k: row[k] for k in ("p50_ms", "p99_ms", "requests_per_s")},
        }
    return out


def profile_only(data_dir: Path, queries: list[str], seconds: float) -> dict[str, Any]:
    """Where the CPU goes in a one-worker server under 8 clients, without the timed loads."""
    if not profile.available():
        raise RuntimeError("py-spy is not installed")
    base = kcrm_env(data_dir, model="all-MiniLM-L6-v2")
    made = kcrm(base, "keys", "create", "--role", "agent", "--name", "bench-spy", "--json")
    key = json.loads(made.stdout)["key"]
    with serve(base, workers=1, ready_timeout=600) as server:
        fresh = Fresh(queries, seed=7)
        warm(server.url, key, fresh.take(300))
        return profiled(server.url, server.proc.pid, key, fresh, seconds, {})


def profiled(
    url: str, pgid: int, key: str, fresh: Fresh, seconds: float, done: dict[str, Any]
) -> dict[str, Any]:
    """Where the CPU goes under 8 clients: py-spy over all threads, then the GIL's holder."""
    import threading

    rate = next((v["requests_per_s"] for k, v in done.items() if k.endswith("_clients_8")), 100)
    qs = fresh.take(int(rate * (2 * seconds + 6)))
    row: dict[str, Any] = {}
    load = threading.Thread(target=lambda: row.update(one_load(url, pgid, key, qs, 8, 1)))
    load.start()
    time.sleep(1)
    shares = {}
    for mode in ("cpu", "gil"):
        path = profile.record(pgid, seconds, gil=mode == "gil")
        shares[mode] = profile.summarise(path)
        path.unlink()
    load.join()
    cpu = row.get("server_cpu_ms_per_request", 0.0)
    return {
        "seconds": seconds,
        "server_cpu_ms_per_request": cpu,
        "cpu_ms_per_request": {k: round(v * cpu, 3) for k, v in shares["cpu"].items()},
        "gil_share": shares["gil"],
    }


class Fresh:
    """Queries a server has not been asked yet (shuffled; from the start again if all were).

    A query asked before finds its vector cached: timing repeats would time the cache.
    """

    def __init__(self, queries: list[str], seed: int) -> None:
        self.order = random.Random(seed).sample(queries, len(queries))
        self.next = 0

    def take(self, n: int) -> list[str]:
        out = [self.order[(self.next + i) % len(self.order)] for i in range(n)]
        self.next += n
        return out


def warm(url: str, key: str, queries: list[str]) -> None:
    """A few hundred searches first: every worker's caches and code paths, then a pause."""
    host, port = url.removeprefix("http://").split(":")
    payloads = [httpclient.search_request(host, int(port), key, q) for q in queries]
    httpclient.load(host, int(port), payloads, 8)
    time.sleep(1)


def _median(values: list[float]) -> float:
    return round(statistics.median(values), 3)


def summarise(
    raw: list[dict[str, Any]], clients: tuple[int, ...], configs: tuple[str, ...]
) -> dict[str, Any]:
    """Medians over rounds; the goal's ratio is taken per round, then its median."""
    refs = [statistics.median(r["reference_ms"]) for r in raw]
    out: dict[str, Any] = {"rounds": len(raw), "reference_ms": _median(refs), "raw": raw}
    for config in configs:
        for n in clients:
            name = f"{config}_clients_{n}"
            rows = [r[name] for r in raw]
            summary: dict[str, Any] = {
                k: _median([row[k] for row in rows])
                for k in rows[0]
                if isinstance(rows[0][k], int | float)
            }
            if "stages_ms_per_request" in rows[0]:
                summary["stages_ms_per_request"] = {
                    s: _median([row["stages_ms_per_request"].get(s, 0.0) for row in rows])
                    for s in rows[0]["stages_ms_per_request"]
                }
            summary["p99_over_reference"] = _median(
                [row["p99_ms"] / ref for row, ref in zip(rows, refs, strict=True)]
            )
            out[name] = summary
        out[f"{config}_peak_rss_mb"] = raw[-1][f"{config}_peak_rss_mb"]
        if f"{config}_profile" in raw[0]:
            out[f"{config}_profile"] = raw[0][f"{config}_profile"]
        out[f"{config}_ready_s"] = _median([r[f"{config}_ready_s"] for r in raw])
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path, required=True, help="the help centre's data dir")
    ap.add_argument(
        "--build",
        type=int,
        default=None,
        metavar="FAQS",
        help="first build --data-dir with this many Banking77 texts as public FAQs (0: all)",
    )
    ap.add_argument("--banking77", type=Path, default=BANKING77, help="Banking77 train.csv")
    ap.add_argument("--clients", type=int, nargs="+", default=[1, 8, 32])
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument(
        "--before",
        type=Path,
        default=None,
        help="another source tree (an older checkout) served side by side, one worker",
    )
    ap.add_argument(
        "--compare",
        nargs="*",
        default=[],
        metavar="NAME:KEY=VALUE,...",
        help="also a one-worker server with these settings, side by side",
    )
    ap.add_argument("--per-client", type=int, default=150, help="requests per client")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument(
        "--py-spy", type=float, default=0.0, metavar="SECONDS", help="also profile (py-spy)"
    )
    ap.add_argument(
        "--memory-dir",
        type=Path,
        default=None,
        help="also peak RSS per worker on this (big) data dir, 1 and 2 workers",
    )
    ap.add_argument(
        "--memory-chunks",
        type=int,
        default=None,
        help="first build --memory-dir with this many chunks (real texts, then synthetic)",
    )
    ap.add_argument(
        "--no-load",
        action="store_true",
        help="skip the timed client loads (memory, or --py-spy on one worker, only)",
    )
    ap.add_argument(
        "--merge", type=Path, default=None, help="an earlier run's JSON: keep what this run skips"
    )
    ap.add_argument("--out", type=Path, default=None, help="write the JSON here")
    ap.add_argument("--markdown", type=Path, default=None, help="write the report here")
    args = ap.parse_args(argv)
    rows = banking77_texts(args.banking77)
    qs = list(dict.fromkeys(t for t, _ in rows))  # every distinct question, once
    if args.build is not None:
        _build(args.data_dir, rows, args.build or len(rows))
    if args.memory_chunks and args.memory_dir is not None:
        _build(args.memory_dir, rows, args.memory_chunks)
    result: dict[str, Any] = json.loads(args.merge.read_text()) if args.merge else {}
    result.setdefault("commands", []).append(_command(argv))
    if not args.no_load:
        configs: list[tuple[str, int, dict[str, str]]] = [
            (f"workers_{w}", w, {}) for w in args.workers
        ]
        if args.before is not None:
            configs.insert(0, ("before", 1, {SOURCE: str(args.before.resolve())}))
        for spec in args.compare:
            name, _, pairs = spec.partition(":")
            extra = dict(p.split("=", 1) for p in pairs.split(",") if p)
            configs.append((name, 1, extra))
        result.update(
            run(
                args.data_dir,
                qs,
                tuple(args.clients),
                tuple(configs),
                args.per_client,
                rounds=args.rounds,
                profile_seconds=args.py_spy,
            )
        )
        result["chunks"] = chunks(args.data_dir)
    elif args.py_spy:
        result["workers_1_profile"] = profile_only(args.data_dir, qs, args.py_spy)
    if args.memory_dir is not None:
        result["memory"] = memory(args.memory_dir, qs, tuple(args.workers))
        result["memory"]["chunks"] = chunks(args.memory_dir)
    text = json.dumps(result, indent=2)
    if args.out:
        args.out.write_text(text)
    if args.markdown:
        from bench.report import http_page

        args.markdown.write_text(http_page(result))
    print(text)


def banking77_texts(path: Path) -> list[tuple[str, str]]:
    import csv

    with path.open(encoding="utf-8") as fh:
        return [(r["text"], r["category"]) for r in csv.DictReader(fh)]


def _build(data_dir: Path, rows: list[tuple[str, str]], total: int) -> None:
    """A bench data dir of `total` chunks (bench/scale.py), unless it already has one."""
    from bench import scale
    from kcrm.core.config import Settings
    from kcrm.knowledge.embedders.factory import configured_embedder

    if (data_dir / "kcrm.db").exists():
        return
    print(f"building {data_dir} ({total:,} chunks)", file=sys.stderr, flush=True)
    scale.build(data_dir, configured_embedder(Settings()), rows, total)


def _command(argv: list[str] | None) -> str:
    """This run's command line for the report, local paths replaced by what they stand for."""
    words = list(sys.argv[1:] if argv is None else argv)
    places = {"--data-dir": "DIR", "--memory-dir": "BIG_DIR", "--before": "OLD_CHECKOUT"}
    hidden = {"--banking77", "--out", "--markdown", "--merge"}
    out = ["python -m bench.http"]
    skip = False
    for i, word in enumerate(words):
        if skip:
            skip = False
            continue
        if word in hidden:
            skip = True
        elif i > 0 and words[i - 1] in places:
            out.append(places[words[i - 1]])
        else:
            out.append(word)
    return " ".join(out)


def chunks(data_dir: Path) -> int:
    """Chunks stored in a bench data dir (an SQLite one)."""
    import sqlite3

    with sqlite3.connect(data_dir / "kcrm.db") as conn:
        return int(conn.execute("SELECT count(*) FROM chunks").fetchone()[0])


if __name__ == "__main__":
    main()
