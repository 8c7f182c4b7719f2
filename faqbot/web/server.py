"""Serving the widget and the JSON API: `faqbot serve` and `python app.py`, by default on
http://127.0.0.1:7860.

One FastAPI app holds the API's routes (faqbot.web.api: /api/ask, /api/feedback, /healthz,
/api/openapi.json) with the Gradio widget mounted under it at /, so both share one port, one
`FaqBot` and one rate limit. uvicorn serves it; Gradio's own `launch` is not used, so nothing
offers a public share link.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import socket
import threading
import time

import gradio as gr
import uvicorn
from fastapi import FastAPI

from faqbot.bot import FaqBot
from faqbot.config import DEFAULT_HOST, DEFAULT_PORT, Settings
from faqbot.errors import FaqbotError
from faqbot.web.api import BodyLimit, create_api
from faqbot.web.guard import WidgetGuard, widget_events
from faqbot.web.headers import ChatHeaders
from faqbot.web.ratelimit import ClientBudget, ProxyCheck, RequestBudget, Tarpit
from faqbot.web.serverlog import guard_server_log
from faqbot.web.serving import GRACEFUL_SECONDS, TellingServer, listening_socket
from faqbot.web.sessions import SESSIONS, forget_idle_sessions, use_lean_sessions
from faqbot.web.widget import CSS, PAGE_SCRIPT, THEME, build_app
from faqbot.wording import message

START_TIMEOUT = 30.0
M_ARENA_MAX = -8  # glibc's mallopt parameter (malloc.h)
# Any request's body, on any route (the widget's calls, Gradio's own routes, the API): a message
# of 5,000 characters, every one \u-escaped, is ~30 KB; nothing the widget sends comes near this.
MAX_REQUEST_BYTES = 256 * 1024


def create_app(bot: FaqBot) -> FastAPI:
    """The API with the chat widget mounted at /, sharing one per-client rate limit.

    Every request body over MAX_REQUEST_BYTES gets 413 before anything reads it (the API's
    own routes allow less, see faqbot.web.api), so the app is bounded without nginx in front;
    a client past its message budget waits TARPIT_SECONDS before each request is handled
    (faqbot.web.ratelimit.Tarpit), so its refusals cannot crowd out other customers; every
    request of any kind counts against the client's request budget (RequestBudget), so no
    route can be flooded for free; calls Gradio would fail on (odd session ids, events that do
    not exist, missing values) are refused before it sees them (faqbot.web.guard); a proxy
    that `trusted_proxy` does not name is reported in the server's log (ProxyCheck).
    """
    budget = ClientBudget(lambda: bot.config.rate_limit_per_minute)
    app = create_api(bot, budget)
    widget = build_app(bot, budget)
    widget.state_session_capacity = SESSIONS  # read when the app is mounted
    threading.Thread(target=forget_idle_sessions, args=(widget,), daemon=True, name="idle-sessions").start()
    app = gr.mount_gradio_app(
        app,
        widget,
        path="/",
        show_error=False,  # a customer never sees a traceback
        footer_links=[],
        run_history=False,  # customers' questions are not kept in browser storage
        ssr_mode=False,
        pwa=False,
        mcp_server=False,
        enable_monitoring=False,
        theme=THEME,
        css=CSS,
        js=PAGE_SCRIPT,
        # The widget takes no files: uploads (and recordings) of even one byte are refused,
        # so nobody can store files here to have them served back.
        max_file_size=0,
    )
    use_lean_sessions(app, widget)

    def queued(session: str) -> bool:
        """Whether Gradio's queue knows the session (a Gradio without that table answers for itself)."""
        pending = getattr(getattr(widget, "_queue", None), "pending_messages_per_session", None)
        return pending is None or session in pending

    # inside BodyLimit: reads bounded bodies
    app.add_middleware(WidgetGuard, events=widget_events(widget), queued=queued)
    app.add_middleware(BodyLimit, max_bytes=MAX_REQUEST_BYTES, prefix="/")  # every route
    # outer: a client past its budget waits before its body is even read
    app.add_middleware(Tarpit, limiter=budget.messages, limit=budget.limit)
    app.add_middleware(RequestBudget, budget=budget, refusal=lambda: message("rate_limited", "sv", bot.helpdesk))
    app.add_middleware(ProxyCheck, setting=lambda: bot.config.trusted_proxy)
    app.add_middleware(ChatHeaders)  # outermost: a refusal of any layer carries them too
    return app


