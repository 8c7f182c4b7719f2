"""The chat widget's promises, checked on its handlers with the real model (no browser).

The browser test (tests/test_browser.py) checks the same promises as a customer sees them.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import gradio as gr
import pytest

from faqbot import FaqBot, Reply, Suggestion, build_index, load_faq
from faqbot.bot import MAX_MESSAGE_CHARS
from faqbot.config import Settings
from faqbot.errors import FaqbotError
from faqbot.retrieval.embedding import load_embedder
from faqbot.retrieval.index import build_lock, build_locked, load_index
from faqbot.web.messages import ANSWER_MARK
from faqbot.web.server import listen_address
from faqbot.web.widget import (
    KEEP_MESSAGES,
    MAX_SENT_CHARS,
    Conversation,
    Widget,
    as_text,
    build_app,
    mailto,
    readable,
    reply_message,
    settle,
)
from tests.conftest import HELPDESK
from tests.fakes import FAKE_MODEL, NEW_ENTRY, SMALL_FAQ, MemoryLog, offering, small_bank, write_small_bank


def ask(widget: Widget, text: str, conversation: Conversation | None = None) -> list[dict]:
    """Type `text` and press Enter: the chat as the one server event returns it."""
    conversation = conversation if conversation is not None else Conversation()
    return widget.respond(text, conversation)[0]


def mail_links(content: str) -> list[str]:
    return [part.split(")")[0] for part in content.split("](")[1:] if part.startswith("mailto:")]


@pytest.fixture
def editable(workdir, shipped_index):
    """A private FAQ, settings and index that a test may edit."""
    shutil.copytree(shipped_index / "index", workdir / "index")
    return workdir


@pytest.fixture(scope="module")
def logged(shipped_index):
    log = MemoryLog()
    bot = FaqBot(shipped_index / "faq.yaml", shipped_index / "index", shipped_index / "config.yaml", log=log)
    return Widget(bot), log


# -- what the customer sees ------------------------------------------------------------


def test_an_answer_names_the_faq_question_it_comes_from(logged):
    widget, _ = logged
    history = ask(widget, "Kan jag ringa er?")
    content = history[-1]["content"]
    assert history[-1]["role"] == "assistant"
    assert "Källa (vanliga frågor): ”Finns det ingen telefonsupport?”" in content
    assert "supportavtal" in content


def test_an_unrelated_question_gets_the_helpdesk_and_a_mailto_link_carrying_the_question(logged):
    widget, _ = logged
    history = ask(widget, "Vad är huvudstaden i Frankrike?")
    content = history[-1]["content"]
    assert HELPDESK in content.replace("\\", "")
    links = mail_links(content)
    assert links
    url = urlsplit(links[-1])
    assert url.scheme == "mailto" and url.path == HELPDESK
    fields = parse_qs(url.query)
    assert "Vad är huvudstaden i Frankrike?" in fields["subject"][0]
    assert "Vad är huvudstaden i Frankrike?" in fields["body"][0]


def test_close_entries_are_offered_as_buttons_when_the_bot_is_unsure():
    close = [Suggestion("debitering", "Hur debiterar ni för support?", 0.4), Suggestion("akut", "Har ni jour?", 0.3)]
    reply = Reply(
        "Vad kostar det?", "sv", "helpdesk", "Det kan jag tyvärr inte svara på här.", HELPDESK, suggestions=close
    )
    shown = reply_message(reply)
    assert shown["content"].endswith("Menade du kanske:")
    assert shown["options"] == [{"label": s.faq_question, "value": s.faq_question} for s in close]


def test_choices_stay_readable_in_their_message_after_two_more_messages(logged):
    widget, _ = logged
    conversation = Conversation([widget.greeting()])
    history = ask(widget, "Vilka program använder ni?", conversation)  # vague: the bot offers close entries
    offered = [option["label"] for option in history[-1]["options"]]
    assert 2 <= len(offered) <= 3
    ask(widget, "Kan jag ringa er?", conversation)
    history = ask(widget, "Hur ofta tar ni backup?", conversation)
    earlier = history[2]
    assert "Menade du kanske:" in earlier["content"] and not earlier.get("options")
    assert all(f"- {as_text(label)}" in earlier["content"] for label in offered)
    # The greeting's examples stay readable too; only the latest message has buttons.
    assert "- Finns det ingen telefonsupport?" in history[0]["content"]
    assert [bool(m.get("options")) for m in history[:-1]] == [False] * (len(history) - 1)


def test_the_greeting_says_what_it_helps_with_and_offers_example_questions(logged):
    widget, _ = logged
    conversation = Conversation([{"role": "user", "content": "gammalt"}])
    chat = widget.welcome(conversation)
    greeting = chat[0]["content"]
    assert len(chat) == 1 and conversation.shown() == chat
    assert "Winterkvists support" in greeting and HELPDESK in greeting.replace("\\", "")
    assert [o["value"] for o in chat[0]["options"]][:2] == [
        "Hur når jag er om jag behöver hjälp, support?",
        "Finns det ingen telefonsupport?",
    ]


def test_an_english_question_gets_english_wording_around_the_swedish_answer(logged):
    widget, _ = logged
    history = ask(widget, "Can I call you?")
    content = history[-1]["content"]
    # the answer is Swedish; the bot's own English words around it are marked English
    assert '<span lang="en">Source (our FAQ):</span> ”Finns det ingen telefonsupport?”' in content
    assert '<span lang="en">Our FAQ is in Swedish, so here is the answer in Swedish:</span>' in content
    assert '<span lang="en">Did this not help? Write to [helpdesk' in content
    history = ask(widget, "Do you sell bicycles?")
    assert "Email your question to" in history[-1]["content"]
    conversation = Conversation()
    box = widget.respond("Can I call you?", conversation)[1]
    assert (box["placeholder"], box["label"], box["submit_btn"]) == ("Type your question here …",) * 2 + ("Send",)
    assert isinstance(widget.respond("Do you sell bicycles?", conversation)[1], type(gr.skip()))  # unchanged
    box = widget.respond("Kan jag ringa er?", conversation)[1]
    assert (box["placeholder"], box["submit_btn"]) == ("Skriv din fråga här …", "Skicka")


# -- user input is text ----------------------------------------------------------------

MARKUP = [
    "<script>alert('x')</script>",
    "<img src=x onerror=alert(1)>",
    "**fet** _kursiv_ `kod` ~~struken~~",
    "[länk](https://example.com) ![bild](https://example.com/a.png)",
    "https://example.com www.example.com kund@example.se",
    "# rubrik",
    "1. lista",
    "- punkt",
    "> citat",
    "a | b",
    "$$x^2$$",
    "&lt; &amp; \\*",
]


@pytest.mark.parametrize("text", MARKUP)
def test_markup_typed_by_a_customer_is_escaped(text):
    shown = as_text(text)
    assert "<" not in shown and ">" not in shown.replace("&gt;", "")
    for mark in "*_`~[]|$":
        assert shown.count(mark) == shown.count("\\" + mark), (mark, shown)


def test_the_customers_message_is_shown_as_text(logged):
    widget, _ = logged
    history = ask(widget, "<b>Hej</b> **där**")
    assert history[-2] == {"role": "user", "content": "&lt;b&gt;Hej&lt;/b&gt; \\*\\*där\\*\\*"}
    assert widget.bot.log.replies[-1].question == "<b>Hej</b> **där**"


def test_a_long_message_is_shown_whole_and_answered_by_its_question(logged):
    widget, log = logged
    text = "Vi har haft vår hemsida hos er sedan 2019 och den har fungerat bra. " * 20 + "Hur ofta tar ni backup?"
    assert len(text) <= MAX_MESSAGE_CHARS
    history = ask(widget, text)
    assert history[-2]["content"] == as_text(text)  # whole: no "…", nothing cut
    assert "Källa (vanliga frågor): ”Hur ofta gör ni säkerhetskopior?”" in history[-1]["content"]
    assert "läste bara" not in history[-1]["content"]


def test_a_message_over_the_limit_shows_the_end_that_was_read_and_says_so(logged):
    widget, log = logged
    text = "bla " * 50_000 + "Kan jag ringa er?"
    history = ask(widget, text)
    shown = history[-2]["content"]
    assert shown.startswith("… ") and shown.endswith("Kan jag ringa er?") and len(shown) <= MAX_MESSAGE_CHARS + 2
    assert history[-1]["content"].startswith("(Ditt meddelande var längre än 2\N{NO-BREAK SPACE}000 tecken")
    assert "supportavtal" in history[-1]["content"]
    assert readable(text).endswith("Kan jag ringa er?") and len(readable(text)) == MAX_SENT_CHARS


def test_the_input_box_takes_a_long_paste_whole(logged):
    """A browser's maxlength would cut a paste silently, losing its end, where the question is."""
    widget, _ = logged
    app = build_app(widget.bot)
    boxes = [b for b in app.blocks.values() if isinstance(b, gr.Textbox) and b.elem_id == "faq-input"]
    assert boxes and boxes[0].max_length is None


