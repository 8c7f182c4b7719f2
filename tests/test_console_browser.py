"""The staff console in Chromium: log in, edit an answer, and the public chat answers with it; no page
without a login, throttled passwords, CSRF, two staff on one entry, learning, the English switch.

The chat (`python app.py`) runs in its own process over a private copy of the shipped FAQ and
index; the console runs in this process over the same files, on its own port. axe-core checks
every console page at desktop width and at 375 px.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest
import uvicorn
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from faqbot.config import Settings
from faqbot.faq.edit import add_off_topic, remove_off_topic
from faqbot.faq.model import load_faq
from faqbot.staff import learn
from faqbot.staff.console import app as console_app
from faqbot.staff.console.accounts import StaffStore
from faqbot.staff.console.app import create_console
from faqbot.staff.console.auth import BASE_DELAY, FREE_FAILURES
from faqbot.staff.console.service import Desk
from faqbot.staff.console.web import Console
from tests.fakes import UNSURE_QUESTIONS
from tests.harness import free_port
from tests.test_accessibility import WCAG
from tests.test_browser import DESKTOP, PHONE, Customer, private_copy, running_app, with_chromium
from tests.test_console import PASSWORD

pytestmark = pytest.mark.slow

NEW_ANSWER = "Ja, ring 08-555 123 45 vardagar 9-16; det kräver ett supportavtal."
STAFF = ("anna", "bertil")
# Questions the shipped FAQ does not answer for sure: the reply offers close entries to pick.
UNSURE = ("Vad händer om sidan kraschar?", "Vad gör ni om något går sönder?", *UNSURE_QUESTIONS)
PAGES = [
    "/",
    "/granska",
    "/fragor",
    "/fragor/telefonsupport",
    "/prova?fraga=Kan+jag+ringa+er%3F",
    "/utvardering",
    "/historik",
    "/historik/1",
    "/ny-fraga",
    "/fragor/finns-inte",  # a refusal in words (message.html), with the menu
    "/login",
]


@dataclass
class Sites:
    chat: str
    console: str
    folder: Path
    desk: Desk
    store: StaffStore


@contextmanager
def serving(console: Console) -> Iterator[str]:
    """The console app on a free port of 127.0.0.1 in a thread of this process; yields its address."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_console(console), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    yield from with_chromium()


@pytest.fixture(scope="module")
def sites(tmp_path_factory, shipped_index) -> Iterator[Sites]:
    folder = private_copy(tmp_path_factory.mktemp("console"), shipped_index)
    log = folder / "conversations.db"
    with running_app(folder) as chat:
        settings = Settings.resolve(folder / "faq.yaml", folder / "index", folder / "config.yaml", log=log)
        store = StaffStore(log)
        for name in STAFF:
            store.add_user(name, PASSWORD)
        desk = Desk(settings)
        with serving(Console(desk, store)) as console:
            yield Sites(chat, console, folder, desk, store)
        desk.close()


def logged_in(browser: Browser, sites: Sites, viewport: dict, name: str = "anna") -> Page:
    page = browser.new_context(viewport=viewport).new_page()
    page.goto(sites.console + "/")
    expect(page).to_have_url(sites.console + "/login")
    page.get_by_label("Användarnamn").fill(name)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Översikt")
    return page


def test_an_answer_edited_in_the_console_is_what_the_chat_answers_within_five_seconds(browser, sites):
    faq = sites.folder / "faq.yaml"
    comments = [line for line in faq.read_text(encoding="utf-8").splitlines() if line.strip().startswith("#")]
    customer = Customer(browser, sites.chat, DESKTOP)
    expect(customer.ask("Kan jag ringa er?")).not_to_contain_text(NEW_ANSWER)

    staff = logged_in(browser, sites, DESKTOP)
    staff.get_by_role("link", name="Frågor och svar").click()
    staff.get_by_role("link", name="Finns det ingen telefonsupport?").click()
    staff.get_by_label("Svar", exact=True).fill(NEW_ANSWER)
    started = time.monotonic()
    staff.get_by_role("button", name="Spara").click()
    expect(staff.locator("#saved")).to_contain_text("Sparat", timeout=30_000)
    while NEW_ANSWER not in customer.ask("Kan jag ringa er?").inner_text():
        assert time.monotonic() - started < 30, "the chat never answered with the edited text"
    seconds = time.monotonic() - started
    print(f"\nfrom Spara to the chat's answer: {seconds:.2f} s")
    assert seconds <= 5.0
    after = faq.read_text(encoding="utf-8")
    assert all(line in after.splitlines() for line in comments)  # staff's comments survive the edit
    assert NEW_ANSWER in after


