"""The widget's page: its look (CSS, theme) and the little it does in the browser (JavaScript).

The browser does four things itself, so that no server round trip stands between the
customer and what they see:

- `SHOW_MESSAGE` runs on Enter (or the send button): it clears the box, shows the customer's
  message at once, escaped exactly as faqbot.web.messages escapes it, writes the previous
  message's choices into it as a list (as `settle` does on the server), and hands the question
  to the one server event that answers it, with the text of the messages shown before it
  (`earlier`): a replica that does not know the session (the one that held it died, or it was
  idle too long) keeps them on screen instead of replacing the chat with its own greeting;
- `KEEP_CHAT_UNDER_WAY` keeps a chat the customer has started when the page's greeting comes
  back late (a slow server);
- `PAGE_SCRIPT` makes a clicked choice (mouse, or Tab and Enter) be asked as if it were typed:
  the same path as a typed message, so it is shown at once and answered by the same event;
- `PAGE_SCRIPT` also makes the conversation an `aria-live` region named in Swedish, so screen
  readers read new replies out, marks the page Swedish, and names each message for screen readers by the text
  it shows (Gradio names it by its raw Markdown), 👍/👎 in the answer's language (Gradio: "Like")
  and 👍 before 👎 for the keyboard too, and the input box by its placeholder alone;
- `CSS` puts the choices right under "Menade du kanske:" and the thumbs after them, 👍 first.
"""

from __future__ import annotations

import json

import gradio as gr

from faqbot.bot import MAX_MESSAGE_CHARS

# What the browser sends of a message: its end, this long at most. The box itself has no length
# limit (a browser would cut a paste silently, losing the question at its end); the bot reads the
# last MAX_MESSAGE_CHARS of it and says so. This bound only keeps a huge paste under the body limit.
MAX_SENT_CHARS = 10 * MAX_MESSAGE_CHARS
# What the browser sends of the messages shown before a new one (as JSON, for a server that does
# not know the session): the latest that fit in this many characters, so that they and a message
# of MAX_SENT_CHARS stay under the server's body limit (MAX_REQUEST_BYTES, faqbot.web.server).
MAX_EARLIER_CHARS = 32_000
EARLIER_MESSAGES = 56  # at most this many (a session keeps KEEP_MESSAGES, with room for the new ones)

# clean_question (faqbot.bot) and user_message (faqbot.web.messages), in JavaScript: the
# message whole, or over the limit its end after "… ".
_SHOWN = r"""
const faqShown = (typed) => {
  let text = typed.replace(/[\p{C}\p{Z}]/gu, " ").split(" ").filter(Boolean).join(" ");
  let cut = "";
  if (text.length > LIMIT) {
    text = text.slice(-LIMIT);
    text = text.includes(" ") ? text.slice(text.indexOf(" ") + 1) : text;
    cut = "… ";
  }
  return cut + text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
    .replace(/([\\`*_\[\]~|$])/g, "\\$1")
    .replace(/(?<=[\p{L}\p{N}_]):(?=\/\/)|(?<=www)\.|@(?=[\p{L}\p{N}_])/giu, (m) => "\\" + m)
    .replace(/^([#=+-])/, "\\$1")
    .replace(/^(\d+)([.)])/, "$1\\$2");
};
""".replace("LIMIT", str(MAX_MESSAGE_CHARS))

SHOW_MESSAGE = (
    "(typed, chat) => {"
    + _SHOWN
    + r"""
  const question = (typed || "").slice(-MAX_SENT);
  if (!question.trim()) return [typed || "", chat, "", ""];
  const history = (chat || []).map((message, n, all) => {
    if (n < all.length - 1 || !message.options || !message.options.length) return message;
    const listed = message.options.map((o) => "- " + faqShown(o.label)).join("\n");
    const content = message.content.map((part, k) =>
      k === message.content.length - 1 && part.type === "text" ? {...part, text: part.text + "\n\n" + listed} : part);
    return {...message, content, options: null};
  });
  // The earlier messages as text, only once the customer has written (a greeting alone needs none).
  const said = history.map((message) => ({role: message.role, text: typeof message.content === "string"
    ? message.content : (message.content || []).map((part) => part.type === "text" ? part.text : "").join("")}));
  let earlier = said.some((message) => message.role === "user") ? said.slice(-EARLIER_MESSAGES) : [];
  while (earlier.length && JSON.stringify(earlier).length > MAX_EARLIER) earlier = earlier.slice(1);
  history.push({role: "user", metadata: null, options: null, content: [{type: "text", text: faqShown(question)}]});
  return ["", history, question, earlier.length ? JSON.stringify(earlier) : ""];
}""".replace("MAX_SENT", str(MAX_SENT_CHARS))
    .replace("MAX_EARLIER", str(MAX_EARLIER_CHARS))
    .replace("EARLIER_MESSAGES", str(EARLIER_MESSAGES))
)

