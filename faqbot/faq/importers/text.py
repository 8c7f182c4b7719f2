"""Plain text as copied from a web page: a line ending in '?' starts an entry, the lines after
it (until the next such line) are its answer, and text before the first question is ignored.
A line starting with '©' or 'Copyright' starts the page's footer: it and what follows are ignored."""

from __future__ import annotations

from faqbot.faq.importers.common import FOOTER_START, Draft, Parsed, tidy, tidy_line


def is_question_line(line: str) -> bool:
    return line.endswith("?") and any(c.isalpha() for c in line)


def parse_text(text: str) -> Parsed:
    parsed = Parsed()
    answer_lines: list[str] = []
    for number, raw in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1):
        line = tidy_line(raw)
        if parsed.drafts and FOOTER_START.match(line):
            parsed.warnings.append((number, f"'{line}' looks like the page's footer; it and the rest are ignored"))
            break
        if is_question_line(line):
            if parsed.drafts:
                parsed.drafts[-1].answer = tidy("\n".join(answer_lines))
            parsed.drafts.append(Draft(line, "", number))
            answer_lines = []
        else:
            answer_lines.append(line)
    if parsed.drafts:
        parsed.drafts[-1].answer = tidy("\n".join(answer_lines))
    return parsed
