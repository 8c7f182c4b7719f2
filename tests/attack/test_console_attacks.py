"""The red team's attacks on the staff console (issue 19), replayed in-process: each fails without its defence.

1. every page and every form without a session: sent to the login page, nothing shown or changed;
2. a form posted without its CSRF token (or with another's, or from another site): refused, nothing changed;
3. session fixation: an id planted in the browser before login is not the one after, and opens nothing;
4. login brute force: after a few failures every try waits, doubling; the right password
   during the wait is not even checked; failures from one address slow down every account;
   tries sent together are checked one at a time per account and address, and at most
   MAX_CHECKS at once in all (each check holds 64 MiB);
5. stored XSS through an FAQ answer or a customer's question shown to staff: escaped text, never markup;
6. path traversal on the static route and the entry route: 404, no file read;
7. the console through the public chat port: not there;
8. a body or a field past its bound: refused before anything is done with it;
9. the test set grown from the evaluation page: 10,000 ids at once, more than 30, or an id that is
   not a confirmed customer question the test set lacks: refused, the file untouched.
10. the FAQ's versions: a version id that is not a kept version's number is 404 (no traceback,
    nothing restored), a restore needs a session and its CSRF token, a file's text shown as a
    difference is escaped, and trying a draft is bounded (question length, tries a minute).
12. "Godkänn alla": at most 1,000 ids; an id that is not an open confirmed phrasing (a helpdesk
    group's, a made-up one) is never accepted, whatever the form says.
11. removing a customers' phrasing from an entry: a session, its token and this site are needed,
    the field is bounded, only a `learned:` line can go (not a question), the phrasing is text.
13. a logged-in session (stolen, or a script) posting changes in a loop, each of which may write
    the FAQ and rebuild the index: past WRITES_PER_MINUTE a minute the form is refused (429, how
    long to wait) before anything is done; another member of staff is not held up.
16. "Avvisa markerade grupper": at most 30 at once; a confirmed phrasing's id or a made-up one
    among the marks is never rejected, whatever the form says; "Avvisa bara den här frågan" takes
    only a question a helpdesk group shows (not a confirmed phrasing's reply, not a made-up one).
15. control characters in a field (NUL failed the save with a bare 500; ESC would reach a
    terminal showing the FAQ): refused in words, nothing saved; a lone carriage return (YAML reads
    it as a line break: what followed it in an answer became a key of its own) is a line break of
    the answer; an unforeseen error's 500 is in words and carries the security headers.
14. the address a form leads to names its outcome (`?utfall=KEY`): another member of staff, or a
    visitor, opening it sees none of it; a made-up or over-long key is the plain page; the
    outcomes kept are bounded in number and in time.
18. the page a login leads back to (`sida`, for a form sent after the session ended): a path of
    the console, never another site (`//host`, a scheme, a backslash), bounded in length.
19. removing an entry ("Ta bort posten"): a session, its token, a ticked box and an entry of the
    file are needed; a made-up or traversing id is refused in words, nothing removed.
20. an entry's form sent after the session ended keeps what was typed for the page after the
    login only with the CSRF token of a session that ended, and shows it only to that session's
    member of staff (never planted by another site or a cookie set from elsewhere), bounded in
    number per network and in all.
21. the language switch of an entry's form sends the form (`/sprak` under the form's page): a
    session, its token and this site are needed; it saves nothing, spends no change, shows a kept
    page to its own session alone, and takes only sv or en.
17. DNS rebinding: a page of another site whose name is pointed at the console's address (it
    listens on 127.0.0.1) would let that site's script use the console through a member of
    staff's browser. Every request under a host name the console does not know is 400 before
    anything is done: no login page, no password checked, no form.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
import sqlite3
import threading
import time
import unicodedata

import httpx
import pytest
from fastapi.testclient import TestClient

from faqbot.conversations.rows import LogRow
from faqbot.conversations.store import ConversationLog
from faqbot.faq.edit import add_learned, add_off_topic
from faqbot.faq.model import load_faq
from faqbot.staff import learn
from faqbot.staff.console.app import create_console
from faqbot.staff.console.auth import COOKIE, FREE_FAILURES, LOGIN_COOKIE, MAX_CHECKS
from faqbot.staff.console.draft_pages import TRIES_PER_MINUTE
from faqbot.staff.console.service import Desk
from faqbot.staff.console.web import (
    ENDED_DRAFT_COOKIE,
    MAX_OUTCOMES,
    OUTCOME_SECONDS,
    OUTCOMES_A_SESSION,
    TYPED_A_NETWORK,
    WRITES_PER_MINUTE,
    Console,
    Outcomes,
)
from tests.test_console import PASSWORD, log_a_pick_and_a_helpdesk_question, make_site

pytestmark = pytest.mark.slow  # argon2 hashing, login throttling and tarpit waits are costly on purpose

XSS = '<script>alert("staff")</script>'
XSS_ATTRIBUTE = '"><img src=x onerror=alert(1)>'
PAGES = [
    "/",
    "/granska",
    "/fragor",
    "/fragor/backup",
    "/prova?fraga=Kan+jag+ringa+er%3F",
    "/utvardering",
    "/historik",
    "/ny-fraga",
]


@pytest.fixture
def site(small, fake_embedder):
    made = make_site(small, fake_embedder)
    yield made
    made.desk.close()
    made.store.close()


def form_hash(site, faq_id: str = "backup") -> str:
    return re.search(r'name="hash" value="([^"]+)"', site.client.get(f"/fragor/{faq_id}").text).group(1)


def test_no_page_and_no_form_without_a_session(site):
    faq = site.folder / "faq.yaml"
    before = faq.read_bytes()
    for path in PAGES:
        response = site.client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].split("?")[0] == "/login", path
        assert "Varje natt" not in response.text and "supportavtal" not in response.text
    for path, data in (("/fragor/backup", {"answer": "Hackad."}), ("/granska", {"action": "reject", "id": "x"})):
        response = site.client.post(path, data=data, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].split("?")[0] == "/login"
    assert faq.read_bytes() == before
    site.client.cookies.set(COOKIE, "a-made-up-session-id")
    assert site.client.get("/", follow_redirects=False).status_code == 303


def test_a_form_posted_without_its_csrf_token_is_refused(site):
    site.login()
    faq = site.folder / "faq.yaml"
    before = faq.read_bytes()
    fields = {"question": "Hur ofta gör ni säkerhetskopior?", "answer": "Hackad.", "hash": form_hash(site)}
    for token in (None, "", "another-sessions-token"):
        data = fields if token is None else {**fields, "csrf": token}
        response = site.client.post("/fragor/backup", data=data)
        assert response.status_code == 403 and "öppnades före din senaste inloggning" in response.text
    assert faq.read_bytes() == before
    assert site.client.post("/logout", data={"csrf": "another-sessions-token"}).status_code == 403
    assert site.client.get("/", follow_redirects=False).status_code == 200  # still logged in


def test_a_form_posted_from_another_site_is_refused_even_with_a_token(site):
    site.login()
    faq = site.folder / "faq.yaml"
    before = faq.read_bytes()
    data = {"question": "Hur ofta gör ni säkerhetskopior?", "answer": "Hackad.", "hash": form_hash(site)}
    data["csrf"] = site.csrf()
    response = site.client.post("/fragor/backup", data=data, headers={"origin": "https://evil.example"})
    assert response.status_code == 403 and faq.read_bytes() == before


def test_a_session_id_planted_before_login_is_not_the_one_after(site):
    planted = "planted-by-the-attacker-0123456789"
    site.client.cookies.set(COOKIE, planted)
    response = site.login()
    issued = response.cookies.get(COOKIE)
    assert response.status_code == 303 and issued and issued != planted
    attacker = TestClient(site.client.app, base_url="http://localhost")
    attacker.cookies.set(COOKIE, planted)
    assert attacker.get("/", follow_redirects=False).status_code == 303
    assert site.client.get("/", follow_redirects=False).status_code == 200  # the issued id is the one that works


def test_login_brute_force_slows_down_and_the_right_password_waits_too(site):
    for _ in range(FREE_FAILURES):
        assert site.login(password="fel lösenord 1").status_code == 401
    refused = site.login(password="fel lösenord 2")
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
    assert "Vänta" in refused.text
    assert site.login().status_code == 429  # not checked during the wait: guessing in parallel gains nothing
    site.clock.now += 2
    assert site.login(password="fel lösenord 3").status_code == 401
    first_wait = int(site.login(password="x" * 12).headers["retry-after"])
    site.clock.now += 3
    assert site.login(password="fel lösenord 4").status_code == 401
    assert int(site.login(password="x" * 12).headers["retry-after"]) > first_wait  # doubling
    site.clock.now += 600
    assert site.login().status_code == 303


def held_checks(site, monkeypatch) -> threading.Event:
    """Password checks held open until the returned event is set (as a slow argon2 check would be),
    so that tries sent together are all in flight at once, whatever the machine's speed."""
    release = threading.Event()
    check = site.store.log_in

    def held(name, password):
        release.wait(10)
        return check(name, password)

    monkeypatch.setattr(site.store, "log_in", held)
    return release


