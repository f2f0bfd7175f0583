"""Rule recognisers of the PII detector: shapes, checksums and context words.

Each function takes NFKC-normalised text (full-width digits and letters are ASCII by
then) and yields ``(start, end)`` spans. They are kcrm's own where they beat
Presidio's predefined recognisers: checksums (Luhn with issuer prefix, IBAN mod-97,
Chinese resident IDs), phone formats of the UK, North America and China, sort codes
and account numbers named as such, internationalised e-mail addresses, and values
that are personal only in context (a date after "born on", a number after
"passport"). Chinese names and addresses are in `pii_zh`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from kcrm.knowledge.text.pii_names import common_words

# A number must not continue an alphanumeric word ("case-00012", "ORD/123")
# or a larger number ("1,250.00", "2026-10-31"); Chinese text may touch it.
_BEFORE = r"(?<![0-9A-Za-z_])(?<![0-9A-Za-z_][-/.,:])"
_AFTER = r"(?![0-9A-Za-z_])(?![-/.,:][0-9])"
CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"


def _words(text: str) -> list[str]:
    """Split a space-separated word list (keeps the tables below compact)."""
    return text.split()


# ------------------------------------------------------------------ e-mail
# Internationalised addresses (RFC 6531): a part is either a run of CJK characters or a
# run of other word characters, so "联系我abc@qq.com谢谢" yields "abc@qq.com" while
# "用户@例子.公司" and "josé@exämple.com" are whole addresses.
_W = rf"[^\W{CJK}]"  # a word character of an alphabetic script (or a digit)
_LOCAL = rf"(?:[{CJK}]+|(?<!{_W})(?<![.%+'-])(?:{_W}|[.%+'-])+)"
_LABEL = rf"(?:[{CJK}]+|[^\W_{CJK}](?:[^\W_{CJK}]|-)*)"
_TLD = rf"(?:[{CJK}]{{2,}}|[^\W\d_{CJK}]{{2,}}(?!{_W}|-))"
_EMAIL = re.compile(rf"{_LOCAL}@(?:{_LABEL}\.)+{_TLD}")


def emails(text: str) -> Iterator[tuple[int, int]]:
    """E-mail addresses, ASCII or internationalised."""
    if "@" in text:
        yield from (m.span() for m in _EMAIL.finditer(text))


# ------------------------------------------------------------------- phones
_PHONE_INTL = re.compile(
    # "+44 20 7946 0958", "0044 20...", "(+44) (0)20...". Possessive quantifiers: a long
    # digit run has one parse, so no backtracking blow-up.
    r"(?<![0-9A-Za-z_+])(?:\(?\+|\b00 ?)\d{1,3}+\)?(?:[ .-]?+(?:\(\d{1,4}\)|\d{1,5}+)){1,6}+"
    + _AFTER
)
_PHONE_GAP = re.compile(r"[ .-]")
_PHONE_NATIONAL = re.compile(
    _BEFORE + r"(?:\(0\d{2,4}\) ?\d{3,4}[ -]?\d{3,4}"  # (020) 7946 0958, (010)12345678
    r"|0[1-9]\d{1,4}[ -]?\d{3,4}[ -]?\d{3,4}"  # 07700 900123, 020 7946 0958, 010-12345678
    r"|1[3-9]\d[ -]?\d{4}[ -]?\d{4}"  # Chinese mobile
    r"|1[ .-]?\(?[2-9]\d{2}\)?[ .-]?\d{3}[ .-]?\d{4}"  # 1-800-555-0199, 1 (212) 555 0199
    r"|\(\d{3}\) ?\d{3}[ .-]\d{4}|\d{3}[.-]\d{3}[.-]\d{4})" + _AFTER  # North American
)
# A bare run of 10-13 digits is a phone number only where the text says so.
_PHONE_CONTEXT = re.compile(
    r"\b(?:phone|call|ring|tel|telephone|mobile|cell|whatsapp|text me|my number)"
    r"(?:\s+(?:me|us|number|no\.?|is|on|at))*\s*:?\s*(?P<v>\+?\d{10,13})(?!\d)",
    re.IGNORECASE,
)
# Vanity numbers: "1-800-FLOWERS", "1 888 CALL NOW1".
_PHONE_VANITY = re.compile(
    r"\b1[ -]8(?:00|33|44|55|66|77|88)[ -](?:[A-Z0-9]{3}[ -]?[A-Z0-9]{4}|[A-Z]{7})\b"
)


def phones(text: str) -> Iterator[tuple[int, int]]:
    """Phone numbers in international, UK, North American and Chinese formats."""
    if not any(c.isdigit() for c in text):
        return
    for m in _PHONE_INTL.finditer(text):
        start, end = m.span()
        # Drop trailing groups until the digit count fits E.164 (a year or an amount
        # may follow the number directly); "00" and "+" prefixes are not counted.
        prefix = 2 if text[start:end].lstrip("(").startswith("00") else 0
        while (digits := sum(c.isdigit() for c in text[start:end]) - prefix) > 15:
            gaps = [g.start() for g in _PHONE_GAP.finditer(text, start, end)]
            end = gaps[-1] if gaps else start  # one unbroken run of >15 digits: not a phone
        if 8 <= digits <= 15:
            yield start, end
    yield from (m.span() for m in _PHONE_NATIONAL.finditer(text))
    yield from (m.span() for m in _PHONE_VANITY.finditer(text))
    yield from (m.span("v") for m in _PHONE_CONTEXT.finditer(text))


# -------------------------------------------------------------------- cards
_DIGIT_CHAIN = re.compile(
    _BEFORE + r"\d+(?:(?: {1,3}|[-./_\u00b7\u2022\u2010-\u2015])\d+)*" + _AFTER
)


def _luhn(digits: str) -> bool:
    """Check the Luhn checksum used by payment cards."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def cards(text: str) -> Iterator[tuple[int, int]]:
    """Luhn-valid 13-19 digit numbers with an issuer prefix, plain or grouped by any separator."""
    for m in _DIGIT_CHAIN.finditer(text):
        groups = [(g.start(), g.end()) for g in re.finditer(r"\d+", m.group())]
        if any(e - s < 3 or e - s > 6 for s, e in groups[:-1]):
            # Tiny groups are lists of numbers or dates, not cards; a single
            # ungrouped run is still considered below.
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


