"""The JSON API, served by the same process as the chat widget (see faqbot.web.server).

    POST /api/ask        {"question": "Kan jag ringa er?", "language"?: "sv" | "en", "previous"?: "..."}
                         -> the `faqbot ask --json` object, plus `reply_id` (an unguessable string)
    POST /api/choice     {"reply_id": "...", "faq_id": "backup"} -> the customer picked that entry
                            among the reply's suggestions: its answer, as /api/ask gives one
                            (with its own reply_id), logged as the answer to that question
    POST /api/feedback   {"reply_id": "...", "liked": true}  -> 👍 (true) or 👎 (false) on that reply
    GET  /healthz        200 when the index is loaded (503 otherwise), for a proxy's health check;
                         ?log=required: 503 also while the log's database does not answer (monitoring)
    GET  /api/openapi.json  the OpenAPI description of the above

An API client is a customer like any other: the same `FaqBot` answers, the same per-client
rate limit applies (one `ClientBudget` shared with the widget, so a client cannot double its
budget by using both), and the same conversation log stores the question with personal data
masked. A reply_id is the only key to its reply: whoever holds it may pick a choice under it
or rate it, and nobody can guess another customer's. Errors are JSON with a `message` saying
what to do: 400 for bad input and for a choice the reply did not offer, 404 for a reply_id no
reply has, 405 for a method a path does not take, 413 for a body over MAX_BODY_BYTES, 429
with Retry-After past the rate limit; every error, a body that is not JSON included, has the
one shape `ErrorOut`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, BeforeValidator, Field, StrictBool
from starlette.exceptions import HTTPException
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from faqbot.bot import MAX_MESSAGE_CHARS, FaqBot, Reply, clean_question
from faqbot.conversations.privacy import masked_traceback
from faqbot.errors import ChoiceRefusedError, FeedbackRefusedError, LogUnavailableError, UnknownReplyError
from faqbot.language import detect_language
from faqbot.web.ratelimit import ClientBudget, RateLimiter, budget_for, client_address
from faqbot.wording import message

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = MAX_MESSAGE_CHARS  # the bot's one limit; a longer question is refused, not cut
MAX_BODY_BYTES = 64 * 1024  # a question at the limit, every character \u-escaped, fits
API_PREFIX = "/api/"
REPLY_ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"  # what FaqBot gives (secrets.token_urlsafe), with room to spare
FAQ_ID_PATTERN = r"^[a-z0-9][a-z0-9-]*$"  # faqbot.faq.model.ID_PATTERN
MAX_FAQ_ID_CHARS = 200


def _not_blank(value: Any) -> Any:
    # blank as the bot reads it: zero-width and other invisible characters count as nothing
    if isinstance(value, str) and not clean_question(value)[0]:
        raise ValueError("the question is empty; send the customer's question as text")
    return value


def _readable(value: Any) -> Any:
    # a lone surrogate (which no UTF-8 can carry) as the bot reads one in the question: a space
    # (a red-team helper found "previous" with one refused with 400 where the question was answered)
    if isinstance(value, str):
        return "".join(" " if 0xD800 <= ord(c) <= 0xDFFF else c for c in value)
    return value


class AskRequest(BaseModel):
    """A customer's question."""

    question: Annotated[
        str,
        BeforeValidator(_not_blank),
        Field(
            min_length=1,
            max_length=MAX_QUESTION_CHARS,
            description="The customer's message as typed (at most 2,000 characters; a longer one is refused).",
        ),
    ]
    language: Literal["sv", "en"] | None = Field(
        None, description="The language to reply in; when left out, the bot tells it from the question."
    )
    previous: Annotated[str | None, BeforeValidator(_readable)] = Field(
        None,
        max_length=MAX_QUESTION_CHARS,
        description="The customer's previous question in this conversation, if any: a short follow-up "
        "('och vad kostar det?') is then ranked with it in mind; a full new question is not.",
    )


