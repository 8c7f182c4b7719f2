"""Changing one entry's texts (the staff console's form) in `data/faq.yaml`, keeping everything else.

    before = file_hash("data/faq.yaml")                 # when the form is opened
    result = update_entry("data/faq.yaml", "backup", {"answer": "Ja, varje natt."}, before)
    result.problems      # (field, message) when the draft does not pass `faqbot index`'s checks
    result.changes       # (field, before, after) of what was written

Only the fields that changed are written, through the same ruamel.yaml round trip as
faqbot.faq.edit (comments, key order, block answers and blank lines stay). The draft is checked
with `load_faq`, the checks of `faqbot index`; a problem is tied to the field it is about, and
nothing is written. When the file is no longer the one the form was opened on (someone edited
the YAML meanwhile), FileChangedError is raised and nothing is written, unless the draft is what
the file says now (the same form sent again): then there is nothing to write; or unless the
caller knows the entry as the form saw it (`seen`) and no field the draft changes was changed in
the file too: then the draft's changes are written into the file as it is now, and the fields
changed in the file meanwhile keep their new text (`EntryUpdate.kept`).
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML, YAMLError
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import LiteralScalarString

from faqbot.errors import DataError, FaqbotError
from faqbot.faq.edit import Document, drop_key, give_tail, open_document, quoted, replace_file, take_tail
from faqbot.faq.model import load_faq

TEXT_FIELDS = ("question", "answer", "section", "question_en", "answer_en")
FIELDS = (*TEXT_FIELDS, "alternatives")
REQUIRED = ("question", "answer")
# Where a new key goes: after the last of these the entry has (the importer's order).
ORDER = ("id", "section", "question", "answer", "alternatives", "learned", "question_en", "answer_en")


class FileChangedError(FaqbotError):
    """The FAQ file changed since the form was opened; nothing was written."""


@dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str


@dataclass(frozen=True)
class EntryUpdate:
    """What `update_entry` did: `changes` written (none when `problems`), and the file's new hash."""

    changes: tuple[Change, ...]
    problems: tuple[tuple[str, str], ...]
    file_hash: str
    kept: tuple[str, ...] = ()  # fields someone changed in the file since the form was opened, left as they are now
    unmarked: tuple[str, ...] = ()  # questions taken off the FAQ's off_topic: list, written into the entry


def file_hash(path: str | Path) -> str:
    """The hash a form carries, to tell whether the file changed under it."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def shown(value: Any) -> str:
    """A field's value as the form shows it: text, or one alternative per line."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "\n".join(str(v) for v in value)
    return str(value).rstrip("\n")


def entry_values(entry: Mapping[str, Any]) -> dict[str, str]:
    return {name: shown(entry.get(name)) for name in FIELDS}


def cleaned(name: str, value: str | Sequence[str]) -> str:
    """The form's text as it would be stored: line endings made \\n (a lone \\r too: YAML reads it
    as one), blank and repeated alternatives dropped. A line or paragraph separator pasted from Word (U+2028,
    U+2029) is the line break or blank line it stands for: written as it is, the file did not read
    back for the next edit (faqbot.faq.model.LINE_SEPARATORS)."""
    if name == "alternatives":
        lines = value.splitlines() if isinstance(value, str) else list(value)  # splits at those too
        texts = (" ".join(line.split()) for line in lines if line.strip())
        return "\n".join(dict.fromkeys(texts))  # one written twice is there once
    text = str(value).replace("\r\n", "\n").replace("\r", "\n").replace("\x85", "\n").replace("\u2028", "\n")
    text = "\n".join(line.rstrip() for line in text.replace("\u2029", "\n\n").split("\n"))
    text = text.strip("\n")
    return text if "\n" in text and name in ("answer", "answer_en") else " ".join(text.split())


def update_entry(
    path: str | Path,
    faq_id: str,
    values: Mapping[str, str | Sequence[str]],
    expected_hash: str,
    seen: Mapping[str, str] | None = None,
) -> EntryUpdate:
    """Write the changed fields of entry `faq_id`; see the module docstring."""
    path = Path(path)
    load_faq(path)  # an invalid file is refused as `faqbot index` refuses it, its slips explained
    document = open_document(path)
    current_hash = hashlib.sha256(document.raw).hexdigest()
    changed = FileChangedError(f"{path} changed since the form was opened; nothing was written")
    try:
        entry = document.entry(faq_id)
    except DataError:
        if current_hash != expected_hash:
            raise changed from None
        raise
    changes = changes_to(entry, values)
    if not changes:  # the draft is what the file says now (a form sent twice, say): nothing to write
        return EntryUpdate((), (), current_hash)
    kept: tuple[str, ...] = ()
    if current_hash != expected_hash:
        if seen is None:
            raise changed
        theirs = {c.field for c in changes_to(entry, seen)}  # changed in the file since the form was opened
        mine = {name for name in values if name in seen and cleaned(name, values[name]) != seen[name]}
        if theirs & mine & {c.field for c in changes}:  # both changed a field, and not to the same text
            raise changed
        changes = [c for c in changes if c.field in mine]
        kept = tuple(name for name in FIELDS if name in theirs)
        if not changes:
            return EntryUpdate((), (), current_hash, kept)
    write_fields(entry, changes)
    problems = draft_problems(document, faq_id, [c.field for c in changes])
    if problems:
        return EntryUpdate(tuple(changes), problems, current_hash, kept)
    replace_file(document)
    return EntryUpdate(tuple(changes), (), file_hash(path), kept)


