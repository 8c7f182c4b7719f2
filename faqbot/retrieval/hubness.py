"""Hubness: how near a text of the FAQ lies to customers' questions about *other* entries.

Some texts resemble every question: a short, generic alternative ("Vad kan ni hjälpa oss
med?") is among the nearest texts of many questions it does not answer, and with it its entry
wins them. A view's hubness is the mean similarity of its HUBNESS_NEIGHBOURS nearest sample
questions of other entries, less the average over all views; search subtracts part of it from
the view's similarity (`faqbot/retrieval/search.py`). This is the correction of CSLS (Conneau et al.
2018, "Word translation without parallel data"), with the FAQ's own questions and alternatives,
embedded as questions, standing in for customers' questions (at most REFERENCE_LIMIT of them).

It is measured when the index is built and stored per generation as `hubness-<gen>.npz`, with
the sample questions' texts and vectors, which the next build reuses.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from faqbot.faq.model import FaqEntry

# Sample questions that hubness is measured with. Every view is compared with each of them at
# every build: at 100,000 entries (900,000 views) 1,000 of them cost ~7 s of a ~40 s build.
REFERENCE_LIMIT = 1_000
HUBNESS_NEIGHBOURS = 10
HUBNESS_CHUNK = 2_048  # views compared with the sample questions at a time (~8 MB per matrix)


def reference_questions(entries: Sequence[FaqEntry]) -> tuple[list[str], np.ndarray]:
    """The sample questions: entries' questions and alternatives, with their entry positions.

    A large FAQ gives REFERENCE_LIMIT of them, spread evenly over the file.
    """
    texts = [text for e in entries for text in e.questions()]
    owner = np.repeat(np.arange(len(entries)), [len(e.questions()) for e in entries])
    if len(texts) > REFERENCE_LIMIT:
        picks = np.linspace(0, len(texts) - 1, REFERENCE_LIMIT).round().astype(np.int64)
        return [texts[i] for i in picks], owner[picks]
    return texts, owner


def view_hubness(
    vectors: np.ndarray, view_entry: np.ndarray, references: np.ndarray, reference_entry: np.ndarray
) -> np.ndarray:
    """Per view: mean similarity of its HUBNESS_NEIGHBOURS nearest sample questions of other entries,
    centred on the average view (so the correction moves similarities up as much as down)."""
    hubness = np.full(len(vectors), np.nan, dtype=np.float32)
    k = min(HUBNESS_NEIGHBOURS, len(references))
    for start in range(0, len(vectors) if k else 0, HUBNESS_CHUNK):
        stop = min(start + HUBNESS_CHUNK, len(vectors))
        similarities = vectors[start:stop] @ references.T
        similarities[view_entry[start:stop, None] == reference_entry[None, :]] = -np.inf  # its own entry's
        nearest = -np.partition(-similarities, k - 1, axis=1)[:, :k]
        found = np.isfinite(nearest)  # a view of an FAQ's only entry has no other questions near it
        counts = found.sum(axis=1)
        sums = np.where(found, nearest, 0.0).sum(axis=1)
        hubness[start:stop] = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
    known = np.isfinite(hubness)
    if not known.any():
        return np.zeros(len(vectors), dtype=np.float32)
    hubness[~known] = hubness[known].mean()
    return hubness - hubness.mean()


def save_hubness(
    name: str,
    hubness: np.ndarray,
    reference_texts: list[str],
    references: np.ndarray,
    offtopic_texts: list[str] | None = None,
    offtopic: np.ndarray | None = None,
    marked_texts: list[str] | None = None,
    marked: np.ndarray | None = None,
    language_penalty: dict[str, np.ndarray] | None = None,
) -> None:
    """Store the hubness, the sample questions and the off-topic bank's vectors (calibration.py),
    the questions staff marked as off-topic (`Faq.off_topic`, embedded as passages) and the
    same-language bonus taken off learned phrasings (language_gap.py), per language and view."""
    penalty = language_penalty or {}
    with open(name, "wb") as handle:  # a file object: np.savez would add ".npz" to a name
        np.savez(
            handle,
            hubness=hubness,
            reference_texts=np.array(reference_texts, dtype=str),
            reference_vectors=references,
            offtopic_texts=np.array(offtopic_texts or [], dtype=str),
            offtopic_vectors=offtopic if offtopic is not None else np.empty((0, references.shape[1]), np.float32),
            marked_texts=np.array(marked_texts or [], dtype=str),
            marked_vectors=marked if marked is not None else np.empty((0, references.shape[1]), np.float32),
            penalty_languages=np.array(list(penalty), dtype=str),
            language_penalty=np.array(list(penalty.values()), dtype=np.float32).reshape(len(penalty), len(hubness)),
        )


def load_hubness(path: Path) -> np.ndarray:
    """The stored hubness per view. Raises OSError, KeyError or ValueError for a missing or damaged file."""
    with np.load(path) as stored:
        return stored["hubness"]


def load_marked(path: Path) -> tuple[list[str], np.ndarray]:
    """The questions staff marked as off-topic and their vectors (none in an index built before them)."""
    with np.load(path) as stored:
        if "marked_texts" not in stored.files:
            return [], np.empty((0, stored["reference_vectors"].shape[1]), np.float32)
        return stored["marked_texts"].tolist(), stored["marked_vectors"]


def load_language_penalty(path: Path) -> dict[str, np.ndarray]:
    """The same-language bonus per language and view (none in an index built before it)."""
    with np.load(path) as stored:
        if "penalty_languages" not in stored.files:
            return {}
        return dict(zip(stored["penalty_languages"].tolist(), stored["language_penalty"], strict=True))


def load_references(path: Path) -> dict[str, np.ndarray]:
    """The stored sample questions' and off-topic questions' vectors by text."""
    with np.load(path) as stored:
        known = dict(zip(stored["reference_texts"].tolist(), stored["reference_vectors"], strict=True))
        if "offtopic_texts" in stored.files:
            known.update(zip(stored["offtopic_texts"].tolist(), stored["offtopic_vectors"], strict=True))
        return known
