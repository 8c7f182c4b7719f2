"""The console's HTTP plumbing: rendering pages, reading forms within bounds, the session of a request.

Pages are Jinja2 templates with autoescaping on (a customer's question or an FAQ answer is text,
never markup). Forms are read as application/x-www-form-urlencoded only, with a bound on the
number of fields and on each field's length, after the body limit (faqbot.staff.console.auth).
A form that did what it was asked answers with a redirect to the page that shows what it did
(Post/Redirect/Get: `Console.done`, the outcome kept OUTCOME_SECONDS for its session alone under
a random key in the address, `?utfall=`), so reloading that page, or going back to it, shows the
outcome again and sends nothing twice. A refused form is answered directly, with its status.
Every form that changes something (all but logging out and trying a draft, which has its own
limit) spends one of its member of staff's WRITES_PER_MINUTE: most of them write the FAQ file
and rebuild the index, and a stolen session must not turn that into a loop that keeps the
machine busy.
"""

from __future__ import annotations

import math
import re
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from faqbot.bot import MAX_MESSAGE_CHARS
from faqbot.conversations.clients import client_network
from faqbot.decision.policy import Policy
from faqbot.errors import FaqbotError
from faqbot.faq.messages import in_swedish
from faqbot.faq.model import INVISIBLE_MARKS
from faqbot.faq.update import FIELDS
from faqbot.language import detect_language
from faqbot.staff.console.accounts import Session, StaffStore
from faqbot.staff.console.auth import COOKIE, Throttle, same_token
from faqbot.staff.console.changes import shown as shown_change
from faqbot.staff.console.language import (
    LANGUAGE_COOKIE,
    LANGUAGES,
    MAX_PAGE,
    Bilingual,
    Text,
    clock,
    full_stop,
    language_of,
    local_path,
    phrasebook,
    spoken,
)
from faqbot.staff.console.service import Desk
from faqbot.staff.signals import ID_DIGITS
from faqbot.web.ratelimit import RateLimiter

HERE = Path(__file__).resolve().parent
MAX_FIELDS = 40
FIELD_LIMITS = {
    "username": 64,
    "password": 1024,
    "answer": 10_000,
    "answer_en": 10_000,
    "alternatives": 10_000,
    "question": 500,
    "question_en": 500,
    # "Godkänn alla": up to 1,000 suggestion ids (a letter and ID_DIGITS digits), space-separated
    "ids": (2 + ID_DIGITS) * 1000,
    "formulering": MAX_MESSAGE_CHARS,  # a customer's phrasing staff remove from an entry: as long as one can ask
    "fraga": MAX_MESSAGE_CHARS,  # a question staff take off the FAQ's off_topic: list: as long as one can ask
}
DEFAULT_LIMIT = 200
# Control characters but tab and line breaks: nothing staff mean to write, and the YAML file cannot
# hold some of them as typed (NUL failed the save); a terminal showing the FAQ would obey others (ESC).
# So the non-characters U+FFFE and U+FFFF and lone surrogates, which YAML does not allow at all;
# and the invisible marks that hide a word from search or reverse the direction of text
# (faqbot.faq.model.INVISIBLE_MARKS), which a red-team helper saved into faq.yaml by pasting them.
CONTROL = re.compile(f"[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f\\ud800-\\udfff\\ufffe\\uffff{INVISIBLE_MARKS}]")
# What a form did, for the page it redirects to: kept this long, at most this many in all
# (the least recently kept go first; the write budget below bounds how fast they come).
OUTCOME_SECONDS = 600.0
MAX_OUTCOMES = 1000
OUTCOMES_A_SESSION = 20  # a member of staff's own, over all their logins: their last forms' outcomes and kept drafts
OUTCOME_KEY = "utfall"
# Pages of an entry's form that a POST can draw with staff's draft in it (a save refused, a try):
# kept as an outcome, so that switching language shows the draft again instead of the file's text.
DRAFT_PAGES = {"entry.html"}
KEPT_DRAFT = "kept_draft"
# An entry's form sent after its session ended (30 minutes idle, a logout in another tab): what was
# typed is kept for the page the login leads back to, under a cookie of that browser alone (a
# walk-through's answer, typed for half an hour, was lost at the login): the entry form's fields,
# in a store of their own (`Console.typed`, TYPED_KEPT in all, TYPED_A_NETWORK from one network:
# a flood of forms without a session pushes out its own, not staff's outcomes nor, from one
# network, everyone's drafts), TYPED_A_BROWSER named by one browser's cookie (one a page).
ENDED_DRAFT_COOKIE = "faqbot_staff_draft"
PROMISED = "utkast"  # in a form's address after the login: the login page promised its draft
ENDED_DRAFT = "ended_draft"
TYPED_A_BROWSER = 5
TYPED_A_NETWORK = 10
TYPED_KEPT = 300
TYPED_PART = re.compile(r"[A-Za-z0-9_-]{1,40}")
# the entry form's fields, the file version it was opened on, its group, the question it was tried with
ENDED_DRAFT_FIELDS = (*FIELDS, "hash", "grupp", "prova_fraga")
TYPED_FIELDS = (*FIELDS, "prova_fraga")  # what staff type into an entry's form: kept whatever it holds
# the last part of a form's address that is not a page of its own (POST /fragor/ID/formulering is on /fragor/ID)
FORM_ACTIONS = ("formulering", "prova", "aterstall", "kor", "lagg-till", "ta-bort", "sprak")


