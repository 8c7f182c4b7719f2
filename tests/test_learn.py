"""What the traffic teaches (faqbot.staff.learn): confirmed phrasings from picked choices and 👍,
never personal data, never a phrasing already in the FAQ, and a rejected one never again."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from faqbot.bot import new_reply_id
from faqbot.cli import print_lesson
from faqbot.conversations.clients import client_network, pseudonym
from faqbot.conversations.store import ConversationLog
from faqbot.errors import AssignRefusedError, FaqbotError, PersonalDataError
from faqbot.faq.model import Faq, FaqEntry
from faqbot.staff.learn import (
    ALTERNATIVE,
    AUTO_MAX_CHARS,
    additions,
    automatic,
    confirmed_phrasings,
    lesson,
    signals_from_rows,
)
from faqbot.staff.report import Group
from faqbot.staff.signals import phrasing
from faqbot.staff.teach import REJECTED, assignments, decided_ids

FAQ = Faq(
    "helpdesk@example.se",
    (
        FaqEntry("backup", "Hur ofta tar ni backup?", "Varje natt.", ("Säkerhetskopierar ni?",)),
        FaqEntry("telefon", "Kan jag ringa er?", "Ja, 08-123 45 67."),
    ),
)


def row(reply_id, question, kind="answer", faq_id=None, feedback=None, answer_to=None, offered=(), client=None):
    return SimpleNamespace(
        reply_id=reply_id,
        question=question,
        kind=kind,
        faq_id=faq_id,
        feedback=feedback,
        answer_to=answer_to,
        offered=offered,
        client=client,
    )


def picked(n, question, faq_id, client=None, feedback=None):
    """A customer (`client`: the pseudonym of who asked) asked `question`, was offered choices, and picked `faq_id`."""
    return [
        row(f"q{n}", question, kind="choices", offered=("backup", "telefon"), client=client),
        row(f"p{n}", "Hur ofta tar ni backup?", faq_id=faq_id, answer_to=f"q{n}", feedback=feedback),
    ]


def auto_accepted(rows, clients=3) -> list[str]:
    found = lesson(rows, FAQ, lambda _questions, _clients: [], set())
    return [s.question for s in automatic(found, clients)]


def test_learn_auto_takes_a_phrasing_only_when_enough_different_clients_confirmed_it():
    question = "Hur ofta sparar ni kopior av min sajt?"
    one_client = [r for n in range(10) for r in picked(n, question, "backup", client="c1")]
    assert auto_accepted(one_client) == []  # ten confirmations, one client
    two = one_client + picked(10, question, "backup", client="c2")
    assert auto_accepted(two) == []
    three = two + picked(11, question, "backup", client="c3")
    assert auto_accepted(three) == [question]
    assert auto_accepted(three, clients=4) == []
    unknown = [r for n in range(5) for r in picked(n, question, "backup")]  # rows without a client
    assert auto_accepted(unknown) == []


def test_learn_auto_never_takes_a_phrasing_with_a_thumbs_down_or_too_long_to_read():
    question = "Hur ofta sparar ni kopior av min sajt?"
    confirmed = [r for n, c in enumerate(("c1", "c2", "c3", "c4")) for r in picked(n, question, "backup", client=c)]
    disliked = confirmed + picked(9, question, "backup", client="c5", feedback=-1)
    assert auto_accepted(confirmed) == [question] and auto_accepted(disliked) == []
    assert [s.question for s in lesson(disliked, FAQ, lambda _q, _c: [], set()).suggestions] == [
        question
    ]  # staff still see it
    long = "Hur ofta sparar ni kopior av min sajt " + "och " * (AUTO_MAX_CHARS // 4) + "?"
    rows = [r for n, c in enumerate(("c1", "c2", "c3")) for r in picked(n, long, "backup", client=c)]
    assert auto_accepted(rows) == [] and lesson(rows, FAQ, lambda _q, _c: [], set()).suggestions


def test_a_client_is_its_network_and_its_pseudonym_names_no_address():
    key = "ab" * 32
    assert client_network("198.51.100.7") == "198.51.100.7"
    assert client_network("::ffff:198.51.100.7") == "198.51.100.7"
    assert client_network("2002:c633:6407:1::5") == "198.51.100.7"  # 6to4 carries its IPv4 client
    assert client_network("2001:0:4136:e378:8000:63bf:3fff:fdd2") == "192.0.2.45"  # so does Teredo
    assert client_network("2001:db8:1:2:3:4:5:6") == "2001:db8:1::/48"  # a tunnel gives anyone a /48
    assert [client_network(a) for a in (None, "", "unknown", "testclient", "999.1.1.1")] == [None] * 5
    same = {pseudonym(key, a) for a in ("2001:db8:1:2::1", "2001:db8:1:ffff::9")}
    assert len(same) == 1 and pseudonym(key, "2001:db8:2::1") not in same
    assert pseudonym(key, "198.51.100.7") != pseudonym("cd" * 32, "198.51.100.7")  # meaningless without the key
    assert re.fullmatch(r"[0-9a-f]{16}", pseudonym(key, "198.51.100.7") or "")
    assert pseudonym(None, "198.51.100.7") is None and pseudonym(key, "unknown") is None


def test_no_single_client_chooses_the_words_learn_auto_writes():
    question = "Hur ofta sparar ni kopior av min sajt?"
    customers = [r for n, c in enumerate(("c1", "c2", "c3")) for r in picked(n, question, "backup", client=c)]
    noisy = "hur ofta SPARAR ni kopior av min sajt <<>> !!! ### ~~~"  # the same words, normalised
    attacker = [r for n in range(10, 20) for r in picked(n, noisy, "backup", client="c9")]
    assert auto_accepted(customers + attacker) == [question]  # the spelling most clients typed
    each_their_own = [
        r
        for n, (c, spelled) in enumerate((("c1", question), ("c2", question.lower()), ("c3", question.upper())))
        for r in picked(n, spelled, "backup", client=c)
    ]
    assert auto_accepted(each_their_own) == []  # three clients, no spelling two of them typed: staff decide
    assert lesson(each_their_own, FAQ, lambda _q, _c: [], set()).suggestions


def test_a_picked_choice_proposes_the_customers_own_question_for_that_entry():
    rows = picked(1, "Hur ofta sparar ni kopior av min sajt?", "backup")
    [suggestion] = confirmed_phrasings(signals_from_rows(rows), FAQ)
    assert suggestion.action == ALTERNATIVE and suggestion.faq_id == "backup"
    assert suggestion.question == "Hur ofta sparar ni kopior av min sajt?"
    assert suggestion.evidence["picked"] == 1 and suggestion.evidence["replies"] == ["p1"]


def test_a_confirmed_question_is_learned_without_its_greeting_and_signature():
    """What is learned is what the bot ranked: no customer's name goes into the FAQ, and "Hej!
    ... Mvh Anna" confirms the same phrasing as the plain question of another customer."""
    rows = picked(1, "Hej! Hur ofta sparar ni kopior av min sajt? Tack på förhand! Mvh Anna Berg", "backup", "c1")
    rows += picked(2, "Hur ofta sparar ni kopior av min sajt?", "backup", "c2")
    [suggestion] = lesson(rows, FAQ, lambda _q, _c: [], set()).suggestions
    assert suggestion.question == "Hur ofta sparar ni kopior av min sajt?"
    assert suggestion.evidence["picked"] == 2 and "Anna" not in str(suggestion.to_dict())


