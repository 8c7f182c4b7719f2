"""Stand-ins for the fast tests: an embedder without a model, and a conversation log in memory.

`FakeEmbedder` turns a text into hashed character trigrams (accent- and case-folded), so texts
that share words come out similar and unrelated ones near 0, deterministically and in
microseconds. It says nothing about answer quality: promises about quality are tested on the
real model, under `@pytest.mark.slow`.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
import unicodedata
from dataclasses import fields, replace
from datetime import UTC, datetime

import numpy as np

from faqbot.bot import Reply
from faqbot.conversations.rows import LoggedQuestion, LogRow
from faqbot.conversations.store import ConversationLog
from faqbot.retrieval.heldout import offtopic_questions

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
    """A conversation log (faqbot.bot.ReplyLog) that keeps everything in lists; thread-safe.

    `replies` holds the LogRow of every reply recorded, `feedback` every (reply_id, liked).
    """

    def __init__(self) -> None:
        self.replies: list[LogRow] = []
        self.feedback: list[tuple[str, bool]] = []
        self._lock = threading.Lock()

    def record(self, row: LogRow) -> bool:
        with self._lock:
            self.replies.append(row)
            return True

    def record_feedback(self, reply_id: str, liked: bool | None) -> None:
        self.feedback.append((reply_id, liked))

    def find(self, reply_id: str) -> LoggedQuestion | None:
        with self._lock:
            row = next((r for r in self.replies if r.reply_id == reply_id), None)
        if row is None:
            return None
        values = {k: v for k, v in row.to_dict().items() if k in {f.name for f in fields(LoggedQuestion)}}
        return LoggedQuestion(id=0, created_at=datetime.now(UTC), feedback=None, **{**values, "offered": row.offered})

    lookup = find  # a list is always readable

    def close(self) -> None:
        pass


def record(log, reply: Reply, threshold: float = 0.5, index_version: str = "v1") -> str | None:
    """Store `reply` in `log` as the bot would after answering with that threshold and index;
    returns its reply_id, or None when the log did not take it."""
    stamped = replace(reply, threshold=threshold, index_version=index_version)
    return stamped.reply_id if log.record(stamped.log_row()) else None


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

# Three entries, one with the English question and answer staff wrote.
ENGLISH_FAQ = """\
helpdesk: help@example.se
entries:
  - id: backup
    question: Hur ofta gör ni säkerhetskopior av min hemsida?
    answer: Vi tar säkerhetskopior varje natt.
    question_en: How often do you back up my website?
    answer_en: We back up your website every night.
  - id: telefon
    question: Kan jag ringa er supporttelefon?
    answer: Ja, om du har ett supportavtal.
  - id: uppsagning
    question: Hur säger jag upp mitt avtal?
    answer: Skriv till oss tre månader innan avtalet löper ut.
"""

# An entry staff add while the app runs (appended to the shipped FAQ).
NEW_ENTRY = """
  - id: kontorshund
    question: Har ni en kontorshund?
    answer: Ja, hon heter Sigrid och hälsar gärna på kunder som besöker kontoret.
    alternatives:
      - Finns det en hund på ert kontor?
"""


# Questions the shipped FAQ answers (or sends to the helpdesk) with close entries offered as
# choices under the reply; which of them do depends on the model and the calibration.
UNSURE_QUESTIONS = (
    "Kan ni hjälpa mig med appen?",
    "Hur gör jag?",
    "Jag har problem med min sajt",
    "support",
    "Vad gäller?",
    "Hur funkar det?",
)


def offering(ask) -> dict:
    """The first reply to UNSURE_QUESTIONS (through `ask`, a question -> reply-dict call) that offers choices."""
    for question in UNSURE_QUESTIONS:
        reply = ask(question)
        if reply["suggestions"]:
            return reply
    raise AssertionError("no question offered choices; add one to UNSURE_QUESTIONS")


class KeptLog(ConversationLog):
    """A SQLite conversation log that keeps every connection it opens (`connections`), through
    its public `connect` seam, so a test can inject a fault (a full disk, a read-only file)."""

    def __init__(self, path, **options) -> None:
        self.connections: list[sqlite3.Connection] = []
        super().__init__(path, connect=self._keep, **options)

    def _keep(self, *args, **kwargs) -> sqlite3.Connection:
        conn = sqlite3.connect(*args, **kwargs)
        self.connections.append(conn)
        return conn


def kept_log(path, **options) -> KeptLog:
    return KeptLog(path, **options)


def small_bank(folder) -> list[str]:
    """The off-topic bank the `small` fixture writes: what `faqbot index` would calibrate with
    there (its settings name it), a fraction of the shipped bank's cost with the fake embedder."""
    return offtopic_questions(folder / "offtopic.txt")


# Off-topic questions a build over the small FAQ calibrates with: enough to exercise calibration,
# a tenth of the time of the whole bank (which the slow tests use with the real model).
SMALL_BANK = 40


def write_small_bank(path):
    path.write_text("\n".join(offtopic_questions()[:SMALL_BANK]) + "\n", encoding="utf-8")
    return path
