"""Poisoning `learn: auto`: what an attacker with many sessions can and cannot make the bot learn.

Issue 18 item 5. With `learn: auto`, `faqbot learn --auto` accepts without staff a phrasing that
`learn_auto_clients` different clients confirmed (picked its entry among the choices offered for
it, or said 👍 to its answer) and nobody said 👎 to. "Different" is counted by the client's
network as the server sees it (faqbot.conversations.clients), never by session: a session or a
reply costs an attacker nothing, an address does. Through the real server (`python app.py`,
behind a trusted proxy on 127.0.0.1 as nginx would be, and without one):

- one address that asks and picks many times, in as many sessions, is one client: nothing is
  accepted, however often it confirms, and whatever it writes in its own X-Forwarded-For (nginx
  appends the real address; the server believes only what the trusted proxy added);
- an IPv6 attacker sending from many addresses of one /48 (what a free tunnel gives anyone) is
  one client too;
- without a trusted proxy, a forged X-Forwarded-For names nobody: all of it is 127.0.0.1;
- the log holds a keyed pseudonym of each client, never an address;
- the same phrasing confirmed by `learn_auto_clients` different addresses *is* accepted, and
  then answered directly (the rule works, so the refusals above are the rule's, not a failure).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from faqbot import FaqBot
from faqbot.cli import main
from faqbot.config import write_setting
from faqbot.conversations.store import ConversationLog
from faqbot.faq.model import load_faq
from faqbot.staff.learn import lost_acceptances
from tests.fakes import UNSURE_QUESTIONS
from tests.harness import cli_paths, running_app

pytestmark = pytest.mark.slow  # a real app process, the real model

CLIENTS = 3  # learn_auto_clients in these tests
AUTO = ("learn: auto", f"learn_auto_clients: {CLIENTS}", "rate_limit_per_minute: 0")


def shop(folder: Path, shipped_index: Path, *settings: str) -> Path:
    shutil.copy(shipped_index / "faq.yaml", folder / "faq.yaml")
    shutil.copytree(shipped_index / "index", folder / "index")
    shutil.copy(shipped_index / "config.yaml", folder / "config.yaml")
    for line in settings:
        key, value = line.split(": ", 1)
        write_setting(folder / "config.yaml", key, value)
    return folder


@pytest.fixture(scope="module")
def proxied(tmp_path_factory, shipped_index) -> Iterator[tuple[httpx.Client, Path]]:
    """The app behind a trusted proxy on 127.0.0.1 (X-Forwarded-For names the client), learn: auto."""
    folder = shop(tmp_path_factory.mktemp("auto"), shipped_index, *AUTO, "trusted_proxy: 127.0.0.1")
    with running_app(folder, folder / "log.db") as (url, _), httpx.Client(base_url=url, timeout=60) as http:
        yield http, folder


def unsure_question(http: httpx.Client) -> tuple[str, str]:
    """A question the bot offers entries for (as choices, or next to its answer), and the last of them."""
    for question in UNSURE_QUESTIONS:
        reply = http.post("/api/ask", json={"question": question}).json()
        offered = [s["faq_id"] for s in reply["suggestions"] if s["faq_id"] != reply["faq_id"]]
        if offered:
            return question, offered[-1]
    raise AssertionError("no question offered choices; add one to UNSURE_QUESTIONS")


def confirm(http: httpx.Client, question: str, faq_id: str, address: str | None) -> None:
    """One customer (from `address`, through the proxy) asks `question` and picks `faq_id`."""
    headers = {"X-Forwarded-For": address} if address else {}
    reply = http.post("/api/ask", json={"question": question}, headers=headers).json()
    assert faq_id in [s["faq_id"] for s in reply["suggestions"]], reply
    picked = http.post("/api/choice", json={"reply_id": reply["reply_id"], "faq_id": faq_id}, headers=headers)
    assert picked.status_code == 200 and picked.json()["faq_id"] == faq_id


def learn(folder: Path, capsys, *args: str) -> str:
    capsys.readouterr()
    assert main(["learn", *cli_paths(folder), "--log-file", str(folder / "log.db"), *args]) == 0
    return capsys.readouterr().out


def evidence(folder: Path, capsys, question: str) -> dict:
    found = [json.loads(line) for line in learn(folder, capsys, "--json").splitlines()]
    [suggestion] = [s for s in found if s["question"] == question]
    return suggestion["evidence"]


def log_bytes(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in folder.glob("log.db*"))


def test_one_address_or_one_ipv6_network_is_one_client_however_often_it_confirms(proxied, capsys):
    http, folder = proxied
    question, faq_id = unsure_question(http)
    for n in range(6):  # six sessions, six picks, one address, each naming another "client" before it
        confirm(http, question, faq_id, f"10.0.{n}.1, 198.51.100.7")  # as nginx forwards a forged header
    for n in range(6):  # six /64s of one IPv6 /48
        confirm(http, question, faq_id, f"2001:db8:7:{n + 1:x}::1")
    before = (folder / "faq.yaml").read_bytes()

    assert "nothing to accept" in learn(folder, capsys, "--auto")
    assert (folder / "faq.yaml").read_bytes() == before
    seen = evidence(folder, capsys, question)
    assert seen["picked"] >= 12 and seen["clients"] == 2  # twelve picks, two clients
    assert b"198.51.100.7" not in log_bytes(folder) and b"2001:db8" not in log_bytes(folder)

    # A third, different client makes it CLIENTS: now it is accepted, without staff.
    confirm(http, question, faq_id, "203.0.113.50")
    out = learn(folder, capsys, "--auto")
    assert f"added to {faq_id}" in out and question in out
    bot = FaqBot(folder / "faq.yaml", folder / "index", folder / "config.yaml")
    assert bot.ask(question).match.faq_id == faq_id


def test_a_phrasing_anyone_said_thumbs_down_to_waits_for_staff(proxied, capsys):
    http, folder = proxied
    question = "Hur funkar det här med er support egentligen?"
    reply = http.post("/api/ask", json={"question": question}).json()
    offered = [s["faq_id"] for s in reply["suggestions"] if s["faq_id"] != reply["faq_id"]]
    assert offered, reply
    faq_id = offered[-1]
    for n in range(CLIENTS + 2):
        confirm(http, question, faq_id, f"192.0.2.{n + 10}")
    # one more customer picks it and says 👎 to the answer they got
    headers = {"X-Forwarded-For": "192.0.2.99"}
    asked = http.post("/api/ask", json={"question": question}, headers=headers).json()
    picked = http.post("/api/choice", json={"reply_id": asked["reply_id"], "faq_id": faq_id}, headers=headers).json()
    assert http.post("/api/feedback", json={"reply_id": picked["reply_id"], "liked": False}, headers=headers).is_success

    assert "nothing to accept" in learn(folder, capsys, "--auto")
    seen = evidence(folder, capsys, question)  # still proposed to staff, who decide
    assert seen["clients"] == CLIENTS + 2 and seen["disliked"] == 1


def test_without_a_trusted_proxy_forged_forwarded_addresses_are_all_one_client(tmp_path, shipped_index, capsys):
    folder = shop(tmp_path, shipped_index, *AUTO)
    with running_app(folder, folder / "log.db") as (url, _), httpx.Client(base_url=url, timeout=60) as http:
        question, faq_id = unsure_question(http)
        for n in range(CLIENTS + 3):
            confirm(http, question, faq_id, f"198.51.100.{n + 1}")
    assert "nothing to accept" in learn(folder, capsys, "--auto")
    assert evidence(folder, capsys, question)["clients"] == 1
    assert b"198.51.100." not in log_bytes(folder)


def test_auto_accepts_nothing_unless_the_settings_say_learn_auto(tmp_path, shipped_index, capsys):
    folder = shop(tmp_path, shipped_index)
    assert main(["learn", *cli_paths(folder), "--log-file", str(folder / "log.db"), "--auto"]) != 0
    said = capsys.readouterr()
    assert "learn is 'staff'" in said.err + said.out and "learn: auto" in said.err + said.out


def test_a_phrasing_a_restore_took_out_is_not_put_back_by_learn_auto(tmp_path, shipped_index, capsys):
    """Found by a red-team helper: staff restored the version before `learn --auto` wrote a
    poisoned phrasing, which reopened it (proposed again), and the next `faqbot learn --auto`
    wrote it back with no staff decision. Now what a restore took out waits for staff."""
    folder = shop(tmp_path, shipped_index, *AUTO, "trusted_proxy: 127.0.0.1")
    faq = folder / "faq.yaml"
    with running_app(folder, folder / "log.db") as (url, _), httpx.Client(base_url=url, timeout=60) as http:
        question, faq_id = unsure_question(http)
        for n in range(CLIENTS):
            confirm(http, question, faq_id, f"203.0.113.{n + 60}")
    before = faq.read_text(encoding="utf-8")
    assert f"added to {faq_id}" in learn(folder, capsys, "--auto")
    accepted = load_faq(faq)
    # the restore, as the console does it (faqbot.staff.console.service.Desk.restore): the file
    # written back, and the acceptances it lost reopened in the log
    faq.write_text(before, encoding="utf-8")
    lost, gone = lost_acceptances(accepted, load_faq(faq))
    with ConversationLog(folder / "log.db") as log:
        assert log.reopen(lost, gone) == 1
    out = learn(folder, capsys, "--auto")
    assert "nothing to accept: 1 confirmed phrasing(s) were taken out of the FAQ by a restored version" in out
    assert faq.read_text(encoding="utf-8") == before
    [proposed] = [s for s in map(json.loads, learn(folder, capsys, "--json").splitlines()) if s["question"] == question]
    assert proposed["faq_id"] == faq_id  # staff still see it, and decide
    assert f"added to {faq_id}" in learn(folder, capsys, "--accept", proposed["id"])
