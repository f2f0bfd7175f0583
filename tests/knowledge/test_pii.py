"""PII detection and redaction (kcrm/knowledge/text/pii.py): every kind and format, both ways."""

from __future__ import annotations

import json
import subprocess
import sys
import typing
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kcrm.core.config import Settings
from kcrm.core.keys import create_key
from kcrm.core.tables import QueryLog
from kcrm.knowledge.ingest import TEXT_FIELDS, redact_public
from kcrm.knowledge.kb import KnowledgeBase
from kcrm.knowledge.records import KnowledgeRecord, Parsed
from kcrm.knowledge.text import pii
from kcrm.server.app import create_app
from tests.conftest import Invoke, faq, write_jsonl

HOTLINE = "+44 20 7946 0000"


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        # e-mail: ASCII, internationalised, full-width
        ("write to jane.roe@example.org today", "email", "jane.roe@example.org"),
        ("邮箱：用户@例子.公司", "email", "用户@例子.公司"),
        ("mail josé@exämple.com now", "email", "josé@exämple.com"),
        ("mail ｊａｎｅ＠ｅｘａｍｐｌｅ．ｃｏｍ now", "email", "ｊａｎｅ＠ｅｘａｍｐｌｅ．ｃｏｍ"),
        # phones: full-width digits, 00 prefix, +44 and national, 1-800, Chinese mobile
        ("ring ０７７００ ９００４５６ please", "phone", "０７７００ ９００４５６"),
        ("call 0044 161 496 0123 today", "phone", "0044 161 496 0123"),
        ("call +44 (0)161 496 0123 today", "phone", "+44 (0)161 496 0123"),
        ("call 0161 496 0123 today", "phone", "0161 496 0123"),
        ("call 1-800-555-0142 today", "phone", "1-800-555-0142"),
        ("call 1-800-FLOWERS today", "phone", "1-800-FLOWERS"),
        ("my number is 5186263304", "phone", "5186263304"),
        ("我的手机是139 1234 5678", "phone", "139 1234 5678"),
        # cards with any separator
        ("card 4539.1488.0343.6467 stolen", "card", "4539.1488.0343.6467"),
        ("card 4539 1488 0343 6467 stolen", "card", "4539 1488 0343 6467"),
        ("card 4539-1488-0343 6467 stolen", "card", "4539-1488-0343 6467"),
        (
            "card ４５３９１４８８０３４３６４６７ stolen",
            "card",
            "４５３９１４８８０３４３６４６７",
        ),
        # national numbers and passports
        ("NI number JG 10 37 50 D", "id_number", "JG 10 37 50 D"),
        ("SSN 536-22-1234 on file", "id_number", "536-22-1234"),
        ("身份证号11010519491231002X", "id_number", "11010519491231002X"),
        ("passport number 533401267 expires", "passport", "533401267"),
        ("护照号码E12345678", "passport", "E12345678"),
        # dates of birth: only as birth dates
        ("I was born on 3 April 1987.", "date_of_birth", "3 April 1987"),
        ("DOB: 1987-04-03", "date_of_birth", "1987-04-03"),
        ("出生日期1987年4月3日", "date_of_birth", "1987年4月3日"),
        # IP addresses
        ("login from 81.2.69.160 failed", "ip_address", "81.2.69.160"),
        (
            "login from 2001:db8:85a3::8a2e:370:7334 failed",
            "ip_address",
            "2001:db8:85a3::8a2e:370:7334",
        ),
        # street addresses and postcodes
        (
            "I live at 221B Baker Street, London NW1 6XE.",
            "address",
            "221B Baker Street, London NW1 6XE",
        ),
        ("send it to 12 baker street please", "address", "12 baker street"),
        ("send it to 31952 Rubio Crossing please", "address", "31952 Rubio Crossing"),
        ("my postcode is SW1A 1AA", "address", "SW1A 1AA"),
        ("我住在北京市朝阳区建国路88号", "address", "北京市朝阳区建国路88号"),
        # people
        ("Hi, I am Priya Natarajan and my card was declined", "person", "Priya Natarajan"),
        ("my name is john smith", "person", "john smith"),
        ("please call Mrs Okonkwo back", "person", "Mrs Okonkwo"),
        ("Where is my card? Thanks, colin curtis", "person", "colin curtis"),
        ("我叫王伟，卡丢了", "person", "王伟"),
        ("收款人：欧阳娜娜", "person", "欧阳娜娜"),
        ("李先生您好", "person", "李"),
    ],
)
def test_each_kind_and_format_is_found_and_redacted(text: str, kind: str, value: str) -> None:
    matches = pii.find_pii(text)
    assert [(m.kind, m.text) for m in matches] == [(kind, value)]
    m = matches[0]
    assert text[m.start : m.end] == value
    assert pii.redact(text) == text.replace(value, pii.PLACEHOLDERS[kind])


