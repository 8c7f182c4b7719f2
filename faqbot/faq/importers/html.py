"""An HTML page saved from a company's website, read with a real HTML parser (lxml).

Tried in this order; the first that finds entries wins:
1. schema.org `FAQPage` JSON-LD (`<script type="application/ld+json">`), which many CMS plugins write;
2. `<details><summary>question</summary>answer</details>`;
3. `<dl><dt>question</dt><dd>answer</dd></dl>` (several `<dt>` before a `<dd>`: the later ones are alternatives);
4. accordions built with ARIA: a control (`<button aria-controls="a1">question?</button>`) and its panel;
5. headings followed by their text, read like Markdown (`entries_from_outline`).
Navigation, the page's header and footer, asides, scripts, styles and forms are removed first
(for 2-5). The section of a 2-4 entry is the nearest heading above it.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator

import lxml.html
from lxml import etree

from faqbot.faq.importers.common import (
    BREAK,
    FOOTER_START,
    Block,
    Draft,
    Parsed,
    Problems,
    entries_from_outline,
    join_blocks,
    one_section_is_a_title,
    tidy,
    tidy_line,
)

HEADINGS = {f"h{n}": n for n in range(1, 7)}
BLOCK_TAGS = frozenset(
    "address article blockquote caption dd details dialog div dl dt fieldset figcaption figure li main ol p pre "
    "section summary table tbody td tfoot th thead tr ul".split()
)
BOILERPLATE = (
    "//nav | //aside | //script | //style | //noscript | //template | //iframe | //form"
    " | //button[not(@aria-controls or @aria-expanded)]"  # an accordion's button holds its question
    " | //*[@role='navigation' or @role='banner' or @role='contentinfo' or @role='search']"
    # cookie banners and other pop-ups: a dialog is never an FAQ entry
    " | //*[@role='dialog' or @role='alertdialog' or @aria-modal='true']"
    # A header or footer of the page, not one inside an article (that one is the article's own).
    " | //header[not(ancestor::article or ancestor::details)] | //footer[not(ancestor::article or ancestor::details)]"
)
HEADING_ABOVE = (
    "preceding::*[self::h1 or self::h2 or self::h3 or self::h4 or self::h5 or self::h6]"
    "[not(ancestor::details or ancestor::dd) and not(.//*[@aria-controls])][1]"
)
# Pages built before HTML5 mark their parts with a class or id instead: <div id="footer">.
PAGE_PART_NAME = re.compile(
    r"^(site-?|page-?|main-?)?(header|footer|nav|navbar|navigation|menu|breadcrumbs?|cookies?(-.*)?|toolbar)$"
)
# Parts named for what they are wherever the word sits in the name ("cc-window" aside): a cookie
# or consent banner, and the page's "Was this helpful?" box, whose heading reads like a question.
PAGE_PART_WORD = re.compile(r"cookie|consent|gdpr|feedback|helpful|survey|rating", re.IGNORECASE)
# A line of links such as "Lättläst | Other languages | Lyssna": a toolbar, not an answer.
LINK_ROW = re.compile(r"^[^|\n]{1,40}(\s\|\s[^|\n]{1,40}){2,}$")
XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
BR = "\x00"  # a <br> inside a paragraph, until the paragraph's lines are tidied


class Flattener:
    """An element tree -> headings, paragraphs and breaks in document order, with their lines."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.parts: list[str] = []
        self.line = 0
        self.bullet = ""  # a list item's marker: "- ", or its number in an ordered list ("2. ")

    def text(self, value: str | None, line: int | None) -> None:
        if value:
            if not self.parts:
                self.line = line or 0
            self.parts.append(value)

    def flush(self) -> None:
        lines = (tidy_line(part) for part in "".join(self.parts).split(BR))
        text = "\n".join(line for line in lines if line)
        if text and LINK_ROW.match(text):
            text = ""  # a toolbar of links the page did not mark as one
        if text:
            if FOOTER_START.match(text):  # a footer the page did not mark as one
                self.blocks.append(Block(self.line, "", BREAK))
            self.blocks.append(Block(self.line, f"{self.bullet}{text}", 0, bool(self.bullet)))
            self.bullet = ""
        self.parts = []

    def walk(self, element: etree._Element) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""  # comments have no tag name
        if tag in HEADINGS:
            self.flush()
            self.blocks.append(Block(element.sourceline or 0, tidy_line(element.text_content()), HEADINGS[tag]))
        elif tag == "hr":
            self.flush()
            self.blocks.append(Block(element.sourceline or 0, "", BREAK))
        elif tag == "br":
            self.parts.append(BR)
        elif tag:
            self.children(element, block=tag in BLOCK_TAGS)
            if tag == "li":
                self.bullet = ""
        self.text(element.tail, element.sourceline)

    def children(self, element: etree._Element, block: bool = True, skip: etree._Element | None = None) -> None:
        if block:
            self.flush()
            self.bullet = list_marker(element) if element.tag == "li" else ""
        self.text(element.text, element.sourceline)
        for child in element:
            if skip is not None and child is skip:
                self.text(child.tail, child.sourceline)
            else:
                self.walk(child)
        if block:
            self.flush()


