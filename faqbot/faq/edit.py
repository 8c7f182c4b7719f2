"""Changing `data/faq.yaml` in place without touching what staff wrote.

Staff keep the FAQ by hand, with comments, in git. When they accept what customers taught the
bot (`faqbot learn --accept`, the staff console), the customers' phrasings are added under the
entry's `learned:` key and the file must differ from before only by the added lines: comments,
key order, block answers (`answer: |`), quoting and blank lines all stay. The file is read and
written with ruamel.yaml's round trip (PyYAML, which checks the file, cannot write comments
back); the few comment moves ruamel.yaml does not do by itself are done here.

Example:

    result = add_learned("data/faq.yaml", {"backup": ["Sparar ni kopior av min sajt?"]})
    for added in result.added:
        print(f"data/faq.yaml:{added.line}: {added.text!r} learned by {added.faq_id!r}")

The file is checked before (an invalid file is refused, untouched) and after the change (with
`load_faq`, the same checks as `faqbot index`), and replaced atomically: a reader or a crash sees
either the old file or the new one.
"""

from __future__ import annotations

import difflib
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark, YAMLError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, FoldedScalarString, LiteralScalarString
from ruamel.yaml.tokens import CommentToken
from ruamel.yaml.util import load_yaml_guess_indent

from faqbot.errors import DataError, FaqbotError
from faqbot.faq.importers.writer import reads_back_plain
from faqbot.faq.messages import say
from faqbot.faq.model import Faq, load_faq, normalize_question, question_owners
from faqbot.files import atomic_write

LEARNED = "learned"
OFF_TOPIC = "off_topic"
OFF_TOPIC_COMMENT = (
    "Customers' questions staff marked as about something else (faqbot learn --off-topic, the console's\n"
    '"Handlar om annat"): the bot sends them, and questions nearer them than any entry, to the helpdesk.'
)
BOM = "\ufeff"


@dataclass(frozen=True)
class Added:
    """A phrasing written under an entry's `learned:`; `line` is its line in the new file."""

    faq_id: str
    text: str
    line: int


@dataclass(frozen=True)
class Skipped:
    """A phrasing not written, and why (already in the FAQ, or blank)."""

    faq_id: str
    text: str
    reason: str
    already_in: str = ""  # the entry that has it already ("" for a blank phrasing)
    line: int = 0  # and its line there


@dataclass(frozen=True)
class LearnResult:
    """What `add_learned` did. `reformatted` lists lines of the old file that the round trip
    rewrote beyond the additions (ruamel.yaml normalises unusual spacing such as `key:   value`);
    it is empty for a file in the shipped or imported style."""

    added: tuple[Added, ...]
    skipped: tuple[Skipped, ...]
    reformatted: tuple[int, ...] = ()


@dataclass
class Document:
    """The FAQ file as ruamel.yaml's round trip holds it, with what it takes to write it back alike."""

    path: Path
    raw: bytes
    yaml: YAML
    data: Any
    crlf: bool
    bom: bool

    def entry(self, faq_id: str) -> CommentedMap:
        for item in self.data["entries"]:
            if str(item["id"]) == faq_id:
                return item
        raise DataError(self.path, [(0, f"no entry has the id '{faq_id}'; was it renamed or removed?")])

    def render(self) -> str:
        out = io.StringIO()
        self.yaml.dump(self.data, out)
        text = out.getvalue()
        text = text.replace("\n", "\r\n") if self.crlf else text
        return BOM + text if self.bom else text


