"""The calibration's questions: the FAQ asked its own questions, each held out of the index
(`threshold: auto`), and the off-topic bank asked of the whole index.

At `faqbot index` time every sample question (an entry's question and alternatives, the texts
hubness.py embeds as questions) is asked as a customer would ask it, with its own text held out
of the index: fold j leaves out the j-th question text of every entry (0 = the question, 1.. =
the alternatives), so an entry with nothing but a question is found by its answer alone. The
questions of the shipped off-topic bank (`faqbot/data/offtopic.txt`: weather, sports, recipes,
other trades...) are asked against the whole index and must go to the helpdesk. Ranking uses
the real `Searcher` on folds made from the stored vectors, so nothing is embedded again; the
bank's vectors are kept with the index generation like the sample questions. The one exception:
a question text that its own answer contains word for word (an FAQ titled by each answer's
opening sentence) is asked against that answer without it (`answers_without_questions`), and
those shortened answers are embedded here.

`faqbot.decision.choose_policy` then picks the threshold and the choice margin and floor from
these outcomes; the `Calibration` it returns goes into the index manifest.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

from faqbot.decision import Calibration, Policy, Sample, choose_policy
from faqbot.errors import DataError
from faqbot.faq.model import FaqEntry, normalize_question
from faqbot.retrieval.embedding import Embedder
from faqbot.retrieval.search import Searcher
from faqbot.retrieval.views import answer_row, view_count

# Above this many entries the calibration runs on an evenly spread part of the FAQ: every fold
# is a whole index, and the decision does not need more than this to be measured.
CALIBRATION_ENTRIES = 2_000
RANKED = 3  # entries kept per asked question: the answer and the choices
OFFTOPIC_BANK = Path(__file__).resolve().parent.parent / "data" / "offtopic.txt"


def offtopic_questions(path: str | Path | None = None) -> list[str]:
    """The bank of questions no company FAQ answers, one per line: the shipped one (Swedish and
    English), or the file `path` names (the setting `offtopic_bank`; DataError when unreadable)."""
    try:
        text = Path(path or OFFTOPIC_BANK).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        if path:
            raise DataError(
                path, [(0, f"cannot read the off-topic bank ({err}); fix `offtopic_bank` in the settings")]
            ) from None
        return []
    lines = (line.strip() for line in text.splitlines())
    bank = list(dict.fromkeys(line for line in lines if line and not line.startswith("#")))
    if path and not bank:  # calibrated without one, the threshold fell from 0.41 to 0.25 (a walk-through)
        raise DataError(
            path, [(0, "the off-topic bank has no questions (one a line); fix `offtopic_bank` in the settings")]
        )
    return bank


class KnownQueries:
    """An embedder that answers `embed_queries` from vectors already made, and asks the model otherwise."""

    def __init__(self, embedder: Embedder, known: dict[str, np.ndarray]) -> None:
        self._embedder = embedder
        self._known = known
        self.name = embedder.name
        self.dim = embedder.dim
        self.similarity_range = embedder.similarity_range

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        if all(t in self._known for t in texts):
            return np.stack([self._known[t] for t in texts]).astype(np.float32)
        return self._embedder.embed_queries(texts)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._embedder.embed_passages(texts)


@dataclass(frozen=True)
class Fold:
    """The search space of one held-out fold: the FAQ without one question text of each entry."""

    vectors: faiss.Index
    row_entry: np.ndarray
    entries: Sequence[FaqEntry]
    hubness: np.ndarray
    language_penalty: dict[str, np.ndarray]  # language_gap.py


SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def answers_without_questions(entries: Sequence[FaqEntry]) -> dict[tuple[int, int], str]:
    """For each question text that its entry's answer contains word for word, the answer without it.

    Some FAQs title each entry with its answer's opening sentence. Held out of the index, such a
    "question" would still be found in the answer, word for word, and the calibration would
    measure nothing; so for that question the answer is held out without that sentence too.
    Keyed by (entry position, position of the text in the entry); an answer that is nothing
    but the question leaves "" (that question is not asked).
    """
    reduced = {}
    for position, entry in enumerate(entries):
        answer = normalize_question(entry.answer)
        sentences = [(s, normalize_question(s)) for s in SENTENCE_END.split(entry.answer.strip())]
        for fold, text in enumerate(entry.questions()):
            words = normalize_question(text)
            if words and words in answer:
                # without the sentences the question is, or is part of
                kept = [s for s, own in sentences if own and words not in own and own not in words]
                reduced[(position, fold)] = " ".join(kept)
    return reduced


def fold_searcher(
    entries: Sequence[FaqEntry],
    vectors: np.ndarray,
    hubness: np.ndarray,
    fold: int,
    embedder: Embedder,
    answers: dict[int, tuple[str, np.ndarray]] | None = None,
    language_penalty: dict[str, np.ndarray] | None = None,
) -> Searcher[Fold]:
    """A searcher over the FAQ without the `fold`-th question text of each entry. Answers stay,
    but an entry in `answers` (position -> text, passage vector) has that answer instead."""
    answers = answers or {}
    keep_rows, owners, reduced, replaced = [], [], [], {}
    first = 0
    for position, entry in enumerate(entries):
        texts = entry.questions()
        held = normalize_question(texts[fold]) if 0 <= fold < len(texts) else None
        # the held-out text's twins go with it (an alternative that repeats the question with
        # another capital or "?"): kept, they would find it word for word and the fold measure nothing
        kept = [i for i in range(len(texts)) if i != fold and normalize_question(texts[i]) != held]
        keep_rows += [first + i for i in kept] + [first + answer_row(entry)]
        owners += [position] * (len(kept) + 1)
        answer = entry.answer
        if position in answers:
            answer, replaced[len(keep_rows) - 1] = answers[position]
        # Search's lexical part reads question + alternatives + answer: the held-out text goes.
        # Learned phrasings stay learned: it reads those in Swedish only (`lexical_text`).
        kept_texts = [texts[i] for i in kept]
        alternatives = tuple(t for t in kept_texts if t not in entry.learned)
        reduced.append(
            FaqEntry(entry.id, "", answer, alternatives, learned=tuple(t for t in kept_texts if t in entry.learned))
        )
        first += view_count(entry)
    rows = np.asarray(keep_rows, dtype=np.int64)
    kept_vectors = np.ascontiguousarray(vectors[rows])
    for kept_row, vector in replaced.items():
        kept_vectors[kept_row] = vector
    exact = faiss.IndexFlatIP(kept_vectors.shape[1])
    exact.add(kept_vectors)
    penalty = {language: values[rows] for language, values in (language_penalty or {}).items()}
    return Searcher(Fold(exact, np.asarray(owners, dtype=np.int64), reduced, hubness[rows], penalty), embedder)


def sample_questions(entries: Sequence[FaqEntry], known: dict[str, np.ndarray]) -> list[tuple[int, int, str]]:
    """(entry position, position of the text in the entry, text) for every question text with a
    vector; a text that repeats an earlier one of its entry but for case and punctuation is asked once."""
    asked = []
    for position, entry in enumerate(entries):
        seen: set[str] = set()
        for fold, text in enumerate(entry.questions()):
            words = normalize_question(text)
            if text in known and words not in seen:
                asked.append((position, fold, text))
            seen.add(words)
    return asked


def spread(entries: Sequence[FaqEntry], vectors: np.ndarray, hubness: np.ndarray, penalty: dict[str, np.ndarray]):
    """At most CALIBRATION_ENTRIES entries, evenly spread, with their rows of vectors, hubness and
    language penalty."""
    if len(entries) <= CALIBRATION_ENTRIES:
        return entries, vectors, hubness, penalty
    picks = np.linspace(0, len(entries) - 1, CALIBRATION_ENTRIES).round().astype(np.int64)
    counts = np.array([view_count(e) for e in entries])
    first = np.concatenate([[0], np.cumsum(counts)])
    rows = np.concatenate([np.arange(first[p], first[p + 1]) for p in picks])
    return [entries[p] for p in picks], vectors[rows], hubness[rows], {k: v[rows] for k, v in penalty.items()}


def calibrate(
    entries: Sequence[FaqEntry],
    vectors: np.ndarray,
    hubness: np.ndarray,
    known: dict[str, np.ndarray],
    embedder: Embedder,
    offtopic: list[str],
    in_force: Policy | None = None,
    texts_changed: int | None = None,
    language_penalty: dict[str, np.ndarray] | None = None,
) -> Calibration:
    """Ask the FAQ's own questions (held out) and the off-topic bank; choose the policy. For the manifest.
    `in_force`: the previous index's policy; `texts_changed`: how many texts are new or gone since it.

    Each question text is ranked with its own text held out; the off-topic bank against the whole FAQ.
    """
    started = time.perf_counter()
    entries, vectors, hubness, penalty = spread(entries, vectors, hubness, language_penalty or {})
    queries = KnownQueries(embedder, known)
    samples: list[Sample] = []
    without = answers_without_questions(entries)
    asked = [a for a in sample_questions(entries, known) if without.get(a[:2]) != ""]
    texts = sorted({text for text in without.values() if text})
    embedded = dict(zip(texts, embedder.embed_passages(texts) if texts else [], strict=True))
    for fold in sorted({f for _, f, _ in asked}):
        answers = {p: (text, embedded[text]) for (p, f), text in without.items() if f == fold and text}
        searcher = fold_searcher(entries, vectors, hubness, fold, queries, answers, penalty)
        for position, _, text in (a for a in asked if a[1] == fold):
            learned = text in entries[position].learned
            samples.append(Sample.of(entries[position].id, searcher.rank(text, limit=RANKED), learned))
    whole = fold_searcher(entries, vectors, hubness, -1, queries, language_penalty=penalty)
    samples += [Sample.of(None, whole.rank(text, limit=RANKED)) for text in offtopic if text in known]
    taught = sum(s.learned for s in samples)
    chosen = choose_policy(samples, learned_questions=taught, in_force=in_force, texts_changed=texts_changed)
    return chosen.timed(time.perf_counter() - started)