def serious_violations(page: Page) -> list[str]:
    """What axe-core finds serious or critical on the page as it is now (WCAG 2.1 AA)."""
    results = Axe().run(page, options=WCAG)
    return [
        f"{v['id']} ({v['impact']}): {v['help']}; e.g. {v['nodes'][0]['target']}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def refusal(url: str) -> bool:
    """The page of PAGES that is a 404 on purpose."""
    return url.endswith("/fragor/finns-inte")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "375px"])
def test_axe_finds_no_serious_violation_on_any_console_page(browser, sites, viewport):
    found = {}
    failed: list[str] = []  # any request of a page that fails: a stylesheet, an image
    for language, switch, log_out in (("sv", None, "Logga ut"), ("en", "In English", "Log out")):
        page = logged_in(browser, sites, viewport)
        page.on(
            "response",
            lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 and not refusal(r.url) else None,
        )
        if switch:
            page.get_by_role("link", name=switch).click()
        for path in PAGES:
            if path == "/login":
                page.get_by_role("button", name=log_out).first.click()
                expect(page).to_have_url(sites.console + "/login?ut=1")  # saying it was done
                expect(page.get_by_role("status")).to_have_text(
                    "Du är utloggad." if language == "sv" else "You are logged out."
                )
            else:
                page.goto(sites.console + path)
            expect(page.locator("html")).to_have_attribute("lang", language)
            serious = serious_violations(page)
            if serious:
                found[f"{language} {path}"] = serious
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= viewport["width"], f"{path} ({language}) scrolls sideways at {viewport['width']} px"
        page.context.close()
    assert found == {}
    assert failed == []


def test_at_phone_width_the_chart_keeps_readable_labels_and_shows_the_latest_days_first(browser, sites):
    page = logged_in(browser, sites, PHONE)
    chart = page.get_by_role("region", name="Diagrammet, kan rullas i sidled")
    sizes = chart.evaluate(
        """c => ({svg: c.querySelector('svg').getBoundingClientRect().width, box: c.clientWidth,
                 right: c.querySelector('svg').getBoundingClientRect().right - c.getBoundingClientRect().right,
                 font: Math.min(...[...c.querySelectorAll('text')].map(t => t.getBoundingClientRect().height))})"""
    )
    assert sizes["svg"] >= 600 and sizes["font"] >= 9, sizes  # scaled to 300 px its labels were 4 px high
    assert sizes["box"] < sizes["svg"] and sizes["right"] <= 1, sizes  # scrolled to its right end: today in view
    label, value = page.locator("dl dt").first.bounding_box(), page.locator("dl dd").first.bounding_box()
    assert value["y"] >= label["y"] + label["height"] - 1  # a value under its label, with the page's width
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    expect(
        page.get_by_text("rulla åt vänster för de tidigare och för skalan")
    ).to_be_visible()  # said, not only to screen readers
    page.set_viewport_size({"width": 1280, "height": 900})
    expect(page.get_by_text("rulla åt vänster för de tidigare och för skalan")).to_be_hidden()  # the whole chart fits
    page.context.close()


