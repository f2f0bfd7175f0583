"""Language detection, lexical tokenisation, PII detection and product tagging.

spaCy pipelines are blank (no trained models are available offline) and are
built lazily, once per language, so importing this module stays cheap.
"""

from __future__ import annotations

import itertools
import logging
import re
import sys
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

# ---------------------------------------------------------------- language

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_KANA = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]")
_HANGUL = re.compile(r"[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]")
_LATIN_WORD = re.compile(r"[^\W\d_]+")
_SCRIPTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("ru", re.compile(r"[\u0400-\u04ff]")),
    ("ar", re.compile(r"[\u0600-\u06ff]")),
    ("el", re.compile(r"[\u0370-\u03ff]")),
    ("he", re.compile(r"[\u0590-\u05ff]")),
    ("th", re.compile(r"[\u0e00-\u0e7f]")),
    ("hi", re.compile(r"[\u0900-\u097f]")),
)


def _words(text: str) -> frozenset[str]:
    """Split a space-separated word list (keeps the tables below compact)."""
    return frozenset(text.split())


# Frequent function words that do not double as common English words, so a
# Latin-script text only leaves "en" when several of them appear.
_FUNCTION_WORDS: dict[str, frozenset[str]] = {
    "en": _words("the and is are to my i you of it for what how can this that have was why with"),
    "es": _words("el la los las que y por para una del con mi pero como está qué cómo tarjeta"),
    "fr": _words("le la les des et est je vous pas une pour dans avec mon ma sur qui ne carte"),
    "de": _words("der die das und ist ich nicht ein eine mit mein meine sie auf für den dem von"),
    "it": _words("il di che la non per una sono mio mia della con come ho è carta conto ciao"),
    "pt": _words("o que não um uma para com meu minha os do da em é está cartão conta olá"),
    "nl": _words("de het een en ik niet van mijn dat op te met voor wat hoe kaart rekening"),
}


def detect_language(text: str) -> str:
    """Return the ISO 639-1 code of ``text`` using cheap script and word heuristics."""
    if not text or not text.strip():
        return "en"
    han, kana = len(_HAN.findall(text)), len(_KANA.findall(text))
    hangul = len(_HANGUL.findall(text))
    words = _LATIN_WORD.findall(_HAN.sub(" ", _KANA.sub(" ", _HANGUL.sub(" ", text))))
    # A Chinese character carries about as much as a Latin word, so compare
    # character counts against word counts ("我的Visa卡丢了" is Chinese).
    if kana and kana >= 0.1 * (han + kana) and kana + han >= len(words):
        return "ja"
    if hangul and hangul >= len(words) and hangul >= han:
        return "ko"
    if han and han >= len(words):
        return "zh"
    for lang, pattern in _SCRIPTS:
        count = len(pattern.findall(text))
        if count and count >= 0.5 * sum(len(w) for w in words):
            if lang == "ru" and re.search(r"[ієїґІЄЇҐ]", text):
                return "uk"
            return lang
    lowered = [w.lower() for w in words]
    scores = {lang: sum(w in vocab for w in lowered) for lang, vocab in _FUNCTION_WORDS.items()}
    english = scores.pop("en")
    best = max(scores, key=lambda lang: scores[lang])
    if scores[best] >= 2 and scores[best] > 2 * english:
        return best
    return "en"


# -------------------------------------------------------------- pipelines

_TermFn = Callable[[Any], list[str]]
_LOCK = threading.RLock()
_PIPELINES: dict[str, tuple[Language, _TermFn]] = {}
_LEMMAS: Any = None
_CJK_LANGS = frozenset({"zh", "ja", "ko"})
# spaCy's English list drops words that carry meaning in banking questions.
_EN_KEEP = _words("amount top call back empty full name first last off bottom front side part")
_ZH_STOP = _words(
    "的 了 吗 呢 吧 啊 呀 哦 嗯 么 我 你 您 他 她 它 我们 你们 他们 是 在 和 与 及 就 都 也 还 又 "
    "这 那 这个 那个 一个 有 被 把 给 请问 请 个 得 地 着 过 之 而 或 啦 哈"
)


def load_spacy() -> None:
    """Import spaCy without letting thinc import PyTorch.

    thinc (spaCy's ML layer) imports torch whenever it is installed, which costs
    1.2 s and 250 MB in every process, though blank pipelines never use it. While
    spaCy is imported, `import torch` is made to fail (thinc then runs without it);
    torch stays importable for everything else afterwards. A process that already
    has torch (training, the `torch` backend) imports spaCy as usual.
    """
    if "spacy" in sys.modules:
        return
    with _LOCK:
        if "spacy" in sys.modules or "torch" in sys.modules:
            import spacy

            return
        sys.modules["torch"] = None  # type: ignore[assignment]
        try:
            import spacy  # noqa: F401
        finally:
            del sys.modules["torch"]


