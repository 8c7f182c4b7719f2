"""Issue 15, replayed against the real chat (`python app.py` on 127.0.0.1), the widget's part:

1. a refused (rate-limited) message grows nothing: no history, a small notice;
3. each answer is tied to its question: a lost call loses its own answer, never shifts the rest;
5. uploads (and recordings) are refused, so nothing can be stored to be served back;
8. 👍/👎 with index null, a lone surrogate past the rate limit, and a typed CRLF in the refusal
   link's subject: no server error, no header injection.

The app trusts X-Forwarded-For from 127.0.0.1 here, so each test is its own customer (its own
address, its own rate limit) on one shared app.
"""

from __future__ import annotations

import json
import re
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import httpx
import pytest

from benchmarks.webapp import running_app
from tests.harness import chat_of

pytestmark = pytest.mark.slow
LIMIT = 5


@pytest.fixture(scope="module")
def app(tmp_path_factory, shipped_index) -> Iterator[tuple[str, Path]]:
    folder = tmp_path_factory.mktemp("attacked")
    for name in ("faq.yaml", "config.yaml"):
        shutil.copy(shipped_index / name, folder / name)
    shutil.copytree(shipped_index / "index", folder / "index")
    settings = (folder / "config.yaml").read_text(encoding="utf-8")
    settings = re.sub(r"(?m)^rate_limit_per_minute:.*$", f"rate_limit_per_minute: {LIMIT}", settings)
    settings = re.sub(r"(?m)^trusted_proxy:.*$", 'trusted_proxy: "127.0.0.1"', settings)
    (folder / "config.yaml").write_text(settings, encoding="utf-8")
    uploads = folder / "gradio-temp"
    uploads.mkdir()
    with pytest.MonkeyPatch.context() as env:
        env.setenv("GRADIO_TEMP_DIR", str(uploads))
        with running_app(folder, folder / "conversations.db") as (url, _):
            yield url, folder


class Visitor:
    """One address, one session, speaking the widget's HTTP API as its page does."""

    opened: list[httpx.Client] = []  # closed after each test (`closed_visitors`)

    def __init__(self, url: str, address: str) -> None:
        self.http = httpx.Client(base_url=url + "gradio_api", headers={"X-Forwarded-For": address}, timeout=60)
        self.session = uuid.uuid4().hex
        Visitor.opened.append(self.http)

    def post(self, api: str, data: list, event_data: dict | None = None, timeout: float = 60) -> httpx.Response:
        body = {"data": data, "event_data": event_data, "session_hash": self.session}
        return self.http.post(f"/run/{api}", json=body, timeout=timeout)

    def ask(self, text: str) -> list[dict]:
        response = self.post("ask", [text, None])
        assert response.status_code == 200, response.text[:300]
        return chat_of(response.json()["data"][0])


@pytest.fixture(autouse=True)
def closed_visitors() -> Iterator[None]:
    """No visitor's connection outlives its test (an unclosed socket is a ResourceWarning, an error here)."""
    yield
    while Visitor.opened:
        Visitor.opened.pop().close()


def text_of(message: dict) -> str:
    content = message["content"]
    return " ".join(part.get("text", "") for part in content) if isinstance(content, list) else str(content)


def mail_subjects(message: dict) -> list[str]:
    links = re.findall(r"\((mailto:[^)]*)\)", text_of(message))
    return [unquote(parse_qs(urlsplit(link).query, keep_blank_values=True)["subject"][0]) for link in links]


def past_the_limit(visitor: Visitor) -> None:
    for _ in range(LIMIT):
        visitor.ask("Hur ofta tar ni backup?")


def test_a_refusal_flood_grows_no_history_and_gets_a_small_notice(app):
    visitor = Visitor(app[0], "198.51.100.1")
    past_the_limit(visitor)
    sizes, lengths = set(), set()
    for _ in range(20):  # each waits a second first (faqbot.web.ratelimit.Tarpit)
        response = visitor.post("ask", ["ö" * 5000, None])
        assert response.status_code == 200
        sizes.add(len(response.content))
        lengths.add(len(chat_of(response.json()["data"][0])))
    assert lengths == {1 + 2 * LIMIT + 2}  # greeting, the answered messages, this one and its notice
    assert max(sizes) < 20_000 and max(sizes) - min(sizes) < 100  # the same each time, bar timings


def test_after_a_lost_call_each_answer_still_belongs_to_its_own_question(app):
    visitor = Visitor(app[0], "198.51.100.2")
    with pytest.raises(httpx.TimeoutException):
        visitor.post("ask", ["Kan jag ringa er?", None], timeout=0.001)  # the answer never arrives
    chat = visitor.ask("Vad är huvudstaden i Frankrike?")
    assert text_of(chat[-2]) == "Vad är huvudstaden i Frankrike?"
    # its own reply: the helpdesk (the lost call's phone question, answered first, may be offered under it)
    assert text_of(chat[-1]).startswith("Det kan jag") and "Källa" not in text_of(chat[-1])
    chat = visitor.ask("Hur ofta tar ni backup?")
    assert text_of(chat[-2]) == "Hur ofta tar ni backup?" and "Källa" in text_of(chat[-1])


@pytest.mark.parametrize("route", ["/upload", "/process_recording"])
def test_uploads_are_refused_and_nothing_is_stored(app, route):
    url, folder = app
    file = ("files", ("big.bin", b"\0" * (20 * 2**20), "application/octet-stream"))
    if route == "/process_recording":
        file = ("data", ("big.wav", b"\0" * (20 * 2**20), "audio/wav"))
    response = httpx.post(url + "gradio_api" + route, files=[file], timeout=60)
    assert response.status_code in (400, 403, 404, 413), response.text[:200]
    stored = [p for p in (folder / "gradio-temp").rglob("*") if p.is_file() and p.stat().st_size > 1024]
    assert stored == []


def test_a_thumb_with_index_null_is_not_a_server_error(app):
    visitor = Visitor(app[0], "198.51.100.3")
    visitor.ask("Kan jag ringa er?")
    for index in (None, [], "x", [None]):
        response = visitor.post("like", [None], {"index": index, "value": "", "liked": True})
        assert response.status_code != 500 and "Traceback" not in response.text
    response = visitor.post("like", [None], None)
    assert response.status_code != 500 and "Traceback" not in response.text


def test_a_lone_surrogate_is_not_a_server_error_before_or_past_the_limit(app):
    visitor = Visitor(app[0], "198.51.100.4")
    body = '{"data": ["Hej \\ud800 kan jag ringa?", null], "session_hash": "' + visitor.session + '"}'
    for _ in range(LIMIT + 2):
        response = visitor.http.post("/run/ask", content=body, headers={"Content-Type": "application/json"})
        assert response.status_code == 200, response.text[:300]
        assert chat_of(json.loads(response.text)["data"][0])[-1]["role"] == "assistant"


def test_a_typed_line_break_never_reaches_a_mail_subject(app):
    visitor = Visitor(app[0], "198.51.100.5")
    typed = "Hej\r\nBcc: angripare@example.com\r\n\r\nmer"
    answered = visitor.ask(typed)[-1]
    past_the_limit(visitor)
    refused = visitor.ask(typed)[-1]
    assert "många frågor" in text_of(refused)
    subjects = mail_subjects(answered) + mail_subjects(refused)
    assert subjects and all("\r" not in s and "\n" not in s for s in subjects)
