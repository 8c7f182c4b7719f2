"""The JSON API: the same answers as `faqbot ask --json`, the same limit and log as the widget.

The first part calls the API in-process (FastAPI's TestClient over faqbot.web.api); the slow
part starts the real `python app.py` and compares it with the real `faqbot ask --json`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest
from fastapi.testclient import TestClient

from faqbot import FaqBot, build_index, load_faq
from faqbot.bot import MAX_MESSAGE_CHARS
from faqbot.web.api import MAX_BODY_BYTES, create_api
from faqbot.web.ratelimit import RateLimiter
from faqbot.web.server import create_app
from faqbot.web.widget import Conversation, Widget
from tests.conftest import HELPDESK, ROOT
from tests.fakes import MemoryLog, offering, small_bank
from tests.harness import running_app


def bot_over(folder: Path, log=None) -> FaqBot:
    return FaqBot(folder / "faq.yaml", folder / "index", folder / "config.yaml", log=log)


@pytest.fixture(scope="module")
def logged(shipped_index):
    log = MemoryLog()
    return bot_over(shipped_index, log), log


@pytest.fixture
def client(logged):
    bot, _ = logged
    return TestClient(create_api(bot, RateLimiter()))


# -- answers ----------------------------------------------------------------------------


def test_a_question_gets_the_cli_object_and_the_id_of_its_log_row(client, logged):
    bot, log = logged
    response = client.post("/api/ask", json={"question": "Kan jag ringa er?"})
    assert response.status_code == 200
    body = response.json()
    assert body["kind"] == "answer" and body["faq_id"] == "telefonsupport"
    assert isinstance(body["reply_id"], str) and len(body["reply_id"]) >= 20
    assert log.replies[-1].reply_id == body["reply_id"] and log.replies[-1].question == "Kan jag ringa er?"
    expected = bot_over_same(bot).ask("Kan jag ringa er?").to_dict()
    assert {k: v for k, v in body.items() if k != "reply_id"} == expected


def bot_over_same(bot: FaqBot) -> FaqBot:
    """A second bot over the same files, without a log (its replies have no log row)."""
    return FaqBot(bot.faq_path, bot.index_dir, bot.config_path)


def test_a_lone_surrogate_in_the_previous_question_is_read_as_in_the_question(client):
    """Found by a red-team helper: in `question` it was read as a space and answered; in
    `previous` the same character was a 400."""
    body = '{"question": "och vad kostar det?", "previous": "Hur ofta tar ni \\ud800 backup?"}'
    reply = client.post("/api/ask", content=body, headers={"content-type": "application/json"})
    assert reply.status_code == 200 and reply.json()["kind"] in ("answer", "choices", "helpdesk")


def test_the_language_can_be_chosen_by_the_caller(client):
    swedish = client.post("/api/ask", json={"question": "Kan jag ringa er?"}).json()
    english = client.post("/api/ask", json={"question": "Kan jag ringa er?", "language": "en"}).json()
    assert swedish["language"] == "sv" and english["language"] == "en"
    assert english["answer"].startswith("Our FAQ is in Swedish")
    assert english["faq_id"] == swedish["faq_id"] == "telefonsupport"


def test_feedback_is_recorded_on_the_reply(client, logged):
    _, log = logged
    reply_id = client.post("/api/ask", json={"question": "Hur ofta tar ni backup?"}).json()["reply_id"]
    response = client.post("/api/feedback", json={"reply_id": reply_id, "liked": False})
    assert response.status_code == 200 and response.json() == {"reply_id": reply_id, "liked": False}
    assert log.feedback[-1] == (reply_id, False)


@pytest.mark.parametrize(
    "question, kind", [("Hej", "greeting"), ("Vad kostar en ny bil?", "helpdesk"), ("Tack!", "thanks")]
)
def test_only_an_answer_is_rated(client, logged, question, kind):
    """Found by a walk-through: a 👍 on the greeting and on a helpdesk reply were taken and counted
    among the answers' 👍 in `faqbot report`; the widget shows thumbs under answers only."""
    _, log = logged
    reply = client.post("/api/ask", json={"question": question}).json()
    assert reply["kind"] == kind
    rated = len(log.feedback)
    response = client.post("/api/feedback", json={"reply_id": reply["reply_id"], "liked": True})
    assert response.status_code == 400 and response.json()["error"] == "not_an_answer"
    assert f"that reply was {kind}" in response.json()["message"] and len(log.feedback) == rated


