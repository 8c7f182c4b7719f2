"""Attacks on how the bot reads a message before ranking it (faqbot.bot.without_courtesies,
faqbot.retrieval.spelling): a message of the longest length the chat takes, made for the
patterns' worst case, is read in well under a second.

Found while writing it: the signature pattern let a run of letters after "mvh" be split into
the name's four words in every possible way, and 300 letters took 11 s of a worker's time
(2,000 would have held it for hours). Every word of the name after the first now follows a space.
"""

from __future__ import annotations

import time
from itertools import product

import pytest

from faqbot.bot import MAX_MESSAGE_CHARS, clean_question, without_courtesies

WORST = {
    "letters after mvh": "x mvh " + "a" * MAX_MESSAGE_CHARS,
    "letters and commas after mvh": "x mvh " + "a," * (MAX_MESSAGE_CHARS // 2),
    "words after regards": "x. regards" + " a" * (MAX_MESSAGE_CHARS // 2),
    "thanks over and over": "x tack " * (MAX_MESSAGE_CHARS // 7),
    "greetings over and over": "Hej! " * (MAX_MESSAGE_CHARS // 5),
    "slashes": "x " + "/" * MAX_MESSAGE_CHARS,
    "signature words over and over": "x hälsningar " * (MAX_MESSAGE_CHARS // 13),
}
BOUND_S = 1.0  # the slowest here takes milliseconds; the attack took seconds for 300 characters


@pytest.mark.parametrize("message", WORST.values(), ids=WORST.keys())
def test_no_message_holds_the_courtesy_patterns(message):
    question = clean_question(message)[0] + "?"
    started = time.perf_counter()
    without_courtesies(question)
    assert time.perf_counter() - started < BOUND_S


def test_a_message_of_many_unknown_words_is_spelled_in_bounded_time(bot):
    """Every word not in the FAQ is looked up for a typo, and a word without å, ä or ö in up to 27
    spellings with them: a message of nothing but such words, as long as the chat takes, is
    still read at once."""
    letters = "abcdefghijklmnopqrstuvwxyzåäö"
    words = ["".join(letters[(n * 7 + k * 3) % len(letters)] for k in range(8)) for n in range(MAX_MESSAGE_CHARS // 10)]
    # without å, ä or ö, three a's each: 27 spellings with them to try for every word
    dotless = ["a" + b + "a" + c + "a" + d for b, c, d in product("bcdfghjklmnprstv", repeat=3)][
        : MAX_MESSAGE_CHARS // 7
    ]
    for message in (clean_question(" ".join(words))[0], clean_question(" ".join(dotless))[0]):
        started = time.perf_counter()
        bot.searcher.spelled(message)
        assert time.perf_counter() - started < BOUND_S
