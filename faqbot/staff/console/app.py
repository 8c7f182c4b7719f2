"""The staff console (`faqbot staff`): server-rendered pages on their own port, behind a login.

    app = create_console(Desk(settings), StaffStore(settings.log_location))
    serve_console(settings, port=7861)         # http://127.0.0.1:7861/

Routes (every page but /login and the stylesheet needs a session; every POST its CSRF token;
a POST that did its work redirects to the page showing what it did, Console.done):

    GET  /login, POST /login, POST /logout
    GET  /sprak?till=en&sida=/fragor   the language switch (Swedish or English), on every page
    GET  /                     Översikt: today and this week, the index, the chat's problems
    GET  /granska, POST /granska      Att granska: accept (one, or all shown), reject, assign (faqbot.staff.teach)
    GET  /fragor, GET|POST /fragor/{id}   Frågor och svar: list, search, edit an entry
    POST /fragor/{id}/formulering   remove a customers' phrasing (`learned:`) from the entry;
                               it is then rejected for that entry, never proposed again
    GET  /prova?fraga=...[&foregaende=...]   Prova boten: the reply, the top five and why (a follow-up too)
    GET  /utvardering, POST /utvardering/kor|lagg-till   Utvärdering (faqbot.staff.console.evaluation_routes)
    GET  /historik, GET /historik/{id}, POST /historik/{id}/aterstall   versions of the FAQ file
                               (faqbot.staff.console.history_pages)
    POST /fragor/{id}/prova, GET|POST /ny-fraga   try a draft entry; a new entry, from a helpdesk
                               group too (faqbot.staff.console.draft_pages)
    GET  /static/console.css   the one stylesheet; nothing is fetched from other hosts
"""

from __future__ import annotations

import math
import re
import secrets
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from faqbot.bot import MAX_MESSAGE_CHARS
from faqbot.decision.policy import SUGGESTION_COUNT, SUGGESTION_FLOOR, SUGGESTION_SPREAD
from faqbot.errors import DataError, FaqbotError
from faqbot.faq.messages import in_swedish
from faqbot.faq.update import FIELDS, FileChangedError, cleaned, entry_values
from faqbot.language import detect_language
from faqbot.staff import learn, teach
from faqbot.staff.console.accounts import Session
from faqbot.staff.console.auth import (
    COOKIE,
    LOGIN_COOKIE,
    BodyLimit,
    KnownHost,
    SecurityHeaders,
    known_hosts,
    login_keys,
    same_token,
)
from faqbot.staff.console.draft_pages import add_draft_routes, entry_id, entry_page, new_page
from faqbot.staff.console.evaluation_routes import add_evaluation_routes
from faqbot.staff.console.evaluations import Evaluations
from faqbot.staff.console.health import health
from faqbot.staff.console.history_pages import add_history_routes
from faqbot.staff.console.language import Bilingual, Text, language_of, local, local_path
from faqbot.staff.console.service import Desk, Drawn, Progress, StaleError, explained_lines, holds_words
from faqbot.staff.console.web import (
    PROMISED,
    Console,
    Kept,
    Refused,
    entry_questions,
    forget_typed,
    form_page,
    readable_entries,
    secure,
    set_language,
    static,
    swedish,
    to_login,
)
from faqbot.staff.report import GROUP_CHARS

LOGIN_FAILED = Text("Fel användarnamn eller lösenord.")
LOGGED_OUT = Text("Du hade loggats ut, så det du skickade gjordes inte: inget sparades. Logga in och gör om det.")
KEPT_FOR_LOGIN = Text("Du hade loggats ut, så det du skrev är inte sparat. Logga in, så står det kvar i formuläret.")
# the login page after "Logga ut": a word that it was done (`?ut=1`; nothing else is read from it)
SIGNED_OFF, SIGNED_OFF_FIELD = Text("Du är utloggad."), "ut"
NOT_HERE = {404: Text("Sidan finns inte."), 405: Text("Sidan tar inte emot det som skickades.")}


