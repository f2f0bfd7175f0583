"""Latency of one customer's offers on a synthetic catalogue (not a test: run it by hand).

    python -m kcrm.recommend.bench --customers 100000 --products 10000 --purchases 2000000

Fits every model (the blend tuned as in `kcrm train recommend`), then times the
whole per-customer path the API takes after its two indexed queries: scoring by
every model, blend, business rules, top-k and reasons.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable

import numpy as np

from kcrm.knowledge.embeddings import HashEmbedder
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=100_000)
    ap.add_argument("--products", type=int, default=10_000)
    ap.add_argument("--purchases", type=int, default=2_000_000)
    ap.add_argument("--samples", type=int, default=2000)
    ap.add_argument("--k", type=int, default=10)
    args = ap.parse_args()

    t0 = time.perf_counter()
    data = synthetic(args.customers, args.products, args.purchases)
    t1 = time.perf_counter()
    trained, service = fitted_service(data, step=lambda m: print(m, flush=True))
    t2 = time.perf_counter()
    owned = service.owned
    rng = np.random.default_rng(1)
    users = rng.integers(0, data.n_users, args.samples)
    for u in users[:50]:  # warm caches and lazy state
        service.offers(owned[u].indices.astype(np.int64), {}, args.k)
    times = []
    for u in users:
        start = time.perf_counter()
        service.offers(owned[u].indices.astype(np.int64), {}, args.k)
        times.append((time.perf_counter() - start) * 1000)
    ms = np.asarray(times)
    print(
        json.dumps(
            {
                "customers": args.customers,
                "products": args.products,
                "purchases": args.purchases,
                "generate_s": round(t1 - t0, 1),
                "train_s": round(t2 - t1, 1),
                "weights": {k: round(v, 3) for k, v in trained.weights.items()},
                "p50_ms": round(float(np.percentile(ms, 50)), 2),
                "p90_ms": round(float(np.percentile(ms, 90)), 2),
                "p99_ms": round(float(np.percentile(ms, 99)), 2),
                "mean_items_owned": round(float(np.diff(owned.indptr).mean()), 1),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
