"""A customer's words spelled as the FAQ spells them, before the embedding model reads them.

Customers on a phone or a foreign keyboard leave out å, ä and ö ("nar oppnar ni?"), and anyone
types a letter wrong now and then ("patineter"). The word matching (BM25) folds diacritics away
already, but the embedding model reads "oppnar" and "patineter" as other words than "öppnar"
and "patienter": with the dots left out of every test question, answered right fell 0.85 ->
0.76, 0.46 -> 0.32 and 0.51 -> 0.40 on the three FAQs, and with one typo in each question 0.85
-> 0.66, 0.46 -> 0.32, 0.51 -> 0.33 (benchmarks/writing.py, docs/evaluation.md "How customers
write"). `Spelling` restores both from the FAQ's own Swedish texts, so a company's own words
are the ones restored, and leaves alone what may have been meant as written.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Sequence
from functools import lru_cache
from itertools import product

from symspellpy import SymSpell, Verbosity
from wordfreq import zipf_frequency

from faqbot.faq.model import FaqEntry
from faqbot.language import leans_english

TOKEN = re.compile(r"\w+")
KNOWN = 2.0  # zipf: a word at least this common in Swedish or English is meant as written
MORE_COMMON = 1.5  # zipf: a spelling with å, ä or ö replaces a known word only if about 30 times as common
FAQ_MORE_COMMON = 0.9  # ... the FAQ's own spelling, if about 8 times ("lana" -> "låna", "hal" -> "hål")
# A word that starts with an FAQ word and adds two to four letters is spelled after it
# ("bockerna" -> "böckerna"); the start has at least four letters.
SPELLED_START, SPELLED_ENDING = 4, 4
TYPO_MIN_LETTERS = 5  # a typo or its word this long at least: shorter ones are too often another word
MAX_GUESSES = 27  # spellings with å, ä or ö tried for a word the FAQ does not spell (three a's or o's)
DOTTED = {"a": "aåä", "o": "oö"}
# "ar" is "är" (far more common), but "år" after a count or a time word: "2 ar", "tva ar",
# "manga ar", "per ar", "i ar" (the words as written without dots: `fold`)
YEARS_AFTER = frozenset(
    "ett tva tre fyra fem sex sju atta nio tio elva tolv femton tjugo trettio hundra "
    "manga flera nagra fa par per varje i forra nasta hela halvt".split()
)


def fold(text: str) -> str:
    """Lower case without diacritics, so 'sakerhet' finds 'säkerhet'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=65_536)
def commonness(word: str) -> float:
    """How common a lower-case word is in Swedish: wordfreq's Zipf scale, 0 for a word it has
    never seen ("patineter"), about 2 for "sagostunden", 7.5 for "är" (its large Swedish list)."""
    return zipf_frequency(word, "sv", wordlist="large")


@lru_cache(maxsize=65_536)
def a_word(word: str) -> bool:
    """Whether a lower-case word is one in Swedish or English (`KNOWN`), not a typo: "filler" is
    English, and customers mix English words into Swedish."""
    return commonness(word) >= KNOWN or zipf_frequency(word, "en", wordlist="small") >= KNOWN


def counts_years(before: str) -> bool:
    """Whether the word before "ar" counts it or says which: a number, or one of YEARS_AFTER."""
    words = TOKEN.findall(before[-40:])
    return bool(words) and (words[-1].isdigit() or fold(words[-1]) in YEARS_AFTER)


