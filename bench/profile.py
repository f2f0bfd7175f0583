"""Where a live server's CPU goes: py-spy samples of every thread, summed by part of the work.

`py-spy record` samples the server's threads (`--gil`: only the one holding the GIL,
i.e. the Python work that cannot run in parallel); each sample is put in the first
part, from the innermost frame out, whose file it is in.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

# (a piece of a frame's file path, the part of the work it is), innermost match wins.
PARTS = (
    ("onnxruntime", "embed: ONNX Runtime"),
    ("embedders/", "embed: ONNX Runtime"),
    ("presidio", "query log: PII redaction"),
    ("text/pii", "query log: PII redaction"),
    ("logwriter.py", "query log: insert"),
    ("querylog.py", "query log: insert"),
    ("text/tokens.py", "search: tokenize (spaCy)"),
    ("text/language.py", "search: tokenize (spaCy)"),
    ("text/spelling.py", "search: spelling"),
    ("index/lexical.py", "search: lexical (tantivy)"),
    ("index/vector.py", "search: vectors (FAISS)"),
    ("index/fields.py", "search: ranking"),
    ("results.py", "search: records (SQL) and snippets"),
    ("snippets.py", "search: records (SQL) and snippets"),
    ("relevance.py", "search: ranking"),
    ("knowledge/search.py", "search: ranking"),
    ("boosts.py", "search: ranking"),
    ("knowledge/kb.py", "search: ranking"),
    ("categories.py", "search: answer"),
    ("knowledge/service.py", "search: answer"),
    ("routes/search.py", "search: answer"),
    ("api/deps.py", "auth and rate limits"),
    ("api/ratelimit.py", "auth and rate limits"),
    ("core/keys.py", "auth and rate limits"),
    ("prometheus_client", "HTTP: server, routing, validation"),
    ("api/metrics.py", "HTTP: server, routing, validation"),
    ("uvicorn", "HTTP: server, routing, validation"),
    ("starlette", "HTTP: server, routing, validation"),
    ("fastapi", "HTTP: server, routing, validation"),
    ("pydantic", "HTTP: server, routing, validation"),
    ("anyio", "HTTP: server, routing, validation"),
    ("asyncio", "HTTP: server, routing, validation"),
    ("server/middleware.py", "HTTP: server, routing, validation"),
    ("threading.py", "threads waking each other"),
    ("concurrent/futures", "threads waking each other"),
)


def _binary() -> str | None:
    """py-spy on the PATH, or the one installed beside this Python (a venv not activated)."""
    beside = Path(sys.executable).parent / "py-spy"
    return shutil.which("py-spy") or (str(beside) if beside.exists() else None)


def available() -> bool:
    return _binary() is not None


def record(pid: int, seconds: float, gil: bool = False) -> Path:
    """Collapsed stacks of `pid`'s (and its children's) threads over `seconds`."""
    out = Path(tempfile.mkstemp(prefix="kcrm-py-spy-", suffix=".txt")[1])
    args = [
        _binary() or "py-spy",
        "record",
        "--pid",
        str(pid),
        "--duration",
        str(max(1, int(seconds))),
    ]
    args += ["--rate", "200", "--format", "raw", "--nonblocking", "--subprocesses", "-o", str(out)]
    if gil:
        args.append("--gil")
    subprocess.run(args, capture_output=True, check=False, timeout=seconds + 60)
    return out


def part_of(stack: list[str]) -> str:
    for frame in reversed(stack):
        for piece, part in PARTS:
            if piece in frame:
                return part
    return "other"


def summarise(collapsed: Path) -> dict[str, float]:
    """Share of the samples (0..1) per part of the work, largest first."""
    counts: Counter[str] = Counter()
    for line in collapsed.read_text().splitlines():
        if not line.strip():
            continue
        stack, _, n = line.rpartition(" ")
        counts[part_of(stack.split(";")[1:])] += int(n)
    total = sum(counts.values()) or 1
    return {part: round(n / total, 4) for part, n in counts.most_common()}
