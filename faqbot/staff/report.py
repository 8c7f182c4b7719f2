"""`faqbot report`: what customers asked that the FAQ could not answer, read from the conversation log.

    report = build(Path("data/conversations.db"), bot, since_days=30)
    report.to_dict()                    # for --json; faqbot/staff/report_format.py presents it to people

Unanswered questions are grouped by meaning: identical questions are merged, the rest are
embedded with the bot's own model and clustered by average-linkage on cosine similarity (a
group keeps merging while its members are, on average, at least GROUP_SIMILARITY alike, on
the same 0-1 scale as the searcher's dense score: the model's similarity band spread out).
For e5 that is 0.89 cosine, just above where unrelated questions lie (0.79-0.88, see
faqbot.staff.crosslingual): staff act on a group as one (assign it to an entry, reject it), so
a group must not hold questions that need different answers. Measured on the learning
benchmark's fifteen kept logs (`faqbot learn` on each as imported; benchmarks/learning.py),
the questions listed for staff formed 69 groups of two or more at 0.87, 63 of them mixing
questions of different entries or off-topic ones, against 29 groups, 26 mixed, at 0.89; of
the 27 pairs of listed questions about one entry, 7 were joined at 0.87 and 3 at 0.89.
Each group gets the nearest existing entry, as the current index ranks it: when the bot
nearly answered with that entry, the suggestion is to add the questions as its alternatives,
otherwise to write a new entry; a group that the FAQ answers now (it was edited since) is
marked so. Either way a person decides; nothing here writes the FAQ.

Questions are grouped across languages (faqbot.staff.crosslingual): "Var ligger ert kontor?"
and "Where is your office located?" belong together.

The trends (questions per day or week, the shares answered, sent to the helpdesk, offered
choices and marked 👎) are faqbot.staff.trends; the most used entries are counted here.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from faqbot.bot import reading
from faqbot.conversations.backends import open_existing_log
from faqbot.conversations.privacy import PLACEHOLDERS
from faqbot.conversations.store import LoggedQuestion
from faqbot.database import shown
from faqbot.decision import Decision, Policy
from faqbot.decision.kinds import QUESTION_KINDS, ReplyKind
from faqbot.faq.model import normalize_question
from faqbot.language import detect_language
from faqbot.retrieval.embedding import EMBED_BATCH, Embedder, RememberingEmbedder
from faqbot.retrieval.search import Match, Searcher
from faqbot.staff.crosslingual import language_neutral
from faqbot.staff.signals import as_marked
from faqbot.staff.trends import Period, per_period, questions_asked, unit_for

GROUP_SIMILARITY = 0.60  # within the model's band: 0.89 cosine for e5; see the module docstring
CAUGHT_CHECKED = 100  # answered questions of the log checked against new marks (`caught_by`): 1.2 s
NEAR_MARGIN = 0.05  # a group this close below the threshold "nearly got" its nearest entry (a tenth of the 0-0.5 band where unanswerable questions score)
NEAREST_SAMPLE = 5  # questions per group ranked against the index
MAX_GROUPED = 3000  # distinct unanswered questions clustered (most asked first)
MAX_EXAMPLES = 8  # per group, in the report and in a suggestion (the FAQ asks for 4-8)
# Characters of a question its group is found by (and its nearest entry ranked on). A customer's
# question is up to 2,000 characters; e5 reads 2,000 in 0.7 s on this machine, 300 in 0.07 s, so
# a flood of 3,000 long made-up questions kept the review page's first visit for 35 minutes.
# What a question is about is in its opening: few customers write more than 300 characters.
GROUP_CHARS = 300


@dataclass
class Group:
    """Unanswered questions that mean about the same, and the entry nearest to them."""

    count: int  # times asked, repeats included
    examples: list[tuple[str, int]]  # (question, times asked), asked by the most clients first, then the first asked
    nearest_id: str | None
    nearest_question: str | None
    nearest_score: float
    action: str  # "add-alternatives" (to nearest_id), "new-entry", or "answered-now" (the FAQ changed since)
    answered: tuple[
        str, ...
    ] = ()  # of `examples`, those the bot answers now (ranked for an "answered-now" group; else of the first NEAREST_SAMPLE)
    questions: int = 0  # different questions in the group (`examples` shows at most MAX_EXAMPLES of them)
    clients: int = 0  # different clients who asked them (a question of no known client counts as one)
    aside_by: str = ""  # the marked question that sends its first question to the helpdesk now (`marked_by`)
    # of the questions shown (`examples`), each one a mark sends to the helpdesk now, with the mark: a
    # walk-through's rewordings of a marked question came under another headline, and said nothing
    asides: tuple[tuple[str, str], ...] = ()


@dataclass
class EntryFeedback:
    faq_id: str
    faq_question: str
    answered: int
    liked: int
    disliked: int
    disliked_examples: list[str]


@dataclass
class Report:
    log_path: str
    since_days: float | None
    first: str | None
    last: str | None
    questions: int
    small_talk: int
    resolved: int
    unanswered: int
    errors: int
    liked: int
    disliked: int
    disliked_helpdesk: int  # 👎 on "write to the helpdesk" replies
    threshold: float
    index_versions: list[tuple[str, int]]
    groups: list[Group] = field(default_factory=list)
    disliked_entries: list[EntryFeedback] = field(default_factory=list)
    never_matched: list[tuple[str, str]] = field(default_factory=list)  # (id, question)
    days: list[Period] = field(default_factory=list)  # every day from the first question to the last
    weeks: list[Period] = field(default_factory=list)  # when the log spans more than three weeks
    most_used: list[EntryFeedback] = field(default_factory=list)  # entries answered with, most first
    choices: int = (
        0  # replies that offered "did you mean" choices (choices replies, and answers or helpdesk replies with some)
    )
    marked_off_topic: int = 0  # helpdesk questions staff marked as about something else: not grouped

    @property
    def resolved_share(self) -> float:
        return self.resolved / self.questions if self.questions else 0.0

    def to_dict(self) -> dict:
        data = asdict(self)
        data["resolved_share"] = round(self.resolved_share, 4)
        data["groups"] = [
            {
                **asdict(g),
                "examples": [{"question": q, "count": n} for q, n in g.examples],
                "nearest_score": round(g.nearest_score, 4),
            }
            for g in self.groups
        ]
        data["index_versions"] = [{"version": v, "count": n} for v, n in self.index_versions]
        data["never_matched"] = [{"faq_id": i, "faq_question": q} for i, q in self.never_matched]
        data["days"] = [p.to_dict() for p in self.days]
        data["weeks"] = [p.to_dict() for p in self.weeks]
        return data

    @property
    def trend(self) -> list[Period]:
        """The periods to show: weeks when the log spans more than three weeks, else days."""
        return self.weeks or self.days


def group_cosine(embedder: Embedder) -> float:
    """GROUP_SIMILARITY as a cosine similarity of this embedder's vectors."""
    floor, ceiling = embedder.similarity_range
    return floor + GROUP_SIMILARITY * (ceiling - floor)


