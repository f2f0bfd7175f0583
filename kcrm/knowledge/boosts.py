"""What customers marked helpful before: feedback and popularity as bounded ranking boosts.

A past search counts when its query is within cosine `SIMILARITY` of the new
one (a paraphrase of the same question with MiniLM). Its marks vote for the
marked record: helpful +1, not helpful -1, weighted by that cosine, and every
voter (a help-page session, else an API key) counts once per record however
often it clicks. The boost is `POSITIVE · tanh(helpful / SCALE)` minus
`NEGATIVE · tanh(not helpful / SCALE)`: both saturate, and demotion is capped
lower than promotion, so a flood of "not helpful" from many sessions moves a
right answer down by at most `NEGATIVE`, about the cosine gap between a right
answer and the runner-up (the replay in docs/quality.md measures it).
Popularity (helpful marks and article views over all queries) adds at most
`POPULARITY`, a tie-breaker. Rows are cached in memory and re-read when the
feedback or view count changed, at most once per `ttl` seconds.
"""

from __future__ import annotations

import math
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import func, select

from kcrm.core.db import Database
from kcrm.core.tables import Feedback, HelpEvent, QueryLog

SIMILARITY = 0.8
POSITIVE = 0.05
NEGATIVE = 0.015
POPULARITY = 0.01
SCALE = 3.0  # voters at which a boost reaches tanh(1) = 76 % of its cap
POPULAR_SCALE = 20.0
VIEW_WEIGHT = 0.25  # an article view counts a quarter of a helpful mark for popularity
MAX_ROWS = 50_000  # the most recent feedback rows considered


@dataclass
class _Snapshot:
    stamp: tuple[int, int] = (-1, -1)
    vectors: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.float32))
    # Per logged query (row of `vectors`): (item, vote, voter).
    votes: list[list[tuple[str, int, str]]] = field(default_factory=list)
    popularity: dict[str, float] = field(default_factory=dict)


class FeedbackMemory:
    """Feedback on customers' and agents' searches, ready to boost a new query's results."""

    def __init__(self, db: Database, model_name: str, ttl: float = 2.0) -> None:
        self.db = db
        self.model_name = model_name
        self.ttl = ttl
        self._snap = _Snapshot()
        self._checked = 0.0
        self._lock = threading.Lock()

    def _stamp(self) -> tuple[int, int]:
        with self.db.session() as s:
            fb = s.scalar(select(func.max(Feedback.id))) or 0
            ev = s.scalar(select(func.max(HelpEvent.id))) or 0
        return int(fb), int(ev)

    def _refresh(self) -> _Snapshot:
        now = time.monotonic()
        if now - self._checked < self.ttl:
            return self._snap
        with self._lock:
            if now - self._checked < self.ttl:
                return self._snap
            stamp = self._stamp()
            if stamp != self._snap.stamp:
                self._snap = self._load(stamp)
            self._checked = time.monotonic()
            return self._snap

    def _load(self, stamp: tuple[int, int]) -> _Snapshot:
        with self.db.session() as s:
            rows = s.execute(
                select(
                    QueryLog.id,
                    QueryLog.embedding,
                    QueryLog.session_id,
                    Feedback.key_id,
                    Feedback.item_id,
                    Feedback.helpful,
                )
                .join(QueryLog, Feedback.query_id == QueryLog.id)
                .where(
                    QueryLog.kind == "search",
                    Feedback.helpful.is_not(None),
                    QueryLog.embedding.is_not(None),
                    QueryLog.embedding_model == self.model_name,
                )
                .order_by(Feedback.id.desc())
                .limit(MAX_ROWS)
            ).all()
            views = s.execute(
                select(HelpEvent.item_id, func.count(func.distinct(HelpEvent.session_id)))
                .where(HelpEvent.kind == "view", HelpEvent.item_id.is_not(None))
                .group_by(HelpEvent.item_id)
            ).all()
        row_of: dict[str, int] = {}
        blobs: list[bytes] = []
        votes: list[list[tuple[str, int, str]]] = []
        helpful_voters: dict[str, set[str]] = defaultdict(set)
        for r in rows:
            voter = r.session_id or f"key:{r.key_id}"
            if r.id not in row_of:
                row_of[r.id] = len(blobs)
                blobs.append(r.embedding)
                votes.append([])
            votes[row_of[r.id]].append((r.item_id, 1 if r.helpful else -1, voter))
            if r.helpful:
                helpful_voters[r.item_id].add(voter)
        dims = {len(b) for b in blobs}
        vectors = (
            np.frombuffer(b"".join(blobs), np.float32).reshape(len(blobs), -1)
            if blobs and len(dims) == 1
            else np.zeros((0, 0), np.float32)
        )
        popular: dict[str, float] = defaultdict(float)
        for item, voters in helpful_voters.items():
            popular[item] += len(voters)
        for viewed, n in views:
            popular[str(viewed)] += VIEW_WEIGHT * int(n)
        popularity = {
            item: POPULARITY * math.tanh(v / POPULAR_SCALE) for item, v in popular.items() if v
        }
        return _Snapshot(stamp, vectors, votes if vectors.size else [], popularity)

    def boosts(self, qvec: np.ndarray | None) -> dict[str, float]:
        """Boost per record id (positive or negative, bounded) for a query with this vector."""
        snap = self._refresh()
        out: dict[str, float] = dict(snap.popularity)
        if qvec is None or snap.vectors.size == 0 or snap.vectors.shape[1] != qvec.shape[0]:
            return out
        sims = snap.vectors @ qvec.astype(np.float32)
        near = np.flatnonzero(sims >= SIMILARITY)
        if near.size == 0:
            return out
        # Every voter once per record: its closest query decides its weight and verdict.
        best: dict[tuple[str, str], tuple[float, int]] = {}
        for row in near:
            sim = float(sims[row])
            for item, vote, voter in snap.votes[row]:
                if (item, voter) not in best or sim > best[(item, voter)][0]:
                    best[(item, voter)] = (sim, vote)
        pos: dict[str, float] = defaultdict(float)
        neg: dict[str, float] = defaultdict(float)
        for (item, _), (sim, vote) in best.items():
            (pos if vote > 0 else neg)[item] += sim
        for item in set(pos) | set(neg):
            out[item] = (
                out.get(item, 0.0)
                + POSITIVE * math.tanh(pos.get(item, 0.0) / SCALE)
                - NEGATIVE * math.tanh(neg.get(item, 0.0) / SCALE)
            )
        return out
