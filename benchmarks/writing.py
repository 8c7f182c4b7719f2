"""Questions asked the way customers write in a chat: a greeting before, thanks or a signature
after ("Hej! Har ni parkering? Tack på förhand! Mvh Anna"), without å, ä and ö ("nar har ni
oppet?"), with a typo ("parkring"), or in lower case without the "?" ("hur säger jag upp mitt
avtal"). Does the bot answer them as it answers the question written plainly?

For each FAQ (imported with `threshold: auto`, as `benchmarks.learning` prepares it), every test
question is asked plain, with an opening, with a closing, and with both, drawn with a fixed
seed from one of two lists of courtesies: `written` (the ones in view when
faqbot.bot.without_courtesies was written) and `later` (written afterwards, to see whether the
rule holds for wordings it was not made from); with å, ä, ö and é written a, a, o, e; and with
one typo (`with_a_typo`); and in lower case without its closing "?", "." or "!". `--raw` ranks
the message as written, as the bot did before it left the courtesies out (`without_courtesies`),
spelled words as the FAQ does (`Searcher.spelled`) and read a question without its "?" with it
(`as_a_question`).

    python -m benchmarks.writing                      # shipped, bibliotek, tandvard
    python -m benchmarks.writing --raw                # the message ranked as written
    python -m benchmarks.writing --faq tandvard --courtesies later

It prints, per FAQ and way of asking, the answerable questions answered right, one click away
and answered wrong, and the off-topic questions sent to the helpdesk.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from benchmarks.followups import outcome
from benchmarks.learning import prepare

FAQS = ("shipped", "bibliotek", "tandvard")
COURTESIES = {
    "written": {
        "opening sv": ["Hej! ", "Hej, ", "Hejsan! ", "Hej! Jag undrar en sak. ", "God morgon! "],
        "opening en": ["Hi! ", "Hello, ", "Hi, quick question: "],
        "closing sv": [" Tack!", " Tack på förhand!", " Mvh Anna", " Tack för hjälpen!"],
        "closing en": [" Thanks!", " Thanks in advance!", " Regards, Anna"],
    },
    "later": {
        "opening sv": [
            "Hallå där! ",
            "Tjena! ",
            "Hej hej, ",
            "Goddag! ",
            "Hej allihop! ",
            "Hej, jag har en fråga. ",
            "Hej! Kan ni hjälpa mig? ",
            "hej ",
        ],
        "opening en": ["Hey there, ", "Good afternoon! ", "Hello! I have a question. "],
        "closing sv": [
            " Tusen tack!",
            " Vänliga hälsningar, Per Svensson",
            " /Maria",
            " Tack så länge! Hälsningar Kalle",
            " Tack i förväg. MVH Lisa",
            " Ha en trevlig helg!",
            " tack",
        ],
        "closing en": [" Cheers!", " Kind regards, John", " Thank you very much! Best regards, Sam"],
    },
}
WAYS = ("plain", "opening", "closing", "both", "without å, ä, ö", "one typo", "lower case, no ?")
ALONE = ("plain", "without å, ä, ö", "one typo", "lower case, no ?")  # ways that use no list of courtesies
WITHOUT_DOTS = str.maketrans("åäöéÅÄÖÉ", "aaoeAAOE")


def written(question: str, way: str, language: str, lists: dict[str, list[str]], rng: random.Random) -> str:
    if way == "without å, ä, ö":
        return question.translate(WITHOUT_DOTS)
    if way == "one typo":
        return with_a_typo(question, rng)
    if way == "lower case, no ?":
        return question.lower().rstrip(" ?.!")
    opening = rng.choice(lists[f"opening {language}"]) if way in ("opening", "both") else ""
    closing = rng.choice(lists[f"closing {language}"]) if way in ("closing", "both") else ""
    return opening + question + closing


def measure(name: str, folder: Path, which: list[str], seed: int) -> Iterator[tuple[str, Counter]]:
    """Each way of asking and its outcomes, labelled: every way with the first list of courtesies
    in `which`, the ways with courtesies with the others (the FAQ prepared and indexed once)."""
    from faqbot.bot import FaqBot
    from faqbot.language import detect_language

    tests = prepare(name, folder)
    bot = FaqBot(folder / "faq.yaml", folder / "index", folder / "config.yaml")
    bot.log = None
    rows = [json.loads(line) for line in tests.read_text(encoding="utf-8").splitlines() if line.strip()]
    languages = ["en" if detect_language(row["question"]) == "en" else "sv" for row in rows]
    for n, lists in enumerate(which):
        for way in WAYS if n == 0 else [w for w in WAYS if w not in ALONE]:
            rng, counted = random.Random(seed), Counter()
            for row, language in zip(rows, languages, strict=True):
                asked = written(row["question"], way, language, COURTESIES[lists], rng)
                counted[outcome(bot.ask(asked), row.get("expected"))] += 1
            yield (way if way in ALONE else f"{way} ({lists})"), counted


def with_a_typo(question: str, rng: random.Random) -> str:
    """One letter of one word of five letters or more wrong: left out, doubled, swapped with the
    next, or another letter (any letter of the word, the first and last too)."""
    words = question.split(" ")
    long = [i for i, w in enumerate(words) if sum(c.isalpha() for c in w) >= 5]
    if not long:
        return question
    i = rng.choice(long)
    word = words[i]
    j = rng.choice([k for k, c in enumerate(word) if c.isalpha()])
    how = rng.choice(("left out", "doubled", "swapped", "another"))
    if how == "left out":
        word = word[:j] + word[j + 1 :]
    elif how == "doubled":
        word = word[:j] + word[j] + word[j:]
    elif how == "swapped" and j + 1 < len(word):
        word = word[:j] + word[j + 1] + word[j] + word[j + 2 :]
    else:
        word = word[:j] + rng.choice("abcdefghijklmnoprstuvyäö") + word[j + 1 :]
    words[i] = word
    return " ".join(words)


def summary(counted: Counter) -> str:
    answerable = sum(n for k, n in counted.items() if not k.startswith("off-topic"))
    offtopic = sum(n for k, n in counted.items() if k.startswith("off-topic"))
    share = lambda n, total: f"{n / total:.3f}" if total else "n/a"  # noqa: E731
    return (
        f"answered right {share(counted['right'], answerable)}  one click {share(counted['one click'], answerable)}  "
        f"confident wrong {share(counted['wrong'], answerable)}  "
        f"off-topic to helpdesk {share(counted['off-topic helpdesk'], offtopic)}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--faq", nargs="+", choices=FAQS, default=list(FAQS))
    parser.add_argument("--courtesies", nargs="+", choices=sorted(COURTESIES), default=sorted(COURTESIES))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--raw", action="store_true", help="rank the whole message, courtesies included")
    parser.add_argument("--keep", type=Path, help="keep each FAQ's folder under this one")
    args = parser.parse_args()
    if args.raw:
        import faqbot.bot
        import faqbot.retrieval.search

        faqbot.bot.without_courtesies = lambda question: question  # type: ignore[assignment]
        faqbot.bot.as_a_question = lambda question: question  # type: ignore[assignment]
        faqbot.retrieval.search.Searcher.spelled = lambda _searcher, question: question  # type: ignore[method-assign]
    with tempfile.TemporaryDirectory() as scratch:
        root = args.keep or Path(scratch)
        for name in args.faq:
            for label, counted in measure(name, root / name, args.courtesies, args.seed):
                print(f"{name:10} {label:20} {summary(counted)}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
