"""Suggestions with the real packaged model on a small Banking77 split (quality, not timing)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from kcrm.assist.devsplit import split
from kcrm.assist.evaluate import evaluate_suggest
from kcrm.assist.train import fit_assist
from kcrm.core.config import Settings
from kcrm.knowledge.embedders.base import Embedder
from kcrm.knowledge.kb import KnowledgeBase
from tests.conftest import SHARED_DATA, write_jsonl

pytestmark = pytest.mark.model
BANKING77 = SHARED_DATA / "banking77" / "train.csv"
INTENTS = 12  # the first 12 intents (alphabetically), 2 of them held out
PER_INTENT = 40


@pytest.mark.skipif(not BANKING77.exists(), reason="shared Banking77 data not present")
def test_small_banking77_split_beats_knn_and_abstains_out_of_scope(
    tmp_path: Path, real_embedder: Embedder
) -> None:
    with BANKING77.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    keep = sorted({r["category"] for r in rows})[:INTENTS]
    taken: dict[str, int] = {}
    subset = []
    for row in rows:
        if row["category"] in keep and taken.get(row["category"], 0) < PER_INTENT:
            taken[row["category"]] = taken.get(row["category"], 0) + 1
            subset.append(row)
    cases, queries, _ = split(subset, seed=7, oos_intents=2, query_share=0.25)
    settings = Settings(data_dir=tmp_path / "data")
    with KnowledgeBase.open(settings, embedder=real_embedder) as kb:
        kb.ingest_files([write_jsonl(tmp_path / "cases.jsonl", cases)])
        assert fit_assist(kb, folds=3)["fitted"]
        report = evaluate_suggest(kb, queries)
    ours, knn = report["suggest"], report["dense_knn"]
    assert ours["top1_accuracy"] >= knn["top1_accuracy"] and ours["top1_accuracy"] >= 0.85
    # Two held-out intents are too few to rank against the threshold baseline (that is
    # measured on the dev split, docs/quality.md); here they must mostly be caught.
    assert ours["oos_recall"] >= 0.7 and ours["overall_accuracy"] >= 0.9
    assert report["calibration"]["ece"] < 0.15
    fused, dense = report["retrieval"]["fused"], report["retrieval"]["dense"]
    assert fused["mrr"] >= dense["mrr"] - 0.01