class SuggestionOut(BaseModel):
    faq_id: str
    faq_question: str
    score: float


class AskResponse(BaseModel):
    """The reply: exactly what `faqbot ask --json` prints, plus the conversation-log row."""

    question: str = Field(description="The question as the bot read it (cleaned, cut to 500 characters).")
    language: Literal["sv", "en"]
    resolved: bool = Field(description="True when the reply is an FAQ answer.")
    kind: Literal["answer", "choices", "helpdesk", "greeting", "thanks", "empty", "error"]
    faq_id: str | None = Field(description="The entry answered with; null unless resolved.")
    faq_question: str | None
    score: float = Field(description="The confidence compared with the threshold.")
    answer: str = Field(description="What the customer sees; names the helpdesk whenever unresolved.")
    suggestions: list[SuggestionOut] = Field(description="Close entries; the choices when kind is 'choices'.")
    reply_id: str = Field(
        description="This reply's unguessable id (an opaque string; it was an integer before): "
        "pass it to /api/choice and /api/feedback."
    )


ReplyId = Annotated[
    str, Field(pattern=REPLY_ID_PATTERN, max_length=64, description="The reply_id of an /api/ask or /api/choice reply.")
]


class ChoiceRequest(BaseModel):
    """The customer picked one of the suggestions under a reply."""

    reply_id: ReplyId
    faq_id: str = Field(
        pattern=FAQ_ID_PATTERN,
        max_length=MAX_FAQ_ID_CHARS,
        description="The faq_id of one of that reply's suggestions.",
    )


class FeedbackRequest(BaseModel):
    reply_id: ReplyId
    # Strict: "yes", "true" or 1 is not a customer's 👍 (pydantic would read them as true).
    liked: StrictBool = Field(description="true for 👍, false for 👎; a later call replaces an earlier one.")


class FeedbackResponse(BaseModel):
    reply_id: str
    liked: bool


class Health(BaseModel):
    status: Literal["ok", "degraded", "unavailable"] = Field(
        description="ok; degraded: customers are answered but the log's database does not answer "
        "(their rows wait in memory); unavailable: no index, customers cannot be answered here."
    )
    index: dict[str, Any] | None = Field(description="The index answering: its version and number of entries.")
    log: str = Field(description="The conversation log: 'on', 'off', or 'unreachable'.")
    faq: str = Field(
        description="'ok', or 'refused: <file:line: what is wrong>' when the last edit of the FAQ file "
        "(or index) was refused: the last good FAQ keeps answering until it is fixed."
    )


class ErrorOut(BaseModel):
    error: str = Field(
        description="bad_request, not_offered, unknown_reply, not_found, method_not_allowed, too_large, "
        "rate_limited, not_logged or internal_error"
    )
    message: str = Field(description="What went wrong and what to do; for rate_limited, words for the customer.")
    retry_after: int | None = None


ERRORS: dict[int | str, dict[str, Any]] = {code: {"model": ErrorOut} for code in (400, 413, 429, 500)}
HTTP_ERRORS = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 413: "too_large"}
REPLY_ERRORS: dict[int | str, dict[str, Any]] = {**ERRORS, 404: {"model": ErrorOut}, 503: {"model": ErrorOut}}
# /healthz: any route refuses a bad query (400), a body over the server's limit (413), a client past its request budget (429)
HEALTH_ERRORS: dict[int | str, dict[str, Any]] = {code: {"model": ErrorOut} for code in (400, 413, 429)}


