"""Personal data kept out of the conversation log: masking of what customers type.

Before a question is stored, these are replaced by placeholders:

    [e-post]          e-mail addresses (also "namn(at)firma.se")
    [personnummer]    Swedish personal identity and co-ordination numbers, with or without
                      century, with or without the '-' or '+' (ÅÅMMDD-NNNN, ÅÅÅÅMMDDNNNN, ...)
    [telefon]         phone numbers: Swedish (070-123 45 67, 08-123 456 78, 0771-123 456)
                      and international (+46 70 123 45 67, 0046 8 123 456 78)
    [kortnummer]      card-like runs of 13 to 19 digits, grouped or not

Masking errs towards hiding: an invoice number shaped like a personnummer is masked too.
Times, dates, prices, durations and version numbers ("24:e timme", "30 minuter", "kl 08:00",
"2024-05-01", "1 500 kr", "PHP 8.2") are left alone, so staff can still read the question.
Names and street addresses are not recognised; see the README.
"""

from __future__ import annotations

import re

EMAIL = "[e-post]"
PERSONNUMMER = "[personnummer]"
PHONE = "[telefon]"
CARD = "[kortnummer]"
PLACEHOLDERS = (EMAIL, PERSONNUMMER, PHONE, CARD)

_EMAIL = re.compile(
    r"[\w.+'-]+\s?(?:@|\(at\)|\[at\]|\(a\))\s?[\w-]+(?:\.[\w-]+)*\.[a-zåäö]{2,}\b",
    re.IGNORECASE,
)

# Day 61-91 is a co-ordination number (samordningsnummer).
_DATE = r"(?P<month>0[1-9]|1[0-2])(?P<day>0[1-9]|[12]\d|3[01]|6[1-9]|[78]\d|9[01])"
_PERSONNUMMER = re.compile(rf"(?<![\w+.,/-])(?P<century>19|20)?\d\d{_DATE}(?P<sep>[-+–]|\s)?\d{{4}}(?![\w.,:/-]?\d)")

# A phone number starts with '+', '00' or a Swedish '0' area code; groups are separated by
# single spaces or dashes, and the whole has 7 to 15 digits. Not preceded by another number,
# so the "05-01 08 00" inside "2024-05-01 08 00" is not one.
_SEP = r"[ \-–]?"
_PHONE = re.compile(
    rf"(?<![\w+.,/-])(?<!\d-)"
    rf"(?:(?:\+|00)\d{{1,3}}(?:{_SEP}(?:\(\d{{1,4}}\)|\d)){{6,14}}"
    rf"|(?:\(0\d{{1,3}}\)|0\d)(?:{_SEP}\d){{5,13}})(?![\w.,:/-]?\d)"
)

_CARD = re.compile(r"(?<![\w+.,/-])\d(?:[ \-]?\d){12,18}(?![\w.,:/-]?\d)")


def luhn_ok(digits: str) -> bool:
    """The Luhn check digit that personnummer and card numbers end with."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def _personnummer(match: re.Match[str]) -> str:
    text = match.group(0)
    digits = re.sub(r"\D", "", text)
    if match.group("sep") is None and match.group("century") is None and digits.startswith("0"):
        # Ten bare digits starting with 0 are as likely a phone number (0701234567); only a
        # valid check digit makes them a personnummer. Otherwise _PHONE masks them next.
        if not luhn_ok(digits):
            return text
    if match.group("sep") is not None and match.group("sep").isspace() and not luhn_ok(digits[-10:]):
        # "850715 1234" is a personnummer only with a valid check digit; "240501 1530" is not.
        return text
    return PERSONNUMMER


def mask_pii(text: str) -> str:
    """`text` with e-mail addresses, personnummer, phone and card numbers replaced by placeholders.

    >>> mask_pii("Jag heter Anna, 850715-1234, ring 070-123 45 67 eller anna@firma.se")
    'Jag heter Anna, [personnummer], ring [telefon] eller [e-post]'
    """
    text = _EMAIL.sub(EMAIL, text)
    text = _PERSONNUMMER.sub(_personnummer, text)
    text = _PHONE.sub(PHONE, text)
    text = _CARD.sub(CARD, text)
    return text


def has_pii(text: str) -> bool:
    """Whether masking would change `text`."""
    return mask_pii(text) != text