CLUSTER_ROWS = 256  # rows of the similarity matrix weighed and searched at a time when clustering starts


def cluster(vectors: np.ndarray, weights: list[int], similarity: float) -> list[list[int]]:
    """Average-linkage clustering of unit vectors at a cosine `similarity`; returns groups of row numbers.

    Each row stands for `weights[i]` identical questions. Every row keeps its most similar
    other group, so a merge costs O(n) instead of a scan of the whole matrix.
    """
    n = len(vectors)
    if n == 0:
        return []
    size = np.asarray(weights, dtype=np.float64)
    total = (vectors @ vectors.T).astype(np.float64)  # summed pair similarities, weighed below
    for start in range(0, n, CLUSTER_ROWS):  # a band at a time: 3,000 questions' matrices all at once peaked at 250 MB
        total[start : start + CLUSTER_ROWS] *= np.outer(size[start : start + CLUSTER_ROWS], size)
    active = np.ones(n, dtype=bool)
    members = [[i] for i in range(n)]

    def row_average(rows: np.ndarray) -> np.ndarray:
        avg = total[rows] / np.outer(size[rows], size)
        avg[:, ~active] = -np.inf
        avg[np.arange(len(rows)), rows] = -np.inf
        return avg

    best_j = np.empty(n, dtype=np.int64)
    best_v = np.empty(n, dtype=np.float64)
    for start in range(0, n, CLUSTER_ROWS):
        rows = np.arange(start, min(start + CLUSTER_ROWS, n))
        band = row_average(rows)
        best_j[rows] = band.argmax(axis=1)
        best_v[rows] = band[np.arange(len(rows)), best_j[rows]]
    while True:
        a = int(np.argmax(np.where(active, best_v, -np.inf)))
        if best_v[a] < similarity:
            break
        b = int(best_j[a])
        total[a] += total[b]
        total[:, a] = total[a]
        size[a] += size[b]
        active[b] = False
        members[a] += members[b]
        members[b] = []
        best_v[b] = -np.inf
        stale = np.flatnonzero(active & ((best_j == a) | (best_j == b)))
        stale = np.union1d(stale, [a])
        averages = row_average(stale)
        best_j[stale] = averages.argmax(axis=1)
        best_v[stale] = averages[np.arange(len(stale)), best_j[stale]]
        new_a = total[a] / (size[a] * size)
        better = active & (new_a > best_v)
        better[a] = False
        best_j[better], best_v[better] = a, new_a[better]
    return [m for m in members if m]


