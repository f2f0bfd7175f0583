"""One contract every `LexicalIndex` passes: tantivy in memory and on disk."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from kcrm.knowledge.index.lexical import LexicalIndex, TantivyLexicalIndex

Factory = Callable[[Path], LexicalIndex]


def _memory(_: Path) -> LexicalIndex:
    return TantivyLexicalIndex(None)


def _disk(folder: Path) -> LexicalIndex:
    ix = TantivyLexicalIndex(folder / "lex")
    ix.acquire()
    return ix


@pytest.fixture(params=[_memory, _disk], ids=["tantivy-memory", "tantivy-disk"])
def index(request: pytest.FixtureRequest, tmp_path: Path) -> LexicalIndex:
    ix: LexicalIndex = request.param(tmp_path)
    ix.add(
        [1, 2, 3],
        [["card", "arrive", "late"], ["top", "up", "card", "fee"], ["银行卡", "丢失"]],
        [True, False, True],
    )
    ix.commit()
    return ix


def test_bm25_ranks_the_rarer_terms_match_first(index: LexicalIndex) -> None:
    scores, ids = index.search(["fee", "card"], 10)
    assert ids.tolist() == [2, 1]
    assert scores[0] > scores[1] > 0


def test_public_only_hides_internal_entries(index: LexicalIndex) -> None:
    assert index.search(["card"], 10, public_only=True)[1].tolist() == [1]


def test_chinese_terms_match(index: LexicalIndex) -> None:
    assert index.search(["银行卡"], 5)[1].tolist() == [3]


def test_replace_and_remove(index: LexicalIndex) -> None:
    index.add([1], [["pin", "blocked"]], [True])
    index.remove([3, 42])
    index.commit()
    assert sorted(index.ids().tolist()) == [1, 2]
    assert index.count() == 2
    assert index.search(["arrive"], 5)[1].tolist() == []
    assert index.search(["pin"], 5)[1].tolist() == [1]


def test_an_empty_query_finds_nothing(index: LexicalIndex) -> None:
    assert index.search([], 5)[1].size == 0


def test_filters_select_inside_the_index_and_score_nothing(tmp_path: Path) -> None:
    from kcrm.knowledge.index.fields import ChunkFields, FieldFilter

    for make in (_memory, _disk):
        ix = make(tmp_path / make.__name__)
        fields = [ChunkFields("en", "faq", "cards"), ChunkFields("zh", "article", "cards")]
        ix.add([1, 2], [["card", "fee"], ["card"]], [True, True], fields)
        ix.commit()
        all_scores = dict(zip(*reversed(ix.search(["card"], 10)), strict=True))
        scores, ids = ix.search(["card"], 10, where=FieldFilter(language="zh"))
        assert ids.tolist() == [2] and scores[0] == all_scores[2]
        assert ix.search(["card"], 10, where=FieldFilter(kinds=("faq",)))[1].tolist() == [1]
        assert ix.doc_freqs(["card", "fee", "none"]) == (2, [2, 1, 0])
