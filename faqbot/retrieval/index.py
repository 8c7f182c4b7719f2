"""The index on disk: FAISS vectors of every entry's views, a snapshot of the entries, a manifest.

Layout of the index folder:

    manifest.json           the commit point: format, model, FAQ hash, entry ids, index type, file names
    vectors-<gen>.faiss     inner-product FAISS index, one row per view
    data-<gen>.json         the entries and the view table (row -> entry, kind, text)
    hubness-<gen>.npz       per view, its hubness; the sample questions it was measured with; the
                            questions staff marked as off-topic (`Faq.off_topic`); the same-language
                            bonus taken off learned phrasings, per language and view (language_gap.py)

The manifest records each file's SHA-256 (`faqbot/retrieval/integrity.py`); loading checks them,
so any damaged file (truncated, emptied, bits changed) is a damaged index (IndexDamagedError),
which the next build replaces without reusing anything from it.

A build writes the new generation's files first and then replaces manifest.json atomically,
so a reader sees either the old index or the new one, never a mix, and a crash or an invalid
FAQ leaves the last good index in place. Builds take an exclusive lock on `.lock`.

The previous generation is the embedding cache: its vectors are looked up by text when it was
built with the same model, so a rebuild embeds only the texts staff added or edited.

Each view's hubness (`faqbot/retrieval/hubness.py`) and the same-language bonus of the learned
phrasings (`faqbot/retrieval/language_gap.py`) are measured at build time and stored beside it.

Small indexes are searched exactly (`IndexFlatIP`). From ANN_MIN_VIEWS views on, reading every
vector for every question costs more than the embedding itself, so the vectors go into an
inverted-file index (`IndexIVFFlat`) that compares a question with the vectors of the few
clusters nearest to it; benchmarks/README.md has the measurements behind both numbers.
"""

from __future__ import annotations

import fcntl
import json
import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import faiss
import numpy as np

from faqbot.decision import Calibration
from faqbot.errors import IndexDamagedError, IndexMismatchError, IndexMissingError
from faqbot.faq.model import Faq, FaqEntry, load_faq
from faqbot.files import atomic_write
from faqbot.retrieval.embedding import EMBED_BATCH, Embedder
from faqbot.retrieval.heldout import calibrate, offtopic_questions
from faqbot.retrieval.hubness import (
    load_hubness,
    load_language_penalty,
    load_marked,
    load_references,
    reference_questions,
    save_hubness,
    view_hubness,
)
from faqbot.retrieval.integrity import MANIFEST, file_checksums, fix, read_manifest, verify_files
from faqbot.retrieval.language_gap import language_penalty
from faqbot.retrieval.manifest import BUILT_BY_CHAT, Manifest, bank_digest
from faqbot.retrieval.views import ViewTable

logger = logging.getLogger(__name__)

FORMAT_VERSION = 3  # 2: hubness-<gen>.npz; 3: checksums of the files
LOCK = ".lock"
KEEP_GENERATIONS = 2  # the previous generation stays for readers that opened its manifest
COPY_BATCH = 65_536  # vectors copied from the previous generation at a time

# Index types, as recorded in the manifest.
FLAT, IVF = "flat", "ivf"
ANN_MIN_VIEWS = 100_000  # exact search below: ~13 ms per question at 90,000 views (10,000 entries)
IVF_POINTS_PER_LIST = 1_000  # k-means lists: about sqrt(views) of them, ~1,000 vectors each
IVF_TRAIN_PER_LIST = 64  # training sample per list; k-means on all vectors adds time, not recall
IVF_PROBE_SHARE = 1 / 16  # share of the lists compared with each question: ~10 ms at 900,000 vectors
IVF_MIN_PROBES = 32  # but never fewer lists: a smaller index has few, coarse ones
IVF_SEED = 6


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
    references: int = 0  # sample questions that hubness was measured with
    references_embedded: int = 0  # of them, embedded in this build (the rest reused)
    offtopic: int = 0  # off-topic questions the calibration asked (the bank)
    offtopic_embedded: int = 0  # of them, embedded in this build (the rest reused)
    marked_offtopic: int = 0  # questions staff marked as off-topic (`Faq.off_topic`)
    marked_embedded: int = 0  # of them, embedded in this build (the rest reused)
    repaired: str = ""  # the damage found in the previous index, which nothing was reused from
    calibration: Calibration | None = None  # what `threshold: auto` chose, and why
    chat_built_at: str = ""  # when a running chat had already rebuilt the index for this very FAQ text
    # per language: how many learned phrasings in it have the same-language bonus taken off, and how much
    language_bonus: dict[str, tuple[int, float]] = field(default_factory=dict)

    @property
    def unchanged(self) -> bool:
        return not (self.added or self.changed or self.removed)


