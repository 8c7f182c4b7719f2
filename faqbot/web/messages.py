"""The chat's messages as the widget shows them: customer text made inert, replies with their
source, helpdesk links and choices.

- whatever a customer types is shown as text: it is escaped for Markdown and HTML before it
  is displayed, so a typed `<script>` or `**bold**` appears literally (the page's script
  escapes the same way, see faqbot.web.page, so a message shown before the server answers
  looks the same after);
- an answer names the FAQ question it comes from and is marked (class `faq-answer`) as the
  only kind of message that takes 👍/👎;
- an unresolved question gets the helpdesk message and a `mailto:` link whose subject and body
  carry the cleaned question (one line, at most the bot's MAX_MESSAGE_CHARS);
- the bot's choices ("Menade du kanske:") and the greeting's example questions are Gradio
  message options (buttons) while the message is the latest; once another message follows,
  `settle` writes them into the message as a list, so they stay readable where they were
  offered;
- the messages a page showed before its latest one (`earlier_messages`) are taken back only as
  text to show again, to the page that sent them: never as answers that take 👍/👎 or offer
  choices, which only the server's own replies do.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from faqbot.bot import MAX_MESSAGE_CHARS, Reply, characters, clean_question
from faqbot.wording import message

Message = dict[str, Any]

SUBJECT_CHARS = 60
EXAMPLE_COUNT = 4  # example questions under the greeting: the first entries of the FAQ
ANSWER_MARK = '<span class="faq-answer"></span>'  # 👍/👎 show only under messages with it
# A message in English throughout: the page marks it lang="en" (faqbot.web.page), so that a screen
# reader reads it with an English voice in a Swedish page (WCAG 3.1.2).
ENGLISH_MARK = '<span class="faq-en"></span>'
# An English customer's answer from an entry with no English answer: the message stays Swedish,
# the bot's own English words in it are marked lang="en" one by one (`english_words`), and the
# 👍/👎 under it are named in English (faqbot.web.page), as the customer asked in English.
ENGLISH_BUTTONS_MARK = '<span class="faq-en-buttons"></span>'

# What Markdown (GitHub flavour, as Gradio renders it) or HTML could read as markup. Inline
# markup characters are always escaped; the rest only where they mean something, so that the
# message's raw text (which Gradio also puts in an aria-label) stays readable.
INLINE = re.compile(r"([\\`*_\[\]~|$])")
AUTOLINK = re.compile(r"(?<=\w):(?=//)|(?<=www)\.|@(?=\w)", re.IGNORECASE)
INDENT = re.compile(r"^[ \t]+", re.MULTILINE)  # four spaces would make a code block
BLOCK_MARK = re.compile(r"^([#=+-])", re.MULTILINE)  # heading, list or underline
NUMBERED = re.compile(r"^(\d+)([.)])", re.MULTILINE)  # numbered list


def as_text(text: str) -> str:
    """Markdown that renders exactly as `text`: no markup, links, autolinks or HTML."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = INLINE.sub(r"\\\1", text)
    text = AUTOLINK.sub(lambda m: "\\" + m.group(0), text)
    text = INDENT.sub("", text)
    text = BLOCK_MARK.sub(r"\\\1", text)
    return NUMBERED.sub(r"\1\\\2", text)


def mailto(helpdesk: str, question: str, language: str) -> str:
    """A mailto: link to the helpdesk whose subject and body carry the customer's question.

    The question is cleaned first (one line, no control characters, cut as the bot cuts it),
    so a typed line break never reaches the subject and the link stays small.
    """
    address = quote(helpdesk, safe="@")
    question = clean_question(question)[0]
    if not question:
        return f"mailto:{address}"
    subject = message("ui_mail_subject", language, helpdesk)
    short = question if len(question) <= SUBJECT_CHARS else question[:SUBJECT_CHARS].rsplit(" ", 1)[0] + " …"
    body = f"{message('ui_mail_body', language, helpdesk)}\r\n\r\n{question}\r\n\r\n"
    return f"mailto:{address}?subject={quote(f'{subject}: {short}', safe='')}&body={quote(body, safe='')}"


def with_links(text: str, helpdesk: str, link: str) -> str:
    """`text` as Markdown text, with every mention of the helpdesk address made a mailto: link."""
    shown = as_text(text)
    if not helpdesk:
        return shown
    return shown.replace(as_text(helpdesk), f"[{as_text(helpdesk)}]({link})")


def mail_button(helpdesk: str, language: str, link: str) -> str:
    """The one-click hand-off: a mailto: link styled as a button."""
    return f'<span class="faq-mail">[✉️ {as_text(message("ui_mail_link", language, helpdesk))}]({link})</span>'


def user_message(text: str, language: str = "") -> Message:
    """The customer's own message as they will see it, shown as text: whole, or when it is over
    the bot's limit (MAX_MESSAGE_CHARS), the end the bot read, after "… "; marked English when
    the bot read it as English."""
    shown, cut = clean_question(text)
    return {
        "role": "user",
        "content": ("… " if cut else "") + as_text(shown) + (ENGLISH_MARK if language == "en" else ""),
    }


def options(questions: list[str]) -> list[dict[str, str]]:
    return [{"label": q, "value": q} for q in questions]


