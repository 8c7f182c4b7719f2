"""Follow-ups in a chat: a short "och vad kostar det?" is ranked with the previous question's
topic (its section) in mind; a full new question, and `faqbot ask`, are ranked alone."""

from __future__ import annotations

import json

import pytest

from faqbot import FaqBot, build_index, load_faq
from faqbot.bot import VERBATIM_SCORE, is_followup, own_words, refers_back
from faqbot.cli import main
from faqbot.faq.edit import add_learned
from faqbot.retrieval.heldout import offtopic_questions
from faqbot.retrieval.search import Tokenizer
from faqbot.web.widget import Conversation, Widget
from tests.conftest import ROOT
from tests.fakes import FAKE_MODEL, write_small_bank

SECTIONED_FAQ = """\
helpdesk: info@example.se
entries:
  - id: ebok-lana
    section: E-böcker
    question: Hur lånar jag e-böcker?
    answer: Logga in i appen med ditt lånekort.
  - id: ebok-kostnad
    section: E-böcker
    question: Vad kostar e-böckerna?
    answer: E-böckerna är gratis.
  - id: utskrift-mobil
    section: Utskrifter
    question: Hur skriver jag ut från mobilen?
    answer: Skicka filen till skrivarens e-postadress.
  - id: utskrift-kostnad
    section: Utskrifter
    question: Vad kostar utskrifterna?
    answer: Två kronor per sida.
"""


@pytest.fixture
def sectioned(tmp_path, fake_embedder):
    (tmp_path / "faq.yaml").write_text(SECTIONED_FAQ, encoding="utf-8")
    bank = write_small_bank(tmp_path / "offtopic.txt")
    (tmp_path / "config.yaml").write_text(
        f"model: {FAKE_MODEL}\nthreshold: 0.05\nofftopic_bank: {bank}\n", encoding="utf-8"
    )
    build_index(load_faq(tmp_path / "faq.yaml"), fake_embedder, tmp_path / "index", offtopic=offtopic_questions(bank))
    return FaqBot(tmp_path / "faq.yaml", tmp_path / "index", tmp_path / "config.yaml")


@pytest.mark.parametrize(
    "text, followup",
    [
        ("och vad kostar det?", True),
        ("Vem kan söka?", True),
        ("men kan man komma in ändå?", True),
        ("hur betalar jag?", True),
        ("Hur skriver jag ut från mobilen?", False),
        ("Kan jag skriva ut något från min telefon hos er?", False),
        ("och hur gör jag om jag har glömt min pinkod till lånekortet och inte kommer in?", False),
    ],
)
def test_a_short_message_or_one_opening_with_och_is_a_follow_up(text, followup):
    assert is_followup(text, len(Tokenizer()(text))) is followup


@pytest.mark.parametrize(
    "text, refers",
    [
        ("och vad kostar det?", True),
        ("spärras kortet då?", True),
        ("kostar det något för henne?", True),
        ("and what does it cost?", True),
        ("Har ni övervakning?", False),
        ("Hur fakturerar ni?", False),
        ("Bygger ni för Android?", False),
    ],
)
def test_a_follow_up_refers_back_by_an_opener_or_a_word_that_points_back(text, refers):
    assert refers_back(text) is refers


@pytest.mark.slow
@pytest.mark.parametrize(
    "previous, question, entry",
    [
        ("Kan jag ha min hemsida hos er?", "Har ni övervakning?", "overvakning"),
        ("Finns det telefonsupport?", "Hur fakturerar ni?", "debitering"),
        ("Vilka lösningar jobbar ni med?", "Bygger ni för Android?", "plattformar"),
        ("Tar ni backup?", "Vad ingår i supporten?", "support-ingar"),
    ],
)
def test_a_short_question_naming_its_own_subject_is_answered_not_held_to_the_last_topic(bot, previous, question, entry):
    """A browser walk-through: each of these, asked second in a chat, got "Jag är inte säker på
    vilken fråga du menar" with its entry first among choices, though asked alone it is answered."""
    reply = bot.ask(question, previous=previous)
    assert reply.kind.value == "answer" and reply.match.faq_id == entry


@pytest.mark.slow
def test_a_short_new_subject_after_a_question_is_not_answered_with_that_questions_entry(bot):
    """A customer's "Har ni parkering?" reads as a follow-up (two words of its own) and the phone entry, the
    previous question's, was nudged over the threshold: the customer was told about phone
    support. It does not point back, so the nudge only offers that entry as a choice."""
    reply = bot.ask("Har ni parkering?", previous="Kan jag ringa er?")
    assert reply.followup_to == "Kan jag ringa er?"
    assert reply.kind.value == "choices" and reply.suggestions[0].faq_id == "telefonsupport"
    assert "helpdesk@winterkvist.com" in reply.answer


