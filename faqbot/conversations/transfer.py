"""`faqbot log copy SRC DST`: move a conversation log between SQLite and PostgreSQL, idempotently.

    copy_log("data/conversations.db", "postgresql://faqbot@db.internal/faqbot")

Rows keep their time, masked question, reply, feedback, reply_id and links (`offered`,
`answer_to`); the destination numbers them anew. A row already in the destination (same time
to the microsecond, question, kind and index version, or the same reply_id) is not added again,
so copying twice, or again after more chats, adds only what is new; but its 👍/👎 is updated
when the source's is newer, so a copy run again at switch-over brings the clicks customers gave
since the first one. Which client asked (a pseudonym under the source's own key) is kept only
when the destination has the same key (a copy of the same database): under another key the same
client would count as two for `learn: auto`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from faqbot.conversations.backends import open_existing_log, open_log_at
from faqbot.database import shown
from faqbot.errors import FaqbotError


@dataclass(frozen=True)
class CopyReport:
    source: str
    destination: str
    read: int
    added: int
    updated: int = 0  # rows already there whose 👍/👎 the source had newer


def copy_log(source: str | Path, destination: str | Path, retention_days: int = 90) -> CopyReport:
    """Copy every row of the log at `source` into the log at `destination` (paths or postgresql:// URLs)."""
    if str(source) == str(destination):
        raise FaqbotError(f"{shown(source)} is both the source and the destination; give two different logs")
    src = open_existing_log(source, retention_days)
    try:
        rows = src.questions()
        key = src.pseudonym_key
    finally:
        src.close()
    dst = open_log_at(destination, retention_days, staff=True)
    try:
        copied = dst.insert_rows(rows, key)
    finally:
        dst.close()
    return CopyReport(shown(source), shown(destination), len(rows), copied.added, copied.updated)
