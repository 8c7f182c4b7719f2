"""`faqbot report` shows trends: questions per day (or week) and the shares answered, sent to the
helpdesk, offered choices and marked 👎; the most used entries; and one group per question
asked in two languages.

The logs are written through the store's own API with a clock set back, so every row has the
day a test chooses.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from faqbot import FaqBot, Reply, build_index, load_faq
from faqbot.conversations.rows import LogRow
from faqbot.conversations.store import ConversationLog, LoggedQuestion
from faqbot.retrieval.search import Match
from faqbot.staff.report import build, summarise
from faqbot.staff.report_format import format_report, write_html
from faqbot.staff.trends import per_period
from tests.conftest import HELPDESK
from tests.fakes import record

START = (datetime.now(UTC) - timedelta(days=6)).replace(hour=9, minute=0, second=0, microsecond=0)


def reply(kind: str, question: str, faq_id: str = "telefonsupport") -> Reply:
    match = Match(faq_id, f"the question of {faq_id}", "the answer", 0.8, 0.9, 2.0)
    return Reply(question, "sv", kind, "the reply", HELPDESK, match=match, score=0.8 if kind == "answer" else 0.3)


def write_log(path, days: dict[int, list[tuple[str, str, bool | None]]]) -> None:
    """Rows (kind, faq_id, liked) on START + day; each row an hour after the one before."""
    for day, rows in days.items():
        for n, (kind, faq_id, liked) in enumerate(rows):
            moment = START + timedelta(days=day, hours=n)
            with ConversationLog(path, clock=lambda moment=moment: moment) as log:
                row = record(log, reply(kind, f"fråga {day}-{n}", faq_id), 0.36, "index")
                if liked is not None:
                    log.record_feedback(row, liked)


A, H, C = "answer", "helpdesk", "choices"


@pytest.fixture(scope="module")
def three_days(tmp_path_factory, bot):
    """Day 0: 3 answered, 1 helpdesk, a greeting; day 1: nothing; day 2: 2 answered (one 👎), 1 choices, 1 helpdesk."""
    path = tmp_path_factory.mktemp("trends") / "conversations.db"
    write_log(
        path,
        {
            0: [(A, "telefonsupport", True), (A, "telefonsupport", None), (A, "backup", None), (H, "helpdesk", None)]
            + [("greeting", "helpdesk", None)],
            2: [(A, "telefonsupport", False), (A, "backup", None), (C, "debitering", None), (H, "helpdesk", None)],
        },
    )
    return build(path, bot)


def day(offset: int) -> str:
    return (START + timedelta(days=offset)).date().isoformat()


def test_questions_are_counted_per_day_with_quiet_days_shown(three_days):
    assert [p.start for p in three_days.days] == [day(0), day(1), day(2)]
    assert [p.questions for p in three_days.days] == [4, 0, 4]  # the greeting is not a question
    assert three_days.weeks == []  # a week of log is shown per day only


def test_each_day_has_the_shares_answered_helpdesk_choices_and_thumbs_down(three_days):
    first, quiet, last = (p.to_dict() for p in three_days.days)
    assert (first["answered_share"], first["helpdesk_share"], first["choices_share"], first["disliked_share"]) == (
        0.75,
        0.25,
        0.0,
        0.0,
    )
    assert (last["answered_share"], last["helpdesk_share"], last["choices_share"], last["disliked_share"]) == (
        0.5,
        0.25,
        0.25,
        0.25,
    )
    assert quiet["questions"] == 0 and quiet["answered_share"] == 0.0
    assert three_days.choices == 1 and three_days.questions == 8


def test_the_most_used_entries_come_first_with_their_thumbs(three_days):
    used = [(f.faq_id, f.answered, f.liked, f.disliked) for f in three_days.most_used]
    assert used == [("telefonsupport", 3, 1, 1), ("backup", 2, 0, 0)]


def test_the_text_report_has_the_same_figures_as_a_small_table(three_days):
    text = format_report(three_days)
    assert "offered choices         1   12.5 %" in text
    header = next(line for line in text.splitlines() if line.startswith("Per day (Swedish time)"))
    assert header.split()[-5:] == ["questions", "answered", "helpdesk", "choices", "👎"]
    rows = {line.split()[0]: line.split()[1:] for line in text.splitlines() if re.match(r"  \d{4}-\d\d-\d\d ", line)}
    assert rows[day(0)] == ["4", "75.0", "%", "25.0", "%", "0.0", "%", "0.0", "%"]
    assert rows[day(1)] == ["0"]
    assert rows[day(2)] == ["4", "50.0", "%", "25.0", "%", "25.0", "%", "25.0", "%"]
    most_used = text.split("Most used entries")[1].splitlines()[1]
    assert most_used.split()[:3] == ["telefonsupport", "3", "answers"]


def test_the_html_report_draws_the_trend_itself_and_fetches_nothing(three_days, tmp_path):
    page = tmp_path / "report.html"
    write_html(three_days, page)
    text = page.read_text(encoding="utf-8")
    svg = text[text.index("<svg") : text.index("</svg>")]
    assert svg.count("<rect") - 4 == 3  # one bar per day (the other four rects are the legend's)
    assert svg.count("<polyline") == 4  # answered, helpdesk, choices, 👎
    assert "<script" not in text and not re.search(r"(src|href)=\"?https?:", text)
    assert f"<td>{day(2)}</td><td>4</td><td>50.0 %</td>" in text
    # In words, not emoji: a machine without an emoji font drew 👍/👎 as empty boxes (issue 19).
    assert "thumbs down" in text and not re.search("[\U0001f44d\U0001f44e]", text)


def test_days_are_swedish_days(tmp_path, bot):
    """23:30 UTC is half past midnight in Stockholm (summer or winter): the question is the next
    day's, in the table and in the report's first line, as "I dag" on the console counts it."""
    late = (datetime.now(UTC) - timedelta(days=3)).replace(hour=23, minute=30, second=0, microsecond=0)
    path = tmp_path / "conversations.db"
    with ConversationLog(path, clock=lambda: late) as log:
        record(log, reply(A, "Kan jag ringa er?"), 0.36, "index")
    report = build(path, bot)
    swedish_day = (late + timedelta(days=1)).date().isoformat()
    assert [(p.start, p.questions) for p in report.days] == [(swedish_day, 1)]
    text = format_report(report)
    assert f"({swedish_day} to {swedish_day})" in text.splitlines()[0]
    assert re.search(rf"^  {swedish_day} +1 ", text, re.M)


def test_a_log_spanning_more_than_three_weeks_is_also_shown_per_week(tmp_path, bot):
    path = tmp_path / "conversations.db"
    write_log(path, {-30: [(A, "backup", None)], -20: [(H, "helpdesk", None)], 0: [(A, "backup", False)] * 2})
    report = build(path, bot)
    weeks = report.weeks
    assert report.trend is weeks and len(report.days) == 31
    assert all(datetime.fromisoformat(p.start).weekday() == 0 for p in weeks)  # Mondays
    assert sum(p.questions for p in weeks) == 4 and weeks[-1].disliked == 2
    assert re.match(r"v\d+ \d{4}-\d\d-\d\d", weeks[0].label)
    assert "Per week (Swedish time)" in format_report(report)


def logged(question: str, kind: str = "helpdesk") -> LoggedQuestion:
    return LoggedQuestion(1, START, question, "sv", kind, False, None, "helpdesk", 0.2, 0.36, "index", None)


def test_the_same_question_in_swedish_and_english_is_one_group(bot):
    questions = [
        "Var ligger ert kontor?",
        "Where is your office located?",
        "Vad blir det för väder i Stockholm i morgon?",
        "Kan jag köpa en begagnad bil av er?",
    ]
    report = summarise([logged(q) for q in questions], bot.searcher, bot.embedder, bot.policy)
    groups = [sorted(q for q, _ in g.examples) for g in report.groups]
    assert ["Var ligger ert kontor?", "Where is your office located?"] in groups
    assert len(groups) == 3  # the weather and the car stay on their own


LONG_ID = "hur-lang-tid-tar-det-att-bygga-en-hemsida"[:40]  # imported ids are slugs of up to 40 characters


@pytest.fixture
def small_bot(small, fake_embedder):
    """The small FAQ with one entry's id as long as an import makes them, indexed with the fake embedder."""
    faq = small / "faq.yaml"
    faq.write_text(faq.read_text(encoding="utf-8").replace("id: backup", f"id: {LONG_ID}"), encoding="utf-8")
    build_index(load_faq(faq), fake_embedder, small / "index")
    return FaqBot(faq, small / "index", small / "config.yaml")


