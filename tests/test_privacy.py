"""Personal data is masked before a question is stored (and before the server's log holds it);
ordinary numbers are left readable."""

from __future__ import annotations

import logging
import re

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from faqbot import FaqBot, build_index, load_faq
from faqbot.conversations.privacy import (
    ACCOUNT,
    ADDRESS,
    BANKGIRO,
    CARD,
    EMAIL,
    PERSONNUMMER,
    PHONE,
    PLUSGIRO,
    SECRET,
    holds_identifying_number,
    luhn_ok,
    mask_pii,
)
from tests.fakes import small_bank

MASKED = [
    # e-mail addresses
    ("Min mejl är anna.svensson@foretag.se, svara dit", f"Min mejl är {EMAIL}, svara dit"),
    ("Skicka fakturan till Ekonomi+Faktura@sub.bolaget.com tack", f"Skicka fakturan till {EMAIL} tack"),
    ("nå mig på per.åkesson@exempel.nu.", f"nå mig på {EMAIL}."),
    ("mejla lisa(at)firma.se", f"mejla {EMAIL}"),
    # personnummer: with and without century, with and without '-' or '+'
    ("Mitt personnummer är 850715-1234", f"Mitt personnummer är {PERSONNUMMER}"),
    ("pnr 19850715-1234, kan ni kolla?", f"pnr {PERSONNUMMER}, kan ni kolla?"),
    ("personnummer 198507151234", f"personnummer {PERSONNUMMER}"),
    ("8507151234 står på avtalet", f"{PERSONNUMMER} står på avtalet"),
    ("min farfar 121212+1212 har en sida hos er", f"min farfar {PERSONNUMMER} har en sida hos er"),
    ("Avtalet står på 20010203-4567.", f"Avtalet står på {PERSONNUMMER}."),
    ("samordningsnummer 850775-1234", f"samordningsnummer {PERSONNUMMER}"),
    ("pnr:850715-1234", f"pnr:{PERSONNUMMER}"),
    # phone numbers, Swedish and international
    ("Ring mig på 070-123 45 67 efter lunch", f"Ring mig på {PHONE} efter lunch"),
    ("mobil 0701234567", f"mobil {PHONE}"),
    ("070 123 45 67", PHONE),
    ("hemma 08.12.34.56, inte en ip-adress", f"hemma {PHONE}, inte en ip-adress"),
    ("Vårt växelnummer är 08-123 456 78", f"Vårt växelnummer är {PHONE}"),
    ("ring (08) 123 45 67 eller 031-12 34 56", f"ring {PHONE} eller {PHONE}"),
    ("kundtjänst 0771-123 456", f"kundtjänst {PHONE}"),
    ("nås på +46 70 123 45 67", f"nås på {PHONE}"),
    ("+46701234567", PHONE),
    ("+46 (0)70-123 45 67", PHONE),
    ("0046 8 123 456 78", PHONE),
    ("tel:0701234567", f"tel:{PHONE}"),
    ("my number is +44 20 7946 0958", f"my number is {PHONE}"),
    # card-like digit runs
    ("Kortet 4111 1111 1111 1111 drogs två gånger", f"Kortet {CARD} drogs två gånger"),
    ("kort 5355-3456-7890-1234", f"kort {CARD}"),
    ("4111111111111111", CARD),
    # several at once
    (
        "Hej, jag heter Anna (850715-1234), ring 070-123 45 67 eller mejla anna@firma.se",
        f"Hej, jag heter Anna ({PERSONNUMMER}), ring {PHONE} eller mejla {EMAIL}",
    ),
]

