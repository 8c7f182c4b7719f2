"""The console's pages for drafts: trying an entry before saving it, and a new entry from helpdesk questions.

    POST /fragor/{id}/prova     the entry form's draft and a question (`prova_fraga`): how the bot
                                would answer with the draft; nothing is saved
    GET  /ny-fraga              the new-entry form, empty (linked from Frågor och svar)
    GET  /ny-fraga?grupp=ID     the new-entry form, prefilled from a group of helpdesk questions
                                (Att granska): its question, the others as alternatives
    POST /ny-fraga              add the entry (its id made from the question, unique); the
                                group's questions the entry took are then handled
    POST /fragor/{id}/sprak     the language switch of these forms: the form shown again, as
    POST /ny-fraga/sprak        typed, in the other language (`?till=sv|en`); nothing is saved

Trying is bounded: the form's fields keep their limits (faqbot.staff.console.web; the question
at most 200 characters), each member of staff may try TRIES_PER_MINUTE times a minute, and a
try embeds at most faqbot.retrieval.draft.MAX_DRAFT_TEXTS texts (only the draft's own).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from faqbot.errors import DataError, FaqbotError
from faqbot.faq.model import ID_PATTERN, FaqEntry, load_faq
from faqbot.faq.update import FIELDS, cleaned, entry_values
from faqbot.staff.console.accounts import Session
from faqbot.staff.console.language import Text, spoken
from faqbot.staff.console.web import (
    KEPT_DRAFT,
    Console,
    Fields,
    Refused,
    entry_questions,
    forget_typed,
    form_page,
    set_language,
    swedish,
    to_login,
)
from faqbot.web.ratelimit import RateLimiter

TRIES_PER_MINUTE = 12
MAX_PREFILLED = 10  # alternatives taken from a group's questions
NEW_ENTRY_PATH = "/ny-fraga"


def entry_id(faq_id: str) -> str:
    if len(faq_id) > 100 or not ID_PATTERN.match(faq_id):
        raise Refused(404, Text("Posten finns inte."))
    return faq_id


def field_problems(console: Console, problems: tuple[tuple[str, str], ...], faq_id: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    questions = entry_questions(console) if problems else {}
    for name, message in problems:
        found.setdefault(name if name in FIELDS else "", []).append(swedish(message, faq_id, questions))
    return found


def add_draft_routes(app: FastAPI, console: Console, rate: RateLimiter | None = None) -> None:
    """The three routes of the module docstring."""
    rate = rate if rate is not None else RateLimiter()  # tries per member of staff, a sliding minute
    add_switch_routes(app, console)

    @app.post("/fragor/{faq_id}/prova")
    async def try_draft(request: Request, faq_id: str) -> Response:
        session = console.session_of(request)
        if session is None:
            return await console.to_login_keeping(request)
        fields = await console.form(request, session, writing=False, typed=True)  # nothing saved; `rate` bounds it
        return await draft_page(console, request, session, entry_id(faq_id), fields, rate)

    @app.get(NEW_ENTRY_PATH)
    async def new_entry_form(request: Request) -> Response:
        session = console.session_of(request)
        if session is None:
            return to_login(request)
        # a file a hand edit broke: the page that says so now, as an entry's page does, rather than
        # when the filled-in form is sent (found by a walk-through)
        await run_in_threadpool(load_faq, console.desk.faq_path)
        typed = typed_new_entry(console, request, session)
        if typed is not None:
            return typed
        group_id = request.query_params.get("grupp", "")[:20]
        group = await run_in_threadpool(console.desk.new_entry_group, group_id) if group_id else None
        values = dict.fromkeys(FIELDS, "")
        notice: str = ""
        if group is not None:
            asked = [{"question": group.question, "language": group.evidence.get("language", "")}]
            values.update(prefilled(group.evidence.get("examples") or asked))  # a group, or one 👎 question
            if not values["question"]:
                notice = Text("Gruppens frågor är ställda på engelska. Skriv frågan på svenska i fältet Fråga.")
        elif group_id:
            notice = Text("Gruppen är redan hanterad eller finns inte längre.")
        lost = {"typed_lost": True} if console.typed_lost(request) else {}
        return new_page(console, request, session, values, group.id if group else "", notice=notice, **lost)

    @app.post(NEW_ENTRY_PATH)
    async def new_entry_save(request: Request) -> Response:
        session = console.session_of(request)
        if session is None:
            return await console.to_login_keeping(request)
        fields = await console.form(request, session, typed=True)
        values = {name: fields.get(name, "") for name in FIELDS}
        group_id = fields.get("grupp", "")
        if fields.problems:  # too long, or a control character: the form again with the text, not a refusal
            return new_page(console, request, session, values, group_id, 400, problems=fields.problems)
        existing = await run_in_threadpool(console.desk.same_entry, values)
        if existing is not None:  # the form sent again (back, and Skapa posten again): nothing to create
            return console.done(session, f"/fragor/{existing}", already=True)
        before = console.desk.bot.policy
        added = await run_in_threadpool(console.desk.create, values, group_id, session.user)
        if added.problems:
            problems = field_problems(console, added.problems, added.faq_id)
            return new_page(console, request, session, values, group_id, 400, problems=problems)
        outcome = {"created": True, "unmarked": added.unmarked}
        outcome["kept_away"] = await run_in_threadpool(console.desk.kept_away, added.faq_id)
        outcome["newly"] = await run_in_threadpool(console.desk.newly_answered, added.faq_id)
        return console.done(session, f"/fragor/{added.faq_id}", **outcome, **console.moved(before))


def add_switch_routes(app: FastAPI, console: Console) -> None:
    """The language switch of an entry's form and the new-entry form (`in_language`)."""

    @app.post("/fragor/{faq_id}/sprak")
    async def entry_in_language(request: Request, faq_id: str) -> Response:
        return await in_language(console, request, entry_id(faq_id))

    @app.post(NEW_ENTRY_PATH + "/sprak")
    async def new_entry_in_language(request: Request) -> Response:
        return await in_language(console, request, None)