def test_an_empty_message_is_ignored(logged):
    widget, log = logged
    conversation = Conversation([{"role": "assistant", "content": "Hej!"}])
    asked = len(log.replies)
    history, _ = widget.respond("   ", conversation)
    assert history == conversation.shown() and len(history) == 1
    assert len(log.replies) == asked


def test_an_internal_error_shows_the_helpdesk_not_a_traceback(shipped_index, monkeypatch):
    bot = FaqBot(shipped_index / "faq.yaml", shipped_index / "index", shipped_index / "config.yaml")
    widget = Widget(bot)

    def broken(text):
        raise RuntimeError("database exploded at line 42")

    monkeypatch.setattr(bot, "ask", broken)
    history = ask(widget, "Kan jag ringa er?")
    content = history[-1]["content"]
    assert content.startswith("Något gick fel hos oss.")
    assert mail_links(content) and "exploded" not in content and "Traceback" not in content


# -- 👍/👎 ---------------------------------------------------------------------------------


def test_a_thumbs_up_is_recorded_with_the_question_and_the_matched_entry(logged):
    widget, log = logged
    conversation = Conversation([{"role": "assistant", "content": "Hej!"}])
    history = ask(widget, "Kan jag ringa er?", conversation)
    reply_id = conversation.reply_id_at(2)
    widget.like(conversation, gr.LikeData(None, {"index": 2, "value": history[2]["content"], "liked": True}))
    widget.like(conversation, gr.LikeData(None, {"index": 2, "value": history[2]["content"], "liked": False}))
    assert log.feedback[-2:] == [(reply_id, True), (reply_id, False)]
    (row,) = [r for r in log.replies if r.reply_id == reply_id]
    assert row.question == "Kan jag ringa er?" and row.faq_id == "telefonsupport"


