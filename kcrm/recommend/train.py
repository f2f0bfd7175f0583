"""Fit every candidate model and tune the blend on the last weeks of the training data."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from kcrm.knowledge.embedders.base import Embedder
from kcrm.recommend.base import Recommender
from kcrm.recommend.blend import better, combine, normalise, tune_weights
from kcrm.recommend.config import RecommendConfig
from kcrm.recommend.data import Interactions
from kcrm.recommend.metrics import Holdout, holdout, ndcg_per_user, top_k
from kcrm.recommend.models import (
    ALSRecommender,
    ContentRecommender,
    CoPurchaseRecommender,
    ItemKNNRecommender,
    PopularityRecommender,
)
from kcrm.recommend.rerank import Reranker, Window, training_rows, window_ndcg
from kcrm.recommend.rerank import fit as fit_reranker
from kcrm.recommend.stats import ItemStats

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
        "current": PopularityRecommender(since_shift=True),
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
    reranker: Reranker | None = None  # the blend's last stage, when it beat the weights


def sample_users(split: Holdout, config: RecommendConfig, n_items: int) -> np.ndarray:
    """The held-out customers to tune on, fewer on large catalogues (scores are users × items)."""
    users = split.users
    cap = max(200, min(config.tune_users, 20_000_000 // max(n_items, 1)))
    if len(users) > cap:
        users = np.sort(np.random.default_rng(config.seed).choice(users, cap, replace=False))
    return users


def make_window(models: dict[str, Recommender], split: Holdout, users: np.ndarray) -> Window:
    """Scores of fitted `models` and item statistics before a window, and the truth in it."""
    owned = split.train.user_items()[users]
    return Window(
        ItemStats().fit(split.train).features()[0],
        score_parts(models, owned, users),
        owned,
        split.truth[users],
    )


def tune(
    models: dict[str, Recommender],
    data: Interactions,
    config: RecommendConfig,
    k: int = 10,
    step: StepFn | None = None,
) -> tuple[dict[str, float], dict[str, float], Window | None]:
    """Fit on all but the last `validation_days` of `data`, tune the weights on those days.

    Returns:
        (weights, validation NDCG@k of each model and the blend, the held-out window)
    """
    split = holdout(data, validation_start(data, config))
    if len(split.users) < MIN_TUNE_CUSTOMERS:
        log.warning("only %d customers to tune the blend on: using the prior", len(split.users))
        prior = {name: PRIOR_WEIGHTS.get(name, 0.0) for name in models}
        total = sum(prior.values())
        return {name: w / total for name, w in prior.items()}, {}, None
    users = sample_users(split, config, data.n_items)
    fit_models(models, split.train, step)
    if step is not None:
        step(f"tuning the blend on {len(users)} customers")
    owned = split.train.user_items()[users]
    truth = split.truth[users]
    # The half-life is the one parameter popularity has: pick it on the held-out weeks.
    half_life = max(
        HALF_LIVES,
        key=lambda hl: ndcg_per_user(
            top_k(PopularityRecommender(hl).fit(split.train).score(owned), owned, k), truth
        ).mean(),
    )
    models["recent"] = PopularityRecommender(half_life).fit(split.train)
    window = make_window(models, split, users)
    weights, report = tune_weights(window.parts, truth, owned, k, tuned={"recent"})
    report["recent_half_life_days"] = half_life
    return weights, report, window


def validation_start(data: Interactions, config: RecommendConfig) -> float:
    return float(np.floor(data.last_day) + 1 - config.validation_days)


def tune_reranker(
    models: dict[str, Recommender],
    data: Interactions,
    config: RecommendConfig,
    weights: dict[str, float],
    latest: Window,
    report: dict[str, float],
    k: int = 10,
    step: StepFn | None = None,
) -> Reranker | None:
    """A re-ranker, if one trained on earlier windows beats the tuned weights on the latest.

    Windows of `validation_days` each are stacked back from the latest one; the models
    are refitted on the data before each. The re-ranker must beat the blend by more than
    noise (`blend.better`) on the latest window, which it never saw and on which the
    weights were tuned; only then is it refitted on every window, the latest included.
    Its model features are the models the blend weights plus the cheap popularity
    counts: refitting the others (ALS, say) for every window would double training time
    for features the tuning already found no use for.
    """
    names = [
        n
        for n, m in models.items()
        if weights.get(n, 0.0) > 0 or isinstance(m, PopularityRecommender)
    ]
    start = validation_start(data, config)
    n = config.rerank_candidates
    older: list[tuple[np.ndarray, np.ndarray]] = []  # rows only: parts are users × items
    for back in range(1, config.rerank_windows):
        begin = start - back * config.validation_days
        split = holdout(data, begin, begin + config.validation_days)
        if len(split.users) < MIN_TUNE_CUSTOMERS:
            break
        if step is not None:
            step(f"fitting the models before {back} earlier window(s) for the re-ranker")
        fresh = make_models(config, None)
        fresh["recent"] = PopularityRecommender(report.get("recent_half_life_days", 30.0))
        if "content" in models:
            fresh["content"] = models["content"]  # texts do not change with the window
        past = fit_models({n: fresh[n] for n in names}, split.train)
        window = make_window(past, split, sample_users(split, config, data.n_items))
        older.append(training_rows([window], names, n))
    if not older:
        log.info("no earlier window with enough customers: the blend stays linear")
        return None
    x = np.vstack([o[0] for o in older])
    y = np.concatenate([o[1] for o in older])
    trial = fit_reranker(x, y, ItemStats(), names)
    got = window_ndcg(trial, latest, k)
    blend = ndcg_per_user(top_k(combine(latest.parts, weights), latest.owned, k), latest.truth)
    report["rerank"] = round(float(got.mean()), 4)
    report["rerank_windows"] = len(older) + 1
    if not better(got, blend):
        log.info("the re-ranker (%.4f) does not beat the blend (%.4f)", got.mean(), blend.mean())
        return None
    lx, ly = training_rows([latest], names, n)
    model = fit_reranker(np.vstack([lx, x]), np.concatenate([ly, y]), ItemStats().fit(data), names)
    log.info(
        "re-ranker %.4f beats the blend %.4f: %s", got.mean(), blend.mean(), model.coefficients()
    )
    return model


def train(
    data: Interactions,
    config: RecommendConfig,
    embedder: Embedder | None,
    k: int = 10,
    step: StepFn | None = None,
) -> Trained:
    """Tune the blend on held-out weeks, then refit every model on all of `data`."""
    models = make_models(config, embedder)
    weights, validation, latest = tune(models, data, config, k, step)
    reranker = None
    if config.rerank_windows > 1 and latest is not None:
        reranker = tune_reranker(models, data, config, weights, latest, validation, k, step)
    validation["reranked"] = float(reranker is not None)
    fit_models(models, data, step)
    log.info("blend weights %s (validation NDCG@%d %s)", weights, k, validation)
    return Trained(models, weights, validation, data.last_day, reranker)
