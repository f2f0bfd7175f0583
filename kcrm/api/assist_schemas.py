"""Response bodies of agent assist: suggested resolutions and reply drafts."""

from __future__ import annotations

from pydantic import BaseModel, Field

from kcrm.api.customer_schemas import CustomerView


class Evidence(BaseModel):
    """A past case or article behind a suggestion."""

    id: str
    kind: str
    score: float
    snippet: str


class AnswerSource(BaseModel):
    """Where a suggestion's answer comes from."""

    id: str = Field(description="the FAQ's or article's id; the category for a canonical one")
    kind: str = Field(description='faq, article, or "canonical" (built from the cases\' notes)')


class Suggestion(BaseModel):
    """One resolution to offer, with the probability that it is the right one."""

    category: str | None
    article_id: str | None
    title: str
    answer: str
    answer_source: AnswerSource | None
    confidence: float
    evidence: list[Evidence]


class SimilarCase(BaseModel):
    """A past case like this one, with what it was resolved with."""

    id: str
    kind: str
    title: str
    snippet: str
    score: float
    category: str | None
    language: str
    weak: bool
    highlights: dict[str, list[list[int]]]
    resolution: str | None
    article_id: str | None


class ProblemView(BaseModel):
    """The part of a suggest request's text the suggestions were ranked by."""

    text: str = Field(
        description="the problem statement: the text without the agent's turns of a "
        "transcript and the chatter around the problem (all of it when nothing was set aside)"
    )
    segments: int = Field(description="lines, sentences and clauses the text was cut into")
    kept: int = Field(description="segments kept in `text`")


class SuggestResponse(BaseModel):
    """POST /v1/agent/suggest: suggestions best first."""

    query_id: str
    answerable: bool = Field(description="false when no suggestion is confident enough to show")
    problem: ProblemView | None = Field(
        None, description="what the suggestions were ranked by (agents see it as 'Read as')"
    )
    suggestions: list[Suggestion]
    similar_cases: list[SimilarCase]
    customer: CustomerView | None = Field(description="the 360° view of the customer given")


class Citation(BaseModel):
    """A record the draft draws on."""

    id: str
    kind: str
    snippet: str


class DraftResponse(BaseModel):
    """POST /v1/agent/draft: a reply to the customer."""

    draft: str
    language: str
    citations: list[Citation]
    generator: str = Field(description='"offline", or "llm:<model>" for a grounded rewrite')
    category: str | None
    article_id: str | None
    fallback: str | None = Field(
        default=None, description="why a model's rewrite was not used (absent otherwise)"
    )
