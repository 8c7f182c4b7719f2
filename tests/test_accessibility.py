"""The chat widget for customers who use a screen reader, a keyboard only, or a small screen.

axe-core (the `axe-playwright-python` package, which bundles it: nothing is fetched) checks the
widget at desktop and phone width and on the embed page: no serious or critical violation of
WCAG 2.1 A/AA. A keyboard-only customer asks a question and picks a choice; the conversation
is an aria-live region, so replies are read out.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, expect

from tests.conftest import ROOT
from tests.test_browser import BOT, DESKTOP, PHONE, USER, Customer, private_copy, running_app, with_chromium

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    yield from with_chromium()


@pytest.fixture(scope="module")
def widget_site(tmp_path_factory, shipped_index) -> Iterator[str]:
    with running_app(private_copy(tmp_path_factory.mktemp("a11y"), shipped_index)) as url:
        yield url


WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}}


def serious(target) -> list[str]:
    """axe-core's serious and critical violations on a page or frame, one line each."""
    results = Axe().run(target, options=WCAG)
    return [
        f"{v['id']} ({v['impact']}): {v['help']}; e.g. {v['nodes'][0]['target']}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "375px"])
def test_axe_finds_no_serious_violation_in_a_conversation(chromium, widget_site, viewport):
    customer = Customer(chromium, widget_site, viewport)
    assert serious(customer.page) == []
    customer.ask("Kan jag ringa er?")
    expect(customer.ask("Vilka program använder ni?")).to_contain_text("Menade du kanske:")
    assert serious(customer.page) == []
    customer.close()


def test_axe_finds_no_serious_violation_on_the_embed_page(chromium, widget_site):
    context = chromium.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto((ROOT / "examples" / "embed.html").as_uri() + "?app=" + widget_site)
    assert serious(page) == []
    page.get_by_role("button", name="Öppna chatten").click()
    frame = page.frame_locator("#chat-frame")
    expect(frame.locator("#faq-chat .option").first).to_be_visible(timeout=30_000)
    assert serious(page) == []
    assert serious(next(f for f in page.frames if f != page.main_frame)) == []
    context.close()


def tab_to(page, selector: str, backwards: bool = False, presses: int = 40) -> None:
    """Press Tab (or Shift+Tab) until the focused element matches `selector`."""
    for _ in range(presses):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        if page.evaluate(f"document.activeElement && document.activeElement.matches({selector!r})"):
            return
    raise AssertionError(f"{presses} presses of Tab never reached {selector}")


def test_a_keyboard_only_customer_asks_and_picks_a_choice(chromium, widget_site):
    customer = Customer(chromium, widget_site, DESKTOP)
    page = customer.page
    tab_to(page, "#faq-input textarea")
    before = page.locator(BOT).count()
    page.keyboard.type("Vilka program använder ni?")
    page.keyboard.press("Enter")
    expect(page.locator(BOT).nth(before)).to_contain_text("Menade du kanske:", timeout=15_000)
    tab_to(page, "#faq-chat .options .option", backwards=True)
    picked = page.evaluate("document.activeElement.textContent.trim()")
    page.keyboard.press("Enter")
    expect(page.locator(USER).last).to_have_text(picked)
    expect(page.locator(BOT).nth(before + 1).locator(".faq-source")).to_contain_text(picked, timeout=15_000)
    customer.close()


def test_the_conversation_is_announced_to_screen_readers(chromium, widget_site):
    customer = Customer(chromium, widget_site, PHONE)
    log = customer.page.locator("#faq-chat [role=log]")
    expect(log).to_have_attribute("aria-live", "polite")
    named = customer.page.get_by_role("log", name="Samtalet med chattbotten")  # Gradio: "chatbot conversation"
    expect(named).to_be_visible()
    reply = customer.ask("Kan jag ringa er?")
    assert log.locator("[data-testid=bot]").count() >= 2 and reply.is_visible()
    customer.close()
