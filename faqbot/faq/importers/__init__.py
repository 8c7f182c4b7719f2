"""`faqbot import`: the FAQ a company already has -> a valid `faq.yaml`.

Formats (one module each): CSV/TSV with a header row (`tabular`), an HTML page saved from the
website (`html`), Markdown (`markdown`), plain text copied from a web page (`text`). The format
is taken from `fmt`, else the file's extension, else its content. Questions and answers are
kept as written (white space tidied, paragraphs kept); ids are slugs of the questions. Every
problem is reported as `SOURCE:LINE: what is wrong` (DataError), all at once, and nothing is
written then. The file is written atomically and checked exactly as `faqbot index` checks it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

from faqbot.errors import DataError, FaqbotError
from faqbot.faq.importers.common import Draft, Parsed, Problems, assign_ids, check_drafts
from faqbot.faq.importers.html import parse_html
from faqbot.faq.importers.markdown import ATX, parse_markdown
from faqbot.faq.importers.tabular import column_name, parse_table, sniff_delimiter
from faqbot.faq.importers.text import parse_text
from faqbot.faq.importers.writer import faq_yaml
from faqbot.faq.model import EMAIL_PATTERN, MAX_FILE_BYTES, Faq, load_faq, normalize_question, read_text
from faqbot.files import atomic_write

FORMATS = ("csv", "tsv", "html", "markdown", "text")
EXTENSIONS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "text",
    ".text": "text",
}
NOTHING_FOUND = {
    "csv": "the file has a header row but no rows with a question and an answer",
    "tsv": "the file has a header row but no rows with a question and an answer",
    "html": "no FAQPage JSON-LD, <details>, <dt>/<dd> or headings with text under them",
    "markdown": "no headings (# Question?) with text under them",
    "text": "no line ends in '?' (each question must be a line of its own ending in '?')",
}
# The local parts of addresses that are meant for customers' questions, preferred over others.
HELPDESK_WORDS = re.compile(r"help|support|kundtj|kundserv|service|info|kontakt|contact|hej|hello|reception|fragor")
# A page saved from a website carries its scripts, styles and sometimes inlined images: far
# more than its FAQ. The faq.yaml written stays under the FAQ file's own limit.
MAX_SOURCE_BYTES = 20_000_000
NOTES_WITH_PROBLEMS = 10  # of the parser's notes, shown beside the problems when nothing is imported
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")


@dataclass(frozen=True)
class ImportResult:
    """What `import_faq` wrote."""

    source: str
    out: str
    format: str
    entries: int
    sections: int
    helpdesk: str
    helpdesk_found: bool  # taken from the source (not given)
    warnings: list[str] = field(default_factory=list)  # `SOURCE:LINE: note`, things skipped


def table_format(text: str) -> str | None:
    """ "csv" or "tsv" when the first line names the question and answer columns."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    names = {column_name(cell) for cell in first.split(sniff_delimiter(first))}
    if {"question", "answer"} <= names:
        return "tsv" if "\t" in first else "csv"
    return None


def guess_format(path: Path, text: str) -> str:
    """From the extension, else from what the text looks like. A .txt file with a header row
    is a table: Excel saves "Unicode text" as tab-separated .txt."""
    extension = EXTENSIONS.get(path.suffix.lower())
    if extension == "text":
        return table_format(text) or "text"
    if extension:
        return extension
    if text.lstrip().startswith("<"):
        return "html"
    if table := table_format(text):
        return table
    if any(ATX.match(line) and line.lstrip().startswith("#") for line in text.splitlines()):
        return "markdown"
    return "text"


def read_source(path: Path, warnings: list[str]) -> str:
    """The source as text: UTF-8, UTF-16 with a byte order mark (Excel's "Unicode text"), or
    Windows-1252 (Excel's Swedish default for CSV) with a warning."""
    if path.is_file() and path.stat().st_size <= MAX_SOURCE_BYTES:
        with path.open("rb") as file:
            if file.read(2) in (b"\xff\xfe", b"\xfe\xff"):
                return utf16(path)
    try:
        return read_text(path, MAX_SOURCE_BYTES)
    except DataError as err:
        if "is not UTF-8" not in str(err):
            raise
    return mixed(path, warnings)


