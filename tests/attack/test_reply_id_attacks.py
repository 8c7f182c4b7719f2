"""Forging signals: a customer's picked choice and 👍/👎 must come from that customer's own reply.

Issue 18 item 1. `reply_id`s used to be consecutive row numbers, so anyone could rate anyone's
reply, and a click on a choice could be logged as any question. Now an id is 128 random bits:

- a reply_id no reply has (guessed, forged, or from another server) is 404, and nothing is logged;
- an entry the reply did not offer cannot be "picked" under it (400): nobody can tie a
  customer's question to an entry of their own choosing;
- ids are not sequential and share nothing a guesser could walk;
- in the widget the reply_id lives in the session on the server: another session sending the
  same words gets an ordinary answer, not a pick under someone else's reply.

In-process (FastAPI's TestClient, the widget's handlers) over the shipped FAQ.
"""

from __future__ import annotations

import base64
import os

import pytest
from fastapi.testclient import TestClient

from faqbot import FaqBot
from faqbot.errors import ChoiceRefusedError, UnknownReplyError
from faqbot.web.api import create_api
from faqbot.web.ratelimit import RateLimiter
from faqbot.web.widget import Conversation, Widget
from tests.fakes import MemoryLog, offering


@pytest.fixture(scope="module")
def logged(shipped_index):
    log = MemoryLog()
    return FaqBot(shipped_index / "faq.yaml", shipped_index / "index", shipped_index / "config.yaml", log=log), log


@pytest.fixture
def served(logged):
    """The bot, its log, and the API with a fresh per-client budget (20 requests a minute)."""
    bot, log = logged
    return bot, log, TestClient(create_api(bot, RateLimiter()))


def ask(client: TestClient, question: str) -> dict:
    return client.post("/api/ask", json={"question": question}).json()


def test_reply_ids_are_random_128_bit_strings_not_a_sequence(served):
    bot, _, client = served
    ids = [ask(client, "Kan jag ringa er?")["reply_id"] for _ in range(5)] + [
        bot.ask("Kan jag ringa er?").reply_id for _ in range(35)
    ]
    assert len(set(ids)) == 40
    decoded = [base64.urlsafe_b64decode(i + "=" * (-len(i) % 4)) for i in ids]
    assert all(len(raw) == 16 for raw in decoded)  # 128 bits each
    numbers = [int.from_bytes(raw) for raw in decoded]
    assert sorted(numbers) != numbers or sorted(numbers, reverse=True) != numbers  # not increasing, not decreasing
    assert len({i[:4] for i in ids}) > 30  # no shared prefix a guesser could keep


def test_a_forged_reply_id_is_404_and_nothing_is_logged(served):
    _, log, client = served
    before = len(log.replies), len(log.feedback)
    forged = [base64.urlsafe_b64encode(os.urandom(16)).decode().rstrip("="), "1", "2", "AAAAAAAAAAAAAAAAAAAAAA"]
    for reply_id in forged:
        choice = client.post("/api/choice", json={"reply_id": reply_id, "faq_id": "telefonsupport"})
        rating = client.post("/api/feedback", json={"reply_id": reply_id, "liked": False})
        assert (choice.status_code, rating.status_code) == (404, 404)
        assert "reply_id" in choice.json()["message"]
    assert (len(log.replies), len(log.feedback)) == before


@pytest.mark.parametrize("liked", ["yes", "true", 1, 0, "0", None, [True], {"liked": True}])
def test_a_rating_must_be_true_or_false_nothing_coerced_into_one(served, liked):
    """`liked` was read leniently: "yes", "true" and 1 counted as a 👍, which a customer never
    gave (docs/api.md allows true and false). Anything else is 400 and nothing is recorded."""
    _, log, client = served
    reply_id = ask(client, "Kan jag ringa er?")["reply_id"]
    before = len(log.feedback)
    response = client.post("/api/feedback", json={"reply_id": reply_id, "liked": liked})
    assert response.status_code == 400 and response.json()["error"] == "bad_request"
    assert "liked" in response.json()["message"]
    assert len(log.feedback) == before
    assert client.post("/api/feedback", json={"reply_id": reply_id, "liked": True}).status_code == 200


def test_an_entry_the_reply_did_not_offer_cannot_be_picked_under_it(served):
    bot, log, client = served
    offered = offering(lambda q: ask(client, q))
    not_offered = next(e.id for e in bot.entries if e.id not in {s["faq_id"] for s in offered["suggestions"]})
    answered_with = offered["faq_id"]  # the entry that answered is not a choice either
    before = len(log.replies)
    for faq_id in filter(None, (not_offered, answered_with, "no-such-entry")):
        response = client.post("/api/choice", json={"reply_id": offered["reply_id"], "faq_id": faq_id})
        assert response.status_code == 400 and response.json()["error"] == "not_offered"
    assert len(log.replies) == before
    with pytest.raises(ChoiceRefusedError):
        bot.choose(offered["reply_id"], not_offered)
    with pytest.raises(UnknownReplyError):
        bot.choose("nobody-got-this-id", not_offered)


@pytest.mark.parametrize(
    "body",
    [
        {"reply_id": "x" * 5000, "faq_id": "backup"},
        {"reply_id": "../../etc/passwd", "faq_id": "backup"},
        {"reply_id": "A" * 22, "faq_id": "x" * 5000},
        {"reply_id": "A" * 22, "faq_id": "Backup'; DROP TABLE conversations;--"},
        {"reply_id": ["A" * 22], "faq_id": "backup"},
    ],
)
def test_oversized_or_odd_ids_are_400_before_anything_is_looked_up(served, body):
    _, _, client = served
    response = client.post("/api/choice", json=body)
    assert response.status_code == 400 and response.json()["error"] == "bad_request"


def test_one_widget_session_cannot_pick_under_another_sessions_reply(served):
    bot, log, _ = served
    widget = Widget(bot)
    first, second = Conversation(), Conversation()
    offered = offering(lambda q: bot.ask(q).to_dict())
    widget.respond(offered["question"], first)
    label = first.offer[1] and next(iter(first.offer[1]))  # the first choice's words, as its button shows them
    widget.respond(label, second)  # the same words from another session
    assert log.replies[-1].answer_to is None  # asked as typed, not a pick under the first session's reply
    widget.respond(label, first)  # the session that was offered it: a pick, linked
    assert log.replies[-1].answer_to == first_reply_id(log, offered["question"])


def first_reply_id(log: MemoryLog, question: str) -> str:
    return [r.reply_id for r in log.replies if r.question == question][-1]