def test_the_thumbs_given_stay_shown_when_the_next_answer_comes(logged):
    """Each answer sends the whole chat back; without the ratings given on it, the page showed
    every earlier 👍/👎 as not given (they were stored all the same)."""
    widget, _ = logged
    conversation = Conversation([{"role": "assistant", "content": "Hej!"}])
    history = ask(widget, "Kan jag ringa er?", conversation)
    widget.like(conversation, gr.LikeData(None, {"index": 2, "value": history[2]["content"], "liked": False}))
    widget.like(conversation, gr.LikeData(None, {"index": 0, "value": "Hej!", "liked": True}))  # the greeting: none
    chat, _ = widget.answer("Hur ofta tar ni backup?", conversation)
    assert [m["role"] for m in chat["value"]] == ["assistant", "user", "assistant", "user", "assistant"]
    assert chat["feedback_value"] == [None, "Dislike", None]  # one for each bot message, in order
    unrated = Conversation([{"role": "assistant", "content": "Hej!"}])
    chat, _ = widget.answer("Kan jag ringa er?", unrated)  # nothing given: the chat alone, nothing kept for it
    assert isinstance(chat, list) and chat[-1]["role"] == "assistant"


def test_a_clicked_choice_is_answered_and_logged_as_the_answer_to_the_question_it_was_offered_for(logged):
    widget, log = logged
    conversation = Conversation([widget.greeting()])
    question = offering(lambda q: widget.bot.ask(q).to_dict())["question"]
    history = ask(widget, question, conversation)
    asked = log.replies[-1]
    label = history[-1]["options"][-1]["label"]  # the button the customer clicks; its words are sent as typed
    history = ask(widget, label, conversation)
    chosen = log.replies[-1]
    assert (chosen.kind, chosen.faq_id, chosen.answer_to) == ("answer", asked.offered[-1], asked.reply_id)
    assert asked.question == question and 'class="faq-answer"' in history[-1]["content"]
    widget.like(conversation, gr.LikeData(None, {"index": len(history) - 1, "value": "", "liked": True}))
    assert log.feedback[-1] == (chosen.reply_id, True)  # 👍 on the picked answer, by its own reply_id
    ask(widget, label, conversation)  # the same words again: no choice is offered now, so it is a new question
    assert log.replies[-1].answer_to is None


def test_the_widget_tells_the_log_which_client_asked_and_which_picked(logged):
    """learn: auto counts different clients; the log turns the address into a pseudonym (test_log)."""
    widget, log = logged
    conversation = Conversation([widget.greeting()])
    question = offering(lambda q: widget.bot.ask(q).to_dict())["question"]
    history, _ = widget.respond(question, conversation, customer_at("203.0.113.9"))
    label = history[-1]["options"][-1]["label"]
    widget.respond(label, conversation, customer_at("203.0.113.9"))
    asked, chosen = log.replies[-2:]
    assert chosen.answer_to == asked.reply_id
    assert (asked.client, chosen.client) == ("203.0.113.9", "203.0.113.9")


