"""The benchmark's process side: `faqbot ask` and `faqbot index` as processes, and the chat app
on 127.0.0.1 (benchmarks/webapp.py), driven the way browser tabs drive it (benchmarks/load.py)."""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

from benchmarks import load
from benchmarks.measure import HTTP_QUESTIONS, ROOT, edit_one_entry, ms, process_rss
from benchmarks.webapp import Chat, endpoints, running_app, text_of
from tests.harness import cli_paths


def faqbot_command() -> list[str]:
    return [sys.executable, "-m", "faqbot.cli"]


def bench_cli(work: Path) -> dict:
    """`faqbot ask` from process start to its answer, and `faqbot index` after one edit."""
    folder = work / "model"  # built by the model worker
    env = {**os.environ, "FAQBOT_LOG": str(work / "cli-log.db")}
    ask = []
    for question in HTTP_QUESTIONS[:5]:
        started = time.perf_counter()
        process = subprocess.Popen(
            faqbot_command() + ["ask", question, "--json", *cli_paths(folder)],
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
            faqbot_command() + ["index", *cli_paths(folder)],
            check=True,
            capture_output=True,
            env=env,
            cwd=ROOT,
            timeout=300,
        )
        index.append(time.perf_counter() - started)
    return {"ask_start_s": ms(ask), "index_one_edit_s": statistics.median(index)}


async def first_answer(url: str, question: str) -> str:
    async with httpx.AsyncClient(base_url=url, timeout=120) as client:
        answered = await Chat(client, await endpoints(client)).ask(question)
    return text_of(answered[-1]) if answered else ""


def bench_app(work: Path) -> dict:
    """Start the app, time it to its first answer, then load it with 1 and 16 clients."""
    folder = work / "model"
    started = time.perf_counter()
    with running_app(folder, work / "app-log.db") as (url, server):
        listening = time.perf_counter() - started
        if not asyncio.run(first_answer(url, HTTP_QUESTIONS[0])):
            raise RuntimeError("the app's first answer was empty")
        first = time.perf_counter() - started
        rss_idle = process_rss(server.pid)
        one = asyncio.run(load.run(url, 1, 60, HTTP_QUESTIONS))
        many = asyncio.run(load.run(url, 16, 15, HTTP_QUESTIONS))
        return {
            "listening_s": listening,
            "first_answer_s": first,
            "rss_mb": rss_idle,
            "rss_after_load_mb": process_rss(server.pid),
            "one": one,
            "many": many,
        }
