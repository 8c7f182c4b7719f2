"""Which language the customer wrote in: Swedish or English, the two the bot speaks.

langdetect alone misreads about one short Swedish question in five as Norwegian, Danish or
Indonesian, and it is random unless seeded. So the decision is restricted to Swedish and
English: Scandinavian neighbours count as Swedish, clear Swedish letters or words settle it,
and English needs positive evidence. Anything unclear is Swedish, the site's language. A
Swedish letter settles it only in the first word (`swedish_letters`); later it is one Swedish
word: "Where in Umeå are you?" and "Can I water my garden during the bevattningsförbud?" are
English, "Var i Umeå finns ni?" Swedish by its words.
"""

from __future__ import annotations

import re
import threading

from langdetect import DetectorFactory, LangDetectException, detect_langs

SWEDISH = "sv"
ENGLISH = "en"

DetectorFactory.seed = 0
_lock = threading.Lock()  # langdetect's factory is a shared global; seed + lock keep it repeatable

WORD = re.compile(r"[a-zåäöéü']+")
CASED_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
SWEDISH_WORDS = frozenset(
    "och att det är jag du ni er vi inte har hur vad kan min mitt mina ska får för med om på av "
    "till hos finns ingen eller någon något när var vilka vilken varför tack hej också måste "
    "skulle sida hemsida webbplats hjälp fråga kostar gör ingår i en ett telefon epost mejl mejla "
    "debitering avtal jour ring ringa".split()
)
ENGLISH_WORDS = frozenset(
    "the and is are you your i my we our do does did can could would should what how why when "
    "where which who is it to of for with have has not no yes please thanks thank hello hi "
    "there this that help phone call cost much many any if get from about after before "
    "during today tomorrow was were will been an at".split()
)
SCANDINAVIAN = {"sv", "no", "da"}


def swedish_letters(text: str) -> tuple[bool, int]:
    """(whether å, ä or ö settle the message as Swedish, how many Swedish words they count as).

    They settle it in the first word, or in a message in capitals. After the first word, a word
    that holds them is one Swedish word for the count of words, not proof: capitalised, it may be
    a name (Umeå, Björn, Åsa Öberg) in an English message, or Swedish words in Title Case
    ("Lösenord Glömt", each run of them one word); in lower case, a Swedish term an English
    customer uses ("Can I water my garden during the bevattningsförbud?", a walk-through)."""
    words = CASED_WORD.findall(text)
    shouting = text.upper() == text
    settled, counted, in_run = False, 0, False
    for n, word in enumerate(words):
        name_like = n > 0 and not shouting and word[0].isupper()
        lettered = bool(re.search(r"[åäöÅÄÖ]", word))
        if lettered:
            settled = settled or n == 0 or shouting
            counted += not in_run
        in_run = name_like and lettered
    return settled, counted


def leans_english(text: str) -> bool:
    """Whether a text has more common English words than Swedish ones: a quick guess, without the
    language model, for reading a whole FAQ (an English alternative among Swedish ones)."""
    words = WORD.findall(text.casefold())
    return sum(w in ENGLISH_WORDS for w in words) > sum(w in SWEDISH_WORDS for w in words)


def detect_language(text: str) -> str:
    """Return "sv" or "en" for a customer's message."""
    lowered = text.casefold()
    settled, lettered = swedish_letters(text)
    if settled:
        return SWEDISH
    words = WORD.findall(lowered)
    if not words:
        return SWEDISH
    english = sum(w in ENGLISH_WORDS for w in words)
    swedish = sum(w in SWEDISH_WORDS for w in words) + lettered
    if english > swedish:
        return ENGLISH
    if swedish > english:
        return SWEDISH
    try:
        with _lock:
            guesses = detect_langs(text)
    except LangDetectException:
        return SWEDISH
    probability = {g.lang: g.prob for g in guesses}
    english_p = probability.get("en", 0.0)
    nordic_p = sum(probability.get(code, 0.0) for code in SCANDINAVIAN)
    # Short keyword queries ("support mail?") fool langdetect; it must be sure and have words to go on.
    return ENGLISH if len(words) >= 3 and english_p > max(nordic_p, 0.9) else SWEDISH
