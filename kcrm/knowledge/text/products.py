"""Which catalogue products a text mentions (spaCy PhraseMatcher over normalised tokens)."""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from kcrm.knowledge.text.tokens import CJK_CHARS, en_norm, load_spacy

if TYPE_CHECKING:
    from spacy.tokens import Doc

# Script-aware tokens for product matching: one token per CJK character (so
# aliases match however jieba would segment the text) and whole Latin words.
# Hyphens are skipped so "top-up" and "top up" tokenise alike.
_HANZI_HANGUL = CJK_CHARS + "\uac00-\ud7af"
_CHAR_TOKEN = re.compile(f"[{_HANZI_HANGUL}]|[^\\W_{_HANZI_HANGUL}]+|[^\\w\\s-]")


class ProductTagger:
    """Tags texts with the products they mention, built from the product catalogue."""

    def __init__(self, products: Iterable[tuple[str, str, Sequence[str]]]) -> None:
        """Store the catalogue; the spaCy matcher is built lazily on first use."""
        entries = [(pid, p) for pid, name, aliases in products for p in (name, *aliases)]
        self._phrases = [(pid, phrase) for pid, phrase in entries if phrase.strip()]
        self._rank = {pid: i for i, (pid, _) in reversed(list(enumerate(self._phrases)))}
        self._matcher: Any = None
        self._vocab: Any = None
        self._lock = threading.Lock()

    def _doc(self, text: str) -> Doc:
        """Tokenise ``text`` with NORM set to the lowercase English lemma or the character."""
        from spacy.tokens import Doc

        toks = list(_CHAR_TOKEN.finditer(text))
        spaces = [a.end() < b.start() for a, b in itertools.pairwise(toks)] + [False] * bool(toks)
        doc = Doc(self._vocab, words=[t.group() for t in toks], spaces=spaces)
        for tok in doc:
            tok.norm_ = en_norm(tok.text) if tok.text.isascii() else tok.text.lower()
        return doc

    def _get_matcher(self) -> Any:
        """Return the PhraseMatcher over NORM, building it on first call."""
        with self._lock:
            if self._matcher is None:
                load_spacy()
                from spacy.matcher import PhraseMatcher
                from spacy.vocab import Vocab

                self._vocab = Vocab()  # private, so catalogue strings do not grow shared pipelines
                matcher = PhraseMatcher(self._vocab, attr="NORM")
                for pid, phrase in self._phrases:
                    matcher.add(pid, [self._doc(phrase)])
                self._matcher = matcher
            return self._matcher

    def entities(self, text: str, language: str | None = None) -> list[tuple[str, int, int]]:
        """Return ``(product_id, start_char, end_char)`` for each product mention."""
        # ``language`` is accepted for API symmetry; tokenisation is script-aware,
        # which also handles mixed text like "我想办Metal card".
        if not self._phrases or not text.strip():
            return []
        from spacy.tokens import Span
        from spacy.util import filter_spans

        matcher = self._get_matcher()
        doc = self._doc(text)
        spans = [Span(doc, s, e, label="PRODUCT", span_id=mid) for mid, s, e in matcher(doc)]
        # Longest match wins ("Metal card insurance" over "Metal card"); when two
        # products share an alias, filter_spans' stable sort keeps the earlier one.
        spans.sort(key=lambda sp: self._rank[sp.id_])
        kept = sorted(filter_spans(spans), key=lambda sp: sp.start)
        return [(sp.id_, sp.start_char, sp.end_char) for sp in kept]

    def tag(self, text: str, language: str | None = None) -> list[str]:
        """Return the product ids mentioned in ``text`` in order of first mention."""
        return list(dict.fromkeys(pid for pid, _, _ in self.entities(text, language)))
