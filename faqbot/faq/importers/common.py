"""What every importer shares: the draft entry, text tidying, generated ids, the checks, and
the outline rule that turns headings (Markdown or HTML) into sections and questions."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from faqbot.faq.model import ID_PATTERN, INVISIBLE, normalize_question

Problems = list[tuple[int, str]]

SLUG_MAX_CHARS = 40  # ids stay readable in the YAML file and in the conversation log
ASCII_EXTRA = str.maketrans({"æ": "ae", "ø": "o", "ß": "ss", "œ": "oe", "þ": "th", "ð": "d", "đ": "d", "ł": "l"})
BREAK = -1  # Block.level of a thematic break (<hr>, ---): it ends the answer above it
# A line that starts a page's footer, as copied from a website ("© 2025 Firma AB").
FOOTER_START = re.compile(r"^(©|\(c\)\s|copyright\b)", re.IGNORECASE)


@dataclass
class Draft:
    """An entry read from the source, before ids are given and the file is written."""

    question: str
    answer: str
    line: int
    section: str = ""
    alternatives: tuple[str, ...] = ()
    id: str = ""
    question_en: str = ""
    answer_en: str = ""

    def questions(self) -> tuple[str, ...]:
        return (self.question, *self.alternatives, *((self.question_en,) if self.question_en else ()))


@dataclass
class Block:
    """A heading (level 1-6), a paragraph of text (level 0) or a break, with its source line."""

    line: int
    text: str
    level: int = 0
    bullet: bool = False  # a list item: joined to the item before it by a line break, not a blank line


@dataclass
class Parsed:
    """What a parser found: the entries, and notes for the person importing (not errors)."""

    drafts: list[Draft] = field(default_factory=list)
    warnings: Problems = field(default_factory=list)


BREAKS = "\t\n\r\v\f\x85"  # white space that is no Z character: a space within one line (a CSV cell's Alt+Enter)
PARAGRAPHS = str.maketrans({"\r": "\n", "\v": "\n", "\f": "\n\n", "\x85": "\n", "\u2028": "\n", "\u2029": "\n\n"})


def tidy_line(text: str) -> str:
    """One line: control characters, the non-characters U+FFFE, U+FFFF (which YAML does not
    allow) and the invisible marks the FAQ's check refuses dropped, any run of white space (tabs,
    no-break spaces, a line break) one space."""
    if text.isprintable():  # no separator but ' ' and no control character: the common case, 20x faster
        return " ".join(text.split())
    kept = "".join(" " if unicodedata.category(c)[0] == "Z" or c in BREAKS else c for c in text)
    kept = "".join(c for c in kept if unicodedata.category(c) not in ("Cc", "Cf", "Cs") and c not in "\ufffe\uffff")
    kept = INVISIBLE.sub("", kept)  # the noncharacters U+FDD0-FDEF, which the FAQ's check refuses
    return " ".join(kept.split())


def tidy(text: str) -> str:
    """Text as written, white space tidied: lines tidied, paragraphs kept, separated by one blank
    line. Word's line and paragraph separators are the line break and blank line they stand for,
    as the console saves them."""
    lines = [tidy_line(line) for line in text.replace("\r\n", "\n").translate(PARAGRAPHS).split("\n")]
    paragraphs, current = [], []
    for line in lines:
        if line:
            current.append(line)
        elif current:
            paragraphs.append("\n".join(current))
            current = []
    if current:
        paragraphs.append("\n".join(current))
    return "\n\n".join(paragraphs)


def join_blocks(blocks: list[Block]) -> str:
    """Paragraphs separated by a blank line; consecutive list items by a line break."""
    out: list[str] = []
    for i, block in enumerate(blocks):
        if i:
            out.append("\n" if block.bullet and blocks[i - 1].bullet else "\n\n")
        out.append(block.text)
    return tidy("".join(out))


def slugify(text: str) -> str:
    """An ASCII id from a question: 'Hur når jag er?' -> 'hur-nar-jag-er' (å/ä -> a, ö -> o, é -> e)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(ASCII_EXTRA))
    ascii_text = "".join(c for c in decomposed if not unicodedata.combining(c)).encode("ascii", "ignore").decode()
    slug = ""
    for word in re.findall(r"[a-z0-9]+", ascii_text):
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > SLUG_MAX_CHARS and slug:
            break
        slug = candidate[:SLUG_MAX_CHARS]
    return slug or "fraga"


