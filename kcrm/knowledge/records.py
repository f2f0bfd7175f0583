"""Knowledge records as users write them, and readers that say exactly which line is bad."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from kcrm.core.bounds import EventTime, refuse_unstorable, unstorable_text

Kind = Literal["faq", "article", "case", "interaction"]
Visibility = Literal["public", "internal"]
Status = Literal["draft", "review", "published", "archived"]
# What CRM exports carry for a case; the record's own status follows from it.
CaseStatus = Literal["open", "pending", "resolved", "closed"]
Priority = Literal["low", "normal", "high", "urgent"]
Channel = Literal["phone", "email", "chat", "web", "visit", "social"]
# The same vocabularies as tuples, for checks outside pydantic (the CRM's own writes).
CASE_STATUSES: tuple[str, ...] = get_args(CaseStatus)
PRIORITIES: tuple[str, ...] = get_args(Priority)
CHANNELS: tuple[str, ...] = get_args(Channel)

KNOWLEDGE_SUFFIXES = {".jsonl", ".json", ".csv", ".md", ".markdown", ".txt"}
MAX_BODY_CHARS = 1_000_000


# A product id as the products table holds it (String(128)); a tag, a short label.
ProductId = Annotated[str, StringConstraints(min_length=1, max_length=128)]
Tag = Annotated[str, StringConstraints(min_length=1, max_length=256)]


class KnowledgeRecord(BaseModel):
    """One knowledge record (INTERFACE.md, "Knowledge records")."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, allow_inf_nan=False)

    id: str = Field(min_length=1, max_length=256, pattern=r"^[^\s/\\]+$")
    kind: Kind
    body: str = Field(min_length=1, max_length=MAX_BODY_CHARS)
    title: str = Field(default="", max_length=2000)
    visibility: Visibility = "internal"
    status: Status | CaseStatus = "published"
    language: str | None = Field(
        default=None, max_length=8, pattern=r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$"
    )
    category: str | None = Field(default=None, max_length=128)
    resolution: str | None = Field(default=None, max_length=MAX_BODY_CHARS)
    article_id: str | None = Field(default=None, max_length=256)
    customer_id: str | None = Field(default=None, max_length=128)
    product_ids: list[ProductId] = Field(default_factory=list, max_length=100)
    channel: Channel | None = None
    tags: list[Tag] = Field(default_factory=list, max_length=100)
    created_at: EventTime | None = None
    priority: Priority | None = None
    # Extensions beyond INTERFACE.md, for cases and interactions.
    case_status: CaseStatus | None = None  # set from `status` when that is a case status
    closed_at: EventTime | None = None
    direction: Literal["inbound", "outbound"] | None = None
    agent: str | None = Field(default=None, max_length=128)  # `assignee` is read as this
    queue: str | None = Field(default=None, max_length=64)
    case_id: str | None = Field(default=None, max_length=256)

    @field_validator("product_ids", "tags", mode="before")
    @classmethod
    def _split_list(cls, value: Any) -> Any:
        # CSV cells and hand-written JSON often give "a;b" or "a, b" for a list.
        if value is None:
            return []
        if isinstance(value, str):
            sep = ";" if ";" in value else ","
            return [part.strip() for part in value.split(sep) if part.strip()]
        return value

    @field_validator(
        "language",
        "category",
        "resolution",
        "article_id",
        "customer_id",
        "agent",
        "queue",
        "case_id",
        "channel",
        "direction",
        "priority",
        "case_status",
        mode="before",
    )
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("status", "priority", "case_status", mode="before")
    @classmethod
    def _lower(cls, value: Any) -> Any:
        # CRM exports write "Closed" or "HIGH" as often as "closed".
        return value.strip().lower() if isinstance(value, str) else value

    @model_validator(mode="before")
    @classmethod
    def _storable(cls, data: Any) -> Any:
        # PostgreSQL text cannot hold NUL (SQLite can), no database holds undecodable
        # bytes: refuse them here, as a rejected row naming the field, rather than fail
        # the whole batch in the database.
        data = refuse_unstorable(data)
        if isinstance(data, dict) and "assignee" in data:
            # Help desks export the case owner as `assignee`; kcrm's record calls it `agent`.
            data = dict(data)
            assignee = data.pop("assignee")
            data.setdefault("agent", assignee)
        return data

    @model_validator(mode="after")
    def _cases_are_internal(self) -> KnowledgeRecord:
        # Cases and interactions carry customers' words: never public, whatever the file says.
        if self.kind in ("case", "interaction"):
            self.visibility = "internal"
        if self.status in CASE_STATUSES:
            if self.kind != "case":
                raise ValueError(
                    f"status: {self.status!r} is a case status; a {self.kind} is draft, "
                    "review, published or archived"
                )
            # A resolved or closed case is a resolution agents may reuse: published (internal).
            # An open or pending one is kept but never suggested as a resolution.
            self.case_status = self.status  # type: ignore[assignment]
            self.status = "published" if self.status in ("resolved", "closed") else "archived"
        elif self.case_status in ("open", "pending") and self.status == "published":
            self.status = "archived"
        if self.kind != "case" and (self.priority, self.case_status, self.queue) != (None,) * 3:
            raise ValueError("priority, queue and case_status are for records of kind case")
        return self


