"""The reply policy with the real bundled model: the promises a customer relies on."""

from __future__ import annotations

import pytest

from faqbot import FaqBot, load_faq
from faqbot.bot import (
    ABOUT_THE_BOT,
    FOCUS_CHARS,
    GREETING,
    MAX_MESSAGE_CHARS,
    as_a_question,
    focus,
    without_courtesies,
)
from faqbot.decision.policy import SUGGESTION_SPREAD
from faqbot.faq.model import FaqEntry
from faqbot.retrieval.spelling import Spelling
from faqbot.web.messages import reply_message
from tests.conftest import HELPDESK, ROOT
from tests.fakes import ENGLISH_FAQ, MemoryLog

FAQ = load_faq(ROOT / "data" / "faq.yaml")


@pytest.mark.parametrize("entry", FAQ.entries, ids=[e.id for e in FAQ.entries])
def test_each_original_question_finds_its_own_entry(bot, entry):
    reply = bot.ask(entry.question)
    assert reply.resolved
    assert reply.match.faq_id == entry.id
    assert reply.answer.startswith(entry.answer.strip())


@pytest.mark.parametrize(
    "question, entry_id",
    [
        ("Can I call you?", "telefonsupport"),
        ("How often do you make backups of my site?", "backup"),
        ("Do you host websites that someone else built?", "webbhotell"),
        ("How do I cancel my agreement with you?", "uppsagning"),
    ],
)
def test_an_english_question_finds_the_swedish_entry_and_says_so_in_english(bot, question, entry_id):
    reply = bot.ask(question)
    assert reply.language == "en"
    assert reply.resolved and reply.match.faq_id == entry_id
    assert reply.answer.startswith("Our FAQ is in Swedish")
    assert FAQ.by_id[entry_id].answer.strip() in reply.answer
    assert f"Write to {HELPDESK}" in reply.answer


@pytest.mark.parametrize(
    "question", ["Vad kostar en ny bil?", "Vem vann fotbolls-VM 1958?", "Hur gör man kanelbullar?", "asdfgh"]
)
def test_an_unrelated_question_goes_to_the_helpdesk(bot, question):
    reply = bot.ask(question)
    assert not reply.resolved
    assert reply.kind == "helpdesk"
    assert HELPDESK in reply.answer
    assert "utförligt" in reply.answer  # the FAQ asks customers to describe the problem in detail


def test_an_unrelated_english_question_gets_the_helpdesk_in_english(bot):
    reply = bot.ask("What is the capital of France?")
    assert reply.kind == "helpdesk" and reply.language == "en"
    assert "Please write to " + HELPDESK in reply.answer


def test_a_resolved_answer_says_where_to_write_if_it_did_not_help(bot):
    reply = bot.ask("Hur ofta tar ni backup?")
    assert reply.match.faq_id == "backup"
    assert reply.answer.endswith(f"Hjälpte inte svaret? Skriv till {HELPDESK} så hjälper vi dig.")


@pytest.mark.parametrize(
    "text, kind",
    [
        ("Hej!", "greeting"),
        ("hej hej", "greeting"),
        ("Hello", "greeting"),
        ("Tack!", "thanks"),
        ("tack så mycket", "thanks"),
        ("Thanks!", "thanks"),
        ("Thanks a lot!", "thanks"),  # was sent to the helpdesk: "I'm sorry, I can't answer that here"
        ("Thank you very much for your help", "thanks"),
        ("Ok, tack för hjälpen!", "thanks"),
        ("Stort tack", "thanks"),
        ("Toppen, tack så mycket :)", "thanks"),
        ("Hur mår du idag?", "greeting"),
        ("Är du en robot?", "greeting"),
        ("How are you today?", "greeting"),  # was answered with the out-of-hours entry (score 0.50)
        ("Hi, am I talking to a real person?", "greeting"),
        # found by a walk-through (an outdoor shop): each of these went to the helpdesk as a question
        ("Tack, hej då", "thanks"),
        ("Thanks, bye", "thanks"),
        ("Hej då!", "thanks"),
        ("ok", "thanks"),
        ("Hej! Jag har en fråga", "greeting"),
        ("Hi, I have a question", "greeting"),
        ("Hejsan! Kan ni hjälpa mig?", "greeting"),
        # found by a walk-through (a dog groomer): the answer helped, said to the bot, went to the
        # helpdesk as a question, and staff could teach it to an entry
        ("Thanks, that helped!", "thanks"),
        ("Tack, det hjälpte!", "thanks"),
        ("tack det var bra", "thanks"),
        ("Det var precis vad jag behövde, tack", "thanks"),
    ],
)
def test_greetings_and_thanks_get_a_friendly_reply_not_an_faq_answer(bot, text, kind):
    reply = bot.ask(text)
    assert reply.kind == kind
    assert reply.match is None
    assert HELPDESK in reply.answer


