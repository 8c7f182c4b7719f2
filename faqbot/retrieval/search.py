"""Ranking FAQ entries for a question: dense (embedding) similarity plus Swedish BM25.

Every entry gets a relevance in [0, 1]:

    relevance = dense_weight * dense + lexical_weight * lexical

where `dense` blends the best cosine similarity between the question and the entry's texts
(question, alternatives, answer) with the mean of its three best, each similarity first
lowered by part of the text's hubness (how near it lies to questions about other entries; see
hubness.py) and, for a learned phrasing in the question's own language when that is not
Swedish, by the same-language bonus (language_gap.py), rescaled from the model's band of
similarities (`similarity_range`; e5 packs everything into 0.8-0.95) onto [0, 1], and
`lexical` is the entry's BM25 score on its stemmed, accent-folded question + alternatives +
learned phrasings (but those in English: `lexical_text`) + answer, squashed into [0, 1) and
scaled by the share of the question's words it covers (a question word the FAQ does not have
is split like a Swedish compound first: `split_compound`).

The score that is compared with the threshold is the relevance plus how far the entry stands
out from the runner-up (for the top entry; others get their relevance), clipped to [0, 1]:
an unanswerable question tends to match many entries equally weakly. The weights were tuned
on data/test_questions.jsonl (see `faqbot evaluate`).
"""

from __future__ import annotations

import copy
import logging
import math
import threading
from collections.abc import Container, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Generic, Protocol, TypeVar

import bm25s
import faiss
import numpy as np
import Stemmer
from bm25s.stopwords import STOPWORDS_SWEDISH

from faqbot.faq.model import FaqEntry, normalize_question
from faqbot.language import SWEDISH, detect_language
from faqbot.retrieval.embedding import Embedder
from faqbot.retrieval.spelling import TOKEN, Spelling, fold

logging.getLogger("bm25s").setLevel(logging.WARNING)

# Tuned on the shipped test set; see the module docstring.
DENSE_WEIGHT, LEXICAL_WEIGHT = 0.7, 0.3
LEXICAL_HALF = 2.0  # the BM25 score that maps to 0.5
MARGIN_WEIGHT = 1.0
HUBNESS_WEIGHT = 0.5  # share of a view's hubness (hubness.py) taken off its similarity
TOP_VIEWS, TOP_VIEWS_WEIGHT = 3, 0.5  # dense = half the best view, half the mean of the best three
# A follow-up ("och vad kostar det?") adds this to the relevance of the entries of the topic the
# conversation is on (bot.py); a full new question is ranked alone.
CONTEXT_WEIGHT = 0.1
TOPIC_ENTRIES, TOPIC_SPREAD = 3, 0.3  # a topic without sections: the best entries of the previous question
RANK_LIMIT = 10  # entries returned by rank(): the answer, suggestions, and MRR@10 in evaluation
DENSE_CANDIDATES = 2048  # nearest views looked up per question; indexes up to this size are searched whole

# A question staff marked that shares no word with a question sets it aside only when this much
# nearer than the entry: the bundled model put nine English questions of vatten's test set
# 0.001-0.015 nearer the Swedish "Kan ni laga min tvättmaskin?" than their entry, and rewordings
# of marks with other words ("När kommer sopbilen?" for "När töms soptunnan?") 0.027-0.078.
MARK_LEAD_WITHOUT_WORDS = 0.02
MIN_HEAD, MIN_REST = 4, 3  # letters of the parts an unknown word is split into (split_compound)
STOPWORDS = frozenset(STOPWORDS_SWEDISH) | frozenset(
    "the a an is are do does you your i my me we our of to for in on and or can how what".split()
)


@dataclass(frozen=True)
class Match:
    """An FAQ entry and how well it matches the question."""

    faq_id: str
    faq_question: str
    answer: str
    score: float
    dense: float
    lexical: float
    answer_en: str = ""  # the entry's English answer, when staff have written one
    question_en: str = ""  # the entry's English question, when staff have written one


