"""The chat widget under load, on its own: throughput, latency, and memory under a refusal flood.

    python benchmarks/widget.py                       # 16 clients x 15 messages, then the flood
    python benchmarks/widget.py --profile out.txt     # the same, with py-spy on the server
    python benchmarks/widget.py --skip-flood          # throughput only
    python benchmarks/widget.py --before 5b86d68 --skip-flood --profile benchmarks/profile
                                  # that commit's widget, then today's, in turn, each profiled

Starts `faqbot serve` over a private copy of the shipped FAQ (indexed here, with the real
model), drives it as browser tabs do (benchmarks/webapp.py's Chat: one persistent
connection and one Gradio session per customer), and prints one JSON object per part:

- `throughput`: `--clients` customers at once, each sending `--messages` questions back to
  back; messages/s, latency median and p95, errors;
- `flood`: issue 15's repro: one address past its rate limit, `--sessions` sessions each
  sending `--refusals` messages of 5,000 characters; the server's resident memory before,
  right after, and its growth, plus other customers' latency (p50/p95, each customer within
  its own limit) during the flood next to the same on the idle server. The app trusts
  127.0.0.1 as a proxy here, so X-Forwarded-For gives each simulated customer its address.

`--before COMMIT` measures that commit's widget too, in the same run and with the same
client: its files (`git archive`) in a temporary folder, its own FAQ, settings and index, its
app.py; the two servers take turns (`--rounds`), so a change in the machine's load falls on
both. Chat (benchmarks/webapp.py) speaks either widget's protocol.

A `--profile PREFIX` run samples the server with py-spy (the `bench` extra) for the duration of
each throughput part and writes PREFIX-after-N.txt (and -before-N.txt, N the round): where the server's
busy time went by part (the bot, Gradio's processing, its queue, HTTP), then py-spy's top
functions by own and total time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from benchmarks import load  # noqa: E402
from benchmarks.measure import HTTP_QUESTIONS, cpu_seconds, ms, process_rss, shipped_copy  # noqa: E402
from benchmarks.webapp import Chat, endpoints, running_app  # noqa: E402


def limited(folder: Path, copy: Path, rate_limit: int) -> Path:
    """A copy of `folder` whose app limits each customer and trusts 127.0.0.1 to name them."""
    shutil.copytree(folder, copy)
    settings = copy / "config.yaml"
    text = settings.read_text(encoding="utf-8")
    text = text.replace("rate_limit_per_minute: 0", f"rate_limit_per_minute: {rate_limit}")
    text = re.sub(r"(?m)^trusted_proxy:.*$", 'trusted_proxy: "127.0.0.1"', text)
    settings.write_text(text, encoding="utf-8")
    return copy


def prepare(folder: Path, tree: Path = ROOT) -> Path:
    """The shipped FAQ and settings of `tree` (a faqbot checkout) in `folder`, indexed by that
    tree's own code (`python -m faqbot.cli` run inside it)."""
    shipped_copy(folder)
    if tree != ROOT:
        shutil.copy(tree / "data" / "faq.yaml", folder / "faq.yaml")
        text = (tree / "data" / "config.yaml").read_text(encoding="utf-8")
        text = re.sub(r"(?m)^rate_limit_per_minute:.*\n?", "", text).rstrip("\n") + "\nrate_limit_per_minute: 0\n"
        (folder / "config.yaml").write_text(text, encoding="utf-8")
    settings = folder / "config.yaml"
    subprocess.run(
        [sys.executable, "-m", "faqbot.cli", "index", "--faq", str(folder / "faq.yaml"), "--out", str(folder / "index"),
         "--config", str(settings)],
        check=True, capture_output=True, cwd=tree, timeout=300, env={**os.environ, "PYTHONPATH": str(tree)},
    )  # fmt: skip
    return folder


def checkout(commit: str, folder: Path) -> Path:
    """The files of `commit` (this repository's) in `folder`."""
    folder.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder


