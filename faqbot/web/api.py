"""The JSON API, served by the same process as the chat widget (see faqbot.web.server).

    POST /api/ask        {"question": "Kan jag ringa er?", "language"?: "sv" | "en", "previous"?: "..."}
                         -> the `faqbot ask --json` object, plus `reply_id` (its conversation-log
                            row, null when it was not logged)
    POST /api/feedback   {"reply_id": 17, "liked": true}  -> 👍 (true) or 👎 (false) on that reply
    GET  /healthz        200 when the index is loaded (503 otherwise), for a proxy's health check;
                         ?log=required: 503 also while the log's database does not answer (monitoring)
    GET  /api/openapi.json  the OpenAPI description of the above

An API client is a customer like any other: the same `FaqBot` answers, the same per-client
rate limit applies (one `RateLimiter` shared with the widget, so a client cannot double its
budget by using both), and the same conversation log stores the question with personal data
masked. Errors are JSON with a `message` saying what to do: 400 for bad input, 413 for a body
over MAX_BODY_BYTES, 429 with Retry-After past the rate limit.
"""

from __future__ import annotations

import logging
import math
from typing import Annotated, Any, Literal

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, BeforeValidator, Field
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from faqbot.bot import FaqBot
from faqbot.conversations.privacy import masked_traceback
from faqbot.language import detect_language
from faqbot.web.ratelimit import RateLimiter
from faqbot.wording import message

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 5000  # as much as the widget accepts; the bot itself reads the first 500
MAX_BODY_BYTES = 64 * 1024  # a 5,000-character question, every character \u-escaped, fits
API_PREFIX = "/api/"


