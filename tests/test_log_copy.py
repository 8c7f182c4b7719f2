"""`faqbot log copy`: a SQLite log moves into PostgreSQL (and back) whole, once, and reports the same."""

from __future__ import annotations

import json
import sqlite3

import psycopg
import pytest

from faqbot.cli import main
from faqbot.conversations.backends import open_log_at
from faqbot.conversations.rows import LogRow
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


# A log written before the thirty-ninth session's masking: the forms its red team found stored raw.
RAW = [
    "Personnummer 850101 1234. Hur säger jag upp?",
    "Mitt lösenord är hemligt123, hur når jag ftp?",
    "Jag bor på Storgatan 12, 123 45 Stockholm",
]


def written_before_the_upgrade(location: str, folder) -> None:
    """Rows and a staff decision holding RAW as an older faqbot stored them (unmasked), and one
    ordinary question: written to SQLite, then copied into PostgreSQL as `faqbot log copy` does."""
    old = str(folder / "old.db")
    with ConversationLog(old) as log:
        for n, question in enumerate([*RAW, "Hur ofta gör ni säkerhetskopior?"]):
            log.record(LogRow(f"r{n}", question, "sv", "helpdesk", False, None, None, 0.2, 0.4, "v1"))
    with sqlite3.connect(old) as conn:
        for n, question in enumerate(RAW):
            conn.execute("UPDATE conversations SET question = ? WHERE reply_id = ?", (question, f"r{n}"))
    if location != old:
        assert main(["log", "copy", old, location]) == 0
    log = open_log_at(location, staff=True)
    try:
        log.record_decision("a1", "rejected", "backup", "x")
    finally:
        log.close()
    if location.startswith("postgresql://"):
        with psycopg.connect(location, autocommit=True) as pg:
            pg.execute("UPDATE learn_decisions SET question = %s", (RAW[0],))
    else:
        with sqlite3.connect(location) as conn:
            conn.execute("UPDATE learn_decisions SET question = ?", (RAW[0],))


def stored_questions(location: str) -> list[str]:
    if location.startswith("postgresql://"):
        with psycopg.connect(location) as conn:
            rows = conn.execute("SELECT question FROM conversations UNION ALL SELECT question FROM learn_decisions")
            return sorted(r[0] for r in rows)
    with sqlite3.connect(location) as conn:
        rows = conn.execute("SELECT question FROM conversations UNION ALL SELECT question FROM learn_decisions")
        return sorted(r[0] for r in rows)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_log_mask_masks_what_a_log_written_before_an_upgrade_holds_raw(backend, pg_url, tmp_path, capsys):
    location = pg_url if backend == "postgresql" else str(tmp_path / "old.db")
    written_before_the_upgrade(location, tmp_path)
    assert "850101" in "".join(stored_questions(location))
    capsys.readouterr()

    assert main(["log", "mask", location]) == 0
    assert capsys.readouterr().out.strip() == f"4 stored question(s) masked again in {location}"
    assert stored_questions(location) == sorted(
        [
            "Personnummer [personnummer]. Hur säger jag upp?",
            "Personnummer [personnummer]. Hur säger jag upp?",  # staff's decision on it
            "Mitt lösenord är [lösenord], hur når jag ftp?",
            "Jag bor på [adress], [adress]",
            "Hur ofta gör ni säkerhetskopior?",
        ]
    )
    assert main(["log", "mask", location]) == 0  # again: nothing left
    assert capsys.readouterr().out.strip() == "nothing to mask"
