"""The conversation log: one row per question, for staff to see what the FAQ is missing.

    log = open_log(config)             # faqbot.conversations.backends; None when `log_enabled: false`
    log.record(row)                    # a LogRow (faqbot.conversations.rows); FaqBot makes one per reply
    log.record_feedback(row.reply_id, liked=True)
    log.find(row.reply_id)             # the stored row (for a choice or 👍 another replica answered)

Where: `log_url` in data/config.yaml (a SQLite path or postgresql://...; else `log_path`,
default data/conversations.db), overridden by FAQBOT_LOG (see `faqbot.config.Settings`). This
module holds what both backends share and the SQLite log, the embedded default (the rows
themselves are faqbot.conversations.rows); the log never imports the bot;
faqbot.conversations.postgres is the log several replicas share, and
faqbot.conversations.migrations the schema both create and upgrade.

SQLite: The database runs in WAL mode with a busy timeout, so the
chat app, `faqbot ask --log` and `faqbot report` can use it at the same time; inside one
process a lock serialises writers on one connection.

SQLite: the log checks before and after every write whether its file was moved away, deleted,
replaced, truncated or damaged while in use (faqbot.conversations.sqlite_file), says so in the
server log, and goes on in a new file (a damaged or truncated one is set aside as
`<name>.damaged-<time>`); a row that went to a file that is gone is written again to the new
one, so no row is lost with the file (rows written before an `rm` go with it: that is what
`rm` asked for); it checks
the file with `PRAGMA quick_check` when it opens it, and checkpoints the WAL into the main file
every CHECKPOINT_SECONDS, so a copy of the main file alone is never far behind. To back the log
up while the app runs, use `sqlite3 data/conversations.db ".backup backup.db"` (or Python's
`sqlite3.Connection.backup`), never `mv` or `cp`: see docs/security.md.

A customer's chat never depends on the log: `record`, `record_feedback` and `find` catch every error
(missing or read-only folder, full disk, locked or damaged file), log it with the logging
module and return. A log that could not be opened is retried on the next question.

Questions are stored masked (see faqbot.conversations.privacy). Rows older than `retention_days` are
deleted when the log is opened and then at most once an hour while it is in use.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Collection
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from faqbot.conversations.clients import pseudonym
from faqbot.conversations.migrations import migrate_sqlite
from faqbot.conversations.privacy import mask_pii
from faqbot.conversations.rows import (
    COLUMN_COUNT,
    COLUMNS,
    DECIDED,
    REJECTED,
    REOPENED,
    Copied,
    LoggedQuestion,
    LogRow,
    newer_feedback,
    offered_text,
    stamp,
)
from faqbot.conversations.sqlite_file import MOVED, FileWatch, LogDamagedError, is_damage, quick_check, set_aside
from faqbot.errors import FaqbotError, LogUnavailableError
from faqbot.files import create_private

if TYPE_CHECKING:
    from faqbot.config import Config

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 10_000
PURGE_EVERY_SECONDS = 3600.0
FILE_CHECK_SECONDS = 0.0  # how often, at most, a write checks that the file is still the log's: every write
CHECKPOINT_SECONDS = 30.0  # how often, at most, the WAL is copied into the main file
DAMAGE = {
    "damaged": "its SQLite header is gone",
    "truncated": "it was cut to {size} bytes while in use (truncate?); the rows it held are gone unless a backup has them",
}
FILE_CHANGES = {
    "moved": "was moved away while in use; its rows so far are in the moved file, new rows go to a new {path}",
    "deleted": "was deleted while in use; new rows go to a new {path}",
    "replaced": "was replaced by another file while in use; new rows go to that file",
}
NOT_LOGGED = {"empty"}  # nothing was asked
INSERT = f"INSERT INTO conversations ({COLUMNS}) VALUES ({', '.join('?' * COLUMN_COUNT)})"
FEEDBACK = "UPDATE conversations SET feedback = ?, feedback_at = ? WHERE reply_id = ?"


def row_values(row: LogRow, now: datetime) -> tuple:
    """The values of COLUMNS for one reply's row, its question masked: the same on every backend.

    The last value is still the client's address: a backend turns it into the pseudonym under
    its key as it writes the row (`with_pseudonym`), once it holds the database the row goes to
    (a SQLite file replaced while in use has a key of its own)."""
    if not isinstance(row, LogRow) or not row.reply_id:
        raise TypeError(f"a conversation log records LogRow objects with a reply_id, not {type(row).__name__}")
    return (
        now,
        mask_pii(row.question),
        row.language,
        row.kind,
        bool(row.resolved),
        row.faq_id,
        row.candidate_id,
        float(row.score),
        float(row.threshold),
        str(row.index_version),
        row.reply_id,
        offered_text(row.offered),
        row.answer_to or None,
        bool(row.followup),
        row.client,
    )


def under_key(rows: list[LoggedQuestion], made_with: str | None, here: str | None) -> list[LoggedQuestion]:
    """Rows copied from another log, keeping their client pseudonyms only when they were made
    under this log's key: under another key the same client would count as two."""
    if made_with is not None and made_with == here:
        return rows
    return [replace(r, client=None) for r in rows]


