"""Agent suggestions: resolutions of similar cases, grouped, ranked, with calibrated confidence.

A group is a resolution category (cases' `category`, articles' and FAQs'
`category`), or an article for records that have no category. Its score adds
the resolution model's two classifiers and the similarity-weighted votes of
the nearest resolved cases and articles (model.py), plus a bounded boost from
feedback on similar past queries (feedback.py); the calibrator turns the
group's features into P(right). Without a fitted model (fewer than 20
categorised cases, or before `kcrm train suggest`) only the votes rank, and
the confidence is the top group's vote share times its best cosine: a usable
order, but not calibrated.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import numpy as np

from kcrm.assist.answers import describe, group_key
from kcrm.assist.calibration import Calibrator
from kcrm.assist.context import CustomerContext, context_boost, customer_context
from kcrm.assist.features import category_features
from kcrm.assist.feedback import group_boosts
from kcrm.assist.model import VOTE_K, CategoryModel
from kcrm.assist.problem import problem_statement
from kcrm.assist.results import FALLBACK_THRESHOLD, Evidence, Suggestion, SuggestResult
from kcrm.assist.train import model_paths, signals
from kcrm.crm.refs import require_product
from kcrm.knowledge.search import SearchFilters, SearchHit, search_with_vector

__all__ = ["Evidence", "SuggestResult", "Suggestion", "load_assist", "suggest"]

EVIDENCE_DEPTH = VOTE_K  # records retrieved: the neighbours that vote
KINDS = ["case", "faq", "article"]


_cache: dict[Path, tuple[tuple[float, float], CategoryModel | None, Calibrator | None]] = {}
_cache_lock = threading.Lock()


def load_assist(kb: Any) -> tuple[CategoryModel | None, Calibrator | None]:
    """The saved model and calibrator, reloaded when their files change."""
    model_path, cal_path = model_paths(kb)
    stamp = tuple(p.stat().st_mtime if p.exists() else -1.0 for p in (model_path, cal_path))
    with _cache_lock:
        cached = _cache.get(model_path)
        if cached is None or cached[0] != stamp:
            model, cal = CategoryModel.load(model_path), Calibrator.load(cal_path)
            if model is None or cal is None:
                model, cal = None, None
            cached = ((stamp[0], stamp[1]), model, cal)
            _cache[model_path] = cached
    return cached[1], cached[2]


def suggest(
    kb: Any,
    text: str,
    k: int = 5,
    product_id: str | None = None,
    customer_id: str | None = None,
) -> SuggestResult:
    """Resolutions for a new case's text, best first, with calibrated confidence.

    Args:
        kb: the knowledge base.
        text: the case's description or the agent's note; chatter around the problem
            is set aside (problem.py).
        k: suggestions (and similar cases) to return, 1 to 100.
        product_id: similar cases about this product are listed first; a product the
            catalogue does not hold raises `NotFound`.
        customer_id: the customer's products and open cases can settle a close call
            (context.py); an unknown id raises `NotFound`.
    Returns:
        the suggestions, whether the best is confident enough to show, similar cases.
    """
    if not text.strip():
        raise ValueError("text must not be empty")
    if not 1 <= k <= 100:
        raise ValueError(f"k must be between 1 and 100, got {k}")
    # Unknown ids are refused before the text is embedded.
    context = customer_context(kb, customer_id) if customer_id else None
    if product_id:
        require_product(kb.db, product_id)
    problem = problem_statement(kb, text)
    result = suggest_with_vector(kb, problem.text, problem.vector, k, product_id, context)
    result.problem = problem
    return result


def suggest_with_vector(
    kb: Any,
    text: str,
    qvec: np.ndarray,
    k: int = 5,
    product_id: str | None = None,
    context: CustomerContext | None = None,
) -> SuggestResult:
    """`suggest` with the problem statement already found and embedded."""
    if not 1 <= k <= 100:
        raise ValueError(f"k must be between 1 and 100, got {k}")
    hits = search_with_vector(kb, text, qvec, EVIDENCE_DEPTH, "agent", SearchFilters(kinds=KINDS))
    model, cal = load_assist(kb)
    keys = list(model.categories) if model else []
    index = {key: i for i, key in enumerate(keys)}
    voters = [h for h in hits if group_key(h) is not None]
    voters.sort(key=lambda h: -(h.dense_score or 0.0))
    voters = voters[:VOTE_K]
    for h in voters:
        key = group_key(h) or ""
        if key not in index:
            index[key] = len(keys)
            keys.append(key)
    if not keys:
        return SuggestResult(False, [], similar(hits, k, product_id), FALLBACK_THRESHOLD, False)
    cos = np.array([[h.dense_score or 0.0 for h in voters]])
    labels = np.array([[index[group_key(h) or ""] for h in voters]], dtype=np.int64)
    sig = signals(model, qvec[None, :], [text], cos, labels, len(keys))
    scores = sig.scores
    # Groups with any evidence are candidates; feedback and the customer's context can
    # reorder them, not invent them.
    evident = scores[0] > 0
    for key, boost in group_boosts(kb, qvec).items():
        if key in index:
            scores[0, index[key]] += boost
    if context is not None:
        context_boost(scores[0], keys, context, model.product_lift if model else {})
    ranked = [int(i) for i in np.argsort(-scores[0], kind="stable") if evident[i]][:k]
    if not ranked:
        return SuggestResult(False, [], similar(hits, k, product_id), FALLBACK_THRESHOLD, False)
    which = np.array(ranked)
    feats = category_features(sig.repeat(len(which)), which)
    if cal is not None:
        confidence, threshold = cal.predict(feats), cal.threshold
    else:
        votes, group_cos = sig.votes, sig.group_cos
        confidence = np.clip(votes[0, which] * np.maximum(group_cos[0, which], 0), 0, 1)
        threshold = FALLBACK_THRESHOLD
    confidence = exclusive(confidence)
    suggestions = describe(kb, text, qvec, [keys[i] for i in ranked], confidence, voters)
    answerable = bool(suggestions) and suggestions[0].confidence >= threshold
    return SuggestResult(
        answerable, suggestions, similar(hits, k, product_id), threshold, cal is not None
    )


def exclusive(confidence: np.ndarray) -> np.ndarray:
    """Confidences that respect the ranking and that at most one suggestion is right.

    The calibrator was fitted on top suggestions; for lower ranks it extrapolates,
    so each is capped by the one above and by what the ones above leave over.
    """
    out = confidence.astype(float).copy()
    for i in range(1, len(out)):
        out[i] = min(out[i], out[i - 1], max(0.0, 1.0 - out[:i].sum()))
    return out


def similar(hits: list[SearchHit], k: int, product_id: str | None) -> list[SearchHit]:
    """The most similar past cases, those about the given product first."""
    cases = [h for h in hits if h.kind == "case"]
    if product_id:
        cases.sort(key=lambda h: product_id not in h.product_ids)  # stable: similarity within
    return cases[:k]