# -------------------------------------------------------------------- IBANs
_IBAN_START = re.compile(r"(?<![0-9A-Za-z])([A-Za-z]{2})\d{2}")
_IBAN_LENGTHS = {
    item[:2]: int(item[2:])
    for item in _words(
        "AD24 AE23 AL28 AT20 AZ28 BA20 BE16 BG22 BH22 BR29 BY28 CH21 CR22 CY28 CZ24 DE22 DK18 DO28 "
        "EE20 EG29 ES24 FI18 FO18 FR27 GB22 GE22 GI23 GL18 GR27 GT28 HR21 HU28 IE22 IL23 IQ23 IS26 "
        "IT27 JO30 KW30 KZ20 LB28 LC32 LI21 LT20 LU20 LV21 MC27 MD24 ME22 MK19 MR27 MT31 MU30 NL18 "
        "NO15 PK24 PL28 PS29 PT25 QA29 RO24 RS22 SA24 SC31 SE24 SI19 SK24 SM27 ST25 SV28 TL23 TN24 "
        "TR26 UA29 VA22 VG24 XK20"
    )
}


def ibans(text: str) -> Iterator[tuple[int, int]]:
    """IBANs, compact or in groups, that pass the mod-97 check."""
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


# ------------------------------------------------ accounts, IDs, passports
_ACCOUNT = re.compile(
    r"(?:\b(?:sort[ -]?code)\s*(?:is|:)?\s*(?P<sort>\d{2}[- ]?\d{2}[- ]?\d{2})\b)"
    r"|(?:(?:\b(?:account|acct|a/c)(?:\s*(?:number|num|no\.?|#))?|账号|帐号|账户|帐户|卡号)"
    r"\s*(?:is|是|为|:)?\s*(?P<acct>\d{8,19})(?!\d))",
    re.IGNORECASE,
)
_ID_CN = re.compile(_BEFORE + r"\d{6} ?\d{8} ?\d{3}[\dXx]" + _AFTER)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_PASSPORT = re.compile(
    r"(?:\bpassport|护照)(?:\s*(?:number|num|no\.?|#|号码|号))?\s*(?:is|是|为|:)?\s*"
    r"(?P<v>[A-Z]{0,2}\d{6,9})(?![0-9A-Za-z])",
    re.IGNORECASE,
)


