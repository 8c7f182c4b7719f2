"""A follow-up taught as a phrasing by leaving out the follow-up mark.

Found by an attack: the log marks a question as a follow-up only when the client sends the
question before it (`previous` in `/api/ask`). An attacker who left it out asked "och vad kostar
det? 📄✂️❌🚫📄✂️" (the emoji only moved the ranking so that the target entry was offered), picked
`uppsagning` from two addresses, and `faqbot learn --auto` wrote it there: afterwards a customer's
plain "och vad kostar det?" was answered with the cancellation entry, and after a question about
backups it was offered first. A message that reads as a follow-up by its words alone (opens with
"och", or points back with at most one word of its own) is now never proposed, never accepted by
`learn: auto` and never assigned, whatever the log says.
"""

from __future__ import annotations

from collections import Counter
from types import SimpleNamespace

import pytest

from faqbot.bot import clean_question
from faqbot.errors import FollowupAssignError
from faqbot.faq.model import load_faq
from faqbot.staff.learn import automatic, lesson, lesson_of
from faqbot.staff.report import brought_by, decided_as_read
from faqbot.staff.teach import assignments
from tests.test_learn import FAQ, picked, row

FORGED = "och vad kostar det? 📄✂️❌🚫📄✂️"


def confirmed_by_clients(question: str, faq_id: str, clients: int) -> list:
    """`clients` customers ask `question` with no follow-up mark (no `previous`) and pick `faq_id`."""
    return [r for n in range(clients) for r in picked(n, question, faq_id, client=f"c{n}")]


# a second attack: marks that print as nothing inside a word ("o" + a variation selector + "ch"),
# or a Cyrillic "о", made the opener "och" another word on screen-identical text
DISGUISED = [
    "o\ufe02ch vad kostar det? 📄✂️❌🚫📄✂️",
    "vad ko\u034fstar det?",
    "Kostar de\ufe00t något?",
    "\u043ech vad kostar det?",
    "Vad k\u043estar det?",
]


@pytest.mark.parametrize(
    "question", [FORGED, "Kostar det något?", "Vad kostar det då?", "And how much is that?", *DISGUISED]
)
def test_a_message_that_reads_as_a_follow_up_is_never_proposed_nor_auto_accepted(question):
    found = lesson(confirmed_by_clients(question, "telefon", 5), FAQ, lambda _q, _c: [], set())
    assert found.suggestions == []
    assert automatic(found, 2) == []


@pytest.mark.parametrize("question", ["Finns det wifi hos er?", "Går det att ringa er på kvällen?"])
def test_a_question_with_a_dummy_det_that_names_its_subject_is_still_learned(question):
    """The rule's other side: Swedish "finns det", "går det" name their subject in the words after."""
    found = lesson(confirmed_by_clients(question, "telefon", 2), FAQ, lambda _q, _c: [], set())
    assert [(s.faq_id, s.question) for s in found.suggestions] == [("telefon", question)]


@pytest.mark.parametrize("question", [FORGED, DISGUISED[0], DISGUISED[3]])
def test_a_helpdesk_question_that_reads_as_a_follow_up_is_not_assigned_without_the_mark(question):
    log = type("Log", (), {"find": staticmethod({"r1": row("r1", question, "helpdesk")}.get)})
    with pytest.raises(FollowupAssignError, match="is a follow-up to a question before it"):
        assignments(log, [("r1", "telefon")], {"backup", "telefon"})


def test_the_chat_reads_marks_that_print_as_nothing_out_of_a_word():
    assert clean_question(DISGUISED[0]) == clean_question(FORGED)
    assert clean_question("vad ko\u034fstar det?")[0] == "vad kostar det?"
    assert clean_question("Kan Go\u0308ran ga\u030a dit?")[0] == "Kan Göran gå dit?"  # decomposed Swedish letters stay


