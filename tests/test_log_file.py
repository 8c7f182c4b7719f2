"""The SQLite log's file under an operator's hands (issue 15, item 4): moved away, deleted,
replaced, truncated or damaged while the app runs, it is noticed, reopened or started anew, the
server log says so, and no row written after the change is lost (issue 20, item 19: not even
the rows written before the app used to notice, once a second)."""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import time

import pytest

from faqbot import Reply
from faqbot.conversations import store
from faqbot.conversations.store import ConversationLog
from faqbot.retrieval.search import Match
from tests.conftest import HELPDESK
from tests.fakes import record

MATCH = Match("telefonsupport", "Finns det ingen telefonsupport?", "Jodå.", 0.8, 0.9, 3.0)


def reply(number: int) -> Reply:
    return Reply(f"Fråga nummer {number}?", "sv", "answer", "Jodå.", HELPDESK, match=MATCH, score=0.8)


def count(path) -> int:
    """Rows in the log file at `path`, read as another process would (with its -wal, if any)."""
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT count(*) FROM conversations").fetchone()[0]
    finally:
        conn.close()


def questions(path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [r[0] for r in conn.execute("SELECT question FROM conversations ORDER BY id")]
    finally:
        conn.close()


@pytest.fixture
def log(tmp_path):
    opened = ConversationLog(tmp_path / "data" / "conversations.db")
    yield opened
    opened.close()


def write(log: ConversationLog, numbers: range, pause: float = 0.0) -> None:
    for number in numbers:
        assert record(log, reply(number), 0.5, "test") is not None
        time.sleep(pause)


def test_a_log_moved_away_while_the_app_writes_loses_no_row_and_a_new_file_is_started(log, tmp_path, caplog):
    write(log, range(20))
    moved = tmp_path / "moved.db"
    with caplog.at_level(logging.WARNING, logger="faqbot.conversations.store"):
        os.rename(log.path, moved)  # what `mv data/conversations.db ...` does; -wal and -shm stay behind
        write(log, range(20, 60), pause=store.FILE_CHECK_SECONDS / 20)  # two check periods of chat
        log.close()
    in_moved, in_new = questions(moved), questions(log.path)
    print(f"\nrows: {len(in_moved)} in the moved file, {len(in_new)} in the new one, of 60 written")
    assert sorted(in_moved + in_new, key=lambda q: int(q.split()[2][:-1])) == [reply(n).question for n in range(60)]
    assert len(in_new) >= 15  # the move was noticed within about one check period (20 rows)
    assert any("moved" in r.getMessage() and str(log.path) in r.getMessage() for r in caplog.records)


def test_a_deleted_log_is_noticed_and_started_anew(log, caplog):
    write(log, range(5))
    with caplog.at_level(logging.WARNING, logger="faqbot.conversations.store"):
        for suffix in ("", "-wal", "-shm"):
            log.path.with_name(log.path.name + suffix).unlink(missing_ok=True)
        time.sleep(store.FILE_CHECK_SECONDS + 0.1)
        write(log, range(5, 10))
    assert questions(log.path) == [reply(n).question for n in range(5, 10)]
    assert any("deleted" in r.getMessage() for r in caplog.records)


def test_a_log_replaced_by_another_file_is_reopened(log, tmp_path, caplog):
    write(log, range(3))
    other = ConversationLog(tmp_path / "other.db")
    record(other, reply(100), 0.5, "test")
    other.close()
    with caplog.at_level(logging.WARNING, logger="faqbot.conversations.store"):
        os.replace(tmp_path / "other.db", log.path)  # a restored backup put in place
        time.sleep(store.FILE_CHECK_SECONDS + 0.1)
        write(log, range(3, 6))
    assert questions(log.path) == [reply(n).question for n in (100, 3, 4, 5)]
    assert any("replaced" in r.getMessage() for r in caplog.records)


def test_a_damaged_log_is_set_aside_and_a_new_one_started(tmp_path, caplog):
    path = tmp_path / "conversations.db"
    with ConversationLog(path) as log:
        write(log, range(3))
    data = bytearray(path.read_bytes())
    data[4096 : 4096 + 200] = os.urandom(200)  # a page of the table, not the header
    path.write_bytes(bytes(data))
    with caplog.at_level(logging.WARNING, logger="faqbot.conversations.store"):
        with ConversationLog(path) as log:
            write(log, range(3, 6))
    assert questions(path) == [reply(n).question for n in range(3, 6)]
    aside = list(tmp_path.glob("conversations.db.damaged-*"))
    assert len(aside) == 1 and aside[0].read_bytes() == bytes(data)  # kept for staff, unchanged
    assert any("damaged" in r.getMessage() and aside[0].name in r.getMessage() for r in caplog.records)


def test_a_log_overwritten_while_the_app_writes_is_set_aside_and_writing_goes_on(log, caplog):
    write(log, range(3))
    with caplog.at_level(logging.WARNING, logger="faqbot.conversations.store"):
        with open(log.path, "r+b") as handle:
            handle.write(os.urandom(4096))  # random bytes over the header and first page
        time.sleep(store.FILE_CHECK_SECONDS + 0.1)
        write(log, range(3, 8))
    assert questions(log.path) == [reply(n).question for n in range(3, 8)]
    assert list(log.path.parent.glob("conversations.db.damaged-*"))
    assert any("damaged" in r.getMessage() for r in caplog.records)


def test_the_wal_is_checkpointed_so_a_copy_of_the_db_file_alone_holds_the_rows(log, tmp_path, monkeypatch):
    monkeypatch.setattr(store, "CHECKPOINT_SECONDS", 0.0)
    write(log, range(25))
    shutil.copy(log.path, tmp_path / "copy.db")  # the main file only, without its -wal
    assert count(tmp_path / "copy.db") == 25


def test_the_online_backup_api_copies_a_log_in_use(log, tmp_path):
    write(log, range(10))
    source, target = sqlite3.connect(log.path), sqlite3.connect(tmp_path / "backup.db")
    with target:
        source.backup(target)
    source.close()
    target.close()
    write(log, range(10, 12))  # the app goes on writing
    assert count(tmp_path / "backup.db") == 10 and count(log.path) == 12


def test_a_log_truncated_in_place_is_noticed_set_aside_and_the_rows_after_it_are_kept(log, caplog, monkeypatch):
    """Issue 20 item 19: `truncate -s 0` after a checkpoint went unnoticed; every later row was unreadable."""
    monkeypatch.setattr(store, "CHECKPOINT_SECONDS", 0.0)
    write(log, range(5))
    with caplog.at_level(logging.WARNING, logger="faqbot.conversations.store"):
        os.truncate(log.path, 0)
        write(log, range(5, 10))
    assert questions(log.path) == [reply(n).question for n in range(5, 10)]
    assert [q.question for q in log.questions()] == [reply(n).question for n in range(5, 10)]
    aside = list(log.path.parent.glob("conversations.db.damaged-*"))
    assert aside and aside[0].stat().st_size == 0  # kept for staff, as it was found
    said = [r.getMessage() for r in caplog.records if "cut to 0 bytes" in r.getMessage()]
    assert said and aside[0].name in said[0]


@pytest.mark.parametrize("how", ["rm", "junk moved over it"])
def test_no_row_written_right_after_the_log_file_goes_away_is_lost(log, tmp_path, how):
    """Issue 20 item 19: `rm` or renaming junk over the log lost the 6-9 rows written in the
    second before the app noticed."""
    write(log, range(3))
    if how == "rm":
        for suffix in ("", "-wal", "-shm"):
            log.path.with_name(log.path.name + suffix).unlink(missing_ok=True)
    else:
        (tmp_path / "junk").write_bytes(os.urandom(8192))
        os.replace(tmp_path / "junk", log.path)
    write(log, range(3, 12))  # at once, as a busy chat does
    assert [q.question for q in log.questions()] == [reply(n).question for n in range(3, 12)]


def test_a_row_written_as_the_file_goes_away_is_written_again_to_the_new_log(log, monkeypatch):
    """The check after each write catches what the check before it could not: here the check
    before is put off (as if the `rm` came between the check and the write)."""
    write(log, range(3))
    monkeypatch.setattr(log._watch, "every", 3600.0)
    monkeypatch.setattr(log._watch, "_checked", time.monotonic())
    log.path.unlink()
    write(log, range(3, 5))
    assert [q.question for q in log.questions()] == [reply(n).question for n in range(3, 5)]


def test_a_row_whose_time_is_not_a_time_is_left_out_and_named(log, caplog):
    """Issue 20 item 19: one row with a non-ISO created_at made `faqbot report` exit 1 with a traceback."""
    write(log, range(3))
    conn = sqlite3.connect(log.path)
    with conn:
        conn.execute("UPDATE conversations SET created_at = 'igår 14:00' WHERE id = 2")
        conn.execute("UPDATE conversations SET created_at = '2026-11-26 13:09:57' WHERE id = 3")  # no zone: UTC
    conn.close()
    with caplog.at_level(logging.WARNING, logger="faqbot.conversations.store"):
        rows = log.questions()
    assert [q.question for q in rows] == [reply(0).question, reply(2).question]
    assert rows[1].created_at.tzinfo is not None
    assert any("id 2" in r.getMessage() and "igår 14:00" in r.getMessage() for r in caplog.records)


def test_a_new_log_and_its_wal_are_readable_by_their_owner_only_and_an_existing_log_keeps_its_bits(tmp_path):
    """The log holds customers' questions, staff's password hashes and session tokens: a new one is
    0600 whatever the umask (so are the -wal and -shm SQLite makes beside it), from the chat's
    writer and from the console's tables alike; a file staff made themselves keeps its bits."""
    from faqbot.staff.console.accounts import StaffStore

    chat = ConversationLog(tmp_path / "chat" / "conversations.db")
    staff = StaffStore(tmp_path / "console" / "conversations.db")
    try:
        write(chat, range(1))
        staff.add_user("anna", "ett långt lösenord")
        for path in (chat.path, chat.path.with_name("conversations.db-wal"), tmp_path / "console" / "conversations.db"):
            assert oct(os.stat(path).st_mode & 0o777) == oct(0o600), path
    finally:
        chat.close()
        staff.close()
    elsewhere = tmp_path / "volume" / "conversations.db"  # a log kept on another volume, linked before it exists
    elsewhere.parent.mkdir()
    (tmp_path / "linked.db").symlink_to(elsewhere)
    linked = ConversationLog(tmp_path / "linked.db")
    try:
        write(linked, range(1))
    finally:
        linked.close()
    assert oct(os.stat(elsewhere).st_mode & 0o777) == oct(0o600)
    chosen = tmp_path / "chosen.db"
    chosen.touch()
    chosen.chmod(0o640)
    kept = ConversationLog(chosen)
    try:
        write(kept, range(1))
    finally:
        kept.close()
    assert oct(os.stat(chosen).st_mode & 0o777) == oct(0o640)
