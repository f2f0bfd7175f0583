"""Tests for kcrm.knowledge.text: language, tokens, PII and product tagging."""

from __future__ import annotations

import csv
import dataclasses
import itertools
import subprocess
import sys

import pytest

from kcrm.knowledge.text.language import detect_language
from kcrm.knowledge.text.pii import PiiMatch, find_pii, redact
from kcrm.knowledge.text.products import ProductTagger
from kcrm.knowledge.text.tokens import tokenize, tokenize_batch
from tests.conftest import SHARED_DATA

BQ_PATH = SHARED_DATA / "bq" / "valid.tsv"
BANKING77_PATH = SHARED_DATA / "banking77" / "train.csv"


# ---------------------------------------------------------------- language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("My card still hasn't arrived, what should I do?", "en"),
        ("The ATM ate my card", "en"),
        ("Visa", "en"),
        ("我的银行卡丢了怎么办", "zh"),
        ("我的銀行卡丟了怎麼辦", "zh"),  # traditional
        ("我的Visa卡丢了", "zh"),  # mixed, mostly Chinese
        ("Please help me with my 信用卡 statement", "en"),  # mixed, mostly English
        ("カードをなくしました", "ja"),
        ("카드를 잃어버렸어요", "ko"),
        ("Hola, mi tarjeta no funciona y no puedo pagar", "es"),
        ("Je ne peux pas utiliser ma carte pour payer", "fr"),
        ("Ich kann meine Karte nicht finden", "de"),
        ("Привет, моя карта не работает", "ru"),
        ("", "en"),
        ("   \n\t", "en"),
        ("12345 !!!", "en"),
    ],
)
def test_detect_language(text: str, expected: str) -> None:
    assert detect_language(text) == expected


def test_banking77_is_detected_as_english() -> None:
    if not BANKING77_PATH.exists():
        pytest.skip("banking77 data not available")
    with BANKING77_PATH.open(encoding="utf-8") as fh:
        texts = [row["text"] for row in itertools.islice(csv.DictReader(fh), 2000)]
    assert sum(detect_language(t) == "en" for t in texts) == len(texts)


# ------------------------------------------------------------ tokenisation


def test_english_lemmas_and_stopwords() -> None:
    tokens = tokenize("My cards arrived, but I paid the ATM fees 3 times and my PIN didn't work!")
    assert tokens == ["card", "arrive", "pay", "atm", "fee", "3", "time", "pin", "work"]


def test_english_keeps_domain_words_and_numbers() -> None:
    tokens = tokenize("Visa top-up amount of 250 declined in 2026", "en")
    assert tokens == ["visa", "top", "amount", "250", "decline", "2026"]


def test_english_index_and_query_lemmatise_alike() -> None:
    assert tokenize("CARDS Arrived") == tokenize("card arrives") == ["card", "arrive"]


def test_english_drops_punctuation_and_symbols() -> None:
    assert tokenize("?! -- ... £ $ :)") == []
    assert tokenize("") == []


def test_chinese_segmentation() -> None:
    tokens = tokenize("我的银行卡丢了怎么办？")
    assert "银行卡" in tokens
    assert "怎么办" in tokens
    assert not {"的", "了", "我", "？"} & set(tokens)


def test_chinese_lowercases_latin_words() -> None:
    tokens = tokenize("我的Visa卡丢了", "zh")
    assert "visa" in tokens
    assert "Visa" not in tokens


def test_language_tag_variants_are_accepted() -> None:
    assert tokenize("我的银行卡丢了", "zh-CN") == tokenize("我的银行卡丢了", "zh")
    assert tokenize("Cards", "EN") == ["card"]


def test_other_languages_use_blank_tokenizers() -> None:
    assert tokenize("Je ne peux pas utiliser ma Carte", "fr") == ["utiliser", "carte"]
    # No Japanese segmenter offline: characters are indexed singly.
    assert "カ" in tokenize("カードをなくしました", "ja")


def test_bq_questions_tokenise() -> None:
    if not BQ_PATH.exists():
        pytest.skip("BQ data not available")
    with BQ_PATH.open(encoding="utf-8") as fh:
        rows = [line.rstrip("\n").split("\t") for line in itertools.islice(fh, 300)]
    questions = [q for row in rows for q in row[:2]]
    token_lists = tokenize_batch(questions)
    assert all(token_lists), [q for q, t in zip(questions, token_lists, strict=True) if not t]
    assert all("的" not in tokens for tokens in token_lists)


