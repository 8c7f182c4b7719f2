"""Slips in a hand-edited `data/faq.yaml`, explained in plain words with how to fix them.

The YAML parser reports where it noticed trouble in its own terms ("mapping values are not
allowed here", "expected <block end>, but found '<block mapping start>'"); staff need to know
what they did and what to type instead, on the line where the slip starts:

    try:
        yaml.compose(text, Loader=loader)
    except yaml.MarkedYAMLError as err:
        line, message = explain(err, text)   # 69, "invalid YAML: the text after 'answer:' has ': ' ..."

Every message is a row of faqbot.faq.messages, in English for `faqbot index` and /healthz and
in Swedish for the staff console. libyaml and pure-Python PyYAML word their problems
differently; the slip is read from the file's text around the marks, so both are explained alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

from faqbot.faq.messages import SYNTAX, quoted_example, say

# -- reading the lines around a mark -------------------------------------------------------------

LINE = re.compile(r"^(?P<indent>[ \t]*)(?P<dash>-[ \t]+)?(?:(?P<key>[\w-]+):(?:[ \t]+|$))?(?P<value>.*)$")
BLOCK_MARK = re.compile(r"^[|>][-+0-9]*\s*(#.*)?$")
SPECIAL_STARTS = "*&!%@`|>?,-[{"  # characters that make the start of unquoted text YAML syntax


@dataclass(frozen=True)
class Line:
    """One line of the file as staff see it: its indentation, its key or list item, and its text."""

    number: int  # 1-based
    text: str
    indent: int
    dash: bool
    key: str
    key_column: int  # -1 without a key
    value: str
    value_column: int

    @property
    def where(self) -> str:
        """What the value comes after, as staff read it: 'answer:' or '- '."""
        return f"'{self.key}:'" if self.key else "'- '"

    def shown(self) -> str:
        """The line's content without its indentation, short enough to quote."""
        text = self.text.strip()
        return f"'{text[:40]} …'" if len(text) > 44 else f"'{text}'"


def read_line(lines: list[str], number: int) -> Line:
    text = lines[number - 1] if 0 < number <= len(lines) else ""
    found = LINE.match(text)
    if found is None:  # never: the pattern matches any line without a line break
        return Line(number, text, 0, False, "", -1, text, 0)
    return Line(
        number=number,
        text=text,
        indent=len(found.group("indent")),
        dash=bool(found.group("dash")),
        key=found.group("key") or "",
        key_column=found.start("key"),
        value=found.group("value"),
        value_column=found.start("value"),
    )


def structure(lines: list[str], before: int) -> list[Line]:
    """The key and list-item lines above line `before`, leaving out comments and block text (`|`, `>`)."""
    found: list[Line] = []
    block_at = -1  # the indentation a block text must exceed; -1 when not in one
    for number in range(1, before):
        line = read_line(lines, number)
        if not line.text.strip() or line.text.lstrip().startswith("#"):
            continue
        if block_at >= 0 and line.indent > block_at:
            continue
        block_at = -1
        if line.key or line.dash:
            found.append(line)
        if line.key and BLOCK_MARK.match(line.value):
            block_at = line.key_column
    return found


# -- explaining a syntax error -------------------------------------------------------------------


@dataclass(frozen=True)
class Trouble:
    """What the parser reported: its words, and where it noticed (`line`) and what it was reading (`context_line`)."""

    lines: list[str]
    problem: str
    context: str
    line: int  # 1-based; the problem's mark, else the context's
    column: int
    context_line: int  # 0 without a context mark
    context_column: int

    def char(self, line: int, column: int) -> str:
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        return text[column] if 0 <= column < len(text) else ""


def explain(err: yaml.MarkedYAMLError, text: str) -> tuple[int, str]:
    """The line a YAML syntax error starts on, and what it is and how to fix it in plain words."""
    at = err.problem_mark or err.context_mark
    context = err.context_mark
    trouble = Trouble(
        lines=text.split("\n"),
        problem=err.problem or err.context or "",
        context=err.context or "",
        line=at.line + 1 if at else 1,
        column=at.column if at else 0,
        context_line=context.line + 1 if context else 0,
        context_column=context.column if context else 0,
    )
    explainers = (unclosed_quote, tab, missing_colon, quote_then_text, special_start, colon_in_text, misplaced)
    for explainer in explainers:
        found = explainer(trouble)
        if found is not None:
            return found[0], SYNTAX + found[1]
    return trouble.line, say("unknown", True, problem=trouble.problem)


def unclosed_quote(t: Trouble) -> tuple[int, str] | None:
    """The scanner finds out at the end of the file; the slip is where the quote opened."""
    if not t.context_line or "quoted scalar" not in t.context:
        return None
    opened = t.char(t.context_line, t.context_column)
    return t.context_line, say("unclosed_quote", quote=repr(opened) if opened else "a quote")


def tab(t: Trouble) -> tuple[int, str] | None:
    """A tab where YAML wants spaces (libyaml and PyYAML word it differently; the text tells)."""
    if "tab" not in t.problem and "\\t" not in t.problem and t.char(t.line, t.column) != "\t":
        return None
    for number in (t.line, t.context_line):
        if number and "\t" in t.lines[number - 1]:
            return number, say("tab")
    return None