def list_marker(item: etree._Element) -> str:
    """How a list item's text starts: "- ", or in an ordered list its number ("3. "), so that the
    steps of a return ("1. Fyll i returformuläret 2. ...") keep their order (a walk-through found
    them written as bullets)."""
    parent = item.getparent()
    if parent is None or parent.tag != "ol":
        return "- "
    try:
        first = int(parent.get("start") or 1)
    except ValueError:
        first = 1
    before = sum(1 for sibling in item.itersiblings(preceding=True) if sibling.tag == "li")
    return f"{first + before}. "


def element_text(element: etree._Element, skip: etree._Element | None = None) -> str:
    """The text inside an element as paragraphs (list items one per line), without `skip`."""
    flat = Flattener()
    flat.children(element, skip=skip)
    return join_blocks([Block(b.line, b.text, 0, b.bullet) for b in flat.blocks if b.text])


def html_text(value: object) -> str:
    """A JSON-LD text, which may hold HTML markup or entities."""
    text = value if isinstance(value, str) else ""
    if "<" not in text and "&" not in text:
        return tidy(text)
    return element_text(lxml.html.fragment_fromstring(text, create_parent="div"))


def json_nodes(data: object) -> Iterator[dict]:
    """Every object in `data`, in document order; a loop, not recursion, so no nesting json.loads
    takes is too deep for it."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            yield item
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, list):
            stack.extend(reversed(item))


def has_type(node: dict, name: str) -> bool:
    kinds = node.get("@type")
    return name in (kinds if isinstance(kinds, list) else [kinds])


def json_ld_scripts(root: etree._Element, parsed: Parsed) -> Iterator[tuple[etree._Element, str, object]]:
    """(script element, its text, the parsed JSON) of every JSON-LD script; invalid JSON is noted."""
    for script in root.xpath("//script[@type]"):
        if script.get("type", "").split(";")[0].strip().lower() != "application/ld+json":
            continue
        raw = script.text or ""
        try:
            data = json.loads(raw)
        except ValueError as err:
            parsed.warnings.append((script.sourceline or 0, f"JSON-LD is not valid JSON ({err}); ignored"))
            continue
        except RecursionError:  # 100,000 nested lists: a traceback before (an attack)
            parsed.warnings.append((script.sourceline or 0, "JSON-LD is nested too deep to read; ignored"))
            continue
        yield script, raw, data


def faq_questions(data: object) -> Iterator[dict]:
    """The Question nodes of every FAQPage, in order. A reference ({"@id": ...}, as Yoast SEO
    writes them into an @graph) is replaced by the node it names."""
    by_id = {n["@id"]: n for n in json_nodes(data) if isinstance(n.get("@id"), str) and len(n) > 1}
    for page in (n for n in json_nodes(data) if has_type(n, "FAQPage")):
        questions = page.get("mainEntity")
        for question in questions if isinstance(questions, list) else [questions]:
            if isinstance(question, dict):
                yield by_id.get(question.get("@id"), question) if set(question) == {"@id"} else question


def from_json_ld(root: etree._Element, parsed: Parsed) -> None:
    for script, raw, data in json_ld_scripts(root, parsed):
        cursor = 0
        for question in faq_questions(data):
            name = tidy_line(html_text(question.get("name")))
            # The question's line: where its name is written, else where its next "Question" type is.
            found = raw.find(json.dumps(question.get("name"), ensure_ascii=False)) if name else -1
            if found < 0:
                found = raw.find('"Question"', cursor)
                cursor = found + 1 if found >= 0 else cursor
            line = (script.sourceline or 1) + raw[: max(found, 0)].count("\n")
            accepted = question.get("acceptedAnswer")
            accepted = accepted[0] if isinstance(accepted, list) and accepted else accepted
            answer = html_text(accepted.get("text")) if isinstance(accepted, dict) else ""
            parsed.drafts.append(Draft(name, answer, line))


def section_above(element: etree._Element) -> str:
    above = element.xpath(HEADING_ABOVE)
    return tidy_line(above[0].text_content()) if above else ""


def outermost(root: etree._Element, tag: str) -> Iterator[etree._Element]:
    """The `tag` elements that are not inside another one (those are part of an answer)."""
    for element in root.iter(tag):
        if next(element.iterancestors(tag), None) is None:
            yield element


def from_details(root: etree._Element, parsed: Parsed) -> None:
    for details in outermost(root, "details"):
        summary = details.find("summary")
        if summary is None:
            parsed.warnings.append(
                (details.sourceline or 0, "a <details> without <summary> is not a question; skipped")
            )
            continue
        question = tidy_line(summary.text_content())
        answer = element_text(details, skip=summary)
        parsed.drafts.append(Draft(question, answer, details.sourceline or 0, section=section_above(details)))


def from_definition_lists(root: etree._Element, parsed: Parsed) -> None:
    for dl in outermost(root, "dl"):
        current: Draft | None = None
        answers: list[str] = []
        for item in dl.iter("dt", "dd"):
            if next(item.iterancestors("dl")) is not dl:
                continue  # a list inside an answer
            if item.tag == "dt":
                text = tidy_line(item.text_content())
                if current is not None and not answers:
                    current.alternatives += (text,)  # several terms for one description
                    continue
                if current is not None:
                    current.answer = "\n\n".join(answers)
                current, answers = Draft(text, "", item.sourceline or 0, section=section_above(dl)), []
                parsed.drafts.append(current)
            elif current is not None:
                answers.append(element_text(item))
        if current is not None:
            current.answer = "\n\n".join(a for a in answers if a)


def page_part(name: str) -> bool:
    return bool(PAGE_PART_NAME.match(name) or PAGE_PART_WORD.search(name))


def remove_page_parts(root: etree._Element) -> None:
    """Navigation, the page's header and footer, asides, scripts, styles and forms: never entries."""
    marked = [
        element
        for element in root.iter()
        if isinstance(element.tag, str)
        and element.tag not in ("html", "body", "main", "article", "details", "dl")
        and any(
            page_part(name)
            for name in (
                element.get("id") or "",
                element.get("aria-label") or "",
                *(element.get("class") or "").split(),
            )
        )
    ]
    for element in root.xpath(BOILERPLATE) + marked + button_boxes(root):
        if element.getparent() is not None:
            element.drop_tree()


