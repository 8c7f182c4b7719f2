"""Many customers at once: simulated chats against a running chat widget.

    faqbot serve &                                       # or: python app.py
    python examples/load_test.py --chats 50 --messages 10
    python examples/load_test.py --url http://127.0.0.1:8080/ --chats 100

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
import statistics
import time

import httpx
from soak_test import FAILED, LIMITED, QUESTIONS, Chat, endpoints, text_of  # the same client, one copy


async def one_chat(
    url: str,
    fns: dict[str, int],
    messages: int,
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
            question = QUESTIONS[(offset + n) % len(QUESTIONS)]
            began = time.perf_counter()
            try:
                _, conversation = await chat.ask(question)
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


async def run(url: str, chats: int, messages: int) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        fns = await endpoints(client)

    seconds: list[float] = []
    errors: list[str] = []
    start = asyncio.Event()
    tasks = [asyncio.create_task(one_chat(url, fns, messages, n, start, seconds, errors)) for n in range(chats)]
    began = time.perf_counter()
    start.set()
    await asyncio.gather(*tasks)
    wall = time.perf_counter() - began

    if seconds:
        ordered = sorted(seconds)
        p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
        print(
            f"{chats} chats x {messages} messages: {len(seconds)} answered in {wall:.1f} s "
            f"({len(seconds) / wall:.1f}/s); per message median {statistics.median(seconds) * 1000:.0f} ms, "
            f"p95 {p95 * 1000:.0f} ms, max {ordered[-1] * 1000:.0f} ms"
        )
    print(f"errors: {len(errors)}")
    for error in errors[:10]:
        print("  " + error)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:7860/")
    parser.add_argument("--chats", type=int, default=50, help="customers at once (default 50)")
    parser.add_argument("--messages", type=int, default=10, help="messages per customer (default 10)")
    args = parser.parse_args()
    asyncio.run(run(args.url if args.url.endswith("/") else args.url + "/", args.chats, args.messages))


if __name__ == "__main__":
    main()
