"""Calibrated confidence: P(the suggestion is right) from ranking features, and the reports.

A logistic regression on standardised features (Platt scaling with more than
one input) is fitted on held-out resolved cases (train.py): in-scope cases,
labelled by whether the top suggestion was right, and the same cases asked as
if their category did not exist yet (simulated out-of-scope, always wrong),
weighted so that out-of-scope questions make up `oos_share` of the mix. The
`answerable` threshold is the confidence that maximises accuracy on that mix
(answer when right, abstain when out of scope). The plain-similarity baseline's
threshold is chosen the same way, so both are compared on equal terms.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from kcrm.assist.features import FEATURES

FORMAT = 2
HISTORY = 50  # fits remembered in `history`


@dataclass
class Calibrator:
    """Standardise, then a logistic link: P(correct | features)."""

    mean: list[float]
    scale: list[float]
    coef: list[float]
    intercept: float
    threshold: float  # answerable when confidence >= threshold
    baseline_threshold: float  # the plain similarity baseline: top cosine >= this
    oos_share: float
    features: list[str] = field(default_factory=lambda: list(FEATURES))
    fingerprint: dict[str, Any] = field(default_factory=dict)
    report: dict[str, Any] = field(default_factory=dict)
    history: list[dict[str, Any]] = field(default_factory=list)
    format: int = FORMAT

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Confidence in [0, 1] for each row of features."""
        z = (np.atleast_2d(x) - np.asarray(self.mean)) / np.asarray(self.scale)
        logit = z @ np.asarray(self.coef) + self.intercept
        return np.asarray(1.0 / (1.0 + np.exp(-np.clip(logit, -40, 40))))

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(self), indent=1))
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path) -> Calibrator | None:
        """The saved calibrator, or None when missing or of another format."""
        if not path.exists():
            return None
        data = json.loads(path.read_text())
        if data.get("format") != FORMAT or data.get("features") != list(FEATURES):
            return None
        return cls(**data)


def mix_weights(in_scope: np.ndarray, oos_share: float) -> np.ndarray:
    """Sample weights making out-of-scope rows `oos_share` of the total weight."""
    n_in, n_out = int(in_scope.sum()), int((~in_scope).sum())
    if n_out == 0 or oos_share <= 0:
        return np.where(in_scope, 1.0 / max(n_in, 1), 0.0)
    return np.where(in_scope, (1 - oos_share) / max(n_in, 1), oos_share / n_out)


def best_threshold(
    score: np.ndarray, correct: np.ndarray, in_scope: np.ndarray, weights: np.ndarray
) -> float:
    """The cut on `score` maximising weighted accuracy: answer right, or abstain out of scope."""
    order = np.argsort(-score)
    s, c, i, w = score[order], correct[order], in_scope[order], weights[order]
    # Answering the top j rows: gain from those answered right, plus OOS rows left unanswered.
    gain = np.concatenate([[0.0], np.cumsum(w * (c & i))])
    kept_oos = w[~i].sum() - np.concatenate([[0.0], np.cumsum(w * ~i)])
    total = gain + kept_oos
    # Cut only between distinct scores.
    cuts = np.concatenate([[True], s[1:] != s[:-1], [True]])
    j = int(np.argmax(np.where(cuts, total, -np.inf)))
    if j == 0:
        return float(s[0] + 1e-9) if len(s) else 1.0
    if j == len(s):
        return float(s[-1])
    return float((s[j - 1] + s[j]) / 2)