@pytest.mark.parametrize(
    "text",
    [
        "Tack för kallelsen! Mvh Eva",
        "Hej! Tack för snabbt svar! Mvh Anna",
        "Thanks for the quick reply, John",
        "Tack! Vh Anna",
        "Hej! Mvh Anna",
        "God eftermiddag!",
    ],
)
def test_thanks_or_a_greeting_with_a_signature_is_small_talk_not_a_question(bot, text):
    """Found by a walk-through: with the signature no longer ranked, "Tack för kallelsen!" was
    answered with the entry about notices."""
    assert bot.ask(text).kind in ("thanks", "greeting")


@pytest.mark.parametrize(
    "text",
    [
        "Tack för offerten. Vi vill säga upp.",
        "Thanks for the info. Do you have phone support",
        "Tack, det hjälpte inte",
        "Tack, det var bra men kan jag ringa er?",
    ],
)
def test_thanks_followed_by_a_request_is_a_question(bot, text):
    """Found by a second walk-through: "Tack för X" swallowed the next sentence, and the request
    got a thank-you."""
    assert bot.ask(text).kind not in ("thanks", "greeting")


def test_a_goodbye_is_answered_with_a_goodbye_in_the_customers_language(bot):
    assert bot.ask("Tack, hej då").answer.startswith("Hej då! Välkommen tillbaka")
    assert bot.ask("Thanks, bye!").answer.startswith("Goodbye! Come back any time")
    assert bot.ask("ok").answer.startswith("Hör av dig om du undrar något mer")


@pytest.mark.parametrize(
    "text, faq_id", [("Hej! Hur ofta tar ni backup?", "backup"), ("Hej, kan jag ringa er?", "telefonsupport")]
)
def test_a_greeting_before_a_real_question_is_the_question(bot, text, faq_id):
    """The other side of "Hej! Jag har en fråga": a greeting that goes on to name its subject."""
    reply = bot.ask(text)
    assert reply.kind == "answer" and reply.match.faq_id == faq_id


@pytest.mark.parametrize(
    "question, courteous",
    [
        ("vilka cms jobbar ni med", "Hej! vilka cms jobbar ni med Tack på förhand! Mvh Anna"),
        ("Vilka cms jobbar ni med?", "Hallå där! Jag har en fråga. Vilka cms jobbar ni med? Tusen tack! /Anna"),
        (
            "Who do I contact for an emergency after business hours?",
            "Hi! Who do I contact for an emergency after business hours? Thanks in advance! Kind regards, John",
        ),
    ],
)
def test_a_greeting_thanks_and_signature_around_a_question_do_not_change_its_answer(bot, question, courteous):
    """Ranked whole, the courtesies pulled these to the helpdesk (benchmarks/writing.py: on the
    three FAQs' test sets, answered right fell by 0.13-0.23 with a greeting and a closing)."""
    plain, reply = bot.ask(question), bot.ask(courteous)
    assert plain.kind == reply.kind == "answer"
    assert reply.match.faq_id == plain.match.faq_id and reply.score == pytest.approx(plain.score)
    assert reply.question == courteous  # what the customer wrote is what the log keeps


