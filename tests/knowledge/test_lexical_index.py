"""Contract of the tantivy lexical index."""

from __future__ import annotations

from pathlib import Path

from kcrm.knowledge.index.lexical import TantivyLexicalIndex


def build(path: Path | None = None) -> TantivyLexicalIndex:
    ix = TantivyLexicalIndex(path)
    ix.add(
        [1, 2, 3],
        [["card", "arrive", "late"], ["top", "up", "card", "fee"], ["银行卡", "丢失"]],
        [True, False, True],
    )
    ix.commit()
    return ix


def test_bm25_ranks_rarer_term_matches_first() -> None:
    ix = build()
    scores, ids = ix.search(["fee", "card"], 10)
    assert ids.tolist() == [2, 1]
    assert scores[0] > scores[1] > 0


def test_public_only_hides_internal_entries() -> None:
    ix = build()
    assert ix.search(["card"], 10, public_only=True)[1].tolist() == [1]


def test_chinese_tokens_match() -> None:
    assert build().search(["银行卡"], 5)[1].tolist() == [3]


def test_replace_and_remove(tmp_path: Path) -> None:
    ix = build(tmp_path / "lex")
    ix.add([1], [["pin", "blocked"]], [True])
    ix.remove([3, 42])
    ix.commit()
    assert sorted(ix.ids().tolist()) == [1, 2]
    assert ix.search(["arrive"], 5)[1].tolist() == []
    assert ix.search(["pin"], 5)[1].tolist() == [1]
    ix.close()
    reopened = TantivyLexicalIndex(tmp_path / "lex")
    assert reopened.count() == 2


def test_empty_query_returns_nothing() -> None:
    assert build().search([], 5)[1].size == 0
