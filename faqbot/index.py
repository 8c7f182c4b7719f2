"""The index on disk: FAISS vectors of every entry's views, a snapshot of the entries, a manifest.

Layout of the index folder:

    manifest.json           the commit point: format, model, FAQ hash, entry ids, file names
    vectors-<gen>.faiss     inner-product FAISS index, one row per view
    data-<gen>.json         the entries and the view table (row -> entry, kind, text)

A build writes the new generation's files first and then replaces manifest.json atomically,
so a reader sees either the old index or the new one, never a mix, and a crash or an invalid
FAQ leaves the last good index in place. Builds take an exclusive lock on `.lock`.
Vectors of views whose text did not change are reused, so a rebuild re-embeds only edits.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import faiss
import numpy as np

from .embedding import Embedder
from .errors import IndexMismatchError, IndexMissingError
from .faq import Faq, FaqEntry

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
LOCK = ".lock"
KEEP_GENERATIONS = 2  # the previous generation stays for readers that opened its manifest
EMBED_BATCH = 64

# A view is one text that stands for an entry in the vector index.
QUESTION, ALTERNATIVE, ANSWER = "question", "alternative", "answer"


@dataclass(frozen=True)
class View:
    entry_id: str
    kind: str
    text: str


@dataclass(frozen=True)
class BuildReport:
    """What a build changed compared with the index that was there before."""

    added: list[str]
    changed: list[str]
    removed: list[str]
    entries: int
    views: int
    embedded: int
    seconds: float
    path: str

    @property
    def unchanged(self) -> bool:
        return not (self.added or self.changed or self.removed)


@dataclass
class LoadedIndex:
    """An index read from disk, ready to search."""

    manifest: dict
    vectors: faiss.Index
    views: list[View]
    entries: list[FaqEntry]
    helpdesk: str
    path: Path


def entry_views(entry: FaqEntry) -> list[View]:
    views = [View(entry.id, QUESTION, entry.question)]
    views += [View(entry.id, ALTERNATIVE, alt) for alt in entry.alternatives]
    views.append(View(entry.id, ANSWER, entry.answer))
    return views


def view_key(view: View) -> str:
    return hashlib.sha256(f"{view.kind}\0{view.text}".encode()).hexdigest()


@contextmanager
def build_lock(out: Path) -> Iterator[None]:
    """One build at a time per index folder; a second build waits for the first."""
    out.mkdir(parents=True, exist_ok=True)
    with open(out / LOCK, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def read_manifest(path: Path) -> dict | None:
    try:
        return json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def cached_vectors(old: LoadedIndex | None, model: str) -> dict[str, np.ndarray]:
    """Vectors of the previous build, by view key, when it used the same model."""
    if old is None or old.manifest.get("model") != model:
        return {}
    matrix = old.vectors.reconstruct_n(0, old.vectors.ntotal)
    return {view_key(v): matrix[i] for i, v in enumerate(old.views)}


def build_index(
    faq: Faq,
    embedder: Embedder,
    out: str | Path,
    progress: Callable[[int, int], None] | None = None,
) -> BuildReport:
    """Embed every view of every entry and replace the index in `out` atomically."""
    started = time.perf_counter()
    out = Path(out)
    with build_lock(out):
        try:
            old: LoadedIndex | None = load_index(out)
        except (IndexMissingError, IndexMismatchError):
            old = None
        old_hashes: dict[str, str] = (old.manifest.get("entry_hashes", {}) if old else {})

        views = [view for entry in faq.entries for view in entry_views(entry)]
        cache = cached_vectors(old, embedder.name)
        vectors = np.zeros((len(views), embedder.dim), dtype=np.float32)
        missing = [i for i, v in enumerate(views) if view_key(v) not in cache]
        for i, view in enumerate(views):
            if view_key(view) in cache:
                vectors[i] = cache[view_key(view)]
        for start in range(0, len(missing), EMBED_BATCH):
            batch = missing[start : start + EMBED_BATCH]
            vectors[batch] = embedder.embed_passages([views[i].text for i in batch])
            if progress:
                progress(min(start + EMBED_BATCH, len(missing)), len(missing))

        flat = faiss.IndexFlatIP(embedder.dim)
        flat.add(vectors)
        generation = f"{int(time.time() * 1000)}-{faq.content_hash()[:8]}"
        vectors_file, data_file = f"vectors-{generation}.faiss", f"data-{generation}.json"
        data = {
            "helpdesk": faq.helpdesk,
            "entries": [
                {"id": e.id, "question": e.question, "answer": e.answer, "alternatives": list(e.alternatives)}
                for e in faq.entries
            ],
            "views": [[v.entry_id, v.kind, v.text] for v in views],
        }
        write_atomic(out / vectors_file, faiss.serialize_index(flat).tobytes())
        write_atomic(out / data_file, json.dumps(data, ensure_ascii=False).encode())
        hashes = {e.id: e.content_hash() for e in faq.entries}
        manifest = {
            "format_version": FORMAT_VERSION,
            "model": embedder.name,
            "dimension": embedder.dim,
            "faq_hash": faq.content_hash(),
            "faq_path": faq.path,
            "entry_ids": [e.id for e in faq.entries],
            "entry_hashes": hashes,
            "views": len(views),
            "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "files": {"vectors": vectors_file, "data": data_file},
        }
        write_atomic(out / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2).encode())
        remove_old_generations(out, keep={vectors_file, data_file})

    return BuildReport(
        added=[i for i in hashes if i not in old_hashes],
        changed=[i for i in hashes if i in old_hashes and old_hashes[i] != hashes[i]],
        removed=[i for i in old_hashes if i not in hashes],
        entries=len(faq.entries),
        views=len(views),
        embedded=len(missing),
        seconds=time.perf_counter() - started,
        path=str(out),
    )


def remove_old_generations(out: Path, keep: set[str]) -> None:
    """Delete all but the newest KEEP_GENERATIONS generations, and stray temporary files."""
    generations = sorted(
        {p.name.split("-", 1)[1].rsplit(".", 1)[0] for p in out.glob("vectors-*.faiss")}, reverse=True
    )
    current = {name.split("-", 1)[1].rsplit(".", 1)[0] for name in keep}
    survivors = current | set(generations[:KEEP_GENERATIONS])
    for path in list(out.glob("vectors-*.faiss")) + list(out.glob("data-*.json")):
        if path.name.split("-", 1)[1].rsplit(".", 1)[0] not in survivors:
            path.unlink(missing_ok=True)
    for path in out.glob(".*.tmp"):
        if time.time() - path.stat().st_mtime > 3600:
            path.unlink(missing_ok=True)


def load_index(path: str | Path) -> LoadedIndex:
    """Read the index in `path`. Raises IndexMissingError or IndexMismatchError with what to run."""
    path = Path(path)
    manifest = read_manifest(path)
    if manifest is None:
        raise IndexMissingError(f"no index in {path}/; build it with: faqbot index --out {path}")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise IndexMismatchError(
            f"the index in {path}/ has format {manifest.get('format_version')}, this faqbot reads "
            f"format {FORMAT_VERSION}; rebuild it with: faqbot index --out {path}"
        )
    files = manifest.get("files", {})
    try:
        vectors = faiss.deserialize_index(np.fromfile(path / files["vectors"], dtype=np.uint8))
        data = json.loads((path / files["data"]).read_text(encoding="utf-8"))
        views = [View(*row) for row in data["views"]]
        entries = [
            FaqEntry(e["id"], e["question"], e["answer"], tuple(e["alternatives"])) for e in data["entries"]
        ]
    except (OSError, KeyError, ValueError, TypeError, RuntimeError) as err:
        raise IndexMissingError(
            f"the index in {path}/ is damaged or incomplete ({err}); rebuild it with: faqbot index --out {path}"
        ) from None
    if vectors.ntotal != len(views) or vectors.d != manifest.get("dimension"):
        raise IndexMissingError(f"the index in {path}/ is damaged; rebuild it with: faqbot index --out {path}")
    return LoadedIndex(manifest, vectors, views, entries, data["helpdesk"], path)


def check_fresh(index: LoadedIndex, faq: Faq, model_name: str) -> None:
    """Raise IndexMismatchError when the index was built from another FAQ or another model."""
    if index.manifest.get("model") != model_name:
        raise IndexMismatchError(
            f"the index in {index.path}/ was built with model {index.manifest.get('model')}, "
            f"but the config asks for {model_name}; rebuild it with: faqbot index --out {index.path}"
        )
    if index.manifest.get("faq_hash") != faq.content_hash():
        raise IndexMismatchError(
            f"{faq.path} has changed since the index in {index.path}/ was built; "
            f"rebuild it with: faqbot index --out {index.path}"
        )
