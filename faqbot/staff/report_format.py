"""`faqbot report` for people: the text report, ready-to-paste FAQ suggestions, an HTML page.

The report itself (the grouping of unanswered questions, the figures) is `faqbot/staff/report.py`;
this module only presents it.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from pathlib import Path

import yaml

from faqbot.conversations.privacy import PLACEHOLDERS
from faqbot.faq.model import Faq, normalize_question
from faqbot.retrieval.search import STOPWORDS, fold
from faqbot.staff import report as analysis  # for MAX_GROUPED, read when printing rather than copied at import
from faqbot.staff.chart import trend_svg
from faqbot.staff.report import Group, Report
from faqbot.staff.trends import Period, staff_day

TREND_COLUMNS = ("questions", "answered", "helpdesk", "choices", "👎")


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f} %" if whole else "-"


def trend_cells(p: Period) -> list[str]:
    """One row of the trend table: the count, then the four shares."""
    shares = (p.answered, p.helpdesk, p.choices, p.disliked)
    return [str(p.questions)] + [percent(n, p.questions) if p.questions else "" for n in shares]


def trend_table(report: Report) -> list[str]:
    """The trend as a small text table (per day, or per week when the log spans over three weeks)."""
    periods = report.trend
    if not periods:
        return []
    unit = "week" if report.weeks else "day"
    lines = [
        "",
        f"Per {unit} (Swedish time){' ' * (5 if unit == 'week' else 10)}" + "".join(f"{c:>10}" for c in TREND_COLUMNS),
    ]
    lines += [f"  {p.label:<29}" + "".join(f"{c:>10}" for c in trend_cells(p)) for p in periods]
    return lines


def answers(count: int) -> str:
    return f"{count} answer" if count == 1 else f"{count} answers"


def id_width(ids: list[str]) -> int:
    """The id column's width: 18, or the longest id shown (imported ids are up to 40 characters)."""
    return max([18, *map(len, ids)])


def most_used_lines(report: Report, top: int) -> list[str]:
    lines = ["", "Most used entries"]
    shown = report.most_used[:top]
    width = id_width([f.faq_id for f in shown])
    for f in shown:
        lines.append(
            f"  {f.faq_id:{width}} {answers(f.answered):>13} {f.liked:3d} 👍 {f.disliked:3d} 👎   {f.faq_question}"
        )
    return lines + ([] if report.most_used else ["  none"])


def disliked_lines(report: Report, top: int) -> list[str]:
    lines = ["", "Entries customers marked 👎"]
    width = id_width([f.faq_id for f in report.disliked_entries[:top]])
    for f in report.disliked_entries[:top]:
        lines.append(
            f"  {f.faq_id:{width}} {f.disliked:3d} 👎 {f.liked:3d} 👍  of {answers(f.answered)}"
            f'   e.g. "{f.disliked_examples[0]}"'
        )
    return lines + ([] if report.disliked_entries else ["  none"])


def group_advice(g: Group) -> str:
    if g.action == "answered-now":
        return f"answered now by '{g.nearest_id}' (score {g.nearest_score:.2f}); the FAQ changed since"
    if g.action == "add-alternatives":
        return (
            f"nearly answered by '{g.nearest_id}' (score {g.nearest_score:.2f}): add as alternatives if its answer fits"
        )
    return f"new entry? (nearest: '{g.nearest_id}', score {g.nearest_score:.2f})"


def span(report: Report) -> str:
    """ " (2026-12-01 to 2026-12-05)": the Swedish days of the first and last question, or "" for none."""
    if not report.first or not report.last:
        return ""
    first, last = (staff_day(datetime.fromisoformat(moment)) for moment in (report.first, report.last))
    return f" ({first} to {last})"


