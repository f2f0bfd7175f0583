"""Spelling suggestions for English queries, from the words the knowledge base itself uses.

A word of the query is corrected only when it is unknown twice over: not a
common English word (spaCy's lookup tables: lemma forms, stop words and the
16,000 most frequent words of its web word list) and not a word of the index;
a capitalised word inside a sentence (a name: "Leeds") is left alone too. The
replacement must be one edit away (insert, delete, substitute or swap two
neighbours: the common typos) from a word the index holds; one keeping the
first letter wins, then the most frequent. So clean queries pass untouched
(25 of 1,725 Banking77 questions change, all real typos or apostrophes) while
"my crad hasnt arived" becomes "my card hasn't arrived". Candidates are found
through a deletion index (SymSpell's idea): a word and every one-letter deletion
of it point back to it.
"""

from __future__ import annotations

import gzip
import json
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources

from kcrm.knowledge.text.tokens import load_spacy

_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")
_LOCK = threading.Lock()
_FORMS: dict[str, str] | None = None  # English word form -> lemma
_COMMON: frozenset[str] | None = None
# Log probability above which a word of spaCy's web word list counts as known: 16,000
# words. Below it misspellings and real words mix ("recieve" -13.5, "leeds" -16.3).
COMMON_LOGPROB = -13.0
MIN_LENGTH = 4  # shorter words are too often abbreviations or codes to "correct"
# Contractions typed without their apostrophe (spaCy's tables know neither form).
_CONTRACTED = (
    "don't doesn't didn't hasn't haven't hadn't isn't aren't wasn't weren't couldn't "
    "wouldn't shouldn't can't won't i've you're they're that's what's there's"
)
CONTRACTIONS = {w.replace("'", ""): w for w in _CONTRACTED.split(" ")}


def english_forms() -> dict[str, str]:
    """spaCy's English lookup lemmatizer as a plain dict (word form -> lemma)."""
    global _FORMS
    if _FORMS is None:
        with _LOCK:
            if _FORMS is None:
                data = resources.files("spacy_lookups_data") / "data" / "en_lemma_lookup.json.gz"
                with data.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as fh:
                    _FORMS = {k.lower(): v.lower() for k, v in json.load(fh).items()}
    return _FORMS


def common_words() -> frozenset[str]:
    """English stop words and the most frequent words of spaCy's word list."""
    global _COMMON
    if _COMMON is None:
        with _LOCK:
            if _COMMON is None:
                load_spacy()  # without PyTorch
                from spacy.lang.en.stop_words import STOP_WORDS

                data = resources.files("spacy_lookups_data") / "data" / "en_lexeme_prob.json.gz"
                with data.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as fh:
                    probs: dict[str, float] = json.load(fh)
                common = {w.lower() for w, p in probs.items() if p > COMMON_LOGPROB}
                _COMMON = frozenset(common | {w.lower() for w in STOP_WORDS})
    return _COMMON


def deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def one_edit_apart(a: str, b: str) -> bool:
    """Whether `b` is `a` with one insertion, deletion, substitution or neighbour swap."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        i = diff[0]
        return len(diff) == 2 and diff[1] == i + 1 and a[i] == b[i + 1] and a[i + 1] == b[i]
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long_[i]:
        i += 1
    return short[i:] == long_[i + 1 :]


@dataclass(frozen=True)
class Correction:
    """The query as the speller would write it, and the words it changed."""

    text: str
    changes: tuple[tuple[str, str], ...]


class Speller:
    """Corrects unknown English words to one-edit neighbours the index uses."""

    def __init__(self, terms: Iterable[tuple[str, int]]) -> None:
        """Build from the index's (term, document frequency) pairs (terms are lemmas)."""
        forms = english_forms()
        self.known = set(forms) | set(forms.values()) | common_words()
        df: dict[str, int] = {}
        for term, count in terms:
            if term.isascii() and term.isalpha() and len(term) >= 3:
                df[term] = df.get(term, 0) + int(count)
        self.known |= set(df)
        # Every form of an indexed lemma is a candidate ("arrived" for the lemma "arrive").
        self.freq: dict[str, int] = dict(df)
        for form, lemma in forms.items():
            if lemma in df and form.isalpha():
                self.freq[form] = max(self.freq.get(form, 0), df[lemma])
        self.deletes: dict[str, list[str]] = {}
        for word in self.freq:
            for key in deletions(word) | {word}:
                self.deletes.setdefault(key, []).append(word)

    def suggest(self, word: str) -> str | None:
        """The correction of one word, or None when it is known or nothing is close enough."""
        lower = word.lower()
        if lower in CONTRACTIONS and word[1:].islower():
            return CONTRACTIONS[lower] if word[0].islower() else CONTRACTIONS[lower].capitalize()
        if len(lower) < MIN_LENGTH or lower in self.known or not lower.isalpha():
            return None
        candidates: set[str] = set()
        for key in deletions(lower) | {lower}:
            candidates.update(self.deletes.get(key, ()))
        close = [c for c in candidates if one_edit_apart(lower, c)]
        if not close:
            return None
        # Typos rarely hit the first letter: keep it if any candidate does; then the most used.
        return max(close, key=lambda c: (c[0] == lower[0], self.freq[c], c))

    def correct(self, text: str) -> Correction | None:
        """The text with its misspelled words replaced, or None when nothing changes."""
        changes: list[tuple[str, str]] = []
        out: list[str] = []
        last = 0
        for i, match in enumerate(_WORD.finditer(text)):
            word = match.group()
            if i > 0 and word[0].isupper():
                continue  # a name, or an acronym
            fixed = self.suggest(word)
            if fixed is None:
                continue
            out.append(text[last : match.start()])
            out.append(fixed)
            last = match.end()
            changes.append((match.group(), fixed))
        if not changes:
            return None
        out.append(text[last:])
        return Correction("".join(out), tuple(changes))
