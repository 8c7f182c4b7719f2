"""The chat widget as a customer uses it: the real app (`python app.py`) in Debian's Chromium.

Each app runs in its own process on a free port, over a private copy of the shipped FAQ, index
and settings, with its conversation log under tmp_path. Screenshots go to tmp_path; set
FAQBOT_SCREENSHOTS=docs to refresh the ones the README shows.

Needs Playwright (`pip install playwright`, no browser download) and `/usr/bin/chromium`
(`apt-get install -y chromium`).
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright

from faqbot import FaqBot, build_index, load_faq
from faqbot.bot import new_reply_id
from faqbot.conversations.store import ConversationLog
from tests import harness
from tests.conftest import HELPDESK, ROOT
from tests.fakes import ENGLISH_FAQ, NEW_ENTRY, record

pytestmark = pytest.mark.slow  # a real app process (and a browser) per module

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}
BOT = "#faq-chat [data-testid=bot]"
USER = "#faq-chat [data-testid=user]"
LOCAL = ("http://127.0.0.1", "file://", "data:", "blob:", "about:")


def private_copy(folder: Path, shipped_index: Path) -> Path:
    for name in ("faq.yaml", "config.yaml"):
        shutil.copy(shipped_index / name, folder / name)
    shutil.copytree(shipped_index / "index", folder / "index")
    # All the tabs here are one customer (127.0.0.1), asking far faster than a person: without
    # this, the rate limit would answer the latency test with its notice.
    settings = (folder / "config.yaml").read_text(encoding="utf-8")
    (folder / "config.yaml").write_text(
        re.sub(r"(?m)^rate_limit_per_minute:.*$", "rate_limit_per_minute: 0", settings), encoding="utf-8"
    )
    return folder


@contextmanager
def running_app(folder: Path, script: Path = ROOT / "app.py") -> Iterator[str]:
    """`python app.py` (or `script`) over the FAQ in `folder`; yields its address once it answers."""
    with harness.running_app(folder, folder / "conversations.db", timeout=60, script=script) as (url, _):
        yield url


def with_chromium() -> Iterator[Browser]:
    """Debian's Chromium under Playwright, for as long as the generator is not finished."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing; install Debian's chromium: apt-get install -y chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    yield from with_chromium()


@pytest.fixture(scope="module")
def site(tmp_path_factory, shipped_index) -> Iterator[tuple[str, Path]]:
    folder = private_copy(tmp_path_factory.mktemp("site"), shipped_index)
    with running_app(folder) as url:
        yield url, folder


@pytest.fixture
def screenshots(tmp_path) -> Path:
    folder = Path(os.environ.get("FAQBOT_SCREENSHOTS") or tmp_path)
    folder = folder if folder.is_absolute() else ROOT / folder
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class Customer:
    """One browser tab on the widget, and every request it made to a host other than ours."""

    def __init__(self, browser: Browser, url: str, viewport: dict) -> None:
        self.context = browser.new_context(viewport=viewport)
        self.outside: list[str] = []
        self.context.on("request", self._note)
        self.page: Page = self.context.new_page()
        # The page's welcome call (the greeting of the FAQ being served) has returned before the
        # customer types, so every test starts from the same greeting (a late one is tested alone).
        # Generous: on a busy machine (other test runs on the same cores) a page load is slow.
        with self.page.expect_response(lambda response: "/gradio_api/run/" in response.url, timeout=30_000):
            self.page.goto(url)
        expect(self.page.locator("#faq-chat .option").first).to_be_visible(timeout=30_000)

    def _note(self, request) -> None:
        if not request.url.startswith(LOCAL) and not request.url.startswith("mailto:"):
            self.outside.append(request.url)

    @property
    def box(self) -> Locator:
        return self.page.locator("#faq-input textarea")

    def answer_after(self, action) -> Locator:
        """Do `action` (type or click) and return the bot's reply to it once it is shown."""
        before = self.page.locator(BOT).count()
        action()
        # Checked on every animation frame, so the time measured is the time it took.
        self.page.wait_for_function(
            f"document.querySelectorAll({BOT!r}).length > {before}", polling="raf", timeout=15_000
        )
        return self.page.locator(BOT).nth(before)

    def ask(self, text: str) -> Locator:
        def type_and_send() -> None:
            self.box.fill(text)
            self.box.press("Enter")

        return self.answer_after(type_and_send)

    def buttons_of(self, reply: Locator) -> Locator:
        return reply.locator(
            "xpath=ancestor::div[contains(@class,'message-row')]"
            "/following-sibling::div[contains(@class,'message-buttons')][1]"
        )

    def close(self) -> None:
        self.context.close()