def button_boxes(root: etree._Element) -> list[etree._Element]:
    """Boxes that hold nothing but a heading and buttons ("Fick du hjälp?" Ja / Nej): a widget of
    the page, whose heading would otherwise be imported as a question without an answer."""
    boxes = []
    for box in root.xpath(
        "//*[self::div or self::section][.//button][.//h1 or .//h2 or .//h3 or .//h4 or .//h5 or .//h6]"
    ):
        rest = copy.deepcopy(box)
        for part in rest.xpath(".//button | .//h1 | .//h2 | .//h3 | .//h4 | .//h5 | .//h6"):
            part.drop_tree()
        if not tidy_line(rest.text_content()):
            boxes.append(box)
    return boxes


def from_accordions(root: etree._Element, parsed: Parsed) -> None:
    """Accordions built with ARIA: a control whose text ends in '?' names, with aria-controls,
    the panel holding its answer (the panel may be hidden until clicked). Tabs are not questions."""
    panels = {element.get("id"): element for element in root.xpath("//*[@id]")}
    for control in root.xpath("//*[@aria-controls][not(@role='tab')]"):
        question = tidy_line(control.text_content())
        target = (control.get("aria-controls") or "").split()
        panel = panels.get(target[0]) if target else None
        if panel is None or not question.endswith("?") or control in panel.iterdescendants():
            continue
        parsed.drafts.append(
            Draft(question, element_text(panel), control.sourceline or 0, section=section_above(control))
        )


def parse_html(text: str, problems: Problems) -> Parsed:
    parsed = Parsed()
    try:
        root = lxml.html.document_fromstring(XML_DECLARATION.sub("", text, count=1))
    except (etree.ParserError, ValueError) as err:
        problems.append((1, f"cannot read this as HTML: {err}"))
        return parsed
    from_json_ld(root, parsed)
    if parsed.drafts:
        return parsed
    remove_page_parts(root)
    for finder in (from_details, from_definition_lists, from_accordions):
        finder(root, parsed)
        if parsed.drafts:
            one_section_is_a_title(parsed.drafts)
            return parsed
    flat = Flattener()
    flat.children(root)
    outline = entries_from_outline(flat.blocks)
    outline.warnings[:0] = parsed.warnings
    return outline