KEPT = [
    "Tar ni backup var 24:e timme?",
    "Hur snabbt svarar ni, inom 30 minuter?",
    "Är ni öppna kl 08:00-17:00?",
    "kl. 08.00–17.00 på vardagar",
    "Sajten låg nere 2024-05-01 08 00",
    "Fakturan från 2024-05-01 är fel",
    "Det kostar 1 500 kr i månaden",
    "Vi betalar 12 000 kronor per år",
    "Kör ni PHP 8.2 och WordPress 6.4.3?",
    "Faktura 123456 stämmer inte",
    "ordernummer 20240501",
    "Vår server har ip 192.168.1.1",
    "Jag har 2 sajter hos er",
    "3 månaders uppsägningstid?",
    "Vårt organisationsnummer är 556677-8899",
    "ärendenummer #12345",
    "99 kr/mån för 0,5 GB",
    "Vad är 17 gånger 23?",
    "Vi har haft hemsidan sedan år 2015",
]


@pytest.mark.parametrize("text, expected", MASKED, ids=[t for t, _ in MASKED])
def test_personal_data_is_replaced_by_a_placeholder(text, expected):
    assert mask_pii(text) == expected


@pytest.mark.parametrize("text", KEPT)
def test_times_dates_prices_and_versions_are_not_masked(text):
    assert mask_pii(text) == text


def test_a_number_that_identifies_someone_is_told_from_prices_dates_and_times():
    """Masking leaves customer and order numbers readable for staff; `faqbot learn` keeps such a
    question out of the FAQ (`holds_identifying_number`), but not one with a price or a time."""
    for text in ("Mitt kundnummer är 48213", "OCR 1234567890", "fakturanummer 123456", "org.nr 556677-8899"):
        assert holds_identifying_number(text), text
    for text in ("Kostar det 12 000 kr per år?", "Har ni öppet 08.00-17.00?", "Vad gällde 2019-2020?", "10000 GB?"):
        assert not holds_identifying_number(text), text


def test_masking_twice_changes_nothing_more():
    once = mask_pii(MASKED[-1][0])
    assert mask_pii(once) == once


def test_ten_digits_with_a_space_are_a_personnummer_only_with_a_valid_check_digit():
    assert luhn_ok("8507151234")
    assert mask_pii("850715 1234") == PERSONNUMMER
    assert not luhn_ok("2405011530")
    assert mask_pii("kl 240501 1530") == "kl 240501 1530"


def test_a_mobile_number_without_separators_is_masked_as_a_phone_number():
    assert mask_pii("0701234567") == PHONE


# -- issue 15, item 9: forms that were stored raw --------------------------------------------

ISSUE_15_FORMS = [
    # IBAN, compact and spaced
    ("Betala till SE4550000000058398257466 tack", f"Betala till {ACCOUNT} tack"),
    ("IBAN: SE45 5000 0000 0583 9825 7466", f"IBAN: {ACCOUNT}"),
    ("iban se45 5000 0000 0583 9825 7466.", f"iban {ACCOUNT}."),
    ("DE89 3704 0044 0532 0130 00 är mitt tyska konto", f"{ACCOUNT} är mitt tyska konto"),
    # phones with dots, slashes and spaced dashes
    ("ring 070.123.45.67", f"ring {PHONE}"),
    ("nummer 070/765 43 21 efter fem", f"nummer {PHONE} efter fem"),
    ("mobil 070 - 123 45 67", f"mobil {PHONE}"),
    ("växel 08.123.456.78", f"växel {PHONE}"),
    # personnummer with spaces around the dash, or an invisible character before it
    ("pnr 19850412 - 1234", f"pnr {PERSONNUMMER}"),
    ("pnr 850412 - 1234", f"pnr {PERSONNUMMER}"),
    ("pnr 19850412\u00ad-1234", f"pnr {PERSONNUMMER}"),
    ("pnr 19850412\u200b-1234", f"pnr {PERSONNUMMER}"),
    ("pnr 850412\u200b\u00ad-1234 tack", f"pnr {PERSONNUMMER} tack"),
    # bankgiro and plusgiro
    ("bankgiro 123-4567", f"bankgiro {BANKGIRO}"),
    ("Vårt bg är 1234-5678.", f"Vårt bg är {BANKGIRO}."),
    ("betala till 5050-1055", f"betala till {BANKGIRO}"),
    ("plusgiro 12 34 56-7", f"plusgiro {PLUSGIRO}"),
    ("pg: 4785604-2", f"pg: {PLUSGIRO}"),
    ("PlusGiro nr 90 20 01-9", f"PlusGiro nr {PLUSGIRO}"),
    # bank accounts: clearing number and account number
    ("konto 8327-9 123 456 789-0", f"konto {ACCOUNT}"),
    ("Sätt in på 6789 123 456 789", f"Sätt in på {ACCOUNT}"),
    ("clearing 5001, konto 12 345 67", f"clearing 5001, konto {ACCOUNT}"),
    ("kontonummer 3300.850412.1234", f"kontonummer {ACCOUNT}"),
]