def create_console(console: Console, listening_on: str = "127.0.0.1") -> FastAPI:
    """The console's app; it answers under the host names `known_hosts` gives for `listening_on`
    (the address served on) and the `staff_host` setting."""
    # no redirect from /path/ to /path: Starlette builds it from the Host header, another site's if forged
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None, redirect_slashes=False)
    add_login_routes(app, console)
    add_language_route(app)
    add_review_routes(app, console)
    add_entry_routes(app, console)
    add_learned_routes(app, console)
    add_off_topic_routes(app, console)
    add_evaluation_routes(app, console, Evaluations(console.desk.settings, console.desk.bot))
    add_history_routes(app, console)
    add_draft_routes(app, console)

    @app.exception_handler(Refused)
    async def refused(request: Request, err: Refused) -> Response:
        page = message_page(console, request, err.status, Text("Det gick inte"), err.message)
        page.headers.update(err.headers)
        return page

    @app.exception_handler(Kept)
    async def kept(request: Request, err: Kept) -> Response:
        return err.response

    @app.exception_handler(DataError)
    async def faq_broken(request: Request, err: DataError) -> Response:
        message = Text(
            "FAQ-filen har ett fel som måste rättas innan den kan ändras här: {err}", err=explained_lines(err)
        )
        return message_page(console, request, 409, Text("FAQ-filen behöver rättas"), message)

    @app.exception_handler(StarletteHTTPException)
    async def not_here(request: Request, err: StarletteHTTPException) -> Response:
        if err.status_code == 405 and request.method == "GET":
            # a form's address (POST only) opened again: a reload from the address bar, the language switch
            page = local_path(request.url.path.rstrip("/").rsplit("/", 1)[0] or "/")  # never another site
            return RedirectResponse(page, status_code=303)
        message = NOT_HERE.get(err.status_code, Text("Det gick inte att göra det."))
        return message_page(console, request, err.status_code, Text("Det gick inte"), message)

    @app.get("/static/{name}")
    def stylesheet(name: str) -> Response:
        return static(name)

    app.add_middleware(BodyLimit)
    app.add_middleware(KnownHost, names=known_hosts(listening_on, console.desk.settings.config.staff_host))
    app.add_middleware(SecurityHeaders)
    return app


def message_page(console: Console, request: Request, status: int, title: str, message: str) -> Response:
    """A refusal in words, with the menu when logged in and, for a refused form, a link to its page."""
    back = ""
    if request.method == "POST":
        back = local_path(form_page(request.url.path))
        if status == 404:  # the entry or version is not there: its list
            back = local_path("/" + back.strip("/").split("/")[0])
    session = console.session_of(request)
    return console.render(request, "message.html", status, title=title, message=message, session=session, back=back)


def add_language_route(app: FastAPI) -> None:
    @app.get("/sprak")
    def switch_language(request: Request) -> Response:
        """The switch on every page: the language for this browser session, then back to the page."""
        back = RedirectResponse(local_path(request.query_params.get("sida", "/")), status_code=303)
        return set_language(back, request, request.query_params.get("till", ""))


def add_login_routes(app: FastAPI, console: Console) -> None:
    @app.get("/login")
    def login_form(request: Request) -> Response:
        if console.session_of(request) is not None:
            return RedirectResponse(local_path(request.query_params.get("sida", "/")), status_code=303)
        error, after, note = why_logged_out(console, request)
        return login_page(console, request, error, after=after, note=note)

    @app.post("/login")
    async def log_in(request: Request) -> Response:
        fields = await console.form(request, None)
        after = fields.get("sida", "")
        if not same_token(request.cookies.get(LOGIN_COOKIE, ""), fields.get("csrf")):
            return login_page(console, request, Text("Sidan var för gammal. Försök igen."), 403, after=after)
        name, password = fields.get("username", "").strip(), fields.get("password", "")
        keys = login_keys(name, request.client.host if request.client else "?")
        wait = console.throttle.begin(*keys)
        if wait.seconds > 0:
            return too_many_tries(console, request, math.ceil(wait.seconds), name, wait.busy, after)
        try:
            session = await run_in_threadpool(console.store.log_in, name, password)
            if session is None:
                console.throttle.failed(*keys)
                return login_page(console, request, LOGIN_FAILED, 401, username=name, after=after)
            console.throttle.succeeded(keys[0])
        finally:
            console.throttle.end(*keys)
        old = console.session_of(request)
        if old is not None:
            console.store.log_out(old.token_hash)
        await run_in_threadpool(console.store.forget_expired)  # sessions left to expire are not kept forever
        response = RedirectResponse(local_path(after or "/"), status_code=303)
        response.set_cookie(COOKIE, session.token, httponly=True, samesite="strict", secure=secure(request), path="/")
        response.delete_cookie(LOGIN_COOKIE, path="/login")
        return response

    @app.post("/logout")
    async def log_out(request: Request) -> Response:
        session = console.session_of(request)
        if session is None:
            return to_login()  # logged out already: nothing was left undone
        await console.form(request, session, writing=False)
        console.store.log_out(session.token_hash)
        # logged out on purpose: the login page says so (a walk-through landed on a bare one, unsure)
        response = RedirectResponse(f"/login?{SIGNED_OFF_FIELD}=1", status_code=303)
        response.delete_cookie(COOKIE, path="/")
        return response

    @app.get("/")
    def overview(request: Request) -> Response:
        session = console.session_of(request)
        if session is None:
            return to_login(request)
        shown = console.desk.overview()
        kept = health(console.desk, language=language_of(request.cookies))
        return console.render(request, "overview.html", title=Text("Översikt"), session=session, o=shown, health=kept)


