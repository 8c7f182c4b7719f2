"""The overview's second half: the last days as a chart, which servers answer from the newest index,
and what is wrong with the running chat's files and database, in Swedish (or English).

    shown = health(desk)         # Health(chart="<svg ...>", servers=..., problems=[...])
    health(desk, language="en")  # the chart's words in English (the problems are Text either way)

- The chart is the report's (faqbot.staff.chart, in Swedish or English: its own Words, as the
  console's switch chose) over the last CHART_DAYS days, a bar per day, quiet days too.
- Servers: with the log on SQLite there is one server, answering from the index folder on this
  machine. On PostgreSQL every replica's follower records the published generation it answers
  from (faqbot.retrieval.publish.replicas); one not heard from for SILENT_SECONDS is shown as silent.
- Problems: a conversation log found damaged is set aside as `<name>.damaged-<UTC time>` by the
  chat (faqbot.conversations.sqlite_file), a damaged index file fails its checksum
  (faqbot.retrieval.integrity), and a database that does not answer is named, without its password.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from markupsafe import Markup

from faqbot.database import is_postgres, shown
from faqbot.errors import FaqbotError, IndexDamagedError
from faqbot.faq.messages import in_swedish
from faqbot.retrieval.integrity import read_manifest, verify_files
from faqbot.staff.chart import ENGLISH, SWEDISH, trend_svg
from faqbot.staff.console.language import Bilingual, Text, local
from faqbot.staff.trends import Period, per_period, staff_day

CHART_DAYS = 14
SILENT_SECONDS = 60  # a follower says where it is every 10 s (publish.POLL_SECONDS)
SHOWN_SET_ASIDE = 5  # the newest damaged logs named; the rest are counted
# The report's English words, less its pointer to a table of the same figures: the overview has none.
ENGLISH_HERE = replace(
    ENGLISH,
    summary=(
        "Questions per {unit} from {first} to {last}, and the shares answered, sent to the helpdesk, "
        "offered choices and marked thumbs down."
    ),
)


@dataclass(frozen=True)
class Server:
    """One replica as the overview shows it."""

    name: str
    generation: int | None
    built_at: str
    seconds_ago: float
    current: bool  # answers from the newest published generation
    silent: bool  # not heard from for SILENT_SECONDS


@dataclass(frozen=True)
class Health:
    chart: Markup | None  # None: the log could not be read
    days: int
    postgres: bool
    where: str  # the index folder (SQLite) or the database without its password
    newest: int | None = None
    servers: list[Server] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def last_days(rows: list[Any], now: datetime, days: int = CHART_DAYS) -> list[Period]:
    """A Period for each of the last `days` days up to today (Swedish days), quiet ones included."""
    counted = {p.start: p for p in per_period(rows, "day")}
    today = staff_day(now)
    starts = [(today - timedelta(days=back)).isoformat() for back in range(days - 1, -1, -1)]
    return [counted.get(start, Period(start)) for start in starts]


def health(desk: Any, now: datetime | None = None, language: str = "sv") -> Health:
    """What the overview shows below the figures, for the console's `Desk`; the chart in `language`."""
    now = now or datetime.now(UTC)
    settings = desk.settings
    words = ENGLISH_HERE if language == "en" else SWEDISH
    try:
        chart: Markup | None = Markup(trend_svg(last_days(desk.log.questions(since_days=CHART_DAYS), now), words))
    except FaqbotError:
        chart = None  # the overview already says the log cannot be read
    problems = damaged_logs(settings.log_location) + damaged_index(settings.index_dir, desk.bot)
    if not is_postgres(settings.log_location):
        return Health(chart, CHART_DAYS, False, str(settings.index_dir), problems=problems)
    newest, servers, away = replicas_of(settings.log_location)
    return Health(chart, CHART_DAYS, True, shown(settings.log_location), newest, servers, problems + away)


def replicas_of(url: str) -> tuple[int | None, list[Server], list[str]]:
    """The newest published generation, the replicas, and the database's problem if it does not answer."""
    import psycopg

    from faqbot.retrieval.publish import replicas

    try:
        newest, seen = replicas(url)
    except (psycopg.Error, FaqbotError) as err:
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        said = Text(
            "Databasen {database} svarar inte ({first}). Chatten svarar från sitt senaste index och sparar "
            "frågorna i minnet tills databasen är tillbaka.",
            database=shown(url),
            first=first,
        )
        return None, [], [said]
    servers = [
        Server(r.name, r.generation, r.built_at, r.seconds_ago, r.generation == newest, r.seconds_ago > SILENT_SECONDS)
        for r in seen
    ]
    return newest, servers, []


def damaged_logs(location: str) -> list[str]:
    """The SQLite logs the chat found damaged and set aside, newest first."""
    if is_postgres(location):
        return []
    path = Path(location)
    aside = sorted(
        (p for p in path.parent.glob(f"{path.name}.damaged-*") if not p.name.endswith(("-wal", "-shm"))),
        key=lambda p: p.name,
        reverse=True,
    )
    notes: list[str] = [
        Text(
            "Konversationsloggen var skadad och lades undan som {path} ({when}). Chatten skriver i en ny logg; "
            "den gamla filen finns kvar för att undersökas eller räddas, och frågorna i den syns inte i siffrorna.",
            path=str(p),
            when=when(p.name),
        )
        for p in aside[:SHOWN_SET_ASIDE]
    ]
    if len(aside) > SHOWN_SET_ASIDE:
        more = len(aside) - SHOWN_SET_ASIDE
        notes.append(Text("… och {count} äldre skadade loggar i {folder}.", count=more, folder=str(path.parent)))
    return notes


def when(name: str) -> str:
    """`log.db.damaged-20261203T075323123456Z` -> `2026-12-03 08:53 CET` (the name itself when it is odd)."""
    stamp = name.rsplit(".damaged-", 1)[-1]
    try:
        return local(datetime.strptime(stamp, "%Y%m%dT%H%M%S%fZ"))
    except ValueError:
        return stamp


def damaged_index(index_dir: Path, bot: Any) -> list[str]:
    """A damaged index file on disk (its checksum), or the bot's last refused reload."""
    try:
        manifest = read_manifest(index_dir)
        if manifest is not None:
            verify_files(index_dir, manifest)
    except IndexDamagedError as err:
        return [
            Text(
                "Indexet i {folder}/ är skadat ({problem}). Chatten svarar från det senaste fungerande indexet "
                "och bygger om det av sig självt; annars: faqbot index",
                folder=str(index_dir),
                problem=str(err).split("; rebuild")[0],
            )
        ]
    problem = getattr(bot.index, "problem", "")
    if not problem or str(bot.faq_path) in problem:  # a refused edit of the FAQ: "Problem i chatten" says it
        return []
    return [Text("Chatten behåller sitt senaste fungerande index: {problem}", problem=in_both(problem))]


FILE_LINE = re.compile(r"^(?P<where>.*?:\d+): (?P<message>.*)$")


def in_both(problem: str) -> Bilingual:
    """A refusal's `file:LINE: message` lines with each check's message in Swedish where
    faqbot.faq.messages has it, and as written for the console in English."""
    swedish = []
    for line in problem.split("\n"):
        found = FILE_LINE.match(line)
        told = in_swedish(found.group("message")) if found else None
        swedish.append(f"{found.group('where')}: {told}" if found and told else line)
    return Bilingual("\n".join(swedish), problem)
