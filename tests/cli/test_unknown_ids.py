"""Every command that takes an id says an unknown one is unknown, at once, with a non-zero exit.

"At once": before the model, the indexes or a recommender are loaded or trained. The
test makes each of those fail loudly, so a command that reaches one fails this test.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from kcrm.cli.main import app
from kcrm.core.config import Settings, get_settings
from kcrm.core.db import Database
from tests.recommend.test_recommend_service import make_shop

Run = Any


class Expensive(Exception):
    """Raised by whatever a command must not reach for an unknown id."""


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Run]:
    monkeypatch.setenv("KCRM_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("KCRM_EMBEDDING_MODEL", "hash-64")
    get_settings.cache_clear()
    db = Database(Settings())
    make_shop(db)  # customers c00..c40, products milk, bread, beer...
    db.dispose()

    def expensive(*_: object, **__: object) -> None:
        raise Expensive

    monkeypatch.setattr("kcrm.cli.common.KnowledgeBase.open", expensive)
    monkeypatch.setattr("kcrm.recommend.store.saved_or_trained", expensive)
    runner = CliRunner()

    def invoke(*args: str) -> tuple[int, str]:
        result = runner.invoke(app, list(args))
        assert not isinstance(result.exception, Expensive), f"{args} did expensive work first"
        return result.exit_code, result.output

    yield invoke
    get_settings.cache_clear()


@pytest.mark.parametrize(
    ("args", "what"),
    [
        (["recommend", "nobody"], "no customer with id 'nobody'"),
        (["suggest", "my card is lost", "--customer", "nobody"], "no customer with id 'nobody'"),
        (["suggest", "my card is lost", "--product", "nobody"], "no product with id 'nobody'"),
        (["audience", "nobody"], "no product with id 'nobody'"),
        (["rules", "--product", "nobody"], "no product with id 'nobody'"),
        (["campaign", "create", "x", "--product", "nobody"], "no product with id 'nobody'"),
        (["campaign", "members", "999"], "no campaign with id 999"),
        (["campaign", "report", "999"], "no campaign with id 999"),
        (["campaign", "outcome", "999", "c01", "accepted"], "no campaign with id 999"),
        (["customers", "show", "nobody"], "no customer with id 'nobody'"),
        (["customers", "edit", "nobody", "--email", "a@example.com"], "no customer with id"),
        (["customers", "merge", "c01", "nobody"], "no customer with id 'nobody'"),
        (["customers", "merge", "nobody", "c01"], "no customer with id 'nobody'"),
        (["document", "status", "nobody", "--to", "published"], "no document with id 'nobody'"),
        (["document", "history", "nobody"], "no history for document 'nobody'"),
        (["keys", "revoke", "999"], "no active key with id 999"),
    ],
)
def test_unknown_id_fails_fast(run: Run, args: list[str], what: str) -> None:
    code, output = run(*args)
    assert code != 0
    assert what in " ".join(output.split()), output


def test_known_ids_still_reach_the_work(run: Run) -> None:
    """The checks refuse only unknown ids: a known one goes on to the (here failing) work."""
    for args in (
        ["recommend", "c01"],
        ["audience", "milk"],
        ["suggest", "lost", "--product", "milk"],
    ):
        with pytest.raises(AssertionError, match="did expensive work first"):
            run(*args)


def test_delete_and_article_of_unknown_ids(tmp_path: Path, cli: Any) -> None:
    """Commands that open the knowledge base anyway still say which id is unknown."""
    code, out = cli("delete", "nobody", "--json")
    assert code != 0 and json.loads(out)["not_found"] == ["nobody"]
    code, _ = cli("article-from-case", "nobody")
    assert code != 0
