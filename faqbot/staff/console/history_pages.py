"""The console's pages for the FAQ file's versions (faqbot.staff.console.history): list, compare, restore.

    GET  /historik                    Versioner: newest first, when, who, what changed
    GET  /historik/{id}               one version against the file now (what a restore would change)
    POST /historik/{id}/aterstall     restore it (CSRF): a new version, checked like any save,
                                      written atomically, the index rebuilt and published

A version id is a positive number of at most MAX_ID_DIGITS digits; anything else is 404, as is
a version no longer kept.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from faqbot.errors import DataError
from faqbot.faq.update import FileChangedError
from faqbot.staff.console.accounts import Session
from faqbot.staff.console.history import FIRST_SEEN, text_hash, what_said
from faqbot.staff.console.language import Text, local
from faqbot.staff.console.service import explained_lines
from faqbot.staff.console.web import Console, Refused, to_login

MAX_ID_DIGITS = 18  # fits a 64-bit id on both backends


def version_id(text: str) -> int:
    """The version number in a path; 404 for anything but a plain positive number."""
    if not text.isascii() or not text.isdigit() or len(text) > MAX_ID_DIGITS or int(text) < 1:
        raise Refused(404, Text("Versionen finns inte."))
    return int(text)


def when(seconds: float) -> str:
    return local(datetime.fromtimestamp(seconds, UTC), seconds=True)


def iso(seconds: float) -> str:
    """The same moment as `<time datetime>` wants it (a space and 'UTC' are not valid there)."""
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def add_history_routes(app: FastAPI, console: Console) -> None:
    """The three routes of the module docstring."""

    @app.get("/historik")
    async def history(request: Request) -> Response:
        session = console.session_of(request)
        if session is None:
            return to_login(request)
        return await history_page(console, request, session, **console.outcome(request, session))

    @app.get("/historik/{number}")
    async def one_version(request: Request, number: str) -> Response:
        session = console.session_of(request)
        if session is None:
            return to_login(request)
        return await version_page(console, request, session, version_id(number))

    @app.post("/historik/{number}/aterstall")
    async def restore(request: Request, number: str) -> Response:
        session = console.session_of(request)
        if session is None:
            return to_login(request)
        fields = await console.form(request, session)
        wanted = version_id(number)
        before = console.desk.bot.policy
        try:
            restored = await run_in_threadpool(console.desk.restore, wanted, session.user, fields.get("hash", ""))
        except FileChangedError:  # a colleague saved since the comparison: show it again, nothing written
            return await version_page(console, request, session, wanted, 409, changed=True)
        except DataError as err:
            message = Text(
                "Version {id} återställdes inte: den klarar inte FAQ-kontrollerna. {err}",
                id=wanted,
                err=explained_lines(err),
            )
            return await history_page(console, request, session, 400, error=message)
        if restored is None:
            raise Refused(404, Text("Versionen finns inte (längre); bara de senaste sparas."))
        if not restored.written:  # another tab, or staff, restored it already: nothing to write
            return console.done(session, "/historik", already_restored=wanted)
        return console.done(
            session,
            "/historik",
            restored_from=wanted,
            reopened=restored.reopened,
            unmarked=restored.unmarked,
            marked_again=restored.marked_again,
            **console.moved(before),
        )


async def version_page(
    console: Console, request: Request, session: Session, wanted: int, status: int = 200, **values
) -> Response:
    """A kept version against the file now, with the form that restores it."""
    shown = await run_in_threadpool(console.desk.difference, wanted)
    if shown is None:
        raise Refused(404, Text("Versionen finns inte (längre); bara de senaste sparas."))
    title = Text("Version {id}", id=shown.version.id)
    return console.render(
        request,
        "version.html",
        status,
        title=title,
        session=session,
        d=shown,
        when=when,
        iso=iso,
        what=what_said,
        first_seen=FIRST_SEEN,
        **values,
    )


async def history_page(console: Console, request: Request, session: Session, status: int = 200, **values) -> Response:
    versions = await run_in_threadpool(console.desk.versions)
    current = text_hash(console.desk.current_text())
    # A restored version has the same text as the one it restored: only the newest is "in force".
    in_force = next((v.id for v in versions if v.faq_hash == current), None)
    return console.render(
        request,
        "history.html",
        status,
        title=Text("Versioner av frågor och svar"),
        session=session,
        versions=versions,
        current=current,
        in_force=in_force,
        first_seen=FIRST_SEEN,
        when=when,
        iso=iso,
        what=what_said,
        **values,
    )
