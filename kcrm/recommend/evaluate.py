"""`kcrm evaluate recommend`: every model and the blend on the same temporal hold-out."""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp

from kcrm.knowledge.embedders.base import Embedder
from kcrm.recommend.audience import Activity, audience_scores, orders_of, top
from kcrm.recommend.blend import combine
from kcrm.recommend.coldstart import ColdStart
from kcrm.recommend.config import RecommendConfig
from kcrm.recommend.data import Interactions, from_day
from kcrm.recommend.engine import OfferEngine, People
from kcrm.recommend.metrics import holdout, ranking_metrics, top_k
from kcrm.recommend.rerank import final_scores
from kcrm.recommend.train import BLOCK, StepFn, score_parts, train


def evaluate(
    data: Interactions,
    split_day: float,
    config: RecommendConfig,
    embedder: Embedder | None,
    end_day: float | None = None,
    k: int = 10,
    step: StepFn | None = None,
) -> dict[str, Any]:
    """Train on purchases before `split_day` (blend tuned inside that window) and score
    each model on the first purchases of new items from `split_day` to `end_day`.
    """
    start = time.perf_counter()
    split = holdout(data, split_day, end_day)
    if not len(split.users):
        raise ValueError(
            "no customer bought before the split date and something new after it: "
            "choose a split date inside the purchase history"
        )
    trained = train(split.train, config, embedder, k, step)
    if step is not None:
        step(f"scoring {len(split.users)} customers")
    names = [*trained.models, "linear_blend", "blend"]
    recs: dict[str, list[np.ndarray]] = {name: [] for name in names}
    owned_all = split.train.user_items()
    for lo in range(0, len(split.users), BLOCK):
        users = split.users[lo : lo + BLOCK]
        owned = owned_all[users]
        parts = score_parts(trained.models, owned, users)
        for name, part in parts.items():
            recs[name].append(top_k(part, owned, k))
        linear = combine(parts, trained.weights)
        recs["linear_blend"].append(top_k(linear, owned, k))
        history = np.diff(owned.indptr)
        final = final_scores(parts, trained.weights, trained.reranker, history)
        recs["blend"].append(top_k(final, owned, k))
    truth = split.truth[split.users]
    results = {
        name: {
            key: round(value, 4)
            for key, value in ranking_metrics(np.vstack(r), truth, data.n_items).items()
        }
        for name, r in recs.items()
    }
    return {
        "split_date": from_day(split_day).date().isoformat(),
        "end_date": from_day(end_day).date().isoformat() if end_day else None,
        "k": k,
        "customers": len(split.users),
        "items": data.n_items,
        "train_lines": len(split.train.item),
        "test_new_items": int(truth.nnz),
        "weights": {name: round(w, 4) for name, w in trained.weights.items()},
        "validation_ndcg": trained.validation,
        "reranked": trained.reranker is not None,
        "models": results,
        "seconds": round(time.perf_counter() - start, 2),
    }


def evaluate_audience(
    data: Interactions,
    split_day: float,
    config: RecommendConfig,
    embedder: Embedder | None,
    end_day: float | None = None,
    items: int = 10,
    k: int = 100,
    profiles: Sequence[Mapping[str, Any]] | None = None,
    step: StepFn | None = None,
) -> dict[str, Any]:
    """Audiences against the most active non-owners, on the `items` items most customers
    bought for the first time from `split_day` to `end_day`.

    Both lists hold `k` customers who did not own the item before the split, picked
    from purchases before it; precision@k is the share of them who bought it in the
    period. The baseline ranks non-owners by their number of orders before the split.
    """
    start = time.perf_counter()
    split = holdout(data, split_day, end_day)
    past = split.train
    trained = train(past, config, embedder, 10, step)
    people = list(profiles or [{}] * data.n_users)
    cold = ColdStart(config.cold_window_days).fit(past, people)
    engine = OfferEngine(
        data.catalog, config, trained.models, trained.weights, trained.reranker, cold
    )
    activity, report = Activity.fit(past, config)
    history, last = past.history()
    owned = past.user_items()
    truth = sp.csc_matrix(split.truth)
    buyers = np.diff(truth.indptr)
    chosen = [int(j) for j in np.argsort(-buyers, kind="stable")[:items] if buyers[j] > 0]
    users, _ = orders_of(past)
    orders = np.bincount(users, minlength=data.n_users)

    def blocks() -> Iterator[tuple[Sequence[Any], People]]:
        for lo in range(0, data.n_users, BLOCK):
            idx = np.arange(lo, min(lo + BLOCK, data.n_users))
            yield (
                idx.tolist(),
                People(history[idx], last[idx], people[lo : idx[-1] + 1], idx),
            )

    rows = []
    for j in chosen:
        ids, scores, affinity = audience_scores(engine, activity, blocks(), j)
        ours = np.asarray(ids, np.int64)[top(scores, affinity, k)]
        free = np.flatnonzero(np.asarray(owned[:, [j]].toarray()).ravel() == 0)
        base = free[np.lexsort((free, -orders[free]))][:k]
        bought = np.asarray(truth[:, [j]].toarray()).ravel() > 0
        rows.append(
            {
                "product_id": data.catalog.ids[j],
                "new_buyers": int(buyers[j]),
                "non_owners": len(free),
                "audience_precision": round(float(bought[ours].mean()), 4),
                "baseline_precision": round(float(bought[base].mean()), 4),
                "owners_in_audience": int(np.asarray(owned[ours, j].todense()).sum()),
            }
        )
    ours_p = np.asarray([r["audience_precision"] for r in rows])
    base_p = np.asarray([r["baseline_precision"] for r in rows])
    diff = ours_p - base_p
    return {
        "split_date": from_day(split_day).date().isoformat(),
        "end_date": from_day(end_day).date().isoformat() if end_day else None,
        "k": k,
        "items": rows,
        "audience_precision": round(float(ours_p.mean()), 4) if rows else 0.0,
        "baseline_precision": round(float(base_p.mean()), 4) if rows else 0.0,
        "difference": round(float(diff.mean()), 4) if rows else 0.0,
        "difference_se": round(float(diff.std(ddof=1) / np.sqrt(len(diff))), 4)
        if len(rows) > 1
        else None,
        "activity": report,
        "weights": {name: round(w, 4) for name, w in trained.weights.items() if w},
        "seconds": round(time.perf_counter() - start, 2),
    }