@dataclass
class LoadedIndex:
    """An index read from disk, ready to search."""

    manifest: Manifest
    vectors: faiss.Index
    views: ViewTable
    entries: list[FaqEntry]
    helpdesk: str
    path: Path
    hubness: np.ndarray | None = None  # per view row; None: no correction
    # the vectors of the questions staff marked as off-topic (`Faq.off_topic`), as passages, and their texts
    marked: np.ndarray | None = None
    marked_texts: tuple[str, ...] = ()
    # per language: what a question in it takes off each view's similarity (language_gap.py)
    language_penalty: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def row_entry(self) -> np.ndarray:
        """Vector row -> position of its entry (the search space's view of `views`)."""
        return self.views.row_entry


_held = threading.local()  # the index folders whose build lock this thread holds (`build_lock`)


@contextmanager
def build_lock(out: Path) -> Iterator[None]:
    """One build at a time per index folder; a second build waits for the first. Taken again by
    the thread that holds it, it is held already: staff's writer holds it from writing the FAQ
    file to the end of the rebuild (`faqbot learn`), so that a running chat that sees the edited
    file waits for that rebuild rather than build the same index itself first (twice the work: an
    accept took 30 s to reach the chat instead of 6 on a busy machine)."""
    out.mkdir(parents=True, exist_ok=True)
    key = str(out.resolve())
    held = getattr(_held, "folders", None)
    if held is None:
        held = _held.folders = set()
    if key in held:
        yield
        return
    with open(out / LOCK, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        held.add(key)
        try:
            yield
        finally:
            held.discard(key)
            fcntl.flock(handle, fcntl.LOCK_UN)


@dataclass
class Reuse:
    """What a build takes over from the previous generation (the embedding cache)."""

    rows: np.ndarray  # per new row: the previous generation's row with the same text, or -1
    centroids: np.ndarray | None = None  # the previous IVF index's trained lists ...
    lists: np.ndarray | None = None  # ... and, per new row, the list its vector was in (-1: new)

    @property
    def missing(self) -> list[int]:
        """Rows whose text was not embedded before."""
        return np.flatnonzero(self.rows < 0).tolist()


def embedded_alike(old: LoadedIndex, model: str, dim: int) -> bool:
    """Whether the previous index's vectors came from this model, so they can be reused."""
    return old.manifest.model == model and old.vectors.d == dim


def reuse_previous(old: LoadedIndex | None, model: str, dim: int, texts: list[str], out: np.ndarray) -> Reuse:
    """Copy into `out` the previous build's vectors of texts it already embedded with `model`.

    A text's vector does not depend on whether it is a question, an alternative or an answer,
    so the text alone (with the model) is the key. From a previous IVF index of about the same
    size the trained lists are taken over too, so unchanged vectors need no k-means again.
    """
    if old is None or not embedded_alike(old, model, dim):
        return Reuse(np.full(len(texts), -1, dtype=np.int64))
    previous = {text: row for row, text in enumerate(old.views.texts())}
    found = np.fromiter((previous.get(text, -1) for text in texts), dtype=np.int64, count=len(texts))
    rows = np.flatnonzero(found >= 0)
    reuse = Reuse(found)
    if isinstance(old.vectors, faiss.IndexFlat):  # its vectors are one matrix: copy straight from it
        stored = faiss.rev_swig_ptr(old.vectors.get_xb(), old.vectors.ntotal * dim).reshape(-1, dim)
        out[rows] = stored[found[rows]]
        return reuse
    for start in range(0, len(rows), COPY_BATCH):
        chunk = rows[start : start + COPY_BATCH]
        out[chunk] = old.vectors.reconstruct_batch(found[chunk])
    ivf = faiss.extract_index_ivf(old.vectors)
    if ivf_lists(len(texts)) / 2 <= ivf.nlist <= ivf_lists(len(texts)) * 2:
        placed = faiss.vector_to_array(ivf.direct_map.array) >> 32  # direct map entry: list << 32 | offset
        reuse.centroids = ivf.quantizer.reconstruct_n(0, ivf.nlist)
        reuse.lists = np.where(found >= 0, placed[np.maximum(found, 0)], -1)
    return reuse


# Off-topic questions embedded in this process, by model and text: a new index folder (every
# test, every new FAQ) would otherwise embed the whole bank again.
_BANK_MEMORY: dict[tuple[str, str], np.ndarray] = {}


@dataclass
class ToEmbed:
    """Texts, their vectors so far, and the rows of them still to embed."""

    embed: Callable[[list[str]], np.ndarray]
    texts: list[str]
    vectors: np.ndarray
    missing: list[int]


def with_known(
    texts: list[str], known: dict[str, np.ndarray], embed: Callable[[list[str]], np.ndarray], dim: int
) -> ToEmbed:
    """`texts` with the vectors `known` holds of them; the rest to embed with `embed`."""
    out = np.empty((len(texts), dim), dtype=np.float32)
    missing = []
    for row, text in enumerate(texts):
        if text in known:
            out[row] = known[text]
        else:
            missing.append(row)
    return ToEmbed(embed, texts, out, missing)


def reused_questions(old: LoadedIndex | None, embedder: Embedder, texts: list[str]) -> ToEmbed:
    """These questions with the vectors the previous build (or this process) made of them; the rest to embed."""
    known: dict[str, np.ndarray] = {text: v for (model, text), v in _BANK_MEMORY.items() if model == embedder.name}
    if old is not None and embedded_alike(old, embedder.name, embedder.dim):
        try:
            known.update(load_references(old.path / old.manifest.files["hubness"]))
        except Exception:  # noqa: BLE001 - gone or damaged, whatever numpy says: embed them all again
            pass
    return with_known(texts, known, embedder.embed_queries, embedder.dim)


def reused_marked(old: LoadedIndex | None, embedder: Embedder, texts: list[str]) -> ToEmbed:
    """The questions staff marked as off-topic, embedded as passages (as an entry's texts are,
    so that `Searcher.set_aside` compares like with like), reusing the previous build's vectors."""
    known: dict[str, np.ndarray] = {}
    if old is not None and embedded_alike(old, embedder.name, embedder.dim):
        try:
            known = dict(zip(*load_marked(old.path / old.manifest.files["hubness"]), strict=True))
        except Exception:  # noqa: BLE001 - gone or damaged: embed them again
            pass
    return with_known(texts, known, embedder.embed_passages, embedder.dim)


def embed_missing(parts: list[ToEmbed], progress: Callable[[int, int], None] | None) -> None:
    """Embed each part's missing rows in batches, reporting the rows embedded so far of all parts'."""
    total = sum(len(part.missing) for part in parts)
    done = 0
    for part in parts:
        for start in range(0, len(part.missing), EMBED_BATCH):
            batch = part.missing[start : start + EMBED_BATCH]
            part.vectors[batch] = part.embed([part.texts[i] for i in batch])
            if progress:
                progress(done + len(batch), total)
            done += len(batch)


def ivf_lists(views: int) -> int:
    """How many lists (k-means clusters) an inverted-file index of `views` vectors gets."""
    return max(1, round(views / IVF_POINTS_PER_LIST))


def vector_index(vectors: np.ndarray, kind: str | None = None, reuse: Reuse | None = None) -> faiss.Index:
    """The searchable index of unit `vectors`: exact below ANN_MIN_VIEWS rows, IVF from there on."""
    n, dim = vectors.shape
    if (kind or (IVF if n >= ANN_MIN_VIEWS else FLAT)) == FLAT:
        flat = faiss.IndexFlatIP(dim)
        flat.add(vectors)
        return flat
    if reuse is not None and reuse.centroids is not None and reuse.lists is not None:
        ivf = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, len(reuse.centroids), faiss.METRIC_INNER_PRODUCT)
        ivf.quantizer.add(reuse.centroids)
        ivf.is_trained = True
        lists = reuse.lists.copy()
        new = np.flatnonzero(lists < 0)
        if len(new):
            lists[new] = ivf.quantizer.search(vectors[new], 1)[1][:, 0]
        ivf.add_core(n, faiss.swig_ptr(vectors), None, faiss.swig_ptr(lists))
    else:
        lists_count = ivf_lists(n)
        ivf = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, lists_count, faiss.METRIC_INNER_PRODUCT)
        rng = np.random.default_rng(IVF_SEED)
        sample = rng.choice(n, min(n, lists_count * IVF_TRAIN_PER_LIST), replace=False)
        ivf.cp.min_points_per_centroid = 1  # the sample is small on purpose; no warning about it
        ivf.train(vectors[np.sort(sample)])
        ivf.add(vectors)
    ivf.make_direct_map()  # so the next build can copy vectors out of it by row
    ivf.nprobe = min(ivf.nlist, max(IVF_MIN_PROBES, round(ivf.nlist * IVF_PROBE_SHARE)))
    return ivf


