"""The chat widget: a Gradio app over `FaqBot`, made to sit on the agency's website.

The widget holds no business logic: every message goes to `FaqBot.ask`, every 👍/👎 to
`FaqBot.feedback`. What lives here is presentation:

- whatever a customer types is shown as text: it is escaped for Markdown and HTML before it
  is displayed, so a typed `<script>` or `**bold**` appears literally;
- an answer names the FAQ question it comes from; an unresolved question gets the helpdesk
  message and a `mailto:` link whose subject and body already carry the question;
- the bot's suggestions ("Menade du kanske:") and the greeting's example questions are Gradio
  message options: buttons under the latest message;
- nothing is fetched from outside hosts: analytics and the version check are off, there is no
  share link, and the theme's fonts are served by the app itself;
- one customer (one IP address) may send `rate_limit_per_minute` messages in any minute; past
  that the message is not asked and the customer is told to wait or write to the helpdesk.
  X-Forwarded-For names the customer only on requests from a `trusted_proxy`.

Every request starts with `FaqBot.refresh(wait=False)`, which swaps a rebuilt index in
atomically (and rebuilds a stale one in the background), so staff can run `faqbot index` while
the app is serving. Server start-up is `faqbot.web.server`.
"""

from __future__ import annotations

import copy
import logging
import os
import re
import threading
from collections import deque
from typing import Any
from urllib.parse import quote

# Set before gradio is imported: no telemetry, no version check against an outside host.
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"

import gradio as gr  # noqa: E402

from faqbot.bot import FaqBot, Reply, clean_question  # noqa: E402
from faqbot.language import detect_language  # noqa: E402
from faqbot.web.ratelimit import RateLimiter  # noqa: E402
from faqbot.wording import message  # noqa: E402

log = logging.getLogger(__name__)

MAX_INPUT_CHARS = 5000  # what we accept from a browser at all; the bot itself reads less
EXAMPLE_COUNT = 4  # example questions under the greeting: the first entries of the FAQ
CONCURRENCY = 8  # chats answered at the same time; the model handle serialises its own calls
QUEUE_SIZE = 256  # chats waiting beyond that; more are turned away with a busy notice
SUBJECT_CHARS = 60
KEEP_MESSAGES = 200  # a conversation shows at most this many messages; older ones scroll away

# What Markdown (GitHub flavour, as Gradio renders it) or HTML could read as markup. Inline
# markup characters are always escaped; the rest only where they mean something, so that the
# message's raw text (which Gradio also puts in an aria-label) stays readable.
INLINE = re.compile(r"([\\`*_\[\]~|$])")
AUTOLINK = re.compile(r"(?<=\w):(?=//)|(?<=www)\.|@(?=\w)", re.IGNORECASE)
INDENT = re.compile(r"^[ \t]+", re.MULTILINE)  # four spaces would make a code block
BLOCK_MARK = re.compile(r"^([#=+-])", re.MULTILINE)  # heading, list or underline
NUMBERED = re.compile(r"^(\d+)([.)])", re.MULTILINE)  # numbered list

Message = dict[str, Any]


def as_text(text: str) -> str:
    """Markdown that renders exactly as `text`: no markup, links, autolinks or HTML."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = INLINE.sub(r"\\\1", text)
    text = AUTOLINK.sub(lambda m: "\\" + m.group(0), text)
    text = INDENT.sub("", text)
    text = BLOCK_MARK.sub(r"\\\1", text)
    return NUMBERED.sub(r"\1\\\2", text)


def mailto(helpdesk: str, question: str, language: str) -> str:
    """A mailto: link to the helpdesk whose subject and body carry the customer's question."""
    address = quote(helpdesk, safe="@")
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


def user_message(text: str) -> Message:
    """The customer's own message as they will see it: cut as the bot cuts it, shown as text."""
    shown, cut = clean_question(text)
    return {"role": "user", "content": as_text(shown) + (" …" if cut else "")}


