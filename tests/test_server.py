"""The served app's own limits (issue 15, items 1 and 6), on the fake embedder: every request body
is bounded on every route, and chat sessions, those made through the HTTP API included, do not
outlive their idleness."""

from __future__ import annotations

import asyncio
import logging
import platform
import time
import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from gradio.state_holder import SessionState
from starlette.responses import PlainTextResponse
from starlette.routing import Mount

from faqbot import FaqBot, build_index, load_faq
from faqbot.retrieval.embedding import load_embedder
from faqbot.web.api import MAX_BODY_BYTES
from faqbot.web.page import MAX_SENT_CHARS
from faqbot.web.ratelimit import RateLimiter, Tarpit
from faqbot.web.server import MAX_REQUEST_BYTES, bound_malloc_arenas, create_app
from faqbot.web.sessions import LeanSession, drop_idle_sessions
from faqbot.wording import message
from tests.fakes import FAKE_MODEL, SMALL_FAQ, small_bank, write_small_bank
from tests.harness import chat_of


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[TestClient]:
    """The served app (widget and API) over the two-entry FAQ, on the fake embedder."""
    with TestClient(create_app(small_bot(tmp_path_factory.mktemp("served")))) as client:
        yield client


def small_bot(folder) -> FaqBot:
    (folder / "faq.yaml").write_text(SMALL_FAQ, encoding="utf-8")
    bank = write_small_bank(folder / "offtopic.txt")
    (folder / "config.yaml").write_text(
        f"model: {FAKE_MODEL}\nthreshold: 0.3\nofftopic_bank: {bank}\n", encoding="utf-8"
    )
    build_index(load_faq(folder / "faq.yaml"), load_embedder(FAKE_MODEL), folder / "index", offtopic=small_bank(folder))
    return FaqBot(folder / "faq.yaml", folder / "index", folder / "config.yaml")


def widget_of(client: TestClient):
    """The Gradio Blocks mounted at / (whose state holder keeps the sessions)."""
    mounted = next(route.app for route in client.app.routes if isinstance(route, Mount))  # type: ignore[attr-defined]
    return mounted.get_blocks()


def own_address(served: TestClient, address: str) -> TestClient:
    """A client of the served app with a rate limit of its own (the app reads scope['client'])."""
    return TestClient(served.app, client=(address, 1234))


def ask(client: TestClient, text: str, session: str | None = None):
    body = {"data": [text, None], "session_hash": session or uuid.uuid4().hex}
    return client.post("/gradio_api/run/ask", json=body)


