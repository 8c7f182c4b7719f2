"""The FAQ file (`data/faq.yaml`): loading it and checking everything staff can get wrong.

Staff edit the file by hand, so every problem is reported as `path:LINE: what is wrong`,
all of them at once, and nothing downstream ever sees an invalid FAQ. Slips in the YAML itself
(a colon in a text, a line indented wrong, a lost '- ') are explained by faqbot.faq.slips.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from faqbot.errors import DataError
from faqbot.faq.messages import quoted_example, say
from faqbot.faq.slips import anchor_message, explain

MAX_FILE_BYTES = 2_000_000
ENTRY_KEYS = {"id", "question", "answer", "alternatives", "learned", "section", "question_en", "answer_en"}
OPTIONAL_TEXT_KEYS = ("section", "question_en", "answer_en")  # optional text fields, validated like the rest
TOP_KEYS = {"helpdesk", "entries", "off_topic"}
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*\Z")  # \Z, not $: "backup\n" is no id
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+\Z")


@dataclass(frozen=True)
class FaqEntry:
    """One question and its answer, with the other ways customers ask it.

    `section` is the part of the FAQ the entry belongs to; `question_en` and `answer_en` are
    the English question and answer when staff have written them ("" when not). `learned`
    holds customers' own words for the question, accepted by staff with `faqbot learn`; kept
    apart from staff's `alternatives` so the index can say how many came from customers.
    """

    id: str
    question: str
    answer: str
    alternatives: tuple[str, ...] = ()
    line: int = 0
    section: str = ""
    question_en: str = ""
    answer_en: str = ""
    learned: tuple[str, ...] = ()

    def questions(self) -> tuple[str, ...]:
        """Every way customers ask for this entry: the question, alternatives, learned, the English question."""
        english = (self.question_en,) if self.question_en else ()
        return (self.question, *self.alternatives, *self.learned, *english)

    def content_hash(self) -> str:
        """A hash of what the bot indexes and answers with; changes when staff edit the entry."""
        data: list = [self.question, self.answer, list(self.alternatives)]
        extra = [self.section, self.question_en, self.answer_en]
        if any(extra):  # an entry without the optional fields keeps the hash it always had
            data.append(extra)
        if self.learned:  # likewise: only entries with learned phrasings get a new hash
            data.append({"learned": list(self.learned)})
        return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Faq:
    """The whole FAQ: entries in file order and the helpdesk address.

    `off_topic`: customers' questions staff marked as about something the FAQ does not cover
    (`faqbot learn --off-topic`, the console's "Handlar om annat"). The bot sends such a
    question, and one nearer it than to any text of the entry it would answer with, to the
    helpdesk (`Searcher.set_aside`).
    """

    helpdesk: str
    entries: tuple[FaqEntry, ...]
    path: str = ""
    off_topic: tuple[str, ...] = ()
    by_id: dict[str, FaqEntry] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self.by_id.update({e.id: e for e in self.entries})

    def question_keys(self) -> set[str]:
        """Every question, alternative and learned phrasing in the normalised form that spots a repeat."""
        return {normalize_question(t) for e in self.entries for t in (e.question, *e.alternatives, *e.learned)}

    def content_hash(self) -> str:
        """A hash of everything the index depends on."""
        parts = [self.helpdesk] + [f"{e.id}:{e.content_hash()}" for e in self.entries]
        if self.off_topic:  # only then: an FAQ without them keeps the hash it always had
            parts.append(json.dumps({"off_topic": list(self.off_topic)}, ensure_ascii=False))
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def did_you_mean(wanted: str, ids: Iterable[str]) -> str:
    """ "; did you mean 'x'?" naming the ids closest to a mistyped one, or "" when none is close."""
    close = difflib.get_close_matches(wanted, list(ids), n=3, cutoff=0.75)
    return f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""


def question_owners(entries: Iterable[FaqEntry]) -> dict[str, FaqEntry]:
    """Every question text of the entries (`FaqEntry.questions()`), normalised, -> its entry."""
    return {normalize_question(t): e for e in entries for t in e.questions()}


def normalize_question(text: str) -> str:
    """The form used to spot two questions that are the same."""
    return " ".join(re.sub(r"[^\w\s]", " ", text.casefold()).split())


def read_text(path: Path, max_bytes: int = MAX_FILE_BYTES) -> str:
    """Read a UTF-8 text file, reporting size and encoding problems with a line number."""
    if not path.is_file():
        raise DataError(path, [(0, "file not found")])
    size = path.stat().st_size
    if size > max_bytes:
        raise DataError(path, [(1, f"file is {size:,} bytes; the limit is {max_bytes:,}")])
    raw = path.read_bytes()
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise DataError(path, [(line, "contains a NUL byte; is this a binary file?")])
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise DataError(path, [(line, "is not UTF-8 text; save the file as UTF-8")]) from None


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# Line breaks to YAML 1.1 (this check's libyaml) and not to YAML 1.2 (ruamel.yaml, which staff's
# edits go through): in a block of text the two read the file differently, and a save that wrote
# one left a file the console could no longer edit. They come with text pasted from Word or a web page.
LINE_SEPARATORS = {"\u2028": "U+2028", "\u2029": "U+2029", "\x85": "U+0085"}
# And the characters YAML does not allow at all, which libyaml reports at "line 1, position 859"
# (an attack found it): control characters but tab and line ends, and U+FFFE, U+FFFF.
UNREADABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff]")


# Invisible marks that come along with pasted text and only hide a word from search (a zero-width
# space inside "fak\u200bturor" splits the word for BM25 and the model alike): the Arabic letter
# mark, the zero-width space, the left-to-right and right-to-left marks, the marks that reverse or
# isolate the direction of text (a text holding them reads otherwise in a diff or a terminal than it
# is stored), the word joiner, the noncharacters U+FDD0-FDEF, the byte order mark (but the file's
# first, which read_text drops) and the tag characters. The zero-width joiner and non-joiner stay:
# emoji and some scripts need them. The staff console takes them out of what staff type; a hand edit
# that holds one is told on its line (`invisible_marks`).
INVISIBLE_MARKS = "\u061c\u200b\u200e\u200f\u202a-\u202e\u2060\u2066-\u2069\ufdd0-\ufdef\ufeff\U000e0000-\U000e007f"
INVISIBLE = re.compile(f"[{INVISIBLE_MARKS}]")


MAX_INVISIBLE_NAMED = 20  # lines named one by one; a file pasted full of them gets one line for the rest


def invisible_marks(text: str) -> list[tuple[int, str]]:
    """A problem for each line of the file's text (outside comments) that holds an INVISIBLE mark,
    the first MAX_INVISIBLE_NAMED of them, and one that counts the rest."""
    found_on = [
        (number, found)
        for number, line in enumerate(text.split("\n"), start=1)
        if not line.lstrip().startswith("#") and (found := INVISIBLE.search(line)) is not None
    ]
    problems = [
        (number, say("invisible_mark", char=f"U+{ord(found.group()):04X}", column=found.start() + 1))
        for number, found in found_on[:MAX_INVISIBLE_NAMED]
    ]
    if len(found_on) > MAX_INVISIBLE_NAMED:
        more = len(found_on) - MAX_INVISIBLE_NAMED
        problems.append((found_on[MAX_INVISIBLE_NAMED][0], say("more_invisible", more=more)))
    return problems


def refuse_unreadable(path: Path, text: str) -> None:
    """DataError at the first line that holds one of LINE_SEPARATORS or another UNREADABLE
    character, its line counted as an editor counts it."""
    found = UNREADABLE.search(text)
    if found is not None:
        line, char = text.count("\n", 0, found.start()) + 1, found.group()
        if char in LINE_SEPARATORS:
            raise DataError(path, [(line, say("line_separator", char=LINE_SEPARATORS[char]))])
        raise DataError(path, [(line, say("control_character", char=f"U+{ord(char):04X}"))])


def parse_yaml(path: Path, text: str) -> yaml.Node | None:
    """Parse YAML into a node tree (which keeps line numbers), refusing anchors and aliases.

    Aliases are refused because staff never need them and they allow "billion laughs"
    expansion attacks. libyaml's parser is used where PyYAML was built with it: the same
    grammar and marks, an order of magnitude faster than the pure-Python one. A syntax error
    is told in plain words, on the line where the slip starts, with how to fix it
    (faqbot.faq.slips).
    """
    try:
        for event in yaml.parse(text, Loader=_LOADER):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                mark = event.start_mark
                line, column = (mark.line + 1, mark.column) if mark else (0, -1)
                raise DataError(path, [(line, anchor_message(text, line, column))])
        return yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as err:
        raise DataError(path, [explain(err, text)]) from None
    except yaml.YAMLError as err:
        raise DataError(path, [(1, f"invalid YAML: {err}")]) from None


def line_of(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def mapping_items(node: yaml.MappingNode, problems: list[tuple[int, str]]) -> dict[str, yaml.Node]:
    """The mapping's keys and value nodes; duplicate and non-string keys are reported.

    A second 'id' in an entry is an entry that lost its '- ': that is said once, not once per key.
    """
    items: dict[str, yaml.Node] = {}
    first_lines: dict[str, int] = {}
    merged = False  # a second entry ran into this one; its keys are not reported again
    for key_node, value_node in node.value:
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
        if not isinstance(key, str):
            problems.append((line_of(key_node), say("plain_keys")))
        elif key == "id" and key in items and isinstance(value_node, yaml.ScalarNode) and not merged:
            problems.append((line_of(key_node), say("missing_dash", id=value_node.value)))
            merged = True
        elif key in items and not merged:
            problems.append((line_of(key_node), say("duplicate_key", key=key, first=first_lines[key])))
        elif key not in items:
            items[key] = value_node
            first_lines[key] = line_of(key_node)
    return items


# An integer in YAML 1.2's octal form: these checks read YAML 1.1, where "0o17" is text, but the
# round-trip editor that writes the file (an accept, the console) reads YAML 1.2, where it is 15.
OCTAL_1_2 = re.compile(r"[-+]?0o[0-7]+\Z")


def scalar_text(node: yaml.Node, what: str, problems: list[tuple[int, str]]) -> str | None:
    """The text of a scalar node; reports lists, mappings, and empty or non-text values."""
    if not isinstance(node, yaml.ScalarNode):
        problems.append((line_of(node), not_text(node, what)))
        return None
    if node.tag == "tag:yaml.org,2002:null":
        problems.append((line_of(node), say("empty", what=what)))
        return None
    if node.tag.startswith("!") and not node.tag.startswith("!!"):  # '!Viktigt text': a local tag
        problems.append(
            (line_of(node), say("text_not_tag", what=what, example=quoted_example(f"{node.tag} {node.value}")))
        )
        return None
    if node.tag != "tag:yaml.org,2002:str" or (not node.style and OCTAL_1_2.match(node.value)):
        problems.append((line_of(node), say("not_text_value", what=what, value=repr(node.value))))
        return None
    text = str(node.value).strip()
    if not text:
        problems.append((line_of(node), say("empty", what=what)))
        return None
    return text


def not_text(node: yaml.Node, what: str) -> str:
    """Why a list or mapping is not the text expected: a '- ' too many, or ': ' inside the text."""
    if isinstance(node, yaml.SequenceNode):
        return say("text_not_list", what=what)
    pairs = node.value if isinstance(node, yaml.MappingNode) else []
    if len(pairs) == 1 and all(isinstance(part, yaml.ScalarNode) for part in pairs[0]):
        key, value = pairs[0]
        return say("text_not_pair", what=what, example=quoted_example(f"{key.value}: {value.value}"))
    return say("text_not_mapping", what=what)


def load_faq(path: str | Path) -> Faq:
    """Load and validate the FAQ file. Raises DataError listing every problem found."""
    path = Path(path)
    text = read_text(path)
    refuse_unreadable(path, text)
    root = parse_yaml(path, text)
    problems: list[tuple[int, str]] = invisible_marks(text)
    if not isinstance(root, yaml.MappingNode):
        line = line_of(root) if root is not None else 1
        raise DataError(path, [(line, say("file_top"))])

    top = mapping_items(root, problems)
    for key, node in top.items():
        if key not in TOP_KEYS:
            problems.append((line_of(node), say("unknown_key", key=key, known="helpdesk, entries, off_topic")))
    helpdesk = ""
    if "helpdesk" not in top:
        problems.append((1, say("missing_helpdesk")))
    else:
        helpdesk = scalar_text(top["helpdesk"], "helpdesk", problems) or ""
        if helpdesk and not EMAIL_PATTERN.match(helpdesk):
            problems.append((line_of(top["helpdesk"]), say("not_email", helpdesk=helpdesk)))

    entries: list[FaqEntry] = []
    entries_node = top.get("entries")
    if entries_node is None:
        problems.append((1, say("missing_entries")))
    elif not isinstance(entries_node, yaml.SequenceNode):
        problems.append((line_of(entries_node), say("entries_not_list")))
    elif not entries_node.value:
        problems.append((line_of(entries_node), say("entries_empty")))
    else:
        drafts: list[FaqEntry] = []  # every entry with an id, valid or not, for the duplicate checks
        for item in entries_node.value:
            entry = parse_entry(item, problems, drafts)
            if entry is not None:
                entries.append(entry)
        check_duplicates(drafts, problems)

    off_topic = question_list(top, "off_topic", "an off-topic question", problems)
    check_off_topic(top.get("off_topic"), off_topic, entries, problems)
    if problems:
        raise DataError(path, problems)
    return Faq(helpdesk=helpdesk, entries=tuple(entries), path=str(path), off_topic=off_topic)


def parse_entry(node: yaml.Node, problems: list[tuple[int, str]], drafts: list[FaqEntry]) -> FaqEntry | None:
    line = line_of(node)
    if not isinstance(node, yaml.MappingNode):
        problems.append((line, say("entry_not_mapping")))
        return None
    before = len(problems)
    items = mapping_items(node, problems)
    for key, value in items.items():
        if key not in ENTRY_KEYS:
            known = ", ".join(sorted(ENTRY_KEYS))
            problems.append((line_of(value), say("unknown_key", key=key, known=known)))

    fields: dict[str, str | None] = {}
    for key in ("id", "question", "answer"):
        if key not in items:
            missing = (
                say("entry_has_no", id=fields["id"], key=key) if fields.get("id") else say("an_entry_has_no", key=key)
            )
            problems.append((line, missing))
            fields[key] = None
        else:
            what = f"{key} of entry '{fields['id']}'" if key != "id" and fields.get("id") else key
            fields[key] = scalar_text(items[key], what, problems)
            if key == "question":
                fields[key] = worded(items[key], fields[key], what, problems)
    entry_id = fields["id"]
    if entry_id is not None and not ID_PATTERN.match(entry_id):
        problems.append((line_of(items["id"]), say("bad_id", id=entry_id)))
    elif entry_id is not None and items["id"].value != entry_id:  # "backup " in quotes: read stripped,
        # edited as written, where no entry has it (an attack found `learn --accept` and a save failing so)
        problems.append((line_of(items["id"]), say("bad_id", id=repr(items["id"].value)[1:-1])))

    alternatives = question_list(items, "alternatives", "an alternative", problems)
    learned = question_list(items, "learned", "a learned phrasing", problems)
    optional = {key: optional_text(items, key, entry_id, problems) for key in OPTIONAL_TEXT_KEYS}
    question, answer = fields["question"], fields["answer"]
    if entry_id:
        drafts.append(FaqEntry(entry_id, question or "", answer or "", alternatives, line, learned=learned, **optional))
    if len(problems) > before or not (entry_id and question and answer):
        return None
    return FaqEntry(entry_id, question, answer, alternatives, line, learned=learned, **optional)


def question_list(items: dict[str, yaml.Node], key: str, what: str, problems: list[tuple[int, str]]) -> tuple[str, ...]:
    """An optional list of questions (`alternatives`, `learned`); `key:` with nothing after it is an empty list."""
    node = items.get(key)
    if node is None or (isinstance(node, yaml.ScalarNode) and node.value == ""):
        return ()
    if not isinstance(node, yaml.SequenceNode):
        problems.append((line_of(node), say("not_question_list", key=key)))
        return ()
    texts = [worded(item, scalar_text(item, what, problems), what, problems) for item in node.value]
    return tuple(text for text in texts if text is not None)


def worded(node: yaml.Node, text: str | None, what: str, problems: list[tuple[int, str]]) -> str | None:
    """A question's text, or a problem when it has no letter or digit ("???": a walk-through's
    console took it, and the chat then offered "???" as a choice)."""
    if text is not None and not any(c.isalnum() for c in text):
        problems.append((line_of(node), say("no_words", what=what)))
        return None
    return text


def optional_text(items: dict[str, yaml.Node], key: str, entry_id: str | None, problems: list[tuple[int, str]]) -> str:
    """An optional text field of an entry ("" when absent); present but empty is a mistake."""
    if key not in items:
        return ""
    what = f"{key} of entry '{entry_id}'" if entry_id else key
    return scalar_text(items[key], what, problems) or ""


def check_off_topic(
    node: yaml.Node | None, off_topic: tuple[str, ...], entries: list[FaqEntry], problems: list[tuple[int, str]]
) -> None:
    """An off-topic question that is also an entry's question would send that entry's own
    customers to the helpdesk: reported on its line."""
    if node is None or not off_topic or not isinstance(node, yaml.SequenceNode):
        return
    owner = question_owners(entries)
    for item in node.value:
        text = item.value if isinstance(item, yaml.ScalarNode) and isinstance(item.value, str) else ""
        entry = owner.get(normalize_question(text)) if text.strip() else None
        if entry is not None:
            problems.append(
                (line_of(item), say("off_topic_in_entry", text=text.strip(), entry=entry.id, line=entry.line))
            )


def check_duplicates(entries: list[FaqEntry], problems: list[tuple[int, str]]) -> None:
    """Report ids used twice, and the same question (or alternative) under two entries of one section.

    Real FAQs ask short questions such as "Vem kan söka?" in several sections, each with its own
    answer; the section tells them apart, so the same question in two sections is allowed.
    """
    first_by_id: dict[str, FaqEntry] = {}
    seen_questions: dict[tuple[str, str], FaqEntry] = {}
    for entry in entries:
        if entry.id in first_by_id:
            problems.append((entry.line, say("duplicate_id", id=entry.id, first=first_by_id[entry.id].line)))
        else:
            first_by_id[entry.id] = entry
        for text in entry.questions():
            if not text:
                continue
            key = (entry.section or "", normalize_question(text))
            other = seen_questions.get(key)
            if other is not None and other is not entry:
                problems.append(
                    (entry.line, say("duplicate_question", entry=entry.id, text=text, other=other.id, line=other.line))
                )
            elif other is None:
                seen_questions[key] = entry