def assign_ids(drafts: list[Draft], problems: Problems) -> None:
    """Keep the source's own ids (checked), and give every other entry a unique slug of its question.

    The source's ids are taken first, so a generated id never takes one the source names later.
    """
    used: dict[str, int] = {}
    for draft in drafts:
        if not draft.id:
            continue
        if not ID_PATTERN.match(draft.id):
            problems.append(
                (draft.line, f"id '{draft.id}' may only use a-z, 0-9 and '-' (leave it empty to generate one)")
            )
        elif draft.id in used:
            problems.append((draft.line, f"id '{draft.id}' is already used on line {used[draft.id]}"))
        else:
            used[draft.id] = draft.line
    for draft in drafts:
        if draft.id:
            continue
        base = slugify(draft.question)
        candidate, n = base, 2
        while candidate in used:
            candidate, n = f"{base}-{n}", n + 1
        draft.id = candidate
        used[candidate] = draft.line


def check_drafts(drafts: list[Draft], problems: Problems) -> None:
    """Every entry has a question and an answer, and no question is asked twice in one section."""
    seen: dict[tuple[str, str], int] = {}
    hint = "; each entry needs a question of its own (add what it is about, or merge the entries)"
    for draft in drafts:
        if not draft.question:
            problems.append((draft.line, "the question is empty; write it, or remove this entry"))
        elif not draft.answer:
            problems.append(
                (draft.line, f"question '{draft.question}' has no answer; write one, or remove the question")
            )
        for text in draft.questions():
            key = (draft.section or "", normalize_question(text))
            if not key[1]:
                continue
            if key in seen and seen[key] != draft.line:
                problems.append((draft.line, f"question '{text}' is already asked on line {seen[key]}{hint}"))
            seen.setdefault(key, draft.line)


def one_section_is_a_title(drafts: list[Draft]) -> None:
    """A heading above every entry is the page's title, not a section: drop it."""
    sections = {d.section for d in drafts}
    if len(sections) == 1:
        for draft in drafts:
            draft.section = ""


def entries_from_outline(blocks: list[Block]) -> Parsed:
    """Headings and text -> entries: each heading is a question and the text under it its answer.

    When some headings end in '?', only those are questions; a heading with question headings
    below it is their section, and other headings are skipped (with a warning). Text before the
    first heading, a section's own text, and text after a break (---, <hr>) are not answers.
    """
    parsed = Parsed()
    headings = [i for i, b in enumerate(blocks) if b.level > 0]
    question_mode = any(blocks[i].text.endswith("?") for i in headings)
    sections: list[tuple[int, str]] = []  # (level, text) of the open section headings
    position = 0
    while position < len(headings):
        i = headings[position]
        heading = blocks[i]
        # the headings under this one: up to the next of its level or above (found by walking on from
        # it, not by reading every heading after it for each: 50,000 headings took 26 s, an attack found)
        after = position + 1
        while after < len(headings) and blocks[headings[after]].level > heading.level:
            after += 1
        end = headings[after] if after < len(headings) else len(blocks)
        inner = headings[position + 1 : after]
        own_text = any(b.level == 0 for b in blocks[i + 1 : inner[0] if inner else end])
        while sections and sections[-1][0] >= heading.level:
            sections.pop()
        if question_mode:
            is_section = any(blocks[j].text.endswith("?") for j in inner)
            is_question = not is_section and heading.text.endswith("?")
        else:
            is_section = bool(inner) and not own_text
            is_question = not is_section
        if is_section:
            sections.append((heading.level, heading.text))
            position += 1
            continue
        if not is_question:
            parsed.warnings.append((heading.line, f"heading '{heading.text}' is not a question (no '?'); skipped"))
            position += 1
            continue
        body = []
        for block in blocks[i + 1 : end]:
            if block.level == BREAK:
                break
            body.append(Block(block.line, block.text, 0, block.bullet))
        answer = join_blocks(body)  # empty: check_drafts reports the question as having no answer
        section = sections[-1][1] if sections else ""
        parsed.drafts.append(Draft(heading.text, answer, heading.line, section=section))
        position += 1 + len(inner)
    one_section_is_a_title(parsed.drafts)
    return parsed
