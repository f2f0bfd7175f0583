"""Shared helpers for the benchmark suite: timing, percentiles, the machine, child processes."""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
# The shared data sets (README there); KCRM_BENCH_DATA points elsewhere (a worktree, say).
SHARED = Path(os.environ.get("KCRM_BENCH_DATA") or ROOT.parent / "shared" / "data")
BANKING77 = SHARED / "banking77" / "train.csv"
GROCERIES = SHARED / "groceries" / "history.csv"


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    """p50/p95/p99 and the mean of latencies in milliseconds."""
    arr = np.asarray(samples_ms, dtype=np.float64)
    return {
        "n": int(arr.size),
        "p50_ms": round(float(np.percentile(arr, 50)), 3),
        "p95_ms": round(float(np.percentile(arr, 95)), 3),
        "p99_ms": round(float(np.percentile(arr, 99)), 3),
        "mean_ms": round(float(arr.mean()), 3),
    }


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    import faiss
    import torch

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(mem_gb, 1),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
        "faiss": faiss.__version__,
        "platform": platform.platform(),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


def peak_rss_mb() -> float:
    """This process's peak resident set size since it started (exec'd).

    `VmHWM`, not `getrusage().ru_maxrss`: Linux carries ru_maxrss over an exec, so a
    child started by a big parent would report the parent's size as its own peak.
    """
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # not Linux


def dir_size_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def run_child(module: str, args: dict[str, Any], env: dict[str, str] | None = None) -> Any:
    """Run `python -m module` with JSON args on stdin; its last stdout line is JSON back.

    Memory and cold start are measured in a fresh process, so nothing this one
    loaded (models, indexes) is counted or reused.
    """
    proc = subprocess.run(
        [sys.executable, "-m", module],
        input=json.dumps(args),
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{module} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def banking77_texts(limit: int | None = None) -> list[tuple[str, str]]:
    """(text, intent) rows of the shared Banking77 data."""
    import csv

    with BANKING77.open(encoding="utf-8") as fh:
        rows = [(r["text"], r["category"]) for r in csv.DictReader(fh)]
    return rows[:limit] if limit else rows