def test_the_english_switch_works_without_javascript_and_holds_across_pages_until_switched_back(browser, sites):
    page = browser.new_context(viewport=PHONE, java_script_enabled=False).new_page()
    heading = page.get_by_role("heading", level=1)
    page.goto(sites.console + "/login")
    page.get_by_role("link", name="In English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(heading).to_have_text("Log in")
    page.get_by_label("User name").fill("anna")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(heading).to_have_text("Overview")
    expect(page.get_by_role("rowheader", name="Answered")).to_be_visible()
    page.get_by_role("link", name="Questions and answers").click()
    expect(heading).to_have_text("Questions and answers")
    page.get_by_role("link", name="Hur debiterar ni för support?").click()  # the FAQ's own words stay
    expect(heading).to_have_text("Edit “Hur debiterar ni för support?”")
    expect(page.get_by_label("Other ways to ask")).to_be_visible()
    expect(page.get_by_role("button", name="Save")).to_be_visible()
    # on an entry's form the switch sends the form: what was typed comes back in the other language
    page.get_by_label("Answer", exact=True).fill("Per påbörjad kvart, utan startavgift.")
    page.get_by_role("button", name="På svenska").click()
    expect(page).to_have_url(re.compile(re.escape(sites.console + "/fragor/debitering?utfall=")))  # the same page
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(heading).to_have_text("Redigera ”Hur debiterar ni för support?”")
    expect(page.get_by_label("Svar", exact=True)).to_have_value("Per påbörjad kvart, utan startavgift.")
    expect(page.get_by_role("button", name="Spara")).to_be_visible()
    page.reload()  # kept for the page's address, as a refused draft is
    expect(page.get_by_label("Svar", exact=True)).to_have_value("Per påbörjad kvart, utan startavgift.")
    # Enter in a one-line field presses Spara, not the switch above the form (a walk-through's did)
    page.route(
        "**/fragor/debitering*",
        lambda route: route.fulfill(status=204) if route.request.method == "POST" else route.continue_(),
    )
    with page.expect_request(lambda request: request.method == "POST") as sent:
        page.get_by_label("Fråga", exact=True).press("Enter")
    assert sent.value.url == sites.console + "/fragor/debitering"
    page.get_by_role("link", name="Översikt").click()
    expect(heading).to_have_text("Översikt")
    page.context.close()


# -- what keeps the console to staff (issue 19's acceptance) -------------------------------------


def test_no_console_page_shows_anything_before_logging_in(browser, sites):
    faq = load_faq(sites.folder / "faq.yaml")
    private = [e.question for e in faq.entries] + [e.answer.splitlines()[0][:80] for e in faq.entries]
    for path in [p for p in PAGES if p != "/login"]:
        context = browser.new_context(viewport=DESKTOP)  # no cookie from any earlier login
        page = context.new_page()
        page.goto(sites.console + path)
        # the login page, naming the page to return to after the login, with its query (the overview's is left out)
        back = path
        expect(page).to_have_url(sites.console + ("/login" if back == "/" else f"/login?{urlencode({'sida': back})}"))
        expect(page.get_by_role("heading", level=1)).to_have_text("Logga in")
        text = page.locator("body").inner_text()
        assert [t for t in private if t in text] == [], f"{path} showed FAQ content to a visitor"
        context.close()


def submit_login(page: Page, name: str, password: str) -> str:
    """Fill and send the login form; the error the next page shows ('' when it shows none)."""
    page.get_by_label("Användarnamn").fill(name)
    page.get_by_label("Lösenord").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Logga in").click()
    error = page.locator("#login-error")
    return error.inner_text() if error.count() else ""


def stated_wait(error: str) -> int:
    found = re.search(r"Vänta (\d+) sekund", error)
    assert found, f"the refusal does not say how long to wait: {error!r}"
    return int(found.group(1))


def test_wrong_passwords_are_refused_and_every_further_try_waits_even_with_the_right_one(browser, sites):
    # A console of its own, so the failures from 127.0.0.1 slow down no other test's logins.
    with serving(Console(sites.desk, sites.store)) as console:
        page = browser.new_context(viewport=DESKTOP).new_page()
        page.goto(console + "/login")
        wrong = PASSWORD + "x"
        for _ in range(FREE_FAILURES):
            assert submit_login(page, "bertil", wrong) == "Fel användarnamn eller lösenord."
        refused = submit_login(page, "bertil", wrong)  # within the first wait (1 s): not even checked
        assert "För många misslyckade inloggningar" in refused and stated_wait(refused) == int(BASE_DELAY)
        expect(page.get_by_label("Användarnamn")).to_have_value("bertil")
        time.sleep(BASE_DELAY)
        assert submit_login(page, "bertil", wrong) == "Fel användarnamn eller lösenord."
        last_failure = time.monotonic()
        # the name kept, the password to type again has the focus, told why (aria-describedby);
        # checked here, within the doubled wait, not where the first one-second wait is timed
        expect(page.get_by_label("Användarnamn")).to_have_value("bertil")
        expect(page.get_by_label("Lösenord")).to_be_focused()
        expect(page.get_by_label("Lösenord")).to_have_accessible_description("Fel användarnamn eller lösenord.")
        refused = submit_login(page, "bertil", PASSWORD)  # the right password, but within the wait
        assert "För många misslyckade inloggningar" in refused and 1 <= stated_wait(refused) <= 2 * BASE_DELAY
        expect(page).to_have_url(console + "/login")
        while submit_login(page, "bertil", PASSWORD):
            assert time.monotonic() - last_failure < 2 * BASE_DELAY + 5, "the wait never ended"
            time.sleep(0.1)
        waited = time.monotonic() - last_failure
        expect(page.get_by_role("heading", level=1)).to_have_text("Översikt")
    print(f"\nthe right password was let in {waited:.2f} s after the fourth failure")
    assert waited >= 2 * BASE_DELAY - 0.5  # the wait doubled, and was kept


def test_a_form_posted_without_its_csrf_token_is_refused_and_changes_nothing(browser, sites):
    faq = sites.folder / "faq.yaml"
    before = faq.read_text(encoding="utf-8")
    page = logged_in(browser, sites, DESKTOP)
    page.goto(sites.console + "/fragor/backup")
    page.get_by_label("Svar", exact=True).fill("Vi tar aldrig backup.")
    left = page.evaluate(
        """() => {
            const form = document.querySelector('form[action="/fragor/backup"]');
            form.querySelector('input[name=csrf]').remove();
            return form.querySelectorAll('input[name=csrf]').length;
        }"""
    )
    assert left == 0
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_role("alert")).to_contain_text("öppnades före din senaste inloggning, så inget gjordes")
    expect(page.locator("#saved")).to_have_count(0)
    assert faq.read_text(encoding="utf-8") == before