def test_a_question_signed_with_a_phone_number_is_learned_without_the_signature():
    rows = picked(1, "Vad gör ni om sajten kraschar? Mvh Per [telefon]", "backup")
    [suggestion] = lesson(rows, FAQ, lambda _q, _c: [], set()).suggestions
    assert suggestion.question == "Vad gör ni om sajten kraschar?"


@pytest.mark.parametrize(
    "logged, learned",
    [
        ("Kan jag betala med Swish? Tack på förhand, Anna", "Kan jag betala med Swish?"),
        ("Det är Lena Karlsson. Kan jag byta tandläkare?", "Kan jag byta tandläkare?"),
        ("Can I park nearby? Thanks, John", "Can I park nearby?"),
        ("Min sida är nere. Vad gör jag?", "Min sida är nere. Vad gör jag?"),  # asks nothing without it
        ("My name is Olga. Can I park nearby?", "Can I park nearby?"),
        ("Det är min första gång. Hur bokar jag?", "Det är min första gång. Hur bokar jag?"),
        ("Vi har en webbshop", "Vi har en webbshop"),  # no question sentence: the message whole
        ("Jag heter Lena och undrar om ni har parkering?", "Undrar om ni har parkering?"),
        ("Hej, jag heter Lena Berg, har ni parkering?", "Har ni parkering?"),
        ("Det är Anna här, kan jag boka om?", "Kan jag boka om?"),
        ("My name is Olga and I wonder if you have parking?", "I wonder if you have parking?"),
        ("I'm Swedish, can I pay in SEK?", "I'm Swedish, can I pay in SEK?"),  # no name
        ("Det är dyrt, eller hur?", "Det är dyrt, eller hur?"),
        ("hej! hur säger jag upp avtalet", "hur säger jag upp avtalet?"),  # written as the bot reads it
        # begun with a capital, it keeps one where the greeting was cut (a walk-through's "jag undrar om ...")
        ("Hej, jag undrar om ni klipper stora hundar? Mvh Karin", "Jag undrar om ni klipper stora hundar?"),
        ("bettskena pris", "bettskena pris"),  # a keyword query is no question sentence
        # a full name after "I'm" or "Jag är", or before "här", or after "Namn:" (a red team's)
        ("Hi, I'm Anna Svensson, how do I cancel my contract?", "How do I cancel my contract?"),
        ("Jag är Anna Svensson och undrar om ni har telefonsupport?", "Undrar om ni har telefonsupport?"),
        ("Anna Svensson här. Hur säger jag upp?", "Hur säger jag upp?"),
        ("Namn: Anna Svensson. Hur säger jag upp?", "Hur säger jag upp?"),
        ("Jag är VD, kan ni hjälpa oss?", "Jag är VD, kan ni hjälpa oss?"),  # no name
        # asked with a "?" already, then a statement: no "?" after it (a walk-through's)
        ("Do you take puppies? Mine is 5 months old", "Do you take puppies? Mine is 5 months old"),
        ("hur lang ar kon? vill ha plats till hosten", "hur lang ar kon? vill ha plats till hosten"),
    ],
)
def test_a_learned_phrasing_is_the_question_alone(logged, learned):
    """Found by a walk-through: two customers' 👍 proposed "Kan jag betala med Swish? Tack på
    förhand, Anna" for the FAQ, name and all."""
    assert phrasing(logged) == learned