def launch(
    app: FastAPI,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    block: bool = True,
    trusted_proxy: str = "",
    sock: socket.socket | None = None,
) -> uvicorn.Server:
    """Serve `app`; with block=False return the running server once it is up (for tests and benchmarks).

    `trusted_proxy` (comma-separated addresses or networks) is where X-Forwarded-For is believed.
    `sock`: the socket bound already for host:port (`serve` binds it before anything else).
    """
    sock = sock or listening_socket(host, port)
    # uvicorn rewrites a request's client address from X-Forwarded-For when the request comes
    # from one of these; left unset it trusts 127.0.0.1 (or $FORWARDED_ALLOW_IPS), which would let
    # any local process pick its own address and slip past the rate limit. Our setting decides.
    config = uvicorn.Config(
        app,
        log_level="warning",
        proxy_headers=True,
        forwarded_allow_ips=trusted_proxy,
        timeout_graceful_shutdown=GRACEFUL_SECONDS,
    )
    server = TellingServer(config)
    guard_server_log(streams=block)  # uvicorn.Config has made its log handlers; stderr only in a server process
    if block:
        print(f"faqbot: the chat on http://{host}:{port}/ and the API on http://{host}:{port}/api/ask", flush=True)
        server.run(sockets=[sock])
        return server
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="faqbot-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise FaqbotError(f"the server on {host}:{port} did not start; see the messages above")
        time.sleep(0.01)
    return server


def listen_address(settings: Settings) -> tuple[str, int]:
    """Host and port from the settings (--host/--port, else FAQBOT_HOST/FAQBOT_PORT, else
    127.0.0.1:7860); raises FaqbotError when the port is not one."""
    try:
        number = int(settings.port)
    except ValueError:
        number = -1
    if not 0 < number < 65536:
        raise FaqbotError(f"the port must be a number from 1 to 65535, such as {DEFAULT_PORT}, not {settings.port!r}")
    return settings.host, number


def bound_malloc_arenas(arenas: int | None = None) -> bool:
    """Have glibc's malloc keep at most `arenas` arenas in this process (default: one a core, at
    least two); False where it does not: not glibc, or MALLOC_ARENA_MAX set (the operator's choice).

    glibc gives threads that allocate at the same moment arenas of their own, up to eight a core,
    and each arena keeps the memory freed in it for the next allocation there. The server renders
    pages and answers in a pool of threads, so a burst of page loads from ten connections grew it
    by 13 MB that it never gave back (`python -m benchmarks.flood --attacks pages`); with two
    arenas, by 4.5 MB, at the same answer times. Called before the model's threads start.
    """
    if "MALLOC_ARENA_MAX" in os.environ:
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return bool(libc.mallopt(M_ARENA_MAX, arenas or max(2, os.cpu_count() or 2)))
    except (OSError, AttributeError):
        return False


def serve(settings: Settings) -> None:
    """`faqbot serve` and `python app.py`: the chat widget and the API, by default on http://127.0.0.1:7860."""
    bound_malloc_arenas()
    host, port = listen_address(settings)
    # bound first: a replica whose port is taken had written the published FAQ into its folder and
    # named itself among the replicas on the console's overview before failing (a walk-through)
    sock = listening_socket(host, port)
    published = fetch_published(settings)
    bot = FaqBot.from_settings(settings)
    follower = None
    if published is not None:
        from faqbot.retrieval.publish import Follower

        follower = Follower(bot.index, *published).start()  # keeps this replica on whatever staff publish next
    try:
        launch(create_app(bot), host, port, trusted_proxy=bot.config.trusted_proxy, sock=sock)
    finally:
        if follower is not None:
            follower.stop()
        # the rows a database away kept queued are written now, or their count is logged: a
        # walk-through stopped a replica (SIGTERM) while PostgreSQL was down and four went unsaid
        if bot.log is not None:
            bot.log.close()


def fetch_published(settings: Settings) -> tuple[str, int | None] | None:
    """With the log on PostgreSQL: write the newest index published there to the FAQ and index
    paths before the bot loads them; returns (the database, that generation). None with a SQLite
    log: the index on this disk is the one."""
    from faqbot.database import is_postgres

    if not is_postgres(settings.log_location):
        return None
    from faqbot.retrieval.publish import fetch_newest

    return settings.log_location, fetch_newest(settings.log_location, settings.faq_path, settings.index_dir)
