"""What a chat session costs the server in memory: N new sessions of one message each, twice,
then N messages spread over 20 sessions (benchmarks/README.md, issue 20 items 16-17).

    python -m benchmarks.sessions            # N = 400, about a minute

The app runs as `python app.py` over the shipped FAQ (as in benchmarks/flood.py, 127.0.0.1
trusted as the proxy so each session is a customer of its own address). Resident memory
(VmRSS) is read from /proc a second after each step.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import tempfile
import time
from pathlib import Path

import httpx

from benchmarks.flood import prepare
from benchmarks.webapp import Chat, endpoints, running_app

QUESTION = "Hur ofta tar ni backup?"


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
    return 0.0


async def steps(url: str, pid: int, n: int) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        fns = await endpoints(client)
        warm = Chat(client, fns, address="10.0.0.1")
        for _ in range(5):
            await warm.ask(QUESTION)
        before = rss_mb(pid)
        print(f"server RSS after warming up: {before:.1f} MB")
        for label, octet in (("new sessions, one message each", 1), ("more new sessions", 2)):
            for i in range(n):
                await Chat(client, fns, address=f"10.{octet}.{i // 256}.{i % 256}").ask(QUESTION)
            time.sleep(1)
            after = rss_mb(pid)
            print(f"{n} {label}: +{after - before:.1f} MB ({1024 * (after - before) / n:.0f} KB a session)")
            before = after
        chats = [Chat(client, fns, address=f"10.3.0.{i}") for i in range(20)]
        for i in range(n):
            await chats[i % 20].ask(QUESTION)
        time.sleep(1)
        print(f"{n} messages in 20 sessions: +{rss_mb(pid) - before:.1f} MB")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=400, help="sessions (and messages) per step")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="faqbot-sessions-"))
    try:
        prepare(folder)
        with running_app(folder, folder / "conversations.db") as (url, app):
            asyncio.run(steps(url, app.pid, args.n))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
