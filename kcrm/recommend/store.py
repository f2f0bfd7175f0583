"""Saving and loading the trained recommender under `<data_dir>/models/recommend/`.

One `.npz` per model (arrays only, no pickle), the customers' purchase matrix,
and a `manifest.json` written last, so a half-written save is never loaded.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from kcrm.core.config import Settings
from kcrm.core.db import Database
from kcrm.knowledge.embedders.base import Embedder
from kcrm.recommend.audience import Activity
from kcrm.recommend.base import Recommender, load_npz, save_npz, sparse_arrays, sparse_from
from kcrm.recommend.coldstart import ColdStart
from kcrm.recommend.config import RecommendConfig
from kcrm.recommend.data import Catalog, load_catalog
from kcrm.recommend.models import (
    ALSRecommender,
    ContentRecommender,
    CoPurchaseRecommender,
    ItemKNNRecommender,
    PopularityRecommender,
)
from kcrm.recommend.rerank import Reranker
from kcrm.recommend.service import RecommendService

log = logging.getLogger(__name__)
FORMAT = 2  # 2: purchase counts and days instead of a binary matrix; cold start
MODEL_CLASSES: dict[str, type[Recommender]] = {
    c.name: c
    for c in (
        PopularityRecommender,
        CoPurchaseRecommender,
        ItemKNNRecommender,
        ALSRecommender,
        ContentRecommender,
    )
}


def model_dir(settings: Settings) -> Path:
    return settings.data_dir / "models" / "recommend"


def save_service(service: RecommendService, path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True)
    for name, model in service.models.items():
        model.save(path / f"{name}.npz")
    if service.reranker is not None:
        service.reranker.save(path / "reranker.npz")
    history: dict[str, Any] = {
        **sparse_arrays("history", service.history),
        **sparse_arrays("last", service.last),
    }
    np.savez(path / "history.npz", **history)
    if service.cold is not None:
        save_npz(path / "coldstart.npz", service.cold.meta(), service.cold.arrays())
    if service.activity is not None:
        save_npz(path / "activity.npz", {}, service.activity.arrays())
    manifest = {
        "format": FORMAT,
        "models": {name: m.name for name, m in service.models.items()},
        "weights": service.weights,
        "reranker": service.reranker is not None,
        "items": service.catalog.ids,
        "users": service.users,
        "last_purchase_id": service.last_purchase_id,
        "info": service.info,
    }
    tmp = path / "manifest.json.tmp"
    tmp.write_text(json.dumps(manifest))
    tmp.replace(path / "manifest.json")


def load_service(path: Path, db: Database, config: RecommendConfig) -> RecommendService:
    """The saved service, brought up to date with purchases recorded since it was saved."""
    manifest = json.loads((path / "manifest.json").read_text())
    if manifest.get("format") != FORMAT:
        raise ValueError(f"{path}: saved by another version; run `kcrm train recommend`")
    models = {
        name: MODEL_CLASSES[kind].load(path / f"{name}.npz")
        for name, kind in manifest["models"].items()
    }
    reranker = Reranker.load(path / "reranker.npz") if manifest.get("reranker") else None
    with np.load(path / "history.npz", allow_pickle=False) as f:
        arrays = {k: f[k] for k in f.files}
    history, last = sparse_from("history", arrays), sparse_from("last", arrays)
    cold = None
    if (path / "coldstart.npz").is_file():
        cold = ColdStart.restore(*load_npz(path / "coldstart.npz"))
    activity = None
    if (path / "activity.npz").is_file():
        activity = Activity.from_arrays(load_npz(path / "activity.npz")[1])
    catalog = aligned_catalog(load_catalog(db), manifest["items"])
    service = RecommendService(
        db,
        config,
        catalog,
        manifest["users"],
        history,
        last,
        models,
        manifest["weights"],
        int(manifest["last_purchase_id"]),
        manifest.get("info", {}),
        reranker,
        cold,
        activity,
    )
    service.refresh(force=True)
    return service


def aligned_catalog(current: Catalog, ids: list[str]) -> Catalog:
    """The saved item order with today's product data; products deleted since are inactive."""
    pos = [current.index.get(pid, -1) for pid in ids]

    def take(values: list[Any], missing: Any) -> list[Any]:
        return [values[p] if p >= 0 else missing for p in pos]

    def arr(values: np.ndarray, missing: Any) -> np.ndarray:
        return np.asarray([values[p] if p >= 0 else missing for p in pos], dtype=values.dtype)

    return Catalog(
        ids=list(ids),
        names=take(current.names, ""),
        descriptions=take(current.descriptions, ""),
        categories=take(current.categories, None),
        active=arr(current.active, False),
        repeatable=arr(current.repeatable, False),
        price=arr(current.price, np.nan),
        cost=arr(current.cost, np.nan),
        attributes=take(current.attributes, {}),
    )


def load_recommender(
    settings: Settings, db: Database, embedder: Embedder | None = None
) -> RecommendService:
    """The service the API starts with: the saved models, or trained now when none are saved.

    Pass the knowledge base's embedder to get the content model in that case too.
    """
    config = RecommendConfig()
    path = model_dir(settings)
    if (path / "manifest.json").is_file():
        try:
            return load_service(path, db, config)
        except (OSError, ValueError, KeyError) as exc:
            log.warning("cannot load the saved recommender (%s); training a new one", exc)
    return RecommendService.train(db, config, embedder)


def saved_or_trained(
    db: Database,
    embedder: Callable[[], Embedder | None],
    note: Callable[[str], None] = log.warning,
    step: Callable[[str], None] | None = None,
) -> RecommendService:
    """The saved recommender; trained and saved first when there is none (or it cannot be
    read), so that only the first command pays for training.

    Args:
        embedder: builds the embedding model, called only if training is needed.
        note: told why training happens.
        step: told each training step.
    """
    config = RecommendConfig()
    path = model_dir(db.settings)
    if (path / "manifest.json").is_file():
        try:
            return load_service(path, db, config)
        except (OSError, ValueError, KeyError) as exc:
            note(f"cannot load the saved recommender ({exc}); training again")
    else:
        note("no trained recommender saved yet: training and saving one now")
    service = RecommendService.train(db, config, embedder(), step=step)
    save_service(service, path)
    return service