@pytest.mark.slow
def test_a_follow_up_that_points_back_is_still_offered_its_topic(bot):
    reply = bot.ask("och vad kostar det?", previous="Hur säger jag upp mitt avtal?")
    assert reply.kind.value == "choices" and "uppsagning" in [s.faq_id for s in reply.suggestions]


@pytest.mark.slow
@pytest.mark.parametrize(
    "previous, question",
    [
        ("Do you sell bicycles?", "And what does it cost?"),  # answered with the FAQ's prices
        ("Kan ni laga min cykel?", "Och vem betalar det?"),  # answered with the billing entry
        ("Do you sell bicycles?", "And can I cancel it?"),  # answered with the cancellation entry
        # asked alone it is answered with that entry too, but after the bicycles "det" is theirs
        ("Do you sell bicycles?", "Och hur lång tid tar det?"),
    ],
)
def test_a_follow_up_pointing_back_at_a_question_the_bot_could_not_answer_is_not_answered(bot, previous, question):
    """The previous question went to the helpdesk, so its topic says nothing sure about what
    "it" is: the follow-up is offered choices (or the helpdesk), never answered as if it were
    about the FAQ's nearest entry."""
    assert bot.ask(previous).kind.value == "helpdesk"
    reply = bot.ask(question, previous=previous)
    assert reply.followup_to == previous
    assert reply.kind.value != "answer"
    assert "helpdesk@winterkvist.com" in reply.answer


@pytest.mark.slow
def test_a_mark_does_not_set_aside_a_follow_up_leaning_on_an_answered_question(workdir, embedder):
    """Staff marked "Vad kostar det?" as about something else (a walk-through's was "Vad kostar
    elen?": since the thirty-ninth session a mark with a subject of its own leaves a question
    without it to the entry). Asked alone, "Och vad kostar det?" is that mark's and goes to the
    helpdesk; after a backup question the bot answered it asks what backup costs, and was sent
    to the helpdesk all the same (the mark check read the follow-up without the question before it)."""
    faq = workdir / "faq.yaml"
    faq.write_text(faq.read_text(encoding="utf-8") + "off_topic:\n  - Vad kostar det?\n", encoding="utf-8")
    build_index(load_faq(faq), embedder, workdir / "index")
    bot = FaqBot(faq, workdir / "index", workdir / "config.yaml")
    assert bot.ask("Och vad kostar det?").set_aside
    assert bot.ask("Tar ni backup?").match.faq_id == "backup"
    reply = bot.ask("Och vad kostar det?", previous="Tar ni backup?")
    assert not reply.set_aside and reply.kind.value == "choices"
    assert "backup" in [s.faq_id for s in reply.suggestions]


@pytest.mark.slow
@pytest.mark.parametrize(
    "previous, entry, question",
    [
        ("Finns det ingen telefonsupport?", "telefonsupport", "och hur lång tid tar det?"),
        ("Kan jag lägga upp min hemsida hos er?", "webbhotell", "men hur lång tid tar det?"),
    ],
)
def test_och_hur_lang_tid_tar_det_leans_on_the_answered_question(bot, previous, entry, question):
    """A walk-through as a shop's customers: "och hur lång tid tar det?" after a payment or a gift
    card question was answered with the delivery time, as alone: "lång", "tid" and "tar" were three
    words of its own, one too many to lean on the question before ("and how long does it take?" has
    two). Here it was answered with the notice period of a cancellation; now the entry that answered
    is offered beside it."""
    answered = bot.ask(previous)
    assert answered.kind.value == "answer" and answered.match.faq_id == entry
    reply = bot.ask(question, previous=previous)
    assert reply.kind.value != "answer" and entry in [s.faq_id for s in reply.suggestions]


@pytest.mark.slow
def test_a_follow_up_pointing_back_leans_on_the_answer_though_a_learned_phrasing_is_nearly_it(workdir, embedder):
    """A walk-through: once "Hur lång tid tar en retur?" was learned, "och hur lång tid tar det?" scored
    0.905 with it, passed for a question naming its own subject ("Can I call you?" after a backup
    question), and after a Swish question was answered with returns. Its "det" points back."""
    add_learned(workdir / "faq.yaml", {"uppsagning": ["Hur lång tid tar en uppsägning?"]})
    build_index(load_faq(workdir / "faq.yaml"), embedder, workdir / "index")
    bot = FaqBot(workdir / "faq.yaml", workdir / "index", workdir / "config.yaml")
    reply = bot.ask("och hur lång tid tar det?", previous="Finns det ingen telefonsupport?")
    assert reply.score >= VERBATIM_SCORE  # as near the learned phrasing as a question of the FAQ's own
    assert reply.kind.value == "choices" and "telefonsupport" in [s.faq_id for s in reply.suggestions]