# A red team's forms (thirty-seventh session), each stored raw, then proposed and written into
# the FAQ as a learned phrasing: a word processor's or pasted text's dashes, an input method's
# full-width digits and @, an underscore, the date split, digits typed one at a time.
RED_TEAM_FORMS = [
    ("kund 850715\u22121234, hur gör jag?", f"kund {PERSONNUMMER}, hur gör jag?"),
    ("pnr 850715\u20101234", f"pnr {PERSONNUMMER}"),
    ("pnr 850715\u20111234", f"pnr {PERSONNUMMER}"),
    ("pnr 850715\u20141234", f"pnr {PERSONNUMMER}"),
    ("pnr 19850715 \u2212 1234", f"pnr {PERSONNUMMER}"),
    ("pnr \uff18\uff15\uff10\uff17\uff11\uff15\uff0d\uff11\uff12\uff13\uff14", f"pnr {PERSONNUMMER}"),
    ("pnr 850715_1234", f"pnr {PERSONNUMMER}"),
    ("pnr 85-07-15-1234", f"pnr {PERSONNUMMER}"),
    ("pnr 8 5 0 7 1 5 - 1 2 3 4", f"pnr {PERSONNUMMER}"),
    ("ring 0 7 0 1 2 3 4 5 6 7", f"ring {PHONE}"),
    ("ring 070\u2011123 45 67", f"ring {PHONE}"),
    ("tel \uff10\uff17\uff10\uff0d\uff11\uff12\uff13 \uff14\uff15 \uff16\uff17", f"tel {PHONE}"),
    ("mejla anna\uff20firma.se", f"mejla {EMAIL}"),
    ("kort 4111\u20111111\u20111111\u20111111", f"kort {CARD}"),
    ("bankgiro 5050\u22121055", f"bankgiro {BANKGIRO}"),
]


