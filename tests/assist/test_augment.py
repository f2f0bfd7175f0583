"""Calibration samples asked as new questions arrive: without the title, reworded, off-topic."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from kcrm.assist.augment import reworded, variants
from kcrm.assist.model import CaseSet
from kcrm.assist.outliers import OUTLIERS
from kcrm.assist.train import assign_folds, first_by_hash, fit_assist, held_out_samples
from kcrm.knowledge.kb import KnowledgeBase
from tests.assist.test_assist import cases, load


def test_a_reworded_question_keeps_most_words_in_order_and_is_reproducible() -> None:
    text = "The ATM at the petrol station kept my card after I typed the PIN"
    out = reworded(text, seed=3)
    assert out is not None and out == reworded(text, seed=3)
    words, kept = text.split(), out.split()
    assert 3 <= len(kept) < len(words)
    it = iter(words)
    assert all(w in it for w in kept)  # a subsequence: nothing added or reordered
    assert reworded("card not arrived", seed=3) is None  # too short to lose words


def embed_counting(calls: list[list[str]]):  # type: ignore[no-untyped-def]
    def embed(texts: list[str]) -> np.ndarray:
        calls.append(list(texts))
        return np.full((len(texts), 4), 0.5, dtype=np.float32)

    return embed


def test_variants_embed_only_questions_that_differ_from_the_stored_case() -> None:
    bodies = [
        "my card was kept by the cash machine this morning",
        "how do I top up by bank transfer please",
        "pin",
    ]
    titles = ["Card retained by ATM", "", ""]
    data = CaseSet(
        ids=["a", "b", "c"],
        texts=[f"{t}\n{b}" if t else b for t, b in zip(titles, bodies, strict=True)],
        vectors=np.eye(3, 4, dtype=np.float32),
        labels=np.array([0, 1, 1]),
        categories=["card_swallowed", "transfer_into_account"],
        bodies=bodies,
    )
    calls: list[list[str]] = []
    forms = variants(embed_counting(calls), data, first_by_hash, lambda i: len(i), limit=10)
    by_name = {name: (cases, has) for name, cases, has in forms}
    asked, has = by_name["as_asked"]
    assert has.tolist() == [True, False, False]  # only the titled case reads differently
    assert asked.texts[0] == bodies[0] and asked.texts[1:] == data.texts[1:]
    assert np.allclose(asked.vectors[0], 0.5) and np.array_equal(
        asked.vectors[1:], data.vectors[1:]
    )
    words, has = by_name["reworded"]
    assert has.tolist() == [True, True, False]  # "pin" is too short to reword
    assert all(len(words.texts[i].split()) < len(bodies[i].split()) for i in (0, 1))
    assert sorted(len(c) for c in calls) == [1, 2]  # nothing else embedded
    # The limit caps every kind.
    capped = variants(embed_counting([]), data, first_by_hash, lambda i: len(i), limit=1)
    assert [int(has.sum()) for _, _, has in capped] == [1, 1]
    empty = CaseSet([], [], data.vectors[:0], data.labels[:0], [])
    assert variants(embed_counting([]), empty, first_by_hash, len) == []


def test_held_out_samples_score_every_form_and_off_topic_questions_out_of_scope(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    from kcrm.assist.model import load_cases

    load(kb, tmp_path, cases(12))
    data = load_cases(kb)
    forms = variants(kb.embedder.encode, data, first_by_hash, len)
    outside = (list(OUTLIERS[:7]), kb.embedder.encode(list(OUTLIERS[:7])))
    fold_of = assign_folds(data.ids, 3)
    group_of = assign_folds(data.categories, 3, salt="category")
    x, ok, ins, _, _, kind = held_out_samples(
        data, fold_of, group_of, 0, 1000, [(c, h) for _, c, h in forms], outside
    )
    stored = kind == 0
    held = group_of[data.labels] == 0
    assert len(x) == len(kind) and stored.sum() == ((fold_of == 0) | held).sum()
    off = kind == len(forms) + 1
    assert off.sum() == 7 and not ins[off].any() and not ok[off].any()
    # Every form is asked of the same cases: in scope as often as the stored form allows.
    for k in range(1, len(forms) + 1):
        assert ins[kind == k].sum() <= ins[stored].sum()


def test_the_fit_reports_calibration_error_for_every_form(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    load(kb, tmp_path, cases(12))
    summary = fit_assist(kb, folds=3)
    forms = summary["ece_by_form"]
    assert {"stored", "reworded", "off_topic"} <= set(forms)
    assert all(0 <= v <= 1 for v in forms.values())
    # Every fold asks the off-topic questions, as out of scope.
    assert summary["samples"] - summary["in_scope_samples"] >= 3 * len(OUTLIERS)
