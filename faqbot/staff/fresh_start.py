"""A new company's clean start: `faqbot import` over the served FAQ sets aside what was the old one's.

    before = faq_ids(Path("data/faq.yaml"))             # read before the import replaces it
    import_faq("their-faq.csv", "data/faq.yaml", force=True)
    for line in set_aside_the_old_company(before, load_faq(Path("data/faq.yaml")), log_location):
        print(line)

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
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from faqbot.conversations.sqlite_file import set_aside
from faqbot.database import is_postgres, shown
from faqbot.errors import DataError
from faqbot.faq.model import Faq, load_faq

TEST_SET = "test_questions.jsonl"  # beside the FAQ: data/test_questions.jsonl for data/faq.yaml
ASIDE = "old"


def faq_ids(path: Path) -> set[str]:
    """The entry ids of the FAQ at `path`; none when there is no valid FAQ there."""
    try:
        return {entry.id for entry in load_faq(path).entries}
    except (DataError, OSError):
        return set()


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


def set_aside_the_old_company(before: set[str], faq: Faq, log_location: str) -> Iterator[str]:
    """Set aside the test set beside `faq` and the SQLite log at `log_location` when they belong
    to the FAQ it replaced (whose ids were `before`); yields what was done, for the person importing."""
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
    kept = len(before & set(faq.by_id))
    if not before or kept * 2 >= len(before):
        return  # the same company's FAQ, re-imported: its customers' questions still count
    if is_postgres(log_location):
        yield (
            f"conversation log: {shown(log_location)} still holds the old FAQ's conversations ({kept} of its "
            f"{len(before)} entries are in the new one); read the new company's with faqbot report --since DAYS"
        )
    elif Path(log_location).is_file():
        aside = set_aside(Path(log_location), ASIDE)
        yield (
            f"conversation log: {log_location} held the old FAQ's conversations ({kept} of its {len(before)} "
            f"entries are in the new one); set aside as {aside.name}, and a new log starts with the next question"
        )
