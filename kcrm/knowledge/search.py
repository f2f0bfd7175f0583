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

import time
from concurrent.futures import Future
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from kcrm.core.roles import check_role, public_only
from kcrm.knowledge.index.vector import IdFilter, VectorIndex
from kcrm.knowledge.relevance import ModelProfile, score_candidates, self_score
from kcrm.knowledge.results import (
    HIT_COLUMNS,
    RecordView,
    SearchFilters,
    SearchHit,
    SearchResult,
    best_records,
    facet_counts,
    first_per_record,
    make_hit,
)
from kcrm.knowledge.text.language import detect_language
from kcrm.knowledge.text.tokens import index_terms, tokenize

if TYPE_CHECKING:
    import threading

    from kcrm.core.db import Database
    from kcrm.knowledge.boosts import FeedbackMemory
    from kcrm.knowledge.embedders.base import Embedder
    from kcrm.knowledge.index.fields import FieldFilter
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


BROAD_FILTER = 0.5  # a filter admitting at least this share of chunks is applied afterwards


def lexical_candidates(
    replica: IndexReplica,
    terms: list[str],
    depth: int,
    public_only: bool,
    where: FieldFilter,
    allowed: IdFilter | None,
) -> tuple[np.ndarray, np.ndarray]:
    """Top `depth` chunks by BM25 among those the role and the filters admit.

    A restriction inside tantivy is a conjunction with every chunk it admits: at a
    million chunks, public-and-English cost 6.2 ms where the bare query took 1.2.
    So a filter admitting most chunks is applied to a deeper unfiltered list
    instead, and inside tantivy only when that list runs short (then the result is
    the same as filtering inside).
    """
    total = replica.vectors.count()
    if allowed is None or total == 0:
        return replica.lexical.search(terms, depth, public_only=public_only, where=where)
    share = len(allowed) / total
    if share >= BROAD_FILTER:
        want = int(depth / share * 1.5) + 10
        scores, ids = replica.lexical.search(terms, want)
        bits = allowed.bits
        keep = (ids < bits.size) & bits[np.minimum(ids, bits.size - 1)]
        if keep.sum() >= depth or ids.size < want:
            return scores[keep][:depth], ids[keep][:depth]
    return replica.lexical.search(terms, depth, public_only=public_only, where=where)


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