def test_every_reply_that_offered_choices_is_counted_and_long_ids_keep_the_table(small_bot, tmp_path):
    """Issue 20 item 11: "0 offered choices" while customers saw "Menade du kanske" under helpdesk
    replies; ids of 40 characters broke the text table; "1 answers"."""
    rows = [  # (kind, faq_id, offered)
        ("answer", LONG_ID, ()),
        ("helpdesk", None, ("phone", LONG_ID)),
        ("answer", "phone", (LONG_ID,)),
        ("answer", "phone", ()),
    ]
    with ConversationLog(tmp_path / "log.db") as log:
        for n, (kind, faq_id, offered) in enumerate(rows):
            log.record(
                LogRow(f"r{n}", f"fråga {n}?", "sv", kind, kind == "answer", faq_id, None, 0.5, 0.3, "v", offered)
            )
    report = build(tmp_path / "log.db", small_bot)
    assert report.choices == 2 and report.trend[-1].choices == 2
    text = format_report(report)
    assert re.search(r"offered choices +2 +50\.0 %", text)
    used = [line for line in text.splitlines() if re.search(r" \d+ answers? ", line)]
    assert len(used) == 2 and "1 answers" not in text and any(" 1 answer " in line for line in used)
    assert len({line.index("👍") for line in used}) == 1  # one column, however long the id


