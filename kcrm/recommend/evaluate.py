"""`kcrm evaluate recommend`: every model and the blend on the same temporal hold-out."""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from kcrm.knowledge.embedders.base import Embedder
from kcrm.recommend.blend import combine
from kcrm.recommend.config import RecommendConfig
from kcrm.recommend.data import Interactions, from_day
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
