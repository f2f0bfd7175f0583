"""A category's canonical resolution: what its resolved cases have in common, details removed.

A past case's note is about that customer ("One of the two GBP 12.79 charges
at Mossley Hotels was a pending duplicate..."); sent to another customer it is
wrong and leaks a stranger's details. For a category without an article, the
answer is built from its cases' notes instead:
1. each note's sentences are generalised: amounts, dates, times, references,
   card and account numbers, currency codes, and capitalised words that few of
   the category's notes share (merchants, places, names) become placeholders
   such as `[amount]` or `[name]` for the agent to fill in;
2. a generalised sentence is shared when at least `MIN_SUPPORT` of the notes (and
   at least two) say it; the note whose shared sentences are most shared gives
   the resolution: its shared sentences, in its order;
3. when no sentence is shared, the generalised note most like the others is used.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from kcrm.knowledge.text.pii import redact_batch

MIN_SUPPORT = 0.3  # share of the notes that must say a sentence
MAX_SENTENCES = 4
# A capitalised word in fewer than this share of the notes is a detail of one case.
RARE = 0.3

# ISO 4217 codes customers pay in most (a note's "a CAD payment").
CURRENCIES = [
    *("GBP", "EUR", "USD", "AED", "AUD", "BGN", "BRL", "CAD", "CHF", "CNY", "CZK", "DKK"),
    *("HKD", "HUF", "ILS", "INR", "JPY", "KRW", "MXN", "NOK", "NZD", "PLN", "RON", "SAR"),
    *("SEK", "SGD", "THB", "TRY", "ZAR"),
]
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_RULES = [
    # Amounts with a currency, either side of the number, and Chinese amounts.
    (re.compile(r"(?:GBP|EUR|USD|[£€$¥])\s?\d[\d,]*(?:\.\d+)?"), "[amount]"),
    (re.compile(r"\d[\d,]*(?:\.\d+)?\s?(?:GBP|EUR|USD|pounds?|euros?|dollars?)\b"), "[amount]"),
    (re.compile(r"\d[\d,]*(?:\.\d+)?\s?(?:英镑|欧元|美元|元)"), "[金额]"),
    # Dates and times.
    (re.compile(r"\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?Z?)?\b"), "[date]"),
    (re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH}(?:\s+\d{{4}})?\b"), "[date]"),
    (re.compile(rf"\b{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?\b"), "[date]"),
    (re.compile(r"\b\d{1,2}/\d{1,2}(?:/\d{2,4})?\b"), "[date]"),
    (re.compile(r"\d{1,2}月\d{1,2}日"), "[日期]"),
    (re.compile(r"\b\d{1,2}:\d{2}\b"), "[time]"),
    # References: tokens mixing letters and digits, or long digit runs.
    (re.compile(r"\b(?=[A-Z0-9-]*\d)(?=[A-Z0-9-]*[A-Z])[A-Z0-9-]{5,}\b"), "[reference]"),
    (re.compile(r"\b\d{6,}\b"), "[reference]"),
    # ISO currency codes standing alone ("a CAD payment").
    (re.compile(rf"\b(?:{'|'.join(CURRENCIES)})\b"), "[currency]"),
]
_SENTENCE = re.compile(r"(?<=[.!?;])\s+|(?<=[。！？；])")
_CAPITAL = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-zA-Z'&-]+(?:\s+[A-Z][a-zA-Z'&-]+)*")
_NAME_RUN = re.compile(r"\[name\](?:\s+\[name\])+")


@dataclass
class Canonical:
    """A category's canonical resolution and how it was made."""

    text: str
    cases: int  # notes it was built from
    support: int  # notes that say its least-shared sentence (1: no consensus)


def generalise(sentence: str, rare: set[str]) -> str:
    """A (redacted) sentence with the rare amounts, dates, references and names replaced.

    `rare` holds the literals few of the category's notes share: "GBP 12.79" is one
    customer's charge, "GBP 10" in every note is the house's limit and stays.
    """
    text = sentence

    def replace(placeholder: str) -> Callable[[re.Match[str]], str]:
        return lambda m: placeholder if m.group(0) in rare else m.group(0)

    for pattern, placeholder in _RULES:
        text = pattern.sub(replace(placeholder), text)
    text = _CAPITAL.sub(lambda m: "[name]" if m.group(0) in rare else m.group(0), text)
    return _NAME_RUN.sub("[name]", text).strip()


def literals(note: str) -> set[str]:
    """The amounts, dates, references and capitalised words a note mentions."""
    found = {m.group(0) for pattern, _ in _RULES for m in pattern.finditer(note)}
    return found | {m.group(0) for m in _CAPITAL.finditer(note)}


def canonical_resolution(notes: list[str]) -> Canonical | None:
    """The category's canonical resolution from its cases' notes (None without notes)."""
    notes = [n.strip() for n in notes if n and n.strip()]
    return _canonical(tuple(sorted(notes))) if notes else None


@lru_cache(maxsize=1024)
def _canonical(notes_in: tuple[str, ...]) -> Canonical:
    # Personal data (names, cards, phones...) first, with the PII detector; cached, as a
    # category's recent notes stay the same between suggestions.
    notes = redact_batch(list(notes_in))
    split = [[s.strip() for s in _SENTENCE.split(n) if s.strip()] for n in notes]
    seen: Counter[str] = Counter()
    for note in notes:
        seen.update(literals(note))
    rare = {word for word, df in seen.items() if df < max(2, RARE * len(notes))}
    general = [[generalise(s, rare) for s in sentences] for sentences in split]
    support: Counter[str] = Counter()
    for sentences in general:
        support.update(set(sentences))
    need = max(2, MIN_SUPPORT * len(notes))
    # The note whose shared sentences are the most shared, told in its own order: one
    # coherent resolution, not a mix of the category's alternatives.
    shared = [[s for s in dict.fromkeys(g) if support[s] >= need] for g in general]
    best = max(range(len(notes)), key=lambda j: sum(support[s] for s in shared[j]))
    if shared[best]:
        kept = shared[best][:MAX_SENTENCES]
        return Canonical(" ".join(kept), len(notes), min(support[s] for s in kept))
    # No sentence shared: the generalised note sharing the most words with the others.
    words = [set(re.findall(r"\w+", " ".join(g).lower())) for g in general]
    best = max(
        range(len(notes)),
        key=lambda i: sum(len(words[i] & w) / (len(words[i] | w) or 1) for w in words),
    )
    return Canonical(" ".join(general[best]), len(notes), 1)