@pytest.mark.parametrize(
    "question, faq_id",
    [
        ("Kostar det nagot att saga upp?", "uppsagning"),
        ("Vad galler vid akuta fel utanfor arbetstid om man inte har supportavtal?", "akut"),
        ("vad far jag for support som kund", "support-ingar"),
    ],
)
def test_a_question_written_without_a_ring_or_dots_is_answered_as_written_with_them(bot, question, faq_id):
    """Customers on a phone or a foreign keyboard write "nagot" for "något"; the word matching
    folded that away, the embedding model did not (these went to the helpdesk or to another entry)."""
    reply = bot.ask(question)
    assert reply.kind == "answer" and reply.match.faq_id == faq_id
    assert reply.question == question  # the log keeps what the customer wrote


@pytest.mark.parametrize(
    "question, faq_id",
    [
        ("har ni uptime-övervakning", "overvakning"),
        ("vilka tjänster täcker er support egentligen", "support-ingar"),
        ("who do i contact for an emergency after business hours", "akut"),
    ],
)
def test_a_question_typed_without_its_question_mark_is_answered_as_with_it(bot, question, faq_id):
    """Typed in a chat, lower case and without "?", these went to the helpdesk: the embedding model
    scored them below the threshold against the FAQ's questions, which end with theirs."""
    reply, marked = bot.ask(question), bot.ask(question + "?")
    assert reply.kind == "answer" and reply.match.faq_id == faq_id
    assert reply.score == pytest.approx(marked.score)
    assert reply.question == question  # the log keeps what the customer wrote


@pytest.mark.parametrize(
    "read, asked",
    [
        ("hur säger jag upp mitt avtal", "hur säger jag upp mitt avtal?"),
        ("Kan jag betala med kort", "Kan jag betala med kort?"),
        ("how do i cancel", "how do i cancel?"),
        # a keyword query, a statement and a sentence with its own mark are read as written
        ("bettskena pris", "bettskena pris"),
        ("Jag vill låna om mina böcker", "Jag vill låna om mina böcker"),
        ("Hur gör jag.", "Hur gör jag."),
        ('"Kan jag betala med kort?"', '"Kan jag betala med kort?"'),
        ("Varför!", "Varför!"),
        ("kanske", "kanske"),
    ],
)
def test_a_message_that_opens_as_a_question_is_read_with_its_question_mark(read, asked):
    assert as_a_question(read) == asked


@pytest.mark.parametrize(
    "question, faq_id",
    [
        ("vad får jag för spuport som kund", "support-ingar"),
        ("Vad inngår om jag har min hemsida hos er?", "support-ingar"),
        ("Kan jag mejla min kontaktperson hos er direkt istället för att gå via hlepdesk?", "helpdesk"),
    ],
)
def test_a_question_with_a_typo_is_answered_as_without_it(bot, question, faq_id):
    """One letter wrong made the embedding model read another word: these went to the helpdesk or
    to another entry (benchmarks/writing.py: one typo in each test question cost 0.14-0.19 answered right)."""
    reply = bot.ask(question)
    assert reply.kind == "answer" and reply.match.faq_id == faq_id


@pytest.mark.parametrize(
    "message, spelled",
    [
        ("Har ni övervakinng?", "Har ni övervakning?"),
        ("backpu?", "backup?"),
        ("Vi skullle vilja ha en app", "Vi skulle vilja ha en app"),
        # another form of an FAQ word, not a typo of it: the model reads it alike
        ("Vad kostar hemsidan?", "Vad kostar hemsidan?"),
        ("Kan ni flytta datorn?", "Kan ni flytta datorn?"),
        # the first letter is never taken for the typo
        ("Har ni vackup?", "Har ni vackup?"),
        # a word is no typo, though one letter from an FAQ word (a walk-through found these changed)
        ("Snälla hjälp!", "Snälla hjälp!"),
        ("Vi funderar på en app", "Vi funderar på en app"),
        ("Kan ni skrapa data från en annan sajt", "Kan ni skrapa data från en annan sajt"),
        ("Magnus på Visma undrar", "Magnus på Visma undrar"),
    ],
)
def test_a_word_one_typo_from_an_faq_word_is_read_as_that_word(bot, message, spelled):
    assert bot.searcher.spelled(message) == spelled