# Found by an attack: asked after a question about backups, "Fungerar WordPress?" is answered with
# the solutions entry as alone, but the backup entry joins the choices under the answer (the
# topic's nudge). Five addresses picking it there made "Fungerar WordPress?" a phrasing of the
# backup entry (`learn: auto` wrote it), and the attacker chose the entry: the log marked the
# question a follow-up only when the previous question changed its best entry.
STEERED = ("Fungerar WordPress?", "Hur ofta gör ni säkerhetskopior?")


def test_a_question_whose_choices_the_previous_question_changed_is_marked_and_never_learned(bot):
    question, previous = STEERED
    alone = bot.ask(question)
    steered = bot.ask(question, previous=previous)
    assert alone.match.faq_id == steered.match.faq_id  # the same answer either way
    added = {s.faq_id for s in steered.suggestions} - {s.faq_id for s in alone.suggestions}
    assert added == {"backup"}  # the previous question brought the backup entry among the choices
    assert not alone.log_row().followup and steered.log_row().followup
    rows: list = []
    for n in range(5):  # five clients pick the entry the previous question brought
        asked = steered.log_row()
        rows += [
            SimpleNamespace(**{**vars(asked), "reply_id": f"q{n}", "client": f"c{n}", "feedback": None}),
            row(f"p{n}", "Hur ofta tar ni backup?", faq_id="backup", answer_to=f"q{n}"),
        ]
    # asked alone, the question brings its own entries, not the backup entry: the picks count for nothing
    brings_now = lambda question: brought_by(decided_as_read(question, bot.searcher, bot.policy)[0])  # noqa: E731
    assert "backup" not in brings_now(question)
    found = lesson(rows, load_faq(bot.faq_path), lambda _q, _c: [], set(), brings_now=brings_now)
    assert [s for s in found.suggestions if s.action == "alternative"] == []
    assert automatic(found, 2) == []


class CountingSearcher:
    """The bot's searcher, counting how often each question is ranked."""

    def __init__(self, searcher) -> None:
        self._searcher = searcher
        self.ranked: Counter[str] = Counter()

    def rank(self, question, *args, **kwargs):
        self.ranked[question] += 1
        return self._searcher.rank(question, *args, **kwargs)

    def embedding_with(self, embedder):  # the lesson embeds its questions in batches first (learn.primed)
        other = CountingSearcher(self._searcher.embedding_with(embedder))
        other.ranked = self.ranked
        return other

    def __getattr__(self, name):
        return getattr(self._searcher, name)


def test_a_flood_of_follow_up_picks_is_ranked_once_a_question_and_teaches_nothing(bot):
    """One client sends 300 follow-ups (30 made-up questions, ten times each), picking under each
    the entry the previous question brought. Reading the log for staff (`faqbot learn`, the
    console's review page) ranks each question once, asked alone; it proposes only those that
    bring the entry by themselves (as a pick under a question asked alone would be), for staff,
    and `learn: auto` takes none of them (one client)."""
    rows: list = []
    for n in range(300):
        question = row(f"q{n}", f"Skräpfråga {n % 30}: blomkål gitarr tåg?", kind="choices", client="attacker")
        rows += [
            SimpleNamespace(**{**vars(question), "offered": ("backup", "telefonsupport"), "followup": True}),
            row(f"p{n}", "Hur ofta tar ni backup?", faq_id="backup", answer_to=f"q{n}", client="attacker"),
        ]
    searcher = CountingSearcher(bot.searcher)
    staff_bot = SimpleNamespace(searcher=searcher, embedder=bot.embedder, policy=bot.policy)
    found = lesson_of(staff_bot, rows, load_faq(bot.faq_path), set())
    assert len(searcher.ranked) == 30 and set(searcher.ranked.values()) == {1}
    proposed = {s.question for s in found.suggestions if s.action == "alternative"}
    bring_it = {q for q in searcher.ranked if "backup" in brought_by(decided_as_read(q, bot.searcher, bot.policy)[0])}
    assert proposed == bring_it and len(proposed) < 5  # the other questions' picks count for nothing
    assert automatic(found, 2) == []
