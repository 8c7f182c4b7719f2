"""The chat widget: a Gradio app over `FaqBot`, made to sit on the agency's website.

The widget holds no business logic: every message goes to `FaqBot.ask`, a picked choice to
`FaqBot.choose`, every 👍/👎 to `FaqBot.feedback`. What lives here is the conversation and its
limits:

- one message is one server event (`Widget.respond`) that carries the question and returns
  the chat with its answer: an answer is tied to its question, so a lost call loses that one
  answer and never shifts the others. The customer's message is shown by the browser before
  the event is sent (faqbot.web.page), and a clicked choice goes the same way as typed text;
- a message that is one of the choices under the latest reply is that choice: it goes to
  `FaqBot.choose` with the reply_id the session holds on the server (never one the browser
  sends), so it is logged as the answer to the question the choices were offered for, and
  one customer can neither pick nor rate under another's reply;
- one customer (one IP address) may send `rate_limit_per_minute` messages, and as many 👍/👎,
  in any minute (one `ClientBudget`, shared with the JSON API); past that the message is not asked, nothing is kept for it (the notice is
  shown once and built from the cleaned question only), and nothing is written to the log.
  X-Forwarded-For names the customer only on requests from a `trusted_proxy`;
- a session's memory is bounded: at most KEEP_MESSAGES messages, and its conversation is
  forgotten after IDLE_SECONDS without a message (`launch` also bounds how many sessions
  Gradio keeps and drops idle ones, see faqbot.web.server);
- a message to a server that does not know its session (behind a proxy, the replica that held
  it died; or it was forgotten) comes with the text of the messages the page shows: they stay
  on screen, as text only, the bot says plainly that the chat restarted and it no longer
  remembers them, and the message is answered as a new question. A customer's visible chat
  never vanishes silently;
- nothing is fetched from outside hosts: analytics and the version check are off, there is no
  share link, and the theme's fonts are served by the app itself.

Every message starts with `FaqBot.refresh(wait=False)`, which swaps a rebuilt index in
atomically (and rebuilds a stale one in the background), so staff can run `faqbot index` while
the app is serving. Server start-up is `faqbot.web.server`; the page's look and script are
faqbot.web.page; how messages read is faqbot.web.messages.
"""

from __future__ import annotations

import copy
import logging
import threading
from typing import Any

import gradio as gr

from faqbot.bot import FaqBot, Reply, clean_question
from faqbot.conversations.privacy import masked_traceback
from faqbot.errors import ChoiceRefusedError, FeedbackRefusedError, LogUnavailableError, UnknownReplyError
from faqbot.language import detect_language
from faqbot.retrieval.embedding import ChatMemory
from faqbot.web.messages import (  # noqa: F401  (re-exported: the widget's vocabulary)
    Message,
    as_text,
    earlier_messages,
    greeting_message,
    mailto,
    notice_message,
    reply_message,
    restart_message,
    settle,
    user_message,
)
from faqbot.web.page import (  # noqa: F401
    CSS,
    EARLIER_MESSAGES,
    KEEP_CHAT_UNDER_WAY,
    MAX_EARLIER_CHARS,
    MAX_SENT_CHARS,
    PAGE_SCRIPT,
    SHOW_MESSAGE,
    THEME,
)
from faqbot.web.ratelimit import ClientBudget, RateLimiter, budget_for, client_address
from faqbot.wording import message

log = logging.getLogger(__name__)

KEEP_MESSAGES = 60  # a conversation keeps (and sends back) at most this many messages
IDLE_SECONDS = 30 * 60  # a conversation without a message for this long is forgotten
NOTICE_QUESTION_CHARS = 200  # of the question in a refusal notice's mail links: the notice stays small
CONCURRENCY = 8  # page loads queued at the same time (messages are direct calls, see build_app)


def readable(text: str | None) -> str:
    """What a browser sent, as text Python can encode: its last MAX_SENT_CHARS (the question of a
    long message is at its end), lone surrogates (which no UTF-8 can carry) replaced."""
    text = (text or "")[-MAX_SENT_CHARS:]
    return text.encode("utf-8", "replace").decode("utf-8")


UNDONE = ""  # what the page sends as LikeData.liked when a customer clicks their 👍 or 👎 again


def liked_value(value: object) -> bool | str | None:
    """Gradio's LikeData.liked as True (👍), False (👎), UNDONE (the thumb clicked again: taken
    back) or None (anything else)."""
    if isinstance(value, bool):
        return value
    if value == UNDONE:
        return UNDONE
    return {"like": True, "dislike": False}.get(str(value).casefold())


def input_wording(language: str) -> Any:
    """The input box's placeholder, its name for screen readers, and its button in the customer's language."""
    placeholder = message("ui_placeholder", language, "")
    return gr.update(placeholder=placeholder, label=placeholder, submit_btn=message("ui_send", language, ""))


