"""What a suggestion request returns, and its JSON (INTERFACE.md, POST /v1/agent/suggest)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kcrm.assist.problem import Problem
from kcrm.knowledge.search import SearchHit

FALLBACK_THRESHOLD = 0.5


@dataclass
class Evidence:
    """A past case or article behind a suggestion."""

    id: str
    kind: str
    score: float
    snippet: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "score": round(self.score, 4),
            "snippet": self.snippet,
        }


@dataclass
class Suggestion:
    """One resolution to offer, with the probability that it is the right one."""

    category: str | None
    article_id: str | None
    title: str
    answer: str
    confidence: float
    evidence: list[Evidence] = field(default_factory=list)
    # Where `answer` comes from: {id, kind} of a FAQ or article, or {id: category,
    # kind: "canonical"} for a resolution built from the category's cases.
    answer_source: dict[str, str] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "article_id": self.article_id,
            "title": self.title,
            "answer": self.answer,
            "answer_source": self.answer_source,
            "confidence": round(self.confidence, 4),
            "evidence": [e.as_dict() for e in self.evidence],
        }


@dataclass
class SuggestResult:
    """Suggestions best first; `answerable` is false when none is confident enough to show."""

    answerable: bool
    suggestions: list[Suggestion]
    similar_cases: list[SearchHit]
    threshold: float = FALLBACK_THRESHOLD
    calibrated: bool = False
    # The part of the text the suggestions were ranked by (problem.py), when known.
    problem: Problem | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "answerable": self.answerable,
            "problem": (
                {
                    "text": self.problem.text,
                    "segments": self.problem.segments,
                    "kept": self.problem.kept,
                }
                if self.problem is not None
                else None
            ),
            "suggestions": [s.as_dict() for s in self.suggestions],
            "similar_cases": [
                {**h.as_dict(), "resolution": h.resolution, "article_id": h.article_id}
                for h in self.similar_cases
            ],
        }
