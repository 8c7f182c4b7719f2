"""Many customers at once: simulated chats against a running chat widget.

    faqbot serve &                                       # or: python app.py
    python examples/load_test.py --chats 50 --messages 10
    python examples/load_test.py --url http://127.0.0.1:8080/ --chats 100

Each chat is its own session, as a browser tab is, and sends its messages one after another
the way the widget does: the message (`/send`), then the answer (`/answer`). All chats start
together. Prints the time per message (median, 95th percentile, max; server and HTTP, not the
browser's drawing) and how many replies failed or were the "something went wrong" message.
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time

from gradio_client import Client

QUESTIONS = [
    "Kan jag ringa er?",
    "Hur ofta tar ni backup?",
    "Vad är huvudstaden i Frankrike?",
    "Can I call you?",
    "Hur säger jag upp mitt avtal?",
    "Vilka program använder ni?",
]
FAILED = ("Något gick fel", "Something went wrong")


def last_text(chat: list[dict]) -> str:
    content = chat[-1]["content"] if chat else ""
    if isinstance(content, list):
        return " ".join(part.get("text", "") for part in content if isinstance(part, dict))
    return str(content)


def one_chat(url: str, messages: int, offset: int, start: threading.Barrier, seconds: list[float], errors: list[str]) -> None:
    try:
        client = Client(url, verbose=False)
    except Exception as err:
        errors.append(f"connect: {err}")
        start.wait()
        return
    start.wait()
    for n in range(messages):
        question = QUESTIONS[(offset + n) % len(QUESTIONS)]
        began = time.perf_counter()
        try:
            client.predict(question, api_name="/send")
            chat = client.predict(api_name="/answer")
        except Exception as err:
            errors.append(f"{question}: {err}")
            continue
        seconds.append(time.perf_counter() - began)
        if any(text in last_text(chat) for text in FAILED):
            errors.append(f"{question}: the error message")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:7860/")
    parser.add_argument("--chats", type=int, default=50, help="customers at once (default 50)")
    parser.add_argument("--messages", type=int, default=10, help="messages per customer (default 10)")
    args = parser.parse_args()

    seconds: list[float] = []
    errors: list[str] = []
    start = threading.Barrier(args.chats + 1)
    chats = [
        threading.Thread(target=one_chat, args=(args.url, args.messages, n, start, seconds, errors))
        for n in range(args.chats)
    ]
    for chat in chats:
        chat.start()
    start.wait()
    began = time.perf_counter()
    for chat in chats:
        chat.join()
    wall = time.perf_counter() - began

    if seconds:
        ordered = sorted(seconds)
        p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
        print(
            f"{args.chats} chats x {args.messages} messages: {len(seconds)} answered in {wall:.1f} s "
            f"({len(seconds) / wall:.1f}/s); per message median {statistics.median(seconds) * 1000:.0f} ms, "
            f"p95 {p95 * 1000:.0f} ms, max {ordered[-1] * 1000:.0f} ms"
        )
    print(f"errors: {len(errors)}")
    for error in errors[:10]:
        print("  " + error)


if __name__ == "__main__":
    main()
