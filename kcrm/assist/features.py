"""Evidence from neighbours, and the features of a ranked category the calibrator reads.

The same functions serve the live ranking (one query, neighbours from the
index) and the calibration (thousands of held-out cases, neighbours from a
matrix product), so the calibrator is fitted on exactly what it later sees.
"""

from __future__ import annotations

import numpy as np

from kcrm.assist.model import VOTE_TEMPERATURE

FEATURES = ("score", "margin", "p_emb", "p_char", "vote", "top_cos", "group_cos")


def neighbour_evidence(
    cosines: np.ndarray, labels: np.ndarray, n_categories: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Votes and best cosine per category from each query's nearest labelled neighbours.

    Args:
        cosines: (b, k) cosine of each query's neighbours, best first; -inf pads.
        labels: (b, k) category index of each neighbour.
        n_categories: number of categories.
    Returns:
        votes (b, m) summing to 1 per row (0 without neighbours), group_cos (b, m): the
        best cosine of each category among the neighbours, or the worst neighbour's cosine
        (an upper bound) when none is of that category, and top_cos (b,).
    """
    b, k = cosines.shape
    votes = np.zeros((b, n_categories))
    group_cos = np.zeros((b, n_categories))
    top_cos = np.zeros(b)
    if k == 0:
        return votes, group_cos, top_cos
    valid = np.isfinite(cosines)
    top_cos = np.where(valid[:, 0], cosines[:, 0], 0.0)
    weights = np.where(
        valid, np.exp((np.where(valid, cosines, 0) - top_cos[:, None]) / VOTE_TEMPERATURE), 0
    )
    rows = np.repeat(np.arange(b), k)
    np.add.at(votes, (rows, labels.ravel()), weights.ravel())
    total = votes.sum(axis=1, keepdims=True)
    votes = np.divide(votes, total, out=np.zeros_like(votes), where=total > 0)
    floor = np.where(valid, cosines, np.inf).min(axis=1)
    floor = np.where(np.isfinite(floor), floor, 0.0)
    group_cos[:] = floor[:, None]
    flat = np.where(valid, cosines, -np.inf).ravel()
    np.maximum.at(group_cos, (rows, labels.ravel()), flat)
    return votes, group_cos, top_cos


def category_features(
    scores: np.ndarray,
    p_emb: np.ndarray,
    p_char: np.ndarray,
    votes: np.ndarray,
    group_cos: np.ndarray,
    top_cos: np.ndarray,
    which: np.ndarray,
) -> np.ndarray:
    """Features (b, len(FEATURES)) of category `which[i]` for query row i.

    The margin is the score's lead over the best other category: positive for the
    top suggestion, negative below it.
    """
    b = scores.shape[0]
    rows = np.arange(b)
    own = scores[rows, which]
    others = scores.copy()
    others[rows, which] = -np.inf
    best_other = others.max(axis=1) if scores.shape[1] > 1 else np.zeros(b)
    best_other = np.where(np.isfinite(best_other), best_other, 0.0)
    return np.column_stack(
        [
            own,
            own - best_other,
            p_emb[rows, which],
            p_char[rows, which],
            votes[rows, which],
            top_cos,
            group_cos[rows, which],
        ]
    )
