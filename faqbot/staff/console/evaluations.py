"""Evaluation runs started from the console: one at a time in the background, kept beside each other.

    runs = Evaluations(settings, desk.bot)
    runs.start("anna")          # False while another run is going: there is only ever one
    runs.progress()             # Progress(running=True, done=12, total=40, ...)
    runs.runs()                 # the kept runs, newest first: when, who, the four figures, the misses

A run is `faqbot evaluate` on the test set beside the FAQ (faqbot.staff.test_set), on the
console's own bot (it never logs): the same questions, the same index and the same policy give
the same four figures the command prints (faqbot.staff.evaluate.score). One run at a time keeps
the console's share of the machine bounded: the chat on the same machine must go on answering.

The last KEEP_RUNS runs are kept in a JSON file next to the index (`evaluations.json`), not in
the log's database: a run measures the FAQ, index and test set files of the machine the console
runs on, which are staff's files there (published to replicas, never edited on them), so its
record belongs with them; and it needs no schema migration on both backends for a handful of
rows. The file is written whole (faqbot.files.atomic_write); a damaged one is set aside and
a new history starts.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from faqbot.bot import FaqBot
from faqbot.config import Settings
from faqbot.conversations.sqlite_file import set_aside
from faqbot.decision import Policy, ReplyKind, Verdict, verdict
from faqbot.errors import DataError, FaqbotError
from faqbot.faq.model import load_faq
from faqbot.files import atomic_write
from faqbot.staff import evaluate
from faqbot.staff.console.language import Bilingual
from faqbot.staff.test_set import test_set_path

log = logging.getLogger(__name__)

HISTORY = "evaluations.json"
KEEP_RUNS = 20
MAX_MISSES = 200  # kept per run; the figures count them all
# The four figures: the Report field, the console's Swedish name, and the name `faqbot evaluate` prints.
FIGURES = (
    ("answered_right", "Rätt svar", "answered right"),
    ("right_or_one_click", "Rätt eller ett klick bort", "right or one click"),
    ("confident_wrong", "Fel svar med säkerhet", "confident wrong answers"),
    ("offtopic_to_helpdesk", "Utanför ämnet till helpdesk", "off-topic to helpdesk"),
)
# Worst first: how a miss is listed.
MISS_ORDER = (Verdict.WRONG, Verdict.OFFTOPIC_ANSWERED, Verdict.MISSED, Verdict.OFFTOPIC_CHOICES, Verdict.ONE_CLICK)


@dataclass(frozen=True)
class Miss:
    """A test question the bot did not get right: what was expected and what the bot did."""

    question: str
    expected: str | None  # None: off-topic, for the helpdesk
    kind: str  # answer | choices | helpdesk
    answered: str | None = None  # the entry answered with
    offered: tuple[str, ...] = ()  # the choices offered
    verdict: str = ""  # faqbot.decision.Verdict name

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Miss:
        return cls(**{**data, "offered": tuple(data.get("offered", ()))})


@dataclass(frozen=True)
class EvaluationRun:
    """One finished run, as kept and shown: when, who, on what, the four figures and the misses."""

    finished_at: str  # UTC, ISO 8601 to the second
    user: str
    test_set: str
    questions: int
    offtopic: int
    threshold: float
    seconds: float
    figures: dict[str, float | None]
    misses: tuple[Miss, ...] = ()
    missed: int = 0  # all misses, also those past MAX_MISSES
    # (line, why) of the test set's lines left out, their expected entry not in the FAQ: the first
    # evaluate.MAX_PROBLEMS, then one that counts the rest (`skipped_count` is all of them)
    skipped: tuple[tuple[int, str], ...] = ()
    skipped_count: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EvaluationRun:
        misses = tuple(Miss.from_dict(m) for m in data.get("misses", ()))
        skipped = tuple((int(line), str(why)) for line, why in data.get("skipped", ()))
        count = data.get("skipped_count", len(skipped))  # a run kept before the count was
        return cls(**{**data, "misses": misses, "skipped": skipped, "skipped_count": count})

    def skipped_lines(self) -> Bilingual | None:
        """The lines left out, as `file:LINE: ...` in both languages (None: none was)."""
        return problems_in_swedish(DataError(self.test_set, list(self.skipped))) if self.skipped else None


@dataclass(frozen=True)
class Progress:
    """The run going now (or the last one's error): `done` of `total` questions."""

    running: bool = False
    done: int = 0
    total: int = 0
    user: str = ""
    started_at: str = ""
    error: str = ""


def now_text() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def misses_of(outcomes: list[evaluate.Outcome], policy: Policy) -> list[Miss]:
    """Every question not answered right (nor, off-topic, sent to the helpdesk), worst first."""
    found = []
    for o in outcomes:
        decision = policy.decide(o.ranked(), o.vague, o.set_aside)
        judged = verdict(decision, o.expected)
        if judged not in MISS_ORDER:
            continue
        kind = decision.kind if decision.kind in (ReplyKind.ANSWER, ReplyKind.CHOICES) else ReplyKind.HELPDESK
        offered = tuple(m.faq_id for m in decision.suggestions) if kind is ReplyKind.CHOICES else ()
        found.append(Miss(o.question, o.expected, kind.value, decision.faq_id, offered, judged.name))
    return sorted(found, key=lambda m: MISS_ORDER.index(Verdict[m.verdict]))


# `faqbot evaluate`'s words for a test set's problems (faqbot.staff.evaluate.load_test_set), in Swedish
LINE_FORMAT = '{"question": "Kan jag ringa er?", "expected": "postens id"}'
TEST_SET_PROBLEMS: list[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]]] = [
    (re.compile(r"not valid JSON"), f"inte giltig JSON; skriv raden som {LINE_FORMAT}"),
    (re.compile(r"each line must be an object"), f"varje rad ska vara {LINE_FORMAT}"),
    (re.compile(r"unknown key\(s\) (.*) \(expected"), r"okänd nyckel \1 (bara question och expected)"),
    (re.compile(r"'question' must be non-empty"), "”question” saknas eller är tom"),
    (re.compile(r"'expected' is missing"), "”expected” saknas (postens id, eller null för en fråga till helpdesk)"),
    (re.compile(r"'expected' must be"), "”expected” ska vara en posts id eller null"),
    (
        re.compile(r"expected id '([^']*)' is not in the FAQ[^;]*(?:; did you mean ('[^?]*')\?)?"),
        lambda found: (
            f"posten ”{found[1]}” finns inte i FAQ:n"
            + (f" (menade du {found[2]}?)" if found[2] else "")
            + '; en fråga till helpdesk har "expected": null'
        ),
    ),
    (re.compile(r"the test set is empty"), "testmängden är tom"),
    (re.compile(r"and (\d+) more line\(s\) with problems"), r"och \1 rader till med problem"),
    (re.compile(r"file is ([\d,]+) bytes; the limit is ([\d,]+)"), r"filen är \1 byte; gränsen är \2"),
    (re.compile(r"contains a NUL byte"), "innehåller en NUL-byte; är det en binärfil?"),
    (re.compile(r"is not UTF-8 text"), "är inte UTF-8-text; spara filen som UTF-8"),
]


