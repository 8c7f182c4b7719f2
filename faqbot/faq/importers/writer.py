"""Writing the imported FAQ as a `faq.yaml` staff can read and edit: the shipped file's shape,
block scalars for answers of several lines, a header saying where it came from."""

from __future__ import annotations

import yaml

from faqbot.faq.importers.common import Draft

HEADER = """\
# FAQ imported by `faqbot import` from {source} ({format}).
#
# Check the questions and answers, then add alternatives: other ways customers ask the same
# thing (4-8 per entry is good). Each entry has:
#   id            a stable name (lower case letters, digits and dashes); never reuse one
#   section       the part of the FAQ it belongs to (optional)
#   question      the question as published
#   answer        the answer the customer is shown (blank lines make paragraphs)
#   alternatives  other ways a customer asks the same thing (optional)
#   learned       customers' own words for this question, accepted with `faqbot learn` (optional)
#   question_en, answer_en   the question and answer in English (optional)
# Then run: faqbot index --faq {out}

# Every question the bot cannot answer is sent to this address.
"""


LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml, as the FAQ check reads: 10x the pure-Python one


def reads_back_plain(value: str) -> bool:
    """Whether `value` written without quotes reads back as the same text (not `yes` -> True)."""
    try:
        return bool(yaml.load(f"key: {value}", Loader=LOADER) == {"key": value})
    except yaml.YAMLError:
        return False


def inline(value: str) -> str:
    """A one-line YAML scalar: plain when it reads back unchanged, else double-quoted."""
    plain = reads_back_plain(value)
    return value if plain else '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def scalar(key: str, value: str, indent: str) -> list[str]:
    if "\n" not in value:
        return [f"{indent}{key}: {inline(value)}"]
    body = [f"{indent}  {line}" if line else "" for line in value.split("\n")]
    return [f"{indent}{key}: |", *body]


def entry_lines(draft: Draft) -> list[str]:
    lines = [f"  - id: {inline(draft.id)}"]  # quoted where YAML would read another type: "yes", "2024"
    if draft.section:
        lines += scalar("section", draft.section, "    ")
    lines += scalar("question", draft.question, "    ")
    lines += scalar("answer", draft.answer, "    ")
    if draft.alternatives:
        lines.append("    alternatives:")
        lines += [f"      - {inline(a)}" for a in draft.alternatives]
    if draft.question_en:
        lines += scalar("question_en", draft.question_en, "    ")
    if draft.answer_en:
        lines += scalar("answer_en", draft.answer_en, "    ")
    return lines


def in_comment(text: str) -> str:
    """A file name as the header's comment can hold it: a line break in it (a name from an archive
    someone sent) had ended the comment, and what followed became keys of the FAQ (an attack
    wrote `off_topic:` so); each unprintable character is written as its escape."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def faq_yaml(drafts: list[Draft], helpdesk: str, source: str, fmt: str, out: str) -> str:
    header = HEADER.format(source=in_comment(source), format=fmt, out=in_comment(out))
    lines = [header + f"helpdesk: {inline(helpdesk)}", "", "entries:"]
    for i, draft in enumerate(drafts):
        if i:
            lines.append("")
        lines += entry_lines(draft)
    return "\n".join(lines) + "\n"
