"""Publishing an index generation through PostgreSQL, so every replica answers from the same FAQ.

    faqbot index --publish --db postgresql://faqbot@db.internal/faqbot    # staff, on any machine
    faqbot serve        # with log_url (or FAQBOT_LOG) on that database: follows what is published

`publish` packs the FAQ file and the index folder's current generation (manifest and the
files it names) into one tar archive, stores it in `index_generations` with its SHA-256 and
announces its id with NOTIFY. Each replica's `Follower` LISTENs in a background thread (and
looks for a newer generation every POLL_SECONDS, in case a notification was missed while
the database was away); it fetches the archive, checks the hash, writes the files into its
own index folder and FAQ file, the manifest last, through `LiveIndex.install`, which swaps the
new index in.
A replica that starts later loads the newest generation before it serves (`fetch_newest`:
a new machine needs only its settings, not an index of its own). A generation whose archive
does not match its SHA-256 (or does not unpack) is damaged: replicas pass over it, say so
once, and take the newest intact one (the database keeps KEEP_PUBLISHED). Only an index
`faqbot index` has just built and validated is published; an invalid FAQ never reaches here.

Staff on two machines must not undo each other's changes: an index folder keeps the generation
it last published or fetched (BASE_FILE), and `publish` refuses (StalePublishError) when a newer
generation holds another FAQ, unless forced; `faqbot index --fetch` (`fetch_newest`) brings it.
The staff console takes such a generation before its next change (`catch_up`).

Each follower also records, whenever it looks (every POLL_SECONDS), which generation its
replica answers from (`index_replicas`, one row per serving process, `host:pid`): the staff
console shows which replicas answer from the newest index (`replicas`). Rows not seen for a
day are removed.

The tables are publishing's own schema (INDEX_SCHEMA, its versions in `index_migrations`), created
on first use by staff publishing or a replica looking; it evolves apart from the conversation
log's tables in the same database. A database where an older faqbot's log created the table
keeps it as it is.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import logging
import os
import socket
import tarfile
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psycopg

from faqbot.database import Schema, Step, connect, first_line, migrate_postgres, shown
from faqbot.errors import FaqbotError
from faqbot.faq.model import load_faq
from faqbot.files import atomic_write
from faqbot.retrieval.index import MANIFEST, check_fresh, load_index, remove_old_generations

if TYPE_CHECKING:
    from faqbot.retrieval.lifecycle import LiveIndex

log = logging.getLogger(__name__)

CHANNEL = "faqbot_index"
KEEP_PUBLISHED = 5  # generations kept in the database; replicas only ever fetch the newest
BASE_FILE = "published.json"  # in an index folder: the generation it last published or fetched
POLL_SECONDS = 10.0
FAQ_MEMBER = "faq.yaml"

INDEX_SCHEMA = Schema(
    "published indexes",
    "index_migrations",
    (
        Step(
            1,
            "published index generations (faqbot index --publish), for replicas to fetch",
            # IF NOT EXISTS: the conversation log's migration 2 created this table before it was its own schema.
            """
CREATE TABLE IF NOT EXISTS index_generations (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    published_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    built_at     TEXT        NOT NULL,
    faq_hash     TEXT        NOT NULL,
    sha256       TEXT        NOT NULL,  -- of archive, checked by every replica before it swaps in
    archive      BYTEA       NOT NULL   -- tar of faq.yaml and the index folder's current generation
);
""",
        ),
        Step(
            2,
            "which generation each replica answers from, recorded by its follower (the staff console shows it)",
            """
CREATE TABLE IF NOT EXISTS index_replicas (
    name         TEXT        PRIMARY KEY,  -- host:pid of the serving process
    generation   BIGINT,                   -- the published generation it answers from; NULL: its own files
    built_at     TEXT        NOT NULL,     -- when the index it answers from was built
    seen_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);