def too_many_tries(
    console: Console, request: Request, seconds: int, username: str, busy: bool = False, after: str = ""
) -> Response:
    """The login form refusing a try during its throttle wait, saying how long the wait is."""
    if busy:
        message = Text("Ett annat inloggningsförsök kontrolleras just nu. Vänta en sekund och försök igen.")
    elif seconds == 1:
        message = Text("För många misslyckade inloggningar. Vänta {seconds} sekund och försök igen.", seconds=seconds)
    else:
        message = Text("För många misslyckade inloggningar. Vänta {seconds} sekunder och försök igen.", seconds=seconds)
    page = login_page(console, request, message, 429, username=username, after=after)
    page.headers["retry-after"] = str(seconds)
    return page


def why_logged_out(console: Console, request: Request) -> tuple[str, str, str]:
    """`login_page`'s error, page to go on to and note, from the login page's address:
    a form sent after its session ended (`utloggad`, with what was typed kept for after the login
    or not), or "Logga ut" (`ut`)."""
    ended = request.query_params.get("utloggad") == "1"
    after = request.query_params.get("sida", "")
    kept = ended and console.typed_before_login(request, local_path(after).partition("?")[0]) is not None
    if kept:  # the form's page, told that a draft was promised: if it is gone by then, it says so
        after = f"{local_path(after).partition('?')[0]}?{PROMISED}=1"
    error = KEPT_FOR_LOGIN if kept else LOGGED_OUT if ended else ""
    note = SIGNED_OFF if not error and request.query_params.get(SIGNED_OFF_FIELD) == "1" else ""
    return error, after, note


def login_page(
    console: Console,
    request: Request,
    error: str = "",
    status: int = 200,
    username: str = "",
    after: str = "",
    note: str = "",
) -> Response:
    """The login form; `after`: the page of the console it leads to (`sida`: from the address of a
    page asked for without a session, then through each try of the form); `note`: what was done
    (a logout), said as a status, not an error."""
    token = secrets.token_urlsafe(32)
    page = console.render(
        request,
        "login.html",
        status,
        title=Text("Logga in"),
        login_csrf=token,
        error=error,
        note=note,
        username=username,
        after=local_path(after) if after else "",
    )
    page.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="strict", secure=secure(request), path="/login")
    return page


def add_review_routes(app: FastAPI, console: Console) -> None:
    @app.get("/granska")
    async def review(request: Request) -> Response:
        session = console.session_of(request)
        if session is None:
            return to_login(request)
        return await review_page(console, request, session, **console.outcome(request, session))

    @app.post("/granska")
    async def decide(request: Request) -> Response:
        session = console.session_of(request)
        if session is None:
            return to_login(request)
        fields = await console.form(request, session)
        decision = checked_decision(fields, session.user)
        policy_before = console.desk.bot.policy
        try:
            taught = await run_in_threadpool(decision, console.desk)
        except StaleError as err:
            return await review_page(console, request, session, error=err.text, status=409)
        except FaqbotError as err:
            return await review_page(console, request, session, error=str(err), status=400)
        # the form's address names the page of groups it was on: back to that page
        other_subject = fields.get(REASON) == OTHER_SUBJECT
        return console.done(
            session, review_address(request), taught=taught, other_subject=other_subject, **console.moved(policy_before)
        )

    @app.get("/prova")
    async def try_bot(request: Request) -> Response:
        session = console.session_of(request)
        if session is None:
            return to_login(request)
        # the chat's own limit (a walk-through could not try a long message a customer sent); a longer
        # one is refused in words, as the API refuses it, rather than tried cut
        question = request.query_params.get("fraga", "")
        previous = request.query_params.get("foregaende", "")
        too_long = max(len(question), len(previous)) > MAX_MESSAGE_CHARS
        question, previous = question[:MAX_MESSAGE_CHARS], previous[:MAX_MESSAGE_CHARS]
        tried = None
        if question.strip() and not too_long:
            tried = await run_in_threadpool(console.desk.try_question, question, previous)
        error = Text(
            "Frågan är längre än chattens gräns på {count} tecken. Korta den och försök igen.", count=MAX_MESSAGE_CHARS
        )
        return console.render(
            request,
            "try.html",
            400 if too_long else 200,
            title=Text("Prova boten"),
            session=session,
            question=question,
            previous=previous,
            tried=tried,
            error=error if too_long else "",
            limit_chars=MAX_MESSAGE_CHARS,
            suggestion_count=SUGGESTION_COUNT,
            suggestion_floor=SUGGESTION_FLOOR,
            suggestion_spread=SUGGESTION_SPREAD,
        )


