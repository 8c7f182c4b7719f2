"""Short messages after an unrelated question: does the previous question's topic make the bot
answer them wrong?

In the chat a short message (faqbot.bot.is_followup) is ranked with the previous question's
topic favoured. Customers also ask short *new* questions ("Har ni parkering?" after "Kan jag
ringa er?"). For each FAQ (imported with `threshold: auto`, as `benchmarks.learning` prepares
it), every test question that reads as a follow-up is asked after three FAQ questions of other
entries (drawn with a fixed seed), and once alone; and the library FAQ's two-turn conversations
(`data/examples/bibliotek/followups.jsonl`) after their own previous question.

    python -m benchmarks.followups                         # shipped, bibliotek, tandvard
    python -m benchmarks.followups --faq bibliotek --keep /tmp/followups

It prints, per FAQ, the answerable questions answered right, wrong, one click away or missed,
and the off-topic ones answered (wrong), offered choices or sent to the helpdesk.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
from collections import Counter
from pathlib import Path

from benchmarks.learning import prepare
from benchmarks.webapp import ROOT

FAQS = ("shipped", "bibliotek", "tandvard")
CONVERSATIONS = ROOT / "data" / "examples" / "bibliotek" / "followups.jsonl"
PREVIOUS_PER_QUESTION = 3


def outcome(reply, expected: str | None) -> str:
    answered = reply.match.faq_id if reply.kind.value == "answer" and reply.match else None
    if expected is None:
        return "off-topic " + ("answered" if answered else reply.kind.value)
    if answered:
        return "right" if answered == expected else "wrong"
    offered = reply.kind.value == "choices" and expected in [s.faq_id for s in reply.suggestions]
    return "one click" if offered else "missed"


def measure(name: str, folder: Path, seed: int) -> dict[str, dict[str, int]]:
    from faqbot.bot import FaqBot, is_followup, own_words

    tests = prepare(name, folder)
    bot = FaqBot(folder / "faq.yaml", folder / "index", folder / "config.yaml")
    bot.log = None
    rng = random.Random(seed)
    after, alone = Counter(), Counter()
    for row in map(json.loads, tests.read_text(encoding="utf-8").splitlines()):
        question, expected = row["question"], row.get("expected")
        if not is_followup(question, len(own_words(bot.searcher, question))):
            continue
        alone[outcome(bot.ask(question), expected)] += 1
        for previous in rng.sample([e for e in bot.entries if e.id != expected], PREVIOUS_PER_QUESTION):
            after[outcome(bot.ask(question, previous=previous.question), expected)] += 1
    result = {"after an unrelated question": dict(after), "alone": dict(alone)}
    if name == "bibliotek":
        conversations = Counter()
        for row in map(json.loads, CONVERSATIONS.read_text(encoding="utf-8").splitlines()):
            conversations[outcome(bot.ask(row["question"], previous=row["previous"]), row["expected"])] += 1
        result["its follow-up conversations"] = dict(conversations)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--faq", nargs="+", choices=FAQS, default=list(FAQS))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="keep each FAQ's folder under this one")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        root = args.keep or Path(scratch)
        for name in args.faq:
            for what, counts in measure(name, root / name, args.seed).items():
                print(f"{name:10} {what:28} {json.dumps(dict(sorted(counts.items())), ensure_ascii=False)}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
