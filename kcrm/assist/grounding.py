"""Is every sentence of a model's draft said by the records it cites?

A sentence is supported when
- every number in it (amounts, days, percentages) appears in the cited text:
  a model that invents "within 3 days" where the FAQ says 5 fails here, whatever
  the wording; and
- it is close to one sentence of the cited text or of the draft's own greeting
  and closing: cosine of their embeddings at least `THRESHOLD`, or at least
  `CONTAINED` of its words (characters, for Chinese) found in that sentence.

THRESHOLD was measured with all-MiniLM-L6-v2 on ten demo FAQs
(tests/assist/data/grounding.jsonl): 44 rewordings of a FAQ's sentences, scored
against that FAQ, reached 0.42 to 0.99 (5th percentile 0.59); the same sentences
scored against the nine other FAQs (a plausible but unsupported claim) 0.03 to
0.72 (95th percentile 0.55). At 0.55, 97.7 % of rewordings pass and 94.7 % of
the others are caught, before the number rule catches more; 0.6 would catch
97.7 % but fail 9 % of rewordings, sending most drafts back to offline.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

THRESHOLD = 0.55
CONTAINED = 0.8
_SPLIT = re.compile(r"\n+|(?<=[.!?])\s+|(?<=[。！？])")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_WORD = re.compile(r"[\u4e00-\u9fff]|[^\W_]+")


def sentences(text: str) -> list[str]:
    """The sentences (and lines) of a text that carry words."""
    return [s.strip() for s in _SPLIT.split(text) if _WORD.search(s or "")]


def _words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text)}


def unsupported(kb: Any, draft: str, support: list[str]) -> list[str]:
    """The sentences of `draft` that `support` (cited passages, greeting, closing) does not say."""
    said = [s for text in support for s in sentences(text)]
    claims = sentences(draft)
    if not claims:
        return []
    if not said:
        return claims
    numbers = {n.replace(",", "") for text in support for n in _NUMBER.findall(text)}
    vectors = kb.embedder.encode(claims + said)
    sims = vectors[: len(claims)] @ vectors[len(claims) :].T
    said_words = [_words(s) for s in said]
    out = []
    for i, claim in enumerate(claims):
        if any(n.replace(",", "") not in numbers for n in _NUMBER.findall(claim)):
            out.append(claim)
            continue
        words = _words(claim)
        contained = max(len(words & w) / max(len(words), 1) for w in said_words)
        if float(np.max(sims[i])) < THRESHOLD and contained < CONTAINED:
            out.append(claim)
    return out
