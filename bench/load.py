"""Load test: concurrent HTTP clients against a real `kcrm serve` on loopback, bounded in time.

    python -m bench.load --duration 60 --clients 50

Seeds a fresh data dir from the demo corpus (or uses `--database-url` for PostgreSQL),
starts `kcrm serve`, and runs `--clients` asyncio clients for `--duration` seconds, each
looping over a weighted mix of search, agent suggest, recommendations and document
ingest. Afterwards every id an ingest acknowledged must be readable and the indexes
consistent. Writes p50/p99 per operation, throughput and status counts to
docs/benchmarks/load.json and load.md. Exit status 1 on any 5xx, transport error or
lost record.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import json
import os
import platform
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
OPERATIONS = ("search", "suggest", "recommend", "ingest")
# Customers search and agents suggest far more often than records change.
MODEL_NAMES = {"default": "all-MiniLM-L6-v2 (the default)", "hash-64": "hash-64 (test fake)"}
DEFAULT_MIX = {"search": 0.45, "suggest": 0.2, "recommend": 0.2, "ingest": 0.15}


# ---- a real server ------------------------------------------------------------------------
def free_port() -> int:
    """A port free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def kcrm_env(
    data_dir: Path,
    model: str = "hash-64",
    database_url: str = "",
    **extra: str,
) -> dict[str, str]:
    """The environment of a kcrm process on `data_dir` (and `database_url`, if given)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KCRM_")}
    env.update(
        {
            "KCRM_DATA_DIR": str(data_dir),
            "KCRM_EMBEDDING_MODEL": model,
            "HF_HUB_OFFLINE": "1",
            "TOKENIZERS_PARALLELISM": "false",
            # Clients share a few keys; the per-key limit is not what a load test measures.
            "KCRM_RATE_LIMIT_PER_MINUTE": "10000000",
        }
    )
    if database_url:
        env["KCRM_DATABASE_URL"] = database_url
    env.update(extra)
    return env


def kcrm(
    env: dict[str, str], *args: str, timeout: float = 600, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run one `kcrm` command in a child process."""
    proc = subprocess.run(
        [sys.executable, "-m", "kcrm.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
    )
    if check and proc.returncode != 0:
        raise RuntimeError(f"kcrm {' '.join(args)} exited {proc.returncode}: {proc.stderr[-2000:]}")
    return proc


def create_keys(env: dict[str, str]) -> dict[str, str]:
    """One key per role."""
    keys = {}
    for role in ("admin", "agent", "customer", "marketing"):
        out = kcrm(env, "keys", "create", "--role", role, "--name", f"load-{role}", "--json")
        keys[role] = json.loads(out.stdout)["key"]
    return keys


@dataclass
class Server:
    """A `kcrm serve` child process."""

    url: str
    proc: subprocess.Popen[bytes]
    log: Path


def wait_ready(url: str, timeout: float, recommender: bool = False) -> dict[str, Any]:
    """Poll /readyz until it answers 200 (and, if asked, the recommender is loaded)."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            r = httpx.get(f"{url}/readyz", timeout=5)
            last = r.text
            if r.status_code == 200 and (not recommender or r.json().get("recommender")):
                data: dict[str, Any] = r.json()
                return data
        except httpx.HTTPError as exc:
            last = repr(exc)
        time.sleep(0.2)
    raise TimeoutError(f"{url} not ready after {timeout}s: {last}")


def start_server(
    env: dict[str, str],
    workers: int = 1,
    port: int | None = None,
    log: Path | None = None,
    source: Path = ROOT,
) -> Server:
    """Start `kcrm serve` on 127.0.0.1 (returns at once; see `wait_ready`).

    Args:
        source: the source tree whose kcrm to run (another checkout, to compare).
    """
    port = port or free_port()
    log = log or Path(env["KCRM_DATA_DIR"]) / f"serve-{port}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    args = ["serve", "--port", str(port), "--workers", str(workers)]
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "kcrm.cli", *args],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=source,
            # Its own process group, so stopping it also stops uvicorn's worker processes.
            start_new_session=True,
        )
    return Server(f"http://127.0.0.1:{port}", proc, log)


def stop_server(server: Server, hard: bool = False) -> None:
    """SIGTERM (graceful: indexes saved) or SIGKILL (a crash) to the server's process group."""
    if server.proc.poll() is not None:
        return
    sig = signal.SIGKILL if hard else signal.SIGTERM
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.proc.pid, sig)
    try:
        server.proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.proc.pid, signal.SIGKILL)
        server.proc.wait(timeout=30)