@pytest.mark.parametrize(
    "message, spelled",
    [
        ("hur lang uppsagningstid har ni", "hur lång uppsägningstid har ni"),
        ("Nar kan jag fa hjalp pa helgen?", "När kan jag få hjälp på helgen?"),
        ("Vad ar priset for support", "Vad är priset för support"),  # "for" in an English alternative is no bar
        ("Vilka sakerhetskopiorna?", "Vilka säkerhetskopiorna?"),  # after "säkerhetskopior"
        # left alone: words written so on purpose, and a message with å, ä or ö in it
        ("Kan man ringa er?", "Kan man ringa er?"),
        ("Har ni en SLA for uptime", "Har ni en SLA för uptime"),  # an acronym stays: not "Slå"
        ("Sparar ni kopiorna lange?", "Sparar ni kopiorna länge?"),  # not the FAQ's "lång" + "e"
        ("nar startar sagostunden", "när startar sagostunden"),  # not "stårtar" after the FAQ's "stå"
        ("Kan jag fa hjälp pa helgen?", "Kan jag fa hjälp pa helgen?"),
        # Swedish words as written (found by a walk-through: "jag bör", "läg", "svårt", "säker")
        ("jag bor i Uppsala, kan jag ringa er", "jag bor i Uppsala, kan jag ringa er"),
        ("mitt lag har en hemsida", "mitt lag har en hemsida"),
        ("det ar svart att hitta era saker", "det är svart att hitta era saker"),
        # "ar" after a count or a time word is "år" (it read "är": "2 är sedan")
        ("det ar 2 ar sedan jag borjade", "det är 2 år sedan jag började"),
        ("hur manga ar har ni funnits", "hur många år har ni funnits"),
        ("vad kostar det per ar", "vad kostar det per år"),
        ("har ni samma pris i ar", "har ni samma pris i år"),
        ("vilka ar era priser", "vilka är era priser"),
    ],
)
def test_a_word_written_without_its_ring_or_dots_is_read_as_the_faq_spells_it(bot, message, spelled):
    assert bot.searcher.spelled(message) == spelled


@pytest.mark.parametrize(
    "message, asked",
    [
        ("Hej! Hur ofta tar ni backup? Tack!", "Hur ofta tar ni backup?"),
        ("Hej Anna, kan jag ringa er?", "kan jag ringa er?"),
        ("Hej kan ni hjälpa mig med mejlen", "kan ni hjälpa mig med mejlen"),
        ("God morgon! Tar ni backup? Tack på förhand! Med vänliga hälsningar, Per Svensson", "Tar ni backup?"),
        ("hur gör jag en backup mvh anna", "hur gör jag en backup"),
        ("Vad kostar supporten? Mvh Anna [telefon]", "Vad kostar supporten?"),
        ("Hello, quick question: can I call you? Best regards, John Smith", "can I call you?"),
        ("Kan jag betala med kort, tack", "Kan jag betala med kort"),
        # nothing but courtesies: whole, for small talk to answer
        ("Hej", "Hej"),
        ("Tack!", "Tack!"),
        # courtesy words that belong to the question
        ("Tack för svaret, men hur säger jag upp avtalet?", "Tack för svaret, men hur säger jag upp avtalet?"),
        ("Kan man skicka hälsningar med paketet", "Kan man skicka hälsningar med paketet"),
        ("As regards the invoice, when is it due?", "As regards the invoice, when is it due?"),
        ("Hejdå-kortet, vad är det?", "Hejdå-kortet, vad är det?"),
        # found by a walk-through: each lost part of its question
        ("Kostar supporten 800 kr / timme", "Kostar supporten 800 kr / timme"),
        ("tar ni kort / swish", "tar ni kort / swish"),
        ("Sajten ligger nere. Vänligen återställ från backup.", "Sajten ligger nere. Vänligen återställ från backup."),
        ("Kan jag hyra hörsalen för en trevlig kväll", "Kan jag hyra hörsalen för en trevlig kväll"),
        ("kostar en utskrift en tia", "kostar en utskrift en tia"),
        ("Hur ändrar jag mvh-signaturen i mejlen", "Hur ändrar jag mvh-signaturen i mejlen"),
        # ... and these kept the customer's name
        ("Kan jag betala med Swish? Tack på förhand, Anna", "Kan jag betala med Swish?"),
        ("Kan jag få tolk? Tack! /Anna-Karin", "Kan jag få tolk?"),
        ("Can I park nearby? Thanks, John", "Can I park nearby?"),
        ("Har ni wifi? – Anna Svensson", "Har ni wifi?"),
        ("Har ni wifi? Mvh Anna Svensson, Svensson Bygg AB, [telefon]", "Har ni wifi?"),
        ("Har ni wifi? Skickat från min iPhone", "Har ni wifi?"),
        ("kan jag ringa er utan avtal /Maria", "kan jag ringa er utan avtal"),  # "/Maria" without a "?" before
        ("bevakar ni driften Ha en trevlig helg!", "bevakar ni driften"),  # a wish with a capital opens a sentence
        ("Kan jag lämna böcker i Bruksvik / Ålunda", "Kan jag lämna böcker i Bruksvik / Ålunda"),
        ("har ni öppet lör /Sön", "har ni öppet lör /Sön"),
        # found by a second walk-through
        ("Jag vill låna om mina böcker. Med vänlig hälsning, Gunnel Ek", "Jag vill låna om mina böcker."),
        ("Hur skriver man mvh på engelska", "Hur skriver man mvh på engelska"),
        ("Hur bokar jag tid? Skickat från Outlook för Android", "Hur bokar jag tid?"),
        ("Hej – vad kostar support per timme?", "vad kostar support per timme?"),
    ],
)
def test_the_bot_ranks_the_question_without_the_courtesies_around_it(message, asked):
    assert without_courtesies(message) == asked