def add_learned(path: str | Path, additions: Mapping[str, Sequence[str]]) -> LearnResult:
    """Add customers' phrasings to their entries' `learned:` lists; `additions` maps an id to phrasings.

    A phrasing already in the FAQ (any entry's question, alternative, learned phrasing or English
    question, compared as `normalize_question` does) or blank is skipped, not written. Raises
    DataError for an invalid file or an unknown id, before anything is written.
    """
    path = Path(path)
    faq = load_faq(path)  # an invalid file is refused as `faqbot index` refuses it
    plan, skipped = plan_additions(faq, additions, text_lines(path.read_bytes().decode("utf-8-sig")))
    if not plan:
        return LearnResult((), tuple(skipped))
    document = open_document(path)
    for faq_id, texts in plan.items():
        append_learned(document.entry(faq_id), texts)
    old_text = document.raw.decode("utf-8-sig").replace("\r\n", "\n")
    new_text = replace_file(document).removeprefix(BOM).replace("\r\n", "\n")
    # where each phrasing is in the file as written: the added ones, and those skipped (a phrasing
    # given twice: the first's)
    now = text_lines(new_text)
    written = [
        Added(faq_id, text, now[(faq_id, normalize_question(text))]) for faq_id, texts in plan.items() for text in texts
    ]
    added = tuple(sorted(written, key=lambda a: a.line))  # in the file's order
    skipped = [
        already_in(s.faq_id, s.text, s.already_in, now[key])
        if s.already_in and (key := (s.already_in, normalize_question(s.text))) in now
        else s
        for s in skipped
    ]
    return LearnResult(added, tuple(skipped), rewritten_lines(old_text, new_text))


def remove_learned(path: str | Path, faq_id: str, text: str) -> bool:
    """Remove one learned phrasing (staff's undo); False when the entry has no such phrasing.

    The phrasing's line goes, and `learned:` with it when it was the last one; nothing else
    changes. Raises DataError for an invalid file or an unknown id.
    """
    path = Path(path)
    faq = load_faq(path)
    if faq_id not in faq.by_id:
        raise DataError(path, [(0, f"no entry has the id '{faq_id}'; was it renamed or removed?")])
    key = normalize_question(text)
    position = next((i for i, t in enumerate(faq.by_id[faq_id].learned) if normalize_question(t) == key), None)
    if position is None:
        return False
    document = open_document(path)
    entry = document.entry(faq_id)
    remove_item(entry, LEARNED, position)
    replace_file(document)
    return True


def remove_entry(path: str | Path, faq_id: str) -> str:
    """Take entry `faq_id` out of the FAQ file (staff deleted it), keeping everything else as it
    was: the comments and blank lines after it stay above the next entry. Returns its question.
    Raises DataError for an invalid file, an unknown id, or the FAQ's only entry (a FAQ needs one)."""
    path = Path(path)
    faq = load_faq(path)
    if faq_id not in faq.by_id:
        raise DataError(path, [(0, f"no entry has the id '{faq_id}'; was it renamed or removed?")])
    if len(faq.entries) == 1:
        raise DataError(path, [(faq.by_id[faq_id].line, say("last_entry", id=faq_id))])
    document = open_document(path)
    entries = document.data["entries"]
    position = next(i for i, item in enumerate(entries) if str(item["id"]) == faq_id)
    if entries.fa.flow_style():
        remove_item(document.data, "entries", position)
    else:  # the blank lines that parted it from the next entry go with it; comment lines stay
        rest = take_tail(entries, position).lstrip("\n")
        del entries[position]
        if position:
            give_tail(entries, position - 1, rest)
        else:
            give_tail(document.data, key_before(document.data, "entries"), rest)
    replace_file(document)
    return faq.by_id[faq_id].question