@contextlib.contextmanager
def serve(
    env: dict[str, str],
    workers: int = 1,
    ready_timeout: float = 180,
    recommender: bool = False,
    source: Path = ROOT,
) -> Iterator[Server]:
    """A running server for the duration of the block, stopped gracefully afterwards."""
    server = start_server(env, workers, source=source)
    try:
        try:
            wait_ready(server.url, ready_timeout, recommender)
        except TimeoutError:
            raise TimeoutError(server.log.read_text()[-3000:]) from None
        yield server
    finally:
        stop_server(server)


# ---- seed data ----------------------------------------------------------------------------
@dataclass
class Seed:
    """What the clients ask about: queries, case texts and customer ids."""

    queries: list[str]
    cases: list[str]
    customers: list[str]
    words: list[str]


def seed_corpus(target: Path, cases: int | None = None) -> Path:
    """A copy of the demo corpus (CRM tables, FAQs, articles and `cases` of its cases)."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(CORPUS / "crm", target / "crm")
    knowledge = target / "knowledge"
    knowledge.mkdir(parents=True)
    shutil.copy(CORPUS / "knowledge" / "faqs.jsonl", knowledge / "faqs.jsonl")
    if cases is None:
        shutil.copytree(CORPUS / "knowledge" / "articles", knowledge / "articles")
        shutil.copy(CORPUS / "knowledge" / "interactions.jsonl", knowledge)
    lines = (CORPUS / "knowledge" / "cases.jsonl").read_text().splitlines()
    (knowledge / "cases.jsonl").write_text("\n".join(lines[:cases]) + "\n")
    return target


def load_seed() -> Seed:
    faqs = [json.loads(x) for x in (CORPUS / "knowledge" / "faqs.jsonl").read_text().splitlines()]
    case_rows = [
        json.loads(x) for x in (CORPUS / "knowledge" / "cases.jsonl").read_text().splitlines()
    ]
    with (CORPUS / "crm" / "customers.csv").open() as f:
        customers = [row["id"] for row in csv.DictReader(f)]
    queries = [f["title"] for f in faqs if f.get("title")]
    cases = [c["body"] for c in case_rows if c.get("body")]
    words = sorted({w.strip(".,?!").lower() for q in queries for w in q.split() if len(w) > 3})
    return Seed(queries, cases, customers, words)


# ---- the clients --------------------------------------------------------------------------
@dataclass
class Results:
    """Everything the clients saw."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, Counter[int]] = field(default_factory=lambda: defaultdict(Counter))
    errors: Counter[str] = field(default_factory=Counter)
    ingested: dict[str, str] = field(default_factory=dict)  # id -> its text
    samples_5xx: list[str] = field(default_factory=list)