def reply_message(reply: Reply) -> Message:
    """The bot's reply as a chat message: answer, source, helpdesk link, choices as buttons."""
    language, helpdesk = reply.language, reply.helpdesk
    # small talk ("Hej!") is no question for the helpdesk: its link is the plain address
    link = mailto(helpdesk, reply.question if reply.kind.is_question else "", language)
    swedish = language == "en" and reply.resolved and reply.match is not None and not reply.match.answer_en
    mark = english_words if swedish else (lambda shown: shown)  # an answer in Swedish stays a Swedish message
    parts = answer_parts(reply.answer, helpdesk, link, mark)
    if reply.resolved and reply.match is not None:
        match = reply.match
        english = language == "en" and match.answer_en and match.question_en  # staff wrote both
        asked = as_text(f"”{match.question_en if english else match.faq_question}”")
        source = f"{mark(as_text(message('ui_source', language, helpdesk)))} {asked}"
        parts.append(f'<span class="faq-source">{source}</span>{ANSWER_MARK}')
    if reply.kind.reaches_helpdesk:
        parts.append(mail_button(helpdesk, language, link))
    if reply.suggestions:
        parts.append(mark(as_text(message("suggestions", language, helpdesk))))
    if language == "en":
        parts[-1] += ENGLISH_BUTTONS_MARK if swedish else ENGLISH_MARK
    return {
        "role": "assistant",
        "content": "\n\n".join(parts),
        "options": options([s.faq_question for s in reply.suggestions]),
    }


def english_words(shown: str) -> str:
    """Shown text of the bot's own, in English, in a message that is Swedish (WCAG 3.1.2)."""
    return f'<span lang="en">{shown}</span>'


def answer_parts(answer: str, helpdesk: str, link: str, mark: Callable[[str], str]) -> list[str]:
    """A reply's text as Markdown, with the paragraphs that are the bot's own words around an
    answer (the note on a cut message, the note before a Swedish answer to an English question,
    the footer) passed through `mark`: "Our FAQ is in Swedish, so here is the answer in
    Swedish:" and "Did this not help? ..." were read with a Swedish voice (a walk-through)."""
    limit = characters(MAX_MESSAGE_CHARS, "en")
    own = {
        message("truncated", "en", helpdesk, limit=limit),
        *(message(k, "en", helpdesk) for k in ("swedish_note", "footer")),
    }
    paragraphs = answer.split("\n\n")
    return [
        "\n\n".join(
            mark(with_links(p, helpdesk, link)) if p in own else with_links(p, helpdesk, link) for p in paragraphs
        )
    ]


def notice_message(helpdesk: str, language: str, question: str, key: str = "error") -> Message:
    """What a customer sees when something broke on our side (key "error") or when they are
    past the rate limit (key "rate_limited"): the helpdesk, never a traceback."""
    link = mailto(helpdesk, question, language)
    parts = [with_links(message(key, language, helpdesk), helpdesk, link)]
    if helpdesk:
        parts.append(mail_button(helpdesk, language, link))
    return {"role": "assistant", "content": "\n\n".join(parts)}


def greeting_message(greeting: str, helpdesk: str, examples: list[str]) -> Message:
    """The first message: `greeting` (what the bot helps with, the helpdesk address), example questions."""
    parts = [
        with_links(greeting, helpdesk, mailto(helpdesk, "", "sv")),
        as_text(message("ui_examples", "sv", helpdesk)),
        f'<span class="faq-source">{as_text(message("ui_english", "sv", helpdesk))}</span>',
    ]
    return {"role": "assistant", "content": "\n\n".join(parts), "options": options(examples[:EXAMPLE_COUNT])}


def settle(shown: Message) -> Message:
    """`shown` once another message follows it: its choices written into it as a list.

    Gradio draws option buttons under the latest message only; without this, an earlier
    "Menade du kanske:" would be left with nothing under it.
    """
    offered = shown.get("options")
    if not offered:
        return shown
    listed = "\n".join(f"- {as_text(option['label'])}" for option in offered)
    return {"role": shown["role"], "content": f"{shown['content']}\n\n{listed}"}


def restart_message(helpdesk: str, language: str) -> Message:
    """Said before the answer when a message comes to a server that does not know the chat the
    page still shows (the replica that held it is gone, or it was idle too long)."""
    return {"role": "assistant", "content": as_text(message("restarted", language, helpdesk))}


def earlier_messages(sent: str | None, limit: int, max_chars: int) -> list[Message]:
    """The messages the page showed before its latest one, from the JSON it sent with it
    (`[{"role": "user" | "assistant", "text": "..."}]`, see faqbot.web.page): the last `limit`,
    as text only (no 👍/👎 mark, no choices). Empty when there is no customer message among them,
    or when what was sent is not that list or longer than `max_chars`.
    """
    if not sent or len(sent) > max_chars:
        return []
    try:
        said = json.loads(sent)
    except ValueError:
        return []
    if not isinstance(said, list):
        return []
    shown = [
        {"role": item["role"], "content": item["text"].replace(ANSWER_MARK, "")}
        for item in said[-limit:]
        if isinstance(item, dict) and item.get("role") in ("user", "assistant") and isinstance(item.get("text"), str)
    ]
    return shown if any(m["role"] == "user" for m in shown) else []
