"""Which language a text is in: cheap script and function-word heuristics, no model."""

from __future__ import annotations

import re

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


def words(text: str) -> frozenset[str]:
    """Split a space-separated word list (keeps the tables below compact)."""
    return frozenset(text.split())


# Frequent function words that do not double as common English words, so a
# Latin-script text only leaves "en" when several of them appear.
_FUNCTION_WORDS: dict[str, frozenset[str]] = {
    "en": words("the and is are to my i you of it for what how can this that have was why with"),
    "es": words("el la los las que y por para una del con mi pero como está qué cómo tarjeta"),
    "fr": words("le la les des et est je vous pas une pour dans avec mon ma sur qui ne carte"),
    "de": words("der die das und ist ich nicht ein eine mit mein meine sie auf für den dem von"),
    "it": words("il di che la non per una sono mio mia della con come ho è carta conto ciao"),
    "pt": words("o que não um uma para com meu minha os do da em é está cartão conta olá"),
    "nl": words("de het een en ik niet van mijn dat op te met voor wat hoe kaart rekening"),
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
