"""Personal data is masked before a question is stored; ordinary numbers are left readable."""

from __future__ import annotations

import pytest

from faqbot.conversations.privacy import CARD, EMAIL, PERSONNUMMER, PHONE, has_pii, luhn_ok, mask_pii

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
    assert has_pii(text)


@pytest.mark.parametrize("text", KEPT)
def test_times_dates_prices_and_versions_are_not_masked(text):
    assert mask_pii(text) == text
    assert not has_pii(text)


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
