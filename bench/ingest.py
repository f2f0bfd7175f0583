"""Ingest throughput: kcrm against raw sentence-transformers encode and txtai, same texts.

kcrm embeds with its configured backend (ONNX Runtime by default). The ceiling the
targets name is raw `SentenceTransformer.encode` (PyTorch); raw encode with kcrm's
own backend is measured too, so the pipeline's overhead shows on its own.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import banking77_texts
from kcrm.core.config import Settings
from kcrm.knowledge.embedders.base import Embedder, resolve_model_path
from kcrm.knowledge.embedders.pytorch import SentenceTransformerEmbedder
from kcrm.knowledge.kb import KnowledgeBase
from kcrm.knowledge.records import KnowledgeRecord, Parsed
from kcrm.knowledge.text.pii import warm_up as warm_up_pii
from kcrm.knowledge.text.tokens import tokenize_batch


def _records(rows: list[tuple[str, str]]) -> list[Parsed]:
    return [
        Parsed(
            KnowledgeRecord(
                id=f"b77-{i}",
                kind="case",
                body=text,
                category=intent,
                resolution=f"resolved as {intent}",
            ),
            "banking77",
            i,
        )
        for i, (text, intent) in enumerate(rows)
    ]


def run(embedder: Embedder, n: int | None, batch_size: int = 64) -> dict[str, Any]:
    """Records per second for each system; each model is loaded once and warmed up first."""
    rows = banking77_texts(n)
    texts = [t for t, _ in rows]
    torch_model = SentenceTransformerEmbedder(embedder.name).model
    embedder.batch_size = batch_size
    torch_model.encode(texts[:batch_size], batch_size=batch_size)  # warm-up
    embedder.encode(texts[:batch_size])
    # kcrm's own one-off loading (spaCy pipelines, lookup tables) is warmed up the same way.
    tokenize_batch(texts[:batch_size], ["en"] * batch_size)
    warm_up_pii()
    out: dict[str, Any] = {
        "records": len(texts),
        "batch_size": batch_size,
        "backend": type(embedder).__name__,
    }

    start = time.perf_counter()
    torch_model.encode(texts, batch_size=batch_size, normalize_embeddings=True)
    raw = time.perf_counter() - start
    out["raw_encode"] = {"seconds": round(raw, 2), "records_per_s": round(len(texts) / raw, 1)}
    start = time.perf_counter()
    embedder.encode(texts)
    raw_backend = time.perf_counter() - start
    out["raw_backend_encode"] = {
        "seconds": round(raw_backend, 2),
        "records_per_s": round(len(texts) / raw_backend, 1),
    }

    with tempfile.TemporaryDirectory() as tmp:
        kb = KnowledgeBase.open(Settings(data_dir=Path(tmp)), embedder=embedder)
        records = _records(rows)
        start = time.perf_counter()
        report = kb.ingest(records)
        kb.replica.save()
        took = time.perf_counter() - start
        assert report.added == len(texts), report.as_dict()
        start = time.perf_counter()
        again = kb.ingest(_records(rows))
        unchanged = time.perf_counter() - start
        kb.close()
    out["kcrm"] = {
        "seconds": round(took, 2),
        "records_per_s": round(len(texts) / took, 1),
        "reingest_unchanged_seconds": round(unchanged, 2),
        "reingest_embedded": again.embedded_chunks,
    }
    out["kcrm_vs_raw"] = round(raw / took, 3)
    out["kcrm_vs_backend"] = round(raw_backend / took, 3)

    try:
        from txtai import Embeddings
    except ImportError:
        out["txtai"] = {"skipped": "txtai is not installed (pip install -e '.[bench]')"}
        return out
    path = resolve_model_path(embedder.name)
    with tempfile.TemporaryDirectory() as tmp:
        # Same model and batch size; content and hybrid so it keeps text and BM25 as kcrm does.
        emb = Embeddings(
            path=path, content=True, hybrid=True, batch=batch_size, encodebatch=batch_size
        )
        start = time.perf_counter()
        emb.index((f"b77-{i}", t, None) for i, t in enumerate(texts))
        emb.save(str(Path(tmp) / "txtai"))
        took_t = time.perf_counter() - start
    out["txtai"] = {"seconds": round(took_t, 2), "records_per_s": round(len(texts) / took_t, 1)}
    out["kcrm_vs_txtai"] = round(took_t / took, 3)
    return out