""",
        ),
    ),
)
FORGET_REPLICAS = "1 day"  # a replica not seen for this long is no longer listed


@dataclass(frozen=True)
class ReplicaSeen:
    """A replica as it last said: the generation it answers from, and how long ago it said so."""

    name: str
    generation: int | None
    built_at: str
    seconds_ago: float


def replicas(url: str) -> tuple[int | None, list[ReplicaSeen]]:
    """The newest published generation and the replicas seen in the last day, by name.
    Raises psycopg.Error when the database does not answer."""
    with connect(url, autocommit=True) as conn:
        migrate_postgres(conn, INDEX_SCHEMA, shown(url))
        [(newest,)] = conn.execute("SELECT max(id) FROM index_generations").fetchall()
        rows = conn.execute(
            "SELECT name, generation, built_at, EXTRACT(EPOCH FROM now() - seen_at)::float FROM index_replicas"
            f" WHERE seen_at > now() - interval '{FORGET_REPLICAS}' ORDER BY name"
        ).fetchall()
    return newest, [ReplicaSeen(name, generation, built_at, float(ago)) for name, generation, built_at, ago in rows]


def pack(faq_path: Path, index_dir: Path) -> tuple[bytes, dict]:
    """The tar archive of the FAQ file and the index's current generation, and its manifest."""
    manifest = json.loads((index_dir / MANIFEST).read_text(encoding="utf-8"))
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        archive.add(faq_path, arcname=FAQ_MEMBER)
        for name in manifest["files"].values():
            archive.add(index_dir / name, arcname=f"index/{name}")
        archive.add(index_dir / MANIFEST, arcname=f"index/{MANIFEST}")
    return buffer.getvalue(), manifest


class StalePublishError(FaqbotError):
    """A generation published since this folder last published or fetched has another FAQ:
    publishing would undo its changes."""


def base_of(index_dir: Path) -> int | None:
    """The generation this index folder last published or fetched (None: never)."""
    try:
        return int(json.loads((index_dir / BASE_FILE).read_text(encoding="utf-8"))["generation"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def record_base(index_dir: Path, generation: int) -> None:
    atomic_write(index_dir / BASE_FILE, json.dumps({"generation": generation}) + "\n")


def check_not_behind(
    conn: psycopg.Connection[Any], index_dir: Path, faq_hash: str, where: str, previous: str | None
) -> None:
    """StalePublishError when the newest published generation is newer than this folder's base
    and holds another FAQ (another machine, or the console, published since: `faqbot index --fetch`).
    A folder without a base (it published before bases were kept) that had the newest published
    FAQ before this change (`previous`) is not behind."""
    row = newest_usable(conn)
    base = base_of(index_dir)
    if row is None or row[1] in (faq_hash, previous if base is None else None):
        return
    if base is not None and row[0] <= base:
        return
    if (
        base is not None
        and conn.execute("SELECT 1 FROM index_generations WHERE id = %s AND faq_hash = %s", (base, row[1])).fetchone()
    ):
        return  # the newest holds the FAQ this folder last saw (another machine's model, say): nothing to undo
    seen = f"this folder last published or fetched generation {base}" if base else "this folder has not seen it"
    raise StalePublishError(
        f"not published: generation {row[0]} in {where} (built {row[2]}) has another FAQ, and {seen}; "
        "publishing would undo its changes. Fetch it first with: faqbot index --fetch (it writes the "
        "published FAQ and index here), make your change again, and publish; or publish over it with --force"
    )


def publish(
    faq_path: Path, index_dir: Path, url: str, embedder_name: str, force: bool = False, previous: str | None = None
) -> int:
    """Store the index in `index_dir` (built from `faq_path`) in PostgreSQL and announce it; returns its id
    (the newest generation's, when that is this index already: nothing is stored or announced).

    Refused (StalePublishError) when a generation published since this folder's base holds
    another FAQ, unless `force`: staff on two machines must not undo each other's changes.
    `previous`: the folder's `folder_hash` before the build that is published."""
    index = load_index(index_dir)
    check_fresh(index, load_faq(faq_path), embedder_name)  # never publish an index that does not match its FAQ
    archive, manifest = pack(faq_path, index_dir)
    digest = hashlib.sha256(archive).hexdigest()
    try:
        with connect(url) as conn:
            migrate_postgres(conn, INDEX_SCHEMA, shown(url))
            with conn.transaction():
                conn.execute("LOCK TABLE index_generations IN SHARE ROW EXCLUSIVE MODE")  # one publisher at a time
                if not force:
                    check_not_behind(conn, index_dir, manifest["faq_hash"], shown(url), previous)
                same = already_published(conn, archive)
                if same is not None:  # nothing changed since: no new generation for every replica to swap in
                    record_base(index_dir, same)
                    return same
                [(generation,)] = conn.execute(
                    "INSERT INTO index_generations (built_at, faq_hash, sha256, archive)"
                    " VALUES (%s, %s, %s, %s) RETURNING id",
                    (manifest["built_at"], manifest["faq_hash"], digest, archive),
                ).fetchall()
                # older ones are never fetched again; counted by rows, not ids (a crash makes the
                # sequence skip ahead, and a publish after one had deleted every generation before it)
                conn.execute(
                    "DELETE FROM index_generations WHERE id NOT IN"
                    " (SELECT id FROM index_generations ORDER BY id DESC LIMIT %s)",
                    (KEEP_PUBLISHED,),
                )
                conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, str(generation)))  # sent on commit
    except psycopg.Error as err:
        raise FaqbotError(f"cannot publish the index to {shown(url)}: {err}") from None
    record_base(index_dir, int(generation))
    return int(generation)