def problems_in_swedish(err: DataError) -> Bilingual:
    """A test set's problems as `file:LINE: ...`, in Swedish (the English as `faqbot evaluate` says them)."""

    def swedish(message: str) -> str:
        for pattern, words in TEST_SET_PROBLEMS:
            found = pattern.search(message)
            if found:
                return found.expand(words) if isinstance(words, str) else words(found)
        return message

    def where(line: int) -> str:
        return f"{err.path}:{line}" if line else str(err.path)  # line 0: the file as a whole

    english = "\n".join(f"{where(line)}: {message}" for line, message in err.problems)
    return Bilingual("\n".join(f"{where(line)}: {swedish(message)}" for line, message in err.problems), english)


class Evaluations:
    """The console's evaluation runs over `bot` (see the module docstring)."""

    def __init__(self, settings: Settings, bot: FaqBot, history: Path | None = None, keep: int = KEEP_RUNS) -> None:
        self.settings = settings
        self.bot = bot
        self.test_set = test_set_path(settings.faq_path)
        self.history = history if history is not None else settings.index_dir / HISTORY
        self.keep = keep
        self._lock = threading.Lock()
        self._progress = Progress()
        self._thread: threading.Thread | None = None

    def start(self, user: str) -> bool:
        """Start a run in the background; False (nothing started) while one is running."""
        with self._lock:
            if self._progress.running:
                return False
            self._progress = Progress(running=True, user=user, started_at=now_text())
            self._thread = threading.Thread(target=self._run, args=(user,), name="faqbot-evaluation", daemon=True)
            self._thread.start()
        return True

    def progress(self) -> Progress:
        return self._progress

    def join(self, timeout: float | None = None) -> None:
        """Wait for the run going now, if any (tests, and shutting down)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def _advance(self, done: int, total: int) -> None:
        with self._lock:
            self._progress = Progress(True, done, total, self._progress.user, self._progress.started_at)

    def _run(self, user: str) -> None:
        error = ""
        try:
            self.keep_run(self.evaluate(user))
        except DataError as err:  # the test set (or the FAQ) does not read: each problem with its line
            error = problems_in_swedish(err)
        except FaqbotError as err:
            error = str(err)
        except Exception as err:  # noqa: BLE001 - a failed run is shown to staff, never kills the console
            log.exception("the evaluation run failed")
            error = f"{type(err).__name__}: {err}"
        with self._lock:
            last = self._progress
            self._progress = Progress(False, last.done, last.total, user, last.started_at, error)

    def evaluate(self, user: str) -> EvaluationRun:
        """Run the test set as `faqbot evaluate` does and return the run (not yet kept)."""
        started = time.perf_counter()
        bot = self.bot
        bot.refresh()
        faq = load_faq(bot.faq_path)
        if not self.test_set.is_file():
            raise FaqbotError(f"there is no test set at {self.test_set}; add questions to it below")
        gone: list[tuple[int, str]] = []  # lines whose entry a restore or an edit took away: the rest run
        questions = evaluate.load_test_set(self.test_set, faq, gone)
        self._advance(0, len(questions))
        outcomes = evaluate.run(bot, questions, self._advance)
        report = evaluate.score(outcomes, bot.threshold, evaluate.find_overlaps(questions, faq), bot.policy)
        misses = misses_of(outcomes, bot.policy)
        return EvaluationRun(
            finished_at=now_text(),
            user=user,
            test_set=str(self.test_set),
            questions=report.questions,
            offtopic=report.unanswerable,
            threshold=report.threshold,
            seconds=round(time.perf_counter() - started, 1),
            figures={key: getattr(report, key) for key, _, _ in FIGURES},
            misses=tuple(misses[:MAX_MISSES]),
            missed=len(misses),
            skipped=tuple(evaluate.reported(gone)),
            skipped_count=len(gone),
        )

    def runs(self) -> list[EvaluationRun]:
        """The kept runs, newest first; a history file that cannot be read is set aside."""
        try:
            data = json.loads(self.history.read_text(encoding="utf-8"))
            return [EvaluationRun.from_dict(run) for run in data["runs"]]
        except FileNotFoundError:
            return []
        except (OSError, ValueError, KeyError, TypeError) as err:
            aside = set_aside(self.history)
            log.error("the evaluation history %s cannot be read (%s); set aside as %s", self.history, err, aside)
            return []

    def keep_run(self, run: EvaluationRun) -> None:
        with self._lock:
            kept = [run, *self.runs()][: self.keep]
            text = json.dumps({"runs": [r.to_dict() for r in kept]}, ensure_ascii=False, indent=1)
            atomic_write(self.history, text + "\n")