@pytest.mark.parametrize(
    "text", ["Hej, när svarar ni?", "Hej, vilken information har ni om mig?", "Hello, what do you need to know?"]
)
def test_a_greeting_before_a_question_of_few_words_is_not_greeted_back(bot, text):
    """Found by an attack: these asked something, were greeted back, and never reached staff."""
    assert bot.ask(text).kind != "greeting"


@pytest.mark.parametrize(
    "text",
    [
        "Vem är ni?",
        "Who are you?",
        "Vad heter ni?",
        "Hur är läget med min beställning?",
        "Är du en robot som tar backup?",
    ],
)
def test_questions_about_the_company_are_not_taken_for_words_to_the_bot(text):
    # "ni" and an English "you" may mean the company, whose FAQ may answer; longer text is a question
    assert not ABOUT_THE_BOT.match(text) and not GREETING.match(text)


@pytest.mark.parametrize("text", ["", "   ", "\n\t", "???", "🙂🙂🙂", "\x00\x01\x02"])
def test_empty_or_junk_input_is_unresolved_with_the_helpdesk_address(bot, text):
    reply = bot.ask(text)
    assert not reply.resolved
    assert HELPDESK in reply.answer


# A customer's story before the question: 30 sentences of background (1,378 characters).
BACKGROUND = [
    "Hej, jag heter Anna och driver en liten blomsterbutik i Västerås.",
    "Vi har haft vår hemsida hos er sedan 2019.",
    "Den byggdes av en tidigare kollega som numera har slutat.",
    "Sidan är gjord i WordPress och har en enkel webbshop.",
    "Vi säljer mest buketter och krukväxter via den.",
    "Under våren har trafiken ökat ganska mycket.",
    "Vi har också börjat skicka ut ett nyhetsbrev varje månad.",
    "Förra veckan hade vi ett strömavbrott i butiken.",
    "Kassan var nere i ett par timmar.",
    "Det fick mig att tänka på hur sårbara vi är.",
    "Alla våra beställningar ligger ju på sidan.",
    "Kundregistret ligger också där.",
    "Min man tycker att jag oroar mig i onödan.",
    "Men jag vill gärna veta hur det ligger till.",
    "Vi har inte själva någon kopia av något.",
    "Jag har läst lite på nätet om olika lösningar.",
    "Det verkar finnas massor av tillägg för sådant.",
    "Jag vet dock inte om de fungerar hos er.",
    "Jag vill inte heller installera något på egen hand.",
    "Senast jag gjorde det slutade bildspelet att fungera.",
    "Det tog en hel dag innan det var lagat.",
    "Julhandeln närmar sig och då har vi som mest att göra.",
    "Då får ingenting gå förlorat.",
    "Vi planerar också att lägga till fler produkter.",
    "Kanske även presentkort längre fram.",
    "Min dotter hjälper till med bilderna.",
    "Hon är duktig men inte så teknisk.",
    "Så vi är beroende av att allt bara fungerar.",
    "Tack för att ni alltid varit hjälpsamma.",
    "Jag hoppas att ni kan lugna mig lite.",
]
LONG_MESSAGE = " ".join(BACKGROUND) + " Hur ofta tar ni backup?"