def newest_generation(url: str) -> int | None:
    """The id of the newest published generation (None: none yet). FaqbotError when the
    database does not answer."""
    try:
        with connect(url, autocommit=True) as conn:
            migrate_postgres(conn, INDEX_SCHEMA, shown(url))
            [(newest,)] = conn.execute("SELECT max(id) FROM index_generations").fetchall()
    except psycopg.Error as err:
        raise FaqbotError(f"cannot publish the index to {shown(url)}: {err}") from None
    return int(newest) if newest is not None else None


def already_published(conn: psycopg.Connection[Any], archive: bytes) -> int | None:
    """The newest generation when it holds what `archive` does (`pack`), stored intact: `faqbot
    index --publish` with nothing changed, whose rebuild only gave the files new names and a new
    time. A damaged newest generation is published again, so that replicas get an intact one."""
    row = conn.execute("SELECT id, sha256, archive FROM index_generations ORDER BY id DESC LIMIT 1").fetchone()
    if row is None or hashlib.sha256(row[2]).hexdigest() != row[1]:
        return None
    try:
        return int(row[0]) if contents(bytes(row[2])) == contents(archive) else None
    except UNPACK_ERRORS:  # a manifest that is no object too (an attack)
        return None


def contents(archive: bytes) -> tuple[bytes, dict]:
    """What a published archive holds, apart from when it was built and what its files are called:
    the FAQ file's bytes and the manifest (the index files' checksums, the model, the calibration)."""
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        members = {m.name: m for m in tar.getmembers()}
        faq = read_member(tar, members, FAQ_MEMBER)
        manifest = json.loads(read_member(tar, members, f"index/{MANIFEST}"))
    for key in ("built_at", "files", "faq_path"):
        manifest.pop(key, None)
    if isinstance(manifest.get("calibration"), dict):  # what it found, not how long it took or how it said so
        for key in ("seconds", "why"):  # (a rebuild with nothing changed says "0 text(s) new or gone")
            manifest["calibration"].pop(key, None)
    return faq, manifest


def read_member(tar: tarfile.TarFile, members: dict[str, tarfile.TarInfo], name: str) -> bytes:
    """The bytes of the archive's file `name`; a file missing from the archive is an error."""
    member = members.get(name)
    file = tar.extractfile(member) if member is not None else None
    if file is None:
        raise FaqbotError(f"a published index has no file {name!r}; publish it again")
    return file.read()


