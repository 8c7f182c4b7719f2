"""The console's overview, second half (issue 19, section 2): the last days as a chart, which servers
answer from the newest index, and damaged files or a database that is away, in Swedish.

In-process over the two-entry FAQ with the fake embedder, logged in as tests/test_console.py does.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from faqbot import FaqBot
from faqbot.config import Settings
from faqbot.conversations.rows import LogRow
from faqbot.conversations.store import ConversationLog
from faqbot.retrieval.publish import Follower, publish
from faqbot.staff.console.accounts import StaffStore
from faqbot.staff.console.app import create_console
from faqbot.staff.console.health import CHART_DAYS, damaged_index, replicas_of
from faqbot.staff.console.service import Desk
from faqbot.staff.console.web import Console
from faqbot.staff.trends import staff_day
from tests.test_console import PASSWORD, Site, make_site

pytestmark = pytest.mark.slow  # argon2 hashing on login, as every console test


def console_on(site: Site, settings: Settings) -> Site:
    """A console over `settings` (its log on PostgreSQL), with anna's account, beside `site`."""
    store = StaffStore(settings.log_location)
    store.add_user("anna", PASSWORD)
    desk = Desk(settings)
    client = site.client.__class__(create_console(Console(desk, store)), base_url="http://localhost")
    return Site(client, store, desk, site.clock, site.folder)


def asked(log: ConversationLog, n: int, kind: str = "answer") -> None:
    faq_id = "phone" if kind == "answer" else None
    log.record(LogRow(f"r{n}", f"Fråga {n}?", "sv", kind, kind == "answer", faq_id, "phone", 0.5, 0.3, "v1"))


def test_the_overview_draws_the_last_days_with_a_bar_for_each(small, fake_embedder):
    now = datetime.now(UTC)
    moment = [now]
    with ConversationLog(small / "log.db", clock=lambda: moment[0]) as log:
        for n, (kind, back) in enumerate((("answer", 3), ("helpdesk", 3), ("answer", 1), ("choices", 0))):
            moment[0] = now - timedelta(days=back)
            asked(log, n, kind)
    site = make_site(small, fake_embedder)
    site.login()
    page = site.client.get("/").text
    svg = re.search(r"<svg .*?</svg>", page, re.S).group(0)
    first, today = staff_day(now - timedelta(days=CHART_DAYS - 1)), staff_day(now)  # Swedish days
    assert f"från {first} till {today}" in svg and "frågor per dag" in svg and "till helpdesk" in svg
    assert len(re.findall(r"<rect [^>]*><title>", svg)) == CHART_DAYS  # quiet days have a bar too
    assert f"<title>{today}: 1</title>" in svg and f"<title>{today - timedelta(days=3)}: 2</title>" in svg
    assert "En server" in page  # the log is SQLite: no replicas


def test_a_conversation_log_the_chat_set_aside_as_damaged_is_on_the_overview(small, fake_embedder):
    path = small / "log.db"
    with ConversationLog(path) as log:
        for n in range(3):
            asked(log, n)
    data = bytearray(path.read_bytes())
    data[4096 : 4096 + 200] = b"\x00\xff" * 100  # a page of the table, not the header
    path.write_bytes(bytes(data))
    with ConversationLog(path) as log:  # the chat's next question finds it damaged
        asked(log, 3)
    (aside,) = [p for p in small.glob("log.db.damaged-*") if not p.name.endswith(("-wal", "-shm"))]
    site = make_site(small, fake_embedder)
    site.login()
    page = site.client.get("/").text
    assert "Skadade filer och databasen" in page
    assert f"Konversationsloggen var skadad och lades undan som {aside}" in page


def test_a_damaged_index_file_is_named(small, fake_embedder):
    site = make_site(small, fake_embedder)
    assert damaged_index(small / "index", site.desk.bot) == []
    vectors = next((small / "index").glob("vectors-*.faiss"))
    vectors.write_bytes(vectors.read_bytes()[:-10])
    (notice,) = damaged_index(small / "index", site.desk.bot)
    assert notice.startswith(f"Indexet i {small / 'index'}/ är skadat") and vectors.name in notice


def test_a_database_that_does_not_answer_is_named_without_its_password():
    newest, servers, problems = replicas_of("postgresql://faqbot:hemligt@127.0.0.1:1/faqbot")
    assert newest is None and servers == []
    assert problems[0].startswith("Databasen postgresql://faqbot@127.0.0.1:1/faqbot svarar inte")
    assert "hemligt" not in problems[0]