def without_placeholders(text: str) -> str:
    """The question as matched: "[telefon]" would otherwise pull it towards the phone entry."""
    for placeholder in PLACEHOLDERS:
        text = text.replace(placeholder, " ")
    return " ".join(text.split()) or "?"


def as_grouped(text: str) -> str:
    """The question as grouped and ranked here: without placeholders, its first GROUP_CHARS characters."""
    return without_placeholders(text)[:GROUP_CHARS].rstrip() or "?"


def answered_as_read(
    question: str, searcher: Searcher, policy: Policy, marks: bool = True
) -> tuple[str | None, list[Match]]:
    """The entry the bot answers a logged question with now (None: it does not) and its ranking,
    the question read as the bot reads it (`reading`: without courtesies, words spelled as the
    FAQ spells them), so that what staff are told the bot answers now is what a customer asking
    it again would get: one that lies nearer a question staff marked as off-topic than its best
    entry is not answered (`Searcher.set_aside`), as in the chat. `marks=False`: what it would
    answer were no question marked (a marked question itself: which entry it would go to)."""
    decision, ranked = decided_as_read(question, searcher, policy, marks)
    return decision.faq_id, ranked


def decided_as_read(
    question: str, searcher: Searcher, policy: Policy, marks: bool = True
) -> tuple[Decision, list[Match]]:
    """What the bot decides on a logged question now, asked alone as the chat reads it, and its
    ranking (`answered_as_read`, `brought_by`)."""
    read = as_the_chat_reads(question, searcher)
    ranked = searcher.rank(read)
    aside = marks and bool(ranked) and searcher.set_aside(read, ranked[0].faq_id)
    return policy.decide(ranked, aside=aside), ranked


def brought_by(decision: Decision) -> frozenset[str]:
    """The entries a decision brings: the one it answers with or offers first, and those offered
    beside it (of a logged question's `decided_as_read`: what it brings by itself now, which
    `moved_by_topic` in the chat compares a follow-up's with)."""
    best = {decision.best.faq_id} if decision.best is not None else set()
    return frozenset(best | {m.faq_id for m in decision.suggestions})


def as_the_chat_reads(question: str, searcher: Searcher) -> str:
    """A logged question as the chat ranked it: all of it (`focus` bounds it), language from its
    start (`reading`)."""
    whole = without_placeholders(question).strip() or "?"
    return reading(whole, detect_language(whole[:GROUP_CHARS]), searcher)


def marked_among(examples: Sequence[tuple[str, int]], searcher: Searcher, policy: Policy) -> dict[str, Any]:
    """A group's `aside_by` (of its first question) and `asides` (of each shown): nothing to rank
    when no question is marked."""
    if searcher.marked is None:
        return {}
    asides = tuple((q, mark) for q, _ in examples if (mark := marked_by(q, searcher, policy)))
    first = asides[0][1] if asides and asides[0][0] == examples[0][0] else ""
    return {"aside_by": first, "asides": asides}


