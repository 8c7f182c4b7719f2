"""Whether the files of an index on disk are the files that were written: SHA-256 checksums.

A build records each generation file's SHA-256 in the manifest (`checksums`); loading checks
them before reading anything, so a truncated, emptied or bit-flipped file is a damaged index
(IndexDamagedError), never a traceback, and never a source of vectors the next build reuses.
The manifest itself is the commit point: unreadable, or not a JSON object, it is damage too.

Hashing reads each file once more; at ~1 GB/s that is well under a second for the indexes
faqbot serves on one machine, paid at load time only, not per question.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from faqbot.errors import IndexDamagedError

MANIFEST = "manifest.json"


def fix(path: Path) -> str:
    return f"rebuild it with: faqbot index --out {path}"


def file_sha256(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def file_checksums(folder: Path, files: dict[str, str]) -> dict[str, str]:
    """SHA-256 of each generation file (by kind: vectors, data, hubness) as written to `folder`."""
    return {kind: file_sha256(folder / name) for kind, name in files.items()}


def read_manifest(path: Path) -> dict | None:
    """The manifest in index folder `path`; None when there is none. Raises IndexDamagedError
    when it is there but cannot be read as a JSON object."""
    try:
        text = (path / MANIFEST).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as err:
        raise IndexDamagedError(f"the index manifest {path / MANIFEST} cannot be read ({err}); {fix(path)}") from None
    try:
        manifest = json.loads(text)
    except ValueError as err:
        raise IndexDamagedError(f"the index manifest {path / MANIFEST} is damaged ({err}); {fix(path)}") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files", {}), dict):
        raise IndexDamagedError(f"the index manifest {path / MANIFEST} is damaged (not an index manifest); {fix(path)}")
    return manifest


def verify_files(path: Path, manifest: dict) -> None:
    """Raise IndexDamagedError unless every file the manifest names has the checksum it records."""
    files, checksums = manifest.get("files"), manifest.get("checksums")
    if not isinstance(files, dict) or not isinstance(checksums, dict) or set(files) != set(checksums):
        raise IndexDamagedError(f"the index manifest {path / MANIFEST} lists no checksums for its files; {fix(path)}")
    for kind, name in files.items():
        file = path / str(name)
        try:
            actual = file_sha256(file)
        except OSError as err:
            raise IndexDamagedError(
                f"the index in {path}/ is damaged: {file} cannot be read ({err}); {fix(path)}"
            ) from None
        if actual != checksums[kind]:
            raise IndexDamagedError(
                f"the index in {path}/ is damaged: {file} does not match its checksum "
                f"(truncated or changed since it was built); {fix(path)}"
            )