def settled_bot(vatten, tmp_path) -> FaqBot:
    """The water utility's bot with its threshold set rather than calibrated. These tests are
    about follow-ups; on this FAQ's 43 questions the calibrated choice margin is noise that moves
    with a machine's embeddings (0.18 on the thirty-sixth session's machine, a dip between 0.16
    and 0.20 that cost 0.035 more each, turned "Why are you replacing my water meter?" into
    choices; narrower on the machines before)."""
    config = tmp_path / "config.yaml"
    config.write_text("threshold: 0.38\nlog_enabled: false\n", encoding="utf-8")
    return FaqBot(vatten / "faq.yaml", vatten / "index", config)


@pytest.mark.slow
@pytest.mark.parametrize(
    "previous, entry, question",
    [
        ("Why are you replacing my water meter?", "matarbyte", "And who pays for it?"),
        ("How do I protect my house against flooding?", "backventil", "And what does it cost?"),
        ("My water meter froze, what do I do?", "frusen-matare", "And who pays for it?"),
    ],
)
def test_a_follow_up_leaning_on_an_answer_is_offered_that_answers_entry(vatten, tmp_path, previous, entry, question):
    """A walk-through as a water utility's customers: after the meter entry answered, "And who pays
    for it?" was offered invoicing and direct debit, not the meter entry its "it" points at (its
    own words rank it low). Whatever else is offered, the entry that answered is among it."""
    bot = settled_bot(vatten, tmp_path)
    answered = bot.ask(previous)
    assert answered.kind.value == "answer" and answered.match.faq_id == entry
    reply = bot.ask(question, previous=previous)
    assert reply.kind.value != "answer" and entry in [s.faq_id for s in reply.suggestions]


@pytest.mark.slow
@pytest.mark.parametrize(
    "previous, question, entry",
    [
        ("Hej", "Och när har kundservice öppet?", "kundservice-oppettider"),  # small talk is no topic
        ("Hi", "And how hard is the water?", "hart-vatten"),
        ("Vad kostar elen?", "Och vad kostar vattnet?", "pris-vatten"),  # names its own subject
        ("Jag har problem med vattnet", "Det luktar klor", "klorsmak"),  # "det" as its own subject
    ],
)
def test_a_follow_up_naming_its_subject_after_an_unanswered_message_is_answered(
    vatten, tmp_path, previous, question, entry
):
    """A second walk-through: these were offered choices once a follow-up pointing back at a
    question the bot could not answer was no longer answered."""
    bot = settled_bot(vatten, tmp_path)
    assert bot.ask(previous).kind.value != "answer"
    reply = bot.ask(question, previous=previous)
    assert reply.kind.value == "answer" and reply.match.faq_id == entry


@pytest.mark.parametrize(
    "text, own",
    [
        ("And how long does it last?", ["long", "last"]),
        ("and who pays for it?", ["who", "pays"]),
        ("Och hur länge varar det?", ["lang", "var"]),
    ],
)
def test_english_function_words_are_not_words_of_a_messages_own(sectioned, text, own):
    """A message like "And how long does it last?" had three words of its own with "it", too many for a
    follow-up that leans on the previous question: it was answered alone, with another entry."""
    assert own_words(sectioned.searcher, text) == own


def test_a_follow_up_is_ranked_within_the_previous_questions_section(sectioned):
    after_ebooks = sectioned.ask("och vad kostar det?", previous="Hur lånar jag e-böcker?")
    after_prints = sectioned.ask("och vad kostar det?", previous="Hur skriver jag ut från mobilen?")
    assert after_ebooks.ranking[0] == "ebok-kostnad"
    assert after_prints.ranking[0] == "utskrift-kostnad"
    assert after_ebooks.followup_to == "Hur lånar jag e-böcker?"


