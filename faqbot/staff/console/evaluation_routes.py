"""The console's Utvärdering page: run the test set in the background, its figures beside earlier runs.

    GET  /utvardering              progress (refreshed by hand, or by itself when asked), the latest run's
                                   four figures and misses, the kept runs, confirmed customer
                                   questions the test set lacks
    POST /utvardering/kor          start a run (one at a time; a second start is told one is going)
    POST /utvardering/lagg-till    add the ticked confirmed questions (`id-<suggestion id>` fields)

The page works without JavaScript: while a run goes a link reloads it by hand, and another
makes it reload itself every REFRESH_SECONDS (`?foljer=1`, a meta refresh) until the run ends
or a third link stops it (`?stilla=1`); its progress is a polite live region. The reloading is
never on by itself: a page that reloads unasked disturbs whoever reads it with a screen reader
(WCAG 2.2.1, which axe reports as critical).
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from faqbot.errors import FaqbotError
from faqbot.faq.model import load_faq
from faqbot.staff import learn, teach, test_set
from faqbot.staff.console.evaluations import FIGURES, LINE_FORMAT, Evaluations
from faqbot.staff.console.language import Text
from faqbot.staff.console.web import Console, Refused, readable_entries, to_login

REFRESH_SECONDS = 2
PAGE = "/utvardering"
NOT_OFFERED = Text(
    "Inget lades till: någon av frågorna är inte (längre) en bekräftad kundfråga som saknas i testmängden. Öppna sidan på nytt och välj igen."
)


NO_TEST_SET = Text(
    "Det finns ingen testmängd än. Lägg till frågor som kunder bekräftade (de listas nedan när det finns några), eller skriv filen: en rad per fråga, {line}.",
    line=LINE_FORMAT,
)


def add_evaluation_routes(app: FastAPI, console: Console, runs: Evaluations) -> None:
    """The page and its two forms; `runs` is kept on app.state.evaluations for whoever serves the app."""
    app.state.evaluations = runs

    @app.get(PAGE)
    async def evaluation(request: Request) -> Response:
        session = console.session_of(request)
        if session is None:
            return to_login(request)
        return await page(console, request, session, runs, **console.outcome(request, session))

    @app.post(PAGE + "/kor")
    async def start(request: Request) -> Response:
        session = console.session_of(request)
        if session is None:
            return to_login(request)
        await console.form(request, session)
        if not runs.test_set.is_file():
            return await page(console, request, session, runs, 409, notice=NO_TEST_SET)
        if not runs.start(session.user):
            note = Text("En körning pågår redan. Vänta tills den är klar.")
            return await page(console, request, session, runs, 409, refusal=note)
        return console.done(session, PAGE, started=True)

    @app.post(PAGE + "/lagg-till")
    async def add(request: Request) -> Response:
        session = console.session_of(request)
        if session is None:
            return to_login(request)
        fields = await console.form(request, session)
        ids = [name[3:] for name in fields if name.startswith("id-")]
        if not ids:
            raise Refused(400, Text("Välj minst en fråga att lägga till."))
        if len(ids) > test_set.MAX_ADD:
            raise Refused(
                400, Text("Högst {count} frågor kan läggas till åt gången; inget lades till.", count=test_set.MAX_ADD)
            )
        added = await run_in_threadpool(add_confirmed, console, runs, ids)
        if added == 1:
            return console.done(session, PAGE, notice=Text("En fråga lades till i testmängden."))
        return console.done(session, PAGE, notice=Text("{count} frågor lades till i testmängden.", count=added))


def following(request: Request) -> bool:
    """Whether staff asked the page to reload itself while the run goes (and did not stop it)."""
    return request.query_params.get("foljer") == "1" and request.query_params.get("stilla") != "1"


def confirmed(console: Console, runs: Evaluations) -> list[learn.Suggestion]:
    """Customer questions the test set does not hold (faqbot.staff.test_set): those customers
    confirmed an entry for, then those staff said are about something else (to the helpdesk)."""
    faq = load_faq(console.desk.faq_path)
    log = console.desk.log
    rows, rejected = log.questions(), log.decisions(teach.REJECTED)
    found = test_set.confirmed_not_in(runs.test_set, rows, faq, rejected)
    return [*found, *test_set.off_topic_not_in(runs.test_set, rows, rejected, found)]


def add_confirmed(console: Console, runs: Evaluations, ids: list[str]) -> int:
    """Append the named confirmed questions to the test set, under the console's one writing lock;
    Refused (nothing written) when any id is not a confirmed question the test set lacks."""
    with console.desk.writing:
        offered = confirmed(console, runs)
        if not set(ids) <= {s.id for s in offered}:
            raise Refused(400, NOT_OFFERED)
        try:
            return test_set.append(runs.test_set, test_set.chosen(offered, ids))
        except FaqbotError as err:
            raise Refused(500, Text("Testmängden kunde inte skrivas: {err}", err=str(err))) from None


async def page(console: Console, request: Request, session, runs: Evaluations, status: int = 200, **extra) -> Response:
    progress = runs.progress()
    if extra.pop("started", False) and progress.running:  # the page reloaded after the run: its figures say so
        extra["notice"] = Text("Körningen har startat.")
    kept = await run_in_threadpool(runs.runs)
    try:
        offered = await run_in_threadpool(confirmed, console, runs)
        unread = ""
    except FaqbotError as err:
        offered, unread = [], str(err)
    entries = readable_entries(console)  # named by their questions; by their ids while the file does not read
    return console.render(
        request,
        "evaluation.html",
        status,
        title=Text("Utvärdering"),
        session=session,
        progress=progress,
        refresh=REFRESH_SECONDS if progress.running and following(request) else 0,
        following=request.query_params.get("foljer") == "1",  # asked to follow the run: focus on its progress
        refresh_seconds=REFRESH_SECONDS,
        runs=kept,
        latest=kept[0] if kept else None,
        figures=FIGURES,
        offered=offered,
        entries=entries,
        unread=unread,
        test_set=runs.test_set,
        has_test_set=runs.test_set.is_file(),
        no_test_set=NO_TEST_SET,
        max_add=test_set.MAX_ADD,
        **extra,
    )
