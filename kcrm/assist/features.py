"""Evidence from neighbours, and the features of a ranked category the calibrator reads.

The same functions serve the live ranking (one query, neighbours from the
index) and the calibration (thousands of held-out cases, neighbours from a
matrix product), so the calibrator is fitted on exactly what it later sees.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from kcrm.assist.model import VOTE_TEMPERATURE

FEATURES = (
    "score",
    "margin",
    "p_emb",
    "p_char",
    "vote",
    "top_cos",
    "group_cos",
    "centroid_cos",
    "mahalanobis",
    "energy",
    "density",
)


def neighbour_evidence(
    cosines: np.ndarray, labels: np.ndarray, n_categories: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Votes and best cosine per category from each query's nearest labelled neighbours.

    Args:
        cosines: (b, k) cosine of each query's neighbours, best first; -inf pads.
        labels: (b, k) category index of each neighbour.
        n_categories: number of categories.
    Returns:
        votes (b, m) summing to 1 per row (0 without neighbours), group_cos (b, m): the
        best cosine of each category among the neighbours, or the worst neighbour's cosine
        (an upper bound) when none is of that category, top_cos (b,) and density (b,),
        the mean cosine of the neighbours.
    """
    b, k = cosines.shape
    votes = np.zeros((b, n_categories))
    group_cos = np.zeros((b, n_categories))
    top_cos = np.zeros(b)
    if k == 0:
        return votes, group_cos, top_cos, np.zeros(b)
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
    density = np.where(valid, cosines, 0).sum(axis=1) / np.maximum(valid.sum(axis=1), 1)
    return votes, group_cos, top_cos, density


@dataclass
class Signals:
    """Everything known about each query row's categories; (b, m) arrays unless noted."""

    scores: np.ndarray
    p_emb: np.ndarray
    p_char: np.ndarray
    votes: np.ndarray
    group_cos: np.ndarray
    top_cos: np.ndarray  # (b,)
    centroid_cos: np.ndarray
    maha: np.ndarray
    energy: np.ndarray  # (b,)
    density: np.ndarray  # (b,): mean cosine of the neighbours that voted

    def repeat(self, n: int) -> Signals:
        """One query's signals (b = 1) as n identical rows."""
        return Signals(*(np.repeat(getattr(self, f.name), n, axis=0) for f in fields(self)))


def category_features(sig: Signals, which: np.ndarray) -> np.ndarray:
    """Features (b, len(FEATURES)) of category `which[i]` for query row i.

    The margin is the score's lead over the best other category: positive for the
    top suggestion, negative below it. The last four say how familiar the query is:
    its cosine to the category's centroid, its Mahalanobis distance to the category
    under a tied covariance, the embedding classifier's energy, and the density of
    its neighbourhood (docs/quality.md compares them).
    """
    scores = sig.scores
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
            sig.p_emb[rows, which],
            sig.p_char[rows, which],
            sig.votes[rows, which],
            sig.top_cos,
            sig.group_cos[rows, which],
            sig.centroid_cos[rows, which],
            sig.maha[rows, which],
            sig.energy,
            sig.density,
        ]
    )