def test_a_long_message_is_answered_by_the_question_at_its_end(bot):
    assert len(LONG_MESSAGE) <= MAX_MESSAGE_CHARS
    reply = bot.ask(LONG_MESSAGE)
    assert reply.resolved and reply.match.faq_id == "backup"
    assert reply.question == LONG_MESSAGE and not reply.truncated  # read whole, logged whole


def test_a_message_over_the_limit_is_read_from_its_end_and_the_reply_says_so(bot):
    reply = bot.ask("Hur mycket kostar support? " + "bla " * 5000 + "Hur ofta tar ni backup?")
    assert reply.truncated and len(reply.question) <= MAX_MESSAGE_CHARS
    assert reply.question.endswith("Hur ofta tar ni backup?")
    assert reply.answer.startswith(
        "(Ditt meddelande var längre än 2\N{NO-BREAK SPACE}000 tecken, så jag läste bara slutet"
    )
    assert reply.resolved and reply.match.faq_id == "backup"
    english = bot.ask("bla " * 5000 + "How often do you make backups of my site?")
    assert english.answer.startswith("(Your message was longer than 2,000 characters, so I only read its end.")


@pytest.mark.parametrize(
    "message, read",
    [
        ("Kan jag ringa er?", "Kan jag ringa er?"),
        (LONG_MESSAGE, "Hur ofta tar ni backup?"),
        ("Hur ofta tar ni backup? " + " ".join(BACKGROUND), "Hur ofta tar ni backup?"),
        (
            " ".join(BACKGROUND[:20]) + " Vad kostar det? Hur ofta tar ni backup?",
            "Vad kostar det? Hur ofta tar ni backup?",
        ),
        (" ".join(BACKGROUND), " ".join(BACKGROUND[-7:])),  # as many last sentences as fit
    ],
    ids=["short", "question last", "question first", "two questions", "no question"],
)
def test_of_a_long_message_the_bot_reads_its_question_sentences(message, read):
    assert focus(message) == read and len(focus(message)) <= FOCUS_CHARS


@pytest.mark.parametrize(
    "message", ["Kan ni hjälpa mig?", "Jag har en fråga", "Jag behöver hjälp med en sak", "Can you help me?", "Hjälp!"]
)
def test_a_message_that_names_no_subject_is_not_answered_with_an_entry(bot, message):
    reply = bot.ask(message)
    assert reply.kind in ("choices", "helpdesk") and not reply.resolved
    assert HELPDESK in reply.answer


@pytest.mark.parametrize("previous", ["Hur säger jag upp mitt avtal?", "Vilken uppsägningstid gäller?"])
def test_a_follow_up_whose_own_word_points_out_of_the_topic_offers_the_topic_as_a_choice(bot, previous):
    reply = bot.ask("och vad kostar det?", previous=previous)
    assert reply.kind == "choices" and "uppsagning" in [s.faq_id for s in reply.suggestions]
    named = bot.ask("och hur ofta tar ni backup av min hemsida?", previous=previous)  # names its own subject
    assert named.resolved and named.match.faq_id == "backup"


def test_a_helpdesk_reply_says_so_when_close_questions_are_offered_under_it(bot):
    asked = ["Vad kostar en ny bil?", "Hur gör man kanelbullar?", "asdfgh", "How much is a new car?"]
    replies = [bot.ask(question) for question in asked]
    assert all(r.kind == "helpdesk" and HELPDESK in r.answer for r in replies)
    offered = [r for r in replies if r.suggestions]
    assert offered and len(offered) < len(replies)  # both kinds of helpdesk reply are checked
    for reply in replies:
        plain = (
            reply.language == "en" and "I'm sorry, I can't answer that here" or "Det kan jag tyvärr inte svara på här"
        )
        close = (
            reply.language == "en" and "may be among the questions below" or "Kanske finns svaret bland frågorna nedan"
        )
        assert (close in reply.answer, plain in reply.answer) == (bool(reply.suggestions), not reply.suggestions)


