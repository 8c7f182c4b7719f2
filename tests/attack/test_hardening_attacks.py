"""Issue 15, replayed against the real chat (`python app.py` on 127.0.0.1), the files' and data's part:

2. each index file truncated, emptied, or the manifest overwritten with `[]`, while serving:
   the chat keeps answering from the last good index, the index is rebuilt, `faqbot index`
   repairs it, and no traceback reaches a customer or the CLI;
4. the conversation log moved away while the app writes: no row lost, the server log says so;
6. a 10 MB request body: 413 at once, on every route (chunked too), and the server's memory
   stays flat;
8. the server's log never holds a customer's raw question (the ranking error itself is
   tests/test_privacy.py::test_a_ranking_error_logs_the_question_masked_never_raw; here, the
   whole run's server log is checked at the end);
9. personal data in the forms that used to be stored raw, typed into the chat: the log holds
   placeholders, not the digits.

Each test is its own customer (an address of its own, believed from the trusted proxy 127.0.0.1).
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
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from benchmarks.measure import process_rss
from benchmarks.webapp import running_app, text_of
from faqbot.retrieval.index import MANIFEST, load_index
from tests.harness import chat_of

FAILED = "Något gick fel"


@pytest.fixture(scope="module")
def app(tmp_path_factory, shipped_index) -> Iterator[tuple[str, Path, subprocess.Popen]]:
    folder = tmp_path_factory.mktemp("hardened")
    for name in ("faq.yaml", "config.yaml"):
        shutil.copy(shipped_index / name, folder / name)
    shutil.copytree(shipped_index / "index", folder / "index")
    settings = (folder / "config.yaml").read_text(encoding="utf-8")
    settings = re.sub(r"(?m)^trusted_proxy:.*$", 'trusted_proxy: "127.0.0.1"', settings)
    (folder / "config.yaml").write_text(settings, encoding="utf-8")
    (folder / "data").mkdir()
    with running_app(folder, folder / "data" / "conversations.db") as (url, process):
        yield url, folder, process


class Customer:
    """One address and one chat session, speaking the widget's HTTP API as its page does."""

    count = 0

    def __init__(self, url: str) -> None:
        Customer.count += 1
        address = f"203.0.113.{Customer.count % 250 + 1}"
        self.url, self.headers = url + "gradio_api", {"X-Forwarded-For": address}
        self.session = uuid.uuid4().hex

    def ask(self, text: str) -> str:
        body = {"data": [text, None], "event_data": None, "session_hash": self.session}
        with httpx.Client(base_url=self.url, headers=self.headers, timeout=120) as http:
            response = http.post("/run/ask", json=body)
        assert response.status_code == 200, response.text[:300]
        return text_of(chat_of(response.json()["data"][0])[-1])


def server_log(folder: Path) -> str:
    return (folder / "app.log").read_text(encoding="utf-8")


# -- 6. request bodies ------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("route", ["gradio_api/run/ask", "gradio_api/queue/join", "api/ask", "gradio_api/upload"])
def test_a_10_mb_body_gets_413_at_once_and_the_server_stays_small(app, route):
    url, _, process = app
    before = process_rss(process.pid)
    body = b'{"data": ["' + b"x" * (10 * 2**20) + b'", null], "session_hash": "s"}'
    began = time.monotonic()
    response = httpx.post(url + route, content=body, headers={"Content-Type": "application/json"}, timeout=60)
    took = time.monotonic() - began
    after = process_rss(process.pid)
    print(f"\n{route}: {response.status_code} in {took:.2f} s, server RSS {before:.0f} -> {after:.0f} MB")
    assert response.status_code == 413
    assert len(response.content) < 500 and "Traceback" not in response.text
    assert after - before < 20


@pytest.mark.slow
def test_a_body_without_a_length_is_cut_off_at_the_limit_too(app):
    url, _, _ = app

    def chunks() -> Iterator[bytes]:
        yield b'{"data": ["'
        for _ in range(160):
            yield b"x" * 65_536  # 10 MB in all, sent chunked, no Content-Length

    response = httpx.post(url + "gradio_api/run/ask", content=chunks(), timeout=60)
    assert response.status_code == 413


# -- 9. personal data typed into the chat --------------------------------------------------------

TYPED = [
    "Betala till SE4550000000058398257466, går det?",
    "Mitt IBAN är SE45 5000 0000 0583 9825 7466",
    "Ring mig på 070.123.45.67",
    "Ring mig på 070/765 43 21",
    "Ring mig på 070 - 123 45 67",
    "Mitt personnummer är 19850412 - 1234",
    "Mitt personnummer är 19850412\u00ad-1234",
    "Mitt personnummer är 19850412\u200b-1234",
    "Fakturan ska till bankgiro 123-4567",
    "Vårt bankgiro är 1234-5678",
    "Plusgiro 12 34 56-7 gäller",
    "Mitt konto är 8327-9 123 456 789-0",
    "Sätt in på 6789 123 456 789 tack",
    # a red team's forms, stored raw and proposed as phrasings until the thirty-seventh session:
    # Unicode's other dashes (minus sign, non-breaking hyphen, em dash), full-width digits, an
    # underscore, the date split, digits typed one at a time
    "Jag vill byta fakturaadress, kund 850715\u22121234, hur gör jag?",
    "Mitt personnummer är 850715\u20111234",
    "Mitt personnummer är 850715\u20141234",
    "Mitt personnummer är \uff18\uff15\uff10\uff17\uff11\uff15\uff0d\uff11\uff12\uff13\uff14",
    "Mitt personnummer är 850715_1234",
    "Mitt personnummer är 85-07-15-1234",
    "Mitt personnummer är 8 5 0 7 1 5 - 1 2 3 4",
    "Ring mig på 0 7 0 1 2 3 4 5 6 7",
    "Skriv till anna\uff20firma.se",
]