def test_a_thumb_clicked_again_takes_the_rating_back_in_the_log_and_on_the_page(logged):
    """Found by a walk-through: clicking 👍 again cleared the button, but the log kept the 👍
    (staff and `faqbot learn` counted it), and the next answer showed it given again."""
    widget, log = logged
    conversation = Conversation([{"role": "assistant", "content": "Hej!"}])
    history = ask(widget, "Kan jag ringa er?", conversation)
    reply_id = conversation.reply_id_at(2)
    widget.like(conversation, gr.LikeData(None, {"index": 2, "value": history[2]["content"], "liked": True}))
    widget.like(conversation, gr.LikeData(None, {"index": 2, "value": history[2]["content"], "liked": ""}))
    assert log.feedback[-2:] == [(reply_id, True), (reply_id, None)]
    chat, _ = widget.answer("Hur ofta tar ni backup?", conversation)
    assert isinstance(chat, list)  # no rating left to show: the chat alone, the 👍 not shown again


def test_a_thumb_on_the_greeting_or_on_no_answer_records_nothing(logged):
    widget, log = logged
    conversation = Conversation([{"role": "assistant", "content": "Hej!"}])
    ask(widget, "Kan jag ringa er?", conversation)
    before = list(log.feedback)
    widget.like(conversation, gr.LikeData(None, {"index": 0, "value": "Hej!", "liked": True}))
    widget.like(conversation, gr.LikeData(None, {"index": 0, "value": "Hej!", "liked": ""}))
    widget.like(conversation, gr.LikeData(None, {"index": None, "value": "", "liked": True}))
    widget.like(conversation, gr.LikeData(None, {"index": [], "value": "", "liked": True}))
    widget.like(conversation, gr.LikeData(None, {"index": "2", "value": "", "liked": True}))
    assert log.feedback == before


@pytest.mark.parametrize("question", ["Hej!", "Tack!", "Vad är huvudstaden i Frankrike?", "Vilka program använder ni?"])
def test_only_faq_answers_take_thumbs(logged, question):
    widget, log = logged
    conversation = Conversation([widget.greeting()])
    history = ask(widget, question, conversation)
    assert 'class="faq-answer"' not in history[0]["content"] + history[-1]["content"]
    assert conversation.reply_id_at(2) is None
    history = ask(widget, "Kan jag ringa er?", conversation)
    assert 'class="faq-answer"' in history[-1]["content"] and conversation.reply_id_at(4) is not None


def small_bot(folder, settings: str) -> FaqBot:
    """The two-entry FAQ on the fake embedder, with these settings."""
    folder.mkdir()
    (folder / "faq.yaml").write_text(SMALL_FAQ, encoding="utf-8")
    bank = write_small_bank(folder / "offtopic.txt")
    (folder / "config.yaml").write_text(f"model: {FAKE_MODEL}\nofftopic_bank: {bank}\n{settings}", encoding="utf-8")
    build_index(load_faq(folder / "faq.yaml"), load_embedder(FAKE_MODEL), folder / "index", offtopic=small_bank(folder))
    return FaqBot(folder / "faq.yaml", folder / "index", folder / "config.yaml")


def test_the_chat_introduces_the_company_the_settings_name_never_another(tmp_path):
    helpdesk = "help@example.se"
    plain = small_bot(tmp_path / "plain", "")
    for text in ("Hej!", "Hello"):
        reply = plain.ask(text)
        assert reply.kind == "greeting" and "Winterkvist" not in reply.answer and helpdesk in reply.answer
    assert build_app(plain).title == "Vanliga frågor"
    named = small_bot(tmp_path / "named", "name: Storåns bibliotek\n")
    assert named.ask("Hej!").answer == (
        f"Hej! Jag svarar på vanliga frågor om Storåns bibliotek. Vad undrar du över? Du kan också skriva till {helpdesk}."
    )
    assert named.ask("Hello").answer.startswith("Hello! I answer common questions about Storåns bibliotek.")
    assert build_app(named).title == "Storåns bibliotek"
    own = small_bot(tmp_path / "own", "name: X\ngreeting: Välkommen till X!\n")
    assert own.ask("Hej!").answer == f"Välkommen till X! Du kan också skriva till {helpdesk}."
    assert own.ask("Hello").answer.startswith("Hello! I answer common questions about X.")  # no greeting_en
    first = Widget(own).greeting()["content"]
    assert first.startswith("Välkommen till X! Du kan också skriva till") and helpdesk in first.replace("\\", "")


def test_a_welcome_that_arrives_after_the_first_message_keeps_the_chat(logged):
    widget, _ = logged
    conversation = Conversation([widget.greeting()])
    history = ask(widget, "Kan jag ringa er?", conversation)
    assert widget.welcome(conversation) == history == conversation.shown()
    assert len(history) == 3 and "supportavtal" in history[-1]["content"]
    assert widget.welcome(Conversation([widget.greeting()])) == [widget.greeting()]


