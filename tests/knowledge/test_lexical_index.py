"""tantivy specifics beyond the `LexicalIndex` contract (tests/contracts): persistence."""

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


def test_a_reopened_folder_keeps_its_entries(tmp_path: Path) -> None:
    ix = build(tmp_path / "lex")
    ix.remove([3])
    ix.commit()
    ix.close()
    reopened = TantivyLexicalIndex(tmp_path / "lex")
    assert reopened.count() == 2
    assert reopened.search(["fee"], 5)[1].tolist() == [2]
