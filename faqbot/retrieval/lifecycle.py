"""The index a running bot answers from: loaded at start, swapped when staff rebuild it.

`LiveIndex` notices when the FAQ file or the index manifest is replaced, or a file of the
index it serves changes under it (truncated, emptied, overwritten). A new index
generation is loaded and swapped in with one reference assignment, so a request in flight
finishes on the index it started with. An FAQ edited without `faqbot index` is rebuilt by
`refresh()`: in the caller's thread when it asks to wait (the CLI, tests), in a background
thread otherwise (the web server), so a customer's message never waits for a build.

A damaged index (`IndexDamagedError`: a file truncated, emptied, or not matching its checksum)
is treated like a missing one: the last good index keeps answering from memory while a new one
is built, embedding every text again. Whatever else goes wrong while reloading is logged for
staff, and the last good index keeps serving; `refresh` never raises into a customer's request.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from faqbot.errors import DataError, FaqbotError, IndexMismatchError, IndexMissingError
from faqbot.faq.model import load_faq
from faqbot.retrieval.embedding import Embedder
from faqbot.retrieval.index import MANIFEST, LoadedIndex, check_fresh, load_index, rebuild_for_file
from faqbot.retrieval.manifest import Manifest
from faqbot.retrieval.search import Searcher

logger = logging.getLogger(__name__)


def same_faq(serving: Manifest, newest: Manifest, faq_path: Path) -> bool:
    """Whether the index on disk (`newest`) is an earlier version of the FAQ served, not another
    FAQ's: at least half of its entry ids are in the index serving and in the FAQ file now (when
    the file cannot be read, as after an edit that broke it, in the index serving alone). An
    attack found `faqbot index --faq other.yaml` into the served folder answered customers from
    the other FAQ while the chat rebuilt its own."""
    known = [set(serving.entry_hashes)]
    try:
        known.append({entry.id for entry in load_faq(faq_path).entries})
    except FaqbotError:
        pass
    ids = set(newest.entry_hashes)
    return bool(ids) and all(len(ids & other) * 2 >= len(ids) for other in known)


class LiveIndex:
    """The current `Searcher` over the index in `index_dir`, kept in step with `faq_path`.

    With `auto_build` a missing or stale index is (re)built; without it, it is an error.
    """

    def __init__(
        self,
        faq_path: Path,
        index_dir: Path,
        embedder: Embedder,
        auto_build: bool = True,
        offtopic: Sequence[str] | None = None,
    ) -> None:
        self.faq_path = faq_path
        self.index_dir = index_dir
        self.embedder = embedder
        self.auto_build = auto_build
        self.offtopic = offtopic  # what the app's own rebuilds calibrate with (None: the shipped bank)
        self._reload_lock = threading.RLock()  # re-entered by install(), which reloads while it holds it
        self._builder: threading.Thread | None = None
        # Why the last FAQ edit or index was refused while the last good one kept answering ("": none).
        self.problem = ""
        self.searcher, self._stamp = self._load(auto_build)

    @property
    def manifest(self) -> Manifest:
        return self.searcher.index.manifest

    def _head_stamp(self) -> tuple[tuple[int, int], ...]:
        """Changes whenever the FAQ file or the index manifest is replaced."""
        return self._file_stamps([self.faq_path, self.index_dir / MANIFEST])

    def _index_stamp(self, manifest: Manifest) -> tuple[tuple[int, int], ...]:
        """Changes whenever a file of the index with `manifest` is replaced, truncated or removed."""
        files = manifest.files
        return self._file_stamps([self.index_dir / str(name) for name in files.values()])

    @staticmethod
    def _file_stamps(paths: list[Path]) -> tuple[tuple[int, int], ...]:
        stamps = []
        for path in paths:
            try:
                stat = path.stat()
                stamps.append((stat.st_mtime_ns, stat.st_size))
            except OSError:
                stamps.append((0, -1))
        return tuple(stamps)

    def _stamp_now(self) -> tuple:
        return (self._head_stamp(), self._index_stamp(self.searcher.index.manifest))

    def stale(self) -> bool:
        return self._stamp_now() != self._stamp

    def refresh(self, wait: bool = True) -> bool:
        """Pick up a rebuilt index or an edited FAQ. Returns True when a new index was swapped in.

        A rebuilt index is loaded at once. An FAQ edited without a rebuild is rebuilt here when
        `wait` is true; otherwise in a background thread, the last index answering meanwhile.
        On an invalid FAQ or a broken index the last good one keeps serving and the log says why.
        """
        if not self.stale():
            return False
        if not wait and self._builder is not None and self._builder.is_alive():
            return False  # a build is on its way; loading the broken index again helps no one
        if wait or not self.auto_build:
            return self._reload(self.auto_build)
        try:
            return self._reload(build=False)
        except (IndexMissingError, IndexMismatchError):
            self._serve_newest_meanwhile()
            self._build_in_background()
            return False

    def install(self, write: Callable[[Path, Path], None]) -> bool:
        """Write a new FAQ file and index generation with `write(faq_path, index_dir)`, then swap it in.

            live.install(lambda faq_path, index_dir: unpack(archive, faq_path, index_dir))

        Until the new index is swapped in no reload reads the files: a request that notices the
        change waits, instead of loading half a generation. Returns True when the new index was
        swapped in; False when it could not be loaded (the log says why, and the last good index
        keeps answering).
        """
        with self._reload_lock:
            write(self.faq_path, self.index_dir)
            return self._reload(self.auto_build)

    def _serve_newest_meanwhile(self) -> bool:
        """Until the edited FAQ's index is built, or while the FAQ file does not pass its checks,
        answer from the newest index on disk: built for an earlier version of the FAQ, but newer
        than the one answering when staff rebuilt it (the console, `faqbot index`) and no question
        came before the next edit. Found by walk-throughs: after a re-import the chat answered
        from an index four rebuilds old, with an entry deleted three rebuilds before; and after a
        rebuild and then a hand edit that broke the file, it answered from the index before the
        rebuild until the file was fixed. Returns whether it swapped one in."""
        with self._reload_lock:
            try:
                index = load_index(self.index_dir)
            except FaqbotError:
                return False
            serving, newest = self.searcher.index.manifest, index.manifest
            if newest.model != self.embedder.name or newest.version == serving.version:
                return False
            if newest.built_at < serving.built_at or not same_faq(serving, newest, self.faq_path):
                return False
            self.searcher = self._searcher(index)  # still stale: a build swaps the FAQ's own in
            logger.info("serving the index built at %s until the edited FAQ's is built", newest.built_at)
            return True

    def _build_in_background(self) -> None:
        with self._reload_lock:
            if self._builder is not None and self._builder.is_alive():
                return
            self._builder = threading.Thread(target=self._reload, args=(True,), name="faqbot-index-build", daemon=True)
            self._builder.start()

    def _reload(self, build: bool) -> bool:
        """Load (and with `build`, rebuild) the index; without `build` a stale one is raised."""
        with self._reload_lock:
            if not self.stale():
                return False
            try:
                searcher, stamp = self._load(build)
            except FaqbotError as err:
                if not build and self.auto_build and isinstance(err, (IndexMissingError, IndexMismatchError)):
                    raise  # the caller builds it in the background
                # the FAQ edit is refused, but an index staff built before it may be newer than ours
                newer = isinstance(err, DataError) and self._serve_newest_meanwhile()
                logger.error("keeping the %s index: %s", "newest good" if newer else "current", err)
                self.problem = str(err)
                self._stamp = self._stamp_now()
                return newer
            except Exception:  # noqa: BLE001 - whatever broke, customers keep the last good index
                logger.exception("keeping the current index: reloading %s/ failed", self.index_dir)
                self.problem = f"reloading {self.index_dir}/ failed; the server log has why"
                self._stamp = self._stamp_now()
                return False
            self.searcher = searcher  # one reference assignment: atomic for readers
            self.problem = ""
            self._stamp = stamp  # only now is the index no longer stale
            logger.info("serving the index built at %s", searcher.index.manifest.built_at)
            return True

    def _load(self, build: bool = True) -> tuple[Searcher[LoadedIndex], tuple]:
        """Load the index, building or rebuilding it when it is missing or stale.

        When the index folder cannot be written (several app processes sharing a read-only
        index, a full disk), a stale index built with the same model keeps serving and the
        server's log says what to run; with no usable index at all, the error says it.
        """
        faq_stamp = self._file_stamps([self.faq_path])
        head = self._head_stamp()
        faq = load_faq(self.faq_path)
        index = None
        try:
            index = load_index(self.index_dir)
            check_fresh(index, faq, self.embedder.name)
        except (IndexMissingError, IndexMismatchError) as problem:
            if not build:
                raise
            logger.warning(
                "%s; building it now from %s (a minute or so for a few hundred entries)",
                re.split(r"; (?:re)?build it with:", str(problem))[0],
                self.faq_path,
            )
            try:
                rebuild_for_file(self.faq_path, self.embedder, self.index_dir, self.offtopic)
            except (OSError, RuntimeError) as err:  # faiss reports a failed write as RuntimeError
                fix = f"faqbot index --faq {self.faq_path} --out {self.index_dir}"
                if index is None or index.manifest.model != self.embedder.name:
                    raise IndexMissingError(
                        f"cannot build the index in {self.index_dir}/ ({err}); run: {fix}"
                    ) from None
                logger.error(
                    "cannot rebuild the index in %s/ (%s); answering from the one built at %s until someone runs: %s",
                    self.index_dir,
                    err,
                    index.manifest.built_at,
                    fix,
                )
            else:
                # Our own build must not look like a change next time, but an FAQ edited after we
                # read it must: the FAQ's stamp is the one from before the read.
                head = faq_stamp + self._file_stamps([self.index_dir / MANIFEST])
                index = load_index(self.index_dir)
        return self._searcher(index), (head, self._index_stamp(index.manifest))

    def _searcher(self, index: LoadedIndex) -> Searcher[LoadedIndex]:
        """A searcher to serve `index` with, its spelling worked out here rather than on the
        first customer's message (the index served meanwhile skipped it before)."""
        searcher = Searcher(index, self.embedder)
        _ = searcher.spelling
        return searcher
