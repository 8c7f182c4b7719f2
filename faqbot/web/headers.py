"""Headers every response of an app carries, refusals and errors included: the chat's
(CHAT_HEADERS, `ChatHeaders`) and, through `with_headers`, the staff console's."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# No X-Frame-Options or frame-ancestors: the widget is made to be framed on the company's own
# site (docs/widget.md). Answers may link to other sites; those are not told which chat page
# the customer came from.
CHAT_HEADERS = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin")]


def with_headers(
    send: Send, headers: Sequence[tuple[bytes, bytes]], started: Callable[[], None] = lambda: None
) -> Send:
    """`send`, with `headers` put on the response's start (replacing any of the same names);
    `started` is called when the response starts."""
    names = {name for name, _ in headers}

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            started()
            kept = [(k, v) for k, v in message.get("headers", []) if k.lower() not in names]
            message["headers"] = kept + list(headers)
        await send(message)

    return sending


class AddHeaders:
    """ASGI middleware putting `headers` on every HTTP response of the app it wraps; a subclass
    names its headers and may serve the request its own way (`serve`)."""

    headers: Sequence[tuple[bytes, bytes]] = ()

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started: list[bool] = []
        await self.serve(scope, receive, with_headers(send, self.headers, lambda: started.append(True)), started)

    async def serve(self, scope: Scope, receive: Receive, send: Send, started: list[bool]) -> None:
        """Pass the request on; `started` is non-empty once the response has begun."""
        await self.app(scope, receive, send)


class ChatHeaders(AddHeaders):
    """CHAT_HEADERS on every response of the chat and its API (they had come only from the staff
    console; the chat sent none, and behind nginx none were added)."""

    headers = CHAT_HEADERS