class Conversation:
    """One customer's chat: the messages shown, the reply_id of each answer (for 👍/👎), and
    the choices under the latest reply (for `FaqBot.choose`). Held on the server only.

    Gradio hands a session's State to its events by reference, and two messages of one session
    can be answered at once; a lock keeps each question next to its own answer.
    """

    def __init__(self, messages: list[Message] | None = None) -> None:
        self.messages: list[Message] = list(messages or [])
        self.rated: dict[int, str] = {}  # message position -> the reply_id of the answer shown there
        self.thumbs: dict[int, str] = {}  # message position -> the customer's 👍/👎 there ("Like", "Dislike")
        self.offer: tuple[str, dict[str, str]] | None = None  # the latest reply's id, its choices: text -> faq_id
        self.language = "sv"  # of the input box's wording
        self.topic = ""  # the question a follow-up ("och vad kostar det?") refers to (Reply.topic)
        self.memory = ChatMemory()  # its last question vectors: a follow-up's topic is not embedded again
        self.received = 0  # messages this server has begun to answer in this session (`resume`)
        # One message of a chat answered at a time, in the order they came: answered side by side,
        # a second message sent quickly was often shown (and answered as a follow-up) before the first.
        self.answering = threading.Lock()
        self._lock = threading.Lock()

    def __deepcopy__(self, memo: dict) -> Conversation:
        # Gradio deep-copies the State's default for every new session; a lock cannot be copied.
        return Conversation(copy.deepcopy(self.messages, memo))

    def greet(self, first: Message) -> list[Message]:
        """Start the chat with `first`, unless the customer has already written: then it stays."""
        with self._lock:
            if len(self.messages) <= 1:
                self.messages, self.rated, self.topic, self.offer = [first], {}, "", None
                self.thumbs = {}
            return list(self.messages)

    def resume(self, earlier: list[Message]) -> bool:
        """Take the page's `earlier` messages (faqbot.web.messages.earlier_messages) as this chat's
        when it holds none of the customer's own: a session this server does not know. True when
        it did; they are shown again, nothing more (no 👍/👎, no choices, no follow-up topic).
        Called as each message is begun: only the first this server receives in the session can
        resume (a second one sent before the first was answered had taken the first, still on its
        way, for a lost chat: shown twice, with a false word that the chat restarted)."""
        with self._lock:
            first, self.received = self.received == 0, self.received + 1
            if not earlier or not first or self._customer_wrote():
                return False
            self.messages, self.rated, self.offer, self.topic = list(earlier), {}, None, ""
            self.thumbs = {}
            return True

    def add(
        self, question: Message, answer: Message, reply: Reply | None, notice: Message | None = None
    ) -> list[Message]:
        """The customer's message and the answer to it (`reply`, None for a notice), together;
        `notice` (that the chat restarted) between them."""
        with self._lock:
            if self.messages:
                self.messages[-1] = settle(self.messages[-1])
            self.messages += [question, *([notice] if notice else []), answer]
            if reply is not None and reply.kind.takes_feedback:
                self.rated[len(self.messages) - 1] = reply.reply_id
            self.offer = None
            if reply is not None and reply.suggestions:
                self.offer = (reply.reply_id, {clean_question(s.faq_question)[0]: s.faq_id for s in reply.suggestions})
            self._trim()
            return list(self.messages)

    def choice(self, text: str) -> tuple[str, str] | None:
        """(reply_id, faq_id) when `text` is one of the choices under the latest reply, else None."""
        with self._lock:
            if self.offer is None:
                return None
            reply_id, choices = self.offer
            faq_id = choices.get(clean_question(text)[0])
            return (reply_id, faq_id) if faq_id is not None else None

    def preview(self, earlier: list[Message], *after: Message) -> list[Message]:
        """The chat as shown with `after` after it, keeping nothing of them: this session's
        messages, or the page's `earlier` ones when the session holds none of the customer's."""
        with self._lock:
            shown = list(earlier if earlier and not self._customer_wrote() else self.messages)
        if shown and after:
            shown[-1] = settle(shown[-1])
        return [*shown, *after]

    def _customer_wrote(self) -> bool:
        return any(m.get("role") == "user" for m in self.messages)

    def _trim(self) -> None:
        """Forget the oldest messages of a very long chat, so one session cannot grow without end."""
        cut = len(self.messages) - KEEP_MESSAGES
        if cut > 0:
            self.messages = self.messages[cut:]
            self.rated = {position - cut: row for position, row in self.rated.items() if position >= cut}
            self.thumbs = {position - cut: given for position, given in self.thumbs.items() if position >= cut}

    def shown(self) -> list[Message]:
        with self._lock:
            return list(self.messages)

    def rate(self, position: int, liked: bool | None) -> None:
        """Remember the customer's 👍 (`liked`) or 👎 on the answer at `position`; None: taken back."""
        with self._lock:
            if position in self.rated and liked is None:
                self.thumbs.pop(position, None)
            elif position in self.rated:
                self.thumbs[position] = "Like" if liked else "Dislike"

    def feedback_value(self) -> list[str | None]:
        """The 👍/👎 given, one value for each bot message in order (Gradio's `feedback_value`):
        a chat sent back without it showed every earlier rating as not given."""
        with self._lock:
            return [self.thumbs.get(n) for n, m in enumerate(self.messages) if m.get("role") == "assistant"]

    def reply_id_at(self, position: int) -> str | None:
        """The reply_id of the answer shown at `position`, None when no answer that takes 👍/👎 is there."""
        with self._lock:
            return self.rated.get(position)