def test_a_phrasing_that_still_names_its_asker_is_never_proposed():
    """Where the name cannot be cut from the question, the phrasing stays out of the FAQ."""
    rows = picked(1, "Kan ni ringa mig, jag heter Lena Berg?", "telefon")
    assert lesson(rows, FAQ, lambda _q, _c: [], set()).suggestions == []
    rows = picked(2, "Jag heter Lena Berg och undrar om man kan nå er per telefon?", "telefon")
    [suggestion] = lesson(rows, FAQ, lambda _q, _c: [], set()).suggestions
    assert suggestion.question == "Undrar om man kan nå er per telefon?" and "Lena" not in str(suggestion.to_dict())


@pytest.mark.parametrize(
    "question",
    [
        "Det är Anna Svensson från Bageriet AB, vad kostar det?",  # the name not cut: more follows it
        "This is Anna Svensson from Bageriet, what happens at night?",
        "Mitt kundnummer är 48213. Hur säger jag upp avtalet?",  # numbers the log keeps readable
        "Vårt organisationsnummer är 556677-8899, kan vi bli kunder?",
        "Min server har IP 85.224.13.7, hur skyddar ni den?",
        "Fungerar inte https://winterkvist.se/reset?token=a8f3k2l9x0q?",
        "Kan ni mejla till anna@firma?",
        "Mitt lösenord är [lösenord], hur får jag tillgång via ftp?",
        "Kan ni skicka fakturan till [adress]?",
        # round two: a full name anywhere, a number glued to its label
        "Kan Anna Svensson på Bageriet AB få tillgång via ftp?",
        "Kan jag boka om min tid? Anna Svensson Björkslingan 7 Sollentuna",
        "My name's Anna Svensson, can I rebook?",
        "kundnr482131 funkar inte, vad gör jag?",
    ],
)
def test_a_phrasing_with_what_identifies_someone_is_never_proposed(question):
    """A red team's (thirty-ninth session): each was proposed, and `--accept all` wrote it into the FAQ."""
    rows = picked(1, question, "telefon") + picked(2, "Går det att nå er på telefon?", "telefon")
    assert [s.question for s in lesson(rows, FAQ, lambda _q, _c: [], set()).suggestions] == [
        "Går det att nå er på telefon?"
    ]


@pytest.mark.parametrize(
    "question",
    [
        "Funkar Apple Pay här?",
        "Det är Black Friday nu, har ni rea?",
        "Det är Mina Sidor som krånglar, vad gör jag?",
        "Vad ska jag skriva i Namn: fältet?",
        "Kostar det 12 000:-?",
        "Kostar det mellan 10 000 och 20 000 kr?",
        "Räcker 100 000 km innan service?",
        "Har ni öppet 8.30-16.30?",
        "Har ni stängt 23/12-6/1?",
        "Går tåg 527 16.05 idag?",
        "Jag är Premium Kund, har jag rabatt?",
    ],
)
def test_a_phrasing_with_names_of_things_prices_and_times_is_proposed(question):
    """A red team's second round: each was kept out of the FAQ as if it named someone."""
    rows = picked(1, question, "telefon")
    assert [s.question for s in lesson(rows, FAQ, lambda _q, _c: [], set()).suggestions] == [question]


