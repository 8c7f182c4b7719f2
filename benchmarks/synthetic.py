"""Synthetic FAQs of any size and a fast stand-in embedder, for benchmarking index build and search.

Embedding 100,000 entries (about 900,000 texts) with the real model would take hours, so the
large sizes use `StandInEmbedder`: a bag-of-words embedder whose word vectors are seeded by a
hash of the word. It is deterministic, costs microseconds per text, and, unlike unrelated random
vectors, puts texts that share words near each other, as a real model puts paraphrases. That
structure is what makes recall@1 of an approximate index against exact search mean something.

The FAQ text is Swedish-looking: the shipped FAQ's own words (so the Swedish stemmer and BM25
see real words) plus made-up topic words that make each entry distinct.
"""

from __future__ import annotations

import re
import zlib
from pathlib import Path

import numpy as np

from faqbot.faq.model import Faq, FaqEntry, load_faq
from faqbot.retrieval.embedding import GENERIC_RANGE

WORD = re.compile(r"\w+")
SYLLABLES = (
    "ba be bi bo bu da de di do du fa fe fi fo ga ge gi go ha he hi ho ka ke ki ko ku la le li lo lu "
    "ma me mi mo mu na ne ni no nu pa pe pi po ra re ri ro ru sa se si so su ta te ti to tu va ve vi "
    "vo än är ör ål ly sy ny ky"
).split()
VIEWS_PER_ENTRY = 9  # as in the shipped FAQ: 128 texts for 14 entries
# Frequent words weigh less, as in any embedding model (and in IDF); without this every text is
# mostly noise from its common words, and no approximate index finds anything.
COMMON_WEIGHT = 0.35


class StandInEmbedder:
    """Deterministic bag-of-words vectors: the sum of a seeded random vector per word, normalised.

    Texts the generator made come with their vectors already computed (`remember`), so
    embedding them is a dictionary look-up; any other text is embedded word by word.
    """

    name = "benchmark/stand-in-bag-of-words-384"
    dim = 384
    similarity_range = GENERIC_RANGE

    def __init__(self) -> None:
        self._rows: dict[str, int] = {}
        self._table = np.zeros((1024, self.dim), dtype=np.float32)
        self._known: dict[str, np.ndarray] = {}

    def rows(self, words: list[str], weight: float = 1.0) -> np.ndarray:
        """The table rows of `words`, adding a seeded vector (times `weight`) for each word not seen before."""
        new = [w for w in dict.fromkeys(words) if w not in self._rows]
        if new:
            need = len(self._rows) + len(new)
            if need > len(self._table):
                grown = np.zeros((max(need, 2 * len(self._table)), self.dim), dtype=np.float32)
                grown[: len(self._rows)] = self._table[: len(self._rows)]
                self._table = grown
            for word in new:
                rng = np.random.default_rng(zlib.crc32(word.encode()))
                self._table[len(self._rows)] = weight * rng.standard_normal(self.dim, dtype=np.float32)
                self._rows[word] = len(self._rows)
        return np.array([self._rows[w] for w in words], dtype=np.int64)

    def vectors(self, rows: np.ndarray) -> np.ndarray:
        """Unit vectors of texts given as equally long rows of table rows (one text per row)."""
        from scipy.sparse import csr_matrix

        n, width = rows.shape
        counts = csr_matrix(
            (np.ones(rows.size, dtype=np.float32), rows.ravel(), np.arange(0, rows.size + 1, width)),
            shape=(n, len(self._table)),
        )
        out = np.asarray(counts @ self._table, dtype=np.float32)  # sums word vectors without a copy per word
        out /= np.sqrt(np.einsum("ij,ij->i", out, out))[:, None]
        return out

    def remember(self, texts: list[str], vectors: np.ndarray) -> None:
        self._known.update(zip(texts, vectors, strict=True))

    def forget(self) -> None:
        """Drop the remembered vectors (1.4 GB at 100,000 entries) once the index holds them."""
        self._known.clear()

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            vector = self._known.get(text)
            if vector is None:
                words = WORD.findall(text.casefold()) or [""]
                rows = self.rows(words)  # before reading the table: it may grow
                vector = self._table[rows].sum(axis=0)
                vector /= np.linalg.norm(vector)
                self._known[text] = vector
            out[i] = vector
        return out

    embed_queries = embed_passages


