"""What the console's pages show and do, without HTTP: the figures, the suggestions, the entries, a try.

    desk = Desk(Settings.resolve())
    desk.overview()                     # today and this week, the index, the chat's problems
    desk.review()                       # what customers taught (faqbot.staff.learn)
    desk.decide("accept", "a1b2c3d4e")  # written to data/faq.yaml, index rebuilt: live at once
    desk.try_question("Kan jag ringa er?")

The console's bot never logs: staff trying questions are not customers. Every change to the FAQ
file goes through one lock, then rebuilds the index (only changed texts are embedded); a chat
on the same files swaps it in by itself, and with the log on PostgreSQL it is published to
every replica.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import CancelledError, Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from faqbot.bot import FaqBot, Reply, reading
from faqbot.config import Settings
from faqbot.conversations.backends import open_log_at
from faqbot.conversations.rows import REOPENED
from faqbot.database import is_postgres
from faqbot.decision import Policy
from faqbot.errors import (
    AssignRefusedError,
    DataError,
    DislikedAssignError,
    FaqbotError,
    FollowupAssignError,
    PersonalDataError,
    SmallTalkAssignError,
    UnknownEntryError,
    UnknownReplyError,
)
from faqbot.faq.drafts import NewEntry, add_entry, draft_faq, parsed
from faqbot.faq.edit import add_off_topic, remove_entry, remove_learned, remove_off_topic
from faqbot.faq.messages import in_swedish
from faqbot.faq.model import Faq, FaqEntry, load_faq, normalize_question
from faqbot.faq.update import FIELDS, EntryUpdate, FileChangedError, cleaned, entry_values, file_hash, update_entry
from faqbot.files import atomic_write
from faqbot.retrieval.draft import draft_index
from faqbot.retrieval.index import folder_hash, rebuild_for_file
from faqbot.retrieval.search import Searcher
from faqbot.retrieval.spelling import fold
from faqbot.staff import learn, teach
from faqbot.staff.console.history import (
    RESTORED,
    Difference,
    FaqHistory,
    Version,
    difference,
    marked_only,
    noticed,
    text_hash,
    what_changed,
)
from faqbot.staff.console.language import Bilingual, Text
from faqbot.staff.report import NEAR_MARGIN, answered_as_read, caught_by, kept_away, newly_answered
from faqbot.staff.signals import as_marked, has_personal_data
from faqbot.staff.trends import questions_asked, staff_time

log = logging.getLogger(__name__)


class Progress(NamedTuple):
    """How far the review page's drawing is: helpdesk questions embedded for grouping, of how
    many (0 of 0: the log is being read, or the confirmed phrasings ranked)."""

    read: int = 0
    total: int = 0


class Drawn(NamedTuple):
    """A review drawn earlier: the lesson, the state it was asked for (`Desk.state`), and when
    its drawing began (monotonic, and the time of day)."""

    lesson: learn.Lesson
    state: tuple[str, int, int]
    started: float
    at: datetime
    seconds: float = 0.0  # how long it took

    def resting(self, state: tuple[str, int, int]) -> bool:
        """Whether a slow drawing is still recent enough to show instead of drawing again: the
        FAQ and staff's decisions as it read them, and less than REST_FACTOR times its own
        duration since it ended. A red team's log of 30,000 made-up rows took five minutes of
        both cores a visit, every visit; a quick drawing (under REST_MIN_SECONDS) never rests."""
        return self.state == state and self.rests()

    def rests(self) -> bool:
        """`resting`, but for the FAQ and decisions, which the caller has compared already."""
        ended = self.started + self.seconds
        return self.seconds >= REST_MIN_SECONDS and time.monotonic() - ended < REST_FACTOR * self.seconds

    def ready_at(self) -> datetime:
        """When a visit draws the list again (unless the FAQ or a decision changes first)."""
        return self.at + timedelta(seconds=self.seconds * (1 + REST_FACTOR))


WARM_UP_SECONDS = 3600.0  # the warm-up at start waits for the drawing this long before it stops logging
RECENT_SECONDS = 300.0  # how old a review may be to prefill a new entry's form from a group
# a drawing that took REST_MIN_SECONDS or more is shown again, not drawn again, until REST_FACTOR
# times as long has passed since it ended: at most a sixth of the machine goes to drawing
REST_MIN_SECONDS = 10.0
REST_FACTOR = 5.0


@dataclass(frozen=True)
class Figures:
    """One period of the log as the overview shows it."""

    questions: int = 0
    answered: int = 0
    choices: int = 0
    helpdesk: int = 0
    disliked: int = 0


@dataclass(frozen=True)
class Overview:
    today: Figures
    week: Figures
    entries: int
    built_at: str
    threshold: float
    calibrated: float | None
    choice_margin: float | None
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class DraftTry:
    """A question tried against a draft entry: the try, or the problems that keep the draft from saving."""

    tried: Tried | None
    problems: tuple[tuple[str, str], ...]
    embedded: int = 0


@dataclass(frozen=True)
class Tried:
    """A question tried in the console: the reply, the top entries with scores, and why."""

    reply: Reply
    top: list[tuple[str, str, float]]
    threshold: float
    margin: float | None
    gap: float | None
    floor: float = 0.0  # how sure the best entry must be for choices to be offered at all
    aside_by: str = ""  # the marked question that sent it to the helpdesk (`Reply.set_aside`)


def tried(reply: Reply, entries: list[FaqEntry], policy: Policy) -> Tried:
    """The reply with the top five entries (their questions, their scores) and the figures that decided it."""
    titles = {e.id: e.question for e in entries}
    top = [
        (faq_id, titles.get(faq_id, faq_id), score)
        for faq_id, score in zip(reply.ranking[:5], reply.ranking_scores[:5], strict=False)
    ]
    gap = top[0][2] - top[1][2] if len(top) > 1 else None
    return Tried(reply, top, policy.threshold, policy.choice_margin, gap, policy.floor)


def figures(rows: list[Any]) -> Figures:
    asked = questions_asked(rows)  # as `faqbot report` counts them: a picked choice is its question's outcome
    return Figures(
        questions=len(asked),
        answered=sum(a.answered for a in asked),
        choices=sum(a.choices for a in asked),  # helpdesk replies with choices under them too
        helpdesk=sum(a.helpdesk for a in asked),
        disliked=sum(a.disliked for a in asked),
    )


def explained_lines(err: DataError) -> Bilingual:
    """The problems of an FAQ file as `file:LINE: ...`: slips in the YAML explained in Swedish, and
    in the checks' own English words for the console in English (faqbot.faq.messages)."""
    english = [f"{err.path}:{line}: {message}" for line, message in err.problems]
    swedish = [f"{err.path}:{line}: {in_swedish(message) or message}" for line, message in err.problems]
    return Bilingual("\n".join(swedish), "\n".join(english))