def reply_message(reply: Reply) -> Message:
    """The bot's reply as a chat message: answer, source, helpdesk link, suggestion buttons."""
    language, helpdesk = reply.language, reply.helpdesk
    link = mailto(helpdesk, reply.question, language)
    parts = [with_links(reply.answer, helpdesk, link)]
    if reply.resolved and reply.match is not None:
        source = f"{message('ui_source', language, helpdesk)} ”{reply.match.faq_question}”"
        parts.append(f'<span class="faq-source">{as_text(source)}</span>')
    if reply.kind in ("helpdesk", "error"):
        parts.append(mail_button(helpdesk, language, link))
    if reply.suggestions:
        parts.append(as_text(message("suggestions", language, helpdesk)))
    return {
        "role": "assistant",
        "content": "\n\n".join(parts),
        "options": [{"label": s.faq_question, "value": s.faq_question} for s in reply.suggestions],
    }


def error_message(bot: FaqBot, question: str, key: str = "error") -> Message:
    """What a customer sees when something broke on our side: the helpdesk, never a traceback.

    Also the notice when they hit the rate limit (key "rate_limited").
    """
    try:
        helpdesk, language = bot.helpdesk, detect_language(question)
    except Exception:
        helpdesk, language = "", "sv"
    link = mailto(helpdesk, question, language)
    parts = [with_links(message(key, language, helpdesk), helpdesk, link)]
    if helpdesk:
        parts.append(mail_button(helpdesk, language, link))
    return {"role": "assistant", "content": "\n\n".join(parts)}


def greeting_message(bot: FaqBot) -> Message:
    """The first message: what the bot helps with, the helpdesk address, example questions."""
    helpdesk = bot.helpdesk
    parts = [
        with_links(message("greeting", "sv", helpdesk), helpdesk, mailto(helpdesk, "", "sv")),
        as_text(message("ui_examples", "sv", helpdesk)),
        f'<span class="faq-source">{as_text(message("ui_english", "sv", helpdesk))}</span>',
    ]
    examples = [entry.question for entry in bot.entries[:EXAMPLE_COUNT]]
    return {
        "role": "assistant",
        "content": "\n\n".join(parts),
        "options": [{"label": q, "value": q} for q in examples],
    }


def liked_value(value: bool | str) -> bool | None:
    """Gradio's LikeData.liked as True (👍), False (👎) or None (something else, e.g. undone)."""
    if isinstance(value, bool):
        return value
    return {"like": True, "dislike": False}.get(str(value).casefold())


def input_wording(language: str) -> Any:
    """The input box's placeholder and button in the customer's language."""
    return gr.update(placeholder=message("ui_placeholder", language, ""), submit_btn=message("ui_send", language, ""))


class Conversation:
    """One customer's chat: the messages shown, the questions waiting for an answer, and which
    conversation-log row each answer is (for 👍/👎).

    Gradio hands a session's State to its events by reference, and two events of one session
    can run at once (a second message sent, or a suggestion clicked, while the first is being
    answered). One lock guards the messages; another lets one answer be worked out at a time,
    so each waiting question is answered exactly once and the replies come in order.
    """

    def __init__(self, messages: list[Message] | None = None) -> None:
        self.messages: list[Message] = list(messages or [])
        self.waiting: deque[str] = deque()
        self.rated: dict[int, int] = {}  # message position -> conversation-log row
        self._lock = threading.Lock()
        self.answering = threading.Lock()

    def __deepcopy__(self, memo: dict) -> Conversation:
        # Gradio deep-copies the State's default for every new session; a lock cannot be copied.
        return Conversation(copy.deepcopy(self.messages, memo))

    def restart(self, first: Message) -> list[Message]:
        with self._lock:
            self.messages, self.rated = [first], {}
            self.waiting.clear()
            return list(self.messages)

    def ask(self, question: str) -> list[Message]:
        """Show the customer's message and queue the question for `answer`."""
        with self._lock:
            self.messages.append(user_message(question))
            self.waiting.append(question)
            self._trim()
            return list(self.messages)

    def refuse(self, question: str, notice: Message) -> list[Message]:
        """Show the customer's message with `notice` instead of an answer; nothing is queued."""
        with self._lock:
            self.messages += [user_message(question), notice]
            self._trim()
            return list(self.messages)

    def next_question(self) -> str | None:
        with self._lock:
            return self.waiting.popleft() if self.waiting else None

    def answer(self, shown: Message, log_id: int | None) -> list[Message]:
        with self._lock:
            self.messages.append(shown)
            if log_id is not None:
                self.rated[len(self.messages) - 1] = log_id
            self._trim()
            return list(self.messages)

    def _trim(self) -> None:
        """Forget the oldest messages of a very long chat, so one session cannot grow without end."""
        cut = len(self.messages) - KEEP_MESSAGES
        if cut > 0:
            self.messages = self.messages[cut:]
            self.rated = {position - cut: row for position, row in self.rated.items() if position >= cut}

    def shown(self) -> list[Message]:
        with self._lock:
            return list(self.messages)

    def log_id_at(self, position: int) -> int | None:
        with self._lock:
            return self.rated.get(position)