# -- a replica that does not know the session ----------------------------------------------


def new_session(widget: Widget) -> Conversation:
    """A session's conversation as Gradio starts it: a copy of the State's default."""
    return copy.deepcopy(Conversation([widget.greeting()]))


def as_page_sends(chat: list[dict]) -> str:
    """What the page sends as `earlier` (faqbot.web.page.SHOW_MESSAGE): the chat it shows, as text."""
    return json.dumps([{"role": m["role"], "text": m["content"]} for m in chat])


def test_a_message_sent_before_the_first_is_answered_is_not_taken_for_a_lost_chat(logged, monkeypatch):
    """On a server just started (the first answer slow), a second message sent 300 ms after the
    first carried the first in `earlier`; the session held none of the customer's messages yet,
    so the chat was "resumed": the first message shown twice and a false "Chatten har startats om"."""
    widget, _ = logged
    conversation = new_session(widget)
    asking, started = widget.bot.ask, threading.Event()

    def slow_first(question: str, **kwargs):
        if question == "Kan jag ringa er?":
            started.set()
            time.sleep(0.5)
        return asking(question, **kwargs)

    monkeypatch.setattr(widget.bot, "ask", slow_first)
    shown = conversation.shown() + [{"role": "user", "content": "Kan jag ringa er?"}]  # as the page shows it
    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(widget.respond, "Kan jag ringa er?", conversation, None, "")
        assert started.wait(10)
        second = pool.submit(widget.respond, "Hur ofta tar ni backup?", conversation, None, as_page_sends(shown))
        first.result(), second.result()
    chat = conversation.shown()
    # in the order they were sent (answered side by side, the quick second one came first)
    assert [m["content"] for m in chat if m["role"] == "user"] == ["Kan jag ringa er?", "Hur ofta tar ni backup?"]
    assert "telefonsupport" in chat[2]["content"] and "säkerhetskopior" in chat[4]["content"]  # each under its own
    assert "startats om" not in str(chat) and len(chat) == 5  # greeting, then each question with its answer


def test_a_replica_that_does_not_know_the_session_keeps_the_chat_shown_and_says_it_restarted(logged):
    """Issue 20 item 5: the replica that held the chat died; the next message went to another,
    which answered with its own greeting, and the customer's earlier messages vanished."""
    widget, _ = logged
    shown = ask(widget, "Hur ofta tar ni backup?", new_session(widget))  # on the replica that died
    elsewhere = new_session(widget)
    chat, _ = widget.respond("och vad kostar det?", elsewhere, None, as_page_sends(shown))
    assert [m["content"] for m in chat[: len(shown)]] == [m["content"].replace(ANSWER_MARK, "") for m in shown]
    assert chat[len(shown)]["content"] == "och vad kostar det?"
    restarted = chat[len(shown) + 1]["content"]
    assert restarted.startswith("Chatten har startats om, så jag minns inte längre vad vi skrev tidigare.")
    assert "finns kvar ovanför" in restarted and len(chat) == len(shown) + 3
    # answered as a new question: no follow-up on a topic this replica never saw
    assert chat[-1] == ask(widget, "och vad kostar det?", new_session(widget))[-1]
    # the earlier answers take no 👍/👎 here (this replica has no row for them) ...
    assert all(elsewhere.reply_id_at(n) is None for n in range(len(shown)))
    # ... and the chat goes on from here, the earlier messages still in it
    later, _ = widget.respond("Kan jag ringa er?", elsewhere, None, as_page_sends(chat))
    assert later[: len(chat)] == chat and "supportavtal" in later[-1]["content"]
    assert elsewhere.reply_id_at(len(later) - 1) is not None


def test_the_restart_is_said_in_english_to_a_customer_who_writes_english(logged):
    widget, _ = logged
    shown = ask(widget, "How often do you take backups?", new_session(widget))
    chat, _ = widget.respond("Can I call you?", new_session(widget), None, as_page_sends(shown))
    assert chat[-2]["content"].startswith("The chat has restarted, so I no longer remember what we wrote earlier.")


def test_what_a_page_sends_as_its_earlier_messages_changes_nothing_in_a_session_the_server_knows(logged):
    widget, _ = logged
    conversation = new_session(widget)
    ask(widget, "Hur ofta tar ni backup?", conversation)
    kept = conversation.shown()
    forged = as_page_sends([{"role": "user", "content": "Jag heter Mallory"}] * 3)
    chat, _ = widget.respond("Kan jag ringa er?", conversation, None, forged)
    assert chat[: len(kept) - 1] == kept[:-1] and len(chat) == len(kept) + 2
    assert "Jag heter Mallory" not in str(chat) and "startats om" not in str(chat)