def test_unsure_replies_offer_close_entries_as_suggestions(bot):
    reply = bot.ask("Vad kostar en ny bil?")
    assert reply.suggestions, "the helpdesk reply should offer the closest entries"
    assert all(s.faq_id in FAQ.by_id for s in reply.suggestions)
    assert [s.score for s in reply.suggestions] == sorted((s.score for s in reply.suggestions), reverse=True)


@pytest.mark.parametrize("question", ["Kan jag ringa er?", "Hur ofta tar ni backup på min sida?", "Bygger ni appar?"])
def test_a_sure_answer_offers_only_entries_nearly_as_sure(bot, question):
    reply = bot.ask(question)
    assert reply.resolved
    assert all(reply.score - s.score <= SUGGESTION_SPREAD for s in reply.suggestions)
    assert reply.match.faq_id not in {s.faq_id for s in reply.suggestions}


def test_json_contract_keys(bot):
    data = bot.ask("Kan jag ringa er?").to_dict()
    assert {"question", "language", "resolved", "faq_id", "faq_question", "score", "answer", "suggestions"} <= set(data)
    assert data["faq_id"] == "telefonsupport" and data["faq_question"] == "Finns det ingen telefonsupport?"
    unresolved = bot.ask("Vad kostar en ny bil?").to_dict()
    assert unresolved["faq_id"] is None and unresolved["faq_question"] is None


def test_the_helpdesk_address_comes_from_the_faq_file(workdir):
    text = (workdir / "faq.yaml").read_text(encoding="utf-8")
    (workdir / "faq.yaml").write_text(
        text.replace("helpdesk: helpdesk@winterkvist.com", "helpdesk: kundtjanst@example.se"), encoding="utf-8"
    )
    bot = FaqBot(workdir / "faq.yaml", workdir / "index", workdir / "config.yaml")
    assert "kundtjanst@example.se" in bot.ask("Vad kostar en ny bil?").answer


def test_the_threshold_comes_from_the_config(workdir):
    (workdir / "config.yaml").write_text("threshold: 1.0\n", encoding="utf-8")
    strict = FaqBot(workdir / "faq.yaml", workdir / "index", workdir / "config.yaml")
    assert strict.threshold == 1.0
    assert not strict.ask("Hur ofta tar ni backup på min hemsida?").resolved


def test_a_logged_reply_carries_its_id_and_index_and_feedback_reaches_the_log(shipped_index):
    log = MemoryLog()
    bot = FaqBot(shipped_index / "faq.yaml", shipped_index / "index", shipped_index / "config.yaml", log=log)
    reply = bot.ask("Kan jag ringa er?")
    assert bot.feedback(reply.reply_id, liked=False)
    (row,) = log.replies
    assert (row.reply_id, row.question, row.faq_id) == (reply.reply_id, "Kan jag ringa er?", "telefonsupport")
    assert (row.threshold, row.index_version) == (reply.threshold, reply.index_version)
    assert (reply.threshold, reply.index_version) == (bot.threshold, bot.index_version)  # the index that answered
    assert log.feedback == [(reply.reply_id, False)]
    assert not bot.feedback("never-given", liked=True) and log.feedback == [(reply.reply_id, False)]


@pytest.fixture
def english_bot(tmp_path):
    (tmp_path / "faq.yaml").write_text(ENGLISH_FAQ, encoding="utf-8")
    (tmp_path / "config.yaml").write_text((ROOT / "data" / "config.yaml").read_text(encoding="utf-8"))
    return FaqBot(tmp_path / "faq.yaml", tmp_path / "index", tmp_path / "config.yaml")


@pytest.mark.slow
def test_an_english_customer_gets_the_english_answer_when_staff_wrote_one(english_bot):
    reply = english_bot.ask("How often do you make backups of my site?")
    assert reply.language == "en" and reply.resolved and reply.match.faq_id == "backup"
    assert reply.answer.startswith("We back up your website every night.")
    assert "Our FAQ is in Swedish" not in reply.answer and "säkerhetskopior" not in reply.answer
    assert reply.answer.endswith("Did this not help? Write to help@example.se and we will help you.")
    # the widget names its source by the English question staff wrote, not the Swedish one
    assert "Source (our FAQ): ”How often do you back up my website?”" in reply_message(reply)["content"]