def test_tokenize_batch_matches_tokenize() -> None:
    texts = [
        "I am still waiting on my card?",
        "我的银行卡丢了怎么办",
        "",
        "How do I top up my Visa card?",
        "怎么更换绑定还款的卡",
        "Je ne peux pas utiliser ma carte",
    ]
    assert tokenize_batch(texts) == [tokenize(t) for t in texts]
    languages = ["en", "zh", "en", "en", "zh", "fr"]
    assert tokenize_batch(texts, languages) == [
        tokenize(t, lang) for t, lang in zip(texts, languages, strict=True)
    ]
    assert tokenize_batch([]) == []


def test_tokenize_batch_rejects_mismatched_languages() -> None:
    with pytest.raises(ValueError):
        tokenize_batch(["a", "b"], ["en"])


def test_import_is_cheap_and_jieba_is_quiet() -> None:
    code = (
        "import sys\n"
        "import kcrm.knowledge.text.tokens as m\n"
        "assert 'spacy' not in sys.modules\n"
        "assert m.tokenize('我的银行卡丢了')\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "prefix dict" not in proc.stderr


# -------------------------------------------------------------------- PII


@pytest.mark.parametrize(
    ("text", "kind", "pii"),
    [
        ("email me at john.doe+bank@example.co.uk please", "email", "john.doe+bank@example.co.uk"),
        ("联系我abc@qq.com谢谢", "email", "abc@qq.com"),
        ("call +44 7700 900123 after 5pm", "phone", "+44 7700 900123"),
        ("my number is +1 (555) 010-0199.", "phone", "+1 (555) 010-0199"),
        ("ring 07700 900123", "phone", "07700 900123"),
        ("office (020) 7946 0958", "phone", "(020) 7946 0958"),
        ("手机13812345678", "phone", "13812345678"),
        ("电话+86 138 1234 5678", "phone", "+86 138 1234 5678"),
        ("card 4111 1111 1111 1111 expires 2026", "card", "4111 1111 1111 1111"),
        ("5500-0000-0000-0004", "card", "5500-0000-0000-0004"),
        ("number 4111111111111111.", "card", "4111111111111111"),
        ("Amex 3782 822463 10005", "card", "3782 822463 10005"),
        ("IBAN GB33BUKB20201555555555.", "iban", "GB33BUKB20201555555555"),
        ("DE89 3704 0044 0532 0130 00 is mine", "iban", "DE89 3704 0044 0532 0130 00"),
        ("sort code 20-00-00 please", "account", "20-00-00"),
        ("account number: 12345678", "account", "12345678"),
        ("acct 123456789012", "account", "123456789012"),
        ("我的账号是1234567890", "account", "1234567890"),
        ("卡号：12345678", "account", "12345678"),
        ("身份证11010519491231002X", "id_number", "11010519491231002X"),
    ],
)
def test_pii_detected_and_redacted(text: str, kind: str, pii: str) -> None:
    matches = find_pii(text)
    assert [(m.kind, m.text) for m in matches] == [(kind, pii)]
    assert matches[0].text == text[matches[0].start : matches[0].end]
    assert redact(text) == text.replace(pii, f"[{kind.upper()}]")


def test_sort_code_and_account_number_together() -> None:
    text = "sort code 20-00-00 account 12345678"
    assert [(m.kind, m.text) for m in find_pii(text)] == [
        ("account", "20-00-00"),
        ("account", "12345678"),
    ]
    assert redact(text) == "sort code [ACCOUNT] account [ACCOUNT]"


def test_several_kinds_sorted_and_non_overlapping() -> None:
    text = (
        "Card 4111 1111 1111 1111, phone +44 7700 900123, mail a@b.com, IBAN GB33BUKB20201555555555"
    )
    matches = find_pii(text)
    assert [m.kind for m in matches] == ["card", "phone", "email", "iban"]
    assert all(a.end <= b.start for a, b in itertools.pairwise(matches))
    assert redact(text) == "Card [CARD], phone [PHONE], mail [EMAIL], IBAN [IBAN]"


@pytest.mark.parametrize(
    "text",
    [
        "The payment on 2026-10-31 at 10:30 failed",
        "I paid £1,250.00 yesterday",
        "$1,000,000.00 transfer",
        "It takes 3-5 working days",
        "between 10-20 days",
        "Re: case-00012",
        "ref ORD-20261031-0042",
        "case 20261031",
        "back in 2026",
        "the years 2025 and 2026",
        "a 12.5% fee",
        "rate 3.5% APR",
        "1234 5678 9012 3456",  # 16 digits, fails Luhn
        "4111 1111 1111 1112",  # one digit off a valid card
        "order 123456789",
        "12/10/2026",
        "2026.10.31",
        "version 1.2.3",
        "pay 1 500 000 now",
        "account 1234",
        "GB33BUKB20201555555556",  # IBAN with a bad checksum
        "id 110105194912310021",  # resident ID with a bad check digit
        "tracking 1Z999AA10123456784",
        "top up 100 GBP",
    ],
)
def test_pii_negatives_untouched(text: str) -> None:
    assert find_pii(text) == []
    assert redact(text) == text


def test_pii_match_is_frozen() -> None:
    match = PiiMatch("email", 0, 5, "a@b.c")
    with pytest.raises(dataclasses.FrozenInstanceError):
        match.kind = "phone"  # type: ignore[misc]


def test_redact_without_pii_is_identity() -> None:
    assert redact("") == ""
    assert redact("Where is my card?") == "Where is my card?"


# --------------------------------------------------------------- products

CATALOGUE = [
    ("p_metal", "Metal card", ["metal debit card"]),
    ("p_travel", "Travel insurance", ["旅行保险", "旅游险"]),
    ("p_atm", "ATM", []),
    ("p_topup", "Top-up", ["top up"]),
    ("p_visa", "Visa", ["Visa卡"]),
]


@pytest.fixture(scope="module")
def tagger() -> ProductTagger:
    return ProductTagger(CATALOGUE)


def test_tagger_plural_and_case_insensitive(tagger: ProductTagger) -> None:
    assert tagger.tag("I want two metal cards") == ["p_metal"]
    assert tagger.tag("My METAL CARD is bent") == ["p_metal"]
    assert tagger.entities("I want two metal cards") == [("p_metal", 11, 22)]


def test_tagger_multiword_longest_match(tagger: ProductTagger) -> None:
    text = "the metal debit card arrived"
    assert tagger.entities(text) == [("p_metal", 4, 20)]


def test_tagger_chinese_alias(tagger: ProductTagger) -> None:
    assert tagger.tag("我想买旅行保险") == ["p_travel"]
    assert tagger.entities("我想买旅行保险", "zh") == [("p_travel", 3, 7)]
    assert tagger.tag("我的Visa卡丢了") == ["p_visa"]
    assert tagger.tag("我想办Metal card") == ["p_metal"]


def test_tagger_order_and_dedup(tagger: ProductTagger) -> None:
    text = "Travel insurance, then ATM, then metal cards and travel insurance again"
    assert tagger.tag(text) == ["p_travel", "p_atm", "p_metal"]


def test_tagger_hyphen_variants(tagger: ProductTagger) -> None:
    assert tagger.tag("How do I top-up?") == ["p_topup"]
    assert tagger.tag("How do I top up?") == ["p_topup"]


def test_tagger_no_substring_matches(tagger: ProductTagger) -> None:
    assert tagger.tag("The atmosphere at the branch was metallic") == []
    assert tagger.tag("Metalcards and visage") == []


def test_tagger_empty_catalogue_and_text() -> None:
    empty = ProductTagger([])
    assert empty.tag("metal card and travel insurance") == []
    assert empty.entities("metal card") == []
    assert ProductTagger(CATALOGUE).tag("") == []


def test_tagger_shared_alias_prefers_catalogue_order() -> None:
    tagger = ProductTagger([("p_first", "Visa", []), ("p_second", "VISA card", ["visa"])])
    assert tagger.tag("my visa") == ["p_first"]
    assert tagger.tag("my visa cards") == ["p_second"]  # longer match still wins


def test_spacy_loads_without_pytorch_and_leaves_it_importable() -> None:
    # thinc imports torch when it can (1.2 s, 250 MB); a blank pipeline never needs it.
    code = (
        "import sys\n"
        "from kcrm.knowledge.text.tokens import tokenize\n"
        "assert tokenize('My cards were blocked') == ['card', 'block']\n"
        "assert 'torch' not in sys.modules\n"
        "import torch\n"
        "print(torch.tensor([1, 2]).sum().item())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "3"
