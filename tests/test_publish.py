"""Publishing an index through PostgreSQL (faqbot.retrieval.publish), on the fake embedder.

Each test gets a fresh database in the session's throwaway cluster; tests/test_deploy.py does
the same with real `faqbot serve` processes behind nginx.
"""

from __future__ import annotations

import logging
import shutil
import time

import psycopg
import pytest

from faqbot import FaqBot, build_index, load_faq
from faqbot.config import Settings
from faqbot.errors import FaqbotError
from faqbot.retrieval.publish import Follower, publish
from faqbot.web.server import fetch_published
from tests.fakes import FAKE_MODEL

pytestmark = pytest.mark.slow  # a PostgreSQL cluster

PARKING = """\
  - id: parking
    question: Finns det parkering vid kontoret?
    answer: Ja, tre platser för besökare.
"""


@pytest.fixture
def staff(small, fake_embedder):
    """Staff's machine: the small FAQ with a freshly built index."""
    build_index(load_faq(small / "faq.yaml"), fake_embedder, small / "index")
    return small


@pytest.fixture
def replica(staff, tmp_path_factory):
    """A replica's own folder (a copy, as deployed before the publish) and its bot."""
    folder = tmp_path_factory.mktemp("replica")
    for name in ("faq.yaml", "config.yaml"):
        shutil.copy(staff / name, folder / name)
    shutil.copytree(staff / "index", folder / "index")
    return FaqBot(folder / "faq.yaml", folder / "index", folder / "config.yaml")


def faq_id(bot: FaqBot, question: str) -> str | None:
    """The entry that answers `question` (None: not answered)."""
    return bot.ask(question).to_dict()["faq_id"]


def edit(staff, fake_embedder) -> None:
    """Staff add an entry and rebuild."""
    with open(staff / "faq.yaml", "a", encoding="utf-8") as faq:
        faq.write(PARKING)
    build_index(load_faq(staff / "faq.yaml"), fake_embedder, staff / "index")


def test_a_replica_swaps_in_the_published_index_and_its_faq(staff, replica, pg_url, fake_embedder):
    follower = Follower(replica, pg_url)
    assert follower.sync() is False  # nothing published yet: the replica keeps its own
    edit(staff, fake_embedder)
    generation = publish(staff / "faq.yaml", staff / "index", pg_url, fake_embedder.name)
    assert faq_id(replica, "Finns det parkering vid kontoret?") != "parking"
    assert follower.sync() is True and follower.current == generation
    assert faq_id(replica, "Finns det parkering vid kontoret?") == "parking"
    assert "parking" in load_faq(replica.index.faq_path).by_id  # its FAQ file is the published one
    assert follower.sync() is False  # the same generation is not fetched twice


def test_a_listening_replica_follows_within_seconds_and_a_late_one_starts_on_the_newest(
    staff, replica, pg_url, fake_embedder, tmp_path_factory, monkeypatch
):
    follower = Follower(replica, pg_url).start()
    try:
        time.sleep(0.5)  # listening
        edit(staff, fake_embedder)
        publish(staff / "faq.yaml", staff / "index", pg_url, fake_embedder.name)
        published = time.monotonic()
        while faq_id(replica, "Finns det parkering vid kontoret?") != "parking":
            assert time.monotonic() - published < 3.0, "not swapped in 3 s after the NOTIFY"
            time.sleep(0.05)
    finally:
        follower.stop()
    late = tmp_path_factory.mktemp("late")  # a new machine: its settings, no FAQ, no index
    (late / "config.yaml").write_text(f"model: {FAKE_MODEL}\nthreshold: 0.3\n", encoding="utf-8")
    paths = (late / "faq.yaml", late / "index", late / "config.yaml")
    assert fetch_published(Settings.resolve(*paths)) is None  # a SQLite log
    monkeypatch.setenv("FAQBOT_LOG", pg_url)
    published = fetch_published(Settings.resolve(*paths))  # what serve does first
    bot = FaqBot(late / "faq.yaml", late / "index", late / "config.yaml", auto_build=False)
    assert published is not None and published[1] is not None
    assert Follower(bot, *published).sync() is False  # already on the newest
    assert faq_id(bot, "Finns det parkering vid kontoret?") == "parking"


def test_a_damaged_archive_is_refused_and_the_replica_keeps_answering(staff, replica, pg_url, fake_embedder, caplog):
    edit(staff, fake_embedder)
    publish(staff / "faq.yaml", staff / "index", pg_url, fake_embedder.name)
    with psycopg.connect(pg_url) as conn:
        conn.execute("UPDATE index_generations SET archive = overlay(archive placing 'X' from 600 for 1)")
    follower = Follower(replica, pg_url)
    with caplog.at_level(logging.ERROR, logger="faqbot.retrieval.publish"):
        assert follower.sync() is False and follower.current is None
        assert follower.sync() is False  # not fetched, nor reported, again
    assert len([r for r in caplog.records if "does not match its SHA-256" in r.getMessage()]) == 1
    assert faq_id(replica, "Kan jag ringa er?") == "phone"
    assert faq_id(replica, "Finns det parkering vid kontoret?") != "parking"


def test_an_index_that_does_not_match_its_faq_is_never_published(staff, pg_url, fake_embedder):
    with open(staff / "faq.yaml", "a", encoding="utf-8") as faq:
        faq.write(PARKING)  # edited after the build
    with pytest.raises(FaqbotError):
        publish(staff / "faq.yaml", staff / "index", pg_url, fake_embedder.name)
    with psycopg.connect(pg_url) as conn:
        tables = conn.execute("SELECT to_regclass('index_generations') IS NOT NULL").fetchone()[0]
        assert not tables or conn.execute("SELECT count(*) FROM index_generations").fetchone()[0] == 0


def test_publishing_to_an_unreachable_database_says_where(staff, fake_embedder):
    with pytest.raises(FaqbotError, match="cannot publish the index to postgresql://faqbot@127.0.0.1:1/x"):
        publish(staff / "faq.yaml", staff / "index", "postgresql://faqbot:secret@127.0.0.1:1/x", fake_embedder.name)