def marked_by(question: str, searcher: Searcher, policy: Policy) -> str:
    """The question staff marked as off-topic that sends a logged question to the helpdesk now
    (`Searcher.set_aside`) where the bot would answer it or offer choices without the marks; ""
    when none does (a question under the threshold goes to the helpdesk by itself: a walk-through
    saw marks named for such)."""
    aside = set_aside_from(question, searcher, policy)
    return aside[0] if aside else ""


def set_aside_from(question: str, searcher: Searcher, policy: Policy) -> tuple[str, str] | None:
    """(the marked question, the entry ranked first) when a mark sends a logged question to the
    helpdesk that the bot would answer or offer choices for without the marks; else None."""
    if searcher.marked is None:
        return None
    read = as_the_chat_reads(question, searcher)
    ranked = searcher.rank(read)
    if not ranked or policy.decide(ranked).kind == ReplyKind.HELPDESK or not searcher.set_aside(read, ranked[0].faq_id):
        return None
    near = searcher.nearest_marked(read)
    return (near[0], ranked[0].faq_id) if near else None


def kept_away(rows: Sequence[LoggedQuestion], searcher: Searcher, policy: Policy, faq_id: str) -> list[tuple[str, str]]:
    """Customers' questions (the CAUGHT_CHECKED newest different ones of any reply) that the bot
    would answer with entry `faq_id` (or offer it first) were it not for a mark, each with the
    mark: for the entry's save, so that an entry written after a mark on a nearby topic says which
    marks keep its customers away (a walk-through's theft mark sent "Tvättar ni min bil?" from a
    later car-wash entry to the helpdesk, which neither page said)."""
    if searcher.marked is None:
        return []
    searcher = remembering(searcher)
    found = [(row.question, set_aside_from(row.question, searcher, policy)) for row in newest_different(rows)]
    # the marked question itself is the mark at work, which the entry's page explains (a walk-through
    # found the save naming "”Hur ofta tvättar ni bilen?”, av ”Hur ofta tvättar ni bilen?”" to take off)
    return [
        (q, aside[0])
        for q, aside in found
        if aside is not None and aside[1] == faq_id and normalize_question(q) != normalize_question(aside[0])
    ]


def newly_answered(rows: Sequence[LoggedQuestion], searcher: Searcher, policy: Policy, faq_id: str) -> list[str]:
    """Customers' questions that went to the helpdesk or were offered choices (the CAUGHT_CHECKED
    newest different ones) that the bot now answers with entry `faq_id`: for an entry's save or
    creation, so staff see what it took over (a walk-through's new gift-card entry answered "Säljer
    ni tandkräm?", a listed helpdesk question, which left Att granska without a word)."""
    searcher = remembering(searcher)
    unanswered = newest_different(rows, lambda r: r.kind in (ReplyKind.HELPDESK, ReplyKind.CHOICES))
    return [r.question for r in unanswered if answered_as_read(r.question, searcher, policy)[0] == faq_id]


def newest_different(rows: Sequence[LoggedQuestion], keep: Callable[[LoggedQuestion], bool] = bool) -> list:
    """The newest row of each different question (normalised) that `keep` takes, newest first,
    at most CAUGHT_CHECKED: what the checks of marks against the log read."""
    newest: dict[str, LoggedQuestion] = {}
    for row in reversed(rows):
        if keep(row):
            newest.setdefault(normalize_question(row.question), row)
            if len(newest) == CAUGHT_CHECKED:
                break
    return list(newest.values())


def remembering(searcher: Searcher) -> Searcher:
    """`searcher`, each question's vector kept for the next call on it (rank, set_aside and
    nearest_marked embed the same reading of a question)."""
    return searcher.embedding_with(RememberingEmbedder(searcher.embedder, 4))