def checked_decision(fields: dict[str, str], who: str) -> Callable[[Desk], teach.Taught]:
    """The review form's decision, within its bounds (Refused when not), for a Desk to carry out."""
    action = fields.get("action", "")
    if action not in ("accept", "reject", "assign", ACCEPT_SHOWN, REJECT_SHOWN, REJECT_MARKED, REJECT_QUESTION):
        raise Refused(400, Text("Okänd åtgärd."))
    ids = fields.get("ids", "").split()
    if len(ids) > MAX_ACCEPTED_AT_ONCE:
        raise Refused(400, Text("För många förslag på en gång."))
    marked = [name[3:] for name in fields if name.startswith("id-")]
    if action == REJECT_MARKED and not marked:
        raise Refused(400, Text("Markera minst en grupp att avvisa."))
    if len(marked) > MAX_MARKED:
        raise Refused(400, Text("Högst {count} grupper kan avvisas åt gången; inget avvisades.", count=MAX_MARKED))
    if action == ACCEPT_SHOWN:
        return lambda desk: desk.accept_shown(ids, who)
    if action == REJECT_SHOWN:
        if fields.get("sure") != "1":  # never proposed again, and no undo in the console: said twice
            raise Refused(400, Text("Kryssa i rutan för att avvisa alla som visas; inget avvisades."))
        return lambda desk: desk.reject_shown(ids, who)
    if action == REJECT_MARKED:
        return lambda desk: desk.reject_marked(marked, who)
    if action == REJECT_QUESTION:
        off_topic = fields.get(REASON) == OTHER_SUBJECT
        return lambda desk: desk.reject_question(fields.get("reply_id", ""), who, off_topic)
    chosen = (fields.get("id", ""), fields.get("reply_id", ""), fields.get("faq_id", ""))
    off_topic = fields.get(REASON) == OTHER_SUBJECT
    return lambda desk: desk.decide(action, *chosen, who, off_topic=off_topic)


def group_page(request: Request) -> int:
    """The page of helpdesk groups the address asks for (`?sida=N`, from 1); 1 when it names none or nonsense."""
    number = request.query_params.get(GROUP_PAGE, "1")
    return max(1, int(number)) if PAGE_NUMBER.fullmatch(number) else 1  # not str.isdigit: "²" is a digit


def review_address(request: Request, page: int | None = None) -> str:
    """The review page's address, on the page of helpdesk groups `page` (else the one `request` asks for)."""
    page = group_page(request) if page is None else page
    return f"/granska?{GROUP_PAGE}={page}" if page > 1 else "/granska"


