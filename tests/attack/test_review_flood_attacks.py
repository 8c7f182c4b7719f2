"""Flooding the staff's list of questions answered wrong (issue 18's 👎 signals).

A customer can say 👎 to any answer they got, and every 👎 question with nothing picked after it
is listed for staff to tie to the right entry (faqbot.staff.wrong_answers). An outsider
who sends many questions from one network and says 👎 to each must not push what other
customers found wrong out of that list, nor make it grow without bound.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from faqbot.faq.model import Faq, FaqEntry
from faqbot.staff import report
from faqbot.staff.learn import lesson
from faqbot.staff.wrong_answers import DISLIKED_SHOWN

FAQ = Faq(
    "helpdesk@example.se",
    (
        FaqEntry("backup", "Hur ofta tar ni backup?", "Varje natt."),
        FaqEntry("telefon", "Kan jag ringa er?", "Ja, 08-123 45 67."),
    ),
)


def thumbs_down(reply_id: str, question: str, client: str) -> SimpleNamespace:
    """A reply answered with backup, that its customer (`client`: the log's pseudonym of their network) said 👎 to."""
    return SimpleNamespace(
        reply_id=reply_id,
        question=question,
        kind="answer",
        faq_id="backup",
        feedback=-1,
        answer_to=None,
        offered=(),
        client=client,
    )


def test_one_clients_flood_of_thumbs_down_hides_no_other_customers_question_and_stays_bounded():
    customers = [
        thumbs_down("c1", "Kan jag ringa er om en faktura?", "network-1"),
        thumbs_down("c2", "Kan jag ringa er om en faktura?", "network-2"),
        thumbs_down("c3", "Går det att nå er på mobilen?", "network-3"),
    ]
    flood = [thumbs_down(f"x{n}", f"Skräpfråga nummer {n} om ingenting", "network-attacker") for n in range(500)]
    [entry] = lesson([*customers, *flood], FAQ, lambda _questions, _clients: [], set()).disliked
    listed = [w.question for w in entry.to_assign]
    assert len(listed) == DISLIKED_SHOWN  # 500 questions, five listed
    # two clients said 👎 to the first, so it comes first; then one question a client, the newest first
    assert listed[:3] == [
        "Kan jag ringa er om en faktura?",
        "Skräpfråga nummer 499 om ingenting",
        "Går det att nå er på mobilen?",
    ]
    assert listed[3:] == ["Skräpfråga nummer 498 om ingenting", "Skräpfråga nummer 497 om ingenting"]
    assert entry.disliked == 503 and len({w.id for w in entry.to_assign}) == DISLIKED_SHOWN


def test_one_clients_flood_of_made_up_questions_does_not_push_other_customers_off_the_helpdesk_list(bot, monkeypatch):
    """Grouping takes MAX_GROUPED different questions; they were the most asked, so one client
    asking each of thousands of made-up questions three times pushed out a question that two
    customers asked once each. (Here MAX_GROUPED is 20 and the flood 30 questions, for speed.)"""
    monkeypatch.setattr(report, "MAX_GROUPED", 20)
    real = "Har ni parkering vid kontoret för besökare?"
    asked = [real, real]
    clients: list[str | None] = ["network-1", "network-2"]
    for n in range(30):
        asked += [f"Skräpfråga {n}: blomkål gitarr tåg {n * 7919}"] * 3
        clients += ["network-attacker"] * 3
    groups = report.group_unanswered(asked, bot.searcher, bot.embedder, bot.policy, clients)
    grouped = [q for g in groups for q, _ in g.examples]
    assert real in grouped
    assert sum(g.questions for g in groups) == 20  # still bounded: 19 of the flood's 30 made the cut
    # Who asked is what counts: without it (an old log), the most asked come first, as before.
    unknown = report.group_unanswered(asked, bot.searcher, bot.embedder, bot.policy)
    assert real not in [q for g in unknown for q, _ in g.examples]


def thumbs_up(reply_id: str, question: str, client: str) -> SimpleNamespace:
    """A reply answered with backup, that its customer said 👍 to: a confirmed phrasing."""
    return SimpleNamespace(**{**vars(thumbs_down(reply_id, question, client)), "feedback": 1})


def test_one_clients_flood_of_confirmed_phrasings_does_not_push_other_customers_down_the_list():
    """A pick or a 👍 on each of hundreds of made-up questions: each is a confirmed phrasing staff
    are shown. They came first (as many confirmations as a real customer's, and sooner in the
    alphabet); now the other customers' phrasings come right after the flood's first."""
    flood = [thumbs_up(f"x{n}", f"Skräpfråga nummer {n} om ingenting", "network-attacker") for n in range(500)]
    customers = [
        thumbs_up("c1", "Över hur många dagar sparas backuperna?", "network-1"),
        thumbs_up("c2", "Även gamla filer, sparas de?", "network-2"),
    ]
    listed = [s.question for s in lesson([*flood, *customers], FAQ, lambda _q, _c: [], set()).suggestions]
    assert len(listed) == 502  # all still proposed: `faqbot learn --accept all` and --json are unchanged
    assert listed[:3] == [
        "Skräpfråga nummer 0 om ingenting",
        "Även gamla filer, sparas de?",
        "Över hur många dagar sparas backuperna?",
    ]


def test_one_client_asking_each_made_up_question_twice_does_not_outrank_customers_who_asked_once(monkeypatch):
    """Each customer asks their question once; the attacker asks each of its questions twice. It
    won every tie of "most different clients, then most asked" and pushed all of them out."""
    monkeypatch.setattr(report, "MAX_GROUPED", 60)
    asked: list[str] = []
    clients: list[str | None] = []
    for n in range(100):
        asked += [f"Skräpfråga {n}: blomkål gitarr tåg?"] * 2
        clients += ["network-attacker"] * 2
    real = [f"Verklig fråga nummer {n} om fakturan?" for n in range(50)]
    for n, question in enumerate(real):
        asked.append(question)
        clients.append(f"network-{n}")
    keys, counts, spellings = report.most_asked(asked, clients)
    assert set(real) <= set(spellings)  # every customer's question is grouped
    assert len(keys) == 60 and sum(s.startswith("Skräpfråga") for s in spellings) == 10  # the flood gets what is left
    # one question a client first (the attacker's asked twice ahead of the others), then the rest
    assert spellings[0] == "Skräpfråga 0: blomkål gitarr tåg?" and set(spellings[1:51]) == set(real)


def test_the_review_page_tells_a_helpdesk_questions_language_once(monkeypatch):
    """langdetect took 41 of a review visit's 42 s after a flood of 5,100 made-up questions, on
    every visit; a question's language is now remembered, and told from its opening characters."""
    from faqbot.staff import crosslingual

    seen: list[str] = []
    monkeypatch.setattr(crosslingual, "detect_language", lambda text: seen.append(text) or "sv")
    crosslingual.is_english.cache_clear()
    long_question = "Skräpfråga om blomkål och gitarr " * 60
    for _ in range(3):
        crosslingual.language_neutral(np.ones((2, 4), dtype=np.float32), [long_question, "Kan jag ringa?"], None)  # type: ignore[arg-type]
    assert seen == [long_question[: crosslingual.LANGUAGE_CHARS], "Kan jag ringa?"]


def test_a_flood_of_long_made_up_questions_is_read_by_its_openings(bot):
    """Questions may be 2,000 characters; e5 reads that many in 0.7 s here, so 3,000 of them held
    the review page's first visit for about 35 minutes. Grouping reads each question's first
    GROUP_CHARS characters only, and still tells questions apart by what they open with."""
    embedded: list[str] = []

    class Reading:
        def __init__(self, embedder):
            self.inner = embedder

        def __getattr__(self, name):
            return getattr(self.inner, name)

        def embed_queries(self, texts):
            embedded.extend(texts)
            return self.inner.embed_queries(texts)

    tail = " blomkål gitarr tåg" * 110  # to 2,000 characters
    flood = [(f"Skräpfråga {n} om ingenting alls." + tail)[:2000] for n in range(6)]
    real = "Kan jag ringa er?"
    reading = Reading(bot.embedder)
    searcher = SimpleNamespace(
        rank=lambda q: (embedded.append(q), bot.searcher.rank(q))[1],
        spelled=bot.searcher.spelled,
        set_aside=bot.searcher.set_aside,  # no: the shipped FAQ marks no question off-topic
        marked=None,  # nothing marked, so no mark is looked for (report.marked_by)
    )
    groups = report.group_unanswered([*flood, real], searcher, reading, bot.policy)  # type: ignore[arg-type]
    assert max(len(t) for t in embedded) <= report.GROUP_CHARS
    assert [g.nearest_id for g in groups if g.examples[0][0] == real] == ["telefonsupport"]
    assert sum(g.questions for g in groups) == 7


def test_one_client_repeating_a_question_neither_heads_a_group_of_customers_questions_nor_tops_the_list(bot):
    """Found by a red-team helper: groups and the questions in them went by times asked. One
    address asked "Kontor i Lund, har ni det eller är ni bedragare?" ten times; it headed the group
    of three customers' questions about an office in Lund (and "Skapa en ny post av gruppen" made
    it the new entry's question), and another of its questions, asked twelve times, went above
    groups that several customers asked. Now the most *clients* count first."""
    customers = ["Har ni ett kontor i Lund?", "Finns ni i Lund?", "Har ni kontor i Lund eller bara i Stockholm?"]
    asked = [*customers, *["Kontor i Lund, har ni det eller är ni bedragare?"] * 10]
    clients: list[str | None] = ["network-1", "network-2", "network-3", *["network-attacker"] * 10]
    asked += ["Hur mycket kostar en kaffemaskin till kontoret?"] * 12
    clients += ["network-attacker"] * 12
    groups = report.group_unanswered(asked, bot.searcher, bot.embedder, bot.policy, clients)
    [lund] = [g for g in groups if any("Lund" in q for q, _ in g.examples)]
    assert lund.examples[0][0] in customers and lund.clients == 4 and lund.count == 13
    assert groups[0] is lund  # four clients before the attacker's twelve repeats
