"""Two phrasings under one suggestion id: staff accept the one they read, or nothing.

Found by an attack: ids were 36 bits of a hash of the phrasing, and customers choose the
phrasings. A search of a million spellings on each side (blank Hangul filler letters appended)
found two chosen phrasings with one id in about ten seconds; both asked and picked, "Godkänn" on
the one staff read wrote the other into another entry, and `learn --auto` accepted a phrasing one
client had confirmed because its twin had enough clients. Ids are now 64 bits (a collision costs
2^32 hashes a side instead of 2^18), and two open suggestions that still share an id are left
out of the review, of `--accept`, of `learn: auto` and of the test set's form: an id names one
phrasing or none. Decisions recorded under the old 10-character ids still hold.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from faqbot.bot import clean_question
from faqbot.errors import FaqbotError
from faqbot.staff import learn, signals, test_set
from faqbot.staff.learn import automatic, chosen, lesson, lost_acceptances
from faqbot.staff.signals import ALTERNATIVE, OLD_ID_DIGITS, suggestion_id
from tests.test_learn import FAQ, picked

READ = "Hur ofta sparar ni kopior av min sajt?"  # what staff read and mean to accept, for backup
TWIN = "Hur ringer jag er på natten?"  # the attacker's phrasing, for telefon, under the same id


def confirmed_by_clients(question: str, faq_id: str, clients: int, start: int) -> list:
    return [r for n in range(clients) for r in picked(start + n, question, faq_id, client=f"c{start + n}")]


@pytest.fixture
def colliding(monkeypatch):
    """suggestion_id as if READ and TWIN had been found to share one: the attack's outcome."""
    real = signals.suggestion_id

    def forged(action, faq_id, question):
        return "a0000000000000000" if question in (READ, TWIN) else real(action, faq_id, question)

    monkeypatch.setattr(learn, "suggestion_id", forged)
    return forged


def test_two_phrasings_sharing_an_id_are_neither_listed_nor_accepted_nor_auto_accepted(colliding):
    rows = confirmed_by_clients(READ, "backup", 3, 0) + confirmed_by_clients(TWIN, "telefon", 1, 10)
    found = lesson(rows, FAQ, lambda _questions, _clients: [], set())
    assert [s.question for s in found.suggestions] == []  # neither: staff cannot read which one an id writes
    with pytest.raises(FaqbotError, match="no open suggestion a0000000000000000"):
        chosen(found, ["a0000000000000000"])
    assert automatic(found, 3) == []  # READ had three clients; TWIN (one) no longer rides on its id
    with pytest.raises(FaqbotError, match="not a confirmed customer question"):
        test_set.chosen(list(found.suggestions), ["a0000000000000000"])


def test_without_a_shared_id_the_same_traffic_is_listed_and_auto_accepted():
    rows = confirmed_by_clients(READ, "backup", 3, 0) + confirmed_by_clients(TWIN, "telefon", 1, 10)
    found = lesson(rows, FAQ, lambda _questions, _clients: [], set())
    assert {s.question for s in found.suggestions} == {READ, TWIN}
    assert [s.question for s in automatic(found, 3)] == [READ]
    assert [s.question for s in chosen(found, [suggestion_id(ALTERNATIVE, "backup", READ)])] == [READ]


def test_ids_carry_64_bits_and_a_decision_under_an_old_short_id_still_holds():
    sid = suggestion_id(ALTERNATIVE, "backup", READ)
    assert len(sid) == 17 and sid[0] == "a" and int(sid[1:], 16) >= 0
    rows = confirmed_by_clients(READ, "backup", 1, 0)
    rejected_before = {sid[: 1 + OLD_ID_DIGITS]}  # what the log holds for a rejection made before ids grew
    assert lesson(rows, FAQ, lambda _questions, _clients: [], rejected_before).suggestions == []
    assert [s.question for s in lesson(rows, FAQ, lambda _q, _c: [], {"a123456789"}).suggestions] == [READ]


def test_a_restore_reopens_an_acceptance_recorded_under_an_old_short_id():
    earlier = replace(FAQ, entries=(replace(FAQ.entries[0], learned=(READ,)), *FAQ.entries[1:]))
    lost, _ = lost_acceptances(earlier, FAQ)
    sid = suggestion_id(ALTERNATIVE, "backup", READ)
    assert sid in lost and sid[: 1 + OLD_ID_DIGITS] in lost


@pytest.mark.parametrize("blank", ["\u3164", "\u115f", "\u1160", "\uffa0", "\u2800", "\u17b4"])
def test_letters_that_print_as_nothing_are_not_part_of_a_question(blank):
    """The attack's spellings: the same question with 1 to 1,000,000 blank Hangul fillers appended
    made a million ids of one text on the screen (and moved its ranking: "Vad kostar en ny bil?"
    padded so was answered with the billing entry). The chat reads them as spaces."""
    padded, _ = clean_question(f"Vad kostar en{blank} ny {blank}bil?{blank * 7}")
    assert padded == "Vad kostar en ny bil?"
    assert suggestion_id(ALTERNATIVE, "backup", padded) == suggestion_id(ALTERNATIVE, "backup", "Vad kostar en ny bil?")