def write_fields(entry: CommentedMap, changes: Sequence[Change]) -> None:
    """Put the new values in the round-trip tree, moving the lines after the entry along."""
    rest = take_tail(entry, list(entry)[-1])
    for change in changes:
        if change.field == "alternatives":
            write_list(entry, change.after.split("\n") if change.after else [])
        elif not change.after and change.field not in REQUIRED:
            if change.field in entry:
                drop_key(entry, change.field)
        else:
            value = scalar(change.after, entry.get(change.field))
            if change.field in entry:
                if isinstance(value, LiteralScalarString) and not isinstance(entry[change.field], LiteralScalarString):
                    as_block(entry, change.field)
                entry[change.field] = value
            else:
                entry.insert(position_for(entry, change.field), change.field, value)
    give_tail(entry, list(entry)[-1], rest)


def as_block(entry: CommentedMap, key: str) -> None:
    """Before a plain value at `entry[key]` becomes a block scalar, which ends with its own line
    break: the line break ruamel.yaml keeps after the plain value goes (it left a blank line
    under a saved answer of several lines, found by a walk-through)."""
    comments = entry.ca.items.get(key)
    token = comments[2] if comments and len(comments) > 2 else None
    if token is not None and token.value.startswith("\n"):
        token.value = token.value[1:]
        if not token.value:
            comments[2] = None


def scalar(text: str, old: Any) -> Any:
    """A block scalar (`|`) for several lines or where the file had one; else plain or quoted."""
    if "\n" in text or isinstance(old, LiteralScalarString):
        return LiteralScalarString(text + "\n")
    return quoted(text)


def write_list(entry: CommentedMap, items: list[str]) -> None:
    current = entry.get("alternatives")
    if not items:
        if "alternatives" in entry:
            drop_key(entry, "alternatives")
        return
    if isinstance(current, CommentedSeq) and len(current):
        inner = take_tail(entry, "alternatives")
        flow = current.fa.flow_style()
        del current[:]
        current.ca.items.clear()
        current.extend(quoted(text, flow) for text in items)
        give_tail(entry, "alternatives", inner)
        return
    if "alternatives" in entry:
        drop_key(entry, "alternatives")
    entry.insert(position_for(entry, "alternatives"), "alternatives", CommentedSeq(quoted(t) for t in items))


def position_for(entry: CommentedMap, name: str) -> int:
    keys = list(entry)
    earlier = [i for i, key in enumerate(keys) if key in ORDER and ORDER.index(key) < ORDER.index(name)]
    return earlier[-1] + 1 if earlier else len(keys)


def draft_problems(document: Document, faq_id: str, edited: Sequence[str]) -> tuple[tuple[str, str], ...]:
    """The problems `faqbot index` would report for the draft, each tied to the field it is about."""
    text = document.render()
    with tempfile.TemporaryDirectory() as folder:
        draft = Path(folder) / document.path.name
        draft.write_text(text, encoding="utf-8")
        try:
            load_faq(draft)
            return ()
        except DataError as err:
            problems = err.problems
    fields = field_lines(text, faq_id)
    return tuple((field_of(line, message, fields, edited, document, faq_id), message) for line, message in problems)


def field_lines(text: str, faq_id: str) -> list[tuple[int, str]]:
    """(first line, key) of each key of the entry in the draft, in order; none when the draft does
    not read as YAML (its problem, from `load_faq`, is then about no one field)."""
    try:
        data = YAML(typ="rt").load(text)
    except YAMLError:
        return []
    for entry in data["entries"]:
        if str(entry["id"]) == faq_id:
            return [(entry.lc.key(key)[0] + 1, key) for key in entry]
    return []


def field_of(
    line: int, message: str, fields: list[tuple[int, str]], edited: Sequence[str], document: Document, faq_id: str
) -> str:
    """The field a problem is about: the one whose text it quotes, else the key on its line ("" if none)."""
    entry = document.entry(faq_id)
    for name in edited:
        values = entry.get(name)
        texts = values if isinstance(values, list) else [values]
        if any(t and f"'{t}'" in message for t in texts):
            return name
    on_line = [key for first, key in fields if first <= line]
    if on_line and fields and line >= fields[0][0]:
        key = on_line[-1]
        return key if key in FIELDS else ""
    return ""


def changes_to(entry: Mapping[str, Any], values: Mapping[str, str | Sequence[str]]) -> list[Change]:
    """The fields of `entry` that the form's `values` change, with their text before and after."""
    before = entry_values(entry)
    return [
        Change(name, before[name], cleaned(name, values[name]))
        for name in FIELDS
        if name in values and cleaned(name, values[name]) != before[name]
    ]
