"""What a search reads and answers: filters, the records' columns, hits and results.

`search.py` ranks chunk ids; this module turns them into records the caller may
see (roles, filters, one hit per record), with plain snippets and highlight
spans, and counts facets over them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from kcrm.core.roles import can_see
from kcrm.core.tables import Chunk, Document
from kcrm.knowledge.index.fields import FieldFilter
from kcrm.knowledge.snippets import Span, highlight_spans, make_snippet, plain_text


class RecordView(Protocol):
    """What ranking reads of a record: a `Document`, or a row of `HIT_COLUMNS`."""

    @property
    def id(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def category(self) -> str | None: ...
    @property
    def language(self) -> str: ...
    @property
    def visibility(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def resolution(self) -> str | None: ...
    @property
    def article_id(self) -> str | None: ...
    @property
    def product_ids(self) -> list[str]: ...
    @property
    def tags(self) -> list[str]: ...
    @property
    def created_at(self) -> datetime: ...


# Read as plain columns, not ORM objects: a third less time per result page.
HIT_COLUMNS = (
    Document.id,
    Document.kind,
    Document.title,
    Document.category,
    Document.language,
    Document.visibility,
    Document.status,
    Document.resolution,
    Document.article_id,
    Document.product_ids,
    Document.tags,
    Document.created_at,
)


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

    def admits(self, doc: RecordView) -> bool:
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
        if self.created_after and _utc(doc.created_at) < _utc(self.created_after):
            return False
        return not (self.created_before and _utc(doc.created_at) >= _utc(self.created_before))

    def where(self) -> FieldFilter:
        """The same restrictions in the form the indexes apply them."""
        return FieldFilter(
            kinds=tuple(self.kinds),
            categories=tuple(self.categories),
            tags=tuple(self.tags),
            language=self.language or None,
            product=self.product_id or None,
            created_after=_epoch(self.created_after),
            created_before=_epoch(self.created_before),
        )


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _epoch(value: datetime | None) -> int | None:
    return None if value is None else int(_utc(value).timestamp())


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
    # What a resolved case was closed with, for agent suggestions.
    resolution: str | None = None
    article_id: str | None = None
    product_ids: list[str] = field(default_factory=list)
    weak: bool = False  # relevance below the calibrated threshold
    relevance: float = 0.0
    highlights: dict[str, list[Span]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "title": self.title,
            "snippet": self.snippet,
            "score": round(self.score, 6),
            "category": self.category,
            "language": self.language,
            "weak": self.weak,
            "highlights": {k: [list(s) for s in v] for k, v in self.highlights.items()},
        }


@dataclass
class SearchResult:
    """A search's records and what the page needs around them."""

    hits: list[SearchHit]
    no_match: bool  # nothing relevant enough to show
    language: str  # the query's detected language
    did_you_mean: str | None = None  # the spell-checked query the search ran with
    facets: dict[str, list[dict[str, Any]]] | None = None
    # The query's best evidence over all candidates (what thresholds are calibrated on).
    best_dense: float | None = None
    best_r: float = 0.0


def stored_cosines(
    s: Session, model: str, qvec: np.ndarray, chunk_ids: list[int]
) -> dict[int, float]:
    """The query's cosine to each chunk's stored vector of `model` (if it has one)."""
    if not chunk_ids:
        return {}
    stored = s.execute(
        select(Chunk.id, Chunk.embedding).where(
            Chunk.id.in_(chunk_ids), Chunk.embedding_model == model
        )
    ).all()
    return {
        cid: float(np.frombuffer(blob, dtype=np.float32) @ qvec)
        for cid, blob in stored
        if blob is not None
    }


def best_records(
    s: Session, order: list[int], k: int, role: str, filters: SearchFilters
) -> list[tuple[int, str, Any]]:
    """The first `k` records in chunk order `order` the role may see and the filters admit.

    Returns:
        (chunk id, chunk text, record columns) of each record's best chunk.
    """
    found: list[tuple[int, str, Any]] = []
    seen: set[str] = set()
    # Records are read best first in growing batches: most searches need only the
    # first batch, and bodies (possibly long articles) are never read at all.
    batch, start = 2 * k + 10, 0
    while start < len(order) and len(found) < k:
        part = order[start : start + batch]
        start, batch = start + batch, batch * 4
        rows = s.execute(
            select(Chunk.id.label("chunk_id"), Chunk.text.label("chunk_text"), *HIT_COLUMNS)
            .join(Document)
            .where(Chunk.id.in_(part))
        ).all()
        by_chunk = {r.chunk_id: r for r in rows}
        for cid in part:
            doc = by_chunk.get(cid)
            if doc is None:
                continue  # deleted since the replica last synced
            if doc.id in seen or not can_see(role, doc) or not filters.admits(doc):
                continue
            seen.add(doc.id)
            found.append((cid, doc.chunk_text, doc))
            if len(found) >= k:
                break
    return found


def make_hit(
    doc: RecordView,
    cid: int,
    text: str,
    tokens: list[str],
    fused: dict[int, float],
    dense: dict[int, float],
    lexical: dict[int, float],
) -> SearchHit:
    snippet, spans = make_snippet(text, tokens)
    title = plain_text(doc.title or "")
    return SearchHit(
        id=doc.id,
        kind=doc.kind,
        title=title,
        snippet=snippet,
        highlights={"title": highlight_spans(title, tokens), "snippet": spans},
        score=fused[cid],
        category=doc.category,
        language=doc.language,
        visibility=doc.visibility,
        chunk_id=cid,
        dense_score=dense.get(cid),
        lexical_score=lexical.get(cid),
        resolution=doc.resolution,
        article_id=doc.article_id,
        product_ids=list(doc.product_ids or []),
    )


def facet_counts(
    s: Session, chunk_ids: list[int], role: str, filters: SearchFilters, fields: tuple[str, ...]
) -> dict[str, list[dict[str, Any]]]:
    """Records per value of each field, over the relevant candidates the role may see."""
    counts: dict[str, dict[str, int]] = {f: {} for f in fields}
    seen: set[str] = set()
    for start in range(0, len(chunk_ids), 500):
        rows = s.execute(
            select(*HIT_COLUMNS).join(Chunk).where(Chunk.id.in_(chunk_ids[start : start + 500]))
        ).all()
        for doc in rows:
            if doc.id in seen or not can_see(role, doc) or not filters.admits(doc):
                continue
            seen.add(doc.id)
            for f in fields:
                value = getattr(doc, f)
                if value:
                    counts[f][value] = counts[f].get(value, 0) + 1
    return {
        f: [{"value": v, "count": n} for v, n in sorted(c.items(), key=lambda x: (-x[1], x[0]))]
        for f, c in counts.items()
    }
