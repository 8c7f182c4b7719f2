"""`faqbot report`: what customers asked that the FAQ could not answer, read from the conversation log.

    report = build(Path("data/conversations.db"), bot, since_days=30)
    print(format_report(report))        # for people;  report.to_dict() for --json
    print(suggest_yaml(report))         # FAQ work for staff to review and paste
    write_html(report, "report.html")   # the same, with a bar chart of the top groups

Unanswered questions are grouped by meaning: identical questions are merged, the rest are
embedded with the bot's own model and clustered by average-linkage on cosine similarity (a
group keeps merging while its members are, on average, at least GROUP_SIMILARITY alike, on
the same 0-1 scale as the searcher's dense score: the model's similarity band spread out).
Each group gets the nearest existing entry, as the current index ranks it: when the bot
nearly answered with that entry, the suggestion is to add the questions as its alternatives,
otherwise to write a new entry; a group that the FAQ answers now (it was edited since) is
marked so. Either way a person decides; nothing here writes the FAQ.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import yaml

from .embedding import Embedder
from .errors import FaqbotError
from .faq import Faq, normalize_question
from .log import ConversationLog, LoggedQuestion
from .privacy import PLACEHOLDERS
from .search import STOPWORDS, Searcher, fold

QUESTION_KINDS = ("answer", "helpdesk", "error")  # greetings and thanks are small talk
GROUP_SIMILARITY = 0.47  # within the model's band; 0.87 cosine for e5, chosen by reading the test set's groups
E5_BAND = (0.80, 0.95)  # for an embedder that does not say its similarity_range
NEAR_MARGIN = 0.05  # a group this close below the threshold "nearly got" its nearest entry (a tenth of the 0-0.5 band where unanswerable questions score)
NEAREST_SAMPLE = 5  # questions per group ranked against the index
MAX_GROUPED = 3000  # distinct unanswered questions clustered (most asked first)
EMBED_BATCH = 64
MAX_EXAMPLES = 8  # per group, in the report and in a suggestion (the FAQ asks for 4-8)


@dataclass
class Group:
    """Unanswered questions that mean about the same, and the entry nearest to them."""

    count: int  # times asked, repeats included
    examples: list[tuple[str, int]]  # (question, times asked), most asked first
    nearest_id: str | None
    nearest_question: str | None
    nearest_score: float
    action: str  # "add-alternatives" (to nearest_id), "new-entry", or "answered-now" (the FAQ changed since)


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

    @property
    def resolved_share(self) -> float:
        return self.resolved / self.questions if self.questions else 0.0

    def to_dict(self) -> dict:
        data = asdict(self)
        data["resolved_share"] = round(self.resolved_share, 4)
        data["groups"] = [
            {**asdict(g), "examples": [{"question": q, "count": n} for q, n in g.examples],
             "nearest_score": round(g.nearest_score, 4)}
            for g in self.groups
        ]
        data["index_versions"] = [{"version": v, "count": n} for v, n in self.index_versions]
        data["never_matched"] = [{"faq_id": i, "faq_question": q} for i, q in self.never_matched]
        return data


def group_cosine(embedder: Embedder) -> float:
    """GROUP_SIMILARITY as a cosine similarity of this embedder's vectors."""
    floor, ceiling = getattr(embedder, "similarity_range", E5_BAND)
    return floor + GROUP_SIMILARITY * (ceiling - floor)


def cluster(vectors: np.ndarray, weights: list[int], similarity: float) -> list[list[int]]:
    """Average-linkage clustering of unit vectors at a cosine `similarity`; returns groups of row numbers.

    Each row stands for `weights[i]` identical questions. Every row keeps its most similar
    other group, so a merge costs O(n) instead of a scan of the whole matrix.
    """
    n = len(vectors)
    if n == 0:
        return []
    size = np.asarray(weights, dtype=np.float64)
    total = (vectors @ vectors.T).astype(np.float64) * np.outer(size, size)  # summed pair similarities
    active = np.ones(n, dtype=bool)
    members = [[i] for i in range(n)]

    def row_average(rows: np.ndarray) -> np.ndarray:
        avg = total[rows] / np.outer(size[rows], size)
        avg[:, ~active] = -np.inf
        avg[np.arange(len(rows)), rows] = -np.inf
        return avg

    best = row_average(np.arange(n))
    best_j = best.argmax(axis=1)
    best_v = best[np.arange(n), best_j]
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


