"""Hybrid retrieval: dense (FAISS) and lexical (BM25) candidates, one result per record.

This first fusion is reciprocal rank fusion; the search issue measures and
replaces it. Whatever the ranking, visibility is enforced twice: the indexes
only return public chunks to the customer role, and every hit is checked
against the database before it is returned.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from kcrm.knowledge import nlp
from kcrm.models import Chunk, Document

if TYPE_CHECKING:
    from kcrm.knowledge.kb import KnowledgeBase

ROLES = ("admin", "agent", "customer", "marketing")
RRF_K = 60  # Cormack et al. 2009: k=60 damps the head of each list


@dataclass
class SearchFilters:
    """Optional restrictions; every given one must hold."""

    kinds: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    language: str | None = None
    product_id: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None

    def admits(self, doc: Document) -> bool:
        if self.kinds and doc.kind not in self.kinds:
            return False
        if self.categories and doc.category not in self.categories:
            return False
        if self.tags and not set(self.tags) & set(doc.tags or []):
            return False
        if self.language and doc.language != self.language:
            return False
        if self.product_id and self.product_id not in (doc.product_ids or []):
            return False
        if self.created_after and doc.created_at < self.created_after:
            return False
        return not (self.created_before and doc.created_at >= self.created_before)


@dataclass
class SearchHit:
    """One record in a result list."""

    id: str
    kind: str
    title: str
    snippet: str
    score: float
    category: str | None
    language: str
    visibility: str
    chunk_id: int
    dense_score: float | None = None
    lexical_score: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "title": self.title,
            "snippet": self.snippet,
            "score": round(self.score, 6),
            "category": self.category,
            "language": self.language,
        }


def visible_to(role: str, doc: Document) -> bool:
    """Whether a role may see a record at all."""
    if doc.status != "published":
        return False
    return role != "customer" or doc.visibility == "public"


def make_snippet(text: str, terms: list[str], width: int = 240) -> str:
    """A window of the chunk around the first query term it contains."""
    flat = re.sub(r"\s+", " ", text).strip()
    if len(flat) <= width:
        return flat
    lower = flat.lower()
    pos = min((p for t in terms if (p := lower.find(t.lower())) >= 0), default=0)
    start = max(0, min(pos - width // 3, len(flat) - width))
    piece = flat[start : start + width]
    return ("…" if start > 0 else "") + piece + ("…" if start + width < len(flat) else "")


def hybrid_search(
    kb: KnowledgeBase, query: str, k: int, role: str, filters: SearchFilters
) -> list[SearchHit]:
    """Fuse dense and lexical candidates and collapse them to records."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}, got {role!r}")
    if not query.strip():
        raise ValueError("query must not be empty")
    if not 1 <= k <= 100:
        raise ValueError(f"k must be between 1 and 100, got {k}")
    customer = role == "customer"
    depth = max(50, 5 * k)
    tokens = nlp.tokenize(query)
    qvec = kb.embedder.encode_query(query)
    replica = kb.replica
    with kb.lock:
        d_scores, d_ids = replica.vectors.search(
            qvec[None, :], depth, allowed=replica.public if customer else None
        )
        l_scores, l_ids = replica.lexical.search(tokens, depth, public_only=customer)
    fused: dict[int, float] = {}
    dense: dict[int, float] = {}
    lexical: dict[int, float] = {}
    for rank, (cid, score) in enumerate(zip(d_ids[0], d_scores[0], strict=True)):
        if cid < 0:
            continue
        dense[int(cid)] = float(score)
        fused[int(cid)] = fused.get(int(cid), 0.0) + 1.0 / (RRF_K + rank + 1)
    for rank, (cid, score) in enumerate(zip(l_ids, l_scores, strict=True)):
        lexical[int(cid)] = float(score)
        fused[int(cid)] = fused.get(int(cid), 0.0) + 1.0 / (RRF_K + rank + 1)
    if not fused:
        return []
    order = sorted(fused, key=lambda c: -fused[c])
    with kb.db.session() as s:
        rows = s.execute(
            select(Chunk.id, Chunk.text, Document).join(Document).where(Chunk.id.in_(order))
        ).all()
    by_chunk = {r[0]: (r[1], r[2]) for r in rows}
    hits: list[SearchHit] = []
    seen: set[str] = set()
    for cid in order:
        if cid not in by_chunk:
            continue  # deleted since the replica last synced
        text, doc = by_chunk[cid]
        if doc.id in seen or not visible_to(role, doc) or not filters.admits(doc):
            continue
        seen.add(doc.id)
        hits.append(
            SearchHit(
                id=doc.id,
                kind=doc.kind,
                title=doc.title,
                snippet=make_snippet(text, tokens),
                score=fused[cid],
                category=doc.category,
                language=doc.language,
                visibility=doc.visibility,
                chunk_id=cid,
                dense_score=dense.get(cid),
                lexical_score=lexical.get(cid),
            )
        )
        if len(hits) >= k:
            break
    return hits