def _en_norm(word: str) -> str:
    """Lowercase and lemmatise an English word with spaCy's lookup-lemmatizer table."""
    global _LEMMAS
    if _LEMMAS is None:
        with _LOCK:
            if _LEMMAS is None:
                load_spacy()
                from spacy.lookups import load_lookups

                # A spaCy Table hashes its keys, so keep the Table (its get() hashes too).
                _LEMMAS = load_lookups("en", ["lemma_lookup"]).get_table("lemma_lookup")
    # spaCy's lookup lemmatizer is keyed on the verbatim text ("Cards" misses),
    # so look up the lowercase form to get the same lemma at index and query time.
    lower = word.lower()
    return _LEMMAS.get(lower, lower)


_CJK_CHARS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
_CJK_SPLIT = re.compile(f"[{_CJK_CHARS}]|[^{_CJK_CHARS}\\s]+")


def _token_mapper(lang: str, nlp: Language) -> _TermFn:
    """Build a function turning one spaCy token into zero or more index terms."""
    cache: dict[int, list[str]] = {}  # everything used below depends only on the token text
    split_cjk = nlp.lang == "xx" and lang in _CJK_LANGS
    en_stops = frozenset(nlp.Defaults.stop_words) - _EN_KEEP

    def terms(tok: Any) -> list[str]:
        hit = cache.get(tok.orth)
        if hit is not None:
            return hit
        text = tok.lower_
        out: list[str] = []
        if any(c.isalnum() for c in text):  # drops punctuation, symbols, whitespace
            if lang == "en":
                lemma = _en_norm(text)
                out = [] if text in en_stops or lemma in en_stops else [lemma]
            elif lang == "zh":
                # Latin words get English lemmas so "Visa cards" here matches English text.
                out = [] if text in _ZH_STOP else [_en_norm(text) if text.isascii() else text]
            elif split_cjk:
                # No segmenter for this language offline: index CJK characters singly.
                out = _CJK_SPLIT.findall(text)
            elif not tok.is_stop:
                out = [text]
        cache[tok.orth] = out
        return out

    return terms


def _pipeline(lang: str) -> tuple[Language, _TermFn]:
    """Return the cached blank pipeline for ``lang`` (else "xx") and its term mapper."""
    cached = _PIPELINES.get(lang)
    if cached is not None:
        return cached
    with _LOCK:
        if lang not in _PIPELINES:
            load_spacy()
            import spacy

            if lang == "zh":
                import jieba

                jieba.setLogLevel(logging.WARNING)
                nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
            else:
                try:
                    nlp = spacy.blank(lang)
                except Exception:  # unknown code or missing third-party segmenter (ja, ko, th)
                    nlp = spacy.blank("xx")
            _PIPELINES[lang] = (nlp, _token_mapper(lang, nlp))
        return _PIPELINES[lang]


def warm_up(languages: Sequence[str] = ("en", "zh")) -> None:
    """Build the pipelines (and load their tables) now rather than in the first request.

    English costs about 2 s here (spaCy and its lookup tables), Chinese 0.7 s (jieba).
    """
    samples = {"en": "warming up the cards", "zh": "预热银行卡"}
    for lang in languages:
        tokenize(samples.get(lang, "warm up"), lang)


def tokenize(text: str, language: str | None = None) -> list[str]:
    """Return lexical index terms for ``text`` (lemmas for English, jieba words for Chinese)."""
    return tokenize_batch([text], [language or ""])[0]


def tokenize_batch(texts: Sequence[str], languages: Sequence[str] | None = None) -> list[list[str]]:
    """Tokenise many texts, grouping them by language and streaming through ``nlp.pipe``."""
    langs = list(languages) if languages is not None else [""] * len(texts)
    if len(langs) != len(texts):
        raise ValueError("texts and languages must have the same length")
    groups: dict[str, list[int]] = {}
    for i, lang in enumerate(langs):
        # Accept tags like "zh-CN" or "EN"; only the primary subtag picks the pipeline.
        code = re.split(r"[-_]", lang)[0].lower() if lang else detect_language(texts[i])
        groups.setdefault(code, []).append(i)
    result: list[list[str]] = [[] for _ in texts]
    for lang, idx in groups.items():
        nlp, terms = _pipeline(lang)
        for i, doc in zip(idx, nlp.pipe((texts[i] for i in idx), batch_size=1000), strict=True):
            result[i] = [term for tok in doc for term in terms(tok)]
    return result


