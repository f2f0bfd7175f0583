"""Ingest, update, delete and recovery of the knowledge base, with the exact fake embedder."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select

from kcrm.core.config import Settings
from kcrm.core.db import Database
from kcrm.core.tables import Case, Chunk, Document, Interaction
from kcrm.knowledge.embedders.hash import HashEmbedder
from kcrm.knowledge.index.replica import IndexReplica
from kcrm.knowledge.ingest import Ingestor
from kcrm.knowledge.kb import KnowledgeBase
from kcrm.knowledge.records import read_path
from tests.conftest import faq, write_jsonl


class CountingEmbedder(HashEmbedder):
    """The fake embedder, counting the texts it was asked to embed."""

    def __init__(self) -> None:
        super().__init__(64, "hash-64")
        self.embedded = 0

    def embed_batch(self, texts):  # type: ignore[no-untyped-def]
        self.embedded += len(texts)
        return super().embed_batch(texts)


FAQS = [
    faq("faq-card", "When will my card arrive?", "New cards arrive within 3 to 5 working days."),
    faq("faq-pin", "How do I unblock my PIN?", "Go to an ATM and choose PIN services."),
    faq("faq-fx", "What exchange rate do you use?", "We use the interbank exchange rate."),
]


def ingest(kb: KnowledgeBase, tmp_path: Path, records: list[dict], name: str = "r.jsonl"):  # type: ignore[no-untyped-def]
    return kb.ingest_files([write_jsonl(tmp_path / name, records)])


def test_ingest_then_reingest_is_unchanged_and_embeds_nothing(
    settings: Settings, tmp_path: Path
) -> None:
    emb = CountingEmbedder()
    with KnowledgeBase.open(settings, embedder=emb) as kb:
        first = ingest(kb, tmp_path, FAQS)
        assert (first.added, first.updated, first.unchanged) == (3, 0, 0)
        embedded = emb.embedded
        again = ingest(kb, tmp_path, FAQS)
        assert (again.added, again.updated, again.unchanged) == (0, 0, 3)
        assert emb.embedded == embedded
        status = kb.status()
    assert status["documents"] == 3 and status["vectors"] == 3 and status["lexical_entries"] == 3
    assert status["consistent"] is True


def test_changed_record_replaces_its_chunks_in_both_indexes(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    ingest(kb, tmp_path, FAQS)
    with kb.db.session() as s:
        old_ids = set(s.scalars(select(Chunk.id).where(Chunk.document_id == "faq-card")))
    changed = faq(
        "faq-card", "When will my card arrive?", "Plastic cards are posted by courier overnight."
    )
    report = ingest(kb, tmp_path, [changed], "u.jsonl")
    assert report.updated == 1
    with kb.db.session() as s:
        doc = s.get(Document, "faq-card")
        assert doc is not None and doc.version == 2
        new_ids = set(s.scalars(select(Chunk.id).where(Chunk.document_id == "faq-card")))
    assert not old_ids & new_ids
    assert not old_ids & set(kb.replica.vectors.ids().tolist())
    assert not old_ids & set(kb.replica.lexical.ids().tolist())
    assert kb.search("courier overnight", k=1)[0].id == "faq-card"
    assert kb.replica.lexical.search(["working"], 5)[1].size == 0
    assert kb.status()["consistent"]


def test_metadata_change_reuses_the_embedding(settings: Settings, tmp_path: Path) -> None:
    emb = CountingEmbedder()
    with KnowledgeBase.open(settings, embedder=emb) as kb:
        ingest(kb, tmp_path, FAQS)
        before = emb.embedded
        report = ingest(kb, tmp_path, [{**FAQS[0], "tags": ["cards"]}], "t.jsonl")
        assert report.updated == 1 and report.reused_chunks == 1 and report.embedded_chunks == 0
        assert emb.embedded == before


def test_delete_removes_from_database_and_both_indexes(kb: KnowledgeBase, tmp_path: Path) -> None:
    ingest(kb, tmp_path, FAQS)
    deleted, missing = kb.delete(["faq-pin", "no-such-id"])
    assert deleted == ["faq-pin"] and missing == ["no-such-id"]
    assert all(h.id != "faq-pin" for h in kb.search("unblock PIN ATM", k=5))
    status = kb.status()
    assert status["documents"] == 2 and status["vectors"] == 2 and status["consistent"]


def test_public_records_are_redacted_internal_cases_are_not(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    records = [
        faq("faq-contact", "Contact us", "Write to help@example.com or call +44 7700 900123."),
        {
            "id": "case-1",
            "kind": "case",
            "title": "Lost card",
            "body": "I lost my card, reach me at bob@example.com or +44 7700 900456.",
            "resolution": "Froze the card and sent a new one.",
            "category": "lost_or_stolen_card",
        },
    ]
    ingest(kb, tmp_path, records)
    with kb.db.session() as s:
        public = s.get(Document, "faq-contact")
        case = s.get(Document, "case-1")
        assert public is not None and case is not None
        assert "help@example.com" not in public.body and "[EMAIL]" in public.body
        assert "900123" not in public.body and "[PHONE]" in public.body
        chunk_text = s.scalars(select(Chunk.text).where(Chunk.document_id == "faq-contact")).one()
        assert "help@example.com" not in chunk_text
        assert "bob@example.com" in case.body
    hit = kb.search("contact us", k=1, role="customer")[0]
    assert hit.id == "faq-contact" and "[EMAIL]" in hit.snippet


def test_customer_role_never_sees_internal_or_unpublished(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    records = [
        *FAQS,
        {"id": "case-9", "kind": "case", "body": "my card has not arrived after 3 weeks"},
        {"id": "runbook", "kind": "article", "body": "Card arrival escalation runbook"},
        faq("faq-draft", "Card arrival draft", "card arrive draft text", status="draft"),
    ]
    ingest(kb, tmp_path, records)
    for query in ("card arrive", "my card has not arrived after 3 weeks", "escalation runbook"):
        ids = {h.id for h in kb.search(query, k=20, role="customer")}
        assert ids <= {"faq-card", "faq-pin", "faq-fx"}
    agent_ids = {h.id for h in kb.search("my card has not arrived after 3 weeks", k=20)}
    assert "case-9" in agent_ids and "faq-draft" not in agent_ids


def test_publishing_a_draft_makes_it_searchable(kb: KnowledgeBase, tmp_path: Path) -> None:
    draft = faq("faq-new", "Virtual cards", "Virtual cards work instantly online.", status="draft")
    ingest(kb, tmp_path, [draft])
    assert kb.search("virtual cards instantly", k=5) == []
    assert kb.status()["vectors"] == 0
    ingest(kb, tmp_path, [{**draft, "status": "published"}], "p.jsonl")
    assert kb.search("virtual cards instantly", k=5)[0].id == "faq-new"
    ingest(kb, tmp_path, [{**draft, "status": "archived"}], "a.jsonl")
    assert kb.search("virtual cards instantly", k=5) == []
    assert kb.status()["consistent"]


def test_same_id_twice_in_one_run_keeps_the_last(kb: KnowledgeBase, tmp_path: Path) -> None:
    a = faq("dup", "First", "first version")
    b = faq("dup", "Second", "second version")
    report = ingest(kb, tmp_path, [a, b])
    assert (report.added, report.updated) == (1, 1)
    with kb.db.session() as s:
        doc = s.get(Document, "dup")
        assert doc is not None and doc.title == "Second"
    assert kb.status()["vectors"] == 1


def test_cases_and_interactions_fill_the_crm_tables(kb: KnowledgeBase, tmp_path: Path) -> None:
    records = [
        {
            "id": "case-1",
            "kind": "case",
            "title": "Card late",
            "body": "card not here",
            "resolution": "Reissued",
            "category": "card_arrival",
            "article_id": "faq-card",
            "customer_id": "cust-1",
            "channel": "chat",
            "created_at": "2026-01-02T10:00:00Z",
            "closed_at": "2026-01-03T10:00:00Z",
        },
        {
            "id": "int-1",
            "kind": "interaction",
            "body": "Customer chased the card",
            "customer_id": "cust-1",
            "channel": "phone",
            "direction": "inbound",
            "case_id": "case-1",
        },
    ]
    ingest(kb, tmp_path, records)
    with kb.db.session() as s:
        case = s.get(Case, "case-1")
        inter = s.get(Interaction, "int-1")
        assert case is not None and case.status == "closed"
        assert case.resolution_category == "card_arrival" and case.closed_at is not None
        assert inter is not None and inter.case_id == "case-1" and inter.channel == "phone"
    kb.delete(["case-1"])
    with kb.db.session() as s:
        assert s.get(Case, "case-1") is None


def test_crash_after_commit_is_repaired_by_replay(settings: Settings, tmp_path: Path) -> None:
    kb = KnowledgeBase.open(settings, embedder=HashEmbedder(64, "hash-64"))
    ingest(kb, tmp_path, FAQS)
    kb.replica.save()
    # Simulate a crash: the database has the change, the saved index files do not.
    kb.ingest_files([write_jsonl(tmp_path / "more.jsonl", [faq("faq-late", "Late", "late text")])])
    kb.delete(["faq-fx"])
    kb.replica.lexical.close()
    kb.db.dispose()
    with KnowledgeBase.open(settings, embedder=HashEmbedder(64, "hash-64")) as reopened:
        status = reopened.status()
        assert status["consistent"] and status["vectors"] == 3
        assert reopened.search("late text", k=1)[0].id == "faq-late"


def test_reindex_rebuilds_without_reembedding(settings: Settings, tmp_path: Path) -> None:
    emb = CountingEmbedder()
    with KnowledgeBase.open(settings, embedder=emb) as kb:
        ingest(kb, tmp_path, FAQS)
    before = emb.embedded
    with KnowledgeBase.open(settings, embedder=emb, for_rebuild=True) as kb:
        assert kb.reindex() == 3
        assert kb.status()["consistent"] and emb.embedded == before


def test_model_change_reembeds_on_reindex(settings: Settings, tmp_path: Path) -> None:
    with KnowledgeBase.open(settings, embedder=HashEmbedder(64, "hash-64")) as kb:
        ingest(kb, tmp_path, FAQS)
    other = HashEmbedder(32, "hash-32")
    with KnowledgeBase.open(settings, embedder=other, for_rebuild=True) as kb:
        kb.reindex()
        assert kb.status()["consistent"]
        assert kb.replica.vectors.dim == 32
        assert kb.search("exchange rate", k=1)[0].id == "faq-fx"


def test_long_article_is_chunked_and_found_by_its_section(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    filler = " ".join(f"General sentence {i} about the bank." for i in range(60))
    crypto = "Bitcoin and ether can be bought in the app."
    body = f"# Guide\n\n## Overview\n\n{filler}\n\n## Crypto\n\n{crypto}"
    ingest(kb, tmp_path, [faq("kb-long", "Long guide", body, kind="article")])
    with kb.db.session() as s:
        chunks = s.scalars(select(Chunk).where(Chunk.document_id == "kb-long")).all()
        assert len(chunks) > 1
        vec = np.frombuffer(chunks[0].embedding or b"", dtype=np.float32)
        assert vec.shape == (64,)
    hits = kb.search("bitcoin ether", k=1)
    assert hits[0].id == "kb-long" and "Bitcoin" in hits[0].snippet


class FailingEmbedder(HashEmbedder):
    """The fake embedder, failing on its `fail_on`-th batch."""

    def __init__(self, fail_on: int) -> None:
        super().__init__(64, "hash-64")
        self.calls = 0
        self.fail_on = fail_on

    def embed_batch(self, texts):  # type: ignore[no-untyped-def]
        self.calls += 1
        if self.calls == self.fail_on:
            raise RuntimeError("model crashed")
        return super().embed_batch(texts)


def test_a_failed_batch_keeps_every_batch_before_it(tmp_path: Path) -> None:
    # Batches are pipelined (one embeds while the one before it is stored): a failure
    # must still leave exactly the earlier batches stored, and a re-run completes it.
    settings = Settings(data_dir=tmp_path / "data", ingest_batch_records=2)
    records = [faq(f"r{i}", f"Question {i}", f"answer number {i} about cards") for i in range(10)]
    path = write_jsonl(tmp_path / "r.jsonl", records)
    with KnowledgeBase.open(settings, embedder=FailingEmbedder(fail_on=3)) as kb:
        try:
            kb.ingest_files([path])
        except RuntimeError as exc:
            assert "model crashed" in str(exc)
        else:
            raise AssertionError("the embedding failure was swallowed")
        with kb.db.session() as s:
            stored = sorted(s.scalars(select(Document.id)).all())
        assert stored == ["r0", "r1", "r2", "r3"]
    with KnowledgeBase.open(settings, embedder=HashEmbedder(64, "hash-64")) as kb:
        report = kb.ingest_files([path])
        assert (report.unchanged, report.added) == (4, 6)
        assert kb.status()["vectors"] == 10
        assert [h.id for h in kb.search("answer number 7 about cards", k=1)] == ["r7"]


def test_public_ids_are_saved_with_the_indexes_and_replayed(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    records = [*FAQS, {"id": "case-9", "kind": "case", "body": "card not arrived, 3 weeks"}]
    with KnowledgeBase.open(settings, embedder=HashEmbedder(64, "hash-64")) as kb:
        ingest(kb, tmp_path, records)
        public = {c for c in range(1000) if c in kb.replica.public}
    assert len(public) == 3  # the three FAQs' chunks, not the case's
    # Another process (no replica here) makes one FAQ internal after the save:
    # the reopened replica must replay that from the log onto the saved ids.
    db = Database(settings)
    path = write_jsonl(tmp_path / "s.jsonl", [{**FAQS[0], "visibility": "internal"}])
    Ingestor(db, HashEmbedder(64, "hash-64"), settings).ingest(read_path(path))
    db.dispose()

    def no_rebuild(self: object, progress: object = None) -> int:
        raise AssertionError("indexes rebuilt from the database")

    monkeypatch.setattr(IndexReplica, "rebuild", no_rebuild)
    with KnowledgeBase.open(settings, embedder=HashEmbedder(64, "hash-64")) as kb:
        assert len({c for c in range(1000) if c in kb.replica.public}) == 2
        ids = {h.id for h in kb.search("card arrive", k=10, role="customer")}
        assert ids <= {"faq-pin", "faq-fx"}
        assert "faq-card" in {h.id for h in kb.search("card arrive", k=10)}


def test_same_id_twice_in_a_file_ingested_again_keeps_the_last(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    # The second run compares each version with what the first stored: the earlier
    # version must be written before the later one is compared, pipelining or not.
    records = [faq("dup", "First", "first version"), faq("dup", "Second", "second version")]
    ingest(kb, tmp_path, records)
    ingest(kb, tmp_path, records)
    with kb.db.session() as s:
        doc = s.get(Document, "dup")
        assert doc is not None and doc.title == "Second"