@pytest.mark.parametrize(
    "text",
    [
        "Standard delivery takes 3-5 working days in the UK, up to 10 elsewhere.",
        "Fees changed on 1 March 2026: Premium is GBP 7.99 a month.",
        "Top up up to GBP 10,000 per 24 hours; cash at the Post Office costs GBP 1.50.",
        "Your case case-00731 was updated on 2026-03-01 at 10:30.",
        "Order ORD-20261031-0042 ships within 3 working days.",
        "The Metal card costs GBP 49 and comes with the Metal plan.",
        "Is my card Visa or Mastercard? Apple Pay and Google Pay work too.",
        "## Card top-ups\n\nGetting your card: activation and PIN",
        "Weekend markup: 1% from Friday 22:00 to Sunday 22:00 UK time.",
        "We accept Visa and Mastercard debit cards issued in the EEA.",
        "Exchange MXN, PLN and CZK at the interbank rate.",
        "My name is wrong on my card",
        "ref 1234 5678 9012 3456 failed Luhn",
        "标准寄送需要3到5个工作日，快递费20元。",
        "余额不足时无法转账，请在10日内还款。",
        "我是新用户，怎么开户？",
        "各位先生女士，欢迎使用。",
    ],
)
def test_faq_like_text_is_left_alone(text: str) -> None:
    assert pii.find_pii(text) == []
    assert pii.redact(text) == text


def test_allow_list_keeps_the_company_contact_details_in_any_format() -> None:
    allow = ["Kestrel", HOTLINE, "support@kestrelbank.example"]
    text = (
        f"Call Kestrel on {HOTLINE}, 020 7946 0000 or 0044 20 7946 0000, mail "
        "SUPPORT@kestrelbank.example; Kestrel Crypto is ours. Jane Roe's is 020 7946 0958."
    )
    redacted = pii.redact(text, allow)
    assert redacted == (
        f"Call Kestrel on {HOTLINE}, 020 7946 0000 or 0044 20 7946 0000, mail "
        "SUPPORT@kestrelbank.example; Kestrel Crypto is ours. [PERSON]'s is [PHONE]."
    )
    assert "[PHONE]" in pii.redact(f"call us on {HOTLINE}")  # only when allowed


def test_full_width_offsets_map_back_to_the_original() -> None:
    text = "客户电话：＋４４ ７７００ ９００１２３，邮箱ｊｏｈｎ＠ｅｘａｍｐｌｅ．ｃｏｍ。"
    matches = pii.find_pii(text)
    assert [(m.kind, m.text) for m in matches] == [
        ("phone", "＋４４ ７７００ ９００１２３"),
        ("email", "ｊｏｈｎ＠ｅｘａｍｐｌｅ．ｃｏｍ"),
    ]
    assert all(text[m.start : m.end] == m.text for m in matches)
    assert pii.redact(text) == "客户电话：[PHONE]，邮箱[EMAIL]。"
    decomposed = "mail jose\u0301@example.com please"  # e + combining acute accent
    (match,) = pii.find_pii(decomposed)
    assert match.text == "jose\u0301@example.com"


def test_long_texts_run_ner_in_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pii, "_NER_CHUNK_CHARS", 200)
    text = "The card arrived late. " * 40 + "Regards from Priya Natarajan at the branch."
    (match,) = pii.find_pii(text)
    assert (match.kind, match.text) == ("person", "Priya Natarajan")


def test_batches_equal_single_calls() -> None:
    texts = ["call 0161 496 0123", "", "How do I top up?", "I am Priya Natarajan", "我叫王伟"]
    assert pii.redact_batch(texts) == [pii.redact(t) for t in texts]
    assert pii.find_pii_batch([]) == []


def test_pii_match_is_frozen() -> None:
    match = pii.PiiMatch("email", 0, 5, "a@b.c")
    with pytest.raises(AttributeError):
        match.kind = "phone"  # type: ignore[misc]