class Client:
    """One simulated user: loops over the mix until the deadline."""

    def __init__(
        self,
        number: int,
        http: httpx.AsyncClient,
        keys: dict[str, str],
        seed: Seed,
        mix: dict[str, float],
        results: Results,
    ) -> None:
        self.number = number
        self.http = http
        self.keys = keys
        self.seed = seed
        self.ops = list(mix)
        self.weights = [mix[o] for o in self.ops]
        self.results = results
        self.rng = random.Random(number)
        self.records = 0

    def _auth(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[role]}"}

    def _request(self, op: str) -> tuple[str, str, dict[str, Any] | None, str, dict[str, str]]:
        """(method, path, json body, role, {id: text} it ingests) for one operation."""
        rng = self.rng
        if op == "search":
            query = rng.choice(self.seed.queries)
            if rng.random() < 0.3:  # some queries are a few loose words, as people type them
                query = " ".join(rng.sample(self.seed.words, 3))
            role = rng.choice(("customer", "agent"))
            return "POST", "/v1/search", {"query": query, "k": 10}, role, {}
        if op == "suggest":
            return "POST", "/v1/agent/suggest", {"text": rng.choice(self.seed.cases)}, "agent", {}
        if op == "recommend":
            cid = rng.choice(self.seed.customers)
            return "GET", f"/v1/customers/{cid}/recommendations?k=5", None, "marketing", {}
        n = rng.randint(1, 3)
        ids = [f"load-{self.number}-{self.records + i}" for i in range(n)]
        self.records += n
        records = [
            {
                "id": rid,
                "kind": "faq",
                "visibility": "public",
                "title": " ".join(rng.sample(self.seed.words, 4)),
                # A word no other record has, so a search can find exactly this one later.
                "body": f"{' '.join(rng.sample(self.seed.words, 20))} zq{rid.replace('-', 'x')}",
            }
            for rid in ids
        ]
        texts = {r["id"]: f"{r['title']} {r['body']}" for r in records}
        return "POST", "/v1/documents", {"records": records}, "admin", texts

    async def run(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            op = self.rng.choices(self.ops, self.weights)[0]
            method, path, body, role, ids = self._request(op)
            start = time.perf_counter()
            try:
                r = await self.http.request(method, path, json=body, headers=self._auth(role))
            except httpx.HTTPError as exc:
                self.results.errors[f"{op}: {type(exc).__name__}"] += 1
                continue
            elapsed = (time.perf_counter() - start) * 1000
            self.results.latencies[op].append(elapsed)
            self.results.statuses[op][r.status_code] += 1
            if r.status_code >= 500 and len(self.results.samples_5xx) < 20:
                sample = f"{method} {path} -> {r.status_code}: {r.text[:300]}"
                self.results.samples_5xx.append(sample)
            if op == "ingest" and r.status_code == 200:
                self.results.ingested.update(ids)


async def run_clients(
    url: str,
    keys: dict[str, str],
    seed: Seed,
    duration: float,
    clients: int,
    mix: dict[str, float],
) -> tuple[Results, float]:
    """Run the clients concurrently; returns what they saw and the wall time taken."""
    results = Results()
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as http:
        start = time.monotonic()
        deadline = start + duration
        await asyncio.gather(
            *(Client(i, http, keys, seed, mix, results).run(deadline) for i in range(clients))
        )
        return results, time.monotonic() - start


def probe_suggest(url: str, keys: dict[str, str], seed: Seed) -> bool:
    """Whether /v1/agent/suggest answers (it is left out of the mix if not)."""
    try:
        r = httpx.post(
            f"{url}/v1/agent/suggest",
            json={"text": seed.cases[0]},
            headers={"Authorization": f"Bearer {keys['agent']}"},
            timeout=120,
        )
    except httpx.HTTPError:
        return False
    return r.status_code == 200


# ---- checking and reporting ---------------------------------------------------------------
def check_nothing_lost(
    url: str, keys: dict[str, str], ingested: dict[str, str], searches: int = 50, wait: float = 60
) -> dict[str, Any]:
    """Every acknowledged id readable; a sample findable by its own text.

    Other processes apply the index log every few seconds, so searches retry until
    `wait` seconds have passed in all.
    """
    admin = {"Authorization": f"Bearer {keys['admin']}"}
    ids = sorted(ingested)
    with httpx.Client(base_url=url, timeout=60) as http:
        missing = [
            i for i in ids if http.get(f"/v1/documents/{i}", headers=admin).status_code != 200
        ]
        pending = random.Random(0).sample(ids, min(searches, len(ids)))
        deadline = time.monotonic() + wait
        while pending and time.monotonic() < deadline:
            rid = pending[0]
            r = http.post("/v1/search", json={"query": ingested[rid], "k": 10}, headers=admin)
            if r.status_code == 200 and any(h["id"] == rid for h in r.json()["results"]):
                pending.pop(0)
            else:
                time.sleep(0.2)
    return {
        "acknowledged": len(ids),
        "missing": missing,
        "searched": min(searches, len(ids)),
        "unsearchable": pending,
    }


def summarise(results: Results, wall: float) -> dict[str, Any]:
    """p50/p99, throughput and status counts per operation and overall."""
    ops: dict[str, Any] = {}
    all_latencies: list[float] = []
    for op in OPERATIONS:
        lat = results.latencies.get(op, [])
        if not lat:
            continue
        all_latencies += lat
        arr = np.asarray(lat)
        ops[op] = {
            "requests": len(lat),
            "per_second": round(len(lat) / wall, 1),
            "p50_ms": round(float(np.percentile(arr, 50)), 1),
            "p99_ms": round(float(np.percentile(arr, 99)), 1),
            "statuses": {str(k): v for k, v in sorted(results.statuses[op].items())},
        }
    arr = np.asarray(all_latencies or [0.0])
    count_5xx = sum(n for c in results.statuses.values() for s, n in c.items() if s >= 500)
    return {
        "requests": len(all_latencies),
        "seconds": round(wall, 1),
        "per_second": round(len(all_latencies) / wall, 1),
        "p50_ms": round(float(np.percentile(arr, 50)), 1),
        "p99_ms": round(float(np.percentile(arr, 99)), 1),
        "5xx": count_5xx,
        "transport_errors": dict(results.errors),
        "samples_5xx": results.samples_5xx,
        "operations": ops,
    }


def markdown(report: dict[str, Any]) -> str:
    cfg, s, lost = report["config"], report["summary"], report["nothing_lost"]
    lines = [
        "# Load test",
        "",
        f"`python -m bench.load --duration {cfg['duration']:g} --clients {cfg['clients']}"
        + (f" --model {cfg['model']}" if cfg["model"] != "default" else "")
        + (f" --workers {cfg['workers']}" if cfg["workers"] != 1 else "")
        + "`, on "
        + f"{report['machine']['cores']} cores ({report['machine']['cpu']}), {cfg['database']}, "
        + f"embedding model {MODEL_NAMES.get(cfg['model'], cfg['model'])}, {report['date']}.",
        "",
        f"{cfg['clients']} concurrent clients on loopback for {s['seconds']} s, each looping "
        "over a weighted mix ("
        + ", ".join(f"{op} {w:.0%}" for op, w in cfg["mix"].items())
        + "); one `kcrm serve` with "
        + f"{cfg['workers']} worker(s) over the demo corpus ({cfg['seed_documents']} records).",
        "",
        "| operation | requests | req/s | p50 ms | p99 ms | statuses |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for op, o in s["operations"].items():
        statuses = ", ".join(f"{k}: {v}" for k, v in o["statuses"].items())
        lines.append(
            f"| {op} | {o['requests']} | {o['per_second']} | {o['p50_ms']} | {o['p99_ms']} "
            f"| {statuses} |"
        )
    lines += [
        f"| **all** | {s['requests']} | {s['per_second']} | {s['p50_ms']} | {s['p99_ms']} | |",
        "",
        f"- 5xx responses: **{s['5xx']}**; transport errors: "
        f"{sum(s['transport_errors'].values())}.",
        f"- Nothing lost: {lost['acknowledged']} records acknowledged by ingest, "
        f"{len(lost['missing'])} missing afterwards; {lost['searched']} sampled by search, "
        f"{len(lost['unsearchable'])} not found; `kcrm status` consistent: "
        f"{report['status']['consistent']} ({report['status']['documents']} documents, "
        f"{report['status']['vectors']} vectors).",
        "",
        "Latencies are mostly queueing: by Little's law "
        f"{cfg['clients']} clients ÷ {s['per_second']} req/s ≈ "
        f"{cfg['clients'] / max(s['per_second'], 1e-9):.1f} s per request, close to the "
        "median above. The server is CPU-bound (at most "
        f"{1000 * report['machine']['cores'] / max(s['per_second'], 1e-9):.0f} ms of CPU per "
        "request here: both cores, shared with the clients), so throughput grows with cores, "
        "workers and servers while latency at a given load falls. Figures from a shared "
        "machine are noisy: compare ratios between runs on one machine, not absolute numbers.",
        "",
    ]
    if not cfg["suggest_included"]:
        lines.insert(-1, "- `/v1/agent/suggest` did not answer 200 when probed: not in the mix.")
    return "\n".join(lines)


def machine() -> dict[str, Any]:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version()}


def run(
    duration: float,
    clients: int,
    model: str = "hash-64",
    workers: int = 1,
    database_url: str = "",
    data_dir: Path | None = None,
    cases: int | None = None,
    mix: dict[str, float] | None = None,
) -> dict[str, Any]:
    """Seed, serve, load, check; returns the report (see `markdown`)."""
    mix = dict(mix or DEFAULT_MIX)
    work = Path(tempfile.mkdtemp(prefix="kcrm-load-")) if data_dir is None else data_dir
    try:
        env = kcrm_env(work / "data", "" if model == "default" else model, database_url)
        if model == "default":
            env.pop("KCRM_EMBEDDING_MODEL")
        if database_url:
            kcrm(env, "init")
        seeded = kcrm(env, "ingest", str(seed_corpus(work / "corpus", cases)), "--json")
        seed_documents = json.loads(seeded.stdout)["knowledge"]["added"]
        keys = create_keys(env)
        seed = load_seed()
        with serve(env, workers, recommender="recommend" in mix) as server:
            if "suggest" in mix and not probe_suggest(server.url, keys, seed):
                mix.pop("suggest")
            results, wall = asyncio.run(run_clients(server.url, keys, seed, duration, clients, mix))
            lost = check_nothing_lost(server.url, keys, results.ingested)
        status = json.loads(kcrm(env, "status", "--json", check=False).stdout)
        return {
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "machine": machine(),
            "config": {
                "duration": duration,
                "clients": clients,
                "workers": workers,
                "model": model,
                "database": "PostgreSQL" if database_url else "SQLite",
                "mix": mix,
                "suggest_included": "suggest" in mix,
                "seed_documents": seed_documents,
            },
            "summary": summarise(results, wall),
            "nothing_lost": lost,
            "status": {k: status.get(k) for k in ("consistent", "documents", "chunks", "vectors")},
        }
    finally:
        if data_dir is None:
            shutil.rmtree(work, ignore_errors=True)


def passed(report: dict[str, Any]) -> bool:
    s, lost = report["summary"], report["nothing_lost"]
    return (
        s["5xx"] == 0
        and not s["transport_errors"]
        and not lost["missing"]
        and not lost["unsearchable"]
        and bool(report["status"]["consistent"])
    )


def main(argv: list[str] | None = None) -> int:
    summary = (__doc__ or "").split("\n")[0]
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=summary)
    parser.add_argument("--duration", type=float, default=60, help="seconds of load")
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients")
    parser.add_argument("--workers", type=int, default=1, help="`kcrm serve --workers`")
    parser.add_argument(
        "--model", default="default", help="embedding model: default (MiniLM) or e.g. hash-64"
    )
    parser.add_argument("--database-url", default="", help="PostgreSQL URL (default: SQLite)")
    parser.add_argument("--cases", type=int, default=None, help="seed only this many cases")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks" / "load.json")
    args = parser.parse_args(argv)
    if not 0 < args.duration <= 3600 or not 0 < args.clients <= 1000:
        parser.error("--duration must be in (0, 3600] and --clients in (0, 1000]")
    report = run(
        args.duration, args.clients, args.model, args.workers, args.database_url, None, args.cases
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    args.out.with_suffix(".md").write_text(markdown(report))
    print(markdown(report))
    return 0 if passed(report) else 1


if __name__ == "__main__":
    sys.exit(main())