def test_staff_may_assign_a_question_with_a_name_never_one_with_masked_data():
    """What staff read and assign themselves may hold a name ("Astrid Lindgren" in a library's
    customers' question); it is never proposed on its own, where `--accept all` writes it unread.
    A placeholder is refused either way. (The learning benchmark's `--assign` of a test set's
    "Ni borde ha den nya boken av Jonas Gardell" failed the whole command when it was refused.)"""
    named = "Har ni böcker av Astrid Lindgren?"
    log = SimpleNamespace(find={"h1": row("h1", named, "helpdesk"), "h2": row("h2", "Ring [telefon]", "helpdesk")}.get)
    [assigned] = assignments(log, [("h1", "telefon")], {"backup", "telefon"})
    assert assigned.question == named
    with pytest.raises(PersonalDataError):
        assignments(log, [("h2", "telefon")], {"backup", "telefon"})
    assert lesson(picked(1, named, "telefon"), FAQ, lambda _q, _c: [], set()).suggestions == []


def test_an_assigned_helpdesk_question_is_written_without_its_greeting_and_signature():
    log = SimpleNamespace(
        find={"h1": row("h1", "Hej! Har ni parkering? Vänliga hälsningar, Per Svensson", "helpdesk")}.get
    )
    [assigned] = assignments(log, [("h1", "telefon")], {"backup", "telefon"})
    assert assigned.question == "Har ni parkering?" and assigned.faq_id == "telefon"


def test_a_thumbs_up_confirms_and_a_thumbs_down_outweighs_it():
    liked = [row("a1", "Kan man nå er per telefon?", faq_id="telefon", feedback=1)]
    assert [s.faq_id for s in confirmed_phrasings(signals_from_rows(liked), FAQ)] == ["telefon"]
    disputed = liked + [row("a2", "Kan man nå er per telefon?", faq_id="telefon", feedback=-1)]
    assert confirmed_phrasings(signals_from_rows(disputed), FAQ) == []


def test_masked_personal_data_and_phrasings_already_in_the_faq_are_never_proposed():
    rows = picked(1, "Ring mig på [telefon] om backupen", "backup") + picked(2, "säkerhetskopierar ni", "backup")
    assert confirmed_phrasings(signals_from_rows(rows), FAQ) == []


def test_a_phrasing_the_bot_already_answers_right_is_not_proposed():
    rows = [row("a1", "Kan man nå er per telefon?", faq_id="telefon", feedback=1)]
    found = confirmed_phrasings(signals_from_rows(rows), FAQ, answers_right=lambda q, faq_id: faq_id == "telefon")
    assert found == []


def test_a_phrasing_confirmed_for_two_entries_alike_is_not_proposed():
    rows = picked(1, "Vad gäller?", "backup") + picked(2, "Vad gäller?", "telefon")
    assert confirmed_phrasings(signals_from_rows(rows), FAQ) == []


def test_a_rejected_suggestion_is_never_proposed_again(tmp_path):
    rows = picked(1, "Hur ofta sparar ni kopior av min sajt?", "backup")
    with ConversationLog(tmp_path / "log.db") as log:
        [suggestion] = lesson(rows, FAQ, lambda _q, _c: [], log.decisions()).suggestions
        log.record_decision(suggestion.id, REJECTED, suggestion.faq_id, suggestion.question)
    with ConversationLog(tmp_path / "log.db") as log:  # remembered in the database, not in memory
        assert lesson(rows, FAQ, lambda _q, _c: [], log.decisions()).suggestions == []


def test_a_helpdesk_question_staff_assigned_is_not_proposed_again_as_a_group():
    rows = [row("h1", "Kan jag ställa in min tid på torsdag?", kind="helpdesk")]
    faq = Faq(
        FAQ.helpdesk,
        (
            *FAQ.entries,
            FaqEntry("avboka", "Hur avbokar jag?", "Ring oss.", learned=("Kan jag ställa in min tid på torsdag?",)),
        ),
    )
    grouped: list[list[str]] = []
    lesson(rows, faq, lambda questions, _clients: grouped.append(questions) or [], set())
    assert grouped == [[]]  # the assigned question is in the FAQ now: nothing left to group
    lesson(rows, FAQ, lambda questions, _clients: grouped.append(questions) or [], set())
    assert grouped[-1] == ["Kan jag ställa in min tid på torsdag?"]


def test_a_reply_id_can_always_be_typed_after_an_option():
    """`faqbot learn --assign ID FAQ_ID` read an id starting with "-" as another option and
    refused the command (the learning benchmark hit one in 64). 2,000 ids: the old rule makes
    one with a leading dash all but certainly (1 - (63/64)**2000)."""
    ids = [new_reply_id() for _ in range(2000)]
    assert not [i for i in ids if i.startswith("-")]
    assert len(set(ids)) == len(ids) and all(len(i) >= 22 for i in ids)