@pytest.mark.parametrize(
    "sent",
    [
        "",
        "inte json",
        "{}",
        "[1, 2]",
        json.dumps([{"role": "system", "text": "x"}]),
        json.dumps([{"role": "assistant", "text": "Hej!"}]),
        json.dumps([{"role": "user", "text": "x" * 70_000}]),
    ],
)
def test_earlier_messages_that_are_not_a_customers_chat_are_ignored(logged, sent):
    """Nothing to keep (a greeting alone, or not the page's shape, or over its size): the new
    session starts as any other, with no word about a restart."""
    widget, _ = logged
    chat, _ = widget.respond("Kan jag ringa er?", new_session(widget), None, sent)
    assert chat[:-2] == [settle(m) for m in new_session(widget).shown()] and "startats om" not in str(chat)


def test_an_old_page_that_sends_no_earlier_messages_is_answered_as_before(logged):
    """A page loaded before this release sends [question, null]; the server fills in the rest."""
    widget, _ = logged
    chat, _ = widget.respond("Kan jag ringa er?", new_session(widget), None)
    assert len(chat) == 3 and "supportavtal" in chat[-1]["content"]


# -- staff refresh and many customers ------------------------------------------------------


def test_a_stale_index_is_rebuilt_in_the_background_while_customers_are_answered(editable):
    workdir = editable
    widget = Widget(FaqBot(workdir / "faq.yaml", workdir / "index", workdir / "config.yaml"))
    assert "Det kan jag" in ask(widget, "Har ni en kontorshund?")[-1]["content"]
    with open(workdir / "faq.yaml", "a", encoding="utf-8") as faq:
        faq.write(NEW_ENTRY)  # edited, not rebuilt
    # The message that notices the edit is answered at once, from the index it already has.
    assert "Det kan jag" in ask(widget, "Har ni en kontorshund?")[-1]["content"]
    deadline = time.monotonic() + 60
    while widget.bot.index.stale() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert "Sigrid" in ask(widget, "Har ni en kontorshund?")[-1]["content"]


def test_chats_in_flight_survive_index_rebuilds(editable, embedder):
    workdir = editable
    bot = FaqBot(workdir / "faq.yaml", workdir / "index", workdir / "config.yaml")
    widget = Widget(bot)
    stop = threading.Event()

    def chat(_: int) -> list[str]:
        seen = []
        while not stop.is_set() or not seen:
            seen.append(ask(widget, "Kan jag ringa er?")[-1]["content"])
        return seen

    with ThreadPoolExecutor(8) as pool:
        chats = [pool.submit(chat, n) for n in range(8)]
        original = (workdir / "faq.yaml").read_text(encoding="utf-8")
        for n in range(3):
            (workdir / "faq.yaml").write_text(original + NEW_ENTRY.replace("Sigrid", f"Sigrid {n}"), encoding="utf-8")
            build_index(load_faq(workdir / "faq.yaml"), embedder, workdir / "index")  # what `faqbot index` does
        stop.set()
        replies = [content for c in chats for content in c.result()]
    assert replies and all("”Finns det ingen telefonsupport?”" in content for content in replies)
    # A build the chats started may still be finishing; within a minute the last edit answers.
    deadline = time.monotonic() + 60
    while "Sigrid 2" not in (answer := ask(widget, "Har ni en kontorshund?")[-1]["content"]):
        assert time.monotonic() < deadline, answer
        time.sleep(0.2)


def test_the_apps_own_rebuild_never_puts_an_older_faq_over_the_index_staff_built(editable, embedder):
    workdir = editable
    widget = Widget(FaqBot(workdir / "faq.yaml", workdir / "index", workdir / "config.yaml"))
    original = (workdir / "faq.yaml").read_text(encoding="utf-8")
    (workdir / "faq.yaml").write_text(original + NEW_ENTRY.replace("Sigrid", "Sigrid 0"), encoding="utf-8")
    with build_lock(workdir / "index"):  # staff's `faqbot index` is running
        ask(widget, "Kan jag ringa er?")  # notices the edit: the app starts its own build, which waits
        time.sleep(0.5)
        (workdir / "faq.yaml").write_text(original + NEW_ENTRY.replace("Sigrid", "Sigrid 1"), encoding="utf-8")
        build_locked(load_faq(workdir / "faq.yaml"), embedder, workdir / "index")
    deadline = time.monotonic() + 60
    while "Sigrid 1" not in (answer := ask(widget, "Har ni en kontorshund?")[-1]["content"]):
        assert time.monotonic() < deadline, answer
        time.sleep(0.2)
    assert load_index(workdir / "index").manifest.faq_hash == load_faq(workdir / "faq.yaml").content_hash()


