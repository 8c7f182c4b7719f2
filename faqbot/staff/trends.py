"""Trends in the conversation log: questions per day or week and what became of them.

    days = per_period(rows, "day")        # one Period per calendar day (Swedish), quiet days included
    weeks = per_period(rows, "week")      # ISO weeks, Monday first
    unit_for(rows)                        # "week" when the log spans more than 3 weeks, else "day"

For each period: how many questions were asked (greetings and thanks are not questions), and
the share answered from the FAQ, sent to the helpdesk, offered choices, and marked 👎 by the
customer. Staff read from it whether last week's FAQ edit raised the share answered. A choice
the customer picked is not a question of its own (`questions_asked`): its question counts once,
as answered (by the pick), and not as sent to the helpdesk when the pick was under a helpdesk reply.

Days are Swedish days (STAFF_ZONE): the log keeps UTC, but a question asked at 00:30 on a
Monday in Stockholm belongs to the Monday staff count, as "I dag" on the console's overview does.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from faqbot.conversations.store import LoggedQuestion
from faqbot.decision.kinds import QUESTION_KINDS, ReplyKind

WEEKS_FROM_DAYS = 21  # a log spanning more days than this is also shown per week
STAFF_ZONE = "Europe/Stockholm"  # the zone staff count days and read times in


def staff_zone() -> tzinfo:
    """Swedish time, which staff read (faqbot stores every time in UTC); UTC where the system
    has no time zone data."""
    try:
        return ZoneInfo(STAFF_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def staff_time(moment: datetime) -> datetime:
    """A moment in Swedish time; a moment without a zone is taken as UTC, as faqbot writes every time."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(staff_zone())


def staff_day(moment: datetime) -> date:
    """The Swedish day of a moment (`staff_time`)."""
    return staff_time(moment).date()


@dataclass
class Period:
    """One day or week of questions."""

    start: str  # the day, or the Monday of the week (ISO date, Swedish day)
    unit: str = "day"  # or "week"
    questions: int = 0
    answered: int = 0
    helpdesk: int = 0
    choices: int = 0
    disliked: int = 0  # questions whose reply the customer marked 👎

    def share(self, count: int) -> float:
        return count / self.questions if self.questions else 0.0

    @property
    def label(self) -> str:
        """2026-11-24, or for a week "v48 2026-11-23" (Swedish week numbers are ISO weeks)."""
        if self.unit != "week":
            return self.start
        return f"v{date.fromisoformat(self.start).isocalendar().week} {self.start}"

    def to_dict(self) -> dict:
        data = asdict(self)
        for name in ("answered", "helpdesk", "choices", "disliked"):
            data[f"{name}_share"] = round(self.share(getattr(self, name)), 4)
        return data


@dataclass(frozen=True)
class Asked:
    """One question a customer asked, and what became of it."""

    row: LoggedQuestion  # the question's own row
    answered: bool  # answered from the FAQ: directly, or by a choice the customer picked under its reply
    helpdesk: bool  # sent to the helpdesk, and no choice under that reply picked
    choices: bool  # the customer saw choices (`offered_choices`)
    disliked: bool  # 👎 on its answer, or on the answer of the choice picked


def questions_asked(rows: list[LoggedQuestion]) -> list[Asked]:
    """The questions among the log's rows (not greetings, thanks, nor picked choices: a pick is
    the outcome of the question it was offered for, `answer_to`), each with what became of it."""
    picks: dict[str, list[LoggedQuestion]] = {}
    for r in rows:
        if r.answer_to:
            picks.setdefault(r.answer_to, []).append(r)  # a customer may pick more than one under a reply
    asked = []
    for r in rows:
        if r.kind not in QUESTION_KINDS or r.answer_to:
            continue
        picked = picks.get(r.reply_id, []) if r.reply_id else []
        answered = r.kind == ReplyKind.ANSWER or any(p.kind == ReplyKind.ANSWER for p in picked)
        disliked = r.feedback == -1 or any(p.feedback == -1 for p in picked)
        asked.append(Asked(r, answered, r.kind == ReplyKind.HELPDESK and not picked, offered_choices(r), disliked))
    return asked


def period_start(moment: datetime, unit: str) -> date:
    day = staff_day(moment)
    return day - timedelta(days=day.weekday()) if unit == "week" else day


def per_period(rows: list[LoggedQuestion], unit: str = "day") -> list[Period]:
    """Every day (or week) from the first question to the last, with its figures; [] for no questions."""
    asked = questions_asked(rows)
    if not asked:
        return []
    step = timedelta(days=7 if unit == "week" else 1)
    first = min(period_start(a.row.created_at, unit) for a in asked)
    last = max(period_start(a.row.created_at, unit) for a in asked)
    periods: dict[date, Period] = {}
    day = first
    while day <= last:
        periods[day] = Period(day.isoformat(), unit)
        day += step
    for a in asked:
        p = periods[period_start(a.row.created_at, unit)]
        p.questions += 1
        p.answered += a.answered
        p.helpdesk += a.helpdesk
        p.choices += a.choices
        p.disliked += a.disliked
    return list(periods.values())


def offered_choices(row: LoggedQuestion) -> bool:
    """Whether the customer saw "Menade du kanske:" choices: a choices reply, or any reply that
    offered some (an answer or a helpdesk reply with close entries under it)."""
    return row.kind == ReplyKind.CHOICES or bool(row.offered)


def span_days(rows: list[LoggedQuestion]) -> float:
    """Days from the first row to the last."""
    if not rows:
        return 0.0
    times = [r.created_at for r in rows]
    return (max(times) - min(times)).total_seconds() / 86400


def unit_for(rows: list[LoggedQuestion]) -> str:
    """ "week" when the rows span more than three weeks, else "day"."""
    return "week" if span_days(rows) > WEEKS_FROM_DAYS else "day"