def unpack(archive: bytes, faq_path: Path, index_dir: Path) -> None:
    """Write the archive's generation files, then its FAQ file, then its manifest (the commit point)."""
    with tarfile.open(fileobj=io.BytesIO(archive), mode="r") as tar:
        members = {m.name: m for m in tar.getmembers() if m.isfile()}
        manifest_bytes = read_member(tar, members, f"index/{MANIFEST}")
        manifest = json.loads(manifest_bytes)
        files = manifest.get("files") if isinstance(manifest, dict) else None
        if not isinstance(files, dict) or not all(isinstance(name, str) for name in files.values()):
            raise FaqbotError("a published index has a manifest faqbot cannot read; publish it again")
        names = list(files.values())
        for name in names:
            if Path(name).name != name:  # a name with a folder in it would write outside the index
                raise FaqbotError(f"a published index names the file {name!r}; publish it again")
        index_dir.mkdir(parents=True, exist_ok=True)
        for name in names:
            atomic_write(index_dir / name, read_member(tar, members, f"index/{name}"))
        atomic_write(faq_path, read_member(tar, members, FAQ_MEMBER))
        atomic_write(index_dir / MANIFEST, manifest_bytes)
    remove_old_generations(index_dir, keep=set(names))


UNPACK_ERRORS = (OSError, KeyError, ValueError, TypeError, AttributeError, tarfile.TarError, FaqbotError)


def verified(archive: bytes, model_name: str | None = None) -> None:
    """FaqbotError unless `archive` is a generation a replica can serve as it is: unpacked in a
    folder of its own, its FAQ passes the checks, its index loads (checksums) and was built from
    that FAQ, with `model_name` when given. An attack published, with matching SHA-256s, a
    manifest that stopped every replica's follower, a FAQ that stopped every restarting replica,
    and an index of another model that every replica rebuilt while its customers waited."""
    with tempfile.TemporaryDirectory(prefix="faqbot-generation-") as folder:
        faq_path, index_dir = Path(folder) / FAQ_MEMBER, Path(folder) / "index"
        unpack(archive, faq_path, index_dir)
        faq, index = load_faq(faq_path), load_index(index_dir)
        if index.manifest.faq_hash != faq.content_hash():
            raise FaqbotError("its index was not built from its FAQ")
        if model_name is not None and index.manifest.model != model_name:
            raise FaqbotError(f"it was built with model {index.manifest.model}; this replica uses {model_name}")


def sound(faq_path: Path, index_dir: Path) -> bool:
    """Whether the FAQ file and index in this folder load and belong together."""
    try:
        return load_index(index_dir).manifest.faq_hash == load_faq(faq_path).content_hash()
    except UNPACK_ERRORS:
        return False


def newest_usable(conn: psycopg.Connection[Any]) -> tuple[int, str, str] | None:
    """(id, faq_hash, built_at) of the newest published generation that is intact and `verified`:
    a damaged or malformed newest one (or a row of garbage with a high id) had refused every
    publish after it, and `--fetch` fetched the one before it, round and round (an attack)."""
    for (generation,) in conn.execute("SELECT id FROM index_generations ORDER BY id DESC").fetchall():
        row = conn.execute(
            "SELECT faq_hash, built_at, sha256, archive FROM index_generations WHERE id = %s", (generation,)
        ).fetchone()
        if row is None or hashlib.sha256(row[3]).hexdigest() != row[2]:
            continue
        try:
            verified(bytes(row[3]))
        except UNPACK_ERRORS:
            continue
        return int(generation), str(row[0]), str(row[1])
    return None


def intact_archives(
    conn: psycopg.Connection[Any], newer_than: int | None, refused: set[int]
) -> Iterator[tuple[int, bytes]]:
    """(id, archive) of the published generations newer than `newer_than`, newest first, that
    match their SHA-256; a damaged one is added to `refused`, said once, and passed over."""
    ids = conn.execute(
        "SELECT id FROM index_generations WHERE id > %s ORDER BY id DESC", (-1 if newer_than is None else newer_than,)
    ).fetchall()
    for (generation,) in ids:
        if generation in refused:
            continue
        row = conn.execute("SELECT sha256, archive FROM index_generations WHERE id = %s", (generation,)).fetchone()
        if row is None:
            continue  # deleted meanwhile (KEEP_PUBLISHED)
        digest, archive = row
        if hashlib.sha256(archive).hexdigest() != digest:
            refused.add(generation)
            log.error(
                "published index %s does not match its SHA-256 (damaged); passed over: publish the FAQ again",
                generation,
            )
            continue
        yield int(generation), bytes(archive)


