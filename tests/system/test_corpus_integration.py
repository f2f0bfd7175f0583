"""The real packaged model and the real demo corpus, as a new user would run them."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from kcrm.core.config import Settings
from kcrm.core.tables import Document
from kcrm.crm.loader import count_records, load_paths
from kcrm.knowledge.embedders.base import Embedder
from kcrm.knowledge.kb import KnowledgeBase
from tests.conftest import ROOT, faq, write_jsonl

pytestmark = pytest.mark.model
CORPUS = ROOT / "corpus"


def lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


class Counting(Embedder):
    """Wraps the real model and counts what it embeds."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.batch_size = inner.batch_size
        self.embedded = 0

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        self.embedded += len(texts)
        return self.inner.embed_batch(texts)


@pytest.fixture(scope="module")
def corpus_kb(tmp_path_factory: pytest.TempPathFactory, real_embedder: Embedder):  # type: ignore[no-untyped-def]
    settings = Settings(data_dir=tmp_path_factory.mktemp("corpus") / "data")
    emb = Counting(real_embedder)
    kb = KnowledgeBase.open(settings, embedder=emb)
    first, tables = load_paths(kb, [CORPUS])
    yield kb, emb, first, tables
    kb.close()


def test_corpus_loads_completely_and_consistently(corpus_kb) -> None:  # type: ignore[no-untyped-def]
    kb, _, first, tables = corpus_kb
    expected = count_records([CORPUS])
    assert first.added == expected and not first.rejected
    status = kb.status()
    assert status["documents"] == expected
    assert status["consistent"] is True
    assert status["customers"] == len(lines(CORPUS / "crm/customers.csv")) - 1
    assert status["products"] == len(lines(CORPUS / "crm/products.csv")) - 1
    assert status["purchases"] == tables["purchases"].added and not tables["purchases"].rejected
    published = status["documents_by_status"]["published"]
    assert status["vectors"] == status["indexed_chunks"] >= published


def test_reingesting_the_corpus_embeds_nothing(corpus_kb) -> None:  # type: ignore[no-untyped-def]
    kb, emb, first, _ = corpus_kb
    before = emb.embedded
    again, tables = load_paths(kb, [CORPUS])
    assert again.unchanged == first.added and again.added == again.updated == 0
    assert all(t.unchanged and not (t.added or t.updated) for t in tables.values())
    assert emb.embedded == before


def test_new_faq_is_found_by_a_paraphrase_then_deleted(corpus_kb, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    kb, _, _, _ = corpus_kb
    new = faq(
        "faq-pet-insurance",
        "Do you offer pet insurance?",
        "Yes. Kestrel Pet Cover pays vet bills for cats and dogs up to GBP 4,000 a year.",
    )
    load_paths(kb, [write_jsonl(tmp_path / "new.jsonl", [new])])
    hits = kb.search("can I insure my dog against vet costs", k=3, role="customer")
    assert hits[0].id == "faq-pet-insurance"
    kb.delete(["faq-pet-insurance"])
    assert all(h.id != "faq-pet-insurance" for h in kb.search("insure my dog vet costs", k=10))
    assert kb.status()["consistent"] is True


def test_customer_search_of_case_text_returns_only_public(corpus_kb) -> None:  # type: ignore[no-untyped-def]
    kb, _, _, _ = corpus_kb
    cases = [json.loads(line) for line in lines(CORPUS / "knowledge/cases.jsonl")][:40]
    with kb.db.session() as s:
        public_ids = {
            d.id for d in s.query(Document).filter_by(visibility="public", status="published")
        }
    for case in cases:
        for hit in kb.search(case["body"], k=10, role="customer"):
            assert hit.id in public_ids


def test_pii_in_cases_stays_internal_and_chinese_queries_match(corpus_kb) -> None:  # type: ignore[no-untyped-def]
    kb, _, _, _ = corpus_kb
    hits = kb.search("我的卡什么时候到", k=5, role="customer")
    assert hits and hits[0].language == "zh"
    for hit in kb.search("example.com 7700 900", k=20, role="customer"):
        assert "@example.com" not in hit.snippet
