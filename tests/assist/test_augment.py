"""Calibration samples asked as new questions arrive: the description without the title."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from kcrm.assist.augment import variants
from kcrm.assist.model import CaseSet
from kcrm.assist.train import assign_folds, first_by_hash, fit_assist, held_out_samples
from kcrm.knowledge.kb import KnowledgeBase
from tests.assist.test_assist import cases, load


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
    forms = variants(embed_counting(calls), data, first_by_hash, limit=10)
    by_name = {name: (cases, has) for name, cases, has in forms}
    asked, has = by_name["as_asked"]
    assert has.tolist() == [True, False, False]  # only the titled case reads differently
    assert asked.texts[0] == bodies[0] and asked.texts[1:] == data.texts[1:]
    assert np.allclose(asked.vectors[0], 0.5) and np.array_equal(
        asked.vectors[1:], data.vectors[1:]
    )
    assert calls == [[bodies[0]]]  # nothing else embedded
    # The limit caps the variants.
    titles_all = [f"Title\n{b}" for b in bodies]
    many = CaseSet(data.ids, titles_all, data.vectors, data.labels, data.categories, bodies=bodies)
    capped = variants(embed_counting([]), many, first_by_hash, limit=2)
    assert [int(has.sum()) for _, _, has in capped] == [2]
    untitled = CaseSet(data.ids, bodies, data.vectors, data.labels, data.categories, bodies=bodies)
    assert variants(embed_counting([]), untitled, first_by_hash) == []
    empty = CaseSet([], [], data.vectors[:0], data.labels[:0], [])
    assert variants(embed_counting([]), empty, first_by_hash) == []


def titled(n: int) -> list[dict[str, object]]:
    """Cases whose titles their category shares, as a help desk's case forms make them."""
    return [{**c, "title": f"Case about {c['category']}"} for c in cases(n)]


def test_held_out_samples_score_every_form_against_the_same_fit(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    from kcrm.assist.model import load_cases

    load(kb, tmp_path, titled(12))
    data = load_cases(kb)
    forms = variants(kb.embedder.encode, data, first_by_hash)
    assert [name for name, _, _ in forms] == ["as_asked"]
    fold_of = assign_folds(data.ids, 3)
    group_of = assign_folds(data.categories, 3, salt="category")
    x, _, ins, _, _, kind = held_out_samples(
        data, fold_of, group_of, 0, 1000, [(c, h) for _, c, h in forms]
    )
    stored = kind == 0
    held = group_of[data.labels] == 0
    assert len(x) == len(kind) and stored.sum() == ((fold_of == 0) | held).sum()
    # Every form is asked of the same cases: in scope as often as the stored form allows.
    asked = kind == 1
    assert asked.sum() == stored.sum() and ins[asked].sum() == ins[stored].sum()


def test_the_fit_reports_calibration_error_for_every_form(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    load(kb, tmp_path, titled(12))
    summary = fit_assist(kb, folds=3)
    forms = summary["ece_by_form"]
    assert set(forms) == {"stored", "as_asked"}
    assert all(0 <= v <= 1 for v in forms.values())