def test_presidio_loads_without_torch_and_downloads_nothing() -> None:
    code = (
        "import sys, socket\n"
        "def no_network(*a, **k):\n"
        "    raise OSError('network used')\n"
        "socket.socket.connect = no_network\n"
        "from kcrm.knowledge.text import pii\n"
        "assert pii.redact('I am Priya Natarajan') == 'I am [PERSON]'\n"
        "assert 'torch' not in sys.modules and 'transformers' not in sys.modules\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]


# ------------------------------------------------------------ public records


def test_every_text_field_of_a_record_is_redacted_or_an_identifier() -> None:
    identifiers = {"id", "language", "article_id", "customer_id", "case_id", "product_ids"}

    def is_text(annotation: object) -> bool:
        # str, str | None, list[str], and the same with bounds (Annotated[str, ...]).
        if annotation is str:
            return True
        if typing.get_origin(annotation) is typing.Annotated:
            return is_text(typing.get_args(annotation)[0])
        if typing.get_origin(annotation) is list:
            return is_text(typing.get_args(annotation)[0])
        return any(is_text(a) for a in typing.get_args(annotation) if a is not type(None))

    text_like = {n for n, info in KnowledgeRecord.model_fields.items() if is_text(info.annotation)}
    assert text_like - identifiers == {*TEXT_FIELDS, "tags"}


def test_public_records_are_redacted_in_every_field_internal_ones_kept() -> None:
    public = KnowledgeRecord(
        id="faq-x",
        kind="faq",
        visibility="public",
        title="Card for Priya Natarajan",
        body="Ask Priya Natarajan on 07700 900456.",
        category="Priya Natarajan",
        resolution="Sent to 221B Baker Street",
        agent="Priya Natarajan",
        tags=["cards", "priya.natarajan@example.com"],
    )
    internal = public.model_copy(update={"id": "runbook-x", "visibility": "internal"})
    red, kept = redact_public([public, internal])
    assert red.title == "Card for [PERSON]" and red.body == "Ask [PERSON] on [PHONE]."
    assert red.category == "[PERSON]" and red.agent == "[PERSON]"
    assert red.resolution == "Sent to [ADDRESS]" and red.tags == ["cards", "[EMAIL]"]
    assert kept == internal


def test_public_faq_shows_no_pii_to_customers(
    kb: KnowledgeBase, settings: Settings, cli: Invoke, tmp_path: Path
) -> None:
    record = faq(
        "faq-leak",
        "Lost card help for Priya Natarajan",
        "Priya Natarajan called from 07700 900456 about her lost card.",
        category="Priya Natarajan",
        tags=["lost card", "Priya Natarajan", "priya@example.com"],
    )
    code, _ = cli("ingest", str(write_jsonl(tmp_path / "k.jsonl", [record])))
    assert code == 0
    code, out = cli("search", "lost card help", "--json", "--role", "customer")
    assert code == 0 and "faq-leak" in out
    for secret in ("Priya", "Natarajan", "07700", "priya@"):
        assert secret not in out
    kb.ingest([Parsed(KnowledgeRecord.model_validate(record), "t", 1)])
    key = create_key(kb.db, "customer", "c")[0]
    with TestClient(create_app(settings, kb=kb)) as client:
        doc = client.get("/v1/documents/faq-leak", headers={"Authorization": f"Bearer {key}"})
    assert doc.status_code == 200
    body = doc.json()
    assert body["category"] == "[PERSON]"
    assert body["tags"] == ["lost card", "[PERSON]", "[EMAIL]"]
    assert "Priya" not in json.dumps(body) and "07700" not in json.dumps(body)


def test_query_log_respects_the_allow_list(kb: KnowledgeBase, settings: Settings) -> None:
    from kcrm.knowledge.querylog import LoggedQuery, log_query

    kb.db.settings.pii_allow = [HOTLINE]
    log_query(
        kb.db, None, LoggedQuery("search", f"is {HOTLINE} you? I'm on 07700 900456", [], None)
    )
    with kb.db.session() as s:
        (row,) = s.query(QueryLog).all()
    assert row.query == f"is {HOTLINE} you? I'm on [PHONE]"


def test_allow_setting_parses_json_and_refuses_blank_entries(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KCRM_PII_ALLOW", json.dumps([HOTLINE, " Kestrel "]))
    assert Settings().pii_allow == [HOTLINE, "Kestrel"]
    monkeypatch.setenv("KCRM_PII_ALLOW", json.dumps([""]))
    with pytest.raises(ValueError, match="KCRM_PII_ALLOW"):
        Settings()


def test_demo_keeps_the_bank_name_and_hotline(cli: Invoke) -> None:
    from kcrm.core.db import Database
    from kcrm.core.tables import Document

    root = Path(__file__).resolve().parents[2]
    code, _ = cli("demo", "--corpus", str(root / "corpus"), "--no-serve")
    assert code == 0
    db = Database(Settings())
    with db.session() as s:
        public = [d for d in s.query(Document).all() if d.visibility == "public"]
    db.dispose()
    texts = [f"{d.title} {d.body} {d.category} {d.tags}" for d in public]
    assert len(public) == 108 and sum(HOTLINE in t for t in texts) >= 5
    assert not [t for t in texts if "[" in t and any(p in t for p in pii.PLACEHOLDERS.values())]