def fetch_newest(url: str, faq_path: Path, index_dir: Path) -> int | None:
    """Before a replica's bot exists: write the newest intact published generation to `faq_path`
    and `index_dir`, so that a new machine needs only its settings. Returns the generation's id;
    None when nothing intact is published or the database does not answer (the local files serve)."""
    where = shown(url)
    newest = None
    try:
        with connect(url, autocommit=True) as conn:
            migrate_postgres(conn, INDEX_SCHEMA, where)
            [(newest,)] = conn.execute("SELECT max(id) FROM index_generations").fetchall()
            base = base_of(index_dir)
            for generation, archive in intact_archives(conn, None, set()):
                if base is not None and generation < base and sound(faq_path, index_dir):
                    # the newest published generations cannot be served, and this folder holds a newer
                    # one than the next that can: kept (a restart had gone back a generation, an attack found)
                    log.warning(
                        "the newest published index, %s, cannot be served; keeping this folder's %s", newest, base
                    )
                    return base
                try:  # checked in a folder of its own first: a refused FAQ had stopped the replica starting
                    verified(archive)
                    unpack(archive, faq_path, index_dir)
                except UNPACK_ERRORS as err:
                    log.error("published index %s does not unpack (%s); passed over", generation, err)
                    continue
                if generation != newest:
                    log.warning("the newest published index, %s, is damaged; starting from %s", newest, generation)
                log.warning("starting from published index %s", generation)
                record_base(index_dir, generation)
                return generation
    except (psycopg.Error, *UNPACK_ERRORS) as err:
        log.error("cannot load the published index from %s (starting from the local one): %s", where, err)
        return None
    if newest is not None:
        log.error("no published index in %s is intact (starting from the local one); publish the FAQ again", where)
    return None


def catch_up(url: str, faq_path: Path, index_dir: Path, refuse: bool = False) -> int | None:
    """For a folder that publishes (the staff console): write the newest published generation here
    when it is newer than this folder's base and the FAQ file is still the base's, so that the
    next change is made on top of what another machine published. Its id, else None: nothing
    newer, or the file has changes of its own (then publishing says so: StalePublishError; with
    `refuse`, before a change is made, so that nothing is written that cannot be published)."""
    base = base_of(index_dir)
    if base is None:
        return None
    try:
        with connect(url, autocommit=True) as conn:
            rows = dict(
                conn.execute(
                    "SELECT id, faq_hash FROM index_generations WHERE id = %s OR id = (SELECT max(id) FROM index_generations)",
                    (base,),
                ).fetchall()
            )
    except psycopg.Error as err:
        log.warning("cannot look for a newer published index in %s: %s", shown(url), first_line(err))
        return None
    newest = max(rows, default=base)
    if newest <= base:
        return None
    mine = load_faq(faq_path).content_hash()
    if rows.get(base) != mine:
        if refuse and rows.get(newest) != mine:
            raise StalePublishError(
                f"not changed: generation {newest} in {shown(url)} has another FAQ, published since this folder's "
                f"generation {base}, and {faq_path} has changes of its own; fetch it first with: faqbot index --fetch"
            )
        return None
    return fetch_newest(url, faq_path, index_dir)