def client_address(request: gr.Request | None) -> str | None:
    """The customer's IP address, or None for a direct call (no HTTP request, no limit).

    The server has already replaced a trusted proxy's address with the one it forwarded (see
    `launch`), so this is the customer, not nginx.
    """
    if request is None:
        return None
    client = getattr(request, "client", None)
    return str(getattr(client, "host", None) or "unknown")


class Widget:
    """The handlers behind the chat; each customer's conversation lives in Gradio's session state."""

    def __init__(self, bot: FaqBot, limiter: RateLimiter | None = None) -> None:
        self.bot = bot
        self.limiter = (
            limiter if limiter is not None else RateLimiter()
        )  # shared with the JSON API: one budget per customer
        self._noted = RateLimiter()  # one line in the server's log per limited client per minute

    def welcome(self, conversation: Conversation) -> list[Message]:
        """A fresh chat for a page load (after picking up a rebuilt FAQ)."""
        try:
            self.bot.refresh(wait=False)
            first = greeting_message(self.bot)
        except Exception:
            log.exception("could not build the greeting")
            first = error_message(self.bot, "")
        return conversation.restart(first)

    def send(
        self, text: str | None, conversation: Conversation, request: gr.Request | None = None
    ) -> tuple[str, list[Message]]:
        """Clear the box and show the customer's message at once; `answer` follows.

        Past the rate limit the message is shown with a notice instead, and never reaches the
        bot or the conversation log (so a flood cannot fill the log either).
        """
        question = (text or "")[:MAX_INPUT_CHARS]
        if not question.strip():
            return "", conversation.shown()
        client, limit = client_address(request), self.bot.config.rate_limit_per_minute
        if client is not None and not self.limiter.allow(client, limit):
            if self._noted.allow(client, 1):
                log.warning("rate limit: %s sent more than %d messages in a minute", client, limit)
            return "", conversation.refuse(question, error_message(self.bot, question, "rate_limited"))
        return "", conversation.ask(question)

    def pick(
        self, conversation: Conversation, choice: gr.SelectData, request: gr.Request | None = None
    ) -> list[Message]:
        """A clicked example or suggestion is asked as if the customer had typed it."""
        return self.send(str(choice.value), conversation, request)[1]

    def answer(self, conversation: Conversation) -> tuple[list[Message], Any]:
        """Answer the oldest waiting question; never raises, whatever goes wrong.

        Also returns the input box's wording in the language of the question.
        """
        with conversation.answering:
            question = conversation.next_question()
            if question is None:
                return conversation.shown(), gr.skip()
            try:
                self.bot.refresh(wait=False)
                reply = self.bot.ask(question)
                return conversation.answer(reply_message(reply), reply.log_id), input_wording(reply.language)
            except Exception:
                log.exception("could not answer a question")
                return conversation.answer(error_message(self.bot, question), None), gr.skip()

    def like(self, conversation: Conversation, data: gr.LikeData) -> None:
        """Record 👍/👎 on an answer, on the log row that holds its question and FAQ entry."""
        liked = liked_value(data.liked)
        position = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
        log_id = conversation.log_id_at(int(position))
        if liked is None or log_id is None:
            return
        try:
            self.bot.feedback(log_id, liked)
        except Exception:
            log.exception("could not record feedback on log row %s", log_id)


