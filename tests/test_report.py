"""`faqbot report`: staff see what the FAQ is missing, grouped by meaning, and get FAQ YAML to review."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from faqbot import Reply, load_faq
from faqbot.cli import main
from faqbot.conversations.store import ConversationLog, LoggedQuestion
from faqbot.errors import DataError, FaqbotError
from faqbot.retrieval.search import Match
from faqbot.staff.report import Group, Report, build, cluster, group_unanswered, summarise
from faqbot.staff.report_format import format_report, suggest_yaml, write_html
from tests.conftest import HELPDESK
from tests.fakes import record
from tests.harness import cli_paths

PRICING = [
    "Vad kostar det att bygga en ny hemsida?",
    "Vad kostar det att bygga en ny hemsida?",
    "Vad kostar en ny hemsida hos er?",
]
INVOICING = ["Vilken fakturaadress ska vi använda?", "Vad är er fakturaadress?"]
# Other questions on invoices, each with an answer of its own: not one group with the address.
ALSO_INVOICES = ["Kan jag betala fakturan med Swish?", "Hur många dagars betalningsvillkor har era fakturor?"]
WEATHER = "Vad blir det för väder i Stockholm i morgon?"
PERSONAL = "Vem vann allsvenskan i fjol? Ring mig på 070-123 45 67"
HOSTILE = "<script>alert(1)</script> Vem är VD?"
OLD = "Kan man parkera vid ert kontor?"


def answered(question: str, faq_id: str) -> Reply:
    match = Match(faq_id, f"the question of {faq_id}", "the answer", 0.8, 0.9, 2.0)
    return Reply(question, "sv", "answer", "the answer", HELPDESK, match=match, score=0.8)


def unanswered(question: str) -> Reply:
    match = Match("helpdesk", "the question of helpdesk", "the answer", 0.2, 0.8, 0.0)
    return Reply(question, "sv", "helpdesk", "write to the helpdesk", HELPDESK, match=match, score=0.2)


@pytest.fixture(scope="module")
def filled(tmp_path_factory):
    """A log as the bot fills it: unanswered questions, answers with 👍/👎, small talk, one 10-day-old row.

    Rows are recorded directly, so the tests do not depend on which questions today's FAQ answers.
    """
    path = tmp_path_factory.mktemp("report") / "conversations.db"
    ten_days_ago = datetime.now(UTC) - timedelta(days=10)
    with ConversationLog(path, clock=lambda: ten_days_ago) as old:
        record(old, unanswered(OLD), 0.49, "old-index")
    with ConversationLog(path) as log:
        ids = {}
        for question in [*PRICING, *INVOICING, ALSO_INVOICES[0], WEATHER, PERSONAL, HOSTILE]:
            ids[question] = record(log, unanswered(question), 0.49, "new-index")
        phone = [record(log, answered("Kan jag ringa er?", "telefonsupport"), 0.49, "new-index") for _ in range(2)]
        backup = record(log, answered("Hur ofta tar ni backup?", "backup"), 0.49, "new-index")
        cancel = [
            record(log, answered(q, "uppsagning"), 0.49, "new-index")
            for q in ("Hur säger jag upp mitt avtal?", "Hur säger jag upp avtalet?")
        ]
        record(log, Reply("Hej!", "sv", "greeting", "Hej!", HELPDESK), 0.49, "new-index")
        for log_id in phone:
            log.record_feedback(log_id, liked=False)
        log.record_feedback(backup, liked=True)
        log.record_feedback(cancel[0], liked=False)
        log.record_feedback(cancel[1], liked=True)
        log.record_feedback(ids[WEATHER], liked=False)
    return path


@pytest.fixture(scope="module")
def report(filled, bot):
    return build(filled, bot)


def group_of(report: Report, question: str) -> Group:
    (group,) = [g for g in report.groups if question in [q for q, _ in g.examples]]
    return group


def test_volume_share_resolved_and_feedback_are_counted(report):
    assert report.questions == 15  # 10 unanswered (one of them 10 days old) + 5 answered
    assert report.small_talk == 1
    assert (report.resolved, report.unanswered) == (5, 10)
    assert report.resolved_share == pytest.approx(5 / 15)
    assert (report.liked, report.disliked, report.disliked_helpdesk) == (2, 4, 1)


def test_unanswered_questions_are_grouped_by_meaning_most_asked_first(report):
    pricing = report.groups[0]
    assert pricing.examples[0] == ("Vad kostar det att bygga en ny hemsida?", 2)  # repeats merged and counted
    assert "Vad kostar en ny hemsida hos er?" in [q for q, _ in pricing.examples]
    assert pricing.count >= 3
    invoicing = group_of(report, INVOICING[0])
    assert {q for q, _ in invoicing.examples} == set(INVOICING)  # two wordings of one question
    assert invoicing is not pricing
    assert group_of(report, ALSO_INVOICES[0]).count == 1  # on invoices too, but another question
    assert group_of(report, WEATHER) not in (pricing, invoicing)
    assert sum(g.count for g in report.groups) == report.unanswered
    assert [g.count for g in report.groups] == sorted((g.count for g in report.groups), reverse=True)


def test_questions_on_one_topic_that_need_answers_of_their_own_are_not_one_group(bot):
    """Where to send an invoice, paying it with Swish and its terms are three entries to write:
    grouped as one (as below 0.89 cosine they were), staff would give them one answer."""
    groups = group_unanswered([*INVOICING, *ALSO_INVOICES], bot.searcher, bot.embedder, bot.policy)
    assert sorted(sorted(q for q, _ in g.examples) for g in groups) == sorted(
        [sorted(INVOICING), [ALSO_INVOICES[0]], [ALSO_INVOICES[1]]]
    )


def test_every_group_names_the_nearest_existing_entry_and_what_to_do(report, bot):
    ids = {e.id for e in bot.searcher.entries}
    for group in report.groups:
        assert group.nearest_id in ids and group.nearest_question
        assert group.action in ("add-alternatives", "new-entry")
    assert group_of(report, WEATHER).action == "new-entry"


def test_questions_in_the_report_are_masked(report):
    text = format_report(report, top=50)
    assert "Vem vann allsvenskan i fjol? Ring mig på [telefon]" in text
    assert "070-123" not in text and "070-123" not in json.dumps(report.to_dict(), ensure_ascii=False)


def test_the_entries_with_the_most_thumbs_down_come_first(report):
    worst = [(f.faq_id, f.disliked, f.liked, f.answered) for f in report.disliked_entries]
    assert worst == [("telefonsupport", 2, 0, 2), ("uppsagning", 1, 1, 2)]
    assert report.disliked_entries[0].disliked_examples == ["Kan jag ringa er?"]


def test_entries_never_matched_are_listed(report):
    never = [faq_id for faq_id, _ in report.never_matched]
    assert "ftp-shell" in never and "akut" in never
    assert not {"telefonsupport", "backup", "uppsagning"} & set(never)
    assert len(never) == 14 - 3


def test_since_leaves_out_older_questions(filled, bot):
    recent = build(filled, bot, since_days=5)
    everything = build(filled, bot)
    assert everything.questions - recent.questions == 1
    assert OLD in [q for g in everything.groups for q, _ in g.examples]
    assert OLD not in [q for g in recent.groups for q, _ in g.examples]
    assert len(everything.index_versions) == 2 and len(recent.index_versions) == 1


def test_the_text_report_reads_as_staff_expect(report):
    text = format_report(report)
    assert re.search(r"questions\s+15\s+\(and 1 greetings/thanks\)", text)
    assert re.search(r"answered from FAQ\s+5\s+33\.3 %", text)
    assert re.search(r"sent to helpdesk\s+10\s+66\.7 %", text)
    assert re.search(r"1\. 3 × .*\n\s+\"Vad kostar det att bygga en ny hemsida\?\"  ×2", text)
    assert re.search(r"telefonsupport\s+2 👎\s+0 👍  of 2 answers", text)


def test_a_suggested_new_entry_becomes_valid_faq_once_a_person_writes_the_answer(report, workdir):
    faq = load_faq(workdir / "faq.yaml")
    yaml_text = suggest_yaml(report, faq, top=50)
    entries = re.findall(r"(?m)^  - id: .*\n(?:    .*\n?)+", yaml_text)
    assert entries, yaml_text
    original = (workdir / "faq.yaml").read_text(encoding="utf-8")

    (workdir / "faq.yaml").write_text(original + "\n" + "\n".join(entries), encoding="utf-8")
    with pytest.raises(DataError, match="is empty"):  # pasted as is, `faqbot index` refuses it
        load_faq(workdir / "faq.yaml")

    answered = [re.sub(r"(?m)^    answer:$", "    answer: Ett svar som en person har skrivit.", e) for e in entries]
    (workdir / "faq.yaml").write_text(original + "\n" + "\n".join(answered), encoding="utf-8")
    extended = load_faq(workdir / "faq.yaml")
    assert len(extended.entries) == len(faq.entries) + len(entries)
    new = {e.question: e for e in extended.entries[len(faq.entries) :]}
    assert WEATHER in new or any(WEATHER in e.alternatives for e in new.values())


def test_suggested_alternatives_paste_under_the_entry(workdir):
    faq = load_faq(workdir / "faq.yaml")
    group = Group(
        2,
        [("Går det att ringa supporten på helgen?", 1), ("Svarar ni i telefon?", 1)],
        "telefonsupport",
        "Finns det ingen telefonsupport?",
        0.45,
        "add-alternatives",
    )
    report = Report("log.db", None, None, None, 2, 0, 0, 2, 0, 0, 0, 0, 0.49, [], groups=[group])
    yaml_text = suggest_yaml(report, faq)
    assert "'telefonsupport'" in yaml_text and f"line {faq.by_id['telefonsupport'].line}" in yaml_text
    items = [line for line in yaml_text.splitlines() if line.startswith("      - ")]
    assert items == ["      - Går det att ringa supporten på helgen?", "      - Svarar ni i telefon?"]
    lines = (workdir / "faq.yaml").read_text(encoding="utf-8").splitlines()
    entry = faq.by_id["telefonsupport"]
    last_alternative = next(
        i
        for i, line in enumerate(lines)
        if i >= entry.line and line.startswith("      - ") and entry.alternatives[-1] in line
    )
    lines[last_alternative + 1 : last_alternative + 1] = items
    (workdir / "faq.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert load_faq(workdir / "faq.yaml").by_id["telefonsupport"].alternatives[-2:] == (
        "Går det att ringa supporten på helgen?",
        "Svarar ni i telefon?",
    )


def test_the_html_report_has_a_bar_per_top_group_and_escapes_customer_text(report, tmp_path):
    write_html(report, tmp_path / "report.html", top=3)
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert page.count('<td class="bar"><div style="width:') == 3
    assert "width:100.0%" in page  # the most asked group fills the chart
    write_html(report, tmp_path / "all.html", top=50)
    page = (tmp_path / "all.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Vem är VD?" in page
    assert "<script>" not in page


def test_cluster_joins_similar_vectors_and_keeps_outliers_apart():
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=16), rng.normal(size=16)
    rows = np.stack([a, a + 0.05 * rng.normal(size=16), b, b + 0.05 * rng.normal(size=16), rng.normal(size=16)])
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    groups = sorted(sorted(g) for g in cluster(rows.astype(np.float32), [1, 3, 1, 1, 1], similarity=0.9))
    assert groups == [[0, 1], [2, 3], [4]]
    assert cluster(np.zeros((0, 16), dtype=np.float32), [], 0.9) == []


# -- the command line -----------------------------------------------------------------------


def test_ask_logs_only_with_log(shipped_index, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    log = tmp_path / "default-log.db"  # FAQBOT_LOG, set for every test in conftest
    assert main(["ask", *cli_paths(shipped_index), "Kan jag ringa er?"]) == 0
    assert not log.exists()
    assert main(["ask", "--log", "Vem vann fotbolls-VM 1958?", *cli_paths(shipped_index)]) == 0
    assert main(["ask", *cli_paths(shipped_index), "--log", "Kan jag ringa er?"]) == 0
    with ConversationLog(log) as opened:
        assert [(q.question, q.resolved, q.faq_id) for q in opened.questions()] == [
            ("Vem vann fotbolls-VM 1958?", False, None),
            ("Kan jag ringa er?", True, "telefonsupport"),
        ]
    assert {p.name for p in tmp_path.iterdir()} <= {
        "default-log.db",
        "default-log.db-wal",
        "default-log.db-shm",
    }  # no question became a path
    assert HELPDESK in capsys.readouterr().out


def test_report_command_prints_text_json_suggestions_and_html(filled, shipped_index, tmp_path, capsys):
    path = filled
    assert main(["report", "--log-file", str(path), *cli_paths(shipped_index)]) == 0
    assert "sent to helpdesk" in capsys.readouterr().out
    assert main(["report", "--log-file", str(path), "--since", "5", "--json", *cli_paths(shipped_index)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["questions"], data["resolved"], data["since_days"]) == (14, 5, 5.0)
    assert data["groups"][0]["examples"][0] == {"question": "Vad kostar det att bygga en ny hemsida?", "count": 2}
    assert (
        main(
            [
                "report",
                "--log-file",
                str(path),
                "--suggest",
                "--html",
                str(tmp_path / "r.html"),
                *cli_paths(shipped_index),
            ]
        )
        == 0
    )
    captured = capsys.readouterr()
    assert captured.out.startswith("# Suggestions from `faqbot report --suggest`")
    assert (tmp_path / "r.html").read_text(encoding="utf-8").startswith("<!doctype html>")


def test_report_on_a_missing_log_says_how_to_fill_one(shipped_index, bot, tmp_path, capsys):
    assert main(["report", "--log-file", str(tmp_path / "none.db"), *cli_paths(shipped_index)]) == 1
    assert "faqbot ask --log" in capsys.readouterr().err
    assert not (tmp_path / "none.db").exists()
    with pytest.raises(FaqbotError):
        build(tmp_path / "none.db", bot)
    assert not (tmp_path / "none.db").exists()


def test_beyond_max_grouped_the_most_asked_questions_are_grouped_and_the_rest_counted(bot, monkeypatch):
    monkeypatch.setattr("faqbot.staff.report.MAX_GROUPED", 2)
    questions = [WEATHER, WEATHER, WEATHER, OLD, OLD, "Vem vann fotbolls-VM 1958?", "Hur bakar man kanelbullar?"]
    rows = [
        LoggedQuestion(i, datetime.now(UTC), q, "sv", "helpdesk", False, None, "helpdesk", 0.1, 0.49, "v", None)
        for i, q in enumerate(questions)
    ]
    result = summarise(rows, bot.searcher, bot.embedder, bot.policy)
    assert [(g.examples[0], g.count) for g in result.groups] == [((WEATHER, 3), 3), ((OLD, 2), 2)]
    assert "(2 of the least asked questions were not grouped: over 2 different ones)" in format_report(result)


def test_a_group_the_faq_answers_now_says_which_of_its_shown_questions_it_answers(bot):
    """Past the five questions a group is ranked by: `faqbot learn` lists for staff only the
    questions of an "answered now" group that the bot still does not answer, so each shown one is checked."""
    asked = [
        "Kan jag ringa er?",
        "Kan jag ringa till er?",
        "Går det att ringa er?",
        "Kan man ringa er?",
        "Kan jag ringa er idag?",
        "Kan jag ringa supporten?",
        "Ringer ni upp?",
        "Kan vi ringa er?",
        "Kan jag ringa er nu?",
    ]
    [group] = group_unanswered(asked, bot.searcher, bot.embedder, bot.policy)
    assert group.action == "answered-now" and group.count == 9 and len(group.examples) == 8
    for question, _ in group.examples:
        answered = bot.policy.decide(bot.searcher.rank(question)).faq_id is not None
        assert (question in group.answered) == answered, question


def test_questions_the_edited_faq_answers_now_are_marked_so_and_get_no_suggestion(bot):
    asked_before_an_edit = "Kan jag ringa er?"  # logged unanswered; today's FAQ answers it
    rows = [
        LoggedQuestion(i, datetime.now(UTC), q, "sv", "helpdesk", False, None, "helpdesk", 0.1, 0.49, "v", None)
        for i, q in enumerate([asked_before_an_edit, WEATHER])
    ]
    result = summarise(rows, bot.searcher, bot.embedder, bot.policy)
    now = group_of(result, asked_before_an_edit)
    assert (now.action, now.nearest_id) == ("answered-now", "telefonsupport")
    assert now.answered == (asked_before_an_edit,)  # which of its questions the bot answers now
    assert result.groups[-1] is now  # the least work comes last
    assert "answered now by 'telefonsupport'" in format_report(result)
    suggestions = suggest_yaml(result, load_faq(bot.faq_path))
    assert asked_before_an_edit not in suggestions and WEATHER in suggestions


def test_staff_are_told_what_the_bot_answers_a_logged_question_with_as_the_bot_reads_it(bot):
    """`faqbot learn` and the report say whether the bot answers a question now; they ranked the
    logged text whole, courtesies and typos included, where the chat reads it without them."""
    from faqbot.staff.report import answered_as_read

    logged, plain = "Hej! Har ni övervakinng av sajten? Mvh Anna", "Har ni övervakning av sajten?"
    answer, ranked = answered_as_read(logged, bot.searcher, bot.policy)
    assert answer == ranked[0].faq_id == bot.ask(plain).match.faq_id == "overvakning"
    assert ranked[0].score == pytest.approx(bot.ask(plain).score)


def test_a_question_staff_marked_as_about_something_else_is_not_grouped_nor_suggested(shipped_index, tmp_path):
    """Found by a walk-through (a dog groomer): after `faqbot learn --off-topic`, the report still
    put the weather question first as a new entry, and `--suggest` wrote one for it."""
    import shutil

    from faqbot import FaqBot
    from faqbot.faq.edit import add_off_topic

    for name in ("faq.yaml", "config.yaml"):
        shutil.copy(shipped_index / name, tmp_path / name)
    shutil.copytree(shipped_index / "index", tmp_path / "index")
    add_off_topic(tmp_path / "faq.yaml", [WEATHER])
    marked = FaqBot(tmp_path / "faq.yaml", tmp_path / "index", tmp_path / "config.yaml")
    marked.refresh()
    rows = [
        LoggedQuestion(i, datetime.now(UTC), q, "sv", "helpdesk", False, None, "helpdesk", 0.1, 0.49, "v", None)
        for i, q in enumerate([WEATHER, WEATHER, *PRICING])
    ]
    result = summarise(rows, marked.searcher, marked.embedder, marked.policy)
    assert result.unanswered == 5 and result.marked_off_topic == 2
    assert all(WEATHER not in dict(g.examples) for g in result.groups)
    assert "(2 marked by staff as about something else are left out)" in format_report(result)
    assert WEATHER not in suggest_yaml(result, load_faq(tmp_path / "faq.yaml"))


def test_suggestions_are_numbered_as_printed_and_fill_the_top_past_groups_answered_now(bot):
    """Found by a walk-through: `--suggest --top 4` printed only "# 1." and "# 3.": groups the bot
    answers now took places in the top and printed nothing."""
    rows = [
        LoggedQuestion(i, datetime.now(UTC), q, "sv", "helpdesk", False, None, "helpdesk", 0.1, 0.49, "v", None)
        for i, q in enumerate(["Kan jag ringa er?"] * 5 + [*PRICING, *INVOICING, WEATHER])
    ]
    result = summarise(rows, bot.searcher, bot.embedder, bot.policy)
    assert result.groups[0].action == "answered-now"  # asked by the most: first in the top
    suggestions = suggest_yaml(result, load_faq(bot.faq_path), top=2)
    numbers = re.findall(r"^# (\d+)\. ", suggestions, flags=re.MULTILINE)
    assert numbers == ["1", "2"]


def test_a_thumbs_down_on_a_picked_entry_shows_what_the_customer_asked_not_the_buttons_words(bot):
    """Found by a walk-through: "Säljer ni hundmat?", the bathing entry picked among the choices and
    given 👎, was shown in the report as "e.g. the bathing entry's own question"."""
    now = datetime.now(UTC)
    asked = LoggedQuestion(
        1, now, "Säljer ni hundmat?", "sv", "choices", False, None, "backup", 0.3, 0.49, "v", None, reply_id="q1"
    )
    picked = LoggedQuestion(
        2,
        now,
        "Hur ofta gör ni säkerhetskopior?",
        "sv",
        "answer",
        True,
        "backup",
        None,
        0.3,
        0.49,
        "v",
        -1,
        reply_id="p1",
        answer_to="q1",
    )
    result = summarise([asked, picked], bot.searcher, bot.embedder, bot.policy)
    [backup] = [f for f in result.disliked_entries if f.faq_id == "backup"]
    assert backup.disliked_examples == ["Säljer ni hundmat?"]
