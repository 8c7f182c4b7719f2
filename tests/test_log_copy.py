"""`faqbot log copy`: a SQLite log moves into PostgreSQL (and back) whole, once, and reports the same."""

from __future__ import annotations

import json

import pytest

from faqbot.cli import main
from faqbot.conversations.backends import open_log_at
from faqbot.conversations.store import ConversationLog, LoggedQuestion
from tests.fakes import record
from tests.harness import cli_paths
from tests.test_report import filled, unanswered  # noqa: F401 (filled is a fixture)

pytestmark = pytest.mark.slow  # PostgreSQL


def content(location: str) -> list[tuple]:
    """Every row as staff see it, without the number the log gave it."""
    log = open_log_at(location)
    try:
        found: list[LoggedQuestion] = log.questions()
    finally:
        log.close()
    return sorted(
        (r.key(), r.language, r.resolved, r.faq_id, r.candidate_id, r.score, r.feedback, r.reply_id)
        + (r.offered, r.answer_to)
        for r in found
    )


def report_json(location: str, shipped_index, capsys) -> dict:
    assert main(["report", "--db", location, "--json", *cli_paths(shipped_index)]) == 0
    report = json.loads(capsys.readouterr().out)
    report.pop("log_path")  # where it came from; everything else must match
    return report


def test_a_sqlite_log_copied_into_postgresql_gives_the_same_rows_and_the_same_report(
    filled,  # noqa: F811
    pg_url,
    shipped_index,
    tmp_path,
    capsys,
):
    source = str(filled)
    assert main(["log", "copy", source, pg_url]) == 0
    first = capsys.readouterr().out
    assert main(["log", "copy", source, pg_url]) == 0  # again: nothing new to add
    second = capsys.readouterr().out
    rows = len(content(source))
    assert first.startswith(f"{rows} row(s) read from {source}; {rows} added")
    assert f"; 0 added to {pg_url}, {rows} already there" in second
    assert content(pg_url) == content(source)

    assert report_json(pg_url, shipped_index, capsys) == report_json(source, shipped_index, capsys)

    back = str(tmp_path / "back.db")
    assert main(["log", "copy", pg_url, back]) == 0
    assert main(["log", "copy", pg_url, back]) == 0
    assert content(back) == content(source)


def test_copying_a_log_onto_itself_or_from_nowhere_says_what_to_do(tmp_path, capsys):
    assert main(["log", "copy", str(tmp_path / "none.db"), str(tmp_path / "other.db")]) == 1
    assert "no conversation log at" in capsys.readouterr().err
    assert not (tmp_path / "none.db").exists() and not (tmp_path / "other.db").exists()


def test_learn_and_report_on_a_mistyped_log_file_say_so_and_start_no_empty_log(small, capsys):
    """`faqbot learn --log-file conversation.db` (for conversations.db) had printed "0 confirmed
    phrasing(s)" and left a new, empty log behind."""
    paths = ["--faq", str(small / "faq.yaml"), "--index", str(small / "index"), "--config", str(small / "config.yaml")]
    assert main(["index", *paths]) == 0
    mistyped = small / "conversation.db"
    for command in (["learn"], ["learn", "--accept", "all"], ["report"]):
        capsys.readouterr()
        assert main([*command, *paths, "--log-file", str(mistyped)]) == 1
        err = capsys.readouterr().err
        assert f"no conversation log at {mistyped} (check the path: --log-file" in err
    assert not mistyped.exists()


def feedback(location: str) -> dict[str, int | None]:
    """Each row's 👍 (1) / 👎 (-1) by reply_id."""
    log = open_log_at(location)
    try:
        return {r.reply_id or "": r.feedback for r in log.questions()}
    finally:
        log.close()


@pytest.mark.parametrize("destination", ["sqlite", "postgresql"])
def test_copying_again_brings_the_feedback_given_since_the_first_copy(destination, pg_url, tmp_path, capsys):
    """Issue 20 item 14: `faqbot log copy` run again at switch-over dropped the 👍/👎 customers
    gave since the first copy (rows already there were skipped, never updated)."""
    source = tmp_path / "conversations.db"
    target = pg_url if destination == "postgresql" else str(tmp_path / "target.db")
    with ConversationLog(source) as log:
        ids = [record(log, unanswered(f"Fråga {n}?")) for n in range(4)]
        log.record_feedback(ids[0], liked=False)
    assert main(["log", "copy", str(source), target]) == 0
    with ConversationLog(source) as log:  # the old app goes on until the switch
        log.record_feedback(ids[0], liked=True)  # changed their mind
        log.record_feedback(ids[1], liked=True)
    capsys.readouterr()
    assert main(["log", "copy", str(source), target]) == 0
    assert (
        "; 0 added to" in (said := capsys.readouterr().out) and "4 already there, 2 of them with a newer 👍/👎" in said
    )
    assert feedback(target) == {ids[0]: 1, ids[1]: 1, ids[2]: None, ids[3]: None}
    log_at_target = open_log_at(target)
    try:
        log_at_target.record_feedback(ids[2], liked=False)  # given on the new side after the switch
    finally:
        log_at_target.close()
    assert main(["log", "copy", str(source), target]) == 0  # a third run keeps the newer click
    assert feedback(target)[ids[2]] == -1
