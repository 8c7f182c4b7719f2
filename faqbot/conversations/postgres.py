"""The conversation log on PostgreSQL, shared by every replica: `log_url: postgresql://user@host/db`.

    log = PostgresLog("postgresql://faqbot@db.internal/faqbot")
    bot = FaqBot(log=log)

Same rows, masking, feedback and retention as the SQLite log (faqbot.conversations.store), and
the same promise: the chat never waits on the database. A reply's row goes into a bounded
queue that one writer thread empties in batches through a psycopg connection pool;
`record` waits for its row to be written at most WAIT_SECONDS (a few milliseconds when the
database is well, so that another replica finds the reply when the customer picks a choice
or rates it there), and not at all while the database is known to be down. Then rows wait in
memory (up to QUEUE_LIMIT) and are written when it is back, with their reply_id; a 👍/👎 given
meanwhile waits behind its row in the same queue and is applied right after it.

The writer is also the one that knows whether the database answers: while it is away, the writer
tries one plain connection every PROBE_SECONDS (not the pool, whose retries back off to many
seconds apart), so logging resumes within about a second of its return; `reachable` (for
/healthz) asks the writer and waits for it at most HEALTH_SECONDS, never on the database itself.
The server log says in one line when the database went away, how many rows were lost if the
queue overflowed, and in one line when logging resumed: the pool's own warnings (several lines
per failed attempt) are not written.

The schema is created and migrated by faqbot.conversations.migrations on first contact.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import psycopg
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool, PoolTimeout

from faqbot.conversations.migrations import migrate_postgres
from faqbot.conversations.privacy import mask_pii
from faqbot.conversations.rows import (
    COLUMN_COUNT,
    COLUMNS,
    DECIDED,
    REJECTED,
    REOPENED,
    Copied,
    LoggedQuestion,
    newer_feedback,
)
from faqbot.conversations.store import (
    MASKED_QUESTIONS,
    LogBackend,
    client_key,
    masked_again,
    purge_due,
    under_key,
    utc_now,
    with_pseudonym,
)
from faqbot.database import connect, first_line, shown
from faqbot.errors import FaqbotError, LogUnavailableError

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = 1  # seconds; a database that does not answer is treated as down
WAIT_SECONDS = 0.3  # the longest a reply waits for its row to be written (for other replicas to find it)
QUEUE_LIMIT = 10_000  # rows kept in memory while the database is down; more are lost (and logged)
BATCH = 200
PROBE_SECONDS = 0.5  # while the database is away, the writer tries to reach it this often
HEALTH_SECONDS = 0.2  # the longest /healthz waits for the writer's fresh look at the database
INSERT = f"INSERT INTO conversations ({COLUMNS}) VALUES ({', '.join(['%s'] * COLUMN_COUNT)})"
FEEDBACK = "UPDATE conversations SET feedback = %s, feedback_at = %s WHERE reply_id = %s"


@dataclass
class Job:
    """One write for the writer thread: a reply's row (sql INSERT) or a 👍/👎 (sql UPDATE)."""

    sql: str
    params: tuple
    done: threading.Event = field(default_factory=threading.Event)


def connect_pool(url: str, max_size: int = 4) -> ConnectionPool:
    """A pool whose connections fail fast when the database is gone and are checked before use."""
    return ConnectionPool(
        url,
        min_size=1,
        max_size=max_size,
        open=True,
        timeout=CONNECT_TIMEOUT,
        # No retries in the background: they back off (1, 2, 4, ... s) and would hold every
        # connection request long after the database is back. The writer retries instead.
        reconnect_timeout=0,
        check=ConnectionPool.check_connection,
        kwargs={"connect_timeout": CONNECT_TIMEOUT, "options": "-c TimeZone=UTC"},
        name="faqbot-log",
    )


