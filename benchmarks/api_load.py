"""Load test of the JSON API: N concurrent clients send a fixed number of questions to /api/ask.

    python benchmarks/api_load.py                      # starts `python app.py` on a free port, limit off
    python benchmarks/api_load.py --clients 16 --requests 1200
    python benchmarks/api_load.py --url http://127.0.0.1:7860/   # an app already running

Without --url the script copies the shipped FAQ and settings to a temporary folder, turns the
rate limit off there (rate_limit_per_minute: 0), builds the index, serves it with the
conversation log on (as in production) and stops it afterwards. Each client is one
asyncio task with its own keep-alive connection (httpx), sending its share of the requests
back to back; questions cycle through a mixed list (answers, English, off-topic, small talk).

Prints answers per second over the whole run, p50/p95/max latency, errors (a non-200 status,
a transport error, or a reply of kind "error"), the load average before and after, and the
server's CPU time per answer (from /proc, when it runs here).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from benchmarks.measure import cpu_seconds
from benchmarks.webapp import running_app
from faqbot.staff.evaluate import percentile

ROOT = Path(__file__).resolve().parent.parent

QUESTIONS = [
    "Kan jag ringa er?",
    "Hur ofta tar ni backup?",
    "Vad kostar ett webbhotell?",
    "Can I call you?",
    "Hur säger jag upp mitt avtal?",
    "Vad är huvudstaden i Frankrike?",
    "Var ligger ert kontor?",
    "Where is your office located?",
    "Hjälper ni till med WordPress-uppdateringar?",
    "Tack så mycket!",
]


def prepare(folder: Path) -> None:
    """A copy of the shipped FAQ with the rate limit off, and its index, in `folder`."""
    shutil.copy(ROOT / "data" / "faq.yaml", folder / "faq.yaml")
    settings = (ROOT / "data" / "config.yaml").read_text(encoding="utf-8")
    settings = re.sub(r"(?m)^rate_limit_per_minute:.*$", "rate_limit_per_minute: 0", settings)
    (folder / "config.yaml").write_text(settings, encoding="utf-8")
    paths = ["--faq", "faq.yaml", "--index", "index", "--config", "config.yaml"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run(
        [sys.executable, "-m", "faqbot", "index", *paths], cwd=folder, env=env, check=True, capture_output=True
    )


async def client(url: str, count: int, offset: int, latencies: list[float], errors: list[str]) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=60) as http:
        for n in range(count):
            question = QUESTIONS[(offset + n) % len(QUESTIONS)]
            started = time.perf_counter()
            try:
                response = await http.post("/api/ask", json={"question": question})
                ok = response.status_code == 200 and response.json().get("kind") != "error"
                detail = f"{response.status_code} {response.text[:80]}"
            except httpx.HTTPError as err:
                ok, detail = False, repr(err)
            latencies.append(time.perf_counter() - started)
            if not ok:
                errors.append(detail)


async def load(url: str, clients: int, requests: int) -> tuple[float, list[float], list[str]]:
    latencies: list[float] = []
    errors: list[str] = []
    shares = [requests // clients + (1 if i < requests % clients else 0) for i in range(clients)]
    started = time.perf_counter()
    await asyncio.gather(*(client(url, share, i, latencies, errors) for i, share in enumerate(shares)))
    return time.perf_counter() - started, latencies, errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="an app already running (its rate limit must be off)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (default 16)")
    parser.add_argument("--requests", type=int, default=1200, help="questions in all (default 1200)")
    parser.add_argument("--warmup", type=int, default=40, help="questions sent first and not counted")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="faqbot-api-load-") as tmp, contextlib.ExitStack() as app:
        process = None
        url = args.url
        if url is None:
            prepare(Path(tmp))
            url, process = app.enter_context(running_app(Path(tmp), Path(tmp) / "conversations.db"))
        asyncio.run(load(url, min(args.clients, args.warmup or 1), args.warmup))
        load_before = os.getloadavg()
        cpu_before = cpu_seconds(process.pid) if process else None
        elapsed, latencies, errors = asyncio.run(load(url, args.clients, args.requests))
        cpu = cpu_seconds(process.pid) - cpu_before if process and cpu_before is not None else None
        load_after = os.getloadavg()
    answered = len(latencies) - len(errors)
    print(f"faqbot API load: {args.clients} clients, {args.requests} requests to {url}api/ask, {os.cpu_count()} cores")
    print(f"load average before: {load_before[0]:.1f}, after: {load_after[0]:.1f}")
    print(f"throughput: {answered / elapsed:.1f} answers/s ({answered} answered in {elapsed:.1f} s)")
    print(
        f"latency: p50 {statistics.median(latencies) * 1000:.0f} ms, p95 {percentile(latencies, 0.95) * 1000:.0f} ms,"
        f" max {max(latencies) * 1000:.0f} ms"
    )
    if cpu is not None:
        print(f"server CPU: {cpu:.1f} s, {cpu / max(answered, 1) * 1000:.1f} ms per answer")
    print(f"errors: {len(errors)}" + (f" (first: {errors[0]})" if errors else ""))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