class Tokenizer:
    """Words -> Swedish stems, folded; the same for entries and questions.

    What each distinct word becomes (its folded stem, or "" for a stop word) is worked out once
    and remembered: a large FAQ repeats its vocabulary millions of times, and folding is slow.
    """

    MAX_REMEMBERED = 500_000  # distinct words; customers' typos must not grow it without bound

    def __init__(self) -> None:
        self._stemmer = Stemmer.Stemmer("swedish")
        self._lock = threading.Lock()  # PyStemmer objects are not thread-safe
        self._stems: dict[str, str] = {}

    def __call__(self, text: str) -> list[str]:
        words = TOKEN.findall(text.casefold())
        stems = self._stems  # this call's own reference: another call may start a new memory
        new = {w for w in words if w not in stems}
        if new:
            if len(stems) + len(new) > self.MAX_REMEMBERED:
                stems = self._stems = {}
                new = set(words)
            kept = [w for w in new if w not in STOPWORDS and len(w) > 1]
            with self._lock:
                stemmed = self._stemmer.stemWords(kept)
            stems.update(dict.fromkeys(new, ""))
            stems.update(zip(kept, map(fold, stemmed), strict=True))
        return [stem for stem in map(stems.__getitem__, words) if stem]


def lexical_text(entry: FaqEntry) -> str:
    """What BM25 reads of an entry: its texts, but the phrasings customers taught it in English.

    In a Swedish FAQ the few English texts are all customers taught, so BM25's IDF counts every
    English word as rare: "why" and "water" in "Why is my tap water brown?" gave that entry the
    words of any English question about water (a walk-through as a water utility: "Why is the
    water cloudy?" was answered with it). The embedding still reads them (`dense_scores`); staff's
    own English texts stay, written for the entries staff chose.
    """
    taught = [text for text in entry.learned if detect_language(text) != SWEDISH]
    texts = [text for text in entry.questions() if text not in taught] if taught else entry.questions()
    return " ".join((*texts, entry.answer))


class SearchSpace(Protocol):
    """What search reads of an index: the vectors, which entry each vector row belongs to, the
    entries, each row's hubness and its same-language bonus by language. A `LoadedIndex` is one; the calibration makes its own for
    every held-out fold (`faqbot.retrieval.heldout.Fold`)."""

    @property
    def vectors(self) -> faiss.Index: ...

    @property
    def row_entry(self) -> np.ndarray: ...

    @property
    def entries(self) -> Sequence[FaqEntry]: ...

    @property
    def hubness(self) -> np.ndarray | None: ...

    @property
    def language_penalty(self) -> dict[str, np.ndarray]: ...


Space = TypeVar("Space", bound=SearchSpace)


