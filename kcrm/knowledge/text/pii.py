"""Personal data in text: emails, phones, cards, IBANs, account numbers, national ids.

Checksummed detectors (Luhn, mod-97, the Chinese resident-id check digit) keep
reference numbers and amounts from being taken for personal data.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass


def _codes(text: str) -> frozenset[str]:
    """Split a space-separated list (keeps the tables below compact)."""
    return frozenset(text.split())


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
    for item in _codes(
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