async def review_page(console: Console, request: Request, session, status: int = 200, **values) -> Response:
    lesson = await run_in_threadpool(console.desk.review_within, READY_SECONDS)
    if isinstance(lesson, Drawn):  # an earlier list, while the one as the log reads now is drawn (or rests)
        values |= {"drawn_at": local(lesson.at, seconds=True), "progress": console.desk.progress}
        if lesson.rests():  # review_within compared its state: the log's decisions are not read again
            values |= {"drawn_seconds": round(lesson.seconds), "drawn_again": local(lesson.ready_at())}
        lesson = lesson.lesson
    if isinstance(lesson, Progress):
        return console.render(
            request,
            "review_preparing.html",
            status,
            title=Text("Att granska"),
            session=session,
            progress=lesson,
            again=review_address(request),
            entries=readable_entries(console),  # the outcome above names entries by their questions
            **values,
        )
    entries, _ = console.desk.entries()
    groups = [s for s in lesson.suggestions if s.action == learn.NEW_ENTRY]
    pages = max(1, math.ceil(len(groups) / GROUPS_LISTED))
    page = min(group_page(request), pages)  # past the end (groups handled meanwhile): the last page
    return console.render(
        request,
        "review.html",
        status,
        title=Text("Att granska"),
        session=session,
        lesson=lesson,
        entries=entries,
        max_listed=MAX_LISTED,
        max_marked=MAX_MARKED,
        reason_other=OTHER_SUBJECT,
        groups=groups,
        group_pages=pages,
        group_page=page,
        groups_shown=groups[(page - 1) * GROUPS_LISTED : page * GROUPS_LISTED],
        groups_before=(page - 1) * GROUPS_LISTED,
        review_action=review_address(request, page),
        page_address=lambda number: review_address(request, number),
        **values,
    )


# "Godkänn alla": the confirmed phrasings the review page showed, their ids in one field (`ids`)
ACCEPT_SHOWN = "accept_shown"
MAX_ACCEPTED_AT_ONCE = 1000
# "Avvisa alla": the same, rejected (a flood of made-up phrasings is cleared a page at a time),
# with a ticked box `sure`: a rejection is for good
REJECT_SHOWN = "reject_shown"
# confirmed phrasings on the review page: a page staff can read (and one client's flood of
# made-up phrasings cannot make it megabytes); the rest come as these are decided
MAX_LISTED = 100
# "Avvisa markerade grupper": the helpdesk groups staff ticked, a field `id-<group id>` each
# (the form's bound on fields, faqbot.staff.console.web.MAX_FIELDS, keeps it to MAX_MARKED at once)
REJECT_MARKED = "reject_marked"
MAX_MARKED = 30
# one question of a helpdesk group (its `reply_id`), where the grouping put unlike questions together
REJECT_QUESTION = "reject_question"
# why a question answered wrong is rejected (the field `skal`), for the outcome to say so: it is
# about something the FAQ does not cover ("Handlar om annat"), rather than its answer was right
REASON, OTHER_SUBJECT = "skal", "annat"
# helpdesk groups a page of the review shows (`?sida=N` for the next ones): each group holds up to
# eight forms with a list of every entry, and a flood of made-up questions made hundreds of
# groups, one page of 930 KB with 383 groups
GROUPS_LISTED = 20
GROUP_PAGE = "sida"
PAGE_NUMBER = re.compile(r"[0-9]{1,6}")
# how long the review page waits for its suggestions before it says how far they are instead
READY_SECONDS = 10.0


OFF_TOPIC_PAGE = "/om-annat"  # where staff take a question off the FAQ's off_topic: list


def entries_page(console: Console, request: Request, session, query: str) -> Response:
    """Frågor och svar: the entries (those `query` finds), and the questions staff marked as about something else."""
    try:
        entries, _ = console.desk.entries(query)
    except DataError:
        raise  # `faq_broken`: the file needs fixing, as an entry's page says
    except FaqbotError as err:
        raise Refused(500, Text("FAQ-filen kan inte läsas: {err}", err=str(err))) from None
    return console.render(
        request,
        "entries.html",
        title=Text("Frågor och svar"),
        session=session,
        entries=entries,
        query=query,
        off_topic=[(q, detect_language(q[:GROUP_CHARS])) for q in console.desk.off_topic() if holds_words(q, query)],
        **console.outcome(request, session),
    )


