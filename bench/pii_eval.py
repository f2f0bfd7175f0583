# ruff: noqa: E501  (template and generator tables read best one per line)
"""A labelled PII evaluation set, and precision and recall of a detector on it.

Real customer questions (Banking77 in English, BQ in Chinese, from ../shared/data) get
synthetic personal data inserted by templates, so every span is labelled by
construction; values come from Faker (en_GB, en_US, zh_CN) and from generators here
(UK National Insurance numbers, Chinese addresses, internationalised e-mail
addresses). Negatives are the questions themselves plus FAQ-like sentences with
amounts, dates, products, case ids and order references and no personal data.

Scoring, per entity type and language: recall is the share of labelled spans that
the detector covers entirely with spans of the same type; precision is the share of
detected spans of a type that overlap a labelled span of that type. `hidden` is the
share of labelled spans covered by any placeholder (what a reader no longer sees).

    python bench/pii_eval.py [--per-type 150] [--baseline REF]   # REF: a git revision

With --baseline the detector of that revision's kcrm/knowledge/nlp.py (the one before
Presidio) is scored on the same set, side by side.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import random
import subprocess
import sys
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TITLES = {"Mr", "Mrs", "Ms", "Miss", "Mx", "Dr"}  # a form of address, not part of the name
DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
Span = tuple[str, int, int]  # (kind, start, end)


@dataclass
class Sample:
    """A text, its language and its labelled PII spans."""

    text: str
    language: str
    spans: list[Span] = field(default_factory=list)


def fill(template: str, values: dict[str, tuple[str, str]], language: str) -> Sample:
    """``template`` with ``{name}`` slots replaced; ``values[name] = (kind, value)``."""
    text, spans = "", []
    for part in _slots(template):
        if part in values:
            kind, value = values[part]
            if kind:
                spans.append((kind, len(text), len(text) + len(value)))
            text += value
        else:
            text += part
    return Sample(text, language, spans)


def _slots(template: str) -> Iterable[str]:
    """Split "a {x} b" into "a ", "x", " b" (slot names are yielded bare)."""
    rest = template
    while "{" in rest:
        before, _, after = rest.partition("{")
        name, _, rest = after.partition("}")
        yield before
        yield name
    yield rest


# ---------------------------------------------------------------- values


def _nino(rng: random.Random) -> str:
    first, second = "ABCEGHJKLMNOPRSTWXYZ", "ABCEGHJKLMNPRSTWXYZ"
    digits = "".join(rng.choice("0123456789") for _ in range(6))
    prefix = rng.choice(first) + rng.choice(second)
    if prefix in {"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"}:
        prefix = "AB"
    suffix = rng.choice("ABCD")
    if rng.random() < 0.5:
        return f"{prefix} {digits[:2]} {digits[2:4]} {digits[4:]} {suffix}"
    return f"{prefix}{digits}{suffix}"


def _grouped(number: str, rng: random.Random) -> str:
    """A card number written with a random separator (or none)."""
    sep = rng.choice(["", " ", "-", ".", "  "])
    if len(number) == 15:  # Amex: 4-6-5
        return sep.join([number[:4], number[4:10], number[10:]])
    return sep.join(number[i : i + 4] for i in range(0, len(number), 4))


def _unionpay(rng: random.Random) -> str:
    """A 16-digit UnionPay-style number (prefix 62) with a valid Luhn check digit."""
    body = "62" + "".join(rng.choice("0123456789") for _ in range(13))
    total = sum(
        (d * 2 - 9 if d * 2 > 9 else d * 2) if i % 2 == 0 else d
        for i, d in enumerate(int(c) for c in reversed(body))
    )
    return body + str(-total % 10)


def _in_fours(text: str) -> str:
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def _fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def en_values(fake: Any, us: Any, rng: random.Random) -> dict[str, list[Callable[[], str]]]:
    """Generators of English-context values per entity kind."""
    dob = lambda fmt: lambda: fake.date_of_birth(minimum_age=18, maximum_age=90).strftime(fmt)  # noqa: E731
    return {
        "person": [fake.name_nonbinary, lambda: f"{fake.first_name()} {fake.last_name()}",
                   lambda: f"{fake.first_name()} {fake.last_name()}".lower(), us.name],
        "email": [fake.email, us.free_email,
                  lambda: rng.choice(["josé", "zoë", "søren", "jürgen"]) + "@" + rng.choice(["exämple.com", "correo.es", "bücher.de"]),
                  lambda: _fullwidth(fake.free_email())],
        "phone": [lambda: fake.phone_number(), lambda: "+44 7" + "".join(rng.choice("0123456789") for _ in range(3)) + " " + "".join(rng.choice("0123456789") for _ in range(6)),
                  lambda: "0044 20 " + "".join(rng.choice("0123456789") for _ in range(4)) + " " + "".join(rng.choice("0123456789") for _ in range(4)),
                  lambda: us.phone_number().split("x")[0], lambda: "1-800-" + "".join(rng.choice("0123456789") for _ in range(3)) + "-" + "".join(rng.choice("0123456789") for _ in range(4)),
                  lambda: _fullwidth("07" + "".join(rng.choice("0123456789") for _ in range(9)))],
        "card": [lambda: _grouped(fake.credit_card_number(rng.choice(["visa16", "mastercard", "amex"])), rng)],
        "iban": [fake.iban, lambda: _in_fours(fake.iban())],
        "id_number": [lambda: _nino(rng), us.ssn],
        "passport": [fake.passport_number],
        "date_of_birth": [dob("%d/%m/%Y"), dob("%Y-%m-%d"), dob("%d %B %Y"), dob("%B %d, %Y")],
        "ip_address": [fake.ipv4_public, fake.ipv6],
        "address": [lambda: f"{fake.building_number()} {fake.street_name()}, {fake.city()} {fake.postcode()}",
                    lambda: f"{us.building_number()} {us.street_name()}", fake.postcode],
    }  # fmt: skip


EN_TEMPLATES: dict[str, list[str]] = {
    "person": ["{q} My name is {v}.", "Hi, this is {v}. {q}", "{q} Regards, {v}",
               "{q} The account holder is {v}.", "Dear team, {q} Thanks, {v}"],
    "email": ["{q} Email me at {v} please.", "{q} My address is {v}", "Contact: {v}. {q}"],
    "phone": ["{q} Call me on {v}.", "{q} My number is {v}", "Phone {v}. {q}"],
    "card": ["{q} My card number is {v}.", "{q} card {v} was charged twice", "Card: {v}. {q}"],
    "iban": ["{q} My IBAN is {v}.", "{q} Send it to {v} please"],
    "id_number": ["{q} My national insurance number is {v}.", "{q} SSN {v}", "ID: {v}. {q}"],
    "passport": ["{q} My passport number is {v}.", "{q} passport: {v}"],
    "date_of_birth": ["{q} I was born on {v}.", "{q} Date of birth: {v}", "DOB {v}. {q}"],
    "ip_address": ["{q} I logged in from {v}.", "{q} My IP is {v}"],
    "address": ["{q} I live at {v}.", "{q} Send the card to {v}", "Address: {v}. {q}"],
}  # fmt: skip
EN_NEGATIVE = [
    "Standard delivery takes {a}-{b} working days in the UK.",
    "Top up up to GBP {m} per day; the Metal card costs GBP 49.",
    "Your case case-{n} was updated on {d} {mon} {y}.",
    "Order ORD-{y}{n} ships on {d} {mon}, within 3 working days.",
    "Transfers over EUR {m} need approval; SEPA Instant arrives in seconds.",
    "Fees changed on 1 March {y}: Premium is GBP 7.99 a month, Plus GBP 3.99.",
    "Kestrel Crypto costs 1.49% per trade; the weekend markup is 1% from Friday 22:00.",
    "Reference {n}-{a}{b} was closed at 10:30 on {y}-0{a}-1{b}.",
]


def zh_values(fake: Any, rng: random.Random) -> dict[str, list[Callable[[], str]]]:
    """Generators of Chinese-context values per entity kind."""
    digits = lambda n: "".join(rng.choice("0123456789") for _ in range(n))  # noqa: E731

    def address() -> str:
        parts = [
            fake.province(),
            fake.city_name() + "市",
            fake.district() + "区",
            fake.street_name(),
            f"{rng.randint(1, 300)}号",
        ]
        if rng.random() < 0.5:
            parts += [f"{rng.randint(1, 30)}栋", f"{rng.randint(101, 2505)}室"]
        return "".join(parts[rng.randint(0, 2) :])

    return {
        "person": [fake.name],
        "phone": [fake.phone_number, lambda: "+86 " + fake.phone_number(), lambda: f"010-{digits(8)}",
                  lambda: _fullwidth(fake.phone_number())],
        "id_number": [fake.ssn],
        "email": [fake.free_email, lambda: rng.choice(["用户", "张伟", "客服"]) + "@" + rng.choice(["例子.公司", "邮件.中国"])],
        "card": [lambda: _grouped(_unionpay(rng), rng)],
        "account": [lambda: digits(rng.randint(10, 16))],
        "date_of_birth": [lambda: fake.date_of_birth(minimum_age=18).strftime("%Y年%m月%d日"),
                          lambda: fake.date_of_birth(minimum_age=18).strftime("%Y-%m-%d")],
        "address": [address],
    }  # fmt: skip


ZH_TEMPLATES: dict[str, list[str]] = {
    "person": ["我叫{v}，{q}", "{q}，{v}先生", "{q}，{v}女士", "姓名：{v}。{q}", "收款人{v}，{q}", "我是{v}。{q}"],
    "phone": ["{q}，我的手机是{v}", "{q}请打{v}", "电话：{v}，{q}"],
    "id_number": ["{q}，身份证号{v}", "身份证：{v}。{q}"],
    "email": ["{q}，邮箱{v}", "{q}请发到{v}"],
    "card": ["{q}，卡号{v}", "{q}我的银行卡{v}被扣款了"],
    "account": ["{q}，我的账号是{v}", "账户：{v}，{q}"],
    "date_of_birth": ["{q}，出生日期{v}", "我的生日是{v}，{q}"],
    "address": ["{q}，我住在{v}", "{q}请寄到{v}", "地址：{v}。{q}"],
}  # fmt: skip
ZH_NEGATIVE = [
    "标准寄送需要{a}到{b}个工作日，快递费{m}元。",
    "每天最多可充值{m}元，{y}年{a}月1日起调整。",
    "您的工单case-{n}已于{y}-0{a}-1{b}更新。",
    "订单ORD-{y}{n}将在3个工作日内发货。",
    "金卡年费{m}元，余额不足时无法转账。",
    "请在{d}日内还款，逾期利率为0.05%。",
]  # fmt: skip


def questions(data: Path) -> tuple[list[str], list[str]]:
    """Banking77 and BQ questions (the English and Chinese carriers)."""
    with (data / "banking77" / "train.csv").open(encoding="utf-8") as fh:
        english = [row["text"] for row in csv.DictReader(fh)]
    with (data / "bq" / "valid.tsv").open(encoding="utf-8") as fh:
        chinese = [line.split("\t")[0] for line in fh if line.strip()]
    return english, chinese


def build(
    english: Sequence[str], chinese: Sequence[str], per_type: int, seed: int = 7
) -> list[Sample]:
    """The evaluation set: ``per_type`` samples per kind and language, and negatives."""
    from faker import Faker

    rng = random.Random(seed)
    Faker.seed(seed)
    gb, us, zh = Faker("en_GB"), Faker("en_US"), Faker("zh_CN")
    samples: list[Sample] = []
    for language, carriers, values, templates in (
        ("en", english, en_values(gb, us, rng), EN_TEMPLATES),
        ("zh", chinese, zh_values(zh, rng), ZH_TEMPLATES),
    ):
        for kind, makers in values.items():
            for i in range(per_type):
                value = makers[i % len(makers)]()
                template = rng.choice(templates[kind])
                title, _, rest = value.partition(" ")
                if kind == "person" and title.rstrip(".") in TITLES and rest:
                    template, value = template.replace("{v}", title + " {v}"), rest
                q = rng.choice(carriers).rstrip("?？。.! ")
                samples.append(fill(template, {"q": ("", q), "v": (kind, value)}, language))
        negatives = EN_NEGATIVE if language == "en" else ZH_NEGATIVE
        for i in range(per_type * 2):
            slots = {k: ("", str(rng.randint(1, 9))) for k in "ab"}
            slots |= {"m": ("", f"{rng.randint(1, 30) * 50:,}"), "n": ("", f"{rng.randint(10, 99999):05d}"),
                      "d": ("", str(rng.randint(1, 28))), "y": ("", str(rng.randint(2020, 2027))),
                      "mon": ("", rng.choice(["March", "June", "October"]))}  # fmt: skip
            samples.append(fill(negatives[i % len(negatives)], slots, language))
            samples.append(Sample(rng.choice(carriers), language))
    return samples


# --------------------------------------------------------------- scoring

Detector = Callable[[str], list[Span]]


def score(samples: Sequence[Sample], detect: Detector) -> dict[tuple[str, str], dict[str, float]]:
    """(language, kind) -> gold, detected, precision, recall, hidden."""
    counts: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for sample in samples:
        found = detect(sample.text)
        for kind, start, end in sample.spans:
            c = counts[(sample.language, kind)]
            c["gold"] += 1
            same = [(s, e) for k, s, e in found if k == kind]
            c["recalled"] += _covered(start, end, same)
            c["hidden"] += _covered(start, end, [(s, e) for _, s, e in found])
        for kind, start, end in found:
            c = counts[(sample.language, kind)]
            c["detected"] += 1
            c["correct"] += any(k == kind and s < end and start < e for k, s, e in sample.spans)
    out = {}
    for key, c in counts.items():
        out[key] = {
            "gold": c["gold"],
            "detected": c["detected"],
            "precision": c["correct"] / c["detected"] if c["detected"] else float("nan"),
            "recall": c["recalled"] / c["gold"] if c["gold"] else float("nan"),
            "hidden": c["hidden"] / c["gold"] if c["gold"] else float("nan"),
        }
    return out


def _covered(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    """Whether ``spans`` together cover every character of [start, end)."""
    return all(any(s <= i < e for s, e in spans) for i in range(start, end))


def current_detector(allow: Sequence[str] = ()) -> Detector:
    from kcrm.knowledge.text.pii import find_pii

    return lambda text: [(m.kind, m.start, m.end) for m in find_pii(text, allow)]


def baseline_detector(ref: str) -> Detector:
    """The pre-Presidio detector of git revision ``ref`` (kcrm/knowledge/nlp.py)."""
    source = subprocess.run(
        ["git", "show", f"{ref}:kcrm/knowledge/nlp.py"], capture_output=True, text=True, check=True
    ).stdout
    path = Path(tempfile.mkdtemp()) / "baseline_nlp.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("baseline_nlp", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["baseline_nlp"] = module
    spec.loader.exec_module(module)
    return lambda text: [(m.kind, m.start, m.end) for m in module.find_pii(text)]


def table(results: dict[str, dict[tuple[str, str], dict[str, float]]]) -> str:
    """A Markdown table: one row per language and kind, a column group per detector."""
    names = list(results)
    head = (
        "| language | kind | labelled | "
        + " | ".join(f"{n} P | {n} R | {n} hidden" for n in names)
        + " |"
    )
    rows = [head, "|" + "---|" * (3 + 3 * len(names))]
    keys = sorted(
        {k for r in results.values() for k in r}, key=lambda k: (k[0], k[1] == "none", k[1])
    )
    for language, kind in keys:
        gold = max(int(r.get((language, kind), {}).get("gold", 0)) for r in results.values())
        cells = []
        for n in names:
            m = results[n].get((language, kind))
            if m is None:
                cells += ["–", "0.00" if gold else "–", "–"]
                continue
            cells += [_fmt(m["precision"]), _fmt(m["recall"]), _fmt(m["hidden"])]
        rows.append(f"| {language} | {kind} | {gold} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def _fmt(x: float) -> str:
    return "–" if x != x else f"{x:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-type", type=int, default=150)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--baseline", help="git revision whose nlp.py detector to compare")
    parser.add_argument(
        "--allow", nargs="*", default=["Kestrel"], help="KCRM_PII_ALLOW for the new detector"
    )
    args = parser.parse_args()
    english, chinese = questions(args.data)
    samples = build(english, chinese, args.per_type)
    results = {}
    if args.baseline:
        results["old"] = score(samples, baseline_detector(args.baseline))
    results["new"] = score(samples, current_detector(args.allow))
    spans = sum(len(s.spans) for s in samples)
    print(f"{len(samples)} texts, {spans} labelled spans\n")
    print(table(results))


if __name__ == "__main__":
    main()
