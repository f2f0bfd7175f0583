"""Shared fixtures: a throwaway data dir per test, the exact fake embedder by default."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kcrm.config import DEFAULT_EMBEDDING_MODEL, Settings
from kcrm.knowledge.embeddings import Embedder, HashEmbedder, make_embedder
from kcrm.knowledge.kb import KnowledgeBase

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", embedding_model="hash-64")


@pytest.fixture
def kb(settings: Settings) -> Iterator[KnowledgeBase]:
    base = KnowledgeBase.open(settings, embedder=HashEmbedder(64, "hash-64"))
    yield base
    base.close()


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    return path


def faq(id: str, title: str, body: str, **extra: Any) -> dict[str, Any]:
    return {"id": id, "kind": "faq", "title": title, "body": body, "visibility": "public", **extra}


@pytest.fixture(scope="session")
def real_embedder() -> Embedder:
    """The packaged all-MiniLM-L6-v2, loaded once per test session."""
    return make_embedder(DEFAULT_EMBEDDING_MODEL)