def add_entry_routes(app: FastAPI, console: Console) -> None:
    @app.get("/fragor")
    def entry_list(request: Request) -> Response:
        session = console.session_of(request)
        if session is None:
            return to_login(request)
        query = " ".join(request.query_params.get("sok", "")[:200].split())  # blank: every entry
        return entries_page(console, request, session, query)

    @app.get("/fragor/{faq_id}")
    def entry_form(request: Request, faq_id: str) -> Response:
        session = console.session_of(request)
        if session is None:
            return to_login(request)
        return entry_form_page(console, request, session, entry_id(faq_id))

    @app.post("/fragor/{faq_id}/ta-bort")
    async def entry_remove(request: Request, faq_id: str) -> Response:
        session = console.session_of(request)
        if session is None:
            return to_login(request)
        fields = await console.form(request, session)
        faq_id = entry_id(faq_id)
        return await removed_page(console, request, session, faq_id, fields)

    @app.post("/fragor/{faq_id}")
    async def entry_save(request: Request, faq_id: str) -> Response:
        session = console.session_of(request)
        if session is None:
            return await console.to_login_keeping(request)  # what was typed waits for the login
        fields = await console.form(request, session, typed=True)
        faq_id = entry_id(faq_id)
        values = {name: fields.get(name, "") for name in FIELDS}
        if fields.problems:  # too long, or a control character: the form again with the text, not a refusal
            return edit_page(
                console, request, session, faq_id, values, fields.get("hash", ""), 400, problems=fields.problems
            )
        before = console.desk.bot.policy
        try:
            result = await run_in_threadpool(console.desk.save, faq_id, values, fields.get("hash", ""), session.user)
        except FileChangedError:
            return conflict_page(console, request, session, faq_id, values, fields.get("hash", ""))
        problems: dict[str, list[str]] = {}
        questions = entry_questions(console) if result.problems else {}
        for name, message in result.problems:
            problems.setdefault(name, []).append(swedish(message, faq_id, questions))
        if problems:
            outcome = {"problems": problems, "result": result}
            return edit_page(console, request, session, faq_id, values, result.file_hash, 400, **outcome)
        shared = console.desk.shared_questions(faq_id) if result.changes else []
        kept = await run_in_threadpool(console.desk.kept_away, faq_id) if result.changes else []
        newly = await run_in_threadpool(console.desk.newly_answered, faq_id) if result.changes else []
        outcome = {"result": result, "shared": shared, "kept_away": kept, "newly": newly}
        return console.done(session, f"/fragor/{faq_id}", **outcome, **console.moved(before))


def add_off_topic_routes(app: FastAPI, console: Console) -> None:
    @app.post(OFF_TOPIC_PAGE)
    async def answer_again(request: Request) -> Response:
        """Take one question (the field `fraga`) off the FAQ's off_topic: list."""
        session = console.session_of(request)
        if session is None:
            return to_login(request)
        fields = await console.form(request, session)
        # back to the entry's page when it was taken off there ("Frågor om annat som posten når")
        back = entry_id(fields["post"]) if fields.get("post") else ""
        again = await run_in_threadpool(console.desk.answer_again, fields.get("fraga", ""), session.user)
        if again is None:
            raise Refused(409, Text("Frågan finns inte (längre) bland frågorna om annat."))
        listed, reply, reopened = again
        if back and console.desk.entry(back)[0] is None:  # removed meanwhile (a colleague, a restore): the list page
            back = ""
        outcome: dict[str, Any] = {"answered_again": listed, "answered_language": reply.language}
        if reply.resolved and reply.match:
            outcome["answered_with"] = (reply.match.faq_id, reply.match.faq_question)
        outcome["answered_reopened"] = bool(reopened)  # its customers' questions under Att granska again
        outcome["answered_aside"] = reply.set_aside  # another marked question still sends it to the helpdesk
        return console.done(session, f"/fragor/{back}" if back else "/fragor", **outcome)


def add_learned_routes(app: FastAPI, console: Console) -> None:
    @app.post("/fragor/{faq_id}/formulering")
    async def entry_unlearn(request: Request, faq_id: str) -> Response:
        """Remove one of the entry's phrasings from customers (the field `formulering`)."""
        session = console.session_of(request)
        if session is None:
            return to_login(request)
        fields = await console.form(request, session)
        faq_id = entry_id(faq_id)
        if console.desk.entry(faq_id)[0] is None:
            raise Refused(404, Text("Posten finns inte (längre) i FAQ-filen."))
        text = fields.get("formulering", "")
        before = console.desk.bot.policy
        removed = await run_in_threadpool(console.desk.unlearn, faq_id, text, session.user)
        if removed:
            return console.done(session, f"/fragor/{faq_id}", unlearned=text, removed=True, **console.moved(before))
        entry, digest = console.desk.entry(faq_id)
        values = entry_values(vars(entry)) if entry is not None else dict.fromkeys(FIELDS, "")
        return edit_page(console, request, session, faq_id, values, digest, 409, unlearned=text, removed=False)