def add_off_topic(path: str | Path, texts: Sequence[str]) -> tuple[str, ...]:
    """Add questions staff marked as about something else to the FAQ's `off_topic:` list (made
    at the end of the file, under a comment saying what it is for, when there is none); returns
    those written. One already there, or that is an entry's question, is not written again.
    Raises DataError for an invalid file, before anything is written."""
    path = Path(path)
    faq = load_faq(path)
    taken = {normalize_question(t) for t in faq.off_topic} | set(question_owners(faq.entries))
    new: list[str] = []
    for raw in texts:
        text, key = " ".join(raw.split()), normalize_question(raw)
        if key and key not in taken:
            new.append(text)
            taken.add(key)
    if not new:
        return ()
    document = open_document(path)
    data = document.data
    current = data.get(OFF_TOPIC)
    if isinstance(current, CommentedSeq) and (current or current.fa.flow_style()):
        rest = take_tail(data, OFF_TOPIC)
        current.extend(quoted(text, current.fa.flow_style()) for text in new)
    else:
        if OFF_TOPIC in data:  # `off_topic:` with nothing after it
            drop_key(data, OFF_TOPIC)
        rest = take_tail(data, list(data)[-1])
        data[OFF_TOPIC] = CommentedSeq(quoted(text) for text in new)
        data.yaml_set_comment_before_after_key(OFF_TOPIC, before="\n" + OFF_TOPIC_COMMENT)
    give_tail(data, OFF_TOPIC, rest)
    replace_file(document)
    return tuple(new)


def remove_off_topic(path: str | Path, text: str) -> str | None:
    """Remove one question from the FAQ's `off_topic:` list (staff's undo: the bot may answer it
    again), `text` or the list's spelling of it (`normalize_question`); the list goes with its
    last question, the comment above it too. Returns the list's text removed, or None when the
    list has no such question (removed meanwhile). Raises DataError for an invalid file."""
    path = Path(path)
    key = normalize_question(text)
    listed = load_faq(path).off_topic
    position = next((i for i, t in enumerate(listed) if normalize_question(t) == key), None)
    if position is None:
        return None
    document = open_document(path)
    data = document.data
    if len(data[OFF_TOPIC]) == 1:  # the list goes: the comment add_off_topic wrote above it too
        drop_comment_before(data, key_before(data, OFF_TOPIC))
    remove_item(data, OFF_TOPIC, position)
    replace_file(document)
    return listed[position]


def drop_comment_before(data: CommentedMap, key: str) -> None:
    """Take the comment `add_off_topic` wrote above `off_topic:` off the value before it (where
    ruamel.yaml keeps it), with the blank line above it."""
    if is_block_collection(data[key]):
        parent, last = data[key], last_key(data[key])
        while is_block_collection(parent[last]):
            parent, last = parent[last], last_key(parent[last])
    else:
        parent, last = data, key
    comments = parent.ca.items.get(last)
    token = comments[comment_slot(parent)] if comments else None
    if token is not None:
        marker = "\n# " + OFF_TOPIC_COMMENT.replace("\n", "\n# ") + "\n"
        token.value = token.value.replace(marker, "", 1)


def plan_additions(
    faq: Faq, additions: Mapping[str, Sequence[str]], lines: Mapping[tuple[str, str], int] | None = None
) -> tuple[dict[str, list[str]], list[Skipped]]:
    """The phrasings to write per entry, in order, and those skipped; unknown ids are an error.

    A phrasing already in the FAQ is said to be on its own line there when `lines` (from
    `text_lines`) has it, else on its entry's first line."""
    unknown = [faq_id for faq_id in additions if faq_id not in faq.by_id]
    if unknown:
        problems = [(0, f"no entry has the id '{faq_id}'; was it renamed or removed?") for faq_id in unknown]
        raise DataError(faq.path, problems)
    owner = question_owners(faq.entries)
    plan: dict[str, list[str]] = {}
    skipped: list[Skipped] = []
    for faq_id, texts in additions.items():
        for raw in texts:
            text = " ".join(raw.split())
            key = normalize_question(text)
            other = owner.get(key)
            if not key:
                skipped.append(Skipped(faq_id, raw, "blank"))
            elif other is not None:
                skipped.append(already_in(faq_id, text, other.id, (lines or {}).get((other.id, key), other.line)))
            else:
                plan.setdefault(faq_id, []).append(text)
                owner[key] = faq.by_id[faq_id]
    return plan, skipped