def format_report(report: Report, top: int = 10) -> str:
    """The report for people."""
    period = f"the last {report.since_days:g} days" if report.since_days else "everything in the log"
    lines = [f"Conversation log {report.log_path}: {period}"]
    lines[0] += span(report)
    q = report.questions
    lines += [
        f"  questions          {q:6d}"
        + (f"   (and {report.small_talk} greetings/thanks)" if report.small_talk else ""),
        f"  answered from FAQ  {report.resolved:6d}   {percent(report.resolved, q)}",
        f"  sent to helpdesk   {report.unanswered:6d}   {percent(report.unanswered, q)}",
        f"  offered choices    {report.choices:6d}   {percent(report.choices, q)}   (as the reply, or under an answer or helpdesk reply)",
    ]
    if report.errors:
        lines.append(f"  errors             {report.errors:6d}   (the bot failed; see the app's log)")
    lines.append(
        f"  feedback           {report.liked:6d} 👍 {report.disliked:4d} 👎"
        + (f"   ({report.disliked_helpdesk} 👎 on helpdesk replies)" if report.disliked_helpdesk else "")
    )
    if len(report.index_versions) > 1:
        lines.append(
            f"  answered by {len(report.index_versions)} versions of the index; the FAQ changed in this period"
        )
    lines += trend_table(report) + most_used_lines(report, top)

    singles = sum(1 for g in report.groups if g.count == 1)
    lines += [
        "",
        f"Unanswered questions by meaning: {report.unanswered} questions in {len(report.groups)} groups"
        f" ({singles} asked once), those the most customers asked first",
    ]
    for number, g in enumerate(report.groups[:top], 1):
        lines.append(f"{number:3d}. {g.count} × {group_advice(g)}")
        for text, times in g.examples[:4]:
            lines.append(f'       "{text}"' + (f"  ×{times}" if times > 1 else ""))
    if len(report.groups) > top:
        rest = report.groups[top:]
        lines.append(f"     ... {len(rest)} more groups, {sum(g.count for g in rest)} questions (--top N, --json)")
    if not report.groups:
        lines.append("     none")
    if report.marked_off_topic:
        lines.append(f"     ({report.marked_off_topic} marked by staff as about something else are left out)")
    ungrouped = report.unanswered - report.marked_off_topic - sum(g.count for g in report.groups)
    if ungrouped:
        lines.append(
            f"     ({ungrouped} of the least asked questions were not grouped: over {analysis.MAX_GROUPED} different ones)"
        )

    lines += disliked_lines(report, top)

    lines += ["", "Entries never matched" + (f" in {period}" if report.since_days else "")]
    width = id_width([faq_id for faq_id, _ in report.never_matched])
    lines += [f"  {faq_id:{width}} {question}" for faq_id, question in report.never_matched] or ["  none"]
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


def suggestable(groups: list[Group], known: set[str]) -> list[tuple[Group, list[str]]]:
    """The groups `--suggest` writes something for, each with the texts it would write: not a group
    the bot answers now, nor one whose questions are all in the FAQ already."""
    found = []
    for g in groups:
        texts = [q for q, _ in g.examples if normalize_question(q) not in known]
        clean = [q for q in texts if not any(p in q for p in PLACEHOLDERS)]
        texts = clean or texts  # masked personal data makes a poor alternative
        if texts and g.action != "answered-now":
            found.append((g, texts))
    return found


def suggest_yaml(report: Report, faq: Faq, top: int = 10) -> str:
    """Ready-to-paste FAQ YAML for the top groups, for a person to review; writes nothing."""
    known = faq.question_keys()
    lines_of = {e.id: e.line for e in faq.entries}
    taken = {e.id for e in faq.entries}
    out = [
        f"# Suggestions from `faqbot report --suggest` ({datetime.now(UTC):%Y-%m-%d}), for {faq.path}.",
        "# Review each one: nothing is in the FAQ until a person pastes it there and runs `faqbot index`.",
    ]
    # the top groups with something to suggest, numbered as printed (a walk-through: `--top 4`
    # printed "# 1." and "# 3.", the groups the bot answers now taking the other places)
    for number, (g, texts) in enumerate(suggestable(report.groups, known)[:top], 1):
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
            nearest = (
                f"nearest entry '{g.nearest_id}' (score {g.nearest_score:.2f})" if g.nearest_id else "no entry is near"
            )
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


