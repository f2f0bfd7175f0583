"""Offers per customer and campaign export on a synthetic catalogue, against implicit alone."""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from bench.common import percentiles
from kcrm.recommend.bench import fitted_service, synthetic


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
