"""Fit the resolution model and its calibrator from the resolved cases in the database.

Called after a reindex (and by `kcrm train suggest`). Held-out features come
from K-fold cross-fitting, so every calibration sample is scored as a new case
would be: in fold f, the classifiers are trained and the neighbours looked up
without fold f's cases and without every case of one group of categories
(a fifth of them). The fold's remaining cases are in-scope samples; the cases
of the held-out categories are out-of-scope samples, questions the knowledge
base cannot answer, exactly as a new kind of problem would look.
"""

from __future__ import annotations

import logging
import time
import zlib
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import func, select

from kcrm.assist.augment import variants
from kcrm.assist.calibration import (
    HISTORY,
    Calibrator,
    expected_calibration_error,
    fit_calibrator,
    mix_weights,
)
from kcrm.assist.context import product_lift
from kcrm.assist.features import Signals, category_features, neighbour_evidence
from kcrm.assist.model import (
    MAX_TRAIN_CASES,
    VOTE_K,
    CaseSet,
    CategoryModel,
    combine,
    load_cases,
    stratified_sample,
)
from kcrm.assist.progress import Track, no_tracking
from kcrm.core.tables import Document

log = logging.getLogger(__name__)

MODEL_FILE = "resolution.joblib"
CALIBRATION_FILE = "calibration.json"
MIN_CASES = 20
FOLDS = 5
OOS_SHARE = 0.15  # assumed share of questions no past resolution answers (see docs/quality.md)
MAX_CALIBRATION_SAMPLES = 20_000
BLOCK = 1024  # held-out rows per similarity block: 1024 × n floats at a time


def model_paths(kb: Any) -> tuple[Path, Path]:
    """Where the model and the calibrator live: `<data dir>/models/`."""
    folder = Path(kb.settings.data_dir) / "models"
    return folder / MODEL_FILE, folder / CALIBRATION_FILE


def fingerprint(kb: Any) -> dict[str, Any]:
    """What the fit depends on: the labelled cases (count and newest change) and the model."""
    with kb.db.session() as s:
        count, newest = s.execute(
            select(func.count(), func.max(Document.updated_at)).where(
                Document.kind == "case",
                Document.status == "published",
                Document.category.is_not(None),
            )
        ).one()
    return {
        "cases": int(count),
        "newest": newest.isoformat() if newest else None,
        "embedding_model": kb.embedder.name,
    }


def is_stale(kb: Any) -> bool:
    """Whether the saved calibrator was fitted on other cases than the database holds now."""
    cal = Calibrator.load(model_paths(kb)[1])
    return cal is None or cal.fingerprint != fingerprint(kb)


