"""Confidence on the demo knowledge base with the real model: paraphrases answered, off-topic not.

The paraphrases and off-topic questions are `bench/data/demo_paraphrases.jsonl`
(written for this, in other words than the demo's cases); docs/quality.md has
the figures these bounds sit under.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kcrm.assist.evaluate import evaluate_suggest, read_labelled
from kcrm.assist.suggest import suggest
from kcrm.assist.train import fit_assist
from kcrm.core.config import Settings
from kcrm.knowledge.embedders.base import Embedder
from kcrm.knowledge.kb import KnowledgeBase

pytestmark = pytest.mark.model
ROOT = Path(__file__).resolve().parents[2]
KNOWLEDGE = ROOT / "corpus" / "knowledge"
PARAPHRASES = ROOT / "bench" / "data" / "demo_paraphrases.jsonl"


@pytest.fixture(scope="module")
def demo_kb(tmp_path_factory: pytest.TempPathFactory, real_embedder: Embedder) -> Iterator[Any]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("demo-confidence") / "data")
    kb = KnowledgeBase.open(settings, embedder=real_embedder)
    report = kb.ingest_files(
        [KNOWLEDGE / "faqs.jsonl", KNOWLEDGE / "articles", KNOWLEDGE / "cases.jsonl"]
    )
    assert not report.rejected
    assert fit_assist(kb)["fitted"]
    yield kb
    kb.close()


def test_paraphrases_of_a_covered_question_get_its_answer(demo_kb: KnowledgeBase) -> None:
    plain = suggest(demo_kb, "The ATM kept my card.")
    assert plain.answerable and plain.suggestions[0].category == "card_swallowed"
    for text in (
        "card got stuck in the cash machine, what now?",
        "My card was swallowed by an ATM in Lisbon this morning and I need cash today",
    ):
        res = suggest(demo_kb, text)
        top = res.suggestions[0]
        assert res.answerable and top.category == "card_swallowed", (text, top.confidence)
        assert top.answer_source is not None and top.answer_source["kind"] == "faq"
        # Less sure than the plain form (the cases are said otherwise), never more.
        assert res.threshold <= top.confidence <= plain.suggestions[0].confidence


def test_off_topic_questions_are_withheld(demo_kb: KnowledgeBase) -> None:
    for text in ("what's the weather in Paris", "book me a table for two tonight"):
        assert not suggest(demo_kb, text).answerable, text


def test_the_paraphrase_set_is_answered_right_and_off_topic_withheld(
    demo_kb: KnowledgeBase,
) -> None:
    report = evaluate_suggest(demo_kb, read_labelled(PARAPHRASES))["suggest"]
    # Measured 0.532 right and answered, 0.971 withheld (0.394 / 0.971 before
    # the calibrator saw cases asked without their titles, as agents ask them).
    assert report["in_scope_accuracy"] >= 0.5
    assert report["oos_recall"] >= 0.9