def utf16(path: Path) -> str:
    """A file with a UTF-16 byte order mark; a damaged one (an odd byte, half a character) is a
    DataError at its line, not a traceback (an attack found one)."""
    raw = path.read_bytes()
    try:
        return raw.decode("utf-16").lstrip("\ufeff")
    except UnicodeDecodeError as err:
        line = raw[: err.start].decode("utf-16", errors="replace").count("\n") + 1
        raise DataError(path, [(line, "is not valid UTF-16 text (Unicode text); save the file again")]) from None


def mixed(path: Path, warnings: list[str]) -> str:
    """A file that is not UTF-8 throughout: each line that is not UTF-8 is read as Windows-1252
    (Excel's Swedish default), the others as UTF-8. One such line in a UTF-8 file had turned every
    å, ä and ö of the rest into "Ã¥" (an attack found it); a file all in Windows-1252 reads as before."""
    lines = path.read_bytes().split(b"\n")
    read, other = [], []
    for number, line in enumerate(lines, 1):
        try:
            read.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            read.append(line.decode("cp1252", errors="replace"))
            other.append(number)
    if not other:  # every line reads alone (a byte order mark before bytes that did not): as UTF-8
        return "\n".join(read).lstrip("\ufeff")
    cp1252 = set(other)
    if any(not line.isascii() for n, line in enumerate(lines, 1) if n not in cp1252):  # UTF-8 letters elsewhere
        shown = ", ".join(str(n) for n in other[:5]) + (f" and {len(other) - 5} more" if len(other) > 5 else "")
        lines_named = "line" if len(other) == 1 else "lines"
        warnings.append(
            f"{path}:{other[0]}: {lines_named} {shown} not UTF-8, unlike the rest; read as Windows-1252 "
            "(check å, ä and ö there)"
        )
    else:
        warnings.append(f"{path}:{other[0]}: not UTF-8; read as Windows-1252 (check å, ä and ö in the result)")
    return "\n".join(read).lstrip("\ufeff")


def text_bytes(drafts: list[Draft]) -> int:
    """The bytes of text the entries put into a faq.yaml, before its keys and indentation."""
    return sum(
        len("".join((d.question, d.answer, d.section, d.question_en, d.answer_en, *d.alternatives)).encode("utf-8"))
        for d in drafts
    )


def check_size(source: Path, drafts: list[Draft], fmt: str, size: int) -> None:
    """Refuse a FAQ that would not fit the faq.yaml limit, as soon as its size is known (the
    source may be ten times larger than the limit: a page carries scripts, a table other columns)."""
    if size > MAX_FILE_BYTES:
        raise FaqbotError(
            f"{source}: the {len(drafts):,} entries found in it ({fmt}) come to {size:,} bytes or more, and a "
            f"faq.yaml may hold at most {MAX_FILE_BYTES:,} (what faqbot index reads); import the FAQ in parts "
            "with --out to different files and keep the part customers need, or check that the source is the FAQ"
        )


def find_helpdesk(text: str) -> str | None:
    """The e-mail address the source names, if any: one that looks meant for questions
    (helpdesk@, support@, info@, kundtjanst@...) before others, then the most often named."""
    counts = Counter(EMAIL.findall(text))
    if not counts:
        return None
    ranked = sorted(counts, key=lambda a: (not HELPDESK_WORDS.search(a.split("@")[0].casefold()), -counts[a]))
    return ranked[0]


def parse(fmt: str, text: str, problems: Problems) -> Parsed:
    if fmt in ("csv", "tsv"):
        return parse_table(text, problems, "\t" if fmt == "tsv" else None)
    if fmt == "html":
        return parse_html(text, problems)
    if fmt == "markdown":
        return parse_markdown(text)
    return parse_text(text)


def questions_by_id(entries: Iterable[Any]) -> dict[str, str]:
    """Each entry's (or draft's) id and its question, normalised: what `is_re_import` compares."""
    return {e.id: normalize_question(e.question) for e in entries}


def is_re_import(before: Mapping[str, str], after: Mapping[str, str]) -> bool:
    """Whether an FAQ whose questions by id are `after` is the one of `before` again (the same
    company's, updated), not another company's: at least half of the earlier ids are kept, and at
    least half of those still ask the same question (`questions_by_id`). Ids alone say little:
    two companies' spreadsheets may both number their rows 1, 2, 3."""
    kept = [faq_id for faq_id in before if faq_id in after]
    if not before or 2 * len(kept) < len(before):
        return False
    return 2 * sum(much_the_same(before[faq_id], after[faq_id]) for faq_id in kept) >= len(kept)