# -------------------------------------------------------------------- PII


@dataclass(frozen=True)
class PiiMatch:
    """A span of personal data found in a text."""

    kind: str
    start: int
    end: int
    text: str


_PLACEHOLDER = {
    k: f"[{k.upper()}]" for k in ("email", "phone", "card", "iban", "account", "id_number")
}
# A number must not continue an alphanumeric word ("case-00012", "ORD/123")
# or a larger number ("1,250.00", "2026-10-31"); Chinese text may touch it.
_BEFORE = r"(?<![0-9A-Za-z_])(?<![0-9A-Za-z_][-/.,:])"
_AFTER = r"(?![0-9A-Za-z_])(?![-/.,:][0-9])"
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@"
    r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![A-Za-z0-9-])"
)
_DIGIT_CHAIN = re.compile(_BEFORE + r"\d+(?:[ -]\d+)*" + _AFTER)
_ID_CN = re.compile(_BEFORE + r"\d{17}[\dXx]" + _AFTER)
_IBAN_START = re.compile(r"(?<![0-9A-Za-z])([A-Za-z]{2})\d{2}")
_PHONE_INTL = re.compile(
    # Possessive quantifiers: a long digit run has one parse, so no backtracking blow-up.
    r"(?<![0-9A-Za-z_+])\+\d{1,3}+(?:[ .-]?+(?:\(\d{1,4}\)|\d{1,5}+)){1,6}+" + _AFTER
)
_PHONE_GAP = re.compile(r"[ .-]")
_PHONE_NATIONAL = re.compile(
    _BEFORE + r"(?:\(0\d{2,4}\) ?\d{3,4}[ -]?\d{3,4}"  # (020) 7946 0958
    r"|0[1-9]\d{1,4}[ -]?\d{3,4}[ -]?\d{3,4}"  # 07700 900123, 020 7946 0958
    r"|1[3-9]\d[ -]?\d{4}[ -]?\d{4}"  # Chinese mobile
    r"|\(\d{3}\) ?\d{3}[ .-]\d{4}|\d{3}[.-]\d{3}[.-]\d{4})" + _AFTER  # North American
)
_ACCOUNT = re.compile(
    r"(?:\b(?:sort[ -]?code)\s*(?:is|:)?\s*(?P<sort>\d{2}[- ]?\d{2}[- ]?\d{2})\b)"
    r"|(?:(?:\b(?:account|acct|a/c)(?:\s*(?:number|num|no\.?|#))?|账号|帐号|账户|帐户|卡号)"
    r"\s*(?:is|是|为|:|：)?\s*(?P<acct>\d{8,19})(?!\d))",
    re.IGNORECASE,
)
_IBAN_LENGTHS = {
    item[:2]: int(item[2:])
    for item in _words(
        "AD24 AE23 AL28 AT20 AZ28 BA20 BE16 BG22 BH22 BR29 BY28 CH21 CR22 CY28 CZ24 DE22 DK18 DO28 "
        "EE20 EG29 ES24 FI18 FO18 FR27 GB22 GE22 GI23 GL18 GR27 GT28 HR21 HU28 IE22 IL23 IQ23 IS26 "
        "IT27 JO30 KW30 KZ20 LB28 LC32 LI21 LT20 LU20 LV21 MC27 MD24 ME22 MK19 MR27 MT31 MU30 NL18 "
        "NO15 PK24 PL28 PS29 PT25 QA29 RO24 RS22 SA24 SC31 SE24 SI19 SK24 SM27 ST25 SV28 TL23 TN24 "
        "TR26 UA29 VA22 VG24 XK20"
    )
}
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _luhn(digits: str) -> bool:
    """Check the Luhn checksum used by payment cards."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def _valid_cn_id(value: str) -> bool:
    """Check the ISO 7064 checksum and birth date of a Chinese resident ID."""
    year, month, day = int(value[6:10]), int(value[10:12]), int(value[12:14])
    if not (1900 <= year <= 2100 and 1 <= month <= 12 and 1 <= day <= 31):
        return False
    total = sum(int(c) * w for c, w in zip(value[:17], _ID_WEIGHTS, strict=True))
    return value[17].upper() == "10X98765432"[total % 11]


def _cards(text: str) -> Iterable[tuple[int, int]]:
    """Yield spans of Luhn-valid 13-19 digit numbers, plain or uniformly grouped."""
    for m in _DIGIT_CHAIN.finditer(text):
        groups = [(g.start(), g.end()) for g in re.finditer(r"\d+", m.group())]
        seps = set(re.findall(r"[ -]", m.group()))
        if len(seps) > 1 or any(e - s < 3 or e - s > 6 for s, e in groups[:-1]):
            # Mixed separators or tiny groups are lists of numbers, not cards;
            # a single ungrouped run is still considered below.
            groups = [g for g in groups if 13 <= g[1] - g[0] <= 19]
        # Try the longest run of whole groups first, so a trailing year or
        # amount after a grouped card number does not hide it.
        spans = []
        for i, (start, _) in enumerate(groups):
            count = 0
            for g_start, g_end in groups[i:]:
                count += g_end - g_start
                if count > 19:
                    break
                spans.append((start, g_end))
        for s, e in sorted(spans, key=lambda sp: sp[0] - sp[1]):
            digits = re.sub(r"\D", "", m.group()[s:e])
            # Issuer prefixes start with 2-6 (Mastercard, Visa, Amex, UnionPay...);
            # checking it halves the Luhn false positives on reference numbers.
            if 13 <= len(digits) <= 19 and digits[0] in "23456" and _luhn(digits):
                yield m.start() + s, m.start() + e
                break


def _ibans(text: str) -> Iterable[tuple[int, int]]:
    """Yield spans of IBANs (compact or in groups) that pass the mod-97 check."""
    for m in _IBAN_START.finditer(text):
        length = _IBAN_LENGTHS.get(m.group(1).upper())
        if length is None:
            continue
        chars: list[str] = []
        pos = m.start()
        while pos < len(text) and len(chars) < length:
            ch = text[pos]
            if ch.isascii() and ch.isalnum():
                chars.append(ch.upper())
            elif not (ch == " " and chars and pos + 1 < len(text) and text[pos + 1].isalnum()):
                break
            pos += 1
        glued = pos < len(text) and text[pos].isascii() and text[pos].isalnum()
        if len(chars) != length or glued:
            continue
        value = "".join(chars[4:] + chars[:4])
        if int("".join(str(int(c, 36)) for c in value)) % 97 == 1:
            yield m.start(), pos


def _phones(text: str) -> Iterable[tuple[int, int]]:
    """Yield spans of phone numbers in international or common national formats."""
    for m in _PHONE_INTL.finditer(text):
        start, end = m.span()
        # Drop trailing groups until the digit count fits E.164 (a year or
        # amount may follow the number directly).
        while (digits := sum(c.isdigit() for c in text[start:end])) > 15:
            gaps = [g.start() for g in _PHONE_GAP.finditer(text, start, end)]
            end = gaps[-1] if gaps else start  # one unbroken run of >15 digits: not a phone
        if 8 <= digits <= 15:
            yield start, end
    for m in _PHONE_NATIONAL.finditer(text):
        yield m.span()


def find_pii(text: str) -> list[PiiMatch]:
    """Return non-overlapping PII matches in ``text`` sorted by start offset."""
    if not any(c.isdigit() for c in text) and "@" not in text:
        return []  # every detector needs a digit or an "@": skip most texts cheaply
    candidates: list[tuple[str, int, int]] = []
    # Order encodes priority: checksummed detectors win over shape-based ones.
    candidates += (("email", *m.span()) for m in _EMAIL.finditer(text))
    candidates += (("iban", s, e) for s, e in _ibans(text))
    candidates += (("id_number", *m.span()) for m in _ID_CN.finditer(text) if _valid_cn_id(m[0]))
    candidates += (("card", s, e) for s, e in _cards(text))
    for m in _ACCOUNT.finditer(text):
        group = "sort" if m.group("sort") else "acct"
        candidates.append(("account", *m.span(group)))
    candidates += (("phone", s, e) for s, e in _phones(text))
    taken: list[PiiMatch] = []
    for kind, start, end in candidates:
        if all(end <= t.start or start >= t.end for t in taken):
            taken.append(PiiMatch(kind, start, end, text[start:end]))
    return sorted(taken, key=lambda t: t.start)


def redact(text: str) -> str:
    """Replace every PII match in ``text`` with a placeholder such as ``[CARD]``."""
    out, pos = [], 0
    for match in find_pii(text):
        out += [text[pos : match.start], _PLACEHOLDER[match.kind]]
        pos = match.end
    out.append(text[pos:])
    return "".join(out)


# -------------------------------------------------------------- products

# Script-aware tokens for product matching: one token per CJK character (so
# aliases match however jieba would segment the text) and whole Latin words.
# Hyphens are skipped so "top-up" and "top up" tokenise alike.
_HANZI_HANGUL = _CJK_CHARS + "\uac00-\ud7af"
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
            tok.norm_ = _en_norm(tok.text) if tok.text.isascii() else tok.text.lower()
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