def test_the_overview_shows_which_replicas_answer_from_the_newest_index(small, fake_embedder, pg_url):
    site = make_site(small, fake_embedder)  # builds the index
    settings = Settings.resolve(small / "faq.yaml", small / "index", small / "config.yaml", log=pg_url)
    replica = FaqBot(small / "faq.yaml", small / "index", small / "config.yaml")
    old = Follower(replica.index, pg_url, name="web2:7")
    old.sync()  # answers from its own files, then stops looking
    generation = publish(small / "faq.yaml", small / "index", pg_url, fake_embedder.name)
    Follower(replica.index, pg_url, name="web1:5").sync()
    pg_site = console_on(site, settings)
    desk = pg_site.desk
    pg_site.login()
    page = pg_site.client.get("/").text
    rows = re.findall(r'<tr class="replica">\s*<th scope="row">([^<]+)</th>\s*<td>([^<]+)', page)
    assert [(name, text.split(" (")[0]) for name, text in rows] == [
        ("web1:5", f"index {generation}"),
        ("web2:7", "egna filer"),
    ]
    assert f"senast publicerade indexet är nummer {generation}" in page
    assert page.count('"ok">det senaste</span>') == 1 and page.count("inte det senaste") == 1
    desk.close()


def test_a_console_change_is_made_on_top_of_what_another_machine_published(small, fake_embedder, pg_url, tmp_path):
    """A publish from another machine, then a save in the console: the console had published its
    own older file, undoing the other machine's change on every replica."""
    import shutil

    from faqbot import build_index, load_faq
    from faqbot.retrieval.publish import fetch_newest
    from tests.test_console import save_answer

    site = make_site(small, fake_embedder)
    settings = Settings.resolve(small / "faq.yaml", small / "index", small / "config.yaml", log=pg_url)
    console = console_on(site, settings)
    console.login()
    assert "Sparat" in save_answer(console, "backup", "Två gånger per natt.", "Hur ofta gör ni säkerhetskopior?").text
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(small / "config.yaml", other / "config.yaml")
    assert fetch_newest(pg_url, other / "faq.yaml", other / "index") is not None
    with open(other / "faq.yaml", "a", encoding="utf-8") as faq:
        faq.write("  - id: opening\n    question: När har ni öppet?\n    answer: Vardagar 8-17.\n")
    build_index(load_faq(other / "faq.yaml"), fake_embedder, other / "index")
    publish(other / "faq.yaml", other / "index", pg_url, fake_embedder.name)
    saved = save_answer(console, "phone", "Ja, vardagar.", "Kan jag ringa er?")
    assert saved.status_code == 200 and "Sparat" in saved.text
    faq = load_faq(small / "faq.yaml")
    assert "opening" in faq.by_id and faq.by_id["phone"].answer == "Ja, vardagar."  # on top of it
    assert faq.by_id["backup"].answer == "Två gånger per natt."
    late = tmp_path / "late"
    assert fetch_newest(pg_url, late / "faq.yaml", late / "index") is not None
    assert load_faq(late / "faq.yaml").by_id.keys() >= {"opening", "phone", "backup"}  # what replicas get
    # Found by a walk-through: the file here hand-edited, another machine publishing, then a save:
    # a 500 saying nothing was done, though the file was written, kept as a version and rebuilt.
    with open(small / "faq.yaml", "a", encoding="utf-8") as faq_file:
        faq_file.write("  - id: hand\n    question: Har ni wifi?\n    answer: Ja.\n")
    with open(other / "faq.yaml", "a", encoding="utf-8") as faq_file:
        faq_file.write("  - id: parking\n    question: Finns det parkering?\n    answer: Ja.\n")
    build_index(load_faq(other / "faq.yaml"), fake_embedder, other / "index")
    publish(other / "faq.yaml", other / "index", pg_url, fake_embedder.name, force=True)
    before = (small / "faq.yaml").read_bytes()
    versions = len(console.desk.history.versions())
    refused = save_answer(console, "phone", "Ja, alla dagar.", "Kan jag ringa er?")
    assert refused.status_code == 409 and "Inget sparades" in refused.text and "faqbot index --fetch" in refused.text
    assert (small / "faq.yaml").read_bytes() == before  # nothing written
    assert len(console.desk.history.versions()) <= versions + 1  # at most the hand edit, kept as found
    console.desk.close()
    console.store.close()
