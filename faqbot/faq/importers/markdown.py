"""Markdown: each heading is a question and the text under it its answer.

When the headings that end in '?' sit under other headings, those outer headings are the
sections (`entries_from_outline`). A rule (---, ***) ends an answer, so a footer after it is
not part of the last entry, and nor is a paragraph starting with '©' or 'Copyright'. A file
without any heading is read like plain text.
"""

from __future__ import annotations

import re

from faqbot.faq.importers.common import BREAK, FOOTER_START, Block, Parsed, entries_from_outline, tidy
from faqbot.faq.importers.text import parse_text

ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
RULE = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
FENCE = re.compile(r"^ {0,3}(```|~~~)")
BULLET = re.compile(r"^\s*([-*+]|\d+[.)])\s+")
LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
EMPHASIS = re.compile(r"(?<!\w)(\*\*|__|\*|_|`)(.+?)\1(?!\w)")


def heading_text(text: str) -> str:
    """A heading as plain text: '## **Hur [bokar](/boka) jag?**' -> 'Hur bokar jag?'. Answers keep their markup."""
    return tidy(EMPHASIS.sub(r"\2", LINK.sub(r"\1", text)))


class Outline:
    """Collects Markdown lines into headings and paragraphs."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.lines: list[str] = []
        self.start = 0

    def add_line(self, number: int, line: str) -> None:
        if not self.lines:
            self.start = number
        self.lines.append(line)

    def flush(self) -> None:
        if not self.lines:
            return
        # A list's items become one block per item, so they are kept one per line.
        items: list[list[str]] = []
        for line in self.lines:
            if BULLET.match(line) or not items:
                items.append([line])
            else:
                items[-1].append(line)
        bullets = len(items) > 1 or bool(BULLET.match(self.lines[0]))
        if FOOTER_START.match(self.lines[0].strip()):
            self.blocks.append(Block(self.start, "", BREAK))
        for item in items:
            self.blocks.append(Block(self.start, tidy("\n".join(item)), 0, bullets))
        self.lines = []

    def heading(self, number: int, level: int, text: str) -> None:
        self.flush()
        self.blocks.append(Block(number, heading_text(text), level))


def markdown_blocks(text: str) -> list[Block]:
    outline = Outline()
    in_fence = False
    for number, line in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1):
        if FENCE.match(line):
            in_fence = not in_fence
            outline.add_line(number, line)
            continue
        if in_fence:
            outline.add_line(number, line)
            continue
        atx = ATX.match(line)
        setext = SETEXT.match(line)
        if atx:
            outline.heading(number, len(atx.group(1)), atx.group(2) or "")
        elif setext and len(outline.lines) == 1:  # the line above, underlined, is a heading
            title, title_line = outline.lines[0], outline.start
            outline.lines = []
            outline.heading(title_line, 1 if setext.group(1)[0] == "=" else 2, title)
        elif RULE.match(line):
            outline.flush()
            outline.blocks.append(Block(number, "", BREAK))
        elif not line.strip():
            outline.flush()
        else:
            outline.add_line(number, line)
    outline.flush()
    return outline.blocks


def parse_markdown(text: str) -> Parsed:
    blocks = markdown_blocks(text)
    if not any(b.level > 0 for b in blocks):
        return parse_text(text)
    return entries_from_outline(blocks)
