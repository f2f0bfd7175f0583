"""kill -9 at a random moment, then a rerun: the end state is that of an uninterrupted run.

The database commits each batch with its index-log entries in one transaction; index
files are only ever replicas, saved atomically and caught up from the log on the next
start. These tests kill real processes (`kcrm ingest`, `kcrm serve`) mid-way and
compare what is left, after a rerun, with a run that was never interrupted.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from bench.load import ROOT, create_keys, kcrm, kcrm_env, start_server, stop_server, wait_ready
from kcrm.core.config import Settings
from kcrm.core.db import Database
from kcrm.core.tables import Chunk, Document
from kcrm.knowledge.embedders.hash import HashEmbedder
from kcrm.knowledge.kb import KnowledgeBase
from kcrm.knowledge.records import read_path
from tests.conftest import write_jsonl

N_RECORDS = 2000
# The moment of the kill is random but reproducible: KCRM_CRASH_SEED picks another one.
SEED = int(os.environ.get("KCRM_CRASH_SEED", "7"))
WORDS = [
    "card",
    "account",
    "transfer",
    "fee",
    "limit",
    "loan",
    "payment",
    "refund",
    "dispute",
    "travel",
    "insurance",
    "savings",
    "interest",
    "app",
    "login",
    "password",
    "verify",
    "identity",
    "branch",
    "cash",
    "withdrawal",
    "exchange",
    "rate",
]


def make_records(n: int, seed: int) -> list[dict[str, Any]]:
    """Varied records: kinds, visibilities, drafts, and some long enough for several chunks."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        kind = rng.choice(["faq", "article", "case", "interaction"])
        words = rng.choices(WORDS, k=rng.choice([12, 30, 400 if kind == "article" else 40]))
        rec: dict[str, Any] = {
            "id": f"{kind}-{i:05d}",
            "kind": kind,
            "title": " ".join(rng.sample(WORDS, 4)),
            "body": " ".join(words) + f". Record {i}.",
            "language": "en",
        }
        if kind in ("faq", "article"):
            rec["visibility"] = rng.choice(["public", "internal"])
            rec["status"] = rng.choice(["published"] * 9 + ["draft"])
        if kind == "case":
            rec["resolution"] = "resolved by " + " ".join(rng.sample(WORDS, 3))
            rec["category"] = rng.choice(WORDS)
        out.append(rec)
    return out


def snapshot(db: Database) -> dict[str, Any]:
    """What an ingest leaves in the database, independent of ids the database assigned."""
    with db.session() as s:
        docs = dict(s.execute(select(Document.id, Document.content_hash)).all())
        chunks = sorted(
            tuple(row)
            for row in s.execute(select(Chunk.document_id, Chunk.ordinal, Chunk.text_hash))
        )
    return {"documents": docs, "chunks": chunks}


def count_documents(db: Database) -> int:
    with db.session() as s:
        return int(s.scalar(select(func.count()).select_from(Document)) or 0)


def assert_consistent(status: dict[str, Any]) -> None:
    assert status["consistent"] is True, status
    # One vector and one lexical entry per published chunk: none duplicated, none orphaned.
    assert status["vectors"] == status["indexed_chunks"] == status["lexical_entries"], status
    assert status["index_seq"] == status["log_seq"], status


@pytest.fixture
def source(tmp_path: Path) -> Path:
    return write_jsonl(tmp_path / "records.jsonl", make_records(N_RECORDS, SEED))


@pytest.fixture
def reference(source: Path, tmp_path: Path) -> dict[str, Any]:
    """An uninterrupted ingest of the same file (in-process, SQLite)."""
    settings = Settings(
        data_dir=tmp_path / "reference",
        database_url="sqlite:///" + str(tmp_path / "reference.db"),
        embedding_model="hash-64",
    )
    with KnowledgeBase.open(settings, embedder=HashEmbedder(64, "hash-64")) as kb:
        report = kb.ingest(read_path(source, source.parent))
        assert report.added == N_RECORDS and not report.rejected
        status = kb.status()
        snap = snapshot(kb.db)
    return {"status": status, **snap}


