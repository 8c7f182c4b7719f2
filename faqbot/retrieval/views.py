"""The rows of the vector index: every entry stands there as its question texts, then its answer.

This is the one place that knows the row layout. An entry's rows are its question, its
alternatives, its learned phrasings and its English question (`FaqEntry.questions()`), in that
order, then its answer, last. The index build, the hubness and the calibration's held-out folds
all read the layout from here.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import NamedTuple, overload

import numpy as np

from faqbot.faq.model import FaqEntry

# A view is one text that stands for an entry in the vector index.
QUESTION, ALTERNATIVE, ANSWER = "question", "alternative", "answer"


class View(NamedTuple):
    """One row of the vector index (a tuple: a 100,000-entry FAQ has about 900,000 of them)."""

    entry_id: str
    kind: str
    text: str


def entry_texts(entry: FaqEntry) -> tuple[str, ...]:
    """The texts that stand for an entry, in row order: question, alternatives (and the
    English question, which customers ask like one more alternative), answer."""
    return (*entry.questions(), entry.answer)


def view_count(entry: FaqEntry) -> int:
    return len(entry.questions()) + 1


def entry_kinds(entry: FaqEntry) -> tuple[str, ...]:
    return (QUESTION, *([ALTERNATIVE] * (view_count(entry) - 2)), ANSWER)


def entry_views(entry: FaqEntry) -> list[View]:
    return [View(entry.id, kind, text) for kind, text in zip(entry_kinds(entry), entry_texts(entry), strict=True)]


def learned_row(entry: FaqEntry) -> int:
    """The first of the entry's learned phrasings among its own rows: after its question and alternatives."""
    return 1 + len(entry.alternatives)


def answer_row(entry: FaqEntry) -> int:
    """The answer's row among the entry's own rows: after every question text."""
    return view_count(entry) - 1


class ViewTable(Sequence[View]):
    """The views of `entries` in index row order, made on demand from the entries' own strings.

    A 100,000-entry FAQ has about 900,000 views; as a list of tuples they would cost a second
    or more to make on every load, and memory for as long as the index is served.
    """

    def __init__(self, entries: Sequence[FaqEntry]) -> None:
        self.entries = entries
        counts = np.fromiter((view_count(e) for e in entries), dtype=np.int64, count=len(entries))
        self.row_entry = np.repeat(np.arange(len(entries)), counts)  # row -> position of its entry
        self._first_row = np.concatenate([[0], np.cumsum(counts)])

    def __len__(self) -> int:
        return int(self._first_row[-1])

    @overload
    def __getitem__(self, row: int) -> View: ...

    @overload
    def __getitem__(self, row: slice) -> list[View]: ...

    def __getitem__(self, row: int | slice) -> View | list[View]:
        if isinstance(row, slice):
            return [self[i] for i in range(*row.indices(len(self)))]
        if row < 0:
            row += len(self)
        if not 0 <= row < len(self):
            raise IndexError(f"view {row} of {len(self)}")
        position = int(self.row_entry[row])
        return entry_views(self.entries[position])[row - int(self._first_row[position])]

    def __iter__(self) -> Iterator[View]:
        for entry in self.entries:
            yield from entry_views(entry)

    def texts(self) -> Iterator[str]:
        for entry in self.entries:
            yield from entry_texts(entry)
