"""Writing a file whole or not at all: `atomic_write`, the one way faqbot replaces a file.

    atomic_write(Path("data/faq.yaml"), text)                     # str or bytes
    atomic_write(out / "vectors.faiss", lambda name: faiss.write_index(index, name))

The data goes to a temporary file in the target's own folder (a name no other writer uses,
`.<name>.<random>.tmp`), is flushed and synced to disk, and is renamed over the target, which
readers therefore see either as it was or as it is now, never half written; the folder is
synced too, so the rename itself survives a power cut. An existing target keeps its permission
bits (a 0644 faq.yaml stays 0644); a new one gets the usual ones (0666 less the umask). When
anything fails, the target is as it was and the temporary file is gone.
"""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Callable
from pathlib import Path

TEMPORARY_SUFFIX = ".tmp"  # index.remove_old_generations sweeps stray `.*.tmp` files by this


def atomic_write(
    path: str | Path,
    data: bytes | str | Callable[[str], None],
    check: Callable[[Path], object] | None = None,
) -> None:
    """Replace `path` with `data` (bytes, text written as UTF-8, or a function that writes the
    file name it is given), atomically and durably. `check`, when given, is called with the
    written temporary file before it replaces `path`; whatever it raises leaves `path` untouched.
    """
    path = Path(path)
    mode = existing_mode(path)
    tmp, handle = create_temporary(path)
    try:
        with os.fdopen(handle, "wb") as file:
            if mode is not None:
                os.fchmod(file.fileno(), mode)
            if not callable(data):
                file.write(data.encode("utf-8") if isinstance(data, str) else data)
                file.flush()
                os.fsync(file.fileno())
        if callable(data):
            data(str(tmp))
            sync_file(tmp)
        if check is not None:
            check(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    sync_folder(path.parent)


def existing_mode(path: Path) -> int | None:
    """The permission bits of `path`, or None when there is no such file."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return None


def create_temporary(path: Path) -> tuple[Path, int]:
    """A new, empty file beside `path` with a name no other writer has, and its open descriptor.

    Created with O_EXCL, so two writers (threads or processes) never share one; 0666 less the
    umask, as a plain open would make it.
    """
    while True:
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}{TEMPORARY_SUFFIX}")
        try:
            return tmp, os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue


def create_private(path: Path) -> None:
    """Create `path` empty, readable and writable by its owner only (0600), unless it exists.

    For the conversation log: it holds customers' questions, staff's password hashes and session
    tokens, and SQLite gives its `-wal` and `-shm` files the database file's own bits. A file
    that exists keeps the bits it has (staff may have chosen them). A symbolic link (a log kept on
    another volume) is followed: its target is created so, where O_EXCL alone had refused the link
    and left SQLite to create the target with the umask's bits (a red-team helper).
    """
    try:
        os.close(os.open(Path(path).resolve(), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass


def sync_file(path: Path) -> None:
    with open(path, "rb+") as file:
        os.fsync(file.fileno())


def sync_folder(folder: Path) -> None:
    """Make a rename in `folder` durable (its entry is what changed)."""
    handle = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)