async def tries_at_once(site, release, tries) -> list[int]:
    """Send every (name, password, address) login try together; the statuses, in order."""
    page = site.client.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    cookies = {LOGIN_COOKIE: page.cookies.get(LOGIN_COOKIE)}

    async def one(name, password, address):
        transport = httpx.ASGITransport(app=site.client.app, client=(address, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost", cookies=cookies) as client:
            data = {"username": name, "password": password, "csrf": token}
            return (await client.post("/login", data=data)).status_code

    async def open_later():
        await asyncio.sleep(0.5)
        release.set()

    *statuses, _ = await asyncio.gather(*(one(*t) for t in tries), open_later())
    return statuses


def test_login_tries_sent_together_are_checked_one_at_a_time(site, monkeypatch):
    """The red team's burst: after the free failures and one wait, 25 guesses sent at once were
    all checked (24 x 401 and the right one let in). Now one try per account and per address is
    checked at a time: the others are refused unchecked, and the failure counts before the next."""
    for _ in range(FREE_FAILURES):
        assert site.login(password="fel lösenord").status_code == 401
    site.clock.now += 2  # the first wait is over
    release = held_checks(site, monkeypatch)
    guesses = [("anna", f"gissning {n:02}", "203.0.113.9") for n in range(24)] + [("anna", PASSWORD, "203.0.113.9")]
    statuses = asyncio.run(tries_at_once(site, release, guesses))
    assert statuses.count(401) == 1 and statuses.count(429) == 24 and 303 not in statuses
    assert site.login().status_code == 429  # and the failure that was checked doubled the wait


def test_no_more_than_max_checks_passwords_are_checked_at_once_from_many_addresses(site, monkeypatch):
    """Each argon2 check takes 64 MiB: 120 tries at once took the server from 216 MB to 2.3 GB."""
    release = held_checks(site, monkeypatch)
    tries = [(f"konto{n}", "gissning123", f"198.51.100.{n}") for n in range(12)]
    statuses = asyncio.run(tries_at_once(site, release, tries))
    assert statuses.count(401) == MAX_CHECKS and statuses.count(429) == len(tries) - MAX_CHECKS


def test_failures_on_many_accounts_from_one_address_slow_that_address(site):
    site.store.add_user("bertil", PASSWORD)
    for name in ("adam", "bodil", "cesar", "doris"):
        site.login(name=name, password="gissning123")
    assert site.login(name="bertil", password="gissning123").status_code == 429


def test_stored_xss_in_an_answer_or_a_customer_question_is_shown_as_text(site):
    faq = site.folder / "faq.yaml"
    text = faq.read_text(encoding="utf-8").replace("answer: Varje natt.", f"answer: '{XSS}'")
    faq.write_text(text.replace("question: Kan jag ringa er?", f"question: '{XSS_ATTRIBUTE}'"), encoding="utf-8")
    question = f"Sparar ni filerna {XSS}?"
    with ConversationLog(site.folder / "log.db") as log:
        log.record(LogRow("r1", question, "sv", "helpdesk", False, None, "phone", 0.1, 0.3, "v1", ("phone",)))
        log.record(LogRow("r2", question, "sv", "answer", True, "backup", None, 0.2, 0.3, "v1", (), "r1"))
        log.record(LogRow("r3", XSS, "sv", "helpdesk", False, None, "phone", 0.1, 0.3, "v1"))
    site.login()
    # an entry is named by its question on its own page's heading and on Utvärdering too
    pages = ["/", "/granska", "/fragor", "/fragor/backup", "/fragor/phone", "/prova?fraga=" + XSS, "/utvardering"]
    seen = ""
    for path in pages:
        page = site.client.get(path).text
        assert "<script" not in page and "<img" not in page, path
        seen += page
    assert "&lt;script&gt;alert(&#34;staff&#34;)&lt;/script&gt;" in seen
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in seen


@pytest.mark.parametrize(
    "path",
    [
        "/static/../faq.yaml",
        "/static/..%2F..%2Fconfig.yaml",
        "/static/%2e%2e/%2e%2e/etc/passwd",
        "/static/..%252F..%252Fetc%252Fpasswd",
        "/static/console.css%00.yaml",
        "/static//etc/passwd",
        "/fragor/..%2F..%2Fetc%2Fpasswd",
        "//evil.example/logout",
        "/fragor/%2F%2Fevil.example/formulering",
        "/fragor//evil.example/formulering",
        "/fragor/%5C%5Cevil.example/prova",
        "/historik/1/aterstall/..%2F..%2F%2Fevil.example",
    ],
)
def test_path_traversal_reads_no_file_and_leads_to_no_other_site(site, path):
    """A crafted path reads no file; where a form's address opened with GET is sent back to its
    page, the way back stays in the console, and HEAD is sent nowhere."""
    site.login()
    response = site.client.get(path, follow_redirects=False)
    assert response.status_code in (303, 404), path
    location = response.headers.get("location", "")
    assert location == "" or (location.startswith("/") and not location.startswith("//") and "\\" not in location)
    head = site.client.head(path, follow_redirects=False)
    assert head.status_code in (404, 405) and "location" not in head.headers
    assert "root:" not in response.text and "helpdesk:" not in response.text and "threshold" not in response.text


def test_the_console_is_not_reachable_through_the_public_chat_port(small, fake_embedder):
    from faqbot.bot import FaqBot
    from faqbot.web.server import create_app

    site = make_site(small, fake_embedder)
    bot = FaqBot(small / "faq.yaml", small / "index", small / "config.yaml")
    with TestClient(create_app(bot)) as chat:
        for path in ("/login", "/granska", "/fragor", "/fragor/backup", "/prova", "/static/console.css"):
            response = chat.get(path, follow_redirects=False)
            assert "Logga in" not in response.text and "Frågor och svar" not in response.text, path
            assert COOKIE not in response.headers.get("set-cookie", "")
        token = re.search(r'name="csrf" value="([^"]+)"', site.client.get("/login").text).group(1)
        response = chat.post("/login", data={"username": "anna", "password": PASSWORD, "csrf": token})
        assert COOKIE not in response.headers.get("set-cookie", "")
    site.desk.close()


def test_a_body_or_a_field_past_its_bound_is_refused(site):
    site.login()
    faq = site.folder / "faq.yaml"
    before = faq.read_bytes()
    huge = {"answer": "x" * 200_000, "csrf": site.csrf(), "hash": form_hash(site)}
    assert site.client.post("/fragor/backup", data=huge).status_code == 413
    long = {"question": "x" * 600, "answer": "Ok.", "csrf": site.csrf(), "hash": form_hash(site)}
    refused = site.client.post("/fragor/backup", data=long)
    # the form again, with the text beside its message: the refusal's page said "go back", and
    # Back showed the form empty (autocomplete=off), the text typed lost
    assert refused.status_code == 400
    assert re.search(r'<p class="field invalid">\s*<label for="f-question">', refused.text)
    assert 'aria-invalid="true"' in refused.text and 'value="' + "x" * 600 + '"' in refused.text
    assert "För långt: högst 500 tecken. Korta texten." in refused.text and "Posten sparades inte" in refused.text
    answer = {"question": "Backup?", "answer": "x" * 10_001, "csrf": site.csrf(), "hash": form_hash(site)}
    refused = site.client.post("/fragor/backup", data=answer)
    assert "högst 10\u00a0000 tecken" in refused.text and ">" + "x" * 10_001 + "</textarea>" in refused.text
    site.client.get("/sprak", params={"till": "en", "sida": "/fragor/backup"})
    english = site.client.post("/fragor/backup", data={**long, "csrf": site.csrf()}).text
    assert "Too long: at most 500 characters. Shorten the text." in english
    site.client.get("/sprak", params={"till": "sv", "sida": "/fragor/backup"})
    refused = site.client.post("/granska", data={"action": "reject", "ids": "a" * 60_000, "csrf": site.csrf()})
    assert refused.status_code == 400  # a form that is not an entry's: refused in words, naming the field
    assert "Fältet ”ids” är för långt" in refused.text
    form = site.client.get("/fragor/backup").text  # the browser stops a paste at the same bounds
    assert re.search(r'<input id="f-question" name="question" lang="sv" value="[^"]*" maxlength="500"', form)
    assert re.search(r'<textarea id="f-answer" name="answer" lang="sv" rows="8" maxlength="10000"', form)
    many = "&".join(f"f{i}=1" for i in range(100))
    response = site.client.post(
        "/fragor/backup", content=many, headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 400
    assert faq.read_bytes() == before


@pytest.mark.parametrize(
    "page",
    ["//evil.example/", "https://evil.example/granska", "/\\evil.example", "javascript:alert(1)", "/" + "a" * 5000],
)
def test_the_page_a_login_leads_back_to_is_a_page_of_the_console_never_another_site(site, page):
    """`sida` on the login page (where a form sent without a session returns after the login) is
    chosen by whoever made the link: it leads to a path of this console or to its overview."""
    shown = site.client.get("/login", params={"sida": page, "utloggad": "1"})
    assert "evil" not in shown.text.split("<form")[1] and "javascript" not in shown.text.split("<form")[1]
    token = re.search(r'name="csrf" value="([^"]+)"', shown.text).group(1)
    fields = {"username": "anna", "password": PASSWORD, "csrf": token, "sida": page}
    response = site.client.post("/login", data=fields, follow_redirects=False)
    if len(page) > 200:  # past the field's bound: refused before anything is done
        assert response.status_code == 400
        return
    assert response.status_code == 303 and response.headers["location"] == "/"
    again = site.client.get("/login", params={"sida": page}, follow_redirects=False)  # logged in: straight on
    assert again.status_code == 303 and again.headers["location"] == "/"


def test_a_long_made_up_address_is_not_echoed_into_a_page_or_a_redirect(site):
    """Found by a red-team helper: the language switch's link repeated the whole query (a 60,000
    character `sida` gave a 61 KB page), and a 20,000 character path asked for without a session
    became a 20 KB Location header (more than a proxy passes on)."""
    shown = site.client.get("/login", params={"sida": "/" + "a" * 60_000})
    assert shown.status_code == 200 and len(shown.text) < 20_000 and "a" * 300 not in shown.text
    redirected = site.client.get("/fragor/" + "b" * 20_000, follow_redirects=False)
    assert redirected.status_code == 303 and redirected.headers["location"] == "/login"
    normal = site.client.get("/fragor/backup", follow_redirects=False)
    assert normal.headers["location"] == "/login?sida=%2Ffragor%2Fbackup"  # a real page is still returned to


def test_the_evaluation_page_and_its_forms_need_a_session(site):
    assert site.client.get("/utvardering", follow_redirects=False).headers["location"].split("?")[0] == "/login"
    for path in ("/utvardering/kor", "/utvardering/lagg-till"):
        response = site.client.post(path, data={"id-a123": "1"}, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].split("?")[0] == "/login"
    assert not site.client.app.state.evaluations.progress().started_at
    assert not (site.folder / "test_questions.jsonl").exists()


def test_adding_questions_to_the_test_set_is_bounded_and_only_takes_confirmed_phrasings(site):
    question = "Går det att nå er per telefon?"
    with ConversationLog(site.folder / "log.db") as log:
        log.record(LogRow("r1", question, "sv", "choices", False, None, "phone", 0.2, 0.3, "v1", ("phone", "backup")))
        log.record(LogRow("r2", question, "sv", "answer", True, "phone", None, 0.2, 0.3, "v1", (), "r1"))
        log.record(LogRow("r3", "Vad kostar en bil?", "sv", "helpdesk", False, None, "phone", 0.1, 0.3, "v1"))
    site.login()
    path = site.folder / "test_questions.jsonl"
    path.write_text('{"question": "Kan jag ringa?", "expected": "phone"}\n', encoding="utf-8")
    before = path.read_bytes()
    real = re.search(r'name="(id-[^"]+)" value="1"', site.client.get("/utvardering").text).group(1)
    token = site.csrf()
    many = "&".join([f"csrf={token}", *(f"id-a{i:09d}=1" for i in range(10_000))])
    headers = {"content-type": "application/x-www-form-urlencoded"}
    assert site.client.post("/utvardering/lagg-till", content=many, headers=headers).status_code in (400, 413)
    thirty_one = {f"id-a{i:09d}": "1" for i in range(31)}
    response = site.client.post("/utvardering/lagg-till", data={**thirty_one, real: "1", "csrf": token})
    assert response.status_code == 400 and "Högst 30" in response.text
    helpdesk_question = "id-" + learn.suggestion_id(learn.NEW_ENTRY, None, "Vad kostar en bil?")
    for ids in ([helpdesk_question], ["id-a000000000"], [real, "id-" + XSS_ATTRIBUTE]):
        response = site.client.post("/utvardering/lagg-till", data={**dict.fromkeys(ids, "1"), "csrf": token})
        assert response.status_code == 400 and "inte (längre) en bekräftad kundfråga" in response.text, ids
        assert XSS_ATTRIBUTE not in response.text
    assert path.read_bytes() == before  # nothing appended by any refused form
    assert site.client.post("/utvardering/lagg-till", data={real: "1", "csrf": token}).status_code == 200
    assert path.read_bytes() != before


@pytest.mark.parametrize("number", ["999", "0", "-1", "abc", "1e3", "1.0", "９", "9" * 40, "%2e%2e", "1%00"])
def test_a_version_id_that_is_no_kept_version_is_404_and_restores_nothing(site, number):
    site.login()
    site.client.get("/historik")
    faq = site.folder / "faq.yaml"
    faq.write_text(faq.read_text(encoding="utf-8").replace("Varje natt.", "Varje timme."), encoding="utf-8")
    before = faq.read_bytes()
    shown = site.client.get(f"/historik/{number}")
    restored = site.client.post(f"/historik/{number}/aterstall", data={"csrf": site.csrf()})
    for response in (shown, restored):
        assert response.status_code == 404, number
        assert "Traceback" not in response.text and "Versionen finns inte" in response.text
    assert faq.read_bytes() == before


def test_a_restore_needs_a_session_and_its_token(site):
    site.login()
    site.client.get("/historik")
    faq = site.folder / "faq.yaml"
    faq.write_text(faq.read_text(encoding="utf-8").replace("Varje natt.", "Varje timme."), encoding="utf-8")
    before = faq.read_bytes()
    assert site.client.post("/historik/1/aterstall", data={"csrf": "x"}).status_code == 403
    other = site.csrf()
    response = site.client.post(
        "/historik/1/aterstall", data={"csrf": other}, headers={"origin": "https://evil.example"}
    )
    assert response.status_code == 403
    stranger = TestClient(site.client.app, base_url="http://localhost")
    response = stranger.post("/historik/1/aterstall", data={"csrf": other}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].split("?")[0] == "/login"
    assert faq.read_bytes() == before


def test_an_faq_text_in_a_versions_difference_is_shown_as_text(site):
    site.login()
    site.client.get("/historik")
    faq = site.folder / "faq.yaml"
    faq.write_text(faq.read_text(encoding="utf-8").replace("answer: Varje natt.", f"answer: '{XSS}'"), encoding="utf-8")
    for path in ("/historik", "/historik/1"):
        page = site.client.get(path).text
        assert "<script" not in page, path
    assert "&lt;script&gt;" in site.client.get("/historik/1").text


def test_trying_a_draft_is_bounded(site):
    site.login()
    faq = site.folder / "faq.yaml"
    before = faq.read_bytes()
    draft = {"question": "Hur ofta gör ni säkerhetskopior?", "answer": "Ofta.", "hash": form_hash(site)}
    long = {**draft, "prova_fraga": "x" * 201, "csrf": site.csrf()}
    assert site.client.post("/fragor/backup/prova", data=long).status_code == 400
    assert site.client.post("/fragor/backup/prova", data={**draft, "prova_fraga": "Ofta?"}).status_code == 403
    odd = site.client.post("/fragor/..%2F..%2Fetc/prova", data={**draft, "prova_fraga": "a", "csrf": site.csrf()})
    assert odd.status_code == 404 and "root:" not in odd.text
    missing = site.client.post("/fragor/finns-inte/prova", data={**draft, "prova_fraga": "a", "csrf": site.csrf()})
    assert missing.status_code == 404 and "Traceback" not in missing.text
    assert faq.read_bytes() == before
    # an empty try counts too (it spent nothing, and each one kept its page for the language switch)
    empty = {**draft, "prova_fraga": "", "csrf": site.csrf()}
    answers = [site.client.post("/fragor/backup/prova", data=empty).status_code for _ in range(TRIES_PER_MINUTE + 2)]
    assert 429 in answers and answers.count(400) < TRIES_PER_MINUTE + 2


def refused_without_a_session_a_token_or_from_elsewhere(site, path: str, data: dict) -> None:
    """A form posted to `path` without a session leads to the login; logged in (as this leaves
    `site`), without the session's token or from another site it is 403."""
    response = site.client.post(path, data=data, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].split("?")[0] == "/login"
    site.login()
    for token in (None, "", "another-sessions-token"):
        sent = data if token is None else {**data, "csrf": token}
        assert site.client.post(path, data=sent).status_code == 403
    elsewhere = site.client.post(path, data={**data, "csrf": site.csrf()}, headers={"origin": "https://evil.example"})
    assert elsewhere.status_code == 403


def test_removing_a_phrasing_from_customers_takes_a_session_a_token_and_only_a_learned_phrasing(site):
    """POST /fragor/{id}/formulering removes one `learned:` line; nothing else can be removed through it."""
    faq = site.folder / "faq.yaml"
    add_learned(faq, {"backup": [f"Tar ni backup {XSS}?"]})
    before = faq.read_bytes()
    path, data = "/fragor/backup/formulering", {"formulering": f"Tar ni backup {XSS}?"}
    refused_without_a_session_a_token_or_from_elsewhere(site, path, data)
    page = site.client.get("/fragor/backup").text
    assert "Tar ni backup &lt;script&gt;" in page and "<script" not in page  # a customer's words are text
    too_long = site.client.post(path, data={"formulering": "x" * 2001, "csrf": site.csrf()})
    assert too_long.status_code == 400
    for faq_id in ("no-such-entry", "..%2F..%2Fetc%2Fpasswd"):
        response = site.client.post(f"/fragor/{faq_id}/formulering", data={**data, "csrf": site.csrf()})
        assert response.status_code == 404, faq_id
    for published in ("Hur ofta gör ni säkerhetskopior?", "Kan jag ringa er?"):  # its question, another entry's
        refused = site.client.post(path, data={"formulering": published, "csrf": site.csrf()})
        assert (
            refused.status_code == 409
            and "Formuleringen finns inte (längre) i posten; inget togs bort." in refused.text
        )
    assert faq.read_bytes() == before


@pytest.mark.parametrize("action", ["accept_shown", "reject_shown"])
def test_accept_all_takes_only_open_confirmed_phrasings_and_a_bounded_number_of_ids(site, action):
    """So does "Avvisa alla": a helpdesk group's id, made-up ids or a path reject nothing."""
    with ConversationLog(site.folder / "log.db") as log:
        log.record(LogRow("h1", "Har ni parkering?", "sv", "helpdesk", False, None, "phone", 0.1, 0.3, "v1"))
        log.record(LogRow("h2", "Har ni parkering?", "sv", "helpdesk", False, None, "phone", 0.1, 0.3, "v1"))
    site.login()
    faq = site.folder / "faq.yaml"
    before = faq.read_bytes()
    group = re.search(r'/ny-fraga\?grupp=([^"&]+)', site.client.get("/granska").text).group(1)
    for ids in (group, "a000000000 w000000000", f"{group} ../../etc/passwd"):
        response = site.client.post("/granska", data={"action": action, "ids": ids, "sure": "1", "csrf": site.csrf()})
        assert response.status_code == 409 and "Förslagen är redan godkända eller avvisade" in response.text, ids
    many = " ".join("a" * 1001)  # 1,001 ids within the field's bound
    response = site.client.post("/granska", data={"action": action, "ids": many, "sure": "1", "csrf": site.csrf()})
    assert response.status_code == 400 and "För många förslag på en gång." in response.text
    long = " ".join(f"a{n:016d}" for n in range(1001))  # ids of today's length, past the field's bound
    response = site.client.post("/granska", data={"action": action, "ids": long, "sure": "1", "csrf": site.csrf()})
    assert response.status_code == 400 and "är för långt" in response.text
    assert site.client.post("/granska", data={"action": action, "ids": group, "sure": "1"}).status_code == 403
    assert faq.read_bytes() == before


def test_changes_posted_in_a_loop_are_refused_past_the_minutes_budget(site):
    site.login()
    faq = site.folder / "faq.yaml"
    before = faq.read_bytes()
    token = site.csrf()
    for _ in range(WRITES_PER_MINUTE):
        spent = site.client.post("/granska", data={"action": "reject", "id": "made-up", "csrf": token})
        assert spent.status_code != 429
    data = {"question": "Hur ofta gör ni säkerhetskopior?", "answer": "Hackad.", "hash": form_hash(site), "csrf": token}
    refused = site.client.post("/fragor/backup", data=data)
    assert refused.status_code == 429 and "För många ändringar" in refused.text and "gå tillbaka" in refused.text
    assert "Logga ut anna" in refused.text and '<a href="/fragor/backup">Tillbaka till sidan</a>' in refused.text
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert faq.read_bytes() == before  # refused before anything was written

    site.store.add_user("bertil", "ett annat lösenord")  # another member of staff keeps their budget
    other = dataclasses.replace(site, client=TestClient(site.client.app, base_url="http://localhost"))
    assert other.login("bertil", "ett annat lösenord").status_code == 303
    assert (
        other.client.post("/granska", data={"action": "reject", "id": "made-up", "csrf": other.csrf()}).status_code
        != 429
    )

    site.clock.now += 61  # a minute later the budget is back
    saved = site.client.post("/fragor/backup", data={**data, "hash": form_hash(site)})
    assert saved.status_code == 200 and b"Hackad." in faq.read_bytes()


def test_a_forms_outcome_is_shown_to_its_own_session_alone_and_kept_within_bounds(site):
    site.login()
    data = {"question": "Hur ofta gör ni säkerhetskopior?", "answer": "Varje timme.", "hash": form_hash(site)}
    posted = site.client.post("/fragor/backup", data={**data, "csrf": site.csrf()}, follow_redirects=False)
    outcome = posted.headers["location"]
    assert "Sparat" in site.client.get(outcome).text
    site.store.add_user("bertil", "ett annat lösenord")
    other = dataclasses.replace(site, client=TestClient(site.client.app, base_url="http://localhost"))
    assert other.login("bertil", "ett annat lösenord").status_code == 303
    seen = other.client.get(outcome)
    assert seen.status_code == 200 and "Sparat" not in seen.text and "Varje natt" not in seen.text.split("<form")[0]
    visitor = TestClient(site.client.app, base_url="http://localhost").get(outcome, follow_redirects=False)
    assert visitor.status_code == 303 and visitor.headers["location"].split("?")[0] == "/login"
    for key in ("made-up", "A" * 5000, outcome.split("=")[1] + "x"):
        page = site.client.get(f"/fragor/backup?utfall={key}")
        assert page.status_code == 200 and "Sparat" not in page.text
    elsewhere = site.client.get("/fragor/phone?" + outcome.split("?")[1])  # the key on another entry's page
    assert elsewhere.status_code == 200 and "Sparat" not in elsewhere.text

    now = [0.0]
    kept = Outcomes(clock=lambda: now[0])
    first = kept.keep("session", "/granska", {"n": 0})
    keys = [kept.keep(f"session {n % 100}", "/granska", {"n": n}) for n in range(1, MAX_OUTCOMES + 1)]
    assert kept.get("session", "/granska", first) == {}
    assert kept.get("session 0", "/granska", keys[-1]) == {"n": MAX_OUTCOMES}
    assert kept.get("another session", "/granska", keys[-1]) == {}
    assert kept.get("session 0", "/historik", keys[-1]) == {}
    assert len(kept) == MAX_OUTCOMES
    # one session's forms in a loop keep OUTCOMES_A_SESSION of its own, and push out no other's
    mine = [kept.keep("looping", "/fragor/backup", {"n": n}) for n in range(5 * OUTCOMES_A_SESSION)]
    assert [kept.get("looping", "/fragor/backup", k) for k in mine[-OUTCOMES_A_SESSION:]] == [
        {"n": n} for n in range(4 * OUTCOMES_A_SESSION, 5 * OUTCOMES_A_SESSION)
    ]
    assert kept.get("looping", "/fragor/backup", mine[-OUTCOMES_A_SESSION - 1]) == {}
    assert kept.get("session 0", "/granska", keys[-1]) == {"n": MAX_OUTCOMES}
    assert len(kept) == MAX_OUTCOMES
    # nor fifty logins of one member of staff (the cap is theirs, over every session)
    theirs = [kept.keep(f"login {n}", "/fragor/backup", {"n": n}, "anna") for n in range(50)]
    assert sum(kept.get(f"login {n}", "/fragor/backup", k) != {} for n, k in enumerate(theirs)) == OUTCOMES_A_SESSION
    assert kept.get("session 0", "/granska", keys[-1]) == {"n": MAX_OUTCOMES}
    now[0] += OUTCOME_SECONDS + 1
    assert kept.get("session", "/granska", keys[-1]) == {}
    kept.keep("session", "/granska", {"n": "next"})
    assert len(kept) == 1  # the expired are let go at the next form, not only at the bound


@pytest.mark.parametrize("path", ["/fragor/backup", "/fragor/backup/prova", "/ny-fraga"])
@pytest.mark.parametrize(
    "character", ["\x00", "\x1b", "\x9b", "\ufffe", "\uffff", "\u202e", "\u2066", "\u200b", "\ufeff", "\U000e0041"]
)  # U+FFFx: a 500 before; U+202E, U+2066: text direction; U+200B, U+FEFF, tags: pasted, invisible, saved
def test_a_control_character_in_a_field_is_refused_in_words_and_nothing_is_saved(site, path, character):
    site.login()
    faq = site.folder / "faq.yaml"
    before = faq.read_bytes()
    data = {
        "question": "Hur ofta gör ni säkerhetskopior?",
        "answer": f"a{character}b\nc",
        "hash": form_hash(site),
        "prova_fraga": "Tar ni backup?",
        "csrf": site.csrf(),
    }
    refused = site.client.post(path, data=data)
    # the form again, the text without the character, saying so beside the field: the refusal's
    # page said "go back", and Back showed the form empty (autocomplete=off), the text typed lost
    assert refused.status_code == 400 and "Här fanns ett osynligt styrtecken" in refused.text
    assert ">ab\nc</textarea>" in refused.text and 'value="Hur ofta gör ni säkerhetskopior?"' in refused.text
    assert faq.read_bytes() == before
    if path == "/fragor/backup/prova":  # the try's own question: the same (found by a red-team helper)
        tried = site.client.post(
            path, data={**data, "answer": "Varje natt.", "prova_fraga": f"Tar{character} ni backup?"}
        )
        assert tried.status_code == 400 and 'aria-describedby="e-prova-fraga"' in tried.text
        assert ">Tar ni backup?</textarea>" in tried.text and "Här fanns ett osynligt styrtecken" in tried.text


@pytest.mark.parametrize("path", ["/fragor/backup", "/ny-fraga"])
@pytest.mark.parametrize(
    "answer",
    [
        'Varje natt.\r    answer_en: "We back up daily. Call +46 70 000 00 00"',  # a key the form never had
        "a\r b\nc",  # not YAML at all, written raw: a bare 500 before
        "a\x85b\nc",  # NEL, from some word processors: a line break, not two words run together
    ],
)
def test_a_lone_carriage_return_in_an_answer_is_a_line_break_and_adds_no_key(site, path, answer):
    """Found by the red team: a lone CR (no browser sends one, a script can) went into the answer's
    block as typed, and YAML reads it as a line break: what followed became a key of the entry
    ("answer_en" with text staff never wrote, served to English customers)."""
    site.login()
    data = {"question": "Hur ofta gör ni säkerhetskopior av sajten?", "answer": answer, "csrf": site.csrf()}
    if path != "/ny-fraga":
        data["hash"] = form_hash(site)
    saved = site.client.post(path, data=data, follow_redirects=False)
    assert saved.status_code == 303
    faq = load_faq(site.folder / "faq.yaml")
    entry = next(e for e in faq.entries if e.question == "Hur ofta gör ni säkerhetskopior av sajten?")
    lines = [line.strip() for line in answer.replace("\r", "\n").replace("\x85", "\n").split("\n")]
    assert entry.answer_en == "" and [line.strip() for line in entry.answer.split("\n")] == lines
    assert "\r" not in (site.folder / "faq.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize("path", ["/fragor/backup", "/ny-fraga"])
def test_a_line_or_paragraph_separator_pasted_into_an_answer_is_a_line_break_and_the_next_save_works(site, path):
    """Found by the red team: U+2028 (Word's line break) in an answer was saved into its block as it
    was; ruamel.yaml, which every later edit reads the file with, could not read that back, and each
    save, new entry and accept after it was a 500 until a version was restored."""
    site.login()
    question = "Hur ofta gör ni säkerhetskopior av sajten?"
    data = {"question": question, "answer": "Ring oss\u2028så hjälper vi dig.\u2029Varje natt.", "csrf": site.csrf()}
    if path != "/ny-fraga":
        data["hash"] = form_hash(site)
    assert site.client.post(path, data=data, follow_redirects=False).status_code == 303
    saved = next(e for e in load_faq(site.folder / "faq.yaml").entries if e.question == question)
    assert saved.answer == "Ring oss\nså hjälper vi dig.\n\nVarje natt."  # a line break, then a paragraph
    form = site.client.get("/fragor/phone").text
    digest = re.search(r'name="hash" value="([^"]+)"', form).group(1)
    after = {"question": "Kan jag ringa er?", "answer": "Ja, vardagar 8-17.", "hash": digest, "csrf": site.csrf()}
    again = site.client.post("/fragor/phone", data=after, follow_redirects=False)
    assert again.status_code == 303 and load_faq(site.folder / "faq.yaml").by_id["phone"].answer == "Ja, vardagar 8-17."


def test_a_line_separator_typed_into_the_file_by_hand_is_named_with_its_line_not_a_500(site):
    """The same character written by hand (or by an older faqbot): the file check names its line,
    so the console says what to mend instead of failing on the next save."""
    site.login()
    faq = site.folder / "faq.yaml"
    text = faq.read_text(encoding="utf-8")
    faq.write_text(text.replace("Varje natt.", "Varje\u2028natt."), encoding="utf-8")
    line = text[: text.index("Varje natt.")].count("\n") + 1
    page = site.client.get("/fragor/phone")
    assert page.status_code == 409 and f"faq.yaml:{line}: ett osynligt radslutstecken (U+2028" in page.text


def test_an_unforeseen_error_is_a_500_in_words_with_the_security_headers(site, monkeypatch):
    site.login()

    def broken(*args, **kwargs):
        raise RuntimeError("a fault nobody foresaw")

    monkeypatch.setattr(site.desk, "entries", broken)
    failed = TestClient(
        site.client.app, base_url="http://localhost", raise_server_exceptions=False, cookies=site.client.cookies
    ).get("/fragor")
    assert failed.status_code == 500 and "Något gick fel i konsolen" in failed.text
    assert "a fault nobody foresaw" not in failed.text and "Traceback" not in failed.text
    assert "default-src 'none'" in failed.headers["content-security-policy"]
    assert failed.headers["x-frame-options"] == "DENY"


def test_a_forged_host_header_never_becomes_a_redirect_to_another_site(site):
    site.login()
    for path in ("/logout/", "/fragor/", "/granska/", "/fragor/backup/formulering/"):
        response = site.client.get(path, headers={"host": "evil.example"}, follow_redirects=False)
        assert "evil.example" not in response.headers.get("location", ""), path


def test_sessions_left_to_expire_are_deleted_at_the_next_login(site):
    site.login()
    stale = site.client.cookies.get(COOKIE)
    site.client.cookies.clear()
    site.clock.now += 13 * 3600  # past the absolute limit, never used again
    site.store.add_user("bertil", "ett annat lösenord")
    other = dataclasses.replace(site, client=TestClient(site.client.app, base_url="http://localhost"))
    assert other.login("bertil", "ett annat lösenord").status_code == 303
    rows = sqlite3.connect(site.folder / "log.db").execute("SELECT count(*) FROM staff_sessions").fetchone()[0]
    assert rows == 1 and site.store.session(stale) is None


def test_marking_for_rejection_rejects_only_open_helpdesk_groups_and_only_thirty_at_once(site):
    question = "Sparar ni filerna någonstans?"
    log_a_pick_and_a_helpdesk_question(site.folder / "log.db")  # a pick of backup for it; a parking question
    site.login()
    page = site.client.get("/granska").text
    phrasing = re.search(r'name="action" value="accept">\s*<input type="hidden" name="id" value="([^"]+)"', page)
    token = site.csrf()
    forged = {f"id-{phrasing.group(1)}": "on", "id-n0000000000": "on", "action": "reject_marked", "csrf": token}
    refused = site.client.post("/granska", data=forged)
    assert refused.status_code == 409 and "Grupperna är redan hanterade eller finns inte längre" in refused.text
    assert said_in(site.client.get("/granska").text, question)  # the confirmed phrasing is still there to accept
    many = {f"id-n{n:010}": "on" for n in range(31)}
    too_many = site.client.post("/granska", data={**many, "action": "reject_marked", "csrf": token})
    assert too_many.status_code == 400 and "Högst 30 grupper" in too_many.text
    assert "parkering" in site.client.get("/granska").text


def said_in(page: str, question: str) -> bool:
    return f'”<span lang="sv">{question}</span>”' in page


def test_rejecting_one_question_takes_only_a_question_a_helpdesk_group_shows(site):
    log_a_pick_and_a_helpdesk_question(site.folder / "log.db")  # r1/r2: a pick of backup; h1: a parking question
    site.login()
    before = site.client.get("/granska").text
    for reply_id in ("r1", "r2", "A" * 22, "h1' OR '1'='1"):
        refused = site.client.post(
            "/granska", data={"action": "reject_question", "reply_id": reply_id, "csrf": site.csrf()}
        )
        assert refused.status_code == 409 and "Frågan finns inte längre på listan." in refused.text
    assert site.client.get("/granska").text.count("Godkänn</button>") == before.count("Godkänn</button>")
    assert "Har ni parkering vid kontoret?" in site.client.get("/granska").text


@pytest.mark.parametrize(
    "host", ["evil.example", "evil.example:7861", "127.0.0.1.evil.example", "localhost:x", "", "[::2]"]
)
def test_a_request_under_a_host_name_the_console_does_not_know_is_refused_before_anything(site, host):
    assert site.client.get("/login").status_code == 200  # under localhost it answers
    rebinding = TestClient(site.client.app, headers={"host": host})
    page = rebinding.get("/login")
    assert page.status_code == 400 and "staff_host" in page.text and "Logga in" not in page.text
    assert page.headers["x-frame-options"] == "DENY"  # the refusal carries the security headers
    token = site.csrf("/login")
    rebinding.cookies.set(LOGIN_COOKIE, token)
    guess = rebinding.post("/login", data={"username": "anna", "password": PASSWORD, "csrf": token})
    assert guess.status_code == 400 and COOKIE not in guess.cookies  # the right password, never checked


def test_a_refused_host_is_named_in_the_servers_log_once_and_a_flood_of_names_is_not(site, caplog):
    """Staff behind a proxy saw only "add the name to staff_host", not which name came; the page
    still does not repeat what the client sent, and made-up names cannot fill the log."""
    with caplog.at_level(logging.WARNING, logger="faqbot.staff.console"):
        for _ in range(3):
            page = TestClient(site.client.app, headers={"host": "staff.example.se:8443"}).get("/login")
            assert page.status_code == 400 and "staff.example.se" not in page.text
        told = [r.getMessage() for r in caplog.records if "refused a request for host" in r.getMessage()]
        assert len(told) == 1 and "'staff.example.se:8443'" in told[0] and "staff_host" in told[0]
        for n in range(300):
            TestClient(site.client.app, headers={"host": f"x{n}.example"}).get("/login")
        flood = [r for r in caplog.records if "refused a request for host" in r.getMessage()]
        assert len(flood) <= 100


def test_the_console_answers_under_loopback_its_address_and_the_names_staff_host_gives(small, fake_embedder):
    (small / "config.yaml").write_text("staff_host: Staff.Example.se, intern.example.se.\n", encoding="utf-8")
    made = make_site(small, fake_embedder)
    try:
        for host in (
            "localhost:7861",
            "127.0.0.1",
            "[::1]:7861",
            "staff.example.se",
            "STAFF.example.se:443",
            "intern.example.se",
        ):
            page = TestClient(made.client.app, headers={"host": host}).get("/login")
            assert page.status_code == 200 and "Logga in" in page.text, host
        assert TestClient(made.client.app, headers={"host": "example.se"}).get("/login").status_code == 400
        listening = create_console(Console(made.desk, made.store), listening_on="10.0.0.5")
        assert TestClient(listening, headers={"host": "10.0.0.5:7861"}).get("/login").status_code == 200
        everywhere = create_console(Console(made.desk, made.store), listening_on="0.0.0.0")
        assert TestClient(everywhere, headers={"host": "0.0.0.0:7861"}).get("/login").status_code == 400
    finally:
        made.desk.close()
        made.store.close()


def test_password_spraying_from_many_addresses_of_one_ipv6_network_waits_like_one_address():
    """An IPv6 host holds a /64 or more: keyed by the exact address, twelve tries for twelve
    accounts from random addresses of one /64 never waited, and a flood of them kept both
    password checks busy so that staff could not log in."""
    from faqbot.staff.console.auth import Throttle, login_keys

    throttle = Throttle(clock=lambda: 0.0)
    for n in range(4):
        throttle.failed(*login_keys(f"user{n}", f"2001:db8:1:2::{n + 1:x}"))
    assert throttle.wait(*login_keys("anna", "2001:db8:1:2::99")) > 0
    assert throttle.wait(*login_keys("anna", "2001:db8:1:ffff::1")) > 0  # the same /48
    assert throttle.wait(*login_keys("anna", "2001:db8:2::1")) == 0  # another network
    assert throttle.wait(*login_keys("anna", "203.0.113.9")) == 0
    # while one try of that network is checked, another from it waits: a flood holds one check at most
    fresh = Throttle(clock=lambda: 0.0)
    assert fresh.begin(*login_keys("x", "2001:db8:1:2::a")).seconds == 0
    assert fresh.begin(*login_keys("y", "2001:db8:1:2::b")).busy
    assert fresh.begin(*login_keys("anna", "198.51.100.7")).seconds == 0


def test_junk_failures_from_many_names_and_networks_do_not_reset_an_accounts_wait(monkeypatch):
    """The throttle keeps MAX_KEYS keys; it dropped the oldest, so an attacker who made anna wait
    and then failed once each as thousands of made-up names from thousands of networks pushed
    anna's count out, and guessed on at full speed."""
    from faqbot.staff.console import auth
    from faqbot.staff.console.auth import Throttle, login_keys

    monkeypatch.setattr(auth, "MAX_KEYS", 200)
    throttle = Throttle(clock=lambda: 0.0)
    for _ in range(6):
        throttle.failed(*login_keys("anna", "203.0.113.9"))
    waited = throttle.wait("user:anna")
    assert waited > 0
    for n in range(1000):  # two new keys a try: 2,000 keys through a throttle of 200
        throttle.failed(*login_keys(f"junk{n}", f"10.{n // 250}.{n % 250}.1"))
    assert throttle.wait("user:anna") == waited and throttle.wait("addr:203.0.113.9") == waited
    assert len(throttle._failures) <= 200


@pytest.mark.parametrize(
    "page", ["²", "٣", "1" * 5000, "-5", "0", "1e9", "999999", "１", "2%00", "%F0%9F%98%80", "1;DROP", " 2"]
)
def test_an_odd_page_number_on_the_review_page_is_page_one_or_the_last_never_an_error(site, page):
    """`?sida=` names the page of helpdesk groups; "²" passed str.isdigit and made int() fail (a 500)."""
    log_a_pick_and_a_helpdesk_question(site.folder / "log.db")
    site.login()
    shown = site.client.get(f"/granska?sida={page}")
    assert shown.status_code == 200 and "Har ni parkering vid kontoret?" in shown.text
    posted = site.client.post(
        f"/granska?sida={page}", data={"action": "reject", "id": "nope", "csrf": site.csrf()}, follow_redirects=False
    )
    assert posted.status_code == 409 and "Har ni parkering vid kontoret?" in posted.text


def test_a_throttle_full_of_keys_that_each_failed_often_still_counts_a_new_networks_guesses(monkeypatch):
    """Found by an attack on the eviction above: with every kept key at FREE_FAILURES or more, the
    only keys below it were the ones the try had just made, so each new network's failures were
    dropped as they were counted, and it guessed any account's password without waiting."""
    from faqbot.staff.console import auth
    from faqbot.staff.console.auth import Throttle, login_keys

    monkeypatch.setattr(auth, "MAX_KEYS", 300)
    clock = [0.0]
    throttle = Throttle(clock=lambda: clock[0])
    for n in range(300):
        for _ in range(FREE_FAILURES):
            throttle.failed(f"user:junk{n}")
        clock[0] += 0.3
    keys = login_keys("anna", "198.51.100.7")
    for _ in range(FREE_FAILURES + 3):
        throttle.failed(*keys)
    assert throttle.wait(*keys) > 0 and len(throttle._failures) <= 300


def test_visits_on_either_side_of_a_decision_queue_one_drawing_not_thousands(site, monkeypatch):
    """Found by an attack: with a drawing under way, a visit that read the state before a decision
    and one that read it after cancelled each other's queued drawing in a loop (42,224 queued in
    2 s, 216 MB in 10 s). A queued drawing reads the log when it begins, so every visit now waits
    for the one queued; closing the console meanwhile answers the visit, not with an error."""
    log_a_pick_and_a_helpdesk_question(site.folder / "log.db")
    desk = site.desk
    release = threading.Event()
    real = learn.lesson_of
    monkeypatch.setattr(learn, "lesson_of", lambda *args: (release.wait(30), real(*args))[1])
    desk.review_within(0.05)  # a drawing under way, as after a flood
    before = desk.state()
    with ConversationLog(site.folder / "log.db") as elsewhere:  # `faqbot learn --reject`, another process
        elsewhere.record_decision("made-up", "rejected", None, "Har ni parkering?")
    submitted = []
    submit = desk.drawer.submit
    monkeypatch.setattr(desk.drawer, "submit", lambda *a, **k: (submitted.append(1), submit(*a, **k))[1])
    pinned = threading.local()
    state = Desk.state
    monkeypatch.setattr(Desk, "state", lambda self: getattr(pinned, "state", None) or state(self))

    def visit(read_before: bool) -> None:
        if read_before:
            pinned.state = before
        desk.review_within(1.0)

    visits = [threading.Thread(target=visit, args=(n % 2 == 0,)) for n in range(4)]
    for v in visits:
        v.start()
    for v in visits:
        v.join()
    assert len(submitted) == 1 and desk.drawer._work_queue.qsize() <= 1
    waiting: dict[str, object] = {}
    late = threading.Thread(target=lambda: waiting.update(got=desk.review_within(3)))
    late.start()
    time.sleep(0.2)
    desk.drawer.shutdown(wait=False, cancel_futures=True)  # the console closing
    late.join(5)
    release.set()
    assert type(waiting["got"]).__name__ == "Progress"


def test_guessing_a_swedish_name_in_its_other_unicode_forms_counts_against_the_one_account():
    """User names may hold å ä ö: "göran" can also be sent as "go" + a combining diaeresis + "ran",
    or in capitals. Keyed by the bytes, each form would get the account's free tries again."""
    from faqbot.staff.console.auth import FREE_FAILURES, Throttle, login_keys

    forms = [unicodedata.normalize("NFC", "göran"), unicodedata.normalize("NFD", "göran"), "GÖRAN", "Göran"]
    throttle = Throttle(clock=lambda: 0.0)
    for n in range(FREE_FAILURES):  # each from a network of its own: only the account's key counts
        throttle.failed(*login_keys(forms[n % len(forms)], f"198.51.100.{n + 1}"))
    for form in forms:
        assert throttle.wait(*login_keys(form, "203.0.113.50")) > 0


def test_a_forged_off_topic_reason_on_an_accept_accepts_plainly_and_marks_nothing(site):
    """`skal=annat` ("Handlar om annat") goes with a rejection. Sent with an accept of a customer's
    confirmed phrasing, it is a plain accept: no off-topic mark is written (the question would go
    to the helpdesk and into the entry at once), and the outcome does not call it off-topic; 100,000
    characters long, it is refused."""
    log_a_pick_and_a_helpdesk_question(site.folder / "log.db")
    site.login()
    page = site.client.get("/granska").text
    phrasing = re.search(r'name="action" value="accept">\s*<input type="hidden" name="id" value="([^"]+)"', page)
    huge = {"action": "reject", "id": phrasing.group(1), "skal": "annat" * 20_000, "csrf": site.csrf()}
    refused = site.client.post("/granska", data=huge)
    assert refused.status_code in (400, 409, 413) and "Traceback" not in refused.text
    forged = {"action": "accept", "id": phrasing.group(1), "skal": "annat", "csrf": site.csrf()}
    done = site.client.post("/granska", data=forged)
    assert done.status_code == 200 and "handlar om något" not in done.text
    with ConversationLog(site.folder / "log.db") as log:
        decided = log.decisions()
    assert phrasing.group(1) in decided and not [d for d in decided if d.startswith("o")]
    faq = load_faq(site.folder / "faq.yaml")
    assert faq.off_topic == () and "Sparar ni filerna" in " ".join(faq.by_id["backup"].learned)


def test_taking_a_question_off_the_off_topic_list_takes_a_session_a_token_and_only_such_a_question(site):
    """POST /om-annat removes one line of the FAQ's `off_topic:` list; nothing else can be removed through it."""
    faq = site.folder / "faq.yaml"
    add_off_topic(faq, [f"Säljer ni bilar {XSS}?"])
    before = faq.read_bytes()
    data = {"fraga": f"Säljer ni bilar {XSS}?"}
    refused_without_a_session_a_token_or_from_elsewhere(site, "/om-annat", data)
    page = site.client.get("/fragor").text
    assert "Säljer ni bilar &lt;script&gt;" in page and "<script" not in page  # a customer's words are text
    assert site.client.post("/om-annat", data={"fraga": "x" * 2001, "csrf": site.csrf()}).status_code == 400
    for other in ("Hur ofta gör ni säkerhetskopior?", "Kan jag ringa er?", "", "../../etc/passwd"):
        refused = site.client.post("/om-annat", data={"fraga": other, "csrf": site.csrf()})
        assert refused.status_code == 409 and "Frågan finns inte (längre) bland frågorna om annat." in refused.text
    # the entry page to return to: an entry id or nothing, checked before anything is removed
    for back in ("../../login", "https://evil.example/", "x" * 101, "a b", "backup\n"):  # $ let the newline by
        refused = site.client.post("/om-annat", data={**data, "post": back, "csrf": site.csrf()})
        assert refused.status_code == 404
    assert faq.read_bytes() == before
    done = site.client.post("/om-annat", data={**data, "post": "backup", "csrf": site.csrf()}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].startswith("/fragor/backup?")
    # an entry removed while its page was open: the outcome on the list page, not a 404 that loses it
    add_off_topic(faq, [f"Säljer ni bilar {XSS}?"])
    gone = site.client.post(
        "/om-annat", data={**data, "post": "finns-inte", "csrf": site.csrf()}, follow_redirects=False
    )
    assert gone.status_code == 303 and gone.headers["location"].startswith("/fragor?")


def test_removing_an_entry_needs_a_session_its_token_a_ticked_box_and_a_real_entry(site):
    """19. "Ta bort posten": without a session, without its token, with a made-up or traversing id,
    or without the ticked box, nothing is removed."""
    faq = site.folder / "faq.yaml"
    before = faq.read_bytes()
    outside = site.client.post("/fragor/phone/ta-bort", data={"sure": "1"}, follow_redirects=False)
    assert outside.status_code == 303 and outside.headers["location"].split("?")[0] == "/login"
    site.login()
    digest = form_hash(site, "phone")
    for token in (None, "another-sessions-token"):
        data = {"sure": "1", "hash": digest} if token is None else {"sure": "1", "hash": digest, "csrf": token}
        assert site.client.post("/fragor/phone/ta-bort", data=data).status_code == 403
    for made_up in ("finns-inte", "..%2F..%2Fconfig", "PHONE", "x" * 300):
        response = site.client.post(
            f"/fragor/{made_up}/ta-bort", data={"sure": "1", "hash": digest, "csrf": site.csrf()}
        )
        assert response.status_code in (400, 404) and "Traceback" not in response.text, made_up
    unticked = site.client.post("/fragor/phone/ta-bort", data={"sure": "", "hash": digest, "csrf": site.csrf()})
    assert unticked.status_code == 400
    assert faq.read_bytes() == before


def test_a_draft_kept_across_a_login_is_its_own_sessions_alone_and_bounded(site):
    """20. an entry's form sent after the session ended keeps what was typed for the page after the
    login (`Console.to_login_keeping`) only with the CSRF token of a session that ended, and shows
    it only to that session's member of staff. A red-team helper planted an answer in a logged-in
    member of staff's form through another site's 307 redirect (it re-posts without the Strict
    session cookie) and saved it with two clicks; then, with the browser's checks, through a
    cookie set from another port of the same host. Here: no token, a made-up one, a live
    session's: nothing kept; another member of staff's draft under a cookie put into this
    browser: not shown; made-up cookies: nothing; replaying an ended token from one network
    keeps TYPED_A_NETWORK drafts, pushing out neither staff's outcomes nor another network's."""
    faq = site.folder / "faq.yaml"
    before = faq.read_bytes()
    planted = {"question": "Hur ofta gör ni säkerhetskopior?", "answer": "Planterat svar.", "hash": "x"}
    site.login()
    attacker = TestClient(site.client.app, base_url="http://localhost")
    for token in (None, "made-up", site.csrf()):
        data = planted if token is None else {**planted, "csrf": token}
        sent = attacker.post("/fragor/backup", data=data, follow_redirects=False)
        assert sent.headers["location"].startswith("/login") and ENDED_DRAFT_COOKIE not in sent.cookies
        assert "inget sparades" in attacker.get(sent.headers["location"]).text  # and no promise
    site.store.add_user("bertil", "ett annat lösenord")
    bertil = dataclasses.replace(site, client=TestClient(site.client.app, base_url="http://localhost"))
    bertil.login("bertil", "ett annat lösenord")
    ended = bertil.csrf()
    bertil.client.post("/logout", data={"csrf": ended})
    bertil.client.post("/fragor/backup", data={**planted, "csrf": ended}, follow_redirects=False)
    tossed = bertil.client.cookies[ENDED_DRAFT_COOKIE]
    for cookie in (tossed, "x.y", ".", "A" * 5000, tossed.split(".")[0] + ".made-up"):
        site.client.cookies.set(ENDED_DRAFT_COOKIE, cookie)  # into anna's browser
        assert "Planterat svar." not in site.client.get("/fragor/backup").text
    del site.client.cookies[ENDED_DRAFT_COOKIE]
    saved = {"question": "Hur ofta gör ni säkerhetskopior?", "answer": "Varje timme.", "hash": form_hash(site)}
    posted = site.client.post("/fragor/backup", data={**saved, "csrf": site.csrf()}, follow_redirects=False)
    before = faq.read_bytes()
    elsewhere = TestClient(site.client.app, base_url="http://localhost", client=("192.0.2.7", 50000))
    elsewhere.post("/fragor/phone", data={**planted, "answer": "Annat nätverk.", "csrf": ended})
    flood = TestClient(site.client.app, base_url="http://localhost")
    for n in range(3 * TYPED_A_NETWORK):
        flood.post("/fragor/backup", data={**planted, "answer": f"Flod {n}.", "csrf": ended}, follow_redirects=False)
    assert "Sparat" in site.client.get(posted.headers["location"]).text  # staff's outcome is still there
    bertil = dataclasses.replace(site, client=TestClient(site.client.app, base_url="http://localhost"))  # a clean jar
    bertil.login("bertil", "ett annat lösenord")
    bertil.client.cookies.set(ENDED_DRAFT_COOKIE, tossed)  # the first, from the flood's network: pushed out
    assert "Planterat svar." not in bertil.client.get("/fragor/backup").text
    bertil.client.cookies.set(ENDED_DRAFT_COOKIE, flood.cookies[ENDED_DRAFT_COOKIE])  # the flood's newest: kept
    assert f"Flod {3 * TYPED_A_NETWORK - 1}." in bertil.client.get("/fragor/backup").text
    bertil.client.cookies.set(ENDED_DRAFT_COOKIE, elsewhere.cookies[ENDED_DRAFT_COOKIE])  # another network's
    assert "Annat nätverk." in bertil.client.get("/fragor/phone").text
    assert faq.read_bytes() == before


def test_the_form_sending_language_switch_saves_nothing_and_shows_a_kept_page_to_its_session_alone(site):
    site.login()
    faq = site.folder / "faq.yaml"
    before = faq.read_bytes()
    data = {"question": "Hur ofta gör ni säkerhetskopior?", "answer": "Hackad.", "hash": form_hash(site)}
    for forged in ({}, {"csrf": "made-up"}):  # no token, a made-up one
        assert site.client.post("/fragor/backup/sprak?till=en", data={**data, **forged}).status_code == 403
    data["csrf"] = site.csrf()
    elsewhere = site.client.post("/fragor/backup/sprak?till=en", data=data, headers={"origin": "https://evil.example"})
    assert elsewhere.status_code == 403
    sent = site.client.post("/fragor/backup/sprak?till=" + "x" * 5000, data=data)  # no such language: none set
    assert sent.status_code == 200 and ">Hackad.</textarea>" in sent.text and '<html lang="sv">' in sent.text
    assert faq.read_bytes() == before  # nothing saved, ever
    key = re.search(r"utfall=([\w-]+)", str(sent.url)).group(1)
    other = dataclasses.replace(site, client=TestClient(site.client.app, base_url="http://localhost"))
    other.login()  # another login of the same member of staff: the kept page is not its
    theirs = other.client.post(
        f"/fragor/backup/sprak?till=en&utfall={key}", data={**data, "answer": "", "csrf": other.csrf()}
    )
    assert "Hackad." not in theirs.text
    assert site.client.post("/fragor/../../etc/sprak?till=en", data=data).status_code == 404
    switched = [
        site.client.post("/fragor/backup/sprak?till=sv", data=data).status_code for _ in range(WRITES_PER_MINUTE + 5)
    ]
    assert set(switched) == {200}  # no change spent: a save after them still goes through
    saved = site.client.post("/fragor/backup", data={**data, "answer": "Varje natt, och varje middag."})
    assert saved.status_code == 200 and "Sparat" in saved.text
