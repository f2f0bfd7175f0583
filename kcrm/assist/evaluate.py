"""Offline evaluation of suggestions and of the retrieval fusion on a labelled file of cases.

The file (.jsonl, .json or .csv) has `text`, the gold `category`, and
optionally `in_scope` (false: no indexed resolution fits, so "not answerable"
is the right outcome). Every figure is computed in one run against the same
index, side by side with two baselines:
- dense-only kNN: the category of the nearest labelled record by cosine;
- a plain similarity threshold: that kNN answer, shown when its cosine is at
  least a threshold fitted on the same held-out cases as our calibrator.
"""

from __future__ import annotations

import csv
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import select

from kcrm.assist.calibration import reliability
from kcrm.assist.problem import problem_statement
from kcrm.assist.suggest import load_assist, suggest_with_vector
from kcrm.core.tables import Chunk, Document
from kcrm.knowledge.search import fuse
from kcrm.knowledge.text.tokens import tokenize

RRF_K = 60
DEPTH = 50


def read_labelled(path: Path) -> list[dict[str, Any]]:
    """Labelled cases from .jsonl/.json/.csv; raises ValueError naming the bad line."""
    if not path.is_file():
        raise ValueError(f"{path}: no such file")
    if path.suffix.lower() == ".csv":
        with path.open(newline="", encoding="utf-8") as fh:
            rows: list[dict[str, Any]] = list(csv.DictReader(fh))
    elif path.suffix.lower() == ".json":
        rows = json.loads(path.read_text(encoding="utf-8"))
    else:
        rows = []
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise ValueError(f"{path}:{n}: not JSON ({exc.msg})") from None
    items = []
    for n, row in enumerate(rows, 1):
        text, category = str(row.get("text") or "").strip(), row.get("category")
        if not text:
            raise ValueError(f"{path}: case {n} has no text")
        flag = row.get("in_scope", True)
        in_scope = flag if isinstance(flag, bool) else str(flag).strip().lower() not in FALSE
        if in_scope and not category:
            raise ValueError(f"{path}: in-scope case {n} has no category")
        item = {"text": text, "category": category, "in_scope": in_scope}
        if row.get("plain"):
            item["plain"] = str(row["plain"])  # the question without the note around it
        items.append(item)
    return items


FALSE = {"false", "0", "no", "n", ""}


def evaluate_suggest(
    kb: Any, items: list[dict[str, Any]], progress: Callable[[int], None] | None = None
) -> dict[str, Any]:
    """Suggestion, baseline, calibration and retrieval figures for labelled cases."""
    _, cal = load_assist(kb)
    texts = [it["text"] for it in items]
    qvecs = kb.embedder.encode(texts)
    gold = [it["category"] for it in items]
    in_scope = np.array([it["in_scope"] for it in items], dtype=bool)
    top1, rank, conf, answerable, plain = [], [], [], [], []
    timings: list[tuple[float, float]] = []  # (problem statement, ranking) per item, seconds
    for item, g in zip(items, gold, strict=True):
        start = time.perf_counter()
        problem = problem_statement(kb, item["text"])
        found = time.perf_counter()
        res = suggest_with_vector(kb, problem.text, problem.vector, k=10)
        timings.append((found - start, time.perf_counter() - found))
        cats = [s.category for s in res.suggestions]
        top1.append(bool(cats) and cats[0] == g)
        rank.append(cats.index(g) + 1 if g in cats else 0)
        conf.append(res.suggestions[0].confidence if res.suggestions else 0.0)
        answerable.append(res.answerable)
        if item.get("plain"):
            clean = problem_statement(kb, item["plain"])
            alone = suggest_with_vector(kb, clean.text, clean.vector, k=1)
            plain.append((cats[:1], alone, res))
        if progress is not None:
            progress(1)
    ok = np.array(top1) & in_scope
    ans = np.array(answerable, dtype=bool)
    rr = np.array([1 / r if r else 0.0 for r in rank])
    knn_cat, knn_cos = dense_knn(kb, qvecs)
    knn_ok = np.array([c == g for c, g in zip(knn_cat, gold, strict=True)]) & in_scope
    base_thr = cal.baseline_threshold if cal else 0.0
    base_ans = knn_cos >= base_thr
    table, ece = reliability(np.array(conf), ok)
    _, ece_in = reliability(np.array(conf)[in_scope], ok[in_scope])
    report: dict[str, Any] = {
        "queries": len(items),
        "in_scope": int(in_scope.sum()),
        "out_of_scope": int((~in_scope).sum()),
        "calibrated": cal is not None,
        "threshold": round(cal.threshold, 4) if cal else None,
        "suggest": {
            "top1_accuracy": mean(ok[in_scope]),
            "mrr": mean(rr[in_scope]),
            # Right and shown as answerable: what an agent can use, with or without
            # out-of-scope questions in the set.
            "in_scope_accuracy": mean((ok & ans)[in_scope]),
        },
        "dense_knn": {"top1_accuracy": mean(knn_ok[in_scope])},
        "calibration": {"ece": round(ece, 4), "ece_in_scope": round(ece_in, 4), "bins": table},
    }
    if (~in_scope).any():
        report["suggest"].update(abstention(ok, ans, in_scope))
        report["similarity_threshold"] = {
            "threshold": round(base_thr, 4),
            **abstention(knn_ok, base_ans, in_scope),
        }
    if plain:
        report["noise"] = noise_report(plain)
    report["latency_ms"] = latency(timings)
    report["retrieval"] = retrieval_table(kb, texts, qvecs, gold, in_scope)
    return report