def group_unanswered(questions: list[str], searcher: Searcher, embedder: Embedder, threshold: float) -> list[Group]:
    """The unanswered questions grouped by meaning, most asked group first."""
    counts: Counter[str] = Counter()
    spelling: dict[str, Counter[str]] = {}
    for q in questions:
        key = normalize_question(q) or q
        counts[key] += 1
        spelling.setdefault(key, Counter())[q] += 1
    keys = [k for k, _ in counts.most_common(MAX_GROUPED)]
    if not keys:
        return []
    texts = [spelling[k].most_common(1)[0][0] for k in keys]
    vectors = np.concatenate([
        embedder.embed_queries([without_placeholders(t) for t in texts[start : start + EMBED_BATCH]])
        for start in range(0, len(texts), EMBED_BATCH)
    ])
    groups = []
    for rows in cluster(vectors, [counts[k] for k in keys], group_cosine(embedder)):
        examples = sorted(((texts[i], counts[keys[i]]) for i in rows), key=lambda e: -e[1])
        nearest_id, nearest_question, score, agreed = nearest_entry(examples[:NEAREST_SAMPLE], searcher)
        if agreed and score >= threshold:
            action = "answered-now"  # the FAQ was edited since these were asked
        elif agreed and score >= threshold - NEAR_MARGIN:
            action = "add-alternatives"
        else:
            action = "new-entry"
        groups.append(Group(
            count=sum(n for _, n in examples),
            examples=examples[:MAX_EXAMPLES],
            nearest_id=nearest_id,
            nearest_question=nearest_question,
            nearest_score=score,
            action=action,
        ))
    # Most asked first; among equals near misses (quick wins) first, already answered ones last.
    groups.sort(key=lambda g: (-g.count, g.action == "answered-now", -g.nearest_score, g.examples[0][0]))
    return groups


def nearest_entry(examples: list[tuple[str, int]], searcher: Searcher) -> tuple[str | None, str | None, float, bool]:
    """The entry the current index ranks first for most of these (question, times asked).

    Returns (id, question, its mean score over the examples, whether it is first for at
    least half of the questions); the last is what makes "add alternatives" a fair hint.
    """
    firsts: Counter[str] = Counter()
    scores: Counter[str] = Counter()
    titles: dict[str, str] = {}
    asked = sum(n for _, n in examples)
    for question, times in examples:
        ranked = searcher.rank(without_placeholders(question))
        if not ranked:
            continue
        firsts[ranked[0].faq_id] += times
        for match in ranked:
            scores[match.faq_id] += match.score * times / asked
            titles[match.faq_id] = match.faq_question
    if not firsts:
        return None, None, 0.0, False
    faq_id = max(firsts, key=lambda i: (firsts[i], scores[i]))
    return faq_id, titles[faq_id], float(scores[faq_id]), 2 * firsts[faq_id] >= asked


def summarise(
    rows: list[LoggedQuestion], searcher: Searcher, embedder: Embedder, threshold: float,
    log_path: str = "", since_days: float | None = None,
) -> Report:
    """The report on these log rows, against the FAQ in the searcher's index."""
    asked = [r for r in rows if r.kind in QUESTION_KINDS]
    helpdesk = [r for r in asked if r.kind == "helpdesk"]
    answered = [r for r in asked if r.resolved and r.faq_id]
    titles = {e.id: e.question for e in searcher.entries}

    per_entry: dict[str, EntryFeedback] = {}
    for r in answered:
        fb = per_entry.setdefault(r.faq_id, EntryFeedback(r.faq_id, titles.get(r.faq_id, "(no longer in the FAQ)"), 0, 0, 0, []))  # type: ignore[arg-type]
        fb.answered += 1
        if r.feedback == 1:
            fb.liked += 1
        elif r.feedback == -1:
            fb.disliked += 1
            if r.question not in fb.disliked_examples and len(fb.disliked_examples) < 3:
                fb.disliked_examples.append(r.question)
    disliked = sorted((f for f in per_entry.values() if f.disliked),
                      key=lambda f: (-f.disliked, f.liked - f.disliked, f.faq_id))

    return Report(
        log_path=log_path,
        since_days=since_days,
        first=rows[0].created_at.isoformat(timespec="seconds") if rows else None,
        last=rows[-1].created_at.isoformat(timespec="seconds") if rows else None,
        questions=len(asked),
        small_talk=len(rows) - len(asked),
        resolved=len(answered),
        unanswered=len(helpdesk),
        errors=sum(r.kind == "error" for r in asked),
        liked=sum(r.feedback == 1 for r in rows),
        disliked=sum(r.feedback == -1 for r in rows),
        disliked_helpdesk=sum(r.feedback == -1 for r in helpdesk),
        threshold=threshold,
        index_versions=Counter(r.index_version for r in asked).most_common(),
        groups=group_unanswered([r.question for r in helpdesk], searcher, embedder, threshold),
        disliked_entries=disliked,
        never_matched=[(e.id, e.question) for e in searcher.entries if e.id not in per_entry],
    )