# The thirty-ninth session's red team: forms stored raw and then proposed as phrasings (and
# written into faq.yaml by `--accept all`): a number after the word that names it, whatever its
# check digit or grouping, a label typed against its number, a password, an account after a
# bank's name, an e-mail address written out or broken, a street address.
NAMED_FORMS = [
    ("Personnummer 850101 1234. Hur gör jag?", f"Personnummer {PERSONNUMMER}. Hur gör jag?"),
    ("personnummer 850101-12 34, hur säger jag upp", f"personnummer {PERSONNUMMER}, hur säger jag upp"),
    ("samordningsnummer 850161 1234", f"samordningsnummer {PERSONNUMMER}"),
    ("avsluta kontot? pnr.850101-1234", f"avsluta kontot? pnr. {PERSONNUMMER}"),
    ("pnr850101-1234 – vill avsluta", f"pnr {PERSONNUMMER} – vill avsluta"),
    ("ring mig på tel.070-123 45 67", f"ring mig på tel. {PHONE}"),
    ("sajten är nere, tel070-1234567", f"sajten är nere, tel {PHONE}"),
    ("Mitt nummer är 70 123 45 67", f"Mitt nummer är {PHONE}"),
    ("Mitt lösenord är hemligt123, hur gör jag?", f"Mitt lösenord är {SECRET}, hur gör jag?"),
    ("Lösenordet Sommar2024! funkar inte", f"Lösenordet {SECRET} funkar inte"),
    ("lösenordet är 4821.", f"lösenordet är {SECRET}."),
    ("Mitt lösenord till kontot är Sommar2024, kan ni kolla?", f"Mitt lösenord till kontot är {SECRET}, kan ni kolla?"),
    ("Koden är 4821, varför kommer jag inte in?", f"Koden är {SECRET}, varför kommer jag inte in?"),
    ("Portkod 1234, lägg paketet utanför", f"Portkod {SECRET}, lägg paketet utanför"),
    ("Mitt lösen e hemligt123", f"Mitt lösen e {SECRET}"),
    ("Lösenordet är: Hemligt1, varför?", f"Lösenordet är: {SECRET}, varför?"),
    ("password: hunter2", f"password: {SECRET}"),
    ("Kortet går ut 12/27 och cvc är 123", f"Kortet går ut 12/27 och cvc är {SECRET}"),
    ("Swedbank 8105-9, 934 567 890-1 – dra det där", f"Swedbank {ACCOUNT} – dra det där"),
    ("Min mejl är anna punkt svensson at gmail punkt com", f"Min mejl är {EMAIL}"),
    ("anna [at] firma [dot] se", EMAIL),
    ("skriv till anna at gmail dot com", f"skriv till {EMAIL}"),
    ("annasvensson snabel a gmail punkt com", EMAIL),
    ("mejla anna.svensson(@)gmail.com", f"mejla {EMAIL}"),
    # a number after a word and a comma, slash or dash, or glued to it (round two of the red team)
    ("Anna Svensson,850715-1234,kan ni kolla?", f"Anna Svensson, {PERSONNUMMER},kan ni kolla?"),
    ("Anna Svensson/850715-1234 har jag en tid?", f"Anna Svensson/ {PERSONNUMMER} har jag en tid?"),
    ("född850715-1234, har jag tid?", f"född {PERSONNUMMER}, har jag tid?"),
    ("Ring 0701234567,0731234567", f"Ring {PHONE}, {PHONE}"),
    ("Anna Svensson,0701234567,kan ni ringa?", f"Anna Svensson, {PHONE},kan ni ringa?"),
    ("Tel.nr.070-123 45 67, ring mig", f"Tel.nr. {PHONE}, ring mig"),
    ("anna.svensson(at)gmail(dot)com", EMAIL),
    ("anna snabel-a firma punkt se", EMAIL),
    ("Skriv till anna@firma om det", f"Skriv till {EMAIL} om det"),
    ("anna @ firma . se", EMAIL),
    ("anna.svensson@gmail,com, hur gör jag", f"{EMAIL}, hur gör jag"),
    ("Jag bor på Storgatan 12, 123 45 Stockholm.", f"Jag bor på {ADDRESS}, {ADDRESS}."),
    ("Fakturan till storgatan 12B lgh 1102, 12345 Stockholm?", f"Fakturan till {ADDRESS}, {ADDRESS}?"),
]


UNUSUAL_FORMS = ISSUE_15_FORMS + RED_TEAM_FORMS + NAMED_FORMS


@pytest.mark.parametrize("text, expected", UNUSUAL_FORMS, ids=[t for t, _ in UNUSUAL_FORMS])
def test_bank_numbers_and_unusual_phone_and_personnummer_forms_are_masked(text, expected):
    assert mask_pii(text) == expected


