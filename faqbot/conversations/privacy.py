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
    [lösenord]        a password or code after the word that names it, when it looks like one:
                      letters and digits, or a sign ("password: hunter2", "Lösenordet Sommar2024!
                      funkar inte"), or digits after a code's word ("cvc 123", "Koden är 4821");
                      not an ordinary word ("Lösenordet är fel", "fel PIN 3 gånger")
    [adress]          a street and number (Storgatan 12B, lgh 1102) and a postcode before a
                      town (123 45 Stockholm)

A number after a word that names it is masked whatever its shape: a personnummer after
"personnummer", "pnr" or "samordningsnummer" with any check digit or its last four split
("850101-12 34"), a phone number after "telefon", "tel", "mobil", "mitt nummer" or "ring" without its 0
("70 123 45 67"), an account after a bank's name ("Swedbank 8105-9, 934 567 890-1"); so is one
typed against its label or a word ("pnr850101-1234", "tel.070-123 45 67", "Svensson,850715-1234").
An e-mail address written out ("anna punkt svensson at gmail punkt com", "anna [at] firma [dot]
se", "anna snabel-a firma punkt se") or broken ("anna@firma", "anna.svensson@gmail,com") is one
too; "at" and a site are English ("Can I book at bokadirekt.se?"). These forms were stored raw and
proposed as phrasings to add to the FAQ (a red team, thirty-ninth session; its second round found
the ordinary questions the first version took for personal data, now left as they are).

Digits may be grouped by spaces, dots, dashes (any of Unicode's: a word processor's or a pasted
text's hyphen, minus sign or en dash), underscores or slashes, and be full-width digits; invisible
characters (soft hyphen, zero-width space) are dropped first, so "850412\u00ad-1234" is a
personnummer like any other. Digits typed one at a time ("0 7 0 1 2 3 ...") and a personnummer
with its date split ("85-07-15-1234") are masked too (the latter with a valid check digit).

Masking errs towards hiding: an invoice number shaped like a personnummer is masked too.
Times, dates, year ranges, prices, durations, IP addresses and version numbers ("24:e timme",
"kl 08.00-17.00", "2019-2020", "2024-05-01", "1 500 kr", "1500-2000 kr", "PHP 8.2") are left
alone, so staff can still read the question, and so are customer, order and invoice numbers
(but `faqbot learn` never proposes a phrasing with such a number: `has_personal_data` in
faqbot/staff/signals.py). Names are not recognised; see docs/security.md.
"""

from __future__ import annotations

import re
import traceback
import unicodedata

EMAIL = "[e-post]"
PERSONNUMMER = "[personnummer]"
PHONE = "[telefon]"
CARD = "[kortnummer]"
ACCOUNT = "[kontonummer]"
BANKGIRO = "[bankgiro]"
PLUSGIRO = "[plusgiro]"
SECRET = "[lösenord]"
ADDRESS = "[adress]"
PLACEHOLDERS = (EMAIL, PERSONNUMMER, PHONE, CARD, ACCOUNT, BANKGIRO, PLUSGIRO, SECRET, ADDRESS)

# Soft hyphen, zero-width space/joiners, word joiner, BOM: invisible, so they carry nothing a
# reader needs, but they would split a number in two for the patterns below.
_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u2060-\u2064\ufeff]")
# A decimal digit other than 0-9 ("８", an input method's full-width one): a personnummer's date
# is matched digit by digit, so it is read as its 0-9 (the stored question has the 0-9 then)
_OTHER_DIGIT = re.compile(r"(?![0-9])\d")

# Every dash a customer's keyboard, phone or pasted text may put between digits: hyphen-minus,
# hyphen, non-breaking hyphen, figure dash, en and em dash, horizontal bar, minus sign, and the
# small and full-width hyphen-minus (a red team's "850715\u22121234" was stored and proposed raw).
_DASH = "\\-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
# No word, sign or number part right before or after a number (so "05-01" inside "2024-05-01"
# is not one).
_BEFORE = rf"(?<![\w+.,/{_DASH}])(?<!\d[ \t])(?<!\d[ \t][{_DASH}./_][ \t])(?<!\d[{_DASH}./_][ \t])"
_AFTER = rf"(?![\w.,:/{_DASH}]?\d)"
# Between two groups of digits: a space, or a dash, dot, underscore or slash with optional spaces around it.
_GAP = rf"(?:[ \t]{{0,3}}[{_DASH}./_][ \t]{{0,3}}|[ \t]{{1,3}})"

_EMAIL = re.compile(  # from the start of a run only: tried at every character, it took 0.16 s on 2,000 digits
    r"(?<![\w.+'-])[\w.+'-]+\s?(?:[@\uff20]|\(at\)|\[at\]|\(a\))\s?[\w-]+(?:[.\uff0e][\w-]+)*[.\uff0e][a-zåäö]{2,}\b",
    re.IGNORECASE,
)

# Country code, two check digits, then 11 to 30 digits or capital letters, grouped or not.
_IBAN = re.compile(rf"(?<!\w)(?i:[a-z]{{2}})\d\d(?:[ \t.{_DASH}]?[0-9A-Z]){{11,30}}(?![\w])")

# Day 61-91 is a co-ordination number (samordningsnummer).
_DATE = r"(?P<month>0[1-9]|1[0-2])(?P<day>0[1-9]|[12]\d|3[01]|6[1-9]|[78]\d|9[01])"
_PERSONNUMMER = re.compile(
    rf"(?<![\w+.,/{_DASH}])(?P<century>19|20)?\d\d{_DATE}"
    rf"(?P<sep>[ \t]{{0,3}}[{_DASH}+./_][ \t]{{0,3}}|[ \t]{{1,3}})?\d{{4}}(?![\w.,:/{_DASH}]?\d)"
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
# a run of 10 or 12 digits that reads as a personnummer, however it was grouped
_SPLIT_PERSONNUMMER = re.compile(rf"(?:19|20)?\d\d{_DATE}\d{{4}}")
# digits typed one at a time, a gap between each: no date, price or count is written so
_ONE_AT_A_TIME = re.compile(rf"\d(?:{_GAP}\d)+")
ONE_AT_A_TIME_MIN_DIGITS = 7

_BANKGIRO = re.compile(
    rf"{_BEFORE}\d{{3,4}}[ \t]?[{_DASH}][ \t]?\d{{4}}(?P<unit>\s?(?:kr|kronor|sek|:-|%|st)\b)?{_AFTER}"
)
_GIRO_WORD = r"(?:plusgiro|postgiro|pg)(?:[ \t]*(?:nr|nummer)?[ \t]*[:.]?[ \t]*)"
_BANKGIRO_WORD = r"(?:bankgiro(?:nummer)?|bg)(?:[ \t]*(?:nr|nummer)?[ \t]*[:.]?[ \t]*)"
_NAMED_BANKGIRO = re.compile(rf"(?i:\b{_BANKGIRO_WORD})(?P<number>\d(?:{_GAP}?\d){{6,7}}){_AFTER}")
_ACCOUNT_WORD = r"(?:bankkonto|konto|kontonummer|kontonr|account)(?:[ \t]*(?:nr|nummer)?[ \t]*[:.]?[ \t]*)"
_NAMED_ACCOUNT = re.compile(rf"(?i:\b{_ACCOUNT_WORD})(?P<number>\d(?:{_GAP}?\d){{4,19}}){_AFTER}")
_PLUSGIRO = re.compile(rf"(?i:\b{_GIRO_WORD})(?P<number>\d(?:{_GAP}?\d){{0,7}}[ \t]?[{_DASH}][ \t]?\d){_AFTER}")

# A label typed against its number ("pnr850101-1234", "tel.070-123 45 67", "Tel.nr.070-..."): a
# space is put after it, so that the number is read as any other ("pnr:" and "tel:" already are).
# So is one after a word and a comma, slash or dash ("Anna Svensson,850715-1234", "född850715-1234"),
# and a phone number after a comma or slash ("Ring 0701234567,0731234567"): a red team's forms.
_GLUED_LABEL = re.compile(
    r"(?i)\b(pnr|personnr|personnummer|samordningsnr|samordningsnummer|tel|tfn|telnr|telefon|mobil|mob|mobilnr|nr)"
    r"(\.?)(?=[+\d])"
)
_GLUED_NUMBER = re.compile(rf"(?<=[^\W\d_])([,/{_DASH}]?)(?=(?:19|20)?\d{{6}}[ \t]?[{_DASH}+]?[ \t]?\d{{4}}(?!\d))")
_GLUED_PHONE = re.compile(r"(?<=[\w\]])([,/])(?=(?:\+|00|0)\d{6})")
# A number the word before it says is a personnummer, whatever its check digit and however its
# last four are grouped ("personnummer 850101 1234", "pnr 850101-12 34").
_PERSONNUMMER_WORD = r"(?:personnummer|personnumret|personnr|pnr|p-nr|samordningsnummer|samordningsnr|födelsenummer)"
_NAMED_PERSONNUMMER = re.compile(
    rf"(?i:\b{_PERSONNUMMER_WORD}\b[ \t]*(?:är|is|nr)?[ \t]*[:.]?[ \t]*)"
    rf"(?P<number>(?:19|20)?\d{{6}}(?:{_GAP}?\d){{4}}){_AFTER}"
)
# A number the word before it says is the asker's phone number, with or without its 0 ("Mitt
# nummer är 70 123 45 67"); not a price ("telefon 1 000 000 kr"), nor an article's "nummer".
_PHONE_WORD = (
    r"(?:telefon(?:nummer|nr)?|tel|tfn|telnr|mobil(?:nummer|nr|en)?|mob|mobilnr|(?:mitt|mina|my) (?:nummer|nr|number)"
    r"|ring(?: mig)?(?: på)?|sms(?:a)?(?: mig)?(?: på)?|phone(?: number)?|call me(?: on| at)?|whatsapp)"
)
_UNIT = r"(?:kr|kronor|sek|euro|eur|usd|:-|%|st|gb|mb|km|tecken|gånger|siffror|characters)(?!\w)"
_UNIT_NEXT = re.compile(rf"[ \t]?(?i:{_UNIT})")  # a price, size or count follows: "12000 kr", "5 gånger"
_NAMED_PHONE = re.compile(
    rf"(?i:\b{_PHONE_WORD}(?:[ \t]+(?:är|is))?[ \t]*[:.]?[ \t]*)"
    rf"(?P<number>\+?\d(?:{_GAP}?\d){{6,13}}){_AFTER}(?![ \t]?(?i:{_UNIT}))"
)
# An account after a bank's name, its clearing number and account perhaps split by a comma.
_BANK_WORD = (
    r"(?:swedbank|handelsbanken|nordea|seb|danske bank|länsförsäkringar|ica banken|sparbanken|skandiabanken"
    r"|skandia|sbab|avanza|ålandsbanken|marginalen bank|resurs bank)"
)
_NAMED_BANK_ACCOUNT = re.compile(
    rf"(?i:\b{_BANK_WORD}\b[ \t]*(?:konto(?:nummer|nr)?|account)?[ \t]*[:.]?[ \t]*)"
    rf"(?P<number>\d(?:(?:{_GAP}|,[ \t]*)?\d){{6,19}}){_AFTER}(?![ \t]?(?i:{_UNIT}))"
)
# A password or code after the word that names it, perhaps with "är" (or "e", "is", ":", "=")
# and up to three words between ("Mitt lösenord till kontot är Sommar2024"): masked when it
# looks like one, letters and digits ("hemligt123", "hunter2") or a sign in it ("Sommar2024!"),
# or digits alone after a code's word ("cvc 123", "Koden är 4821", "Portkod 1234"). Ordinary
# words stay ("Lösenordet är fel", "My password doesn't work", "fel PIN 3 gånger").
_PASSWORD_WORD = r"(?:lösenord(?:et)?|lösen|password|passwordet|passwd|pwd|pw|pass)"
_CODE_WORD = (
    r"(?:pin(?:-?kod(?:en)?)?|pinkod(?:en)?|cvc2?(?:-?kod(?:en)?)?|cvv2?(?:-?kod(?:en)?)?|säkerhetskod(?:en)?"
    r"|kod(?:en)?|portkod(?:en)?|larmkod(?:en)?|dörrkod(?:en)?|engångskod(?:en)?)"
)
_SECRET = re.compile(
    rf"(?i:\b(?P<word>{_PASSWORD_WORD}|{_CODE_WORD})\b)"
    r"(?P<said>(?:[ \t]+[^\W\d_]+){0,3}?[ \t]*(?:\b(?:är|e|is)\b[ \t]*[:=]?|[:=])[ \t]*|[ \t]+)"
    r"(?P<secret>[^\s,;]+?)(?=[.?]*(?:\s|$|[,;]))"
)
_SECRET_SIGNS = frozenset("!#$%&*+=?@^_~")
# A street and its number ("Storgatan 12B", "storgatan 12, lgh 1102"), and a postcode before a
# town after a comma or on its own ("..., 123 45 Stockholm"); not a road ("riksvägen 40"), a
# place ("parkeringsplatsen 2") or a time ("Stortorget 14.30").
_STREET = re.compile(
    r"(?<![\w-])(?P<name>[^\W\d_][\w-]*?)(?i:gatan|gata|vägen|gränd|gränden|torget|backen|stigen|allén|allé"
    r"|esplanaden|promenaden|kajen|stråket|street|road|avenue)[ \t]+\d{1,4}[a-zA-Z]?(?![\w.,:]?\d)(?!\w)"
    r"(?:[ \t]*,?[ \t]*(?i:lgh|lägenhet)\.?[ \t]*\d{1,4}(?!\w))?"
    r"|(?<![\w-])(?i:lgh\.?|lägenhetsnummer|lägenhetsnr)[ \t]*\d{4}(?!\w)"
)
_ROAD = ("riks", "läns", "motor", "europa", "genom", "infarts", "gång", "cykel", "bil")
_POSTCODE = re.compile(
    r"(?:(?<=,)|(?<=^)|(?<=, )|(?<=\] ))(?:SE-?)?\d{3}[ \t]?\d{2}[ \t]+(?-i:[A-ZÅÄÖ])[a-zåäöA-ZÅÄÖ]+"
)
# E-mail addresses broken or written out, which _EMAIL does not read: an @ without a domain's
# ending or with a comma for its dot ("anna@firma", "anna.svensson@gmail,com", "anna @ firma . se"),
# or the @ spelled out ("anna [at] firma [dot] se", "anna snabel-a firma punkt se"), or "at" with
# the dots spelled out too ("anna punkt svensson at gmail punkt com": "at" and a site, "I bought it
# at Elgiganten. It broke", "Can I book at bokadirekt.se?", is English); at most four parts a side,
# so that a long run of dotted words is read in linear time.
_TLD = r"(?:se|com|nu|net|org|eu|io|info|biz|dk|no|fi|de|uk|co|fr|es|it|nl|me|app|dev|online|shop|at)"
_AT_SIGN_EMAIL = re.compile(
    rf"(?<![\w.+'-])[\w.+'-]+[ \t]?[@\uff20][ \t]?[\w-]+(?:[.\uff0e][\w-]+)*(?:[ \t]?[.,][ \t]?{_TLD}\b)?",
    re.IGNORECASE,
)
_WORD_DOT = r"(?:[ \t]?[(\[](?:dot|punkt)[)\]][ \t]?|[ \t]+(?:dot|punkt)[ \t]+)"
_ANY_DOT = rf"(?:\.|[ \t]\.[ \t]|{_WORD_DOT})"
_BRACKET_AT = r"(?:[ \t]?[(\[](?:at|snabel-?a|@)[)\]][ \t]?|[ \t]+snabel[- ]?a[ \t]+)"
_SPELLED_EMAIL = re.compile(
    rf"(?<![\w'.-])[\w'-]+(?:{_ANY_DOT}[\w'-]+){{0,3}}{_BRACKET_AT}[\w-]+(?:{_ANY_DOT}[\w-]+){{0,3}}?{_ANY_DOT}{_TLD}\b"
    rf"|(?<![\w'.-])[\w'-]+(?:{_ANY_DOT}[\w'-]+){{0,3}}[ \t]+at[ \t]+[\w-]+(?:{_WORD_DOT}[\w-]+){{0,3}}?{_WORD_DOT}{_TLD}\b",
    re.IGNORECASE,
)

# Numbers that are not personal: dates, times and ranges of them, years, IP addresses.
_HOUR, _MINUTE = r"(?:[01]\d|2[0-3])", r"[0-5]\d"
_YEAR = r"(?:19|20)\d\d"
_DAY_MONTH = rf"(?:0?[1-9]|[12]\d|3[01])[./{_DASH}](?:0?[1-9]|1[0-2])"
_NOT_PERSONAL = re.compile(
    rf"{_YEAR}(?:\s?[{_DASH}/]\s?{_YEAR})+"  # 2019-2020
    rf"|{_HOUR}[.:]?{_MINUTE}(?:\s?[{_DASH}]\s?{_HOUR}[.:]?{_MINUTE})?"  # 08.00 - 17.00, 0800-1700
    rf"|{_DAY_MONTH}[./{_DASH}](?:{_YEAR}|\d\d)"  # 01.02.2024, 1/2-24
    rf"|{_YEAR}[{_DASH}./](?:0[1-9]|1[0-2])[{_DASH}./](?:0[1-9]|[12]\d|3[01])(?:[ \tT]{_HOUR}[ :.]?{_MINUTE})*"  # 2024-05-01 08 00
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
    if sep is not None and not re.search(f"[{_DASH}+]", sep) and not luhn_ok(digits[-10:]):
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
    if _NOT_PERSONAL.fullmatch(text):
        return text
    if len(digits) in (10, 12) and _SPLIT_PERSONNUMMER.fullmatch(digits) and luhn_ok(digits[-10:]):
        return PERSONNUMMER  # its date split ("85-07-15-1234") or typed a digit at a time
    if len(digits) >= ONE_AT_A_TIME_MIN_DIGITS and _ONE_AT_A_TIME.fullmatch(text):
        return PHONE if digits.startswith("0") else ACCOUNT  # "0 7 0 1 2 3 4 5 6 7"
    if len(digits) < ACCOUNT_MIN_DIGITS:
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


def _named_phone(match: re.Match[str]) -> str:
    if _NOT_PERSONAL.fullmatch(match.group("number")):
        return match.group(0)  # "ring 08.00-17.00"
    return _after_word(PHONE)(match)


def _secret(match: re.Match[str]) -> str:
    secret = match.group("secret")
    code = not re.fullmatch(_PASSWORD_WORD, match.group("word"), re.IGNORECASE)
    looks_secret = (
        (any(c.isalpha() for c in secret) and any(c.isdigit() for c in secret))
        or (len(secret) >= 4 and any(c in _SECRET_SIGNS for c in secret))
        or (secret.isdigit() and len(secret) >= (3 if code else 4))
    )
    if not looks_secret or _UNIT_NEXT.match(match.string, match.end()):  # "Lösen 5000 kr"
        return match.group(0)
    return match.group(0)[: match.start("secret") - match.start(0)] + SECRET


def _street(match: re.Match[str]) -> str:
    name = (match.group("name") or "").casefold()
    return match.group(0) if name.startswith(_ROAD) else ADDRESS


def mask_pii(text: str) -> str:
    """`text` with e-mail addresses, personnummer, phone, card and bank numbers replaced by placeholders.

    >>> mask_pii("Jag heter Anna, 850715-1234, ring 070-123 45 67 eller anna@firma.se")
    'Jag heter Anna, [personnummer], ring [telefon] eller [e-post]'
    """
    text = _INVISIBLE.sub("", text)
    if not text.isascii():  # full-width and other scripts' digits read as the patterns' 0-9
        text = _OTHER_DIGIT.sub(lambda m: str(unicodedata.digit(m.group(0))), text)
    text = _GLUED_LABEL.sub(r"\1\2 ", text)
    text = _GLUED_NUMBER.sub(r"\1 ", text)
    text = _GLUED_PHONE.sub(r"\1 ", text)
    text = _EMAIL.sub(EMAIL, text)
    text = _AT_SIGN_EMAIL.sub(EMAIL, text)
    text = _SPELLED_EMAIL.sub(EMAIL, text)
    text = _SECRET.sub(_secret, text)
    text = _STREET.sub(_street, text)
    text = _POSTCODE.sub(ADDRESS, text)
    text = _IBAN.sub(ACCOUNT, text)
    text = _NAMED_BANK_ACCOUNT.sub(_after_word(ACCOUNT), text)
    text = _PLUSGIRO.sub(_after_word(PLUSGIRO), text)
    text = _NAMED_BANKGIRO.sub(_after_word(BANKGIRO), text)
    text = _NAMED_ACCOUNT.sub(_after_word(ACCOUNT), text)
    text = _NAMED_PERSONNUMMER.sub(_after_word(PERSONNUMMER), text)
    text = _PERSONNUMMER.sub(_personnummer, text)
    text = _NAMED_PHONE.sub(_named_phone, text)
    text = _PHONE.sub(_unless_not_personal(PHONE), text)
    text = _DIGIT_RUN.sub(_account, text)
    text = _BANKGIRO.sub(_bankgiro, text)
    return text


# A run of five digits or more ("kundnr 482131", "OCR 1234567890") or an organisation number's
# shape (556677-8899); not thousands grouped for reading ("12 000", "100 000 km") nor a price.
_IDENTIFYING = re.compile(rf"(?<!\d)(?:\d{{5,}}|\d{{6}}[{_DASH}]\d{{4}})(?!\d)")


def holds_identifying_number(text: str) -> bool:
    """Whether `text` has a number that identifies someone's case, though masking leaves it readable
    for staff: a customer, order, invoice or OCR number (five digits or more in one run), or an
    organisation number; not a price or size ("12000 kr", "10000 GB"). Such a question has no
    place in a phrasing added to the FAQ."""
    return any(not _UNIT_NEXT.match(text, match.end()) for match in _IDENTIFYING.finditer(text))


def masked_traceback(err: BaseException) -> str:
    """`err`'s traceback for the server's log, masked: an exception's message may quote the
    customer's question (a ranking error, say), and the server log is kept like any log."""
    return mask_pii("".join(traceback.format_exception(err)))