class Spelling:
    """The FAQ's spellings, and `spelled` to read a question by them.

    What a word is, and how common, comes from `wordfreq` (word frequencies of Swedish and
    English): a word it knows is meant as written ("bor", "lag", "snälla", "funderar" stay), unless
    the spelling with å, ä or ö is far more common ("nar" -> "när", "for" -> "för"; a walk-through
    found "jag bor" read as "jag bör" and "snälla" as the FAQ's "ställa" before this).
    """

    def __init__(self, entries: Sequence[FaqEntry]) -> None:
        # what staff wrote, not the phrasings learned from customers: those keep a customer's
        # spelling ("far man aka med elmoped pa taget"), and would make "pa" and "aka" words of
        # the FAQ, never to be read as "på" and "åka" again
        texts = (text for entry in entries for text in (entry.question, *entry.alternatives, entry.answer))
        # every word of the FAQ's Swedish texts, lower case, and how often it is written
        self.written = Counter(w for text in texts if not leans_english(text) for w in TOKEN.findall(text.casefold()))
        self.spellings = self._spellings()
        self._typos = self._typo_index()
        a_word("och")  # the word lists read here (a tenth of a second), not on a customer's message

    def spelled(self, question: str) -> str:
        """The question with each word written without å, ä or ö spelled with them
        ("nar oppnar ni pa lordagar" -> "när öppnar ni på lördagar"), and each word one typo away
        from an FAQ word spelled as that word ("patineter" -> "patienter").

        Diacritics are restored only in a message with no letter with one (who writes å, ä or ö
        somewhere wrote each word as meant), and only as `_with_dots` allows.
        """
        dotless = fold(question) == question.casefold()

        def respelled(found: re.Match[str]) -> str:
            word = found.group()
            if len(word) > 1 and word.isupper():
                return word  # an acronym: "SLA" is not "Slå"
            low = word.casefold()
            if dotless and low == "ar" and counts_years(question[: found.start()]):
                return "År" if word[:1].isupper() else "år"
            spelling = (self._with_dots(low) if dotless else None) or self._typo_fixed(low)
            if spelling is None:
                return word
            return spelling.capitalize() if word[:1].isupper() else spelling

        return TOKEN.sub(respelled, question)

    def _with_dots(self, word: str) -> str | None:
        """`word` with its å, ä and ö: as the FAQ spells it, after the FAQ word it starts with, or
        the most common such spelling. A word known as written (`KNOWN`) only for a spelling
        MORE_COMMON than it; an unknown one for the FAQ's own word, or any more common one."""
        if not word.isalpha() or word in self.written:
            return None
        known = commonness(word)
        if (faq := self.spellings.get(word)) is not None:
            if known < KNOWN or commonness(faq) >= known + FAQ_MORE_COMMON:
                return faq
        guess = self._spelled_as_start(word) or self._guessed(word)
        if guess is None:
            return None
        needed = known + MORE_COMMON if known >= KNOWN else max(known, KNOWN - MORE_COMMON)
        return guess if commonness(guess) > needed else None

    def _spellings(self) -> dict[str, str]:
        """Folded word -> the FAQ's spelling of it with å, ä or ö (when it has one more often than any other)."""
        ways: defaultdict[str, Counter[str]] = defaultdict(Counter)
        for word, n in self.written.items():
            if fold(word) != word:
                ways[fold(word)][word] += n
        spellings = {}
        for folded, spelt in ways.items():
            ranked = spelt.most_common(2)
            if folded not in self.written and (len(ranked) == 1 or ranked[0][1] > ranked[1][1]):
                spellings[folded] = ranked[0][0]
        return spellings

    def _spelled_as_start(self, word: str) -> str | None:
        """`word` spelled after the longest FAQ word it starts with, when it adds two to
        SPELLED_ENDING letters: "bockerna" -> "böckerna" after "böcker", "lanade" after "låna"
        (one letter is too little: "lange" is "länge", not "lång" + "e")."""
        if len(word) < SPELLED_START + 2:
            return None
        for end in range(len(word) - 2, max(SPELLED_START, len(word) - SPELLED_ENDING) - 1, -1):
            start = self.spellings.get(word[:end])
            if start is not None:
                return start + word[end:]
        return None

    @staticmethod
    def _guessed(word: str) -> str | None:
        """The most common spelling of `word` with å, ä or ö in place of its a's and o's, of at
        most MAX_GUESSES; None when there are more ways than that, or no spelling is known."""
        places = [i for i, c in enumerate(word) if c in DOTTED]
        ways = 1
        for i in places:
            ways *= len(DOTTED[word[i]])
        if not places or ways > MAX_GUESSES:
            return None
        guesses = ["".join(letters) for letters in product(*(DOTTED.get(c, c) for c in word))]
        best = max((g for g in guesses if g != word), key=commonness)
        return best if commonness(best) > 0 else None

    def _typo_index(self) -> SymSpell:
        typos = SymSpell(max_dictionary_edit_distance=1, prefix_length=7)  # later letters are compared whole
        for word, n in self.written.items():
            if len(word) >= TYPO_MIN_LETTERS - 1 and word.isalpha():
                typos.create_dictionary_entry(word, n)
        return typos

    def _typo_fixed(self, word: str) -> str | None:
        """The FAQ word one letter away from `word` (one left out, added, changed, or two swapped),
        when `word` is no word (`a_word`: "snälla", "helger", "funderar" are, and stay) and the
        FAQ does not write it; of several, the one the FAQ writes most; None when two tie. The
        first letter is never the typo, nor the last, nor an ending added or left out: that is
        another form of the same word ("datorn", "spärrat"), which the model reads alike."""
        if len(word) < TYPO_MIN_LETTERS - 1 or not word.isalpha() or word in self.written or a_word(word):
            return None
        found = sorted(
            (
                (s.count, s.term)
                for s in self._typos.lookup(word, Verbosity.CLOSEST, max_edit_distance=1)
                if s.distance == 1 and self._a_typo(word, s.term)
            ),
            reverse=True,
        )
        if not found or (len(found) > 1 and found[0][0] == found[1][0]):
            return None
        return found[0][1]

    @staticmethod
    def _a_typo(word: str, term: str) -> bool:
        """Whether `term` may be what `word` was typed for, rather than another form of it."""
        if max(len(word), len(term)) < TYPO_MIN_LETTERS or term[0] != word[0] or fold(term) == fold(word):
            return False
        return not (term.startswith(word) or word.startswith(term) or term[:-1] == word[:-1])