def error(status: int, code: str, text: str, headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": code, "message": text, **extra}, status_code=status, headers=headers)


LOG_AWAY_RETRY_SECONDS = 10


def log_away() -> JSONResponse:
    """503 for a reply this server does not know while the log's database does not answer: another
    replica's reply cannot be told from an unknown one until it is back, so try again."""
    text = "the conversation log's database does not answer, so a reply made by another server cannot be found now; try again shortly"
    return error(503, "log_unavailable", text, headers={"Retry-After": str(LOG_AWAY_RETRY_SECONDS)})


def explain(err: RequestValidationError) -> str:
    """The first validation problem in words an integrator can act on."""
    problem = err.errors()[0] if err.errors() else {}
    kind, where = problem.get("type", ""), [str(p) for p in problem.get("loc", ()) if p != "body"]
    field = ".".join(where) or "body"
    if kind == "json_invalid" or (kind == "model_attributes_type" and not where):
        return 'the body must be a JSON object such as {"question": "Kan jag ringa er?"}'
    if kind == "missing":
        return f"'{field}' is missing"
    if kind in ("string_too_long", "too_long") and field in ("question", "previous"):
        return f"'{field}' is longer than {MAX_QUESTION_CHARS:,} characters; send the customer's question only"
    if kind in ("string_too_long", "string_pattern_mismatch", "string_type") and field == "reply_id":
        return (
            "'reply_id' is not a reply id (a string; it is no longer a number); "
            "send the reply_id of an /api/ask or /api/choice reply as it came"
        )
    if kind in ("string_too_long", "string_pattern_mismatch") and field == "faq_id":
        return "'faq_id' is not an FAQ entry id; send the faq_id of one of the reply's suggestions"
    if kind == "value_error":
        return str(problem.get("ctx", {}).get("error", problem.get("msg", "")))
    return f"'{field}': {problem.get('msg', 'invalid value')}"


class BodyLimit:
    """ASGI middleware: a request to the API whose body is over `max_bytes` gets 413, unread.

    The body is read (up to the limit) before the route runs, so neither the JSON parser nor
    the bot ever sees an oversized one.
    """

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES, prefix: str = API_PREFIX) -> None:
        self.app, self.max_bytes, self.prefix = app, max_bytes, prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            return await self.app(scope, receive, send)
        declared = dict(scope["headers"]).get(b"content-length", b"0")
        too_large = not declared.isdigit() or int(declared) > self.max_bytes
        chunks: list[bytes] = []
        size, more = 0, not too_large
        while more:
            event = await receive()
            if event["type"] != "http.request":
                return  # the client went away
            chunks.append(event.get("body", b""))
            size += len(chunks[-1])
            more = event.get("more_body", False)
            too_large = size > self.max_bytes
            more = more and not too_large
        if too_large:
            text = f"the request body is over {self.max_bytes:,} bytes; send one question of at most {MAX_MESSAGE_CHARS:,} characters"
            return await error(413, "too_large", text)(scope, receive, send)
        await self.app(scope, replaying(b"".join(chunks), receive), send)


class Limits:
    """The API's side of the per-client budget shared with the widget: a 429 reply past it."""

    def __init__(self, bot: FaqBot, budget: ClientBudget) -> None:
        self.bot, self.budget = bot, budget

    def language_of(self, reply_id: str) -> str:
        """The language of a recent reply of this server (a choice or a rating is refused in its
        customer's language), "sv" when it is not remembered here: a refusal never reads the log."""
        earlier = self.bot.recent.get(reply_id) if isinstance(reply_id, str) else None
        return earlier.language if earlier is not None and earlier.language in ("sv", "en") else "sv"

    def refuse(self, request: Request, language: Callable[[], str], spent: RateLimiter) -> JSONResponse | None:
        """None when the client may go on; else the 429 reply, its words in `language()` (told only
        for a refusal: a question's language costs a detection)."""
        client = client_address(request) or "unknown"
        if self.budget.allow(client, spent):
            return None
        wait = self.budget.retry_after(client, spent)
        words = message("rate_limited", language(), self.bot.helpdesk)
        return error(429, "rate_limited", words, headers={"Retry-After": str(wait)}, retry_after=wait)


def answered(reply: Reply) -> JSONResponse:
    """A reply as /api/ask and /api/choice give it: the `faqbot ask --json` object and its reply_id."""
    return JSONResponse({**reply.to_dict(), "reply_id": reply.reply_id})