def test_a_question_answered_wrong_can_be_assigned_until_it_is_in_the_faq():
    """A 👎 on an answer, with nothing picked after it: staff get the question and its reply id
    to assign to the right entry. Once a picked choice answered it, or it is in the FAQ, it is not listed."""
    wrong = [row("w1", "Vem kan jag prata med om fakturan?", faq_id="backup", feedback=-1)]
    [entry] = lesson(wrong, FAQ, lambda _q, _c: [], set()).disliked
    [question] = entry.to_assign
    assert entry.faq_id == "backup" and question.question == "Vem kan jag prata med om fakturan?"
    assert question.evidence["reply"] == "w1"

    then_picked = [*wrong, row("p1", "Kan jag ringa er?", faq_id="telefon", answer_to="w1")]
    found = lesson(then_picked, FAQ, lambda _q, _c: [], set())
    assert [d.to_assign for d in found.disliked] == [()]
    assert [(s.faq_id, s.question) for s in found.suggestions] == [("telefon", "Vem kan jag prata med om fakturan?")]

    assigned = Faq(
        FAQ.helpdesk,
        (
            FAQ.entries[0],
            FaqEntry("telefon", "Kan jag ringa er?", "Ja.", learned=("Vem kan jag prata med om fakturan?",)),
        ),
    )
    [after] = lesson(wrong, assigned, lambda _q, _c: [], set()).disliked
    assert after.to_assign == () and after.disliked == 1
    assert after.questions == ()  # found by a walk-through: still shown as "e.g." under backup once assigned
    masked = [row("w2", "Ring mig på [telefon]", faq_id="backup", feedback=-1)]
    assert [d.to_assign for d in lesson(masked, FAQ, lambda _q, _c: [], set()).disliked] == [()]


def test_a_question_its_customer_confirmed_for_one_entry_is_not_assigned_to_another():
    """A pasted wrong reply id put a question answered right (👍) into an unrelated entry."""
    rows = {
        "liked": row("liked", "Hur ofta tar ni backup?", faq_id="backup", feedback=1),
        "picked": row("picked", "Kan jag ringa?", faq_id="telefon", answer_to="earlier"),
        "disliked": row("disliked", "Vem kan jag prata med om fakturan?", faq_id="backup", feedback=-1),
        "helpdesk": row("helpdesk", "Har ni parkering?", kind="helpdesk"),
    }
    log = SimpleNamespace(find=rows.get)
    known = {"backup", "telefon"}
    for reply_id, other in (("liked", "telefon"), ("picked", "backup")):
        with pytest.raises(AssignRefusedError, match=f"the customer confirmed entry '(?!{other})"):
            assignments(log, [(reply_id, other)], known)
    with pytest.raises(AssignRefusedError, match="👍 to its answer"):
        assignments(log, [("liked", "telefon")], known)
    fine = [("liked", "backup"), ("disliked", "telefon"), ("helpdesk", "telefon")]
    assert [(s.faq_id, s.question) for s in assignments(log, fine, known)] == [
        ("backup", "Hur ofta tar ni backup?"),
        ("telefon", "Vem kan jag prata med om fakturan?"),
        ("telefon", "Har ni parkering?"),
    ]
    with pytest.raises(FaqbotError, match="the FAQ has no entry 'telfon'; did you mean 'telefon'\\?"):
        assignments(log, [("helpdesk", "telfon")], known)
    # found by a walk-through: assigned to the very entry its customer said 👎 to, without a word
    with pytest.raises(AssignRefusedError, match="said 👎 to backup's answer .*if that answer was right, reject"):
        assignments(log, [("disliked", "backup")], known)


def test_a_question_with_masked_personal_data_is_never_assigned_into_the_faq():
    """Found by a walk-through: `--assign` by its reply id wrote "Ring mig på [telefon], min cykel
    är stulen" into the FAQ, which `faqbot learn` itself never offers for assigning."""
    log = SimpleNamespace(find={"masked": row("masked", "Ring mig på [telefon], min cykel är stulen", "helpdesk")}.get)
    with pytest.raises(AssignRefusedError, match="masked personal data .*Ring mig på \\[telefon\\]"):
        assignments(log, [("masked", "telefon")], {"backup", "telefon"})


