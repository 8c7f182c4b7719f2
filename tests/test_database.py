"""What the conversation log and index publishing share about PostgreSQL (faqbot.database).

The migrations themselves run against a real database in tests/test_log.py and tests/test_publish.py.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from faqbot.database import Schema, Step, shown
from faqbot.errors import FaqbotError


@pytest.mark.parametrize(
    ("location", "seen"),
    [
        ("postgresql://faqbot:s3cret@db.internal/faqbot", "postgresql://faqbot@db.internal/faqbot"),
        ("postgres://faqbot:p@ss@word@db:5432/x", "postgres://faqbot@db:5432/x"),
        ("postgresql://faqbot@db.internal/faqbot", "postgresql://faqbot@db.internal/faqbot"),
        ("data/conversations.db", "data/conversations.db"),
    ],
)
def test_a_database_is_named_without_its_password(location, seen):
    assert shown(location) == seen


def test_a_database_migrated_by_a_newer_faqbot_says_to_upgrade():
    schema = Schema("published indexes", "index_migrations", (Step(1, "the table", "CREATE TABLE t (x int)"),))
    assert [step.version for step in schema.pending(set(), "postgresql://faqbot@db/x")] == [1]
    assert schema.pending({1}, "postgresql://faqbot@db/x") == []
    with pytest.raises(FaqbotError, match="schema version 2, this faqbot knows up to 1; upgrade faqbot"):
        schema.pending({1, 2}, "postgresql://faqbot@db/x")


def test_publishing_imports_neither_the_bot_nor_the_conversation_log():
    higher = ("faqbot.bot", "faqbot.conversations", "faqbot.web", "faqbot.staff", "faqbot.cli")
    code = f"import sys, faqbot.retrieval.publish; print([m for m in sys.modules if m.startswith({higher!r})])"
    root = Path(__file__).resolve().parent.parent  # this checkout's faqbot, first on sys.path
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
