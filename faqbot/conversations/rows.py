"""The conversation log's rows: what the bot hands the log (`LogRow`) and what staff read back (`LoggedQuestion`).

    row = LogRow(reply_id="kH3...", question="Kan jag ringa er?", language="sv", kind="answer",
                 resolved=True, faq_id="telefonsupport", candidate_id=None, score=0.81,
                 threshold=0.36, index_version="2026-11-26T13:09:57/ab12", offered=("backup",))
    log.record(row)

Both are plain frozen records with a JSON round trip: the log knows nothing of the bot's
`Reply`, and a renamed field fails in mypy, not in production. A row names the reply it
answers (`answer_to`: a picked choice is the answer to the question it was offered for) and
the entries it offered as choices (`offered`), so the learning step can link a customer's
question to the entry they confirmed, on any replica.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from typing import Any

# staff's decisions on a suggestion (learn_decisions.decision): "accepted" and "rejected" are
# never proposed again; "reopened" was accepted, then lost with a restored version: proposed
# again, and left to staff by `learn: auto`
ACCEPTED, REJECTED, REOPENED = "accepted", "rejected", "reopened"
DECIDED = f"('{ACCEPTED}', '{REJECTED}')"  # as SQL, for "WHERE decision IN ..."

# What a reply fills in; `faqbot log copy` adds feedback and feedback_at.
COLUMNS = (
    "created_at, question, language, kind, resolved, faq_id, candidate_id, score, threshold, index_version,"
    " reply_id, offered, answer_to, followup, client"
)
COLUMN_COUNT = len(COLUMNS.split(","))


@dataclass(frozen=True)
class LogRow:
    """One reply as the bot hands it to the log; the log masks `question` before storing it.

    `reply_id` is the reply's unguessable id (given before the row is written, so it exists
    while the database is away); `offered` the entry ids it offered as choices, best first;
    `answer_to` the reply_id of the earlier reply whose choice this reply answers ("" or None
    for a question the customer typed); `client` the address the question came from (None for
    `faqbot ask`), which the log stores only as a keyed pseudonym (faqbot.conversations.clients);
    `followup` whether the question was asked (and ranked) as a follow-up to the chat's previous
    one ("och vad kostar det?"), which means nothing without it: such a question is never learned.
    """

    reply_id: str
    question: str
    language: str
    kind: str
    resolved: bool
    faq_id: str | None
    candidate_id: str | None
    score: float
    threshold: float
    index_version: str
    offered: tuple[str, ...] = ()
    answer_to: str | None = None
    client: str | None = None
    followup: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "offered": list(self.offered)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LogRow:
        values = {f.name: data[f.name] for f in fields(cls) if f.name in data}
        values["offered"] = tuple(values.get("offered") or ())
        return cls(**values)


def offered_text(offered: tuple[str, ...]) -> str | None:
    """How `offered` is stored: a JSON list (NULL when nothing was offered)."""
    return json.dumps(list(offered)) if offered else None


def offered_ids(stored: str | None) -> tuple[str, ...]:
    return tuple(json.loads(stored)) if stored else ()


@dataclass(frozen=True)
class LoggedQuestion:
    """One row of the conversation log, as staff and the learning step read it.

    `reply_id`, `offered` and `answer_to` are None / () on rows written before they existed;
    `client` is the asking client's pseudonym (faqbot.conversations.clients), None on rows
    written before it existed or without a client address.
    """

    id: int
    created_at: datetime
    question: str
    language: str
    kind: str
    resolved: bool
    faq_id: str | None
    candidate_id: str | None
    score: float
    threshold: float
    index_version: str
    feedback: int | None
    feedback_at: datetime | None = None
    reply_id: str | None = None
    offered: tuple[str, ...] = ()
    answer_to: str | None = None
    client: str | None = None
    followup: bool = False

    def key(self) -> tuple[str, str, str, str]:
        """What makes a row the same row in another log (`faqbot log copy` skips rows already there)."""
        return (stamp(self.created_at), self.question, self.kind, self.index_version)

    @classmethod
    def from_row(cls, row: Mapping[str, Any], moment: Callable[[Any], datetime]) -> LoggedQuestion:
        """A row as either backend reads it (`moment` turns its stored time into an aware datetime)."""
        values = {f.name: row[f.name] for f in fields(cls)}
        values["created_at"] = moment(row["created_at"])
        values["feedback_at"] = moment(row["feedback_at"]) if row["feedback_at"] else None
        values["resolved"] = bool(row["resolved"])
        values["followup"] = bool(row["followup"])
        values["offered"] = offered_ids(row["offered"])
        return cls(**values)

    def values(self, moment: Callable[[datetime], Any] = lambda t: t) -> tuple:
        """The values of COLUMNS, then feedback and feedback_at (for `faqbot log copy`), times as `moment` stores them."""
        return (
            moment(self.created_at),
            self.question,
            self.language,
            self.kind,
            self.resolved,
            self.faq_id,
            self.candidate_id,
            self.score,
            self.threshold,
            self.index_version,
            self.reply_id,
            offered_text(self.offered),
            self.answer_to,
            self.followup,
            self.client,
            self.feedback,
            moment(self.feedback_at) if self.feedback_at else None,
        )


@dataclass(frozen=True)
class Copied:
    """What `insert_rows` did with rows from another log (`faqbot log copy`)."""

    added: int
    updated: int  # rows already there whose 👍/👎 the other log had newer


def newer_feedback(row: LoggedQuestion, feedback: int | None, feedback_at: datetime | None) -> bool:
    """Whether `row`, read from another log, carries a 👍/👎 that the same row here (with
    `feedback` given at `feedback_at`) lacks or has older: `faqbot log copy` run again at
    switch-over brings the clicks given since the first copy."""
    if row.feedback is None:
        return False
    if row.feedback_at is None:
        return feedback is None
    return feedback_at is None or row.feedback_at > feedback_at


def stamp(moment: datetime) -> str:
    """One fixed format, so that comparing the text compares the times."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")