def test_when_two_staff_save_one_entry_the_second_sees_what_changed_and_the_first_answer_stays(browser, sites):
    faq = sites.folder / "faq.yaml"
    first, second = "Fakturan kommer en gång i månaden, i efterskott.", "Fakturan kommer varje kvartal."
    anna = logged_in(browser, sites, DESKTOP, "anna")
    bertil = logged_in(browser, sites, DESKTOP, "bertil")
    expect(bertil.get_by_role("button", name="Logga ut bertil")).to_be_visible()
    for page in (anna, bertil):
        page.goto(sites.console + "/fragor/debitering")
    anna.get_by_label("Svar", exact=True).fill(first)
    anna.get_by_role("button", name="Spara").click()
    expect(anna.locator("#saved")).to_contain_text("Sparat", timeout=30_000)
    bertil.get_by_label("Svar", exact=True).fill(second)
    bertil.get_by_role("button", name="Spara").click()
    conflict = bertil.get_by_role("alert")
    expect(conflict).to_contain_text("Filen har ändrats sedan du öppnade posten")
    expect(conflict).to_contain_text(first)  # what the other one saved meanwhile
    expect(bertil.get_by_label("Svar", exact=True)).to_have_value(second)  # bertil's draft is not lost
    assert load_faq(faq).by_id["debitering"].answer.strip() == first


def test_back_to_an_entry_after_a_colleague_saved_it_shows_their_answer_not_the_text_typed_before(browser, sites):
    """Found by a walk-through: Back refetched the form with the newest file's hash, Chromium put
    the text typed before back into it, and Spara saved over the colleague's answer unseen."""
    faq = sites.folder / "faq.yaml"
    typed, saved = "Fakturan skickas med e-post.", "Fakturan skickas med posten, på papper."
    anna = logged_in(browser, sites, DESKTOP, "anna")
    bertil = logged_in(browser, sites, DESKTOP, "bertil")
    anna.goto(sites.console + "/fragor/debitering")
    anna.get_by_label("Svar", exact=True).fill(typed)
    anna.get_by_role("link", name="Översikt").click()  # leaves without saving
    expect(anna.get_by_role("heading", level=1)).to_have_text("Översikt")
    bertil.goto(sites.console + "/fragor/debitering")
    bertil.get_by_label("Svar", exact=True).fill(saved)
    bertil.get_by_role("button", name="Spara").click()
    expect(bertil.locator("#saved")).to_contain_text("Sparat", timeout=30_000)
    anna.go_back()
    expect(anna.get_by_label("Svar", exact=True)).to_have_value(saved)
    anna.get_by_role("button", name="Spara").click()
    expect(anna.get_by_role("status").filter(has_text="Inget var ändrat")).to_be_visible(timeout=30_000)
    assert load_faq(faq).by_id["debitering"].answer.strip() == saved


def test_an_answer_typed_while_logged_out_in_another_tab_is_in_the_form_after_the_login(browser, sites):
    """Chromium's own headers decide it: under the console's no-referrer policy it sends Origin
    "null" with the console's forms (a walk-through found no draft ever kept by a check of the
    origin alone, which the in-process tests had passed)."""
    faq = sites.folder / "faq.yaml"
    before = faq.read_bytes()
    typed = "Fakturan skickas varje månad, med e-post."
    anna = logged_in(browser, sites, DESKTOP, "anna")
    other_tab = anna.context.new_page()
    anna.goto(sites.console + "/fragor/debitering")
    anna.get_by_label("Svar", exact=True).fill(typed)
    other_tab.goto(sites.console + "/")
    other_tab.get_by_role("button", name="Logga ut").click()
    anna.get_by_role("button", name="Spara").click()
    expect(anna.get_by_role("alert")).to_contain_text("så det du skrev är inte sparat")
    assert serious_violations(anna) == []
    anna.get_by_label("Användarnamn").fill("anna")
    anna.get_by_label("Lösenord").fill(PASSWORD)
    anna.get_by_role("button", name="Logga in").click()
    expect(anna.get_by_label("Svar", exact=True)).to_have_value(typed)
    expect(anna.get_by_role("status").filter(has_text="Det här skrev du innan du loggades ut")).to_be_focused()
    assert serious_violations(anna) == []  # the restored form, its notice and the login page before it
    assert faq.read_bytes() == before
    anna.context.close()


