"""Tables the console keeps in the conversation log's database (a SQLite path or a
postgresql:// URL), so that every replica on one PostgreSQL shares them: the staff accounts and
sessions (accounts.py) and the versions of the FAQ file (history.py).

The schema is the log's (faqbot.conversations.migrations), created or migrated on first contact.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from faqbot import database
from faqbot.conversations.migrations import migrate_postgres, migrate_sqlite
from faqbot.files import create_private


class LogTables:
    """One statement at a time on the log's database: one SQLite connection shared behind a lock,
    or a PostgreSQL connection per statement."""

    def __init__(self, location: str | Path, clock: Callable[[], float] = time.time) -> None:
        self.location = str(location)
        self.postgres = database.is_postgres(self.location)
        self.clock = clock
        self._lock = threading.Lock()
        self._sqlite: sqlite3.Connection | None = None

    @contextmanager
    def _connection(self) -> Iterator[Any]:
        if self.postgres:
            with database.connect(self.location, autocommit=True) as remote:
                migrate_postgres(remote, database.shown(self.location))
                yield remote
            return
        with self._lock:
            if self._sqlite is None:
                Path(self.location).parent.mkdir(parents=True, exist_ok=True)
                create_private(Path(self.location))
                local = sqlite3.connect(self.location, timeout=10, isolation_level=None, check_same_thread=False)
                local.execute("PRAGMA busy_timeout = 10000")
                migrate_sqlite(local, self.location)
                self._sqlite = local
            yield self._sqlite

    def _run(self, sql: str, params: tuple = ()) -> list[tuple]:
        """One statement in either dialect (written with `?`); the rows it returns."""
        with self._connection() as conn:
            cursor = conn.execute(sql.replace("?", "%s") if self.postgres else sql, params)
            return list(cursor.fetchall()) if cursor.description else []

    def close(self) -> None:
        with self._lock:
            if self._sqlite is not None:
                self._sqlite.close()
                self._sqlite = None