def missing_colon(t: Trouble) -> tuple[int, str] | None:
    """A line read as a key without its ': ': 'answer:|', '-text', or text too far left."""
    if "expected ':'" not in t.problem or not t.context_line:
        return None
    start = read_line(t.lines, t.context_line)
    text = start.text.strip()
    glued = re.match(r"^((?:- )?[\w-]+:)(\S)", text) or re.match(r"^(-)(\w)", text)
    if glued:
        mark = glued.group(1)[-1]
        fixed = text[: glued.end(1)] + " " + text[glued.end(1) :]
        return start.number, say("no_space", mark=mark, snippet=shorten(text), fixed=shorten(fixed))
    word = re.match(r"^(?:- )?([\w-]+)\s+\S", text)
    if word and any(re.match(rf"^\s*(?:- )?{re.escape(word.group(1))}:(?:\s|$)", line) for line in t.lines):
        key = word.group(1)  # a key of the file, its ':' left out: 'answer Avboka ...'
        fixed = text[: word.end(1)] + ": " + text[word.end(1) :].lstrip()
        return start.number, say("key_without_colon", key=key, snippet=shorten(text), fixed=shorten(fixed))
    above = structure(t.lines, start.number)
    if not above:
        return None
    owner = above[-1]
    before = [read_line(t.lines, n) for n in range(owner.number + 1, start.number)]
    deeper = [line.indent for line in before if line.text.strip() and line.indent > start.indent]
    want = deeper[0] if deeper else max(owner.key_column, owner.indent) + 2
    return start.number, say("text_too_far_left", have=start.indent, where=owner.where, want=want)


def shorten(text: str) -> str:
    return f"'{text[:40]} …'" if len(text) > 44 else f"'{text}'"


def example(line: Line, value: str) -> str:
    """The line as it should read, its text in quotes."""
    return f"{line.key}: {value}" if line.key else f"- {value}"


def quote_then_text(t: Trouble) -> tuple[int, str] | None:
    """'question: "Telefon" finns det?': the quotes close before the text ends."""
    line = read_line(t.lines, t.line)
    first = line.value[:1]
    if first not in ("'", '"') or t.column <= line.value_column:
        return None
    value = line.value.strip()
    if first == '"' or '"' in value or "\\" in value:
        other = "'" + value.replace("'", "''") + "'"
    else:
        other = f'"{value}"'
    return line.number, say("quote_then_text", where=line.where, char=repr(first), example=example(line, other))


def special_start(t: Trouble) -> tuple[int, str] | None:
    """'question: @winterkvist ...', '- *viktigt* ...': a character YAML reads as syntax starts the text."""
    line = read_line(t.lines, t.line)
    first = line.value[:1]
    if not first or first not in SPECIAL_STARTS or t.column < line.value_column:
        return None
    fix = example(line, quoted_example(line.value))
    return line.number, say("special_start", where=line.where, char=repr(first), example=fix)


def colon_in_text(t: Trouble) -> tuple[int, str] | None:
    """'answer: Ring oss: 08-123': the second ': ' looks like a key to YAML.

    The same complaint comes when a key is indented more than the line above it (YAML reads it as
    more of that line's text); that is a slip of indentation, told apart by where the colon is and
    by the word before it being a key used above ('question:', not 'telefonsupport:').
    """
    if "mapping values are not allowed" not in t.problem:
        return None
    line = read_line(t.lines, t.line)
    if line.key and t.column >= line.value_column:  # the colon is inside the text after the key
        fix = example(line, quoted_example(line.value))
        return line.number, say("colon_in_text", where=line.where, example=fix)
    above = structure(t.lines, line.number)
    if line.key and any(other.key == line.key for other in above):  # a key of the file, indented too far
        return wrong_indent(t.lines, line)
    if not above or not above[-1].key or BLOCK_MARK.match(above[-1].value):
        return None
    start = above[-1]  # text over several lines: quote it all, from the line it starts on
    text = " ".join([start.value.strip()] + [t.lines[n - 1].strip() for n in range(start.number + 1, line.number + 1)])
    return start.number, say("colon_in_text", where=start.where, example=example(start, quoted_example(text)))


def misplaced(t: Trouble) -> tuple[int, str] | None:
    """A line the parser did not expect where it stands: a new entry without '- ', or wrong indentation."""
    expected = ("did not find expected '-' indicator", "did not find expected key", "expected <block end>")
    if not any(words in t.problem for words in expected):
        return None
    line = read_line(t.lines, t.line)
    if t.column > line.indent:  # trouble in the middle of the line: not its indentation
        return None
    if line.key == "id" and not line.dash:
        return line.number, say("missing_dash", id=line.value.strip())
    return wrong_indent(t.lines, line)


def wrong_indent(lines: list[str], line: Line) -> tuple[int, str] | None:
    """The line and the one above it that it should line up with, by their spaces."""
    plain_key = bool(line.key) and not line.dash

    def sibling(other: Line) -> bool:
        if plain_key:
            return bool(other.key)
        return other.dash and bool(other.key) == bool(line.key)

    others = [other for other in structure(lines, line.number) if sibling(other)]
    if not others:
        return None
    other = others[-1]
    have, want = (line.key_column, other.key_column) if plain_key else (line.indent, other.indent)
    if have == want:
        return None
    name, other_name = (f"'{line.key}:'", f"'{other.key}:'") if plain_key else (line.shown(), other.shown())
    return line.number, say("indent", name=name, have=have, other=other_name, other_line=other.number, want=want)


def anchor_message(text: str, line_number: int, column: int) -> str:
    """Anchors and aliases are refused; when the text merely starts with '&' or '*', say how to keep it."""
    line = read_line(text.split("\n"), line_number)
    if column != line.value_column or line.value[:1] not in ("&", "*"):
        return say("anchor_bare")
    fix = example(line, quoted_example(line.value))
    return say("anchor", where=line.where, char=repr(line.value[0]), example=fix)
