"""The staff console in Chromium: log in, edit an answer, and the public chat answers with it.

The chat (`python app.py`) runs in its own process over a private copy of the shipped FAQ and
index; the console runs in this process over the same files, on its own port. axe-core checks
every console page at desktop width and at 375 px.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from faqbot import load_faq
from faqbot.config import Settings
from faqbot.staff.console.accounts import StaffStore
from faqbot.staff.console.app import create_console
from faqbot.staff.console.service import Desk
from faqbot.staff.console.web import Console
from tests.harness import free_port
from tests.test_accessibility import WCAG
from tests.test_browser import DESKTOP, PHONE, Customer, private_copy, running_app, with_chromium
from tests.test_console import PASSWORD

pytestmark = pytest.mark.slow

NEW_ANSWER = "Ja, ring 08-555 123 45 vardagar 9-16; det kräver ett supportavtal."
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
    "/login",
]


@dataclass
class Sites:
    chat: str
    console: str
    folder: Path


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
        store.add_user("anna", PASSWORD)
        desk = Desk(settings)
        port = free_port()
        server = uvicorn.Server(
            uvicorn.Config(create_console(Console(desk, store)), host="127.0.0.1", port=port, log_level="warning")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        yield Sites(chat, f"http://127.0.0.1:{port}", folder)
        server.should_exit = True
        thread.join(10)
        desk.close()


def logged_in(browser: Browser, sites: Sites, viewport: dict) -> Page:
    page = browser.new_context(viewport=viewport).new_page()
    page.goto(sites.console + "/")
    expect(page).to_have_url(sites.console + "/login")
    page.get_by_label("Användarnamn").fill("anna")
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


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "375px"])
def test_axe_finds_no_serious_violation_on_any_console_page(browser, sites, viewport):
    page = logged_in(browser, sites, viewport)
    found = {}
    for path in PAGES:
        if path == "/login":
            page.get_by_role("button", name="Logga ut").first.click()
            expect(page).to_have_url(sites.console + "/login")
        else:
            page.goto(sites.console + path)
        results = Axe().run(page, options=WCAG)
        serious = [
            f"{v['id']} ({v['impact']}): {v['help']}; e.g. {v['nodes'][0]['target']}"
            for v in results.response["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        if serious:
            found[path] = serious
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], f"{path} scrolls sideways at {viewport['width']} px"
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
    staff.locator("li.item").nth(1).get_by_role("button", name=re.compile("Återställ")).click()
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


def test_the_screenshots_in_the_staff_guide_are_the_console_as_it_is(browser, sites, tmp_path):
    folder = Path(os.environ.get("FAQBOT_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    pages = {viewport["width"]: logged_in(browser, sites, viewport) for viewport in (DESKTOP, PHONE)}
    for name, path, viewport, heading in SCREENSHOTS:
        page = pages[viewport["width"]]
        page.goto(sites.console + path)
        if heading:
            expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        assert "Logga in" not in page.title()
        picture = folder / f"{name}.jpg"
        page.screenshot(path=str(picture), full_page=name != "entry", type="jpeg", quality=70)
        assert picture.read_bytes()[:3] == b"\xff\xd8\xff" and picture.stat().st_size > 5_000
    guide = (Path(__file__).resolve().parent.parent / "docs" / "staff.md").read_text(encoding="utf-8")
    shown = set(re.findall(r"\(console/([\w-]+)\.jpg\)", guide))
    assert shown == {name for name, *_ in SCREENSHOTS}  # the guide shows every one, and no other