def test_faqbot_learn_prints_the_reply_to_assign_of_a_question_answered_wrong(capsys):
    wrong = [row("w1", "Vem kan jag prata med om fakturan?", faq_id="backup", feedback=-1)]
    print_lesson(lesson(wrong, FAQ, lambda _q, _c: [], set()), as_json=False)
    out = capsys.readouterr().out
    assert "backup: 👎 1, 👍 0" in out and "reply w1: Vem kan jag prata med om fakturan?" in out
    assert re.search(r"\(answer right\? --reject (w[0-9a-f]{16}); not about the FAQ\? --off-topic \1\)", out)


def test_a_question_answered_wrong_says_what_the_bot_answers_it_with_now(capsys):
    wrong = [
        row("w1", "Vem kan jag prata med om fakturan?", faq_id="backup", feedback=-1),
        row("w2", "Kan jag ringa om backupen?", faq_id="backup", feedback=-1),
        row("w3", "Sparar ni kopior varje timme?", faq_id="backup", feedback=-1),
    ]
    now = {"Vem kan jag prata med om fakturan?": "telefon", "Kan jag ringa om backupen?": None}
    found = lesson(wrong, FAQ, lambda _q, _c: [], set(), lambda q: (now.get(q, "backup"), 0.5))
    [entry] = found.disliked
    assert {w.evidence["reply"]: w.evidence["answered_now"] for w in entry.to_assign} == {
        "w1": "telefon",
        "w2": None,
        "w3": "backup",
    }
    print_lesson(found, as_json=False)
    out = capsys.readouterr().out
    assert "reply w1: Vem kan jag prata med om fakturan?  (now answered with telefon; answer right? --reject w" in out
    assert "reply w2: Kan jag ringa om backupen?  (now to the helpdesk; answer right? --reject w" in out
    assert "reply w3: Sparar ni kopior varje timme?  (answer right? --reject w" in out


def test_a_question_answered_wrong_that_staff_reject_is_not_listed_and_new_ones_come_first(tmp_path):
    """Staff say the answer was right ("--reject"): the question is not listed again. With more 👎
    questions than are listed, the newest are shown, so old ones left alone never hide new ones."""
    rows = [row(f"w{n}", f"Fråga nummer {n} om säkerhetskopior", faq_id="backup", feedback=-1) for n in range(8)]
    [entry] = lesson(rows, FAQ, lambda _q, _c: [], set()).disliked
    assert [w.evidence["reply"] for w in entry.to_assign] == ["w7", "w6", "w5", "w4", "w3"]
    with ConversationLog(tmp_path / "log.db") as log:
        log.record_decision(entry.to_assign[0].id, REJECTED, "backup", entry.to_assign[0].question)
        assert lesson(rows, FAQ, lambda _q, _c: [], set()).by_id().keys() >= {entry.to_assign[0].id}
        [after] = lesson(rows, FAQ, lambda _q, _c: [], log.decisions()).disliked
    assert [w.evidence["reply"] for w in after.to_assign] == ["w6", "w5", "w4", "w3", "w2"]
    with pytest.raises(FaqbotError, match="--assign w6 FAQ_ID") as refused:  # a 👎 question cannot be accepted as it is
        additions(after.to_assign[:1])
    assert f"--reject {after.to_assign[0].id}" in str(refused.value)


def at_the_helpdesk(*questions: str) -> list:
    """Log rows h1, h2 ... of these questions, each sent to the helpdesk."""
    return [row(f"h{n}", q, kind="helpdesk") for n, q in enumerate(questions, 1)]


def report_group(action: str, examples: list[tuple[str, int]], answered: tuple[str, ...] = ()) -> Group:
    """A group as the report's grouping makes it, nearest to backup."""
    return Group(
        count=sum(n for _, n in examples),
        examples=examples,
        nearest_id="backup",
        nearest_question="Hur ofta tar ni backup?",
        nearest_score=0.5,
        action=action,
        answered=answered,
        questions=len(examples),
    )


def test_each_helpdesk_example_is_assigned_by_its_own_reply():
    """A group's first example asked twice: the reply next to the second example is still its own
    (the flat list of replies had shifted them, so "Koppla" on one question wrote another)."""
    rows = at_the_helpdesk("Gör ni botox?", "Gör ni botox?", "Gör ni fillers?")
    group = report_group("new-entry", [("Gör ni botox?", 2), ("Gör ni fillers?", 1)])
    [found] = lesson(rows, FAQ, lambda _questions, _clients: [group], set()).suggestions
    assert [(e["question"], e["reply"]) for e in found.evidence["examples"]] == [
        ("Gör ni botox?", "h2"),
        ("Gör ni fillers?", "h3"),
    ]