class Searcher(Generic[Space]):
    """Scores every entry of a search space (a loaded index) for a question.

    >>> searcher = Searcher(load_index("index"), load_embedder())
    >>> searcher.rank("Kan jag ringa er?")[0].faq_id
    'telefonsupport'
    """

    def __init__(self, index: Space, embedder: Embedder) -> None:
        self.index = index
        self.embedder = embedder
        self.entries = list(index.entries)
        self._row_entry = index.row_entry  # vector row -> position of its entry
        self._tokenize = Tokenizer()
        corpus = [self._tokenize(lexical_text(e)) or ["_"] for e in self.entries]
        self._bm25 = bm25s.BM25()
        self._bm25.index(corpus, show_progress=False)
        self._bm25_lock = threading.Lock()

    def embedding_with(self, embedder: Embedder) -> Searcher[Space]:
        """This searcher, its questions embedded by `embedder` (the same model, one chat's
        memory of its vectors around it: ChatMemory); everything else shared."""
        _ = self.spelling  # worked out once, on this searcher, and shared
        other = copy.copy(self)
        other.embedder = embedder
        return other

    def words(self, text: str) -> list[str]:
        """The text's stems, stop words left out, as the FAQ's texts are read."""
        return self._tokenize(text)

    def spelled(self, question: str) -> str:
        """The question with its words spelled as the FAQ spells them: written without å, ä or
        ö, or one typo away (faqbot.retrieval.spelling)."""
        return self.spelling.spelled(question)

    @cached_property
    def spelling(self) -> Spelling:
        """The FAQ's spellings (`spelled`): worked out on first use, or by whoever loads the index."""
        return Spelling(self.entries)

    def query_words(self, question: str) -> list[str]:
        """The question's stems; one the FAQ does not have is split after the longest stem it starts with.

        Swedish writes compounds as one word: "plattformsoberoende", "jobbmejlen", "buggsystem"
        share nothing with "plattformar", "mejl", "bugg" as whole words. The stemmer also leaves
        some forms alone ("debitering", where the FAQ has "debiterar"). What it gained on the test
        set is in docs/evaluation-history.md.
        """
        vocabulary = self._bm25.vocab_dict
        words = []
        for word in self._tokenize(question):
            if word not in vocabulary:
                words.extend(split_compound(word, vocabulary))
            else:
                words.append(word)
        return words

    def dense_scores(self, question: str) -> np.ndarray:
        """Per entry: its best cosine similarity, blended with the mean of its TOP_VIEWS best.

        An entry that several of its texts match is a safer answer than one that a single
        alternative happens to match (see docs/evaluation-history.md for what it gained).
        Small indexes are searched whole. In a large one only the DENSE_CANDIDATES nearest views
        are looked up; entries with no view among them get the lowest similarity seen, which
        puts them below every candidate (they can still win on words, through BM25).
        """
        query = self.embedder.embed_queries([question])
        n_views = self.index.vectors.ntotal
        similarities, rows = search_one(self.index.vectors, query, min(n_views, DENSE_CANDIDATES))
        valid = rows[0] >= 0
        similarities, rows = similarities[0][valid], rows[0][valid]
        if self.index.hubness is not None:
            similarities = similarities - HUBNESS_WEIGHT * self.index.hubness[rows]
        if self.index.language_penalty:  # learned phrasings in the question's own language (language_gap.py)
            penalty = self.index.language_penalty.get(detect_language(question))
            similarities = similarities - penalty[rows] if penalty is not None else similarities
        fill = float(similarities.min()) if len(similarities) and n_views > DENSE_CANDIDATES else -1.0
        n_entries = len(self.entries)
        best = np.full(n_entries, fill, dtype=np.float32)
        np.maximum.at(best, self._row_entry[rows], similarities)
        entry_of = self._row_entry[rows]
        order = np.lexsort((-similarities, entry_of))  # by entry, best view first within each
        entry_sorted, sims_sorted = entry_of[order], similarities[order]
        starts = np.flatnonzero(np.r_[True, entry_sorted[1:] != entry_sorted[:-1]])
        rank_in_entry = np.arange(len(entry_sorted)) - np.repeat(starts, np.diff(np.r_[starts, len(entry_sorted)]))
        top = rank_in_entry < TOP_VIEWS
        sums = np.bincount(entry_sorted[top], weights=sims_sorted[top], minlength=n_entries)
        counts = np.bincount(entry_sorted[top], minlength=n_entries)
        mean_top = np.where(counts > 0, sums / np.maximum(counts, 1), fill).astype(np.float32)
        return (1.0 - TOP_VIEWS_WEIGHT) * best + TOP_VIEWS_WEIGHT * mean_top

    @property
    def marked(self) -> np.ndarray | None:
        """The vectors of the questions staff marked as off-topic (`Faq.off_topic`), or None."""
        marked = getattr(self.index, "marked", None)
        return marked if marked is not None and len(marked) else None

    def set_aside(self, question: str, faq_id: str) -> bool:
        """Whether `question` lies nearer a question staff marked as off-topic than any text of
        entry `faq_id`: then it is not that entry's question, whatever its score. False at once
        when no question is marked (nothing embedded, nothing compared).

        The plain cosine similarities of the question to the passages (the marked questions
        are embedded as passages, like an entry's texts), no hubness or words: a marked
        question asked again, or reworded, is nearer its own text than any entry's.
        """
        marked = self.marked
        position = self._positions.get(faq_id)
        if marked is None or position is None:
            return False
        query = self.embedder.embed_queries([question])[0]
        rows = np.flatnonzero(self._row_entry == position)
        own = max(float(self.index.vectors.reconstruct(int(row)) @ query) for row in rows)
        similarities = marked @ query
        nearest = int(similarities.argmax())
        if float(similarities[nearest]) <= own:
            return False
        texts = getattr(self.index, "marked_texts", ())
        if len(texts) != len(marked):
            return True
        if normalize_question(texts[nearest]) == normalize_question(question):
            return True  # the marked question itself, whatever words the entry shares with it
        lead = float(similarities[nearest]) - own
        return not self.entry_words_closer(question, texts[nearest], position, lead)

    def entry_words_closer(self, question: str, mark: str, position: int, lead: float) -> bool:
        """Whether the marked question `mark`, `lead` nearer the question than the entry at
        `position`, shares fewer of its words (weighed as `coverage` weighs them) than the entry
        does, or as many while the mark has a word of its own the question lacks, or none while
        leading by at most MARK_LEAD_WITHOUT_WORDS. "Var kan jag hämta vatten?" with "Var kan jag
        hämta vatten vid centralstationen?" marked is the entry's: a walk-through's "var parkerar
        jag?" went to the helpdesk under "var kan jag parkera vid centralstationen?".

        The model reads a question's shape before its subject: with "Vem ansvarar för
        elledningarna på tomten?" marked, "Vem äger vattenledningen på tomten?" lay nearer the mark
        than any text of the entry on water pipes, "Kan ni laga min tvättmaskin?" took "Kan jag
        vattna?" from the watering entry (a walk-through), and nine English questions of a Swedish
        FAQ (vatten's test set), with no word of either, by 0.001-0.015. A mark asked again, or
        reworded, shares its words with the question as the entry does not."""
        words = self.query_words(question)
        weights = self.word_weights(words)
        total = sum(weights.values())
        in_mark = set(self.query_words(mark))
        by_mark = sum(weight for word, weight in weights.items() if word in in_mark) / total if total else 0.0
        if by_mark == 0.0:
            return lead <= MARK_LEAD_WITHOUT_WORDS
        by_entry = float(self.coverage(words)[position])
        if by_entry != by_mark:
            return by_entry > by_mark
        # as many of its words each: the mark's question, unless the mark asks about more than it
        # does, a word of its own the question lacks ("... vid centralstationen?")
        return bool(in_mark - set(words))

    def knows_all(self, words: list[str]) -> bool:
        """Whether every one of `words` (the searcher's stems) is a word of the FAQ's texts."""
        return all(word in self._bm25.vocab_dict for word in words)

    def nearest_marked(self, question: str) -> tuple[str, float] | None:
        """The question staff marked as off-topic nearest `question` (as `set_aside` compares them),
        with its cosine similarity; None when none is marked. For staff: which mark set it aside."""
        marked, texts = self.marked, getattr(self.index, "marked_texts", ())
        if marked is None or len(texts) != len(marked):
            return None
        similarities = marked @ self.embedder.embed_queries([question])[0]
        best = int(similarities.argmax())
        return texts[best], float(similarities[best])

    @cached_property
    def _positions(self) -> dict[str, int]:
        return {e.id: i for i, e in enumerate(self.entries)}

    def coverage(self, words: list[str]) -> np.ndarray:
        """Per entry: the share of the question's word weight (IDF) that the entry's words cover.

        BM25 rewards an entry for any one rare word it shares with the question; "Vad kostar en
        ny bil?" shares only "kostar" with the billing entry. Scaling BM25 by coverage keeps
        one shared word from passing for an answer. Words no entry has weigh the most.
        """
        covered = np.zeros(len(self.entries), dtype=np.float32)
        weights = self.word_weights(words)
        if not weights:
            return covered
        for token, idf in weights.items():
            covered[self._entries_with(token)] += idf
        return covered / sum(weights.values())

    def word_weights(self, words: list[str]) -> dict[str, float]:
        """Each distinct word's weight: its IDF over the FAQ's entries (one no entry has weighs the most)."""
        n_entries = len(self.entries)
        return {
            token: math.log(1.0 + (n_entries - len(found) + 0.5) / (len(found) + 0.5))
            for token in dict.fromkeys(words)
            for found in (self._entries_with(token),)
        }

    def _entries_with(self, token: str) -> np.ndarray:
        """The positions of the entries whose texts (as BM25 reads them) have `token`."""
        postings = self._bm25.scores
        token_id = self._bm25.vocab_dict.get(token)
        if token_id is None:
            return postings["indices"][:0]
        return postings["indices"][postings["indptr"][token_id] : postings["indptr"][token_id + 1]]

    def lexical_scores(self, words: list[str]) -> np.ndarray:
        """BM25 score per entry for the question's words (`query_words`)."""
        if not words:
            return np.zeros(len(self.entries), dtype=np.float32)
        with self._bm25_lock:
            return np.asarray(self._bm25.get_scores(words), dtype=np.float32)

    def rank(self, question: str, limit: int = RANK_LIMIT, favoured: Container[str] = ()) -> list[Match]:
        """The `limit` best entries, best first; entries whose id is in `favoured` (the topic of
        the conversation, for a follow-up) get CONTEXT_WEIGHT more relevance."""
        return self.rankings(question, favoured, limit)[0]

    def rankings(
        self, question: str, favoured: Container[str], limit: int = RANK_LIMIT
    ) -> tuple[list[Match], list[Match]]:
        """`rank(question, favoured=favoured)` and `rank(question)`, the question read once: a
        follow-up's ranking with its topic in mind, and as a new question alone."""
        dense = self.dense_scores(question)
        words = self.query_words(question)
        lexical = self.lexical_scores(words)
        floor, ceiling = self.embedder.similarity_range
        dense_part = np.clip((dense - floor) / (ceiling - floor), 0.0, 1.0)
        lexical_part = lexical / (lexical + LEXICAL_HALF) * self.coverage(words)
        alone = DENSE_WEIGHT * dense_part + LEXICAL_WEIGHT * lexical_part
        if not favoured:
            ranked = self._matches(alone, dense, lexical, limit)
            return ranked, ranked
        bonus = np.array([e.id in favoured for e in self.entries], dtype=alone.dtype)
        nudged = np.minimum(1.0, alone + CONTEXT_WEIGHT * bonus)
        return self._matches(nudged, dense, lexical, limit), self._matches(alone, dense, lexical, limit)

    def _matches(self, relevance: np.ndarray, dense: np.ndarray, lexical: np.ndarray, limit: int) -> list[Match]:
        top = top_indices(relevance, limit)
        scores = relevance[top].astype(float)
        if len(top) > 1:
            scores[0] = min(1.0, scores[0] + MARGIN_WEIGHT * (scores[0] - scores[1]))
        return [
            Match(
                faq_id=self.entries[i].id,
                faq_question=self.entries[i].question,
                answer=self.entries[i].answer,
                score=float(score),
                dense=float(dense[i]),
                lexical=float(lexical[i]),
                answer_en=self.entries[i].answer_en,
                question_en=self.entries[i].question_en,
            )
            for i, score in zip(top, scores, strict=True)
        ]


