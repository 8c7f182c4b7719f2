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
import json
import statistics
import time
import uuid

import httpx

QUESTIONS = [
    "Kan jag ringa er?",
    "Hur ofta tar ni backup?",
    "Vad är huvudstaden i Frankrike?",
    "Can I call you?",
    "Hur säger jag upp mitt avtal?",
    "Vilka program använder ni?",
]
FAILED = ("Något gick fel", "Something went wrong")
LIMITED = ("Du har skickat många frågor", "You have sent a lot of questions")


def last_text(chat: list[dict]) -> str:
    content = chat[-1].get("content", "") if chat else ""
    if isinstance(content, list):
        return " ".join(part.get("text", "") for part in content if isinstance(part, dict))
    return str(content)


async def answer(client: httpx.AsyncClient, session: str, fn: int) -> list[dict]:
    """Join the queue for the `answer` event and wait for its result on the event stream."""
    joined = await client.post("gradio_api/queue/join", json={"data": [None], "fn_index": fn, "session_hash": session})
    joined.raise_for_status()
    event_id = joined.json()["event_id"]
    async with client.stream("GET", "gradio_api/queue/data", params={"session_hash": session}) as stream:
        async for line in stream.aiter_lines():
            if not line.startswith("data:"):
                continue
            message = json.loads(line[5:])
            if message.get("event_id") == event_id and message.get("msg") == "process_completed":
                if not message.get("success"):
                    raise RuntimeError(message.get("output", {}).get("error") or "failed")
                return message["output"]["data"][0]
    raise RuntimeError("the event stream ended without a result")


async def one_chat(url: str, fns: dict[str, int], messages: int, offset: int, start: asyncio.Event,
                   seconds: list[float], errors: list[str]) -> None:
    session = uuid.uuid4().hex[:11]
    address = f"10.{offset // 65536 % 256}.{offset // 256 % 256}.{offset % 256 + 1}"  # one customer per chat
    async with httpx.AsyncClient(base_url=url, timeout=120, headers={"X-Forwarded-For": address}) as client:
        await start.wait()
        for n in range(messages):
            question = QUESTIONS[(offset + n) % len(QUESTIONS)]
            began = time.perf_counter()
            try:
                sent = await client.post(
                    "gradio_api/run/send", json={"data": [question, None], "fn_index": fns["send"], "session_hash": session}
                )
                sent.raise_for_status()
                chat = await answer(client, session, fns["answer"])
            except Exception as err:
                errors.append(f"{question}: {type(err).__name__}: {err}")
                continue
            if any(text in last_text(chat) for text in FAILED):
                errors.append(f"{question}: the error message")
            elif any(text in last_text(chat) for text in LIMITED):  # not timed: no answer was worked out
                errors.append(f"{question}: rate limited (does the app trust 127.0.0.1 as its proxy?)")
            else:
                seconds.append(time.perf_counter() - began)


async def run(url: str, chats: int, messages: int) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        config = (await client.get("config")).json()
    fns = {d["api_name"]: d["id"] for d in config["dependencies"] if d.get("api_name") in ("send", "answer")}

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