def test_faqbot_learn_says_how_often_each_listed_question_was_asked_and_how_many_more_there_are(capsys):
    """ "asked 6x" over three listed replies did not add up; and with nothing to accept it still
    said to run --accept all."""
    asked = [
        "Gör ni botox?",
        "Gör ni botox?",
        "Gör ni fillers?",
        "Gör ni peeling?",
        "Gör ni laser?",
        "Gör ni ansikten?",
    ]
    examples = [("Gör ni botox?", 2), ("Gör ni fillers?", 1), ("Gör ni peeling?", 1), ("Gör ni laser?", 1)]
    examples.append(("Gör ni ansikten?", 1))
    group = report_group("new-entry", examples)
    print_lesson(lesson(at_the_helpdesk(*asked), FAQ, lambda _q, _c: [group], set()), as_json=False)
    out = capsys.readouterr().out
    assert "0 confirmed phrasing(s) to add:\n" in out and "--accept all" not in out
    assert "asked 6x: Gör ni botox?" in out and "reply h2: Gör ni botox?  (asked 2x)" in out
    assert "reply h3: Gör ni fillers?\n" in out and "... and 2 more question(s)" in out


def test_a_group_the_bot_now_mostly_answers_keeps_the_questions_it_does_not_answer():
    """Staff linked one question of a group, and the bot now answers most of the group: the
    questions it answers leave the list, the one it still sends to the helpdesk stays for staff
    (the whole group had left it, so staff never saw that question again)."""
    rows = at_the_helpdesk("Gör ni botox?", "Kan man få botox hos er?", "Botox?")
    group = report_group(
        "answered-now",
        [("Gör ni botox?", 1), ("Kan man få botox hos er?", 1), ("Botox?", 1)],
        answered=("Gör ni botox?", "Kan man få botox hos er?"),
    )
    [left] = lesson(rows, FAQ, lambda _questions, _clients: [group], set()).suggestions
    assert left.action == "new_entry" and left.faq_id is None  # no "nearly answered with" for what it does not answer
    assert (left.question, left.evidence["count"]) == ("Botox?", 1)
    assert [(e["question"], e["reply"]) for e in left.evidence["examples"]] == [("Botox?", "h3")]
    group.count = 7  # four more asked than the report shows: counted for staff, as the report counts them
    group.questions = 6  # three more different questions than it shows, none of them answered
    [left] = lesson(rows, FAQ, lambda _questions, _clients: [group], set()).suggestions
    assert left.evidence["count"] == 5 and left.evidence["questions"] == 4  # the page heads it "och 3 liknande"
    group.answered = ("Gör ni botox?", "Kan man få botox hos er?", "Botox?")
    assert lesson(rows, FAQ, lambda _questions, _clients: [group], set()).suggestions == []


def test_a_helpdesk_question_answered_only_under_a_lower_threshold_is_listed_with_its_answer(capsys):
    """Of a group the bot now answers, a question whose score today is under the threshold it was
    asked under is answered only because the threshold moved: nobody read that answer, so it
    stays, naming the entry; one today's FAQ answers under the old threshold too has left."""
    rows = at_the_helpdesk("Gör ni botox?", "Kan man få botox hos er?")
    for r in rows:
        r.threshold = 0.45  # as the log keeps it: the threshold each was answered under
    group = report_group(
        "answered-now",
        [("Gör ni botox?", 1), ("Kan man få botox hos er?", 1)],
        answered=("Gör ni botox?", "Kan man få botox hos er?"),
    )
    today = {"Gör ni botox?": ("backup", 0.41), "Kan man få botox hos er?": ("backup", 0.62)}
    found = lesson(rows, FAQ, lambda _questions, _clients: [group], set(), today.__getitem__)
    [left] = found.suggestions
    assert [(e["question"], e.get("answered_now")) for e in left.evidence["examples"]] == [("Gör ni botox?", "backup")]
    print_lesson(found, as_json=False)
    assert (
        "reply h1: Gör ni botox?  (now answered with backup, since the threshold moved: is that right?)"
        in capsys.readouterr().out
    )
    # a walk-through: in a group the bot still mostly sends to the helpdesk, such a question had no word
    rows = at_the_helpdesk("Erbjuder ni kurser?", "Har ni utbildningar?", "Kan vi gå en kurs?")
    for r in rows:
        r.threshold = 0.5
    group = report_group("new-entry", [(r.question, 1) for r in rows], answered=("Erbjuder ni kurser?",))
    today = lambda q: ("backup", 0.36) if q == "Erbjuder ni kurser?" else (None, 0.2)  # noqa: E731
    [listed] = lesson(rows, FAQ, lambda _questions, _clients: [group], set(), today).suggestions
    assert [e.get("answered_now") for e in listed.evidence["examples"]] == ["backup", None, None]