def latency(timings: list[tuple[float, float]]) -> dict[str, dict[str, float]]:
    """Milliseconds per suggestion as `POST /v1/agent/suggest` computes it (HTTP aside):
    the problem statement (embedding included) and the ranking with its answer, and both."""
    parts = np.array(timings, dtype=float).reshape(-1, 2) * 1000
    out = {}
    for name, values in (
        ("suggestion", parts.sum(axis=1)),
        ("problem_statement", parts[:, 0]),
        ("ranking", parts[:, 1]),
    ):
        cuts = np.percentile(values, [50, 95, 99]) if len(values) else np.zeros(3)
        out[name] = {f"p{q}": round(float(v), 2) for q, v in zip((50, 95, 99), cuts, strict=True)}
    return out


def noise_report(pairs: list[tuple[list[str | None], Any, Any]]) -> dict[str, Any]:
    """How much the note around a question changed its answer: same top resolution, the
    same answerable verdict, and the confidence gap (median and 90th percentile)."""
    same_top = [top == [s.category for s in alone.suggestions[:1]] for top, alone, _ in pairs]
    same_verdict = [alone.answerable == noisy.answerable for _, alone, noisy in pairs]
    gap = np.array(
        [
            abs(
                (alone.suggestions[0].confidence if alone.suggestions else 0.0)
                - (noisy.suggestions[0].confidence if noisy.suggestions else 0.0)
            )
            for _, alone, noisy in pairs
        ]
    )
    return {
        "queries": len(pairs),
        "same_top1": mean(np.array(same_top)),
        "same_answerable": mean(np.array(same_verdict)),
        "confidence_gap_median": round(float(np.median(gap)), 4),
        "confidence_gap_p90": round(float(np.percentile(gap, 90)), 4),
    }


def mean(values: np.ndarray) -> float | None:
    return round(float(np.mean(values)), 4) if len(values) else None


def abstention(right: np.ndarray, answered: np.ndarray, in_scope: np.ndarray) -> dict[str, Any]:
    """Out-of-scope recall, in-scope accuracy (right and shown) and overall accuracy."""
    correct = np.where(in_scope, right & answered, ~answered)
    return {
        "oos_recall": mean(~answered[~in_scope]),
        "in_scope_accuracy": mean((right & answered)[in_scope]),
        "overall_accuracy": mean(correct),
    }