KEPT_TOO = [
    "Vi har varit kunder 2019-2020",
    "Supporten har öppet 0800-1700",
    "Det kostar 1500-2000 kr",
    "Mötet var 01.02.2024 kl 10.00",
    "Servern 192.168.100.200 svarar inte",
    "Sajten låg nere 2024-05-01 08 00 till 09 30",
    "WordPress 6.4.3 och PHP 8.2.10",
    "Priset är 1 500 kr eller 12 000 kr per år",
    "Fakturan 2024/123 från 2024-05-01",
    "ordernummer 20240501 och ärende 4455",
    "kl. 08.00 - 17.00 på vardagar",
    "Vi har öppet 8\u201317 och var kunder 2019\u20132020",  # en dashes, as a word processor writes them
    "Sajten låg nere 2024\u201105\u201101 08 00 till 09 30",
    "kl. 08.00 \u2212 17.00 på vardagar",
    "Det kostar 1 500\u20132 000 kr",
    # near the words and forms above, but nobody's data
    "Ni kan ringa 08.00-17.00",
    "ring 08.00-17.00 på vardagar",
    "nummer 1 000 000 kr",
    "Lösenordet är fel, vad gör jag?",
    "Jag har glömt lösenordet till ftp",
    "What is the password for ftp?",
    "My password is not working",
    "Vad är pinkoden till larmet?",
    "Can you take a look at winterkvist.se?",
    "Ligger ni på Storgatan?",
    "När blir vägarbetet på riksväg 56 klart?",  # a road, not an address (kollektivtrafik's test set)
    "Vi har 2 sajter och 3 användare",
    # round two of the red team: English "at", ordinary words after a password's or code's word,
    # places and roads with numbers, an article's number, amounts after a bank's name
    "I bought a phone at Elgiganten. It broke after a week, can I return it?",
    "I'm at home. No internet since yesterday, what do I do?",
    "Can I book at bokadirekt.se?",
    "We have our domain at one.com, can you move it?",
    "My password doesn't work, what do I do?",
    "My password is still not working",
    "Is the password case-sensitive?",
    "Glömt lösenord - vad gör jag?",
    "Jag har skrivit fel PIN 3 gånger, kortet är spärrat. Vad gör jag?",
    "Minsta längd på lösenord är 8 tecken?",
    "Pinkod 4 eller 6 siffror?",
    "Mitt lösenord är hemligt, eller hur?",
    "Vad är säkerhetskoden (CVC)?",
    "PIN & PUK, var hittar jag dem?",
    "Lösen 500 kr för hämtning?",
    "Vad är koden till wifi?",
    "Får man parkera på parkeringsplatsen 2 timmar?",
    "Kan jag byta sittplatsen 12 på tåget?",
    "Är riksvägen 40 avstängd?",
    "Hur lång är Kungsleden 400 km?",
    "Möts vi på Stortorget 14.30?",
    "Söker lägenhet 2025, har ni några?",
    "Kostar det 12000 Kronor?",
    "Har ni artikel nummer 4021234 i lager?",
    "Kan jag flytta lånet från Swedbank 2 500 000 kr?",
]


@pytest.mark.parametrize("text", KEPT_TOO)
def test_years_times_dates_prices_and_order_numbers_stay_readable(text):
    assert mask_pii(text) == text


# -- property tests: generated numbers with random separators ---------------------------------

SEPARATORS = st.sampled_from([" ", ".", "-", "/", " - ", "\u00ad", "\u200b", "", " / "])


def luhn_digit(digits: str) -> str:
    """The check digit that makes `digits` followed by it Luhn-valid."""
    return next(d for d in "0123456789" if luhn_ok(digits + d))


@st.composite
def grouped(draw, digits: str, min_group: int = 1, max_group: int = 4) -> str:
    """`digits` split into groups of random size, joined by random separators."""
    parts, rest = [], digits
    while rest:
        size = draw(st.integers(min_group, max_group))
        parts.append(rest[:size])
        rest = rest[size:]
    text = parts[0]
    for part in parts[1:]:
        text += draw(SEPARATORS) + part
    return text


def digit_string(count: int):
    return st.text("0123456789", min_size=count, max_size=count)