def build(log_path: str | Path, bot, since_days: float | None = None) -> Report:
    """Read the log at `log_path` (deleting rows past retention) and report against `bot`'s index."""
    path = Path(log_path)
    if not path.is_file():
        raise FaqbotError(
            f"no conversation log at {path}; it fills while the chat app runs with log_enabled: true, "
            "or with: faqbot ask --log"
        )
    with ConversationLog(path, bot.config.retention_days) as log:
        rows = log.questions(since_days)
    return summarise(rows, bot.searcher, bot.embedder, bot.threshold, str(path), since_days)


# -- output ---------------------------------------------------------------------------------


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f} %" if whole else "-"


def group_advice(g: Group) -> str:
    if g.action == "answered-now":
        return f"answered now by '{g.nearest_id}' (score {g.nearest_score:.2f}); the FAQ changed since"
    if g.action == "add-alternatives":
        return f"nearly answered by '{g.nearest_id}' (score {g.nearest_score:.2f}): add as alternatives if its answer fits"
    return f"new entry? (nearest: '{g.nearest_id}', score {g.nearest_score:.2f})"


def format_report(report: Report, top: int = 10) -> str:
    """The report for people."""
    period = f"the last {report.since_days:g} days" if report.since_days else "everything in the log"
    lines = [f"Conversation log {report.log_path}: {period}"]
    if report.first:
        lines[0] += f" ({report.first[:10]} to {report.last[:10]})"  # type: ignore[index]
    q = report.questions
    lines += [
        f"  questions          {q:6d}" + (f"   (and {report.small_talk} greetings/thanks)" if report.small_talk else ""),
        f"  answered from FAQ  {report.resolved:6d}   {percent(report.resolved, q)}",
        f"  sent to helpdesk   {report.unanswered:6d}   {percent(report.unanswered, q)}",
    ]
    if report.errors:
        lines.append(f"  errors             {report.errors:6d}   (the bot failed; see the app's log)")
    lines.append(f"  feedback           {report.liked:6d} 👍 {report.disliked:4d} 👎"
                 + (f"   ({report.disliked_helpdesk} 👎 on helpdesk replies)" if report.disliked_helpdesk else ""))
    if len(report.index_versions) > 1:
        lines.append(f"  answered by {len(report.index_versions)} versions of the index; the FAQ changed in this period")

    singles = sum(1 for g in report.groups if g.count == 1)
    lines += ["", f"Unanswered questions by meaning: {report.unanswered} questions in {len(report.groups)} groups"
              f" ({singles} asked once), most asked first"]
    for number, g in enumerate(report.groups[:top], 1):
        lines.append(f"{number:3d}. {g.count} × {group_advice(g)}")
        for text, times in g.examples[:4]:
            lines.append(f"       \"{text}\"" + (f"  ×{times}" if times > 1 else ""))
    if len(report.groups) > top:
        rest = report.groups[top:]
        lines.append(f"     ... {len(rest)} more groups, {sum(g.count for g in rest)} questions (--top N, --json)")
    if not report.groups:
        lines.append("     none")
    ungrouped = report.unanswered - sum(g.count for g in report.groups)
    if ungrouped:
        lines.append(f"     ({ungrouped} of the least asked questions were not grouped: over {MAX_GROUPED} different ones)")

    lines += ["", "Entries customers marked 👎"]
    for f in report.disliked_entries[:top]:
        lines.append(f"  {f.faq_id:18} {f.disliked:3d} 👎 {f.liked:3d} 👍  of {f.answered} answers"
                     f"   e.g. \"{f.disliked_examples[0]}\"")
    if not report.disliked_entries:
        lines.append("  none")

    lines += ["", "Entries never matched" + (f" in {period}" if report.since_days else "")]
    lines += [f"  {faq_id:18} {question}" for faq_id, question in report.never_matched] or ["  none"]
    return "\n".join(lines)


def yaml_text(text: str) -> str:
    """One YAML scalar on one line, quoted only when it has to be."""
    dumped = yaml.safe_dump(text, allow_unicode=True, default_flow_style=True, width=10_000)
    return dumped.removesuffix("\n").removesuffix("\n...").strip()


def slug(text: str, taken: set[str]) -> str:
    words = [fold(w) for w in re.findall(r"\w+", text.casefold()) if w not in STOPWORDS]
    base = "-".join(re.sub(r"[^a-z0-9]", "", w) for w in words[:4]).strip("-") or "ny-fraga"
    base = re.sub(r"-+", "-", base)
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    taken.add(candidate)
    return candidate


