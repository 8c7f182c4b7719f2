"""The staff console (`faqbot staff`): accounts, sessions, throttling, CSRF, and what its pages do.

In-process (FastAPI's TestClient) over the two-entry FAQ with the fake embedder; the browser
test with the real model and the public chat is tests/test_console_browser.py, the attacks are
in tests/attack/test_console_attacks.py.
"""

from __future__ import annotations

import dataclasses
import html
import json
import logging
import re
import shutil
import socket
import sqlite3
import threading
import time
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient

from faqbot import build_index, load_faq
from faqbot.bot import FaqBot
from faqbot.cli import main
from faqbot.config import Settings
from faqbot.conversations.rows import LogRow
from faqbot.conversations.store import ConversationLog
from faqbot.decision import ReplyKind
from faqbot.faq.edit import add_off_topic, remove_entry
from faqbot.staff import learn, report, teach
from faqbot.staff.console import app as console_app
from faqbot.staff.console.accounts import IDLE_SECONDS, MAX_AGE_SECONDS, StaffStore
from faqbot.staff.console.app import create_console
from faqbot.staff.console.auth import COOKIE, FREE_FAILURES, MAX_DELAY, Throttle, same_token
from faqbot.staff.console.draft_pages import prefilled
from faqbot.staff.console.english import ENGLISH
from faqbot.staff.console.health import last_days
from faqbot.staff.console.history import what_changed, what_said
from faqbot.staff.console.language import Bilingual, Text, clock, phrasebook, spoken
from faqbot.staff.console.service import Desk, Progress
from faqbot.staff.console.web import Console
from faqbot.staff.trends import staff_zone
from faqbot.web.ratelimit import RateLimiter
from tests.conftest import ROOT
from tests.fakes import SMALL_BANK, small_bank

pytestmark = pytest.mark.slow  # argon2 hashing, login throttling and tarpit waits are costly on purpose

PASSWORD = "ett långt lösenord"


class Clock:
    """A clock a test moves by hand."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Site:
    client: TestClient
    store: StaffStore
    desk: Desk
    clock: Clock
    folder: object

    def login(self, name: str = "anna", password: str = PASSWORD):
        page = self.client.get("/login")
        token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        return self.client.post(
            "/login", data={"username": name, "password": password, "csrf": token}, follow_redirects=False
        )

    def csrf(self, path: str = "/") -> str:
        return re.search(r'name="csrf" value="([^"]+)"', self.client.get(path).text).group(1)


def make_site(folder, fake_embedder, base_url: str = "http://localhost") -> Site:
    bank = small_bank(folder) if (folder / "offtopic.txt").exists() else None  # the setting's, as `faqbot index`
    build_index(load_faq(folder / "faq.yaml"), fake_embedder, folder / "index", offtopic=bank)
    settings = Settings.resolve(folder / "faq.yaml", folder / "index", folder / "config.yaml", log=folder / "log.db")
    clock = Clock()
    store = StaffStore(folder / "log.db", clock=clock)
    store.add_user("anna", PASSWORD)
    desk = Desk(settings)
    app = create_console(Console(desk, store, Throttle(clock=clock), RateLimiter(clock=clock)))
    return Site(TestClient(app, base_url=base_url), store, desk, clock, folder)


@pytest.fixture
def site(small, fake_embedder):
    made = make_site(small, fake_embedder)
    yield made
    made.desk.close()
    made.store.close()


# -- accounts and sessions -------------------------------------------------------------------


def test_a_password_is_stored_as_an_argon2id_hash_never_as_itself(small):
    store = StaffStore(small / "log.db")
    store.add_user("anna", PASSWORD)
    (stored,) = sqlite3.connect(small / "log.db").execute("SELECT password_hash FROM staff_users").fetchone()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert store.verify("anna", PASSWORD)
    assert not store.verify("anna", PASSWORD + "x")
    assert not store.verify("bertil", PASSWORD)


def test_a_short_password_or_odd_name_is_refused(small):
    store = StaffStore(small / "log.db")
    with pytest.raises(Exception, match="at least 10"):
        store.add_user("anna", "kort")
    with pytest.raises(Exception, match="user name"):
        store.add_user("anna bertil", PASSWORD)
    with pytest.raises(Exception, match="user name"):
        store.add_user("anna\n", PASSWORD)  # "$" let a final newline through
    assert store.users() == []


def test_staff_with_swedish_letters_in_their_names_get_accounts_that_one_spelling_reaches(small):
    """Found by a walk-through: `faqbot staff add-user göran` was refused (letters a-z only), so
    Åsa, Göran and Björn could not use their names. "ö" typed as one character or as "o" with a
    combining diaeresis is one account and one throttle, never two."""
    from faqbot.staff.console.auth import login_keys

    store = StaffStore(small / "log.db")
    for name in ("göran", "Åsa", "bjørn"):
        store.add_user(name, PASSWORD)
    decomposed = unicodedata.normalize("NFD", "göran")
    assert decomposed != "göran" and store.log_in(decomposed, PASSWORD).user == "göran"
    assert sorted(store.users()) == ["bjørn", "göran", "Åsa"]
    assert login_keys(decomposed, "10.0.0.1") == login_keys("Göran", "10.0.0.1")
    store.add_user(decomposed, PASSWORD + "2")  # a new password for the same account, not a second one
    assert sorted(store.users()) == ["bjørn", "göran", "Åsa"] and store.log_in("göran", PASSWORD) is None
    assert store.remove_user(decomposed) and "göran" not in store.users()
    with pytest.raises(Exception, match="user name"):
        store.add_user("göran\u200b", PASSWORD)  # an invisible character is no letter


def test_a_user_name_reaches_its_account_whatever_the_case(small):
    """Found by a walk-through: a phone capitalises the first letter, and "Åsa" for the account
    "åsa" was refused as a wrong password (and counted toward her lockout)."""
    store = StaffStore(small / "log.db")
    store.add_user("åsa", PASSWORD)
    assert store.log_in("Åsa", PASSWORD).user == "åsa" and store.log_in("ÅSA", PASSWORD).user == "åsa"
    assert store.log_in("Åsa", PASSWORD + "x") is None
    assert store.add_user("ÅSA", PASSWORD + "2") == "åsa" and store.users() == [
        "åsa"
    ]  # a new password, not a second account
    assert store.log_in("åsa", PASSWORD) is None and store.log_in("Åsa", PASSWORD + "2").user == "åsa"
    assert store.remove_user("Åsa") and store.users() == []


def test_the_database_holds_only_the_hash_of_a_session_id(small):
    store = StaffStore(small / "log.db")
    store.add_user("anna", PASSWORD)
    session = store.log_in("anna", PASSWORD)
    rows = sqlite3.connect(small / "log.db").execute("SELECT token_hash FROM staff_sessions").fetchall()
    assert len(session.token) >= 40 and rows == [(session.token_hash,)] and session.token not in rows[0][0]
    assert store.log_in("anna", PASSWORD).token != session.token  # every login a new id


def test_a_session_ends_when_idle_after_its_longest_life_at_logout_and_with_its_user(small):
    clock = Clock()
    store = StaffStore(small / "log.db", clock=clock)
    store.add_user("anna", PASSWORD)
    idle = store.log_in("anna", PASSWORD)
    clock.now += IDLE_SECONDS + 1
    assert store.session(idle.token) is None
    busy = store.log_in("anna", PASSWORD)
    for _ in range(int(MAX_AGE_SECONDS / (IDLE_SECONDS / 2))):
        assert store.session(busy.token) is not None
        clock.now += IDLE_SECONDS / 2
    clock.now += 1
    assert store.session(busy.token) is None  # in use all along, but older than MAX_AGE_SECONDS
    out = store.log_in("anna", PASSWORD)
    store.log_out(out.token_hash)
    assert store.session(out.token) is None
    gone = store.log_in("anna", PASSWORD)
    store.remove_user("anna")
    assert store.session(gone.token) is None and store.users() == []


def test_staff_accounts_by_command(small, monkeypatch, capsys):
    monkeypatch.setenv("FAQBOT_LOG", str(small / "log.db"))
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO(PASSWORD + "\n"))
    assert main(["staff", "--config", str(small / "config.yaml"), "add-user", "anna", "--password-stdin"]) == 0
    assert main(["staff", "--config", str(small / "config.yaml"), "list-users"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "anna"
    assert StaffStore(small / "log.db").verify("anna", PASSWORD)
    assert main(["staff", "--config", str(small / "config.yaml"), "remove-user", "anna"]) == 0
    assert main(["staff", "--config", str(small / "config.yaml"), "remove-user", "anna"]) == 1


def test_the_login_page_after_a_logout_says_it_was_done(site):
    """Found by a walk-through: "Logga ut" landed on a bare login page, with no word that it worked."""
    site.login()
    out = site.client.post("/logout", data={"csrf": site.csrf()}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/login?ut=1"
    page = site.client.get(out.headers["location"]).text
    assert '<p class="ok" role="status">Du är utloggad.</p>' in page and 'role="alert"' not in page
    assert site.client.get("/", follow_redirects=False).status_code == 303  # and it was
    assert "Du är utloggad." not in site.client.get("/login").text  # a login page of its own says nothing


def test_an_answer_typed_while_the_session_ended_is_in_the_form_after_the_login(site):
    """Found by walk-throughs: an answer typed while the session ended (idle, or logged out in
    another tab) went to a bare login page, and the login to the overview, with not a word; then
    the login page said nothing was saved, and what was typed was lost (the form does not let
    the browser's Back fill it in again)."""
    site.login()
    digest, ended = form_hash(site), site.csrf()
    site.client.post("/logout", data={"csrf": ended})  # another tab
    before = (site.folder / "faq.yaml").read_bytes()
    fields = {"question": "Hur ofta gör ni säkerhetskopior?", "answer": "Två gånger per natt.", "hash": digest}
    sent = site.client.post("/fragor/backup", data={**fields, "csrf": ended}, follow_redirects=False)
    assert sent.status_code == 303 and sent.headers["location"] == "/login?sida=%2Ffragor%2Fbackup&utloggad=1"
    page = site.client.get(sent.headers["location"]).text
    assert (
        "Du hade loggats ut, så det du skrev är inte sparat. Logga in, så står det kvar i formuläret." in page
        and 'name="sida" value="/fragor/backup?utkast=1"' in page  # told, after the login, that a draft was promised
    )
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    wrong = {"username": "anna", "password": "fel lösenord", "csrf": token, "sida": "/fragor/backup"}
    wrong["sida"] = "/fragor/backup?utkast=1"
    assert 'name="sida" value="/fragor/backup?utkast=1"' in site.client.post("/login", data=wrong).text  # kept
    token = re.search(r'name="csrf" value="([^"]+)"', site.client.get("/login?sida=/fragor/backup").text).group(1)
    right = {"username": "anna", "password": PASSWORD, "csrf": token, "sida": "/fragor/backup"}
    back = site.client.post("/login", data=right, follow_redirects=False)
    assert back.status_code == 303 and back.headers["location"] == "/fragor/backup"
    assert (site.folder / "faq.yaml").read_bytes() == before
    form = site.client.get("/fragor/backup").text  # what was typed, with the hash it was opened on
    assert "Det här skrev du innan du loggades ut. Det är inte sparat än" in form
    assert ">Två gånger per natt.</textarea>" in form and f'name="hash" value="{digest}"' in form
    assert "Två gånger per natt." not in site.client.get("/fragor/backup").text  # once: then the file's text
    saved = site.client.post("/fragor/backup", data={**fields, "csrf": site.csrf()})
    assert saved.status_code == 200 and "Två gånger per natt." in (site.folder / "faq.yaml").read_text()
    site.client.post("/logout", data={"csrf": site.csrf()})
    clicked = site.client.post("/granska", data={"csrf": "gone", "id": "x", "do": "reject"}, follow_redirects=False)
    page = site.client.get(clicked.headers["location"]).text  # a click, not typing: nothing kept, and it says so
    assert "Du hade loggats ut, så det du skickade gjordes inte: inget sparades." in page
    site.login()
    opened = site.client.get("/granska", follow_redirects=False)
    assert opened.status_code == 200  # logged in again
    site.client.cookies.clear()
    page_asked = site.client.get("/historik", follow_redirects=False)  # a page, not a form: no word of saving
    assert page_asked.headers["location"] == "/login?sida=%2Fhistorik"
    tried = site.client.get("/prova?fraga=Har+ni+tolk%3F", follow_redirects=False)  # the question kept
    assert tried.headers["location"] == "/login?" + urlencode({"sida": "/prova?fraga=Har+ni+tolk%3F"})
    long = site.client.get("/fragor?sok=" + "a" * 3000, follow_redirects=False)  # no 3 KB address to return to
    assert long.headers["location"] == "/login"


def test_two_tabs_typed_while_the_session_ended_are_both_kept_through_a_reload_and_the_language_switch(site):
    """Found by a browser walk-through: a second tab's form sent after the session ended replaced
    the first's kept draft, and the language switch (or a reload) on the restored form showed the
    file's text again."""
    site.login()
    digests, ended = {faq_id: form_hash(site, faq_id) for faq_id in ("backup", "phone")}, site.csrf()
    site.client.post("/logout", data={"csrf": ended})
    typed = {
        "backup": ("Hur ofta gör ni säkerhetskopior?", "Två gånger per natt."),
        "phone": ("Kan jag ringa er?", "Ring 08-123 45 67."),
    }
    for faq_id, (question, answer) in typed.items():
        fields = {"question": question, "answer": answer, "hash": digests[faq_id], "csrf": ended}
        site.client.post(f"/fragor/{faq_id}", data=fields, follow_redirects=False)
    site.login()
    opened = site.client.get("/fragor/backup")
    assert "Två gånger per natt." in opened.text and "utfall=" in str(opened.url)
    here = f"{opened.url.path}?{opened.url.query.decode()}"
    assert "Två gånger per natt." in site.client.get(here).text  # a reload
    english = site.client.get("/sprak", params={"till": "en", "sida": here}).text
    assert "Två gånger per natt." in english and "You typed this before you were logged out." in english
    assert "Ring 08-123 45 67." in site.client.get("/fragor/phone").text  # the other tab's
    site.client.post("/logout", data={"csrf": (ended := site.csrf())})
    tried = {"question": "Kan jag ringa er?", "answer": "Ring 08-123 45 67.", "prova_fraga": "Har ni en telefon?"}
    site.client.post("/fragor/phone/prova", data={**tried, "hash": digests["phone"], "csrf": ended})
    site.login()  # "Prova" sent after the session ended: the draft and the question it was tried with
    assert ">Har ni en telefon?</textarea>" in site.client.get("/fragor/phone").text
    assert "Två gånger per natt." not in site.client.get("/fragor/backup").text  # the page itself: the file's text


def test_an_answer_typed_for_an_entry_removed_before_the_login_is_offered_as_a_new_entry(site):
    site.login()
    digest, ended = form_hash(site), site.csrf()
    site.client.post("/logout", data={"csrf": ended})
    typed = {"question": "Hur ofta gör ni säkerhetskopior?", "answer": "Två gånger per natt.", "hash": digest}
    site.client.post("/fragor/backup", data={**typed, "csrf": ended}, follow_redirects=False)
    remove_entry(site.folder / "faq.yaml", "backup")  # a colleague, meanwhile
    site.login()
    page = site.client.get("/fragor/backup")
    assert page.status_code == 200 and "Posten finns inte längre" in page.text
    assert ">Två gånger per natt.</textarea>" in page.text and 'action="/ny-fraga"' in page.text


def test_an_answer_typed_before_a_login_in_another_tab_is_kept_and_a_colleagues_form_is_refused(site):
    """Found by a red-team helper: logged out, then logged in again in another tab, Spara in the
    first tab was refused ("Formuläret kom från en sida som öppnades före din senaste
    inloggning") and the text typed was lost."""
    site.login()
    digest, ended = form_hash(site), site.csrf()
    site.client.post("/logout", data={"csrf": ended})
    site.login()  # another tab
    before = (site.folder / "faq.yaml").read_bytes()
    typed = {"question": "Hur ofta gör ni säkerhetskopior?", "answer": "Två gånger per natt.", "hash": digest}
    sent = site.client.post("/fragor/backup", data={**typed, "csrf": ended}, follow_redirects=False)
    assert sent.status_code == 303 and sent.headers["location"] == "/fragor/backup"
    form = site.client.get(sent.headers["location"]).text
    assert "Det här skrev du innan du loggades ut." in form and ">Två gånger per natt.</textarea>" in form
    assert (site.folder / "faq.yaml").read_bytes() == before
    site.store.add_user("bertil", "ett annat lösenord")
    bertil = dataclasses.replace(site, client=TestClient(site.client.app, base_url="http://localhost"))
    bertil.login("bertil", "ett annat lösenord")
    theirs = bertil.csrf()
    bertil.client.post("/logout", data={"csrf": theirs})
    refused = site.client.post("/fragor/backup", data={**typed, "csrf": theirs}, follow_redirects=False)
    assert refused.status_code == 403 and "öppnades före din senaste inloggning" in refused.text


def test_a_new_entry_typed_while_the_session_ended_is_in_the_form_after_the_login(site):
    site.login()
    ended = site.csrf()
    site.client.post("/logout", data={"csrf": ended})
    typed = {"question": "Har ni presentkort?", "answer": "Ja, i receptionen.", "alternatives": "presentkort"}
    sent = site.client.post("/ny-fraga", data={**typed, "csrf": ended}, follow_redirects=False)
    assert sent.headers["location"] == "/login?sida=%2Fny-fraga&utloggad=1"
    site.login()
    form = site.client.get("/ny-fraga").text
    assert "Det här skrev du innan du loggades ut." in form and 'value="Har ni presentkort?"' in form
    assert "presentkort" not in (site.folder / "faq.yaml").read_text()


@pytest.mark.parametrize("page", ["/fragor/backup", "/ny-fraga"])
def test_a_draft_promised_at_the_login_but_gone_by_then_is_said_to_be_gone(site, fake_embedder, page):
    """Kept drafts live in the console's memory: restarted between the login page's promise and
    the login, the form showed the file's text (or an empty form) without a word (a red-team helper)."""
    site.login()
    digest, ended = form_hash(site), site.csrf()
    site.client.post("/logout", data={"csrf": ended})
    typed = {"question": "Hur ofta gör ni säkerhetskopior?", "answer": "Två gånger per natt.", "csrf": ended}
    sent = site.client.post(page, data={**typed, "hash": digest}, follow_redirects=False)
    login = site.client.get(sent.headers["location"]).text
    assert "Logga in, så står det kvar i formuläret." in login
    restarted = TestClient(create_console(Console(site.desk, site.store)), base_url="http://localhost")
    restarted.cookies = site.client.cookies  # the same browser; a new process: the same files, nothing in memory
    site = dataclasses.replace(site, client=restarted)
    site.login()
    after = re.search(r'name="sida" value="([^"]+)"', login).group(1)
    form = site.client.get(after).text
    assert "Det du skrev innan du loggades ut finns inte kvar" in form and "Inget av det är sparat." in form
    assert "Två gånger per natt." not in form


def test_a_draft_kept_for_a_colleague_is_not_said_gone_and_a_kept_draft_says_what_was_taken_out(site):
    """Found by helpers: a colleague who logged in at the login page that promised anna's draft was
    told it was gone (anna, logging in later in that browser, had it back); and a draft kept across
    the login came back with its control character taken out without a word."""
    site.login()
    digest, ended = form_hash(site), site.csrf()
    site.client.post("/logout", data={"csrf": ended})
    typed = {"question": "Hur ofta gör ni säkerhetskopior?", "answer": "Två gånger\u202c per natt.", "hash": digest}
    typed["prova_fraga"] = "x" * 201  # past the try field's bound: kept whole, to be shortened
    sent = site.client.post("/fragor/backup/prova", data={**typed, "csrf": ended}, follow_redirects=False)
    login = site.client.get(sent.headers["location"]).text
    after = re.search(r'name="sida" value="([^"]+)"', login).group(1)
    site.store.add_user("bertil", "ett annat lösenord")
    site.login("bertil", "ett annat lösenord")
    theirs = site.client.get(after).text
    assert "finns inte kvar" not in theirs and "Två gånger per natt." not in theirs
    site.client.post("/logout", data={"csrf": site.csrf()})
    site.login()
    form = site.client.get(after).text
    assert "Det här skrev du innan du loggades ut." in form and ">Två gånger per natt.</textarea>" in form
    assert "Här fanns ett osynligt styrtecken" in form and "För långt: högst 200 tecken." in form
    assert ">" + "x" * 201 + "</textarea>" in form


def test_the_console_never_serves_on_the_chat_port(small, capsys):
    assert main(["staff", "--config", str(small / "config.yaml"), "--port", "7860"]) == 1
    assert "never shares the chat's port" in capsys.readouterr().err


def test_a_taken_port_is_said_before_the_console_announces_its_address(small, capsys):
    """It printed "the staff console on http://..." and then uvicorn's bind error (exit 3)."""
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        assert main(["staff", "--config", str(small / "config.yaml"), "--port", str(port)]) == 1
    said = capsys.readouterr()
    assert f"cannot listen on 127.0.0.1:{port}" in said.err and "choose another with --port" in said.err
    assert "the staff console on" not in said.out


# -- throttling and CSRF -------------------------------------------------------------------------


def test_failed_logins_wait_longer_each_time_up_to_a_bound():
    clock = Clock()
    throttle = Throttle(clock=clock)
    waits = []
    for _ in range(15):
        throttle.failed("user:anna")
        waits.append(throttle.wait("user:anna"))
    assert waits[:2] == [0, 0] and waits[2] > 0
    assert all(b >= a for a, b in zip(waits, waits[1:], strict=False)) and waits[4] == 2 * waits[3]
    assert max(waits) == MAX_DELAY
    assert throttle.wait("user:bertil") == 0  # another account is not slowed down
    clock.now += MAX_DELAY
    assert throttle.wait("user:anna") == 0
    throttle.succeeded("user:anna")
    throttle.failed("user:anna")
    assert throttle.wait("user:anna") == 0  # a success starts the count again


def test_failures_from_one_address_slow_down_every_account_tried_from_it():
    throttle = Throttle(clock=Clock())
    for name in ("a", "b", "c", "d"):
        throttle.failed(f"user:{name}", "addr:203.0.113.9")
    assert throttle.wait("user:e", "addr:203.0.113.9") > 0
    assert throttle.wait("user:e", "addr:198.51.100.1") == 0


def test_a_csrf_token_must_be_present_and_equal():
    assert same_token("abc", "abc")
    assert not same_token("abc", "abd") and not same_token("abc", None) and not same_token("", "")


# -- the pages ------------------------------------------------------------------------------------


def test_staff_log_in_and_see_the_overview_with_the_index_and_todays_questions(site):
    with ConversationLog(site.folder / "log.db") as log:
        log.record(LogRow("r1", "Kan jag ringa?", "sv", "answer", True, "phone", None, 0.8, 0.3, "v1"))
        log.record(LogRow("r2", "Vad kostar en bil?", "sv", "helpdesk", False, None, "phone", 0.1, 0.3, "v1"))
        log.record(
            LogRow("r3", "Ring backup?", "sv", "helpdesk", False, None, "phone", 0.2, 0.3, "v1", ("phone", "backup"))
        )
    response = site.login()
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = response.headers["set-cookie"]
    assert f"{COOKIE}=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie and "Secure" not in cookie
    page = site.client.get("/")
    assert page.status_code == 200 and "<h1>Översikt</h1>" in page.text
    figures = re.search(r"Frågor</th><td>(\d+)</td><td>(\d+)", page.text).groups()
    assert figures == ("3", "3")
    assert re.search(r"Till helpdesk</th><td>2</td>", page.text)
    # choices under a helpdesk reply are choices the customer saw, as `faqbot report` counts them
    assert re.search(r"Erbjöds val \(”Menade du …\?”\)</th><td>1</td>", page.text)
    assert "En fråga kan stå på två rader" in page.text  # 1 + 2 helpdesk + 0 answered is not 3: said why
    assert "<dt>Poster</dt><dd>2</dd>" in page.text
    # the small FAQ's fixed threshold offers no choices on the scores: said as a sentence, not "inom aldrig"
    assert "<dt>Val (”Menade du …?”) erbjuds</dt><dd>i stället för ett svar bara för vaga meddelanden" in page.text


def test_over_tls_the_session_cookie_is_secure(small, fake_embedder):
    made = make_site(small, fake_embedder, base_url="https://localhost")
    assert "Secure" in made.login().headers["set-cookie"]


def test_every_page_says_no_framing_no_caching_and_nothing_from_other_hosts(site):
    for path in ("/login", "/static/console.css"):
        headers = site.client.get(path).headers
        assert headers["x-frame-options"] == "DENY" and headers["cache-control"] == "no-store"
        csp = headers["content-security-policy"]
        assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp and "http" not in csp
    assert "//" not in site.client.get("/login").text.split("<body>")[0].replace("<!doctype html>", "")


def test_a_refused_faq_edit_shows_on_the_overview(site):
    site.login()
    faq = site.folder / "faq.yaml"
    faq.write_text(faq.read_text(encoding="utf-8").replace("answer: Varje natt.", "answer:"), encoding="utf-8")
    page = site.client.get("/")
    assert "Problem i chatten" in page.text and "vägrar den senaste ändringen" in page.text
    # the check's message in Swedish (found by a walk-through), told once: under "Problem i chatten",
    # not again among damaged files (found by another)
    assert page.text.count("svaret i posten &#39;backup&#39; saknar text") == 1 and "is empty" not in page.text


def test_a_slip_in_the_yaml_is_explained_in_swedish_on_the_overview_and_the_edit_form(site):
    site.login()
    faq = site.folder / "faq.yaml"
    digest = re.search(r'name="hash" value="([^"]+)"', site.client.get("/fragor/backup").text).group(1)
    faq.write_text(faq.read_text(encoding="utf-8").replace("Varje natt.", "Varje natt: 02.00."), encoding="utf-8")
    explained = (
        f"{faq}:5: ogiltig YAML: texten efter &#39;answer:&#39; innehåller &#39;: &#39; (kolon och mellanslag), "
        "som YAML läser som början på en ny nyckel; sätt citattecken runt hela texten: "
        "answer: &#34;Varje natt: 02.00.&#34;"
    )
    overview = site.client.get("/")
    assert "vägrar den senaste ändringen" in overview.text and explained in overview.text
    form = site.client.get("/fragor/backup")
    assert form.status_code == 409 and "FAQ-filen har ett fel" in form.text and explained in form.text
    fields = {
        "question": "Hur ofta gör ni säkerhetskopior?",
        "answer": "Varje timme.",
        "csrf": site.csrf(),
        "hash": digest,
    }
    saved = site.client.post("/fragor/backup", data=fields)  # a form opened before the slip
    assert saved.status_code == 409 and explained in saved.text
    assert "Varje natt: 02.00." in faq.read_text(encoding="utf-8")


def test_an_answer_saved_in_the_form_is_what_the_bot_answers_and_only_its_line_changes(site):
    site.login()
    faq = site.folder / "faq.yaml"
    before = faq.read_text(encoding="utf-8")
    form = site.client.get("/fragor/backup").text
    digest = re.search(r'name="hash" value="([^"]+)"', form).group(1)
    fields = {"question": "Hur ofta gör ni säkerhetskopior?", "answer": "Två gånger per natt.", "alternatives": ""}
    saved = site.client.post("/fragor/backup", data={**fields, "csrf": site.csrf("/fragor"), "hash": digest})
    assert saved.status_code == 200 and "Sparat" in saved.text and "Två gånger per natt." in saved.text
    after = faq.read_text(encoding="utf-8")
    assert after == before.replace("answer: Varje natt.", "answer: Två gånger per natt.")

    bot = FaqBot(site.folder / "faq.yaml", site.folder / "index", site.folder / "config.yaml", auto_build=False)
    assert bot.ask("Hur ofta gör ni säkerhetskopior?").answer.startswith("Två gånger per natt.")


def test_a_save_calibrates_with_the_settings_bank_and_does_not_build_what_a_chat_built_already(site):
    """The console's rebuild after a save calibrated with the shipped off-topic bank, whatever the
    setting `offtopic_bank` said (`faqbot index` and the chat's own rebuilds use it): a save moved
    a company's calibrated decision. And a chat serving the same folder that saw the edited file
    before the console's rebuild had built its index already; the console built it again."""
    from faqbot.faq.edit import add_learned
    from faqbot.retrieval.index import load_index, rebuild_for_file

    site.login()
    fields = {"question": "Hur ofta gör ni säkerhetskopior?", "answer": "Två gånger per natt.", "alternatives": ""}
    site.client.post("/fragor/backup", data={**fields, "csrf": site.csrf(), "hash": form_hash(site)})
    manifest = load_index(site.folder / "index").manifest
    assert manifest.calibration.offtopic_questions == SMALL_BANK  # the setting's, not the shipped bank's 600
    smaller = site.folder / "other-bank.txt"  # the setting changed while the console runs: read at the next save
    smaller.write_text("\n".join(small_bank(site.folder)[:10]) + "\n", encoding="utf-8")
    config = site.folder / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("offtopic.txt", "other-bank.txt"), encoding="utf-8")
    fields["answer"] = "Tre gånger per natt."
    site.client.post("/fragor/backup", data={**fields, "csrf": site.csrf(), "hash": form_hash(site)})
    assert load_index(site.folder / "index").manifest.calibration.offtopic_questions == 10
    add_learned(site.folder / "faq.yaml", {"backup": ["Tar ni backup varje natt?"]})  # as a save writes it
    bank = site.desk.bot.index.offtopic
    chat = rebuild_for_file(site.folder / "faq.yaml", site.desk.bot.embedder, site.folder / "index", bank)
    assert chat is not None and load_index(site.folder / "index").manifest.built_by == "chat"
    built_at = load_index(site.folder / "index").manifest.built_at
    assert site.desk.rebuild() is None  # the chat's index: fresh, published and served as it is
    assert load_index(site.folder / "index").manifest.built_at == built_at
    assert site.desk.bot.ask("Tar ni backup varje natt?").match.faq_id == "backup"
    add_learned(site.folder / "faq.yaml", {"backup": ["Sparar ni kopior av sajten?"]})
    rebuild_for_file(site.folder / "faq.yaml", site.desk.bot.embedder, site.folder / "index")  # the shipped bank
    assert site.desk.rebuild() is not None  # calibrated with another bank: built again with the setting's
    assert load_index(site.folder / "index").manifest.calibration.offtopic_questions == 10


