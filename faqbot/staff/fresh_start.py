"""What `faqbot import` over an FAQ file sets aside and keeps: a new company starts clean; the same one keeps what customers taught.

    earlier = faq_at(Path("data/faq.yaml"))             # read before the import replaces it
    import_faq("their-faq.csv", "data/faq.yaml", force=True)
    for line in carry_over_learned(earlier, Path("data/faq.yaml"), log_location):
        print(line)                                    # the same company's: what customers taught stays
    for line in set_aside_the_old_company(questions_by_id(earlier.entries), load_faq(Path("data/faq.yaml")), log_location):
        print(line)                                    # another company's: its test set and log set aside

An import over the FAQ the settings serve may put another company behind the bot. Then two
things written for the old one would mislead: the test set beside the FAQ
(`test_questions.jsonl`, which `faqbot evaluate` reads; its expected ids are not in the new FAQ,
so every such line is refused), and the conversation log (`faqbot report` and `faqbot learn`
would mix the old company's customers into the new one's). Both are renamed to
`<name>.old-<UTC time>`, never deleted, and the command says so. The test set is set aside when
any id it expects is missing from the new FAQ; the log when fewer than half of the old FAQ's ids
are still in the new one (a re-import of the same company's FAQ keeps its log). A running chat
notices its log moved and starts a new one (faqbot.conversations.sqlite_file). A log in
PostgreSQL is shared by replicas and is not renamed; the command says how to read only the
new company's rows.

A re-import of the same company's FAQ (an updated spreadsheet) keeps what its customers taught:
the phrasings staff accepted into the file it replaces (`learned:`) are written again into the
entries whose ids the new FAQ keeps (`carry_over_learned`), and those it cannot keep (their
entry is gone) are proposed again by `faqbot learn` rather than remembered as accepted; the
questions staff marked as about something else (`off_topic:`) are written again too
(`carry_over_off_topic`). Whatever
file an import replaces is kept whole beside it as `<name>.old-<UTC time>` (`keep_replaced`):
staff's comments, entries made in the console and English texts the source lacks are there.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator, Mapping
from pathlib import Path

from ruamel.yaml import YAML

from faqbot.conversations.backends import open_log_at
from faqbot.conversations.sqlite_file import aside_name, set_aside
from faqbot.database import is_postgres, shown
from faqbot.errors import DataError, FaqbotError
from faqbot.faq.edit import add_learned, add_off_topic
from faqbot.faq.importers import is_re_import, much_the_same, questions_by_id
from faqbot.faq.model import MAX_FILE_BYTES, Faq, FaqEntry, load_faq
from faqbot.files import atomic_write
from faqbot.staff.learn import lost_acceptances

TEST_SET = "test_questions.jsonl"  # beside the FAQ: data/test_questions.jsonl for data/faq.yaml
ASIDE = "old"


def faq_at(path: Path) -> Faq | None:
    """The FAQ at `path`; None when there is no valid FAQ there."""
    try:
        return load_faq(path)
    except (DataError, OSError):
        return None


def outline_at(path: Path) -> Faq | None:
    """What can be read of an FAQ file that does not pass the checks (a slip in a hand edit): its
    entries with an id and a question, their learned phrasings, its helpdesk; None when it is
    not even YAML of that shape. An import over it still carries over what customers taught and
    tells the same company from another."""
    try:
        with path.open("rb") as file:
            document = YAML(typ="safe").load(file.read(MAX_FILE_BYTES))
    except Exception:  # noqa: BLE001 - anything the YAML reader raises: nothing to read
        return None
    rows = document.get("entries") if isinstance(document, dict) else None
    if not isinstance(rows, list):
        return None
    entries = [
        FaqEntry(row["id"], row["question"], str(row.get("answer") or ""), learned=tuple(learned_of(row)))
        for row in rows
        if isinstance(row, dict) and isinstance(row.get("id"), str) and isinstance(row.get("question"), str)
    ]
    helpdesk = document.get("helpdesk")
    off_topic = tuple(learned_of({"learned": document.get("off_topic")}))
    return Faq(helpdesk if isinstance(helpdesk, str) else "", tuple(entries), off_topic=off_topic) if entries else None


def learned_of(row: dict) -> list[str]:
    learned = row.get("learned")
    return [text for text in learned if isinstance(text, str)] if isinstance(learned, list) else []


def keep_replaced(path: Path) -> Path:
    """Copy the file an import is about to replace at `path` to `<name>.old-<UTC time>` beside it,
    before it is replaced (copied, never read whole); FaqbotError when that cannot be done (a full
    disk, a name too long for one more suffix): then nothing may be replaced."""
    kept = aside_name(path, ASIDE)

    def copy(name: str) -> None:
        shutil.copyfile(path, name)

    try:
        atomic_write(kept, copy)
    except OSError as err:
        raise FaqbotError(f"cannot keep a copy of {path} before replacing it ({err}); nothing was imported") from None
    return kept


def carried_over(earlier: Faq | None, faq_path: Path, log_location: str | None) -> Iterator[str]:
    """What a re-import of the same company's FAQ keeps of `earlier`: the phrasings customers
    taught, then staff's off-topic marks (`carry_over_learned`, `carry_over_off_topic`)."""
    yield from carry_over_learned(earlier, faq_path, log_location)
    yield from carry_over_off_topic(earlier, faq_path)