def replaying(body: bytes, receive: Receive) -> Receive:
    """A `receive` that gives `body` once, then whatever the client sends next (a disconnect)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


def create_api(bot: FaqBot, budget: ClientBudget | RateLimiter | None = None) -> FastAPI:
    """The API as a FastAPI app; faqbot.web.server mounts the widget on it at /, sharing `budget`."""
    limits = Limits(bot, budget_for(budget, lambda: bot.config.rate_limit_per_minute))
    app = FastAPI(
        title="faqbot",
        summary="Answers from the FAQ, as the chat widget gives them.",
        version="1",
        openapi_url="/api/openapi.json",
        docs_url=None,  # the interactive pages load scripts from outside hosts
        redoc_url=None,
    )
    app.add_middleware(BodyLimit)
    app.openapi = without_422(app)  # type: ignore[method-assign]

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, err: RequestValidationError) -> JSONResponse:
        return error(400, "bad_request", explain(err))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, err: HTTPException) -> JSONResponse:
        """Starlette's own refusals (a body that is not JSON, a method a path does not take) in the API's shape."""
        text = 'the body must be a JSON object such as {"question": "Kan jag ringa er?"}'
        if err.status_code != 400:
            text = str(err.detail)
        headers = dict(err.headers) if err.headers else None
        return error(err.status_code, HTTP_ERRORS.get(err.status_code, "bad_request"), text, headers=headers)

    @app.post("/api/ask", response_model=AskResponse, responses=ERRORS)
    def ask(body: AskRequest, request: Request) -> JSONResponse:
        """Answer one question, as `faqbot ask --json` and the widget would."""
        refused = limits.refuse(
            request, lambda: body.language or detect_language(body.question), limits.budget.messages
        )
        if refused is not None:
            return refused
        try:
            bot.refresh(wait=False)
            client = client_address(request)
            reply = bot.ask(body.question, language=body.language, previous=body.previous, client=client)
        except Exception as err:
            log.error("could not answer an API question:\n%s", masked_traceback(err))
            return error(500, "internal_error", message("error", body.language or "sv", bot.helpdesk))
        return answered(reply)

    add_reply_routes(app, bot, limits)

    @app.get("/healthz", response_model=Health, responses={**HEALTH_ERRORS, 503: {"model": Health}})
    def healthz(log: Literal["optional", "required"] = "optional") -> JSONResponse:
        """200 while the index is loaded and answering; 503 otherwise. With `log=required` also 503
        while the conversation log's database does not answer: for monitoring, not for routing
        (every replica shares that database, and they all still answer customers). It notices an
        edit of the FAQ file as a question does: on a quiet site a refused edit went unseen."""
        bot.refresh(wait=False)
        document, status = health(bot)
        if log == "required" and document["status"] == "degraded":
            status = 503
        return JSONResponse(document, status)

    refuse_other_methods(app)
    return app


def refuse_other_methods(app: FastAPI) -> None:
    """405 (with Allow) for a method an API path does not take, and 404 in the API's shape for a
    path under /api/ that does not exist: without these the widget, mounted at /, would answer
    both with its own 404."""
    taken: dict[str, set[str]] = {}
    for route in app.routes:
        if isinstance(route, APIRoute):
            taken.setdefault(route.path, set()).update(route.methods or ())
    for path, methods in taken.items():
        allow = ", ".join(sorted(methods))
        refusal = error(405, "method_not_allowed", f"this path takes {allow} only", headers={"Allow": allow})
        # a route whose endpoint is an ASGI app (a response is one) takes any method, QUERY and
        # made-up ones too; it is reached only by those the API route does not take
        app.router.routes.append(Route(path, refusal, include_in_schema=False))
    missing = error(404, "not_found", "no such path; the API is described at /api/openapi.json")
    app.router.routes.append(Route(API_PREFIX + "{rest:path}", missing, include_in_schema=False))


def add_reply_routes(app: FastAPI, bot: FaqBot, limits: Limits) -> None:
    """/api/choice and /api/feedback: what a customer does with a reply, named by its reply_id."""

    @app.post("/api/choice", response_model=AskResponse, responses=REPLY_ERRORS)
    def choice(body: ChoiceRequest, request: Request) -> JSONResponse:
        """The customer picked one of a reply's suggestions: that entry's answer, logged as the answer to that question."""
        refused = limits.refuse(request, lambda: limits.language_of(body.reply_id), limits.budget.messages)
        if refused is not None:
            return refused
        try:
            bot.refresh(wait=False)
            return answered(bot.choose(body.reply_id, body.faq_id, client=client_address(request)))
        except UnknownReplyError as err:
            return error(404, "unknown_reply", str(err))
        except LogUnavailableError:
            return log_away()
        except ChoiceRefusedError as err:
            # 400, as the contract says (docs/api.md); the fuzzer is told so (tests/attack/schemathesis.toml)
            return error(400, "not_offered", f"{err}; send the faq_id of one of its suggestions")
        except Exception as err:
            log.error("could not answer an API choice:\n%s", masked_traceback(err))
            return error(500, "internal_error", message("error", "sv", bot.helpdesk))

    @app.post("/api/feedback", response_model=FeedbackResponse, responses={**REPLY_ERRORS, 409: {"model": ErrorOut}})
    def feedback(body: FeedbackRequest, request: Request) -> JSONResponse:
        """Record the customer's 👍 or 👎 on a reply, by its reply_id."""
        refused = limits.refuse(request, lambda: limits.language_of(body.reply_id), limits.budget.ratings)
        if refused is not None:
            return refused
        if bot.log is None:
            return error(409, "not_logged", "the conversation log is off (log_enabled: false), so nothing is rated")
        try:
            if not bot.feedback(body.reply_id, body.liked):
                return error(404, "unknown_reply", "no reply has that reply_id; send the reply_id of a recent reply")
        except FeedbackRefusedError as err:
            return error(400, "not_an_answer", f"{err}; send the reply_id of a reply whose kind is answer")
        except LogUnavailableError:
            return log_away()
        return JSONResponse({"reply_id": body.reply_id, "liked": body.liked})