def test_an_answer_at_the_forms_bound_is_saved_though_the_browser_sends_each_line_break_as_two(site):
    """maxlength counts a line break once; the form posts CR LF: 10,000 characters are 10,000."""
    site.login()
    form = site.client.get("/fragor/backup").text
    digest = re.search(r'name="hash" value="([^"]+)"', form).group(1)
    typed = "\n".join(["Varje natt."] * 834)[:10_000]  # 10,000 characters as typed, 833 line breaks
    answer = typed.replace("\n", "\r\n")  # as the browser posts it: 10,833
    assert len(typed) == 10_000 and len(answer) > 10_000
    fields = {"question": "Hur ofta gör ni säkerhetskopior?", "answer": answer, "alternatives": ""}
    saved = site.client.post("/fragor/backup", data={**fields, "csrf": site.csrf("/fragor"), "hash": digest})
    assert saved.status_code == 200 and "Sparat" in saved.text


def test_a_form_opened_before_someone_edited_the_file_does_not_overwrite_it(site):
    site.login()
    faq = site.folder / "faq.yaml"
    digest = re.search(r'name="hash" value="([^"]+)"', site.client.get("/fragor/backup").text).group(1)
    faq.write_text(faq.read_text(encoding="utf-8").replace("Varje natt.", "Varje timme."), encoding="utf-8")
    edited = faq.read_text(encoding="utf-8")
    fields = {"question": "Hur ofta gör ni säkerhetskopior?", "answer": "Aldrig.", "csrf": site.csrf(), "hash": digest}
    response = site.client.post("/fragor/backup", data=fields)
    assert response.status_code == 409 and "Filen har ändrats" in response.text and "Varje timme." in response.text
    assert faq.read_text(encoding="utf-8") == edited


def test_an_answer_of_one_line_saved_as_paragraphs_changes_only_its_own_lines(site):
    """Found by a walk-through: a blank line appeared under the answer, before the next entry."""
    site.login()
    faq = site.folder / "faq.yaml"
    faq.write_text(faq.read_text(encoding="utf-8").replace("  - id: phone", "\n  - id: phone"), encoding="utf-8")
    before = faq.read_text(encoding="utf-8")
    fields = {
        "question": "Hur ofta gör ni säkerhetskopior?",
        "answer": "Varje natt.\r\n\r\nOch varje söndag.",
        "hash": form_hash(site),
    }
    assert "Sparat" in site.client.post("/fragor/backup", data={**fields, "csrf": site.csrf()}).text
    block = "    answer: |\n      Varje natt.\n\n      Och varje söndag.\n"
    assert faq.read_text(encoding="utf-8") == before.replace("    answer: Varje natt.\n", block)


def test_a_saved_form_sent_again_by_reloading_the_page_changes_nothing_and_is_no_conflict(site):
    """The browser re-posts the form (and its old hash) on reload, each line break as CR LF."""
    site.login()
    faq = site.folder / "faq.yaml"
    form = site.client.get("/fragor/backup").text
    digest = re.search(r'name="hash" value="([^"]+)"', form).group(1)
    fields = {
        "question": "Hur ofta gör ni säkerhetskopior?",
        "answer": "Varje natt.\r\nOch varje söndag en hel kopia.",
        "alternatives": "Tar ni backup?\r\nSparar ni kopior?",
        "hash": digest,
    }
    saved = site.client.post("/fragor/backup", data={**fields, "csrf": site.csrf()})
    assert saved.status_code == 200 and "Sparat" in saved.text
    written = faq.read_text(encoding="utf-8")
    again = site.client.post("/fragor/backup", data={**fields, "csrf": site.csrf()})
    assert again.status_code == 200 and "Inget var ändrat." in again.text and "Filen har ändrats" not in again.text
    assert faq.read_text(encoding="utf-8") == written
    other = site.client.post("/fragor/backup", data={**fields, "answer": "Aldrig.", "csrf": site.csrf()})
    conflict = other.text.split('role="alert"')[1].split("</div>")[0]
    assert other.status_code == 409 and "Svar" in conflict and "Varje natt." in conflict
    assert "Tar ni backup?" not in conflict and "Fråga</strong>" not in conflict  # only the field that differs
    assert faq.read_text(encoding="utf-8") == written


def test_a_save_shows_what_changed_not_the_whole_field_again(site):
    """Found by a walk-through: one alternative added to seven showed all seven struck out and
    written again, as if the list had been wiped; an answer's one changed word the same."""
    site.login()
    answer = "Varje natt sparar vi en kopia av hela sajten, och varje söndag en kopia som vi behåller i 30 dagar."
    fields = {"question": "Hur ofta gör ni säkerhetskopior?", "answer": answer, "alternatives": "Tar ni backup?"}
    site.client.post("/fragor/backup", data={**fields, "hash": form_hash(site), "csrf": site.csrf()})
    changed = {
        **fields,
        "answer": answer.replace("30 dagar", "60 dagar"),
        "alternatives": "Tar ni backup?\nSparar ni kopior?",
        "hash": form_hash(site),
    }
    saved = site.client.post("/fragor/backup", data={**changed, "csrf": site.csrf()}).text
    shown = saved.split('<ul class="changes">')[1].split("</ul>")[0]
    assert 'tillagt: <ins lang="sv">Sparar ni kopior?</ins> (1 oförändrade)' in shown and "Tar ni backup?" not in shown
    hidden = '<span class="visually-hidden" lang="sv">[{}: </span>{}<span class="visually-hidden">]</span>'
    assert (
        f'<span class="words" lang="sv">… en kopia som vi behåller i <del>{hidden.format("borttaget", "30")}</del>'
        f"<ins>{hidden.format('tillagt', '60')}</ins> dagar.</span>" in shown
    )
    assert "Varje natt sparar" not in shown  # the words far from the change are left out
    rewritten = {**changed, "answer": "Ring oss.", "alternatives": "", "hash": form_hash(site)}
    again = site.client.post("/fragor/backup", data={**rewritten, "csrf": site.csrf()}).text
    shown = again.split('<ul class="changes">')[1].split("</ul>")[0]
    # rewritten: before and after whole, each said to be so (a walk-through heard two texts, unmarked)
    assert f' → <ins lang="sv">{hidden.format("tillagt", "Ring oss.")}</ins>' in shown
    assert f'<del lang="sv">{hidden.format("borttaget", answer.replace("30 dagar", "60 dagar"))}</del>' in shown
    assert 'borttaget: <del lang="sv">Tar ni backup?</del>; <del lang="sv">Sparar ni kopior?</del>' in shown
    switch(site, "en", "/fragor/backup")
    english = site.client.post("/fragor/backup", data={**fields, "hash": form_hash(site), "csrf": site.csrf()}).text
    assert '<span class="visually-hidden" lang="en">[removed: </span>Ring oss.' in english


def test_an_alternative_written_twice_in_the_form_is_saved_once(site):
    """Found by the red team: the FAQ check finds a question two entries share, not one an entry
    lists twice; a line pasted twice went into the file twice."""
    site.login()
    fields = {
        "question": "Hur ofta gör ni säkerhetskopior?",
        "answer": "Varje natt.",
        "alternatives": "Tar ni backup?\r\nSparar ni kopior?\r\nTar ni  backup?",
        "hash": form_hash(site),
    }
    saved = site.client.post("/fragor/backup", data={**fields, "csrf": site.csrf()})
    assert saved.status_code == 200 and "Sparat" in saved.text
    assert load_faq(site.folder / "faq.yaml").by_id["backup"].alternatives == ("Tar ni backup?", "Sparar ni kopior?")


def test_a_form_that_did_its_work_leads_to_a_page_that_can_be_reloaded_without_doing_it_again(site):
    """Post/Redirect/Get: the outcome's page is a GET (its address names the outcome), so a reload,
    the back button or the language switch shows the outcome again and sends nothing."""
    log_a_pick_and_a_helpdesk_question(site.folder / "log.db")
    site.login()
    faq = site.folder / "faq.yaml"
    page = site.client.get("/granska").text
    suggestion = re.search(r'name="action" value="accept">\s*<input type="hidden" name="id" value="([^"]+)"', page)
    for section in ("confirmed", "helpdesk"):  # after a decision at the top, one link back to a list (no 👎 here)
        assert f'<a href="#{section}">' in page and f'id="{section}"' in page
    posted = site.client.post(
        "/granska", data={"action": "accept", "id": suggestion.group(1), "csrf": site.csrf()}, follow_redirects=False
    )
    outcome = posted.headers["location"]
    assert posted.status_code == 303 and re.fullmatch(r"/granska\?utfall=[\w-]{16}", outcome)
    written, versions = faq.read_bytes(), len(site.desk.versions())
    for _ in range(2):  # shown, then reloaded
        page = site.client.get(outcome)
        assert page.status_code == 200 and ADDED_TO_BACKUP in page.text
    assert 'Added to “<a href="/fragor/backup" lang="sv">' in switch(site, "en", outcome)
    assert faq.read_bytes() == written and len(site.desk.versions()) == versions  # nothing done twice
    switch(site, "sv", "/granska")
    assert ADDED_TO_BACKUP not in site.client.get("/granska").text  # the plain address: the page as it is

    form = site.client.get("/fragor/backup").text
    digest = re.search(r'name="hash" value="([^"]+)"', form).group(1)
    fields = {"question": "Hur ofta gör ni säkerhetskopior?", "answer": "Varje timme.", "hash": digest}
    saved = site.client.post("/fragor/backup", data={**fields, "csrf": site.csrf()})
    assert saved.url.path == "/fragor/backup" and "utfall=" in str(saved.url) and "Sparat" in saved.text
    assert 'value="Varje timme."' in saved.text or ">Varje timme.</textarea>" in saved.text
    written = faq.read_bytes()
    assert "Sparat" in site.client.get(str(saved.url)).text and faq.read_bytes() == written


@pytest.mark.parametrize(
    "before, after, said",
    [
        (
            (0.40, 0.22),
            (0.42, 0.22),
            "tröskel 0.40 → 0.42. Den svarar nu direkt först när den är säkrare, så färre frågor får ett direkt svar.",
        ),
        ((0.40, 0.22), (0.40, 0.16), "val inom 0.22 → inom 0.16. Den erbjuder val (”Menade du …?”) mer sällan."),
        (
            (0.40, None),
            (0.41, 0.10),
            "tröskel 0.40 → 0.41, val inga → inom 0.10. Den svarar nu direkt först när den är säkrare, så färre "
            "frågor får ett direkt svar. Den erbjuder nu val (”Menade du …?”) när två poster ligger nära varandra.",
        ),
        (
            (0.42, 0.08),
            (0.50, None),
            "tröskel 0.42 → 0.50, val inom 0.08 → inga. Den svarar nu direkt först när den är säkrare, så färre "
            "frågor får ett direkt svar. Den erbjuder inte längre val (”Menade du …?”): en fråga får ett svar "
            "eller går till helpdesk.",
        ),
    ],
)
def test_a_recalibration_names_only_what_moved(before, after, said):
    """It had read "val inom 0.22 → 0.22" when only the threshold moved; and it says what that means
    for customers (a walk-through's staff could not act on "tröskel 0.42 → 0.50, val inom 0.08 → inga")."""
    from faqbot.decision import Policy
    from faqbot.staff.console.web import templates

    macro = templates().get_template("policy.html").make_module({"t": phrasebook("sv")}).moved
    text = " ".join(str(macro(Policy(*before), Policy(*after))).split())
    assert text == f"<p>Boten kalibrerades om efter ändringen: {said}</p>"
    english = templates().get_template("policy.html").make_module({"t": phrasebook("en")}).moved
    assert "The bot was recalibrated after the change: " in str(english(Policy(*before), Policy(*after)))


def test_a_save_that_moves_the_calibrated_decision_says_so_with_the_numbers(small, fake_embedder):
    """Under `threshold: auto` every write recalibrates: staff are told when the threshold or the
    choice margin moved (the review page says it for accepts; here the entry's own page)."""
    config = small / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("threshold: 0.3", "threshold: auto"), encoding="utf-8")
    site = make_site(small, fake_embedder)
    site.login()
    fields = {"question": "Hur ofta gör ni säkerhetskopior?", "answer": "Varje natt.", "hash": form_hash(site)}
    alternatives = "Tar ni backup?\nSparar ni kopior?\nHur sparas mina filer?\nFinns det reservkopior?"
    before = site.desk.bot.policy
    saved = site.client.post("/fragor/backup", data={**fields, "alternatives": alternatives, "csrf": site.csrf()})
    after = site.desk.bot.policy
    assert (before.threshold, before.choice_margin) != (after.threshold, after.choice_margin)
    assert before.choice_margin == after.choice_margin  # no choices, before and after: only the threshold moved
    said = f"Boten kalibrerades om efter ändringen: tröskel {before.threshold:.2f} → {after.threshold:.2f}."
    assert "Sparat" in saved.text and said in saved.text
    again = site.client.post(
        "/fragor/backup", data={**fields, "alternatives": alternatives, "hash": form_hash(site), "csrf": site.csrf()}
    )
    assert "Inget var ändrat." in again.text and "kalibrerades" not in again.text
    site.desk.close()
    site.store.close()


def form_hash(site: Site, faq_id: str = "backup") -> str:
    return re.search(r'name="hash" value="([^"]+)"', site.client.get(f"/fragor/{faq_id}").text).group(1)


def test_a_save_goes_through_when_only_another_entry_changed_since_the_form_was_opened(site):
    """Two staff at work on different entries: the second to save is not told of a conflict, and
    both changes are in the file (the entry as the form saw it is the one in the file now)."""
    site.login()
    faq = site.folder / "faq.yaml"
    opened = form_hash(site, "backup")  # anna opens the backup entry
    assert save_answer(site, "phone", "Ja, vardagar 9-17.", "Kan jag ringa er?").status_code == 200  # meanwhile
    fields = {"question": "Hur ofta gör ni säkerhetskopior?", "answer": "Varje timme.", "hash": opened}
    saved = site.client.post("/fragor/backup", data={**fields, "csrf": site.csrf()})
    assert saved.status_code == 200 and "Sparat" in saved.text and "Filen har ändrats" not in saved.text
    entries = load_faq(faq).by_id
    assert entries["backup"].answer == "Varje timme." and entries["phone"].answer == "Ja, vardagar 9-17."


def test_a_change_to_another_field_of_the_same_entry_meanwhile_is_kept_and_said(site):
    """Found by a walk-through: staff A changed only the question, a colleague the answer; A's
    save after the conflict wrote the old answer back over the colleague's. Changes to different
    fields are both kept, without a conflict."""
    site.login()
    faq = site.folder / "faq.yaml"
    opened = form_hash(site, "backup")
    assert save_answer(site, "backup", "Två gånger per natt.", "Hur ofta gör ni säkerhetskopior?").status_code == 200
    draft = {"question": "Hur ofta tar ni backup?", "answer": "Varje natt.", "hash": opened, "csrf": site.csrf()}
    saved = site.client.post("/fragor/backup", data=draft)
    assert saved.status_code == 200 and "Sparat" in saved.text and "Filen har ändrats" not in saved.text
    assert "i fält du inte rörde; deras text står kvar: Svar." in saved.text
    entry = load_faq(faq).by_id["backup"]
    assert (entry.question, entry.answer) == ("Hur ofta tar ni backup?", "Två gånger per natt.")


def test_a_conflict_on_the_same_field_shows_what_changed_under_the_form_and_takes_the_untouched_ones(site):
    site.login()
    faq = site.folder / "faq.yaml"
    opened = form_hash(site, "backup")
    assert save_answer(site, "backup", "Två gånger per natt.", "Hur ofta tar ni kopior?").status_code == 200
    written = faq.read_bytes()
    draft = {"question": "Hur ofta gör ni säkerhetskopior?", "answer": "Aldrig.", "hash": opened, "csrf": site.csrf()}
    refused = site.client.post("/fragor/backup", data=draft)
    conflict = refused.text.split('role="alert"')[1].split("</div>")[0]
    assert refused.status_code == 409 and "Två gånger per natt." in conflict  # what the other one changed
    assert (
        "Fråga</strong>" not in conflict
        and "infört i ditt utkast, eftersom du inte hade ändrat det: Fråga." in conflict
    )
    assert 'value="Hur ofta tar ni kopior?"' in refused.text  # the colleague's question, in the draft now
    assert faq.read_bytes() == written
    now = re.search(r'name="hash" value="([^"]+)"', refused.text).group(1)  # seen what changed: save over it
    again = site.client.post(
        "/fragor/backup", data={**draft, "question": "Hur ofta tar ni kopior?", "hash": now, "csrf": site.csrf()}
    )
    entry = load_faq(faq).by_id["backup"]
    assert "Sparat" in again.text and (entry.question, entry.answer) == ("Hur ofta tar ni kopior?", "Aldrig.")


