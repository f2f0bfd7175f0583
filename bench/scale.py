"""Build knowledge bases of 10k, 100k and 1M chunks: real Banking77 plus synthetic filler.

1M real embeddings take hours on this machine, so past the real texts the index
is filled with synthetic chunks: vectors are real ones plus noise, renormalised
(so they crowd the same regions of the space as real queries), and token lists
are real ones shuffled. They go through the product's own index classes and
database tables, so search, hydration and memory are exercised as in use.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import insert, select

from kcrm.core.config import Settings
from kcrm.core.tables import Chunk, Document, utcnow
from kcrm.knowledge.embedders.base import Embedder
from kcrm.knowledge.index.fields import ChunkFields
from kcrm.knowledge.kb import KnowledgeBase
from kcrm.knowledge.records import KnowledgeRecord, Parsed

BATCH = 50_000


def build(
    data_dir: Path, embedder: Embedder, rows: list[tuple[str, str]], total: int
) -> dict[str, Any]:
    """A data dir holding `total` chunks: the real rows, then synthetic ones."""
    settings = Settings(data_dir=data_dir)
    kb = KnowledgeBase.open(settings, embedder=embedder)
    start = time.perf_counter()
    real = rows[: min(len(rows), total)]
    kb.ingest(
        Parsed(
            KnowledgeRecord(
                id=f"b77-{i}", kind="faq", visibility="public", body=t, title="", category=c
            ),
            "bench",
            i,
        )
        for i, (t, c) in enumerate(real)
    )
    real_seconds = time.perf_counter() - start
    with kb.db.session() as s:
        base = s.execute(select(Chunk.id, Chunk.embedding, Chunk.tokens)).all()
    vecs = np.stack([np.frombuffer(b.embedding, dtype=np.float32) for b in base])
    tokens = [b.tokens.split() for b in base]
    rng = np.random.default_rng(0)
    made = 0
    start = time.perf_counter()
    next_id = max(b.id for b in base) + 1
    now = int(time.time())
    while len(base) + made < total:
        n = min(BATCH, total - len(base) - made)
        pick = rng.integers(0, len(base), n)
        noisy = vecs[pick] + rng.normal(0, 0.04, (n, vecs.shape[1])).astype(np.float32)
        noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
        toks = [list(rng.permutation(tokens[p])) for p in pick]
        ids = np.arange(next_id, next_id + n, dtype=np.int64)
        _insert_rows(kb, ids, toks, made)
        fields = [
            ChunkFields(language="en", kind="faq", created=now, record=f"syn-{made + i}")
            for i in range(n)
        ]
        kb.replica.vectors.add(ids, noisy)
        kb.replica.lexical.add(ids.tolist(), toks, [True] * n, fields)
        kb.replica.public.add(ids.tolist())
        kb.replica.fields.set(ids.tolist(), fields)
        kb.replica.lexical.commit()
        next_id += n
        made += n
    kb.replica.applied_seq = kb.replica.log_head()
    kb.replica.save()
    kb.close()
    return {
        "chunks": len(base) + made,
        "real": len(base),
        "synthetic": made,
        "real_ingest_seconds": round(real_seconds, 1),
        "synthetic_build_seconds": round(time.perf_counter() - start, 1),
    }


def _insert_rows(kb: KnowledgeBase, ids: np.ndarray, toks: list[list[str]], offset: int) -> None:
    """Database rows for synthetic chunks (without stored vectors: they are never rebuilt)."""
    now = utcnow()
    docs = [
        {
            "id": f"syn-{offset + i}",
            "kind": "faq",
            "title": "",
            "body": " ".join(t),
            "language": "en",
            "visibility": "public",
            "status": "published",
            "version": 1,
            "tags": [],
            "product_ids": [],
            "extra": {},
            "content_hash": "synthetic",
            "created_at": now,
            "updated_at": now,
        }
        for i, t in enumerate(toks)
    ]
    chunks = [
        {
            "id": int(cid),
            "document_id": f"syn-{offset + i}",
            "ordinal": 0,
            "heading": "",
            "text": " ".join(t),
            "tokens": " ".join(t),
            "text_hash": "synthetic",
        }
        for i, (cid, t) in enumerate(zip(ids, toks, strict=True))
    ]
    with kb.db.session() as s:
        s.execute(insert(Document), docs)
        s.execute(insert(Chunk), chunks)


def write_meta(data_dir: Path, meta: dict[str, Any]) -> None:
    (data_dir / "bench.json").write_text(json.dumps(meta))
