"""Issue 20, items 16-18, replayed against the served app (widget and API) on the fake embedder:

16. a session id of any size was kept by Gradio as a key (2,000 greetings with 200 KB ids grew
    the server 168 -> 613 MB): ids are 1-64 letters, digits, '-' or '_', refused before Gradio;
17. page loads, greetings, malformed calls and refused feedback were under no budget: every
    request now counts against its client's budget, and past it gets a cheap 429;
18. a widget call missing its state slot was a 500 whose traceback quoted the customer's
    message unmasked; `fn_index` -1/99 and `data: []` were 500s with tracebacks; bad UTF-8 and
    deep JSON on /api/* got `{"detail": ...}`; Gradio's /openapi.json was public; other methods
    on API paths were 404. Nothing written to the server's log holds a raw personal number.
"""

from __future__ import annotations

import io
import json
import logging
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from starlette.routing import Mount

from faqbot import FaqBot, build_index, load_faq
from faqbot.retrieval.embedding import load_embedder
from faqbot.web.ratelimit import BURST_SECONDS, TokenBucket, request_limit
from faqbot.web.server import create_app
from tests.fakes import FAKE_MODEL, SMALL_FAQ, MemoryLog
from tests.test_server import widget_of

pytestmark = pytest.mark.slow  # argon2 hashing, login throttling and tarpit waits are costly on purpose

LIMIT = 6  # messages a minute (request_limit: the requests that allows)
PNR = "850412-1234"


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[TestClient]:
    folder = tmp_path_factory.mktemp("calls")
    (folder / "faq.yaml").write_text(SMALL_FAQ, encoding="utf-8")
    settings = f"model: {FAKE_MODEL}\nthreshold: 0.3\nrate_limit_per_minute: {LIMIT}\n"
    (folder / "config.yaml").write_text(settings, encoding="utf-8")
    build_index(load_faq(folder / "faq.yaml"), load_embedder(FAKE_MODEL), folder / "index")
    bot = FaqBot(folder / "faq.yaml", folder / "index", folder / "config.yaml", log=MemoryLog())
    with TestClient(create_app(bot), raise_server_exceptions=False) as client:
        yield client


class Address:
    """A client address of its own for each test (TestClient's address is fixed; the app reads scope['client'])."""

    count = 0

    @classmethod
    def client(cls, served: TestClient) -> TestClient:
        cls.count += 1
        return TestClient(served.app, raise_server_exceptions=False, client=(f"198.51.100.{cls.count}", 1234))


def fns(client: TestClient) -> dict[str, int]:
    return {d["api_name"]: d["id"] for d in client.get("/config").json()["dependencies"] if d.get("api_name")}


def test_a_session_id_over_64_characters_is_refused_and_never_kept(served):
    client = Address.client(served)
    blocks = widget_of(served)
    huge = "a" * 200_000
    for name, data in (("welcome", [None]), ("like", [None]), ("ask", ["Hej", None])):
        response = client.post(f"/gradio_api/run/{name}", json={"data": data, "session_hash": huge})
        assert response.status_code == 400 and response.json()["error"] == "bad_request"
    for odd in ("a b", "../x", "å" * 3, ""):
        assert client.get("/gradio_api/queue/data", params={"session_hash": odd}).status_code == 400
    assert client.get("/gradio_api/heartbeat/" + "a" * 65).status_code == 400
    assert huge not in blocks.state_holder.session_data
    session = uuid.uuid4().hex[:11]  # what the page makes
    assert client.post("/gradio_api/run/welcome", json={"data": [None], "session_hash": session}).status_code == 200


def test_a_stream_for_a_made_up_session_is_told_session_not_found_without_a_traceback(served):
    """Gradio raised inside the message stream it had begun for a session its queue does not
    know: each made-up id wrote a 31-line traceback to the server log. It is answered with
    Gradio's own "session_not_found" event (which the page handles), raising nothing."""
    strict = TestClient(served.app, raise_server_exceptions=True, client=("198.51.100.250", 1234))
    for made_up in ("madeup123", uuid.uuid4().hex, "a" * 64):
        response = strict.get("/gradio_api/queue/data", params={"session_hash": made_up})
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
        [event] = [json.loads(line[len("data: ") :]) for line in response.text.splitlines() if line]
        assert event["msg"] == "unexpected_error" and event["session_not_found"] is True