def index_kind(vectors: faiss.Index) -> str:
    return IVF if isinstance(vectors, faiss.IndexIVF) else FLAT


def write_generation(
    out: Path,
    faq: Faq,
    embedder: Embedder,
    index: faiss.Index,
    views: int,
    hubness: tuple[
        np.ndarray, list[str], np.ndarray, list[str], np.ndarray, list[str], np.ndarray, dict[str, np.ndarray]
    ],
    calibration: Calibration | None,
    built_by: str = "",
) -> dict[str, str]:
    """Write a new generation's files, then the manifest that switches to it; returns the entry hashes."""
    faq_hash = faq.content_hash()
    generation = f"{int(time.time() * 1000)}-{faq_hash[:8]}"
    vectors_file, data_file = f"vectors-{generation}.faiss", f"data-{generation}.json"
    hubness_file = f"hubness-{generation}.npz"
    data = {
        "helpdesk": faq.helpdesk,
        "entries": [entry_record(e) for e in faq.entries],
    }
    try:
        atomic_write(out / vectors_file, lambda name: faiss.write_index(index, name))
        atomic_write(out / data_file, json.dumps(data, ensure_ascii=False).encode())
        atomic_write(out / hubness_file, lambda name: save_hubness(name, *hubness))
    except BaseException:
        # a full disk or an interrupt: the manifest still names the old generation, which stays in
        # force; what was written of this one would only take room until the next build
        for name in (vectors_file, data_file, hubness_file):
            (out / name).unlink(missing_ok=True)
        raise
    hashes = {e.id: e.content_hash() for e in faq.entries}
    files = {"vectors": vectors_file, "data": data_file, "hubness": hubness_file}
    kind = index_kind(index)
    manifest = Manifest(
        format_version=FORMAT_VERSION,
        model=embedder.name,
        dimension=embedder.dim,
        faq_hash=faq_hash,
        faq_path=faq.path,
        entry_ids=tuple(e.id for e in faq.entries),
        entry_hashes=hashes,
        views=views,
        index_type=kind,
        ivf={"lists": index.nlist, "probes": index.nprobe} if isinstance(index, faiss.IndexIVF) else None,
        built_at=datetime.now(UTC).isoformat(timespec="seconds"),
        calibration=calibration,
        files=files,
        checksums=file_checksums(out, files),
        built_by=built_by,
        offtopic_digest=bank_digest(hubness[3]),
    )
    atomic_write(out / MANIFEST, json.dumps(manifest.to_dict(), ensure_ascii=False, indent=2).encode())
    remove_old_generations(out, keep={vectors_file, data_file, hubness_file})
    return hashes