def caught_by(
    rows: Sequence[LoggedQuestion], searcher: Searcher, policy: Policy, marked: Sequence[str]
) -> list[tuple[str, str, bool]]:
    """Customers' questions the bot answered or offered choices for (the CAUGHT_CHECKED newest
    different ones) that the questions just `marked` as off-topic send to the helpdesk now, each
    with the entry that answered it (or came first among the choices) and whether it was answered:
    what a mark catches besides itself, for staff to see when they mark (found by a walk-through:
    marking "Kan ni skydda min bil mot stöld?" also sent "How often do you wash the car?" to the
    helpdesk, without a word; and a later one: marking "Blir tänderna vita av blekning?" took the
    choices from "Hur vita blir tänderna av blekning?"). `searcher`: the index with the marks in it."""
    keys = {normalize_question(t) for t in marked}
    searcher = remembering(searcher)

    def reached(row: LoggedQuestion) -> bool:  # answered or offered choices, and not the marked question itself
        return (
            row.kind == ReplyKind.ANSWER
            and bool(row.faq_id)
            or row.kind == ReplyKind.CHOICES
            and bool(row.candidate_id)
        ) and normalize_question(as_marked(row.question)) not in keys

    return [
        (row.question, row.faq_id or row.candidate_id or "", row.kind == ReplyKind.ANSWER)
        for row in newest_different(rows, reached)
        if normalize_question(marked_by(row.question, searcher, policy)) in keys
    ]


def askers_of(questions: list[str], clients: Sequence[str | None] | None) -> dict[str, set[object]]:
    """Who asked each different question (normalised): the clients' pseudonyms, and for a row of
    no known client its position (each such row one asker)."""
    askers: dict[str, set[object]] = defaultdict(set)
    for n, q in enumerate(questions):
        client = clients[n] if clients is not None else None
        askers[normalize_question(q) or q].add(client if client is not None else n)
    return askers


def most_asked(
    questions: list[str], clients: Sequence[str | None] | None, askers: dict[str, set[object]] | None = None
) -> tuple[list[str], Counter[str], list[str]]:
    """The MAX_GROUPED different questions (normalised) asked by the most different clients, then
    (of one client each) each client's most asked before any client's next, then the most often,
    first asked first among equals; how often each was asked (in the order first asked); and each
    one's most common spelling. `askers`: `askers_of(questions, clients)`, when the caller has it."""
    counts: Counter[str] = Counter()
    askers = askers if askers is not None else askers_of(questions, clients)
    spelling: dict[str, Counter[str]] = {}
    for q in questions:
        key = normalize_question(q) or q
        counts[key] += 1
        spelling.setdefault(key, Counter())[q] += 1
    # Among questions of one client each, every client's most asked comes before anyone's second:
    # a client asking each of 3,000 made-up questions twice outranked customers who asked once.
    own: dict[object, list[str]] = defaultdict(list)
    for k in counts:  # first asked first
        if len(askers[k]) == 1:
            own[next(iter(askers[k]))].append(k)
    turn = {k: n for keys in own.values() for n, k in enumerate(sorted(keys, key=lambda k: -counts[k]))}
    keys = sorted(counts, key=lambda k: (-len(askers[k]), turn.get(k, 0), -counts[k]))[:MAX_GROUPED]
    return keys, counts, [spelling[k].most_common(1)[0][0] for k in keys]


