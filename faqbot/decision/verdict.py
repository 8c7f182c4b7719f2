"""Which of the four figures a question counts in: the one `verdict` behind evaluate, the
calibration and the report.

The four figures (docs/evaluation.md): answered right, one click away (the right entry among
the choices offered), confident wrong (answered with another entry), and off-topic questions
sent to the helpdesk. `verdict` judges one decided question; `verdict_codes` is the same
judgement over arrays (the calibration weighs every threshold and margin at once).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from enum import IntEnum
from typing import Any

import numpy as np

from faqbot.decision.kinds import ReplyKind
from faqbot.decision.policy import Decision


class Verdict(IntEnum):
    """What happened to one question under a policy."""

    RIGHT = 0  # answered with the expected entry
    ONE_CLICK = 1  # the expected entry among the choices offered
    WRONG = 2  # answered with another entry: the worst outcome
    MISSED = 3  # helpdesk, or choices without the expected entry
    OFFTOPIC_HELPDESK = 4  # an off-topic question sent to the helpdesk, as it should be
    OFFTOPIC_CHOICES = 5
    OFFTOPIC_ANSWERED = 6


def verdict_codes(answer: Any, choices: Any, top_right: Any, offered_right: Any, offtopic: Any) -> Any:
    """The Verdict (as an int, or an array of them) of questions decided as `answer`/`choices`.

    `top_right`: the best entry is the expected one; `offered_right`: the expected entry is
    among the choices offered; `offtopic`: no entry is expected.
    """
    faq = np.where(
        answer,
        np.where(top_right, Verdict.RIGHT, Verdict.WRONG),
        np.where(np.logical_and(choices, offered_right), Verdict.ONE_CLICK, Verdict.MISSED),
    )
    off = np.where(
        answer, Verdict.OFFTOPIC_ANSWERED, np.where(choices, Verdict.OFFTOPIC_CHOICES, Verdict.OFFTOPIC_HELPDESK)
    )
    return np.where(offtopic, off, faq)


def verdict(decision: Decision, expected: str | None) -> Verdict:
    """Which figure a question whose answer is the entry `expected` (None: off-topic) counts in."""
    best = decision.best.faq_id if decision.best is not None else None
    code = verdict_codes(
        decision.kind is ReplyKind.ANSWER,
        decision.kind is ReplyKind.CHOICES,
        best is not None and best == expected,
        any(m.faq_id == expected for m in decision.suggestions),
        expected is None,
    )
    return Verdict(int(code))


@dataclass(frozen=True)
class Figures:
    """The four figures (and the counts behind them) for a set of verdicts."""

    questions: int  # for which an entry was expected
    offtopic: int
    right: int
    one_click: int
    wrong: int
    missed: int
    offtopic_helpdesk: int
    offtopic_choices: int
    offtopic_answered: int

    @classmethod
    def of(cls, verdicts: Iterable[Verdict]) -> Figures:
        counts = np.bincount(np.fromiter((int(v) for v in verdicts), dtype=np.int64), minlength=len(Verdict))
        c = [int(n) for n in counts]
        return cls(
            questions=sum(c[: Verdict.MISSED + 1]),
            offtopic=sum(c[Verdict.OFFTOPIC_HELPDESK :]),
            right=c[Verdict.RIGHT],
            one_click=c[Verdict.ONE_CLICK],
            wrong=c[Verdict.WRONG],
            missed=c[Verdict.MISSED],
            offtopic_helpdesk=c[Verdict.OFFTOPIC_HELPDESK],
            offtopic_choices=c[Verdict.OFFTOPIC_CHOICES],
            offtopic_answered=c[Verdict.OFFTOPIC_ANSWERED],
        )

    @property
    def answered_right(self) -> float:
        return _share(self.right, self.questions)

    @property
    def one_click_share(self) -> float:
        return _share(self.one_click, self.questions)

    @property
    def right_or_one_click(self) -> float:
        return _share(self.right + self.one_click, self.questions)

    @property
    def confident_wrong(self) -> float:
        return _share(self.wrong, self.questions)

    @property
    def offtopic_to_helpdesk(self) -> float | None:
        return _share(self.offtopic_helpdesk, self.offtopic) if self.offtopic else None

    @property
    def offtopic_offered_choices(self) -> float | None:
        return _share(self.offtopic_choices, self.offtopic) if self.offtopic else None

    def counts(self) -> dict[str, int]:
        return {k: v for k, v in asdict(self).items() if k not in ("questions", "offtopic")}


def _share(count: int, total: int) -> float:
    return count / total if total else 0.0