def previous_index(out: Path) -> tuple[LoadedIndex | None, str]:
    """The index now in `out`, to reuse vectors from (None if there is none), and the damage found in it."""
    try:
        return load_index(out), ""
    except IndexDamagedError as err:
        repaired = f"{err}; embedding every text again, nothing is reused from it"
        logger.warning("%s", repaired)
        return None, repaired
    except (IndexMissingError, IndexMismatchError):
        return None, ""


def build_index(
    faq: Faq,
    embedder: Embedder,
    out: str | Path,
    progress: Callable[[int, int], None] | None = None,
    offtopic: Sequence[str] | None = None,
) -> BuildReport:
    """Embed every view of every entry and replace the index in `out` atomically; calibrate
    with the off-topic questions `offtopic` (default: the shipped bank)."""
    out = Path(out)
    with build_lock(out):
        return build_locked(faq, embedder, out, progress, offtopic)


def rebuild_for_file(
    faq_path: Path,
    embedder: Embedder,
    out: Path,
    offtopic: Sequence[str] | None = None,
    built_by: str = BUILT_BY_CHAT,
) -> BuildReport | None:
    """Build the index for the FAQ file as it reads once the build lock is held; None if it already matches.

    For a running app's own rebuild, which may wait behind staff's `faqbot index`: an FAQ read
    before that wait would put an index of the older text over the one staff just built. And for
    the console's rebuild after a change (`built_by` ""), which a running chat that saw the edited
    file first may have done already: built again, it was the same index twice. An index of the
    same FAQ calibrated with another off-topic bank is built again (a red-team helper had a chat
    started before the setting `offtopic_bank` build first, and the console publish its index).
    """
    bank = list(offtopic_questions() if offtopic is None else offtopic)
    with build_lock(out):
        faq = load_faq(faq_path)
        try:
            index = load_index(out)
            check_fresh(index, faq, embedder.name)
            if index.manifest.offtopic_digest == bank_digest(bank):
                return None
        except (IndexMissingError, IndexMismatchError, IndexDamagedError):
            pass
        return build_locked(faq, embedder, out, offtopic=bank, built_by=built_by)


