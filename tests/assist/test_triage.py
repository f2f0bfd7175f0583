"""Case triage: urgency from a small English and Chinese lexicon, a proposed priority, category."""

from __future__ import annotations

import pytest

from kcrm.assist.triage import SIGNALS, triage, urgency
from kcrm.knowledge.kb import KnowledgeBase
from kcrm.knowledge.records import KnowledgeRecord, Parsed


@pytest.mark.parametrize(
    ("text", "priority"),
    [
        ("Someone I don't know is using my card, there are payments I never made.", "urgent"),
        ("My card was stolen at the station this morning.", "urgent"),
        ("我的卡被盗刷了，好几笔陌生消费。", "urgent"),
        ("The ATM swallowed my card.", "high"),
        ("I was charged twice for the same coffee.", "high"),
        ("卡被ATM吞了。", "high"),
        ("My new card has not been delivered yet, it has been ten days.", "normal"),
        ("The app is slow when I open my statements.", "normal"),
        ("How do I change my address?", "low"),
        ("请问汇率是多少？", "low"),
        ("A letter about my savings would be nice, no rush.", "low"),
        ("需要开一份证明，不着急。", "low"),
        ("问这张卡在泰国能不能用。", "low"),
    ],
)
def test_priorities_follow_the_signals(text: str, priority: str) -> None:
    score, sentiment, proposed, signals = urgency(text)
    assert proposed == priority, (text, score, signals)
    assert 0.0 <= score <= 1.0 and -1.0 <= sentiment <= 1.0


def test_distress_lowers_sentiment_and_calm_words_count_for_nothing() -> None:
    angry = urgency("Third time I call, this is ridiculous and unacceptable!!")
    calm = urgency("Thanks, great service, just a question about fees.")
    assert angry[1] < 0 < calm[1]
    assert angry[2] == "high" and calm[2] == "low"
    # "not urgent" holds "urgent": the phrase is taken out before anything is matched.
    assert "time×1" not in urgency("This is not urgent: how do I order a spare card?")[3]


def test_the_lexicon_has_every_kind_in_both_languages() -> None:
    assert {"threat", "loss", "money", "time", "distress", "question", "calm"} <= set(SIGNALS)
    assert all(sig.zh and sig.en.pattern for sig in SIGNALS.values())
    assert SIGNALS["question"].weight < 0 < SIGNALS["threat"].weight


def test_triage_adds_the_suggestion_category_and_language(kb: KnowledgeBase) -> None:
    record = {
        "id": "case-1",
        "kind": "case",
        "body": "My card was swallowed by the ATM",
        "category": "card_swallowed",
        "resolution": "Ordered a replacement card",
    }
    kb.ingest([Parsed(KnowledgeRecord.model_validate(record), "t", 1)])
    result = triage(kb, "My card was swallowed by the ATM")
    assert (result.category, result.language, result.priority) == ("card_swallowed", "en", "high")
    assert result.confidence is not None and result.signals
    assert triage(kb, "我的卡被盗刷了").language == "zh"