def test_comments_in_the_faq_file_survive_an_edit_in_the_console(browser, sites):
    faq = sites.folder / "faq.yaml"
    text = faq.read_text(encoding="utf-8")
    above, after = "    # Juristen har läst svaret (maj).", "  # gäller alla avtal"
    text = re.sub(r"(?m)^(  - id: overvakning\n(?:    .*\n)*?)(    answer:)", rf"\1{above}\n\2", text, count=1)
    text = re.sub(r"(?m)^(  - id: overvakning\n(?:    .*\n)*?    question: .*)$", rf"\1{after}", text, count=1)
    faq.write_text(text, encoding="utf-8")
    comments = [line for line in text.splitlines() if "#" in line]
    assert above in comments and any(line.endswith(after) for line in comments)
    page = logged_in(browser, sites, DESKTOP)
    page.goto(sites.console + "/fragor/overvakning")
    page.get_by_label("Svar", exact=True).fill("Vi bevakar din webbplats dygnet runt.")
    page.get_by_role("button", name="Spara").click()
    expect(page.locator("#saved")).to_contain_text("Sparat", timeout=30_000)
    expect(page.locator("#saved")).to_be_focused()  # the outcome is read first, not the page from its top
    saved = faq.read_text(encoding="utf-8").splitlines()
    assert [line for line in comments if line not in saved] == []
    assert load_faq(faq).by_id["overvakning"].answer.strip() == "Vi bevakar din webbplats dygnet runt."


def test_enter_in_the_draft_question_field_saves_nothing(browser, sites):
    """The field says "(sparas inte)": Enter there must not press the form's first button, Spara."""
    faq = sites.folder / "faq.yaml"
    before = faq.read_bytes()
    page = logged_in(browser, sites, DESKTOP)
    page.goto(sites.console + "/fragor/telefonsupport")
    page.get_by_label("Svar", exact=True).fill("UTKAST: ring oss aldrig.")
    field = page.get_by_label("Prova utkastet med en fråga (sparas inte)")
    field.fill("Kan jag ringa er?")
    field.press("Enter")
    page.get_by_role("button", name="Prova utkastet").click()
    expect(page.get_by_text("UTKAST: ring oss aldrig.").first).to_be_visible()
    expect(page.locator("#saved")).to_have_count(0)
    assert faq.read_bytes() == before


def unsure_reply(api: httpx.Client) -> dict:
    """The first reply of the chat that offers the customer close entries to pick from."""
    for question in UNSURE:
        reply = api.post("api/ask", json={"question": question}).json()
        if reply["kind"] in ("choices", "helpdesk") and reply["suggestions"]:
            return reply
    raise AssertionError("no question offered entries to pick; add one to UNSURE")


def test_a_phrasing_a_customer_confirmed_and_staff_accepted_in_the_console_is_answered_at_once(browser, sites):
    with httpx.Client(base_url=sites.chat, timeout=30) as api:
        offered = unsure_reply(api)
        question, picked = offered["question"], offered["suggestions"][-1]["faq_id"]
        entry = offered["suggestions"][-1]["faq_question"]
        assert api.post("api/choice", json={"reply_id": offered["reply_id"], "faq_id": picked}).status_code == 200
        staff = logged_in(browser, sites, DESKTOP)
        staff.get_by_role("link", name="Att granska").click()
        suggestion = staff.locator("article.item", has=staff.get_by_role("heading", name=f"”{question}”"))
        expect(suggestion).to_contain_text(f"till {entry}")  # the entry, as staff know it
        suggestion.get_by_role("button", name="Godkänn").click()
        expect(staff.get_by_role("status")).to_contain_text(f"Tillagt i ”{entry}”", timeout=30_000)
        expect(staff.get_by_role("status")).to_be_focused()  # a screen reader reads the outcome
        accepted = time.monotonic()
        while (reply := api.post("api/ask", json={"question": question}).json())["kind"] != "answer":
            assert time.monotonic() - accepted < 5, f"still not answered after 5 s: {reply['kind']}"
            time.sleep(0.2)
    assert reply["faq_id"] == picked


def test_accept_all_and_an_entry_with_customers_phrasings_have_no_serious_axe_violation(browser, sites):
    """The states the page-by-page axe pass does not reach: the review page after "Godkänn alla"
    (its summary, a disclosure), and an entry page listing phrasings from customers, each with
    "Ta bort"; at desktop width and at 375 px, which must not scroll sideways."""
    with httpx.Client(base_url=sites.chat, timeout=30) as api:
        picked = []
        for question in UNSURE:
            reply = api.post("api/ask", json={"question": question}).json()
            if reply["suggestions"] and len(picked) < 2:  # choices, or under an answer or a helpdesk reply
                faq_id = reply["suggestions"][0]["faq_id"]
                assert api.post("api/choice", json={"reply_id": reply["reply_id"], "faq_id": faq_id}).status_code == 200
                picked.append((question, faq_id))
    assert len(picked) == 2, f"fewer than two questions offered entries to pick ({reply}); add some to UNSURE"
    staff = logged_in(browser, sites, DESKTOP)
    staff.get_by_role("link", name="Att granska").click()
    staff.get_by_role("button", name=re.compile(r"^Godkänn alla \d+$")).click()
    expect(staff.get_by_role("status")).to_contain_text("Tillagt", timeout=30_000)
    pages = {
        "/granska after Godkänn alla": None,
        f"/fragor/{picked[0][1]}": staff.get_by_role("button", name="Ta bort"),
    }
    assert at_both_widths(staff, sites, pages) == {}


