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
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import func, select

from kcrm.assist.calibration import Calibrator, fit_calibrator
from kcrm.assist.features import category_features, neighbour_evidence
from kcrm.assist.model import (
    MAX_TRAIN_CASES,
    VOTE_K,
    CaseSet,
    CategoryModel,
    combine,
    load_cases,
    stratified_sample,
)
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
) -> dict[str, Any]:
    """Fit and save the model and the calibrator; returns a summary."""
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
    fold_of = assign_folds(data.labels, folds)
    # Category groups, one per fold: each category is held out entirely in one fold.
    group_of = np.random.default_rng(1).permutation(len(data.categories)) % folds
    parts = []
    for f in range(folds):
        say(f"calibration fold {f + 1}/{folds}")
        parts.append(held_out_samples(data, fold_of, group_of, f, MAX_CALIBRATION_SAMPLES // folds))
    x, correct, in_scope, top_cos, nn_correct = (
        np.concatenate(p) for p in zip(*parts, strict=True)
    )
    correct, in_scope, nn_correct = (a.astype(bool) for a in (correct, in_scope, nn_correct))
    cal = fit_calibrator(x, correct, in_scope, top_cos, nn_correct, oos_share)
    say("fitting the resolution model on all cases")
    model = CategoryModel(data.categories).fit(data.vectors, data.texts, data.labels)
    model.save(model_path)
    cal.fingerprint = stamp
    cal.report.update({"cases": len(data), "categories": len(data.categories), "folds": folds})
    cal.save(cal_path)
    return {
        "fitted": True,
        "seconds": round(time.perf_counter() - start, 1),
        "threshold": round(cal.threshold, 4),
        "baseline_threshold": round(cal.baseline_threshold, 4),
        **cal.report,
        "model": str(model_path),
        "calibration": str(cal_path),
    }


def assign_folds(labels: np.ndarray, folds: int, seed: int = 0) -> np.ndarray:
    """Stratified fold numbers: each category spread evenly over the folds."""
    rng = np.random.default_rng(seed)
    fold_of = np.empty(len(labels), dtype=np.int64)
    for label in np.unique(labels):
        rows = rng.permutation(np.flatnonzero(labels == label))
        fold_of[rows] = (np.arange(rows.size) + rng.integers(folds)) % folds
    return fold_of


def held_out_samples(
    data: CaseSet, fold_of: np.ndarray, group_of: np.ndarray, fold: int, limit: int
) -> tuple[np.ndarray, ...]:
    """Samples of fold `fold`: (features, correct, in scope, top cosine, 1-NN correct).

    Everything is fitted without the fold's cases and without every case of the
    categories in group `fold`; the fold's other cases are scored as in scope, the
    held-out categories' cases as out of scope (nothing indexed resolves them).
    """
    held = group_of[data.labels] == fold
    train = np.flatnonzero((fold_of != fold) & ~held)
    if np.unique(data.labels[train]).size < 2:  # too few categories to hold any out
        held[:] = False
        train = np.flatnonzero(fold_of != fold)
    rng = np.random.default_rng(fold)
    model = CategoryModel(data.categories).fit(
        data.vectors[train], [data.texts[i] for i in train], data.labels[train]
    )
    train_vecs, train_labels = data.vectors[train], data.labels[train]
    out: dict[str, list[np.ndarray]] = {k: [] for k in ("x", "ok", "ins", "cos", "nn")}
    for rows, in_scope in (
        (np.flatnonzero((fold_of == fold) & ~held), True),
        (np.flatnonzero(held), False),
    ):
        if rows.size > limit:
            rows = np.sort(rng.choice(rows, limit, replace=False))
        p_emb, p_char = model.predict(data.vectors[rows], [data.texts[i] for i in rows])
        for start in range(0, rows.size, BLOCK):
            block = slice(start, start + BLOCK)
            gold = data.labels[rows[block]]
            cos, labels = top_neighbours(data.vectors[rows[block]] @ train_vecs.T, train_labels)
            votes, group_cos, top_cos = neighbour_evidence(cos, labels, len(data.categories))
            pe, pc = p_emb[block], p_char[block]
            scores = combine(pe, pc, votes)
            top = scores.argmax(axis=1)
            out["x"].append(category_features(scores, pe, pc, votes, group_cos, top_cos, top))
            out["ok"].append((top == gold) & in_scope)
            out["ins"].append(np.full(len(gold), in_scope))
            out["cos"].append(top_cos)
            out["nn"].append((labels[:, 0] == gold) & in_scope)
    return tuple(np.concatenate(out[k]) if out[k] else np.zeros(0) for k in out)


def top_neighbours(sims: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The `VOTE_K` best columns of each row, best first: (cosines, their labels)."""
    k = min(VOTE_K, sims.shape[1])
    part = np.argpartition(-sims, k - 1, axis=1)[:, :k]
    order = np.argsort(-np.take_along_axis(sims, part, axis=1), axis=1)
    idx = np.take_along_axis(part, order, axis=1)
    return np.take_along_axis(sims, idx, axis=1), labels[idx]