async def in_language(console: Console, request: Request, faq_id: str | None) -> Response:
    """The language switch on an entry's form (or the new-entry form): a button that sends the
    form, so that what was typed is shown again in the other language, not lost (the switch was a
    link: a walk-through's typing went with it). A page that was itself a kept draft (a refused
    save, a conflict, a try) is drawn again with what it said, the form's fields as typed now."""
    session = console.session_of(request)
    if session is None:
        return await console.to_login_keeping(request)
    fields = await console.form(request, session, writing=False, typed=True)
    values = {name: fields.get(name, "") for name in FIELDS}
    typed: dict[str, Any] = {"values": values, "try_question": " ".join(fields.get("prova_fraga", "").split())}
    kept = console.kept_page(request, session, form_page(request.url.path))  # the page's own address named it
    status = 400 if fields.problems else 200
    entry = console.desk.entry(faq_id)[0] if faq_id is not None else None
    page: Response
    if KEPT_DRAFT in kept:  # with what was not kept as typed now, beside its field too
        name, status, shown = kept[KEPT_DRAFT]
        typed["problems"] = {**shown.get("problems", {}), **fields.problems}
        page = console.render(request, name, status, session=session, **{**shown, **typed})
    elif faq_id is not None and entry is None:  # removed meanwhile, or never there
        if not await run_in_threadpool(gone, console, faq_id, fields.get("hash", "")):
            raise Refused(404, Text("Posten finns inte (längre) i FAQ-filen."))
        page = new_page(console, request, session, values, "", 409, gone=faq_id, problems=fields.problems)
    elif faq_id is None:
        group = fields.get("grupp", "")[:20]
        shown = {**kept, "problems": fields.problems, "switched": True}
        page = new_page(console, request, session, values, group, status, **shown)
    else:  # with what the form before it did (a save's changes), said again, unless typed over since
        said = kept if unchanged(entry, values) else {}
        shown = {**said, **typed, "digest": fields.get("hash", ""), "problems": fields.problems, "switched": True}
        page = entry_page(console, request, session, faq_id, status, **shown)
    return set_language(page, request, request.query_params.get("till", ""))


def unchanged(entry: FaqEntry | None, values: dict[str, str]) -> bool:
    """Whether the form's `values` are `entry` as the file has it: a save's "Sparat" is not said
    again over text typed after it (a walk-through found it above unsaved text)."""
    saved = entry_values(vars(entry)) if entry is not None else {}
    return all(cleaned(name, values[name]) == saved.get(name) for name in FIELDS)


def typed_new_entry(console: Console, request: Request, session: Session) -> Response | None:
    """The new-entry form with what was typed into it before the session ended, if anything was."""
    typed = console.typed_before_login(request, NEW_ENTRY_PATH, session.user)
    if typed is None:
        return None
    key, fields = typed
    values = {name: fields[name] for name in FIELDS}
    group, problems = fields["grupp"][:20], fields["problems"]
    kept = new_page(console, request, session, values, group, typed_notice=True, keep_typed=True, problems=problems)
    return forget_typed(kept, request, key)


def gone(console: Console, faq_id: str, digest: str) -> bool:
    """Whether entry `faq_id` was in the version of the file the form was opened on (`digest`)
    and the file reads and passes its checks now without it: someone removed it meanwhile."""
    try:
        now = load_faq(console.desk.faq_path).by_id
    except FaqbotError:
        return False
    return faq_id not in now and console.desk.seen(faq_id, digest) is not None