def accounts(text: str) -> Iterator[tuple[int, int]]:
    """Sort codes and account numbers that the text names as such."""
    for m in _ACCOUNT.finditer(text):
        yield m.span("sort" if m.group("sort") else "acct")


def _valid_cn_id(value: str) -> bool:
    """Check the ISO 7064 checksum and birth date of a Chinese resident ID."""
    year, month, day = int(value[6:10]), int(value[10:12]), int(value[12:14])
    if not (1900 <= year <= 2100 and 1 <= month <= 12 and 1 <= day <= 31):
        return False
    total = sum(int(c) * w for c, w in zip(value[:17], _ID_WEIGHTS, strict=True))
    return value[17].upper() == "10X98765432"[total % 11]


def cn_resident_ids(text: str) -> Iterator[tuple[int, int]]:
    """Chinese resident identity numbers (18 characters, checksummed)."""
    for m in _ID_CN.finditer(text):
        if _valid_cn_id(m.group().replace(" ", "")):
            yield m.span()


def passports(text: str) -> Iterator[tuple[int, int]]:
    """Passport numbers after the word passport (their shapes alone are any number)."""
    yield from (m.span("v") for m in _PASSPORT.finditer(text))


# ----------------------------------------------------------- dates of birth
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DATE = (
    r"(?:\d{1,2}[/.-]\d{1,2}[/.-](?:19|20)?\d{2}|(?:19|20)\d{2}[/.-]\d{1,2}[/.-]\d{1,2}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH},?\s+(?:19|20)\d{{2}}"
    rf"|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+(?:19|20)\d{{2}}"
    r"|(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*[日号]?)"
)
# A date is personal data only as a birth date; "on 1 March" in an FAQ is not.
_DOB = re.compile(
    r"(?:\b(?:born(?:\s+on)?|date\s+of\s+birth|d\.?o\.?b\.?|birth\s*date|birthday(?:\s+is)?)"
    r"|出生日期|出生于|出生|生日)\s*(?:is|was|是|为|:)?\s*(?:on\s+)?"
    rf"(?P<v>{_DATE})(?![0-9])",
    re.IGNORECASE,
)


def dates_of_birth(text: str) -> Iterator[tuple[int, int]]:
    """Dates that the text gives as someone's birth date."""
    yield from (m.span("v") for m in _DOB.finditer(text))


