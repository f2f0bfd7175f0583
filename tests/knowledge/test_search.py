"""Hybrid search: the fusion's arithmetic, exact scores for every hit, the IVF exact fallback."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from kcrm.knowledge.index.vector import FaissVectorIndex, IdFilter
from kcrm.knowledge.kb import KnowledgeBase
from kcrm.knowledge.search import LEXICAL_WEIGHT, SearchFilters, dense_candidates, fuse
from tests.conftest import faq, write_jsonl


def test_lexical_boost_settles_near_ties_but_not_clear_dense_wins() -> None:
    dense = {1: 0.800, 2: 0.795, 3: 0.700}
    lexical = {2: 10.0, 3: 12.0}
    fused = fuse(dense, lexical)
    assert sorted(fused, key=lambda c: -fused[c]) == [2, 1, 3]
    assert fused[3] == dense[3] + LEXICAL_WEIGHT  # the best BM25 gets the whole boost
    assert fused[1] == dense[1]  # no lexical match, no boost
    assert fuse(dense, {}) == dense


def test_every_hit_has_its_exact_cosine_even_when_found_only_lexically(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    records = [faq(f"faq-{i}", f"Topic {i}", f"filler words number {i}") for i in range(60)]
    records.append(faq("faq-rare", "Zebra", "zebra"))
    kb.ingest_files([write_jsonl(tmp_path / "r.jsonl", records)])
    hits = kb.search("zebra filler", k=100)
    qvec = kb.embedder.encode_query("zebra filler")
    rare = next(h for h in hits if h.id == "faq-rare")
    expected = float(kb.embedder.encode_query("Zebra\nzebra") @ qvec)
    assert rare.dense_score is not None and abs(rare.dense_score - expected) < 1e-5
    assert rare.lexical_score is not None
    assert all(h.dense_score is not None for h in hits)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_case_hits_carry_resolution_and_filters_hold(kb: KnowledgeBase, tmp_path: Path) -> None:
    case = {
        "id": "case-1",
        "kind": "case",
        "body": "card never arrived",
        "category": "card_arrival",
        "resolution": "Reissued the card.",
        "article_id": "faq-card",
    }
    kb.ingest_files([write_jsonl(tmp_path / "r.jsonl", [case, faq("faq-card", "Cards", "card")])])
    hits = kb.search("card arrived", k=5, filters=SearchFilters(kinds=["case"]))
    assert [(h.id, h.resolution, h.article_id) for h in hits] == [
        ("case-1", "Reissued the card.", "faq-card")
    ]
    assert all(h.id != "case-1" for h in kb.search("card never arrived", k=5, role="customer"))


def test_ivf_search_with_a_selective_filter_is_exact() -> None:
    rng = np.random.default_rng(0)
    dim, n = 16, 3000
    vectors = rng.standard_normal((n, dim)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    index = FaissVectorIndex(dim, ivf_threshold=1000)
    index.add(np.arange(n, dtype=np.int64), vectors)
    assert index.is_ivf
    allowed_ids = rng.choice(n, 25, replace=False)
    allowed = IdFilter(int(i) for i in allowed_ids)
    query = vectors[allowed_ids[0]] + 0.5 * rng.standard_normal(dim).astype(np.float32)
    query /= np.linalg.norm(query)
    scores, ids = dense_candidates(index, query, 10, allowed)
    truth = allowed_ids[np.argsort(-(vectors[allowed_ids] @ query))][:10]
    assert ids.tolist() == truth.tolist()
    assert np.allclose(scores, vectors[truth] @ query, atol=1e-5)
    # Without a filter the normal probed search answers.
    assert dense_candidates(index, query, 10, None)[1].size == 10
