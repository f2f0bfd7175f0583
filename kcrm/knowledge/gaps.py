"""The knowledge-gap report: what people asked and did not find, grouped by meaning."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import select

from kcrm.core.tables import Feedback, QueryLog
from kcrm.knowledge.kb import KnowledgeBase
from kcrm.knowledge.kcs import likely_duplicates
from kcrm.knowledge.logwriter import flush_pending

# Average-linkage threshold on cosine distance. Measured with MiniLM on 12 Banking77
# intents x 15 questions: same-intent pairs sit at median 0.40 (quartiles 0.27-0.53),
# different intents at median 0.72; 0.55 recovered the intents best (ARI 0.77, against
# 0.73 at 0.50 and 0.64 at 0.60).
CLUSTER_DISTANCE = 0.55
MAX_QUERIES = 5000  # agglomerative clustering is quadratic in memory


@dataclass
class GapCluster:
    size: int
    examples: list[str]
    reasons: dict[str, int]
    nearest_article: dict[str, Any] | None
    query_ids: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "size": self.size,
            "examples": self.examples,
            "reasons": self.reasons,
            "nearest_article": self.nearest_article,
        }


def _failed(kb: KnowledgeBase, since: datetime | None, low_score: float | None) -> list[Any]:
    with kb.db.session() as s:
        unhelpful = select(Feedback.query_id).where(Feedback.helpful.is_(False))
        cond = (
            (QueryLog.result_count == 0)
            | QueryLog.answerable.is_(False)
            | QueryLog.id.in_(unhelpful)
        )
        if low_score is not None:
            cond = cond | (QueryLog.top_score < low_score)
        stmt = (
            select(QueryLog, QueryLog.id.in_(unhelpful).label("unhelpful"))
            .where(cond, QueryLog.embedding.is_not(None))
            .where(QueryLog.embedding_model == kb.embedder.name)
            .order_by(QueryLog.created_at.desc())
            .limit(MAX_QUERIES)
        )
        if since is not None:
            stmt = stmt.where(QueryLog.created_at >= since)
        return list(s.execute(stmt).all())


def question(text: str) -> str:
    """The question a logged query asked, without a case subject that repeats its description.

    Suggestions for a case are asked with the subject and the description joined; the
    subject is usually the description's first words ("Card not arrived\nMy card has not
    arrived..."), so shown as is every example would say its question twice.
    """
    subject, _, rest = text.partition("\n")
    rest = rest.strip()
    if not rest:
        return text.strip()
    words = set(re.findall(r"\w+", rest.lower()))
    if set(re.findall(r"\w+", subject.lower())) <= words:
        return rest
    return f"{subject.strip()}: {rest}"


def _reason(q: QueryLog, unhelpful: bool) -> str:
    # A reader's verdict says more than the engine's own doubt (searches log `no_match`
    # as not answerable too).
    if q.result_count == 0:
        return "no results"
    if unhelpful:
        return "not helpful"
    if q.answerable is False:
        return "no confident answer"
    return "low score"


def gap_report(
    kb: KnowledgeBase,
    since: datetime | None = None,
    low_score: float | None = None,
    min_size: int = 2,
) -> list[GapCluster]:
    """Clusters of failed queries, biggest first, each with the closest existing article."""
    flush_pending(kb.db)  # queries this server has not written yet count too
    rows = _failed(kb, since, low_score)
    if not rows:
        return []
    vectors = np.stack([np.frombuffer(q.embedding, dtype=np.float32) for q, _ in rows])
    labels = _cluster(vectors)
    clusters: list[GapCluster] = []
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        if members.size < min_size:
            continue
        centroid = vectors[members].mean(axis=0)
        centroid /= max(float(np.linalg.norm(centroid)), 1e-12)
        # Most typical first: the examples closest to the centroid say what the gap is.
        order = members[np.argsort(-(vectors[members] @ centroid))]
        examples = list(dict.fromkeys(question(rows[i][0].query) for i in order))[:5]
        reasons: dict[str, int] = {}
        for i in members:
            r = _reason(rows[i][0], bool(rows[i][1]))
            reasons[r] = reasons.get(r, 0) + 1
        nearest = likely_duplicates(kb, examples[0], k=1)
        clusters.append(
            GapCluster(
                size=int(members.size),
                examples=examples,
                reasons=reasons,
                nearest_article=nearest[0] if nearest else None,
                query_ids=[rows[i][0].id for i in order],
            )
        )
    return sorted(clusters, key=lambda c: -c.size)


def _cluster(vectors: np.ndarray) -> np.ndarray:
    if len(vectors) == 1:
        return np.zeros(1, dtype=int)
    from sklearn.cluster import AgglomerativeClustering

    model = AgglomerativeClustering(
        n_clusters=None, metric="cosine", linkage="average", distance_threshold=CLUSTER_DISTANCE
    )
    return np.asarray(model.fit_predict(vectors))


def plot_gaps(clusters: list[GapCluster], path: Path, top: int = 15) -> Path:
    """A horizontal bar chart of the biggest gaps, labelled by their most typical query."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shown = clusters[:top]
    fig, ax = plt.subplots(figsize=(9, 0.45 * max(len(shown), 2) + 1.2))
    labels = [(c.examples[0][:60] + ("…" if len(c.examples[0]) > 60 else "")) for c in shown]
    ax.barh(range(len(shown)), [c.size for c in shown], color="#c0392b")
    ax.set_yticks(range(len(shown)), labels)
    ax.invert_yaxis()
    ax.set_xlabel("failed queries")
    ax.set_title("Knowledge gaps: what people asked and did not find")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