def at_both_widths(staff, sites, pages: dict) -> dict:
    """Each page (a path, opened unless its must-show locator is None: the page the browser is on)
    at desktop width and at 375 px: the serious axe violations found, by page and width; a page
    that scrolls sideways fails at once."""
    found = {}
    for name, must_show in pages.items():
        if must_show is not None:
            staff.goto(sites.console + name)
            expect(must_show.first).to_be_visible()
        for viewport in (DESKTOP, PHONE):
            staff.set_viewport_size(viewport)
            if serious := serious_violations(staff):
                found[f"{name} at {viewport['width']} px"] = serious
            width = staff.evaluate("document.documentElement.scrollWidth")
            assert width <= viewport["width"], f"{name} scrolls sideways at {viewport['width']} px"
        staff.set_viewport_size(DESKTOP)
    return found


def test_the_pages_that_speak_of_a_marked_question_have_no_serious_axe_violation(browser, sites):
    """The states a mark brings, which the page-by-page pass does not reach: an entry's page with
    "Frågor om annat som posten når", Prova boten naming the mark that sent a question to the
    helpdesk, and Frågor och svar with its list; at desktop width and at 375 px, no sideways scroll.
    (The bundled model answers "Blir det regn i helgen?" with the emergency entry, unmarked.)"""
    faq, question = sites.folder / "faq.yaml", "Blir det regn i helgen?"
    add_off_topic(faq, [question])
    sites.desk.rebuild()
    try:
        staff = logged_in(browser, sites, DESKTOP)
        pages = {
            "/fragor/akut": staff.get_by_role("heading", name="Frågor om annat som posten når (1)"),
            "/prova?" + urlencode({"fraga": question}): staff.get_by_text("som ni har markerat som en fråga om annat"),
            "/fragor": staff.get_by_role("heading", name="Frågor om annat (1)"),
        }
        assert at_both_widths(staff, sites, pages) == {}
    finally:  # the other tests' FAQ as it was
        remove_off_topic(faq, question)
        sites.desk.rebuild()


def test_a_wrong_answer_a_customer_said_thumbs_down_to_and_staff_linked_is_answered_right(browser, sites):
    """The shipped bot answers "Hur snabbt svarar ni på mejl?" with the emergency entry; the
    customer says 👎; staff link the question to the helpdesk entry on the review page, by
    choosing it in the list and pressing Koppla; the chat then answers it with that entry."""
    question = "Hur snabbt svarar ni på mejl?"
    with httpx.Client(base_url=sites.chat, timeout=30) as api:
        wrong = api.post("api/ask", json={"question": question}).json()
        assert wrong["kind"] == "answer" and wrong["faq_id"] == "akut"
        assert api.post("api/feedback", json={"reply_id": wrong["reply_id"], "liked": False}).status_code == 200
        staff = logged_in(browser, sites, DESKTOP)
        staff.get_by_role("link", name="Att granska").click()
        choose = staff.get_by_label(f"”{question}” besvaras av")
        expect(choose).to_have_value("")  # no entry chosen for staff
        assert "akut" not in choose.locator("option").evaluate_all("options => options.map(o => o.value)")
        choose.select_option("helpdesk")
        choose.locator("xpath=ancestor::form").get_by_role("button", name="Koppla").click()
        expect(staff.get_by_role("status")).to_contain_text("Tillagt i ”", timeout=30_000)
        expect(staff.get_by_role("status").locator('a[href="/fragor/helpdesk"]')).to_have_count(1)  # by its question
        expect(staff.get_by_role("status")).to_be_focused()
        expect(staff.get_by_label(f"”{question}” besvaras av")).to_have_count(0)
        linked = time.monotonic()
        while (reply := api.post("api/ask", json={"question": question}).json()).get("faq_id") != "helpdesk":
            assert time.monotonic() - linked < 5, f"still {reply['kind']} {reply.get('faq_id')} after 5 s"
            time.sleep(0.2)
    assert reply["kind"] == "answer"


