"""Personal data kept out of the conversation log: masking of what customers type.

Before a question is stored, these are replaced by placeholders:

    [e-post]          e-mail addresses (also "namn(at)firma.se")
    [kontonummer]     IBANs (compact or in groups: SE45 5000 0000 0583 9825 7466) and bank
                      accounts, clearing number and account (8327-9 123 456 789-0, 6789 123 456 789),
                      and any other run of 11 or more digits in groups
    [personnummer]    Swedish personal identity and co-ordination numbers, with or without
                      century, with or without the '-' or '+' (ÅÅMMDD-NNNN, ÅÅÅÅMMDD - NNNN, ...)
    [telefon]         phone numbers: Swedish (070-123 45 67, 070.123.45.67, 070/765 43 21,
                      08-123 456 78, 0771-123 456) and international (+46 70 123 45 67)
    [kortnummer]      card-like runs of 13 to 19 digits, grouped or not
    [bankgiro]        bankgiro numbers (123-4567, 1234-5678)
    [plusgiro]        plusgiro numbers after the word plusgiro/pg (12 34 56-7)

Digits may be grouped by spaces, dots, dashes or slashes; invisible characters (soft hyphen,
zero-width space) are dropped first, so "850412\u00ad-1234" is a personnummer like any other.

Masking errs towards hiding: an invoice number shaped like a personnummer is masked too.
Times, dates, year ranges, prices, durations, IP addresses and version numbers ("24:e timme",
"kl 08.00-17.00", "2019-2020", "2024-05-01", "1 500 kr", "1500-2000 kr", "PHP 8.2") are left
alone, so staff can still read the question. Names and street addresses are not recognised;
see docs/security.md.
"""

from __future__ import annotations

import re
import traceback

EMAIL = "[e-post]"
PERSONNUMMER = "[personnummer]"
PHONE = "[telefon]"
CARD = "[kortnummer]"
ACCOUNT = "[kontonummer]"
BANKGIRO = "[bankgiro]"
PLUSGIRO = "[plusgiro]"
PLACEHOLDERS = (EMAIL, PERSONNUMMER, PHONE, CARD, ACCOUNT, BANKGIRO, PLUSGIRO)

# Soft hyphen, zero-width space/joiners, word joiner, BOM: invisible, so they carry nothing a
# reader needs, but they would split a number in two for the patterns below.
_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u2060-\u2064\ufeff]")

# No word, sign or number part right before or after a number (so "05-01" inside "2024-05-01"
# is not one).
_BEFORE = r"(?<![\w+.,/-])(?<!\d[ \t])(?<!\d[ \t][-–./][ \t])(?<!\d[-–./][ \t])"
_AFTER = r"(?![\w.,:/-]?\d)"
# Between two groups of digits: a space, or a dash, dot or slash with optional spaces around it.
_GAP = r"(?:[ \t]{0,3}[-–./][ \t]{0,3}|[ \t]{1,3})"

_EMAIL = re.compile(
    r"[\w.+'-]+\s?(?:@|\(at\)|\[at\]|\(a\))\s?[\w-]+(?:\.[\w-]+)*\.[a-zåäö]{2,}\b",
    re.IGNORECASE,
)

# Country code, two check digits, then 11 to 30 digits or capital letters, grouped or not.
_IBAN = re.compile(r"(?<!\w)(?i:[a-z]{2})\d\d(?:[ \t.-]?[0-9A-Z]){11,30}(?![\w])")

# Day 61-91 is a co-ordination number (samordningsnummer).
_DATE = r"(?P<month>0[1-9]|1[0-2])(?P<day>0[1-9]|[12]\d|3[01]|6[1-9]|[78]\d|9[01])"
_PERSONNUMMER = re.compile(
    rf"(?<![\w+.,/-])(?P<century>19|20)?\d\d{_DATE}"
    rf"(?P<sep>[ \t]{{0,3}}[-+–./][ \t]{{0,3}}|[ \t]{{1,3}})?\d{{4}}(?![\w.,:/-]?\d)"
)

# A phone number starts with '+', '00' or a Swedish '0' area code; groups are separated by
# _GAP, and the whole has 7 to 15 digits.
_PHONE = re.compile(
    rf"{_BEFORE}(?:(?:\+|00)\d{{1,3}}(?:{_GAP}?(?:\(\d{{1,4}}\)|\d)){{6,14}}"
    rf"|(?:\(0\d{{1,3}}\)|0\d)(?:{_GAP}?\d){{5,13}}){_AFTER}"
)

# Any run of digit groups: a card number when it has 13 to 19 digits with a valid check digit
# or in groups of four, else an account number when it has 11 or more digits.
_DIGIT_RUN = re.compile(rf"{_BEFORE}\d+(?:{_GAP}\d+)*{_AFTER}")
ACCOUNT_MIN_DIGITS = 11
CARD_DIGITS = range(13, 20)
_CARD_GROUPS = re.compile(r"\d{4}(?:[ -]\d{4}){3}(?:[ -]\d{1,3})?")

