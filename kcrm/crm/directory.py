"""Finding a customer the way a caller gives their details: name, email or phone, typed any way.

Every customer has a few normalised terms in `customer_terms` (name words, emails, phones,
the id). A query is cut into tokens the same way, and a customer matches when every token
is a prefix of one of its terms. A prefix is one contiguous range of the terms' primary
key (`term >= t AND term < t + U+10FFFF`, byte order on both databases), so a lookup
reads only the matching index entries: bench/customers.py measures it at 1M customers.

Normalisation: case and accents are folded (`José` = `jose`), full-width characters
become ASCII (NFKC), and a phone is reduced to its digits in international form, so
`+44 7700 900123`, `0044 7700 900123` and `07700 900123` are one number (a national
`0` prefix belongs to `KCRM_PHONE_COUNTRY_CODE`, 44 by default).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import delete, func, insert, intersect, select
from sqlalchemy.orm import Session

from kcrm.core.tables import Contact, Customer, CustomerTerm

TERM_MAX = 256
TOP = "\U0010ffff"  # sorts after every character: t <= x < t + TOP holds for x starting with t
# Whole names are terms too, marked with a leading space (no other term has one), so a
# name typed in full is one short range instead of the overlap of two long ones.
WHOLE = " "
PHONE_QUERY = re.compile(r"^[+(]?[\d\s().\-/]{4,}$")
MIN_PHONE_DIGITS = 4
_WORDS = re.compile(r"[\w'’.-]+")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def fold(text: str) -> str:
    """Lower case, no accents, full-width folded: how every term and query token is compared."""
    text = unicodedata.normalize("NFKC", text)
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", bare).casefold().strip()


def phone_number(value: str, country: str) -> str | None:
    """A phone number's digits in international form (no +), or None when it has too few."""
    text = unicodedata.normalize("NFKC", value).strip()
    digits = re.sub(r"\D", "", text)
    if len(digits) < MIN_PHONE_DIGITS:
        return None
    if text.startswith("+"):
        return digits
    if digits.startswith("00"):
        return digits[2:]
    if digits.startswith("0"):
        return country + digits[1:]
    return digits


def phone_terms(value: str, country: str) -> list[str]:
    """The number in international form, and without its country code.

    A caller may give `7700 900123` (no prefix at all): that matches the second form.
    """
    number = phone_number(value, country)
    if number is None:
        return []
    terms = [number]
    # Another country's code is one to three digits; without a table of them, each cut is
    # a term, so `138 0013 8000` finds `+86 138 0013 8000`.
    cuts = [len(country)] if number.startswith(country) else [1, 2, 3]
    terms.extend(number[k:] for k in cuts if len(number) - k >= 6)
    return terms


def name_terms(name: str) -> list[str]:
    """Each word of a name, with and without its inner punctuation (`o'neil`, `oneil`);
    the whole name, and the whole name surname first."""
    terms: list[str] = []
    words = [w.strip("'’.-") for w in _WORDS.findall(fold(name))]
    words = [w for w in words if w]
    if len(words) > 1:
        terms.append(WHOLE + " ".join(words))
        terms.append(WHOLE + " ".join([words[-1], *words[:-1]]))
    for word in words:
        terms.append(word)
        parts = [p for p in re.split(r"['’.-]+", word) if p]
        if len(parts) > 1:
            terms.append("".join(parts))
            terms.extend(parts)
        if _CJK.search(word) and len(word) <= 6:
            # Chinese names are written without spaces: the given name alone finds it too.
            terms.extend(word[i:] for i in range(1, len(word)))
    return terms


def customer_terms(
    customer_id: str, name: str, contacts: Iterable[tuple[str, str]], country: str
) -> set[str]:
    """Every term a customer is found by."""
    terms = set(name_terms(name))
    terms.add(fold(customer_id))
    for kind, value in contacts:
        if kind == "email":
            terms.add(fold(value).replace(" ", ""))
        elif kind == "phone":
            terms.update(phone_terms(value, country))
    return {t[:TERM_MAX] for t in terms if t}


