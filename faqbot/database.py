"""PostgreSQL as faqbot's modules share it: naming a database, connecting, and migrating a schema.

    with connect(url, autocommit=True) as conn:
        migrate_postgres(conn, schema, shown(url))   # shown(): the URL without its password

Two parts of faqbot keep tables in the same database: the conversation log
(faqbot.conversations) and published indexes (faqbot.retrieval.publish). Each owns a `Schema`:
its ordered migrations and its own version table, so each set of tables evolves on its own and
neither module imports the other. Migrating applies the missing steps in one transaction under
an advisory lock, so two replicas starting together do not both migrate. The next change to a
schema is a new step at its end, never an edit of an old one: databases out there already ran it.

This module imports nothing from faqbot but its errors, and psycopg only when it connects: an
install with the SQLite log alone does not have psycopg.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from faqbot.errors import FaqbotError

if TYPE_CHECKING:
    import psycopg

CONNECT_TIMEOUT = 2  # seconds; a database that does not answer by then is treated as away
MIGRATION_LOCK = 7_404_512  # any fixed number: faqbot's migration lock on a shared PostgreSQL


def is_postgres(location: str | Path) -> bool:
    """True for a `postgresql://` (or `postgres://`) URL; anything else is a file path."""
    return str(location).startswith(("postgresql://", "postgres://"))


def shown(location: str | Path) -> str:
    """The location as staff may see it: a URL without its password."""
    text = str(location)
    if is_postgres(text) and "@" in text:
        scheme, rest = text.split("://", 1)
        credentials, host = rest.rsplit("@", 1)
        return f"{scheme}://{credentials.split(':', 1)[0]}@{host}"
    return text


def first_line(err: BaseException) -> str:
    """An error as one line for the server log: psycopg's connection errors run to several
    ("connection refused" / "Is the server running on that host ...?")."""
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__


def connect(url: str, *, autocommit: bool = False, timeout: int = CONNECT_TIMEOUT) -> psycopg.Connection[Any]:
    """A psycopg connection to `url` that fails within `timeout` seconds when the database is away.

    Raises psycopg.Error when it cannot connect, and FaqbotError when psycopg is not installed.
    """
    try:
        import psycopg
    except ImportError as err:
        raise FaqbotError(
            f"{shown(url)} is a PostgreSQL database, which needs psycopg ({err}); "
            "install it with: pip install 'faqbot[postgres]'"
        ) from None
    return psycopg.connect(url, connect_timeout=timeout, autocommit=autocommit)


@dataclass(frozen=True)
class Step:
    """One migration: `sql` run once per database (None: a step that does nothing any more)."""

    version: int
    what: str
    sql: str | None


@dataclass(frozen=True)
class Schema:
    """The tables one part of faqbot owns: its migrations, in order, and the table recording them."""

    name: str  # for messages: "the conversation log", "published indexes"
    version_table: str
    steps: tuple[Step, ...]
    lock: int = MIGRATION_LOCK

    @property
    def latest(self) -> int:
        return self.steps[-1].version

    def pending(self, applied: set[int], where: str) -> list[Step]:
        """The steps not yet applied, in order; a database newer than this faqbot is an error."""
        newer = [v for v in applied if v > self.latest]
        if newer:
            raise FaqbotError(
                f"the database {where} holds {self.name} at schema version {max(newer)}, "
                f"this faqbot knows up to {self.latest}; "
                "upgrade faqbot on this machine"
            )
        return [step for step in self.steps if step.version not in applied]


def migrate_postgres(conn: psycopg.Connection[Any], schema: Schema, where: str) -> list[int]:
    """Apply the missing steps of `schema` over a psycopg connection; returns the versions applied."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (schema.lock,))
        conn.execute(
            f"CREATE TABLE IF NOT EXISTS {schema.version_table}"
            " (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
        )
        applied = {row[0] for row in conn.execute(f"SELECT version FROM {schema.version_table}")}
        done = []
        for step in schema.pending(applied, where):
            if step.sql:
                conn.execute(step.sql)
            conn.execute(f"INSERT INTO {schema.version_table} (version) VALUES (%s)", (step.version,))
            done.append(step.version)
    return done
