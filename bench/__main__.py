"""`python -m bench [--quick]`: measure kcrm and its peers side by side; write docs/benchmarks/.

Full run (about 60 minutes here): ingest of all 10,003 Banking77 texts; search at
10k, 100k and 1M chunks; HTTP with 1, 8 and 32 clients on the 10,003 texts as
public FAQs, one worker and two, against a PyTorch reference in the same run, and
memory per worker at 1M chunks (`bench/http.py`); recommendations on
100k customers x 10k products x 2M purchases; quality on the shared dev data.
--quick (under 3 minutes) shrinks every size, for development; its figures are
not the ones to quote.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import http, ingest, quality, recommend, report, scale, search
from bench.common import ROOT, banking77_texts, machine, percentiles
from kcrm.core.config import Settings
from kcrm.knowledge.embedders.factory import configured_embedder

FULL: dict[str, Any] = {
    "ingest_records": None,
    "scales": [10_000, 100_000, 1_000_000],
    "queries": 300,
    "http_faqs": None,  # every Banking77 text (10,003)
    "http_per_client": 150,
    "http_rounds": 3,
    "http_int8": True,
    "http_memory_scale": 1_000_000,
    "http_py_spy": 10.0,  # seconds of py-spy per mode (where the CPU goes), if installed
    "recommend": (100_000, 10_000, 2_000_000),
    "quality": True,
}
QUICK: dict[str, Any] = {
    "ingest_records": 1000,
    "scales": [2_000, 20_000],
    "queries": 60,
    "http_faqs": 2_000,
    "http_per_client": 20,
    "http_rounds": 1,
    "http_int8": False,  # another data dir to embed: too slow for the 3-minute budget
    "http_memory_scale": 0,
    "http_py_spy": 0.0,
    "recommend": (5_000, 1_000, 50_000),
    "quality": False,
}


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes, for development")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks")
    ap.add_argument(
        "--only",
        nargs="*",
        default=None,
        help="ingest search http recommend quality (default: all)",
    )
    args = ap.parse_args(argv)
    plan = QUICK if args.quick else FULL
    parts = set(args.only or ["ingest", "search", "http", "recommend", "quality"])
    results: dict[str, Any] = {"mode": "quick" if args.quick else "full", "machine": machine()}
    started = time.perf_counter()
    rows = banking77_texts()
    embedder = configured_embedder(Settings())
    # How busy the machine is during this run (3.5 ms when these 2 cores are quiet):
    # shared hosts vary, and every timing below moves with this figure.
    for text, _ in rows[:20]:
        embedder.encode_query(text)
    times = []
    for text, _ in rows[20:320]:
        start = time.perf_counter()
        embedder.encode_query(text)
        times.append((time.perf_counter() - start) * 1000)
    results["machine"]["reference: one query embedded, p50 ms"] = percentiles(times)["p50_ms"]
    with tempfile.TemporaryDirectory(prefix="kcrm-bench-") as tmp:
        work = Path(tmp)
        if "ingest" in parts:
            log("ingest throughput")
            results["ingest"] = ingest.run(embedder, plan["ingest_records"])
        if "search" in parts:
            results["search"] = {}
            for total in plan["scales"]:
                log(f"search at {total:,} chunks")
                results["search"][str(total)] = search.at_scale(
                    work, embedder, rows, total, plan["queries"]
                )
        if "http" in parts:
            # The help centre of issue 20: every Banking77 question a public FAQ.
            log("HTTP under load: 1, 8 and 32 clients, one worker and two")
            faqs = work / "kb-http"
            scale.build(faqs, embedder, rows, plan["http_faqs"] or len(rows))
            qs = list(dict.fromkeys(t for t, _ in rows))  # every distinct question, once
            results["http"] = http.run(
                faqs,
                qs,
                per_client=plan["http_per_client"],
                rounds=plan["http_rounds"],
                profile_seconds=plan["http_py_spy"],
            )
            results["http"]["chunks"] = http.chunks(faqs)
        if "http" in parts and plan["http_int8"]:
            # The same load with the int8 model (its own vectors, so its own data dir).
            log("HTTP under load, onnx-int8 backend")
            int8 = {"KCRM_EMBEDDING_BACKEND": "onnx-int8"}
            int8_dir = work / "kb-http-int8"
            scale.build(
                int8_dir,
                configured_embedder(Settings(embedding_backend="onnx-int8")),
                rows,
                plan["http_faqs"] or len(rows),
            )
            results["http_int8"] = http.run(
                int8_dir,
                qs,
                clients=(1, 8),
                configs=(("workers_1", 1, int8),),
                per_client=plan["http_per_client"],
                rounds=1,
            )
            results["http_int8"]["chunks"] = http.chunks(int8_dir)
        if "http" in parts and plan["http_memory_scale"]:
            total = plan["http_memory_scale"]
            log(f"memory per worker at {total:,} chunks")
            big = work / f"kb-{total}"
            if str(total) not in results.get("search", {}):
                scale.build(big, embedder, rows, total)
            results["http_memory"] = http.memory(big, list(dict.fromkeys(t for t, _ in rows)))
            results["http_memory"]["chunks"] = total
        if "recommend" in parts:
            log("recommendations")
            results["recommend"] = recommend.run(*plan["recommend"])
        if "quality" in parts and plan["quality"]:
            log("quality: suggestions")
            results["quality_suggest"] = quality.suggest()
            log("quality: recommendations")
            results["quality_recommend"] = quality.recommend()
    results["seconds"] = round(time.perf_counter() - started, 1)
    out = args.out / ("quick" if args.quick else "")
    report.write(results, out)
    log(f"done in {results['seconds']}s: {out / 'README.md'}")
    print(json.dumps(results, indent=2, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
