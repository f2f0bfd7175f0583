"""What a ranked resolution says: its title, answer, article and evidence."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

import numpy as np
from sqlalchemy import func, select

from kcrm.assist.results import Evidence, Suggestion
from kcrm.core.tables import Document
from kcrm.knowledge.search import SearchHit

EVIDENCE_PER_SUGGESTION = 3


def group_key(hit: SearchHit) -> str | None:
    """The resolution a record stands for: its category, else the article behind it."""
    if hit.category:
        return hit.category
    if hit.kind in ("faq", "article"):
        return f"article:{hit.id}"
    return f"article:{hit.article_id}" if hit.article_id else None


def readable(category: str) -> str:
    """`card_arrival` -> `Card arrival`."""
    text = category.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def describe(
    kb: Any, keys: list[str], confidence: np.ndarray, voters: list[SearchHit]
) -> list[Suggestion]:
    """Title, answer, article and evidence for each ranked group."""
    by_key: dict[str, list[SearchHit]] = defaultdict(list)
    for h in voters:
        by_key[group_key(h) or ""].append(h)
    # Groups ranked by the classifiers alone have no evidence among the neighbours:
    # fall back to a few stored cases of that category.
    missing = [k for k in keys if not any(h.kind == "case" for h in by_key[k])]
    stored = stored_cases(kb, [k for k in missing if not k.startswith("article:")])
    article_ids: dict[str, str | None] = {}
    for key in keys:
        hits = by_key[key]
        article = next((h.id for h in hits if h.kind in ("faq", "article")), None)
        linked = Counter(h.article_id for h in hits if h.article_id)
        linked.update(d.article_id for d in stored.get(key, []) if d.article_id)
        article_ids[key] = (
            article
            or (linked.most_common(1)[0][0] if linked else None)
            or (key.removeprefix("article:") if key.startswith("article:") else None)
        )
    articles = load_documents(kb, [a for a in article_ids.values() if a])
    out = []
    for key, conf in zip(keys, confidence, strict=True):
        hits = by_key[key]
        art = articles.get(article_ids[key] or "")
        # The most representative resolution: the one the most similar cases share.
        resolutions: dict[str, float] = defaultdict(float)
        for h in hits:
            if h.resolution:
                resolutions[h.resolution] += max(h.dense_score or 0.0, 0.0) + 1e-6
        for d in stored.get(key, []):
            if d.resolution:
                resolutions[d.resolution] += 1e-3
        answer = (
            max(resolutions, key=lambda r: resolutions[r])
            if resolutions
            else art.body[:1000]
            if art
            else ""
        )
        category = None if key.startswith("article:") else key
        title = (
            art.title if art and art.title else readable(category or key.removeprefix("article:"))
        )
        evidence = [
            Evidence(h.id, h.kind, h.dense_score or h.score, h.snippet)
            for h in hits[:EVIDENCE_PER_SUGGESTION]
        ]
        out.append(Suggestion(category, article_ids[key], title, answer, float(conf), evidence))
    return out


def stored_cases(kb: Any, categories: list[str], per_category: int = 20) -> dict[str, list[Any]]:
    """(resolution, article_id) of up to `per_category` recent published cases per category."""
    found: dict[str, list[Any]] = defaultdict(list)
    if not categories:
        return found
    rank = (
        func.row_number()
        .over(partition_by=Document.category, order_by=Document.updated_at.desc())
        .label("rank")
    )
    recent = (
        select(Document.category, Document.resolution, Document.article_id, rank)
        .where(
            Document.kind == "case",
            Document.status == "published",
            Document.category.in_(categories),
        )
        .subquery()
    )
    with kb.db.session() as s:
        for row in s.execute(
            select(recent.c.category, recent.c.resolution, recent.c.article_id).where(
                recent.c.rank <= per_category
            )
        ):
            found[row.category].append(row)
    return found


def load_documents(kb: Any, ids: list[str]) -> dict[str, Document]:
    """Published records by id, detached from the session."""
    if not ids:
        return {}
    with kb.db.session() as s:
        docs = list(
            s.scalars(select(Document).where(Document.id.in_(ids), Document.status == "published"))
        )
        s.expunge_all()
    return {d.id: d for d in docs}