def prefilled(examples: list[dict[str, Any]]) -> dict[str, str]:
    """A new entry's form from a helpdesk group's questions (most asked first): the first Swedish
    one its question, the others its alternatives. A group asked only in English fills in the
    English question instead, for staff to write the Swedish one; an English question beside a
    Swedish one is only an alternative (a group can hold questions that merely look alike, and the
    English question is the same question's translation)."""
    questions = [e["question"] for e in examples]
    swedish = [e["question"] for e in examples if e.get("language") != "en"]
    first = swedish[0] if swedish else ""
    english = "" if swedish or not questions else questions[0]
    others = [q for q in questions if q not in (first, english)]
    return {"question": first, "question_en": english, "alternatives": "\n".join(others[:MAX_PREFILLED])}


async def draft_page(
    console: Console, request: Request, session: Session, faq_id: str, fields: Fields, rate: RateLimiter
) -> Response:
    """The entry form again, with how the bot answers the question with the form's draft."""
    values = {name: fields.get(name, "") for name in FIELDS}
    question = " ".join(fields.get("prova_fraga", "").split())
    page: dict[str, Any] = {"values": values, "digest": fields.get("hash", ""), "try_question": question, "draft": None}
    if not rate.allow(session.user, TRIES_PER_MINUTE):  # an empty try too: each one draws the page again
        error = Text(
            "Du har provat {count} gånger den senaste minuten. Vänta en stund och försök igen.", count=TRIES_PER_MINUTE
        )
        return entry_page(console, request, session, faq_id, 429, draft_error=error, **page)
    if fields.problems:  # too long, or a control character: the form again with the text, not a refusal
        return entry_page(console, request, session, faq_id, 400, problems=fields.problems, **page)
    if not question:
        return entry_page(
            console, request, session, faq_id, 400, draft_error=Text("Skriv en fråga att prova med."), **page
        )
    try:
        result = await run_in_threadpool(console.desk.try_draft, faq_id, values, question)
    except DataError:
        if await run_in_threadpool(gone, console, faq_id, fields.get("hash", "")):  # the draft as a new entry
            return new_page(console, request, session, values, "", 409, gone=faq_id)
        raise Refused(
            404, Text("Posten finns inte (längre) i FAQ-filen, eller filen klarar inte kontrollerna.")
        ) from None
    except FaqbotError as err:
        return entry_page(console, request, session, faq_id, 400, draft_error=str(err), **page)
    page["draft"] = result
    problems = field_problems(console, result.problems, faq_id)
    return entry_page(console, request, session, faq_id, 400 if problems else 200, problems=problems, **page)


def entry_page(
    console: Console, request: Request, session: Session, faq_id: str, status: int = 200, **values
) -> Response:
    values.setdefault("problems", {})
    values.setdefault("learned", learned_of(console, faq_id))
    values.setdefault("marked_near", marked_near(console, faq_id))
    values.setdefault("sections", sections_of(console))
    try:
        saved, _ = console.desk.entry(faq_id)  # named by its question as the file has it, as on every other page
    except FaqbotError:  # a file that does not read: by its id
        saved = None
    # the FAQ's question in the heading is Swedish, on an English page too
    title = (
        Text("Redigera ”{question}”", question=spoken(saved.question, "sv"))
        if saved
        else Text("Redigera {faq_id}", faq_id=faq_id)
    )
    return console.render(
        request,
        "entry.html",
        status,
        title=title,
        session=session,
        faq_id=faq_id,
        **values,
    )


def learned_of(console: Console, faq_id: str) -> tuple[str, ...]:
    """The entry's phrasings from customers, as the file has them now (none when it cannot be read)."""
    try:
        entry, _ = console.desk.entry(faq_id)
    except FaqbotError:
        return ()
    return entry.learned if entry is not None else ()


def marked_near(console: Console, faq_id: str) -> list[str]:
    """The questions marked as about something else that the entry would answer (`Desk.marked_near`);
    none when the FAQ or the index cannot be read (the page says what is wrong elsewhere)."""
    try:
        return console.desk.marked_near(faq_id)
    except FaqbotError:
        return []


def sections_of(console: Console) -> dict[str, int]:
    """Each section of the FAQ file and how many entries it has (none when it cannot be read): the
    form offers them, and says so when a save made a section of one entry (a typo, most likely)."""
    try:
        entries, _ = console.desk.entries()
    except FaqbotError:
        return {}
    return dict(sorted(Counter(e.section for e in entries if e.section).items()))


def new_page(
    console: Console, request: Request, session: Session, values: dict, group: str, status: int = 200, **extra
) -> Response:
    extra.setdefault("problems", {})
    extra.setdefault("sections", sections_of(console))
    return console.render(
        request,
        "entry.html",
        status,
        title=Text("Ny fråga"),
        session=session,
        faq_id="",
        values=values,
        digest="",
        action=NEW_ENTRY_PATH,
        group=group,
        **extra,
    )
