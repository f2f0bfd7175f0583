"""How the resolution model's top-1 grows with the number of resolved cases.

    python -m kcrm.assist.devsplit --out /tmp/test --oos-intents 0 --per-intent 40
    export KCRM_DATA_DIR=/tmp/testdata && kcrm init && kcrm ingest /tmp/test/cases.jsonl
    python -m bench.learning_curve --queries /tmp/test/queries.jsonl

The knowledge base's cases (their stored vectors) are sampled per category
(`stratified_sample`) to a share of the whole; for each share the model is
fitted on the sample as `kcrm train suggest` fits it (both classifiers and the
neighbours' votes, `combine`) and asked the in-scope questions. Shares below one
are drawn `--draws` times with different seeds. The slope per doubling of the
cases tells what a knowledge base larger than the split's would score: a hidden
set that indexes all of Banking77's training rows has 43 % more cases than the
test-shaped split.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np

from kcrm.assist.evaluate import read_labelled
from kcrm.assist.finetune import heldout_scores
from kcrm.assist.model import CaseSet, load_cases, stratified_sample
from kcrm.core.config import Settings
from kcrm.knowledge.kb import KnowledgeBase

SHARES = (0.5, 0.7, 0.85, 1.0)


def questions(path: Path, cases: CaseSet) -> tuple[list[str], np.ndarray]:
    """The in-scope questions of a split whose category the cases know, and their labels."""
    index = {c: i for i, c in enumerate(cases.categories)}
    rows = [r for r in read_labelled(path) if r["in_scope"] and r["category"] in index]
    return [r["text"] for r in rows], np.array([index[r["category"]] for r in rows])


def curve(
    cases: CaseSet,
    texts: list[str],
    labels: np.ndarray,
    vectors: np.ndarray,
    shares: tuple[float, ...] = SHARES,
    draws: int = 3,
) -> list[dict[str, Any]]:
    """Top-1 of the model fitted on each share of the cases (mean over `draws` samples)."""
    asked = CaseSet([str(i) for i in range(len(texts))], texts, vectors, labels, cases.categories)
    out = []
    for share in shares:
        size = round(share * len(cases))
        top1 = []
        for seed in range(draws if share < 1 else 1):
            rows = stratified_sample(cases.labels, size, seed) if share < 1 else np.arange(size)
            sample = cases.subset(rows)
            scores, _ = heldout_scores(sample, asked, sample.vectors, vectors)
            top1.append(scores["top1"])
        out.append(
            {
                "share": share,
                "cases": size,
                "top1": round(float(np.mean(top1)), 4),
                "draws": top1,
            }
        )
    return out


def per_doubling(points: list[dict[str, Any]]) -> float:
    """Least-squares slope of top-1 against log2(cases)."""
    x = np.log2([p["cases"] for p in points])
    y = np.array([p["top1"] for p in points])
    return float(np.polyfit(x, y, 1)[0])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--queries", type=Path, required=True, help="a split's queries.jsonl")
    ap.add_argument("--draws", type=int, default=3, help="samples per share below one")
    ap.add_argument(
        "--target-cases", type=int, default=10_003, help="extrapolate top-1 to this many cases"
    )
    args = ap.parse_args(argv)
    kb = KnowledgeBase.open(Settings())
    cases = load_cases(kb)
    texts, labels = questions(args.queries, cases)
    if not texts or len(cases) == 0:
        print("no cases with a category, or no questions of their categories", file=sys.stderr)
        return 1
    vectors = np.vstack([kb.embed_query(t) for t in texts])
    points = curve(cases, texts, labels, vectors, draws=args.draws)
    slope = per_doubling(points)
    full = points[-1]
    projected = full["top1"] + slope * math.log2(args.target_cases / full["cases"])
    report = {
        "cases": len(cases),
        "questions": len(texts),
        "points": points,
        "top1_per_doubling": round(slope, 4),
        "target_cases": args.target_cases,
        # Along the fitted line in log2(cases): an estimate, not a measurement.
        "projected_top1": round(projected, 4),
    }
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