@dataclass(frozen=True)
class Rejection:
    """A row that could not be used, with where it is and why."""

    file: str
    line: int
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "reason": self.reason}


@dataclass
class IngestReport:
    """What an ingest did, in the counts INTERFACE.md names."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    embedded_chunks: int = 0
    reused_chunks: int = 0

    def merge(self, other: IngestReport) -> None:
        self.added += other.added
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.deleted += other.deleted
        self.rejected.extend(other.rejected)
        self.embedded_chunks += other.embedded_chunks
        self.reused_chunks += other.reused_chunks

    def as_dict(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "deleted": self.deleted,
            "rejected": len(self.rejected),
            "rejections": [r.as_dict() for r in self.rejected],
            "embedded_chunks": self.embedded_chunks,
            "reused_chunks": self.reused_chunks,
        }


@dataclass(frozen=True)
class Parsed:
    """A record read from `file` at `line`."""

    record: KnowledgeRecord
    file: str
    line: int


def describe(error: ValidationError) -> str:
    """A one-line reason naming each bad field and what is wrong with it."""
    parts = []
    for err in error.errors():
        field = ".".join(str(p) for p in err["loc"]) or "record"
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown field"
        elif err["type"] == "missing":
            msg = "required field is missing"
        parts.append(f"{field}: {msg}")
    return "; ".join(parts)


def _validate(data: Any, file: str, line: int) -> Parsed | Rejection:
    if not isinstance(data, dict):
        return Rejection(file, line, f"expected a JSON object, got {type(data).__name__}")
    try:
        return Parsed(KnowledgeRecord.model_validate(data), file, line)
    except ValidationError as exc:
        return Rejection(file, line, describe(exc))


def read_jsonl(path: Path) -> Iterator[Parsed | Rejection]:
    name = str(path)
    with path.open("rb") as fh:
        for lineno, raw in enumerate(fh, start=1):
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield Rejection(name, lineno, f"not valid UTF-8 ({exc.reason} at byte {exc.start})")
                continue
            if not text.strip():
                continue
            try:
                data = json.loads(text)
            except json.JSONDecodeError as exc:
                yield Rejection(name, lineno, f"invalid JSON: {exc.msg} (column {exc.colno})")
                continue
            yield _validate(data, name, lineno)


def read_json(path: Path) -> Iterator[Parsed | Rejection]:
    name = str(path)
    try:
        # Undecodable bytes become lone surrogates: the record holding them is rejected
        # (KnowledgeRecord refuses them), the others in the list still land.
        data = json.loads(path.read_text(encoding="utf-8", errors="surrogateescape"))
    except json.JSONDecodeError as exc:
        yield Rejection(name, exc.lineno, f"invalid JSON: {exc.msg} (column {exc.colno})")
        return
    items = data if isinstance(data, list) else [data]
    # A JSON list has no line per record; the item's position (1-based) stands in for it.
    for pos, item in enumerate(items, start=1):
        yield _validate(item, name, pos)


def read_csv_rows(path: Path) -> Iterator[tuple[int, dict[str, str] | str]]:
    """Rows of a CSV file as dicts with their line number, or an error message.

    A row with bytes that are not UTF-8 is an error of its own; the other rows still
    come (the file is decoded leniently and each row checked).
    """
    text = path.read_text(encoding="utf-8-sig", errors="surrogateescape")
    reader = csv.DictReader(text.splitlines(keepends=True))
    if not reader.fieldnames:
        return
    if unstorable_text(list(reader.fieldnames)) is not None:
        yield 1, "the header is not valid UTF-8"
        return
    for row in reader:
        line = reader.line_num
        bad = unstorable_text([v for v in row.values() if isinstance(v, str)])
        if bad is not None:
            yield line, bad[1]
            continue
        if None in row:
            cells = len(row[None]) + len(reader.fieldnames)
            yield line, f"{cells} cells but the header has {len(reader.fieldnames)}"
            continue
        yield line, {k.strip(): (v or "") for k, v in row.items() if k}


def read_csv(path: Path) -> Iterator[Parsed | Rejection]:
    name = str(path)
    for line, row in read_csv_rows(path):
        if isinstance(row, str):
            yield Rejection(name, line, row)
            continue
        data = {k: v for k, v in row.items() if v != ""}
        if "text" in data and "body" not in data:
            data["body"] = data.pop("text")
        yield _validate(data, name, line)


def read_markdown(path: Path, root: Path | None = None) -> Iterator[Parsed | Rejection]:
    """One record per file: YAML front matter for fields, the rest is the body.

    Defaults: id from the path (relative to the folder ingested), kind `article`,
    title from the first `# heading`.
    """
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        yield Rejection(name, 1, f"not valid UTF-8 ({exc.reason})")
        return
    meta: dict[str, Any] = {}
    body = text
    if text.startswith("---"):
        end = text.find("\n---", 3)
        if end == -1:
            yield Rejection(name, 1, "front matter starts with --- but never ends")
            return
        try:
            loaded = yaml.safe_load(text[3:end]) or {}
        except yaml.YAMLError as exc:
            yield Rejection(name, 1, f"invalid YAML front matter: {exc}")
            return
        if not isinstance(loaded, dict):
            yield Rejection(name, 1, "front matter must be a mapping of fields")
            return
        meta = loaded
        body = text[end + 4 :].lstrip("\n")
    rel = path.relative_to(root) if root is not None and path.is_relative_to(root) else path
    meta.setdefault("id", rel.with_suffix("").as_posix().replace("/", "-"))
    meta.setdefault("kind", "article")
    if "title" not in meta:
        for row in body.splitlines():
            if row.startswith("# "):
                meta["title"] = row[2:].strip()
                break
    meta["body"] = body
    yield _validate(meta, name, 1)


def read_path(path: Path, root: Path | None = None) -> Iterator[Parsed | Rejection]:
    """Records from one knowledge file, by its suffix."""
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        yield from read_jsonl(path)
    elif suffix == ".json":
        yield from read_json(path)
    elif suffix == ".csv":
        yield from read_csv(path)
    elif suffix in (".md", ".markdown", ".txt"):
        yield from read_markdown(path, root)
    else:
        yield Rejection(str(path), 0, f"unsupported file type {suffix!r}")


def knowledge_files(
    paths: Sequence[Path], skip: Callable[[Path], bool] | None = None
) -> list[tuple[Path, Path]]:
    """(file, root) of every knowledge file in `paths`, folders walked in name order.

    Hidden files and a folder's own README/LICENSE are not knowledge; `skip` leaves out
    other files (the CRM tables a folder may hold). A path that does not exist raises
    FileNotFoundError naming it.
    """
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise FileNotFoundError(", ".join(str(p) for p in missing) + ": no such file or folder")
    found: list[tuple[Path, Path]] = []
    for path in paths:
        root = path if path.is_dir() else path.parent
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            if path.is_dir():
                if any(part.startswith(".") for part in file.relative_to(root).parts):
                    continue
                if file.name.lower() in ("readme.md", "license.md"):
                    continue
                if file.suffix.lower() not in KNOWLEDGE_SUFFIXES:
                    continue
            if skip is not None and skip(file):
                continue
            found.append((file, root))
    return found


def estimate_records(file: Path) -> int:
    """About how many records a knowledge file holds, without parsing it (for progress).

    Lines for JSON Lines and CSV (a quoted cell spanning lines makes it an over-count),
    one for Markdown and text; a JSON list is parsed, as it has no cheaper measure.
    """
    suffix = file.suffix.lower()
    if suffix in (".md", ".markdown", ".txt"):
        return 1
    if suffix == ".json":
        try:
            data = json.loads(file.read_bytes())
        except (OSError, ValueError):
            return 1
        return len(data) if isinstance(data, list) else 1
    try:
        with file.open("rb") as fh:
            lines = sum(1 for line in fh if line.strip())
    except OSError:
        return 0
    return max(0, lines - 1) if suffix == ".csv" else lines
