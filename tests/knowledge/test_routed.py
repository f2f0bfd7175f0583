"""A second embedding model for the languages the main one does not cover (Chinese -> USE).

Fakes stand in for both models (a hash embedder named like the English-only MiniLM,
another named like USE), so vectors are exact; the real pair is checked once
(`model` mark) on the issue's example.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kcrm.core.config import DEFAULT_EMBEDDING_MODEL, Settings
from kcrm.knowledge.embedders.factory import configured_embedder
from kcrm.knowledge.embedders.hash import HashEmbedder
from kcrm.knowledge.embedders.routed import RoutedEmbedder, basis
from kcrm.knowledge.index.fields import FieldFilter
from kcrm.knowledge.kb import KnowledgeBase
from kcrm.knowledge.relevance import profile
from kcrm.knowledge.search import same_space
from tests.conftest import faq, write_jsonl

EN_TEXTS = ["How do I top up my account", "My card was declined"]
ZH_TEXTS = ["如何给账户充值", "银行卡丢了怎么办"]


def fakes() -> RoutedEmbedder:
    main = HashEmbedder(64, DEFAULT_EMBEDDING_MODEL)  # profiled as English only
    second = HashEmbedder(32, "usem3")  # narrower than the main: padded, not projected
    return RoutedEmbedder(main, second, sorted(profile(f"{main.name}+usem3").second))


def test_each_text_is_embedded_by_the_model_of_its_language() -> None:
    routed = fakes()
    assert routed.name == "all-MiniLM-L6-v2+usem3" and routed.dim == 64
    vectors = routed.encode(EN_TEXTS + ZH_TEXTS)
    # English: the main model's vectors, bit for bit.
    assert np.array_equal(vectors[:2], routed.main.encode(EN_TEXTS))
    # Chinese: the second model's, padded to the main width (unit length kept).
    second = routed.second.encode(ZH_TEXTS)
    assert np.allclose(vectors[2:, :32], second, atol=1e-6)
    assert not vectors[2:, 32:].any()
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    # A query gets the row its text gets in a batch, whichever model embeds it.
    assert np.allclose(routed.encode_query(ZH_TEXTS[1]), vectors[3], atol=1e-6)
    assert np.allclose(routed.encode_queries(EN_TEXTS[:1])[0], vectors[0], atol=1e-6)
    assert routed.encode([]).shape == (0, 64)


def test_a_wider_second_model_is_projected_onto_its_principal_directions() -> None:
    projection = basis(512, 384)
    assert projection.shape == (512, 384)
    # The directions are orthonormal, so the map keeps lengths of vectors inside their span.
    assert np.allclose(projection.T @ projection, np.eye(384), atol=2e-3)
    assert np.array_equal(basis(32, 64)[:, :32], np.eye(32, dtype=np.float32))


def test_the_profile_tells_which_cosines_compare() -> None:
    routed = profile("all-MiniLM-L6-v2+usem3")
    assert routed.covers("zh") and "zh" in routed.second and "en" not in routed.second
    assert routed.comparable("zh", "zh") and routed.comparable("en", "en")
    # A Chinese query's USE vector against an English record's MiniLM one means nothing.
    assert not routed.comparable("zh", "en") and not routed.comparable("en", "zh")
    assert not routed.comparable("xx", "xx")  # a language neither model covers
    # English keeps MiniLM's calibration; Chinese has its own (USE's projected cosine).
    assert routed.threshold("en") == profile("all-MiniLM-L6-v2").threshold("en")
    assert routed.threshold("zh") is not None
    # A pair the table does not know is made from its two models' entries.
    made = profile("some/unknown-model+usem3")
    assert made.second == routed.second and made.threshold("en") is None
    assert made.threshold("zh") == profile("usem3").threshold("zh")
    assert made.lexical_weight("zh") == profile("usem3").lexical_weight("zh")
    assert profile("all-MiniLM-L6-v2+kcrm-v2+usem3").second == routed.second
    # What the main model is configured to cover is not handed over.
    assert "de" not in profile("all-MiniLM-L6-v2+usem3", ["en", "de"]).second


def test_the_configured_default_hands_chinese_to_use(settings: Settings) -> None:
    assert configured_embedder(settings).name == "hash-64"  # the fake covers every language
    off = settings.model_copy(update={"embedding_second_model": ""})
    assert configured_embedder(off).name == "hash-64"


@pytest.fixture
def routed_kb(settings: Settings, tmp_path: Path) -> KnowledgeBase:
    kb = KnowledgeBase.open(settings, embedder=fakes())
    records = [
        faq("en-topup", "Top up", "How do I top up my account", language="en"),
        faq("en-card", "Declined", "My card was declined", language="en"),
        faq("zh-topup", "", "如何给账户充值", language="zh"),
        faq("zh-lost", "", "银行卡丢了怎么办", language="zh"),
        faq("zh-rate", "", "利息怎么算", language="zh"),
    ]
    kb.ingest_files([write_jsonl(tmp_path / "r.jsonl", records)])
    return kb


def test_a_chinese_query_ranks_chinese_records_by_the_second_model(
    routed_kb: KnowledgeBase,
) -> None:
    with routed_kb as kb:
        assert kb.profile.comparable("zh", "zh")
        # The dense side of a Chinese query sees Chinese records only.
        near = same_space(kb.replica, kb.profile, "zh", True, FieldFilter(), kb.replica.public)
        assert near is not None
        _, ids = kb.replica.vectors.search(kb.embed_query("如何给账户充值")[None, :], 10, near)
        languages = set(kb.replica.fields.language_of([i for i in ids[0].tolist() if i >= 0]))
        assert languages == {"zh"}
        result = kb.search_full("如何给账户充值", k=3, role="customer")
        assert result.hits[0].id == "zh-topup" and not result.no_match
        # Its cosine is the second model's: the same text, so the same vector.
        assert result.hits[0].dense_score == pytest.approx(1.0, abs=1e-5)


def test_english_is_ranked_as_without_the_second_model(
    routed_kb: KnowledgeBase, settings: Settings, tmp_path: Path
) -> None:
    with routed_kb as kb:
        routed = [(h.id, round(h.score, 6)) for h in kb.search("top up my account", k=5)]
    # A store of its own (on PostgreSQL the test's database already holds the routed one).
    alone_settings = settings.model_copy(
        update={"data_dir": tmp_path / "alone", "database_url": ""}
    )
    main = HashEmbedder(64, DEFAULT_EMBEDDING_MODEL)
    with KnowledgeBase.open(alone_settings, embedder=main) as alone:
        records = [
            faq("en-topup", "Top up", "How do I top up my account", language="en"),
            faq("en-card", "Declined", "My card was declined", language="en"),
        ]
        alone.ingest_files([write_jsonl(tmp_path / "a.jsonl", records)])
        plain = [(h.id, round(h.score, 6)) for h in alone.search("top up my account", k=5)]
    assert routed[: len(plain)] == plain and routed[0][0] == "en-topup"


@pytest.mark.model
def test_the_real_pair_finds_the_chinese_faq(settings: Settings, tmp_path: Path) -> None:
    real = settings.model_copy(update={"embedding_model": DEFAULT_EMBEDDING_MODEL})
    embedder = configured_embedder(real)
    assert embedder.name == "all-MiniLM-L6-v2+usem3"
    with KnowledgeBase.open(real, embedder=embedder) as kb:
        records = [
            faq("zh-topup", "", "如何给账户充值？", language="zh"),
            faq("zh-lost", "", "银行卡丢了怎么办", language="zh"),
            faq("zh-limit", "", "怎么提高借款额度", language="zh"),
            faq("en-topup", "Top up", "How do I top up my account?", language="en"),
        ]
        kb.ingest_files([write_jsonl(tmp_path / "r.jsonl", records)])
        # The example: the English model's cosines used to bury it.
        assert kb.search("如何给账户充值", k=3)[0].id == "zh-topup"
        # A paraphrase sharing few characters: USE's cosine carries it.
        assert kb.search("我的卡找不到了", k=3)[0].id == "zh-lost"
        assert kb.search("How can I add money to my account?", k=3)[0].id == "en-topup"


def test_turning_the_second_model_on_re_embeds_only_what_it_takes_over(
    settings: Settings, tmp_path: Path
) -> None:
    from sqlalchemy import select

    from kcrm.core.tables import Chunk, Document

    def vectors(kb: KnowledgeBase) -> dict[str, tuple[bytes, str]]:
        with kb.db.session() as s:
            rows = s.execute(
                select(Document.id, Chunk.embedding, Chunk.embedding_model).join(Document)
            ).all()
        return {d: (blob, model) for d, blob, model in rows}

    routed = fakes()
    with KnowledgeBase.open(settings, embedder=routed.main) as kb:
        records = [
            faq("en-topup", "Top up", "How do I top up my account", language="en"),
            faq("zh-topup", "", "如何给账户充值", language="zh"),
        ]
        kb.ingest_files([write_jsonl(tmp_path / "r.jsonl", records)])
        before = vectors(kb)
        assert kb.use_embedder(routed) == 1  # the Chinese chunk only
        after = vectors(kb)
        assert {model for _, model in after.values()} == {routed.name}
        assert after["en-topup"][0] == before["en-topup"][0]
        assert after["zh-topup"][0] != before["zh-topup"][0]
        assert kb.search("如何给账户充值", k=1)[0].id == "zh-topup"
        # A trained version of the main model re-embeds the English chunk only.
        trained = RoutedEmbedder(
            HashEmbedder(64, "all-MiniLM-L6-v2+kcrm-v1"), routed.second, sorted(routed.languages)
        )
        assert kb.use_embedder(trained) == 1
        assert vectors(kb)["zh-topup"][0] == after["zh-topup"][0]