def fit_assist(
    kb: Any,
    folds: int = FOLDS,
    oos_share: float = OOS_SHARE,
    progress: Callable[[str], None] | None = None,
    track: Track = no_tracking,
) -> dict[str, Any]:
    """Fit and save the model and the calibrator; returns a summary.

    `progress` gets messages, `track(label, total, unit)` counts the folds and the fit.
    """
    say = progress or (lambda msg: log.info(msg))
    start = time.perf_counter()
    model_path, cal_path = model_paths(kb)
    stamp = fingerprint(kb)
    cases = load_cases(kb)
    if len(cases) < MIN_CASES or len(cases.categories) < 2:
        for path in (model_path, cal_path):
            path.unlink(missing_ok=True)
        return {
            "fitted": False,
            "reason": f"{len(cases)} categorised cases in {len(cases.categories)} categories; "
            f"need {MIN_CASES} in 2 or more",
        }
    data = cases.subset(stratified_sample(cases.labels, MAX_TRAIN_CASES))
    fold_of = assign_folds(data.ids, folds)
    # Category groups, one per fold: each category is held out entirely in one fold.
    group_of = assign_folds(data.categories, folds, salt="category")
    parts = []
    say(f"fitting on {len(data):,} cases in {len(data.categories)} categories")
    say("embedding held-out cases as a new question would be asked (augment.py)")
    forms = variants(kb.embedder.encode, data, first_by_hash)
    asked = [(cases, has) for _, cases, has in forms]
    with track("calibrating (held-out folds)", folds + 1, "fits") as advance:
        for f in range(folds):
            limit = MAX_CALIBRATION_SAMPLES // folds
            parts.append(held_out_samples(data, fold_of, group_of, f, limit, asked))
            advance(1)
        model = CategoryModel(data.categories).fit(data.vectors, data.texts, data.labels)
        model.product_lift = product_lift(data.product_ids, data.labels, len(data.categories))
        advance(1)
    x, correct, in_scope, top_cos, nn_correct, kind = (
        np.concatenate(p) for p in zip(*parts, strict=True)
    )
    correct, in_scope, nn_correct = (a.astype(bool) for a in (correct, in_scope, nn_correct))
    before = Calibrator.load(cal_path)
    model_name = before.fingerprint.get("embedding_model") if before else None
    previous = before.threshold if before and model_name == kb.embedder.name else None
    cal = fit_calibrator(x, correct, in_scope, top_cos, nn_correct, oos_share, previous)
    fit = {
        "fitted_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "cases": len(data),
        "threshold": round(cal.threshold, 4),
        "kept_previous": previous is not None and cal.threshold == previous,
        "ece": cal.report["ece"],
    }
    cal.history = [*(before.history if before else [])[-(HISTORY - 1) :], fit]
    model.save(model_path)
    cal.fingerprint = stamp
    cal.report.update({"cases": len(data), "categories": len(data.categories), "folds": folds})
    # ECE of the stored cases and of each variant apart (augment.py), each in the same mix.
    weights = mix_weights(in_scope, oos_share)
    cal.report["ece_by_form"] = {
        name: round(expected_calibration_error(cal.predict(x[m]), correct[m], weights[m]), 4)
        for name, m in ((n, kind == k) for k, n in enumerate(["stored", *(f[0] for f in forms)]))
        if m.any()
    }
    cal.save(cal_path)
    return {
        "fitted": True,
        "seconds": round(time.perf_counter() - start, 1),
        "threshold": round(cal.threshold, 4),
        "threshold_history": [h["threshold"] for h in cal.history],
        "baseline_threshold": round(cal.baseline_threshold, 4),
        **cal.report,
        "model": str(model_path),
        "calibration": str(cal_path),
    }


def stable_hash(key: str, salt: str = "") -> int:
    """A hash of `key` that is the same in every process and on every machine."""
    return zlib.crc32(f"{salt}:{key}".encode())


def assign_folds(keys: list[str], folds: int, salt: str = "fold") -> np.ndarray:
    """The fold of each case (or category) from a hash of its id.

    A fold never depends on which other cases exist, so a refit after a few new
    cases sees the same calibration samples as before plus the new ones, and the
    threshold moves only as much as those samples move it.
    """
    return np.array([stable_hash(k, salt) % folds for k in keys], dtype=np.int64)


def first_by_hash(rows: np.ndarray, ids: list[str], limit: int) -> np.ndarray:
    """At most `limit` of `rows`, those whose ids hash lowest: a sample stable under additions."""
    if rows.size <= limit:
        return rows
    order = np.argsort([stable_hash(ids[i], "sample") for i in rows], kind="stable")
    return np.sort(rows[order[:limit]])