def test_the_helpdesk_groups_page_by_page_and_the_preparing_page_read_well_in_a_browser(browser, sites, monkeypatch):
    """Pages of helpdesk groups (20 a page; 1 here) and the page that says how far the
    suggestions are: walked with the links, axe-checked at both widths, no sideways scroll. The
    questions are rejected at the end, so the review page is as the other tests left it."""
    monkeypatch.setattr(console_app, "GROUPS_LISTED", 1)
    # the last asked twice, so that its group comes first: a 600-letter word made the page 35,000 px wide
    off_topic = ("Vem vann fotbollsmatchen i går?", "Blir det regn i Umeå i morgon?", f"Vad betyder {'W' * 600}?")
    with httpx.Client(base_url=sites.chat, timeout=30) as api:
        for question in (*off_topic, off_topic[-1]):
            assert api.post("api/ask", json={"question": question}).json()["kind"] == "helpdesk"
    staff = logged_in(browser, sites, DESKTOP)
    staff.get_by_role("link", name="Att granska").click()
    pager = staff.get_by_role("navigation", name="Sidor med frågor till helpdesk", exact=True)
    expect(pager).to_contain_text("(sida 1 av ")
    found = {}
    for viewport in (DESKTOP, PHONE):
        staff.set_viewport_size(viewport)
        if serious := serious_violations(staff):
            found[f"page 1 at {viewport['width']} px"] = serious
        assert staff.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    staff.set_viewport_size(DESKTOP)
    pager.get_by_role("link", name="Nästa sida").click()
    expect(staff).to_have_url(re.compile(r"/granska\?sida=2#helpdesk$"))
    expect(pager).to_contain_text("(sida 2 av ")
    staff.get_by_role("button", name="Avvisa frågan").first.click()  # back to page 2, or the last
    expect(staff.get_by_role("status")).to_contain_text("Avvisat", timeout=30_000)
    release = threading.Event()
    real, ready = learn.lesson_of, console_app.READY_SECONDS
    monkeypatch.setattr(console_app, "READY_SECONDS", 0.1)
    monkeypatch.setattr(learn, "lesson_of", lambda *args: (release.wait(30), real(*args))[1])
    try:
        staff.goto(sites.console + "/granska")  # the list drawn after the rejection, with its time
        expect(staff.get_by_role("status").filter(has_text="Listan är från")).to_be_visible()
        if serious := serious_violations(staff):
            found["an earlier list, with its time"] = serious
        sites.desk.drawn = None  # as on a console just started: nothing drawn yet
        staff.goto(sites.console + "/granska")
        expect(staff.get_by_role("heading", name="Förslagen förbereds")).to_be_visible()
        for viewport in (DESKTOP, PHONE):
            staff.set_viewport_size(viewport)
            if serious := serious_violations(staff):
                found[f"preparing at {viewport['width']} px"] = serious
    finally:
        release.set()
        monkeypatch.setattr(learn, "lesson_of", real)
        monkeypatch.setattr(console_app, "READY_SECONDS", ready)
    staff.set_viewport_size(DESKTOP)
    staff.get_by_role("link", name="Visa sidan igen").click()
    for question in off_topic:  # leave the list as it was
        while staff.get_by_role("heading", name=re.compile(re.escape(question))).count():
            heading = staff.get_by_role("heading", name=re.compile(re.escape(question))).first
            heading.locator("xpath=ancestor::article").get_by_role("button", name=re.compile("^Avvisa")).first.click()
            expect(staff.get_by_role("status")).to_contain_text("Avvisat", timeout=30_000)
    assert found == {}