def test_a_group_staff_rejected_stays_rejected_when_the_bot_answers_its_first_question():
    """The group's id is made from its first question; when the bot answers that one now, what is
    left of a group staff rejected must not come back under the next question's id."""
    rows = at_the_helpdesk("Gör ni botox?", "Kan man få botox hos er?", "Botox?")
    examples = [("Gör ni botox?", 1), ("Kan man få botox hos er?", 1), ("Botox?", 1)]
    [listed] = lesson(rows, FAQ, lambda _questions, _clients: [report_group("new-entry", examples)], set()).suggestions
    rejected = {sid for sid, _ in decided_ids(listed)}  # as `--reject` and the console record it
    later = report_group("answered-now", examples, answered=("Gör ni botox?",))
    assert lesson(rows, FAQ, lambda _questions, _clients: [later], rejected).suggestions == []
    assert [s.question for s in lesson(rows, FAQ, lambda _questions, _clients: [later], set()).suggestions] == [
        "Kan man få botox hos er?"
    ]


def test_a_question_asked_after_staff_rejected_its_group_is_listed_on_its_own():
    """A rejection is of the questions the group showed; a new one that joins the group still comes
    (a walk-through saw three new questions about a book sale vanish into a rejected group)."""
    examples = [("Var är bokinkastet?", 2), ("Har ni bokinkast?", 1)]
    rows = at_the_helpdesk("Var är bokinkastet?", "Var är bokinkastet?", "Har ni bokinkast?")
    [listed] = lesson(rows, FAQ, lambda _questions, _clients: [report_group("new-entry", examples)], set()).suggestions
    rejected = {sid for sid, _ in decided_ids(listed)}
    assert (
        lesson(rows, FAQ, lambda _questions, _clients: [report_group("new-entry", examples)], rejected).suggestions
        == []
    )
    rows.append(row("h9", "Har ni bokloppis?", kind="helpdesk"))
    grown = report_group("new-entry", [*examples, ("Har ni bokloppis?", 1)])
    [left] = lesson(rows, FAQ, lambda _questions, _clients: [grown], rejected).suggestions
    assert left.question == "Har ni bokloppis?" and [e["question"] for e in left.evidence["examples"]] == [
        "Har ni bokloppis?"
    ]
    assert (left.evidence["count"], left.evidence["questions"]) == (1, 1)


def test_a_thumbs_down_on_a_picked_choice_leaves_the_question_to_assign():
    """The customer picked backup among the choices and said 👎 to its answer: their question
    is still unanswered, so staff can tie it to the right entry."""
    rows = picked(1, "Vem svarar på fakturafrågor?", "backup", feedback=-1)
    found = lesson(rows, FAQ, lambda _questions, _clients: [], set())
    assert found.suggestions == []  # a pick and a 👎 cancel out: nothing confirmed
    [entry] = found.disliked
    assert [(w.question, w.evidence["reply"]) for w in entry.to_assign] == [("Vem svarar på fakturafrågor?", "q1")]


def test_a_thumbs_down_question_that_other_customers_confirmed_is_only_proposed_to_accept():
    rows = [
        row("w1", "Kan jag nå er per telefon?", faq_id="backup", feedback=-1),
        *picked(2, "Kan jag nå er per telefon?", "telefon"),
        *picked(3, "Kan jag nå er per telefon?", "telefon"),
    ]
    found = lesson(rows, FAQ, lambda _questions, _clients: [], set())
    assert [(s.faq_id, s.question) for s in found.suggestions] == [("telefon", "Kan jag nå er per telefon?")]
    assert [d.to_assign for d in found.disliked] == [()]


def test_a_confirmed_phrasing_is_not_listed_with_the_helpdesk_questions_too():
    """One customer's question went to the helpdesk and they picked the entry under it; another
    customer asked the same and picked nothing. The review page listed it twice, as a phrasing to
    accept and among the helpdesk questions (a walk-through as a water utility)."""
    question = "Hur ofta sparar ni kopior av min sajt?"
    rows = [
        row("q1", question, kind="helpdesk", offered=("backup", "telefon"), client="c1"),
        row("p1", "Hur ofta tar ni backup?", faq_id="backup", answer_to="q1", client="c1"),
        row("q2", question, kind="helpdesk", offered=("backup", "telefon"), client="c2"),
    ]
    grouped: list[str] = []
    found = lesson(rows, FAQ, lambda questions, _clients: grouped.extend(questions) or [], set())
    assert [(s.action, s.faq_id, s.question) for s in found.suggestions] == [("alternative", "backup", question)]
    assert grouped == []
    # rejected as a phrasing of that entry, it is a helpdesk question for staff again
    rejected = {found.suggestions[0].id}
    lesson(rows, FAQ, lambda questions, _clients: grouped.extend(questions) or [], rejected)
    assert grouped == [question]
