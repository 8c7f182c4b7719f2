"""The one decision rule: given the ranked entries, answer, offer choices, or send to the helpdesk.

The bot, `faqbot evaluate`, `faqbot report` and the calibration all decide through `Policy`
(the calibration through `decide_kinds`, the same rule over arrays of scores), so a question
is judged the same way wherever it is scored.

    >>> policy = Policy(threshold=0.4, choice_margin=0.1)
    >>> policy.decide([Scored("backup", 0.62), Scored("webbhotell", 0.58)]).kind
    <ReplyKind.CHOICES: 'choices'>
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from faqbot.decision.kinds import ReplyKind

SUGGESTION_COUNT = 3
SUGGESTION_FLOOR = 0.2  # below this an entry is not worth suggesting
# Next to an answer, another entry is offered only when it is nearly as sure as the answer.
SUGGESTION_SPREAD = 0.3


class Ranked(Protocol):
    """A ranked entry as the policy sees it (`faqbot.retrieval.search.Match` is one)."""

    @property
    def faq_id(self) -> str: ...

    @property
    def score(self) -> float: ...


@dataclass(frozen=True)
class Scored:
    """A ranked entry known only by its id and score (a test question's stored ranking)."""

    faq_id: str
    score: float


@dataclass(frozen=True)
class Decision:
    """What to do with one question: `kind` is ANSWER, CHOICES or HELPDESK.

    `best` is the top entry (None when nothing was ranked); `suggestions` are the entries to
    offer: the choices themselves for CHOICES, nearly-as-sure neighbours next to an answer,
    the closest entries next to a helpdesk reply.
    """

    kind: ReplyKind
    best: Ranked | None
    suggestions: list[Ranked] = field(default_factory=list)

    @property
    def faq_id(self) -> str | None:
        """The entry answered with, or None when the bot does not answer."""
        return self.best.faq_id if self.kind is ReplyKind.ANSWER and self.best is not None else None


def decide_kinds(best: Any, gap: Any, threshold: Any, margin: Any, floor: Any) -> tuple[Any, Any]:
    """(answer, choices) for a best score and its lead over the runner-up: the rule itself.

    Works on numbers and, element-wise, on numpy arrays (the calibration weighs every threshold
    and margin at once). A question is answered when the best entry is sure enough and clearly
    ahead; choices are offered when it is not clearly ahead but at least at the floor.
    """
    torn = np.less(gap, margin)
    answer = np.logical_and(np.greater_equal(best, threshold), np.logical_not(torn))
    choices = np.logical_and(torn, np.greater_equal(best, floor))
    return answer, choices


@dataclass(frozen=True)
class Policy:
    """The threshold and, optionally, when to offer choices instead of one answer.

    `choice_margin`: when the runner-up scores within this much of the best entry, the reply is
    the choices rather than the best entry (None: never). `choice_floor`: how sure the best
    entry must be for choices to be offered at all (defaults to the threshold).
    """

    threshold: float
    choice_margin: float | None = None
    choice_floor: float | None = None

    def decide(self, ranked: Sequence[Ranked], vague: bool = False, aside: bool = False) -> Decision:
        """Answer, choices or helpdesk for a message's ranked entries.

        `vague`: the message names no subject of its own ("Kan ni hjälpa mig?", "Jag har en
        fråga"); however its words happen to match one entry, it is not answered with it: the
        closest entries are offered instead (`unsure`). `aside`: the message lies nearer a
        question staff marked as off-topic than the best entry (`Searcher.set_aside`): the
        helpdesk, nothing offered beside it.
        """
        if not ranked:
            return Decision(ReplyKind.HELPDESK, None)
        if aside:
            return Decision(ReplyKind.HELPDESK, ranked[0])
        if vague and ranked[0].score >= self.floor:
            return self.unsure(ranked)
        if vague:  # below the floor, as any question there: the helpdesk, with what is close
            close = [m for m in ranked[:SUGGESTION_COUNT] if m.score >= SUGGESTION_FLOOR]
            return Decision(ReplyKind.HELPDESK, ranked[0], close)
        best = ranked[0]
        gap = best.score - ranked[1].score if len(ranked) > 1 else np.inf
        answer, choices = decide_kinds(best.score, gap, self.threshold, self.margin, self.floor)
        if answer:
            others = [
                m
                for m in ranked[1 : 1 + SUGGESTION_COUNT]
                if m.score >= self.threshold and best.score - m.score <= SUGGESTION_SPREAD
            ]
            return Decision(ReplyKind.ANSWER, best, others)
        if choices:
            close = [m for m in ranked[:SUGGESTION_COUNT] if best.score - m.score <= self.margin]
            return Decision(ReplyKind.CHOICES, best, close)
        close = [m for m in ranked[:SUGGESTION_COUNT] if m.score >= SUGGESTION_FLOOR]
        return Decision(ReplyKind.HELPDESK, best, close)

    def unsure(self, ranked: Sequence[Ranked], first: Ranked | None = None) -> Decision:
        """Choices, not one answer: the best entries at or above SUGGESTION_FLOOR (`first` among
        them, when given), or the helpdesk when none is."""
        best = ranked[0]
        close = [m for m in ranked[:SUGGESTION_COUNT] if m.score >= SUGGESTION_FLOOR]
        if first is not None and first not in close and first.score >= SUGGESTION_FLOOR:
            close = sorted([*close[: SUGGESTION_COUNT - 1], first], key=lambda m: -m.score)
        if len(close) < 2:
            return Decision(ReplyKind.HELPDESK, best, close)
        return Decision(ReplyKind.CHOICES, best, close)

    @property
    def margin(self) -> float:
        """The choice margin as the rule reads it: -inf when choices are never offered."""
        return -np.inf if self.choice_margin is None else self.choice_margin

    @property
    def floor(self) -> float:
        return self.threshold if self.choice_floor is None else self.choice_floor

    def to_dict(self) -> dict[str, float | None]:
        return {"threshold": self.threshold, "choice_margin": self.choice_margin, "choice_floor": self.choice_floor}


def middle_of_widest_run(values: Sequence[float], step: float) -> float:
    """The middle of the widest run of consecutive `values` (sorted, `step` apart): a choice
    among equally good settings that a slightly different data set does not push over a cliff."""
    runs: list[list[float]] = []
    for value in sorted(values):
        if runs and np.isclose(runs[-1][-1] + step, value):
            runs[-1].append(value)
        else:
            runs.append([value])
    widest = max(runs, key=len)
    return widest[len(widest) // 2]
