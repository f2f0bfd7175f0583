"""A short load test: 10 clients for 10 s against a real `kcrm serve` on loopback.

The full run (50 clients, 60 s, figures in docs/benchmarks/load.md) is
`python -m bench.load`; this one only asserts what must hold under any load:
no 5xx, no dropped connection, and every acknowledged ingest present afterwards.
Timings are reported by the bench, never asserted.
"""

from __future__ import annotations

from pathlib import Path

from bench.load import run


def test_short_mixed_load_loses_nothing(tmp_path: Path, test_database: str | None) -> None:
    report = run(
        duration=10,
        clients=10,
        model="hash-64",
        database_url=test_database or "",
        data_dir=tmp_path,
        cases=100,
    )
    summary, lost = report["summary"], report["nothing_lost"]
    assert summary["5xx"] == 0, summary["samples_5xx"]
    assert not summary["transport_errors"]
    ops = summary["operations"]
    assert set(ops) >= {"search", "recommend", "ingest"}
    for op, figures in ops.items():
        assert figures["requests"] > 0
        # Only 200s: keys have no rate limit here and every request is well-formed.
        assert set(figures["statuses"]) == {"200"}, (op, figures["statuses"])
    assert lost["acknowledged"] > 0
    assert lost["missing"] == [] and lost["unsearchable"] == []
    assert report["status"]["consistent"] is True
    seeded = report["config"]["seed_documents"]
    assert report["status"]["documents"] == seeded + lost["acknowledged"]
