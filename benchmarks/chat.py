"""The benchmark's HTTP side: `faqbot ask` and `faqbot index` as processes, and the chat app
served by `faqbot serve` on 127.0.0.1, driven the way a browser tab drives it."""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from benchmarks.measure import HTTP_QUESTIONS, ROOT, edit_one_entry, ms, process_rss


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def faqbot_command() -> list[str]:
    return [sys.executable, "-m", "faqbot.cli"]


def paths_args(folder: Path) -> list[str]:
    return [
        "--faq",
        str(folder / "faq.yaml"),
        "--index",
        str(folder / "index"),
        "--config",
        str(folder / "config.yaml"),
    ]


def bench_cli(work: Path) -> dict:
    """`faqbot ask` from process start to its answer, and `faqbot index` after one edit."""
    folder = work / "model"  # built by the model worker
    env = {**os.environ, "FAQBOT_LOG": str(work / "cli-log.db")}
    ask = []
    for question in HTTP_QUESTIONS[:5]:
        started = time.perf_counter()
        process = subprocess.Popen(
            faqbot_command() + ["ask", question, "--json", *paths_args(folder)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=env,
            cwd=ROOT,
        )
        line = process.stdout.readline() if process.stdout else ""
        ask.append(time.perf_counter() - started)
        process.wait(timeout=120)
        if not line.startswith("{"):
            raise RuntimeError(f"faqbot ask printed {line!r}")
    index = []
    for round_ in range(5):
        edit_one_entry(folder / "faq.yaml", 10 + round_)
        started = time.perf_counter()
        subprocess.run(
            faqbot_command() + ["index", *paths_args(folder)],
            check=True,
            capture_output=True,
            env=env,
            cwd=ROOT,
            timeout=300,
        )
        index.append(time.perf_counter() - started)
    return {"ask_start_s": ms(ask), "index_one_edit_s": statistics.median(index)}


class ChatClient:
    """One customer's browser tab, speaking Gradio's HTTP API (queue/join + server-sent events).

    One persistent HTTP connection per customer, as a browser keeps. (gradio_client opens a new
    HTTP client, with a new TLS context, for every call: about 100 ms of client CPU per call,
    which on a 2-core machine would be measured as the server's latency.)
    """

    FAILED = ("Något gick fel", "Something went wrong")

    def __init__(self, url: str, functions: dict[str, int]) -> None:
        import uuid

        import httpx

        self.http = httpx.Client(base_url=url.rstrip("/") + "/gradio_api", timeout=120)
        self.session = uuid.uuid4().hex[:12]
        self.functions = functions
        self.call("welcome", [None])  # the page load: a fresh conversation

    @staticmethod
    def functions_of(url: str) -> dict[str, int]:
        import httpx

        config = httpx.get(url.rstrip("/") + "/config", timeout=30).json()
        return {d["api_name"]: d["id"] for d in config["dependencies"] if d.get("api_name")}

    def call(self, api_name: str, data: list) -> list:
        joined = self.http.post(
            "/queue/join",
            json={
                "data": data,
                "fn_index": self.functions[api_name],
                "session_hash": self.session,
                "event_data": None,
                "trigger_id": None,
            },
        )
        joined.raise_for_status()
        event = joined.json()["event_id"]
        with self.http.stream("GET", "/queue/data", params={"session_hash": self.session}) as stream:
            for line in stream.iter_lines():
                if not line.startswith("data:"):
                    continue
                message = json.loads(line[5:])
                if message.get("event_id") == event and message.get("msg") == "process_completed":
                    if not message.get("success"):
                        raise RuntimeError(f"{api_name}: {message.get('output')}")
                    return message["output"]["data"]
        raise RuntimeError(f"{api_name}: the event stream ended without a result")

    def chat(self, question: str) -> str:
        """Send one message the way the widget does (/send, then /answer); the reply's text."""
        self.call("send", [question, None])
        chat = self.call("answer", [None])[0]
        content = chat[-1].get("content", "") if chat else ""
        if isinstance(content, list):
            content = " ".join(part.get("text", "") for part in content if isinstance(part, dict))
        return str(content)

    def close(self) -> None:
        self.http.close()


def run_clients(url: str, clients: int, messages: int) -> dict:
    """`clients` chats at once, each sending `messages` questions one after another."""
    seconds: list[float] = []
    errors: list[str] = []
    ready = threading.Barrier(clients + 1, timeout=300)
    functions = ChatClient.functions_of(url)

    def chat(offset: int) -> None:
        try:
            client = ChatClient(url, functions)
        except Exception as err:
            errors.append(f"connect: {err}")
            ready.wait()
            return
        ready.wait()
        for n in range(messages):
            question = HTTP_QUESTIONS[(offset + n) % len(HTTP_QUESTIONS)]
            started = time.perf_counter()
            try:
                text = client.chat(question)
            except Exception as err:
                errors.append(f"{question}: {err}")
                continue
            seconds.append(time.perf_counter() - started)
            if not text or any(f in text for f in ChatClient.FAILED):
                errors.append(f"{question}: {text[:80]!r}")
        client.close()

    threads = [threading.Thread(target=chat, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    ready.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join(timeout=600)
    wall = time.perf_counter() - started
    return {
        "clients": clients,
        "messages": len(seconds),
        "latency": ms(seconds) if seconds else (0, 0),
        "per_s": len(seconds) / wall,
        "errors": len(errors),
        "error_samples": errors[:3],
    }


def bench_app(work: Path) -> dict:
    """Start `faqbot serve`, time it to its first answer, then load it with 1 and 16 clients."""
    import httpx

    folder = work / "model"
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    env = {
        **os.environ,
        "FAQBOT_LOG": str(work / "app-log.db"),
        "GRADIO_ANALYTICS_ENABLED": "False",
        "HF_HUB_OFFLINE": "1",
    }
    started = time.perf_counter()
    server = subprocess.Popen(
        faqbot_command() + ["serve", "--host", "127.0.0.1", "--port", str(port), *paths_args(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
        cwd=ROOT,
    )
    try:
        for _ in range(600):  # up to about 2 minutes
            if server.poll() is not None:
                raise RuntimeError(
                    f"faqbot serve exited: {server.stderr.read().decode()[-2000:] if server.stderr else ''}"
                )
            try:
                if httpx.get(url, timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        listening = time.perf_counter() - started
        client = ChatClient(url, ChatClient.functions_of(url))
        first = client.chat(HTTP_QUESTIONS[0])
        first_answer = time.perf_counter() - started
        if not first:
            raise RuntimeError("the app's first answer was empty")
        client.close()
        rss_idle = process_rss(server.pid)
        one = run_clients(url, 1, 60)
        many = run_clients(url, 16, 15)
        return {
            "listening_s": listening,
            "first_answer_s": first_answer,
            "rss_mb": rss_idle,
            "rss_after_load_mb": process_rss(server.pid),
            "one": one,
            "many": many,
        }
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