def test_a_forms_address_opened_again_leads_back_to_its_page_and_an_unknown_page_is_said_in_words(site):
    """A reload from the address bar, or the language switch, on the page a POST left: no raw JSON error."""
    site.login()
    for posted, page in (
        ("/fragor/backup/formulering", "/fragor/backup"),
        ("/fragor/backup/prova", "/fragor/backup"),
        ("/historik/1/aterstall", "/historik/1"),
        ("/logout", "/"),
    ):
        response = site.client.get(posted, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == page, posted
    switched = site.client.get("/sprak", params={"till": "en", "sida": "/fragor/backup/formulering"})
    assert switched.status_code == 200 and "Hur ofta gör ni säkerhetskopior?" in switched.text
    missing = site.client.get("/finns-inte")
    assert missing.status_code == 404 and "There is no such page." in missing.text and "detail" not in missing.text


def test_saving_a_question_another_sections_entry_has_too_says_customers_will_be_offered_both(site):
    """Two sections may share a question (each with its own answer); staff are told what it does."""
    faq = site.folder / "faq.yaml"
    text = faq.read_text(encoding="utf-8")
    text = text.replace("  - id: phone\n", "  - id: phone\n    section: Support\n")
    faq.write_text(text.replace("  - id: backup\n", "  - id: backup\n    section: Drift\n"), encoding="utf-8")
    site.login()
    digest = re.search(r'name="hash" value="([^"]+)"', site.client.get("/fragor/backup").text).group(1)
    fields = {"question": "Hur ofta gör ni säkerhetskopior?", "answer": "Varje natt.", "section": "Drift"}
    saved = site.client.post(
        "/fragor/backup", data={**fields, "alternatives": "Kan jag ringa er?", "csrf": site.csrf(), "hash": digest}
    )
    assert saved.status_code == 200 and "Sparat" in saved.text
    # the other entry named in quotes, as the review page names entries (found by a walk-through)
    assert (
        'Obs: ”<span lang="sv">Kan jag ringa er?</span>” finns också i posten ”<a href="/fragor/phone" lang="sv">'
        'Kan jag ringa er?</a>” (avsnitt <span lang="sv">Support</span>). En kund'
    ) in saved.text
    assert load_faq(faq).by_id["backup"].alternatives == ("Kan jag ringa er?",)
    digest = re.search(r'name="hash" value="([^"]+)"', saved.text).group(1)
    plain = site.client.post(
        "/fragor/backup", data={**fields, "alternatives": "Tar ni backup?", "csrf": site.csrf(), "hash": digest}
    )
    assert plain.status_code == 200 and "Sparat" in plain.text and "finns också i posten" not in plain.text
    # the other entry without a section: its own question mark ends the sentence, no "?." (found by a walk-through)
    faq.write_text(faq.read_text(encoding="utf-8").replace("    section: Support\n", ""), encoding="utf-8")
    digest = re.search(r'name="hash" value="([^"]+)"', site.client.get("/fragor/backup").text).group(1)
    unsectioned = site.client.post(
        "/fragor/backup", data={**fields, "alternatives": "Kan jag ringa er?", "csrf": site.csrf(), "hash": digest}
    ).text
    assert '<a href="/fragor/phone" lang="sv">Kan jag ringa er?</a>” En kund' in unsectioned


def test_the_section_field_offers_the_sections_and_a_misspelt_one_is_pointed_out(site):
    """A typo in the free-text section field would quietly make a section of one entry."""
    faq = site.folder / "faq.yaml"
    site.login()
    none_yet = site.client.get("/fragor/backup").text  # no list to open: the hint says so
    assert "FAQ:n har inga avsnitt än" in none_yet and "listan öppnas" not in none_yet
    text = faq.read_text(encoding="utf-8").replace("  - id: phone\n", "  - id: phone\n    section: Support\n")
    faq.write_text(text.replace("  - id: backup\n", "  - id: backup\n    section: Drift\n"), encoding="utf-8")
    site.login()
    form = site.client.get("/fragor/backup").text
    assert 'list="l-section"' in form
    assert (
        '<datalist id="l-section"><option value="Drift"></option><option value="Support"></option></datalist>' in form
    )
    assert '<a href="/ny-fraga">Ny fråga: skriv en ny post</a>' in site.client.get("/fragor").text  # an empty form
    assert "<option" in site.client.get("/ny-fraga").text.split('<datalist id="l-section">')[1].split("</datalist>")[0]
    fields = {"question": "Hur ofta gör ni säkerhetskopior?", "answer": "Varje natt.", "alternatives": ""}

    def save(section: str) -> str:
        digest = re.search(r'name="hash" value="([^"]+)"', site.client.get("/fragor/backup").text).group(1)
        data = {**fields, "section": section, "csrf": site.csrf(), "hash": digest}
        return site.client.post("/fragor/backup", data=data).text

    typo = save("Suport")
    assert "Sparat" in typo and "Avsnittet ”Suport” är nytt: ingen annan post har det. Stämmer stavningen?" in typo
    right = save("Support")
    assert "Sparat" in right and "är nytt" not in right
    assert load_faq(faq).by_id["backup"].section == "Support"
    new = {"question": "Har ni en kontorshund?", "answer": "Ja.", "alternatives": "", "section": "Drfit"}
    created = site.client.post("/ny-fraga", data={**new, "csrf": site.csrf()}).text
    assert "Posten är skapad" in created and "Avsnittet ”Drfit” är nytt" in created


def test_the_faqs_first_section_is_not_asked_about_its_spelling(site):
    """Found by a walk-through: the hint said the FAQ had no sections yet and to write one; the
    first one written was answered "Stämmer stavningen?", with nothing to be spelt like."""
    site.login()
    digest = re.search(r'name="hash" value="([^"]+)"', site.client.get("/fragor/backup").text).group(1)
    fields = {"question": "Hur ofta gör ni säkerhetskopior?", "answer": "Varje natt.", "section": "Drift"}
    saved = site.client.post("/fragor/backup", data={**fields, "csrf": site.csrf(), "hash": digest}).text
    assert "Sparat" in saved and "Stämmer stavningen?" not in saved
    assert load_faq(site.folder / "faq.yaml").by_id["backup"].section == "Drift"


@pytest.mark.parametrize("question", ["Yes", "On", "2024"])
def test_a_new_entry_whose_question_yaml_would_read_as_another_type_is_created(site, question):
    """Its id ("yes") was written bare, and read back as a boolean: "Fältet måste vara text"."""
    site.login()
    new = {"question": question, "answer": "Ja.", "alternatives": "", "section": ""}
    created = site.client.post("/ny-fraga", data={**new, "csrf": site.csrf()})
    assert created.status_code == 200 and "Posten är skapad" in created.text
    assert load_faq(site.folder / "faq.yaml").by_id[question.lower()].question == question


def test_a_new_entry_whose_question_has_no_words_is_refused_at_the_field(site):
    """A walk-through created "???" (id "fraga"), and the chat offered "???" as a choice."""
    site.login()
    before = (site.folder / "faq.yaml").read_bytes()
    new = {"question": "???", "answer": "Svar.", "alternatives": "!!", "section": "", "csrf": site.csrf()}
    refused = site.client.post("/ny-fraga", data=new)
    assert refused.status_code == 400 and "Posten skapades inte" in refused.text
    question = re.search(r'<span class="problem" id="e-question">([^<]*)</span>', refused.text).group(1)
    assert "har inga ord, bara tecken" in question
    assert (site.folder / "faq.yaml").read_bytes() == before


def test_a_draft_that_fails_the_faq_checks_is_explained_next_to_its_field_in_swedish(site):
    site.login()
    faq = site.folder / "faq.yaml"
    before = faq.read_text(encoding="utf-8")
    digest = re.search(r'name="hash" value="([^"]+)"', site.client.get("/fragor/backup").text).group(1)
    fields = {"question": "Kan jag ringa er?", "answer": "", "csrf": site.csrf(), "hash": digest}
    response = site.client.post("/fragor/backup", data=fields)
    assert response.status_code == 400
    question = re.search(r'<span class="problem" id="e-question">([^<]*)</span>', response.text).group(1)
    answer = re.search(r'<span class="problem" id="e-answer">([^<]*)</span>', response.text).group(1)
    assert "finns redan i posten ”Kan jag ringa er?”" in question and "får inte vara tomt" in answer
    assert faq.read_text(encoding="utf-8") == before


def test_the_entry_list_searches_questions_and_answers(site):
    site.login()
    page = site.client.get("/fragor", params={"sok": "supportavtal"}).text
    assert "/fragor/phone" in page and "/fragor/backup" not in page
    assert "1 post med ”supportavtal”." in page  # found by a walk-through: "1 poster"
    site.client.get("/sprak", params={"till": "en", "sida": "/fragor"})
    assert "1 entry with “supportavtal”." in site.client.get("/fragor", params={"sok": "supportavtal"}).text
    site.client.get("/sprak", params={"till": "sv", "sida": "/fragor"})
    # found by a walk-through: "oppet" found only ids with "oppet" in them, a blank search "50 poster med ”  ”"
    assert "/fragor/backup" in site.client.get("/fragor", params={"sok": "sakerhetskopior"}).text
    blank = site.client.get("/fragor", params={"sok": "   "}).text
    assert "/fragor/phone" in blank and "/fragor/backup" in blank and "poster med" not in blank


def test_trying_the_bot_shows_the_reply_the_top_entries_and_the_threshold(site):
    site.login()
    page = site.client.get("/prova", params={"fraga": "Kan jag ringa er?"}).text
    assert "Ja, med supportavtal." in page and "Tröskel: 0.300" in page
    assert page.index("/fragor/phone") < page.index("/fragor/backup")
    assert re.search(r"Bästa posten \(\d\.\d{3}\) når tröskeln: den besvaras\.", page)  # a fixed threshold: no margin
    assert '<section aria-labelledby="reply" class="card" tabindex="-1" autofocus>' in page  # the reply read first
    assert "Läst som en ny fråga" in page


def test_trying_a_vague_message_says_why_it_is_not_answered_with_an_entry(site):
    """The threshold and margin do not explain it: a message with no subject is never answered."""
    site.login()
    page = site.client.get("/prova", params={"fraga": "Kan ni hjälpa mig?"}).text
    assert "Meddelandet nämner inget eget ämne, så det besvaras aldrig med en post" in page
    offered = page.split('<ul aria-labelledby="offered">')[1].split("</ul>")[0]
    assert "/fragor/phone" in offered  # which entries the customer would see
    assert (
        "Meddelandet nämner inget eget ämne"
        not in site.client.get("/prova", params={"fraga": "Kan jag ringa er?"}).text
    )
    greeting = site.client.get("/prova", params={"fraga": "hej"}).text
    assert "De fem närmaste posterna" not in greeting  # no ranking behind a greeting: no empty table


def test_trying_a_helpdesk_question_says_the_entries_under_the_address_are_no_choice_the_bot_offers(site):
    """Found by a walk-through: "Posterna som erbjuds" under a helpdesk reply, beside a "Varför"
    that says no choices are offered on the score, read as a contradiction."""
    site.login()
    page = site.client.get("/prova", params={"fraga": "Säljer ni kopiatorer?"}).text
    assert "Typ av svar: <strong>till helpdesk</strong>" in page
    assert (
        '<h3 id="offered">Poster som visas under helpdesk-adressen</h3>' in page and "Posterna som erbjuds" not in page
    )
    assert (
        "Under helpdesk-adressen visas de 3 närmaste posterna som når 0.20, så att kunden kan välja en själv." in page
    )


def test_trying_a_message_as_long_as_the_chat_takes_and_no_longer(site):
    """Found by a walk-through: the question field took 500 characters, the chat 2,000; a longer
    one sent by its address was tried cut, where the API refuses it."""
    site.login()
    form = site.client.get("/prova").text
    assert 'id="fraga" name="fraga" value="" maxlength="2000"' in form
    longest = "Hej! " + "Jag har en lång bakgrund. " * 74 + "Kan jag ringa er?"
    assert len(longest) <= 2000
    tried = site.client.get("/prova", params={"fraga": longest})
    assert tried.status_code == 200 and "Ja, med supportavtal." in tried.text
    refused = site.client.get("/prova", params={"fraga": "x" * 2001})
    assert refused.status_code == 400 and "Frågan är längre än chattens gräns på 2000 tecken." in refused.text
    assert 'id="reply"' not in refused.text


def test_trying_a_follow_up_says_what_it_was_read_with(site):
    """Issue 19 section 5: why, including the follow-up context; the earlier question is shown as text."""
    site.login()
    params = {"fraga": "och hur ofta då?", "foregaende": "Tar ni backup?"}
    page = site.client.get("/prova", params=params).text
    assert "Läst som följdfråga till ”Tar ni backup?”" in page
    hostile = site.client.get(
        "/prova", params={"fraga": "och hur ofta då?", "foregaende": "<script>alert(1)</script>?"}
    ).text
    assert "<script" not in hostile


def test_a_phrasing_a_customer_confirmed_is_accepted_with_one_click_and_answered_at_once(site):
    question = "Sparar ni filerna någonstans?"
    with ConversationLog(site.folder / "log.db") as log:
        log.record(LogRow("r1", question, "sv", "choices", False, None, "phone", 0.2, 0.3, "v1", ("phone", "backup")))
        log.record(LogRow("r2", question, "sv", "answer", True, "backup", None, 0.2, 0.3, "v1", (), "r1"))
    site.login()
    page = site.client.get("/granska").text
    assert "från en kund" not in page  # rows without a client (faqbot ask) name no one
    suggestion = re.search(r'name="action" value="accept">\s*<input type="hidden" name="id" value="([^"]+)"', page)
    assert said(question) in page and suggestion
    described = re.search(r'aria-describedby="([^"]+)">Godkänn</button>', page).group(1).split()
    heard = [re.search(rf'id="{name}">(.*?)</(?:h3|p)>', page, re.S).group(1) for name in described]
    assert question in heard[0] and "Hur ofta gör ni säkerhetskopior?" in heard[1]  # the phrasing, and its entry
    done = site.client.post("/granska", data={"action": "accept", "id": suggestion.group(1), "csrf": site.csrf()})
    assert done.status_code == 200 and ADDED_TO_BACKUP in done.text
    assert load_faq(site.folder / "faq.yaml").by_id["backup"].learned == (question,)
    bot = FaqBot(site.folder / "faq.yaml", site.folder / "index", site.folder / "config.yaml", auto_build=False)
    assert bot.ask(question).match.faq_id == "backup"
    fresh = site.client.get("/granska").text
    assert suggestion.group(1) not in fresh and said(question) not in fresh


def test_a_hand_written_learned_phrasing_removed_in_the_console_is_not_proposed_from_the_log(site):
    """No decision was ever recorded for it: the removal's own rejection is what keeps it off the list."""
    question = "Sparar ni filerna någonstans?"
    faq = site.folder / "faq.yaml"
    faq.write_text(
        faq.read_text(encoding="utf-8").replace(
            "    answer: Varje natt.\n", f"    answer: Varje natt.\n    learned:\n      - {question}\n"
        ),
        encoding="utf-8",
    )
    with ConversationLog(site.folder / "log.db") as log:
        log.record(LogRow("r1", question, "sv", "choices", False, None, "phone", 0.2, 0.3, "v1", ("phone", "backup")))
        log.record(LogRow("r2", question, "sv", "answer", True, "backup", None, 0.2, 0.3, "v1", (), "r1"))
        assert log.decisions() == set()
    site.login()
    fields = {"formulering": question, "csrf": site.csrf("/fragor/backup")}
    assert site.client.post("/fragor/backup/formulering", data=fields).status_code == 200
    assert load_faq(faq).by_id["backup"].learned == ()
    assert said(question) not in site.client.get("/granska").text


def test_accept_all_takes_every_confirmed_phrasing_the_page_showed_in_one_step(site):
    picked = {"Sparar ni filerna någonstans?": "backup", "Går det att prata med någon i telefon?": "phone"}
    with ConversationLog(site.folder / "log.db") as log:
        for n, (question, faq_id) in enumerate(picked.items()):
            offered = ("phone", "backup")
            log.record(LogRow(f"c{n}", question, "sv", "choices", False, None, "phone", 0.2, 0.3, "v1", offered))
            log.record(LogRow(f"p{n}", question, "sv", "answer", True, faq_id, None, 0.2, 0.3, "v1", (), f"c{n}"))
        log.record(LogRow("h1", "Har ni parkering?", "sv", "helpdesk", False, None, "phone", 0.1, 0.3, "v1"))
    site.login()
    page = site.client.get("/granska").text
    ids = re.search(r'name="action" value="accept_shown">\s*<input type="hidden" name="ids" value="([^"]+)"', page)
    assert ids and len(ids.group(1).split()) == 2 and ">Godkänn alla 2</button>" in page
    fields = {"action": "accept_shown", "ids": ids.group(1)}
    done = site.client.post("/granska", data={**fields, "csrf": site.csrf()})
    assert done.status_code == 200 and ADDED_TO_BACKUP in done.text and ADDED_TO_PHONE in done.text
    faq = load_faq(site.folder / "faq.yaml")
    assert [faq.by_id[faq_id].learned for faq_id in ("backup", "phone")] == [(q,) for q in picked]
    assert "Har ni parkering?" in done.text and "Godkänn alla" not in done.text  # the helpdesk question stays
    again = site.client.post("/granska", data={**fields, "csrf": site.csrf()})
    assert again.status_code == 409 and "Förslagen är redan godkända eller avvisade" in again.text


def test_accept_all_of_many_is_summed_up_and_says_what_another_tab_had_handled(site):
    picked = {
        "Sparar ni filerna någonstans?": "backup",
        "Sparar ni filerna någonstans alls?": "backup",
        "Går det att prata med någon i telefon?": "phone",
        "Går det att prata med någon i luren?": "phone",
        "Går det att prata med någon i mobilen?": "phone",
    }
    with ConversationLog(site.folder / "log.db") as log:
        for n, (question, faq_id) in enumerate(picked.items()):
            offered = ("phone", "backup")
            log.record(LogRow(f"c{n}", question, "sv", "choices", False, None, "phone", 0.2, 0.3, "v1", offered))
            log.record(LogRow(f"p{n}", question, "sv", "answer", True, faq_id, None, 0.2, 0.3, "v1", (), f"c{n}"))
    site.login()
    page = site.client.get("/granska").text
    ids = re.search(r'name="ids" value="([^"]+)"', page).group(1).split()
    assert len(ids) == 5
    site.client.post("/granska", data={"action": "reject", "id": ids[0], "csrf": site.csrf()})  # another tab
    done = site.client.post("/granska", data={"action": "accept_shown", "ids": " ".join(ids), "csrf": site.csrf()})
    status = done.text.split('role="status"')[1].split("</div>")[0]
    assert "Tillagt: 4 formuleringar i 2 poster. Chatten svarar med dem nu." in status
    assert "Ett av de visade förslagen fanns inte längre på listan" in status and "och lades inte till." in status
    assert status.count("</span>” i ”<a href=") == 4 and "<details>" in status  # each one, a click away


def test_reject_all_says_a_phrasing_another_tab_had_handled_was_not_rejected(site):
    """Found by a walk-through: it said "En av de markerade grupperna ... avvisades inte" of a phrasing."""
    picked = {"Sparar ni filerna någonstans?": "backup", "Går det att prata med någon i telefon?": "phone"}
    with ConversationLog(site.folder / "log.db") as log:
        for n, (question, faq_id) in enumerate(picked.items()):
            log.record(
                LogRow(f"c{n}", question, "sv", "choices", False, None, "phone", 0.2, 0.3, "v1", ("phone", "backup"))
            )
            log.record(LogRow(f"p{n}", question, "sv", "answer", True, faq_id, None, 0.2, 0.3, "v1", (), f"c{n}"))
    site.login()
    ids = re.search(r'name="ids" value="([^"]+)"', site.client.get("/granska").text).group(1).split()
    site.client.post("/granska", data={"action": "reject", "id": ids[0], "csrf": site.csrf()})  # another tab
    fields = {"action": "reject_shown", "ids": " ".join(ids), "sure": "1", "csrf": site.csrf()}
    status = site.client.post("/granska", data=fields).text.split('role="status"')[1].split("</div>")[0]
    assert "Ett av de visade förslagen fanns inte längre på listan" in status and "och avvisades inte." in status
    assert "grupperna" not in status


def test_the_review_page_lists_a_bounded_number_of_phrasings_and_accept_all_takes_those(site, monkeypatch):
    """One client's flood of made-up confirmed phrasings made the page megabytes long."""
    monkeypatch.setattr(console_app, "MAX_LISTED", 3)
    with ConversationLog(site.folder / "log.db") as log:
        for n in range(5):
            question = f"Sparar ni filerna någonstans, del {n}?"
            offered = ("phone", "backup")
            log.record(LogRow(f"c{n}", question, "sv", "choices", False, None, "phone", 0.2, 0.3, "v1", offered))
            log.record(LogRow(f"p{n}", question, "sv", "answer", True, "backup", None, 0.2, 0.3, "v1", (), f"c{n}"))
    site.login()
    page = site.client.get("/granska").text
    assert "Kunders formuleringar (5)" in page and "Visar de 3 första av 5; resten visas när du har" in page
    assert page.count('name="action" value="accept">') == 3 and ">Godkänn alla 3</button>" in page
    ids = re.search(r'name="ids" value="([^"]+)"', page).group(1)
    done = site.client.post("/granska", data={"action": "accept_shown", "ids": ids, "csrf": site.csrf()}).text
    assert len(load_faq(site.folder / "faq.yaml").by_id["backup"].learned) == 3
    assert ADDED_TO_BACKUP in done and "Visar de" not in done  # the other two: listed, or answered now


def test_the_phrasings_shown_are_rejected_in_one_step_once_staff_tick_that_they_mean_it(site):
    """A flood of made-up confirmed phrasings was rejected one click each (2,400 in the attack)."""
    with ConversationLog(site.folder / "log.db") as log:
        for n in range(4):
            question = f"Skräpfråga nummer {n} om blomkål?"
            log.record(
                LogRow(f"c{n}", question, "sv", "choices", False, None, "phone", 0.2, 0.3, "v1", ("phone", "backup"))
            )
            log.record(LogRow(f"p{n}", question, "sv", "answer", True, "backup", None, 0.2, 0.3, "v1", (), f"c{n}"))
    site.login()
    faq = (site.folder / "faq.yaml").read_bytes()
    page = site.client.get("/granska").text
    assert ">Avvisa alla 4</button>" in page and 'name="sure" value="1" required' in page
    ids = re.search(
        r'name="action" value="reject_shown">\s*<input type="hidden" name="ids" value="([^"]+)"', page
    ).group(1)
    unsure = site.client.post("/granska", data={"action": "reject_shown", "ids": ids, "csrf": site.csrf()})
    assert unsure.status_code == 400 and "Kryssa i rutan" in unsure.text
    done = site.client.post("/granska", data={"action": "reject_shown", "ids": ids, "sure": "1", "csrf": site.csrf()})
    assert done.status_code == 200 and "Avvisat: 4 formuleringar. De föreslås inte igen för sina poster." in done.text
    assert "Skräpfråga" not in done.text.split("Kunders formuleringar")[1].split("</section>")[0]
    assert (site.folder / "faq.yaml").read_bytes() == faq
    with ConversationLog(site.folder / "log.db") as log:
        assert set(ids.split()) <= log.decisions("rejected")


def test_a_phrasing_from_customers_staff_remove_on_the_entry_page_leaves_the_faq_and_is_not_proposed_again(site):
    question = "Sparar ni filerna någonstans?"
    faq = site.folder / "faq.yaml"
    before = faq.read_bytes()
    with ConversationLog(site.folder / "log.db") as log:
        log.record(LogRow("r1", question, "sv", "choices", False, None, "phone", 0.2, 0.3, "v1", ("phone", "backup")))
        log.record(LogRow("r2", question, "sv", "answer", True, "backup", None, 0.2, 0.3, "v1", (), "r1"))
    site.login()
    page = site.client.get("/granska").text
    suggestion = re.search(r'name="action" value="accept">\s*<input type="hidden" name="id" value="([^"]+)"', page)
    site.client.post("/granska", data={"action": "accept", "id": suggestion.group(1), "csrf": site.csrf()})
    manifest = json.loads((site.folder / "index" / "manifest.json").read_text(encoding="utf-8"))
    assert question in (site.folder / "index" / manifest["files"]["data"]).read_text(encoding="utf-8")
    entry = site.client.get("/fragor/backup").text
    listed = entry.split('<section class="card" aria-labelledby="learned">')[1].split("</section>")[0]
    assert "Formuleringar från kunder (1)" in listed and question in listed and ">Ta bort</button>" in listed
    fields = {"formulering": question, "csrf": site.csrf("/fragor/backup")}
    removed = site.client.post("/fragor/backup/formulering", data=fields)
    assert removed.status_code == 200 and f"Borttaget ur posten: {said(question)}" in removed.text
    assert 'aria-labelledby="learned"' not in removed.text  # the entry has none left
    assert faq.read_bytes() == before  # its line gone, and `learned:` with it; nothing else
    manifest = json.loads((site.folder / "index" / "manifest.json").read_text(encoding="utf-8"))
    assert question not in (site.folder / "index" / manifest["files"]["data"]).read_text(encoding="utf-8")
    assert said(question) not in site.client.get("/granska").text  # rejected for the entry: never proposed again
    assert "anna" in site.client.get("/historik").text.split('<li class="item">')[1]
    again = site.client.post("/fragor/backup/formulering", data={**fields, "csrf": site.csrf()})
    assert again.status_code == 409 and "Formuleringen finns inte (längre) i posten; inget togs bort." in again.text
    assert faq.read_bytes() == before


def test_a_review_form_sent_again_or_naming_what_is_gone_is_answered_in_the_consoles_words(site):
    """A form sent twice, another tab, another staff member: what the page named is gone."""
    question = "Sparar ni filerna någonstans?"
    with ConversationLog(site.folder / "log.db") as log:
        log.record(LogRow("r1", question, "sv", "choices", False, None, "phone", 0.2, 0.3, "v1", ("phone", "backup")))
        log.record(LogRow("r2", question, "sv", "answer", True, "backup", None, 0.2, 0.3, "v1", (), "r1"))
        log.record(LogRow("h1", "Kan jag ringa er?", "sv", "helpdesk", False, None, None, 0.1, 0.3, "v1"))
        log.record(LogRow("h2", "Ring mig på 070-123 45 67", "sv", "helpdesk", False, None, None, 0.1, 0.3, "v1"))
        log.record(LogRow("g1", "Hej hej!", "sv", "greeting", False, None, None, 0.0, 0.3, "v1"))
    site.login()
    page = site.client.get("/granska").text
    suggestion = re.search(r'name="action" value="accept">\s*<input type="hidden" name="id" value="([^"]+)"', page)
    form = {"action": "accept", "id": suggestion.group(1), "csrf": site.csrf()}
    assert ADDED_TO_BACKUP in site.client.post("/granska", data=form).text
    faq = (site.folder / "faq.yaml").read_text(encoding="utf-8")
    again = site.client.post("/granska", data=form)
    assert again.status_code == 409
    assert "Förslaget är redan godkänt eller avvisat, eller finns inte längre." in again.text
    assert "faqbot learn" not in again.text and (site.folder / "faq.yaml").read_text(encoding="utf-8") == faq
    assign = {"action": "assign", "reply_id": "h1", "csrf": site.csrf()}
    gone = site.client.post("/granska", data={**assign, "faq_id": "finns-inte"})  # removed meanwhile
    assert gone.status_code == 409 and "Posten du valde finns inte längre i FAQ:n." in gone.text
    none = site.client.post("/granska", data={**assign, "faq_id": ""})
    assert none.status_code == 409 and "Välj posten som svarar på frågan i listan." in none.text
    unknown = site.client.post("/granska", data={**assign, "reply_id": "A" * 22, "faq_id": "phone"})
    assert unknown.status_code == 409 and "Frågan finns inte längre i loggen." in unknown.text
    masked = site.client.post("/granska", data={**assign, "reply_id": "h2", "faq_id": "phone"})  # a forged form
    assert masked.status_code == 409 and "Frågan innehåller maskade personuppgifter" in masked.text
    assert "[telefon]" not in (site.folder / "faq.yaml").read_text(encoding="utf-8")
    # a greeting is no question of the FAQ: a forged form naming its reply (found by the red team: "hej"
    # went into the backup entry's learned phrasings)
    greeting = site.client.post("/granska", data={**assign, "reply_id": "g1", "faq_id": "backup"})
    assert (
        greeting.status_code == 409 and "Det var ingen fråga till FAQ:n (en hälsning eller ett tack)" in greeting.text
    )
    assert "Hej hej" not in (site.folder / "faq.yaml").read_text(encoding="utf-8")
    # the question is the phone entry's own: nothing is added, and the page says why in Swedish
    known = site.client.post("/granska", data={**assign, "faq_id": "phone"}).text
    assert re.search(
        r'Inte tillagt i ”<a href="/fragor/phone" lang="sv">Kan jag ringa er\?</a>”: ”<span lang="sv">Kan jag ringa '
        r'er\?</span>” finns redan i ”<a href="/fragor/phone" lang="sv">Kan jag ringa er\?</a>”\.',
        known,
    )
    switch(site, "en", "/granska")
    again = site.client.post("/granska", data={**form, "csrf": site.csrf()})
    assert "The suggestion was already accepted or rejected, or is gone." in again.text
    assert (site.folder / "faq.yaml").read_text(encoding="utf-8") == faq


def test_a_question_answered_wrong_is_linked_to_its_entry_from_the_review(site):
    """A customer said 👎 to the backup answer for a question about calling: staff link it to the
    phone entry, which then answers it; the 👎 question is not offered for linking again."""
    question = "Går det att nå er på mobilen?"
    page = thumbs_down_on(site, "w1", question)
    form = re.search(r'name="reply_id" value="w1">\s*<label for="([^"]+)"[^>]*>(.*?)</label>', page)
    assert form and f'”<span id="{form.group(1)}-q" lang="sv">{question}</span>” besvaras av' == form.group(2)
    select = re.search(
        rf'<select id="{form.group(1)}" name="faq_id" required autocomplete="off">\s*<option value="" selected>Välj posten<.*?</select>',
        page,
        re.S,
    )
    assert select and 'value="phone"' in select.group(0)  # nothing chosen for staff,
    assert 'value="backup"' not in select.group(0)  # and the entry that answered wrong is not offered
    done = site.client.post(
        "/granska", data={"action": "assign", "reply_id": "w1", "faq_id": "phone", "csrf": site.csrf()}
    )
    assert done.status_code == 200 and ADDED_TO_PHONE in done.text
    assert load_faq(site.folder / "faq.yaml").by_id["phone"].learned == (question,)
    assert 'name="reply_id" value="w1"' not in done.text
    bot = FaqBot(site.folder / "faq.yaml", site.folder / "index", site.folder / "config.yaml", auto_build=False)
    assert bot.ask(question).match.faq_id == "phone"


def test_a_thumbs_down_on_an_entry_the_customer_picked_says_the_bot_never_answered_with_it(site):
    """Found by a walk-through: a question the bot sent to the helpdesk, whose customer picked an
    entry among the suggestions beside the address and said 👎 to it, was said to be one the bot
    "no longer" answers with that entry: it never had."""
    question = "Tvättar ni bilar?"
    with ConversationLog(site.folder / "log.db") as log:
        log.record(LogRow("h1", question, "sv", "helpdesk", False, None, "backup", 0.2, 0.3, "v1", ("backup", "phone")))
        log.record(LogRow("p1", question, "sv", "answer", True, "backup", None, 0.2, 0.3, "v1", (), "h1"))
        log.record_feedback("p1", False)
        log.record(LogRow("w1", "Bilar?", "sv", "answer", True, "backup", None, 0.5, 0.3, "v1"))
        log.record_feedback("w1", False)
    site.login()
    page = site.client.get("/granska").text.split("Kunder gav de här svaren tumme ned")[1]  # the 👎 section
    picked = page.split('name="reply_id" value="h1"')[1].split('name="reply_id"')[0]
    assert "Kunden valde posten bland förslagen; boten själv skickar frågan till helpdesk." in picked
    answered = page.split('name="reply_id" value="w1"')[1].split('name="reply_id"')[0]
    assert "Boten svarar inte längre med den här posten: frågan går nu till helpdesk." in answered


def thumbs_down_on(site, reply_id: str, question: str, faq_id: str = "backup", score: float = 0.5) -> str:
    """The review page after a customer said 👎 to `faq_id`'s answer to `question`."""
    with ConversationLog(site.folder / "log.db") as log:
        log.record(LogRow(reply_id, question, "sv", "answer", True, faq_id, None, score, 0.3, "v1"))
        log.record_feedback(reply_id, False)
    site.login()
    return site.client.get("/granska").text


def test_a_question_whose_answer_staff_find_right_is_not_listed_again(site):
    page = thumbs_down_on(site, "w2", "Hur ofta sparar ni kopior?")
    right = re.search(
        r'name="action" value="reject">\s*<input type="hidden" name="id" value="([^"]+)">\s*'
        r'<button type="submit" class="secondary" aria-describedby="([^"]+)">Svaret var rätt<',
        page,
    )
    # described by the question alone, not by the label's half sentence
    assert right and re.search(
        rf'”<span id="{right.group(2)}" lang="sv">Hur ofta sparar ni kopior\?</span>” besvaras av<', page
    )
    faq = (site.folder / "faq.yaml").read_text(encoding="utf-8")
    accept = site.client.post("/granska", data={"action": "accept", "id": right.group(1), "csrf": site.csrf()})
    assert accept.status_code == 409 and "koppla frågan till posten som svarar på den" in accept.text  # a made-up POST
    done = site.client.post("/granska", data={"action": "reject", "id": right.group(1), "csrf": site.csrf()}).text
    # under that entry: the same question under another entry's 👎 stays listed there
    assert (
        f'Svaret på {said("Hur ofta sparar ni kopior?")} var rätt: frågan listas inte igen under ”<a href="/fragor/backup"'
        in done
    )
    assert 'value="w2"' not in done and (site.folder / "faq.yaml").read_text(encoding="utf-8") == faq
    settled = done.split('<h3 id="settled">Utan öppna frågor: läs svaret igen</h3>')[1].split("</ul>")[0]
    assert "/fragor/backup" in settled and "tumme ned" in settled  # one line for the entry, nothing left to do
    assert "aria-describedby" not in settled


def test_a_thumbs_down_question_about_something_else_is_dismissed_as_such(site):
    """Found by a walk-through: "Vad kostar en ny bil?" answered with the service price and given
    👎 could only be dismissed as "Svaret var rätt", which it was not."""
    page = thumbs_down_on(site, "w3", "Vad kostar en ny bil?")
    other = re.search(
        r'name="action" value="reject">\s*<input type="hidden" name="id" value="([^"]+)">\s*'
        r'<input type="hidden" name="skal" value="annat">\s*<button type="submit" class="secondary" aria-describedby="[^"]+">Handlar om annat<',
        page,
    )
    # beside the other way off the list, not instead of it (the bot sends this one to the helpdesk today)
    assert other and "Ta bort från listan<" in page
    done = site.client.post(
        "/granska", data={"action": "reject", "id": other.group(1), "skal": "annat", "csrf": site.csrf()}
    ).text
    assert f"{said('Vad kostar en ny bil?')} handlar om något FAQ:n inte tar upp: frågan listas inte igen" in done
    # and the bot no longer answers it with backup: it is in the FAQ's off_topic: list
    assert f"Boten skickar nu {said('Vad kostar en ny bil?')} och frågor som liknar den" in done
    assert (site.folder / "faq.yaml").read_text(encoding="utf-8").endswith("off_topic:\n  - Vad kostar en ny bil?\n")
    assert public_bot(site).ask("Vad kostar en ny bil?").kind is ReplyKind.HELPDESK
    assert "var rätt" not in done.split("<main")[1].split("</section>")[0] and 'value="w3"' not in done
    # its 👎 was not on backup's answer: backup is not left to "read again" (a browser walk-through found it was)
    assert "Utan öppna frågor" not in done and 'id="disliked"' not in done


def test_taking_a_marked_question_off_the_list_puts_its_thumbs_down_under_review_again(site):
    """A walk-through note: "Ta bort" undid the mark but not the rejection recorded with it, so a
    question marked by mistake could no longer be dealt with (its 👎 kept off backup's count too)."""
    page = thumbs_down_on(site, "w3", "Vad kostar en ny bil?")
    other = re.search(r'name="id" value="([^"]+)">\s*<input type="hidden" name="skal" value="annat">', page)
    site.client.post("/granska", data={"action": "reject", "id": other.group(1), "skal": "annat", "csrf": site.csrf()})
    assert 'value="w3"' not in site.client.get("/granska").text
    done = site.client.post("/om-annat", data={"fraga": "Vad kostar en ny bil?", "csrf": site.csrf()}).text
    assert "Kundernas frågor med den står under Att granska igen, att ta om hand som innan den markerades." in done
    assert re.search(r"[.”] Kundernas frågor med den", done)  # a walk-through saw ”.Kundernas: no space between
    again = site.client.get("/granska").text
    assert 'value="w3"' in again and 'id="disliked"' in again  # backup's 👎 counts again
    unknown = site.client.post("/om-annat", data={"fraga": "Något annat", "csrf": site.csrf()})
    assert unknown.status_code == 409  # only a listed question; nothing else is forgotten
    with ConversationLog(site.folder / "log.db") as log:
        assert log.decisions() == set() and len(log.decisions("reopened")) == 2  # the 👎 and its off-topic mark


def test_taking_a_marked_helpdesk_question_off_the_list_lists_it_again(site):
    """The same for a helpdesk question marked beside the threshold-moved hint; a question marked
    by hand in the file has no rejection to forget, and the page says to try it instead."""
    question = "Kan jag ringa er i dag?"
    now = public_bot(site).ask(question)
    with ConversationLog(site.folder / "log.db") as log:
        log.record(LogRow("h1", question, "sv", "helpdesk", False, None, "phone", now.score, now.score + 0.05, "v1"))
    site.login()
    site.client.post(
        "/granska", data={"action": "reject_question", "reply_id": "h1", "skal": "annat", "csrf": site.csrf()}
    )
    add_off_topic(site.folder / "faq.yaml", ["Säljer ni bilar?"])
    assert 'value="h1"' not in site.client.get("/granska").text
    done = site.client.post("/om-annat", data={"fraga": question, "csrf": site.csrf()}).text
    assert "står under Att granska igen" in done and 'value="h1"' in site.client.get("/granska").text
    by_hand = site.client.post("/om-annat", data={"fraga": "Säljer ni bilar?", "csrf": site.csrf()}).text
    assert "Prova den under Prova boten." in by_hand and "står under Att granska igen" not in by_hand


def test_a_marked_question_asked_again_is_not_listed_and_a_rewording_says_which_mark(site):
    """A walk-through: a 👎 question marked as about something else, asked again, was listed under
    the helpdesk questions saying it was like itself; then (another walk-through) saying it was
    marked, where marking had said "frågan listas inte igen". A rewording the mark sends to the
    helpdesk is listed, with the mark."""
    question = "Kan jag ringa er i dag?"
    assert public_bot(site).ask(question).match.faq_id == "phone"
    page = thumbs_down_on(site, "w5", question, "phone", 0.6)
    other = re.search(r'name="id" value="([^"]+)">\s*<input type="hidden" name="skal" value="annat">', page)
    site.client.post("/granska", data={"action": "reject", "id": other.group(1), "skal": "annat", "csrf": site.csrf()})
    assert public_bot(site).ask(question).set_aside
    reworded = "Kan jag ringa er idag?"
    assert public_bot(site).ask(reworded).set_aside
    with ConversationLog(site.folder / "log.db") as log:
        log.record(LogRow("h5", question.lower(), "sv", "helpdesk", False, None, "phone", 0.6, 0.3, "v1"))
        log.record(LogRow("h6", reworded, "sv", "helpdesk", False, None, "phone", 0.6, 0.3, "v1"))
    page = site.client.get("/granska").text
    assert 'value="h5"' not in page and said(question.lower()) not in page
    listed = page.split(said(reworded))[1].split("</article>")[0]
    assert f"Boten skickar den till helpdesk eftersom den liknar {said(question)}" in listed


def test_a_question_of_a_group_a_mark_sends_to_the_helpdesk_says_which_mark(site, monkeypatch):
    """Found by a re-walk: rewordings of a marked question under another question's headline said
    nothing of the mark (only the headline was checked). Each question shown says its own."""
    add_off_topic(site.folder / "faq.yaml", ["Säljer ni cyklar?"])
    site.desk.rebuild()
    headline, caught = "Säljer ni bilar?", "Säljer ni bilar och cyklar?"
    with ConversationLog(site.folder / "log.db") as log:
        for n, client in enumerate(("a", "b", "c")):
            log.record(LogRow(f"h{n}", headline, "sv", "helpdesk", False, None, None, 0.1, 0.3, "v1", client=client))
        log.record(LogRow("h9", caught, "sv", "helpdesk", False, None, None, 0.1, 0.3, "v1", client="d"))
    # which mark catches what is the ranking's (tested with the bundled model elsewhere); here, what the page says
    monkeypatch.setattr(report, "marked_by", lambda q, *_: "Säljer ni cyklar?" if q == caught else "")
    site.login()
    group = site.client.get("/granska").text.split(said(headline))[1].split("</article>")[0]
    mark = 'Boten skickar den till helpdesk eftersom den liknar ”<span lang="sv">Säljer ni cyklar?</span>”'
    assert caught in group and group.count(mark) == 1
    assert group.index(mark) > group.index(caught)  # under that question, not the headline


def test_a_thumbs_down_question_says_what_the_bot_answers_it_with_now(site):
    """Staff tied a like question to another entry since: the bot answers this one there now,
    and "Svaret var rätt" was a judgement on an answer the customer no longer gets."""
    with ConversationLog(site.folder / "log.db") as log:
        log.record(LogRow("w3", "Kan jag ringa er i dag?", "sv", "answer", True, "backup", None, 0.5, 0.3, "v1"))
        log.record_feedback("w3", False)
        log.record(LogRow("w4", "Hur ofta sparar ni kopior?", "sv", "answer", True, "backup", None, 0.5, 0.3, "v1"))
        log.record_feedback("w4", False)
    site.login()
    page = site.client.get("/granska").text
    assert public_bot(site).ask("Kan jag ringa er i dag?").match.faq_id == "phone"
    assert 'Boten svarar nu med en annan post: ”<a href="/fragor/phone" lang="sv">Kan jag ringa er?</a>”' in page
    assert page.count("Boten svarar nu med en annan post") == 1  # the other is still answered with backup
    done = re.search(
        r'name="id" value="([^"]+)">\s*<button type="submit" class="secondary" aria-describedby="[^"]+">Boten svarar rätt nu<',
        page,
    )
    assert page.count(">Svaret var rätt<") == 1  # the other's answer is still backup's, to judge
    outcome = site.client.post("/granska", data={"action": "reject", "id": done.group(1), "csrf": site.csrf()}).text
    assert f"{said('Kan jag ringa er i dag?')} listas inte igen: boten svarar nu med en annan post." in outcome
    assert 'value="w3"' not in outcome and 'value="w4"' in outcome


def test_a_helpdesk_question_answered_only_since_the_threshold_moved_stays_for_staff_to_check(site):
    """A walk-through's "Vad kostar en ny bil?" went to the helpdesk, then a recalibration lowered
    the threshold and the bot answered it with a haircut's price: it left the list unseen. A
    question today's FAQ answers only under today's threshold stays, with the entry it gets now
    and a word that nobody has checked that answer; one today's FAQ would have
    answered under the threshold it was asked under (staff linked a neighbour) leaves the list."""
    question = "Kan jag ringa er i dag?"
    now = public_bot(site).ask(question)
    assert now.kind is ReplyKind.ANSWER and now.match.faq_id == "phone"

    def asked_under(reply_id: str, threshold: float) -> None:
        with ConversationLog(site.folder / "log.db") as log:
            log.record(LogRow(reply_id, question, "sv", "helpdesk", False, None, "phone", now.score, threshold, "v1"))

    asked_under("h1", now.score + 0.05)  # the threshold then was above today's score
    site.login()
    page = site.client.get("/granska").text
    unseen = page.split(said(question))[1].split("</article>")[0]
    hint = re.search(
        r'<p class="hint" id="([^"]+)">Boten svarar nu med ”<a href="/fragor/phone" lang="sv">Kan jag ringa er\?</a>”: '
        r"den blev säkrare efter en ny kalibrering, men ingen har kontrollerat att svaret passar frågan\.",
        unseen,
    )
    assert hint and f'aria-describedby="{hint.group(1)}"' in unseen  # read with the list of entries
    assert "tryck Handlar om annat, så skickar boten den och liknande frågor till helpdesk." in unseen
    assert '<option value="" selected>' in unseen  # nothing chosen for staff: one click must not teach a wrong answer
    asked_under("h2", now.score - 0.05)  # asked again, under a threshold today's score reaches
    assert question not in site.client.get("/granska").text


def test_a_question_answered_only_since_the_threshold_moved_can_be_sent_back_to_the_helpdesk(site):
    """A walk-through rejected "Hur ofta tvättar ni bilen?", answered with the backup entry after
    a recalibration, and the bot went on answering it so: "Avvisa" only took it off the list.
    "Handlar om annat" puts it in the FAQ's off_topic: list, and the bot sends it to the helpdesk."""
    question = "Kan jag ringa er i dag?"
    now = public_bot(site).ask(question)
    with ConversationLog(site.folder / "log.db") as log:
        log.record(LogRow("h1", question, "sv", "helpdesk", False, None, "phone", now.score, now.score + 0.05, "v1"))
    site.login()
    unseen = site.client.get("/granska").text.split(said(question))[1].split("</article>")[0]
    other = re.search(
        r'name="action" value="reject_question">\s*<input type="hidden" name="reply_id" value="h1">\s*'
        r'<input type="hidden" name="skal" value="annat">\s*<button type="submit" class="secondary" '
        r'aria-describedby="([^"]+)">Handlar om annat<',
        unseen,
    )
    assert other and other.group(1).endswith("-now")  # read with the hint that says what it does
    before = (site.folder / "faq.yaml").read_text(encoding="utf-8")
    with ConversationLog(site.folder / "log.db") as log:  # answered yesterday; the mark will catch it too
        log.record(LogRow("a1", "Kan jag ringa er idag?", "sv", "answer", True, "phone", None, 0.6, 0.3, "v1"))
        log.record(LogRow("a2", "Hur ofta tar ni backup?", "sv", "answer", True, "backup", None, 0.8, 0.3, "v1"))
        choices = ("phone", "backup")  # offered choices: the mark takes them away too (a walk-through found it unsaid)
        log.record(
            LogRow("c1", "Går det att ringa er i dag?", "sv", "choices", False, None, "phone", 0.5, 0.3, "v1", choices)
        )
    done = site.client.post(
        "/granska", data={"action": "reject_question", "reply_id": "h1", "skal": "annat", "csrf": site.csrf()}
    ).text
    assert f"Boten skickar nu {said(question)} och frågor som liknar den mer än någon post till helpdesk." in done
    # what else it catches, said when it is marked (a walk-through found one mark catching another entry's question)
    caught = done.split("skickar den nu också de här till helpdesk.")[1].split("</ul>")[0]
    assert f'{said("Kan jag ringa er idag?")}, som besvarades med ”<a href="/fragor/phone"' in caught
    assert f'{said("Går det att ringa er i dag?")}, som fick förslag med ”<a href="/fragor/phone"' in caught
    assert "backup" not in caught
    after = (site.folder / "faq.yaml").read_text(encoding="utf-8")
    assert after.startswith(before) and after.endswith(f"off_topic:\n  - {question}\n")
    reply = public_bot(site).ask(question)
    assert reply.kind is ReplyKind.HELPDESK and reply.set_aside and "help@example.se" in reply.answer
    assert public_bot(site).ask("Kan jag ringa er?").match.faq_id == "phone"  # the entry's own question still answered
    listed = site.client.get("/granska").text
    assert 'name="reply_id" value="h1"' not in listed and f"{said(question)}, som ni har markerat" in listed
    # a rewording the mark sends to the helpdesk is listed, saying so (a walk-through read "Boten
    # var nära att svara med" there, though the entry's score was over the threshold)
    reworded = public_bot(site).ask("Kan jag ringa er idag?")
    assert reworded.set_aside
    with ConversationLog(site.folder / "log.db") as log:
        log.record(LogRow("h2", "Kan jag ringa er idag?", "sv", "helpdesk", False, None, "phone", 0.5, 0.3, "v1"))
    again = site.client.get("/granska").text.split(said("Kan jag ringa er idag?"))[1].split("</article>")[0]
    assert f"Boten skickar den till helpdesk eftersom den liknar {said(question)}, som ni har markerat" in again
    assert "nära att svara" not in again
    assert "anna" in site.client.get("/historik").text.split('<li class="item">')[1]  # kept as a version


def test_a_question_marked_off_topic_by_mistake_is_taken_off_the_list_and_answered_again(site):
    """Frågor och svar lists the FAQ's off_topic: questions; "Ta bort" undoes a "Handlar om annat"."""
    question = "Kan jag ringa er i dag?"
    before = (site.folder / "faq.yaml").read_text(encoding="utf-8")
    add_off_topic(site.folder / "faq.yaml", [question, "Säljer ni bilar?"])
    site.login()
    listed = site.client.get("/fragor").text.split('<h2 id="off-topic">Frågor om annat (2)</h2>')[1]
    assert f'<span id="off-1" lang="sv">{question}</span>' in listed and 'value="Säljer ni bilar?"' in listed
    found = site.client.get("/fragor?sok=bilar").text  # a search finds them too
    assert "Frågor om annat (1)" in found and 'value="Säljer ni bilar?"' in found and question not in found
    # not "0 poster med ”bilar”" above the question it found (a walk-through note)
    assert "Poster med ”bilar”: 0. Frågor om annat med ”bilar”: 1." in found
    # another spelling of it (a stale tab, a hand-made form): the outcome names the list's text
    done = site.client.post("/om-annat", data={"fraga": "  kan jag ringa ER i dag? ", "csrf": site.csrf()})
    assert done.status_code == 200 and f"{said(question)} är inte längre en fråga om annat" in done.text
    # what it gets now, since the review page does not list it again
    assert 'Boten svarar nu på den med ”<a href="/fragor/phone" lang="sv">Kan jag ringa er?</a>”.' in done.text
    assert "Frågor om annat (1)" in done.text and f'value="{question}"' not in done.text
    assert public_bot(site).ask(question).match.faq_id == "phone"  # answered again: the index was rebuilt
    site.client.post("/om-annat", data={"fraga": "Säljer ni bilar?", "csrf": site.csrf()})
    assert (site.folder / "faq.yaml").read_text(encoding="utf-8") == before  # the list and its comment gone
    assert 'id="off-topic"' not in site.client.get("/fragor").text
    newest = site.client.get("/historik").text.split('<li class="item">')[1]
    assert "anna" in newest and "frågor om annat: -1" in newest  # kept as a version, saying what changed


LONG_BACKGROUND = "Vi är en liten förening med en medlemstidning och en kalender över våra träffar. " * 5


def test_a_long_question_is_marked_as_the_chat_reads_it_and_stays_on_the_list_while_it_is_answered(site):
    """Found by a walk-through: a 925-character 👎 question was marked whole, and the chat, which
    ranks the question sentences of a long message, still answered it; and the review page, which
    read its first 300 characters, said it went to the helpdesk ("Ta bort från listan")."""
    question = LONG_BACKGROUND + "Hur ofta sparar ni kopior?"
    assert public_bot(site).ask(question).match.faq_id == "backup"
    page = thumbs_down_on(site, "w3", question)
    assert ">Svaret var rätt<" in page and "frågan går nu till helpdesk" not in page  # it is answered so today
    other = re.search(r'name="id" value="([^"]+)">\s*<input type="hidden" name="skal" value="annat">', page)
    site.client.post("/granska", data={"action": "reject", "id": other.group(1), "skal": "annat", "csrf": site.csrf()})
    assert load_faq(site.folder / "faq.yaml").off_topic == ("Hur ofta sparar ni kopior?",)
    assert public_bot(site).ask(question).kind is ReplyKind.HELPDESK


def test_taking_a_question_off_the_list_says_when_another_marked_question_still_holds_it(site):
    """Found by a walk-through: "ingen post ligger nära nog" for a question another marked
    question sent to the helpdesk."""
    add_off_topic(site.folder / "faq.yaml", ["Kan jag ringa er i dag?", "Kan jag ringa er idag?"])
    site.login()
    done = site.client.post("/om-annat", data={"fraga": "Kan jag ringa er i dag?", "csrf": site.csrf()}).text
    assert "Boten skickar den ändå till helpdesk: den liknar en annan fråga om annat mer än någon post." in done


def test_an_entry_written_later_on_a_marked_topic_shows_the_marks_that_keep_its_customers_away(site):
    """A marked question sends the questions nearest it to the helpdesk whatever entries there
    are: staff who write an entry on its topic later must see the mark, on the entry's page, and
    can take it off there."""
    add_off_topic(site.folder / "faq.yaml", ["Tvättar ni bilar på lördagar?", "Säljer ni glass?"])
    site.login()
    new = {"question": "Tvättar ni bilar?", "answer": "Ja, varje lördag.", "alternatives": "", "section": ""}
    created = site.client.post("/ny-fraga", data={**new, "csrf": site.csrf()}).text
    assert "Posten är skapad" in created
    near = created.split('<h2 id="marked-near">')[1].split("</section>")[0]
    assert near.startswith("Frågor om annat som posten når (1)</h2>")
    assert "Tvättar ni bilar på lördagar?" in near and "glass" not in near
    assert public_bot(site).ask("Tvättar ni bilar på lördagar?").kind is ReplyKind.HELPDESK  # what it warns of
    done = site.client.post("/om-annat", data={"fraga": "Tvättar ni bilar på lördagar?", "csrf": site.csrf()}).text
    assert "är inte längre en fråga om annat" in done
    assert public_bot(site).ask("Tvättar ni bilar på lördagar?").match.faq_id == "tvattar-ni-bilar"
    assert 'id="marked-near"' not in site.client.get("/fragor/tvattar-ni-bilar").text
    assert 'id="marked-near"' not in site.client.get("/fragor/backup").text  # the other mark reaches no entry


@pytest.mark.slow
def test_a_mark_that_nearly_reaches_a_new_entry_is_shown_on_its_page_and_taken_off_there(tmp_path, embedder):
    """Found by a walk-through, with the bundled model on the shipped FAQ: "Hur ofta tvättar ni
    bilen?" marked, then an entry "Tvättar ni bilar?" written. The mark scored 0.346 for the
    entry, under the threshold, so the page did not list it, yet it sent the entry's own
    customers ("När tvättar ni bilen?") to the helpdesk."""
    for name in ("faq.yaml", "config.yaml"):
        shutil.copy(ROOT / "data" / name, tmp_path / name)
    add_off_topic(tmp_path / "faq.yaml", ["Hur ofta tvättar ni bilen?"])
    site = make_site(tmp_path, embedder)
    try:
        site.login()
        new = {"question": "Tvättar ni bilar?", "answer": "Ja, varje lördag.", "alternatives": "", "section": ""}
        created = site.client.post("/ny-fraga", data={**new, "csrf": site.csrf()}).text
        near = created.split('<h2 id="marked-near">')[1].split("</section>")[0]
        assert "Hur ofta tvättar ni bilen?" in near
        assert public_bot(site).ask("Hur ofta tvättar ni bilen?").kind is ReplyKind.HELPDESK  # what the page warns of
        # the entry's own customers are answered: their words are the entry's as much as the mark's
        # (before the thirty-ninth session a tie went to the mark, and this went to the helpdesk)
        assert public_bot(site).ask("När tvättar ni bilen?").match.faq_id == "tvattar-ni-bilar"
        form = {"fraga": "Hur ofta tvättar ni bilen?", "post": "tvattar-ni-bilar", "csrf": site.csrf()}
        done = site.client.post("/om-annat", data=form)
        assert done.url.path == "/fragor/tvattar-ni-bilar"  # back on the entry's page, saying what it did
        assert '”<span lang="sv">Hur ofta tvättar ni bilen?</span>” är inte längre en fråga om annat' in done.text
        assert 'id="marked-near"' not in done.text
        assert public_bot(site).ask("När tvättar ni bilen?").match.faq_id == "tvattar-ni-bilar"
    finally:
        site.desk.close()
        site.store.close()


def test_writing_a_marked_question_into_an_entry_takes_it_off_the_list(site):
    """Found by a walk-through: "Skapa en ny post av frågan" on a marked question that reached the
    helpdesk again was refused with a check naming the unsaved draft's line ("är både en fråga i
    posten ... (rad 231) och en fråga om annat"). Staff who write it into an entry say the entry
    answers it, as Koppla does; a form refused for another reason leaves the list as it was."""
    faq = site.folder / "faq.yaml"
    add_off_topic(faq, ["Säljer ni bilar?", "Tvättar ni bilar?", "Blir det regn?"])
    site.login()
    refused = {"question": "Säljer ni bilar?", "answer": "", "alternatives": "", "section": ""}
    before = faq.read_bytes()
    assert site.client.post("/ny-fraga", data={**refused, "csrf": site.csrf()}).status_code == 400
    assert faq.read_bytes() == before  # the answer was missing: nothing written, the mark kept
    new = {**refused, "answer": "Ja, begagnade.", "alternatives": "Blir det regn?"}
    created = site.client.post("/ny-fraga", data={**new, "csrf": site.csrf()}).text
    assert "Posten är skapad" in created
    assert f"{said('Säljer ni bilar?')} stod bland frågorna om annat; den är borttagen därifrån" in created
    assert load_faq(faq).off_topic == ("Tvättar ni bilar?",)
    assert public_bot(site).ask("Säljer ni bilar?").match.faq_id == "saljer-ni-bilar"
    page = site.client.get("/fragor/backup").text  # an existing entry's form, the same way
    digest = re.search(r'name="hash" value="([^"]+)"', page).group(1)
    fields = {"question": "Hur ofta tar ni backup?", "answer": "Varje natt.", "alternatives": "tvättar ni BILAR"}
    saved = site.client.post("/fragor/backup", data={**fields, "csrf": site.csrf(), "hash": digest}).text
    assert "Sparat" in saved and "stod bland frågorna om annat" in saved and load_faq(faq).off_topic == ()


def test_trying_a_question_a_mark_sends_to_the_helpdesk_says_which_mark(site):
    """Found by a walk-through: Prova boten said "till helpdesk" beside a best entry over the
    threshold, and "Varför" named only the threshold: the mark that decided it was not said."""
    add_off_topic(site.folder / "faq.yaml", ["Säljer ni bilar?", "Kan jag ringa er i dag?"])
    site.desk.rebuild()
    site.login()
    page = site.client.get("/prova", params={"fraga": "Kan jag ringa er idag?"}).text
    why = page.split('<h2 id="why">')[1]
    assert (
        f"Frågan liknar {said('Kan jag ringa er i dag?')}, som ni har markerat som en fråga om annat, mer än "
        "någon text i bästa posten: till helpdesk, hur högt posten än når." in why
    )
    assert 'href="/fragor#off-topic"' in why and "når inte tröskeln" not in why
    assert "liknar" not in site.client.get("/prova", params={"fraga": "Kan jag ringa er?"}).text.split('id="why"')[1]
    # under the threshold the mark is not all of the why (a re-walk read "hur högt posten än når" beside 0.15)
    add_off_topic(site.folder / "faq.yaml", ["Säljer ni cyklar?"])
    site.desk.rebuild()
    low = site.client.get("/prova", params={"fraga": "Har ni cyklar?"}).text.split('<h2 id="why">')[1]
    assert re.search(
        rf"Bästa posten \(0\.\d{{3}}\) når inte tröskeln, och frågan liknar {re.escape(said('Säljer ni cyklar?'))}, som ni "
        "har markerat som en fråga om annat, mer än bästa posten: till helpdesk.",
        low,
    )
    assert "hur högt posten än når" not in low


def test_an_entry_saved_says_which_marks_keep_its_customers_away(site):
    """Found by a walk-through: a mark on another topic ("Kan ni skydda min bil mot stöld?") sent
    a later car-wash entry's customers ("Tvättar ni min bil?") to the helpdesk, and neither the
    entry's page nor the mark's outcome said so: the mark's own best entry was another. Saving
    the entry checks the log's questions it would answer."""
    add_off_topic(site.folder / "faq.yaml", ["Kan jag ringa er i dag?"])
    site.desk.rebuild()
    with ConversationLog(site.folder / "log.db") as log:  # asked before: the mark sent it to the helpdesk
        log.record(LogRow("h7", "Kan jag ringa er idag?", "sv", "helpdesk", False, None, "phone", 0.6, 0.3, "v1"))
        log.record(LogRow("h8", "Blir det regn i morgon?", "sv", "helpdesk", False, None, None, 0.1, 0.3, "v1"))
        # the marked question itself, asked again: the mark at work, not news to the save (a walk-through)
        log.record(LogRow("h9", "kan jag ringa er i dag", "sv", "helpdesk", False, None, "phone", 0.7, 0.3, "v1"))
    site.login()
    page = site.client.get("/fragor/phone").text
    digest = re.search(r'name="hash" value="([^"]+)"', page).group(1)
    fields = {"question": "Kan jag ringa er?", "answer": "Ja, vardagar 8-17.", "alternatives": ""}
    saved = site.client.post("/fragor/phone", data={**fields, "csrf": site.csrf(), "hash": digest}).text
    kept = saved.split("skickar till helpdesk:</p>")[1].split("</div>")[0]
    assert f"{said('Kan jag ringa er idag?')}, av {said('Kan jag ringa er i dag?')}" in kept and "regn" not in kept
    assert "kan jag ringa er i dag" not in kept
    assert 'name="fraga" value="Kan jag ringa er i dag?"' in kept and 'name="post" value="phone"' in kept


def test_a_long_question_marked_off_topic_can_be_taken_off_the_list(site):
    """Found by a walk-through: a 910-character 👎 question was marked, and "Ta bort" was refused
    as longer than a form field's 200 characters."""
    question = "Hej! " + "Jag har en lång bakgrund till min fråga om bilar. " * 18 + "Säljer ni bilar?"
    add_off_topic(site.folder / "faq.yaml", [question])
    site.login()
    done = site.client.post("/om-annat", data={"fraga": question, "csrf": site.csrf()})
    assert done.status_code == 200 and "är inte längre en fråga om annat" in done.text
    assert load_faq(site.folder / "faq.yaml").off_topic == ()


def test_linking_a_question_marked_off_topic_to_an_entry_takes_it_off_the_list(site, fake_embedder):
    """Found by a walk-through: "Koppla" on a marked question that reached the helpdesk again
    failed with "the edited FAQ did not pass the FAQ checks (a faqbot bug...)": staff's link wins."""
    question = "Kan jag ringa er i dag?"
    add_off_topic(site.folder / "faq.yaml", [question])
    build_index(load_faq(site.folder / "faq.yaml"), fake_embedder, site.folder / "index")
    assert public_bot(site).ask(question).kind is ReplyKind.HELPDESK
    with ConversationLog(site.folder / "log.db") as log:
        log.record(LogRow("h1", question, "sv", "helpdesk", False, None, "phone", 0.2, 0.3, "v1"))
    site.login()
    site.client.get("/granska")
    done = site.client.post(
        "/granska", data={"action": "assign", "reply_id": "h1", "faq_id": "phone", "csrf": site.csrf()}
    )
    assert done.status_code == 200 and f"{said(question)} är inte längre en fråga om annat." in done.text
    faq = load_faq(site.folder / "faq.yaml")
    assert faq.off_topic == () and question in faq.by_id["phone"].learned
    assert public_bot(site).ask(question).match.faq_id == "phone"


def test_a_thumbs_down_question_the_bot_now_sends_to_the_helpdesk_is_taken_off_the_list_as_such(site):
    """Found by a walk-through: its line said the bot sends it to the helpdesk now, and its button
    still read "Svaret var rätt"."""
    page = thumbs_down_on(site, "w3", "Hur ofta sparar ni kopior?")
    assert ">Svaret var rätt<" in page
    add_off_topic(site.folder / "faq.yaml", ["Hur ofta sparar ni kopior?"])
    page = site.client.get("/granska").text
    assert "frågan går nu till helpdesk." in page and ">Svaret var rätt<" not in page
    taken = re.search(
        r'name="id" value="([^"]+)">\s*<button type="submit" class="secondary" aria-describedby="[^"]+">Ta bort från listan<',
        page,
    )
    done = site.client.post("/granska", data={"action": "reject", "id": taken.group(1), "csrf": site.csrf()}).text
    assert f"{said('Hur ofta sparar ni kopior?')} listas inte igen: boten skickar den nu till helpdesk." in done


def test_a_thumbs_down_question_no_entry_answers_becomes_a_new_entry(site):
    """Its only ways off the list were Koppla (to an entry that does not answer it either) or
    "Svaret var rätt" (it was not)."""
    question = "Har ni några lediga jobb?"
    with ConversationLog(site.folder / "log.db") as log:
        log.record(LogRow("w5", question, "sv", "answer", True, "backup", None, 0.5, 0.3, "v1"))
        log.record_feedback("w5", False)
    site.login()
    link = re.search(
        r'href="(/ny-fraga\?grupp=w[0-9a-f]+)"[^>]*>Ingen post svarar: skriv en ny<', site.client.get("/granska").text
    )
    form = site.client.get(link.group(1)).text
    assert re.search(r'name="question"[^>]*value="Har ni några lediga jobb\?"', form)
    group = re.search(r'name="grupp" value="([^"]+)"', form).group(1)
    fields = {"question": question, "answer": "Inte just nu.", "alternatives": "", "grupp": group}
    created = site.client.post("/ny-fraga", data={**fields, "csrf": site.csrf()})
    assert created.status_code == 200 and "Posten är skapad" in created.text
    assert public_bot(site).ask(question).match.faq_id == "har-ni-nagra-lediga-jobb"
    assert 'value="w5"' not in site.client.get("/granska").text  # off the 👎 list


ADDED_TO_BACKUP = 'Tillagt i ”<a href="/fragor/backup" lang="sv">'  # the outcome names an entry by its question, linked
ADDED_TO_PHONE = 'Tillagt i ”<a href="/fragor/phone" lang="sv">'


def said(question: str, language: str = "sv") -> str:
    """A customer's question as the review page shows it: quoted, marked with its language."""
    return f'”<span lang="{language}">{question}</span>”'


def log_a_pick_and_a_helpdesk_question(path) -> None:
    """A customer picked backup for "Sparar ni filerna någonstans?"; another's question went to the helpdesk."""
    question = "Sparar ni filerna någonstans?"
    with ConversationLog(path) as log:
        log.record(LogRow("r1", question, "sv", "choices", False, None, "phone", 0.2, 0.3, "v1", ("phone", "backup")))
        log.record(LogRow("r2", question, "sv", "answer", True, "backup", None, 0.2, 0.3, "v1", (), "r1"))
        log.record(LogRow("h1", "Har ni parkering vid kontoret?", "sv", "helpdesk", False, None, None, 0.1, 0.3, "v1"))


def test_a_rejected_phrasing_is_said_to_be_rejected_for_its_entry_and_stays_a_helpdesk_question(site):
    """Found by a walk-through: a phrasing rejected with "Det föreslås inte igen" came straight back
    under the helpdesk questions (another customer had asked it and picked nothing). It is rejected
    for the entry customers picked; the question is still one the FAQ does not answer, for staff to
    link to the right entry, and the outcome says which was rejected."""
    log_a_pick_and_a_helpdesk_question(site.folder / "log.db")
    with ConversationLog(site.folder / "log.db") as log:  # another customer asks it and picks nothing
        log.record(
            LogRow("r3", "Sparar ni filerna någonstans?", "sv", "helpdesk", False, None, "phone", 0.2, 0.3, "v1")
        )
    site.login()
    page = site.client.get("/granska").text
    phrasing = re.search(r'name="action" value="reject">\s*<input type="hidden" name="id" value="(a[^"]+)">', page)
    assert phrasing and 'name="reply_id" value="r3"' not in page  # proposed for backup, not listed twice
    done = site.client.post("/granska", data={"action": "reject", "id": phrasing.group(1), "csrf": site.csrf()}).text
    assert (
        f'Avvisat: {said("Sparar ni filerna någonstans?")} som formulering av ”<a href="/fragor/backup" lang="sv">'
        "Hur ofta gör ni säkerhetskopior?</a>”. Den föreslås inte igen för den posten." in done
    )
    assert 'name="reply_id" value="r3"' in done  # to link to the entry that answers it


def test_a_helpdesk_question_is_tied_to_an_entry_staff_choose_none_is_chosen_for_them(site):
    log_a_pick_and_a_helpdesk_question(site.folder / "log.db")
    site.login()
    page = site.client.get("/granska").text
    form = re.search(r'name="reply_id" value="h1">.*?</select>', page, re.S)
    assert form and "Har ni parkering" in form.group(0)
    assert re.search(r'<option value="" selected>Välj posten<', form.group(0))
    assert form.group(0).count(" selected") == 1


def test_each_button_of_the_review_names_the_question_it_acts_on_for_a_screen_reader(site):
    """Many "Godkänn" and "Koppla" buttons on one page: each is described by its own question."""
    log_a_pick_and_a_helpdesk_question(site.folder / "log.db")
    site.login()
    page = site.client.get("/granska").text
    described = re.findall(
        r'<(?:button type="submit"(?: class="secondary")?|a href="[^"]+") aria-describedby="([^"]+)">([^<]+)<', page
    )
    assert {label for _, label in described} == {
        "Godkänn",
        "Avvisa",
        "Handlar om annat",
        "Koppla",
        "Skapa en ny post av frågan",  # a group of one question is named as the question
        "Avvisa frågan",
    }
    phrasing = ("Godkänn", "Avvisa", "Handlar om annat")  # the buttons of a confirmed phrasing
    for targets, label in described:
        first, *more = targets.split()
        element = re.search(rf'<(h3|span)[^>]* id="{first}"[^>]*>(.*?)</\1>', page)
        question = "Sparar ni filerna" if label in phrasing else "Har ni parkering"
        assert element and question in element.group(2), (label, first)
        if label in phrasing:  # and then the entry it would join
            entry = re.search(rf'<p id="{more[0]}">(.*?)</p>', page, re.S)
            assert entry and "Hur ofta gör ni säkerhetskopior?" in entry.group(1), (label, more)


def test_customers_questions_on_the_review_are_marked_with_their_language_and_shown_as_text(site):
    """A screen reader reads an English question on the Swedish page as English; a question with
    markup in it is shown as the text the customer typed, in every list of the review and in what
    the page says after staff act on it."""
    with ConversationLog(site.folder / "log.db") as log:
        log.record(
            LogRow("e1", "Can I <i>phone</i>?", "en", "choices", False, None, "phone", 0.2, 0.3, "v1", ("phone",))
        )
        log.record(LogRow("e2", "Can I <i>phone</i>?", "en", "answer", True, "phone", None, 0.2, 0.3, "v1", (), "e1"))
        log.record(LogRow("e3", "Where do I <u>park</u>?", "en", "helpdesk", False, None, None, 0.1, 0.3, "v1"))
        log.record(LogRow("e4", "<b>Sparar</b> ni mejlen?", "sv", "answer", True, "phone", None, 0.5, 0.3, "v1"))
        log.record_feedback("e4", False)
    site.login()
    swedish, english = site.client.get("/granska").text, switch(site, "en", "/granska")
    for page, quoted in ((swedish, "”{}”"), (english, "“{}”")):
        confirmed = quoted.format('<span lang="en">Can I &lt;i&gt;phone&lt;/i&gt;?</span>')
        helpdesk = quoted.format('<span lang="en">Where do I &lt;u&gt;park&lt;/u&gt;?</span>')
        assert re.search(rf'<h3 id="c-\d+">{re.escape(confirmed)}</h3>', page)
        assert re.search(rf'<h3 id="g-\d+">{re.escape(helpdesk)}</h3>', page)
        in_label = quoted.format('<span id="[^"]+" lang="en">Where do I &lt;u&gt;park&lt;/u&gt;\\?</span>')
        assert re.search(rf"<label [^>]*>{in_label} (besvaras av|is answered by)<", page)
        disliked = quoted.format('<span id="[^"]+" lang="sv">&lt;b&gt;Sparar&lt;/b&gt; ni mejlen\\?</span>')
        assert re.search(rf"<label [^>]*>{disliked} (besvaras av|is answered by)<", page)
        assert not re.search(r"<(i|u|b)>", page.split("<main")[1])
    wrong = re.search(
        r'name="id" value="(w\w+)">\s*<button type="submit" class="secondary" aria-describedby="[^"]+">Take off the list<',
        english,
    )  # the bot sends it to the helpdesk today
    done = site.client.post("/granska", data={"action": "reject", "id": wrong.group(1), "csrf": site.csrf()}).text
    assert (
        '“<span lang="sv">&lt;b&gt;Sparar&lt;/b&gt; ni mejlen?</span>” is not listed again: the bot now sends' in done
    )


def test_what_staff_did_takes_the_focus_and_names_the_question_in_its_own_language(site):
    """After Koppla the page opens on its outcome (focused, so a screen reader reads it), the
    customer's English question marked as English, written with the question mark its customer
    left out and no full stop after it; a phrasing is offered for its entry named by the entry's question, and
    the 👎 section says how many entries it lists."""
    with ConversationLog(site.folder / "log.db") as log:
        log.record(LogRow("e1", "Can I phone you?", "en", "choices", False, None, "phone", 0.2, 0.3, "v1", ("phone",)))
        log.record(LogRow("e2", "Can I phone you?", "en", "answer", True, "phone", None, 0.2, 0.3, "v1", (), "e1"))
        log.record(LogRow("h1", "Do you back up my files", "en", "helpdesk", False, None, None, 0.1, 0.3, "v1"))
        log.record(LogRow("w1", "Ringer ni upp mig?", "sv", "answer", True, "backup", None, 0.5, 0.3, "v1"))
        log.record_feedback("w1", False)
    site.login()
    page = site.client.get("/granska").text
    assert "autofocus" not in page  # nothing done yet: the page opens at its top
    assert re.search(r'till <a href="/fragor/phone" lang="sv">Kan jag ringa er\?</a></p>', page)
    assert '<h2 id="disliked">Poster med tumme ned (1)</h2>' in page
    heading = r'<h3><a href="/fragor/backup" lang="sv">Hur ofta gör ni säkerhetskopior\?</a></h3>'
    assert re.search(heading + r'\s*<p class="hint">tumme ned 1, tumme upp 0</p>', page)  # no "?:" after the question
    done = site.client.post(
        "/granska", data={"action": "assign", "reply_id": "h1", "faq_id": "backup", "csrf": site.csrf()}
    ).text
    outcome = re.search(r'<div class="card ok" role="status" tabindex="-1" autofocus>(.*?)</div>', done, re.S)
    assert outcome and done.count("autofocus") == 1
    assert re.search(
        r'Tillagt i ”<a href="/fragor/backup" lang="sv">[^<]+</a>”: ”<span lang="en">Do you back up my files\?</span>” Chatten svarar',
        outcome.group(1),
    )
    accept = re.search(r'name="action" value="accept">\s*<input type="hidden" name="id" value="([^"]+)"', done)
    done = site.client.post("/granska", data={"action": "accept", "id": accept.group(1), "csrf": site.csrf()}).text
    assert re.search(
        r'Tillagt i ”<a href="/fragor/phone" lang="sv">[^<]+</a>”: ”<span lang="en">Can I phone you\?</span>” Chatten svarar',
        done,
    )
    stale = site.client.post("/granska", data={"action": "accept", "id": accept.group(1), "csrf": site.csrf()}).text
    assert re.search(r'<p class="error" role="alert" tabindex="-1" autofocus>Förslaget är redan godkänt', stale)


def test_the_overview_says_when_the_index_was_built_as_staff_read_a_time(site):
    site.login()
    page = site.client.get("/").text
    built = re.search(r'<dt>Byggt</dt><dd><time datetime="([^"]+)">([^<]+)</time></dd>', page)
    assert built and re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d CES?T", built.group(2))
    # the machine-readable time is the same instant, whole: its date is the UTC one, which between
    # 23:00 and 00:00 UTC is the day before Stockholm's (the test failed in that hour)
    instant = datetime.fromisoformat(built.group(1)).astimezone(staff_zone())
    assert instant.strftime("%Y-%m-%d %H:%M %Z") == built.group(2)


def test_the_review_drawn_at_start_leaves_nothing_to_embed_for_the_first_staff_visit(small, fake_embedder):
    """`faqbot staff` draws the review once in the background (Desk.warm_up), with the console's
    remembering embedder: the first page then embeds none of the log's phrasings again."""
    from faqbot.retrieval.embedding import RememberingEmbedder, use_embedder
    from tests.fakes import FAKE_MODEL

    asked: list[str] = []

    class Counting:
        name, dim, similarity_range = fake_embedder.name, fake_embedder.dim, fake_embedder.similarity_range

        def embed_queries(self, texts):
            asked.extend(texts)
            return fake_embedder.embed_queries(texts)

        def embed_passages(self, texts):
            return fake_embedder.embed_passages(texts)

    log_a_pick_and_a_helpdesk_question(small / "log.db")
    use_embedder(FAKE_MODEL, RememberingEmbedder(Counting()))
    try:
        made = make_site(small, fake_embedder)
        made.desk.warm_up()
        warmed = len(asked)
        made.login()
        page = made.client.get("/granska").text
        assert said("Sparar ni filerna någonstans?") in page and "Har ni parkering vid kontoret?" in page
        assert warmed > 0 and asked[warmed:] == []
        made.desk.close()
        made.store.close()
    finally:
        use_embedder(FAKE_MODEL, fake_embedder)


def test_the_review_says_how_many_different_clients_confirmed_each_phrasing(site):
    """Two confirmations from one network are one client; staff see the count `learn: auto` goes by."""
    with ConversationLog(site.folder / "log.db") as log:
        for n, address in enumerate(("203.0.113.7", "203.0.113.7", "198.51.100.9")):
            question = "Sparar ni filerna någonstans?"
            log.record(LogRow(f"b{n}", question, "sv", "answer", True, "backup", None, 0.6, 0.3, "v1", client=address))
            log.record_feedback(f"b{n}", True)
        for n, address in enumerate(("2001:db8:1:2::1", "2001:db8:1:3::1")):  # one /48
            question = "Svarar någon i luren på helgerna?"
            log.record(LogRow(f"p{n}", question, "sv", "answer", True, "phone", None, 0.6, 0.3, "v1", client=address))
            log.record_feedback(f"p{n}", True)
        for n, address in enumerate(("192.0.2.4", None)):  # `faqbot ask --log` names no client
            question = "Finns det en kopia av min sajt?"
            log.record(LogRow(f"u{n}", question, "sv", "answer", True, "backup", None, 0.6, 0.3, "v1", client=address))
            log.record_feedback(f"u{n}", True)
    site.login()
    page = site.client.get("/granska").text
    unknown = page[page.index(said("Finns det en kopia av min sajt?")) :]
    assert "tumme upp 2, tumme ned 0, från minst en kund" in unknown.split("</p>")[1]  # after the entry's line
    backup = page[page.index(said("Sparar ni filerna någonstans?")) :]
    phone = page[page.index(said("Svarar någon i luren på helgerna?")) :]
    assert "tumme upp 3, tumme ned 0, från 2 olika kunder" in backup.split("</p>")[1]
    assert "tumme upp 2, tumme ned 0, från en kund" in phone.split("</p>")[1]
    english = switch(site, "en", "/granska")
    assert "thumbs up 3, thumbs down 0, from 2 different customers" in english


# -- Swedish, or English with the switch (issue 19) -------------------------------------------------


def switch(site: Site, language: str, back: str) -> str:
    """Follow the page's language link (it names the page to return to), or on an entry's form
    press its switch, which sends the form; the page it lands on."""
    page = site.client.get(back).text
    button = re.search(rf'formaction="([^"]+/sprak\?till={language}[^"]*)"', page)
    if button is not None:
        moved = site.client.post(html.unescape(button.group(1)), data=entry_form(page), follow_redirects=False)
        assert moved.status_code == 303 and moved.headers["location"].startswith(back + "?utfall=")
        return site.client.get(moved.headers["location"]).text
    link = re.search(rf'href="(/sprak\?till={language}&amp;sida=[^"]+)"', page).group(1).replace("&amp;", "&")
    moved = site.client.get(link, follow_redirects=False)
    assert moved.status_code == 303 and moved.headers["location"] == back
    return site.client.get(back).text


def entry_form(page: str) -> dict[str, str]:
    """The fields of the entry form on `page` as a browser sends them (hidden ones too)."""
    form = page.split('id="entry-form">')[1].split("</form>")[0]
    fields = {
        name: html.unescape(value)
        for name, value in re.findall(r'<input[^>]* name="([^"]+)"[^>]* value="([^"]*)"', form)
    }
    for name, text in re.findall(r'<textarea[^>]* name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        fields[name] = html.unescape(text)
    return fields


def test_the_switch_turns_every_page_english_for_the_session_and_back_to_swedish(site):
    assert '<html lang="sv">' in site.client.get("/login").text and "Användarnamn" in site.client.get("/login").text
    login = switch(site, "en", "/login")
    assert '<html lang="en">' in login and "<h1>Log in</h1>" in login and ">User name</label>" in login
    site.login()
    overview = site.client.get("/").text
    assert "<h1>Overview</h1>" in overview and ">To review</a>" in overview and "Log out anna" in overview
    assert '<th scope="row">Answered</th>' in overview and "Översikt" not in overview
    form = site.client.get("/fragor/backup").text
    assert (
        '<h1>Edit “<span lang="sv">Hur ofta gör ni säkerhetskopior?</span>”</h1>' in form  # read as Swedish
        and "<title>Edit “Hur ofta gör ni säkerhetskopior?” – faqbot staff</title>" in form
        and ">Answer</label>" in form
        and ">Save</button>" in form
    )
    assert "Varje natt." in form  # the FAQ's own texts stay as they are
    refused = site.client.post("/fragor/backup", data={"answer": "x", "hash": "x"})
    assert refused.status_code == 403 and "opened before your latest login, so nothing was done" in refused.text
    swedish = switch(site, "sv", "/fragor/backup")
    assert (
        '<html lang="sv">' in swedish
        and '<h1>Redigera ”<span lang="sv">Hur ofta gör ni säkerhetskopior?</span>”</h1>' in swedish
        and ">Spara</button>" in swedish
    )


def test_a_wrong_password_and_the_wait_are_said_in_the_chosen_language(site):
    switch(site, "en", "/login")
    refused = site.login(password="fel lösenord").text
    assert "Wrong user name or password." in refused
    assert 'name="username" value="anna"' in refused  # the name stays; only the password is typed again
    for _ in range(FREE_FAILURES):
        refused = site.login(password="fel lösenord")
    assert refused.status_code == 429 and "Too many failed logins. Wait 1 second and try again." in refused.text


def test_the_switch_returns_only_to_a_page_of_the_console(site):
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example", "evil", ""):
        moved = site.client.get("/sprak", params={"till": "en", "sida": target}, follow_redirects=False)
        assert moved.status_code == 303 and moved.headers["location"] == "/"
    moved = site.client.get("/sprak", params={"till": "xx", "sida": "/prova?fraga=a"}, follow_redirects=False)
    assert moved.headers["location"] == "/prova?fraga=a" and "set-cookie" not in moved.headers


def test_a_slip_in_the_yaml_is_told_in_the_checks_own_english_when_the_console_is_english(site):
    site.login()
    switch(site, "en", "/")
    faq = site.folder / "faq.yaml"
    faq.write_text(faq.read_text(encoding="utf-8").replace("Varje natt.", "Varje natt: 02.00."), encoding="utf-8")
    said = (
        f"{faq}:5: invalid YAML: the text after &#39;answer:&#39; has &#39;: &#39; in it, which YAML reads as "
        "the start of a new key; put the whole text in quotes: answer: &#34;Varje natt: 02.00.&#34;"
    )
    overview = site.client.get("/").text
    assert "The chat refuses the latest change" in overview and said in overview and "ogiltig YAML" not in overview
    form = site.client.get("/fragor/backup")
    assert form.status_code == 409 and "<h1>The FAQ file needs fixing</h1>" in form.text and said in form.text
    switch(site, "sv", "/")
    assert "ogiltig YAML: texten efter" in site.client.get("/").text


def test_the_versions_a_new_entry_the_evaluation_and_the_overview_read_in_english(site):
    site.login()
    assert save_answer(site, "backup", "Två gånger per natt.", "Hur ofta gör ni säkerhetskopior?").status_code == 200
    history = switch(site, "en", "/historik")
    assert "<h1>Versions of the questions and answers</h1>" in history and "(in force now)" in history
    assert "changed: backup" in history and "as the console first saw the file: 2 entries" in history
    assert ">Compare and restore</a>" in history
    assert 'aria-label="Compare version 1 with the file now and restore it"' in history
    version = site.client.get("/historik/1").text
    assert "<h1>Version 1</h1>" in version and "Difference from the file now" in version
    assert "--- the file now" in version and "+++ version 1" in version and ">Restore version 1</button>" in version
    new = site.client.get("/ny-fraga").text
    assert "<h1>New question</h1>" in new and ">Create the entry</button>" in new and ">Question</label>" in new
    # the FAQ's own texts are Swedish on an English page: a screen reader reads them as Swedish
    assert 'name="answer" lang="sv"' in new and 'name="answer_en" lang="en"' in new
    assert re.search(r'<a href="/fragor/backup" lang="sv">', site.client.get("/fragor").text)
    evaluation = site.client.get("/utvardering").text
    assert "<h1>Evaluation</h1>" in evaluation and "There is no test set yet. Add questions customers" in evaluation
    (site.folder / "test_questions.jsonl").write_text('{"question": "Kan jag ringa?", "expected": "phone"}\n')
    assert ">Run the test set</button>" in site.client.get("/utvardering").text
    overview = site.client.get("/").text
    assert "The last 14 days" in overview and "questions per day" in overview and '<h2 id="servers">Servers' in overview
    assert "One server: a running chat answers from the index in" in overview and "table below" not in overview
    pages = history + version + new + evaluation + overview
    for swedish in ("Versioner", "Återställ", "ändrad i filen", "Ny fråga", "Kör testmängden", "frågor per", "Servrar"):
        assert swedish not in pages, swedish


def test_a_version_says_what_changed_in_the_language_of_the_page():
    say = phrasebook("en")
    assert what_said("ändrad i filen: ändrade: backup, phone; nya: hund", say) == (
        "changed in the file: changed: backup, phone; new: hund"
    )
    assert what_said("återställde version 3: borttagna: hund; helpdesk: a@b.se", say) == (
        "restored version 3: removed: hund; helpdesk: a@b.se"
    )
    assert what_said("så som konsolen först såg filen: 2 poster", say) == "as the console first saw the file: 2 entries"
    assert what_said("filen rättad: 4 poster", say) == "the file fixed: 4 entries"
    assert what_said("bara kommentarer eller layout", say) == "only comments or layout"
    assert what_said("något annat: nya", say) == "något annat: nya"  # words of another release stay as kept
    assert what_said("ändrade: backup", phrasebook("sv")) == "ändrade: backup"


def test_a_version_changing_many_entries_names_a_dozen_and_counts_the_rest():
    """An accept of 46 phrasings changes 37 entries: the summary was cut off mid-id at 500 characters."""
    entries = [f"  - id: entry-number-{n:02d}\n    question: Fråga {n}?\n    answer: Svar {n}.\n" for n in range(40)]
    before = "helpdesk: a@b.se\nentries:\n" + "".join(entries)
    after = before.replace("answer: Svar", "answer: Nytt svar")
    said = what_changed(before, after)
    assert said == "ändrade: " + ", ".join(f"entry-number-{n:02d}" for n in range(12)) + " +28"
    assert what_said(said, phrasebook("en")) == "changed: " + said.removeprefix("ändrade: ")


def test_a_text_without_english_is_shown_in_swedish_and_values_are_never_translated():
    say = phrasebook("en", {"Spara": "Save", "Sparat {what}": "Saved {what}"})
    assert say("Spara") == "Save" and say("Ny text") == "Ny text"
    assert say(Text("Sparat {what}", what="Spara")) == "Saved Spara"  # a customer's text is data
    assert say(Text("Sparat {what}", what=Text("Spara"))) == "Saved Save"
    assert phrasebook("sv")(Text("Sparat {what}", what="x")) == "Sparat x" == Text("Sparat {what}", what="x")
    both = Bilingual("nyckeln 'id' står två gånger", "duplicate key 'id'")  # written in both languages
    assert phrasebook("en")(both) == "duplicate key 'id'" and phrasebook("sv")(both) == both
    assert phrasebook("en")(Text("Sparat {what}", what=both)) == "Sparat duplicate key 'id'"
    marked = phrasebook("en", {"”{q}” besvaras av": "“{q}” is answered by"})("”{q}” besvaras av", q=spoken("<i>", "sv"))
    assert marked == '“<span lang="sv">&lt;i&gt;</span>” is answered by'  # a customer's markup is text
    assert (
        spoken("<i>", "") == "&lt;i&gt;" and spoken("x", '"><b>') == "x"
    )  # a language the console does not know: no mark


def test_every_text_of_the_console_has_an_english_version():
    from faqbot.staff.console.web import FIELD_LABELS, MESSAGES, NAV

    console = Path(__file__).resolve().parent.parent / "faqbot" / "staff" / "console"
    texts = {label for _, label in NAV} | {text for _, text in MESSAGES} | set(FIELD_LABELS.values())
    for template in (console / "templates").glob("*.html"):
        for tag in re.findall(r"\{\{.*?\}\}|\{%.*?%\}", template.read_text(encoding="utf-8"), re.S):
            # a text, not a name: it has a capital, a space, a Swedish letter or punctuation
            texts |= {s for s in re.findall(r'"([^"]*)"', tag) if re.search(r"[A-ZÅÄÖåäö ”.:()]", s)}
    for module in console.glob("*.py"):
        # a key written in pieces ("…" "…", as the formatter wraps it) is one key
        for pieces in re.findall(r'Text\(\s*((?:"[^"]*"\s*)+)', module.read_text(encoding="utf-8")):
            texts.add("".join(re.findall(r'"([^"]*)"', pieces)))
    texts = {text for text in texts if not text.endswith(".html")} - {"%.2f", "%.3f", ", ", " "}  # formats, separators
    assert len(texts) > 80 and sorted(texts - set(ENGLISH)) == []


def test_nothing_but_the_command_imports_the_console():
    from tests.test_layers import all_imports

    outside = [
        str(edge)
        for edge in all_imports()
        if edge.imported.startswith("faqbot.staff.console")
        and not edge.importer.startswith("faqbot.staff.console")
        and edge.importer != "faqbot.cli"
    ]
    assert outside == []


@pytest.mark.slow
def test_two_replicas_on_one_postgresql_know_the_same_staff_and_sessions(pg_url):
    one, two = StaffStore(pg_url), StaffStore(pg_url)
    one.add_user("anna", PASSWORD)
    assert "anna" in two.users()
    session = two.log_in("anna", PASSWORD)
    assert one.session(session.token).user == "anna"
    one.remove_user("anna")
    assert two.session(session.token) is None and "anna" not in two.users()


# -- versions of the FAQ file, drafts, a new entry from a helpdesk group ----------------------------


def save_answer(site, faq_id: str, answer: str, question: str):
    digest = re.search(r'name="hash" value="([^"]+)"', site.client.get(f"/fragor/{faq_id}").text).group(1)
    fields = {"question": question, "answer": answer, "alternatives": "", "csrf": site.csrf(), "hash": digest}
    return site.client.post(f"/fragor/{faq_id}", data=fields)


def version_ids(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'<h2 class="version-title">Version (\d+)', page)]


def public_bot(site) -> FaqBot:
    return FaqBot(site.folder / "faq.yaml", site.folder / "index", site.folder / "config.yaml", auto_build=False)


def test_the_history_lists_a_save_with_who_when_and_which_entry(site):
    site.login()
    assert save_answer(site, "backup", "Två gånger per natt.", "Hur ofta gör ni säkerhetskopior?").status_code == 200
    page = site.client.get("/historik")
    assert page.status_code == 200 and "Versioner av frågor och svar" in page.text
    assert version_ids(page.text) == [2, 1]  # newest first: the save, then the file as first seen
    newest = page.text.split('<li class="item">')[1]
    assert "anna" in newest and "ändrade: backup" in newest and "(gäller nu)" in newest
    assert re.search(
        r"<time datetime=\"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\">\d{4}-\d\d-\d\d \d\d:\d\d:\d\d CES?T</time>", newest
    )
    older = page.text.split('<li class="item">')[2]
    assert "filen som konsolen först såg den" in older and "ändrad i filen" not in older  # not a hand edit
    # restored from the version's own page, after its difference (found by a walk-through: one
    # click on the list rewrote the file unseen)
    assert "2 poster" in older and '<a href="/historik/1"' in older and "Jämför och återställ" in older
    assert "/aterstall" not in page.text
    shown = site.client.get("/historik/1").text
    assert "/historik/1/aterstall" in shown and "Får tillbaka sina texter från version 1: backup." in shown
    assert "tas bort ur FAQ:n" not in shown and "Kommer tillbaka" not in shown
    assert "filen som konsolen först såg den" in shown and "ändrad i filen" not in shown  # as the list says
    assert "<del>-    answer: Två gånger per natt.</del>" in shown and "<ins>+    answer: Varje natt.</ins>" in shown
    diff = re.search(r'<pre class="diff">(.*?)</pre>', shown, re.S).group(1)
    assert len(diff.splitlines()) == diff.count("<span>") + diff.count("<ins>") + diff.count("<del>")  # a line each


def test_a_hand_edit_of_the_file_shows_as_a_version_changed_in_the_file(site):
    site.login()
    site.client.get("/historik")
    faq = site.folder / "faq.yaml"
    faq.write_text(faq.read_text(encoding="utf-8").replace("Ja, med supportavtal.", "Nej."), encoding="utf-8")
    page = site.client.get("/historik").text
    assert version_ids(page) == [2, 1]
    assert "ändrad i filen: ändrade: phone" in page.split('<li class="item">')[1]


def test_a_hand_edit_the_checks_refuse_is_told_in_swedish_on_the_overview_and_the_entry_list(site):
    """Found by a walk-through: the Swedish pages quoted the check in English ("question of entry
    'phone' is empty"), and the list of entries said only "Det gick inte"."""
    site.login()
    faq = site.folder / "faq.yaml"
    faq.write_text(faq.read_text(encoding="utf-8").replace("Kan jag ringa er?", '""'), encoding="utf-8")
    overview = site.client.get("/").text
    assert re.search(r"Rätta filen: \S*faq\.yaml:\d+: frågan i posten &#39;phone&#39; saknar text", overview)
    site.desk.bot.refresh()  # the chat tried the file and kept its last good index
    assert site.desk.bot.index.problem
    # said once, under "Problem i chatten", not again among damaged files (found by a walk-through)
    assert site.client.get("/").text.count("saknar text") == 1
    listed = site.client.get("/fragor")
    assert listed.status_code == 409 and "FAQ-filen behöver rättas" in listed.text
    assert "frågan i posten &#39;phone&#39; saknar text" in listed.text and "is empty" not in listed.text
    new = site.client.get("/ny-fraga")  # before the form is filled in, not after
    assert new.status_code == 409 and "FAQ-filen behöver rättas" in new.text and 'name="question"' not in new.text
    site.client.get("/sprak?till=en&tillbaka=/fragor")  # the console in English keeps the check's own words
    assert "question of entry &#39;phone&#39; is empty" in site.client.get("/fragor").text


def test_a_restored_version_is_what_the_bot_answers_and_is_itself_a_new_version(site):
    site.login()
    faq = site.folder / "faq.yaml"
    original = faq.read_bytes()
    save_answer(site, "backup", "Två gånger per natt.", "Hur ofta gör ni säkerhetskopior?")
    assert public_bot(site).ask("Hur ofta gör ni säkerhetskopior?").answer.startswith("Två gånger per natt.")
    restored = site.client.post("/historik/1/aterstall", data={"csrf": site.csrf("/historik")})
    assert restored.status_code == 200 and "Version 1 är återställd" in restored.text
    assert faq.read_bytes() == original
    assert public_bot(site).ask("Hur ofta gör ni säkerhetskopior?").answer.startswith("Varje natt.")
    assert site.desk.bot.ask("Hur ofta gör ni säkerhetskopior?").answer.startswith("Varje natt.")
    page = site.client.get("/historik").text
    assert version_ids(page) == [3, 2, 1]
    newest = page.split('<li class="item">')[1]
    assert "anna" in newest and "återställde version 1: ändrade: backup" in newest
    again = site.client.post("/historik/1/aterstall", data={"csrf": site.csrf("/historik")})  # a stale tab
    assert "Filen är redan likadan som version 1; inget ändrades." in again.text and "är återställd" not in again.text
    assert version_ids(again.text) == [3, 2, 1] and faq.read_bytes() == original
    first = again.text.split('<li class="item">')[3]  # version 1: the same text, no longer the one in force
    assert "(gäller nu)" not in first and "(samma text som version 3)" in first and "/historik/1" not in first
    assert again.text.count("(gäller nu)") == 1


def test_an_entry_removed_in_the_console_is_no_longer_answered_and_a_restore_brings_it_back(site):
    """A walk-through's staff could remove an entry only by restoring an older version, which also
    undid everyone's later changes."""
    site.login()
    faq = site.folder / "faq.yaml"
    original = faq.read_bytes()
    page = site.client.get("/fragor/phone").text
    assert 'action="/fragor/phone/ta-bort"' in page
    fields = {"csrf": site.csrf(), "hash": form_hash(site, "phone")}
    unsure = site.client.post("/fragor/phone/ta-bort", data=fields)  # the box not ticked
    assert unsure.status_code == 400 and "Kryssa i rutan för att ta bort posten; inget togs bort." in unsure.text
    save_answer(site, "phone", "Ja, vardagar 9-16.", "Kan jag ringa er?")  # a colleague, since the page was opened
    changed = site.client.post("/fragor/phone/ta-bort", data={**fields, "sure": "1"})
    assert changed.status_code == 409 and "Posten har ändrats sedan du öppnade sidan" in changed.text
    assert "Ja, vardagar 9-16." in changed.text and "phone" in load_faq(faq).by_id
    fields = {"csrf": site.csrf(), "hash": form_hash(site, "phone"), "sure": "1"}
    done = site.client.post("/fragor/phone/ta-bort", data=fields)
    assert done.status_code == 200 and 'Posten ”<span lang="sv">Kan jag ringa er?</span>” är borttagen.' in done.text
    assert "phone" not in load_faq(faq).by_id and "/fragor/phone" not in done.text
    reply = public_bot(site).ask("Kan jag ringa er?")
    assert reply.match is None or reply.match.faq_id != "phone"
    last = load_faq(faq).entries  # the only entry left is refused: the FAQ needs one
    assert [e.id for e in last] == ["backup"]
    only = site.client.post("/fragor/backup/ta-bort", data={"csrf": site.csrf(), "hash": form_hash(site), "sure": "1"})
    assert only.status_code == 400 and "är FAQ:ns enda post" in only.text and "backup" in load_faq(faq).by_id
    versions = site.client.get("/historik").text
    newest = versions.split('<li class="item">')[1]
    assert "anna" in newest and "phone" in newest
    restored = site.client.post("/historik/2/aterstall", data={"csrf": site.csrf("/historik")})
    assert restored.status_code == 200 and load_faq(faq).by_id["phone"].answer == "Ja, vardagar 9-16."
    assert public_bot(site).ask("Kan jag ringa er?").match.faq_id == "phone"
    assert original != faq.read_bytes()  # the colleague's answer came back with it


@pytest.mark.parametrize("broken_by_hand", [False, True])
def test_phrasings_accepted_since_a_restored_version_are_proposed_again_not_lost(site, broken_by_hand):
    """Restoring a version from before an accept removes the phrasing from the FAQ; its acceptance
    must not keep it off the review list for ever (it would be lost without a word). Also when a
    hand edit had broken the file before the restore (found by a walk-through: the phrasing was
    neither in the FAQ nor proposed again)."""
    question = "Sparar ni filerna någonstans?"
    with ConversationLog(site.folder / "log.db") as log:
        log.record(LogRow("r1", question, "sv", "choices", False, None, "phone", 0.2, 0.3, "v1", ("phone", "backup")))
        log.record(LogRow("r2", question, "sv", "answer", True, "backup", None, 0.2, 0.3, "v1", (), "r1"))
    site.login()
    site.client.get("/historik")  # version 1: the file before the accept
    page = site.client.get("/granska").text
    suggestion = re.search(r'name="action" value="accept">\s*<input type="hidden" name="id" value="([^"]+)"', page)
    site.client.post("/granska", data={"action": "accept", "id": suggestion.group(1), "csrf": site.csrf()})
    assert load_faq(site.folder / "faq.yaml").by_id["backup"].learned == (question,)
    assert said(question) not in site.client.get("/granska").text
    if broken_by_hand:
        faq = site.folder / "faq.yaml"
        faq.write_text(faq.read_text(encoding="utf-8").replace("Kan jag ringa er?", '""'), encoding="utf-8")
        assert "klarar inte FAQ-kontrollerna" in site.client.get("/historik").text
    restored = site.client.post("/historik/1/aterstall", data={"csrf": site.csrf("/historik")}).text
    assert load_faq(site.folder / "faq.yaml").by_id["backup"].learned == ()
    assert (
        "En kundfråga som togs om hand sedan dess (godkänd som formulering eller gjord till en post) finns inte i version 1; den står under Att granska igen"
        in restored
    )
    again = site.client.get("/granska").text
    assert said(question) in again and suggestion.group(1) in again
    with ConversationLog(site.folder / "log.db") as log:
        assert suggestion.group(1) not in log.decisions()


def test_a_restore_from_before_a_question_was_marked_off_topic_lists_it_again(site):
    """Restoring a version from before "Handlar om annat" takes the question off the list, so
    its 👎 must be under review again, as "Ta bort" does, and the page says so."""
    site.login()
    site.client.get("/historik")  # version 1: the file before the mark
    page = thumbs_down_on(site, "w3", "Vad kostar en ny bil?")
    other = re.search(r'name="id" value="([^"]+)">\s*<input type="hidden" name="skal" value="annat">', page)
    site.client.post("/granska", data={"action": "reject", "id": other.group(1), "skal": "annat", "csrf": site.csrf()})
    assert load_faq(site.folder / "faq.yaml").off_topic == ("Vad kostar en ny bil?",)
    compared = site.client.get("/historik/1").text  # what the restore does, before it is done
    assert (
        f"Markeras inte längre som en fråga om annat (boten kan svara på den igen): {said('Vad kostar en ny bil?')}."
        in compared
    )
    restored = site.client.post("/historik/1/aterstall", data={"csrf": site.csrf("/historik")}).text
    assert load_faq(site.folder / "faq.yaml").off_topic == ()
    assert (
        f"Markerade sedan dess som frågor om annat, inte i version 1: {said('Vad kostar en ny bil?')}. Boten kan "
        "svara på dem igen, och kundfrågorna som markerades med dem står under Att granska igen." in restored
    )
    back = site.client.get("/historik").text
    newest = version_ids(back)[0]
    again = site.client.get(f"/historik/{newest - 1}").text  # the version with the mark, from the file now
    assert (
        f"Markeras som en fråga om annat igen (boten skickar den, och frågor som liknar den mer än någon post, till helpdesk): {said('Vad kostar en ny bil?')}."
        in again
    )
    assert 'value="w3"' in site.client.get("/granska").text
    marked_again = site.client.post(f"/historik/{newest - 1}/aterstall", data={"csrf": site.csrf("/historik")}).text
    assert (
        f"Markerade som frågor om annat i version {newest - 1}, och nu igen: {said('Vad kostar en ny bil?')}."
        in marked_again
    )
    # marked again, its 👎 is off the review list again, as after the mark (a walk-through's restore
    # brought the mark back into the file, and the question stayed under review)
    assert 'value="w3"' not in site.client.get("/granska").text


def test_a_restore_keeps_staffs_rejections_and_says_nothing_of_phrasings_it_keeps(site):
    rejected = "Finns det en reservkopia?"
    with ConversationLog(site.folder / "log.db") as log:
        log.record_decision(learn.suggestion_id(learn.ALTERNATIVE, "backup", rejected), "rejected", "backup", rejected)
    site.login()
    site.client.get("/historik")
    save_answer(site, "backup", "Två gånger per natt.", "Hur ofta gör ni säkerhetskopior?")
    restored = site.client.post("/historik/1/aterstall", data={"csrf": site.csrf("/historik")}).text
    assert "Version 1 är återställd" in restored and "som boten lärt sig" not in restored
    with ConversationLog(site.folder / "log.db") as log:
        assert learn.suggestion_id(learn.ALTERNATIVE, "backup", rejected) in log.decisions()


def test_a_restore_without_its_csrf_token_is_refused_and_changes_nothing(site):
    site.login()
    save_answer(site, "backup", "Två gånger per natt.", "Hur ofta gör ni säkerhetskopior?")
    faq = site.folder / "faq.yaml"
    before = faq.read_bytes()
    for data in ({"version": "1"}, {"csrf": "another-sessions-token"}):
        response = site.client.post("/historik/1/aterstall", data=data)
        assert response.status_code == 403 and "öppnades före din senaste inloggning" in response.text
    assert faq.read_bytes() == before
    assert version_ids(site.client.get("/historik").text) == [2, 1]


def test_a_version_that_no_longer_passes_the_checks_is_not_restored(site):
    site.login()
    site.client.get("/historik")  # version 1: the file as the console first saw it
    faq = site.folder / "faq.yaml"
    faq.write_text(faq.read_text(encoding="utf-8").replace("answer: Varje natt.", "answer:"), encoding="utf-8")
    assert "filen klarar inte FAQ-kontrollerna" in site.client.get("/historik").text  # version 2, by hand
    faq.write_text(faq.read_text(encoding="utf-8").replace("answer:\n", "answer: Varje timme.\n"), encoding="utf-8")
    fixed = faq.read_bytes()
    response = site.client.post("/historik/2/aterstall", data={"csrf": site.csrf("/historik")})
    assert response.status_code == 400
    assert "Version 2 återställdes inte: den klarar inte FAQ-kontrollerna" in response.text
    assert "svaret i posten &#39;backup&#39; saknar text" in response.text  # the check's message, in Swedish
    assert faq.read_bytes() == fixed
    # its page says so up front and offers no restore (found by a walk-through: it offered one)
    shown = site.client.get("/historik/2").text
    assert "Version 2 klarar inte FAQ-kontrollerna och kan inte återställas: " in shown
    assert "saknar text" in shown and "/historik/2/aterstall" not in shown
    assert "/historik/1/aterstall" in site.client.get("/historik/1").text  # a good one still is


def test_versions_beyond_the_bound_are_forgotten_oldest_first(small, monkeypatch):
    from faqbot.staff.console import history

    monkeypatch.setattr(history, "KEEP_VERSIONS", 3)
    kept = history.FaqHistory(small / "log.db")
    for n in range(5):
        kept.record(f"text {n}", "anna", f"ändring {n}")
    assert [v.what for v in kept.versions()] == ["ändring 4", "ändring 3", "ändring 2"]
    assert kept.version(1) is None and kept.version(5).content == "text 4"
    kept.close()


def test_replicas_on_one_postgresql_share_the_versions(pg_url):
    from faqbot.staff.console.history import FaqHistory

    one, two = FaqHistory(pg_url), FaqHistory(pg_url)
    saved = one.record("helpdesk: a@b.se\n", "anna", "ändrade: backup")
    assert [(v.id, v.author, v.what) for v in two.versions()] == [(saved.id, "anna", "ändrade: backup")]
    assert two.version(saved.id).content == "helpdesk: a@b.se\n" and two.latest().faq_hash == saved.faq_hash
    assert two.with_hash(saved.faq_hash).id == saved.id and two.with_hash("0" * 64) is None  # a form's base


def test_trying_a_draft_answers_with_the_draft_and_saves_nothing(site):
    site.login()
    faq = site.folder / "faq.yaml"
    before = faq.read_bytes()
    digest = re.search(r'name="hash" value="([^"]+)"', site.client.get("/fragor/backup").text).group(1)
    draft = {
        "question": "Hur ofta gör ni säkerhetskopior?",
        "answer": "Två gånger per natt, och en kopia i en annan stad.",
        "alternatives": "Tar ni backup på min webbplats?",
        "prova_fraga": "Tar ni backup på min webbplats?",
        "csrf": site.csrf(),
        "hash": digest,
    }
    page = site.client.post("/fragor/backup/prova", data=draft)
    assert page.status_code == 200 and "Så svarar boten med utkastet" in page.text
    answer = re.search(r'<pre class="wrap" id="draft-answer">([^<]*)</pre>', page.text).group(1)
    assert answer.startswith("Två gånger per natt, och en kopia i en annan stad.")
    assert (
        "nya texter i utkastet; resten kände den redan" in page.text
        and "Tar ni backup på min webbplats?</textarea>" in page.text
    )
    assert faq.read_bytes() == before
    assert "Två gånger" not in site.desk.bot.ask("Hur ofta gör ni säkerhetskopior?").answer
    assert version_ids(site.client.get("/historik").text) == [1]  # no version: nothing was saved
    # a GET of the entry's page shows the tried draft (post, redirect, get): the browser's Back
    # to it, found by a walk-through, had asked to send the form again
    assert page.history[0].status_code == 303 and page.url.path == "/fragor/backup"
    again = site.client.get(str(page.url))
    assert again.status_code == 200 and again.text == page.text
    assert "Två gånger per natt" not in site.client.get("/fragor/backup").text  # the page itself: the file's
    unchanged = {**draft, "answer": "Varje natt.", "alternatives": "", "csrf": site.csrf()}  # the entry as it is
    tried = site.client.post("/fragor/backup/prova", data=unchanged).text
    assert "Utkastet har inga nya texter: boten kände dem redan." in tried and "0 nya texter" not in tried


def test_a_draft_that_would_not_save_is_not_tried_and_trying_is_rate_limited(site):
    site.login()
    digest = re.search(r'name="hash" value="([^"]+)"', site.client.get("/fragor/backup").text).group(1)
    bad = {"question": "Kan jag ringa er?", "answer": "", "prova_fraga": "Kan jag ringa?", "hash": digest}
    page = site.client.post("/fragor/backup/prova", data={**bad, "csrf": site.csrf()})
    assert page.status_code == 400 and "Utkastet går inte att prova" in page.text and "får inte vara tomt" in page.text
    assert page.text.count("autofocus") == 1 and 'id="draft-result" role="status" tabindex="-1" autofocus' in page.text
    # said once, in the try's own section (a walk-through found a second, near-identical message)
    assert page.text.count('class="error"') == 1 and "sparades inte" not in page.text  # nothing was being saved
    good = {**bad, "question": "Hur ofta gör ni säkerhetskopior?", "answer": "Ofta.", "csrf": site.csrf()}
    statuses = [site.client.post("/fragor/backup/prova", data=good).status_code for _ in range(13)]
    assert statuses[:11] == [200] * 11 and statuses[-1] == 429  # the first try above counted too


def test_every_question_a_helpdesk_group_shows_can_be_linked_the_fourth_and_later_under_a_disclosure(site):
    questions = [f"Har ni en kontorshund nummer {n}?" for n in range(5)]
    with ConversationLog(site.folder / "log.db") as log:
        for n, question in enumerate(questions):
            log.record(LogRow(f"r{n}", question, "sv", "helpdesk", False, None, "phone", 0.1, 0.3, "v1"))
    site.login()
    review = site.client.get("/granska").text
    shown = set(re.findall(r'name="reply_id" value="(r\d)"', review))
    assert shown == {f"r{n}" for n in range(5)}
    hidden = review.split("<details>")[1].split("</details>")[0]
    assert "2 frågor till i gruppen" in hidden and len(re.findall('name="action" value="assign"', hidden)) == 2
    assert "och 4 liknande frågor (5 gånger i allt)</h3>" in review  # five questions, not one asked five times
    linked = site.client.post(
        "/granska",
        data={"action": "assign", "reply_id": sorted(shown)[-1], "faq_id": "backup", "csrf": site.csrf("/granska")},
    )
    assert linked.status_code == 200 and ADDED_TO_BACKUP in linked.text


def test_the_entries_to_link_a_question_to_name_their_section(site):
    """Real FAQs ask "Kostar det något?" in several sections: the list tells them apart."""
    faq = site.folder / "faq.yaml"
    faq.write_text(faq.read_text(encoding="utf-8").replace("  - id: backup\n", "  - id: backup\n    section: Drift\n"))
    with ConversationLog(site.folder / "log.db") as log:
        log.record(LogRow("h1", "Har ni en kontorshund?", "sv", "helpdesk", False, None, "phone", 0.1, 0.3, "v1"))
    site.login()
    review = site.client.get("/granska").text
    assert '<option value="backup" lang="sv">Hur ofta gör ni säkerhetskopior? (Drift)</option>' in review
    assert '<option value="phone" lang="sv">Kan jag ringa er?</option>' in review
    # the entry the bot ranked nearest comes first (a walk-through scrolled 104 entries for it), chosen by nobody
    [nearest] = [s.evidence["nearest"]["faq_id"] for s in site.desk.review().suggestions if s.action == "new_entry"]
    select = re.search(r'<select id="assign-1-1".*?</select>', review, re.S).group(0)
    assert re.search(
        rf'<option value="" selected>Välj posten</option>\s*<optgroup label="Närmast frågan"><option value="{nearest}"'
        r'[^>]*>[^<]*</option></optgroup><optgroup label="Alla poster"><option value="backup"',
        select,
    )
    assert select.count("selected") == 1 and select.count('value="phone"') == 1 + (nearest == "phone")


def test_rejecting_a_helpdesk_group_says_how_many_questions_went_with_it(site):
    with ConversationLog(site.folder / "log.db") as log:
        for n in range(4):
            log.record(
                LogRow(
                    f"r{n}",
                    f"Har ni en kontorshund nummer {n}?",
                    "sv",
                    "helpdesk",
                    False,
                    None,
                    "phone",
                    0.1,
                    0.3,
                    "v1",
                )
            )
    site.login()
    review = site.client.get("/granska").text
    group = re.search(r'name="action" value="reject">\s*<input type="hidden" name="id" value="(n\w+)"', review)
    rejected = site.client.post("/granska", data={"action": "reject", "id": group.group(1), "csrf": site.csrf()})
    assert "Dess 4 frågor föreslås inte igen" in rejected.text  # some were under the disclosure
    assert "kontorshund" not in rejected.text.split("Frågor som gick till helpdesk")[1]


def test_a_new_entry_from_a_group_asked_in_english_prefills_the_english_question_not_the_swedish(site):
    with ConversationLog(site.folder / "log.db") as log:
        for n in range(3):
            log.record(
                LogRow(f"r{n}", "Do you have an office dog?", "en", "helpdesk", False, None, "phone", 0.1, 0.3, "v1")
            )
    site.login()
    link = re.search(r'href="(/ny-fraga\?grupp=[^"]+)"', site.client.get("/granska").text).group(1)
    form = site.client.get(link.replace("&amp;", "&")).text
    assert re.search(r'name="question_en"[^>]*value="Do you have an office dog\?"', form)
    assert not re.search(r'name="question"[^>]*value="[^"]', form)  # the Swedish question is staff's to write
    assert "Gruppens frågor är ställda på engelska. Skriv frågan på svenska i fältet Fråga." in form


def test_a_group_asked_in_both_languages_prefills_the_swedish_question_and_keeps_english_as_alternatives():
    examples = [
        {"question": "Do you sell books?", "language": "en"},
        {"question": "Har ni böcker med punktskrift?", "language": "sv"},
        {"question": "Can I buy a book?", "language": "en"},
    ]
    assert prefilled(examples) == {
        "question": "Har ni böcker med punktskrift?",
        "question_en": "",  # not claimed to be the Swedish question's translation
        "alternatives": "Do you sell books?\nCan I buy a book?",
    }
    english_only = prefilled([examples[0], examples[2]])
    assert english_only == {"question": "", "question_en": "Do you sell books?", "alternatives": "Can I buy a book?"}


def test_helpdesk_groups_about_other_things_are_marked_and_rejected_in_one_step(site):
    off_topic = ["Blir det sol på midsommarafton?", "Hur länge ska man marinera kyckling?", "Vem vinner SHL i år?"]
    with ConversationLog(site.folder / "log.db") as log:
        for n, question in enumerate([*off_topic, "Har ni parkering vid kontoret?"]):
            log.record(LogRow(f"h{n}", question, "sv", "helpdesk", False, None, None, 0.1, 0.3, "v1"))
    site.login()
    faq = (site.folder / "faq.yaml").read_bytes()
    page = site.client.get("/granska").text
    marks = dict(re.findall(r'<h3 id="(g-\d+)">”<span lang="sv">([^<]+)</span>”', page))
    boxes = dict(re.findall(r'name="id-([^"]+)" form="reject-marked" aria-describedby="(g-\d+)"', page))
    assert len(boxes) == 4 and 'id="reject-marked"' in page and "Avvisa markerade grupper" in page
    chosen = {f"id-{group}": "on" for group, heading in boxes.items() if marks[heading] in off_topic}
    done = site.client.post("/granska", data={"action": "reject_marked", **chosen, "csrf": site.csrf()})
    assert done.status_code == 200 and "utfall=" in str(done.url)
    outcome = done.text.split('role="status"')[1].split("</div>")[0]
    assert all(q in outcome for q in off_topic) and "parkering" not in outcome
    after = site.client.get("/granska").text
    assert all(q not in after for q in off_topic) and "Har ni parkering vid kontoret?" in after
    assert (site.folder / "faq.yaml").read_bytes() == faq  # a rejection writes nothing to the FAQ
    nothing = site.client.post("/granska", data={"action": "reject_marked", "csrf": site.csrf()})
    assert nothing.status_code == 400 and "Markera minst en grupp att avvisa." in nothing.text


def test_one_question_of_a_helpdesk_group_is_rejected_and_the_rest_of_the_group_stays(site):
    with ConversationLog(site.folder / "log.db") as log:
        for n in range(1, 4):
            log.record(
                LogRow(
                    f"k{n}", f"Har ni en kontorshund nummer {n}?", "sv", "helpdesk", False, None, None, 0.1, 0.3, "v1"
                )
            )
    site.login()
    page = site.client.get("/granska").text
    assert page.count("Avvisa bara den här frågan") == 3  # one group of three
    assert ">Avvisa gruppen<" in page and ">Skapa en ny post av gruppen<" in page  # a group, named so
    form = {"action": "reject_question", "reply_id": "k2", "csrf": site.csrf()}
    done = site.client.post("/granska", data=form)
    outcome = done.text.split('role="status"')[1].split("</div>")[0]
    assert done.status_code == 200 and said("Har ni en kontorshund nummer 2?") in outcome
    after = done.text.split('role="status"')[1].split("</div>", 1)[1]
    assert "nummer 2" not in after and "nummer 1" in after and "nummer 3" in after  # the rest stays
    again = site.client.post("/granska", data={**form, "csrf": site.csrf()})
    assert again.status_code == 409 and "Frågan finns inte längre på listan." in again.text


def test_a_new_entry_names_the_customers_questions_without_an_answer_it_now_answers(site):
    """Found by a walk-through: a new entry answered a listed helpdesk question (wrongly), which
    left Att granska without a word."""
    with ConversationLog(site.folder / "log.db") as log:
        log.record(LogRow("h1", "har ni en kontorshund", "sv", "helpdesk", False, None, "phone", 0.1, 0.3, "v1"))
        log.record(LogRow("h2", "Säljer ni tandkräm?", "sv", "helpdesk", False, None, "phone", 0.1, 0.3, "v1"))
        choices = ("phone", "backup")
        log.record(
            LogRow("c1", "Har ni en kontorshund?", "sv", "choices", False, None, "phone", 0.5, 0.3, "v1", choices)
        )
        log.record(LogRow("a1", "Kan jag ringa er?", "sv", "answer", True, "phone", None, 0.9, 0.3, "v1"))
    site.login()
    new = {"question": "Har ni en kontorshund?", "answer": "Ja, hon heter Sigrid.", "alternatives": "", "section": ""}
    created = site.client.post("/ny-fraga", data={**new, "csrf": site.csrf()}).text
    took = created.split("Posten svarar nu också på de här frågorna från kunder")[1].split("</ul>")[0]
    assert '<li><span lang="sv">Har ni en kontorshund?</span></li>' in took  # the newest spelling of the question
    assert "tandkräm" not in took and "Kan jag ringa er?" not in took  # not answered with it, or answered before
    saved = save_answer(site, "backup", "Varje natt.", "Hur ofta gör ni säkerhetskopior?").text
    assert "Posten svarar nu också" not in saved  # it took over nothing


def test_a_new_entry_from_a_helpdesk_group_is_answered_and_the_group_is_handled(site):
    question = "Har ni en kontorshund?"
    with ConversationLog(site.folder / "log.db") as log:
        for n in range(3):
            log.record(LogRow(f"r{n}", question, "sv", "helpdesk", False, None, "phone", 0.1, 0.3, "v1"))
    site.login()
    review = site.client.get("/granska").text
    link = re.search(r'href="(/ny-fraga\?grupp=[^"]+)"', review).group(1)
    form = site.client.get(link.replace("&amp;", "&")).text
    assert f'value="{question}"' in form and 'name="grupp"' in form and "Skapa posten" in form
    assert '<a href="/granska">Tillbaka till Att granska</a>' in form  # back where the group was
    assert "Tillbaka till alla frågor" in site.client.get("/fragor/backup").text
    group = re.search(r'name="grupp" value="([^"]+)"', form).group(1)
    fields = {"question": question, "answer": "Ja, hon heter Sigrid.", "alternatives": "", "grupp": group}
    created = site.client.post("/ny-fraga", data={**fields, "csrf": site.csrf()})
    assert created.status_code == 200 and "Posten är skapad" in created.text and "har-ni-en-kontorshund" in created.text
    assert (
        'formaction="/fragor/har-ni-en-kontorshund/sprak?till=en' in created.text
    )  # the switch stays on the new entry
    entry = load_faq(site.folder / "faq.yaml").by_id["har-ni-en-kontorshund"]
    assert entry.question == question and entry.answer == "Ja, hon heter Sigrid."
    reply = public_bot(site).ask(question)
    assert reply.kind.value == "answer" and reply.match.faq_id == "har-ni-en-kontorshund"
    assert "/ny-fraga?grupp=" not in site.client.get("/granska").text
    faq = (site.folder / "faq.yaml").read_bytes()
    again = site.client.post("/ny-fraga", data={**fields, "csrf": site.csrf()})  # a reload after Skapa posten
    assert again.status_code == 200 and "Posten finns redan precis så, med id har-ni-en-kontorshund" in again.text
    other = site.client.post("/ny-fraga", data={**fields, "answer": "Nej.", "csrf": site.csrf()})
    assert other.status_code == 400 and "finns redan i posten" in other.text  # one question, one entry
    assert (site.folder / "faq.yaml").read_bytes() == faq
    assert "anna" in site.client.get("/historik").text.split('<li class="item">')[1]


def test_a_question_staff_take_out_of_a_groups_new_entry_stays_on_the_list(site):
    """Found by a walk-through: "Badar ni hundar också?", deleted from the alternatives of a new
    entry made from its group, vanished from Att granska and `faqbot learn` for good."""
    questions = ["Har ni en kontorshund?", "Får man klappa er kontorshund?"]
    with ConversationLog(site.folder / "log.db") as log:
        for n, question in enumerate(questions * 2):
            log.record(LogRow(f"r{n}", question, "sv", "helpdesk", False, None, "phone", 0.1, 0.3, "v1"))
    site.login()
    link = re.search(r'href="(/ny-fraga\?grupp=[^"]+)"', site.client.get("/granska").text).group(1)
    form = site.client.get(link.replace("&amp;", "&")).text
    assert f">{questions[1]}</textarea>" in form  # offered as another way to ask
    group = re.search(r'name="grupp" value="([^"]+)"', form).group(1)
    fields = {"question": questions[0], "answer": "Ja, hon heter Sigrid.", "alternatives": "", "grupp": group}
    assert "Posten är skapad" in site.client.post("/ny-fraga", data={**fields, "csrf": site.csrf()}).text
    # handled: the question the entry took; the other is listed again whenever the bot does not answer it
    decided = site.desk.log.decisions()
    assert teach.suggestion_id("new_entry", None, questions[0]) in decided
    assert teach.suggestion_id("new_entry", None, questions[1]) not in decided


def test_a_restore_that_removes_an_entry_made_from_a_helpdesk_group_lists_the_group_again(site):
    """The group's questions stayed "decided" when the entry left with a restored version: they
    never came back to Att granska, and the chat sent them to the helpdesk again."""
    questions = ["Har ni en kontorshund?", "Får man klappa er kontorshund?"]
    with ConversationLog(site.folder / "log.db") as log:
        for n, question in enumerate(questions * 2):
            log.record(LogRow(f"r{n}", question, "sv", "helpdesk", False, None, "phone", 0.1, 0.3, "v1"))
    site.login()
    site.client.get("/historik")  # version 1: the file before the new entry
    link = re.search(r'href="(/ny-fraga\?grupp=[^"]+)"', site.client.get("/granska").text).group(1)
    group = re.search(r'name="grupp" value="([^"]+)"', site.client.get(link.replace("&amp;", "&")).text).group(1)
    fields = {"question": questions[0], "answer": "Ja, hon heter Sigrid.", "alternatives": questions[1], "grupp": group}
    assert "Posten är skapad" in site.client.post("/ny-fraga", data={**fields, "csrf": site.csrf()}).text
    assert "/ny-fraga?grupp=" not in site.client.get("/granska").text
    restored = site.client.post("/historik/1/aterstall", data={"csrf": site.csrf("/historik")}).text
    assert "har-ni-en-kontorshund" not in load_faq(site.folder / "faq.yaml").by_id
    assert (
        "2 kundfrågor som togs om hand sedan dess (godkända som formuleringar eller gjorda till poster) finns inte i version 1; de står under Att granska igen"
        in restored
    )
    again = site.client.get("/granska").text
    assert (
        "/ny-fraga?grupp=" in again and '”<span lang="sv">Har ni en kontorshund?</span>” och 1 liknande fråga' in again
    )
    assert 'lang="sv">Får man klappa er kontorshund?</span>” besvaras av' in again


def test_staff_read_times_in_swedish_time_with_its_zone():
    """Every time was shown in UTC: a save at 00:49 in Sweden read 23:49, the day before."""
    assert clock("2026-12-04T23:49:00+00:00") == "2026-12-05 00:49 CET"
    assert clock("2026-07-01T10:00:00") == "2026-07-01 12:00 CEST"  # no zone: UTC, as faqbot writes times
    assert clock("igår") == "igår"


def test_today_on_the_overview_is_the_swedish_day(site):
    """Forty minutes after midnight in Sweden (22:40 or 23:40 UTC, the day before in UTC), a
    question asked 30 minutes after that midnight is today's, and one asked 30 minutes before it
    is not: "I dag" began at UTC midnight."""
    midnight = datetime.now(UTC).astimezone(staff_zone()).replace(hour=0, minute=0, second=0, microsecond=0)
    for n, at in enumerate((midnight - timedelta(minutes=30), midnight + timedelta(minutes=30))):
        with ConversationLog(site.folder / "log.db", clock=lambda at=at: at.astimezone(UTC)) as log:
            log.record(LogRow(f"r{n}", "Kan jag ringa?", "sv", "answer", True, "phone", None, 0.8, 0.3, "v1"))
    overview = site.desk.overview(now=(midnight + timedelta(minutes=40)).astimezone(UTC))
    assert (overview.today.questions, overview.week.questions) == (1, 2)
    # the chart's last bar is the same Swedish day, with the same one question
    bars = last_days(site.desk.log.questions(), (midnight + timedelta(minutes=40)).astimezone(UTC))
    assert [(p.start, p.questions) for p in bars[-2:]] == [
        ((midnight - timedelta(days=1)).date().isoformat(), 1),
        (midnight.date().isoformat(), 1),
    ]


def test_the_helpdesk_groups_come_a_page_at_a_time_and_a_decision_returns_to_its_page(site, monkeypatch):
    """A flood of made-up helpdesk questions made hundreds of groups on one page (930 KB)."""
    monkeypatch.setattr(console_app, "GROUPS_LISTED", 2)
    questions = [
        "Har ni parkering vid kontoret?",
        "Säljer ni glass på sommaren?",
        "Vem vann fotbollsmatchen i går?",
        "Vad äter katter helst?",
        "Blir det regn i Umeå i morgon?",
    ]
    with ConversationLog(site.folder / "log.db") as log:
        for n, question in enumerate(questions):
            log.record(LogRow(f"h{n}", question, "sv", "helpdesk", False, None, None, 0.1, 0.3, "v1"))
    site.login()
    first = site.client.get("/granska").text
    groups = int(re.search(r"Frågor som gick till helpdesk \((\d+)\)", first).group(1))
    assert groups == 5 and "Grupp 1–2 av 5 (sida 1 av 3)" in first
    assert first.count('name="action" value="assign"') == 2 and 'href="/granska?sida=2#helpdesk" rel="next"' in first
    assert 'rel="prev"' not in first
    second = site.client.get("/granska?sida=2").text
    assert "Grupp 3–4 av 5 (sida 2 av 3)" in second and 'id="g-3"' in second and 'id="g-1"' not in second
    assert 'action="/granska?sida=2"' in second
    assert 'href="/granska#helpdesk" rel="prev"' in second  # the first page by its own address, as the menu names it
    for nonsense in ("99", "0", "-1", "x" * 5000, "2abc"):
        page = site.client.get("/granska", params={"sida": nonsense}).text
        assert ("sida 3 av 3" if nonsense == "99" else "sida 1 av 3") in page
    shown = re.findall(r'name="action" value="reject">\s*<input type="hidden" name="id" value="([^"]+)"', second)
    rejected = site.client.post(
        "/granska?sida=2", data={"action": "reject", "id": shown[0], "csrf": site.csrf()}, follow_redirects=False
    )
    assert rejected.status_code == 303 and rejected.headers["location"].endswith("&sida=2")
    after = site.client.get(rejected.headers["location"]).text
    assert "Avvisat:" in after and "Grupp 3–4 av 4 (sida 2 av 2)" in after
    switch(site, "en", "/granska")
    assert "Groups 1–2 of 4 (page 1 of 2)" in site.client.get("/granska").text


def test_the_review_page_says_how_far_its_suggestions_are_while_a_flood_is_read(site, monkeypatch):
    """Thousands of new made-up questions take minutes to embed the first time: the page said
    nothing and waited (40 minutes in the attack); now it says how far the reading is, and the
    reading goes on in the background for the next visit."""
    monkeypatch.setattr(console_app, "READY_SECONDS", 0.2)
    question = "Har ni parkering vid kontoret?"
    with ConversationLog(site.folder / "log.db") as log:
        log.record(LogRow("h1", question, "sv", "helpdesk", False, None, None, 0.1, 0.3, "v1"))
    reading, release = threading.Event(), threading.Event()
    real = learn.lesson_of

    def slow(bot, rows, faq, decided, progress):
        progress(64, 3000)
        reading.set()
        release.wait(30)
        return real(bot, rows, faq, decided, progress)

    monkeypatch.setattr(learn, "lesson_of", slow)
    site.login()
    try:
        page = site.client.get("/granska?sida=2")
        assert page.status_code == 200 and reading.is_set()
        assert "Förslagen förbereds" in page.text and "64 av 3000 frågor ur loggen är lästa." in page.text
        assert 'href="/granska?sida=2">Visa sidan igen<' in page.text and question not in page.text
    finally:
        release.set()
    assert said(question) in site.client.get("/granska").text


def test_switching_language_on_a_form_never_sent_keeps_what_was_typed(site):
    """The switch was a link: what was typed into an entry's form (or a new entry's) and not yet
    sent was gone in the other language. It now sends the form, to be shown again; a save's word
    on the page is said again, and a session that ended keeps it for after the login."""
    site.login()
    saved = site.client.post(
        "/fragor/backup",
        data={
            "question": "Hur ofta gör ni säkerhetskopior?",
            "answer": "Två gånger per natt.",
            "hash": form_hash(site),
            "csrf": site.csrf(),
        },
    )
    assert "Sparat" in saved.text
    typed = {**entry_form(saved.text), "answer": "Tre gånger per natt."}  # typed after the save, not sent
    button = re.search(r'formaction="(/fragor/backup/sprak\?till=en&amp;utfall=[^"]+)"', saved.text).group(1)
    english = site.client.post(html.unescape(button), data=typed)
    assert (
        english.status_code == 200
        and 'lang="en"' in english.text
        and ">Tre gånger per natt.</textarea>" in english.text
    )
    assert "Saved" not in english.text  # not said over text typed after the save
    # a zero-width space pasted in: taken out and said so, with no word of a save that never was
    pasted = site.client.post(html.unescape(button), data={**typed, "alternatives": "Tar ni\u200b backup?"})
    assert pasted.status_code == 400 and ">Tar ni backup?</textarea>" in pasted.text
    assert "Nothing has been saved: see the messages by the fields." in pasted.text
    assert "was not saved" not in pasted.text
    as_saved = site.client.post(html.unescape(button), data=entry_form(saved.text))
    assert "Saved" in as_saved.text  # the save's word, in English, over the text it saved
    assert "Tre gånger per natt." not in (site.folder / "faq.yaml").read_text(encoding="utf-8")
    new = site.client.get("/ny-fraga").text
    fields = {**entry_form(new), "question": "Har ni presentkort?", "answer": "Ja, i receptionen."}
    swedish = site.client.post("/ny-fraga/sprak?till=sv", data=fields)
    assert (
        'lang="sv"' in swedish.text and 'value="Har ni presentkort?"' in swedish.text and "Skapa posten" in swedish.text
    )
    pasted = site.client.post("/ny-fraga/sprak?till=sv", data={**fields, "answer": "Ja,\u2060 i receptionen."})
    assert ">Ja, i receptionen.</textarea>" in pasted.text and "Inget är sparat: se meddelandena" in pasted.text
    assert "Posten skapades inte" not in pasted.text
    # an entry removed meanwhile: the draft offered as a new entry, as a save does; a made-up one is not there
    typed["hash"] = form_hash(site, "phone")
    remove_entry(site.folder / "faq.yaml", "phone")
    gone = site.client.post("/fragor/phone/sprak?till=en", data=typed)
    assert (
        gone.status_code == 409 and "Someone removed the entry phone" in gone.text and 'action="/ny-fraga"' in gone.text
    )
    assert site.client.post("/fragor/finns-inte/sprak?till=en", data=typed).status_code == 404
    ended = fields["csrf"]
    site.client.post("/logout", data={"csrf": ended})
    sent = site.client.post("/ny-fraga/sprak?till=en", data=fields, follow_redirects=False)
    assert sent.headers["location"] == "/login?sida=%2Fny-fraga&utloggad=1"  # kept for after the login
    site.login()
    assert 'value="Har ni presentkort?"' in site.client.get("/ny-fraga").text


def test_switching_language_on_a_refused_draft_keeps_the_draft(site):
    """The switch went back to the entry's address, which showed the file's text: staff lost the
    draft the console had just refused. It now shows that page again, in the other language."""
    site.login()
    digest = re.search(r'name="hash" value="([^"]+)"', site.client.get("/fragor/backup").text).group(1)
    draft = "Vi tar backup varje timme, och sparar den i trettio dagar."
    fields = {"question": "Kan jag ringa er?", "answer": draft, "csrf": site.csrf(), "hash": digest}
    refused = site.client.post("/fragor/backup", data=fields)
    assert refused.status_code == 400 and draft in refused.text
    button = re.search(r'formaction="(/fragor/backup/sprak\?till=en&amp;utfall=[^"]+)"', refused.text).group(1)
    typed = {**entry_form(refused.text), "answer": draft + " Och i nittio."}  # typed after the refusal: kept too
    typed["alternatives"] = "Tar ni\u200b backup?"  # pasted with a zero-width space: taken out, and said so
    moved = site.client.post(html.unescape(button), data=typed, follow_redirects=False)
    back = moved.headers["location"]
    assert moved.status_code == 303 and re.fullmatch(r"/fragor/backup\?utfall=[\w-]{16}", back)
    again = site.client.get(back)
    assert again.status_code == 400 and draft + " Och i nittio." in again.text and 'lang="en"' in again.text
    assert 'id="e-question">' in again.text and "already" in again.text.split('id="e-question">')[1][:300]
    assert ">Tar ni backup?</textarea>" in again.text and "invisible control character" in again.text
    assert draft not in site.client.get("/fragor/backup").text  # the plain address: the file as it is
    # a tried draft is kept too, on its entry's page
    tried = site.client.post("/fragor/backup/prova", data={**fields, "prova_fraga": "Hur ofta?", "csrf": site.csrf()})
    button = re.search(r'formaction="(/fragor/backup/sprak\?till=sv&amp;utfall=[^"]+)"', tried.text).group(1)
    swedish = site.client.post(html.unescape(button), data=entry_form(tried.text))
    assert draft in swedish.text and ">Hur ofta?</textarea>" in swedish.text and 'lang="sv"' in swedish.text
    # another session (the same member of staff, logged in elsewhere) does not see it
    other = Site(
        TestClient(site.client.app, base_url="http://localhost"), site.store, site.desk, site.clock, site.folder
    )
    other.login()
    assert draft not in other.client.get(back).text
    # the entry deleted from the file meanwhile: the kept draft is still shown, not lost (sending
    # it then offers it as a new entry: test_a_draft_of_an_entry_removed_meanwhile_...)
    faq = site.folder / "faq.yaml"
    faq.write_text(re.sub(r"  - id: backup\n(    .*\n)*", "", faq.read_text(encoding="utf-8")), encoding="utf-8")
    gone = site.client.get(back)
    assert gone.status_code == 400 and draft in gone.text
    assert other.client.get(back).status_code == 404  # to its own session alone, as before


def test_a_machine_slower_than_the_pages_wait_still_shows_the_last_list_with_its_time(site, monkeypatch):
    """Found by an attack: a finished drawing was thrown away unless a page was waiting for it, so
    where every drawing takes longer than the page waits, the page said "Förslagen förbereds"
    at every visit, for ever."""
    monkeypatch.setattr(console_app, "READY_SECONDS", 0.2)
    log_a_pick_and_a_helpdesk_question(site.folder / "log.db")
    real = learn.lesson_of
    monkeypatch.setattr(learn, "lesson_of", lambda *args: (time.sleep(0.6), real(*args))[1])
    site.login()
    assert "Förslagen förbereds" in site.client.get("/granska").text
    time.sleep(0.8)  # the drawing finished; nobody was waiting for it
    page = site.client.get("/granska").text
    assert "Förslagen förbereds" not in page and "Har ni parkering vid kontoret?" in page
    assert re.search(r"Listan är från \d{4}-\d\d-\d\d \d\d:\d\d:\d\d (CET|CEST)\. En ny räknas fram", page)
    # a decision: the list from before it is not shown, but what was done is
    group = re.search(r'name="action" value="reject">\s*<input type="hidden" name="id" value="([^"]+)"', page)
    done = site.client.post("/granska", data={"action": "reject", "id": group.group(1), "csrf": site.csrf()})
    assert "Förslagen förbereds" in done.text and "Avvisat" in done.text
    assert "Har ni parkering vid kontoret?" not in done.text.split("Avvisat")[1]


def test_a_review_drawn_while_staff_changed_something_is_not_the_page_after_it(site, monkeypatch):
    """Found by an attack: a colleague's visit during a decision began a drawing that read the log
    before the decision was written, and the page after the decision waited for that drawing and
    showed the rejected group still listed. A decision made elsewhere (`faqbot learn`, another
    console on the same log) counts too."""
    log_a_pick_and_a_helpdesk_question(site.folder / "log.db")
    began: list[int] = []
    release = threading.Event()
    real = learn.lesson_of

    def noted(bot, rows, faq, decided, progress):
        began.append(len(decided))
        release.wait(10)
        return real(bot, rows, faq, decided, progress)

    monkeypatch.setattr(learn, "lesson_of", noted)
    desk = site.desk
    assert isinstance(desk.review_within(0.1), Progress)  # a visit begins a drawing, and it takes long
    with ConversationLog(site.folder / "log.db") as elsewhere:  # meanwhile `faqbot learn --reject`
        elsewhere.record_decision("a-made-up-id", "rejected", None, "Har ni parkering vid kontoret?")
    for _ in range(5):  # more visits after more decisions: one drawing waits, the others never run
        assert isinstance(desk.review_within(0.05), Progress)
    release.set()
    after = desk.review_within(10)
    # the one under way, the one that waited (it read the decision), and the last visit's own
    assert isinstance(after, learn.Lesson) and began[:2] == [0, 1] and began[2:] in ([], [1])
    assert desk.drawn is not None and desk.drawn.state == desk.state()


def test_a_slow_review_is_shown_again_with_its_time_not_drawn_again_at_every_visit(site, monkeypatch):
    """Found by a red team: over a log of 30,000 made-up rows each visit of Att granska drew the
    whole review again (about five minutes of both cores, the chat's answers slowed to a second)
    though nothing had changed. A drawing that took long rests for five times as long: a visit
    meanwhile shows it with its time and says when it is drawn again; a decision draws it at once."""
    from faqbot.staff.console import service

    log_a_pick_and_a_helpdesk_question(site.folder / "log.db")
    monkeypatch.setattr(service, "REST_MIN_SECONDS", 0.2)  # stands for minutes: the drawing below is slow
    real, drawings = learn.lesson_of, []
    monkeypatch.setattr(learn, "lesson_of", lambda *args: (drawings.append(1), time.sleep(0.3), real(*args))[2])
    desk = site.desk
    assert isinstance(desk.review_within(10), learn.Lesson) and len(drawings) == 1
    site.login()
    page = site.client.get("/granska").text
    assert len(drawings) == 1 and re.search(
        r"Den tog \d+ s att räkna fram, så den räknas fram igen först när sidan", page
    )
    assert "Sparar ni filerna någonstans?" in page  # the list itself, as drawn
    with ConversationLog(site.folder / "log.db") as elsewhere:  # a decision: drawn again at once
        elsewhere.record_decision("made-up", "rejected", None, "Har ni parkering?")
    assert isinstance(desk.review_within(10), learn.Lesson) and len(drawings) == 2
    time.sleep(desk.drawn.seconds * service.REST_FACTOR + 0.1)  # rested: the next visit draws again
    assert isinstance(desk.review_within(10), learn.Lesson) and len(drawings) == 3


def test_pages_that_only_read_keep_the_earlier_list_and_queue_no_drawing(site, monkeypatch):
    """Found by an attack: opening an entry or the history took the lock of changes and counted as
    one, so each visit after it queued another full drawing and hid the earlier list."""
    monkeypatch.setattr(console_app, "READY_SECONDS", 0.1)
    log_a_pick_and_a_helpdesk_question(site.folder / "log.db")
    drawn: list[int] = []
    real = learn.lesson_of
    monkeypatch.setattr(learn, "lesson_of", lambda *args: (drawn.append(1), time.sleep(0.3), real(*args))[2])
    site.login()
    site.client.get("/granska")
    time.sleep(0.5)
    for _ in range(4):
        site.client.get("/fragor/backup")
        site.client.get("/historik")
        page = site.client.get("/granska").text
        assert "Har ni parkering vid kontoret?" in page and "Förslagen förbereds" not in page
    time.sleep(0.5)
    assert len(drawn) <= 3  # the first, and one at a time after it: not one a visit queued behind it


def test_a_new_entry_saved_from_a_group_rejected_elsewhere_meanwhile_does_not_overwrite_the_rejection(site):
    """Found by an attack: the save took the group from the list drawn before `faqbot learn
    --reject` (another process) rejected it, and recorded its questions accepted into the entry."""
    log_a_pick_and_a_helpdesk_question(site.folder / "log.db")
    site.login()
    group = re.search(r"ny-fraga\?grupp=([^\"&]+)", site.client.get("/granska").text).group(1)
    rejected = site.desk.review().by_id()[group]
    with ConversationLog(site.folder / "log.db") as elsewhere:
        for sid, question in teach.decided_ids(rejected):
            elsewhere.record_decision(sid, "rejected", None, question)
    fields = {"question": "Har ni parkering?", "answer": "Nej, tyvärr.", "alternatives": "", "grupp": group}
    created = site.client.post("/ny-fraga", data={**fields, "csrf": site.csrf()})
    assert created.status_code == 200 and "Posten är skapad" in created.text
    with ConversationLog(site.folder / "log.db") as log:
        assert {sid for sid, _ in teach.decided_ids(rejected)} <= log.decisions("rejected")


def test_a_groups_new_entry_form_takes_the_list_just_drawn_instead_of_drawing_it_again(site, monkeypatch):
    """After a flood each "Skapa en ny post av gruppen" drew the whole review again (minutes)."""
    log_a_pick_and_a_helpdesk_question(site.folder / "log.db")
    drawn: list[int] = []
    real = learn.lesson_of
    monkeypatch.setattr(learn, "lesson_of", lambda *args: (drawn.append(1), real(*args))[1])
    site.login()
    page = site.client.get("/granska").text
    link = re.search(r'href="(/ny-fraga\?grupp=[^"]+)"', page).group(1)
    form = site.client.get(link).text
    assert 'value="Har ni parkering vid kontoret?"' in form and len(drawn) == 1


def test_a_database_that_does_not_answer_is_said_in_words_not_a_500_with_a_traceback_a_request(caplog):
    """Found by a walk-through: with PostgreSQL stopped every console page was "Något gick fel i
    konsolen" (500) and the log got a full traceback for each request."""
    import psycopg
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.routing import Route

    from faqbot.staff.console.auth import SecurityHeaders

    def away(request):
        raise psycopg.OperationalError("connection failed: Connection refused")

    client = TestClient(Starlette(routes=[Route("/", away)], middleware=[Middleware(SecurityHeaders)]))
    with caplog.at_level(logging.ERROR):
        response = client.get("/")
    assert response.status_code == 503 and "Databasen svarar inte just nu" in response.text
    assert "Connection refused" in caplog.text and "Traceback" not in caplog.text
    assert response.headers["X-Frame-Options"] == "DENY"


def test_a_draft_of_an_entry_removed_meanwhile_is_kept_and_can_be_created_as_a_new_entry(site):
    """Found by a browser walk-through: a colleague restored a version without the entry staff
    were editing; "Spara" said it was gone and "Prova utkastet" led to a 404, and the text typed
    was shown nowhere. The draft now comes back in the new-entry form, to create or leave."""
    faq = site.folder / "faq.yaml"
    site.login()
    digest = re.search(r'name="hash" value="([^"]+)"', site.client.get("/fragor/phone").text).group(1)
    faq.write_text(faq.read_text(encoding="utf-8").split("  - id: phone\n")[0], encoding="utf-8")
    draft = {"question": "Kan jag ringa er?", "answer": "Ja, vardagar 8-17.", "csrf": site.csrf(), "hash": digest}
    for sent in (
        site.client.post("/fragor/phone", data=draft),
        site.client.post("/fragor/phone/prova", data={**draft, "prova_fraga": "Får jag ringa?"}),
    ):
        assert sent.status_code == 409
        assert "Någon tog bort posten phone ur FAQ-filen medan du skrev" in sent.text and "Inget sparades." in sent.text
        assert 'action="/ny-fraga"' in sent.text and ">Ja, vardagar 8-17.</textarea>" in sent.text
    assert "phone" not in load_faq(faq).by_id  # nothing was saved
    # the language switch on that page shows it again, the draft kept (found by a second walk-through)
    button = re.search(r'formaction="(/fragor/phone/sprak\?till=en&amp;utfall=[^"]+)"', sent.text).group(1)
    english = site.client.post(html.unescape(button), data=entry_form(sent.text))
    assert english.status_code == 409 and "Someone removed the entry phone from the FAQ file" in english.text
    assert "Your draft is still in the form below" in english.text and "Inget sparades" not in english.text
    assert ">Ja, vardagar 8-17.</textarea>" in english.text and 'action="/ny-fraga"' in english.text
    # an entry the form never had (a made-up address) is no draft of a removed entry
    never = site.client.post("/fragor/finns-inte", data={**draft, "csrf": site.csrf("/fragor/backup")})
    assert never.status_code == 404 and "Someone removed" not in never.text
    created = site.client.post("/ny-fraga", data={**draft, "csrf": site.csrf("/fragor/backup"), "hash": ""})
    assert created.status_code == 200 and "The entry is created" in created.text
    assert [e.answer for e in load_faq(faq).entries if e.question == "Kan jag ringa er?"] == ["Ja, vardagar 8-17."]


def test_the_version_page_names_the_entries_a_restore_removes_brings_back_and_changes(site):
    """Found by a browser walk-through: restoring a version older than a colleague's new entry
    removed it, and nothing said so before or after; the version page now names it."""
    site.login()
    site.client.get("/historik")  # version 1: the file as first seen (backup, phone)
    created = site.client.post(
        "/ny-fraga", data={"question": "Säljer ni presentkort?", "answer": "Ja.", "csrf": site.csrf()}
    )
    assert "Posten är skapad" in created.text
    faq = site.folder / "faq.yaml"
    assert save_answer(site, "backup", "Två gånger per natt.", "Hur ofta gör ni säkerhetskopior?").status_code == 200
    faq.write_text(
        faq.read_text(encoding="utf-8").replace(
            "  - id: phone\n    question: Kan jag ringa er?\n    answer: Ja, med supportavtal.\n", ""
        ),
        encoding="utf-8",
    )
    assert "phone" not in load_faq(faq).by_id
    shown = site.client.get("/historik/1").text
    new_id = next(e.id for e in load_faq(faq).entries if e.question == "Säljer ni presentkort?")
    assert f"Posten tas bort ur FAQ:n (den finns inte i version 1): {new_id}." in shown
    assert "Kommer tillbaka: phone." in shown and "Får tillbaka sina texter från version 1: backup." in shown
    switch(site, "en", "/historik/1")
    english = site.client.get("/historik/1").text
    assert f"This entry is removed from the FAQ (it is not in version 1): {new_id}." in english
    assert "Coming back: phone." in english and "These entries get their texts from version 1 back: backup." in english


def test_a_restore_after_a_colleague_saved_since_the_comparison_writes_nothing_and_shows_it_again(site):
    """Found by a red-team helper: anna opened version 1, bertil saved a fix, anna restored, and
    bertil's fix was gone with only a line in the history to say so."""
    site.login()
    faq = site.folder / "faq.yaml"
    assert save_answer(site, "backup", "Två gånger per natt.", "Hur ofta gör ni säkerhetskopior?").status_code == 200
    compared = site.client.get("/historik/1").text
    seen = re.search(r'name="hash" value="([0-9a-f]{64})"', compared).group(1)
    assert save_answer(site, "phone", "Ja, vardagar 8-17.", "Kan jag ringa er?").status_code == 200  # a colleague
    after = faq.read_bytes()
    refused = site.client.post("/historik/1/aterstall", data={"csrf": site.csrf("/historik"), "hash": seen})
    assert refused.status_code == 409 and "Filen har ändrats sedan du jämförde" in refused.text
    assert "ingenting återställdes" in refused.text and faq.read_bytes() == after
    assert "Får tillbaka sina texter från version 1: backup, phone." in refused.text  # the difference now
    again = re.search(r'name="hash" value="([0-9a-f]{64})"', refused.text).group(1)
    restored = site.client.post("/historik/1/aterstall", data={"csrf": site.csrf("/historik"), "hash": again})
    assert restored.status_code == 200 and "Version 1 är återställd" in restored.text
    assert load_faq(faq).by_id["phone"].answer == "Ja, med supportavtal."


def test_the_page_of_the_version_in_force_offers_no_restore(site):
    """Found by a walk-through: it said "Versionen är likadan som filen nu." beside "Återställ"."""
    site.login()
    site.client.get("/historik")  # version 1: the file as first seen, the one in force
    shown = site.client.get("/historik/1").text
    assert "Versionen är likadan som filen nu." in shown and "/aterstall" not in shown


def test_the_entry_ranked_nearest_a_thumbs_down_question_but_its_answer_comes_first_to_link_it(site):
    """A walk-through had to find the right entry for a 👎 question among all of them; the helpdesk
    questions' lists already put the nearest entry first."""
    page = thumbs_down_on(site, "w9", "Kan jag ringa er om backupen?", faq_id="backup")
    [disliked] = [w for d in site.desk.review().disliked for w in d.to_assign]
    assert disliked.evidence["nearest"] == "phone"  # the two-entry FAQ's other entry
    select = re.search(r'<select id="wrong-1-1".*?</select>', page, re.S).group(0)
    assert re.search(
        r'<option value="" selected>Välj posten</option>\s*<optgroup label="Närmast frågan"><option value="phone"',
        select,
    )
    assert 'value="backup"' not in select  # the entry it was answered with is no choice
