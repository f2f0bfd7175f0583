"""Quality on the shared dev data, each figure beside its baseline, through the product's CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.common import BANKING77, GROCERIES

NOTES = (
    "notes",
    "shorthand",
    "desk",
    "transcript",
    "export",
    "reported",
)  # devsplit's questions inside notes
# The same questions in notes written by another hand (bench/notes/), with their seeds.
OTHER_HANDS = {"caselog": 3, "inbound": 5, "conversation": 9}


def _kcrm(args: list[str], data_dir: Path, check: bool = True) -> Any:
    env = {**os.environ, "KCRM_DATA_DIR": str(data_dir)}
    proc = subprocess.run(
        [sys.executable, "-m", "kcrm.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if check and proc.returncode != 0:
        raise RuntimeError(f"kcrm {' '.join(args)} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout) if "--json" in args else proc.stdout


def recommend(split_date: str = "2015-01-01") -> dict[str, Any]:
    """`kcrm evaluate recommend` on the groceries history: every model and the blend."""
    if not GROCERIES.exists():
        return {"skipped": f"{GROCERIES} not found"}
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        _kcrm(["import", "purchases", str(GROCERIES), "--create-missing", "--json"], data)
        result: dict[str, Any] = _kcrm(
            ["evaluate", "recommend", "--split-date", split_date, "--no-content", "--json"], data
        )
    result["command"] = (
        f"kcrm import purchases {GROCERIES} --create-missing && "
        f"kcrm evaluate recommend --split-date {split_date} --no-content"
    )
    return result


def suggest() -> dict[str, Any]:
    """`kcrm evaluate suggest` on the Banking77 dev split (held-out intents out of scope)."""
    if not BANKING77.exists():
        return {"skipped": f"{BANKING77} not found"}
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        split = Path(tmp) / "split"
        subprocess.run(
            [sys.executable, "-m", "kcrm.assist.devsplit", "--out", str(split)],
            check=True,
            capture_output=True,
        )
        for name, seed in OTHER_HANDS.items():
            script = Path(__file__).parent / "notes" / f"{name}.py"
            io = ["--in", str(split / "queries.jsonl"), "--out", str(split / f"{name}.jsonl")]
            subprocess.run(
                [sys.executable, str(script), *io, "--seed", str(seed)],
                check=True,
                capture_output=True,
            )
        _kcrm(["ingest", str(split / "cases.jsonl"), "--json"], data)
        result: dict[str, Any] = _kcrm(
            ["evaluate", "suggest", "--cases", str(split / "queries.jsonl"), "--json"], data
        )
        # The same questions inside agent notes of four generators (devsplit), on the
        # model just fitted: accuracy, agreement with the bare question, and speed.
        noisy = {}
        for name in (*NOTES, *OTHER_HANDS):
            cases = str(split / f"{name}.jsonl")
            full = _kcrm(["evaluate", "suggest", "--cases", cases, "--no-refit", "--json"], data)
            noisy[name] = {k: full[k] for k in ("suggest", "noise", "latency_ms") if k in full}
    ordered: dict[str, Any] = {}
    for key, value in result.items():  # the notes next to the questions' own figures
        ordered[key] = value
        if key == "suggest":
            ordered.update(noisy)
    ordered["command"] = (
        "python -m kcrm.assist.devsplit --out SPLIT && kcrm ingest SPLIT/cases.jsonl && "
        "kcrm evaluate suggest --cases SPLIT/queries.jsonl (then SPLIT/notes.jsonl, "
        "shorthand.jsonl, desk.jsonl, transcript.jsonl, export.jsonl, reported.jsonl and "
        "bench/notes' caselog.jsonl, inbound.jsonl and conversation.jsonl with --no-refit)"
    )
    return ordered