def already_in(faq_id: str, text: str, other: str, line: int) -> Skipped:
    where = "this entry" if other == faq_id else f"entry '{other}'"
    return Skipped(faq_id, text, f"already in {where} (line {line})", other, line)


def open_document(path: Path) -> Document:
    """Load the file for a round trip, writing it back in its own indentation and line endings."""
    raw = path.read_bytes()
    text = raw.decode("utf-8-sig")
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 1_000_000  # never fold a long line staff wrote on one line
    # ruamel.yaml keeps a comment's "\r"; line endings are put back when the text is written
    try:
        data, indent, offset = load_yaml_guess_indent(text.replace("\r\n", "\n"), yaml=yaml)
    except YAMLError as err:  # a file the check (libyaml) reads and ruamel.yaml does not: said, not a traceback
        mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise DataError(path, [(line, f"does not read for editing (ruamel.yaml): {problem}")]) from None
    yaml.indent(mapping=2, sequence=indent or 4, offset=2 if offset is None else offset)
    return Document(path, raw, yaml, data, crlf="\r\n" in text, bom=raw.startswith(BOM.encode()))


def quoted(text: str, flow: bool = False) -> str:
    """The phrasing as a scalar that PyYAML, which checks the file, reads back as the same text.

    ruamel.yaml writes YAML 1.2, in which `yes` or `on` are plain text; PyYAML reads YAML 1.1,
    in which they are booleans, so such phrasings get quotes. In a flow list (`[a, b]`) PyYAML
    refuses more plain text (a `?` inside), so phrasings added there are always quoted.
    """
    return text if reads_back_plain(text) and not flow else DoubleQuotedScalarString(text)


def append_learned(entry: CommentedMap, texts: Sequence[str]) -> None:
    """Append to the entry's `learned:`, creating it after `alternatives:` (else after the last key)."""
    current = entry.get(LEARNED)
    if isinstance(current, CommentedSeq) and (current or current.fa.flow_style()):
        rest = take_tail(entry, LEARNED)
        current.extend(quoted(text, current.fa.flow_style()) for text in texts)
        give_tail(entry, LEARNED, rest)
        return
    if LEARNED in entry:  # `learned:` with nothing after it
        drop_key(entry, LEARNED)
    keys = list(entry)
    position = keys.index("alternatives") + 1 if "alternatives" in entry else len(keys)
    rest = take_tail(entry, keys[position - 1])
    entry.insert(position, LEARNED, CommentedSeq(quoted(text) for text in texts))
    give_tail(entry, LEARNED, rest)


def remove_item(parent: CommentedMap, key: str, index: int) -> None:
    """Remove one item of the list `parent[key]` (an entry's `learned:`, the FAQ's `off_topic:`),
    keeping the comments and blank lines that follow it; the key goes with its last item."""
    listed = parent[key]
    if len(listed) == 1:
        drop_key(parent, key)
        return
    rest = "" if listed.fa.flow_style() else take_tail(listed, index)
    del listed[index]
    if index > 0:
        give_tail(listed, index - 1, rest)
    else:  # a comment between the first two items: keep it, just above the key
        give_tail(parent, key_before(parent, key), rest)


def drop_key(entry: CommentedMap, key: str) -> None:
    rest = take_tail(entry, key)
    before = key_before(entry, key)
    del entry[key]
    entry.ca.items.pop(key, None)
    give_tail(entry, before, rest)


def key_before(entry: CommentedMap, key: str) -> str:
    keys = list(entry)
    return keys[keys.index(key) - 1] if keys.index(key) > 0 else keys[1]


# ruamel.yaml keeps the blank lines and comment lines that follow a value as a comment token on
# the last scalar before them (the last alternative of an entry holds the blank line and the
# comment above the next entry). Inserting a key or an item after that scalar would leave them
# above the new lines; these two functions move them below.


