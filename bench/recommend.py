"""Offers per customer and the export of everyone's offers, against implicit's ALS, side by side.

    python -m bench.recommend [--customers 100000 --products 10000 --purchases 2000000]

(or `python -m bench --only recommend`, which also writes docs/benchmarks/). Builds a
synthetic catalogue (Zipf-popular products in 50 categories, each customer leaning
to one), trains every kcrm model with the blend tuned as `kcrm train recommend`
does, then times kcrm's whole path after the database (every model the blend uses,
blend, business rules with a category cap and a margin objective, top-10, reasons)
and implicit's `AlternatingLeastSquares.recommend` on the same purchases. The
per-customer samples alternate between the two, so a busy host slows both alike.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

from bench.common import percentiles
from kcrm.knowledge.embedders.hash import HashEmbedder
from kcrm.recommend.config import RecommendConfig
from kcrm.recommend.data import Catalog, Interactions
from kcrm.recommend.engine import OfferEngine, People
from kcrm.recommend.train import Trained, train

BLOCK = 512  # customers per export block, as the service's campaign export


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


def fitted_engine(
    data: Interactions, step: Callable[[str], None] | None = None
) -> tuple[Trained, OfferEngine]:
    """Every model trained on `data` (margin objective, category cap) and the engine over them."""
    config = RecommendConfig(max_per_category=3, value_objective="margin", value_weight=0.2)
    trained = train(data, config, HashEmbedder(64), step=step)
    engine = OfferEngine(data.catalog, config, trained.models, trained.weights, trained.reranker)
    return trained, engine


def one(history: sp.csr_matrix, last: sp.csr_matrix, u: int) -> People:
    return People(history[u : u + 1], last[u : u + 1], [{}], np.asarray([u]))


def run(customers: int, products: int, purchases: int, samples: int = 2000) -> dict[str, Any]:
    """kcrm's whole per-customer path and export against implicit's ALS, side by side."""
    from implicit.als import AlternatingLeastSquares

    out: dict[str, Any] = {"customers": customers, "products": products, "purchases": purchases}
    data = synthetic(customers, products, purchases)
    start = time.perf_counter()
    trained, engine = fitted_engine(data)
    out["kcrm_train_seconds"] = round(time.perf_counter() - start, 1)
    out["kcrm_models_used"] = engine.used
    history, last = data.history()
    owned = data.user_items()
    model = AlternatingLeastSquares(factors=64, iterations=15, random_state=0, num_threads=2)
    start = time.perf_counter()
    with threadpool_limits(1, "blas"):
        model.fit(owned, show_progress=False)
    out["implicit_als_train_seconds"] = round(time.perf_counter() - start, 1)

    # Both start from the customer's purchase row in hand (kcrm's service reads it from
    # the database first), so the rows are sliced before the clock starts; both run with
    # one BLAS thread, as implicit asks (two BLAS threads on a busy host slow its calls).
    limit = threadpool_limits(1, "blas")
    users = np.random.default_rng(1).integers(0, data.n_users, samples)
    people = [one(history, last, int(u)) for u in users]
    rows = [owned[int(u)] for u in users]
    for i in range(50):  # warm caches and lazy state
        engine.offers(people[i], 10)
        model.recommend(int(users[i]), rows[i], N=10)
    ours, theirs = [], []
    for i, u in enumerate(users):
        t = time.perf_counter()
        engine.offers(people[i], 10)
        ours.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        model.recommend(int(u), rows[i], N=10)
        theirs.append((time.perf_counter() - t) * 1000)
    out["kcrm_per_customer"] = percentiles(ours)
    out["implicit_als_per_customer"] = percentiles(theirs)
    out["per_customer_p50_ratio"] = round(
        out["kcrm_per_customer"]["p50_ms"] / out["implicit_als_per_customer"]["p50_ms"], 2
    )

    start = time.perf_counter()
    offers = 0
    blocks = (
        People(history[lo : lo + BLOCK], last[lo : lo + BLOCK], [{}] * len(rows), rows)
        for lo in range(0, data.n_users, BLOCK)
        for rows in [np.arange(lo, min(lo + BLOCK, data.n_users))]
    )
    for block in blocks:  # as the service's export: one block at a time, one thread
        offers += sum(len(o) for o in engine.offers(block, 10))
    export = time.perf_counter() - start
    out["kcrm_export_all"] = {
        "seconds": round(export, 1),
        "customers_per_s": round(data.n_users / export, 1),
        "offers": offers,
    }
    start = time.perf_counter()
    everyone = np.arange(data.n_users)
    for chunk in np.array_split(everyone, max(1, data.n_users // 10000)):
        model.recommend(chunk, owned[chunk], N=10)
    batch = time.perf_counter() - start
    out["implicit_als_batch_all"] = {
        "seconds": round(batch, 1),
        "customers_per_s": round(data.n_users / batch, 1),
    }
    limit.restore_original_limits()
    out["export_throughput_ratio"] = round(
        out["kcrm_export_all"]["customers_per_s"]
        / out["implicit_als_batch_all"]["customers_per_s"],
        2,
    )
    out["weights"] = {k: round(v, 3) for k, v in trained.weights.items() if v}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=100_000)
    ap.add_argument("--products", type=int, default=10_000)
    ap.add_argument("--purchases", type=int, default=2_000_000)
    ap.add_argument("--samples", type=int, default=2000)
    args = ap.parse_args()
    result = run(args.customers, args.products, args.purchases, args.samples)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