# After the page's welcome call: its greeting replaces the chat unless the customer has already
# written (the message shown by SHOW_MESSAGE, or its answer, would otherwise vanish under it).
# Gradio takes a returned array as the list of outputs, so the one output is wrapped in one.
KEEP_CHAT_UNDER_WAY = "(greeting, chat) => [chat && chat.length > 1 ? chat : greeting]"

PAGE_SCRIPT = r"""
() => {
  document.addEventListener("click", (event) => {
    const option = event.target.closest && event.target.closest("#faq-chat .option");
    const box = document.querySelector("#faq-input textarea");
    const send = document.querySelector("#faq-input button.submit-button");
    if (!option || !box || !send) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    box.value = option.textContent.trim();
    box.dispatchEvent(new Event("input", {bubbles: true}));
    requestAnimationFrame(() => { send.click(); box.focus(); });
  }, true);
  const live = () => {
    const log = document.querySelector("#faq-chat .bubble-wrap");
    if (!log) return false;
    log.setAttribute("role", "log");
    log.setAttribute("aria-live", "polite");
    log.setAttribute("aria-relevant", "additions");
    log.setAttribute("aria-label", "LOG_NAME");  // Gradio names it in English
    return true;
  };
  if (!live()) {
    const watch = new MutationObserver(() => live() && watch.disconnect());
    watch.observe(document.body, {childList: true, subtree: true});
  }
  document.documentElement.lang = "sv";
  // Gradio names each message for screen readers with its raw Markdown ("bot's message: ...
  // [address](mailto:...%20...)") and its thumbs in English: the text as shown, in Swedish.
  const WHO = {bot: "WHO_BOT", user: "WHO_USER"};
  const THUMBS = THUMB_NAMES;
  let pending = false;
  const tidy = () => {
    pending = false;
    document.querySelectorAll("#faq-chat [data-testid=bot], #faq-chat [data-testid=user]").forEach((shown) => {
      const content = shown.querySelector(".message-content");
      const label = WHO[shown.dataset.testid] + (content ? content.innerText : "").replace(/\s+/g, " ").trim();
      if (shown.getAttribute("aria-label") !== label) shown.setAttribute("aria-label", label);
      if (shown.querySelector(".faq-en") && shown.getAttribute("lang") !== "en") shown.setAttribute("lang", "en");
    });
    document.querySelectorAll("#faq-chat .message-buttons").forEach((buttons) => {
      const answer = buttons.previousElementSibling;
      const language = answer && answer.querySelector(".faq-en, .faq-en-buttons") ? "en" : "sv";
      buttons.querySelectorAll("button").forEach((button) => {
        const named = THUMBS[button.getAttribute("aria-label")];
        if (!named) return;
        button.dataset.thumb = named[0];
        button.setAttribute("aria-label", named[1][language]);
        button.setAttribute("title", named[1][language]);
        if (language === "en") button.setAttribute("lang", "en");
      });
      // Gradio puts 👎 before 👍; shown 👍 first, they are reached with Tab in that order too.
      const up = buttons.querySelector("[data-thumb=up]"), down = buttons.querySelector("[data-thumb=down]");
      if (up && down && up.parentNode === down.parentNode &&
          (down.compareDocumentPosition(up) & Node.DOCUMENT_POSITION_FOLLOWING)) {
        down.parentNode.insertBefore(up, down);
      }
    });
    // The box's name is its placeholder; Gradio's label around it also holds the send button,
    // so it was read as "Skriv din fråga här … Skicka".
    const box = document.querySelector("#faq-input textarea");
    if (box && box.placeholder && box.getAttribute("aria-label") !== box.placeholder) {
      box.setAttribute("aria-label", box.placeholder);
    }
  };
  new MutationObserver(() => { if (!pending) { pending = true; requestAnimationFrame(tidy); } })
    .observe(document.body, {childList: true, subtree: true, characterData: true, attributes: true,
      attributeFilter: ["aria-label", "placeholder"]});
  tidy();
}
"""