def with_pseudonym(values: tuple, key: str | None) -> tuple:
    """`row_values` as stored: the client's address (last) replaced by its pseudonym under `key`."""
    return (*values[:-1], pseudonym(key, values[-1]))


# The stored questions, by table and key, that `mask_again` masks with today's masking.
MASKED_QUESTIONS = (("conversations", "id"), ("learn_decisions", "suggestion_id"))


def masked_again(rows: list[Any]) -> list[tuple[str, Any]]:
    """(question masked again, key) for the (key, question) rows whose question today's masking changes."""
    return [(masked, key) for key, question in rows if (masked := mask_pii(question)) != question]


def utc_now() -> datetime:
    return datetime.now(UTC)


def purge_due(last: datetime | None, now: datetime) -> bool:
    """Whether the hourly purge of old rows is due (by the log's clock; a clock set back counts too)."""
    return last is None or abs((now - last).total_seconds()) >= PURGE_EVERY_SECONDS


def readable_time(text: object) -> datetime | None:
    """A stored time, or None when there is none or it is not a time."""
    try:
        return stored_time(text)
    except (ValueError, TypeError):
        return None


def stored_time(text: object) -> datetime:
    """A time as the SQLite log stores it (`stamp`); one without a zone is taken as UTC.
    Raises ValueError or TypeError for anything that is not an ISO time."""
    if not isinstance(text, str):
        raise TypeError(f"{text!r} is not an ISO time")
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


class LogBackend(ABC):
    """What both backends share: the customer's calls (record, record_feedback, find) and purge never raise.

    A backend implements _record (the values of COLUMNS; True when stored or queued),
    _record_feedback, _find, _purge_now and close. Errors go to the server log under the
    backend's module name.
    """

    path: str | Path
    retention_days: int
    _clock: Callable[[], datetime]
    _client_key: str | None = None  # the log's key for client pseudonyms (log_keys), once the database is reached

    @property
    def pseudonym_key(self) -> str | None:
        """The key this log's client pseudonyms are made under (None until the database is reached)."""
        return self._client_key

    def record(self, row: LogRow) -> bool:
        """Store one reply's row; True when it was stored (or queued to be), False when not."""
        try:
            if row.kind in NOT_LOGGED:
                return False
            return self._record(row_values(row, self._clock()))
        except Exception as err:  # the customer's reply matters more than the log
            self._logger.error("could not write to the conversation log %s: %s", self.path, err)
            return False

    def record_feedback(self, reply_id: str, liked: bool | None) -> None:
        """Store a customer's 👍 (liked) or 👎 on a logged reply; a later click replaces it, and
        None takes it back (the thumb clicked again: the reply was not rated after all).

        Feedback on a row still waiting to be written is applied when it is written.
        """
        try:
            self._record_feedback(None if liked is None else 1 if liked else -1, self._clock(), str(reply_id))
        except Exception as err:
            self._logger.error("could not write feedback to the conversation log %s: %s", self.path, err)

    def find(self, reply_id: str) -> LoggedQuestion | None:
        """The row of the reply with `reply_id`, or None (unknown, or the log cannot be read now). Never raises."""
        try:
            return self.lookup(reply_id)
        except LogUnavailableError:
            return None

    def lookup(self, reply_id: str) -> LoggedQuestion | None:
        """The row of the reply with `reply_id`, or None for one the log does not have;
        LogUnavailableError when the log cannot be read now (its database away)."""
        try:
            return self._find(str(reply_id))
        except LogUnavailableError:
            raise  # known to be away: said once, when it went
        except Exception as err:
            self._logger.error("could not read the conversation log %s: %s", self.path, err)
            raise LogUnavailableError(f"the conversation log cannot be read now: {str(err)[:200]}") from None

    def purge(self) -> int:
        """Delete the rows older than retention_days; returns how many. Never raises."""
        try:
            return self._purge_now()
        except Exception as err:
            self._logger.error("could not delete old rows from the conversation log %s: %s", self.path, err)
            return 0

    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @abstractmethod
    def _record(self, values: tuple) -> bool: ...

    @abstractmethod
    def _record_feedback(self, value: int | None, at: datetime, reply_id: str) -> None: ...

    @abstractmethod
    def _find(self, reply_id: str) -> LoggedQuestion | None: ...

    @abstractmethod
    def _purge_now(self) -> int: ...

    def _cutoff(self) -> datetime:
        return self._clock() - timedelta(days=self.retention_days)

    def _purged(self, deleted: int) -> int:
        if deleted:
            self._logger.info(
                "deleted %d conversation(s) older than %d days from %s", deleted, self.retention_days, self.path
            )
        return deleted

    @property
    def _logger(self) -> logging.Logger:
        return logging.getLogger(type(self).__module__)