# Area code (without the 0) -> how many digits the subscriber number has.
AREAS = {"70": (7, 7), "73": (7, 7), "76": (7, 7), "8": (6, 8), "31": (5, 7), "90": (5, 7), "771": (6, 6)}


@st.composite
def phone_numbers(draw) -> str:
    area = draw(st.sampled_from(sorted(AREAS)))
    subscriber = draw(digit_string(draw(st.integers(*AREAS[area]))))
    prefix = draw(st.sampled_from(["0", "+46 ", "+46", "0046 "]))
    return prefix + area + draw(SEPARATORS) + draw(grouped(subscriber, 2, 3))


@st.composite
def personnummer(draw) -> str:
    year = draw(st.integers(1930, 2020))
    month = draw(st.integers(1, 12))
    day = draw(st.integers(1, 28)) + draw(st.sampled_from([0, 60]))  # 60+: samordningsnummer
    serial = draw(digit_string(3))
    ten = f"{year % 100:02d}{month:02d}{day:02d}{serial}"
    ten += luhn_digit(ten)
    date = (str(year // 100) if draw(st.booleans()) else "") + ten[:6]
    before = draw(st.sampled_from(["", " ", "\u00ad", "\u200b", "\u200b\u00ad"]))
    dash = draw(st.sampled_from(["-", "+", "–", " - ", " ", ".", "/", "", "\u2011", "\u2212", "—", "_"]))
    return date + before + dash + ten[6:]


@st.composite
def bank_numbers(draw) -> str:
    kind = draw(st.sampled_from(["iban", "bankgiro", "plusgiro", "account"]))
    if kind == "iban":
        digits = draw(digit_string(20))
        compact = "SE" + draw(digit_string(2)) + digits
        if draw(st.booleans()):
            return compact
        return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))
    if kind == "bankgiro":
        first = draw(digit_string(draw(st.integers(3, 4))))
        return draw(st.sampled_from(["bankgiro ", "bg ", "Bankgiro: "])) + first + "-" + draw(digit_string(4))
    if kind == "plusgiro":
        body = draw(digit_string(draw(st.integers(5, 7))))
        return (
            draw(st.sampled_from(["plusgiro ", "pg ", "PlusGiro nr "]))
            + draw(grouped(body, 1, 2))
            + "-"
            + draw(digit_string(1))
        )
    clearing = str(draw(st.integers(1100, 9969)))
    if clearing.startswith("8") and draw(st.booleans()):
        clearing += "-" + draw(digit_string(1))
    account = draw(digit_string(draw(st.integers(7, 10))))
    return clearing + draw(SEPARATORS) + draw(grouped(account, 2, 4))


def survivors(number: str, masked: str) -> bool:
    """Whether a run of 4 or more of the number's digits can still be read in `masked`."""
    digits = re.sub(r"\D", "", number)
    visible = re.sub(r"\D", "", masked)
    return any(digits[i : i + 4] in visible for i in range(len(digits) - 3))


SENTENCES = st.sampled_from(["Hej, mitt nummer är {} tack.", "{}", "Kan ni kolla {}?", "se ({}) och svara"])
# A Stockholm number written as "08.12-20.30" or "08.12.2024" is also a time range or a date, and
# those are left readable by design (the next test, docs/security.md "Not defended").
READS_AS_TIME_OR_DATE = re.compile(
    r"(?:[01]\d|2[0-3])[.:]?[0-5]\d\s?[-–]\s?(?:[01]\d|2[0-3])[.:]?[0-5]\d"
    r"|(?:0?[1-9]|[12]\d|3[01])[./-](?:0?[1-9]|1[0-2])[./-](?:(?:19|20)\d\d|\d\d)"
)


