"""Growing the test set from real customers' words: those confirmed for an entry, those staff rejected as off-topic.

    path = test_set_path(Path("data/faq.yaml"))          # data/test_questions.jsonl, as `faqbot evaluate` reads
    found = confirmed_not_in(path, log.questions(), faq, log.decisions("rejected"))  # confirmed, not rejected, missing
    found += off_topic_not_in(path, log.questions(), log.decisions("rejected"), found)  # staff: about something else
    added = append(path, found[:3])                      # one JSON line each, the file written atomically

A confirmed phrasing is a customer's question for which they picked an entry among the choices,
or said 👍 to its answer, clearly more often than anything else (faqbot.staff.learn, the same
rule the suggestions use; personal data masked in the log is never proposed). Unlike a
suggestion it is offered whether or not staff accepted it and whether or not the bot answers it
right by itself: a test set measures real traffic, the easy questions too. One staff rejected
is not offered: its expected entry would be wrong. One already in the
FAQ is left out, since `faqbot evaluate` warns that such a question measures nothing.

The file keeps its format: JSON lines `{"question": "...", "expected": "<faq id>"}`, UTF-8 as
written (no \\u escapes), each new line after the last one there.
"""

from __future__ import annotations

import json
from collections.abc import Container, Sequence
from pathlib import Path
from typing import Any

from faqbot.decision import ReplyKind
from faqbot.errors import FaqbotError
from faqbot.faq.model import Faq, normalize_question
from faqbot.files import atomic_write
from faqbot.staff import learn
from faqbot.staff.fresh_start import TEST_SET
from faqbot.staff.signals import (
    NEW_ENTRY,
    OFF_TOPIC,
    apart,
    as_marked,
    decided_by,
    has_personal_data,
    suggestion_id,
)

MAX_ADD = 30  # questions added in one go: a page of checkboxes, not a bulk import


def test_set_path(faq_path: Path) -> Path:
    """The test set beside the FAQ: `faqbot evaluate`'s default, data/test_questions.jsonl, for data/faq.yaml."""
    return Path(faq_path).parent / TEST_SET


def questions_in(path: Path) -> set[str]:
    """The test set's questions, normalised (a line that is not a question object is evaluate's to report)."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return set()
    found = set()
    for line in text.splitlines():
        try:
            row = json.loads(line)
        except ValueError:
            continue
        if isinstance(row, dict) and isinstance(row.get("question"), str):
            found.add(normalize_question(row["question"]))
    return found


def confirmed_not_in(
    path: Path, rows: Sequence[Any], faq: Faq, rejected: Container[str] = ()
) -> list[learn.Suggestion]:
    """Confirmed phrasings (most evidence first) whose question the test set at `path` does not
    hold; not those staff rejected (`rejected`: suggestion ids): staff said the customer's pick
    was not what the entry answers, so it would go into the test set as a wrong expectation; nor
    those staff marked as about something else since (the FAQ's `off_topic:`), which go in
    expecting the helpdesk (`off_topic_not_in`)."""
    have = questions_in(path)
    confirmed = apart(learn.confirmed_phrasings(learn.signals_from_rows(rows), faq))
    is_rejected = decided_by(rejected)
    marked = {normalize_question(t) for t in faq.off_topic}  # staff's word over a customer's pick:
    # the bot sends a marked question to the helpdesk, so `off_topic_not_in` offers it so
    return [
        s
        for s in confirmed
        if normalize_question(s.question) not in have
        and not is_rejected(s.id)
        and normalize_question(as_marked(s.question)) not in marked
    ]


def off_topic_not_in(
    path: Path, rows: Sequence[Any], rejected: Container[str], confirmed: Sequence[learn.Suggestion] = ()
) -> list[learn.Suggestion]:
    """Customers' questions staff said the FAQ does not cover, which the test set does not hold:
    a helpdesk question of a group staff rejected ("Avvisa"), and a 👎 or confirmed question
    rejected as about something else ("Handlar om annat"); newest first, each once. Each goes in expecting the
    helpdesk (`"expected": null`), so that an evaluation also measures what the bot must not
    answer: a test set of confirmed questions alone read 1.000 on its first run, and said nothing
    of the off-topic questions that learning puts at risk. (`rejected`: the ids staff rejected;
    one with masked personal data is never offered; nor one in `confirmed`, which a customer
    confirmed an entry for: offered both ways, it went in with whichever expectation came first.)"""
    have = questions_in(path) | {normalize_question(c.question) for c in confirmed}
    is_rejected = decided_by(rejected)
    found: dict[str, learn.Suggestion] = {}
    asked = learn.as_asked(rows)
    helpdesk = [(suggestion_id(NEW_ENTRY, None, r.question), r) for r in asked if r.kind == ReplyKind.HELPDESK]
    # a 👎 question, or a confirmed one (picked, 👍), staff rejected as about something else
    signalled = [(suggestion_id(OFF_TOPIC, s.faq_id, s.question), s) for s in learn.signals_from_rows(asked)]
    for sid, said in reversed([*helpdesk, *signalled]):
        key = normalize_question(said.question)
        if is_rejected(sid) and key not in have and key not in found and not has_personal_data(said.question):
            language = getattr(said, "language", "") or ""
            found[key] = learn.Suggestion(sid, OFF_TOPIC, None, said.question, {"language": language})
    return list(found.values())


def chosen(offered: Sequence[learn.Suggestion], ids: Sequence[str]) -> list[learn.Suggestion]:
    """The offered phrasings named by `ids`; FaqbotError for too many, or an id not offered."""
    if len(ids) > MAX_ADD:
        raise FaqbotError(f"at most {MAX_ADD} questions can be added at once ({len(ids)} were chosen)")
    by_id = {s.id: s for s in apart(offered)}
    unknown = [i for i in ids if i not in by_id]
    if unknown:
        raise FaqbotError(f"not a confirmed customer question missing from the test set: {', '.join(unknown[:5])}")
    return [by_id[i] for i in dict.fromkeys(ids)]


def append(path: Path, phrasings: Sequence[learn.Suggestion]) -> int:
    """Add each phrasing as `{"question", "expected"}` after the file's last line (a question
    about something else expecting null: the helpdesk); the number added."""
    have = questions_in(path)
    lines = []
    for s in phrasings:
        key = normalize_question(s.question)
        if key in have or (s.faq_id is None and s.action != OFF_TOPIC):
            continue
        have.add(key)
        lines.append(json.dumps({"question": s.question, "expected": s.faq_id}, ensure_ascii=False))
    if not lines:
        return 0
    try:
        before = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        before = ""
    except UnicodeDecodeError as err:
        raise FaqbotError(f"{path} is not UTF-8 text ({err.reason}); nothing was added") from None
    if before and not before.endswith("\n"):
        before += "\n"
    atomic_write(path, before + "\n".join(lines) + "\n")
    return len(lines)