class Follower:
    """Keeps a serving index on the newest published generation (a daemon thread).

    >>> follower = Follower(bot.index, "postgresql://faqbot@db.internal/faqbot").start()
    """

    def __init__(self, live: LiveIndex, url: str, current: int | None = None, name: str | None = None) -> None:
        self.live = live
        self.url = url
        self.where = shown(url)
        self.current = current  # the generation this replica answers from
        self.name = name or f"{socket.gethostname()}:{os.getpid()}"  # its row in index_replicas
        self._refused: set[int] = set()  # damaged generations, not fetched again
        self._away = False  # the database did not answer the last time
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="faqbot-index-follower", daemon=True)

    def start(self) -> Follower:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop following, and take this replica off `index_replicas` (best effort): a stopped
        replica stayed on the console's overview as "tyst" for a day (a walk-through counted 9
        such rows beside 2 live ones)."""
        self._stop.set()
        self._thread.join(timeout=5)
        try:
            with connect(self.url, autocommit=True, timeout=2) as conn:
                conn.execute("DELETE FROM index_replicas WHERE name = %s", (self.name,))
        except psycopg.Error as err:
            log.warning("could not take this replica off the list in %s: %s", self.where, first_line(err))

    def sync(self, conn: psycopg.Connection[Any] | None = None) -> bool:
        """Load the newest published generation if it is not the one serving; True when one was swapped in."""
        try:
            if conn is None:
                with connect(self.url, autocommit=True) as own:
                    return self._sync_and_say(own)
            return self._sync_and_say(conn)
        except (psycopg.Error, *UNPACK_ERRORS) as err:
            log.error("cannot load the published index from %s (answering from the current one): %s", self.where, err)
            return False

    def _sync_and_say(self, conn: psycopg.Connection[Any]) -> bool:
        swapped = self._sync(conn)
        self.say_where(conn)
        return swapped

    def say_where(self, conn: psycopg.Connection[Any]) -> None:
        """Record which generation this replica answers from, now (`index_replicas`)."""
        conn.execute(
            "INSERT INTO index_replicas (name, generation, built_at, seen_at) VALUES (%s, %s, %s, now())"
            " ON CONFLICT (name) DO UPDATE SET generation = EXCLUDED.generation, built_at = EXCLUDED.built_at,"
            " seen_at = now()",
            (self.name, self.current, self.live.manifest.built_at),
        )
        conn.execute(f"DELETE FROM index_replicas WHERE seen_at < now() - interval '{FORGET_REPLICAS}'")

    def _sync(self, conn: psycopg.Connection[Any]) -> bool:
        migrate_postgres(conn, INDEX_SCHEMA, self.where)
        [(newest,)] = conn.execute("SELECT max(id) FROM index_generations").fetchall()
        if newest is None or newest == self.current:
            return False  # the archive travels only when there is a newer one to swap in
        live = self.live
        for generation, archive in intact_archives(conn, self.current, self._refused):
            try:
                verified(archive, live.embedder.name)
            except UNPACK_ERRORS as err:  # passed over, said once; an older one may serve
                self._refused.add(generation)
                log.error("published index %s cannot be served (%s); passed over", generation, err)
                continue
            if not live.install(functools.partial(unpack, archive)):
                self._refused.add(generation)  # LiveIndex has said why; the last good index keeps answering
                log.error(
                    "published index %s could not be loaded; answering from the one built at %s",
                    generation,
                    live.manifest.built_at,
                )
                return False
            self.current = generation
            record_base(live.index_dir, generation)  # what this folder holds, for a restart (fetch_newest)
            log.warning("answering from published index %s (built at %s)", generation, live.manifest.built_at)
            return True
        return False  # nothing newer can be served: the current index keeps answering

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with connect(self.url, autocommit=True) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    if self._away:
                        self._away = False
                        log.warning("following published indexes from %s again", self.where)
                    self.sync(conn)  # whatever was published while this replica was not listening
                    last_poll = time.monotonic()
                    while not self._stop.is_set():
                        # Drained before syncing: the generator holds the connection while it runs.
                        announced = list(conn.notifies(timeout=1.0, stop_after=1))
                        if announced or time.monotonic() - last_poll >= POLL_SECONDS:
                            self.sync(conn)
                            last_poll = time.monotonic()
            except psycopg.Error as err:
                if not self._away:  # said once per outage, not every few seconds
                    self._away = True
                    log.error("not following published indexes from %s (retrying): %s", self.where, first_line(err))
                self._stop.wait(POLL_SECONDS / 2)
            except Exception:  # nothing may end the following for good (a malformed manifest did, an attack found)
                log.exception("following published indexes from %s failed (retrying)", self.where)
                self._stop.wait(POLL_SECONDS)