# The same examples on every run (derandomize): CI gives the same verdict for the same code, and
# a failure can be replayed. Exploring with fresh examples: pytest --hypothesis-seed=N after
# removing derandomize, as done before a change to the masking.
@settings(max_examples=400, deadline=None, derandomize=True)
@given(number=st.one_of(phone_numbers(), personnummer(), bank_numbers()), sentence=SENTENCES)
def test_generated_personal_numbers_with_random_separators_never_survive_masking(number, sentence):
    assume(not READS_AS_TIME_OR_DATE.fullmatch(re.sub("[\u00ad\u200b]", "", number)))  # as masking reads it
    masked = mask_pii(sentence.format(number))
    assert not survivors(number, masked), masked


@st.composite
def ordinary_numbers(draw) -> str:
    kind = draw(st.sampled_from(["date", "time", "price", "year", "years", "order", "version", "count", "ip"]))
    if kind == "date":
        year, month, day = draw(st.integers(2000, 2030)), draw(st.integers(1, 12)), draw(st.integers(1, 28))
        return draw(
            st.sampled_from([f"{year}-{month:02d}-{day:02d}", f"{day}/{month} {year}", f"{day:02d}.{month:02d}.{year}"])
        )
    if kind == "time":
        start, stop = draw(st.integers(6, 11)), draw(st.integers(12, 22))
        return draw(
            st.sampled_from([f"kl {start:02d}:00-{stop}:00", f"{start:02d}.30–{stop}.00", f"{start:02d}00-{stop}00"])
        )
    if kind == "price":
        amount = draw(st.integers(1, 99_999))
        return f"{amount:,}".replace(",", " ") + draw(st.sampled_from([" kr", " kronor", ":-", " SEK"]))
    if kind == "year":
        return str(draw(st.integers(1990, 2030)))
    if kind == "years":
        first = draw(st.integers(1990, 2029))
        return f"{first}-{first + draw(st.integers(1, 5))}"
    if kind == "order":
        return draw(st.sampled_from(["order ", "faktura ", "ärende #"])) + str(draw(st.integers(1, 99_999_999)))
    if kind == "version":
        return f"PHP {draw(st.integers(5, 8))}.{draw(st.integers(0, 4))}.{draw(st.integers(0, 30))}"
    if kind == "ip":
        return ".".join(str(draw(st.integers(1, 255))) for _ in range(4))
    return f"{draw(st.integers(1, 500))} {draw(st.sampled_from(['sidor', 'minuter', 'GB', 'användare']))}"


ORDINARY = st.sampled_from(
    ["Sajten låg nere {} igen", "Vad gäller för {}?", "Fakturan ({}) stämmer inte", "{} och sedan inget"]
)


@settings(max_examples=400, deadline=None, derandomize=True)  # as above
@given(number=ordinary_numbers(), sentence=ORDINARY)
def test_generated_ordinary_swedish_text_with_numbers_is_not_masked(number, sentence):
    text = sentence.format(number)
    assert mask_pii(text) == text


def test_a_ranking_error_logs_the_question_masked_never_raw(small, fake_embedder, monkeypatch, caplog):
    """Issue 15, item 8: the server's log is kept like the conversation log, so it never holds
    the digits or address a customer typed, not even in the error's own message."""
    build_index(load_faq(small / "faq.yaml"), fake_embedder, small / "index", offtopic=small_bank(small))
    bot = FaqBot(small / "faq.yaml", small / "index", small / "config.yaml")

    def broken(question: str, *options: object):  # rankings(question, topic) in the chat
        raise RuntimeError(f"could not rank {question!r}")

    monkeypatch.setattr(bot.searcher, "rankings", broken)
    with caplog.at_level(logging.DEBUG):
        reply = bot.ask("Mitt personnummer är 850715-1234 och mejl anna@firma.se, varför fel?")
    assert reply.kind == "error" and "help@example.se" in reply.answer
    logged = caplog.text + "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert "850715" not in logged and "anna@firma.se" not in logged
    assert "[personnummer]" in logged and "[e-post]" in logged and "RuntimeError" in logged