def conflict_page(console: Console, request: Request, session, faq_id: str, values: dict, digest: str) -> Response:
    """The form again, refused: the entry changed under it. It lists the fields that read
    otherwise in the file now than in the draft and, when the version the form was opened on is
    kept, only those changed since (the draft's own changes are not news to its author); the
    draft stays in the form, to be saved over them once staff have seen them."""
    current, now_digest = console.desk.entry(faq_id)
    if current is None and console.desk.seen(faq_id, digest) is not None:
        # removed since the form was opened: the draft as a new entry, rather than lost (found by a walk-through)
        return new_page(console, request, session, values, "", 409, gone=faq_id)
    if current is None:
        raise Refused(404, Text("Posten finns inte (längre) i FAQ-filen."))
    now = entry_values(vars(current))
    seen = console.desk.seen(faq_id, digest)
    # a field the draft left as it was shows the file's text now, so that saving again keeps a
    # colleague's change to it (found by a walk-through: it wrote the old text back over theirs)
    taken = [
        name
        for name in FIELDS
        if seen is not None and cleaned(name, values[name]) == seen[name] and now[name] != seen[name]
    ]
    values = {**values, **{name: now[name] for name in taken}}
    differing = {
        name: text
        for name, text in now.items()
        if text != cleaned(name, values[name]) and (seen is None or text != seen[name])
    }
    # the form now carries the file's hash as it is: saved again, the draft (staff saw what changed) is written
    return edit_page(console, request, session, faq_id, values, now_digest, 409, conflict=differing, taken=taken)


async def removed_page(console: Console, request: Request, session, faq_id: str, fields: dict) -> Response:
    """ "Ta bort posten": the entry taken out of the FAQ, and the list of entries saying so; or its
    page again, saying why not (the box not ticked, changed meanwhile, the FAQ's only entry)."""
    entry, digest = console.desk.opened(faq_id)
    if entry is None:
        raise Refused(404, Text("Posten finns inte (längre) i FAQ-filen."))
    values = {name: entry_values(vars(entry))[name] for name in FIELDS}
    if not fields.get("sure"):
        why = Text("Kryssa i rutan för att ta bort posten; inget togs bort.")
        return edit_page(console, request, session, faq_id, values, digest, 400, remove_error=why)
    try:
        question = await run_in_threadpool(console.desk.remove, faq_id, fields.get("hash", ""), session.user)
    except FileChangedError:
        why = Text("Posten har ändrats sedan du öppnade sidan, så den togs inte bort. Här är den som den är nu.")
        return edit_page(console, request, session, faq_id, values, digest, 409, remove_error=why)
    except DataError as err:  # the FAQ's only entry (or the file broke meanwhile): the check's words
        said = [message for _, message in err.problems]
        why = Bilingual(" ".join(in_swedish(m) or m for m in said), " ".join(said))
        return edit_page(console, request, session, faq_id, values, digest, 400, remove_error=why)
    return console.done(session, "/fragor", removed_entry=question)


def entry_form_page(console: Console, request: Request, session: Session, faq_id: str) -> Response:
    """An entry's form: as the file has it, or as typed before the session ended."""
    entry, digest = console.desk.opened(faq_id)
    typed = console.typed_before_login(request, request.url.path, session.user)
    if typed is not None:
        key, fields = typed
        values = {name: fields[name] for name in FIELDS}
        if entry is None:  # removed meanwhile: the draft as a new entry, rather than lost (as a save's conflict)
            kept = new_page(
                console, request, session, values, "", gone=faq_id, keep_typed=True, problems=fields["problems"]
            )
        else:
            tried = " ".join(fields["prova_fraga"].split())  # "Prova": the question it was tried with
            kept = edit_page(
                console,
                request,
                session,
                faq_id,
                values,
                fields["hash"],
                typed_notice=True,
                keep_typed=True,
                try_question=tried,
                problems=fields["problems"],
            )
        return forget_typed(kept, request, key)
    if entry is None and console.kept_draft(request, session) is not None:
        # the language switch on the draft of an entry removed meanwhile: that page again
        return console.render(request, "entry.html", session=session)
    if entry is None:
        raise Refused(404, Text("Posten finns inte (längre) i FAQ-filen."))
    values = {name: entry_values(vars(entry))[name] for name in FIELDS}
    lost = {"typed_lost": True} if console.typed_lost(request) else {}  # promised at the login, gone since
    return edit_page(console, request, session, faq_id, values, digest, **console.outcome(request, session), **lost)


def edit_page(console, request, session, faq_id, values, digest, status=200, **extra) -> Response:
    return entry_page(console, request, session, faq_id, status, values=values, digest=digest, **extra)
