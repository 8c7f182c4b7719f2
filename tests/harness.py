"""The app as a process on 127.0.0.1, and a customer's chat with it over HTTP: the harness of the
tests that drive the app from outside (test_http, test_api, test_browser, test_deploy), which the
benchmarks share (benchmarks/webapp.py adds what only they need):

    with running_app(folder, folder / "conversations.db") as (url, process):
        async with httpx.AsyncClient(base_url=url) as client:
            chat = Chat(client, await endpoints(client), address="10.0.0.1")
            answered = await chat.ask("Kan jag ringa er?")

A chat speaks the HTTP call the widget's page makes for each message: `ask`, the message in,
the chat with its answer out.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
FAILED = ("Något gick fel", "Something went wrong")
LIMITED = ("Du har skickat många frågor", "You have sent a lot of questions")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class AppDidNotStart(RuntimeError):
    """The app exited, or did not answer HTTP in time; the message holds what it printed."""


@contextmanager
def running_app(
    folder: Path,
    log: Path | str,
    *args: str,
    timeout: float = 180,
    script: Path = ROOT / "app.py",
    port: int | None = None,
) -> Iterator[tuple[str, subprocess.Popen]]:
    """`python app.py` (or `script`, taking the same options) over faq.yaml, index/ and config.yaml
    in `folder`, writing its conversation log to `log` (a SQLite file or a postgresql:// URL);
    yields (url, process) once it answers HTTP, and stops it afterwards. Its output goes to
    folder/app.log. It listens on `port`, or on a free one."""
    port = port or free_port()
    env = {**os.environ, "FAQBOT_LOG": str(log), "PYTHONUNBUFFERED": "1"}
    env.pop("FAQBOT_HOST", None)
    paths = ["--faq", "faq.yaml", "--index", "index", "--config", "config.yaml"]
    with open(folder / "app.log", "w+", encoding="utf-8") as output:
        app = subprocess.Popen(
            [sys.executable, str(script), "--port", str(port), *paths, *args],
            cwd=folder,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}/"
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    urllib.request.urlopen(url, timeout=2).close()
                    break
                except OSError:
                    if app.poll() is not None or time.monotonic() > deadline:
                        output.seek(0)
                        raise AppDidNotStart(f"the app did not start:\n{output.read()}") from None
                    time.sleep(0.2)
            yield url, app
        finally:
            app.terminate()
            try:
                app.wait(15)
            except subprocess.TimeoutExpired:
                app.kill()
                app.wait()


def text_of(message: dict) -> str:
    """A chat message's text, whether Gradio sent it as a string or as a list of parts."""
    content = message.get("content", "")
    if isinstance(content, list):
        return " ".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return str(content)


async def endpoints(client: httpx.AsyncClient, address: str | None = None) -> dict[str, int]:
    """The widget's event numbers by name (`send`, `answer`, ...), from the app's /config, asked
    as the customer at `address` (X-Forwarded-For) when given: every request counts against its
    client's budget, and the test machine's own address is shared by every test of a module."""
    headers = {"X-Forwarded-For": address} if address else {}
    response = await client.get("config", headers=headers)
    assert response.status_code == 200, f"/config: {response.status_code} {response.text[:200]}"
    config = response.json()
    return {d["api_name"]: d["id"] for d in config["dependencies"] if d.get("api_name")}


class Chat:
    """One customer's chat session (a browser tab), over the HTTP calls the widget's page makes.

    `address` is sent as X-Forwarded-For, as a reverse proxy would: an app that trusts
    127.0.0.1 as its proxy then rate-limits each chat as a customer of its own.
    """

    def __init__(self, client: httpx.AsyncClient, fns: dict[str, int], address: str | None = None) -> None:
        self.client, self.fns = client, fns
        self.session = uuid.uuid4().hex[:11]
        self.headers = {"X-Forwarded-For": address} if address else {}

    async def ask(self, text: str) -> list[dict]:
        """Type `text` and press Enter: the chat with the message and its answer (or a notice).

        The page shows the message at once, in the browser; the server gets one call, `ask`,
        answered in its HTTP response (no queue, no event stream).
        """
        done = await self.client.post(
            "gradio_api/run/ask",
            headers=self.headers,
            json={"data": [text, None], "fn_index": self.fns["ask"], "session_hash": self.session},
        )
        done.raise_for_status()
        return chat_of(done.json()["data"][0])


def chat_of(output: list | dict) -> list[dict]:
    """The chat in the widget's answer: the messages, which come as an update with the 👍/👎 given
    on them (`feedback_value`) when the customer has written, as a plain list otherwise."""
    return output["value"] if isinstance(output, dict) else output


def cli_paths(folder) -> list[str]:
    """The options that point a faqbot command at the FAQ, index and settings in `folder`."""
    return [
        "--faq",
        str(folder / "faq.yaml"),
        "--index",
        str(folder / "index"),
        "--config",
        str(folder / "config.yaml"),
    ]
