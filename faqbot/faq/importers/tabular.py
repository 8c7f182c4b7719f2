"""CSV and TSV with a header row: `question`, `answer`, and optionally `alternatives` (separated
by ' | '), `id`, `section`, `question_en`, `answer_en`. Swedish column names are understood too.

A CSV from Excel with Swedish settings uses ';' between fields; the delimiter is read off the
header row. Rows may span several lines (quoted fields); each is reported by its first line.
"""

from __future__ import annotations

import csv
import io

from faqbot.faq.importers.common import Draft, Parsed, Problems, tidy, tidy_line

COLUMNS = ("id", "section", "question", "answer", "alternatives", "question_en", "answer_en")
SYNONYMS = {
    "fråga": "question",
    "svar": "answer",
    "alternativ": "alternatives",
    "avsnitt": "section",
    "sektion": "section",
    "kategori": "section",
    "category": "section",
    "topic": "section",
    "ämne": "section",
    "alternativa_frågor": "alternatives",
    "alternative_questions": "alternatives",
    "question_english": "question_en",
    "answer_english": "answer_en",
}
ALTERNATIVE_SEPARATOR = " | "


def sniff_delimiter(text: str) -> str:
    header = next((line for line in text.splitlines() if line.strip()), "")
    if "\t" in header:
        return "\t"
    return ";" if header.count(";") > header.count(",") else ","


def column_name(cell: str) -> str:
    name = "_".join(cell.strip().casefold().replace("-", " ").split())
    return SYNONYMS.get(name, name)


def read_header(row: list[str], line: int, parsed: Parsed, problems: Problems) -> dict[str, int]:
    """Column name -> position; unknown columns are noted, a missing question or answer column is a problem."""
    positions: dict[str, int] = {}
    for position, cell in enumerate(row):
        name = column_name(cell)
        if name in positions:
            problems.append((line, f"column '{cell.strip()}' appears twice in the header"))
        elif name in COLUMNS:
            positions[name] = position
        elif name:
            known = ", ".join(COLUMNS)
            parsed.warnings.append((line, f"column '{cell.strip()}' is not used (faqbot reads: {known})"))
    for needed in ("question", "answer"):
        if needed not in positions:
            found = ", ".join(c.strip() for c in row) or "nothing"
            problems.append(
                (line, f"the header has no '{needed}' column (found: {found}); the first row must name the columns")
            )
    return positions


def row_draft(row: list[str], line: int, columns: dict[str, int], width: int, problems: Problems) -> Draft:
    def cell(name: str) -> str:
        position = columns.get(name)
        return row[position] if position is not None and position < len(row) else ""

    if len(row) > width and any(c.strip() for c in row[width:]):
        problems.append(
            (line, f"the row has {len(row)} fields but the header {width}; quote fields with the delimiter in them")
        )
    alternatives = tuple(
        a for a in (tidy_line(t) for t in cell("alternatives").split(ALTERNATIVE_SEPARATOR.strip())) if a
    )
    return Draft(
        question=tidy_line(cell("question")),
        answer=tidy(cell("answer")),
        line=line,
        section=tidy_line(cell("section")),
        alternatives=alternatives,
        id=cell("id").strip(),
        question_en=tidy_line(cell("question_en")),
        answer_en=tidy(cell("answer_en")),
    )


def numbered_rows(text: str, delimiter: str, problems: Problems) -> list[tuple[int, list[str]]]:
    """The non-empty rows, each with the line it starts on (a quoted field may span lines)."""
    # Excel for Mac's "CSV (Macintosh)" ends lines with CR alone, which the csv module refuses in
    # words of its own ("new-line character seen in unquoted field"; an attack found it)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []
    next_line = 1
    try:
        for row in reader:
            line, next_line = next_line, reader.line_num + 1
            if any(cell.strip() for cell in row):
                rows.append((line, row))
    except csv.Error as err:
        problems.append((reader.line_num, f"cannot read this as CSV: {err}"))
    return rows


def parse_table(text: str, problems: Problems, delimiter: str | None = None) -> Parsed:
    """Rows -> entries. Title rows above the header row (an export's heading) are skipped."""
    parsed = Parsed()
    rows = numbered_rows(text, delimiter or sniff_delimiter(text), problems)
    if not rows:
        return parsed
    names = [{column_name(cell) for cell in row} for _, row in rows]
    start = next((i for i, found in enumerate(names) if {"question", "answer"} <= found), 0)
    for line, row in rows[:start]:
        parsed.warnings.append((line, f"'{tidy_line(' '.join(row))}' is above the header row; skipped"))
    header_line, header = rows[start]
    columns = read_header(header, header_line, parsed, problems)
    if problems:
        return parsed
    for line, row in rows[start + 1 :]:
        parsed.drafts.append(row_draft(row, line, columns, len(header), problems))
    return parsed