def digit_runs(text: str) -> set[str]:
    """Every run of 4 digits in the text's digits, in order (separators dropped)."""
    digits = re.sub(r"\D", "", text)
    return {digits[i : i + 4] for i in range(len(digits) - 3)}


@pytest.mark.slow
def test_personal_data_typed_into_the_chat_is_masked_in_the_log(app):
    url, folder, _ = app
    log = folder / "data" / "conversations.db"
    Customer(url).ask("Kan jag ringa er?")  # the log exists from here on
    conn = sqlite3.connect(log)
    (last,) = conn.execute("SELECT max(id) FROM conversations").fetchone()
    conn.close()
    for text in TYPED:
        assert FAILED not in Customer(url).ask(text)
    conn = sqlite3.connect(log)
    stored = [r[0] for r in conn.execute("SELECT question FROM conversations WHERE id > ? ORDER BY id", (last,))]
    conn.close()
    assert len(stored) == len(TYPED)
    for text, row in zip(TYPED, stored, strict=True):
        print(f"\n{text!r} -> {row!r}")
        assert text.split()[0] == row.split()[0]  # the same message
        assert not digit_runs(text) & digit_runs(row), row
        assert "[" in row
    logged = server_log(folder)
    for text in TYPED:  # nor does the server's own log hold them
        assert not any(number in logged for number in re.findall(r"\d[\d .\-/]*\d", text))


# -- 4. the log moved away -------------------------------------------------------------------


@pytest.mark.slow
def test_the_log_moved_away_while_the_app_writes_loses_no_row(app):
    url, folder, _ = app
    log = folder / "data" / "conversations.db"
    customer = Customer(url)
    customer.ask("Kan jag ringa er?")  # the log exists and is open
    conn = sqlite3.connect(log)
    before = conn.execute("SELECT count(*) FROM conversations").fetchone()[0]
    conn.close()
    moved = folder / "moved.db"
    os.rename(log, moved)  # as an operator would; the -wal and -shm stay behind
    asked = 0
    began = time.monotonic()
    while time.monotonic() - began < 3:
        Customer(url).ask(f"Hur ofta tar ni backup, fråga {asked}?")
        asked += 1
    counts = []
    for path in (moved, log):
        conn = sqlite3.connect(path)
        counts.append(conn.execute("SELECT count(*) FROM conversations").fetchone()[0])
        conn.close()
    print(f"\nmoved file {counts[0]} rows ({before} before the move), new file {counts[1]}, {asked} asked after it")
    assert counts[0] + counts[1] == before + asked  # not one row lost
    assert counts[1] > 0 and "moved away" in server_log(folder)


# -- 2. a damaged index while serving ---------------------------------------------------------


def current(folder: Path, kind: str) -> Path:
    if kind == "manifest":
        return folder / "index" / MANIFEST
    return folder / "index" / json.loads((folder / "index" / MANIFEST).read_text())["files"][kind]


def wait_for_a_sound_index(folder: Path, seconds: float = 180) -> float:
    began = time.monotonic()
    while time.monotonic() - began < seconds:
        try:
            load_index(folder / "index")
            return time.monotonic() - began
        except Exception:  # noqa: BLE001 - damaged until the app has rebuilt it
            time.sleep(0.5)
    pytest.fail(f"the index in {folder / 'index'} was not rebuilt within {seconds} s")


DAMAGE = {
    "hubness truncated": ("hubness", lambda p: p.write_bytes(p.read_bytes()[: p.stat().st_size // 2])),
    "hubness emptied": ("hubness", lambda p: p.write_bytes(b"")),
    "vectors truncated": ("vectors", lambda p: p.write_bytes(p.read_bytes()[:100])),
    "data truncated": ("data", lambda p: p.write_bytes(p.read_bytes()[:100])),
    "manifest []": ("manifest", lambda p: p.write_text("[]")),
}


@pytest.mark.slow
@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_damaged_index_file_while_serving_keeps_the_chat_answering_and_is_rebuilt(app, damage):
    url, folder, _ = app
    kind, spoil = DAMAGE[damage]
    spoil(current(folder, kind))
    (folder / "index" / MANIFEST).touch()
    replies = [Customer(url).ask(q) for q in ("Kan jag ringa er?", "Hur ofta tar ni backup?")]
    assert not any(FAILED in r for r in replies)
    assert "telefon" in replies[0].lower()
    took = wait_for_a_sound_index(folder)
    print(f"\n{damage}: index sound again {took:.1f} s after the damage")
    assert FAILED not in Customer(url).ask("Kan jag ringa er?")
    assert "Traceback" not in server_log(folder)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["hubness", "vectors", "manifest"])
def test_faqbot_index_repairs_a_damaged_index_without_a_traceback(tmp_path, shipped_index, kind):
    shutil.copytree(shipped_index / "index", tmp_path / "index")
    target = current(tmp_path, kind)
    target.write_bytes(b"[]" if kind == "manifest" else b"")
    done = subprocess.run(
        [sys.executable, "-m", "faqbot", "index", "--faq", str(shipped_index / "faq.yaml"), "--out",
         str(tmp_path / "index"), "--config", str(shipped_index / "config.yaml")],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    print(f"\n{done.stdout.strip()}")
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert "repaired" in done.stderr
    load_index(tmp_path / "index")
