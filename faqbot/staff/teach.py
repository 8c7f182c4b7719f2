"""Accepting what customers taught (`faqbot learn --accept/--reject/--assign`): the FAQ file,
the index and the log's memory of staff's decisions, changed in one step.

    result = teach(bot, log, accept=["all"])      # every confirmed phrasing
    result.added                                  # what went into data/faq.yaml's learned: lists

The FAQ is written by faqbot.faq.edit (comments and layout kept, validated before it replaces
the file), the index rebuilt with only the new texts embedded, and, with `publish`, published to
every replica. A suggestion is remembered as accepted or rejected in the log's database only
after the FAQ file holds it, so a failed write never hides a suggestion.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from faqbot.conversations.rows import ACCEPTED, REJECTED
from faqbot.decision.kinds import QUESTION_KINDS
from faqbot.errors import (
    AssignRefusedError,
    DislikedAssignError,
    FaqbotError,
    FollowupAssignError,
    PersonalDataError,
    SmallTalkAssignError,
    UnknownEntryError,
    UnknownReplyError,
)
from faqbot.faq.edit import Added, Skipped, add_learned, add_off_topic, remove_off_topic
from faqbot.faq.model import did_you_mean, load_faq, normalize_question
from faqbot.staff.learn import ALTERNATIVE, NEW_ENTRY, Lesson, Suggestion, additions, chosen, suggestion_id
from faqbot.staff.signals import (
    OFF_TOPIC,
    WRONG_ANSWER,
    as_marked,
    has_personal_data,
    holds_masked_data,
    phrasing,
    reads_alone,
)


@dataclass
class Taught:
    """What one `faqbot learn` step changed."""

    added: list[Added] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    rejected: list[Suggestion] = field(default_factory=list)
    off_topic: list[str] = field(default_factory=list)  # of `rejected`, the ids marked as about something else
    set_aside: list[str] = field(default_factory=list)  # their questions, written to the FAQ's `off_topic:`
    unmarked: list[str] = field(default_factory=list)  # `off_topic:` questions staff assigned to an entry after all
    caught: list[tuple[str, str, bool]] = field(
        default_factory=list
    )  # answered questions the marks send away now (`caught_by`)
    build: Any = None  # the index BuildReport, when the FAQ changed
    languages: dict[str, str] = field(default_factory=dict)  # each accepted text's language, as the bot answered it
    left_out: int = 0  # of the suggestions named, those no longer open (handled meanwhile), not taken


def decided_ids(s: Suggestion) -> list[tuple[str, str]]:
    """The ids a decision on `s` is recorded under, each with its question: a helpdesk group's
    decision is on every question it showed (faqbot.staff.learn.helpdesk_groups), the rest's on itself."""
    if s.action != NEW_ENTRY:
        return [(s.id, s.question)]
    shown = [str(e["question"]) for e in s.evidence.get("examples", [])] or [s.question]
    return [(suggestion_id(NEW_ENTRY, None, q), q) for q in shown]


def marking_rejections(rejections: dict[str, str], texts: Sequence[str]) -> dict[str, str]:
    """Of staff's rejections (suggestion id -> its question, the log's `rejections`), those to
    forget when `texts` leave the FAQ's `off_topic:` list, each with the text it was marked as:
    the rejections of the questions marked so (`as_marked`), the 👎 kept off the entry's count
    among them, so that the questions are proposed again as before the mark."""
    gone = {normalize_question(t): t for t in texts}
    found = {sid: gone.get(normalize_question(as_marked(question))) for sid, question in rejections.items()}
    return {sid: text for sid, text in found.items() if text is not None}


def language_of(s: Suggestion) -> str:
    """The language a suggestion's question was asked in, as the bot answered it ("" unknown)."""
    examples = s.evidence.get("examples") or [{}]
    return str(s.evidence.get("language") or examples[0].get("language") or "")


def assignments(log: Any, pairs: Sequence[tuple[str, str]], known_ids: set[str]) -> list[Suggestion]:
    """Staff's `--assign REPLY_ID FAQ_ID`: the question of that reply as a phrasing of that entry."""
    found = []
    for reply_id, faq_id in pairs:
        if faq_id not in known_ids:
            raise UnknownEntryError(
                f"--assign {reply_id} {faq_id}: the FAQ has no entry '{faq_id}'{did_you_mean(faq_id, known_ids)}"
            )
        row = log.find(reply_id)
        if row is None:
            raise UnknownReplyError(
                f"--assign {reply_id} {faq_id}: no reply {reply_id} in the conversation log "
                "(`faqbot learn --json` lists helpdesk questions with their reply ids)"
            )
        confirmed = confirmed_entry(row)
        if confirmed is not None and confirmed != faq_id:
            raise AssignRefusedError(
                f"--assign {reply_id} {faq_id}: the customer confirmed entry '{confirmed}' for this question "
                f"({row.question!r}: {'👍 to its answer' if row.feedback == 1 else 'picked it among the choices'}); "
                "check the reply id (`faqbot learn` lists the questions to assign). If the question really "
                f"belongs to '{faq_id}', add it there by hand (the FAQ file or the console)"
            )
        if getattr(row, "kind", "") not in QUESTION_KINDS:
            raise SmallTalkAssignError(
                f"--assign {reply_id} {faq_id}: {row.question!r} was not a question of the FAQ (the bot took it as "
                f"{getattr(row, 'kind', '') or 'nothing'}); only a question it ranked the FAQ for is written into an entry"
            )
        question = phrasing(row.question)  # as learned from the log (`as_asked`)
        if getattr(row, "feedback", None) == -1 and getattr(row, "faq_id", None) == faq_id:
            raise DislikedAssignError(
                f"--assign {reply_id} {faq_id}: the customer said 👎 to {faq_id}'s answer for this question "
                f"({question!r}), and the bot answers it with {faq_id} already; if that answer was right, reject "
                "the question (`faqbot learn` lists its id), else assign it to the entry that answers it"
            )
        if holds_masked_data(question):
            raise PersonalDataError(
                f"--assign {reply_id} {faq_id}: the question holds masked personal data ({question!r}); it is not "
                "written into the FAQ with the placeholder. Add it without that part to the entry by hand "
                "(the FAQ file or the console)"
            )
        if not reads_alone(question, getattr(row, "followup", False)):
            raise FollowupAssignError(
                f"--assign {reply_id} {faq_id}: {question!r} is a follow-up to a question before it (asked as one, "
                "or it reads as one); alone it names no subject, so it is not written into the FAQ (add the question "
                "it meant by hand)"
            )
        found.append(
            Suggestion(
                suggestion_id(ALTERNATIVE, faq_id, question),
                ALTERNATIVE,
                faq_id,
                question,
                {"assigned": reply_id, "language": getattr(row, "language", "") or ""},
            )
        )
    return found


