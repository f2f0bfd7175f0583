"""Several processes on one database: workers, servers and CLI runs side by side.

Every process keeps its own index replica and follows the index log; the database
serialises the writes (knowledge write lock), so the same ids ingested at once are
stored once, and a record written through one process is searchable through every
other after at most a few sync intervals.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from bench.load import ROOT, create_keys, kcrm, kcrm_env, serve
from kcrm.core.config import Settings
from kcrm.core.db import Database
from kcrm.core.tables import Chunk, Document
from kcrm.knowledge.embedders.hash import HashEmbedder
from kcrm.knowledge.kb import KnowledgeBase
from kcrm.knowledge.records import KnowledgeRecord, Parsed
from tests.conftest import write_jsonl

# A bound, not a timing assertion: followers apply the log every 0.5 s here.
PROPAGATION_BOUND_S = 60


def records(n: int, version: str, long_every: int = 7) -> list[dict[str, Any]]:
    """`n` records; every `long_every`-th is long enough for several chunks."""
    out = []
    for i in range(n):
        body = f"record {i} version {version} about card delivery and fees"
        if i % long_every == 0:
            body = " ".join(f"paragraph {j} of record {i} version {version}." for j in range(120))
        out.append(
            {
                "id": f"rec-{i:04d}",
                "kind": "faq" if i % 2 else "article",
                "title": f"Record {i}",
                "body": body,
                "visibility": "public" if i % 3 else "internal",
            }
        )
    return out


def assert_stored_once(db: Database, ids: set[str]) -> None:
    """One document per id, one chunk per (document, ordinal), ordinals 0..n-1."""
    with db.session() as s:
        assert set(s.scalars(select(Document.id))) == ids
        dup = s.execute(
            select(Chunk.document_id, Chunk.ordinal, func.count())
            .group_by(Chunk.document_id, Chunk.ordinal)
            .having(func.count() > 1)
        ).all()
        assert dup == []
        per_doc = s.execute(
            select(Chunk.document_id, func.count(), func.max(Chunk.ordinal)).group_by(
                Chunk.document_id
            )
        ).all()
        assert all(n == top + 1 for _, n, top in per_doc)
        assert {d for d, _, _ in per_doc} == ids


def assert_consistent(status: dict[str, Any], documents: int) -> None:
    assert status["documents"] == documents
    assert status["consistent"] is True
    # No duplicate or orphan vectors: one vector per published chunk, no more, no fewer.
    assert status["vectors"] == status["indexed_chunks"] == status["lexical_entries"]


def test_threads_ingesting_the_same_ids_store_them_once(settings: Settings, tmp_path: Path) -> None:
    """Two knowledge bases (as two workers) on one database, same records at the same time."""
    embedder = HashEmbedder(64, "hash-64")
    first = KnowledgeBase.open(settings, embedder=embedder)
    second = KnowledgeBase.open(settings, embedder=embedder, index_dir=tmp_path / "replica-2")
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def ingest(kb: KnowledgeBase, version: str) -> None:
        try:
            start.wait(30)
            items = [
                Parsed(KnowledgeRecord.model_validate(r), "t", i)
                for i, r in enumerate(records(200, version))
            ]
            kb.ingest(items)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    try:
        for version in ("1", "1", "2"):  # same content twice at once, then an update
            threads = [threading.Thread(target=ingest, args=(b, version)) for b in (first, second)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(120)
            assert not errors
            assert_stored_once(first.db, {f"rec-{i:04d}" for i in range(200)})
            for kb in (first, second):
                assert_consistent(kb.status(), 200)
        with first.db.session() as s:
            assert all("version 2" in body for body in s.scalars(select(Document.body)))
    finally:
        second.close()
        first.close()


def test_processes_ingesting_the_same_ids_store_them_once(
    tmp_path: Path, test_database: str | None
) -> None:
    """Three `kcrm ingest` runs at once on one data dir and database; then updates at once."""
    env = kcrm_env(tmp_path / "data", database_url=test_database or "")
    kcrm(env, "init")
    v1 = write_jsonl(tmp_path / "v1.jsonl", records(200, "1"))
    versions = [write_jsonl(tmp_path / f"v2{x}.jsonl", records(200, f"2{x}")) for x in "abc"]
    for files in ([v1, v1, v1], versions):
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "kcrm.cli", "ingest", str(f), "--json"],
                env=env,
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for f in files
        ]
        outs = [p.communicate(timeout=300) for p in procs]
        assert [p.returncode for p in procs] == [0, 0, 0], [err[-2000:] for _, err in outs]
        reports = [json.loads(out) for out, _ in outs]
        # Each record counted once as new or changed by one run, unchanged by the rest.
        if files[0] == v1:
            assert sum(r["added"] for r in reports) == 200
            assert sum(r["unchanged"] for r in reports) == 400
    status = json.loads(kcrm(env, "status", "--json").stdout)
    assert_consistent(status, 200)
    settings = Settings(data_dir=tmp_path / "data", database_url=test_database or "")
    db = Database(settings)
    assert_stored_once(db, {f"rec-{i:04d}" for i in range(200)})
    with db.session() as s:
        bodies = list(s.scalars(select(Document.body)))
    db.dispose()
    # Every record is one whole version (whichever run wrote it last), never a mix.
    assert all(any(f"version 2{x}" in b for x in "abc") for b in bodies)


def wait_until_found(url: str, key: str, query: str, doc_id: str, fresh: bool = False) -> None:
    """Search until `doc_id` is among the hits (bounded); fresh: a new connection each time."""
    deadline = time.monotonic() + PROPAGATION_BOUND_S
    with httpx.Client(base_url=url, timeout=30) as http:
        while True:
            client = httpx.Client(base_url=url, timeout=30) if fresh else http
            r = client.post(
                "/v1/search",
                json={"query": query, "k": 10},
                headers={"Authorization": f"Bearer {key}"},
            )
            if fresh:
                client.close()
            assert r.status_code == 200, r.text
            if any(h["id"] == doc_id for h in r.json()["results"]):
                return
            assert time.monotonic() < deadline, f"{doc_id} not searchable through {url}"
            time.sleep(0.1)


def post_record(url: str, key: str, record: dict[str, Any]) -> None:
    r = httpx.post(
        f"{url}/v1/documents",
        json={"records": [record]},
        headers={"Authorization": f"Bearer {key}"},
        timeout=60,
    )
    assert r.status_code == 200 and r.json()["added"] == 1, r.text


@pytest.fixture
def env(tmp_path: Path, test_database: str | None) -> dict[str, str]:
    env = kcrm_env(
        tmp_path / "data", database_url=test_database or "", KCRM_SYNC_INTERVAL_SECONDS="0.5"
    )
    kcrm(env, "init")
    kcrm(env, "ingest", str(write_jsonl(tmp_path / "seed.jsonl", records(50, "1"))))
    return env


def test_two_servers_on_one_database_see_each_others_writes(env: dict[str, str]) -> None:
    keys = create_keys(env)
    with serve(env) as one, serve(env) as two:
        post_record(
            two.url,
            keys["admin"],
            {"id": "via-two", "kind": "faq", "title": "Lounge", "body": "airport lounge pass"},
        )
        wait_until_found(one.url, keys["agent"], "airport lounge pass", "via-two")
        post_record(
            one.url,
            keys["admin"],
            {"id": "via-one", "kind": "faq", "title": "Vault", "body": "safe deposit vault"},
        )
        wait_until_found(two.url, keys["agent"], "safe deposit vault", "via-one")
        # Commands run beside the servers (in a private copy of the replica they hold).
        cli_file = write_jsonl(
            Path(env["KCRM_DATA_DIR"]).parent / "cli.jsonl",
            [{"id": "via-cli", "kind": "faq", "title": "Gold", "body": "gold bullion storage"}],
        )
        assert json.loads(kcrm(env, "ingest", str(cli_file), "--json").stdout)["added"] == 1
        assert_consistent(json.loads(kcrm(env, "status", "--json").stdout), 53)
        wait_until_found(one.url, keys["agent"], "gold bullion storage", "via-cli")
        wait_until_found(two.url, keys["agent"], "gold bullion storage", "via-cli")
        r = httpx.delete(
            f"{one.url}/v1/documents/via-two",
            headers={"Authorization": f"Bearer {keys['admin']}"},
        )
        assert r.status_code == 204
        deadline = time.monotonic() + PROPAGATION_BOUND_S
        while True:
            r = httpx.post(
                f"{two.url}/v1/search",
                json={"query": "airport lounge pass", "k": 10},
                headers={"Authorization": f"Bearer {keys['agent']}"},
            )
            if all(h["id"] != "via-two" for h in r.json()["results"]):
                break
            assert time.monotonic() < deadline, "a deleted record is still found through two"
            time.sleep(0.1)
    status = json.loads(kcrm(env, "status", "--json").stdout)
    assert_consistent(status, 52)
    assert not list((Path(env["KCRM_DATA_DIR"]) / "replicas").glob("*"))  # all cleaned up


def test_serve_with_two_workers_every_worker_follows(env: dict[str, str]) -> None:
    keys = create_keys(env)
    with serve(env, workers=2) as server:
        post_record(
            server.url,
            keys["admin"],
            {"id": "new-faq", "kind": "faq", "title": "Crypto", "body": "buying bitcoin wallet"},
        )
        # New connections are spread over the workers by the kernel: several in a row
        # must all find the record once it has propagated.
        for _ in range(12):
            wait_until_found(server.url, keys["agent"], "buying bitcoin wallet", "new-faq", True)
    status = json.loads(kcrm(env, "status", "--json").stdout)
    assert_consistent(status, 51)