def test_kill_9_during_cli_ingest_then_rerun(
    source: Path, reference: dict[str, Any], tmp_path: Path, test_database: str | None
) -> None:
    env = kcrm_env(tmp_path / "data", database_url=test_database or "")
    env["KCRM_INGEST_BATCH_RECORDS"] = "256"  # several batches, so the kill falls between them
    kcrm(env, "init")
    db = Database(Settings(data_dir=tmp_path / "data", database_url=test_database or ""))
    # Kill once at least this many records have landed: after a few batches, before the end.
    rng = random.Random(SEED)
    threshold = rng.randint(N_RECORDS // 5, N_RECORDS * 3 // 5)
    proc = subprocess.Popen(
        [sys.executable, "-m", "kcrm.cli", "ingest", str(source), "--json"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 300
    landed = 0
    while proc.poll() is None and time.monotonic() < deadline:
        landed = count_documents(db)
        if landed >= threshold:
            # A little more, at random, so the kill falls anywhere in the next batch's
            # embedding, writing or commit, not always right after a commit.
            time.sleep(rng.uniform(0, 0.5))
            proc.send_signal(signal.SIGKILL)
            break
        time.sleep(0.01)
    proc.wait(60)
    assert proc.returncode == -signal.SIGKILL, (
        f"the ingest ended ({proc.returncode}) before it could be killed (seed {SEED}, "
        f"threshold {threshold}): {proc.stderr.read().decode()[-2000:] if proc.stderr else ''}"
    )
    landed = count_documents(db)
    assert 0 < landed < N_RECORDS, f"seed {SEED}: {landed} records landed before the kill"

    # Straight after the crash the indexes catch up from the log: consistent already.
    after_crash = json.loads(kcrm(env, "status", "--json").stdout)
    assert_consistent(after_crash)
    assert after_crash["documents"] == landed

    rerun = json.loads(kcrm(env, "ingest", str(source), "--json").stdout)
    assert rerun["unchanged"] == landed and rerun["added"] == N_RECORDS - landed, rerun
    assert rerun["rejected"] == 0

    final = json.loads(kcrm(env, "status", "--json").stdout)
    assert_consistent(final)
    for key in ("documents", "chunks", "indexed_chunks", "vectors", "lexical_entries"):
        assert final[key] == reference["status"][key], key
    snap = snapshot(db)
    db.dispose()
    assert snap["documents"] == reference["documents"]
    assert snap["chunks"] == reference["chunks"]


def post(url: str, key: str, recs: list[dict[str, Any]], timeout: float = 120) -> httpx.Response:
    return httpx.post(
        f"{url}/v1/documents",
        json={"records": recs},
        headers={"Authorization": f"Bearer {key}"},
        timeout=timeout,
    )


def test_kill_9_of_the_server_after_and_during_api_ingests(
    tmp_path: Path, test_database: str | None
) -> None:
    env = kcrm_env(tmp_path / "data", database_url=test_database or "")
    kcrm(env, "init")
    keys = create_keys(env)
    db = Database(Settings(data_dir=tmp_path / "data", database_url=test_database or ""))
    recs = make_records(900, SEED + 1)
    acknowledged, in_flight = recs[:300], recs[300:]

    server = start_server(env)
    try:
        wait_ready(server.url, 180)
        for start in range(0, len(acknowledged), 100):
            r = post(server.url, keys["admin"], acknowledged[start : start + 100])
            assert r.status_code == 200 and r.json()["added"] == 100, r.text
        # Acknowledged, indexed in memory, never saved to the index files: crash now.
        stop_server(server, hard=True)

        server = start_server(env)
        wait_ready(server.url, 180)
        admin = {"Authorization": f"Bearer {keys['admin']}"}
        with httpx.Client(base_url=server.url, headers=admin, timeout=60) as http:
            for rec in acknowledged:
                assert http.get(f"/v1/documents/{rec['id']}").status_code == 200, rec["id"]
            published = [r for r in acknowledged if r.get("status", "published") == "published"]
            for rec in random.Random(0).sample(published, 20):
                hits = http.post("/v1/search", json={"query": rec["body"], "k": 10}).json()
                assert rec["id"] in [h["id"] for h in hits["results"]], rec["id"]

        # Now kill it in the middle of a large request: some of its batches committed.
        before = count_documents(db)
        outcome: list[Any] = []
        sender = threading.Thread(
            target=lambda: outcome.append(_post_or_error(server.url, keys["admin"], in_flight))
        )
        sender.start()
        deadline = time.monotonic() + 120
        while count_documents(db) == before and time.monotonic() < deadline:
            time.sleep(0.01)
        stop_server(server, hard=True)
        sender.join(60)
        partial = count_documents(db) - before
        assert 0 < partial <= len(in_flight)

        # The rerun: the client sends the same request again once the server is back.
        server = start_server(env)
        wait_ready(server.url, 180)
        r = post(server.url, keys["admin"], in_flight)
        assert r.status_code == 200, r.text
        assert r.json()["added"] + r.json()["unchanged"] == len(in_flight)
    finally:
        stop_server(server)
        db.dispose()
    final = json.loads(kcrm(env, "status", "--json").stdout)
    assert_consistent(final)
    assert final["documents"] == len(recs)


def _post_or_error(url: str, key: str, recs: list[dict[str, Any]]) -> Any:
    try:
        return post(url, key, recs).status_code
    except httpx.HTTPError as exc:  # the server died under the request, as intended
        return exc
