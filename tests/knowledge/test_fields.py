"""Record fields inside the indexes: the field store, tantivy's filter fields, the replica."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from kcrm.core.config import Settings
from kcrm.knowledge.embedders.hash import HashEmbedder
from kcrm.knowledge.index.fields import ChunkFields, FieldFilter, FieldStore
from kcrm.knowledge.index.lexical import TantivyLexicalIndex
from kcrm.knowledge.index.replica import LAYOUT, STATE_FILE
from kcrm.knowledge.kb import KnowledgeBase
from kcrm.knowledge.results import facet_counts, first_per_record
from kcrm.knowledge.search import SearchFilters, lexical_candidates
from kcrm.knowledge.text.tokens import index_terms, tokenize
from tests.conftest import faq, write_jsonl

FIELDS = [
    ChunkFields("en", "faq", "cards", ("a", "b"), ("p1",), 100),
    ChunkFields("zh", "faq", "cards", (), (), 200),
    ChunkFields("en", "article", "fees", ("b",), ("p2",), 300),
]


def test_field_store_masks_every_restriction_and_survives_a_save(tmp_path: Path) -> None:
    store = FieldStore()
    store.set([3, 2000, 7], FIELDS)  # ids beyond the first block grow the arrays

    def ids(flt: FieldFilter) -> list[int]:
        return np.flatnonzero(store.mask(flt)).tolist()

    assert ids(FieldFilter()) == [3, 7, 2000]
    assert ids(FieldFilter(language="zh")) == [2000]
    assert ids(FieldFilter(kinds=("faq",), categories=("cards",))) == [3, 2000]
    assert ids(FieldFilter(tags=("b",))) == [3, 7]
    assert ids(FieldFilter(product="p2")) == [7]
    assert ids(FieldFilter(created_after=150, created_before=300)) == [2000]
    assert ids(FieldFilter(categories=("unknown",))) == []
    store.save(tmp_path / "f.npz")
    loaded = FieldStore.load(tmp_path / "f.npz")
    assert np.array_equal(
        loaded.mask(FieldFilter(tags=("b",))), store.mask(FieldFilter(tags=("b",)))
    )
    assert loaded.language_of([3, 2000, 5, 10**9]) == ["en", "zh", None, None]
    version = store.version
    store.discard([3])
    assert store.version > version and ids(FieldFilter(tags=("a",))) == []


def test_tantivy_filters_restrict_without_changing_scores() -> None:
    ix = TantivyLexicalIndex(None)
    ix.add([3, 2000, 7], [["card", "fee"], ["card"], ["card", "fee", "fee"]], [True] * 3, FIELDS)
    ix.commit()
    plain_scores, plain_ids = ix.search(["card", "fee"], 10)
    scores, ids = ix.search(["card", "fee"], 10, where=FieldFilter(language="en"))
    assert set(ids.tolist()) == {3, 7}
    assert {int(i): float(s) for s, i in zip(scores, ids, strict=True)} == {
        int(i): float(s) for s, i in zip(plain_scores, plain_ids, strict=True) if i != 2000
    }
    assert ix.search(["card"], 10, where=FieldFilter(tags=("a",)))[1].tolist() == [3]
    assert ix.search(["card"], 10, where=FieldFilter(created_before=200))[1].tolist() == [3]
    assert ix.doc_freqs(["card", "fee", "zzz"]) == (3, [3, 2, 0])
    assert dict(ix.terms()) == {"card": 3, "fee": 2}


def test_an_index_of_an_older_layout_is_rebuilt_on_open(settings: Settings, tmp_path: Path) -> None:
    embedder = HashEmbedder(64, "hash-64")
    with KnowledgeBase.open(settings, embedder=embedder) as kb:
        kb.ingest_files(
            [write_jsonl(tmp_path / "a.jsonl", [faq("f1", "Cards", "card", language="en")])]
        )
    state_file = settings.index_dir / STATE_FILE
    state = json.loads(state_file.read_text())
    assert state["layout"] == LAYOUT
    del state["layout"]  # as an older kcrm saved it
    state_file.write_text(json.dumps(state))
    with KnowledgeBase.open(settings, embedder=embedder) as kb:
        assert kb.status()["consistent"]
        hits = kb.search("card", k=5, filters=SearchFilters(language="en"))
        assert [h.id for h in hits] == ["f1"]


def test_cached_filter_bitmaps_follow_new_records(kb: KnowledgeBase, tmp_path: Path) -> None:
    kb.ingest_files([write_jsonl(tmp_path / "a.jsonl", [faq("z1", "", "银行卡", language="zh")])])
    zh = SearchFilters(language="zh")
    assert [h.id for h in kb.search("银行卡", k=5, role="customer", filters=zh)] == ["z1"]
    kb.ingest_files(
        [write_jsonl(tmp_path / "b.jsonl", [faq("z2", "", "银行卡丢了", language="zh")])]
    )
    assert {h.id for h in kb.search("银行卡", k=5, role="customer", filters=zh)} == {"z1", "z2"}


def test_a_broad_filter_applied_afterwards_gives_what_filtering_inside_gives(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    records = [faq(f"en-{i}", "", f"card fee number {i}", language="en") for i in range(40)]
    records += [faq(f"zh-{i}", "", f"card 银行卡 {i}", language="zh") for i in range(10)]
    kb.ingest_files([write_jsonl(tmp_path / "r.jsonl", records)])
    terms = index_terms(tokenize("card fee"))
    for where in (FieldFilter(language="en"), FieldFilter(language="zh"), FieldFilter()):
        allowed = kb.replica.allowed(True, where)
        for depth in (5, 50):
            got = lexical_candidates(kb.replica, terms, depth, True, where, allowed)
            inside = kb.replica.lexical.search(terms, depth, public_only=True, where=where)
            assert got[1].tolist() == inside[1].tolist()
            assert np.allclose(got[0], inside[0])


def test_record_keys_group_the_chunks_of_one_record(tmp_path: Path) -> None:
    store = FieldStore()
    store.set(
        [1, 2, 3, 4],
        [
            ChunkFields("en", "article", "fees", record="a1"),
            ChunkFields("en", "article", "fees", record="a1"),
            ChunkFields("en", "faq", "cards", record="f1"),
            ChunkFields("zh", "faq", "cards", record=""),  # not known: a record of its own
        ],
    )
    keys = store.record_keys([1, 2, 3, 4, 99])
    assert keys[0] == keys[1] and len({int(k) for k in keys[1:]}) == 4
    order = np.array([3, 2, 4, 1, 99], dtype=np.int64)
    assert first_per_record(order, store.record_keys(order)).tolist() == [3, 2, 4, 99]
    facets = facet_counts(store, order, ("kind", "category", "language"))
    assert facets["kind"] == [{"value": "faq", "count": 2}, {"value": "article", "count": 1}]
    assert facets["language"] == [{"value": "en", "count": 2}, {"value": "zh", "count": 1}]
    store.save(tmp_path / "f.npz")
    assert np.array_equal(FieldStore.load(tmp_path / "f.npz").record_keys([1, 2]), keys[:2])
    store.discard([1])
    assert store.record_keys([1])[0] == -2  # gone: no longer grouped with its record


def test_a_field_store_saved_without_records_gets_them_on_open(
    settings: Settings, tmp_path: Path
) -> None:
    embedder = HashEmbedder(64, "hash-64")
    records = [faq(f"f{i}", f"Card {i}", "card " * 5) for i in range(3)]
    with KnowledgeBase.open(settings, embedder=embedder) as kb:
        kb.ingest_files([write_jsonl(tmp_path / "a.jsonl", records)])
        ids = kb.replica.vectors.ids()
        want = kb.replica.fields.record_keys(ids)
    fields_file = settings.index_dir / "fields.npz"
    with np.load(fields_file) as z:  # as an older kcrm saved it: no "record" array
        arrays = {name: z[name] for name in z.files if name != "record"}
    np.savez(fields_file, **arrays)  # type: ignore[arg-type]
    with KnowledgeBase.open(settings, embedder=embedder) as kb:
        assert np.array_equal(kb.replica.fields.record_keys(ids), want)
        assert kb.replica.fields.missing_records().size == 0