@pytest.mark.parametrize("route", ["/gradio_api/run/ask", "/gradio_api/queue/join", "/gradio_api/upload", "/"])
def test_a_body_over_the_limit_is_413_on_every_route(served, route):
    body = b'{"data": ["' + b"x" * (MAX_REQUEST_BYTES + 1) + b'", null], "session_hash": "s"}'
    response = served.post(route, content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.json()["error"] == "too_large" and "Traceback" not in response.text


def test_the_api_keeps_its_own_smaller_limit(served):
    question = "x" * (MAX_BODY_BYTES + 10)
    assert served.post("/api/ask", json={"question": question}).status_code == 413


def test_a_body_sent_without_a_length_is_cut_off_at_the_limit(served):
    def chunks() -> Iterator[bytes]:
        yield b'{"data": ["'
        for _ in range(MAX_REQUEST_BYTES // 65_536 + 2):
            yield b"x" * 65_536

    response = served.post("/gradio_api/run/ask", content=chunks(), headers={"Content-Type": "application/json"})
    assert response.status_code == 413


def test_the_longest_message_the_widget_takes_still_fits(served):
    response = ask(served, "ö" * MAX_SENT_CHARS)  # sent \u-escaped by some clients: 120 KB; as UTF-8, 40 KB
    assert response.status_code == 200
    assert chat_of(response.json()["data"][0])[-1]["role"] == "assistant"


def test_sessions_made_through_the_http_api_are_dropped_once_idle(served):
    widget = widget_of(served)
    sessions = [uuid.uuid4().hex for _ in range(5)]
    for session in sessions:
        assert ask(served, "Kan jag ringa er?", session).status_code == 200
    held = set(widget.state_holder.session_data)
    assert set(sessions) <= held
    assert drop_idle_sessions(widget, idle=3600) == 0  # none idle yet
    assert drop_idle_sessions(widget, idle=0) >= len(sessions)
    assert not set(sessions) & set(widget.state_holder.session_data)
    # a dropped session that comes back starts a fresh chat, it does not fail
    chat = chat_of(ask(served, "Hur ofta gör ni säkerhetskopior?", sessions[0]).json()["data"][0])
    assert chat[-1]["role"] == "assistant" and len(chat) == 3  # greeting, question, answer


def test_a_session_keeps_its_chat_but_no_copy_of_the_page(served):
    """Issue 20, items 16-17: Gradio kept, for every session, a copy of every component's
    configuration with the chat in it (31 KB a session; benchmarks/sessions.py) and a fresh input
    box for every message that left it as it was. Only the chat itself is kept now."""
    widget, session, client = widget_of(served), uuid.uuid4().hex, own_address(served, "192.0.2.10")
    for question in ("Kan jag ringa er?", "Hur ofta gör ni säkerhetskopior?"):
        chat = chat_of(ask(client, question, session).json()["data"][0])
    assert "Varje natt." in chat[-1]["content"][0]["text"]
    kept = widget.state_holder.session_data[session]
    assert isinstance(kept, LeanSession) and kept.config_values == {}
    page = widget.default_config.blocks
    assert all(block is page[key] for key, block in kept.blocks_config.blocks.items())
    (conversation,) = kept.state_data.values()
    assert len(conversation.messages) == 5  # greeting, then two questions and their answers


def test_an_english_customers_input_box_stays_english_in_that_session_only(served):
    widget, session, client = widget_of(served), uuid.uuid4().hex, own_address(served, "192.0.2.11")
    for question in ("Can I call you on the phone?", "How often do you make backups?"):
        assert ask(client, question, session).status_code == 200
    box = next(key for key, block in widget.default_config.blocks.items() if block.elem_id == "faq-input")
    kept = widget.state_holder.session_data[session].blocks_config.blocks[box]
    assert kept.constructor_args["placeholder"] == message("ui_placeholder", "en", "")
    assert widget.default_config.blocks[box].constructor_args["placeholder"] == message("ui_placeholder", "sv", "")


def test_a_lean_session_has_every_field_gradios_session_has(served):
    """LeanSession sets SessionState's fields itself (Gradio's would build the copy it leaves
    out): a Gradio upgrade that adds one fails here, not in a customer's chat."""
    widget = widget_of(served)
    assert set(vars(SessionState(widget))) <= set(vars(LeanSession(widget)))


def test_the_server_bounds_mallocs_arenas_unless_the_operator_chose(monkeypatch):
    """Page loads from many threads grew the server for good (one glibc arena a thread; issue 20
    item 17, benchmarks/README.md); an operator's MALLOC_ARENA_MAX is left as it is."""
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    assert bound_malloc_arenas() is (platform.libc_ver()[0] == "glibc")
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert bound_malloc_arenas() is False


@pytest.mark.slow  # waits in the tarpit on purpose
def test_a_flood_of_ratings_through_the_api_is_limited_like_questions(served):
    """Issue 15, item 8: 👍/👎 were unlimited (3,000 writes in 7 s); now past the per-minute
    budget they are 429, before anything is written."""
    headers = {"X-Forwarded-For": "203.0.113.9"}  # not believed: TestClient is not the trusted proxy
    codes = [
        served.post("/api/feedback", json={"reply_id": "x" * 22, "liked": True}, headers=headers).status_code
        for _ in range(40)
    ]
    assert codes[:20] == [409] * 20  # this app keeps no log, so there is nothing to rate; but they count
    assert set(codes[20:]) == {429}


def test_a_proxy_the_settings_do_not_trust_is_named_in_the_server_log_once(tmp_path, caplog):
    # Behind such a proxy every customer has its address and shares one message budget.
    with TestClient(create_app(small_bot(tmp_path))) as served, caplog.at_level(logging.WARNING):
        for n in range(3):
            served.post("/api/ask", json={"question": "Hej"}, headers={"X-Forwarded-For": f"198.51.100.{n}"})
        served.post("/api/ask", json={"question": "Hej"})  # no proxy: nothing to say
    (warning,) = [r.getMessage() for r in caplog.records if "X-Forwarded-For" in r.getMessage()]
    assert "requests from testclient" in warning and "trusted_proxy (not set)" in warning
    assert "set trusted_proxy: testclient" in warning


@pytest.mark.slow  # waits in the tarpit on purpose
def test_a_client_past_its_budget_waits_before_each_request_is_handled(served):
    """Issue 15, item 1: a flood of refusals from one address cannot take the server's CPU from
    other customers; each of its requests first waits, costing nothing, then is refused."""
    assert any(m.cls is Tarpit for m in served.app.user_middleware)  # type: ignore[attr-defined]
    handled: list[str] = []

    async def app(scope, receive, send):
        handled.append(scope["client"][0])
        await PlainTextResponse("ok")(scope, receive, send)

    limiter = RateLimiter()
    client = TestClient(Tarpit(app, limiter, limit=lambda: 2, delay=0.5), client=("198.51.100.7", 1234))
    timed = []
    for _ in range(4):
        began = time.monotonic()
        assert client.post("/gradio_api/run/ask", json={}).status_code == 200
        timed.append(time.monotonic() - began)
        limiter.allow("198.51.100.7", 2)  # as the widget counts each message
    assert max(timed[:2]) < 0.4 and min(timed[2:]) >= 0.5  # the first two at once, then each waits
    assert client.get("/").status_code == 200 and len(handled) == 5  # nothing is dropped
    began = time.monotonic()
    TestClient(Tarpit(app, limiter, limit=lambda: 0, delay=0.5)).post("/api/ask", json={})
    assert time.monotonic() - began < 0.4  # no limit (0), no waiting


@pytest.mark.slow  # waits in the tarpit on purpose
def test_a_client_past_its_budget_gets_about_one_request_a_delay_however_many_it_sends_at_once():
    handled: list[float] = []

    async def app(scope, receive, send):
        handled.append(time.monotonic())
        await PlainTextResponse("ok")(scope, receive, send)

    limiter = RateLimiter()
    limiter.allow("198.51.100.8", 1)  # its budget of 1 is used up
    tarpit = Tarpit(app, limiter, limit=lambda: 1, delay=0.2)

    async def flood() -> None:
        scope = {"type": "http", "method": "POST", "path": "/gradio_api/run/ask", "client": ("198.51.100.8", 1)}

        async def receive():
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message):
            return None

        await asyncio.gather(*(tarpit(dict(scope), receive, send) for _ in range(8)))

    began = time.monotonic()
    asyncio.run(flood())
    assert len(handled) == 8 and not tarpit.waiting
    assert handled[-1] - began >= 8 * 0.2 * 0.9  # the 8th waited for 8 delays: one request per delay


def test_a_page_loaded_before_an_upgrade_leaves_out_the_earlier_messages_and_is_answered(served):
    """`ask` takes the page's earlier messages as a third value since issue 20 item 5; a page
    still open from before sends two, which the guard fills in (and a value too many is refused)."""
    session = uuid.uuid4().hex
    for data in (["Hej", None], ["Hej", None, None], ["Hej", None, "[]"]):
        response = served.post("/gradio_api/run/ask", json={"data": data, "session_hash": session})
        assert response.status_code == 200 and chat_of(response.json()["data"][0])[-1]["role"] == "assistant"
    too_many = served.post("/gradio_api/run/ask", json={"data": ["Hej", None, None, None], "session_hash": session})
    assert too_many.status_code == 400


def test_a_stopped_server_writes_or_counts_the_rows_its_log_kept_queued(monkeypatch, tmp_path):
    """Found by a walk-through: a replica stopped (SIGTERM, Ctrl-C) while PostgreSQL was down
    dropped the rows it kept queued without a word: `faqbot serve` never closed its log, which
    writes them or logs how many were lost."""
    from types import SimpleNamespace

    from faqbot import config as cfg
    from faqbot.web import server

    closed = []
    bot = SimpleNamespace(
        log=SimpleNamespace(close=lambda: closed.append(True)), config=SimpleNamespace(trusted_proxy="")
    )
    monkeypatch.setattr(server.FaqBot, "from_settings", staticmethod(lambda settings: bot))
    monkeypatch.setattr(server, "create_app", lambda bot: None)

    def stopped(*args, **kwargs):
        raise KeyboardInterrupt  # uvicorn raises the signal again once it has stopped

    monkeypatch.setattr(server, "launch", stopped)
    monkeypatch.setattr(server, "listening_socket", lambda host, port: None)
    settings = cfg.Settings.resolve(str(tmp_path / "faq.yaml"), str(tmp_path / "index"), str(tmp_path / "config.yaml"))
    with pytest.raises(KeyboardInterrupt):
        server.serve(settings)
    assert closed == [True]


def test_a_server_whose_port_is_taken_fetches_and_announces_nothing(monkeypatch, tmp_path):
    """Found by a walk-through: `faqbot serve` on a taken port wrote the published FAQ and index
    into its folder and named itself among the replicas on the console's overview, then failed."""
    import socket as sockets

    from faqbot import config as cfg
    from faqbot.errors import FaqbotError
    from faqbot.web import server

    fetched = []
    monkeypatch.setattr(server, "fetch_published", lambda settings: fetched.append(settings))
    with sockets.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        settings = cfg.Settings.resolve(
            str(tmp_path / "faq.yaml"), str(tmp_path / "index"), str(tmp_path / "config.yaml"), port=str(port)
        )
        with pytest.raises(FaqbotError, match=f"cannot listen on 127.0.0.1:{port}"):
            server.serve(settings)
    assert fetched == []