def carry_over_off_topic(earlier: Faq | None, faq_path: Path) -> Iterator[str]:
    """After a re-import of the same company's FAQ over `earlier`: the questions staff marked as
    about something else (`off_topic:`, which no source has) written into the new file, so the
    bot keeps sending them and questions like them to the helpdesk. Yields what was done."""
    if earlier is None or not earlier.off_topic or not same_company(earlier, load_faq(faq_path)):
        return
    try:
        written = add_off_topic(faq_path, earlier.off_topic)
    except FaqbotError as err:
        yield f"note: the questions staff marked as about something else were not written into the new FAQ: {err}"
        return
    left = len(earlier.off_topic) - len(written)
    if written:
        yield (
            f"off_topic: {len(written)} question(s) staff marked as about something else, written again"
            + (f" ({left} not: the new FAQ asks them as an entry's question)" if left else "")
        )
    elif left:
        yield f"off_topic: the {left} question(s) staff marked as about something else are entries' questions in the new FAQ"


def carry_over_learned(earlier: Faq | None, faq_path: Path, log_location: str | None) -> Iterator[str]:
    """After a re-import of the same company's FAQ over `earlier`: the phrasings customers taught
    (`learned:`) written into the new file's entries that kept their ids, and, in the log at
    `log_location` (the FAQ's own; None: another file), those it lost proposed again by
    `faqbot learn` instead of remembered as accepted. Yields what was done, for the person
    importing. Another company's FAQ takes nothing over (its log is set aside)."""
    if earlier is None or not any(entry.learned for entry in earlier.entries):
        return
    now = load_faq(faq_path)
    if not same_company(earlier, now):
        return
    taught = {entry.id: list(entry.learned) for entry in earlier.entries if entry.learned and entry.id in now.by_id}
    try:
        added = add_learned(faq_path, taught).added if taught else ()
    except FaqbotError as err:  # e.g. they would take the file past its size limit: the import stands without them
        added = ()
        yield f"note: the phrasings customers taught were not written into the new FAQ: {str(err).splitlines()[-1]}"
    if added:
        yield (
            f"learned: {len(added)} phrasing(s) customers taught, accepted into the FAQ this import replaced, "
            f"written again into their entries ({len({a.faq_id for a in added})} of them)"
        )
    lost, gone = lost_acceptances(earlier, load_faq(faq_path))
    if not (lost or gone) or log_location is None or not (is_postgres(log_location) or Path(log_location).is_file()):
        return
    try:
        with open_log_at(log_location, staff=True) as log:
            reopened = log.reopen(lost, gone)
    except FaqbotError as err:
        yield f"note: what customers taught for entries the new FAQ lacks stays marked accepted in the log: {err}"
        return
    if reopened:
        yield (
            f"learned: {reopened} phrasing(s) customers taught are not in the new FAQ (their entry is gone, or they "
            "did not fit); faqbot learn proposes them again, to assign to an entry that answers them"
        )


SHOWN_LEFT_OUT = 10  # entries named one a line; the rest counted


def named(lines: list[str]) -> Iterator[str]:
    """The first SHOWN_LEFT_OUT lines, then how many more there are."""
    yield from lines[:SHOWN_LEFT_OUT]
    if len(lines) > SHOWN_LEFT_OUT:
        yield f"  ... and {len(lines) - SHOWN_LEFT_OUT} more"


def same_company(earlier: Faq | None, now: Faq) -> bool:
    """Whether `now`, imported over `earlier`, is the same company's FAQ again (`is_re_import`)."""
    return earlier is not None and is_re_import(questions_by_id(earlier.entries), questions_by_id(now.entries))