class ConversationLog(LogBackend):
    """The SQLite conversation log; implements faqbot.bot.ReplyLog and never raises from it."""

    path: Path

    def __init__(
        self,
        path: str | Path,
        retention_days: int = 90,
        clock: Callable[[], datetime] = utc_now,
        connect: Callable[..., sqlite3.Connection] = sqlite3.connect,
    ) -> None:
        """`clock` stamps rows and times the hourly purge; `connect` opens the SQLite file
        (sqlite3.connect: a test may pass one that keeps the connection, to inject faults)."""
        self.path = Path(path)
        self.retention_days = retention_days
        self._clock = clock
        self._connect_sqlite = connect
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._last_purge: datetime | None = None
        self._last_checkpoint = time.monotonic()
        self._watch: FileWatch | None = None
        self._closed = False
        with self._lock:
            self._connect()  # open (and clean up) now, so a broken path is reported at start-up

    # -- the backend ---------------------------------------------------------------------

    def _record(self, values: tuple) -> bool:
        created_at, *rest = values

        def stored() -> tuple:  # asked once the file is open: the pseudonym is under that file's key
            return with_pseudonym((stamp(created_at), *rest), self._client_key)

        with self._lock:
            return self._write(INSERT, stored) is not None

    def _record_feedback(self, value: int | None, at: datetime, reply_id: str) -> None:
        with self._lock:
            cursor = self._write(FEEDBACK, (value, stamp(at), reply_id))
        if cursor is not None and cursor.rowcount == 0:
            log.warning("feedback on a reply that is not in the conversation log %s", self.path)

    def _find(self, reply_id: str) -> LoggedQuestion | None:
        with self._lock:
            conn = self._connect()
            if conn is None:
                return None
            try:
                row = conn.execute("SELECT * FROM conversations WHERE reply_id = ?", (reply_id,)).fetchone()
            except sqlite3.Error:
                self._reset()
                raise
        return LoggedQuestion.from_row(row, stored_time) if row is not None else None

    def _purge_now(self) -> int:
        with self._lock:
            conn = self._connect()
            return self._purge(conn) if conn is not None else 0

    # -- staff side -----------------------------------------------------------------------

    def decisions(self, decision: str | None = None) -> set[str]:
        """The suggestions staff accepted or rejected (faqbot learn): never proposed again; with
        `decision` ("accepted", "rejected", or "reopened": accepted, then lost with a restored
        version, `reopen`), those staff decided so."""
        with self._lock:
            conn = self._connect()
            if conn is None:
                raise FaqbotError(f"cannot read the conversation log {self.path}")
            if decision is None:
                query = f"SELECT suggestion_id FROM learn_decisions WHERE decision IN {DECIDED}"
                return {row[0] for row in conn.execute(query)}
            query = "SELECT suggestion_id FROM learn_decisions WHERE decision = ?"
            return {row[0] for row in conn.execute(query, (decision,))}

    def record_decision(self, suggestion_id: str, decision: str, faq_id: str | None, question: str) -> None:
        """Remember staff's decision on a suggestion; a later decision replaces an earlier one."""
        with self._lock:
            conn = self._connect()
            if conn is None:
                raise FaqbotError(f"cannot write to the conversation log {self.path}")
            conn.execute(
                "INSERT OR REPLACE INTO learn_decisions (suggestion_id, decision, faq_id, question, decided_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (suggestion_id, decision, faq_id, mask_pii(question), stamp(self._clock())),
            )

    def mask_again(self) -> int:
        """Mask every stored question again (`mask_pii`), for a log written before a form of personal
        data was masked (`faqbot log mask`, after an upgrade); how many questions changed."""
        with self._lock:
            conn = self._connect()
            if conn is None:
                raise FaqbotError(f"cannot write to the conversation log {self.path}; see the error above")
            conn.execute("BEGIN IMMEDIATE")
            try:
                changed = 0
                for table, key in MASKED_QUESTIONS:
                    updates = masked_again(conn.execute(f"SELECT {key}, question FROM {table}").fetchall())
                    conn.executemany(f"UPDATE {table} SET question = ? WHERE {key} = ?", updates)
                    changed += len(updates)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        return changed

    def reopen(self, suggestion_ids: Collection[str], entries: Collection[str] = ()) -> int:
        """Forget that staff accepted these suggestions (their phrasings left the FAQ with a restored
        version), and every suggestion accepted into one of `entries` (entries the restored version
        lacks: a helpdesk group made into a new entry), so `faqbot learn` proposes them again;
        rejections stay. How many were forgotten.

        They are kept as "reopened", not deleted: staff rolled them back, so `learn: auto` leaves
        them to staff (found by an attack: a restore that took a poisoned phrasing out was undone
        by the next `faqbot learn --auto`)."""
        ids, gone = sorted(set(suggestion_ids)), sorted(set(entries))
        if not ids and not gone:
            return 0
        marks, entry_marks = ", ".join("?" * len(ids)), ", ".join("?" * len(gone))
        which = f"decision = 'accepted' AND (suggestion_id IN ({marks}) OR faq_id IN ({entry_marks}))"
        return self._reopened(which, [*ids, *gone])

    def _reopened(self, which: str, params: list[str]) -> int:
        """Keep the decisions `which` (an SQL condition on learn_decisions) as "reopened"; how many."""
        with self._lock:
            conn = self._connect()
            if conn is None:
                raise FaqbotError(f"cannot write to the conversation log {self.path}")
            cursor = conn.execute(
                f"UPDATE learn_decisions SET decision = '{REOPENED}', decided_at = ? WHERE {which}",
                [stamp(self._clock()), *params],
            )
            return cursor.rowcount

    def rejections(self, decision: str = REJECTED) -> dict[str, str]:
        """The suggestions staff rejected (or decided `decision`: REOPENED, a rejection forgotten
        since), each with its question as the log keeps it (masked)."""
        with self._lock:
            conn = self._connect()
            if conn is None:
                raise FaqbotError(f"cannot read the conversation log {self.path}")
            query = "SELECT suggestion_id, question FROM learn_decisions WHERE decision = ?"
            return {row[0]: row[1] for row in conn.execute(query, (decision,))}

    def reject_again(self, suggestion_ids: Collection[str]) -> int:
        """Staff's rejection of these suggestions, forgotten (`unreject`: their mark left the FAQ's
        `off_topic:` with a restored version), remembered again (a restore brought the mark back);
        how many."""
        ids = sorted(set(suggestion_ids))
        if not ids:
            return 0
        with self._lock:
            conn = self._connect()
            if conn is None:
                raise FaqbotError(f"cannot write to the conversation log {self.path}")
            cursor = conn.execute(
                f"UPDATE learn_decisions SET decision = '{REJECTED}', decided_at = ? "
                f"WHERE decision = '{REOPENED}' AND suggestion_id IN ({', '.join('?' * len(ids))})",
                [stamp(self._clock()), *ids],
            )
            return cursor.rowcount

    def unreject(self, suggestion_ids: Collection[str]) -> int:
        """Forget that staff rejected these suggestions (a question marked as about something else,
        taken off the FAQ's list again: the mark was the mistake), so `faqbot learn` proposes them
        again; kept as "reopened", which `learn: auto` leaves to staff. How many were forgotten."""
        ids = sorted(set(suggestion_ids))
        if not ids:
            return 0
        return self._reopened(f"decision = '{REJECTED}' AND suggestion_id IN ({', '.join('?' * len(ids))})", ids)

    def questions(self, since_days: float | None = None) -> list[LoggedQuestion]:
        """The logged rows, oldest first; only the last `since_days` days when given.

        Raises FaqbotError when the log cannot be read (this is for staff, not customers).
        """
        with self._lock:
            conn = self._connect()
            if conn is None:
                raise FaqbotError(f"cannot open the conversation log {self.path}; see the error above")
            query = "SELECT * FROM conversations"
            params: tuple[str, ...] = ()
            if since_days is not None:
                query += " WHERE created_at >= ?"
                params = (stamp(self._clock() - timedelta(days=since_days)),)
            try:
                rows = conn.execute(query + " ORDER BY id", params).fetchall()
            except sqlite3.Error as err:
                raise FaqbotError(f"cannot read the conversation log {self.path}: {err}") from None
        return self._readable(rows)

    def _readable(self, rows: list[Any]) -> list[LoggedQuestion]:
        """The rows as LoggedQuestion; a row whose time is not a time (written by hand or by another
        tool) is left out, and the server log says which, rather than failing the whole report."""
        read, skipped = [], []
        for row in rows:
            try:
                read.append(LoggedQuestion.from_row(row, stored_time))
            except (ValueError, TypeError) as err:
                skipped.append(f"id {row['id']}: {err}")
        if skipped:
            log.warning(
                "conversation log %s: %d row(s) left out, their created_at or feedback_at is not an ISO time "
                "(%s%s); correct them (e.g. 2026-11-26T13:09:57+00:00) or delete them",
                self.path,
                len(skipped),
                "; ".join(skipped[:3]),
                "; ..." if len(skipped) > 3 else "",
            )
        return read

    def insert_rows(self, rows: list[LoggedQuestion], key: str | None = None) -> Copied:
        """Add rows read from another log (`faqbot log copy`); a row already here (same reply_id,
        or same time, question, kind and index version) gets the other log's 👍/👎 when that is newer.
        `key`: the other log's pseudonym key (its clients are kept only when it is this log's)."""
        with self._lock:
            conn = self._connect()
            if conn is None:
                raise FaqbotError(f"cannot open the conversation log {self.path}; see the error above")
            conn.execute("BEGIN IMMEDIATE")
            try:
                new, feedback = self._sort_copied(conn, under_key(rows, key, self._client_key))
                conn.executemany(
                    f"INSERT INTO conversations ({COLUMNS}, feedback, feedback_at)"
                    f" VALUES ({', '.join('?' * (COLUMN_COUNT + 2))})",
                    [r.values(stamp) for r in new],
                )
                conn.executemany("UPDATE conversations SET feedback = ?, feedback_at = ? WHERE id = ?", feedback)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        return Copied(len(new), len(feedback))

    def _sort_copied(self, conn: sqlite3.Connection, rows: list[LoggedQuestion]) -> tuple[list[LoggedQuestion], list]:
        """The rows not here yet, and (feedback, feedback_at, id) for those here with older feedback."""
        by_key, by_reply = {}, {}
        for r in conn.execute(
            "SELECT id, created_at, question, kind, index_version, reply_id, feedback, feedback_at FROM conversations"
        ):
            by_key[(r[1], r[2], r[3], r[4])] = r
            if r[5] is not None:
                by_reply[r[5]] = r
        new, feedback = [], []
        for row in rows:
            here = by_reply.get(row.reply_id) if row.reply_id is not None else None
            here = here or by_key.get(row.key())
            if here is None:
                new.append(row)
            elif newer_feedback(row, here[6], readable_time(here[7])):
                feedback.append((row.feedback, stamp(row.feedback_at) if row.feedback_at else None, here[0]))
        return new, feedback

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._reset()

    # -- internals (call with self._lock held) -------------------------------------------

    def _connect(self) -> sqlite3.Connection | None:
        """The open connection; opens it (creating folder and table) on first use or after a failure."""
        if self._closed:
            return None
        if self._conn is not None and self._watch is not None and self._watch.due():
            self._follow_the_file()
        if self._conn is None:
            try:
                self._conn = self._open_sound()
            except (OSError, sqlite3.Error) as err:
                log.error("cannot open the conversation log %s (questions are not logged): %s", self.path, err)
                return None
        if purge_due(self._last_purge, self._clock()):
            try:
                self._purge(self._conn)
            except sqlite3.Error as err:
                log.error("could not delete old rows from the conversation log %s: %s", self.path, err)
            self._last_purge = self._clock()  # a failing purge is retried later, not on every question
        return self._conn

    def _reset(self) -> None:
        """Drop the connection after an error, so the next question reopens the file
        (which may have been moved, deleted or repaired in the meantime)."""
        if self._watch is not None:
            self._watch.close()
            self._watch = None
        if self._conn is not None:
            try:
                self._conn.close()
            except sqlite3.Error:
                pass
            self._conn = None

    def _write(self, sql: str, params: tuple | Callable[[], tuple]) -> sqlite3.Cursor | None:
        """Run one write on the log file; None when the log cannot be opened. `params` may be a
        function that gives them for the file open now (a row's client pseudonym is under its key).

        When SQLite finds the file damaged, or the file was deleted, replaced, truncated or
        damaged between the check before the write and the check after it, the write is run
        again on the new log, so no row is lost with the file it went to.
        """
        for attempt in (1, 2):
            conn = self._connect()
            if conn is None:
                return None
            try:
                cursor = conn.execute(sql, params() if callable(params) else params)
            except sqlite3.Error as err:
                self._reset()
                if attempt == 1 and is_damage(err):
                    continue  # reopening sets the damaged file aside; the write goes to a new one
                raise
            change = self._follow_the_file()
            if change is None:
                self._checkpoint(conn)
            elif change != MOVED and attempt == 1:
                continue  # the row went to a file that is gone: write it again, to the new log
            return cursor
        return None

    def _follow_the_file(self) -> str | None:
        """Close the connection when the path no longer names the sound file it has open; say
        why. Returns the change (faqbot.conversations.sqlite_file), None when there is none."""
        watch = self._watch if self._conn is not None else None
        change = watch.change() if watch is not None else None
        if change is None or watch is None:
            return None
        if change in DAMAGE:
            self._reset()
            self._set_aside(DAMAGE[change].format(size=watch.size))
            return change
        try:  # copy the WAL into the file it belongs to, wherever that file is now
            assert self._conn is not None  # change() is only asked while the file is open
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error as err:
            log.error("could not checkpoint the conversation log %s before reopening it: %s", self.path, err)
        self._reset()
        log.warning("the conversation log %s %s", self.path, FILE_CHANGES[change].format(path=self.path))
        return change

    def _set_aside(self, why: object) -> None:
        aside = set_aside(self.path)
        log.error(
            "the conversation log %s is damaged (%s); it was set aside as %s for staff to inspect, "
            "and a new log is started",
            self.path,
            why,
            aside.name,
        )

    def _open_sound(self) -> sqlite3.Connection:
        """The log opened and checked; a damaged one is set aside and a new one opened instead."""
        try:
            return self._open()
        except (LogDamagedError, sqlite3.DatabaseError) as err:
            if not is_damage(err):
                raise
            self._set_aside(err)
            return self._open()

    def _checkpoint(self, conn: sqlite3.Connection) -> None:
        if time.monotonic() - self._last_checkpoint >= CHECKPOINT_SECONDS:
            self._last_checkpoint = time.monotonic()
            try:
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
            except sqlite3.Error as err:
                log.warning("could not checkpoint the conversation log %s: %s", self.path, err)

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        create_private(self.path)
        conn = self._connect_sqlite(
            self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
        )
        try:
            conn.row_factory = sqlite3.Row
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            quick_check(conn)
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode != "wal":
                log.warning("the conversation log %s runs in %s mode, not WAL", self.path, mode)
            conn.execute("PRAGMA synchronous = NORMAL")
            migrate_sqlite(conn, str(self.path))
            self._client_key = client_key(conn)
            self._watch = FileWatch(self.path, FILE_CHECK_SECONDS)
        except BaseException:
            conn.close()
            raise
        return conn

    def _purge(self, conn: sqlite3.Connection) -> int:
        cutoff = stamp(self._cutoff())
        return self._purged(conn.execute("DELETE FROM conversations WHERE created_at < ?", (cutoff,)).rowcount)


def client_key(conn: Any) -> str | None:
    """The log's key for client pseudonyms, which migration 7 made in its own database."""
    row = conn.execute("SELECT value FROM log_keys WHERE name = 'client'").fetchone()
    return str(row[0]) if row is not None else None


def log_location(config: Config, override: str | Path | None = None) -> str:
    """Where the log is: the override (`Settings.log_location`, which FAQBOT_LOG sets), else
    `log_url`, else `log_path` from the config.

    A `postgresql://` URL means PostgreSQL; anything else is a SQLite file.
    """
    return str(override or config.log_location)


def log_path(config: Config, path_override: str | Path | None = None) -> Path:
    """The SQLite log's file (see log_location, which also covers PostgreSQL)."""
    return Path(log_location(config, path_override))
