"""Strings that are never PII: the company's own phone numbers, addresses and names.

`KCRM_PII_ALLOW` lists them. A finding is kept out of the redaction when it lies
inside an occurrence of an allowed string (compared NFKC-normalised, ignoring case),
a name also when it overlaps one (the company's name in a product name), and a phone
number also when it is the same number as an allowed one in another format
("+44 20 7946 0000", "020 7946 0000" and "0044 20 7946 0000" are one number).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


def _number_forms(entry: str) -> set[str]:
    """The digit strings one phone number is written with, for an allowed entry."""
    digits = _digits(entry)
    if len(digits) < 6 or re.search(r"[^\d\s+().-]", entry):
        return set()  # not a phone number
    if not entry.lstrip().startswith("+"):
        return {digits}
    import phonenumbers

    try:
        number = phonenumbers.parse(entry, None)
    except phonenumbers.NumberParseException:
        return {digits}
    cc, national = str(number.country_code), phonenumbers.national_significant_number(number)
    # International, with a trunk zero kept ("+44 (0)20..."), and national with it.
    return {cc + national, cc + "0" + national, "0" + national, digits}


@dataclass(frozen=True)
class AllowList:
    """Compiled `KCRM_PII_ALLOW`."""

    pattern: re.Pattern[str] | None
    numbers: frozenset[str]

    @staticmethod
    @lru_cache(maxsize=16)
    def of(entries: tuple[str, ...]) -> AllowList:
        """The allow list for ``entries`` (cached: settings hand the same tuple each time)."""
        literals = sorted(
            {unicodedata.normalize("NFKC", e).strip() for e in entries} - {""},
            key=len,
            reverse=True,
        )
        pattern = (
            re.compile("|".join(re.escape(lit) for lit in literals), re.IGNORECASE)
            if literals
            else None
        )
        numbers = frozenset(f for e in entries for f in _number_forms(e))
        return AllowList(pattern, numbers)

    def drop(self, text: str, found: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
        """``found`` (entity, start, end) in NFKC ``text`` without the allowed findings."""
        if self.pattern is None or not found:
            return found
        allowed = [m.span() for m in self.pattern.finditer(text)]
        kept = []
        for entity, start, end in found:
            if any(s <= start and end <= e for s, e in allowed):
                continue
            if entity == "PERSON" and any(s < end and start < e for s, e in allowed):
                continue  # "Kestrel Crypto" is not a person when "Kestrel" is the company
            if entity == "PHONE" and self._same_number(text[start:end]):
                continue
            kept.append((entity, start, end))
        return kept

    def _same_number(self, phone: str) -> bool:
        digits = _digits(phone)
        if phone.lstrip("( ").startswith("00"):
            digits = digits[2:]
        return digits in self.numbers
