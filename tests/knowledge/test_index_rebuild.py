"""Rebuilding the indexes under way: no folder an open index watches is ever removed.

tantivy's reader reloads from a thread of its own up to half a second after a commit
and takes `.tantivy-meta.lock` again; removing the folder meanwhile failed now and
then with "Directory not empty" (seen under load in the full test run).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pytest

from kcrm.core.config import Settings
from kcrm.knowledge.embedders.hash import HashEmbedder
from kcrm.knowledge.index.lexical import TantivyLexicalIndex, remove_folder
from kcrm.knowledge.index.replica import LEXICAL_DIR
from kcrm.knowledge.kb import KnowledgeBase
from tests.conftest import faq, write_jsonl


def test_a_rebuild_clears_the_open_index_in_place(kb: KnowledgeBase, tmp_path: Path) -> None:
    kb.ingest_files([write_jsonl(tmp_path / "k.jsonl", [faq("a", "Card", "Cards arrive.")])])
    folder = kb.replica.path / LEXICAL_DIR
    inode = folder.stat().st_ino
    for _ in range(3):  # right after a commit, while the reader is about to reload
        assert kb.reindex() == 1
    assert folder.stat().st_ino == inode  # the same folder: never removed while open
    assert kb.search("card arrive", k=1)[0].id == "a"
    assert kb.status()["consistent"]


def test_removing_a_folder_survives_a_late_lock_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "lexical"
    ix = TantivyLexicalIndex(path)
    ix.add([1, 2], [["card"], ["pin"]], [True, True])
    ix.commit()
    ix.close()
    del ix
    unlink = os.unlink

    def late_reload(name: str | os.PathLike[str], *args: object, **kwargs: object) -> None:
        # What tantivy's reader does half a second after a commit: take the meta lock
        # again, by the folder's path, creating the file while the folder is removed.
        unlink(name, *args, **kwargs)  # type: ignore[arg-type]
        with contextlib.suppress(FileNotFoundError):  # gone from its name: nothing to do
            (path / ".tantivy-meta.lock").touch()

    monkeypatch.setattr(os, "unlink", late_reload)
    remove_folder(path)
    monkeypatch.undo()
    assert not path.exists()
    assert list(tmp_path.iterdir()) == []


def test_reindex_repairs_an_unreadable_lexical_folder(settings: Settings, tmp_path: Path) -> None:
    embedder = HashEmbedder(64, "hash-64")
    with KnowledgeBase.open(settings, embedder=embedder) as kb:
        kb.ingest_files([write_jsonl(tmp_path / "k.jsonl", [faq("a", "Card", "Cards arrive.")])])
    (settings.index_dir / LEXICAL_DIR / "meta.json").write_text("not json")
    with KnowledgeBase.open(settings, embedder=embedder, for_rebuild=True) as kb:
        assert kb.reindex() == 1
        assert kb.status()["consistent"]