def test_a_follow_up_whose_meaning_the_question_before_decided_is_marked_in_the_log(sectioned):
    """Only such a follow-up is never learned (faqbot.staff.learn): "Vad kostar?" names no subject
    and says nothing that points back, but after the printing question it asks for printing's
    price. An attack taught it to one entry when only words that point back were marked."""
    alone = sectioned.ask("Vad kostar?")
    leaning = sectioned.ask("Vad kostar?", previous="Hur skriver jag ut från mobilen?")
    assert leaning.ranking[0] == "utskrift-kostnad" != alone.ranking[0]
    assert leaning.leans_on_previous and leaning.log_row().followup
    pointing = sectioned.ask("och vad kostar det?", previous="Hur lånar jag e-böcker?")
    assert pointing.log_row().followup
    assert not sectioned.ask("Vad kostar?").log_row().followup  # asked alone: nothing to lean on
    full = sectioned.ask("Hur skriver jag ut från mobilen?", previous="Hur lånar jag e-böcker?")
    assert not full.log_row().followup


def test_a_full_new_question_is_ranked_alone(sectioned):
    alone = sectioned.ask("Hur skriver jag ut från mobilen?")
    after = sectioned.ask("Hur skriver jag ut från mobilen?", previous="Hur lånar jag e-böcker?")
    assert after.followup_to == "" and after.topic == "Hur skriver jag ut från mobilen?"
    assert after.ranking == alone.ranking and after.ranking_scores == alone.ranking_scores


def test_the_widget_passes_the_previous_question_and_keeps_the_topic_over_follow_ups(sectioned):
    widget, conversation = Widget(sectioned), Conversation()
    asked = []
    real_ask = sectioned.ask

    def spy(text, language=None, previous=None, client=None, memory=None):
        asked.append(previous)
        return real_ask(text, language, previous, client, memory)

    sectioned.ask = spy  # type: ignore[method-assign]
    widget.respond("Hur skriver jag ut från mobilen?", conversation)
    widget.respond("och vad kostar det?", conversation)
    widget.respond("Vem kan skriva ut?", conversation)
    assert asked == [None, "Hur skriver jag ut från mobilen?", "Hur skriver jag ut från mobilen?"]
    assert "Två kronor per sida." in str(conversation.shown()[-3]["content"])


def test_a_follow_up_in_the_chat_does_not_embed_the_question_before_it_again(sectioned, fake_embedder):
    """A follow-up is ranked with the previous question's topic: the chat remembers that
    question's vector instead of running the model on it a second time (14 ms a message on the
    widget benchmark's questions, 8.5 with one run). Replies as without it; nothing remembered
    from one chat serves another."""
    widget, chat, other = Widget(sectioned), Conversation(), Conversation()
    widget.respond("Hur lånar jag e-böcker?", chat)
    before = fake_embedder.calls
    widget.respond("och vad kostar det?", chat)
    assert fake_embedder.calls - before == 1  # the follow-up alone
    widget.respond("och hur länge då?", chat)  # the topic is still the first question, remembered
    assert fake_embedder.calls - before == 2
    shown = [str(m["content"]) for m in chat.shown()]
    unremembered = sectioned.ask("och vad kostar det?", previous="Hur lånar jag e-böcker?")
    assert unremembered.match.faq_id == "ebok-kostnad"
    assert shown[shown.index("och vad kostar det?") + 1].startswith("E-böckerna är gratis.")
    before = fake_embedder.calls
    other.topic = "Hur lånar jag e-böcker?"  # another customer's chat on the same subject
    widget.respond("och vad kostar det?", other)
    assert fake_embedder.calls - before == 2  # its own topic embedded: never the first chat's vector


@pytest.mark.slow
def test_follow_ups_of_the_library_faq_find_their_entry_with_the_previous_question(tmp_path, embedder):
    source = ROOT / "data" / "examples" / "bibliotek"
    helpdesk = ["--helpdesk", "info@storansbibliotek.se"]
    assert main(["import", str(source / "faq.csv"), "--out", str(tmp_path / "faq.yaml"), *helpdesk]) == 0
    (tmp_path / "config.yaml").write_text("threshold: auto\nlog_enabled: false\n", encoding="utf-8")
    build_index(load_faq(tmp_path / "faq.yaml"), embedder, tmp_path / "index")
    bot = FaqBot(tmp_path / "faq.yaml", tmp_path / "index", tmp_path / "config.yaml")
    cases = [json.loads(line) for line in (source / "followups.jsonl").read_text(encoding="utf-8").splitlines()]
    with_previous = sum(bot.ask(c["question"], previous=c["previous"]).ranking[0] == c["expected"] for c in cases)
    alone = sum(bot.ask(c["question"]).ranking[0] == c["expected"] for c in cases)
    print(f"follow-ups ranked first: {with_previous}/{len(cases)} with the previous question, {alone} alone")
    assert with_previous >= 0.8 * len(cases) and with_previous > alone
