"""What the server keeps of each chat session, and for how long (issue 20, items 16-17).

Gradio keeps one `SessionState` per session id it is sent: the session's State values and its
own copy of the components an event replaced, and besides them a copy of every component's
configuration, kept up to date with each value shown (the whole chat, after every message), so
that a visitor could share a "deep link" to the page as it stands. The widget offers no deep
links (the route is not served: faqbot.web.guard), so that copy is memory for nothing: about
30 KB a session, which a visitor opening sessions, or a busy day, turns into tens of MB.
`LeanSessions` keeps sessions without it. A session idle for `IDLE_SECONDS` is dropped whole
(`forget_idle_sessions`); Gradio's session cap (`SESSIONS`) bounds how many are kept meanwhile.

    holder = use_lean_sessions(app, widget)   # after gr.mount_gradio_app
"""

from __future__ import annotations

import datetime
import os
import time
from copy import copy
from typing import Any

import gradio as gr
from gradio.components import State
from gradio.routes import App
from gradio.state_holder import SessionState, StateHolder

from faqbot.web.widget import IDLE_SECONDS

SESSIONS = 2000  # chat sessions kept at most (Gradio's default, 10,000, lets a flood hold far more memory)


class LeanSession(SessionState):
    """A Gradio session without the copy of the page's configuration that only deep links read.

    Everything else is Gradio's: State values with their time to live, and the components an
    event replaced for this session (`gr.update(...)` of a component's properties: the input
    box's wording in English, the chat with the 👍/👎 its customer gave, about 3.6 KB). A
    component replaced by one with the same properties (Gradio makes one for every `gr.skip()`)
    is not kept: the page's own serves.
    """

    def __init__(self, blocks: gr.Blocks) -> None:  # noqa: D107 -- SessionState's fields, config_values left empty
        self.blocks_config = copy(blocks.default_config)
        self.page_blocks = blocks.default_config.blocks  # the page's own components, shared by every session
        self.config_values: dict[int, Any] = {}
        self.state_data: dict[int, Any] = {}
        self._state_ttl: dict[int, tuple[float, datetime.datetime]] = {}
        self.is_closed = False
        self.STATE_TTL_WHEN_CLOSED = 1 if os.getenv("GRADIO_IS_E2E_TEST", None) else 3600

    def __setitem__(self, key: int, value: Any) -> None:
        block = self.blocks_config.blocks.get(key)
        if isinstance(block, State):
            self._state_ttl[key] = (block.time_to_live, datetime.datetime.now())
            self.state_data[key] = value
        elif same_component(value, self.page_blocks.get(key)):
            self.blocks_config.blocks[key] = self.page_blocks[key]
        else:
            self.blocks_config.blocks[key] = value

    def _update_config(self, key: int) -> None:
        """Nothing to update: no configuration is kept."""

    def _update_value_in_config(self, key: int, value: Any) -> None:
        """Nothing to update: no configuration is kept."""


def same_component(component: Any, other: Any) -> bool:
    """Whether two components are of one class, made with the same properties (their value aside)."""
    if type(component) is not type(other) or not isinstance(component, gr.components.Component):
        return False

    def properties(block: Any) -> dict[str, Any]:
        return {name: value for name, value in block.constructor_args.items() if name not in ("render", "value")}

    return properties(component) == properties(other)


class LeanSessions(StateHolder):
    """Gradio's session store, making `LeanSession`s."""

    def __getitem__(self, session_id: str) -> SessionState:
        if session_id not in self.session_data:
            self.session_data[session_id] = LeanSession(self.blocks)
        return super().__getitem__(session_id)


def use_lean_sessions(app: Any, widget: gr.Blocks) -> LeanSessions:
    """Have the Gradio `app` that `gr.mount_gradio_app` made for `widget` keep `LeanSession`s."""
    holder = LeanSessions()
    holder.set_blocks(widget)
    gradio_app = next(route.app for route in app.routes if isinstance(getattr(route, "app", None), App))
    gradio_app.state_holder = holder
    return holder


def forget_idle_sessions(app: gr.Blocks, idle: float = IDLE_SECONDS, every: float = 60.0) -> None:
    """Drop whole sessions (Gradio's copy of their page and last values) idle for `idle` seconds.

    Gradio expires a session's State by itself, but keeps the rest of the session until its
    session cap pushes it out; a visitor who opened many sessions would hold that memory.
    """
    while True:
        time.sleep(every)
        drop_idle_sessions(app, idle)


def drop_idle_sessions(app: gr.Blocks, idle: float) -> int:
    """One sweep of `forget_idle_sessions`; returns how many sessions were dropped."""
    holder = getattr(app, "state_holder", None)
    if holder is None:
        return 0
    cutoff = datetime.datetime.now() - datetime.timedelta(seconds=idle)
    with holder.lock:
        idle_ids = [session for session, used in list(holder.time_last_used.items()) if used < cutoff]
        for session in idle_ids:
            holder.session_data.pop(session, None)
            holder.time_last_used.pop(session, None)
    return len(idle_ids)
