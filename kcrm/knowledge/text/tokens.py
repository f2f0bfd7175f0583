"""Lexical index terms: English lemmas, jieba words for Chinese, characters for other CJK.

spaCy pipelines are blank (no trained models are needed for terms) and are
built lazily, once per language, so importing this module stays cheap.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from kcrm.knowledge.text.language import detect_language, words

if TYPE_CHECKING:
    from spacy.language import Language

_TermFn = Callable[[Any], list[str]]
_LOCK = threading.RLock()
_PIPELINES: dict[str, tuple[Language, _TermFn]] = {}
_LEMMAS: Any = None
_CJK_LANGS = frozenset({"zh", "ja", "ko"})
# spaCy's English list drops words that carry meaning in banking questions.
_EN_KEEP = words("amount top call back empty full name first last off bottom front side part")
_ZH_STOP = words(
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


def en_norm(word: str) -> str:
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


CJK_CHARS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
_CJK_SPLIT = re.compile(f"[{CJK_CHARS}]|[^{CJK_CHARS}\\s]+")


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
                lemma = en_norm(text)
                out = [] if text in en_stops or lemma in en_stops else [lemma]
            elif lang == "zh":
                # Latin words get English lemmas so "Visa cards" here matches English text.
                out = [] if text in _ZH_STOP else [en_norm(text) if text.isascii() else text]
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


_CJK_CHAR = re.compile(f"[{CJK_CHARS}]")


def index_terms(tokens: Sequence[str]) -> list[str]:
    """The lexical index's terms for stored tokens: each token, plus the characters of CJK words.

    jieba cuts paraphrases differently ("借款" / "借了款"); single characters still match
    them. Measured on BQ FAQ matching (docs/quality.md): MRR@10 of BM25 rose from 0.159
    (words) to 0.169 (words and their characters). Index and query both go through here,
    so stored tokens never need re-tokenising when this changes (the replica rebuilds).
    """
    out = list(tokens)
    for tok in tokens:
        if len(tok) > 1 and _CJK_CHAR.search(tok):
            out.extend(_CJK_CHAR.findall(tok))
    return out


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