def group_unanswered(
    questions: list[str],
    searcher: Searcher,
    embedder: Embedder,
    policy: Policy,
    clients: Sequence[str | None] | None = None,
    progress: Callable[[int, int], None] = lambda _read, _total: None,
) -> list[Group]:
    """The unanswered questions grouped by meaning, the group most clients asked first;
    `progress(read, total)` is told after each batch of different questions embedded.

    Past MAX_GROUPED different questions, those asked by the most different `clients` (the
    pseudonym of who asked each question; None: unknown, each one counted apart) are grouped,
    then the most asked: one client repeating thousands of made-up questions cannot push the
    questions of other customers off the list (tests/attack/test_review_flood_attacks.py).
    """
    askers = askers_of(questions, clients)
    keys, counts, texts = most_asked(questions, clients, askers)
    if not keys:
        return []
    first = {key: n for n, key in enumerate(counts)}  # counts keeps the order first asked
    vectors = grouping_vectors(texts, embedder, progress)
    groups = []
    for rows in cluster(vectors, [counts[k] for k in keys], group_cosine(embedder)):
        # the question most *clients* asked heads the group (its headline), then the first asked: by
        # times asked, one client's repeats headed customers' questions (found by a red-team helper)
        rows = sorted(rows, key=lambda i: (-len(askers[keys[i]]), first[keys[i]]))
        examples = [(texts[i], counts[keys[i]]) for i in rows]
        who = set().union(*(askers[keys[i]] for i in rows))
        nearest_id, nearest_question, score, agreed, answered, answered_now = nearest_entry(
            examples[:NEAREST_SAMPLE], searcher, policy
        )
        if answered:
            action = "answered-now"  # the FAQ was edited since these were asked: the bot answers them now
            shown = [q for q, _ in examples[NEAREST_SAMPLE:MAX_EXAMPLES]]  # which of the rest too (learn: the others)
            answered_now += tuple(q for q in shown if answered_as_read(q, searcher, policy)[0])
        elif agreed and score >= policy.threshold - NEAR_MARGIN:
            action = "add-alternatives"
        else:
            action = "new-entry"
        groups.append(
            Group(
                count=sum(n for _, n in examples),
                examples=examples[:MAX_EXAMPLES],
                nearest_id=nearest_id,
                nearest_question=nearest_question,
                nearest_score=score,
                action=action,
                answered=answered_now,
                questions=len(examples),
                clients=len(who),
                **marked_among(examples[:MAX_EXAMPLES], searcher, policy),
            )
        )
    # Asked by the most clients first, then the most asked (one client asking made-up questions
    # over and over pushed real customers' groups down); among equals near misses (quick wins)
    # first, already answered ones last.
    groups.sort(key=lambda g: (-g.clients, -g.count, g.action == "answered-now", -g.nearest_score, g.examples[0][0]))
    return groups


def grouping_vectors(texts: list[str], embedder: Embedder, progress: Callable[[int, int], None]) -> np.ndarray:
    """The questions' vectors as they are grouped (`as_grouped`, each language's offset taken
    out), embedded EMBED_BATCH at a time, `progress` told after each batch."""
    matched = [as_grouped(t) for t in texts]
    batches = []
    for start in range(0, len(texts), EMBED_BATCH):
        batches.append(embedder.embed_queries(matched[start : start + EMBED_BATCH]))
        progress(min(start + EMBED_BATCH, len(texts)), len(texts))
    return language_neutral(np.concatenate(batches), matched, embedder)


def nearest_entry(
    examples: list[tuple[str, int]], searcher: Searcher, policy: Policy
) -> tuple[str | None, str | None, float, bool, bool, tuple[str, ...]]:
    """The entry the current index ranks first for most of these (question, times asked).

    Returns (id, question, its mean score over the examples, whether it is first for at
    least half of the questions, whether the bot's policy now answers at least half of them
    with it, the questions it now answers with any entry); the fourth is what makes "add
    alternatives" a fair hint.
    """
    firsts: Counter[str] = Counter()
    answers: Counter[str] = Counter()
    scores: dict[str, float] = {}
    titles: dict[str, str] = {}
    asked = sum(n for _, n in examples)
    answered_now = []
    for question, times in examples:
        answer, ranked = answered_as_read(question, searcher, policy)
        if not ranked:
            continue
        firsts[ranked[0].faq_id] += times
        answers[answer or ""] += times
        if answer:
            answered_now.append(question)
        for match in ranked:
            scores[match.faq_id] = scores.get(match.faq_id, 0.0) + match.score * times / asked
            titles[match.faq_id] = match.faq_question
    if not firsts:
        return None, None, 0.0, False, False, ()
    faq_id = max(firsts, key=lambda i: (firsts[i], scores[i]))
    agreed, answered = 2 * firsts[faq_id] >= asked, 2 * answers[faq_id] >= asked
    return faq_id, titles[faq_id], float(scores[faq_id]), agreed, answered, tuple(answered_now)


