"""Recommendation settings, from `KCRM_RECOMMEND_*` variables (beside the core `Settings`)."""

from __future__ import annotations

import os
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_threads() -> int:
    # implicit runs one OpenMP thread per core; more threads than cores only adds contention.
    return max(1, min(2, os.cpu_count() or 1))


class RecommendConfig(BaseSettings):
    """Model sizes, business rules and the value objective of next-best offers."""

    model_config = SettingsConfigDict(env_prefix="KCRM_RECOMMEND_", extra="ignore")

    # Candidate models.
    recent_half_life_days: float = Field(default=30.0, gt=0)
    neighbours: int = Field(default=50, ge=1, le=1000)  # per item, co-purchase and content
    min_pair_customers: int = Field(default=2, ge=1)  # a rule seen fewer times is noise
    als_factors: int = Field(default=32, ge=2, le=512)
    als_iterations: int = Field(default=15, ge=1, le=200)
    als_regularization: float = Field(default=1.0, ge=0)
    als_alpha: float = Field(default=10.0, gt=0)
    threads: int = Field(default_factory=default_threads, ge=1)
    seed: int = 7

    # Blend tuning on a temporal validation split at the end of the training data.
    validation_days: float = Field(default=45.0, gt=0)
    tune_users: int = Field(default=5000, ge=100)  # validation customers sampled for speed
    # The re-ranker (`rerank.py`) learns from this many windows of `validation_days`
    # back from the end (1 = no re-ranker), on the union of every model's top candidates.
    rerank_windows: int = Field(default=3, ge=1, le=12)
    rerank_candidates: int = Field(default=100, ge=10, le=2000)

    # Customers with no purchases: what customers of their segment, country or signup
    # cohort bought in this many days before the last purchase (all history if few did).
    cold_window_days: float = Field(default=90.0, gt=0)

    # Offer fatigue: a customer who rejected an offer this many times is not offered it
    # again for `fatigue_days` after the last rejection (0 rejections = never suppress).
    fatigue_rejections: int = Field(default=3, ge=0)
    fatigue_days: float = Field(default=90.0, ge=0)

    # Business rules.
    repeatable_categories: list[str] = Field(default_factory=list)
    max_per_category: int = Field(default=0, ge=0)  # 0 = no cap
    value_objective: Literal["none", "price", "margin"] = "none"
    value_weight: float = Field(default=0.0, ge=0, le=10)
