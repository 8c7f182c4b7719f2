"""The app as a process and a chat with it over HTTP, for the benchmarks: the tests' harness
(tests/harness.py: running_app, Chat, endpoints, text_of) plus what only the benchmarks need, a
chat that also drives the widget from before its one `ask` call (benchmarks/widget.py --before).
"""

from __future__ import annotations

import json

from tests import harness
from tests.harness import FAILED, LIMITED, ROOT, AppDidNotStart, chat_of, endpoints, free_port, running_app, text_of

__all__ = ["FAILED", "LIMITED", "ROOT", "AppDidNotStart", "Chat", "endpoints", "free_port", "running_app", "text_of"]


class Chat(harness.Chat):
    """A customer's chat (tests.harness.Chat) that also speaks the widget from before `ask`."""

    async def ask(self, text: str) -> list[dict]:
        """As `tests.harness.Chat.ask`; a widget with no `ask` among its events is driven as its
        page did: `send`, then `answer`."""
        if "ask" not in self.fns:
            return await self._send_then_answer(text)
        return await super().ask(text)

    async def _send_then_answer(self, text: str) -> list[dict]:
        """The widget before `ask` (commit 5b86d68 and earlier), for benchmarks/widget.py --before:
        `send` (a direct call that showed the message), then `answer` through Gradio's queue, its
        result streamed back over the session's event stream."""
        sent = await self.client.post(
            "gradio_api/run/send",
            headers=self.headers,
            json={"data": [text, None], "fn_index": self.fns["send"], "session_hash": self.session},
        )
        sent.raise_for_status()
        joined = await self.client.post(
            "gradio_api/queue/join",
            headers=self.headers,
            json={"data": [None], "fn_index": self.fns["answer"], "session_hash": self.session},
        )
        joined.raise_for_status()
        event_id = joined.json()["event_id"]
        async with self.client.stream(
            "GET", "gradio_api/queue/data", params={"session_hash": self.session}, headers=self.headers
        ) as stream:
            async for line in stream.aiter_lines():
                if not line.startswith("data:"):
                    continue
                message = json.loads(line[5:])
                if message.get("event_id") == event_id and message.get("msg") == "process_completed":
                    if not message.get("success"):
                        raise RuntimeError(str(message.get("output", {}).get("error") or "the event failed"))
                    return chat_of(message["output"]["data"][0])
        raise RuntimeError("the event stream ended without a result")