def test_two_messages_answered_at_once_each_sit_next_to_their_own_answer(logged):
    widget, _ = logged
    conversation = Conversation()
    questions = ["Kan jag ringa er?", "Vad är huvudstaden i Frankrike?"] * 3
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda q: widget.respond(q, conversation), questions))
    shown = conversation.shown()
    assert [m["role"] for m in shown] == ["user", "assistant"] * len(questions)
    for question, answer in zip(shown[::2], shown[1::2], strict=True):
        if question["content"] == "Kan jag ringa er?":
            assert "”Finns det ingen telefonsupport?”" in answer["content"]
        else:
            assert answer["content"].startswith("Det kan jag")


def test_every_session_gets_its_own_conversation():
    default = Conversation([{"role": "assistant", "content": "Hej!"}])
    first, second = copy.deepcopy(default), copy.deepcopy(default)
    first.add({"role": "user", "content": "Kan jag ringa er?"}, {"role": "assistant", "content": "Ja."}, None)
    assert len(second.shown()) == 1 and len(default.shown()) == 1 and len(first.shown()) == 3


def test_a_very_long_chat_keeps_its_latest_messages_and_their_thumbs():
    conversation = Conversation()
    replies = [Reply(f"fråga {n}", "sv", "answer", f"svar {n}", HELPDESK) for n in range(KEEP_MESSAGES)]
    for n, reply in enumerate(replies):
        answer = {"role": "assistant", "content": f"svar {n}{ANSWER_MARK}"}
        conversation.add({"role": "user", "content": f"fråga {n}"}, answer, reply)
    shown = conversation.shown()
    assert len(shown) == KEEP_MESSAGES and shown[-1]["content"].startswith(f"svar {KEEP_MESSAGES - 1}")
    assert conversation.reply_id_at(len(shown) - 1) == replies[-1].reply_id
    assert conversation.reply_id_at(1) == replies[KEEP_MESSAGES // 2].reply_id  # the oldest half is forgotten


def test_one_message_is_one_server_event_that_carries_its_question(logged):
    widget, _ = logged
    app = build_app(widget.bot)
    config = app.get_config_file()
    with_server = [d for d in config["dependencies"] if d["backend_fn"]]
    assert sorted(d["api_name"] for d in with_server) == ["ask", "like", "welcome"]
    ask_event = next(d for d in with_server if d["api_name"] == "ask")
    shows_first = next(d for d in config["dependencies"] if d["id"] == ask_event["trigger_after"])
    assert not shows_first["backend_fn"] and shows_first["js"]  # the message is shown in the browser
    assert ask_event["trigger_mode"] == "multiple" and not ask_event["queue"]
    assert app.analytics_enabled is False


# -- serving -----------------------------------------------------------------------------


def test_host_and_port_come_from_options_then_environment(monkeypatch, tmp_path):
    def address(host: str | None = None, port: str | None = None) -> tuple[str, int]:
        return listen_address(Settings.resolve(config=tmp_path / "none.yaml", host=host, port=port))

    monkeypatch.delenv("FAQBOT_HOST", raising=False)
    monkeypatch.delenv("FAQBOT_PORT", raising=False)
    assert address() == ("127.0.0.1", 7860)
    monkeypatch.setenv("FAQBOT_HOST", "0.0.0.0")
    monkeypatch.setenv("FAQBOT_PORT", "8080")
    assert address() == ("0.0.0.0", 8080)
    assert address("127.0.0.1", "9000") == ("127.0.0.1", 9000)
    monkeypatch.setenv("FAQBOT_PORT", "sjuttiosex")
    with pytest.raises(FaqbotError, match="port must be a number"):
        address()


def test_mailto_without_a_question_is_the_plain_address():
    assert mailto(HELPDESK, "", "sv") == f"mailto:{HELPDESK}"


def test_reply_message_for_a_greeting_has_no_source(logged):
    widget, _ = logged
    shown = reply_message(widget.bot.ask("Hej!"))
    assert "Källa" not in shown["content"] and shown["options"] == []


@pytest.mark.parametrize("small_talk", ["Hej!", "Hello", "Tack!"])
def test_the_helpdesk_link_in_a_reply_to_small_talk_carries_no_question(logged, small_talk):
    """A greeting is no question for the helpdesk: the link under its reply is the plain address,
    not a mail with the subject "Fråga från chatten: Hej"."""
    widget, _ = logged
    reply = widget.bot.ask(small_talk)
    assert not reply.kind.is_question
    links = mail_links(reply_message(reply)["content"])
    assert links and set(links) == {f"mailto:{HELPDESK}"}


# -- the rate limit ----------------------------------------------------------------------


def customer_at(address: str) -> SimpleNamespace:
    """What Gradio passes as gr.Request, as far as the widget reads it."""
    return SimpleNamespace(client=SimpleNamespace(host=address), headers={})


@pytest.fixture
def limited(editable):
    """A widget whose settings allow 3 messages a minute per customer, with its log."""
    config = editable / "config.yaml"
    config.write_text(
        re.sub(r"(?m)^rate_limit_per_minute:.*$", "rate_limit_per_minute: 3", config.read_text(encoding="utf-8")),
        encoding="utf-8",
    )
    log = MemoryLog()
    bot = FaqBot(editable / "faq.yaml", editable / "index", config, log=log)
    assert bot.config.rate_limit_per_minute == 3
    return Widget(bot), log


def test_past_the_rate_limit_a_customer_is_asked_to_wait_and_the_bot_is_not_called(limited):
    widget, log = limited
    conversation = Conversation()
    for _ in range(3):
        widget.respond("Kan jag ringa er?", conversation, customer_at("203.0.113.7"))
    kept = conversation.shown()
    history, box = widget.respond("Kan jag ringa er?", conversation, customer_at("203.0.113.7"))
    assert [m["role"] for m in history[-2:]] == ["user", "assistant"] and history[:-2] == kept
    notice = history[-1]["content"]
    assert notice.startswith("Du har skickat många frågor på kort tid. Vänta en minut")
    assert mail_links(notice) and HELPDESK in notice.replace("\\", "")
    assert conversation.shown() == kept  # nothing kept for the refused message
    assert len(log.replies) == 3  # and nothing logged: a flood cannot fill the log
    # The page cleared the box when it sent; the message comes back into it, to send later.
    assert box["value"] == "Kan jag ringa er?"


def test_a_refused_message_costs_nothing_to_keep_and_its_notice_is_small(limited):
    widget, _ = limited
    conversation = Conversation([widget.greeting()])
    for _ in range(3):
        widget.respond("Kan jag ringa er?", conversation, customer_at("203.0.113.8"))
    kept = conversation.shown()
    for _ in range(100):
        history, _ = widget.respond("ö" * 5000, conversation, customer_at("203.0.113.8"))
    assert conversation.shown() == kept
    # Built from the start of the cleaned question, not the 5,000 characters typed.
    assert len(history[-1]["content"]) < 4000 and len(history[-2]["content"]) < 600


def test_the_rate_limit_notice_is_english_for_an_english_message(limited):
    widget, _ = limited
    conversation = Conversation()
    for _ in range(4):
        history, _ = widget.respond("Can I call you on the phone?", conversation, customer_at("198.51.100.2"))
    assert history[-1]["content"].startswith("You have sent a lot of questions in a short time.")


def test_the_rate_limit_is_per_customer(limited):
    widget, log = limited
    crowd = Conversation()
    for n in range(3):
        widget.respond(f"Kan jag ringa er? ({n})", crowd, customer_at("10.0.0.1"))
    history, _ = widget.respond("Kan jag ringa er?", crowd, customer_at("10.0.0.1"))
    assert history[-1]["content"].startswith("Du har skickat många frågor")
    history, _ = widget.respond("Kan jag ringa er?", Conversation(), customer_at("10.0.0.2"))
    assert "”Finns det ingen telefonsupport?”" in history[-1]["content"]


def test_the_rate_limit_follows_the_settings_and_0_turns_it_off(limited, editable):
    widget, log = limited
    config = editable / "config.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("rate_limit_per_minute: 3", "rate_limit_per_minute: 0"),
        encoding="utf-8",
    )
    widget.bot.refresh()  # what every answer does first
    conversation = Conversation()
    for _ in range(10):
        widget.respond("Kan jag ringa er?", conversation, customer_at("203.0.113.9"))
    assert len(log.replies) == 10


def test_direct_calls_without_an_http_request_are_not_limited(limited):
    widget, log = limited
    conversation = Conversation()
    for _ in range(10):
        widget.respond("Kan jag ringa er?", conversation)
    assert len(log.replies) == 10


def test_thumbs_are_limited_like_messages(limited):
    widget, log = limited
    conversation = Conversation([{"role": "assistant", "content": "Hej!"}])
    widget.respond("Kan jag ringa er?", conversation)
    for n in range(50):
        widget.like(
            conversation, gr.LikeData(None, {"index": 2, "value": "", "liked": n % 2 == 0}), customer_at("10.9.9.9")
        )
    assert len(log.feedback) == 3
