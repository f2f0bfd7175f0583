"""Segment report plots as PNG files (matplotlib without pyplot: no GUI, thread-safe)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from sqlalchemy import func, select

from kcrm.core.db import Database
from kcrm.core.tables import Purchase


def _save(fig: Figure, path: Path) -> Path:
    FigureCanvasAgg(fig)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    return path


def segment_sizes(report: dict[str, Any], path: Path) -> Path:
    segs = report["segments"][::-1]
    fig = Figure(figsize=(8, 4.5))
    ax = fig.add_subplot()
    names = [s["segment"] for s in segs]
    ax.barh(names, [s["customers"] for s in segs], color="#4C72B0")
    for y, s in enumerate(segs):
        ax.text(
            s["customers"],
            y,
            f"  {s['monetary_share']:.0%} of {report['monetary_basis']}",
            va="center",
            fontsize=8,
        )
    ax.set_xlabel("customers")
    ax.set_title("RFM segments")
    ax.margins(x=0.25)
    return _save(fig, path)


def rfm_grid(report: dict[str, Any], path: Path) -> Path:
    grid = np.zeros((5, 5))
    for x in report["scores"]:
        grid[x["r"] - 1, x["f"] - 1] += 1
    fig = Figure(figsize=(5.5, 4.5))
    ax = fig.add_subplot()
    im = ax.imshow(grid, origin="lower", cmap="Blues")
    for r in range(5):
        for f in range(5):
            ax.text(f, r, str(int(grid[r, f])), ha="center", va="center", fontsize=8)
    ax.set_xticks(range(5), [str(i) for i in range(1, 6)])
    ax.set_yticks(range(5), [str(i) for i in range(1, 6)])
    ax.set_xlabel("frequency score")
    ax.set_ylabel("recency score")
    ax.set_title("customers by recency and frequency")
    fig.colorbar(im, ax=ax)
    return _save(fig, path)


def value_tiers(report: dict[str, Any], path: Path) -> Path:
    tiers = report["tiers"]
    fig = Figure(figsize=(6, 4))
    ax = fig.add_subplot()
    x = np.arange(len(tiers))
    ax.bar(x - 0.2, [t["share"] for t in tiers], 0.4, label="customers")
    ax.bar(x + 0.2, [t["monetary_share"] for t in tiers], 0.4, label=report["monetary_basis"])
    ax.set_xticks(x, [t["value_tier"] for t in tiers])
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax.set_title("value tiers: share of customers and of spend")
    ax.legend()
    return _save(fig, path)


def monthly_activity(db: Database, path: Path) -> Path:
    """Active customers per month and the share of them who had bought before."""
    with db.session() as s:
        orders = s.execute(
            select(Purchase.customer_id, func.min(Purchase.purchased_at)).group_by(
                Purchase.customer_id, Purchase.order_id
            )
        ).all()
    active: dict[str, set[str]] = defaultdict(set)
    first: dict[str, str] = {}
    for cid, when in sorted(orders, key=lambda r: r[1]):
        month = when.strftime("%Y-%m")
        active[month].add(cid)
        first.setdefault(cid, month)
    months = sorted(active)
    counts = [len(active[m]) for m in months]
    returning = [sum(first[c] < m for c in active[m]) / max(len(active[m]), 1) for m in months]
    fig = Figure(figsize=(8, 4))
    ax = fig.add_subplot()
    ax.bar(months, counts, color="#8FB3D9", label="active customers")
    ax.set_ylabel("active customers")
    ax.tick_params(axis="x", rotation=60, labelsize=7)
    ax2 = ax.twinx()
    ax2.plot(months, returning, color="#C44E52", marker="o", label="returning share")
    ax2.set_ylim(0, 1)
    ax2.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax.set_title("monthly activity and returning customers")
    return _save(fig, path)


def write_plots(db: Database, report: dict[str, Any], folder: Path) -> list[Path]:
    """All segment-report plots into `folder`; returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    if not report["scores"]:
        return []
    return [
        segment_sizes(report, folder / "segments.png"),
        rfm_grid(report, folder / "rfm_grid.png"),
        value_tiers(report, folder / "value_tiers.png"),
        monthly_activity(db, folder / "monthly_activity.png"),
    ]