@pytest.mark.slow
def test_an_english_customer_gets_the_swedish_answer_with_a_note_when_there_is_no_english_one(english_bot):
    reply = english_bot.ask("Can I call your support phone?")
    assert reply.language == "en" and reply.resolved and reply.match.faq_id == "telefon"
    assert reply.answer.startswith("Our FAQ is in Swedish")
    assert "Ja, om du har ett supportavtal." in reply.answer


@pytest.mark.slow
def test_a_swedish_customer_gets_the_swedish_answer_even_when_there_is_an_english_one(english_bot):
    reply = english_bot.ask("Hur ofta tar ni backup på min hemsida?")
    assert reply.language == "sv" and reply.resolved and reply.match.faq_id == "backup"
    assert reply.answer.startswith("Vi tar säkerhetskopior varje natt.")
    assert "every night" not in reply.answer


def test_an_english_customer_is_offered_the_english_question_of_an_entry_that_has_one(tmp_path, fake_embedder):
    from faqbot import build_index
    from tests.fakes import FAKE_MODEL

    (tmp_path / "faq.yaml").write_text(
        "helpdesk: info@example.se\nentries:\n"
        "  - id: ebok\n    question: Vad kostar e-böckerna?\n    question_en: How much do the e-books cost?\n"
        "    answer: De är gratis.\n"
        "  - id: utskrift\n    question: Vad kostar utskrifterna?\n    answer: Två kronor per sida.\n",
        encoding="utf-8",
    )
    (tmp_path / "config.yaml").write_text(f"model: {FAKE_MODEL}\nthreshold: 0.99\n", encoding="utf-8")
    build_index(load_faq(tmp_path / "faq.yaml"), fake_embedder, tmp_path / "index")
    bot = FaqBot(tmp_path / "faq.yaml", tmp_path / "index", tmp_path / "config.yaml")
    english = bot.ask("How much do e-books cost for me?")
    assert english.language == "en" and english.kind == "helpdesk"
    offered = {s.faq_id: s.faq_question for s in english.suggestions}
    assert offered["ebok"] == "How much do the e-books cost?"
    swedish = bot.ask("Vad kostar e-böckerna?", language="sv")
    assert {s.faq_id: s.faq_question for s in swedish.suggestions}["ebok"] == "Vad kostar e-böckerna?"


def test_a_short_message_that_is_an_faq_question_word_for_word_is_answered_whatever_came_before(bot):
    """A follow-up leaning on the previous question gets choices when its own words point
    elsewhere; but "Can I call you?" is the phone entry's own question, not a follow-up to backups."""
    reply = bot.ask("Can I call you?", previous="Hur ofta tar ni backup?")
    assert reply.kind == "answer" and reply.match.faq_id == "telefonsupport"
    followup = bot.ask("och vad kostar det?", previous="Hur säger jag upp mitt abonnemang?")
    assert followup.kind == "choices" and "uppsagning" in [s.faq_id for s in followup.suggestions]


def test_a_learned_phrasing_without_dots_does_not_teach_the_faq_to_spell_so():
    """A customer's phrasing accepted as typed ("far man aka med elmoped pa taget") made "far",
    "aka" and "pa" words of the FAQ, and the next customer's "far man dricka ol pa taget" was read
    with them as written: the embedding model read other words (found on kollektivtrafik's
    learning benchmark, where such questions went to other entries after the accept)."""
    staff_wrote = FaqEntry("mat", "Får jag äta och dricka ombord på tåget?", "Ja, men inte öl.")
    learned = FaqEntry("elmoped", "Får jag ta med elmoped?", "Nej.", learned=("far man aka med elmoped pa taget",))
    spelling = Spelling([staff_wrote, learned])
    # "taget" is a word as written ("taken"), and stays
    assert spelling.spelled("far man dricka ol pa taget") == "får man dricka öl på taget"
