"""Serving the widget: `faqbot serve` and `python app.py`, by default on http://127.0.0.1:7860."""

from __future__ import annotations

import os
from pathlib import Path

import gradio as gr

from faqbot.bot import FaqBot
from faqbot.errors import FaqbotError
from faqbot.web.widget import CSS, THEME, build_app

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7860


def launch(
    app: gr.Blocks, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, block: bool = True, trusted_proxy: str = ""
) -> None:
    """Serve the widget; with block=False return once it is up (for tests).

    `trusted_proxy` (comma-separated addresses or networks) is where X-Forwarded-For is believed.
    """
    # The server (uvicorn) rewrites a request's client address from X-Forwarded-For when the
    # request comes from one of these; by default it trusts 127.0.0.1, which would let any local
    # process pick its own address and slip past the rate limit. Our setting decides, not the
    # environment.
    os.environ["FORWARDED_ALLOW_IPS"] = trusted_proxy
    try:
        app.launch(
            server_name=host,
            server_port=port,
            share=False,
            show_error=False,  # a customer never sees a traceback
            footer_links=[],
            run_history=False,  # customers' questions are not kept in browser storage
            ssr_mode=False,
            pwa=False,
            mcp_server=False,
            enable_monitoring=False,
            prevent_thread_lock=not block,
            quiet=not block,
            theme=THEME,
            css=CSS,
        )
    except OSError as err:  # Gradio's way of saying the port is taken
        raise FaqbotError(
            f"cannot listen on {host}:{port} ({err}); choose another with --port or FAQBOT_PORT"
        ) from None


def listen_address(host: str | None = None, port: int | str | None = None) -> tuple[str, int]:
    """Host and port from the arguments, else FAQBOT_HOST / FAQBOT_PORT, else 127.0.0.1:7860."""
    host = host or os.environ.get("FAQBOT_HOST") or DEFAULT_HOST
    raw = port if port is not None else os.environ.get("FAQBOT_PORT") or DEFAULT_PORT
    try:
        number = int(raw)
    except ValueError:
        number = -1
    if not 0 < number < 65536:
        raise FaqbotError(f"the port must be a number from 1 to 65535, such as {DEFAULT_PORT}, not {raw!r}")
    return host, number


def serve(
    faq: str | Path | None = None,
    index: str | Path | None = None,
    config: str | Path | None = None,
    host: str | None = None,
    port: int | None = None,
) -> None:
    """`faqbot serve` and `python app.py`: the chat widget, by default on http://127.0.0.1:7860."""
    host, port = listen_address(host, port)
    bot = FaqBot.from_settings(faq, index, config)
    launch(build_app(bot), host, port, trusted_proxy=bot.config.trusted_proxy)
