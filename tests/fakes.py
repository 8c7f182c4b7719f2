"""Stand-ins for the fast tests: an embedder without a model, and a conversation log in memory.

`FakeEmbedder` turns a text into hashed character trigrams (accent- and case-folded), so texts
that share words come out similar and unrelated ones near 0, deterministically and in
microseconds. It says nothing about answer quality: promises about quality are tested on the
real model, under `@pytest.mark.slow`.
"""

from __future__ import annotations

import hashlib
import threading
import unicodedata

import numpy as np

FAKE_MODEL = "fake-trigrams"  # the `model:` setting that selects it (registered by tests/conftest.py)


class FakeEmbedder:
    """Implements faqbot.retrieval.embedding.Embedder."""

    name = "fake/char-trigrams"
    dim = 256
    similarity_range = (0.0, 1.0)  # hashed trigrams: unrelated texts near 0, the same text 1

    def __init__(self) -> None:
        self.calls = 0  # texts embedded, for tests of what an index build re-embeds

    def _vector(self, text: str) -> np.ndarray:
        folded = "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if c.isalnum() or c == " ")
        padded = f" {' '.join(folded.split())} "
        vector = np.zeros(self.dim, dtype=np.float32)
        for start in range(len(padded) - 2):
            digest = hashlib.blake2b(padded[start : start + 3].encode(), digest_size=4).digest()
            vector[int.from_bytes(digest, "little") % self.dim] += 1.0
        norm = float(np.linalg.norm(vector))
        return vector / norm if norm else vector

    def _embed(self, texts: list[str]) -> np.ndarray:
        self.calls += len(texts)
        return np.stack([self._vector(t) for t in texts]) if texts else np.zeros((0, self.dim), np.float32)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._embed(texts)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._embed(texts)


class MemoryLog:
    """A conversation log (faqbot.bot.ReplyLog) that keeps everything in lists; thread-safe."""

    def __init__(self) -> None:
        self.replies: list = []
        self.feedback: list[tuple[int, bool]] = []
        self._lock = threading.Lock()

    def record(self, reply, threshold: float, index_version: str) -> int | None:
        with self._lock:
            self.replies.append(reply)
            return len(self.replies)

    def record_feedback(self, log_id: int, liked: bool) -> None:
        self.feedback.append((log_id, liked))


# A tiny FAQ for unit tests: two entries, short enough to read in the test that uses it.
SMALL_FAQ = """\
helpdesk: help@example.se
entries:
  - id: backup
    question: Hur ofta gör ni säkerhetskopior?
    answer: Varje natt.
  - id: phone
    question: Kan jag ringa er?
    answer: Ja, med supportavtal.
"""

# An entry staff add while the app runs (appended to the shipped FAQ).
NEW_ENTRY = """
  - id: kontorshund
    question: Har ni en kontorshund?
    answer: Ja, hon heter Sigrid och hälsar gärna på kunder som besöker kontoret.
    alternatives:
      - Finns det en hund på ert kontor?
"""