def html_table(head: list[str], rows: list[list[str]]) -> str:
    """A plain table; the cells are HTML already."""
    header = "".join(f"<th>{h}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="figures"><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>'


def html_trend(report: Report) -> str:
    """The chart and, below it, the same figures as a table."""
    unit = "week" if report.weeks else "day"
    rows = [[html.escape(p.label), *trend_cells(p)] for p in report.trend]
    head = [f"{unit} (Swedish time)", "questions", "answered", "helpdesk", "choices", "thumbs down"]
    return trend_svg(report.trend) + (html_table(head, rows) if rows else "")


def html_most_used(report: Report, top: int) -> str:
    e = html.escape
    rows = [
        [f"<b>{e(f.faq_id)}</b> {e(f.faq_question)}", str(f.answered), str(f.liked), str(f.disliked)]
        for f in report.most_used[:top]
    ]
    return html_table(["entry", "answers", "thumbs up", "thumbs down"], rows) if rows else "<p>none</p>"


def html_groups(report: Report, top: int) -> str:
    e = html.escape
    groups = report.groups[:top]
    widest = max((g.count for g in groups), default=1)
    return "\n".join(
        f'<tr><td class="n">{g.count}</td><td class="bar"><div style="width:{100 * g.count / widest:.1f}%"></div></td>'
        f"<td>{e(g.examples[0][0])}<br><small>{e(group_advice(g))}"
        + (f"; also: {e(' · '.join(q for q, _ in g.examples[1:4]))}" if len(g.examples) > 1 else "")
        + "</small></td></tr>"
        for g in groups
    )


STYLE = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; color: #222; }
table { border-collapse: collapse; width: 100%; } td, th { padding: .3rem .5rem; vertical-align: top; }
td.n { text-align: right; width: 3rem; font-weight: bold; } td.bar { width: 35%; }
td.bar div { background: #3b6ea5; height: 1.2rem; } small { color: #555; }
table.figures { width: auto; margin: 1rem 0; font-variant-numeric: tabular-nums; }
table.figures th { text-align: left; border-bottom: 1px solid #999; }
table.figures td + td, table.figures th + th { text-align: right; }
table.figures tr:nth-child(even) { background: #f3f5f7; }
"""


def write_html(report: Report, path: str | Path, top: int = 15) -> None:
    """A self-contained HTML page: the figures, the trend chart, the most used entries, the top groups."""
    e = html.escape
    disliked = (
        "".join(
            f"<li><b>{e(f.faq_id)}</b>: {f.disliked} thumbs down, {f.liked} thumbs up of {answers(f.answered)}</li>"
            for f in report.disliked_entries
        )
        or "<li>none</li>"
    )
    never = "".join(f"<li><b>{e(i)}</b>: {e(q)}</li>" for i, q in report.never_matched) or "<li>none</li>"
    period = f"the last {report.since_days:g} days" if report.since_days else "everything in the log"
    days = span(report)
    q = report.questions
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>faqbot report</title>
<style>{STYLE}</style></head><body>
<h1>faqbot report: what customers asked, and what the FAQ could not answer</h1>
<p>{e(report.log_path)}, {e(period)}{e(days)}: {q} questions, {report.resolved} answered from the FAQ
({percent(report.resolved, q)}), {report.unanswered} sent to the helpdesk ({percent(report.unanswered, q)}),
{report.choices} offered choices ({percent(report.choices, q)}); {report.liked} thumbs up, {report.disliked} thumbs down.</p>
<h2>Trend</h2>
{html_trend(report)}
<h2>Most used entries</h2>
{html_most_used(report, top)}
<h2>Top {min(top, len(report.groups))} of {len(report.groups)} groups of unanswered questions</h2>
<table>{html_groups(report, top)}</table>
<h2>Entries customers gave a thumbs down</h2><ul>{disliked}</ul>
<h2>Entries never matched</h2><ul>{never}</ul>
</body></html>
"""
    Path(path).write_text(page, encoding="utf-8")
