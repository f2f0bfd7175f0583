"""Triage of a new case: its likely resolution category, its language, how urgent it sounds,
and the priority that follows. The agent may override the priority; overrides are recorded
on the case's timeline as feedback (`kcrm report service` counts them).

Urgency is a small lexicon and a few rules, in English and Chinese, over five kinds of
signal: a threat to the customer's money or security (fraud, theft, "not me"), loss of
access (lost card, swallowed card, locked out), money gone astray (charged twice, not
received), time pressure ("urgent", "today", stranded abroad) and distress (anger,
repeated contact). A plain question ("how do I...") lowers it. docs/quality.md has its
precision and recall on a labelled sample (bench/triage.py).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from kcrm.assist.suggest import suggest
from kcrm.crm.tickets import Triage
from kcrm.knowledge.kb import KnowledgeBase
from kcrm.knowledge.text.language import detect_language

LEXICON = Path(__file__).with_name("urgency.yaml")


@dataclass(frozen=True)
class Signal:
    """One kind of evidence: its weight, its English patterns and its Chinese words."""

    weight: float
    en: re.Pattern[str]
    zh: tuple[str, ...]


def load_lexicon(path: Path = LEXICON) -> dict[str, Signal]:
    """The signals of `urgency.yaml`; English patterns match whole words only."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {
        name: Signal(
            float(entry["weight"]),
            re.compile(
                "|".join(rf"(?<!\w)(?:{p})(?!\w)" for p in entry["en"]),
                re.IGNORECASE | re.MULTILINE,
            ),
            tuple(entry.get("zh") or ()),
        )
        for name, entry in data.items()
    }


SIGNALS = load_lexicon()
_SHOUT = re.compile(r"\b[A-Z]{3,}\b")
_WORDS_CAP = 3  # hits of one kind counted at most: a long rant is not three times as urgent

# Priority from the urgency score: the cut points were set on the development half of the
# labelled sample (bench/triage.py) and checked on the other half. One sign of lost access
# or of money gone astray (raw 1.8-2.0) is "high"; pressure alone ("today") is not.
URGENT_AT = 0.75
HIGH_AT = 0.45
PROBLEMS = frozenset({"threat", "loss", "money", "time", "distress"})
_CJK = re.compile(r"[\u3400-\u9fff]")


def _hits(text: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    chinese = bool(_CJK.search(text))
    # "能不能用" asks whether it can be used; its "不能用" is not a complaint that it cannot.
    text = text.replace("能不能", "能否").replace("可不可以", "可否")
    calm = SIGNALS["calm"]
    n_calm = len(calm.en.findall(text)) + sum(text.count(w) for w in calm.zh)
    text = calm.en.sub(" ", text)
    for word in calm.zh:
        text = text.replace(word, " ")
    if n_calm:
        counts["calm"] = min(n_calm, _WORDS_CAP)
    for name, sig in SIGNALS.items():
        if name == "calm":
            continue
        n = len(sig.en.findall(text))
        if chinese:
            n += sum(text.count(word) for word in sig.zh)
        if n:
            counts[name] = min(n, _WORDS_CAP)
    shouting = len(_SHOUT.findall(text)) >= 2 or text.count("!") >= 2 or "！！" in text
    if shouting:
        counts["distress"] = min(counts.get("distress", 0) + 1, _WORDS_CAP)
    return counts


def urgency(text: str, language: str | None = None) -> tuple[float, float, str, list[str]]:
    """(urgency 0..1, sentiment -1..1, proposed priority, the signals that fired).

    The score adds the weights of the problem signals (a second hit of a kind counts
    √2, more count no more) and of calm phrases; a question only decides between
    "normal" and "low" when nothing is wrong.
    """
    hits = _hits(text)
    counted = PROBLEMS | {"calm"}
    raw = sum(SIGNALS[k].weight * min(n, 2) ** 0.5 for k, n in hits.items() if k in counted)
    score = 1 - math.exp(-max(raw, 0.0) / 3.0)
    negative = hits.get("distress", 0) + 0.5 * (hits.get("threat", 0) + hits.get("loss", 0))
    positive = hits.get("thanks", 0)
    sentiment = max(-1.0, min(1.0, (positive - negative) / 3.0))
    if "threat" in hits or score >= URGENT_AT:
        priority = "urgent"  # someone else at the customer's money or security is never less
    elif score >= HIGH_AT:
        priority = "high"
    elif not PROBLEMS & set(hits) and {"question", "calm", "thanks"} & set(hits):
        priority = "low"
    else:
        priority = "normal"
    signals = [f"{name}×{n}" for name, n in sorted(hits.items())]
    return round(score, 4), round(sentiment, 4), priority, signals


def triage(kb: KnowledgeBase, text: str) -> Triage:
    """Category (the suggestion model's best), language, urgency and a proposed priority."""
    language = detect_language(text)
    score, sentiment, priority, signals = urgency(text)
    category, confidence = None, None
    result = suggest(kb, text, k=1)
    if result.suggestions:
        top = result.suggestions[0]
        category, confidence = top.category, round(float(top.confidence), 4)
    return Triage(priority, score, sentiment, language, category, confidence, signals)
