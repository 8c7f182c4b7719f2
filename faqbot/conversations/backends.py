"""Opening the conversation log a location names: SQLite (faqbot.conversations.store) or
PostgreSQL (faqbot.conversations.postgres), the one module that knows both backends.

    log = open_log(config)             # None when `log_enabled: false`
    log = open_log_at("postgresql://faqbot@db/faqbot")
    log = open_existing_log("data/conversations.db")   # a staff tool: the file must be there
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from faqbot.conversations.store import ConversationLog, log_location
from faqbot.database import is_postgres, shown
from faqbot.errors import FaqbotError

if TYPE_CHECKING:
    from faqbot.config import Config


def open_log_at(location: str | Path, retention_days: int = 90, staff: bool = False):
    """The SQLite or PostgreSQL log at `location` (a path or a postgresql:// URL).

    `staff`: for a staff tool that reads the log and writes no replies (report, learn, log copy,
    the console): no background writer, so a database that is away is one clear error, not the
    server's "rows wait in memory".
    """
    if is_postgres(location):
        try:
            from faqbot.conversations.postgres import PostgresLog
        except ImportError as err:
            raise FaqbotError(
                f"the conversation log {shown(location)} is on PostgreSQL, which needs psycopg ({err}); "
                "install it with: pip install 'faqbot[postgres]'"
            ) from None
        return PostgresLog(str(location), retention_days, writer=not staff)
    return ConversationLog(location, retention_days)


def open_existing_log(location: str | Path, retention_days: int = 90):
    """The log at `location` for a staff tool that reads what customers asked (report, learn, the
    source of a copy): a SQLite file that is not there is an error, where the chat would start one
    (a mistyped path would otherwise read as a log with nothing in it)."""
    if not is_postgres(location) and not Path(location).is_file():
        raise FaqbotError(
            f"no conversation log at {location} (check the path: --log-file, or log_path in the settings); "
            "it fills while the chat app runs with log_enabled: true, or with: faqbot ask --log"
        )
    return open_log_at(location, retention_days, staff=True)


def open_log(config: Config, path_override: str | Path | None = None):
    """The conversation log the config asks for, or None when logging is turned off."""
    if not config.log_enabled:
        return None
    return open_log_at(log_location(config, path_override), config.retention_days)