_BANKGIRO = re.compile(rf"{_BEFORE}\d{{3,4}}[ \t]?[-–][ \t]?\d{{4}}(?P<unit>\s?(?:kr|kronor|sek|:-|%|st)\b)?{_AFTER}")
_GIRO_WORD = r"(?:plusgiro|postgiro|pg)(?:[ \t]*(?:nr|nummer)?[ \t]*[:.]?[ \t]*)"
_BANKGIRO_WORD = r"(?:bankgiro(?:nummer)?|bg)(?:[ \t]*(?:nr|nummer)?[ \t]*[:.]?[ \t]*)"
_NAMED_BANKGIRO = re.compile(rf"(?i:\b{_BANKGIRO_WORD})(?P<number>\d(?:{_GAP}?\d){{6,7}}){_AFTER}")
_ACCOUNT_WORD = r"(?:bankkonto|konto|kontonummer|kontonr|account)(?:[ \t]*(?:nr|nummer)?[ \t]*[:.]?[ \t]*)"
_NAMED_ACCOUNT = re.compile(rf"(?i:\b{_ACCOUNT_WORD})(?P<number>\d(?:{_GAP}?\d){{4,19}}){_AFTER}")
_PLUSGIRO = re.compile(rf"(?i:\b{_GIRO_WORD})(?P<number>\d(?:{_GAP}?\d){{0,7}}[ \t]?[-–][ \t]?\d){_AFTER}")

# Numbers that are not personal: dates, times and ranges of them, years, IP addresses.
_HOUR, _MINUTE = r"(?:[01]\d|2[0-3])", r"[0-5]\d"
_YEAR = r"(?:19|20)\d\d"
_DAY_MONTH = r"(?:0?[1-9]|[12]\d|3[01])[./-](?:0?[1-9]|1[0-2])"
_NOT_PERSONAL = re.compile(
    rf"{_YEAR}(?:\s?[-–/]\s?{_YEAR})+"  # 2019-2020
    rf"|{_HOUR}[.:]?{_MINUTE}(?:\s?[-–]\s?{_HOUR}[.:]?{_MINUTE})?"  # 08.00 - 17.00, 0800-1700
    rf"|{_DAY_MONTH}[./-](?:{_YEAR}|\d\d)"  # 01.02.2024, 1/2-24
    rf"|{_YEAR}[-./](?:0[1-9]|1[0-2])[-./](?:0[1-9]|[12]\d|3[01])(?:[ \tT]{_HOUR}[ :.]?{_MINUTE})*"  # 2024-05-01 08 00
    # 192.168.1.1; an octet has no leading zero, so 08.12.34.56 stays a Stockholm phone number
    r"|(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}"
)


def luhn_ok(digits: str) -> bool:
    """The Luhn check digit that personnummer, card, bankgiro and plusgiro numbers end with."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _personnummer(match: re.Match[str]) -> str:
    text = match.group(0)
    digits = _digits(text)
    sep = match.group("sep")
    if sep is None and match.group("century") is None and digits.startswith("0"):
        # Ten bare digits starting with 0 are as likely a phone number (0701234567); only a
        # valid check digit makes them a personnummer. Otherwise _PHONE masks them next.
        if not luhn_ok(digits):
            return text
    if sep is not None and not any(dash in sep for dash in "-+–") and not luhn_ok(digits[-10:]):
        # "850715 1234" is a personnummer only with a valid check digit; "240501 1530" and
        # "240501.1530" are not.
        return text
    return PERSONNUMMER


def _unless_not_personal(placeholder: str):
    def replace(match: re.Match[str]) -> str:
        return match.group(0) if _NOT_PERSONAL.fullmatch(match.group(0)) else placeholder

    return replace


def _account(match: re.Match[str]) -> str:
    text = match.group(0)
    digits = _digits(text)
    if len(digits) < ACCOUNT_MIN_DIGITS or _NOT_PERSONAL.fullmatch(text):
        return text
    if len(digits) in CARD_DIGITS and (luhn_ok(digits) or _CARD_GROUPS.fullmatch(text)):
        return CARD
    return ACCOUNT


def _bankgiro(match: re.Match[str]) -> str:
    text = match.group(0)
    if match.group("unit") or _NOT_PERSONAL.fullmatch(text):
        return text  # 1500-2000 kr, 2019-2020, 0800-1700
    return BANKGIRO


def _after_word(placeholder: str):
    """Replace the number after a word that says what it is, keeping the word."""

    def replace(match: re.Match[str]) -> str:
        return match.group(0)[: match.start("number") - match.start(0)] + placeholder

    return replace


def mask_pii(text: str) -> str:
    """`text` with e-mail addresses, personnummer, phone, card and bank numbers replaced by placeholders.

    >>> mask_pii("Jag heter Anna, 850715-1234, ring 070-123 45 67 eller anna@firma.se")
    'Jag heter Anna, [personnummer], ring [telefon] eller [e-post]'
    """
    text = _INVISIBLE.sub("", text)
    text = _EMAIL.sub(EMAIL, text)
    text = _IBAN.sub(ACCOUNT, text)
    text = _PLUSGIRO.sub(_after_word(PLUSGIRO), text)
    text = _NAMED_BANKGIRO.sub(_after_word(BANKGIRO), text)
    text = _NAMED_ACCOUNT.sub(_after_word(ACCOUNT), text)
    text = _PERSONNUMMER.sub(_personnummer, text)
    text = _PHONE.sub(_unless_not_personal(PHONE), text)
    text = _DIGIT_RUN.sub(_account, text)
    text = _BANKGIRO.sub(_bankgiro, text)
    return text


def masked_traceback(err: BaseException) -> str:
    """`err`'s traceback for the server's log, masked: an exception's message may quote the
    customer's question (a ranking error, say), and the server log is kept like any log."""
    return mask_pii("".join(traceback.format_exception(err)))
