"""The staff console: the FAQ, what customers taught the bot, and how it is doing, in the browser.

    faqbot staff add-user anna           # asks for the password twice
    faqbot staff                         # http://127.0.0.1:7861/, never on the chat's port

Modules: accounts (users and sessions in the log's database), auth (throttling, CSRF, headers,
body limit), service (what the pages show and do, without HTTP), web (rendering, forms), app
(the routes). Nothing in faqbot imports this package but faqbot.cli.
"""

from __future__ import annotations

import threading

import uvicorn

from faqbot.config import Settings
from faqbot.errors import FaqbotError

DEFAULT_CONSOLE_PORT = 7861


def serve_console(settings: Settings, host: str = "127.0.0.1", port: int = DEFAULT_CONSOLE_PORT) -> None:
    """Serve the console until interrupted; refuses the chat's own port."""
    from faqbot.retrieval.embedding import RememberingEmbedder, load_embedder, use_embedder
    from faqbot.staff.console.accounts import StaffStore
    from faqbot.staff.console.app import create_console
    from faqbot.staff.console.auth import WILDCARD_ADDRESSES
    from faqbot.staff.console.service import Desk
    from faqbot.staff.console.web import Console
    from faqbot.web.serving import GRACEFUL_SECONDS, TellingServer, listening_socket

    if str(port) == str(settings.port):
        raise FaqbotError(
            f"the staff console never shares the chat's port ({settings.port}); choose another with --port"
        )
    sock = listening_socket(host, port, "--port")  # a taken port is said before the model loads
    # The review page ranks the log's phrasings on every visit: the console remembers their vectors.
    model = settings.config.model
    use_embedder(model, RememberingEmbedder(load_embedder(model)))
    store = StaffStore(settings.log_location)
    if not store.users():
        print("faqbot staff: no staff account yet; create one with: faqbot staff add-user NAME", flush=True)
    desk = Desk(settings)
    threading.Thread(target=desk.warm_up, name="review-warm-up", daemon=True).start()
    app = create_console(Console(desk, store), listening_on=host)
    # X-Forwarded-Proto/For are believed only from `trusted_proxy` (the chat's setting), so the
    # session cookie is Secure exactly when a trusted TLS proxy says the browser used https.
    config = uvicorn.Config(
        app,
        log_level="warning",
        proxy_headers=True,
        forwarded_allow_ips=settings.config.trusted_proxy,
        timeout_graceful_shutdown=GRACEFUL_SECONDS,
    )
    print(f"faqbot staff: the staff console on http://{host}:{port}/", flush=True)
    if not settings.config.staff_host and host.strip("[]") in WILDCARD_ADDRESSES:
        print(
            "faqbot staff: it answers only under 127.0.0.1 and localhost; name the host staff reach it"
            " under with staff_host in the settings file",
            flush=True,
        )
    TellingServer(config, "faqbot staff").run(sockets=[sock])
