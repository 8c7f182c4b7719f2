"""The same-language bonus: a learned phrasing in English is near every English question.

The bundled model finds an English question nearer an English text on another subject than the
Swedish texts of its own entry. Once customers have taught an FAQ a few English phrasings, each
of them draws the English questions of the *other* entries: on a held-out FAQ (docs/evaluation.md,
"A held-out FAQ: vatten") 16 of the 29 first places that learning lost went to an English phrasing
learned for another entry.

So the bonus is measured on the FAQ's own learned phrasings when the index is built. For each
learned phrasing in a language other than the FAQ's (Swedish), the gap is how much nearer it lies
to the nearest phrasing in its own language learned for another entry than to the nearest Swedish
question of its own entry. Their mean, when it is above 0 (at least MIN_PHRASINGS of them, of at
least two entries), is taken off those phrasings' similarity for a question in that language
(`Searcher.dense_scores`), and the calibration's folds see it too. Swedish texts and a question in
Swedish are left alone; so is staff's own English question (`question_en`), which is the entry's
by definition.

    penalty = language_penalty(faq.entries, vectors)   # {"en": per view row, 0 but learned English}
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from faqbot.faq.model import FaqEntry
from faqbot.language import SWEDISH, detect_language
from faqbot.retrieval.views import learned_row, view_count

MIN_PHRASINGS = 2  # learned phrasings of a language that the gap is measured on
GAP_CHUNK = 2_048  # phrasings compared with the others at a time (10,000 of them: ~80 MB a matrix)


def learned_rows(entries: Sequence[FaqEntry]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """(vector row, entry position, text) of every learned phrasing, in row order."""
    rows: list[int] = []
    owners: list[int] = []
    texts: list[str] = []
    first = 0
    for position, entry in enumerate(entries):
        start = first + learned_row(entry)
        rows += range(start, start + len(entry.learned))
        owners += [position] * len(entry.learned)
        texts += entry.learned
        first += view_count(entry)
    return np.asarray(rows, dtype=np.int64), np.asarray(owners, dtype=np.int64), texts


def home_rows(entries: Sequence[FaqEntry], positions: set[int]) -> dict[int, np.ndarray]:
    """Per entry position in `positions`: the rows of its Swedish questions (question,
    alternatives, learned phrasings written in Swedish; not `question_en`, the last)."""
    homes = {}
    first = 0
    for position, entry in enumerate(entries):
        if position in positions:
            texts = entry.questions()[: learned_row(entry) + len(entry.learned)]  # rows in order (views.py)
            homes[position] = np.asarray(
                [first + i for i, text in enumerate(texts) if detect_language(text) == SWEDISH], dtype=np.int64
            )
        first += view_count(entry)
    return homes


def nearest_of_other_entries(vectors: np.ndarray, rows: np.ndarray, owners: np.ndarray) -> np.ndarray:
    """Per phrasing at `rows`: its similarity to the nearest of the others of another entry (-inf: none)."""
    nearest = np.full(len(rows), -np.inf, dtype=np.float32)
    for start in range(0, len(rows), GAP_CHUNK):
        stop = min(start + GAP_CHUNK, len(rows))
        similarities = vectors[rows[start:stop]] @ vectors[rows].T
        similarities[owners[start:stop, None] == owners[None, :]] = -np.inf
        nearest[start:stop] = similarities.max(axis=1)
    return nearest


def language_gap(vectors: np.ndarray, rows: np.ndarray, owners: np.ndarray, homes: dict[int, np.ndarray]) -> float:
    """The mean gap of the learned phrasings at `rows` (one language): nearest phrasing of another
    entry less nearest Swedish question of its own entry. 0 when it cannot be measured."""
    nearest = nearest_of_other_entries(vectors, rows, owners)
    gaps = []
    for near, row, owner in zip(nearest, rows, owners, strict=True):
        home = homes.get(int(owner), np.empty(0, dtype=np.int64))
        if np.isfinite(near) and len(home):
            gaps.append(float(near) - float((vectors[home] @ vectors[row]).max()))
    return float(np.mean(gaps)) if len(gaps) >= MIN_PHRASINGS else 0.0


def language_penalty(entries: Sequence[FaqEntry], vectors: np.ndarray) -> dict[str, np.ndarray]:
    """Per language that has a bonus to take off: per view row, what a question in that language
    takes off that row's similarity (the gap on its learned phrasings in that language, 0 elsewhere)."""
    rows, owners, texts = learned_rows(entries)
    languages = np.asarray([detect_language(text) for text in texts], dtype=object)
    foreign = languages != SWEDISH
    homes = home_rows(entries, set(owners[foreign].tolist()))
    penalties = {}
    for language in sorted(set(languages[foreign].tolist())):
        mine = languages == language
        gap = language_gap(vectors, rows[mine], owners[mine], homes)
        if gap > 0:
            penalty = np.zeros(len(vectors), dtype=np.float32)
            penalty[rows[mine]] = gap
            penalties[language] = penalty
    return penalties