def chunk_labels(kb: Any, ids: set[int]) -> dict[int, tuple[str, str | None]]:
    """(record id, category) of each chunk id."""
    out: dict[int, tuple[str, str | None]] = {}
    ordered = sorted(ids)
    with kb.db.session() as s:
        for start in range(0, len(ordered), 900):
            part = ordered[start : start + 900]
            for cid, doc_id, cat in s.execute(
                select(Chunk.id, Document.id, Document.category)
                .join(Document)
                .where(Chunk.id.in_(part))
            ):
                out[cid] = (doc_id, cat)
    return out


def dense_knn(kb: Any, qvecs: np.ndarray, k: int = 10) -> tuple[list[str | None], np.ndarray]:
    """The category and cosine of each query's nearest labelled record."""
    with kb.lock:
        scores, ids = kb.replica.vectors.search(qvecs, k)
    labels = chunk_labels(kb, {int(i) for i in ids.ravel() if i >= 0})
    cats: list[str | None] = []
    cos = np.zeros(len(qvecs))
    for q in range(len(qvecs)):
        for score, cid in zip(scores[q], ids[q], strict=True):
            if cid >= 0 and labels.get(int(cid), ("", None))[1]:
                cats.append(labels[int(cid)][1])
                cos[q] = score
                break
        else:
            cats.append(None)
    return cats, cos


def retrieval_table(
    kb: Any, texts: list[str], qvecs: np.ndarray, gold: list[str | None], in_scope: np.ndarray
) -> dict[str, dict[str, float | None]]:
    """Top-1 and MRR of record rankings (a record is relevant when its category is the gold
    one) for dense only, BM25 only, reciprocal rank fusion and the fusion `search` uses."""
    rows = np.flatnonzero(in_scope)
    with kb.lock:
        d_scores, d_ids = kb.replica.vectors.search(qvecs[rows], DEPTH)
        lex = [kb.replica.lexical.search(tokenize(texts[i]), DEPTH) for i in rows]
    all_ids = {int(i) for i in d_ids.ravel() if i >= 0}
    all_ids |= {int(i) for _, ids in lex for i in ids}
    labels = chunk_labels(kb, all_ids)
    vectors = stored_vectors(kb, all_ids)
    names = ("dense", "bm25", "rrf", "fused")
    rr: dict[str, list[float]] = {n: [] for n in names}
    for j, i in enumerate(rows):
        dense = {int(c): float(s) for c, s in zip(d_ids[j], d_scores[j], strict=True) if c >= 0}
        lexical = {int(c): float(s) for c, s in zip(lex[j][1], lex[j][0], strict=True)}
        exact = {c: float(vectors[c] @ qvecs[i]) for c in {**dense, **lexical} if c in vectors}
        rrf: dict[int, float] = {}
        for ranking in (list(dense), list(lexical)):
            for r, c in enumerate(ranking):
                rrf[c] = rrf.get(c, 0.0) + 1.0 / (RRF_K + r + 1)
        fused = fuse(exact, lexical)
        for name, scores in zip(names, (dense, lexical, rrf, fused), strict=True):
            rr[name].append(reciprocal_rank(scores, labels, gold[i]))
    return {
        n: {"top1_accuracy": mean(np.array(v) == 1.0), "mrr": mean(np.array(v))}
        for n, v in rr.items()
    }


def stored_vectors(kb: Any, ids: set[int]) -> dict[int, np.ndarray]:
    ordered = sorted(ids)
    out = {}
    with kb.db.session() as s:
        for start in range(0, len(ordered), 900):
            part = ordered[start : start + 900]
            for cid, blob in s.execute(
                select(Chunk.id, Chunk.embedding).where(
                    Chunk.id.in_(part), Chunk.embedding_model == kb.embedder.name
                )
            ):
                out[cid] = np.frombuffer(blob, dtype=np.float32)
    return out


def reciprocal_rank(
    scores: dict[int, float], labels: dict[int, tuple[str, str | None]], gold: str | None
) -> float:
    """1/rank of the first relevant record, chunks collapsed to records; 0 when none."""
    seen: set[str] = set()
    for cid in sorted(scores, key=lambda c: -scores[c]):
        doc, cat = labels.get(cid, ("", None))
        if doc in seen:
            continue
        seen.add(doc)
        if cat == gold:
            return 1.0 / len(seen)
    return 0.0