def left_out(earlier: Faq, now: Faq, kept: Path) -> Iterator[str]:
    """After a re-import of the same company's FAQ (`same_company`) over `earlier` (kept whole at
    `kept`): what staff may have made that the new file `now` lacks, named, so that nothing goes
    without a word. The entries the source no longer has (one made in the console from a
    helpdesk group, or one the company took off its website: the import cannot tell which), and
    of the entries it kept, the alternatives and English texts the source does not have. Found
    by a walk-through: an entry made in the console went with a re-import, and the command only
    said where the old file was kept. (Another company's FAQ names nothing: all of it was the
    old company's.)"""
    gone = [entry for entry in earlier.entries if entry.id not in now.by_id]
    if gone:
        yield (
            f"not in the new FAQ: {len(gone)} entr{'y' if len(gone) == 1 else 'ies'} of the file it replaced; "
            f"one staff made (in the console, from a helpdesk group) is in {kept}, to copy back:"
        )
        yield from named([f"  {entry.id}: {entry.question}" for entry in gone])
    texts: list[str] = []
    for entry in earlier.entries:
        new = now.by_id.get(entry.id)
        if new is None:
            continue
        alternatives = [a for a in entry.alternatives if a not in new.alternatives and a != new.question]
        english = [name for name in ("question_en", "answer_en") if getattr(entry, name) and not getattr(new, name)]
        if alternatives or english:
            parts = [f"{len(alternatives)} alternative(s)"] if alternatives else []
            texts.append(f"  {entry.id}: {', '.join(parts + english)}")
    if texts:
        yield f"not in the new FAQ: texts of {len(texts)} kept entr{'y' if len(texts) == 1 else 'ies'} the source lacks (in {kept}):"
        yield from named(texts)
    yield from rewritten(earlier, now, kept)


def rewritten(earlier: Faq, now: Faq, kept: Path) -> Iterator[str]:
    """The kept entries whose question or answer the import changed: the company's update, or an
    edit staff made in the console since the last import, which the source does not have (found
    by a walk-through: a changed opening hour went back without a word)."""
    changed = []
    for entry in earlier.entries:
        new = now.by_id.get(entry.id)
        fields = [
            name for name in ("question", "answer") if new is not None and getattr(entry, name) != getattr(new, name)
        ]
        if fields:
            changed.append(f"  {entry.id}: {' and '.join(fields)}")
    if changed:
        yield (
            f"changed: the question or answer of {len(changed)} entr{'y' if len(changed) == 1 else 'ies'} differs "
            f"from the file it replaced (the source's update, or an edit made in the console since, which this import undid; "
            f"the old text is in {kept}):"
        )
        yield from named(changed)


def expected_ids(path: Path) -> list[str]:
    """The FAQ ids a test set expects, one per line that names one (malformed lines are evaluate's to report)."""
    found = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            row = json.loads(line)
        except ValueError:
            continue
        if isinstance(row, dict) and isinstance(row.get("expected"), str):
            found.append(row["expected"])
    return found


def set_aside_the_old_company(before: Mapping[str, str], faq: Faq, log_location: str) -> Iterator[str]:
    """Set aside the test set beside `faq` and the SQLite log at `log_location` when they belong
    to the FAQ it replaced (whose questions by id were `before`: `questions_by_id`); yields what
    was done, for the person importing."""
    test_set = Path(faq.path).parent / TEST_SET
    if test_set.is_file():
        missing = [faq_id for faq_id in expected_ids(test_set) if faq_id not in faq.by_id]
        if missing:
            aside = set_aside(test_set, ASIDE)
            yield (
                f"test set: {test_set} expects {len(missing)} answer(s) from entries the new FAQ does not have "
                f"(e.g. '{missing[0]}'); set aside as {aside.name}. Write one for the new FAQ to use "
                "faqbot evaluate (faqbot index calibrates without one)"
            )
    now = questions_by_id(faq.entries)
    if not before or is_re_import(before, now):
        return  # the same company's FAQ, re-imported: its customers' questions still count
    kept = sum(faq_id in now and much_the_same(question, now[faq_id]) for faq_id, question in before.items())
    if is_postgres(log_location):
        yield (
            f"conversation log: {shown(log_location)} still holds the old FAQ's conversations ({kept} of its "
            f"{len(before)} entries are in the new one, by id and question); read the new company's with faqbot report --since DAYS"
        )
    elif Path(log_location).is_file():
        aside = set_aside(Path(log_location), ASIDE)
        yield (
            f"conversation log: {log_location} held the old FAQ's conversations ({kept} of its {len(before)} "
            f"entries are in the new one, by id and question); set aside as {aside.name}, and a new log starts with the next question"
        )