def held_out_samples(
    data: CaseSet,
    fold_of: np.ndarray,
    group_of: np.ndarray,
    fold: int,
    limit: int,
    asked: Sequence[tuple[CaseSet, np.ndarray]] = (),
) -> tuple[np.ndarray, ...]:
    """Samples of fold `fold`: (features, correct, in scope, top cosine, 1-NN correct, kind).

    Everything is fitted without the fold's cases and without every case of the
    categories in group `fold`; the fold's other cases are scored as in scope, the
    held-out categories' cases as out of scope (nothing indexed resolves them).
    Each of `asked` (augment.py: the same cases in other words, and the rows that
    have such a variant) is scored the same way against the same fit; `kind` is 0
    for the stored cases and i + 1 for `asked[i]`.
    """
    held = group_of[data.labels] == fold
    train = np.flatnonzero((fold_of != fold) & ~held)
    if np.unique(data.labels[train]).size < 2:  # too few categories to hold any out
        held[:] = False
        train = np.flatnonzero(fold_of != fold)
    model = CategoryModel(data.categories).fit(
        data.vectors[train], [data.texts[i] for i in train], data.labels[train]
    )
    train_vecs, train_labels = data.vectors[train], data.labels[train]
    out: dict[str, list[np.ndarray]] = {k: [] for k in ("x", "ok", "ins", "cos", "nn", "kind")}
    everyone = np.ones(len(data), dtype=bool)
    for kind, (queries, has) in enumerate([(data, everyone), *asked]):
        for rows, in_scope in (
            (np.flatnonzero((fold_of == fold) & ~held & has), True),
            (np.flatnonzero(held & has), False),
        ):
            rows = first_by_hash(rows, data.ids, limit)
            for start in range(0, rows.size, BLOCK):
                part = rows[start : start + BLOCK]
                gold = data.labels[part]
                vectors, texts = queries.vectors[part], [queries.texts[i] for i in part]
                cos, labels = top_neighbours(vectors @ train_vecs.T, train_labels)
                sig = signals(model, vectors, texts, cos, labels)
                top = sig.scores.argmax(axis=1)
                out["x"].append(category_features(sig, top))
                out["ok"].append((top == gold) & in_scope)
                out["ins"].append(np.full(len(gold), in_scope))
                out["cos"].append(sig.top_cos)
                out["nn"].append((labels[:, 0] == gold) & in_scope)
                out["kind"].append(np.full(len(gold), kind))
    return tuple(np.concatenate(out[k]) if out[k] else np.zeros(0) for k in out)


def signals(
    model: CategoryModel | None,
    vectors: np.ndarray,
    texts: list[str],
    cos: np.ndarray,
    labels: np.ndarray,
    m: int | None = None,
) -> Signals:
    """Every signal of a batch of queries, given their nearest labelled neighbours.

    Args:
        model: the fitted model, or None (then only the neighbours' votes count).
        vectors, texts: the queries.
        cos, labels: (b, k) cosine and category index of each query's neighbours.
        m: number of categories (default: the model's); indices past the model's
            categories are groups only neighbours know (articles without a category).
    """
    m = m if m is not None else len(model.categories) if model else 0
    b = len(texts)
    p_emb, p_char = np.zeros((b, m)), np.zeros((b, m))
    centroid_cos, maha, energy = np.zeros((b, m)), np.zeros((b, m)), np.zeros(b)
    if model is not None:
        n = len(model.categories)
        p_emb[:, :n], p_char[:, :n] = model.predict(vectors, texts)
        cc, md, energy = model.geometry(vectors)
        centroid_cos[:, :n], maha[:, :n] = cc, md
        # A group the model does not know is as far as the farthest known category.
        if m > n:
            centroid_cos[:, n:] = cc.min(axis=1, keepdims=True)
            maha[:, n:] = md.max(axis=1, keepdims=True)
    votes, group_cos, top_cos, density = neighbour_evidence(cos, labels, m)
    return Signals(
        combine(p_emb, p_char, votes),
        p_emb,
        p_char,
        votes,
        group_cos,
        top_cos,
        centroid_cos,
        maha,
        energy,
        density,
    )


def top_neighbours(sims: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The `VOTE_K` best columns of each row, best first: (cosines, their labels)."""
    k = min(VOTE_K, sims.shape[1])
    part = np.argpartition(-sims, k - 1, axis=1)[:, :k]
    order = np.argsort(-np.take_along_axis(sims, part, axis=1), axis=1)
    idx = np.take_along_axis(part, order, axis=1)
    return np.take_along_axis(sims, idx, axis=1), labels[idx]