def accuracy_curve(
    score: np.ndarray, correct: np.ndarray, in_scope: np.ndarray, weights: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(cuts, weighted accuracy when answering scores >= cut) over every distinct cut."""
    order = np.argsort(-score)
    s, c, i, w = score[order], correct[order], in_scope[order], weights[order]
    gain = np.concatenate([[0.0], np.cumsum(w * (c & i))])
    kept_oos = w[~i].sum() - np.concatenate([[0.0], np.cumsum(w * ~i)])
    total = (gain + kept_oos) / max(w.sum(), 1e-12)
    distinct = np.concatenate([[True], s[1:] != s[:-1], [True]])
    # Answering the top j rows means a cut between s[j-1] and s[j].
    cuts = np.concatenate([[s[0] + 1e-9], (s[:-1] + s[1:]) / 2, [s[-1]]])
    return cuts[distinct], total[distinct]


def stable_threshold(
    score: np.ndarray,
    correct: np.ndarray,
    in_scope: np.ndarray,
    weights: np.ndarray,
    previous: float | None = None,
) -> float:
    """A threshold within one standard error of the best accuracy: the previous one's nearest
    such cut on a refit, else the middle of the near-best plateau."""
    if len(score) == 0:
        return 1.0
    cuts, acc = accuracy_curve(score, correct, in_scope, weights)
    best = acc.max()
    # Kish's effective sample size: the mix is weighted.
    n_eff = weights.sum() ** 2 / max((weights**2).sum(), 1e-12)
    tolerance = np.sqrt(max(best * (1 - best), 1e-4) / max(n_eff, 1.0))
    good = cuts[acc >= best - tolerance]
    if previous is None:
        return float(np.median(good))
    answered = score >= previous
    right = np.where(in_scope, correct & answered, ~answered)
    if (weights * right).sum() / max(weights.sum(), 1e-12) >= best - tolerance:
        return float(previous)
    return float(good[np.argmin(np.abs(good - previous))])


def fit_calibrator(
    x: np.ndarray,
    correct: np.ndarray,
    in_scope: np.ndarray,
    top_cos: np.ndarray,
    nn_correct: np.ndarray,
    oos_share: float,
    previous: float | None = None,
) -> Calibrator:
    """Fit the confidence and both thresholds on held-out samples (see module docstring).

    Args:
        x: (n, len(FEATURES)) features of each sample's top suggestion.
        correct: whether that suggestion was right (always False out of scope).
        in_scope: whether the sample's category existed in the training cases.
        top_cos: cosine of its nearest labelled case (the baseline's score).
        nn_correct: whether that nearest case had the right category.
        oos_share: the share of out-of-scope questions to assume.
        previous: the threshold in use, kept when it is as good as the best within noise.
    """
    from sklearn.linear_model import LogisticRegression

    weights = mix_weights(in_scope, oos_share)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    if np.unique(correct).size == 2:
        # C=1 on seven standardised features: ample data, mild shrinkage for stability.
        lr = LogisticRegression(C=1.0, max_iter=1000)
        lr.fit((x - mean) / scale, correct.astype(int), sample_weight=weights * len(weights))
        coef, intercept = lr.coef_[0].tolist(), float(lr.intercept_[0])
    else:
        # All right (or all wrong): nothing to separate; a constant, Laplace-smoothed rate.
        rate = (correct.sum() + 1) / (len(correct) + 2)
        coef, intercept = [0.0] * x.shape[1], float(np.log(rate / (1 - rate)))
    cal = Calibrator(
        mean=mean.tolist(),
        scale=scale.tolist(),
        coef=coef,
        intercept=intercept,
        threshold=0.5,
        baseline_threshold=0.0,
        oos_share=oos_share,
    )
    conf = cal.predict(x)
    cal.threshold = stable_threshold(conf, correct, in_scope, weights, previous)
    cal.baseline_threshold = best_threshold(top_cos, nn_correct, in_scope, weights)
    cal.report = {
        "samples": len(x),
        "in_scope_samples": int(in_scope.sum()),
        "top1_accuracy": round(float(correct[in_scope].mean()), 4) if in_scope.any() else None,
        "ece": round(expected_calibration_error(conf, correct, weights), 4),
    }
    return cal


def reliability(
    confidence: np.ndarray, correct: np.ndarray, bins: int = 10
) -> tuple[list[dict[str, Any]], float]:
    """Reliability table (equal-width bins) and expected calibration error."""
    confidence = np.asarray(confidence, dtype=float)
    correct = np.asarray(correct, dtype=bool)
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1]), 0, bins - 1)
    table = []
    for b in range(bins):
        mask = which == b
        n = int(mask.sum())
        table.append(
            {
                "bin": f"{edges[b]:.1f}-{edges[b + 1]:.1f}",
                "count": n,
                "mean_confidence": round(float(confidence[mask].mean()), 4) if n else None,
                "accuracy": round(float(correct[mask].mean()), 4) if n else None,
            }
        )
    return table, expected_calibration_error(confidence, correct, None, bins)


def expected_calibration_error(
    confidence: np.ndarray, correct: np.ndarray, weights: np.ndarray | None, bins: int = 10
) -> float:
    """Σ_bins weight share · |accuracy − mean confidence| (Guo et al. 2017), equal-width bins."""
    if len(confidence) == 0:
        return 0.0
    w = np.ones(len(confidence)) if weights is None else np.asarray(weights, dtype=float)
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1]), 0, bins - 1)
    total, ece = w.sum(), 0.0
    for b in range(bins):
        mask = which == b
        if mask.any():
            wb = w[mask]
            acc = float((wb * correct[mask]).sum() / wb.sum())
            conf = float((wb * confidence[mask]).sum() / wb.sum())
            ece += wb.sum() / total * abs(acc - conf)
    return float(ece)
