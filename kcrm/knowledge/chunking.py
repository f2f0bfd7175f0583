"""Split long articles on their structure (headings, then paragraphs) with overlap."""

from __future__ import annotations

import re
from dataclasses import dataclass

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s+|(?<=[。！？])")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")


@dataclass(frozen=True)
class TextChunk:
    """A piece of a document: the heading path it sits under and its text."""

    heading: str
    text: str


def count_words(text: str) -> int:
    """Words for sizing chunks; a CJK character counts as one (they carry no spaces)."""
    cjk = len(_CJK.findall(text))
    return len(_CJK.sub(" ", text).split()) + cjk


def _sections(body: str) -> list[tuple[str, list[str]]]:
    """(heading path, paragraphs) for each section of a Markdown-ish body."""
    sections: list[tuple[str, list[str]]] = []
    path: list[tuple[int, str]] = []
    paragraphs: list[str] = []
    current: list[str] = []
    in_code = False

    def flush_paragraph() -> None:
        if current:
            paragraphs.append("\n".join(current).strip())
            current.clear()

    def flush_section() -> None:
        flush_paragraph()
        if paragraphs:
            sections.append((" > ".join(t for _, t in path), [p for p in paragraphs if p]))
            paragraphs.clear()

    for line in body.splitlines():
        if line.strip().startswith("```"):
            in_code = not in_code
        match = None if in_code else _HEADING.match(line)
        if match:
            flush_section()
            level = len(match.group(1))
            path = [(lvl, t) for lvl, t in path if lvl < level] + [(level, match.group(2))]
        elif not line.strip() and not in_code:
            flush_paragraph()
        else:
            current.append(line)
    flush_section()
    return sections


def _split_long(text: str, size: int, overlap: int) -> list[str]:
    """Windows of at most `size` words over one over-long paragraph, cut at sentences."""
    sentences = [s for s in _SENTENCE_END.split(text) if s.strip()]
    pieces: list[str] = []
    for sentence in sentences:
        if count_words(sentence) <= size:
            pieces.append(sentence.strip())
            continue
        words = sentence.split() if not _CJK.search(sentence) else list(sentence)
        joiner = " " if not _CJK.search(sentence) else ""
        step = size - overlap
        for start in range(0, len(words), step):
            pieces.append(joiner.join(words[start : start + size]).strip())
            if start + size >= len(words):
                break
    return _pack(pieces, size, overlap)


def _pack(pieces: list[str], size: int, overlap: int) -> list[str]:
    """Greedily pack pieces into chunks of at most `size` words, repeating ~`overlap` words."""
    chunks: list[str] = []
    window: list[str] = []
    words = 0
    for piece in pieces:
        n = count_words(piece)
        if window and words + n > size:
            chunks.append("\n\n".join(window))
            # Carry whole trailing pieces up to the overlap budget into the next chunk.
            carried: list[str] = []
            budget = overlap
            for prev in reversed(window):
                w = count_words(prev)
                if w > budget:
                    break
                carried.insert(0, prev)
                budget -= w
            window, words = carried, overlap - budget
        window.append(piece)
        words += n
    if window:
        chunks.append("\n\n".join(window))
    return chunks


def chunk_text(body: str, size: int = 160, overlap: int = 30) -> list[TextChunk]:
    """Chunks of a record's body; a short record stays one chunk.

    Args:
        body: the text, Markdown headings allowed.
        size: the most words a chunk may hold.
        overlap: words repeated from the end of a chunk at the start of the next
            within a section, so an answer straddling a boundary is found whole.
    Returns:
        the chunks in reading order; never empty for non-blank text.
    """
    if overlap >= size:
        raise ValueError(f"overlap ({overlap}) must be smaller than size ({size})")
    if count_words(body) <= size:
        return [TextChunk(heading="", text=body.strip())] if body.strip() else []
    chunks: list[TextChunk] = []
    for heading, paragraphs in _sections(body):
        pieces: list[str] = []
        for para in paragraphs:
            if count_words(para) > size:
                pieces.extend(_split_long(para, size, overlap))
            else:
                pieces.append(para)
        chunks.extend(TextChunk(heading, text) for text in _pack(pieces, size, overlap))
    return chunks