# ------------------------------------------------------ addresses (English)
# Street types: the usual ones in any case ("12 baker street"), the long tail of UK and
# US names (Crossing, Pike, Turnpike...) only after capitalised words, as addresses are
# written; "10 pounds at the station" is no address.
_SUFFIX = r"(?:street|st|road|rd|avenue|ave|lane|ln|drive|dr|close|way|crescent|terrace)"
_SUFFIX_TITLED = "|".join(
    _words(
        "Place Court Ct Gardens Square Sq Boulevard Blvd Hill Hills Park Row Mews Grove Walk "
        "Parade Highway Alley Bend Bridge Brook Brooks Bypass Center Circle Cliff Cliffs "
        "Common Corner Cove Creek Crest Crossing Dale Estate Estates Expressway Ferry Field "
        "Fields Flat Flats Ford Forest Forge Forges Fork Fort Freeway Garden Gateway Glen "
        "Green Harbor Harbour Haven Heights Hollow Island Islands Isle Junction Key Knoll "
        "Lake Lakes Landing Light Lights Loop Mall Manor Meadow Meadows Mill Mills Mission "
        "Mount Mountain Orchard Oval Parkway Pass Passage Path Pike Pine Pines Plain Plains "
        "Plaza Point Points Port Ports Prairie Ramp Ranch Rapid Rapids Ridge River Route Run "
        "Shoal Shore Shores Spring Springs Spur Station Stream Summit Trace Track Trail "
        "Tunnel Turnpike Underpass Union Valley View Views Village Villages Ville Vista Wall "
        "Wells Wharf Yard Rise Lodge Gate Neck Motorway Camp Canyon Cape Causeway Club Course "
        "Courts Crossroad Curve Dam Divide Falls Fall Inlet Locks Lock Oaks Overpass Radial "
        "Ridges Skyway Stravenue Throughway Trafficway Via Viaduct Wall Ways"
    )
)
_UK_POSTCODE = (
    r"(?:GIR ?0AA|[A-PR-UWYZ](?:[0-9][0-9A-HJKPSTUW]?|[A-HK-Y][0-9][0-9ABEHMNPRVWXY]?)"
    r" ?[0-9][ABD-HJLNP-UW-Z]{2})"
)
_TOWN_AND_CODE = (
    # The town, state or postcode that follows a street is part of the address.
    r"(?:,?\s+(?-i:[A-Z][a-z]+)(?:\s+(?-i:[A-Z][a-z]+))?)?"
    r"(?:,?\s+(?-i:" + _UK_POSTCODE + r"|[A-Z]{2}\s+\d{5}(?:-\d{4})?)\b)?"
)
_STREET = re.compile(
    r"(?:\b(?:flat|apartment|apt|unit|suite)\s*\d+[a-z]?,?\s+)?\b\d{1,5}[a-z]?,?\s+"
    r"(?:(?:[a-z][a-z'-]+\s+){1,3}" + _SUFFIX + r"\b\.?"
    r"|(?-i:(?:[A-Z][a-z'-]+\s+){1,3}(?:"
    + _SUFFIX_TITLED
    + r"))\b)"
    + _TOWN_AND_CODE
    + r"|\bP\.?\s?O\.?\s+Box\s+\d+",
    re.IGNORECASE,
)
_POSTCODE = re.compile(r"(?<![0-9A-Za-z])" + _UK_POSTCODE + r"(?![0-9A-Za-z])")


def street_addresses(text: str) -> Iterator[tuple[int, int]]:
    """House number and street (with the town and postcode that follow), PO boxes."""
    if any(c.isdigit() for c in text):
        yield from (m.span() for m in _STREET.finditer(text))


def uk_postcodes(text: str) -> Iterator[tuple[int, int]]:
    """UK postcodes in their official shape (upper case, as written on letters)."""
    if any(c.isdigit() for c in text):
        yield from (m.span() for m in _POSTCODE.finditer(text))


# ----------------------------------------------------------- names (English)
# spaCy's NER finds most names; these catch the ones it cannot see because they are
# written in lower case or introduced as names ("my name is john smith", "Mr Patel").
_NAME_WORD = r"[A-Za-z][a-z'-]+"
_NAME = rf"(?P<v>{_NAME_WORD}(?:[ \t]+{_NAME_WORD}){{0,2}})"
_INTRODUCED = re.compile(
    rf"\b(?:my name is|my name's|i am called|i'm called|name\s*:)\s+{_NAME}", re.IGNORECASE
)
# Weaker contexts: a name here must hold a word that is not a common lower-case word.
_PRESENTED = re.compile(
    r"\b(?:this is|account holder is|holder\s*:|"
    r"(?:thanks|thank you|regards|kind regards|best wishes|cheers|sincerely),)"
    rf"\s+{_NAME}(?=\s*[.!]?\s*$)",
    re.IGNORECASE | re.MULTILINE,
)
_TITLED = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?\s+(?P<v>[A-Z][a-z'-]+(?:[- ][A-Z][a-z'-]+)?)")
_NOT_NAMES = frozenset(
    _words(
        "wrong incorrect misspelt misspelled spelt spelled missing changed different not "
        "on in at the a an and is was has have showing shown displayed printed also still "
        "correct right written listed there here my your"
    )
)


def introduced_names(text: str) -> Iterator[tuple[int, int]]:
    """Names after "my name is", "this is", a sign-off ("Thanks,") or a title ("Mr")."""
    for m in _INTRODUCED.finditer(text):
        words = m.group("v").split()
        n = next((i for i, w in enumerate(words) if w.lower() in _NOT_NAMES), len(words))
        if n:
            start = m.start("v")
            yield start, start + len(" ".join(words[:n]))
    common = common_words()
    for m in _PRESENTED.finditer(text):
        if any(w.lower() not in common for w in m.group("v").split()):
            yield m.span("v")
    yield from (m.span("v") for m in _TITLED.finditer(text))
