"""Many customers at once: simulated chats against a running chat widget.

    faqbot serve &                                       # or: python app.py
    python -m benchmarks.load --chats 50 --messages 10
    python -m benchmarks.load --url http://127.0.0.1:8080/ --chats 100

Each chat is its own session, as a browser tab is, and sends its messages one after another
over the same HTTP calls the widget's page makes: the message (`send`, answered at once), then
the answer (`answer`, through Gradio's queue, result streamed back). All chats start together.
Prints the time per message (median, 95th percentile, max; server and network, not the
browser's drawing) and how many replies failed, were the "something went wrong" message or
the rate-limit notice. Each chat sends its own X-Forwarded-For address; start the app with
`trusted_proxy: 127.0.0.1` (or `rate_limit_per_minute: 0`) in its settings, or all chats are
one customer to its rate limit.
The client is one asyncio process, so that it takes little of the CPU the server needs.
"""

from __future__ import annotations

import argparse
import asyncio
import time

import httpx

from benchmarks.measure import ms
from benchmarks.soak import QUESTIONS
from benchmarks.webapp import FAILED, LIMITED, Chat, endpoints, text_of


async def one_chat(
    url: str,
    fns: dict[str, int],
    messages: int,
    questions: list[str],
    offset: int,
    start: asyncio.Event,
    seconds: list[float],
    errors: list[str],
) -> None:
    address = f"10.{offset // 65536 % 256}.{offset // 256 % 256}.{offset % 256 + 1}"  # one customer per chat
    async with httpx.AsyncClient(base_url=url, timeout=120) as client:
        chat = Chat(client, fns, address)
        await start.wait()
        for n in range(messages):
            question = questions[(offset + n) % len(questions)]
            began = time.perf_counter()
            try:
                conversation = await chat.ask(question)
            except Exception as err:  # counted and shown; the other chats go on
                errors.append(f"{question}: {type(err).__name__}: {err}")
                continue
            reply = text_of(conversation[-1]) if conversation else ""
            if any(text in reply for text in FAILED):
                errors.append(f"{question}: the error message")
            elif any(text in reply for text in LIMITED):  # not timed: no answer was worked out
                errors.append(f"{question}: rate limited (does the app trust 127.0.0.1 as its proxy?)")
            else:
                seconds.append(time.perf_counter() - began)


async def run(url: str, chats: int, messages: int, questions: list[str] = QUESTIONS) -> dict:
    """`chats` customers at once, each sending `messages` questions one after another."""
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        fns = await endpoints(client)
    seconds: list[float] = []
    errors: list[str] = []
    start = asyncio.Event()
    tasks = [
        asyncio.create_task(one_chat(url, fns, messages, questions, n, start, seconds, errors)) for n in range(chats)
    ]
    began = time.perf_counter()
    start.set()
    await asyncio.gather(*tasks)
    wall = time.perf_counter() - began
    return {
        "clients": chats,
        "messages": len(seconds),
        "latency": ms(seconds) if seconds else (0.0, 0.0),
        "max_ms": max(seconds, default=0.0) * 1000,
        "per_s": len(seconds) / wall,
        "wall_s": wall,
        "errors": len(errors),
        "error_samples": errors[:10],
    }


def report(result: dict, messages: int) -> None:
    median, p95 = result["latency"]
    print(
        f"{result['clients']} chats x {messages} messages: {result['messages']} answered in {result['wall_s']:.1f} s "
        f"({result['per_s']:.1f}/s); per message median {median:.0f} ms, p95 {p95:.0f} ms, max {result['max_ms']:.0f} ms"
    )
    print(f"errors: {result['errors']}")
    for error in result["error_samples"]:
        print("  " + error)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:7860/")
    parser.add_argument("--chats", type=int, default=50, help="customers at once (default 50)")
    parser.add_argument("--messages", type=int, default=10, help="messages per customer (default 10)")
    args = parser.parse_args()
    url = args.url if args.url.endswith("/") else args.url + "/"
    report(asyncio.run(run(url, args.chats, args.messages)), args.messages)


if __name__ == "__main__":
    main()