# A support widget: header, conversation, input, filling whatever frame it is put in (a
# browser window or an iframe on the agency's site); a centred card on a large screen.
CSS = """
.gradio-container { max-width: none !important; padding: 0 !important; background: #eef2f6 !important; }
.gradio-container .main.app { padding: 0 !important; height: 100vh; height: 100dvh; min-height: 0 !important; }
.main.app > .wrap, .main.app > .wrap > .contain, .contain > .column { min-height: 0 !important; }
#faq-widget { height: 100%; min-height: 0; gap: 0 !important; background: var(--background-fill-primary);
  max-width: 760px; width: 100%; margin: 0 auto; overflow: hidden; }
/* Gradio scopes rules inside @media to descendants of .contain, so only #faq-widget here. */
@media (min-width: 820px) and (min-height: 560px) {
  #faq-widget { margin: 24px auto; height: calc(100% - 48px); border-radius: 14px;
    box-shadow: 0 6px 30px rgba(15, 61, 94, 0.18); }
}
#faq-header { padding: 14px 18px; background: #0f3d5e; flex: none; }
#faq-header h1 { margin: 0; font-size: 1.15rem; font-weight: 600; color: #fff; }
#faq-header p { margin: 2px 0 0; font-size: 0.9rem; color: #cfe1ef; }
#faq-chat { flex: 1 1 auto; min-height: 0; border: none !important; border-radius: 0 !important; }
#faq-chat .bubble-wrap { padding: 12px 10px; }
#faq-chat .faq-source { display: inline-block; font-size: 0.85em; color: #52606d; }
#faq-chat .faq-mail a { display: inline-block; padding: 6px 12px; border-radius: 8px; background: #0f3d5e;
  color: #fff !important; text-decoration: none; }
#faq-chat .options { display: flex; flex-wrap: wrap; justify-content: flex-start; gap: 6px;
  margin: 0; padding: 0 12px 12px; }
#faq-chat .option { flex: 0 1 auto; width: auto; max-width: 100%; text-align: left; padding: 6px 12px;
  border: 1px solid #0f3d5e66; border-radius: 16px; background: #fff; color: #0f3d5e; }
#faq-chat .option:hover { background: #e8f1f8; }
#faq-chat .top-panel { display: none; }
#faq-chat .message-wrap > .message-row:first-child + .message-buttons { display: none; }
#faq-input { flex: none; padding: 10px 12px; border-top: 1px solid var(--border-color-primary) !important;
  border-radius: 0 !important; }
footer { display: none !important; }
"""

THEME = gr.themes.Default(primary_hue="sky", neutral_hue="slate")


def build_app(bot: FaqBot, limiter: RateLimiter | None = None) -> gr.Blocks:
    """The chat widget as a Gradio app; faqbot.web.server serves it (with the API, sharing `limiter`)."""
    widget = Widget(bot, limiter)
    title = message("ui_title", "sv", "")
    with gr.Blocks(title=title, fill_height=True, analytics_enabled=False) as app:
        conversation = gr.State(Conversation([greeting_message(bot)]))
        with gr.Column(elem_id="faq-widget"):
            gr.HTML(
                f"<h1>{as_text(title)}</h1><p>{as_text(message('ui_subtitle', 'sv', ''))}</p>", elem_id="faq-header"
            )
            chat = gr.Chatbot(
                value=conversation.value.shown(),
                elem_id="faq-chat",
                show_label=False,
                container=False,
                height="100%",
                scale=1,
                layout="bubble",
                buttons=[],
                sanitize_html=True,
                render_markdown=True,
                latex_delimiters=[],
                allow_tags=False,
                feedback_options=("Like", "Dislike"),
            )
            box = gr.Textbox(
                placeholder=message("ui_placeholder", "sv", ""),
                show_label=False,
                container=False,
                submit_btn=message("ui_send", "sv", ""),
                lines=1,
                max_lines=4,
                elem_id="faq-input",
            )

        # The customer's message is shown at once (outside the queue); the answer follows.
        app.load(widget.welcome, conversation, chat, queue=False)
        box.submit(widget.send, [box, conversation], [box, chat], queue=False).then(
            widget.answer, conversation, [chat, box], show_progress_on=[chat]
        )
        chat.option_select(widget.pick, conversation, chat, queue=False).then(
            widget.answer, conversation, [chat, box], show_progress_on=[chat]
        )
        chat.like(widget.like, conversation, None, queue=False)
    app.queue(default_concurrency_limit=CONCURRENCY, max_size=QUEUE_SIZE)
    return app
