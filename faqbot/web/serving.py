"""The HTTP server of the chat and of the staff console: uvicorn's, saying when it stops."""

from __future__ import annotations

import contextlib
import signal
import socket
from collections.abc import Iterator
from types import FrameType

import uvicorn

from faqbot.errors import FaqbotError

GRACEFUL_SECONDS = 5  # on Ctrl-C or SIGTERM: how long requests under way may take to finish


class TellingServer(uvicorn.Server):
    """uvicorn's server, saying when it stops: it finishes the requests under way first (up to
    GRACEFUL_SECONDS), and a silent pause after Ctrl-C reads as a hang. `name` starts its lines."""

    def __init__(self, config: uvicorn.Config, name: str = "faqbot") -> None:
        super().__init__(config)
        self.name = name
        self.signalled: int | None = None

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if not self.should_exit:
            print(f"{self.name}: stopping; requests under way finish first (at most {GRACEFUL_SECONDS} s)", flush=True)
        self.signalled = sig
        super().handle_exit(sig, frame)

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        """uvicorn's, except that a SIGTERM is not raised again once the server has stopped: with
        the default handler back, that killed the process on the spot, before its caller's clean-up
        (the conversation log writing the rows a database away kept queued; "stopped" unsaid). A
        docs check found a replica stopped by systemd lost them without a word. The process then
        ends as its caller returns (exit status 0), its clean-up done."""
        with super().capture_signals():
            try:
                yield
            finally:
                self._captured_signals[:] = [s for s in self._captured_signals if s != signal.SIGTERM]

    def run(self, sockets: list[socket.socket] | None = None) -> None:
        # uvicorn raises the signal again once it has stopped (Ctrl-C ends the process as one)
        try:
            super().run(sockets=sockets)
        finally:
            if self.should_exit:
                print(f"{self.name}: stopped", flush=True)
        if self.signalled == signal.SIGINT:
            # asyncio's runner takes the raised SIGINT as a cancel of its main task, which may have
            # ended already: then the Ctrl-C was lost and the process exited 0 (seen under load)
            raise KeyboardInterrupt


def listening_socket(host: str, port: int, option: str = "--port or FAQBOT_PORT") -> socket.socket:
    """The server's socket, bound here so that a taken port is our error message, not uvicorn's
    exit after the address was already announced. `option`: how to choose another port."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        return socket.create_server((host.strip("[]"), port), family=family)
    except OSError as err:
        raise FaqbotError(
            f"cannot listen on {host}:{port} ({err.strerror or err}); choose another with {option}"
        ) from None
