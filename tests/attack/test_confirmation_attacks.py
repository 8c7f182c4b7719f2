"""Outvoting customers' confirmations from one address (found by the red team, round four).

A phrasing is proposed for the entry customers confirmed for it, if one stands clear of the
others (faqbot.staff.learn._clear_winner). Confirmations were counted by reply: one address that
asked the question three times and said 👍 to another entry's answer each time (six requests, no
session needed) tied three real customers' picks and hid the phrasing from staff for as long as
the log kept its rows, `--reject` of the attacker's own suggestion or not; five picks put the
attacker's entry in its place. Now each client counts once for or against an entry.
"""

from __future__ import annotations

from types import SimpleNamespace

from faqbot.faq.model import Faq, FaqEntry
from faqbot.staff.learn import lesson

FAQ = Faq(
    "helpdesk@example.se",
    (
        FaqEntry("support", "Vad ingår i supporten?", "Hjälp med er sajt, vardagar 8-17."),
        FaqEntry("losningar", "Vilka lösningar erbjuder ni?", "Webbplatser, appar och e-handel."),
        FaqEntry("telefon", "Har ni telefonsupport?", "Ja, 08-123 45 67."),
    ),
)
QUESTION = "Kan ni hjälpa mig med appen?"


def picked(reply: str, faq_id: str, client: str | None, feedback: int | None = None) -> list[SimpleNamespace]:
    """`client` asked QUESTION, was offered choices, and picked `faq_id` (then rated it `feedback`)."""
    asked = SimpleNamespace(
        reply_id=f"q-{reply}",
        question=QUESTION,
        kind="choices",
        faq_id=None,
        feedback=None,
        answer_to=None,
        offered=("support", "losningar", "telefon"),
        client=client,
    )
    answer = SimpleNamespace(
        reply_id=f"a-{reply}",
        question=FAQ.by_id[faq_id].question,
        kind="answer",
        faq_id=faq_id,
        feedback=feedback,
        answer_to=f"q-{reply}",
        offered=(),
        client=client,
    )
    return [asked, answer]


def liked(reply: str, faq_id: str, client: str | None, feedback: int = 1) -> list[SimpleNamespace]:
    """`client` asked QUESTION, was answered with `faq_id` and rated it `feedback`."""
    return [
        SimpleNamespace(
            reply_id=reply,
            question=QUESTION,
            kind="answer",
            faq_id=faq_id,
            feedback=feedback,
            answer_to=None,
            offered=(),
            client=client,
        )
    ]


CUSTOMERS = [row for n in range(3) for row in picked(f"c{n}", "support", f"network-{n}")]


def proposed(rows: list[SimpleNamespace]) -> list[tuple[str | None, str]]:
    return [(s.faq_id, s.question) for s in lesson(rows, FAQ, lambda _q, _c: [], set()).suggestions]


def test_one_address_confirming_another_entry_over_and_over_does_not_hide_what_customers_confirmed():
    assert proposed(CUSTOMERS) == [("support", QUESTION)]
    thumbs_up = [row for n in range(3) for row in liked(f"x{n}", "losningar", "network-attacker")]
    assert proposed(CUSTOMERS + thumbs_up) == [("support", QUESTION)]  # was: nothing proposed
    picks = [row for n in range(5) for row in picked(f"y{n}", "telefon", "network-attacker")]
    assert proposed(CUSTOMERS + picks) == [("support", QUESTION)]  # was: ("telefon", ...) in its place


def test_one_address_saying_thumbs_down_over_and_over_counts_as_one_customer_against():
    thumbs_down = [row for n in range(10) for row in liked(f"x{n}", "support", "network-attacker", -1)]
    assert proposed(CUSTOMERS + thumbs_down) == [("support", QUESTION)]
    others = [row for n in range(2) for row in liked(f"z{n}", "support", f"network-other-{n}", -1)]
    assert proposed(CUSTOMERS + thumbs_down + others) == []  # three for, three against: no clear winner


def test_confirmations_of_unknown_clients_still_count_one_each():
    """Rows without a client (`faqbot ask --log`, rows from before clients were logged) cannot be
    told apart: each counts, as before."""
    unknown = [row for n in range(4) for row in picked(f"u{n}", "telefon", None)]
    assert proposed(CUSTOMERS + unknown) == [("telefon", QUESTION)]
