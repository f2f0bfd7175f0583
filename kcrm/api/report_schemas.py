"""Response bodies of the operations routes, the knowledge team's routes and the reports."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from kcrm.api.schemas import Strict


class Health(BaseModel):
    """GET /healthz: the process is up."""

    status: Literal["ok"]


class Readiness(BaseModel):
    """GET /readyz: the knowledge base is open and the database reachable."""

    status: Literal["ready"]
    vectors: int = Field(description="vectors in the loaded index")
    index_lag: int = Field(description="index-log entries this process has not applied yet")
    recommender: bool = Field(description="whether offers can be made")


class StatusChange(Strict):
    """POST /v1/documents/{id}/status."""

    status: Literal["draft", "review", "published", "archived"]
    note: str = Field(default="", max_length=2000)


class DocumentStatus(BaseModel):
    """A record after a status change."""

    id: str
    kind: str
    title: str
    status: str
    visibility: str
    version: int
    updated_at: datetime


class Revision(BaseModel):
    """One version of a record, as its history keeps it."""

    version: int
    status: str
    change: str = Field(description="created, updated, status or deleted")
    changed_by: str
    note: str
    title: str
    body: str
    category: str | None
    content_hash: str
    at: datetime


class ArticleMatch(BaseModel):
    """A published FAQ or article close to a text, with the cosine similarity."""

    id: str
    title: str
    similarity: float
    likely_duplicate: bool = Field(description="similar enough to say the same thing")


class GapCluster(BaseModel):
    """Failed queries that ask the same thing."""

    size: int
    examples: list[str] = Field(description="the most typical questions, up to 5")
    reasons: dict[str, int] = Field(
        description="queries per reason: no results, not helpful, no confident answer, low score"
    )
    nearest_article: ArticleMatch | None


class GapReport(BaseModel):
    """GET /v1/reports/gaps: clusters of failed queries since a time, biggest first."""

    since: datetime
    clusters: list[GapCluster]


class SuggestionOutcomes(BaseModel):
    queries: int
    answerable_rate: float | None
    acceptance_rate: float | None = Field(description="share of suggestions marked used")


class BoundCustomers(BaseModel):
    """Searches by keys bound to a customer, and how many were not followed by a case."""

    searches: int
    window_days: int
    not_followed_by_a_case: int
    deflection_rate: float | None


class SelfService(BaseModel):
    customer_searches: int
    help_visits: int
    visits_with_an_article_opened: int
    visits_with_a_helpful_mark: int
    visits_ending_in_contact: int
    contacts: int
    deflection_rate: float | None = Field(description="visits with a search and no contact")
    confirmed_deflection_rate: float | None = Field(
        description="of those, the ones that also marked an answer helpful"
    )
    bound_customers: BoundCustomers


class ArticleOutcome(BaseModel):
    """Feedback on one result, most marked first."""

    id: str
    title: str
    helpful: int
    not_helpful: int
    used: int
    helpful_rate: float | None


class OutcomeReport(BaseModel):
    """GET /v1/reports/outcomes."""

    suggestions: SuggestionOutcomes
    self_service: SelfService
    articles: list[ArticleOutcome]


class ArticleDraft(BaseModel):
    """The draft article a resolved case became (PII redacted)."""

    id: str
    title: str
    body: str
    category: str | None
    status: str
    visibility: str
    created: bool = Field(description="false when the case's draft existed and was redrafted")


class ArticleFromCase(BaseModel):
    """POST /v1/cases/{id}/article."""

    article: ArticleDraft
    duplicates: list[ArticleMatch]
    source_case: str


class Hours(BaseModel):
    """Hours over the cases that have the time (null without any)."""

    median: float | None
    p90: float | None
    n: int


class ServiceFigures(BaseModel):
    cases: int
    open: int
    overdue: int
    first_response_hours: Hours
    resolution_hours: Hours
    reopen_rate: float | None


class InteractionCounts(BaseModel):
    inbound: int
    outbound: int


class ChannelFigures(ServiceFigures):
    interactions: InteractionCounts


class TriageFigures(BaseModel):
    """How often agents kept the priority triage proposed."""

    proposed: int
    overridden: int
    raised: int
    lowered: int
    kept_rate: float | None
    overrides: dict[str, int] = Field(description='"proposed->chosen": how often')


class ServiceReport(BaseModel):
    """GET /v1/reports/service; "(none)" stands for cases without a channel or queue."""

    since: datetime | None
    days: int | None
    total: ServiceFigures
    channels: dict[str, ChannelFigures]
    queues: dict[str, ServiceFigures]
    triage: TriageFigures