class Widget:
    """The handlers behind the chat; each customer's conversation lives in Gradio's session state."""

    def __init__(self, bot: FaqBot, budget: ClientBudget | RateLimiter | None = None) -> None:
        self.bot = bot
        self.budget = budget_for(budget, lambda: bot.config.rate_limit_per_minute)  # shared with the JSON API

    def greeting(self) -> Message:
        return greeting_message(
            self.bot.greeting("sv"), self.bot.helpdesk, [entry.question for entry in self.bot.entries]
        )

    def welcome(self, conversation: Conversation) -> list[Message]:
        """The greeting for a page load (of the FAQ served now: a rebuilt one is picked up first).

        It may arrive after the customer's first message on a slow server; a chat already
        under way is left as it is (here, and in the browser by KEEP_CHAT_UNDER_WAY).
        """
        try:
            self.bot.refresh(wait=False)
            first = self.greeting()
        except Exception:
            log.exception("could not build the greeting")
            first = notice_message(self._helpdesk(), "sv", "")
        return conversation.greet(first)

    def respond(
        self,
        text: str | None,
        conversation: Conversation,
        request: gr.Request | None = None,
        earlier: str | None = None,
    ) -> tuple[list[Message], Any]:
        """Answer one message: the chat with the customer's message and its answer, and the
        input box's wording in the customer's language. Never raises, whatever goes wrong.

        `earlier` is what the page showed before the message (JSON, see faqbot.web.page): kept
        on screen, with a word that the chat restarted, when this session is new to the server.
        (Gradio passes `request` by its type, and the event's third value as `earlier`.)
        Past the rate limit the message is shown with a notice instead, and never reaches the
        bot, the conversation log or the session's history (so a flood costs nothing to keep);
        the box gets the message back, so that nothing the customer wrote is lost.
        """
        question = readable(text)
        shown_before = earlier_messages(earlier, EARLIER_MESSAGES, 2 * MAX_EARLIER_CHARS)
        if not question.strip():
            return conversation.preview(shown_before), gr.skip()
        client = client_address(request)
        if not self.budget.allow(client, self.budget.messages):
            cleaned = clean_question(question)[0]
            short = cleaned[:NOTICE_QUESTION_CHARS]
            notice = notice_message(self._helpdesk(), detect_language(short), short, "rate_limited")
            # a refusal is cheap to send: its message shown up to NOTICE_QUESTION_CHARS, said to be cut
            shown = user_message(short + (" …" if len(cleaned) > len(short) else ""))
            # what was typed goes back into the box, to send again once the minute has passed
            return conversation.preview(shown_before, shown, notice), gr.update(value=question)
        with conversation.answering:  # a message sent before the last was answered waits its turn
            restarted = conversation.resume(shown_before)
            reply: Reply | None = None
            try:
                self.bot.refresh(wait=False)
                reply = self._reply(question, conversation, client)
                shown, language = reply_message(reply), reply.language
                conversation.topic = reply.topic or conversation.topic
            except Exception as err:
                log.error("could not answer a question:\n%s", masked_traceback(err))
                shown, language = notice_message(self._helpdesk(), "sv", question), conversation.language
            restart = restart_message(self._helpdesk(), language) if restarted else None
            chat = conversation.add(user_message(question, reply.language if reply else ""), shown, reply, restart)
        if language == conversation.language:
            return chat, gr.skip()
        conversation.language = language
        return chat, input_wording(language)

    def answer(
        self,
        text: str | None,
        conversation: Conversation,
        request: gr.Request | None = None,
        earlier: str | None = None,
    ) -> tuple[Any, Any]:
        """`respond` as the page's event: the chat with the 👍/👎 the customer gave on it (a chat
        sent back without them showed every earlier rating as not given). Only a chat with a
        rating is sent as an update: Gradio then keeps a chat component for the session (about
        3.6 KB, faqbot.web.sessions), which a session nobody rated in does without."""
        chat, box = self.respond(text, conversation, request, earlier)
        given = conversation.feedback_value()
        return (gr.update(value=chat, feedback_value=given) if any(given) else chat), box

    def _reply(self, question: str, conversation: Conversation, client: str | None) -> Reply:
        """The choice's answer when `question` is one of the latest reply's choices; else the bot's
        answer to it. `client`: the customer's address, which the log keeps as a pseudonym."""
        picked = conversation.choice(question)
        if picked is not None:
            try:
                return self.bot.choose(*picked, client=client)
            except (
                UnknownReplyError,
                ChoiceRefusedError,
                LogUnavailableError,
            ) as err:  # e.g. the entry has left the FAQ
                log.info("a picked choice is asked as typed instead: %s", err)
        return self.bot.ask(question, previous=conversation.topic or None, client=client, memory=conversation.memory)

    def like(self, conversation: Conversation, data: gr.EventData, request: gr.Request | None = None) -> None:
        """Record 👍/👎 on an answer, on the log row that holds its question and FAQ entry; the
        thumb clicked again takes it back (a walk-through: the log kept the 👍, and the next
        answer showed it given again).

        Takes Gradio's plain EventData (a LikeData when the page sends one): LikeData itself
        fails inside Gradio, before this runs, on a request whose event data is null.
        """
        event = getattr(data, "_data", None)
        event = event if isinstance(event, dict) else {}
        liked, position = liked_value(event.get("liked")), event.get("index")
        if isinstance(position, (list, tuple)):
            position = position[0] if position else None
        if liked is None or not isinstance(position, int) or isinstance(position, bool):
            return
        reply_id = conversation.reply_id_at(position)  # this session's own answer, never one the browser names
        if reply_id is None or not self.budget.allow(client_address(request), self.budget.ratings):
            return
        given = None if liked == UNDONE else bool(liked)
        try:
            self.bot.feedback(reply_id, given)
        except FeedbackRefusedError:  # not an answer: the page shows no thumbs there
            return
        except Exception:
            log.exception("could not record feedback on a reply")
            return
        conversation.rate(position, given)

    def _helpdesk(self) -> str:
        try:
            return self.bot.helpdesk
        except Exception:
            return ""