def changed_texts(old: LoadedIndex | None, reuse: Reuse) -> int:
    """Texts new or gone since the previous index: how big an edit this build is (the calibration's in_force)."""
    kept = len(np.unique(reuse.rows[reuse.rows >= 0]))
    return len(reuse.missing) + (old.vectors.ntotal - kept if old is not None else 0)


def build_locked(
    faq: Faq,
    embedder: Embedder,
    out: Path,
    progress: Callable[[int, int], None] | None = None,
    offtopic: Sequence[str] | None = None,
    built_by: str = "",
) -> BuildReport:
    """`build_index` for a caller that holds the build lock."""
    started = time.perf_counter()
    old, repaired = previous_index(out)
    before = old.manifest if old is not None else None
    old_hashes: dict[str, str] = old.manifest.entry_hashes if old else {}

    views = ViewTable(faq.entries)
    texts = list(views.texts())
    vectors = np.empty((len(views), embedder.dim), dtype=np.float32)
    reuse = reuse_previous(old, embedder.name, embedder.dim, texts, vectors)
    texts_changed = changed_texts(old, reuse)
    reference_texts, reference_entry = reference_questions(faq.entries)
    references = reused_questions(old, embedder, reference_texts)
    bank = reused_questions(old, embedder, list(offtopic_questions() if offtopic is None else offtopic))
    marked = reused_marked(old, embedder, list(faq.off_topic))
    old = None  # its vectors are copied; free them before the new index is made

    embedded = len(reuse.missing)
    embed_missing([ToEmbed(embedder.embed_passages, texts, vectors, reuse.missing), references, bank, marked], progress)
    _BANK_MEMORY.update(((embedder.name, bank.texts[row]), bank.vectors[row]) for row in bank.missing)
    hubness = view_hubness(vectors, views.row_entry, references.vectors, reference_entry)
    known = dict(zip(reference_texts, references.vectors, strict=True))
    known |= dict(zip(bank.texts, bank.vectors, strict=True))
    penalty, calibration = calibrated(faq, vectors, hubness, known, embedder, bank.texts, before, texts_changed)

    index = vector_index(vectors, reuse=reuse)
    del vectors, reuse
    stored = (hubness, reference_texts, references.vectors, bank.texts, bank.vectors, marked.texts, marked.vectors)
    hashes = write_generation(out, faq, embedder, index, len(views), (*stored, penalty), calibration, built_by)

    return BuildReport(
        added=[i for i in hashes if i not in old_hashes],
        changed=[i for i in hashes if i in old_hashes and old_hashes[i] != hashes[i]],
        removed=[i for i in old_hashes if i not in hashes],
        entries=len(faq.entries),
        views=len(views),
        embedded=embedded,
        references=len(reference_texts),
        references_embedded=len(references.missing),
        offtopic=len(bank.texts),
        offtopic_embedded=len(bank.missing),
        marked_offtopic=len(marked.texts),
        marked_embedded=len(marked.missing),
        calibration=calibration,
        seconds=time.perf_counter() - started,
        path=str(out),
        repaired=repaired,
        chat_built_at=chat_built_at(before, faq),
        language_bonus={language: (int((p > 0).sum()), float(p.max())) for language, p in penalty.items()},
    )