@dataclass(frozen=True)
class Restored:
    """What a restore did: the version now in force, whether the file was written (False: it read
    so already), and how many learned phrasings it removed are proposed again."""

    version: Version
    written: bool
    reopened: int = 0
    unmarked: tuple[str, ...] = ()  # questions marked as about something else it lacks, their customers' listed again
    marked_again: tuple[str, ...] = ()  # questions it marks as about something else that the file did not


class StaleError(FaqbotError):
    """What a review form names is no longer there (a form sent twice, another tab, another staff
    member: a suggestion handled meanwhile, an entry removed, a reply gone from the log); `text`
    says so in the console's words."""

    def __init__(self, text: Text) -> None:
        super().__init__(str(text))
        self.text = text


# "Godkänn alla" or "Avvisa alla" on a list that changed meanwhile: none of the ids shown is open
SHOWN_GONE = Text("Förslagen är redan godkända eller avvisade, eller finns inte längre. Listan nedan är som den är nu.")


def holds_words(text: str, query: str) -> bool:
    """Whether `text` holds every word of `query`, in any case and with or without å, ä, ö and
    accents ("oppet" finds "öppet", as staff type on a keyboard without them)."""
    folded = fold(text)
    return all(word in folded for word in fold(query).split())


class Desk:
    """The console's library side over one FAQ, index and log (see the module docstring)."""

    def __init__(self, settings: Settings, bot: FaqBot | None = None) -> None:
        self.settings = settings
        self.bot = bot if bot is not None else FaqBot(settings=settings)
        self.log = open_log_at(settings.log_location, settings.config.retention_days, staff=True)
        self.writing = threading.Lock()
        self.history = FaqHistory(settings.log_location)
        self.reviewing = threading.Lock()
        self.starting = threading.Lock()
        self.drawer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="review")
        self.drawing: Future[learn.Lesson] | None = None
        self.drawing_state: tuple[str, int, int] = ("", 0, 0)  # the state the drawing under way began on
        self.drawn: Drawn | None = None  # the last review drawn
        self.progress = Progress()

    @property
    def faq_path(self):
        return self.settings.faq_path

    def close(self) -> None:
        self.drawer.shutdown(wait=False, cancel_futures=True)  # a drawing under way is not waited for
        self.log.close()
        self.history.close()

    # -- overview ------------------------------------------------------------------------

    def overview(self, now: datetime | None = None) -> Overview:
        now = now or datetime.now(UTC)
        problems = self.problems()
        try:
            rows = self.log.questions(since_days=7)
        except FaqbotError as err:
            rows = []
            problems.append(Text("Konversationsloggen kan inte läsas: {err}", err=str(err)))
        midnight = staff_time(now).replace(hour=0, minute=0, second=0, microsecond=0)  # staff's day
        self.bot.refresh()
        manifest = self.bot.index.manifest
        calibration = self.bot.calibration
        return Overview(
            today=figures([r for r in rows if r.created_at >= midnight]),
            week=figures([r for r in rows if r.created_at >= now - timedelta(days=7)]),
            entries=len(self.bot.entries),
            built_at=manifest.built_at,
            threshold=self.bot.threshold,
            calibrated=calibration.threshold if calibration else None,
            choice_margin=self.bot.policy.choice_margin,
            problems=problems,
        )

    def problems(self) -> list[str]:
        """What keeps the running chat from serving the FAQ file as it is now."""
        try:
            faq = load_faq(self.faq_path)
        except DataError as err:
            return [
                Text(
                    "Chatten vägrar den senaste ändringen av {path} och svarar med den senaste fungerande versionen. Rätta filen: {err}",
                    path=str(self.faq_path),
                    err=explained_lines(err),
                )
            ]
        if faq.content_hash() != self.bot.index.manifest.faq_hash:
            return [Text("Indexet är inte byggt från FAQ-filen som den ser ut nu; det byggs om av sig självt.")]
        return []

    # -- what customers taught -----------------------------------------------------------

    def review(self) -> learn.Lesson:
        """What the log taught, as it reads now. One review is drawn at a time: a second caller
        waits, then finds the questions' vectors remembered (the console's embedder keeps them)."""
        with self.reviewing:
            self.bot.refresh()
            faq = load_faq(self.faq_path)
            self.progress = Progress()
            return learn.lesson_of(self.bot, self.log.questions(), faq, self.log.decisions(), self.read)

    def read(self, read: int, total: int) -> None:
        self.progress = Progress(read, total)

    def review_within(self, seconds: float) -> learn.Lesson | Drawn | Progress:
        """The review as the log reads now, when it is drawn within `seconds`. Else, while it goes
        on in the background: the last review drawn on the FAQ and staff's decisions as they are
        now (`Drawn`, to show with its time), or how far the drawing is (`Progress`). A flood of
        new questions can take minutes to embed the first time (3,000 in about two minutes here):
        the page says so instead of hanging, and a machine that draws slower than `seconds` still
        shows a list. A drawing under way that began before the FAQ or a decision changed (here,
        by `faqbot learn`, or by another console on the same log) is not waited for: the page
        after a decision shows it done. At most one drawing waits behind the one under way, and
        every visit meanwhile waits for that one: it reads the log when it begins. A slow drawing
        just done rests (`Drawn.resting`): visits get it, with its time, instead of a new one. An
        error of the drawing is raised here."""
        state = self.state()
        with self.starting:
            drawing, drawn = self.drawing, self.drawn
            if drawing is not None and drawing.done() and drawn is not None and drawn.resting(state):
                return drawn  # a slow drawing, just done: shown with its time, not drawn again yet
            if drawing is None or drawing.done() or (drawing.running() and self.drawing_state != state):
                drawing = self.drawing = self.drawer.submit(self.draw)
        try:
            return drawing.result(timeout=seconds)
        except FutureTimeout:
            drawn = self.drawn
            return drawn if drawn is not None and drawn.state == state else self.progress
        except CancelledError:  # the console is closing
            return self.progress

    def state(self) -> tuple[str, int, int]:
        """What a review depends on besides the log's questions: the FAQ file, and staff's
        decisions (read from the log, so those of `faqbot learn` and other consoles count too)."""
        decided = self.log.decisions()
        try:
            faq = file_hash(self.faq_path)
        except OSError:
            faq = ""
        return faq, len(decided), hash(frozenset(decided))

    def recent_review(self) -> learn.Lesson:
        """The review drawn last, when the FAQ and staff's decisions are still as it read them and
        it began at most RECENT_SECONDS ago (what a group's new-entry form is filled in from);
        else drawn now. Each new-entry form drew the whole review again, which after a flood took
        as long as the page."""
        drawn = self.drawn
        if drawn is not None and drawn.state == self.state() and time.monotonic() - drawn.started < RECENT_SECONDS:
            return drawn.lesson
        return self.review()

    def draw(self) -> learn.Lesson:
        """`review`, kept (`drawn`) with the state it began on (read before the log, so the list
        is never older than its state) and when it began."""
        started, at = time.monotonic(), datetime.now(UTC)
        state = self.drawing_state = self.state()
        lesson = self.review()
        self.drawn = Drawn(lesson, state, started, at, time.monotonic() - started)
        return lesson

    def warm_up(self) -> None:
        """Draw the review once in the background, so that the first staff member to open it does
        not wait while every phrasing of the log is embedded (4.3 s for 214 on a quiet machine).
        A failure here is logged; the page itself reports it when opened."""
        started = time.perf_counter()
        try:
            lesson = self.review_within(WARM_UP_SECONDS)
        except Exception:
            log.exception("could not prepare the review page in the background")
            return
        if not isinstance(lesson, learn.Lesson):
            log.warning("review not ready after %.0f s: %d of %d questions read", WARM_UP_SECONDS, *self.progress)
            return
        log.info("review ready: %d suggestions in %.1f s", len(lesson.suggestions), time.perf_counter() - started)

    def decide(
        self,
        action: str,
        suggestion: str = "",
        reply_id: str = "",
        faq_id: str = "",
        who: str = "",
        off_topic: bool = False,
    ) -> teach.Taught:
        """Accept or reject a suggestion, or assign a helpdesk question (its reply) to an entry;
        a change to the file is kept as a version by `who`. `off_topic`: a 👎 question, or a
        confirmed phrasing, rejected as about something the FAQ does not cover ("Handlar om
        annat", `faqbot learn --off-topic`)."""
        with self.writing:
            lesson = self.review()
            open_ = lesson.by_id()
            if action in ("accept", "reject") and suggestion not in open_:  # also "all", the CLI's word
                raise StaleError(
                    Text(
                        "Förslaget är redan godkänt eller avvisat, eller finns inte längre. Listan nedan är som den är nu."
                    )
                )
            if action == "accept" and open_[suggestion].action != learn.ALTERNATIVE:
                raise StaleError(
                    Text("Det här kan inte godkännas som det är: koppla frågan till posten som svarar på den.")
                )
            markable = (learn.WRONG_ANSWER, learn.ALTERNATIVE)  # a 👎 question, a confirmed one
            marked = action == "reject" and off_topic and open_[suggestion].action in markable
            accept = [suggestion] if action == "accept" else []
            reject = [suggestion] if action == "reject" and not marked else []
            assign = [(reply_id, faq_id)] if action == "assign" else []
            return self.taught(lesson, who, accept, reject, assign, [suggestion] if marked else [])

    def accept_shown(self, ids: list[str], who: str = "") -> teach.Taught:
        """Accept the confirmed phrasings the review page showed (`ids`) in one step: one write,
        one rebuild. Those handled meanwhile, and any id that is not an open confirmed phrasing,
        are left out; StaleError when none is left."""
        return self.in_one_step(ids, who, learn.ALTERNATIVE, SHOWN_GONE)

    def reject_shown(self, ids: list[str], who: str = "") -> teach.Taught:
        """Reject the confirmed phrasings the review page showed (`ids`) in one step (one client's
        flood of made-up phrasings, once staff accepted the real ones among them); as accept_shown."""
        return self.in_one_step(ids, who, learn.ALTERNATIVE, SHOWN_GONE, reject=True)

    def reject_marked(self, ids: list[str], who: str = "") -> teach.Taught:
        """Reject the helpdesk groups staff marked (`ids`) in one step: questions about other
        things, never to be proposed again. Any id that is not an open group is left out;
        StaleError when none is left."""
        gone = Text("Grupperna är redan hanterade eller finns inte längre. Listan nedan är som den är nu.")
        return self.in_one_step(ids, who, learn.NEW_ENTRY, gone)

    def reject_question(self, reply_id: str, who: str = "", off_topic: bool = False) -> teach.Taught:
        """Reject one question of a helpdesk group (the one whose newest reply is `reply_id`): a
        question about something else that the grouping put beside others; the rest of the group
        stays. `off_topic` ("Handlar om annat", for one the bot answers only since the threshold
        moved): it also goes into the FAQ's `off_topic:`, so the bot sends it, and questions nearer
        it than any entry, to the helpdesk. StaleError when no open group shows it."""
        with self.writing:
            for s in self.review().suggestions:
                shown = [e for e in s.evidence.get("examples", []) if e.get("reply") == reply_id]
                if s.action == learn.NEW_ENTRY and shown:
                    question = str(shown[0]["question"])
                    sid = learn.suggestion_id(learn.NEW_ENTRY, None, question)
                    before, marked = (self.notice() if off_topic else ""), as_marked(question)
                    aside = (
                        list(add_off_topic(self.faq_path, [marked]))
                        if off_topic and not has_personal_data(question)
                        else []
                    )
                    self.log.record_decision(sid, teach.REJECTED, None, question)
                    rejected = learn.Suggestion(sid, learn.NEW_ENTRY, None, question, {"examples": shown})
                    language = {" ".join(marked.split()): str(shown[0].get("language") or "")}
                    taught = teach.Taught(rejected=[rejected], set_aside=aside, languages=language)
                    if aside:
                        taught.build = self.rebuild()
                        self.keep(before, who)
                        taught.caught = self.caught(aside)
                    return taught
        raise StaleError(Text("Frågan finns inte längre på listan. Listan nedan är som den är nu."))

    def in_one_step(self, ids: list[str], who: str, action: str, gone: Text, reject: bool = False) -> teach.Taught:
        """Accept (confirmed phrasings, `learn.ALTERNATIVE`, unless `reject`) or reject (helpdesk
        groups, `learn.NEW_ENTRY`) the open suggestions of that kind among `ids`, counting the rest
        as left out; StaleError(`gone`) when none is open."""
        with self.writing:
            lesson = self.review()
            open_ = lesson.by_id()
            taken = [i for i in dict.fromkeys(ids) if i in open_ and open_[i].action == action]
            if not taken:
                raise StaleError(gone)
            accepting = action == learn.ALTERNATIVE and not reject
            taught = self.taught(lesson, who, taken if accepting else [], [] if accepting else taken)
            taught.left_out = len(set(ids)) - len(taken)
            return taught

    def taught(
        self,
        lesson: learn.Lesson,
        who: str,
        accept: list[str],
        reject: list[str] | None = None,
        assign: list[tuple[str, str]] | None = None,
        off_topic: list[str] | None = None,
    ) -> teach.Taught:
        """Carry out staff's decisions (faqbot.staff.teach) under the writing lock the caller
        holds; a change to the file is kept as a version by `who`."""
        before = self.notice()
        try:
            taught = teach.teach(
                self.faq_path, lesson, self.log, self.rebuild, accept, reject or [], assign or [], off_topic or []
            )
        except UnknownEntryError:
            if any(faq_id for _, faq_id in assign or []):  # chosen from a page opened before it was removed
                raise StaleError(
                    Text(
                        "Posten du valde finns inte längre i FAQ:n. Välj en post i listan nedan, som är som den är nu."
                    )
                ) from None
            raise StaleError(Text("Välj posten som svarar på frågan i listan.")) from None
        except UnknownReplyError:
            raise StaleError(Text("Frågan finns inte längre i loggen. Listan nedan är som den är nu.")) from None
        except PersonalDataError:
            raise StaleError(
                Text(
                    "Frågan innehåller maskade personuppgifter och skrivs inte in i FAQ:n så. "
                    "Lägg till den utan dem i posten, under Frågor och svar."
                )
            ) from None
        except DislikedAssignError:
            raise StaleError(
                Text("Kunden gav den här postens svar tumme ned. Var svaret rätt: tryck Svaret var rätt i stället.")
            ) from None
        except FollowupAssignError:
            raise StaleError(
                Text("Frågan är en följdfråga och säger inget ensam; den skrivs inte in i FAQ:n.")
            ) from None
        except SmallTalkAssignError:
            raise StaleError(
                Text("Det var ingen fråga till FAQ:n (en hälsning eller ett tack); den skrivs inte in i FAQ:n.")
            ) from None
        except AssignRefusedError:
            raise StaleError(
                Text(
                    "Kunden bekräftade en annan post för den här frågan. Lägg till den i posten för hand om den hör dit."
                )
            ) from None
        if taught.added or taught.set_aside or taught.unmarked:
            self.keep(before, who)
        taught.caught = self.caught(taught.set_aside)
        return taught

    def kept_away(self, faq_id: str) -> list[tuple[str, str]]:
        """The customers' questions of the log that the bot would answer with entry `faq_id` but a
        mark sends to the helpdesk, each with the mark (`report.kept_away`); none when nothing is
        marked or the log cannot be read."""
        searcher = self.bot.searcher
        if searcher.marked is None:
            return []
        try:
            return kept_away(self.log.questions(), searcher, self.bot.policy_of(searcher.index), faq_id)
        except FaqbotError as err:
            log.warning("could not check which marks keep entry %s's customers away: %s", faq_id, err)
            return []

    def newly_answered(self, faq_id: str) -> list[str]:
        """The customers' questions of the log that reached the helpdesk or were offered choices
        and that the bot now answers with entry `faq_id` (`report.newly_answered`); none when the
        log cannot be read."""
        try:
            searcher = self.bot.searcher
            return newly_answered(self.log.questions(), searcher, self.bot.policy_of(searcher.index), faq_id)
        except FaqbotError as err:
            log.warning("could not check which questions entry %s answers now: %s", faq_id, err)
            return []

    def caught(self, marked: list[str]) -> list[tuple[str, str, bool]]:
        """The customers' questions the bot answered that the questions just `marked` send to the
        helpdesk now (`report.caught_by`); none when the log cannot be read (the mark stands)."""
        if not marked:
            return []
        try:
            searcher = self.bot.searcher
            return caught_by(self.log.questions(), searcher, self.bot.policy_of(searcher.index), marked)
        except FaqbotError as err:
            log.warning("could not check which answered questions the new marks catch: %s", err)
            return []

    def rebuild(self) -> Any:
        """Rebuild the index from the FAQ file, swap it in here, and publish it to the replicas. A
        chat serving the same folder that saw the edited file first may have built its index
        already: then that one is published (None is returned for the report). Calibrated with the
        setting `offtopic_bank`'s questions, as `faqbot index` and the chat's own rebuild are (it
        was the shipped bank: a save moved a company's calibrated threshold away from its own)."""
        self.bot.reload_settings()  # the bank as the settings name it now, as `faqbot index` reads it
        previous, bank = folder_hash(self.settings.index_dir), self.bot.index.offtopic
        report = rebuild_for_file(self.faq_path, self.bot.embedder, self.settings.index_dir, bank, built_by="")
        try:
            if is_postgres(self.settings.log_location):
                from faqbot.retrieval.publish import publish

                url = self.settings.log_location
                publish(self.faq_path, self.settings.index_dir, url, self.bot.embedder.name, previous=previous)
        finally:  # a publish refused (or a database away) leaves the console answering from what it wrote
            self.bot.refresh()
        return report

    # -- the entries ---------------------------------------------------------------------

    def entries(self, query: str = "") -> tuple[list[FaqEntry], str]:
        """The entries (those whose texts hold every word of `query`), and the file's hash."""
        digest = file_hash(self.faq_path)
        faq = load_faq(self.faq_path)
        texts = {e.id: " ".join((e.id, e.section, e.answer, e.answer_en, *e.questions())) for e in faq.entries}
        return [e for e in faq.entries if holds_words(texts[e.id], query)], digest

    def off_topic(self) -> tuple[str, ...]:
        """The questions staff marked as about something else (the FAQ's `off_topic:` list)."""
        return load_faq(self.faq_path).off_topic

    def marked_near(self, faq_id: str) -> list[str]:
        """The questions staff marked as about something else that the bot would answer with entry
        `faq_id` were they not marked, or nearly (ranked first, under the threshold by less than
        the review page's NEAR_MARGIN: their rewordings that score higher go to the helpdesk too,
        found by a walk-through): questions the entry reaches that the mark sends, and questions
        nearer them than the entry's texts, to the helpdesk. For the entry's page, so
        that an entry written later on such a topic does not lose its customers to an old mark
        without a word. Ranked on the index serving now, the questions' vectors remembered by the
        console's embedder."""
        searcher = self.bot.searcher
        if searcher.marked is None:
            return []
        policy = self.bot.policy_of(searcher.index)

        def reaches(text: str) -> bool:
            answered, ranked = answered_as_read(text, searcher, policy, marks=False)
            best = ranked[0] if ranked else None
            nearly = best is not None and best.faq_id == faq_id and best.score >= policy.threshold - NEAR_MARGIN
            return answered == faq_id or nearly

        return [t for t in searcher.index.marked_texts if reaches(t)]  # as the index serving now has them

    def answer_again(self, text: str, who: str = "") -> tuple[str, Reply, bool] | None:
        """Take a question off the FAQ's `off_topic:` list (staff marked it by mistake): the bot may
        answer it, and questions like it, again, and the review page lists its customers'
        questions again (`forget_marks`). The file is kept as a version by `who` and the index
        rebuilt. Returns the question as the list had it, the bot's reply to it now (not logged:
        staff see what it answers) and whether its customers' questions are listed again, or None
        when the list has no such question (taken off meanwhile)."""
        with self.writing:
            before = self.notice()
            listed = remove_off_topic(self.faq_path, text)
            if listed is None:
                return None
            self.keep(before, who)
            self.rebuild()
            return listed, self.bot.ask_with(self.bot.searcher, listed), bool(self.forget_marks([listed]))

    def forget_marks(self, texts: list[str]) -> tuple[str, ...]:
        """Forget the rejections recorded when `texts` were marked as about something else, now off
        the list, so the review page shows their questions again; those of `texts` that had any. A
        log that cannot be written loses only that."""
        if not texts:
            return ()
        try:
            forgotten = teach.marking_rejections(self.log.rejections(), texts)
            self.log.unreject(forgotten)
        except FaqbotError as err:
            log.warning("questions taken off the off-topic list stay rejected, so are not listed again: %s", err)
            return ()
        marked = set(forgotten.values())
        return tuple(t for t in texts if t in marked)

    def remember_marks(self, texts: list[str]) -> None:
        """Reject again the questions whose rejection `forget_marks` forgot when `texts` left the
        off-topic list, now that a restored version brings them back: their 👎 no longer counts
        against the entry and the review page leaves them off, as before (a walk-through restored
        the version before a mark, then the one with it, and the question stayed under review). A
        log that cannot be written loses only that."""
        if not texts:
            return
        try:
            self.log.reject_again(teach.marking_rejections(self.log.rejections(REOPENED), texts))
        except FaqbotError as err:
            log.warning("questions marked again as about something else stay under review: %s", err)

    def entry(self, faq_id: str) -> tuple[FaqEntry | None, str]:
        digest = file_hash(self.faq_path)
        return load_faq(self.faq_path).by_id.get(faq_id), digest

    def opened(self, faq_id: str) -> tuple[FaqEntry | None, str]:
        """The entry and the file's hash for its form, the file kept as a version first when it
        is new to the history, so that a save can tell what changed under the form (`seen`)."""
        with self.writing:
            self.notice(writing=False)
            return self.entry(faq_id)

    def seen(self, faq_id: str, digest: str) -> dict[str, str] | None:
        """Entry `faq_id` as the form opened on the file with hash `digest` showed it; None when
        that version is not kept (or the entry was not in it)."""
        version = self.history.with_hash(digest)
        if version is None:
            return None
        try:
            entry = parsed(version.content, self.faq_path.name).by_id.get(faq_id)
        except DataError:
            return None
        return entry_values(vars(entry)) if entry is not None else None

    def save(self, faq_id: str, values: dict[str, str], expected_hash: str, who: str = "") -> EntryUpdate:
        """Write the form's fields (FileChangedError when the file changed), keep the new file as
        a version by `who`, then rebuild the index."""
        with self.writing:
            before, seen, opened = self.notice(), self.seen(faq_id, expected_hash), file_hash(self.faq_path)
            unmarked = self.take_marks(values)
            # the marks taken off are no change under the form: the form's hash is the file's again
            expected = file_hash(self.faq_path) if unmarked and opened == expected_hash else expected_hash
            written = False
            try:
                result = update_entry(self.faq_path, faq_id, values, expected, seen)
                written = bool(result.changes) and not result.problems
            finally:
                if unmarked and not written:  # refused: the list stays as it was
                    atomic_write(self.faq_path.resolve(), before)
            if written:
                self.keep(before, who)
                self.rebuild()
                return replace(result, unmarked=tuple(unmarked))
            return replace(result, file_hash=file_hash(self.faq_path)) if unmarked else result

    def take_marks(self, values: dict[str, str]) -> list[str]:
        """Take the questions an entry's form writes (question, other phrasings, English question)
        off the FAQ's `off_topic:` list: staff who write a marked question into an entry say the
        entry answers it, as "Koppla" does (`teach.Taught.unmarked`); a walk-through's "Skapa en
        ny post av frågan" on a marked question was refused with a check naming the unsaved draft's
        line. Returns the list's texts taken off; the caller writes the file back when the entry
        is refused."""
        marked = {normalize_question(t): t for t in load_faq(self.faq_path).off_topic}
        if not marked:
            return []
        written = [values.get("question", ""), values.get("question_en", "")]
        written += cleaned("alternatives", values.get("alternatives", "")).split("\n")
        taken = list(dict.fromkeys(marked[k] for t in written if (k := normalize_question(t)) in marked))
        for text in taken:
            remove_off_topic(self.faq_path, text)
        return taken

    def unlearn(self, faq_id: str, text: str, who: str = "") -> bool:
        """Remove a customers' phrasing from the entry's `learned:` (staff found it wrong), keep
        the file as a version by `who`, rebuild the index, and remember the phrasing as rejected
        for that entry so `faqbot learn` does not propose it again. False when the entry has no
        such phrasing (removed meanwhile); DataError for an entry no longer in the file."""
        with self.writing:
            before = self.notice()
            if not remove_learned(self.faq_path, faq_id, text):
                return False
            self.keep(before, who)
            self.rebuild()
            try:
                self.log.record_decision(
                    learn.suggestion_id(learn.ALTERNATIVE, faq_id, text), teach.REJECTED, faq_id, text
                )
            except FaqbotError as err:  # the removal stands; only a re-proposal is not ruled out
                log.warning("the rejection of a removed phrasing was not recorded: %s", err)
            return True

    def remove(self, faq_id: str, expected_hash: str, who: str = "") -> str:
        """Take entry `faq_id` out of the FAQ file, keep the file as a version by `who` (a restore
        brings it back), rebuild the index; returns its question. FileChangedError when the entry
        changed since the page that asked showed it (file hash `expected_hash`); DataError when it
        is gone or the FAQ's only entry. A walk-through's staff could remove an entry only by
        restoring an older version, which also undid everyone's later changes."""
        with self.writing:
            before = self.notice()
            shown, now = self.seen(faq_id, expected_hash), load_faq(self.faq_path).by_id.get(faq_id)
            if now is not None and shown is not None and entry_values(vars(now)) != shown:
                raise FileChangedError(f"entry '{faq_id}' changed since the page was opened; nothing was removed")
            question = remove_entry(self.faq_path, faq_id)
            self.keep(before, who)
            self.rebuild()
            return question

    # -- trying the bot ------------------------------------------------------------------

    def try_question(self, question: str, previous: str = "") -> Tried:
        """The bot's reply to `question`, as a follow-up to `previous` when one is given (as in a chat)."""
        bot = self.bot
        bot.refresh()
        reply = bot.ask(question, previous=previous.strip() or None)
        found = tried(reply, bot.entries, bot.policy)
        if reply.set_aside:  # which mark did it: a walk-through read "till helpdesk" beside a score over the threshold
            near = bot.searcher.nearest_marked(reading(reply.question, reply.language, bot.searcher))
            found = replace(found, aside_by=near[0] if near else "")
        return found

    # -- the versions of the FAQ file (faqbot.staff.console.history) ------------------------

    def current_text(self) -> str:
        return self.faq_path.read_bytes().decode("utf-8", "replace")

    def notice(self, writing: bool = True) -> str:
        """The file's text now; kept as a version first when it is not the newest one (a hand edit,
        or a generation published from another machine, taken first: `catch_up`). `writing`: a
        change follows, refused (StalePublishError) before it is made when it could not be published."""
        self.catch_up(refuse=writing)
        text = self.current_text()
        noticed(self.history, text)
        return text

    def catch_up(self, refuse: bool = False) -> None:
        """With the log on PostgreSQL: when staff published from another machine since this console
        last published, write that generation here first, so that a change is made on top of it
        rather than undoing it (faqbot.retrieval.publish.catch_up)."""
        if not is_postgres(self.settings.log_location):
            return
        from faqbot.retrieval.publish import catch_up

        fetched = catch_up(self.settings.log_location, self.faq_path, self.settings.index_dir, refuse)
        if fetched is not None:
            log.warning("took published index %s, published from elsewhere since, before this change", fetched)
            self.bot.refresh()

    def keep(self, before: str, who: str) -> Version:
        """Keep the file as just written by `who`, saying what changed since `before`."""
        after = self.current_text()
        return self.history.record(after, who, what_changed(before, after))

    def versions(self) -> list[Version]:
        """The kept versions, newest first (a hand edit since the last one is kept first)."""
        with self.writing:
            self.notice(writing=False)
        return self.history.versions()

    def difference(self, version_id: int) -> Difference | None:
        """A kept version against the file now; None when no such version is kept."""
        version = self.history.version(version_id)
        if version is None:
            return None
        shown = difference(version, self.current_text())
        try:
            parsed(version.content, self.faq_path.name)
        except DataError as err:  # kept while a hand edit had broken the file: shown, not offered
            return replace(shown, refused=explained_lines(err))
        return shown

    def restore(self, version_id: int, who: str, compared: str = "") -> Restored | None:
        """Write a kept version back as the file, as a new version by `who`, and rebuild the index.

        None when no such version is kept; DataError when it does not pass the FAQ checks now
        (nothing is written); FileChangedError when `compared` (the text_hash of the file the
        version was compared with) is given and the file reads otherwise now (a colleague saved
        since: nothing is written, as a save of an entry is refused); the file is replaced
        atomically and checked again as it is written.
        Customers' phrasings that staff accepted since and the restored version lacks are not
        lost: their acceptance is forgotten, so `faqbot learn` proposes them again (`reopened`).
        """
        with self.writing:
            version = self.history.version(version_id)
            if version is None:
                return None
            restoring = parsed(version.content, self.faq_path.name)
            before = self.notice()
            if text_hash(before) == version.faq_hash:
                latest = self.history.latest()
                return Restored(latest, written=False) if latest is not None else None
            if compared and text_hash(before) != compared:
                raise FileChangedError(f"{self.faq_path} changed since version {version_id} was compared with it")
            earlier = self.last_valid(before)
            atomic_write(self.faq_path.resolve(), version.content, check=load_faq)
            restored = self.history.record(
                version.content, who, f"{RESTORED.format(id=version.id)}: {what_changed(before, version.content)}"
            )
            self.rebuild()
            unmarked = self.forget_marks(list(marked_only(earlier, restoring)) if earlier else [])
            again = marked_only(restoring, earlier) if earlier else ()
            self.remember_marks(list(again))
            reopened = self.reopen_lost(earlier, restoring)
            return Restored(restored, written=True, reopened=reopened, unmarked=unmarked, marked_again=again)

    def reopen_lost(self, earlier: Faq | None, restoring: Faq) -> int:
        """Forget the acceptance of the learned phrasings of `earlier` (the FAQ before the restore)
        that `restoring` has nowhere, and of the helpdesk questions made into entries it lacks; how
        many. A log that cannot be written loses only the re-proposal."""
        if earlier is None:
            return 0
        lost, gone = learn.lost_acceptances(earlier, restoring)
        try:
            return self.log.reopen(lost, gone) if lost or gone else 0
        except FaqbotError as err:
            log.warning("phrasings the restore removed stay accepted, so are not proposed again: %s", err)
            return 0

    def last_valid(self, text: str) -> Faq | None:
        """`text` as an FAQ, or when a hand edit has broken it, the newest kept version that passes
        the checks: what staff had accepted up to then (a walk-through restored a version over a
        broken file, and the phrasings accepted since were neither in the FAQ nor proposed again)."""
        try:
            return parsed(text, self.faq_path.name)
        except DataError:
            pass
        for kept in self.history.versions():
            version = self.history.version(kept.id)
            if version is None:  # let go of meanwhile (the bound on kept versions)
                continue
            try:
                return parsed(version.content, self.faq_path.name)
            except DataError:
                continue
        return None

    # -- drafts: trying an unsaved entry, a new entry from a helpdesk group --------------------

    def try_draft(self, faq_id: str, values: dict[str, str], question: str) -> DraftTry:
        """How the bot would answer `question` with entry `faq_id` as the form's draft has it;
        nothing is written (faqbot.retrieval.draft: only the draft's texts are embedded)."""
        bot = self.bot
        bot.refresh()
        faq, problems = draft_faq(self.faq_path, faq_id, values)
        if faq is None:
            return DraftTry(None, problems)
        serving = bot.searcher.index
        space, embedded = draft_index(serving, faq, bot.embedder)
        reply = bot.ask_with(Searcher(space, bot.embedder), question)
        return DraftTry(tried(reply, space.entries, bot.policy_of(space)), (), embedded)

    def new_entry_group(self, group_id: str, recent: bool = True) -> learn.Suggestion | None:
        """The open group of helpdesk questions `group_id` (faqbot.staff.learn), or a question
        answered wrong (👎) that no entry answers: what a new entry is written from; else None.
        `recent`: from the review drawn last, when it is still so (the form); else drawn now (the
        save, which records decisions on the group's questions)."""
        found = (self.recent_review() if recent else self.review()).by_id().get(group_id)
        return found if found is not None and found.action in (learn.NEW_ENTRY, learn.WRONG_ANSWER) else None

    def shared_questions(self, faq_id: str) -> list[tuple[str, FaqEntry]]:
        """The entry's questions that another entry (of another section: one section may not) has
        too, each with that entry: a customer who asks one is offered both."""
        faq = load_faq(self.faq_path)
        entry = faq.by_id.get(faq_id)
        if entry is None:
            return []
        owners: dict[str, list[FaqEntry]] = {}
        for other in faq.entries:
            if other.id != faq_id:
                for text in other.questions():
                    owners.setdefault(normalize_question(text), []).append(other)
        mine = entry.questions()
        return [(text, other) for text in mine for other in owners.get(normalize_question(text), [])]

    def same_entry(self, values: dict[str, str]) -> str | None:
        """The id of an entry that reads exactly as the form's draft (the form was sent before), else None."""
        draft = {name: cleaned(name, values.get(name, "")) for name in FIELDS}
        found = (e.id for e in load_faq(self.faq_path).entries if entry_values(vars(e)) == draft)
        return next(found, None)

    def create(self, values: dict[str, str], group_id: str = "", who: str = "") -> NewEntry:
        """Add an entry from the form (its id made from the question), kept as a version by `who`,
        and rebuild the index; the questions of the helpdesk group `group_id` that the entry took
        (as its question or another way to ask) are then handled. Those staff took out of the
        form stay on the list: a walk-through's "Badar ni hundar också?", deleted from a dog
        salon's new day-care entry, had vanished from it for good."""
        with self.writing:
            group = self.new_entry_group(group_id, recent=False) if group_id else None
            before = self.notice()
            unmarked = self.take_marks(values)
            added = None
            try:
                added = add_entry(self.faq_path, values)
            finally:
                if unmarked and (added is None or added.problems):  # refused: the list stays as it was
                    atomic_write(self.faq_path.resolve(), before)
            if added.problems:
                return added
            added = replace(added, unmarked=tuple(unmarked))
            self.keep(before, who)
            if group is not None:
                taken = {normalize_question(q) for q in load_faq(self.faq_path).by_id[added.faq_id].questions()}
                for sid, question in teach.decided_ids(group):
                    if normalize_question(question) in taken:
                        self.log.record_decision(sid, teach.ACCEPTED, added.faq_id, question)
            self.rebuild()
            return added
