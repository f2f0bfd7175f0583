"""Vetting spaCy's PERSON entities: capitalised common words are not names.

en_core_web_sm tags many capitalised words in headings, titles and tables as people
("Card top-ups", "Kestrel", "Weekend markup"). `common_words.tsv.gz` (built by
scripts/build_name_filter.py from spaCy's lexeme probabilities) lists the words
usually written in lower case, with log(P(Title) / P(lower)). A one-word name that is
such a word counts only after a form of address ("Dear Mark", "Mr Green"); a longer
one is dropped only when every word is common and one is clearly a lower-case word
("Apple Pay"), so "Mark Green" or "Wang Li" stay names.
"""

from __future__ import annotations

import gzip
import re
from functools import lru_cache
from pathlib import Path

_TABLE = Path(__file__).with_name("common_words.tsv.gz")
LOWER_CASE_WORD = -1.0  # log ratio under which a word is far more often lower case
_ADDRESSED = re.compile(
    r"(?:\b(?:mr|mrs|ms|miss|mx|dr|dear|hi|hello|hey|thanks|thank you|named|called|name is|"
    r"name's|i am|i'm|this is|ask for|speak to|spoke to|spoke with|signed|regards),?\.?\s*)$",
    re.IGNORECASE,
)


@lru_cache(maxsize=1)
def common_words() -> dict[str, float]:
    """Lower-case word -> log(P(Title) / P(lower)) for words mostly written in lower case."""
    rows = gzip.decompress(_TABLE.read_bytes()).decode().splitlines()
    return {word: float(ratio) for word, ratio in (row.split("\t") for row in rows)}


def plausible_name(text: str, start: int, end: int) -> bool:
    """Whether NER's PERSON span ``text[start:end]`` can be a person's name."""
    words = text[start:end].replace("-", " ").split()
    if not words or not all(_name_shaped(w) for w in words):
        return False
    table = common_words()
    ratios = [table.get(w.lower().rstrip(".").replace("'s", "")) for w in words]
    if len(words) == 1:
        return ratios[0] is None or bool(_ADDRESSED.search(text[max(0, start - 24) : start]))
    common = [r for r in ratios if r is not None]
    return len(common) < len(words) or min(common) >= LOWER_CASE_WORD


def _name_shaped(word: str) -> bool:
    """Capitalised letters (an apostrophe or a final dot allowed), not an all-caps acronym."""
    core = word.replace("'", "").replace("’", "").rstrip(".")
    return core.isalpha() and core[:1].isupper() and not (len(core) > 1 and core.isupper())


_WORD_BEFORE = re.compile(r"([A-Z][a-z'’-]+) $")
_WORD_AFTER = re.compile(r" ([A-Z][a-z'’-]+)")


def widen_name(text: str, start: int, end: int) -> tuple[int, int]:
    """NER's name span without a possessive "'s", widened over the name words NER left out.

    The small model sometimes tags only "Natarajan" in "Card for Priya Natarajan": a
    capitalised word that is not a common word and touches the span joins it.
    """
    if text.endswith(("'s", "’s"), start, end):
        end -= 2
    table = common_words()
    while (m := _WORD_BEFORE.search(text, max(0, start - 30), start)) and (
        m.group(1).lower() not in table
    ):
        start = m.start(1)
    while (m := _WORD_AFTER.match(text, end)) and m.group(1).lower() not in table:
        end = m.end(1)
    return start, end