def much_the_same(question: str, other: str) -> bool:
    """Whether two normalised questions are one, up to a corrected typo or a reworded part (an
    attack found a re-import with two typos fixed taken for another company's FAQ)."""
    return question == other or SequenceMatcher(None, question, other).ratio() >= SAME_QUESTION


SAME_QUESTION = 0.8  # "Hur lang tid tar en servis?" and "Hur lång tid tar en service?": 0.91; unrelated ones about 0.5


def choose_helpdesk(source: Path, text: str, helpdesk: str | None, replaced: str | None = None) -> tuple[str, bool]:
    """The helpdesk address: the one given, else the one found in the source (True), else that of
    the FAQ the import replaces (`replaced`: the same company's spreadsheet again, without one)."""
    if helpdesk is not None:
        if not EMAIL_PATTERN.match(helpdesk.strip()):
            raise FaqbotError(f"--helpdesk '{helpdesk}' is not an e-mail address")
        return helpdesk.strip(), False
    found = find_helpdesk(text)
    if found is None and replaced and EMAIL_PATTERN.match(replaced):  # a hand-broken file's may be anything
        return replaced, False
    if found is None:
        raise FaqbotError(
            f"no e-mail address in {source} for the helpdesk (where questions the bot cannot answer go); "
            "name it with --helpdesk ADDRESS"
        )
    return found, True


def import_faq(
    source: str | Path,
    out: str | Path,
    helpdesk: str | None = None,
    force: bool = False,
    fmt: str | None = None,
    replaced: Faq | None = None,
) -> ImportResult:
    """Read `source` and write it as a faq.yaml to `out`. Raises DataError or FaqbotError; `out` is then untouched.
    `replaced`: the FAQ at `out` (with `force`); when the source is the same company's FAQ again
    (`is_re_import`) and neither `helpdesk` nor the source names an address, its helpdesk is kept."""
    source, out = Path(source), Path(out)
    if fmt is not None and fmt not in FORMATS:
        raise FaqbotError(f"unknown format '{fmt}'; use one of: {', '.join(FORMATS)}")
    if out.exists() and out.resolve() == source.resolve():
        raise FaqbotError(f"{out} is the source; write the FAQ to another file with --out")
    if out.is_dir():
        raise FaqbotError(f"{out} is a folder; give the file to write, e.g. --out {out / 'faq.yaml'}")
    if out.exists() and not force:
        raise FaqbotError(f"{out} already exists; add --force to overwrite it")
    warnings: list[str] = []
    text = read_source(source, warnings)
    fmt = fmt or guess_format(source, text)
    problems: Problems = []
    parsed = parse(fmt, text, problems)
    check_size(source, parsed.drafts, fmt, text_bytes(parsed.drafts))
    warnings += [f"{source}:{line}: {note}" for line, note in sorted(parsed.warnings)]
    if not parsed.drafts and not problems:
        problems.append((1, f"no entries found as {fmt}: {NOTHING_FOUND[fmt]}"))
    check_drafts(parsed.drafts, problems)
    assign_ids(parsed.drafts, problems)
    if problems and not parsed.drafts:  # with the notes that may say why (invalid JSON-LD was "no FAQPage JSON-LD")
        notes = sorted(parsed.warnings)
        shown = [(line, f"note: {note}") for line, note in notes[:NOTES_WITH_PROBLEMS]]
        if len(notes) > NOTES_WITH_PROBLEMS:
            shown.append(
                (notes[NOTES_WITH_PROBLEMS][0], f"note: ... and {len(notes) - NOTES_WITH_PROBLEMS} more notes")
            )
        raise DataError(source, problems + shown)
    if problems:
        raise DataError(source, problems)
    again = replaced is not None and is_re_import(questions_by_id(replaced.entries), questions_by_id(parsed.drafts))
    address, found = choose_helpdesk(source, text, helpdesk, replaced.helpdesk if again and replaced else None)

    written = faq_yaml(parsed.drafts, address, str(source), fmt, str(out))
    check_size(source, parsed.drafts, fmt, len(written.encode("utf-8")))
    out.parent.mkdir(parents=True, exist_ok=True)
    try:  # the written file passes the same checks as `faqbot index` before it replaces `out`
        atomic_write(out, written, check=load_faq)
    except DataError as err:
        raise FaqbotError(
            f"the imported FAQ did not pass the FAQ checks (a faqbot bug; please report it):\n{err}"
        ) from None
    sections = len({d.section for d in parsed.drafts if d.section})
    return ImportResult(str(source), str(out), fmt, len(parsed.drafts), sections, address, found, warnings)