def test_a_picked_choice_answers_with_that_entry_and_is_linked_to_its_question(client, logged):
    _, log = logged
    offered = offering(lambda q: client.post("/api/ask", json={"question": q}).json())
    picked = offered["suggestions"][-1]
    response = client.post("/api/choice", json={"reply_id": offered["reply_id"], "faq_id": picked["faq_id"]})
    assert response.status_code == 200
    chosen = response.json()
    assert (chosen["kind"], chosen["resolved"], chosen["faq_id"]) == ("answer", True, picked["faq_id"])
    assert chosen["language"] == offered["language"] and chosen["suggestions"] == []
    assert chosen["reply_id"] != offered["reply_id"] and set(chosen) == set(offered)
    row = log.replies[-1]
    assert (row.reply_id, row.faq_id, row.answer_to) == (chosen["reply_id"], picked["faq_id"], offered["reply_id"])
    (asked,) = [r for r in log.replies if r.reply_id == row.answer_to]
    assert asked.question == offered["question"]  # the customer's question, now confirmed for that entry
    assert client.post("/api/feedback", json={"reply_id": chosen["reply_id"], "liked": True}).status_code == 200


def test_a_reply_id_no_reply_has_is_404_for_choice_and_feedback(client):
    unknown = "A" * 22
    for route, body in (("/api/choice", {"faq_id": "backup"}), ("/api/feedback", {"liked": True})):
        response = client.post(route, json={"reply_id": unknown, **body})
        assert response.status_code == 404 and response.json()["error"] == "unknown_reply"


def test_a_reply_of_another_server_while_the_database_is_away_is_503_not_404(shipped_index):
    """Found by a walk-through with two replicas: PostgreSQL stopped, a 👍 or pick that nginx sent
    to the other replica was refused as an unknown reply (404) and lost. It is 503 with
    Retry-After: the reply cannot be found now, not never."""
    from faqbot.errors import LogUnavailableError

    class AwayLog(MemoryLog):
        def lookup(self, reply_id):
            raise LogUnavailableError("the conversation log cannot be read now: connection refused")

    other_server = TestClient(create_api(bot_over(shipped_index), RateLimiter()))
    asked = other_server.post("/api/ask", json={"question": "Hur ofta tar ni backup?"}).json()
    this_server = TestClient(create_api(bot_over(shipped_index, AwayLog()), RateLimiter()))
    for route, body in (("/api/feedback", {"liked": True}), ("/api/choice", {"faq_id": "backup"})):
        response = this_server.post(route, json={"reply_id": asked["reply_id"], **body})
        assert response.status_code == 503 and response.json()["error"] == "log_unavailable", route
        assert response.headers["Retry-After"] == "10" and "try again" in response.json()["message"]


def test_a_choice_counts_against_the_question_budget(tmp_path, shipped_index):
    bot = bot_over(write_settings(tmp_path, shipped_index, "rate_limit_per_minute: 2"))
    client = TestClient(create_api(bot, RateLimiter()))
    offered = client.post("/api/ask", json={"question": "Kan ni hjälpa mig med appen?"}).json()
    body = {"reply_id": offered["reply_id"], "faq_id": "telefonsupport"}
    assert client.post("/api/choice", json=body).status_code in (200, 400)
    assert client.post("/api/choice", json=body).status_code == 429


def test_feedback_without_a_log_says_so(shipped_index):
    client = TestClient(create_api(bot_over(shipped_index), RateLimiter()))
    reply_id = client.post("/api/ask", json={"question": "Kan jag ringa er?"}).json()["reply_id"]
    response = client.post("/api/feedback", json={"reply_id": reply_id, "liked": True})
    assert response.status_code == 409 and "log_enabled" in response.json()["message"]