def _not_blank(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        raise ValueError("the question is empty; send the customer's question as text")
    return value


class AskRequest(BaseModel):
    """A customer's question."""

    question: Annotated[
        str,
        BeforeValidator(_not_blank),
        Field(
            min_length=1,
            max_length=MAX_QUESTION_CHARS,
            description="The customer's message as typed (at most 5,000 characters; the bot reads the first 500).",
        ),
    ]
    language: Literal["sv", "en"] | None = Field(
        None, description="The language to reply in; when left out, the bot tells it from the question."
    )
    previous: str | None = Field(
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
    reply_id: int | None = Field(description="Pass it to /api/feedback; null when the reply was not logged.")


class FeedbackRequest(BaseModel):
    reply_id: int = Field(ge=1, description="The reply_id of an /api/ask reply.")
    liked: bool = Field(description="true for 👍, false for 👎; a later call replaces an earlier one.")


class FeedbackResponse(BaseModel):
    reply_id: int
    liked: bool


class Health(BaseModel):
    status: Literal["ok", "degraded", "unavailable"] = Field(
        description="ok; degraded: customers are answered but the log's database does not answer "
        "(their rows wait in memory); unavailable: no index, customers cannot be answered here."
    )
    index: dict[str, Any] | None = Field(description="The index answering: its version and number of entries.")
    log: str = Field(description="The conversation log: 'on', 'off', or 'unreachable'.")


class ErrorOut(BaseModel):
    error: str = Field(description="bad_request, too_large, rate_limited, not_logged or internal_error")
    message: str = Field(description="What went wrong and what to do; for rate_limited, words for the customer.")
    retry_after: int | None = None


ERRORS: dict[int | str, dict[str, Any]] = {code: {"model": ErrorOut} for code in (400, 413, 429, 500)}


def error(status: int, code: str, text: str, headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": code, "message": text, **extra}, status_code=status, headers=headers)


def explain(err: RequestValidationError) -> str:
    """The first validation problem in words an integrator can act on."""
    problem = err.errors()[0] if err.errors() else {}
    kind, where = problem.get("type", ""), [str(p) for p in problem.get("loc", ()) if p != "body"]
    field = ".".join(where) or "body"
    if kind == "json_invalid" or (kind == "model_attributes_type" and not where):
        return 'the body must be a JSON object such as {"question": "Kan jag ringa er?"}'
    if kind == "missing":
        return f"'{field}' is missing"
    if kind in ("string_too_long", "too_long"):
        return f"'{field}' is longer than {MAX_QUESTION_CHARS:,} characters; send the customer's question only"
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
            text = f"the request body is over {self.max_bytes:,} bytes; send one question of at most 5,000 characters"
            return await error(413, "too_large", text)(scope, receive, send)
        body, sent = b"".join(chunks), False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


def client_of(request: Request) -> str:
    """The client's address; the server has already believed X-Forwarded-For only from a trusted proxy."""
    return request.client.host if request.client else "unknown"


class Limits:
    """The per-client budgets of the API: questions (shared with the widget) and ratings."""

    def __init__(self, bot: FaqBot, questions: RateLimiter | None) -> None:
        self.bot = bot
        self.questions = questions if questions is not None else RateLimiter()  # an empty one is falsy
        self.ratings = RateLimiter()  # rating answers must not use up the budget for questions
        self._noted = RateLimiter()  # one line in the server's log per limited client per minute

    def refuse(self, request: Request, text: str, budget: RateLimiter) -> JSONResponse | None:
        """None when the client may go on; else the 429 reply, in the language of `text`."""
        client, limit = client_of(request), self.bot.config.rate_limit_per_minute
        if budget.allow(client, limit):
            return None
        if self._noted.allow(client, 1):
            log.warning("rate limit: %s sent more than %d API requests in a minute", client, limit)
        wait = max(1, math.ceil(budget.retry_after(client)))
        words = message("rate_limited", detect_language(text), self.bot.helpdesk)
        return error(429, "rate_limited", words, headers={"Retry-After": str(wait)}, retry_after=wait)


def create_api(bot: FaqBot, limiter: RateLimiter | None = None) -> FastAPI:
    """The API as a FastAPI app; faqbot.web.server mounts the widget on it at /, sharing `limiter`."""
    limits = Limits(bot, limiter)
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

    @app.post("/api/ask", response_model=AskResponse, responses=ERRORS)
    def ask(body: AskRequest, request: Request) -> JSONResponse:
        """Answer one question, as `faqbot ask --json` and the widget would."""
        refused = limits.refuse(request, body.question, limits.questions)
        if refused is not None:
            return refused
        try:
            bot.refresh(wait=False)
            reply = bot.ask(body.question, language=body.language, previous=body.previous)
        except Exception as err:
            log.error("could not answer an API question:\n%s", masked_traceback(err))
            return error(500, "internal_error", message("error", body.language or "sv", bot.helpdesk))
        return JSONResponse({**reply.to_dict(), "reply_id": reply.log_id})

    @app.post("/api/feedback", response_model=FeedbackResponse, responses={**ERRORS, 409: {"model": ErrorOut}})
    def feedback(body: FeedbackRequest, request: Request) -> JSONResponse:
        """Record the customer's 👍 or 👎 on a reply, by its reply_id."""
        refused = limits.refuse(request, "", limits.ratings)
        if refused is not None:
            return refused
        if bot.log is None:
            return error(409, "not_logged", "the conversation log is off (log_enabled: false), so nothing is rated")
        bot.feedback(body.reply_id, body.liked)
        return JSONResponse({"reply_id": body.reply_id, "liked": body.liked})

    @app.get("/healthz", response_model=Health, responses={503: {"model": Health}})
    def healthz(log: Literal["optional", "required"] = "optional") -> JSONResponse:
        """200 while the index is loaded and answering; 503 otherwise. With `log=required` also 503
        while the conversation log's database does not answer: for monitoring, not for routing
        (every replica shares that database, and they all still answer customers)."""
        document, status = health(bot)
        if log == "required" and document["status"] == "degraded":
            status = 503
        return JSONResponse(document, status)

    return app


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
    return {"status": status, "index": index, "log": state}, 200 if ok else 503