def form_page(path: str) -> str:
    """The page a form's address belongs to: /fragor/ID for POST /fragor/ID/prova, else the address."""
    parent, _, last = path.rstrip("/").rpartition("/")
    return parent if last in FORM_ACTIONS and parent else path


# Forms that change something, per member of staff in any sixty seconds. Reviewing by hand is a
# click every few seconds at most, and "Godkänn alla" takes a thousand suggestions in one.
WRITES_PER_MINUTE = 30
# The names staff see for the fields of an entry's form: its labels (entry.html) and the message that one is too long.
FIELD_LABELS = {
    "answer": "Svar",
    "answer_en": "Svar på engelska",
    "alternatives": "Andra sätt att fråga",
    "question": "Fråga",
    "question_en": "Fråga på engelska",
    "section": "Avsnitt",
}
STATIC = {"console.css": ("text/css; charset=utf-8", (HERE / "static" / "console.css").read_bytes())}
NAV = [
    ("/", "Översikt"),
    ("/granska", "Att granska"),
    ("/fragor", "Frågor och svar"),
    ("/prova", "Prova boten"),
    ("/utvardering", "Utvärdering"),
]


class Refused(Exception):
    """A request the console does not serve: `status` and a message for the page."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


class Kept(Exception):
    """A form answered with `response` instead of being done (`Console.form`'s `typed`)."""

    def __init__(self, response: Response) -> None:
        super().__init__("kept")
        self.response = response


class Fields(dict[str, str]):
    """A posted form's fields (`Console.form`), and what stopped a field of an entry's form from
    being saved as sent (field name -> messages): the form is shown again, saying so."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: dict[str, list[Text]] = {}


def why_unsaved(name: str, value: str, on_the_form: bool) -> list[Text]:
    """Why field `name` cannot be saved as sent (a control character, too long: both when both),
    worded for the page that refuses the form, or for the form shown again with the field
    (`on_the_form`: the control characters taken out, so the length is of what is left)."""
    label = Text(FIELD_LABELS[name]) if name in FIELD_LABELS else name[:40]
    limit = FIELD_LIMITS.get(name, DEFAULT_LIMIT)
    shown = f"{limit:,}".replace(",", "\u00a0")  # no line break inside "10 000"
    if not on_the_form and name != "password" and CONTROL.search(value):
        return [
            Text(
                "Fältet ”{label}” innehåller ett osynligt styrtecken som inte kan sparas. Inget sparades; gå tillbaka och ta bort det (det följer ofta med när text klistras in).",
                label=label,
            )
        ]
    problems = []
    if on_the_form and CONTROL.search(value):
        value = CONTROL.sub("", value)
        problems.append(
            Text(
                "Här fanns ett osynligt styrtecken som inte kan sparas (det följer ofta med när text klistras in). Det är borttaget: läs igenom fältet."
            )
        )
    # a browser's maxlength counts a line break as one character, as `value` now does (but a password)
    if len(value) - value.count("\r\n") <= limit:
        return problems
    if on_the_form:
        return [*problems, Text("För långt: högst {limit} tecken. Korta texten.", limit=shown)]
    return [
        Text(
            "Fältet ”{label}” är för långt: högst {limit} tecken. Inget sparades; gå tillbaka och korta texten.",
            label=label,
            limit=shown,
        )
    ]


class Outcomes:
    """What forms did, each under a random key, for the session that sent it and the page it leads
    to (another page of the console with the key in its address shows nothing); thread-safe."""

    def __init__(
        self, clock: Callable[[], float] = time.monotonic, limit: int = MAX_OUTCOMES, each: int = OUTCOMES_A_SESSION
    ) -> None:
        self.clock = clock
        self.limit, self.each = limit, each  # kept in all; kept of one `who`
        # (owner, page, key) -> (when, values, whose: the member of staff it counts for)
        self._kept: OrderedDict[tuple[str, str, str], tuple[float, dict[str, Any], str]] = OrderedDict()
        self._lock = threading.Lock()

    def keep(self, owner: str, page: str, values: dict[str, Any], who: str = "") -> str:
        """Keep `values` under a new key; the expired and (past MAX_OUTCOMES) the oldest go, and
        past OUTCOMES_A_SESSION those of `who` (the member of staff, over all their logins; else
        the owner) their own oldest: one session sending refused drafts in a loop held 112 MB and
        pushed every other session's outcomes out, and fifty logins of one name did the same."""
        key = secrets.token_urlsafe(12)
        whose = who or owner
        with self._lock:
            now = self.clock()
            self._kept[(owner, page, key)] = (now, values, whose)
            own = [k for k, kept in self._kept.items() if kept[2] == whose]
            for old in own[: max(0, len(own) - self.each)]:
                del self._kept[old]
            while len(self._kept) > self.limit or now - next(iter(self._kept.values()))[0] > OUTCOME_SECONDS:
                self._kept.popitem(last=False)  # kept in the order they came: the oldest first
        return key

    def __len__(self) -> int:
        with self._lock:
            return len(self._kept)

    def get(self, owner: str, page: str, key: str) -> dict[str, Any]:
        """The outcome kept under `key` for `owner` and `page`; empty when unknown, another's,
        another page's, or too old."""
        with self._lock:
            kept = self._kept.get((owner, page, key))
            if kept is None or self.clock() - kept[0] > OUTCOME_SECONDS:
                return {}
            return kept[1]


def templates() -> Environment:
    return Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


@dataclass
class Console:
    """What every route needs: the library side, the accounts, the login throttle, the budget of
    changes a minute (per member of staff), the templates."""

    desk: Desk
    store: StaffStore
    throttle: Throttle = field(default_factory=Throttle)
    writes: RateLimiter = field(default_factory=RateLimiter)
    outcomes: Outcomes = field(default_factory=Outcomes)
    typed: Outcomes = field(default_factory=lambda: Outcomes(limit=TYPED_KEPT, each=TYPED_A_NETWORK))
    env: Environment = field(default_factory=templates)

    def render(self, request: Request, name: str, status: int = 200, **values: Any) -> HTMLResponse | RedirectResponse:
        session = values.pop("session", None)
        kept = self.kept_draft(request, session) if name in DRAFT_PAGES else None
        if kept is not None:  # the language switch on a refused or tried draft: that page again
            name, status, values = kept
        language = language_of(request.cookies)
        query = request.url.query
        # where the language switch returns: this address (a form's outcome too: it is a GET, Console.done)
        here = request.url.path + (f"?{query}" if query else "")
        if len(here) > MAX_PAGE:  # a made-up address of 60,000 characters was echoed whole into the page
            here = request.url.path if len(request.url.path) <= MAX_PAGE else "/"
        keep = values.pop("keep_typed", False)  # typed before a login: kept as a refused draft is
        if (request.method == "POST" or keep) and name in DRAFT_PAGES and session is not None:
            # an entry's form sent back with its draft (refused, or tried): kept, and shown by a GET
            # of its page (post, redirect, get), so that the browser's Back and the language switch
            # show the draft again instead of asking to send the form once more
            form = form_page(request.url.path)
            key = self.outcomes.keep(session.token_hash, form, {KEPT_DRAFT: (name, status, values)}, session.user)
            return RedirectResponse(f"{form}?{OUTCOME_KEY}={key}", status_code=303)
        page = self.env.get_template(name).render(
            nav=NAV,
            path=request.url.path,
            here=here,
            lang=language,
            t=phrasebook(language),
            user=session.user if session else "",
            csrf=session.csrf if session else "",
            limit=lambda field: FIELD_LIMITS.get(field, DEFAULT_LIMIT),
            kept_key=request.query_params.get(OUTCOME_KEY, "")[:40] if name in DRAFT_PAGES else "",
            labels=FIELD_LABELS,
            spoken=spoken,
            full_stop=full_stop,
            clock=clock,
            detect=detect_language,
            shown_change=shown_change,
            **values,
        )
        return HTMLResponse(page, status_code=status)

    def moved(self, before: Policy) -> dict[str, Policy]:
        """The decision before a write and after it, for the outcome's page to say when it moved
        (under `threshold: auto` every write recalibrates; templates/policy.html)."""
        return {"policy_before": before, "policy_after": self.desk.bot.policy}

    def done(self, session: Session, page: str, **outcome: Any) -> RedirectResponse:
        """After a form did its work: to `page` (a local path, with the page's own query if any,
        such as which page of a list), which shows `outcome`."""
        path, _, query = page.partition("?")
        key = self.outcomes.keep(session.token_hash, path, outcome, session.user)
        return RedirectResponse(f"{path}?{OUTCOME_KEY}={key}" + (f"&{query}" if query else ""), status_code=303)

    def outcome(self, request: Request, session: Session) -> dict[str, Any]:
        """What the form before this page did, when the address names it (`Console.done`); else empty."""
        key = request.query_params.get(OUTCOME_KEY, "")[:40]
        kept = self.outcomes.get(session.token_hash, request.url.path, key) if key else {}
        return {} if KEPT_DRAFT in kept else kept

    def kept_draft(self, request: Request, session: Session | None) -> tuple[str, int, dict[str, Any]] | None:
        """The draft page the address names (`render` keeps one for the language switch), for its session alone."""
        if request.method != "GET":
            return None
        return self.kept_page(request, session, request.url.path).get(KEPT_DRAFT)

    def kept_page(self, request: Request, session: Session | None, page: str) -> dict[str, Any]:
        """What the address's key (`?utfall=`) names for `page` and this session: a form's outcome,
        or a draft page (under KEPT_DRAFT); empty when nothing."""
        key = request.query_params.get(OUTCOME_KEY, "")[:40]
        return self.outcomes.get(session.token_hash, page, key) if session is not None and key else {}

    async def to_login_keeping(self, request: Request) -> Response:
        """`to_login` for an entry's form sent after its session ended, keeping what was typed for
        the page after the login, for the member of staff whose session it was (`typed_before_login`):
        the form is read within its bounds and from this site only, as any form is, and its CSRF
        token must be that of a session that ended (`StaffStore.ended_user`): another site cannot
        know one, so it cannot plant text in a member of staff's form as their own unsaved draft
        (found by a red-team helper: another site's 307 redirect re-posts without the Strict
        session cookie; and with a cookie set from another port of the same host)."""
        fields = await self.form(request, None, typed=True)  # a field too long is kept whole, to be shortened
        user = self.store.ended_user(fields.get("csrf", ""))
        if user is None:
            return to_login(request)  # nothing kept, as before: the login page says so
        return self.keep_typed(request, fields, user, to_login(request))

    def keep_typed(self, request: Request, fields: dict[str, str], user: str, response: Response) -> Response:
        """`response`, with the entry form's `fields` kept for `user` on its page under the browser's
        cookie, which names up to TYPED_A_BROWSER such drafts, one a page (two tabs' forms: both kept)."""
        owner, keys = typed_cookie(request)
        page = local_path(form_page(request.url.path))
        draft: dict[str, Any] = {name: fields.get(name, "") for name in ENDED_DRAFT_FIELDS}
        # too long, a control character taken out: said after the login
        draft["problems"] = getattr(fields, "problems", {})
        kept = {ENDED_DRAFT: draft, "user": user}
        keys = [key for key in keys if not self.typed.get(owner, page, key)]  # one a page
        network = client_network(request.client.host) if request.client else ""
        keys.append(self.typed.keep(owner, page, kept, network or "?"))
        set_typed_cookie(response, request, owner, keys[-TYPED_A_BROWSER:])
        return response

    def typed_before_login(
        self, request: Request, page: str, user: str | None = None
    ) -> tuple[str, dict[str, Any]] | None:
        """What this browser typed into the form of `page` when its session had ended
        (`to_login_keeping`: the fields, and under "problems" what could not be kept as typed),
        with its key in the browser's cookie; None when nothing, or when `user` is given and the
        session was another member of staff's."""
        owner, keys = typed_cookie(request)
        for key in reversed(keys):  # the newest first
            kept = self.typed.get(owner, page, key)
            if ENDED_DRAFT in kept and (user is None or kept["user"] == user):
                return key, kept[ENDED_DRAFT]
        return None

    def typed_lost(self, request: Request) -> bool:
        """Whether the login page promised what was typed into this page's form (`?utkast=1`, its
        address after the login) and this browser has it kept for no one now: the console restarted,
        or ten minutes passed. Kept for a colleague who logs in later in this browser, it is not lost."""
        promised = request.query_params.get(PROMISED) == "1"
        return promised and self.typed_before_login(request, request.url.path) is None

    def session_of(self, request: Request) -> Session | None:
        return self.store.session(request.cookies.get(COOKIE, ""))

    async def form(
        self, request: Request, session: Session | None, writing: bool = True, typed: bool = False
    ) -> Fields:
        """The posted form, each field within its bound; checks the origin and the CSRF token, and
        for a form that changes something (`writing`) spends one of its sender's changes a minute.
        An entry's form (`typed`) from an earlier session of the member of staff now logged in
        (they logged in again in another tab) is kept for its page, as after a login (`Kept`):
        it was refused, and the text typed was lost (found by a red-team helper). A field of an
        entry's form that is too long or holds a control character is not refused either but
        named in `Fields.problems`, for the form to be shown again with it: the refusal's page
        said "go back", and Back showed the form empty (autocomplete=off), the text typed lost."""
        same_origin(request)
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/x-www-form-urlencoded":
            raise Refused(415, Text("Formuläret skickades i ett format som konsolen inte tar emot."))
        body = (await request.body()).decode("utf-8", "replace")
        try:
            pairs = parse_qsl(body, keep_blank_values=True, max_num_fields=MAX_FIELDS)
        except ValueError:
            raise Refused(400, Text("Formuläret har för många fält.")) from None
        fields = Fields()
        for name, value in pairs:
            if name != "password":
                # A browser sends a textarea's line breaks as CR LF; a lone CR (no browser sends one) is
                # a line break too, to YAML: written into an answer's block it started keys of its own.
                # So is NEL (U+0085, from some word processors): taken out, it ran two words together.
                value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\x85", "\n")
            on_the_form = typed and name in TYPED_FIELDS
            problems = why_unsaved(name, value, on_the_form)
            if problems and not on_the_form:
                raise Refused(400, problems[0])
            if problems:  # the form again, saying so beside the field, with what can be kept of it
                fields.problems.setdefault(name, []).extend(problems)
                value = CONTROL.sub("", value)
            fields.setdefault(name, value)
        if session is not None and not same_token(session.csrf, fields.get("csrf")):
            if typed and self.store.ended_user(fields.get("csrf", "")) == session.user:
                back = RedirectResponse(local_path(form_page(request.url.path)), status_code=303)
                raise Kept(self.keep_typed(request, fields, session.user, back))
            raise Refused(403, Text(STALE_FORM))  # a page of an earlier session, or forged
        if session is not None and writing:
            self.spend_write(session.user)
        return fields

    def spend_write(self, user: str) -> None:
        """One change by `user`, or Refused (429) past WRITES_PER_MINUTE, saying how long to wait."""
        if self.writes.allow(user, WRITES_PER_MINUTE):
            return
        seconds = max(1, math.ceil(self.writes.retry_after(user)))
        if seconds == 1:
            message = Text(
                "För många ändringar på kort tid. Inget gjordes; vänta {seconds} sekund, gå tillbaka och skicka igen.",
                seconds=seconds,
            )
        else:
            message = Text(
                "För många ändringar på kort tid. Inget gjordes; vänta {seconds} sekunder, gå tillbaka och skicka igen.",
                seconds=seconds,
            )
        raise Refused(429, message, {"retry-after": str(seconds)})


def to_login(request: Request | None = None) -> RedirectResponse:
    """The login page, for a page or form of the console asked for without a session (it ended
    after 30 minutes idle, or with a logout in another tab): with that page to return to after
    the login (`sida`), and for a form, word that nothing was saved (`utloggad`). A walk-through's
    answer, typed into a form whose session had ended, went to a bare login page and then to the
    overview, with not a word."""
    if request is None:
        return RedirectResponse("/login", status_code=303)
    if request.method == "POST":
        page = local_path(form_page(request.url.path))
    else:  # with its query: a question to try, a search, a page of the list (a walk-through lost them)
        page = local_path(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
    query = {"sida": page} if page != "/" else {}  # the overview: where a login leads anyway
    if request.method == "POST":
        query["utloggad"] = "1"
    return RedirectResponse("/login" + (f"?{urlencode(query)}" if query else ""), status_code=303)


def typed_cookie(request: Request) -> tuple[str, list[str]]:
    """The browser's id for its kept drafts and their keys (`Console.to_login_keeping`); a new id
    when it has none, or a made-up one."""
    owner, *keys = request.cookies.get(ENDED_DRAFT_COOKIE, "")[:200].split(".")
    if not TYPED_PART.fullmatch(owner) or not all(TYPED_PART.fullmatch(key) for key in keys):
        return secrets.token_urlsafe(16), []
    return owner, keys[:TYPED_A_BROWSER]


def forget_typed(response: Response, request: Request, key: str) -> Response:
    """`response`, with the kept draft `key` taken out of the browser's cookie: it is shown once
    this way; the page it leads to keeps it for the session (reload, the language switch)."""
    owner, keys = typed_cookie(request)
    set_typed_cookie(response, request, owner, [k for k in keys if k != key])
    return response


def set_typed_cookie(response: Response, request: Request, owner: str, keys: list[str]) -> None:
    if not keys:
        response.delete_cookie(ENDED_DRAFT_COOKIE, path="/")
        return
    value = ".".join([owner, *keys])
    age = int(OUTCOME_SECONDS)
    response.set_cookie(
        ENDED_DRAFT_COOKIE, value, age, httponly=True, samesite="strict", secure=secure(request), path="/"
    )


def same_origin(request: Request) -> None:
    """A form posted from another site is refused (besides SameSite cookies and the CSRF token)."""
    origin = request.headers.get("origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.headers.get("host", ""):
        raise Refused(403, Text("Formuläret skickades från en annan webbplats."))


def secure(request: Request) -> bool:
    """Served over TLS, directly or (X-Forwarded-Proto from a trusted proxy, as uvicorn reads it) behind one."""
    return request.url.scheme == "https"


def static(name: str) -> Response:
    """One of the console's own files, by name from a fixed list: no path reaches the disk."""
    found = STATIC.get(name)
    if found is None:
        return Response("Finns inte.", status_code=404, media_type="text/plain")
    kind, data = found
    return Response(data, media_type=kind, headers={"cache-control": "no-store"})


# A form whose CSRF token is not its session's: in words staff know (it said "säkerhetskod
# (CSRF)"; a walk-through's staff had logged in again in another tab).
STALE_FORM = "Formuläret kom från en sida som öppnades före din senaste inloggning, så inget gjordes. Öppna sidan på nytt och gör om det du skickade."

MESSAGES = [
    (re.compile(r"is empty$"), "Fältet får inte vara tomt."),
    (
        re.compile(r"entry '(?P<entry>[^']*)': question '(?P<text>.*)' is already in entry '(?P<other>[^']*)'"),
        "Frågan ”{text}” finns redan i posten ”{where}”. Skriv den bara på ett ställe.",
    ),
    (re.compile(r"must be text"), "Fältet måste vara text."),
]


def swedish(message: str, editing: str = "", questions: Mapping[str, str] | None = None) -> Text:
    """A check's message as staff read it next to the field of entry `editing` (the check's own
    words when unknown). A duplicate names the other entry, whichever of the two came first, by
    its question in `questions` (entry id -> question; by its id when not there)."""
    for pattern, text in MESSAGES:  # what a field's own message says better, next to the field
        found = pattern.search(message)
        if found:
            named = found.groupdict()
            where = named.get("entry") if named.get("other") == editing else named.get("other")
            return Text(text, where=(questions or {}).get(where or "", where), **named)
    explained = in_swedish(message)  # a check's message in Swedish (faqbot.faq.messages)
    if explained is not None:
        return Bilingual(explained, message)  # in English, the check's own words
    return Text("Kontrollen av FAQ-filen säger: {message}", message=message)


def readable_entries(console: Console) -> list:
    """The FAQ's entries, or none while the file does not read (entries are then named by id)."""
    try:
        return console.desk.entries()[0]
    except FaqbotError:
        return []


def entry_questions(console: Console) -> dict[str, str]:
    """Each entry's question by its id, to name entries in messages (by id while the file does not read)."""
    return {e.id: e.question for e in readable_entries(console)}


def set_language(response: Response, request: Request, chosen: str) -> Response:
    """`response`, choosing the console's language `chosen` for this browser (when it is one)."""
    if chosen in LANGUAGES:
        response.set_cookie(LANGUAGE_COOKIE, chosen, httponly=True, samesite="lax", secure=secure(request), path="/")
    return response
