"""What a save changed in one field of an entry, as the outcome ("Sparat") shows it.

A walk-through added one line to an entry's seven alternatives and read all seven struck out and
written again: the whole field before and after, where only one line was new. So the outcome
shows what changed, field by field:

    shown(Change("alternatives", "A\\nB", "A\\nB\\nC")).added      # ('C',); nothing removed, 2 kept
    shown(Change("answer", "Varje natt.", "Varje natt och söndag.")).parts
    # [('same', 'Varje '), ('del', 'natt.'), ('ins', 'natt och söndag.')]

An answer is shown word by word with a few words of context around each change, unless most of
it was rewritten (then before and after, whole, as a short field always is).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from faqbot.faq.update import Change

WORDS = re.compile(r"\s+|\S+")  # words and the spaces between them, so the parts join back to the text
CONTEXT_WORDS = 6  # of an unchanged stretch, this many words are kept next to a change
REWRITTEN = 0.5  # below this similarity the text was rewritten: before and after whole
WORD_BY_WORD = ("answer", "answer_en")


@dataclass(frozen=True)
class Shown:
    """One field's change. `kind`: "lines" (the alternatives: `added`, `removed`, and how many
    were `kept`), "words" (`parts`: (same | del | ins, text), with "…" where a long unchanged
    stretch is left out), or "whole" (before and after as they are)."""

    kind: str
    parts: tuple[tuple[str, str], ...] = ()
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    kept: int = 0


def shown(change: Change) -> Shown:
    if change.field == "alternatives":
        before, after = (
            change.before.split("\n") if change.before else [],
            change.after.split("\n") if change.after else [],
        )
        added = tuple(line for line in after if line not in before)
        removed = tuple(line for line in before if line not in after)
        return Shown("lines", added=added, removed=removed, kept=len(after) - len(added))
    if change.field not in WORD_BY_WORD or not change.before or not change.after:
        return Shown("whole")
    old, new = WORDS.findall(change.before), WORDS.findall(change.after)
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    if matcher.ratio() < REWRITTEN:
        return Shown("whole")
    parts: list[tuple[str, str]] = []
    codes = matcher.get_opcodes()
    for n, (tag, i1, i2, j1, j2) in enumerate(codes):
        if tag == "equal":
            parts.append(("same", context("".join(old[i1:i2]), first=n == 0, last=n == len(codes) - 1)))
            continue
        if i2 > i1:
            parts.append(("del", "".join(old[i1:i2])))
        if j2 > j1:
            parts.append(("ins", "".join(new[j1:j2])))
    return Shown("words", parts=tuple(parts))


def context(text: str, first: bool, last: bool) -> str:
    """An unchanged stretch: the words next to the changes on either side of it, "…" between."""
    words = WORDS.findall(text)
    wide = 2 * CONTEXT_WORDS  # a word and the space after it are two tokens
    head = [] if first else words[:wide]
    tail = [] if last else words[-wide:]
    if len(words) <= len(head) + len(tail) + 2:
        return text
    return "".join(head) + "… " + "".join(tail) if head or tail else text