def test_health_names_the_index_and_the_log(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["index"]["entries"] == 14 and body["log"] == "on"
    assert re.fullmatch(r"\S+/[0-9a-f]+", body["index"]["version"])


def test_health_is_503_without_an_index(shipped_index, monkeypatch):
    bot = bot_over(shipped_index)
    monkeypatch.setattr(type(bot), "entries", property(lambda self: (_ for _ in ()).throw(OSError("gone"))))
    response = TestClient(create_api(bot)).get("/healthz")
    assert response.status_code == 503 and response.json()["status"] == "unavailable"


def test_health_says_degraded_while_the_log_database_is_away_and_503_only_when_asked(small):
    """Every replica shares the log's database: a routing check must not take them all out with it."""
    log = MemoryLog()
    client = TestClient(create_api(bot_over(small, log), RateLimiter()))
    log.reachable = lambda: False
    routing, monitoring = client.get("/healthz"), client.get("/healthz?log=required")
    assert (routing.status_code, routing.json()["status"], routing.json()["log"]) == (200, "degraded", "unreachable")
    assert (monitoring.status_code, monitoring.json()["status"]) == (503, "degraded")
    log.reachable = lambda: True
    monitoring = client.get("/healthz?log=required")
    assert (monitoring.status_code, monitoring.json()["status"], monitoring.json()["log"]) == (200, "ok", "on")


def test_health_says_when_an_faq_edit_was_refused_and_the_last_good_faq_answers(small, fake_embedder):
    build_index(load_faq(small / "faq.yaml"), fake_embedder, small / "index", offtopic=small_bank(small))
    bot = bot_over(small)
    client = TestClient(create_api(bot, RateLimiter()))
    assert client.get("/healthz").json()["faq"] == "ok"
    good = (small / "faq.yaml").read_text(encoding="utf-8")
    (small / "faq.yaml").write_text(good + "  - id: trasig\n    question: Saknar svar?\n", encoding="utf-8")
    body = client.get("/healthz").json()  # no question asked in between: the check itself notices the edit
    assert body["status"] == "ok" and body["faq"].startswith("refused: ") and "faq.yaml:" in body["faq"]
    assert "trasig" in body["faq"]  # names the entry staff must fix
    assert client.post("/api/ask", json={"question": "Kan jag ringa er?"}).json()["faq_id"] == "phone"
    (small / "faq.yaml").write_text(good, encoding="utf-8")
    bot.refresh()
    assert client.get("/healthz").json()["faq"] == "ok"


def test_the_openapi_description_names_the_endpoints_and_models(client):
    spec = client.get("/api/openapi.json").json()
    assert {"/api/ask", "/api/feedback", "/healthz"} <= set(spec["paths"])
    schemas = spec["components"]["schemas"]
    assert {"question", "language"} <= set(schemas["AskRequest"]["properties"])
    assert schemas["AskRequest"]["properties"]["question"]["maxLength"] == MAX_MESSAGE_CHARS
    assert {"resolved", "kind", "faq_id", "answer", "suggestions", "reply_id"} <= set(
        schemas["AskResponse"]["properties"]
    )
    responses = spec["paths"]["/api/ask"]["post"]["responses"]
    assert {"200", "400", "413", "429"} <= set(responses) and "422" not in responses  # bad input is 400 here


# -- bad input ------------------------------------------------------------------------------

BAD = {
    "not json": (b"Kan jag ringa er?", "must be a JSON object"),
    "broken json": (b'{"question": "Kan jag', "must be a JSON object"),
    "a list": (b'["Kan jag ringa er?"]', "must be a JSON object"),
    "no question": (b'{"language": "sv"}', "'question' is missing"),
    "empty question": (b'{"question": ""}', "the question is empty"),
    "blank question": (b'{"question": "  \\n "}', "the question is empty"),
    "invisible question": ('{"question": "\u2028\u200b\u3000 \\t\\u200b"}'.encode(), "the question is empty"),
    "a number": (b'{"question": 42}', "'question'"),
    "null": (b'{"question": null}', "'question'"),
    "over 2,000 characters": (json.dumps({"question": "a" * 2001}).encode(), "longer than 2,000 characters"),
    "unknown language": (b'{"question": "Hej", "language": "de"}', "'language'"),
}


@pytest.mark.parametrize("name", list(BAD))
def test_bad_input_is_400_with_a_message(client, logged, name):
    body, said = BAD[name]
    before = len(logged[1].replies)
    response = client.post("/api/ask", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.json()["error"] == "bad_request" and said in response.json()["message"]
    assert len(logged[1].replies) == before  # nothing reached the bot or the log


def test_a_question_at_the_bots_limit_is_read_whole(client):
    question = "Vi har haft vår hemsida hos er sedan 2019. " * 45 + "Hur ofta tar ni backup?"
    question += " " * (MAX_MESSAGE_CHARS - len(question))
    response = client.post("/api/ask", json={"question": question})
    assert response.status_code == 200 and response.json()["faq_id"] == "backup"
    assert "läste bara" not in response.json()["answer"]


def test_a_large_body_is_413_and_not_read(client):
    response = client.post("/api/ask", content=b"{" + b" " * MAX_BODY_BYTES + b"}")
    assert response.status_code == 413 and response.json()["error"] == "too_large"


def test_bad_feedback_is_400(client):
    for body in (
        {"reply_id": "x" * 65, "liked": True},
        {"reply_id": "abc"},
        {"reply_id": 3, "liked": False},
        {"reply_id": "ab/../cd", "liked": False},
    ):
        assert client.post("/api/feedback", json=body).status_code == 400


# -- the rate limit -------------------------------------------------------------------------


def write_settings(folder: Path, shipped_index: Path, *lines: str) -> Path:
    shutil.copy(shipped_index / "faq.yaml", folder / "faq.yaml")
    shutil.copytree(shipped_index / "index", folder / "index")
    text = (shipped_index / "config.yaml").read_text(encoding="utf-8")
    for line in lines:
        key = line.split(":")[0]
        text = re.sub(rf"(?m)^{key}:.*\n?", "", text) + line + "\n"
    (folder / "config.yaml").write_text(text, encoding="utf-8")
    return folder


def test_past_the_limit_the_api_says_429_with_retry_after(tmp_path, shipped_index):
    bot = bot_over(write_settings(tmp_path, shipped_index, "rate_limit_per_minute: 3"))
    client = TestClient(create_api(bot, RateLimiter()))
    codes = [client.post("/api/ask", json={"question": "Kan jag ringa er?"}).status_code for _ in range(3)]
    refused = client.post("/api/ask", json={"question": "Can I call you?"})
    assert codes == [200, 200, 200] and refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    body = refused.json()
    assert body["error"] == "rate_limited" and body["retry_after"] == int(refused.headers["Retry-After"])
    assert body["message"].startswith("You have sent a lot of questions") and HELPDESK in body["message"]


def test_a_choice_or_rating_past_the_limit_is_refused_in_its_customers_language(tmp_path, shipped_index):
    """Found by a walk-through: past the limit, /api/choice under an English reply said "Du har
    skickat många frågor", and /api/ask with "language": "en" too when its words read as Swedish."""
    bot = bot_over(write_settings(tmp_path, shipped_index, "rate_limit_per_minute: 2"))
    client = TestClient(create_api(bot, RateLimiter()))
    english = client.post("/api/ask", json={"question": "How do you charge for support?"}).json()
    swedish = client.post("/api/ask", json={"question": "Hur debiterar ni för support?"}).json()
    assert english["language"] == "en" and swedish["language"] == "sv"
    for reply, words in ((english, "You have sent a lot of questions"), (swedish, "Du har skickat många frågor")):
        picked = client.post("/api/choice", json={"reply_id": reply["reply_id"], "faq_id": "debitering"})
        assert picked.status_code == 429 and picked.json()["message"].startswith(words)
    told = client.post("/api/ask", json={"question": "Kan jag ringa er?", "language": "en"})
    assert told.status_code == 429 and told.json()["message"].startswith("You have sent a lot of questions")


def test_the_widget_and_the_api_share_one_budget_per_customer(tmp_path, shipped_index):
    bot = bot_over(write_settings(tmp_path, shipped_index, "rate_limit_per_minute: 2"))
    limiter = RateLimiter()
    widget = Widget(bot, limiter)
    client = TestClient(create_api(bot, limiter))  # TestClient's address is "testclient"
    request = SimpleNamespace(client=SimpleNamespace(host="testclient"))
    widget.respond("Kan jag ringa er?", Conversation(), request)
    widget.respond("Hur ofta tar ni backup?", Conversation(), request)
    assert client.post("/api/ask", json={"question": "Kan jag ringa er?"}).status_code == 429


def test_the_served_app_has_the_widget_at_the_root_and_the_api_beside_it(shipped_index):
    with TestClient(create_app(bot_over(shipped_index))) as client:
        assert client.get("/").status_code == 200 and "gradio" in client.get("/").text.lower()
        assert client.get("/config").json()["mode"] == "blocks"
        assert client.get("/healthz").json()["status"] == "ok"
        assert client.post("/api/ask", json={"question": "Kan jag ringa er?"}).json()["faq_id"] == "telefonsupport"


# -- the real server against the real CLI (slow) ----------------------------------------------

CONTRACT = [
    "Kan jag ringa er?",
    "hur ofta gör ni backup",
    "Where is your office?",
    "Vad kostar en ny bil?",
    "Hej!",
    "Tack så mycket",
    "support",
    "Vem vann fotbolls-VM 1958?",
    "Hur ofta tar ni backup? " + "och sen " * 80,
    "<script>alert(1)</script>",
]


@pytest.fixture(scope="module")
def served(tmp_path_factory, shipped_index):
    """`python app.py` with its own log, trusting no proxy, at most 25 questions a minute."""
    folder = write_settings(tmp_path_factory.mktemp("api"), shipped_index, "rate_limit_per_minute: 25")
    log = folder / "conversations.db"
    with running_app(folder, log) as (url, process):
        yield url, folder, log
        assert process.poll() is None, "the app died"


def health_timed(client: httpx.Client) -> tuple[str, float]:
    began = time.perf_counter()
    status = client.get("/healthz").json()["status"]
    return status, time.perf_counter() - began


@pytest.mark.slow
def test_while_the_log_database_is_away_health_answers_at_once_and_the_server_log_says_so_once(
    tmp_path, shipped_index, postgres_cluster, pg_url
):
    """Issue 20 item 15: each /healthz took ~1 s during an outage and said 'degraded' 13 s after
    the database was back; the server log had 16-17 multi-line pool warnings per outage."""
    folder = write_settings(tmp_path, shipped_index, "rate_limit_per_minute: 0")
    with running_app(folder, pg_url) as (url, _), httpx.Client(base_url=url, timeout=30) as client:
        assert client.post("/api/ask", json={"question": "Kan jag ringa er?"}).status_code == 200
        assert health_timed(client)[0] == "ok"
        before = (folder / "app.log").read_text(encoding="utf-8")
        postgres_cluster.stop()
        try:
            checks = []
            for n in range(12):
                checks.append(health_timed(client))
                if n % 3 == 0:  # customers go on asking: their rows wait for the database
                    assert client.post("/api/ask", json={"question": "Hur ofta tar ni backup?"}).status_code == 200
                time.sleep(0.3)
        finally:
            postgres_cluster.start()
        back, waited = time.monotonic(), []
        while (status := health_timed(client))[0] != "ok" and time.monotonic() - back < 15:
            waited.append(status)
            time.sleep(0.1)
        ok_after = time.monotonic() - back
        said = (folder / "app.log").read_text(encoding="utf-8")[len(before) :]
    slowest = max(seconds for _, seconds in checks + waited)
    # The handler waits at most 0.2 s for the log's writer; the rest is room for a busy machine.
    assert slowest < 0.8, f"a health check took {slowest:.2f} s while the database was away"
    assert "degraded" in [status for status, _ in checks]
    assert status[0] == "ok" and ok_after < 4, f"'ok' {ok_after:.1f} s after the database was back"
    # One line when the database went away and one when it was back, from the log's writer (and
    # from the follower of published indexes, on the same database); no pool warnings, no tracebacks.
    lines = [line for line in said.splitlines() if line.strip()]
    assert len(lines) <= 4 and all(line.startswith(("ERROR ", "WARNING ")) for line in lines), "\n".join(lines)
    assert "psycopg.pool" not in said and sum("is unreachable" in line for line in lines) == 1
    assert sum("reachable again" in line for line in lines) == 1


def cli_replies(folder: Path, questions: list[str]) -> list[dict]:
    """`faqbot ask --json` over the same FAQ, index and settings, one question per stdin line."""
    result = subprocess.run(
        [sys.executable, "-m", "faqbot", "ask", "--json", "--faq", "faq.yaml", "--index", "index"]
        + ["--config", "config.yaml"],
        input="\n".join(questions) + "\n",
        capture_output=True,
        text=True,
        cwd=folder,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


@pytest.mark.slow
def test_the_api_answers_exactly_as_faqbot_ask_json(served):
    url, folder, _ = served
    with httpx.Client(base_url=url, timeout=30) as client:
        api = [client.post("/api/ask", json={"question": q}).json() for q in CONTRACT]
    assert all(isinstance(reply.pop("reply_id"), str) for reply in api)
    assert api == cli_replies(folder, CONTRACT)
    assert {reply["kind"] for reply in api} >= {"answer", "helpdesk", "greeting", "thanks"}


def rows(log: Path) -> list[sqlite3.Row]:
    conn = sqlite3.connect(log)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute("SELECT * FROM conversations ORDER BY id").fetchall()
    finally:
        conn.close()


@pytest.mark.slow
def test_feedback_through_the_api_lands_in_the_log(served):
    url, _, log = served
    with httpx.Client(base_url=url, timeout=30) as client:
        reply = client.post("/api/ask", json={"question": "Hur ofta tar ni backup?"}).json()
        assert client.post("/api/feedback", json={"reply_id": reply["reply_id"], "liked": False}).status_code == 200
    row = next(r for r in rows(log) if r["reply_id"] == reply["reply_id"])
    assert row["feedback"] == -1 and row["faq_id"] == reply["faq_id"] and row["feedback_at"]


@pytest.mark.slow
def test_personal_data_sent_through_the_api_is_masked_in_the_log(served):
    url, _, log = served
    question = "Ring mig på 070-123 45 67 eller mejla anna.svensson@example.com om min faktura"
    with httpx.Client(base_url=url, timeout=30) as client:
        reply = client.post("/api/ask", json={"question": question}).json()
    assert reply["question"] == question  # the caller gets its own text back; only the log is masked
    stored = next(r for r in rows(log) if r["reply_id"] == reply["reply_id"])["question"]
    assert stored == "Ring mig på [telefon] eller mejla [e-post] om min faktura"
    assert not any("070" in r["question"] or "svensson" in r["question"] for r in rows(log))


@pytest.mark.slow
def test_the_real_server_limits_by_address_and_ignores_an_untrusted_x_forwarded_for(served):
    """Runs last in this module: it spends the address's whole budget for a minute."""
    url, _, _ = served
    with httpx.Client(base_url=url, timeout=30) as client:
        responses = [
            client.post("/api/ask", json={"question": "Kan jag ringa er?"}, headers={"X-Forwarded-For": f"192.0.2.{n}"})
            for n in range(1, 27)
        ]
        health = client.get("/healthz")
    refused = [r for r in responses if r.status_code == 429]
    assert refused and all(r.status_code == 200 for r in responses[: len(responses) - len(refused)])
    assert int(refused[0].headers["Retry-After"]) >= 1
    assert refused[0].json()["message"].startswith("Du har skickat många frågor på kort tid")
    assert health.status_code == 200  # the health check is not rate limited
