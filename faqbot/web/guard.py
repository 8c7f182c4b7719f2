"""Calls to the widget that Gradio should never see: refused with a 400 before it reads them.

    app.add_middleware(WidgetGuard, events=widget_events(blocks))

Gradio keeps every session id it is sent as a key (a 200 KB id is 200 KB held, and several
copies of it), answers a call to an event that does not exist, or one with too few values, with
a 500 and a traceback that quotes the values (a customer's message, unmasked) on stderr, and
publishes a description of itself at /openapi.json. So, on every route but the API's:

- a session id (`session_hash` in a body or query, or a heartbeat's path) is at most 64 letters,
  digits, `-` or `_` (the page makes 11; tests and tools make 32);
- a call to an event (`/gradio_api/run/...`, `/api/...`, `/call/...`, `/queue/join`) must name
  one of the widget's server events (`widget_events`), by `fn_index` or by its api name, and
  carry exactly its values: a State's slot null (the server holds the state), a text slot a
  string or null; the body must be a JSON object of sound UTF-8, nested no deeper than JSON
  parsing allows. Text values at the end may be left out: they reach Gradio as null (a page
  loaded before an upgrade that added one, such as `ask`'s earlier messages, keeps working);
- Gradio's own API descriptions (/openapi.json, /docs, /redoc) are not served: the product's
  API is described at /api/openapi.json;
- a stream of a session's messages (`/gradio_api/queue/data`) for a session the queue does not
  know is answered as Gradio answers it ("session_not_found", which the page handles), but
  here: Gradio raises inside the stream it has begun, and every such request, one made-up id
  each, wrote a 31-line traceback to the server log.

Every refusal has the API's error shape (`{"error": "bad_request", "message": ...}`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

import gradio as gr
from gradio.server_messages import UnexpectedErrorMessage
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from faqbot.web.api import error, replaying

SESSION_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
HIDDEN = frozenset(
    {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc", "/gradio_api/openapi.json", "/gradio_api/deep_link"}
)
CALL = re.compile(r"^/gradio_api/(?:run|api|call(?:/v2)?)/(?P<name>[^/]+)/?$|^/gradio_api/queue/join/?$")
HEARTBEAT = re.compile(r"^/gradio_api/heartbeat/(?P<session>[^/]*)/?$")
STREAM = re.compile(r"^/gradio_api/queue/data/?$")


@dataclass(frozen=True)
class Event:
    """One of the widget's server events: its api name and what each of its values may be."""

    api_name: str | None
    slots: tuple[str, ...]  # "state" (must be null), "text" (a string or null), "any"


def widget_events(blocks: gr.Blocks) -> dict[int, Event]:
    """The events of `blocks` that run on the server (not the page's own JavaScript), by fn_index."""
    events = {}
    for index, fn in blocks.fns.items():
        if fn.fn is None:
            continue
        slots = tuple(
            "state" if isinstance(c, gr.State) else "text" if isinstance(c, gr.Textbox) else "any" for c in fn.inputs
        )
        events[index] = Event(fn.api_name if isinstance(fn.api_name, str) else None, slots)
    return events


def call_problem(body: Any, name: str | None, events: dict[int, Event]) -> str | None:
    """What is wrong with an event call's JSON `body` (to the event `name` in its path), None when nothing."""
    if not isinstance(body, dict):
        return "the body must be a JSON object with 'data' and 'session_hash'"
    problem = session_problem(body.get("session_hash"))
    if problem:
        return problem
    index = event_index(body, name, events)
    if index is None:
        return "no such event: call one of the widget's events by its name or fn_index"
    data, slots = body.get("data"), events[index].slots
    least = len(slots)
    while least and slots[least - 1] == "text":  # trailing texts may be left out
        least -= 1
    if not isinstance(data, list) or not least <= len(data) <= len(slots):
        return f"'data' must be a list of {len(slots)} value{'s' if len(slots) != 1 else ''}"
    for value, slot in zip(data, slots[: len(data)], strict=True):
        if (slot == "state" and value is not None) or (slot == "text" and not isinstance(value, str | None)):
            return "'data' holds a value of the wrong kind: the state's slot is null, a text is a string"
    if not isinstance(body.get("event_data"), dict | None):
        return "'event_data' must be an object or null"
    return None


