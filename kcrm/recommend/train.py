"""Fit every candidate model and tune the blend on the last weeks of the training data."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from kcrm.knowledge.embeddings import Embedder
from kcrm.recommend.base import Recommender
from kcrm.recommend.blend import normalise, tune_weights
from kcrm.recommend.config import RecommendConfig
from kcrm.recommend.data import Interactions
from kcrm.recommend.metrics import holdout, ndcg_per_user, top_k
from kcrm.recommend.models import (
    ALSRecommender,
    ContentRecommender,
    CoPurchaseRecommender,
    ItemKNNRecommender,
    PopularityRecommender,
)

log = logging.getLogger(__name__)
StepFn = Callable[[str], None]
BLOCK = 2048  # customers scored at once: bounded memory on large catalogues
HALF_LIVES = (7.0, 14.0, 30.0, 60.0, 120.0, 240.0)  # tried for the "recent" model
MIN_TUNE_CUSTOMERS = 20
# The blend before there is enough history to tune one: personal evidence first,
# best sellers as the floor. Replaced by tuned weights as soon as data allows.
PRIOR_WEIGHTS = {"copurchase": 0.4, "popularity": 0.3, "item_knn": 0.2, "content": 0.1}


def make_models(config: RecommendConfig, embedder: Embedder | None) -> dict[str, Recommender]:
    """Fresh, unfitted instances of every candidate model (content only with an embedder)."""
    models: dict[str, Recommender] = {
        "popularity": PopularityRecommender(),
        "recent": PopularityRecommender(half_life_days=config.recent_half_life_days),
        "copurchase": CoPurchaseRecommender(
            neighbours=config.neighbours, min_support=config.min_pair_customers
        ),
        "item_knn": ItemKNNRecommender(K=20, threads=config.threads),
        "als": ALSRecommender(
            factors=config.als_factors,
            iterations=config.als_iterations,
            regularization=config.als_regularization,
            alpha=config.als_alpha,
            threads=config.threads,
            seed=config.seed,
        ),
    }
    if embedder is not None:
        models["content"] = ContentRecommender(neighbours=config.neighbours, embedder=embedder)
    return models


def fit_models(
    models: dict[str, Recommender], data: Interactions, step: StepFn | None = None
) -> dict[str, Recommender]:
    for name, model in models.items():
        if step is not None:
            step(f"fitting {name}")
        if isinstance(model, ContentRecommender) and model.n_items == len(data.catalog):
            continue  # texts do not change with the purchase window: embed once
        model.fit(data)
    return models


def score_parts(
    models: dict[str, Recommender], user_items: sp.csr_matrix, users: np.ndarray
) -> dict[str, np.ndarray]:
    """Normalised scores of each model for the given customers' rows."""
    return {name: normalise(m.score(user_items, users)) for name, m in models.items()}


@dataclass
class Trained:
    models: dict[str, Recommender]
    weights: dict[str, float]
    validation: dict[str, float] = field(default_factory=dict)  # NDCG@k on held-out weeks
    trained_until: float = 0.0


def tune(
    models: dict[str, Recommender],
    data: Interactions,
    config: RecommendConfig,
    k: int = 10,
    step: StepFn | None = None,
) -> tuple[dict[str, float], dict[str, float]]:
    """Fit on all but the last `validation_days` of `data`, tune the weights on those days."""
    split = np.floor(data.last_day) + 1 - config.validation_days
    split_data = holdout(data, split)
    users = split_data.users
    if len(users) < MIN_TUNE_CUSTOMERS:
        log.warning("only %d customers to tune the blend on: using the prior", len(users))
        prior = {name: PRIOR_WEIGHTS.get(name, 0.0) for name in models}
        total = sum(prior.values())
        return {name: w / total for name, w in prior.items()}, {}
    # Fewer customers on large catalogues: the score matrices are customers × items.
    cap = max(200, min(config.tune_users, 20_000_000 // max(data.n_items, 1)))
    if len(users) > cap:
        users = np.sort(np.random.default_rng(config.seed).choice(users, cap, replace=False))
    fit_models(models, split_data.train, step)
    if step is not None:
        step(f"tuning the blend on {len(users)} customers")
    owned = split_data.train.user_items()[users]
    truth = split_data.truth[users]
    # The half-life is the one parameter popularity has: pick it on the held-out weeks.
    half_life = max(
        HALF_LIVES,
        key=lambda hl: ndcg_per_user(
            top_k(PopularityRecommender(hl).fit(split_data.train).score(owned), owned, k), truth
        ).mean(),
    )
    models["recent"] = PopularityRecommender(half_life).fit(split_data.train)
    parts = score_parts(models, owned, users)
    weights, report = tune_weights(parts, truth, owned, k)
    report["recent_half_life_days"] = half_life
    return weights, report


def train(
    data: Interactions,
    config: RecommendConfig,
    embedder: Embedder | None,
    k: int = 10,
    step: StepFn | None = None,
) -> Trained:
    """Tune the blend on held-out weeks, then refit every model on all of `data`."""
    models = make_models(config, embedder)
    weights, validation = tune(models, data, config, k, step)
    fit_models(models, data, step)
    log.info("blend weights %s (validation NDCG@%d %s)", weights, k, validation)
    return Trained(models, weights, validation, data.last_day)