def shipped_words(faq_path: str | Path) -> list[str]:
    """The distinct words of the shipped FAQ, the common vocabulary of the synthetic ones."""
    faq = load_faq(faq_path)
    text = " ".join(" ".join((e.question, *e.alternatives, e.answer)) for e in faq.entries)
    return sorted({w for w in WORD.findall(text.casefold()) if not w.isdigit() and "@" not in w})


def topic_vocabulary(size: int, rng: np.random.Generator) -> list[str]:
    """`size` distinct made-up words of two to four syllables."""
    words: set[str] = set()
    while len(words) < size:
        n = int(rng.integers(2, 5))
        words.add("".join(SYLLABLES[i] for i in rng.integers(0, len(SYLLABLES), n)))
    return sorted(words)


class Generator:
    """Entries with a question, seven alternatives and a four-sentence answer, like the shipped ones.

    Every sentence mixes common words with the entry's own topic words in a random order; all
    random draws are made at once with numpy, so 100,000 entries take seconds.
    """

    COMMON, TOPIC = 4, 3  # words per question sentence
    ANSWER_COMMON, ANSWER_TOPIC, ANSWER_SENTENCES = 10, 3, 4

    def __init__(self, common: list[str], entries: int, embedder: StandInEmbedder, seed: int = 6) -> None:
        self.rng = np.random.default_rng(seed)
        self.common = common
        self.topics = topic_vocabulary(max(2000, entries // 2), self.rng)
        self.entries = entries
        self.embedder = embedder
        self.topic_of = self.rng.integers(0, len(self.topics), (entries, 4))  # the entry's four topic words
        self._vocabulary = np.concatenate([embedder.rows(common, COMMON_WEIGHT), embedder.rows(self.topics)])
        self._words = np.array(common + self.topics, dtype=object)

    def _sentences(self, topic_of: np.ndarray, n_common: int, n_topic: int) -> tuple[list[str], np.ndarray]:
        """One sentence per row of `topic_of`: its text and its words' table rows."""
        n = len(topic_of)
        common = self.rng.integers(0, len(self.common), (n, n_common))
        picks = topic_of[np.arange(n)[:, None], self.rng.integers(0, topic_of.shape[1], (n, n_topic))]
        words = np.concatenate([common, len(self.common) + picks], axis=1)
        words = np.take_along_axis(words, np.argsort(self.rng.random(words.shape), axis=1), axis=1)
        texts = [" ".join(row).capitalize() for row in self._words[words].tolist()]
        return texts, self._vocabulary[words]

    def faq(self) -> Faq:
        n, alternatives = self.entries, VIEWS_PER_ENTRY - 2
        questions, rows = self._sentences(self.topic_of, self.COMMON, self.TOPIC)
        questions = [q + "?" for q in questions]
        self.embedder.remember(questions, self.embedder.vectors(rows))
        alts, rows = self._sentences(np.repeat(self.topic_of, alternatives, axis=0), self.COMMON, self.TOPIC - 1)
        alts = [a + "?" for a in alts]
        self.embedder.remember(alts, self.embedder.vectors(rows))
        parts, rows = self._sentences(
            np.repeat(self.topic_of, self.ANSWER_SENTENCES, axis=0), self.ANSWER_COMMON, self.ANSWER_TOPIC
        )
        k = self.ANSWER_SENTENCES
        answers = [". ".join(parts[i * k : (i + 1) * k]) + "." for i in range(n)]
        self.embedder.remember(answers, self.embedder.vectors(rows.reshape(n, -1)))
        entries = tuple(
            FaqEntry(f"entry-{i}", questions[i], answers[i], tuple(alts[i * alternatives : (i + 1) * alternatives]))
            for i in range(n)
        )
        return Faq("helpdesk@example.se", entries, path=f"synthetic-{n}")

    def paraphrases(self, count: int) -> list[tuple[str, str]]:
        """(question, id of the entry it paraphrases): two of its topic words among common words."""
        chosen = self.rng.integers(0, self.entries, count)
        texts, _ = self._sentences(self.topic_of[chosen], self.COMMON, 2)
        return [(t + "?", f"entry-{i}") for t, i in zip(texts, chosen.tolist(), strict=True)]


def changed_one(faq: Faq, position: int = 0) -> Faq:
    """The same FAQ with one entry's answer edited, as staff would."""
    entries = list(faq.entries)
    old = entries[position]
    entries[position] = FaqEntry(old.id, old.question, old.answer + " Uppdaterat.", old.alternatives)
    return Faq(faq.helpdesk, tuple(entries), path=faq.path)