def logged_rows(folder: Path):
    with ConversationLog(folder / "conversations.db") as log:
        return log.questions()


def wait_for(condition, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the condition")
        time.sleep(0.1)
    return result


def test_a_customer_asks_is_handed_off_clicks_a_suggestion_and_rates_an_answer(browser, site, screenshots):
    url, folder = site
    customer = Customer(browser, url, DESKTOP)
    page = customer.page

    greeting = page.locator(BOT).first
    expect(greeting).to_contain_text("Hej! Jag svarar på vanliga frågor")
    expect(greeting).to_contain_text(HELPDESK)

    # A Swedish question gets its answer, with the FAQ question it came from.
    reply = customer.ask("Kan jag ringa er?")
    expect(reply).to_contain_text("supportavtal")
    expect(reply.locator(".faq-source")).to_have_text("Källa (vanliga frågor): ”Finns det ingen telefonsupport?”")

    # 👍 on it reaches the conversation log, on the row with the question and the entry.
    customer.buttons_of(reply).get_by_role("button", name="Svaret hjälpte", exact=True).click()
    row = wait_for(lambda: next((r for r in logged_rows(folder) if r.feedback is not None), None))
    assert (row.question, row.faq_id, row.feedback) == ("Kan jag ringa er?", "telefonsupport", 1)

    # An unrelated question is handed to the helpdesk: one click opens a mail with the question.
    rated = reply
    reply = customer.ask("Vad är huvudstaden i Frankrike?")
    # ... and the 👍 given above still shows as given (the chat sent back had reset it)
    expect(customer.buttons_of(rated).get_by_role("button", name="Svaret hjälpte (valt)", exact=True)).to_be_visible()
    expect(reply).to_contain_text(HELPDESK)
    link = reply.locator(".faq-mail a")
    fields = parse_qs(urlsplit(link.get_attribute("href")).query)
    assert link.get_attribute("href").startswith(f"mailto:{HELPDESK}?")
    assert "Vad är huvudstaden i Frankrike?" in fields["subject"][0]
    assert "Vad är huvudstaden i Frankrike?" in fields["body"][0]
    with customer.context.expect_event("request", lambda request: request.url.startswith("mailto:")) as mail:
        link.click()
    assert mail.value.url == link.get_attribute("href")

    # A vague question gets "Menade du kanske:" buttons; a click asks the suggested question.
    reply = customer.ask("Vilka program använder ni?")
    expect(reply).to_contain_text("Menade du kanske:")
    suggestion = page.locator("#faq-chat .options .option").first
    suggested = suggestion.inner_text()
    reply = customer.answer_after(suggestion.click)
    expect(page.locator(USER).last).to_have_text(suggested)
    expect(reply.locator(".faq-source")).to_have_text(f"Källa (vanliga frågor): ”{suggested}”")

    # Whatever the customer types is shown as text, never run or rendered.
    typed = (
        '<script>window.hacked = 1</script> <img src=x onerror="window.hacked = 2"> **fet** [länk](https://example.com)'
    )
    reply = customer.ask(typed)
    shown = page.locator(USER).last
    expect(shown).to_have_text(typed)
    assert shown.locator("script, img, strong, a").count() == 0
    assert page.evaluate("window.hacked") is None
    expect(reply).to_contain_text(HELPDESK)

    # An English question gets English wording around the Swedish answer.
    reply = customer.ask("Can I call you?")
    expect(reply).to_contain_text("Our FAQ is in Swedish")
    expect(reply.locator(".faq-source")).to_contain_text("Source (our FAQ)")
    expect(customer.box).to_have_attribute("placeholder", "Type your question here …")
    # named by its wording alone (Gradio's label around it also holds the send button)
    expect(customer.box).to_have_accessible_name("Type your question here …")
    expect(customer.page.locator("#faq-input button")).to_have_text("Send")
    # ... and back to Swedish when the customer is.
    customer.ask("Hur ofta tar ni backup?")
    expect(customer.box).to_have_attribute("placeholder", "Skriv din fråga här …")
    expect(customer.page.locator("#faq-input button")).to_have_text("Skicka")
    expect(customer.box).to_have_accessible_name("Skriv din fråga här …")

    assert customer.outside == []
    customer.close()


def test_earlier_choices_stay_readable_and_thumbs_sit_only_under_faq_answers(browser, site):
    customer = Customer(browser, site[0], DESKTOP)
    page = customer.page
    greeting = page.locator(BOT).first
    vague = customer.ask("Vilka program använder ni?")
    expect(vague).to_contain_text("Menade du kanske:")
    offered = page.locator("#faq-chat .options .option").all_inner_texts()
    assert 2 <= len(offered) <= 3
    hello = customer.ask("Hej!")
    answer = customer.ask("Kan jag ringa er?")
    # Two messages later, the choices are still there to read, in the message they came with.
    for label in offered:
        expect(vague).to_contain_text(label)
    # 👍/👎 under the FAQ answer only: not under the greeting, "Hej!", or the unsure reply.
    for message in (greeting, vague, hello):
        expect(customer.buttons_of(message).get_by_role("button", name="Svaret hjälpte", exact=True)).to_be_hidden()
    expect(customer.buttons_of(answer).get_by_role("button", name="Svaret hjälpte", exact=True)).to_be_visible()
    customer.close()


def test_under_an_answer_with_choices_the_choices_follow_their_words_and_swedish_thumbs_follow_them(browser, site):
    customer = Customer(browser, site[0], DESKTOP)
    page = customer.page
    reply = customer.ask("Vad ingår i supporten och vad kostar den?")
    expect(reply.locator(".faq-source")).to_be_visible()
    expect(reply).to_contain_text("Menade du kanske:")
    up = customer.buttons_of(reply).get_by_role("button", name="Svaret hjälpte", exact=True)
    down = customer.buttons_of(reply).get_by_role("button", name="Svaret hjälpte inte", exact=True)
    expect(up).to_have_attribute("title", "Svaret hjälpte")
    expect(down).to_have_attribute("title", "Svaret hjälpte inte")
    words, choices = reply.bounding_box(), page.locator("#faq-chat .options").bounding_box()
    thumb_up, thumb_down = up.bounding_box(), down.bounding_box()
    assert words["y"] + words["height"] <= choices["y"] < thumb_up["y"]  # words, their choices, then 👍/👎
    assert thumb_up["x"] < thumb_down["x"]  # 👍 first
    # ... for the keyboard too: Gradio puts 👎 first in the page, so Tab reached it first.
    up.focus()
    page.keyboard.press("Tab")
    expect(down).to_be_focused()
    # WCAG 2.5.8: a target 24 px square at least (Gradio's were 18).
    assert min(thumb_up["width"], thumb_up["height"], thumb_down["width"], thumb_down["height"]) >= 24
    # Screen readers get the text as shown, not its Markdown or the mail link's encoded URL.
    label = reply.get_attribute("aria-label")
    assert label.startswith("Chattbotten svarar: ") and "Källa (vanliga frågor)" in label and HELPDESK in label
    assert "](" not in label and "%20" not in label and "<span" not in label and "\\" not in label
    assert page.evaluate("document.documentElement.lang") == "sv"
    customer.close()


def test_english_messages_are_marked_english_for_screen_readers_in_the_swedish_page(browser, site):
    """WCAG 3.1.2: an English question and the bot's English hand-off were read with the page's
    Swedish voice; an answer given in Swedish (the FAQ has no English one) stays Swedish."""
    customer = Customer(browser, site[0], DESKTOP)
    page = customer.page
    handed_off = customer.ask("What will the weather be like in Stockholm tomorrow?")
    expect(handed_off).to_contain_text(HELPDESK)
    expect(handed_off).to_have_attribute("lang", "en")
    expect(page.locator("#faq-chat [data-testid=user]").last).to_have_attribute("lang", "en")
    swedish = customer.ask("Hur ofta gör ni säkerhetskopior?")
    assert swedish.get_attribute("lang") is None
    assert page.locator("#faq-chat [data-testid=user]").last.get_attribute("lang") is None
    assert page.evaluate("document.documentElement.lang") == "sv"
    # An English question answered from an entry with no English answer: the answer is Swedish,
    # the bot's English words around it are marked English one by one (a walk-through heard "Our
    # FAQ is in Swedish ..." in a Swedish voice), and so are its 👍/👎, as the customer wrote English.
    mixed = customer.ask("Can I call you?")
    assert mixed.get_attribute("lang") is None
    english = mixed.locator("[lang=en]")
    expect(english).to_have_text(
        [
            "Our FAQ is in Swedish, so here is the answer in Swedish:",
            f"Did this not help? Write to {HELPDESK} and we will help you.",
            "Source (our FAQ):",
        ]
    )
    expect(mixed.locator(".faq-source")).to_have_text("Source (our FAQ): ”Finns det ingen telefonsupport?”")
    buttons = customer.buttons_of(mixed)
    expect(buttons.get_by_role("button", name="The answer helped", exact=True)).to_have_attribute("lang", "en")
    customer.close()


def test_the_thumbs_under_an_english_answer_are_named_in_english(browser, tmp_path, embedder):
    """An answer staff wrote in English is read in English; its 👍/👎 were read as Swedish words."""
    (tmp_path / "faq.yaml").write_text(ENGLISH_FAQ, encoding="utf-8")
    shutil.copy(ROOT / "data" / "config.yaml", tmp_path / "config.yaml")
    build_index(load_faq(tmp_path / "faq.yaml"), embedder, tmp_path / "index")
    with running_app(tmp_path) as url:
        customer = Customer(browser, url, DESKTOP)
        reply = customer.ask("How often do you make backups of my site?")
        expect(reply).to_contain_text("We back up your website every night.")
        buttons = customer.buttons_of(reply)
        up = buttons.get_by_role("button", name="The answer helped", exact=True)
        expect(up).to_have_attribute("lang", "en")
        expect(buttons.get_by_role("button", name="The answer did not help", exact=True)).to_have_attribute(
            "lang", "en"
        )
        up.click()
        expect(buttons.get_by_role("button", name="The answer helped (chosen)", exact=True)).to_be_visible()
        row = wait_for(lambda: next((r for r in logged_rows(tmp_path) if r.feedback is not None), None))
        assert (row.faq_id, row.feedback) == ("backup", 1)
        customer.close()


def test_the_customers_message_shows_before_the_answer_arrives(browser, site):
    customer = Customer(browser, site[0], DESKTOP)
    page = customer.page
    # Hold the server call back until the checks are done: the message must be on screen
    # without it, put there by the browser. (Held, not delayed: on a busy machine a delay can
    # run out before the checks do.)
    held: list = []

    def hold_the_question(route) -> None:  # other calls (the page's welcome, late on a busy machine) go on
        if "Kan jag ringa er?" in (route.request.post_data or ""):
            held.append(route)
        else:
            route.continue_()

    page.route("**/gradio_api/run/**", hold_the_question)
    customer.box.fill("Kan jag ringa er?")
    customer.box.press("Enter")
    expect(page.locator(USER).last).to_have_text("Kan jag ringa er?", timeout=5000)
    expect(customer.box).to_have_value("")
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(50)  # lets Playwright deliver the request to the handler
    assert len(held) == 1 and page.locator(BOT).count() == 1
    held[0].continue_()
    expect(page.locator(BOT).nth(1)).to_contain_text("supportavtal", timeout=15_000)
    customer.close()


def test_a_greeting_that_comes_back_late_leaves_the_chat_under_way(browser, site):
    # On a slow server the page's welcome call (the greeting of the FAQ served now) can come
    # back after the customer's first message: held here until that message is answered.
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    held: list = []

    def hold_the_welcome(route) -> None:
        if "Kan jag ringa er?" in (route.request.post_data or ""):
            route.continue_()
        else:
            held.append(route)

    page.route("**/gradio_api/run/**", hold_the_welcome)
    page.goto(site[0])
    box = page.locator("#faq-input textarea")
    for _ in range(200):
        if held:
            break
        page.wait_for_timeout(50)  # lets Playwright deliver the request to the handler
    assert len(held) == 1
    box.fill("Kan jag ringa er?")
    box.press("Enter")
    expect(page.locator(BOT).nth(1)).to_contain_text("supportavtal", timeout=15_000)
    with page.expect_response(lambda response: "/gradio_api/run/" in response.url):
        held[0].continue_()
    page.wait_for_timeout(1000)  # what the late greeting does to the chat is done by now
    expect(page.locator(USER)).to_have_text(["Kan jag ringa er?"])
    expect(page.locator(BOT)).to_have_count(2)
    expect(page.locator(BOT).nth(1)).to_contain_text("supportavtal")
    context.close()


def test_when_the_server_that_held_the_chat_dies_the_chat_stays_on_screen_and_says_it_restarted(
    browser, tmp_path, shipped_index
):
    """Issue 20 item 5: behind a proxy the next message goes to another replica, which knew
    nothing of the session; the chat's earlier messages vanished without a word. Here the one
    server is stopped and another started on the same address, as a proxy's next replica."""
    folder = private_copy(tmp_path, shipped_index)
    port = harness.free_port()
    with harness.running_app(folder, folder / "conversations.db", timeout=60, port=port) as (url, _):
        customer = Customer(browser, url, DESKTOP)
        customer.ask("Hur ofta tar ni backup?")
        customer.ask("Kan jag ringa er?")
    page = customer.page
    with harness.running_app(folder, folder / "conversations.db", timeout=60, port=port):
        customer.box.fill("Vad ingår i er support?")
        customer.box.press("Enter")
        answer = page.locator(BOT).last.locator(".faq-source")
        expect(answer).to_contain_text("”Vad ingår i er support?”", timeout=15_000)
        # before the fix: only this question was left, under the new server's greeting
        expect(page.locator(USER)).to_have_text(
            ["Hur ofta tar ni backup?", "Kan jag ringa er?", "Vad ingår i er support?"]
        )
        notice = page.locator(BOT).nth(3)
        expect(notice).to_contain_text("Chatten har startats om, så jag minns inte längre vad vi skrev tidigare.")
        expect(page.locator(BOT).nth(2)).to_contain_text("supportavtal")  # the earlier answers are still there
        expect(page.locator(BOT).nth(4).locator(".faq-source")).to_contain_text("”Vad ingår i er support?”")
        # the chat goes on with the new server, the earlier messages still shown
        customer.ask("Kan jag lägga upp min hemsida hos er?")
        expect(page.locator(USER)).to_have_count(4)
        expect(page.locator(BOT)).to_have_count(6)
        expect(page.locator(BOT).nth(1)).to_contain_text("säkerhetskopior")
    customer.close()


def test_the_server_output_offers_no_public_share_link(browser, site):
    url, folder = site
    Customer(browser, url, DESKTOP).close()
    output = (folder / "app.log").read_text(encoding="utf-8")
    assert url.rstrip("/") in output and "share" not in output.casefold()


def test_a_choices_reply_shows_its_choices_as_buttons_that_ask_them(browser, tmp_path, shipped_index):
    folder = private_copy(tmp_path, shipped_index)
    with running_app(folder, script=ROOT / "tests" / "unsure_app.py") as url:
        customer = Customer(browser, url, DESKTOP)
        page = customer.page
        unsure = customer.ask("Vilka program använder ni?")
        expect(unsure).to_contain_text("Jag är inte säker på vilken fråga du menar")
        choices = page.locator("#faq-chat .options .option")
        offered = choices.all_inner_texts()
        assert 2 <= len(offered) <= 3
        reply = customer.answer_after(choices.nth(1).click)
        expect(page.locator(USER).last).to_have_text(offered[1])
        expect(reply.locator(".faq-source")).to_have_text(f"Källa (vanliga frågor): ”{offered[1]}”")
        for label in offered:  # still readable where they were offered
            expect(unsure).to_contain_text(label)
        customer.close()


def test_screenshot_at_desktop_width(browser, site, screenshots):
    customer = Customer(browser, site[0], DESKTOP)
    customer.ask("Kan jag ringa er?")
    expect(customer.ask("Vilka program använder ni?").locator(".faq-mail a")).to_be_visible()
    expect(customer.page.locator("#faq-chat .options .option").first).to_be_in_viewport()
    customer.page.screenshot(path=screenshots / "widget-desktop.png")
    assert customer.outside == []
    customer.close()


def test_the_widget_is_usable_on_a_phone(browser, site, screenshots):
    url, _ = site
    customer = Customer(browser, url, PHONE)
    page = customer.page
    example = page.locator("#faq-chat .option").nth(1)
    reply = customer.answer_after(example.click)
    expect(reply.locator(".faq-source")).to_be_visible()
    reply = customer.ask("Vilka program använder ni?")
    expect(reply.locator(".faq-mail a")).to_be_in_viewport()
    # Header, conversation, suggestions and input fit the screen; nothing sticks out sideways.
    for part in ("#faq-header", "#faq-chat .options .option >> nth=0", "#faq-input textarea"):
        expect(page.locator(part)).to_be_in_viewport()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    box = page.locator("#faq-input textarea").bounding_box()
    assert box["width"] > 200 and box["y"] + box["height"] <= PHONE["height"]
    page.screenshot(path=screenshots / "widget-phone.png")
    assert customer.outside == []
    customer.close()


def test_the_input_box_shows_where_the_keyboard_is(browser, site):
    """WCAG 2.4.7: reached with Tab, the box had no outline and looked as it does unfocused."""
    customer = Customer(browser, site[0], DESKTOP)
    page = customer.page
    outline = "getComputedStyle(document.querySelector('#faq-input textarea')).outlineStyle"
    assert page.evaluate(outline) == "none"  # not focused: no ring
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement === document.querySelector('#faq-input textarea')"):
            break
    assert page.evaluate("document.activeElement === document.querySelector('#faq-input textarea')")
    assert page.evaluate(outline) == "solid"
    assert page.evaluate("getComputedStyle(document.querySelector('#faq-input textarea')).outlineWidth") == "3px"
    customer.close()


def test_the_widget_works_embedded_in_a_web_page(browser, site, screenshots):
    url, _ = site
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto((ROOT / "examples" / "embed.html").as_uri() + "?app=" + url)
    page.get_by_role("button", name="Öppna chatten").click()
    chat = page.frame_locator("#chat-frame")
    chat.locator("#faq-input textarea").fill("Kan jag ringa er?")
    chat.locator("#faq-input textarea").press("Enter")
    expect(chat.locator(BOT).nth(1)).to_contain_text("Finns det ingen telefonsupport?", timeout=15_000)
    page.screenshot(path=screenshots / "widget-embedded.png")
    context.close()


def test_screenshot_of_the_html_report_over_two_weeks_of_log(browser, bot, shipped_index, tmp_path, screenshots):
    """`faqbot report --html` as staff open it: two weeks of the shipped test questions with the
    bot's real replies, each row dated back through the log's clock (quieter weekends, more
    questions as the weeks go on, some answers marked 👎)."""
    lines = (ROOT / "data" / "test_questions.jsonl").read_text(encoding="utf-8").splitlines()
    replies = [bot.ask(json.loads(line)["question"]) for line in lines if line.strip()]
    replies = [r for r in replies if r.kind != "error"]
    pick, now = random.Random(14), [datetime.now(UTC)]
    first_day = (now[0] - timedelta(days=13)).replace(hour=8, minute=0, second=0, microsecond=0)
    log_file = tmp_path / "conversations.db"
    with ConversationLog(log_file, clock=lambda: now[0]) as log:
        for day in range(14):
            morning = first_day + timedelta(days=day)
            for n in range(5 if morning.weekday() >= 5 else 16 + 2 * day):
                now[0] = morning + timedelta(minutes=17 * n)
                # each row its own reply: a reply picked twice kept its id and the log refused the
                # repeat; rows went missing, and on 2026-12-05 a whole day (13 bars, not 14)
                reply = replace(pick.choice(replies), reply_id=new_reply_id())
                row = record(log, reply, bot.threshold, bot.index_version)
                if row is not None and reply.kind == "answer" and pick.random() < 0.08:
                    log.record_feedback(row, False)
    page_file = tmp_path / "report.html"
    staff = subprocess.run(
        [sys.executable, "-m", "faqbot.cli", "report", "--html", "report.html", "--log-file", log_file.name]
        + ["--faq", str(shipped_index / "faq.yaml"), "--index", str(shipped_index / "index")]
        + ["--config", str(shipped_index / "config.yaml")],
        cwd=tmp_path,  # the page names the log as given: conversations.db
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert staff.returncode == 0, staff.stderr
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    outside: list[str] = []
    context.on("request", lambda r: None if r.url.startswith(LOCAL) else outside.append(r.url))
    page = context.new_page()
    page.goto(page_file.as_uri())
    chart = page.locator("svg").first
    expect(chart).to_be_visible()
    assert chart.locator("rect").count() - 4 == 14  # a bar per day; four rects are the legend's
    page.screenshot(path=screenshots / "report.png", full_page=True)
    assert outside == []
    context.close()


def test_a_rebuilt_index_is_served_without_a_restart(browser, tmp_path, shipped_index):
    folder = private_copy(tmp_path, shipped_index)
    with running_app(folder) as url:
        customer = Customer(browser, url, DESKTOP)
        # not in the FAQ yet: the helpdesk (worded either way: with or without close questions under it)
        unanswered = customer.ask("Har ni en kontorshund?")
        expect(unanswered).to_contain_text("Det kan jag")
        expect(unanswered).to_contain_text("helpdesk@winterkvist.com")

        with open(folder / "faq.yaml", "a", encoding="utf-8") as faq:
            faq.write(NEW_ENTRY)
        staff = subprocess.run(
            [
                sys.executable,
                "-m",
                "faqbot.cli",
                "index",
                "--faq",
                "faq.yaml",
                "--out",
                "index",
                "--config",
                "config.yaml",
            ],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert staff.returncode == 0, staff.stderr
        assert "added: kontorshund" in staff.stdout

        reply = customer.ask("Har ni en kontorshund?")
        expect(reply).to_contain_text("Sigrid")
        expect(reply.locator(".faq-source")).to_contain_text("Har ni en kontorshund?")
        customer.close()


def test_time_from_message_to_answer_shown(browser, site):
    """The median over 20 messages, as a customer's browser sees it, next to the bot's own time.

    The bot's own time is `FaqBot.ask` in this process over the same FAQ, one call right after
    each browser message, so both see the same load on the machine.
    """
    url, folder = site
    bot = FaqBot(folder / "faq.yaml", folder / "index", folder / "config.yaml")
    customer = Customer(browser, url, DESKTOP)
    questions = ["Kan jag ringa er?", "Hur ofta tar ni backup?", "Vad är huvudstaden i Frankrike?", "Can I call you?"]
    shown, own, replies = [], [], []
    for n in range(20):
        question = questions[n % len(questions)]
        start = time.perf_counter()
        replies.append(customer.ask(question))
        shown.append(time.perf_counter() - start)
        start = time.perf_counter()
        bot.ask(question)
        own.append(time.perf_counter() - start)
    median, bot_median = statistics.median(shown), statistics.median(own)
    print(
        f"\nmessage -> answer shown: median {median * 1000:.0f} ms, max {max(shown) * 1000:.0f} ms over 20; "
        f"the bot's own FaqBot.ask: median {bot_median * 1000:.1f} ms ({median / bot_median:.1f}x)"
    )
    # The 5x target is a benchmark's to judge (benchmarks/README.md): on a shared CI machine the
    # ratio moves with the load. Here: the answers on screen belong to their questions.
    expect(replies[-2]).to_contain_text("helpdesk@winterkvist.com")  # the capital of France: not in the FAQ
    expect(replies[-1]).to_contain_text("supportavtal")  # "Can I call you?": the phone support entry
    customer.close()
