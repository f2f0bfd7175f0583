"""What helped before: agents' feedback on suggestions for similar past cases.

A past suggest query counts when its embedding is within cosine `SIMILARITY`
of the new text (about a paraphrase of the same problem with MiniLM). Each
feedback row on it votes for its item (a category or article id): +1 when it
was marked helpful or used, -1 when marked not helpful, weighted by that
cosine. The net vote of an item becomes a boost of `WEIGHT · tanh(net)` on the
suggestion's score (0 to 2), so feedback can settle close calls and demote a
resolution agents keep rejecting, but a handful of clicks cannot outvote a
confident model, and the boost never grows without bound.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np
from sqlalchemy import select

from kcrm.core.tables import Document, Feedback, QueryLog

SIMILARITY = 0.8
WEIGHT = 0.3
MAX_ROWS = 20_000  # the most recent feedback rows considered


def feedback_boosts(kb: Any, qvec: np.ndarray) -> dict[str, float]:
    """Boost in [-WEIGHT, WEIGHT] per item id that got feedback on similar past queries."""
    with kb.db.session() as s:
        rows = s.execute(
            select(QueryLog.embedding, Feedback.item_id, Feedback.helpful, Feedback.used)
            .join(QueryLog, Feedback.query_id == QueryLog.id)
            .where(
                QueryLog.kind == "suggest",
                QueryLog.embedding.is_not(None),
                QueryLog.embedding_model == kb.embedder.name,
            )
            .order_by(Feedback.id.desc())
            .limit(MAX_ROWS)
        ).all()
    if not rows:
        return {}
    dim = qvec.shape[0]
    usable = [r for r in rows if len(r.embedding) == 4 * dim]
    if not usable:
        return {}
    vectors = np.frombuffer(b"".join(r.embedding for r in usable), np.float32).reshape(-1, dim)
    sims = vectors @ qvec.astype(np.float32)
    net: dict[str, float] = defaultdict(float)
    for row, sim in zip(usable, sims, strict=True):
        if sim < SIMILARITY:
            continue
        vote = 1.0 if (row.helpful or row.used) else -1.0 if row.helpful is False else 0.0
        net[row.item_id] += float(sim) * vote
    return {item: WEIGHT * float(np.tanh(v)) for item, v in net.items() if v}


def group_boosts(kb: Any, qvec: np.ndarray) -> dict[str, float]:
    """`feedback_boosts` per suggestion group (category, or `article:<id>`).

    Feedback names a suggestion by its article id or its category (whichever the
    caller logged); an article with a category counts for that category.
    """
    boosts = feedback_boosts(kb, qvec)
    if not boosts:
        return {}
    with kb.db.session() as s:
        docs = dict(
            s.execute(select(Document.id, Document.category).where(Document.id.in_(boosts))).all()
        )
    out: dict[str, float] = defaultdict(float)
    for item, boost in boosts.items():
        if item in docs:
            out[docs[item] or f"article:{item}"] += boost
        else:
            out[item] += boost
    return {key: float(np.clip(b, -WEIGHT, WEIGHT)) for key, b in out.items()}