def test_a_picked_choice_is_the_outcome_of_its_question_not_a_question_of_its_own(tmp_path, bot):
    """Found by a walk-through: four picks made the console's "Frågor" and `faqbot report` count
    56 questions where customers asked 52, and a helpdesk question answered by a pick under it
    counted as sent to the helpdesk and as answered."""
    from faqbot.staff.console.service import figures

    path = tmp_path / "log.db"
    with ConversationLog(path) as log:
        log.record(
            LogRow(
                "c1", "Vad kostar support?", "sv", C, False, None, "debitering", 0.4, 0.36, "v", ("debitering", "avtal")
            )
        )
        log.record(LogRow("p1", "Hur debiterar ni?", "sv", A, True, "debitering", None, 0.9, 0.36, "v", (), "c1"))
        log.record(LogRow("h1", "Fakturan?", "sv", H, False, None, "debitering", 0.2, 0.36, "v", ("debitering",)))
        log.record(LogRow("p2", "Hur debiterar ni?", "sv", A, True, "debitering", None, 0.9, 0.36, "v", (), "h1"))
        log.record(LogRow("h2", "Har ni parkering?", "sv", H, False, None, None, 0.1, 0.36, "v"))
        log.record(LogRow("a1", "Kan jag ringa er?", "sv", A, True, "telefonsupport", None, 0.9, 0.36, "v"))
        log.record_feedback("p2", False)
        # a second pick under the first reply, then 👎 on the first pick: an attack found it dropped
        log.record(LogRow("p3", "Vad ingår i avtalet?", "sv", A, True, "avtal", None, 0.9, 0.36, "v", (), "c1"))
        log.record_feedback("p1", False)
        rows = log.questions()
    counted = figures(rows)
    assert (counted.questions, counted.answered, counted.helpdesk, counted.choices, counted.disliked) == (4, 3, 1, 2, 2)
    [day] = per_period(rows, "day")
    assert (day.questions, day.answered, day.helpdesk, day.choices, day.disliked) == (4, 3, 1, 2, 2)
    report = build(path, bot)
    assert (report.questions, report.resolved, report.unanswered, report.small_talk) == (4, 3, 1, 0)
    assert [g.examples[0][0] for g in report.groups] == ["Har ni parkering?"]  # the picked one is not unanswered


def test_two_series_with_the_same_shares_both_show_in_the_chart():
    """Found by a walk-through: on a one-day chart "till helpdesk" at 45 % hid under "erbjöd val"
    at 45 %: both were a 3 px dot in one place. The series drawn first are drawn wider."""
    from faqbot.staff.chart import trend_svg
    from faqbot.staff.trends import Period

    one_day = [Period("2026-12-06", questions=20, answered=2, helpdesk=9, choices=9, disliked=0)]
    radii = re.findall(r'<circle cx="([\d.]+)" cy="([\d.]+)" r="([\d.]+)"', trend_svg(one_day))
    by_place: dict[tuple[str, str], list[float]] = {}
    for cx, cy, r in radii:
        by_place.setdefault((cx, cy), []).append(float(r))
    [(helpdesk, choices)] = [rs for rs in by_place.values() if len(rs) == 2]
    assert helpdesk > choices  # drawn first, and wider: a ring around the later one
    days = [Period(f"2026-12-0{d}", questions=20, answered=2, helpdesk=9, choices=9) for d in (5, 6)]
    widths = re.findall(r'stroke-width="([\d.]+)"', trend_svg(days))
    assert len(set(widths)) == len(widths)  # each line its own width