def event_index(body: dict, name: str | None, events: dict[int, Event]) -> int | None:
    """The fn_index of the event a call names (by `fn_index`, else by the `name` in its path), None when none."""
    index = body.get("fn_index")
    if index is None:
        index = next((i for i, event in events.items() if event.api_name == name), None)
    if isinstance(index, bool) or not isinstance(index, int) or index not in events:
        return None
    return index


def completed(body: dict, name: str | None, events: dict[int, Event]) -> bytes | None:
    """A sound call's body with the text values it left out as null; None when none is missing."""
    index = event_index(body, name, events)
    missing = len(events[index].slots) - len(body["data"]) if index is not None else 0
    if missing <= 0:
        return None
    return json.dumps({**body, "data": [*body["data"], *[None] * missing]}).encode("utf-8")


def session_problem(session: Any) -> str | None:
    if session is None or (isinstance(session, str) and SESSION_ID.fullmatch(session)):
        return None
    return "'session_hash' must be 1-64 letters, digits, '-' or '_'"


def parsed(body: bytes) -> Any:
    """`body` as JSON; ValueError when it is not (bad UTF-8, bad JSON, nested too deep)."""
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, RecursionError) as err:
        raise ValueError(str(err)) from None


class WidgetGuard:
    """ASGI middleware: refuses what the module docstring lists, before Gradio reads any of it.

    Sits inside faqbot.web.api.BodyLimit, so a body it reads is already bounded.
    """

    def __init__(
        self,
        app: ASGIApp,
        events: dict[int, Event],
        skip: tuple[str, ...] = ("/api/", "/healthz"),
        queued: Callable[[str], bool] = lambda _session: True,
    ) -> None:
        """`queued(session_hash)`: whether Gradio's queue has messages waiting for that session."""
        self.app, self.events, self.skip, self.queued = app, events, skip, queued

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or path.startswith(self.skip):
            return await self.app(scope, receive, send)
        if path.rstrip("/") in HIDDEN or path in HIDDEN:
            return await error(404, "not_found", "not found; the API is described at /api/openapi.json")(
                scope, receive, send
            )
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        heartbeat = HEARTBEAT.match(path)
        for session in [*query.get("session_hash", []), *([heartbeat["session"]] if heartbeat else [])]:
            problem = session_problem(session)
            if problem:
                return await error(400, "bad_request", problem)(scope, receive, send)
        if STREAM.match(path) and not all(self.queued(s) for s in query.get("session_hash", [])):
            return await session_not_found()(scope, receive, send)
        call = CALL.match(path)
        if call is None or scope["method"] != "POST":
            return await self.app(scope, receive, send)
        body = await read_body(receive)
        try:
            document = parsed(body)
            problem = call_problem(document, call["name"], self.events)
        except ValueError:
            problem = "the body must be a JSON object (UTF-8)"
        if problem:
            return await error(400, "bad_request", problem)(scope, receive, send)
        filled = completed(document, call["name"], self.events)
        if filled is not None:
            body, scope = filled, with_length(scope, len(filled))
        await self.app(scope, replaying(body, receive), send)


def session_not_found() -> Response:
    """Gradio's own answer to a stream of a session its queue does not know, as one event."""
    event = UnexpectedErrorMessage(message="404: Not Found", session_not_found=True).model_dump()
    return Response(f"data: {json.dumps(event)}\n\n", media_type="text/event-stream")


async def read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        event = await receive()
        if event["type"] != "http.request":
            return b""
        chunks.append(event.get("body", b""))
        if not event.get("more_body", False):
            return b"".join(chunks)


def with_length(scope: Scope, length: int) -> Scope:
    """`scope` with its Content-Length header saying `length` (for a body the guard rewrote)."""
    headers = [(k, v) for k, v in scope.get("headers", []) if k.lower() != b"content-length"]
    return {**scope, "headers": [*headers, (b"content-length", str(length).encode("ascii"))]}
