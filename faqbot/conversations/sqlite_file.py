"""The SQLite log's file under an operator's hands: moved, deleted, replaced or damaged in use.

SQLite keeps writing through the file descriptors it opened, so a log moved away (`mv`) goes on
growing in the moved file's `-wal`, which stays behind under the old name, and a log deleted or
overwritten goes on "working" until its rows are lost. `FileWatch` holds one more descriptor
of the open log file and compares it with what the path names now (`fstat` against `stat`:
device, inode, link count) and checks the file's size and its 16-byte SQLite header: three
system calls (about 6 microseconds), made before and after every write. The check after a write
closes the window between the check and the write: a row written to a file that was deleted,
replaced, truncated or damaged meanwhile is written again to the new log, so no row is lost
with the file (a row written just before an `rm` may then appear in the new log too).

A log found damaged (SQLite says so, `PRAGMA quick_check` fails, or its header is gone) is set
aside as `<name>.damaged-<UTC time>` with its -wal and -shm, for staff to inspect or recover,
and a new log is started in its place.
"""

from __future__ import annotations

import os
import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path

SQLITE_HEADER = b"SQLite format 3\x00"
DAMAGE_CODES = {sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB}
MOVED, DELETED, REPLACED, DAMAGED, TRUNCATED = "moved", "deleted", "replaced", "damaged", "truncated"


class LogDamagedError(Exception):
    """The log file is not a sound SQLite database; `str()` says what SQLite found."""


def is_damage(err: BaseException) -> bool:
    """Whether a sqlite3 error says the file is damaged (not merely locked, full or read-only)."""
    code = getattr(err, "sqlite_errorcode", None)
    return isinstance(err, LogDamagedError) or (code is not None and (code & 0xFF) in DAMAGE_CODES)


def quick_check(conn: sqlite3.Connection) -> None:
    """Raise LogDamagedError unless SQLite's quick integrity check of the open log passes."""
    try:
        found = [row[0] for row in conn.execute("PRAGMA quick_check(3)")]
    except sqlite3.DatabaseError as err:
        if is_damage(err):
            raise LogDamagedError(str(err)) from None
        raise
    if found != ["ok"]:
        raise LogDamagedError("; ".join(found))


def companions(path: Path) -> list[Path]:
    """The log file and the -wal and -shm files SQLite keeps beside it."""
    return [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]


def aside_name(path: Path, label: str) -> Path:
    """`<name>.<label>-<UTC time>` beside `path`: where a file set aside (or a copy of it) goes."""
    return path.with_name(f"{path.name}.{label}-" + datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ"))


def set_aside(path: Path, label: str = "damaged") -> Path:
    """Rename a damaged log (and its -wal, -shm) to `<name>.<label>-<UTC time>`; returns the new name."""
    aside = aside_name(path, label)
    for file in companions(path):
        if file.exists():
            os.replace(file, file.with_name(aside.name + file.name[len(path.name) :]))
    return aside


class FileWatch:
    """Notices when the log file open at `path` is no longer the file the path names."""

    def __init__(self, path: Path, every: float) -> None:
        self.path = path
        self.every = every
        self._fd = os.open(path, os.O_RDONLY)
        self._checked = time.monotonic()
        self.size = os.fstat(self._fd).st_size  # the size last seen (a log in WAL mode holds at least its header)
        self._had_header = self.size >= len(SQLITE_HEADER)

    def due(self) -> bool:
        return time.monotonic() - self._checked >= self.every

    def change(self) -> str | None:
        """MOVED, DELETED, REPLACED, TRUNCATED or DAMAGED since the file was opened, or None.

        TRUNCATED: the file that held a header is now shorter than one (`truncate -s 0`);
        `size` then says how long it is.
        """
        self._checked = time.monotonic()
        opened = os.fstat(self._fd)
        try:
            now = os.stat(self.path)
        except FileNotFoundError:
            return DELETED if opened.st_nlink == 0 else MOVED
        if (now.st_dev, now.st_ino) != (opened.st_dev, opened.st_ino):
            return REPLACED
        self.size = opened.st_size
        if self._had_header and opened.st_size < len(SQLITE_HEADER):
            return TRUNCATED
        if opened.st_size and os.pread(self._fd, len(SQLITE_HEADER), 0) != SQLITE_HEADER:
            return DAMAGED
        return None

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