def calibrated(
    faq: Faq,
    vectors: np.ndarray,
    hubness: np.ndarray,
    known: dict[str, np.ndarray],
    embedder: Embedder,
    offtopic: list[str],
    before: Manifest | None,
    texts_changed: int,
) -> tuple[dict[str, np.ndarray], Calibration]:
    """The same-language bonus of the learned phrasings (language_gap.py), and the calibration of the
    ranking with it and the hubness taken off (`heldout.calibrate`; `before`: the previous index's manifest)."""
    in_force = before.calibration.policy() if before is not None and before.calibration is not None else None
    penalty = language_penalty(faq.entries, vectors)
    return penalty, calibrate(
        faq.entries, vectors, hubness, known, embedder, offtopic, in_force, texts_changed, penalty
    )


def chat_built_at(before: Manifest | None, faq: Faq) -> str:
    """When a running chat had already rebuilt the index in the folder for this very FAQ text ("": it had not)."""
    if before is not None and before.built_by == BUILT_BY_CHAT and before.faq_hash == faq.content_hash():
        return before.built_at
    return ""


OPTIONAL_FIELDS = ("section", "question_en", "answer_en")


def entry_record(entry: FaqEntry) -> dict:
    """An entry as stored in data-<gen>.json; optional fields only when the entry has them."""
    record: dict[str, object] = {"id": entry.id, "question": entry.question, "answer": entry.answer}
    record["alternatives"] = list(entry.alternatives)
    if entry.learned:  # only when present: an index of an FAQ without learned phrasings reads as before
        record["learned"] = list(entry.learned)
    record.update({key: getattr(entry, key) for key in OPTIONAL_FIELDS if getattr(entry, key)})
    return record


def entry_from_record(record: dict) -> FaqEntry:
    optional = {key: record.get(key, "") for key in OPTIONAL_FIELDS}
    learned = tuple(record.get("learned", ()))
    return FaqEntry(
        record["id"], record["question"], record["answer"], tuple(record["alternatives"]), learned=learned, **optional
    )


GENERATION_FILES = ("vectors-*.faiss", "data-*.json", "hubness-*.npz")