def summarise(
    rows: list[LoggedQuestion],
    searcher: Searcher,
    embedder: Embedder,
    policy: Policy,
    log_path: str = "",
    since_days: float | None = None,
) -> Report:
    """The report on these log rows, against the FAQ in the searcher's index."""
    asked = questions_asked(rows)  # a picked choice is its question's outcome, not a question of its own
    helpdesk = [a.row for a in asked if a.helpdesk]
    # a question staff marked as about something else is not one for a new entry (a walk-through:
    # `--suggest` wrote an entry for the weather question staff had just marked)
    marked = {normalize_question(text) for text in getattr(searcher.index, "marked_texts", None) or ()}
    to_group = [r for r in helpdesk if normalize_question(as_marked(r.question)) not in marked]
    answers = [r for r in rows if r.kind in QUESTION_KINDS and r.resolved and r.faq_id]  # picks too
    asked_as = {r.reply_id: r.question for r in rows if r.reply_id}
    per_entry = entry_feedback(answers, {e.id: e.question for e in searcher.entries}, asked_as)
    disliked = sorted(
        (f for f in per_entry.values() if f.disliked), key=lambda f: (-f.disliked, f.liked - f.disliked, f.faq_id)
    )
    most_used = sorted(per_entry.values(), key=lambda f: (-f.answered, f.faq_id))

    return Report(
        log_path=log_path,
        since_days=since_days,
        first=rows[0].created_at.isoformat(timespec="seconds") if rows else None,
        last=rows[-1].created_at.isoformat(timespec="seconds") if rows else None,
        questions=len(asked),
        small_talk=sum(r.kind not in QUESTION_KINDS for r in rows),
        resolved=sum(a.answered for a in asked),
        unanswered=len(helpdesk),
        errors=sum(a.row.kind == ReplyKind.ERROR for a in asked),
        choices=sum(a.choices for a in asked),
        liked=sum(r.feedback == 1 for r in rows),
        disliked=sum(r.feedback == -1 for r in rows),
        disliked_helpdesk=sum(r.feedback == -1 for r in helpdesk),
        threshold=policy.threshold,
        index_versions=Counter(a.row.index_version for a in asked).most_common(),
        groups=group_unanswered(
            [r.question for r in to_group], searcher, embedder, policy, [r.client for r in to_group]
        ),
        marked_off_topic=len(helpdesk) - len(to_group),
        disliked_entries=disliked,
        never_matched=[(e.id, e.question) for e in searcher.entries if e.id not in per_entry],
        days=per_period(rows, "day"),
        weeks=per_period(rows, "week") if unit_for([a.row for a in asked]) == "week" else [],
        most_used=most_used,
    )


def entry_feedback(
    answered: list[LoggedQuestion], titles: dict[str, str], asked: Mapping[str, str] | None = None
) -> dict[str, EntryFeedback]:
    """Per entry answered with: how often, and the customers' 👍/👎 (with a few 👎 questions).
    `asked`: the questions of the log's rows by reply id, so that a 👎 on an entry picked among
    choices shows what the customer asked, not the button's words (a walk-through: the report
    showed the FAQ's own question as the customer's)."""
    asked = asked or {}
    per_entry: dict[str, EntryFeedback] = {}
    for r in answered:
        faq_id = str(r.faq_id)
        fb = per_entry.setdefault(
            faq_id, EntryFeedback(faq_id, titles.get(faq_id, "(no longer in the FAQ)"), 0, 0, 0, [])
        )
        fb.answered += 1
        if r.feedback == 1:
            fb.liked += 1
        elif r.feedback == -1:
            fb.disliked += 1
            question = asked.get(r.answer_to, r.question) if r.answer_to else r.question
            if question not in fb.disliked_examples and len(fb.disliked_examples) < 3:
                fb.disliked_examples.append(question)
    return per_entry


def build(log_path: str | Path, bot, since_days: float | None = None) -> Report:
    """Read the log at `log_path`, a SQLite file or a postgresql:// URL (deleting rows past retention),
    and report against `bot`'s index."""
    log = open_existing_log(log_path, bot.config.retention_days)
    try:
        rows = log.questions(since_days)
    finally:
        log.close()
    return summarise(rows, bot.searcher, bot.embedder, bot.policy, shown(log_path), since_days)
