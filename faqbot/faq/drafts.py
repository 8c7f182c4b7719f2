"""Drafts of the FAQ file that are not (yet) the file: an edited entry to try, a new entry to add.

    faq, problems = draft_faq("data/faq.yaml", "backup", {"answer": "Två gånger per natt."})
    faq.by_id["backup"].answer          # the FAQ as it would be with the draft; nothing written
    added = add_entry("data/faq.yaml", {"question": "Har ni en hund?", "answer": "Ja."})
    added.faq_id                        # 'har-ni-en-hund', unique, as `faqbot import` makes ids

Both go through faqbot.faq.update's round trip and checks (the form's fields, cleaned the same
way; each problem tied to its field), so a draft that would not save does not try, and a new
entry is written exactly as an edited one would be: comments and layout kept, atomically.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml.comments import CommentedMap

from faqbot.errors import DataError
from faqbot.faq.edit import give_tail, open_document, quoted, replace_file, take_tail
from faqbot.faq.importers.common import slugify
from faqbot.faq.model import Faq, load_faq
from faqbot.faq.update import FIELDS, Change, changes_to, cleaned, draft_problems, file_hash, write_fields

Problems = tuple[tuple[str, str], ...]
BLANK_BETWEEN = re.compile(r"\n[ \t]*\r?\n[ \t]*- id:")  # entries separated by blank lines


def parsed(text: str, name: str = "faq.yaml") -> Faq:
    """The FAQ in `text`, checked as `faqbot index` checks a file (DataError names `name`'s lines)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / Path(name).name
        path.write_text(text, encoding="utf-8")
        try:
            return load_faq(path)
        except DataError as err:
            raise DataError(Path(name), err.problems) from None


def draft_faq(path: str | Path, faq_id: str, values: Mapping[str, str]) -> tuple[Faq | None, Problems]:
    """The FAQ with entry `faq_id` as the form's `values` have it (None and the problems when the
    draft would not save). Raises DataError for an invalid file or an unknown id."""
    path = Path(path)
    load_faq(path)
    document = open_document(path)
    entry = document.entry(faq_id)
    changes = changes_to(entry, values)
    if changes:
        write_fields(entry, changes)
        problems = draft_problems(document, faq_id, [c.field for c in changes])
        if problems:
            return None, problems
    return parsed(document.render(), path.name), ()


@dataclass(frozen=True)
class NewEntry:
    """What `add_entry` did: the new entry's id, the problems (nothing written), the file's hash."""

    faq_id: str
    problems: Problems
    file_hash: str
    unmarked: tuple[str, ...] = ()  # questions taken off the FAQ's off_topic: list, written into the entry


def unique_id(question: str, taken: set[str]) -> str:
    """An id from the question, as `faqbot import` makes one: 'hur-nar-jag-er', else 'hur-nar-jag-er-2'."""
    base = slugify(question)
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def add_entry(path: str | Path, values: Mapping[str, str]) -> NewEntry:
    """Append an entry with the form's `values` (its id made from the question); written only
    when the FAQ passes its checks with it. Raises DataError for an invalid file."""
    path = Path(path)
    faq = load_faq(path)
    document = open_document(path)
    faq_id = unique_id(cleaned("question", values.get("question", "")), set(faq.by_id))
    entry = CommentedMap()
    entry["id"] = quoted(faq_id)  # "yes" or "2024" would be read back as a boolean or a number
    changes = [Change(name, "", cleaned(name, values.get(name, ""))) for name in FIELDS]
    write_fields(entry, [c for c in changes if c.after or c.field in ("question", "answer")])
    entries = document.data["entries"]
    rest = take_tail(entries, len(entries) - 1)  # the lines after the last entry stay last
    if len(entries) > 1 and BLANK_BETWEEN.search(document.raw.decode("utf-8", "replace")):
        give_tail(entries, len(entries) - 1, "\n")  # a blank line before the new entry, as between the others
    entries.append(entry)
    give_tail(entries, len(entries) - 1, rest)
    problems = draft_problems(document, faq_id, list(FIELDS))
    if problems:
        return NewEntry(faq_id, problems, file_hash(path))
    replace_file(document)
    return NewEntry(faq_id, (), file_hash(path))
