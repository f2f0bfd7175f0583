"""Hybrid retrieval: dense (FAISS) and lexical (BM25) candidates, one result per record.

Filters act inside both indexes (the replica's field bitmaps and tantivy
fields), so `k` records come back whenever `k` match. Where the embedding
model covers the languages involved, the fusion is dense-first with a bounded
lexical boost (docs/quality.md has the measurements behind it): a candidate's
score is its exact cosine to the query plus
`LEXICAL_WEIGHT * (bm25 / best bm25 of the query)²`. On Banking77 plain
reciprocal rank fusion lost to dense alone (BM25 alone is 10 points worse, and
RRF gives both lists equal say); a convex mix of normalised scores only tied it.
Squaring the normalised BM25 keeps the boost for the strongest lexical matches
(exact product names, codes, rare words), and a weight of 0.015 is about the
cosine gap between near-tied neighbours, so lexical evidence decides close
calls without overriding a clearly better dense match. Candidates found only
lexically get their exact cosine from the vector stored with the chunk. Where
the model does not cover a language, lexical evidence leads, on the same scale
(`relevance.py`), and every hit is marked `weak` when its relevance is below the
calibrated threshold (`no_match` when all are). English queries are spell-checked
against the index's own words first (`text/spelling.py`).

Whatever the ranking, visibility is enforced twice: the indexes only return
public chunks to the customer role, and every hit is checked against the
database before it is returned.
"""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from kcrm.core.roles import can_see, check_role, public_only
from kcrm.core.tables import Chunk, Document
from kcrm.knowledge.index.fields import FieldFilter
from kcrm.knowledge.index.vector import IdFilter, VectorIndex
from kcrm.knowledge.relevance import ModelProfile, score_candidates, self_score
from kcrm.knowledge.snippets import Span, highlight_spans, make_snippet, plain_text
from kcrm.knowledge.text.language import detect_language
from kcrm.knowledge.text.tokens import index_terms, tokenize

if TYPE_CHECKING:
    import threading

    from kcrm.core.db import Database
    from kcrm.knowledge.boosts import FeedbackMemory
    from kcrm.knowledge.embedders.base import Embedder
    from kcrm.knowledge.index.replica import IndexReplica
    from kcrm.knowledge.text.spelling import Speller


class Source(Protocol):
    """What a search reads: the database, one replica of the indexes, the embedder.

    The knowledge base is one; so is anything else holding these (a test, a bench).
    """

    db: Database
    replica: IndexReplica
    lock: threading.RLock
    embedder: Embedder
    profile: ModelProfile
    feedback: FeedbackMemory | None

    def embed_query_soon(self, text: str) -> Future[np.ndarray]:
        """The query's vector, being computed while the caller does other work."""
        ...

    def speller(self, public_only: bool = False) -> Speller | None:
        """A spell checker over the index's words (public records' only, if asked)."""
        ...


LEXICAL_WEIGHT = 0.015  # MiniLM on English; other models and languages: relevance.json
BOOST_POOL = 10  # records read beyond k, so feedback can lift one into the first k
FACET_DEPTH = 500  # candidate chunks facets count over, at most


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


def fuse(
    dense: dict[int, float], lexical: dict[int, float], weight: float = LEXICAL_WEIGHT
) -> dict[int, float]:
    """Fused scores: cosine plus a bounded boost for the query's strongest BM25 matches.

    Args:
        dense: exact cosine of every candidate (both lists' candidates).
        lexical: BM25 scores of the lexical candidates.
    Returns:
        score per candidate id.
    """
    best = max(lexical.values(), default=0.0)
    if best <= 0:
        return dict(dense)
    return {
        cid: score + weight * (lexical.get(cid, 0.0) / best) ** 2 for cid, score in dense.items()
    }


def dense_candidates(
    vectors: VectorIndex, qvec: np.ndarray, depth: int, allowed: IdFilter | None
) -> tuple[np.ndarray, np.ndarray]:
    """Top `depth` chunks by cosine, restricted to `allowed` if given.

    Returns:
        (scores, ids) of the found chunks, best first (no -1 padding).
    """
    scores, ids = vectors.search(qvec[None, :], depth, allowed=allowed)
    found = ids[0] >= 0
    return scores[0][found], ids[0][found]


def hybrid_search(
    kb: Source, query: str, k: int, role: str, filters: SearchFilters
) -> list[SearchHit]:
    """Fuse dense and lexical candidates and collapse them to records."""
    return full_search(kb, query, k, role, filters).hits


