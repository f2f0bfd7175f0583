"""Result snippets: plain text (no Markdown) around the query's words, with highlight spans.

Highlights are computed here, with the same word rules as the index: an English
word is marked when its lemma is a query term ("cards" for "card"), never a piece
of a longer word ("has" inside "hasn't"); Chinese is marked where a query word
(a jieba word or a single character the query holds as a word) occurs.
Spans are code-point offsets `[start, end)` into the returned text.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from kcrm.knowledge.text.tokens import CJK_CHARS, en_norm

_HEADING = re.compile(r"(?m)^\s{0,3}#{1,6}\s+")
_EMPHASIS = re.compile(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_TABLE_RULE = re.compile(r"(?m)^\s*\|?(\s*:?-{3,}:?\s*\|)+\s*:?-*:?\s*$")
_LIST_MARK = re.compile(r"(?m)^\s*(?:[-*+]|\d+[.)])\s+")
_QUOTE = re.compile(r"(?m)^\s*>\s?")
_ROW_START = re.compile(r"(?m)^\s*\|")
_ROW_END = re.compile(r"(?m)\|\s*$")
_PIPES = re.compile(r"\s*\|\s*")
_DOTS = re.compile(r"(\s·)+\s")
_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_CJK = re.compile(f"[{CJK_CHARS}]")

Span = tuple[int, int]


# The same records come back in result after result: their plain text is kept (by text,
# so an edited record is never served stale), 8192 texts of at most a chunk each.
@functools.lru_cache(maxsize=8192)
def plain_text(markdown: str) -> str:
    """Markdown as the sentence a reader sees: no heading marks, emphasis, links, tables."""
    text = _TABLE_RULE.sub(" ", markdown)
    text = _HEADING.sub("", text)
    text = _LIST_MARK.sub("", text)
    text = _QUOTE.sub("", text)
    text = _LINK.sub(r"\1", text)
    text = _EMPHASIS.sub(r"\2", text)
    text = _PIPES.sub(" · ", _ROW_END.sub(" ·", _ROW_START.sub("", text)))
    text = _SPACE.sub(" ", text)
    return _DOTS.sub(" · ", text).strip(" ·")


def highlight_spans(text: str, terms: Sequence[str]) -> list[Span]:
    """Where query terms occur in `text`, as whole words (see the module docstring)."""
    latin = {t for t in terms if not _CJK.search(t)}
    cjk = sorted({t for t in terms if _CJK.search(t)}, key=len, reverse=True)
    spans: list[Span] = []
    if latin:
        for m in _WORD.finditer(text):
            word = m.group()
            if _CJK.search(word):
                continue
            lower = word.lower().replace("’", "'")
            if lower in latin or en_norm(lower) in latin:
                spans.append((m.start(), m.end()))
    taken = [False] * len(text)
    for term in cjk:  # longest first: "银行卡" before "银行"
        start = text.find(term)
        while start >= 0:
            end = start + len(term)
            if not any(taken[start:end]):
                spans.append((start, end))
                for i in range(start, end):
                    taken[i] = True
            start = text.find(term, end)
    return sorted(spans)


def make_snippet(text: str, terms: Sequence[str], width: int = 240) -> tuple[str, list[Span]]:
    """A window of the plain text around the first query term, and the terms' spans in it."""
    flat = plain_text(text)
    spans = highlight_spans(flat, terms)
    if len(flat) <= width:
        return flat, spans
    pos = spans[0][0] if spans else 0
    start = max(0, min(pos - width // 3, len(flat) - width))
    # Start and end on a word boundary where there is one near.
    if start > 0:
        space = flat.find(" ", start, start + 20)
        start = space + 1 if space >= 0 else start
    end = min(len(flat), start + width)
    if end < len(flat):
        space = flat.rfind(" ", end - 20, end)
        end = space if space > start else end
    piece = flat[start:end]
    lead = "…" if start > 0 else ""
    tail = "…" if end < len(flat) else ""
    shift = len(lead) - start
    inside = [(a + shift, b + shift) for a, b in spans if a >= start and b <= end]
    return lead + piece + tail, inside
