"""Chunking follows headings and paragraphs, overlaps, and leaves short records whole."""

from __future__ import annotations

import itertools

import pytest

from kcrm.knowledge.chunking import chunk_text, count_words


def test_short_record_is_one_chunk() -> None:
    chunks = chunk_text("My card has not arrived yet.", size=50, overlap=10)
    assert [c.text for c in chunks] == ["My card has not arrived yet."]


def test_blank_text_has_no_chunks() -> None:
    assert chunk_text("   \n ", size=50, overlap=10) == []


def test_sections_follow_headings() -> None:
    para = " ".join(["word"] * 30)
    body = f"# Guide\n\nIntro {para}\n\n## Fees\n\nFees {para}\n\n## Limits\n\nLimits {para}\n"
    chunks = chunk_text(body, size=40, overlap=5)
    headings = [c.heading for c in chunks]
    assert headings == ["Guide", "Guide > Fees", "Guide > Limits"]
    assert chunks[1].text.startswith("Fees")
    assert all(count_words(c.text) <= 40 for c in chunks)


def test_long_paragraphs_are_windowed_with_overlap() -> None:
    sentences = [f"Sentence number {i} talks about card fees." for i in range(40)]
    chunks = chunk_text(" ".join(sentences), size=50, overlap=14)
    assert len(chunks) > 3
    assert all(count_words(c.text) <= 50 for c in chunks)
    # The last sentence of one chunk opens the next.
    for a, b in itertools.pairwise(chunks):
        assert a.text.split("\n\n")[-1].split(". ")[-1] in b.text
    joined = " ".join(c.text for c in chunks)
    assert all(s in joined for s in sentences)


def test_chinese_counts_characters() -> None:
    body = "新卡通常在三到五个工作日内寄到。" * 30
    chunks = chunk_text(body, size=100, overlap=20)
    assert len(chunks) > 1
    assert all(count_words(c.text) <= 100 for c in chunks)


def test_overlap_must_be_smaller_than_size() -> None:
    with pytest.raises(ValueError, match="overlap"):
        chunk_text("x " * 100, size=10, overlap=10)
