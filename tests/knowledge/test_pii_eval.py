"""The PII evaluation (bench/pii_eval.py) builds a labelled set and scores a detector."""

from __future__ import annotations

from bench import pii_eval

ENGLISH = ["How do I activate my card?", "Why was my transfer declined?"]
CHINESE = ["怎么开通银行卡", "转账为什么失败了"]


def test_labelled_spans_hold_the_values_they_label() -> None:
    samples = pii_eval.build(ENGLISH, CHINESE, per_type=2)
    kinds = {(s.language, k) for s in samples for k, _, _ in s.spans}
    assert ("en", "person") in kinds and ("zh", "address") in kinds and ("en", "iban") in kinds
    for sample in samples:
        for _, start, end in sample.spans:
            value = sample.text[start:end]
            assert value and value == value.strip() and value not in ENGLISH + CHINESE
    assert any(not s.spans for s in samples)  # negatives
    assert pii_eval.build(ENGLISH, CHINESE, per_type=2) == samples  # seeded


def test_scores_count_every_labelled_span_and_detection() -> None:
    samples = pii_eval.build(ENGLISH, CHINESE, per_type=2)
    perfect = {id(s): s.spans for s in samples}
    by_text = {s.text: perfect[id(s)] for s in samples}
    scores = pii_eval.score(samples, lambda text: by_text.get(text, []))
    gold = sum(len(s.spans) for s in samples)
    assert sum(m["gold"] for m in scores.values()) == gold
    assert all(m["precision"] == m["recall"] == m["hidden"] == 1.0 for m in scores.values())
    nothing = pii_eval.score(samples, lambda text: [])
    assert all(m["recall"] == 0.0 and m["detected"] == 0 for m in nothing.values())
    real = pii_eval.score(samples, pii_eval.current_detector(["Kestrel"]))
    assert all(0.0 <= m["hidden"] <= 1.0 and m["recall"] <= m["hidden"] for m in real.values())
    table = pii_eval.table({"new": real})
    assert table.count("\n") == len(real) + 1 and "| en | iban |" in table
