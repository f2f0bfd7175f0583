"""Offers per customer and campaign export on a synthetic catalogue, against implicit alone."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np

from bench.common import percentiles
from kcrm.knowledge.embedders.hash import HashEmbedder
from kcrm.recommend.config import RecommendConfig
from kcrm.recommend.data import Catalog, Interactions
from kcrm.recommend.service import RecommendService
from kcrm.recommend.train import Trained, train


def synthetic(customers: int, products: int, purchases: int, seed: int = 0) -> Interactions:
    """Zipf-popular products in 50 categories; each customer leans to one category."""
    rng = np.random.default_rng(seed)
    groups = 50
    category = rng.integers(0, groups, products)
    pop = 1.0 / np.arange(1, products + 1) ** 0.9
    pop /= pop.sum()
    user = rng.integers(0, customers, purchases).astype(np.int32)
    favourite = rng.integers(0, groups, customers)
    item = rng.choice(products, purchases, p=pop).astype(np.int32)
    # Half the lines come from the customer's favourite category instead.
    own = rng.random(purchases) < 0.5
    by_group = [np.flatnonzero(category == g) for g in range(groups)]
    for g in range(groups):
        pick = own & (favourite[user] == g)
        members = by_group[g]
        weights = pop[members] / pop[members].sum()
        item[pick] = rng.choice(members, int(pick.sum()), p=weights)
    day = 20000.0 + rng.random(purchases) * 365
    names = [f"product {i} category {category[i]}" for i in range(products)]
    catalog = Catalog.simple(
        names,
        ids=[f"p{i}" for i in range(products)],
        categories=[f"c{g}" for g in category],
        price=rng.uniform(1, 100, products),
        cost=rng.uniform(0, 1, products),
    )
    return Interactions(
        [f"u{i}" for i in range(customers)],
        catalog,
        user,
        item,
        np.arange(purchases, dtype=np.int64) // 3,
        day,
    )


def fitted_service(
    data: Interactions, step: Callable[[str], None] | None = None
) -> tuple[Trained, RecommendService]:
    """Every model trained on `data` (margin objective, category cap) and the service over them."""
    config = RecommendConfig(max_per_category=3, value_objective="margin", value_weight=0.2)
    trained = train(data, config, HashEmbedder(64), step=step)
    # The timed path does not touch the database.
    service = RecommendService.from_trained(None, config, data, trained)  # type: ignore[arg-type]
    return trained, service


def run(customers: int, products: int, purchases: int, samples: int = 2000) -> dict[str, Any]:
    """kcrm's whole per-customer path (every model, blend, rules, reasons) vs implicit's ALS."""
    out: dict[str, Any] = {"customers": customers, "products": products, "purchases": purchases}
    data = synthetic(customers, products, purchases)
    start = time.perf_counter()
    _, service = fitted_service(data)
    out["kcrm_train_seconds"] = round(time.perf_counter() - start, 1)
    owned = service.owned
    rng = np.random.default_rng(1)
    users = rng.integers(0, data.n_users, samples)
    for u in users[:50]:
        service.offers(owned[u].indices.astype(np.int64), {}, 10)
    lat = []
    for u in users:
        t = time.perf_counter()
        service.offers(owned[u].indices.astype(np.int64), {}, 10)
        lat.append((time.perf_counter() - t) * 1000)
    out["kcrm_per_customer"] = percentiles(lat)
    start = time.perf_counter()
    for u in range(data.n_users):
        service.offers(owned[u].indices.astype(np.int64), {}, 10)
    export = time.perf_counter() - start
    out["kcrm_export_all"] = {
        "seconds": round(export, 1),
        "customers_per_s": round(data.n_users / export, 1),
    }

    from implicit.als import AlternatingLeastSquares

    model = AlternatingLeastSquares(factors=64, iterations=15, random_state=0, num_threads=2)
    start = time.perf_counter()
    model.fit(owned, show_progress=False)
    out["implicit_als_train_seconds"] = round(time.perf_counter() - start, 1)
    for u in users[:50]:
        model.recommend(int(u), owned[int(u)], N=10)
    lat = []
    for u in users:
        t = time.perf_counter()
        model.recommend(int(u), owned[int(u)], N=10)
        lat.append((time.perf_counter() - t) * 1000)
    out["implicit_als_per_customer"] = percentiles(lat)
    start = time.perf_counter()
    everyone = np.arange(data.n_users)
    for chunk in np.array_split(everyone, max(1, data.n_users // 10000)):
        model.recommend(chunk, owned[chunk], N=10)
    batch = time.perf_counter() - start
    out["implicit_als_batch_all"] = {
        "seconds": round(batch, 1),
        "customers_per_s": round(data.n_users / batch, 1),
    }
    return out
