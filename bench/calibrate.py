"""Fitting the no-match thresholds of one embedding model, per language, on held-out questions.

A record is relevant when its cosine, plus at most `RELEVANCE_BOOST` of the
lexical boost (where the model covers the languages; `relevance.score_candidates`),
reaches `T`, or the lexical relevance `r = bm25 / self` reaches
`t_lex`. For each language the pair is chosen that calls at most `TARGET` of the
in-domain questions (both knowledge base sizes together) "nothing found" while
calling as many off-topic questions so as possible; where the model does not
cover the language only `t_lex` applies. Both signals are independent of the
knowledge base's size by construction (a cosine; BM25 over the query's own
maximum), and fitting on the small and the large base together checks it.

Except USE's Chinese cosines: the best an off-topic question finds grows with the
number of chunks it is compared with (median about 0.13 among 28 Chinese chunks,
0.44 among 4,171), so for `SLOPED` languages `T` is fitted on each base alone, the
same way, and joined by a line in the log of the size (`ModelProfile.min_score`):
the threshold at the large base's size and the slope per ln of the size.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from kcrm.knowledge.relevance import ModelProfile, base_model_name, entry

TARGET = 0.025  # in-domain questions answered "nothing found", at most, on the fitting half
TABLE = Path(__file__).resolve().parents[1] / "kcrm" / "knowledge" / "relevance.json"
LEX_GRID = [round(x, 3) for x in np.arange(0.02, 1.5, 0.01)]
SLOPED = ("zh",)  # languages whose threshold follows the size of the knowledge base


def _flag(rows: list[dict[str, Any]], t: float | None, t_lex: float) -> np.ndarray:
    dense = np.array([-1.0 if r["dense"] is None else r["dense"] for r in rows])
    lex = np.array([r["r"] for r in rows])
    low_dense = np.ones(len(rows), bool) if t is None else dense < t
    return low_dense & (lex < t_lex)


def fit_language(
    inside: list[dict[str, Any]], outside: list[dict[str, Any]], covered: bool
) -> dict[str, Any]:
    """The thresholds for one language, and the rates they give on the fitting data."""
    best: tuple[float, float, float | None, float] | None = None
    dense_grid: list[float | None] = [None]
    if covered:
        values = sorted(r["dense"] for r in inside if r["dense"] is not None)
        dense_grid = [round(float(np.quantile(values, q)), 4) for q in np.linspace(0, 0.1, 41)]
    for t in dense_grid:
        for t_lex in LEX_GRID:
            wrong = float(_flag(inside, t, t_lex).mean())
            if wrong > TARGET:
                continue
            caught = float(_flag(outside, t, t_lex).mean()) if outside else 0.0
            key = (caught, -wrong)
            if best is None or key > (best[0], -best[1]):
                best = (caught, wrong, t, t_lex)
    if best is None:
        return {"threshold": None, "lexical_threshold": max(LEX_GRID)}
    caught, wrong, t, t_lex = best
    return {
        "threshold": t,
        "lexical_threshold": t_lex,
        "fit_in_domain_no_match": round(wrong, 4),
        "fit_off_topic_no_match": round(caught, 4),
    }


def _rows(
    sig: dict[tuple[str, str], list[dict[str, Any]]], lang: str, kb: str | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(in-domain, off-topic) fitting rows of `lang`, of one knowledge base or all."""
    mine = {key: rows for key, rows in sig.items() if kb is None or key[0] == kb}
    inside = [r for (_, name), rows in mine.items() if name == f"in_{lang}_fit" for r in rows]
    outside = [
        r
        for (_, name), rows in mine.items()
        if name.startswith("off") and name.endswith("_fit")
        for r in rows
        if r["lang"] == lang
    ]
    return inside, outside


def fit_sloped(
    sig: dict[tuple[str, str], list[dict[str, Any]]], lang: str, t_lex: float
) -> dict[str, Any]:
    """`T` fitted on the smallest and the largest base alone (`t_lex` shared), joined in ln size."""
    fits = []
    for kb in sorted({key[0] for key in sig}):
        inside, outside = _rows(sig, lang, kb)
        sizes = [r["size"] for r in inside if r.get("size")]
        if not inside or not sizes:
            continue
        values = sorted(r["dense"] for r in inside if r["dense"] is not None)
        grid = [round(float(np.quantile(values, q)), 4) for q in np.linspace(0, 0.1, 41)]
        ok = [t for t in grid if float(_flag(inside, t, t_lex).mean()) <= TARGET]
        t = max(ok) if ok else min(grid)
        caught = float(_flag(outside, t, t_lex).mean()) if outside else 0.0
        fits.append({"kb": kb, "size": int(np.median(sizes)), "threshold": t, "caught": caught})
    fits.sort(key=lambda f: f["size"])
    low, high = fits[0], fits[-1]
    span = math.log(high["size"] / low["size"])
    slope = (high["threshold"] - low["threshold"]) / span if span > 0 else 0.0
    return {
        "threshold": high["threshold"],
        "lexical_threshold": t_lex,
        "size_slope": {"slope": round(slope, 4), "from": low["size"], "size": high["size"]},
        "per_base": fits,
    }


def fit_thresholds(
    prof: ModelProfile, sig: dict[tuple[str, str], list[dict[str, Any]]]
) -> dict[str, Any]:
    """Per language ("en", "zh"): the thresholds fitted on the fitting halves."""
    out: dict[str, Any] = {}
    for lang in ("en", "zh"):
        inside, outside = _rows(sig, lang)
        out[lang] = fit_language(inside, outside, prof.covers(lang))
        if lang in SLOPED and prof.covers(lang) and out[lang]["threshold"] is not None:
            out[lang] = fit_sloped(sig, lang, out[lang]["lexical_threshold"])
    return out


def write_profile(model: str, fitted: dict[str, Any]) -> None:
    """Store fitted thresholds for `model` in relevance.json ("*" takes English's)."""
    table = json.loads(TABLE.read_text(encoding="utf-8"))
    # A new entry starts from the model's profile now (a routed pair: made from its two).
    # The languages not fitted here keep their values (a routed pair's others: USE's).
    row = table["models"].setdefault(base_model_name(model), dict(entry(model)))
    row["threshold"] = {**row.get("threshold", {}), "*": fitted["en"]["threshold"]}
    row["lexical_threshold"] = {
        **row.get("lexical_threshold", {}),
        "*": fitted["en"]["lexical_threshold"],
    }
    for lang in ("zh",):
        if fitted[lang]["threshold"] is not None:
            row["threshold"][lang] = fitted[lang]["threshold"]
        row["lexical_threshold"][lang] = fitted[lang]["lexical_threshold"]
        if "size_slope" in fitted[lang]:
            row.setdefault("size_slope", {})[lang] = fitted[lang]["size_slope"]
    TABLE.write_text(json.dumps(table, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