def full_search(
    kb: Source,
    query: str,
    k: int,
    role: str,
    filters: SearchFilters,
    facets: tuple[str, ...] = (),
    boosts: bool = True,
) -> SearchResult:
    """`hybrid_search` with spelling, feedback boosts, relevance and (if asked) facets."""
    _check(query, k, role)
    bad = set(facets) - set(FACETS)
    if bad:
        raise ValueError(f"facets must be among {', '.join(FACETS)}, got {', '.join(sorted(bad))}")
    language = detect_language(query)
    text, did_you_mean = query, None
    speller = kb.speller(public_only(role)) if language == "en" else None
    fixed = speller.correct(query) if speller is not None else None
    if fixed is not None:
        text, did_you_mean = fixed.text, fixed.text
    result = _run(kb, text, kb.embed_query_soon(text), k, role, filters, language, facets, boosts)
    result.did_you_mean = did_you_mean
    return result


def _check(query: str, k: int, role: str) -> None:
    check_role(role)
    if not query.strip():
        raise ValueError("query must not be empty")
    if not 1 <= k <= 100:
        raise ValueError(f"k must be between 1 and 100, got {k}")


def search_with_vector(
    kb: Source,
    query: str,
    qvec: np.ndarray | Future[np.ndarray],
    k: int,
    role: str,
    filters: SearchFilters,
) -> list[SearchHit]:
    """`hybrid_search` with the query's vector given, or being computed (a future).

    As it is written: no spelling, no feedback boosts (suggestions have their own).
    """
    _check(query, k, role)
    language = detect_language(query)
    return _run(kb, query, qvec, k, role, filters, language, (), False).hits


FACETS = ("category", "kind", "language")


def _run(
    kb: Source,
    query: str,
    qvec: np.ndarray | Future[np.ndarray],
    k: int,
    role: str,
    filters: SearchFilters,
    language: str,
    facets: tuple[str, ...],
    boosts: bool,
) -> SearchResult:
    """Candidates from both indexes inside the filters, scored, then read best first.

    The lexical side runs first, so a vector still being computed costs no waiting.
    """
    customer = public_only(role)
    depth = max(50, 5 * k)
    tokens = tokenize(query)
    terms = index_terms(tokens)
    where = filters.where()
    prof = kb.profile
    replica = kb.replica
    with kb.lock:
        allowed = replica.allowed(customer, where)
        l_scores, l_ids = replica.lexical.search(terms, depth, public_only=customer, where=where)
        unique = list(dict.fromkeys(terms))
        n_docs, dfs = replica.lexical.doc_freqs(unique) if unique else (0, [])
    words = set(tokens)
    known = [df > 0 for term, df in zip(unique, dfs, strict=True) if term in words]
    known_share = sum(known) / len(known) if known else 1.0
    if isinstance(qvec, Future):
        qvec = qvec.result()
    dense: dict[int, float] = {}
    # Where the model does not know the query's language its cosines compete nowhere.
    if prof.covers(language) and (allowed is None or len(allowed) > 0):
        with kb.lock:
            d_scores, d_ids = dense_candidates(replica.vectors, qvec, depth, allowed)
        dense = {int(c): float(s) for c, s in zip(d_ids, d_scores, strict=True)}
    lexical = {int(c): float(s) for c, s in zip(l_ids, l_scores, strict=True)}
    if not dense and not lexical:
        return SearchResult([], True, language, facets={f: [] for f in facets} if facets else None)
    with kb.db.session() as s:
        cosines = dict(dense)
        only_lexical = [c for c in lexical if c not in dense]
        cosines.update(stored_cosines(s, kb.embedder.name, qvec, only_lexical))
        ids = list(cosines.keys() | lexical.keys())
        langs = dict(zip(ids, replica.fields.language_of(ids), strict=True))
        self_bm25 = self_score(n_docs, dfs)
        scored = score_candidates(prof, language, cosines, lexical, self_bm25, langs, known_share)
        scores, relevance = scored.scores, scored.relevance
        order = sorted(scores, key=lambda c: -scores[c])
        lift = kb.feedback.boosts(qvec) if boosts and kb.feedback is not None else {}
        found = best_records(s, order, k + BOOST_POOL if lift else k, role, filters)
        if lift:
            found.sort(key=lambda f: -(scores[f[0]] + lift.get(f[2].id, 0.0)))
            found = found[:k]
        floor = prof.min_score(language)
        hits = []
        for cid, text, doc in found:
            hit = make_hit(doc, cid, text, tokens, scores, cosines, lexical)
            hit.score += lift.get(doc.id, 0.0)
            hit.relevance = relevance[cid]
            hit.weak = relevance[cid] < floor
            hits.append(hit)
        counts = None
        if facets:
            relevant = [c for c in order if relevance[c] >= floor][:FACET_DEPTH]
            counts = facet_counts(s, relevant, role, filters, facets)
    no_match = not hits or all(h.weak for h in hits)
    return SearchResult(
        hits, no_match, language, facets=counts, best_dense=scored.best_dense, best_r=scored.best_r
    )


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
