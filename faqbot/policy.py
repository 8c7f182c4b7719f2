"""The one decision rule: given the ranked entries, answer, offer choices, or send to the helpdesk.

The bot, `faqbot evaluate` and `faqbot report` all decide through `Policy`, so a question is
judged the same way wherever it is scored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

SUGGESTION_COUNT = 3
SUGGESTION_FLOOR = 0.2  # below this an entry is not worth suggesting
# Next to an answer, another entry is offered only when it is nearly as sure as the answer.
SUGGESTION_SPREAD = 0.3

ANSWER, CHOICES, HELPDESK = "answer", "choices", "helpdesk"


class Ranked(Protocol):
    """A ranked entry as the policy sees it (`faqbot.retrieval.search.Match` is one)."""

    @property
    def faq_id(self) -> str: ...

    @property
    def score(self) -> float: ...


@dataclass(frozen=True)
class Decision:
    """What to do with one question: `kind` is "answer", "choices" or "helpdesk".

    `best` is the top entry (None when nothing was ranked); `suggestions` are the entries to
    offer: the choices themselves for "choices", nearly-as-sure neighbours next to an answer,
    the closest entries next to a helpdesk reply.
    """

    kind: str
    best: Ranked | None
    suggestions: list[Ranked] = field(default_factory=list)

    @property
    def faq_id(self) -> str | None:
        """The entry answered with, or None when the bot does not answer."""
        return self.best.faq_id if self.kind == ANSWER and self.best is not None else None


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

    def decide(self, ranked: Sequence[Ranked]) -> Decision:
        if not ranked:
            return Decision(HELPDESK, None)
        best = ranked[0]
        if best.score >= self.threshold and not self._torn(ranked):
            others = [
                m
                for m in ranked[1 : 1 + SUGGESTION_COUNT]
                if m.score >= self.threshold and best.score - m.score <= SUGGESTION_SPREAD
            ]
            return Decision(ANSWER, best, others)
        if self._offers_choices(ranked):
            close = [m for m in ranked[:SUGGESTION_COUNT] if best.score - m.score <= (self.choice_margin or 0.0)]
            return Decision(CHOICES, best, close)
        close = [m for m in ranked[:SUGGESTION_COUNT] if m.score >= SUGGESTION_FLOOR]
        return Decision(HELPDESK, best, close)

    def _torn(self, ranked: Sequence[Ranked]) -> bool:
        """The best entry is not clearly above the runner-up."""
        return (
            self.choice_margin is not None
            and len(ranked) > 1
            and ranked[0].score - ranked[1].score < self.choice_margin
        )

    def _offers_choices(self, ranked: Sequence[Ranked]) -> bool:
        floor = self.threshold if self.choice_floor is None else self.choice_floor
        return self._torn(ranked) and ranked[0].score >= floor