def topic_of(ranked: list[Match], entries: list[FaqEntry]) -> frozenset[str]:
    """The entries a question was about, for ranking a follow-up to it: the section of its best
    entry, or when the FAQ has no sections, its best entries (those within TOPIC_SPREAD of it)."""
    if not ranked:
        return frozenset()
    section = next((e.section for e in entries if e.id == ranked[0].faq_id), "")
    if section:
        return frozenset(e.id for e in entries if e.section == section)
    return frozenset(m.faq_id for m in ranked[:TOPIC_ENTRIES] if ranked[0].score - m.score <= TOPIC_SPREAD)


def split_compound(word: str, vocabulary: Container[str]) -> list[str]:
    """[head, rest] for the longest known head of at least MIN_HEAD letters leaving MIN_REST or more;
    the rest loses a linking "s" when that makes it known ("sakerhetssystem" -> sakerhet, system).
    A word with no known head stays whole."""
    for cut in range(len(word) - MIN_REST, MIN_HEAD - 1, -1):
        head, rest = word[:cut], word[cut:]
        if head in vocabulary:
            if rest not in vocabulary and rest.startswith("s") and rest[1:] in vocabulary:
                rest = rest[1:]
            return [head, rest]
    return [word]


def search_one(vectors: faiss.Index, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The k nearest rows to one query, searched on this thread alone.

    FAISS would split one question over OpenMP threads; on a machine that is also embedding
    (or answering other customers) the second thread mostly waits for a core, and searches got
    several times slower (benchmarks/README.md). The setting is per thread, so it is restored.
    """
    threads = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        return vectors.search(query, k)
    finally:
        faiss.omp_set_num_threads(threads)


def top_indices(values: np.ndarray, limit: int) -> np.ndarray:
    """Indices of the `limit` largest values, largest first, ties in index order."""
    if len(values) > limit:
        candidates = np.argpartition(-values, limit - 1)[:limit]
        return candidates[np.lexsort((candidates, -values[candidates]))]
    return np.argsort(-values, kind="stable")