def confirmed_entry(row: Any) -> str | None:
    """The entry whose answer the customer confirmed for this reply (👍, or picked among the
    choices without a 👎 after), or None."""
    answered = getattr(row, "faq_id", None) if getattr(row, "kind", "") == "answer" else None
    feedback = getattr(row, "feedback", None)
    if answered and (feedback == 1 or (getattr(row, "answer_to", None) and feedback != -1)):
        return answered
    return None


def named_once(accept: list[str], reject: list[str], off_topic: list[str]) -> None:
    """FaqbotError for a suggestion two decisions name: `--off-topic X --reject X` had said
    "rejected" twice, and the order they were carried out in decided (an attack)."""
    both = next((i for i in accept if i in {*reject, *off_topic}), None) or next(
        (i for i in reject if i in off_topic), None
    )
    if both is not None:
        raise FaqbotError(f"{both} is named by two of --accept, --reject and --off-topic; name it once")


def teach(
    faq_path: Any,
    lesson: Lesson,
    log: Any,
    rebuild: Callable[[], Any],
    accept: Sequence[str] = (),
    reject: Sequence[str] = (),
    assign: Sequence[tuple[str, str]] = (),
    off_topic: Sequence[str] = (),
) -> Taught:
    """Accept, reject and assign in one step: write the FAQ, remember the decisions, rebuild.
    `off_topic`: questions rejected as about something the FAQ does not cover (`--off-topic`): a
    👎 question, whose 👎 then no longer counts against the entry that answered
    (faqbot.staff.wrong_answers), a group of questions that reached the helpdesk, or a phrasing
    customers confirmed for an entry (a customer may pick the nearest choice for want of a better). Their
    questions go into the FAQ's `off_topic:` list, so the bot sends them, and questions nearer
    them than any entry, to the helpdesk (`Searcher.set_aside`)."""
    taught = Taught()
    reject, off_topic = list(reject or ()), list(off_topic or ())  # the CLI's options are None when not given
    named_once(list(accept or ()), reject, off_topic)
    faq = load_faq(faq_path)
    accepted = chosen(lesson, accept) if accept else []
    accepted += assignments(log, assign, set(faq.by_id))
    taught.rejected = chosen(lesson, [*reject, *off_topic]) if reject or off_topic else []
    marked = chosen(lesson, off_topic) if off_topic else []
    not_questions = [s.id for s in marked if s.action not in (WRONG_ANSWER, NEW_ENTRY, ALTERNATIVE)]
    if not_questions:
        raise FaqbotError(
            "--off-topic takes questions customers said 👎 to, questions that reached the helpdesk and "
            f"confirmed phrasings (learn lists them with their ids), not {not_questions[0]}"
        )
    taught.languages = {" ".join(s.question.split()): language_of(s) for s in accepted}  # as Added.text spells it
    # a question staff marked as off-topic and now assign to an entry: the entry wins, the mark goes
    marked_before = {normalize_question(t): t for t in faq.off_topic}
    taught.unmarked = list(
        dict.fromkeys(t for s in accepted if (t := marked_before.get(normalize_question(s.question))))
    )
    for text in taught.unmarked:
        remove_off_topic(faq_path, text)
    if accepted:
        result = add_learned(faq_path, additions(accepted))
        taught.added, taught.skipped = list(result.added), list(result.skipped)
    taught.off_topic = [s.id for s in marked]
    aside = {as_marked(q): language_of(s) for s in marked for _, q in decided_ids(s) if not has_personal_data(q)}
    taught.set_aside = list(add_off_topic(faq_path, list(aside))) if aside else []
    taught.languages |= {" ".join(text.split()): language for text, language in aside.items()}
    if taught.added or taught.set_aside or taught.unmarked:
        # before the decisions: a publish refused (another machine published since) leaves them
        # open, so that after `faqbot index --fetch` the same suggestions can be accepted again
        taught.build = rebuild()
    remember(log, accepted, taught.rejected, marked)
    return taught


def remember(log: Any, accepted: list[Suggestion], rejected: list[Suggestion], marked: list[Suggestion]) -> None:
    """The decisions, in the log's database: an accepted or rejected suggestion is not proposed again."""
    for s in accepted:
        log.record_decision(s.id, ACCEPTED, s.faq_id, s.question)
    for s in rejected:
        for sid, question in decided_ids(s):
            log.record_decision(sid, REJECTED, s.faq_id, question)
    for s in marked:  # a 👎 or confirmed question staff say is about something else: `off_topic_not_in` reads it
        if s.action in (WRONG_ANSWER, ALTERNATIVE):
            log.record_decision(suggestion_id(OFF_TOPIC, s.faq_id, s.question), REJECTED, s.faq_id, s.question)