def take_tail(parent: CommentedMap | CommentedSeq, key: Any) -> str:
    """Detach the lines that follow `parent[key]` (its end-of-line comment stays) and return them."""
    value = parent[key]
    if is_block_collection(value):
        return take_tail(value, last_key(value))
    slot = comment_slot(parent)
    comments = parent.ca.items.get(key)
    token = comments[slot] if comments else None
    if token is None:
        return ""
    if isinstance(value, LiteralScalarString | FoldedScalarString):
        head, rest = "", token.value  # a block scalar ends with its own line break
    else:
        head, newline, rest = token.value.partition("\n")
        head += newline
    if head:
        token.value = head
    else:
        comments[slot] = None
    return rest


def give_tail(parent: CommentedMap | CommentedSeq, key: Any, rest: str) -> None:
    """Attach `rest` (lines taken by take_tail) after the value at `parent[key]`."""
    if not rest:
        return
    value = parent[key]
    if is_block_collection(value):
        give_tail(value, last_key(value), rest)
        return
    slot = comment_slot(parent)
    comments = parent.ca.items.setdefault(key, [None, None, None, None])
    if comments[slot] is not None:
        comments[slot].value += rest
    else:
        block = isinstance(value, LiteralScalarString | FoldedScalarString)
        comments[slot] = CommentToken(rest if block else "\n" + rest, CommentMark(0))


def is_block_collection(value: Any) -> bool:
    return isinstance(value, CommentedMap | CommentedSeq) and len(value) > 0 and not value.fa.flow_style()


def last_key(collection: CommentedMap | CommentedSeq) -> Any:
    return len(collection) - 1 if isinstance(collection, CommentedSeq) else list(collection)[-1]


def comment_slot(parent: CommentedMap | CommentedSeq) -> int:
    """Where ruamel.yaml keeps the comment after a value: slot 0 of a list item, slot 2 of a key."""
    return 0 if isinstance(parent, CommentedSeq) else 2


def replace_file(document: Document) -> str:
    """Check the new text as `faqbot index` would, then replace the file atomically; returns the text."""
    text = document.render()
    target = document.path.resolve()  # a symlinked data/faq.yaml stays a symlink

    def check(written: Path) -> None:
        try:
            load_faq(written)
        except DataError as err:
            raise FaqbotError(
                f"the edited FAQ did not pass the FAQ checks (a faqbot bug; please report it); "
                f"{document.path} is unchanged:\n{err}"
            ) from None
        if target.read_bytes() != document.raw:
            raise FaqbotError(f"{document.path} changed while it was being edited; nothing was written, try again")

    atomic_write(target, text, check=check)
    return text


def text_lines(text: str) -> dict[tuple[str, str], int]:
    """The line of every question, alternative, learned phrasing and English question in a FAQ
    file's text, keyed by (entry id, the text as `normalize_question` keys it)."""
    data = YAML(typ="rt").load(text.replace("\r\n", "\n"))
    lines: dict[tuple[str, str], int] = {}
    for entry in data["entries"]:
        faq_id = str(entry["id"])
        for key in ("question", "question_en"):
            if isinstance(entry.get(key), str):
                lines.setdefault((faq_id, normalize_question(entry[key])), entry.lc.value(key)[0] + 1)
        for key in ("alternatives", LEARNED):
            items = entry.get(key)
            if isinstance(items, CommentedSeq):
                for i, item in enumerate(items):
                    lines.setdefault((faq_id, normalize_question(str(item))), items.lc.item(i)[0] + 1)
    return lines


def rewritten_lines(old: str, new: str) -> tuple[int, ...]:
    """Lines of `old` that are not in `new` unchanged (a pure addition has none)."""
    matcher = difflib.SequenceMatcher(None, old.splitlines(), new.splitlines(), autojunk=False)
    changed = [range(i1, i2) for tag, i1, i2, _, _ in matcher.get_opcodes() if tag in ("replace", "delete")]
    return tuple(line + 1 for block in changed for line in block)