def without_422(app: FastAPI):
    """FastAPI's OpenAPI document, less the 422 responses it adds by itself: bad input is 400 here."""
    default = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = default()
            for operations in schema.get("paths", {}).values():
                for operation in operations.values():
                    operation.get("responses", {}).pop("422", None)
            for name in ("HTTPValidationError", "ValidationError"):
                schema.get("components", {}).get("schemas", {}).pop(name, None)
        return app.openapi_schema  # type: ignore[return-value]

    return openapi


def log_state(bot: FaqBot) -> str:
    """'off', 'on', or 'unreachable' when the log's database does not answer (the chat still works)."""
    if bot.log is None:
        return "off"
    reachable = getattr(bot.log, "reachable", None)
    return "unreachable" if reachable is not None and not reachable() else "on"


def health(bot: FaqBot) -> tuple[dict[str, Any], int]:
    """The health document and its HTTP status."""
    try:
        index: dict[str, Any] | None = {"version": bot.index_version, "entries": len(bot.entries)}
        ok = bool(index["entries"])  # type: ignore[index]
    except Exception as err:  # no index: the proxy should send customers elsewhere
        log.error("health check: no index is loaded: %s", err)
        index, ok = None, False
    state = log_state(bot)
    status = "unavailable" if not ok else "degraded" if state == "unreachable" else "ok"
    refused = bot.index.problem
    faq = f"refused: {refused}" if refused else "ok"  # the last good FAQ answers meanwhile
    return {"status": status, "index": index, "log": state, "faq": faq}, 200 if ok else 503