# Every event: one direct HTTP request, no Gradio progress timer (its grey text fails WCAG's
# contrast check when an answer takes long, and says nothing to a customer), and a customer may
# send the next message before the last is answered.
DIRECT_EVENT: dict[str, Any] = {"queue": False, "show_progress": "hidden", "trigger_mode": "multiple"}


def build_app(bot: FaqBot, budget: ClientBudget | RateLimiter | None = None) -> gr.Blocks:
    """The chat widget as a Gradio app; faqbot.web.server serves it (with the API, sharing `budget`)."""
    widget = Widget(bot, budget)
    title = bot.config.name or message("ui_title", "sv", "")
    # analytics off: no telemetry and no version check against an outside host (the process's
    # environment is left alone: GRADIO_ANALYTICS_ENABLED would only set this default)
    with gr.Blocks(title=title, fill_height=True, analytics_enabled=False) as app:
        conversation = gr.State(Conversation([widget.greeting()]), time_to_live=IDLE_SECONDS)
        with gr.Column(elem_id="faq-widget"):
            gr.HTML(
                f"<h1>{as_text(title)}</h1><p>{as_text(message('ui_subtitle', 'sv', ''))}</p>", elem_id="faq-header"
            )
            chat = gr.Chatbot(
                value=conversation.value.shown(),
                elem_id="faq-chat",
                show_label=False,
                label=title,
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
                label=message("ui_placeholder", "sv", ""),
                container=False,
                submit_btn=message("ui_send", "sv", ""),
                lines=1,
                max_lines=4,
                elem_id="faq-input",
            )
            question = gr.Textbox(visible=False)  # the question on its way to `respond`
            earlier = gr.Textbox(visible=False)  # the messages shown before it, for a server new to the session

        # The greeting of the FAQ served now; when it comes back after the customer's first
        # message (a slow server), the chat under way is kept.
        greeting = gr.Chatbot(visible=False, buttons=[], sanitize_html=True, allow_tags=False)
        app.load(widget.welcome, conversation, greeting, queue=False).then(
            None, [greeting, chat], chat, js=KEEP_CHAT_UNDER_WAY, **DIRECT_EVENT
        )
        # In the browser: clear the box, show the message; then the one server call. Direct
        # calls (queue=False) are one HTTP request each, with no event stream to keep open.
        box.submit(None, [box, chat], [box, chat, question, earlier], js=SHOW_MESSAGE, **DIRECT_EVENT).then(
            widget.answer, [question, conversation, earlier], [chat, box], api_name="ask", **DIRECT_EVENT
        )
        chat.like(widget.like, conversation, None, **DIRECT_EVENT)
    app.queue(default_concurrency_limit=CONCURRENCY)
    return app
