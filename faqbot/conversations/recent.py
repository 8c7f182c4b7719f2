"""The replies this process gave lately, by reply_id: what a picked choice or a 👍 needs at once.

    recent = RecentReplies()
    recent.add(row)                    # a LogRow, as the bot hands it to the log
    recent.get(row.reply_id)           # the row, or None once forgotten (or never given here)

A choice or a rating usually comes back to the process that gave the reply within seconds,
while its row may still wait to be written (PostgreSQL away, or no log at all). The bot asks
here first and the conversation log second, so another replica's reply is found in the
database. Memory is bounded: past `limit` replies the oldest are forgotten.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from faqbot.conversations.rows import LogRow

RECENT_LIMIT = 10_000  # about 10 MB of rows (a question is at most 500 characters)


class RecentReplies:
    """A bounded, thread-safe map reply_id -> LogRow, oldest forgotten first."""

    def __init__(self, limit: int = RECENT_LIMIT) -> None:
        self.limit = limit
        self._rows: OrderedDict[str, LogRow] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, row: LogRow) -> None:
        with self._lock:
            self._rows[row.reply_id] = row
            while len(self._rows) > self.limit:
                self._rows.popitem(last=False)

    def get(self, reply_id: str) -> LogRow | None:
        with self._lock:
            return self._rows.get(reply_id)

    def __len__(self) -> int:
        with self._lock:
            return len(self._rows)