@contextmanager
def server(folder: Path, tree: Path = ROOT):
    """The app of `tree` over `folder`; yields (url, process) once it has answered one message.
    (`python tree/app.py` imports faqbot from tree/: a script's folder comes first on sys.path.)"""
    with running_app(folder, folder / "log.db", script=tree / "app.py") as (url, process):
        other_customer(url, 1)  # warm up
        yield url, process


def py_spy() -> str:
    """py-spy next to this Python (the `bench` extra), else on PATH."""
    beside = Path(sys.executable).parent / "py-spy"
    found = str(beside) if beside.exists() else shutil.which("py-spy")
    if found is None:
        raise SystemExit("--profile needs py-spy: pip install -e '.[bench]' (or put py-spy on PATH)")
    return found


def protocol(url: str) -> str:
    async def names() -> dict[str, int]:
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:
            return await endpoints(client)

    return "ask" if "ask" in asyncio.run(names()) else "send, then answer through the queue"


def throughput(url: str, pid: int, clients: int, messages: int, profile: Path | None) -> dict:
    spy = None
    if profile is not None:
        spy = subprocess.Popen(
            [py_spy(), "record", "--pid", str(pid), "--format", "raw",
             "--output", str(profile) + ".raw", "--rate", "200", "--nonblocking"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        time.sleep(1.0)
    load_before, cpu_before = os.getloadavg()[0], cpu_seconds(pid)
    try:
        result = asyncio.run(load.run(url, clients, messages, HTTP_QUESTIONS))
    finally:
        cpu = cpu_seconds(pid) - cpu_before
        if spy is not None:
            spy.send_signal(2)
            spy.wait(timeout=60)
    # The server's own CPU per message does not depend on how much of the cores it got:
    # 2 / that is what two free cores would give.
    result["server_cpu_ms_per_message"] = 1000 * cpu / max(result["messages"], 1)
    result["load_average"] = [round(load_before, 1), round(os.getloadavg()[0], 1)]
    result["protocol"] = protocol(url)
    return {k: v for k, v in result.items() if k != "error_samples" or v}


async def customer(url: str, texts: list[str], address: str | None = None) -> list[float]:
    """One customer (its own session and, through the trusted proxy header, its own address)
    sending `texts` one after another; the seconds each took."""
    seconds: list[float] = []
    async with httpx.AsyncClient(base_url=url, timeout=120) as client:
        chat = Chat(client, await endpoints(client), address)
        for text in texts:
            started = time.perf_counter()
            await chat.ask(text)
            seconds.append(time.perf_counter() - started)
    return seconds


def other_customer(url: str, count: int, address: str | None = None) -> list[float]:
    """Another customer (its own session and address) asking `count` questions, one after another."""
    return asyncio.run(customer(url, ["Hur ofta tar ni backup?"] * count, address))


def flood(url: str, pid: int, sessions: int, refusals: int) -> dict:
    """Issue 15 item 1: one address past its limit, big messages in many sessions."""
    idle: list[float] = []
    for n in range(4):  # 16 messages: within the limit of 20 for each address
        idle += other_customer(url, 4, f"192.0.2.{n + 1}")
    attacker_address = "203.0.113.66"
    other_customer(url, 20, attacker_address)  # the attacker reaches its limit
    before = process_rss(pid)
    during: list[float] = []
    started = time.perf_counter()

    def hostile() -> None:
        for _ in range(sessions):
            asyncio.run(customer(url, ["ö" * 5000] * refusals, attacker_address))

    attacker = threading.Thread(target=hostile)
    attacker.start()
    n = 0
    while attacker.is_alive():  # other customers, each within its own limit, during the flood
        n += 1
        during += other_customer(url, 4, f"198.51.100.{n % 250 + 1}")
    attacker.join()
    seconds = time.perf_counter() - started
    after = process_rss(pid)
    time.sleep(5)
    return {
        "sessions": sessions,
        "messages": sessions * refusals,
        "seconds": round(seconds, 1),
        "rss_before_mb": round(before, 1),
        "rss_after_mb": round(after, 1),
        "rss_growth_mb": round(after - before, 1),
        "rss_5s_later_mb": round(process_rss(pid), 1),
        "idle_customer_ms": [round(x, 1) for x in ms(idle)],
        "customer_during_flood_ms": [round(x, 1) for x in ms(during)],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--messages", type=int, default=15)
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--refusals", type=int, default=100)
    parser.add_argument("--profile", type=Path, help="write py-spy's summaries to PREFIX-after.txt (-before.txt)")
    parser.add_argument("--before", metavar="COMMIT", help="measure this commit's widget too, in turn with today's")
    parser.add_argument("--rounds", type=int, default=2, help="turns each server takes with --before")
    parser.add_argument("--skip-flood", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = prepare(Path(tmp) / "fast")
        runs = [("after", folder, ROOT)]
        if args.before:
            tree = checkout(args.before, Path(tmp) / "before-tree")
            runs.insert(0, ("before", prepare(Path(tmp) / "before", tree), tree))
        for round_ in range(args.rounds if args.before else 1):
            for label, data, tree in runs:
                profile = None if args.profile is None else Path(f"{args.profile}-{label}-{round_ + 1}")
                with server(data, tree) as (url, process):
                    result = throughput(url, process.pid, args.clients, args.messages, profile)
                print(json.dumps({"throughput": {"widget": label, "round": round_ + 1, **result}}), flush=True)
                if profile is not None:
                    summarise(Path(str(profile) + ".raw"), profile.with_suffix(".txt"))
                    Path(str(profile) + ".raw").unlink()
        if not args.skip_flood:
            with server(limited(folder, Path(tmp) / "limited", 20)) as (url, process):
                print(json.dumps({"flood": flood(url, process.pid, args.sessions, args.refusals)}))


# Where a message's CPU goes, by the innermost matching frame of each sample, first match wins.
PARTS = [
    ("the bot (FaqBot.ask: embedding, search, policy, log)", ("FaqBot.ask", "FaqBot._answer")),
    ("Gradio: pre/postprocessing and session state", ("preprocess_data", "postprocess_data", "state_holder")),
    ("Gradio: queue analytics (a pandas summary after every queued event)", ("compute_analytics_summary",)),
    ("Gradio: queue bookkeeping and event streams", ("queueing.py",)),
    ("Gradio: event routes (queue/join, queue/data, run)", ("gradio/routes.py", "route_utils.py")),
    ("HTTP and ASGI (uvicorn, starlette, fastapi, sockets)", ("uvicorn/", "starlette/", "fastapi/", "asyncio/")),
]
IDLE = ("Condition.wait", "Blocks.block_thread", "EpollSelector.select", "Event.wait")


def part_of(frames: list[str]) -> str:
    for label, marks in PARTS:
        if any(mark in frame for frame in frames for mark in marks):
            return label
    return "other"


def summarise(raw: Path, out: Path, top: int = 25) -> None:
    """py-spy's collapsed stacks as three tables: by part, own time and total time per function."""
    own: dict[str, int] = {}
    total: dict[str, int] = {}
    parts: dict[str, int] = {}
    samples = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        frames = stack.split(";")
        if frames[-1].startswith(IDLE):
            continue  # a thread waiting for work, not working
        samples += n
        own[frames[-1]] = own.get(frames[-1], 0) + n
        parts[part_of(frames)] = parts.get(part_of(frames), 0) + n
        for frame in set(frames):
            total[frame] = total.get(frame, 0) + n
    lines = [f"busy samples: {samples}", "", "by part:"]
    lines += [f"{100 * n / samples:5.1f} %  {p}" for p, n in sorted(parts.items(), key=lambda x: -x[1])]
    lines += ["", "own time:"]
    lines += [f"{100 * n / samples:5.1f} %  {f}" for f, n in sorted(own.items(), key=lambda x: -x[1])[:top]]
    lines += ["", "total time (function and what it calls):"]
    lines += [f"{100 * n / samples:5.1f} %  {f}" for f, n in sorted(total.items(), key=lambda x: -x[1])[: top * 2]]
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