def query_tokens(query: str, country: str) -> list[str]:
    """The tokens a query must all match, normalised like the terms."""
    text = query.strip()
    if PHONE_QUERY.match(text):
        number = phone_number(text, country)
        if number is not None:
            return [number]
    if "@" in text:
        return [fold(text).replace(" ", "")[:TERM_MAX]]
    tokens = [t.strip("'’.-")[:TERM_MAX] for t in _WORDS.findall(fold(text))]
    return list(dict.fromkeys(t for t in tokens if t))  # in the order typed


def write_terms(s: Session, rows: Sequence[tuple[str, set[str]]]) -> None:
    """Replace the terms of the given customers: (customer id, terms) pairs."""
    if not rows:
        return
    ids = [cid for cid, _ in rows]
    for start in range(0, len(ids), 500):
        s.execute(
            delete(CustomerTerm).where(CustomerTerm.customer_id.in_(ids[start : start + 500]))
        )
    values = [{"term": t, "customer_id": cid} for cid, terms in rows for t in sorted(terms)]
    if values:
        s.execute(insert(CustomerTerm), values)


def index_customer(s: Session, customer: Customer, country: str) -> None:
    """Bring one customer's terms up to date (after it was created or edited)."""
    s.flush()
    if customer.merged_into:
        write_terms(s, [(customer.id, set())])
        return
    contacts = [(c.kind, c.value) for c in customer.contacts]
    write_terms(s, [(customer.id, customer_terms(customer.id, customer.name, contacts, country))])


def _matching(token: str) -> Any:
    return select(CustomerTerm.customer_id).where(
        CustomerTerm.term >= token, CustomerTerm.term < token + TOP
    )


def find(
    s: Session, query: str, country: str, limit: int = 20, offset: int = 0
) -> tuple[list[Customer], int]:
    """Customers matching every token of `query`, by name; and how many match in all."""
    tokens = query_tokens(query, country)
    if not tokens:
        return [], 0
    candidates: list[Any] = []
    if len(tokens) > 1:
        # A name typed as written ("lucy tay") is a prefix of a whole-name term; only when
        # none is ("luc tay", middle names) are the words' ranges intersected.
        candidates.append(_matching(WHOLE + " ".join(tokens)).distinct())
        candidates.append(intersect(*(_matching(t) for t in tokens)))
    else:
        candidates.append(_matching(tokens[0]).distinct())
    for ids in candidates:
        matched = ids.subquery()
        total = s.scalar(select(func.count()).select_from(matched)) or 0
        if total:
            break
    if total == 0 or offset >= total:
        return [], int(total)
    page = s.scalars(
        select(Customer)
        .where(Customer.id.in_(select(matched.c.customer_id)))
        .order_by(Customer.name, Customer.id)
        .limit(limit)
        .offset(offset)
    ).all()
    return list(page), int(total)


def primary_contacts(s: Session, ids: Sequence[str]) -> dict[str, dict[str, str]]:
    """{customer id: {"email": ..., "phone": ...}}: each kind's primary (or first) contact."""
    out: dict[str, dict[str, str]] = {}
    if not ids:
        return out
    rows = s.execute(
        select(Contact.customer_id, Contact.kind, Contact.value, Contact.is_primary)
        .where(Contact.customer_id.in_(list(ids)))
        .order_by(Contact.customer_id, Contact.is_primary.desc(), Contact.id)
    ).all()
    for cid, kind, value, _ in rows:
        out.setdefault(cid, {}).setdefault(kind, value)
    return out


def count_customers(s: Session) -> int:
    """Customers that are not merged into another."""
    stmt = select(func.count()).select_from(Customer).where(Customer.merged_into.is_(None))
    return int(s.scalar(stmt) or 0)