def ask_the_api(chat: str, question: str) -> dict:
    request = urllib.request.Request(
        chat.rstrip("/") + "/api/ask",
        data=json.dumps({"question": question}).encode(),
        headers={"content-type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def test_a_version_restored_from_history_is_served_again(browser, sites):
    question = "Vad ingår i er support?"
    old = load_faq(sites.folder / "faq.yaml").by_id["support-ingar"].answer.split("\n")[0]
    edited = "Supporten ingår inte längre; allt debiteras per timme."
    staff = logged_in(browser, sites, DESKTOP)
    staff.goto(sites.console + "/fragor/support-ingar")
    staff.get_by_label("Svar", exact=True).fill(edited)
    staff.get_by_role("button", name="Spara").click()
    expect(staff.locator("#saved")).to_contain_text("Sparat", timeout=30_000)
    started = time.monotonic()
    while edited not in ask_the_api(sites.chat, question)["answer"]:
        assert time.monotonic() - started < 30, "the chat never answered with the edited text"

    staff.get_by_role("link", name="Frågor och svar").click()
    staff.get_by_role("link", name="Versioner").click()
    newest = staff.locator("li.item").first
    expect(newest).to_contain_text("ändrade: support-ingar")
    expect(newest).to_contain_text("anna")
    staff.locator("li.item").nth(1).get_by_role("link", name=re.compile("återställ")).click()  # its difference first
    expect(staff.get_by_text("Får tillbaka sina texter från version")).to_contain_text("support-ingar")
    staff.get_by_role("button", name=re.compile("Återställ version")).click()
    expect(staff.locator("#restored")).to_contain_text("återställd", timeout=30_000)
    expect(staff.locator("li.item").first).to_contain_text("återställde version")
    started = time.monotonic()
    while old not in (reply := ask_the_api(sites.chat, question))["answer"]:
        assert time.monotonic() - started < 30, f"the chat still answers {reply['answer']!r}"
    assert reply["faq_id"] == "support-ingar" and edited not in reply["answer"]


# The console as docs/staff.md shows it: `make docs` sets FAQBOT_SCREENSHOTS=docs/console, so the
# pictures are the pages as this code draws them; any other run writes them to a temporary folder.
SCREENSHOTS = [
    ("overview", "/", DESKTOP, "Översikt"),
    ("review", "/granska", DESKTOP, "Att granska"),
    ("entry", "/fragor/telefonsupport", DESKTOP, None),
    ("try", "/prova?fraga=Kan+jag+ringa+er%3F", DESKTOP, "Prova boten"),
    ("evaluation", "/utvardering", DESKTOP, None),
    ("history", "/historik", DESKTOP, None),
    ("overview-375px", "/", PHONE, "Översikt"),
]


def customers_teach(chat: str) -> None:
    """What the review page shows in the guide: a customer picks the entry offered beside a wrong
    answer, another's question goes to the helpdesk, a third says 👎 to an answer."""
    with httpx.Client(base_url=chat, timeout=30) as api:
        wrong = api.post("api/ask", json={"question": "Sajten ligger nere, vad gör jag?"}).json()
        assert "akut" in [s["faq_id"] for s in wrong["suggestions"]], wrong  # offered beside the answer
        assert api.post("api/choice", json={"reply_id": wrong["reply_id"], "faq_id": "akut"}).status_code == 200
        assert api.post("api/ask", json={"question": "Har ni parkering vid kontoret?"}).json()["kind"] == "helpdesk"
        rated = api.post("api/ask", json={"question": "Hur lång tid tar det innan ni svarar på mitt mejl?"}).json()
        assert api.post("api/feedback", json={"reply_id": rated["reply_id"], "liked": False}).status_code == 200


def save_and_restore(page, console: str) -> None:
    """Versions to show, however the test is run alone (`make docs`): a save, then the file as it
    was restored, which leaves the FAQ as the other tests know it."""
    page.goto(console + "/fragor/telefonsupport")
    phrasings = page.get_by_label("Andra sätt att fråga", exact=True)
    phrasings.fill(phrasings.input_value() + "\nHar ni telefonsupport på helgerna?")
    page.get_by_role("button", name="Spara").click()
    expect(page.locator("#saved")).to_contain_text("Sparat", timeout=30_000)
    page.goto(console + "/historik")
    page.locator("li.item").nth(1).get_by_role("link", name=re.compile("återställ")).click()  # its difference first
    page.get_by_role("button", name=re.compile("Återställ version")).click()
    expect(page.locator("#restored")).to_contain_text("återställd", timeout=30_000)


def run_the_test_set(page, sites: Sites) -> None:
    """A run to show: the shipped test set beside the FAQ, run from the page to its end (without a
    test set the page offers no run)."""
    shutil.copy(Path(__file__).resolve().parent.parent / "data" / "test_questions.jsonl", sites.folder)
    page.goto(sites.console + "/utvardering")
    page.get_by_role("button", name="Kör testmängden").click()
    expect(page.locator("#progress")).to_contain_text("Körningen", timeout=30_000)
    # the page never reloads unasked (axe's meta-refresh rule, critical: a walk-through found it did)
    assert page.locator('meta[http-equiv="refresh"]').count() == 0 and serious_violations(page) == []
    page.goto(sites.console + "/utvardering?foljer=1")  # "Uppdatera av sig själv": it follows the run
    expect(page.get_by_text("Den senaste körningen är klar")).to_be_visible(timeout=120_000)


def test_the_screenshots_in_the_staff_guide_are_the_console_as_it_is(browser, sites, tmp_path):
    folder = Path(os.environ.get("FAQBOT_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    customers_teach(sites.chat)
    pages = {viewport["width"]: logged_in(browser, sites, viewport) for viewport in (DESKTOP, PHONE)}
    for name, path, viewport, heading in SCREENSHOTS:
        page = pages[viewport["width"]]
        if name == "history":
            save_and_restore(page, sites.console)
        if name == "evaluation":
            run_the_test_set(page, sites)
        page.goto(sites.console + path)
        if heading:
            expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        assert "Logga in" not in page.title()
        if name == "review":  # something in each of its three lists
            for button in ("Godkänn", "Koppla", "Svaret var rätt"):
                expect(page.get_by_role("button", name=button).first).to_be_visible()
        picture = folder / f"{name}.jpg"
        page.screenshot(path=str(picture), full_page=name != "entry", type="jpeg", quality=70)
        assert picture.read_bytes()[:3] == b"\xff\xd8\xff" and picture.stat().st_size > 5_000
    guide = (Path(__file__).resolve().parent.parent / "docs" / "staff.md").read_text(encoding="utf-8")
    shown = set(re.findall(r"\(console/([\w-]+)\.jpg\)", guide))
    assert shown == {name for name, *_ in SCREENSHOTS}  # the guide shows every one, and no other