# What the page script calls the conversation, the two speakers and the thumbs (Gradio's
# English names -> ours).
LOG_NAME = "Samtalet med chattbotten"
SPEAKERS = {"bot": "Chattbotten svarar: ", "user": "Du skrev: "}
# Under an answer to an English question (ENGLISH_MARK, or ENGLISH_BUTTONS_MARK on a Swedish
# answer to one), their English names.
THUMB_NAMES = {
    "Like": ("up", {"sv": "Svaret hjälpte", "en": "The answer helped"}),
    "Liked": ("up", {"sv": "Svaret hjälpte (valt)", "en": "The answer helped (chosen)"}),
    "Dislike": ("down", {"sv": "Svaret hjälpte inte", "en": "The answer did not help"}),
    "Disliked": ("down", {"sv": "Svaret hjälpte inte (valt)", "en": "The answer did not help (chosen)"}),
}
PAGE_SCRIPT = (
    PAGE_SCRIPT.replace("LOG_NAME", LOG_NAME)
    .replace("WHO_BOT", SPEAKERS["bot"])
    .replace("WHO_USER", SPEAKERS["user"])
    .replace("THUMB_NAMES", json.dumps(THUMB_NAMES, ensure_ascii=False))
)

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
#faq-header p { margin: 2px 0 0; font-size: 0.9rem; color: #e3eef7; }
#faq-chat { flex: 1 1 auto; min-height: 0; border: none !important; border-radius: 0 !important; }
#faq-chat .bubble-wrap { padding: 12px 10px; }
#faq-chat .faq-source { display: inline-block; font-size: 0.85em; color: #3e4c59; }
#faq-chat .faq-mail a { display: inline-block; padding: 6px 12px; border-radius: 8px; background: #0f3d5e;
  color: #fff !important; text-decoration: none; }
#faq-chat .options { display: flex; flex-wrap: wrap; justify-content: flex-start; gap: 6px;
  margin: 0; padding: 0 12px 12px; }
#faq-chat .option { flex: 0 1 auto; width: auto; max-width: 100%; text-align: left; padding: 6px 12px;
  border: 1px solid #0f3d5e66; border-radius: 16px; background: #fff; color: #0f3d5e; }
#faq-chat .option:hover { background: #e8f1f8; }
#faq-chat .option:focus-visible { outline: 3px solid #0f3d5e; outline-offset: 2px; }
/* Gradio's own rule takes the box's outline away (outline: none, more specific): the ring is
   drawn with !important, so the keyboard's place shows (WCAG 2.4.7). */
#faq-input textarea:focus-visible { outline: 3px solid #0f3d5e !important; outline-offset: 2px; }
#faq-chat .top-panel { display: none; }
/* 👍/👎 only under FAQ answers: greetings, thanks and helpdesk notices carry no .faq-answer. */
#faq-chat .message-row:not(:has(.faq-answer)) + .message-buttons { display: none; }
/* Under an answer that also offers choices, "Menade du kanske:" is followed by its choices, and
   the thumbs come after them (the conversation is a flex column; options sit under the latest
   message only). 👍 before 👎. */
#faq-chat .message-wrap > .options { order: 1; }
#faq-chat .message-wrap > .message-buttons:has(+ .options) { order: 2; }
#faq-chat .message-buttons .icon-button-wrapper { display: flex; }
#faq-chat .message-buttons [data-thumb=up] { order: -1; }
/* Gradio draws them 18 px square; WCAG 2.5.8 asks 24 at least: 32, for a finger. */
#faq-chat .message-buttons button { min-width: 32px; min-height: 32px; }
#faq-input { flex: none; padding: 10px 12px; border-top: 1px solid var(--border-color-primary) !important;
  border-radius: 0 !important; }
footer { display: none !important; }
"""

THEME = gr.themes.Default(primary_hue="sky", neutral_hue="slate")
