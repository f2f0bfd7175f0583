"""The learning-curve measurement (bench/learning_curve.py) on separable made-up cases."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from bench.learning_curve import curve, per_doubling, questions
from kcrm.assist.model import CaseSet


def clustered(
    n_per: int, categories: int, noise: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    centres = np.eye(categories, 16)
    labels = np.repeat(np.arange(categories), n_per)
    vectors = centres[labels] + noise * rng.standard_normal((labels.size, 16))
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True), labels


def test_each_share_is_fitted_on_that_many_cases_and_asked_every_question() -> None:
    cats = ["a", "b", "c", "d"]
    vectors, labels = clustered(30, 4, 0.9, seed=1)
    cases = CaseSet(
        [str(i) for i in range(labels.size)], [f"t{i}" for i in labels], vectors, labels, cats
    )
    asked, truth = clustered(20, 4, 0.9, seed=2)
    points = curve(cases, [f"t{i}" for i in truth], truth, asked, shares=(0.25, 0.5, 1.0))
    assert [p["cases"] for p in points] == [30, 60, 120]
    assert [len(p["draws"]) for p in points] == [3, 3, 1]
    assert all(0.25 < p["top1"] <= 1.0 for p in points)  # better than chance on 4 categories


def test_slope_is_per_doubling_of_the_cases() -> None:
    points = [
        {"cases": 100, "top1": 0.80},
        {"cases": 200, "top1": 0.82},
        {"cases": 400, "top1": 0.84},
    ]
    assert per_doubling(points) == pytest.approx(0.02)


def test_questions_of_unknown_categories_and_out_of_scope_ones_are_left_out(tmp_path: Path) -> None:
    cases = CaseSet(["1", "2"], ["x", "y"], np.eye(2), np.array([0, 1]), ["a", "b"])
    rows = [
        {"text": "q1", "category": "b", "in_scope": True},
        {"text": "q2", "category": "zzz", "in_scope": True},
        {"text": "q3", "category": "a", "in_scope": False},
    ]
    path = tmp_path / "queries.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    texts, labels = questions(path, cases)
    assert texts == ["q1"] and labels.tolist() == [1]