def suggest_yaml(report: Report, faq: Faq, top: int = 10) -> str:
    """Ready-to-paste FAQ YAML for the top groups, for a person to review; writes nothing."""
    known = {normalize_question(t) for e in faq.entries for t in (e.question, *e.alternatives)}
    lines_of = {e.id: e.line for e in faq.entries}
    taken = {e.id for e in faq.entries}
    out = [
        f"# Suggestions from `faqbot report --suggest` ({datetime.now(timezone.utc):%Y-%m-%d}), for {faq.path}.",
        "# Review each one: nothing is in the FAQ until a person pastes it there and runs `faqbot index`.",
    ]
    for number, g in enumerate(report.groups[:top], 1):
        texts = [q for q, _ in g.examples if normalize_question(q) not in known]
        clean = [q for q in texts if not any(p in q for p in PLACEHOLDERS)]
        texts = clean or texts  # masked personal data makes a poor alternative
        if not texts or g.action == "answered-now":
            continue
        out.append("")
        asked = f"{g.count} question{'s' if g.count != 1 else ''}"
        if g.action == "add-alternatives" and g.nearest_id in lines_of:
            out += [
                f"# {number}. {asked}; the bot nearly answered with '{g.nearest_id}' (score {g.nearest_score:.2f},"
                f" threshold {report.threshold:.2f}).",
                f"#    If that answer fits, add these under its 'alternatives:' ({faq.path}, entry on line {lines_of[g.nearest_id]}):",
            ]
            out += [f"      - {yaml_text(q)}" for q in texts]
        else:
            nearest = f"nearest entry '{g.nearest_id}' (score {g.nearest_score:.2f})" if g.nearest_id else "no entry is near"
            out += [
                f"# {number}. {asked}; {nearest}. A new entry: paste it under 'entries:',",
                "#    check the id and the question, and write the answer (`faqbot index` refuses it until then).",
                f"  - id: {slug(texts[0], taken)}",
                f"    question: {yaml_text(texts[0])}",
                "    answer:",
            ]
            if texts[1:]:
                out.append("    alternatives:")
                out += [f"      - {yaml_text(q)}" for q in texts[1:]]
    if len(out) == 2:
        out.append("# Nothing to suggest: every question in this period was answered, or is answered now.")
    return "\n".join(out)


def write_html(report: Report, path: str | Path, top: int = 15) -> None:
    """A self-contained HTML page: the figures and a bar chart of the top groups."""
    e = html.escape
    groups = report.groups[:top]
    widest = max((g.count for g in groups), default=1)
    bars = "\n".join(
        f'<tr><td class="n">{g.count}</td><td class="bar"><div style="width:{100 * g.count / widest:.1f}%"></div></td>'
        f'<td>{e(g.examples[0][0])}<br><small>{e(group_advice(g))}'
        + (f"; also: {e(' · '.join(q for q, _ in g.examples[1:4]))}" if len(g.examples) > 1 else "")
        + "</small></td></tr>"
        for g in groups
    )
    disliked = "".join(f"<li><b>{e(f.faq_id)}</b>: {f.disliked} 👎, {f.liked} 👍 of {f.answered} answers</li>"
                       for f in report.disliked_entries) or "<li>none</li>"
    never = "".join(f"<li><b>{e(i)}</b>: {e(q)}</li>" for i, q in report.never_matched) or "<li>none</li>"
    period = f"the last {report.since_days:g} days" if report.since_days else "everything in the log"
    page = f"""<!doctype html>
<html lang="sv"><head><meta charset="utf-8"><title>faqbot report</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; color: #222; }}
table {{ border-collapse: collapse; width: 100%; }} td {{ padding: .3rem .5rem; vertical-align: top; }}
td.n {{ text-align: right; width: 3rem; font-weight: bold; }} td.bar {{ width: 35%; }}
td.bar div {{ background: #3b6ea5; height: 1.2rem; }} small {{ color: #666; }}
</style></head><body>
<h1>What customers asked that the FAQ could not answer</h1>
<p>{e(report.log_path)}, {e(period)}: {report.questions} questions, {report.resolved} answered from the FAQ
({percent(report.resolved, report.questions)}), {report.unanswered} sent to the helpdesk;
{report.liked} 👍, {report.disliked} 👎.</p>
<h2>Top {len(groups)} of {len(report.groups)} groups of unanswered questions</h2>
<table>{bars}</table>
<h2>Entries customers marked 👎</h2><ul>{disliked}</ul>
<h2>Entries never matched</h2><ul>{never}</ul>
</body></html>
"""
    Path(path).write_text(page, encoding="utf-8")