class PostgresLog(LogBackend):
    """Implements faqbot.bot.ReplyLog on PostgreSQL; `record` and `record_feedback` never raise."""

    path: str  # the URL without its password

    def __init__(
        self, url: str, retention_days: int = 90, clock: Callable[[], datetime] = utc_now, writer: bool = True
    ) -> None:
        """`writer`: start the background writer that records replies (a staff tool that only
        reads, or writes through its own calls, runs without one)."""
        self.url = url
        self.path = shown(url)  # what the server log and the report call it
        # The pool warns on every failed attempt, several lines each; this log says it once.
        logging.getLogger("psycopg.pool").setLevel(logging.ERROR)
        self.retention_days = retention_days
        self._clock = clock
        self.pool = connect_pool(url)
        self._jobs: deque[Job] = deque()
        self._wake = threading.Condition()
        self._down = False  # the writer's last look at the database failed
        self._asked = False  # /healthz wants the writer to look at the database now
        self._looks = 0  # how many times the writer has looked (a write is a look)
        self._looked = threading.Condition()
        self._next_look = 0.0  # time.monotonic() of the writer's next try while the database is away
        self._stalled = False  # a reply waited for its row in vain
        self._lost = 0
        self._migrated = False
        self._ready = threading.Event()
        self._last_purge: datetime | None = None
        self._closed = False
        self._batch_size = 0  # jobs the writer has taken and not yet finished
        self._writer = threading.Thread(target=self._write_loop, name="faqbot-log-writer", daemon=True)
        if writer:
            self._writer.start()

    # -- the backend ---------------------------------------------------------------------

    def _record(self, values: tuple) -> bool:
        """Queue one reply's row and wait up to WAIT_SECONDS for it to be written; False when the queue is full."""
        job = Job(INSERT, values)
        if not self._submit(job):
            return False
        if not (self._down or self._stalled) and job.done.wait(WAIT_SECONDS):
            return True
        # Written later (its reply_id is already the customer's). Until the writer catches
        # up, the next replies do not wait either: one customer waits WAIT_SECONDS, not each.
        self._stalled = True
        return True

    def _record_feedback(self, value: int | None, at: datetime, reply_id: str) -> None:
        self._submit(Job(FEEDBACK, (value, at, reply_id)))  # behind its row, when that still waits

    def _find(self, reply_id: str) -> LoggedQuestion | None:
        if self._down:  # a customer's request never waits on a database known to be away: 503, not 404
            raise LogUnavailableError("the conversation log's database is away")
        with self.pool.connection(timeout=CONNECT_TIMEOUT) as conn:
            self._prepare(conn)
            with conn.cursor(row_factory=dict_row) as cursor:
                row = cursor.execute("SELECT * FROM conversations WHERE reply_id = %s", (reply_id,)).fetchone()
        return LoggedQuestion.from_row(row, lambda t: t.astimezone(UTC)) if row is not None else None

    def _purge_now(self) -> int:
        with self.pool.connection() as conn:
            self._prepare(conn)
            return self._purge(conn)

    # -- staff side -----------------------------------------------------------------------

    def decisions(self, decision: str | None = None) -> set[str]:
        """The suggestions staff accepted or rejected (faqbot learn): never proposed again; with
        `decision` ("accepted" or "rejected"), those staff decided so."""
        with self.pool.connection(timeout=CONNECT_TIMEOUT) as conn:
            self._prepare(conn)
            if decision is None:
                query = f"SELECT suggestion_id FROM learn_decisions WHERE decision IN {DECIDED}"
                return {row[0] for row in conn.execute(query)}
            query = "SELECT suggestion_id FROM learn_decisions WHERE decision = %s"
            return {row[0] for row in conn.execute(query, (decision,))}

    def record_decision(self, suggestion_id: str, decision: str, faq_id: str | None, question: str) -> None:
        """Remember staff's decision on a suggestion; a later decision replaces an earlier one."""
        with self.pool.connection(timeout=CONNECT_TIMEOUT) as conn:
            self._prepare(conn)
            conn.execute(
                "INSERT INTO learn_decisions (suggestion_id, decision, faq_id, question, decided_at) "
                "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (suggestion_id) DO UPDATE SET decision = EXCLUDED.decision, "
                "decided_at = EXCLUDED.decided_at",
                (suggestion_id, decision, faq_id, mask_pii(question), self._clock()),
            )

    def mask_again(self) -> int:
        """As ConversationLog.mask_again: every stored question masked again; how many changed."""
        try:
            with self.pool.connection() as conn:
                self._prepare(conn)
                with conn.transaction():
                    changed = 0
                    for table, key in MASKED_QUESTIONS:
                        conn.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
                        updates = masked_again(conn.execute(f"SELECT {key}, question FROM {table}").fetchall())
                        with conn.cursor() as cursor:
                            cursor.executemany(f"UPDATE {table} SET question = %s WHERE {key} = %s", updates)
                        changed += len(updates)
        except (psycopg.Error, PoolTimeout) as err:
            raise FaqbotError(f"cannot write to the conversation log {self.path}: {self.why(err)}") from None
        return changed

    def reopen(self, suggestion_ids: Collection[str], entries: Collection[str] = ()) -> int:
        """As ConversationLog.reopen (faqbot.conversations.store): staff's acceptance of these
        suggestions, and of any into `entries`, forgotten (kept as "reopened"); how many."""
        ids, gone = sorted(set(suggestion_ids)), sorted(set(entries))
        if not ids and not gone:
            return 0
        return self._reopened("decision = 'accepted' AND (suggestion_id = ANY(%s) OR faq_id = ANY(%s))", (ids, gone))

    def _reopened(self, which: str, params: tuple) -> int:
        """Keep the decisions `which` (an SQL condition on learn_decisions) as "reopened"; how many."""
        with self.pool.connection(timeout=CONNECT_TIMEOUT) as conn:
            self._prepare(conn)
            cursor = conn.execute(
                f"UPDATE learn_decisions SET decision = '{REOPENED}', decided_at = %s WHERE {which}",
                (self._clock(), *params),
            )
            return cursor.rowcount

    def rejections(self, decision: str = REJECTED) -> dict[str, str]:
        """As ConversationLog.rejections: the suggestions staff rejected (or decided `decision`),
        with their questions."""
        with self.pool.connection(timeout=CONNECT_TIMEOUT) as conn:
            self._prepare(conn)
            query = "SELECT suggestion_id, question FROM learn_decisions WHERE decision = %s"
            return {row[0]: row[1] for row in conn.execute(query, (decision,))}

    def reject_again(self, suggestion_ids: Collection[str]) -> int:
        """As ConversationLog.reject_again: forgotten rejections of these suggestions remembered again."""
        ids = sorted(set(suggestion_ids))
        if not ids:
            return 0
        with self.pool.connection(timeout=CONNECT_TIMEOUT) as conn:
            self._prepare(conn)
            cursor = conn.execute(
                f"UPDATE learn_decisions SET decision = '{REJECTED}', decided_at = %s "
                f"WHERE decision = '{REOPENED}' AND suggestion_id = ANY(%s)",
                (self._clock(), ids),
            )
            return cursor.rowcount

    def unreject(self, suggestion_ids: Collection[str]) -> int:
        """As ConversationLog.unreject: staff's rejection of these suggestions forgotten (kept as
        "reopened"); how many."""
        ids = sorted(set(suggestion_ids))
        if not ids:
            return 0
        return self._reopened(f"decision = '{REJECTED}' AND suggestion_id = ANY(%s)", (ids,))

    def questions(self, since_days: float | None = None) -> list[LoggedQuestion]:
        """The logged rows, oldest first; only the last `since_days` days when given.

        Deletes rows past retention first. Raises FaqbotError when the database cannot be read.
        """
        query = "SELECT * FROM conversations"
        params: tuple = ()
        if since_days is not None:
            query += " WHERE created_at >= %s"
            params = (self._clock() - timedelta(days=since_days),)
        try:
            with self.pool.connection() as conn:
                self._prepare(conn)
                self._purge(conn)
                with conn.cursor(row_factory=dict_row) as cursor:
                    rows = cursor.execute(query + " ORDER BY id", params).fetchall()
        except (psycopg.Error, PoolTimeout) as err:
            raise FaqbotError(f"cannot read the conversation log {self.path}: {self.why(err)}") from None
        return [LoggedQuestion.from_row(r, lambda t: t.astimezone(UTC)) for r in rows]

    def why(self, err: Exception) -> str:
        """The reason a call failed: the pool's timeout says only that it waited ("couldn't get a
        connection after 1.00 sec"; found by a walk-through, where `faqbot report` said no more),
        so one direct connection is tried for the database's own words ("Connection refused")."""
        if not isinstance(err, PoolTimeout):
            return first_line(err)
        try:
            connect(self.url, timeout=2).close()
        except psycopg.Error as direct:
            return first_line(direct)
        except FaqbotError:
            pass
        return first_line(err)

    def insert_rows(self, rows: list[LoggedQuestion], key: str | None = None) -> Copied:
        """Add rows read from another log (`faqbot log copy`); a row already here (same reply_id,
        or same time, question, kind and index version) gets the other log's 👍/👎 when that is newer.
        `key`: the other log's pseudonym key (its clients are kept only when it is this log's)."""
        try:
            with self.pool.connection() as conn:
                self._prepare(conn)
                with conn.transaction():
                    # One copy at a time, so two runs side by side cannot both add the same rows.
                    conn.execute("LOCK TABLE conversations IN SHARE ROW EXCLUSIVE MODE")
                    new, feedback = self._sort_copied(conn, under_key(rows, key, self._client_key))
                    with conn.cursor() as cursor:
                        cursor.executemany(
                            f"INSERT INTO conversations ({COLUMNS}, feedback, feedback_at)"
                            f" VALUES ({', '.join(['%s'] * (COLUMN_COUNT + 2))})",
                            [r.values() for r in new],
                        )
                        cursor.executemany(
                            "UPDATE conversations SET feedback = %s, feedback_at = %s WHERE id = %s", feedback
                        )
        except (psycopg.Error, PoolTimeout) as err:
            raise FaqbotError(f"cannot write to the conversation log {self.path}: {self.why(err)}") from None
        return Copied(len(new), len(feedback))

    def _sort_copied(self, conn: psycopg.Connection, rows: list[LoggedQuestion]) -> tuple[list[LoggedQuestion], list]:
        """The rows not here yet, and (feedback, feedback_at, id) for those here with older feedback."""
        by_key, by_reply = {}, {}
        for r in conn.execute(
            "SELECT id, created_at, question, kind, index_version, reply_id, feedback, feedback_at FROM conversations"
        ):
            by_key[(r[1].astimezone(UTC), r[2], r[3], r[4])] = r
            if r[5] is not None:
                by_reply[r[5]] = r
        new, feedback = [], []
        for row in rows:
            here = by_reply.get(row.reply_id) if row.reply_id is not None else None
            here = here or by_key.get((row.created_at.astimezone(UTC), row.question, row.kind, row.index_version))
            if here is None:
                new.append(row)
            elif newer_feedback(row, here[6], here[7]):
                feedback.append((row.feedback, row.feedback_at, here[0]))
        return new, feedback

    def reachable(self) -> bool:
        """Whether the database answers, as the writer knows it (for /healthz); never raises.

        While the database is away the answer is immediate (the writer keeps looking); else the
        writer looks now, and the answer waits for it at most HEALTH_SECONDS: a look that has not
        finished by then counts as unreachable (an idle replica's pool found its connections gone
        and was still waiting for a new one, and /healthz said "ok" with the database stopped).
        """
        if self._writer.ident is None:  # a staff tool: no writer, one look of its own
            return self._look()
        if self._down:
            return False
        with self._looked:
            seen = self._looks
        with self._wake:
            self._asked = True
            self._wake.notify_all()
        with self._looked:
            looked = self._looked.wait_for(lambda: self._looks != seen, HEALTH_SECONDS)
        return looked and not self._down  # a database that cannot answer a look in time is not up

    def pending(self) -> int:
        """Rows and feedback not yet written."""
        return len(self._jobs)

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every queued write is done; False when `timeout` passed first."""
        deadline = time.monotonic() + timeout
        while self._jobs or self._batch_size:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True

    def close(self) -> None:
        """Write what is queued (for at most a few seconds), then close the pool."""
        if self._closed:
            return
        if not self.flush(timeout=3.0):
            log.error("closing the conversation log %s with %d row(s) not written", self.path, len(self._jobs))
        self._closed = True
        with self._wake:
            self._wake.notify_all()
        if self._writer.ident is not None:  # a staff tool's log has no writer
            self._writer.join(timeout=2.0)
        self.pool.close()

    # -- the writer thread ----------------------------------------------------------------

    def _submit(self, job: Job) -> bool:
        with self._wake:
            if len(self._jobs) >= QUEUE_LIMIT:
                self._lost += 1
                if self._lost == 1 or self._lost % 1000 == 0:
                    log.error(
                        "conversation log %s: %d row(s) lost, the database has been away too long (queue full)",
                        self.path,
                        self._lost,
                    )
                return False
            self._jobs.append(job)
            self._wake.notify()
        return True

    def wait_ready(self, timeout: float = 10.0) -> bool:
        """Wait until the schema is in place (the writer sees to it at start); False when the database is away."""
        return self._ready.wait(timeout)

    def _warm_up(self) -> None:
        """Connect and migrate before the first reply, so that it gets its row id in time."""
        try:
            with self.pool.connection() as conn:
                self._prepare(conn)
        except (psycopg.OperationalError, PoolTimeout) as err:
            self._went_down(err)
        except Exception as err:
            log.error("cannot prepare the conversation log %s: %s", self.path, err)

    def _write_loop(self) -> None:
        self._warm_up()
        while True:
            batch, asked = self._next_batch()
            if self._closed and not batch:
                return
            if self._down and not self._back():
                self._put_back(batch)
                if self._closed:
                    return
            elif batch:
                self._write_batch(batch)
            elif asked:
                self._look()
            with self._looked:
                self._looks += 1
                self._looked.notify_all()

    def _next_batch(self) -> tuple[list[Job], bool]:
        """Wait for work: writes queued, a look asked for by /healthz, or (while the database is
        away) PROBE_SECONDS gone by; returns the next batch and whether a look was asked for."""
        with self._wake:
            if self._down:  # new rows do not hurry it: one try every PROBE_SECONDS, whatever the traffic
                self._wake.wait_for(lambda: self._closed, max(0.0, self._next_look - time.monotonic()))
            elif not (self._jobs or self._asked or self._closed):
                self._wake.wait()
            asked, self._asked = self._asked, False
            batch = [self._jobs.popleft() for _ in range(min(BATCH, len(self._jobs)))]
            self._batch_size = len(batch)
        return batch, asked

    def _put_back(self, batch: list[Job]) -> None:
        with self._wake:
            self._jobs.extendleft(reversed(batch))  # in order, before anything newer
            self._batch_size = 0

    def _write_batch(self, batch: list[Job]) -> None:
        try:
            self._write(batch)
        except (psycopg.OperationalError, PoolTimeout) as err:
            self._put_back(batch)
            self._went_down(err)
        except Exception as err:  # a row the database refuses must not block the others
            log.error("conversation log %s refused %d write(s), skipped: %s", self.path, len(batch), err)
            for job in batch:
                job.done.set()
        finally:
            self._batch_size = 0

    def _look(self) -> bool:
        """Whether the database answers through the pool (within CONNECT_TIMEOUT); says so in the log when that changed."""
        try:
            with self.pool.connection(timeout=CONNECT_TIMEOUT) as conn:
                self._prepare(conn)
                conn.execute("SELECT 1")
        except (psycopg.Error, PoolTimeout) as err:
            self._went_down(err)
            return False
        self._came_back()
        return True

    def _back(self) -> bool:
        """While the database is away: whether it answers again, by one plain connection (the
        pool would wait out its back-off); says so in the log when it does."""
        try:
            with connect(self.url, autocommit=True, timeout=CONNECT_TIMEOUT) as conn:
                conn.execute("SELECT 1")
        except (psycopg.Error, FaqbotError):
            self._next_look = time.monotonic() + PROBE_SECONDS
            return False
        self._came_back()
        return True

    def _write(self, batch: list[Job]) -> None:
        with self.pool.connection() as conn:
            self._prepare(conn)
            with conn.transaction():
                for job in batch:  # a row's client becomes its pseudonym under this database's key
                    conn.execute(
                        job.sql, with_pseudonym(job.params, self._client_key) if job.sql == INSERT else job.params
                    )
            if purge_due(self._last_purge, self._clock()):
                self._last_purge = self._clock()
                self._purge(conn)
        self._stalled = False
        self._came_back()
        for job in batch:
            job.done.set()

    def _came_back(self) -> None:
        if self._down:
            self._down = False
            log.warning("conversation log %s is reachable again; logging resumed", self.path)

    def _went_down(self, err: Exception) -> None:
        if not self._down:
            self._down = True
            log.error(
                "conversation log %s is unreachable (%s); rows wait in memory (up to %d) until it is back",
                self.path,
                first_line(err),
                QUEUE_LIMIT,
            )

    # -- shared ---------------------------------------------------------------------------

    def _prepare(self, conn: psycopg.Connection) -> None:
        """Create or migrate the schema on this process's first contact with the database."""
        if not self._migrated:
            migrate_postgres(conn, self.path)
            self._client_key = client_key(conn)
            self._migrated = True
            self._ready.set()

    def _purge(self, conn: psycopg.Connection) -> int:
        with conn.transaction():
            deleted = conn.execute("DELETE FROM conversations WHERE created_at < %s", (self._cutoff(),)).rowcount
        return self._purged(deleted)