def test_every_chat_response_says_nosniff_and_keeps_the_page_out_of_referrers(served):
    """The chat and its API sent no security headers (the console did); behind nginx none were
    added. It stays frameable: the widget is made to sit in an iframe on the company's site."""
    client = Address.client(served)
    responses = [
        client.get("/"),
        client.get("/healthz"),
        client.post("/api/ask", json={"question": "Kan jag ringa er?"}),
        client.post("/api/ask", json={"question": "x" * 3000}),  # refused by the API: 400
        client.post("/api/ask", content=b"x" * 2_000_000, headers={"content-type": "application/json"}),  # 413
        client.get("/no-such-page"),
    ]
    for response in responses:
        assert response.headers["x-content-type-options"] == "nosniff", response.status_code
        assert response.headers["referrer-policy"] == "same-origin"
        assert "x-frame-options" not in response.headers
    assert {r.status_code for r in responses} >= {200, 400, 413}


def test_page_loads_and_greetings_count_against_the_clients_budget(served):
    client = Address.client(served)
    budget = int(TokenBucket().capacity(request_limit(LIMIT, asset=False)))  # what it may send at once
    codes = [client.get("/").status_code for _ in range(budget // 2)]
    body = {"data": [None], "session_hash": "abc"}
    codes += [client.post("/gradio_api/run/welcome", json=body).status_code for _ in range(budget - len(codes))]
    assert set(codes) == {200}
    for _ in range(5):  # the budget refills at request_limit(LIMIT) a minute: a few while these ran
        began = time.monotonic()
        refused = client.get("/")
        if refused.status_code != 200:
            break
    assert refused.status_code == 429 and refused.json()["error"] == "rate_limited"
    assert "Du har skickat många frågor" in refused.json()["message"] and int(refused.headers["Retry-After"]) >= 1
    assert time.monotonic() - began >= 0.9  # it waited in the tarpit first
    feedback = [client.post("/api/feedback", json={"reply_id": "x" * 22, "liked": True}) for _ in range(3)]
    assert 429 in [r.status_code for r in feedback]  # refused feedback spends the budget too (one may have refilled)
    assert Address.client(served).get("/").status_code == 200  # another client is not touched


def test_a_low_message_limit_still_lets_a_first_page_load_fetch_its_files(served):
    """At 3 messages a minute a first visit got 429 for some of the page's ~45 files and stayed on
    "Loading..."; here, at 6, 60 files at once (50 were allowed)."""
    client = Address.client(served)
    codes = [client.get("/favicon.ico").status_code for _ in range(60)]
    assert 429 not in codes
    assert request_limit(3, asset=True) * BURST_SECONDS / 60 >= 60  # what a first load needs, at any limit


@pytest.mark.parametrize(
    "body",
    [
        {"data": [f"mitt pnr {PNR}"]},  # the state's slot missing
        {"data": [], "fn_index": 3},
        {"data": [f"mitt pnr {PNR}", None], "fn_index": -1},
        {"data": [f"mitt pnr {PNR}", None], "fn_index": 99},
        {"data": [f"mitt pnr {PNR}", None], "fn_index": 1},  # one of the page's JavaScript-only events
        {"data": [f"mitt pnr {PNR}", {"state": 1}]},
        {"data": [[f"mitt pnr {PNR}"], None]},
        {"data": f"mitt pnr {PNR}"},
    ],
)
def test_a_malformed_widget_call_is_400_with_no_traceback_and_no_raw_number_logged(served, body, capfd, caplog):
    client = Address.client(served)
    with caplog.at_level(logging.DEBUG):
        response = client.post("/gradio_api/run/ask", json={**body, "session_hash": "abc"})
    assert response.status_code == 400 and response.json()["error"] == "bad_request"
    written = "".join(capfd.readouterr()) + caplog.text
    assert PNR not in written and "Traceback" not in written


def test_nothing_the_server_logs_holds_a_raw_personal_number_or_grows_without_bound():
    from faqbot.web.serverlog import MAX_RECORD_CHARS, MaskedStream, MaskingFilter

    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(MaskingFilter())
    logger = logging.getLogger("faqbot.test.serverlog")
    logger.addHandler(handler)
    try:
        logger.error("Received inputs: [%r]", f"mitt pnr {PNR}")
        try:
            raise ValueError(f"could not rank 'mitt pnr {PNR}'")
        except ValueError:
            logger.exception("failed")
        before = len(out.getvalue())
        logger.error("Received inputs: %s", "ö" * 250_000)
        assert len(out.getvalue()) - before < MAX_RECORD_CHARS + 100
    finally:
        logger.removeHandler(handler)
    assert PNR not in out.getvalue() and "[personnummer]" in out.getvalue()
    stream = io.StringIO()
    MaskedStream(stream).write(f'    ["mitt pnr {PNR}"]\n' + "x" * 100_000)
    assert PNR not in stream.getvalue() and len(stream.getvalue()) < MAX_RECORD_CHARS + 200


def test_the_server_log_keeps_a_tracebacks_end_and_counts_a_line_that_floods_it():
    """Found by a walk-through: a deep traceback was cut to its first 2,000 characters, before the
    error it ends with. Found by an attack: 20,000 held connections made asyncio log the same
    accept() error with its traceback on every try, 149 MB in 100 s."""
    from faqbot.web.serverlog import MAX_RECORD_CHARS, REPEATS_KEPT, MaskingFilter

    now = [0.0]
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(MaskingFilter(clock=lambda: now[0]))
    logger = logging.getLogger("faqbot.test.flood")
    logger.addHandler(handler)
    try:
        try:
            raise OSError(24, "Too many open files " + "x" * 5_000)
        except OSError:
            logger.exception("socket.accept() out of system resource")
        first = out.getvalue()
        assert "Too many open files" in first and first.rstrip().endswith("x") and len(first) < MAX_RECORD_CHARS + 100
        for _ in range(1_000):
            logger.error("socket.accept() out of system resource")
        assert out.getvalue().count("out of system resource") == REPEATS_KEPT
        now[0] = 11.0
        logger.error("socket.accept() out of system resource")
        assert "(996 more like it in the last 10 s not written)" in out.getvalue()  # 1,001 in the window, 5 written
        logger.error("another line")  # other lines are written meanwhile
        assert "another line" in out.getvalue()
    finally:
        logger.removeHandler(handler)


@pytest.mark.parametrize(
    "content", [b'{"question": "\xff\xfe"}', b"[" * 20_000, b'{"question": ' * 4_000], ids=["utf8", "deep", "deep-obj"]
)
def test_a_body_that_is_not_json_gets_the_apis_error_shape(served, content):
    response = Address.client(served).post("/api/ask", content=content, headers={"content-type": "application/json"})
    assert response.status_code == 400 and set(response.json()) == {"error", "message"}


def test_other_methods_are_405_and_unknown_api_paths_404_in_the_apis_shape(served):
    client = Address.client(served)
    for method, path in (("PUT", "/api/ask"), ("GET", "/api/feedback"), ("DELETE", "/healthz"), ("POST", "/healthz")):
        response = client.request(method, path)
        assert response.status_code == 405 and response.json()["error"] == "method_not_allowed", (method, path)
        assert "Allow" in response.headers
    response = client.post("/api/nothing", json={})
    assert response.status_code == 404 and response.json()["error"] == "not_found"


def test_only_the_products_api_description_is_served(served):
    client = Address.client(served)
    for path in ("/openapi.json", "/docs", "/redoc", "/gradio_api/openapi.json"):
        assert client.get(path).status_code == 404, path
    assert client.get("/api/openapi.json").json()["info"]["title"] == "faqbot"


def test_deep_links_are_not_served_so_no_call_writes_a_file(served):
    """Gradio's /gradio_api/deep_link wrote the session's page to a new file under its upload
    folder on every call after a message (any session, no budget of its own); the widget offers
    no deep links, and its sessions keep no copy of the page to make one from."""
    client = Address.client(served)
    session = uuid.uuid4().hex[:11]
    body = {"data": ["Kan jag ringa er?", None], "session_hash": session}
    assert client.post("/gradio_api/run/ask", json=body).status_code == 200
    response = client.get("/gradio_api/deep_link", params={"session_hash": session})
    assert response.status_code == 404 and response.json()["error"] == "not_found"
    mounted = next(route.app for route in served.app.routes if isinstance(route, Mount))  # type: ignore[attr-defined]
    assert not (Path(mounted.uploaded_file_dir) / "deep_links").exists()


@pytest.mark.parametrize("reply_id", ["x" * 22, "18446744073709551616", "99999999999999999999999999"])
def test_feedback_for_a_reply_that_never_existed_is_404(served, reply_id):
    response = Address.client(served).post("/api/feedback", json={"reply_id": reply_id, "liked": True})
    assert response.status_code == 404 and response.json()["error"] == "unknown_reply"