def same_space(
    replica: IndexReplica,
    prof: ModelProfile,
    language: str,
    customer: bool,
    where: FieldFilter,
    allowed: IdFilter | None,
) -> IdFilter | None:
    """`allowed`, narrowed to the records embedded in the query's space (`embedders/routed.py`).

    With a second model for some languages, a Chinese query's USE vector and an English
    record's MiniLM vector share the index but not a meaning: their cosine would only
    take places among the dense candidates. No narrowing while every indexed language
    is in the query's space (an English-only knowledge base).
    """
    if not prof.second:
        return allowed
    space = prof.space(language)
    present = replica.fields.values("language")
    mine = tuple(v for v in present if prof.space(v) == space)
    if len(mine) == len(present):
        return allowed
    if where.language:  # one language asked for: either in this space or nothing is
        return allowed if where.language in mine else IdFilter()
    return replica.allowed(customer, replace(where, languages=mine))


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
    start = time.perf_counter()
    language = detect_language(query)
    text, did_you_mean = query, None
    speller = kb.speller(public_only(role)) if language == "en" else None
    fixed = speller.correct(query) if speller is not None else None
    if fixed is not None:
        text, did_you_mean = fixed.text, fixed.text
    spelling = time.perf_counter() - start
    result = _run(kb, text, kb.embed_query_soon(text), k, role, filters, language, facets, boosts)
    result.did_you_mean = did_you_mean
    result.timings["spelling"] = spelling
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
    Ranking, one chunk per record and facets need nothing but the replica; the
    database is read for the returned records only.
    """
    clock = _Clock()
    customer = public_only(role)
    depth = max(50, 5 * k)
    tokens = tokenize(query)
    terms = index_terms(tokens)
    where = filters.where()
    prof = kb.profile
    replica = kb.replica
    with kb.lock:
        allowed = replica.allowed(customer, where)
        l_scores, l_ids = lexical_candidates(replica, terms, depth, customer, where, allowed)
        unique = list(dict.fromkeys(terms))
        n_docs, dfs = replica.lexical.doc_freqs(unique) if unique else (0, [])
    clock.lap("lexical")
    words = set(tokens)
    known = [df > 0 for term, df in zip(unique, dfs, strict=True) if term in words]
    known_share = sum(known) / len(known) if known else 1.0
    if isinstance(qvec, Future):
        qvec = qvec.result()
    clock.lap("embed_wait")
    d_scores, d_ids = np.zeros(0, np.float32), np.zeros(0, np.int64)
    size = 0
    with kb.lock:
        # Where the model does not know the query's language its cosines compete nowhere.
        if prof.covers(language) and (allowed is None or len(allowed) > 0):
            near = same_space(replica, prof, language, customer, where, allowed)
            d_scores, d_ids = dense_candidates(replica.vectors, qvec, depth, near)
            size = replica.vectors.count() if near is None else len(near)
        # Lexical candidates first, in BM25 order: equal scores keep it (sorting is stable).
        only_lexical = l_ids[~np.isin(l_ids, d_ids)]
        s_ids, s_vecs = replica.vectors.vectors_of(only_lexical)
        cids = np.concatenate([l_ids, d_ids[~np.isin(d_ids, l_ids)]]).astype(np.int64)
        langs = replica.fields.codes("language", cids)
        lang_names = replica.fields.values("language")
        keys = replica.fields.record_keys(cids)
    clock.lap("vector")
    if cids.size == 0:
        facet_map: dict[str, list[dict[str, Any]]] | None = (
            {f: [] for f in facets} if facets else None
        )
        return SearchResult([], True, language, facets=facet_map, timings=clock.laps, vector=qvec)
    # The query's cosine to every candidate: FAISS's for dense ones, from the stored vector
    # for lexical ones; a candidate without a vector of this model ranks with the last.
    cos = dict(zip(d_ids.tolist(), d_scores.astype(np.float64).tolist(), strict=True))
    cos.update(zip(s_ids.tolist(), (s_vecs @ qvec).astype(np.float64).tolist(), strict=True))
    floor = min(cos.values(), default=0.0)
    cosines = np.asarray([cos.get(c, floor) for c in cids.tolist()], dtype=np.float64)
    bm25 = np.zeros(cids.size, dtype=np.float64)
    bm25[: l_ids.size] = l_scores
    lex_set = {int(c): float(v) for c, v in zip(l_ids, l_scores, strict=True)}
    covered = np.asarray(
        [prof.comparable(language, lang_names[c] if c >= 0 else None) for c in langs], dtype=bool
    )
    scored = score_candidates(
        prof, language, cosines, bm25, self_score(n_docs, dfs), covered, known_share, size
    )
    rank = np.argsort(-scored.scores, kind="stable")
    order, okeys = cids[rank], keys[rank]
    scores = dict(zip(cids.tolist(), scored.scores.tolist(), strict=True))
    relevance = dict(zip(cids.tolist(), scored.relevance.tolist(), strict=True))
    lift = kb.feedback.boosts(qvec) if boosts and kb.feedback is not None else {}
    picks = first_per_record(order, okeys)
    clock.lap("rank")
    found = best_records(kb.db, picks, k + BOOST_POOL if lift else k, role, filters)
    clock.lap("records")
    if lift:
        found.sort(key=lambda f: -(scores[f[0]] + lift.get(f[2].id, 0.0)))
        found = found[:k]
    floor_rel = prof.min_score(language, size)
    hits = []
    for cid, text, doc in found:
        hit = make_hit(doc, cid, text, tokens, scores, cos, lex_set)
        hit.score += lift.get(doc.id, 0.0)
        hit.relevance = relevance[cid]
        hit.weak = relevance[cid] < floor_rel
        hits.append(hit)
    clock.lap("snippets")
    counts = None
    if facets:
        relevant = order[scored.relevance[rank] >= floor_rel][:FACET_DEPTH]
        with kb.lock:
            counts = facet_counts(replica.fields, relevant, facets)
        clock.lap("facets")
    no_match = not hits or all(h.weak for h in hits)
    return SearchResult(
        hits,
        no_match,
        language,
        facets=counts,
        best_dense=scored.best_dense,
        best_r=scored.best_r,
        space_size=size,
        timings=clock.laps,
        vector=qvec,
    )


class _Clock:
    """Seconds per stage of one search, each lap from the end of the one before."""

    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.laps[stage] = self.laps.get(stage, 0.0) + now - self._last
        self._last = now


__all__ = [
    "HIT_COLUMNS",
    "LEXICAL_WEIGHT",
    "RecordView",
    "SearchFilters",
    "SearchHit",
    "SearchResult",
    "Source",
    "dense_candidates",
    "full_search",
    "fuse",
    "hybrid_search",
    "lexical_candidates",
    "search_with_vector",
]
