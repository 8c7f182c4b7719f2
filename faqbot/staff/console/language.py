"""The console's two languages: Swedish, the default, and English, chosen per browser with a switch.

    say = phrasebook("en")
    say("Översikt")                                  # 'Overview'
    say(Text("Redigera {faq_id}", faq_id="backup"))  # 'Edit backup'
    say("En text som ingen har översatt än")         # shown in Swedish until ENGLISH has it
    say(Bilingual("nyckeln 'id' står två gånger", "duplicate key 'id'"))  # "duplicate key 'id'"
    say("”{question}” besvaras av", question=spoken("Can I call you?", "en"))  # markup: the question in its own language

Every text the console shows is written in Swedish, in a template (`{{ t("Spara") }}`) or in the
code (`Text("Posten finns inte.")`), and that Swedish text is its own key: ENGLISH
(faqbot.staff.console.english) maps it to English. A text ENGLISH does not have is shown in
Swedish in both languages, so a page written in Swedish works at once and is translated by adding
its texts to ENGLISH. A message that comes written in both languages from outside the console
(the FAQ checks' explanations of a slip in the YAML, faqbot.faq.messages) is a Bilingual: its
own English is shown, not a translation of its Swedish. The choice is a cookie of the browser
session (LANGUAGE_COOKIE), set by GET /sprak, which works without a login and without JavaScript.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from markupsafe import Markup, escape

from faqbot.staff.console.english import ENGLISH
from faqbot.staff.trends import staff_time

LANGUAGES = ("sv", "en")
DEFAULT = "sv"
LANGUAGE_COOKIE = "faqbot_staff_lang"


class Text(str):
    """A Swedish message built in code, with its values: reads as Swedish, and `phrasebook`
    translates it from its key when it is shown."""

    key: str
    values: dict[str, Any]

    def __new__(cls, key: str, /, **values: Any) -> Text:
        made = super().__new__(cls, key.format(**values) if values else key)
        made.key, made.values = key, values
        return made


class Bilingual(Text):
    """A message written in both languages elsewhere (faqbot.faq.messages keeps each slip's
    explanation in English and Swedish side by side): reads as Swedish, and `phrasebook` shows
    its English as it was written."""

    english: str

    def __new__(cls, swedish: str, english: str, /) -> Bilingual:
        made = str.__new__(cls, swedish)
        made.key, made.values, made.english = swedish, {}, english
        return made


def phrasebook(language: str, english: Mapping[str, str] = ENGLISH) -> Callable[..., str]:
    """`say(text, **values)`: `text` (a Swedish key or a Text) in `language`, values filled in.
    Only a value that is itself a Text is translated; any other value (an FAQ answer, a
    customer's question) is shown as it is. When a value is markup (`spoken`), the text is
    escaped and returned as markup around it; otherwise the template escapes it as it shows it."""
    translate = language == "en"

    def say(text: str, /, **values: Any) -> str:
        if isinstance(text, Bilingual):
            return text.english if translate else str(text)
        if isinstance(text, Text):
            key, values = text.key, {**text.values, **values}
        else:
            key = str(text)
        shown = english.get(key, key) if translate else key
        if not values:
            return shown
        filled = {name: say(v) if isinstance(v, Text) else v for name, v in values.items()}
        if any(isinstance(v, Markup) for v in filled.values()):
            return Markup(escape(shown)).format(**filled)  # escapes every value that is not markup
        return shown.format(**filled)

    return say


def spoken(text: str, language: str, id: str = "") -> Markup:
    """A customer's words marked with the language they were written in (`lang`), so a screen
    reader reads an English question as English on a Swedish page; as they are when it is unknown.
    With `id`, in an element of that id (a button's `aria-describedby` names the words alone)."""
    if language not in LANGUAGES:
        language = ""
    if not language and not id:
        return Markup(escape(text))
    marks = [Markup(' {}="{}"').format(name, value) for name, value in (("id", id), ("lang", language)) if value]
    return Markup("<span{}>{}</span>").format(Markup("").join(marks), text)


def full_stop(text: str) -> str:
    """The full stop after a quoted text that ends a sentence: none when the text ends with its
    own mark (”Har ni parkering?” takes no second one)."""
    return "" if text.rstrip(" )\"'”»").endswith(("?", "!", ".", "…")) else "."


def local(moment: datetime, seconds: bool = False) -> str:
    """A moment as staff read it, in Swedish time with its zone: `2026-12-05 01:02 CET` (CEST in
    summer). A moment without a zone is taken as UTC, as faqbot writes every time."""
    return staff_time(moment).strftime("%Y-%m-%d %H:%M" + (":%S" if seconds else "") + " %Z")


def clock(stamp: str) -> str:
    """An ISO time (`2026-12-04T05:40:12+00:00`, the index manifest's) as staff read it
    (`local`); the text itself when it is not one."""
    try:
        return local(datetime.fromisoformat(stamp))
    except ValueError:
        return stamp


def language_of(cookies: Mapping[str, str]) -> str:
    """The language a request asked for with the switch's cookie; Swedish without one."""
    chosen = cookies.get(LANGUAGE_COOKIE, "")
    return chosen if chosen in LANGUAGES else DEFAULT


# Characters of a page to return to (`sida`): a path, and for a login its query too (a question
# to try, a search), which a customer's question of a few hundred characters fills when encoded.
MAX_PAGE = 2000


def local_path(target: str) -> str:
    """Where the switch or a login returns to: a path on this console, never another site, nor a
    made-up address of thousands of characters (a 20 KB Location header; '/' for either)."""
    if len(target) > MAX_PAGE:
        return "/"
    parts = urlsplit(target)
    if not target.startswith("/") or target.startswith("//") or "\\" in target or parts.scheme or parts.netloc:
        return "/"
    return target
