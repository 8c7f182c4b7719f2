"""Questions whose answer a customer said 👎 to, for staff to tie to the entry that answers them.

A 👎 with nothing picked after it leaves the customer's question unanswered: `faqbot learn`
and the console's review page list it under the entry that answered, with the reply it was
asked in (`faqbot learn --assign REPLY_ID FAQ_ID`, "Koppla"), or staff reject it when the answer
was right ("Svaret var rätt", `--reject ID`) or the question is about something the FAQ does
not cover ("Handlar om annat", `--off-topic ID`: its 👎 then no longer counts against the entry). The list of each entry is bounded, and ordered so
that one client's flood of 👎 cannot push other customers' questions off it
(tests/attack/test_review_flood_attacks.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Container, Iterable
from dataclasses import dataclass, replace
from typing import Any

from faqbot.faq.model import normalize_question
from faqbot.staff.signals import (
    OFF_TOPIC,
    WRONG_ANSWER,
    Signal,
    Suggestion,
    holds_masked_data,
    reads_alone,
    suggestion_id,
)


@dataclass(frozen=True)
class Disliked:
    """An entry whose answer customers rated 👎: staff should read it again.

    `to_assign`: the 👎 questions that no picked choice answered afterwards, that are not in the
    FAQ by now and that staff did not reject (WRONG_ANSWER suggestions, `evidence["reply"]` the
    reply asked in): staff say which entry answers each (`faqbot learn --assign REPLY_ID
    FAQ_ID`), as for a question that reached the helpdesk, or reject it when the answer was right."""

    faq_id: str
    disliked: int
    liked: int
    questions: tuple[str, ...]
    to_assign: tuple[Suggestion, ...] = ()


DISLIKED_SHOWN = 5  # 👎 questions listed per entry


def disliked_entries(
    signals: Iterable[Signal],
    picked: Container[str] = (),
    known: Container[str] = (),
    decided: Callable[[str], bool] = lambda _id: False,
    answered_with: Callable[[str], str | None] | None = None,
    nearest_but: Callable[[str, str], str | None] | None = None,
) -> list[Disliked]:
    """The entries with 👎, most first; `picked`: ids of replies a picked choice answered
    afterwards; `known`: the FAQ's questions, normalised (an assigned question is one of them);
    `decided(id)`: staff rejected the question; `answered_with(question)`: the entry the bot
    answers it with now, None for none (when given, each listed question's `evidence["answered_now"]`: staff
    judge today's answer, which a later change may have made another); `nearest_but(question, faq_id)`:
    the entry ranked nearest the question but the one it was answered with (`evidence["nearest"]`,
    first in the list staff link it with). Each entry lists DISLIKED_SHOWN questions: those
    the most different clients said 👎 to, then the newest, one a client first, so that neither
    old questions left alone nor one client's flood of 👎 hides what other customers found wrong."""
    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    questions: dict[str, list[str]] = defaultdict(list)
    open_: dict[str, dict[str, tuple[Suggestion, set[str | None]]]] = defaultdict(dict)
    for s in reversed(list(signals)):  # newest first
        if s.liked is False and decided(suggestion_id(OFF_TOPIC, s.faq_id, s.question)):
            continue  # staff marked the question as about something else: its 👎 is not on this answer
        if s.liked is False:
            tally[s.faq_id][0] += 1
            if holds_masked_data(s.question) or not reads_alone(s.question, s.followup):  # not to assign
                continue
            key, sid = normalize_question(s.question), suggestion_id(WRONG_ANSWER, s.faq_id, s.question)
            if len(questions[s.faq_id]) < DISLIKED_SHOWN and key not in known:  # an assigned one is answered now
                questions[s.faq_id].append(s.question)
            if not s.asked_id or key in known or s.asked_id in picked or decided(sid):
                continue
            evidence: dict[str, Any] = {"reply": s.asked_id, "language": s.language}
            if s.picked:  # the customer picked the entry among the suggestions; the bot did not answer with it
                evidence["picked"] = True
            new = Suggestion(sid, WRONG_ANSWER, s.faq_id, s.question, evidence)
            open_[s.faq_id].setdefault(key, (new, set()))[1].add(s.client)
        elif s.liked:
            tally[s.faq_id][1] += 1

    def most_clients(listed: dict[str, tuple[Suggestion, set[str | None]]]) -> tuple[Suggestion, ...]:
        """The questions most clients said 👎 to, the newest first among equals, one a client
        first (a question whose clients are all listed already waits for a free place)."""
        ranked = sorted(listed.values(), key=lambda item: -len(item[1]))  # stable: the newest first among equals
        shown: list[Suggestion] = []
        seen: set[str | None] = set()
        for wrong, clients in ranked:
            if len(shown) < DISLIKED_SHOWN and not clients <= seen:
                shown.append(wrong)
                seen |= clients
        shown += [wrong for wrong, _ in ranked if wrong not in shown][: DISLIKED_SHOWN - len(shown)]
        return as_today(shown, answered_with, nearest_but)

    found = [Disliked(i, d, lk, tuple(questions[i]), most_clients(open_[i])) for i, (d, lk) in tally.items() if d]
    return sorted(found, key=lambda d: (-d.disliked, d.liked, d.faq_id))


def as_today(
    shown: list[Suggestion],
    answered_with: Callable[[str], str | None] | None,
    nearest_but: Callable[[str, str], str | None] | None,
) -> tuple[Suggestion, ...]:
    """The 👎 questions `shown` with what the bot answers them with today (`answered_now`) and the
    entry it ranks nearest but the one that answered (`nearest`), as far as it is told."""
    if answered_with is not None:
        shown = [replace(w, evidence={**w.evidence, "answered_now": answered_with(w.question)}) for w in shown]
    if nearest_but is not None:
        shown = [replace(w, evidence={**w.evidence, "nearest": nearest_but(w.question, w.faq_id or "")}) for w in shown]
    return tuple(shown)