def remove_old_generations(out: Path, keep: set[str]) -> None:
    """Delete all but the newest KEEP_GENERATIONS generations, and stray temporary files."""
    generations = sorted({p.name.split("-", 1)[1].rsplit(".", 1)[0] for p in out.glob("vectors-*.faiss")}, reverse=True)
    current = {name.split("-", 1)[1].rsplit(".", 1)[0] for name in keep}
    survivors = current | set(generations[:KEEP_GENERATIONS])
    for path in [p for pattern in GENERATION_FILES for p in out.glob(pattern)]:
        if path.name.split("-", 1)[1].rsplit(".", 1)[0] not in survivors:
            path.unlink(missing_ok=True)
    for path in out.glob(".*.tmp"):
        if time.time() - path.stat().st_mtime > 3600:
            path.unlink(missing_ok=True)


def load_index(path: str | Path) -> LoadedIndex:
    """Read the index in `path`. Raises IndexMissingError, IndexDamagedError (any file unreadable or
    not matching its checksum) or IndexMismatchError, each with what to run."""
    path = Path(path)
    raw = read_manifest(path)
    if raw is None:
        raise IndexMissingError(f"no index in {path}/; build it with: faqbot index --out {path}")
    if raw.get("format_version") != FORMAT_VERSION:
        raise IndexMismatchError(
            f"the index in {path}/ has format {raw.get('format_version')}, this faqbot reads "
            f"format {FORMAT_VERSION}; rebuild it with: faqbot index --out {path}"
        )
    verify_files(path, raw)
    try:
        manifest = Manifest.from_dict(raw)
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        raise IndexDamagedError(f"the index manifest in {path}/ is damaged (no {err}); {fix(path)}") from None
    files = manifest.files
    try:
        vectors = faiss.read_index(str(path / files["vectors"]))
        data = json.loads((path / files["data"]).read_text(encoding="utf-8"))
        entries = [entry_from_record(e) for e in data["entries"]]
        # The views are made from the entries on demand: they share the entries' strings
        # instead of a second copy of every text on disk and in memory.
        views = ViewTable(entries)
        helpdesk = data["helpdesk"]
        hubness = load_hubness(path / files["hubness"])
        marked_texts, marked = load_marked(path / files["hubness"])
        penalty = load_language_penalty(path / files["hubness"])
    except Exception as err:  # noqa: BLE001 - faiss, json, zip and numpy each fail their own way
        raise IndexDamagedError(f"the index in {path}/ is damaged or incomplete ({err}); {fix(path)}") from None
    if not vectors.ntotal == len(views) == manifest.views == len(hubness) or vectors.d != manifest.dimension:
        raise IndexDamagedError(f"the index in {path}/ is damaged (its files disagree on the size); {fix(path)}")
    if isinstance(vectors, faiss.IndexIVF):
        vectors.nprobe = int((manifest.ivf or {}).get("probes", vectors.nprobe))
    if (
        marked.shape[1] != manifest.dimension
        or len(marked_texts) != len(marked)
        or any(len(values) != len(views) for values in penalty.values())
    ):
        raise IndexDamagedError(f"the index in {path}/ is damaged (its files disagree on the size); {fix(path)}")
    return LoadedIndex(manifest, vectors, views, entries, helpdesk, path, hubness, marked, tuple(marked_texts), penalty)


def folder_hash(index_dir: Path) -> str | None:
    """The FAQ hash of the index in `index_dir` now (None: no index): read before a build, it
    says which FAQ the folder had before this change."""
    try:
        manifest = read_manifest(index_dir)
    except IndexDamagedError:  # the build repairs it; nothing to tell from
        return None
    faq_hash = manifest.get("faq_hash") if manifest else None
    return str(faq_hash) if faq_hash else None


def check_fresh(index: LoadedIndex, faq: Faq, model_name: str) -> None:
    """Raise IndexMismatchError when the index was built from another FAQ or another model."""
    if index.manifest.model != model_name:
        raise IndexMismatchError(
            f"the index in {index.path}/ was built with model {index.manifest.model}, "
            f"but the config asks for {model_name}; rebuild it with: faqbot index --out {index.path}"
        )
    if index.manifest.faq_hash != faq.content_hash():
        raise IndexMismatchError(
            f"{faq.path} has changed since the index in {index.path}/ was built; "
            f"rebuild it with: faqbot index --out {index.path}"
        )
