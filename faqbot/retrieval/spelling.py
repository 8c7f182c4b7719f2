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
from collections.abc import Callable, Sequence

from bm25s.stopwords import STOPWORDS_SWEDISH
from symspellpy import SymSpell, Verbosity

from faqbot.faq.model import FaqEntry
from faqbot.language import leans_english

TOKEN = re.compile(r"\w+")
# Common Swedish words written with å, ä or ö, restored besides the FAQ's own words ("nar" ->
# "när"). One spelling each: "ar" is "är" (the FAQ may write "år" more often).
COMMON_SPELLINGS = (
    "är på för så få får går gå här där när då också även måste någon något några från många både "
    "än öppet öppna öppnar öppettider vår våra vårt själv söka köpa ändra hämta lämna glömt"
).split()
# A word that starts with an FAQ word and adds two to four letters is spelled after it
# ("bockerna" -> "böckerna"); the start has at least four letters.
SPELLED_START, SPELLED_ENDING = 4, 4
TYPO_MIN_LETTERS = 5  # a typo or its word this long at least: shorter ones are too often another word


def fold(text: str) -> str:
    """Lower case without diacritics, so 'sakerhet' finds 'säkerhet'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# Words written so on purpose, never respelled: "man" is not "mån", "vara" not "våra", "sa" not "så".
WRITTEN_SO = frozenset(w for w in STOPWORDS_SWEDISH if fold(w) == w) | {"sa"}


class Spelling:
    """The FAQ's spellings, and `spelled` to read a question by them.

    `pieces(word)`: into how many pieces the embedding model splits a word (its tokenizer); a
    typo is fixed only when the FAQ's word is fewer pieces, that is, better known to the model
    ("patineter" 2 -> "patienter" 1, but "vilja" and "vilka" are one each: both are words).
    None (an embedder that cannot say): no typo is fixed.
    """

    def __init__(
        self,
        entries: Sequence[FaqEntry],
        pieces: Callable[[str], int] | None,
    ) -> None:
        texts = (text for entry in entries for text in (*entry.questions(), entry.answer))
        # every word of the FAQ's Swedish texts, lower case, and how often it is written
        self.written = Counter(w for text in texts if not leans_english(text) for w in TOKEN.findall(text.casefold()))
        self.spellings = self._spellings()
        self._pieces = pieces
        self._typos = self._typo_index() if pieces is not None else None

    def spelled(self, question: str) -> str:
        """The question with each word written without å, ä or ö spelled as the FAQ writes it
        ("nar oppnar ni pa lordagar" -> "när öppnar ni på lördagar", when the FAQ has "lördagar"),
        and each word one typo away from an FAQ word spelled as that word.

        Diacritics are restored only in a message with no letter with one (who writes å, ä or ö
        somewhere wrote each word as meant), never in a word the FAQ writes without them, one of
        WRITTEN_SO, or one the FAQ spells two ways as often.
        """
        spellings = self.spellings if fold(question) == question.casefold() else {}

        def respelled(found: re.Match[str]) -> str:
            word = found.group()
            low = word.casefold()
            spelling = spellings.get(low) or (self._spelled_as_start(low) if spellings else None)
            spelling = spelling or self._typo_fixed(low)
            if spelling is None:
                return word
            return spelling.capitalize() if word[:1].isupper() else spelling

        return TOKEN.sub(respelled, question)

    def _spellings(self) -> dict[str, str]:
        """Folded word -> the FAQ's spelling of it with å, ä or ö."""
        ways: defaultdict[str, Counter[str]] = defaultdict(Counter)
        for word, n in self.written.items():
            if fold(word) != word:
                ways[fold(word)][word] += n
        for word in COMMON_SPELLINGS:
            if fold(word) not in ways:
                ways[fold(word)][word] = 1
        spellings = {}
        for folded, spelt in ways.items():
            ranked = spelt.most_common(2)
            clear = len(ranked) == 1 or ranked[0][1] > ranked[1][1]
            if folded not in self.written and folded not in WRITTEN_SO and clear:
                spellings[folded] = ranked[0][0]
        return spellings

    def _spelled_as_start(self, word: str) -> str | None:
        """`word` spelled after the longest FAQ word it starts with, when it adds two to
        SPELLED_ENDING letters: "bockerna" -> "böckerna" after "böcker", "lanade" after "låna"
        (one letter is too little: "lange" is "länge", not "lång" + "e")."""
        if word in WRITTEN_SO or word in self.written or len(word) < SPELLED_START + 1:
            return None
        for end in range(len(word) - 2, max(SPELLED_START, len(word) - SPELLED_ENDING) - 1, -1):
            start = self.spellings.get(word[:end])
            if start is not None:
                return start + word[end:]
        return None

    def _typo_index(self) -> SymSpell:
        typos = SymSpell(max_dictionary_edit_distance=1, prefix_length=16)
        for word, n in self.written.items():
            if len(word) >= TYPO_MIN_LETTERS - 1 and word.isalpha():
                typos.create_dictionary_entry(word, n)
        return typos

    def _typo_fixed(self, word: str) -> str | None:
        """The FAQ word one letter away from `word` (one left out, added, changed, or two swapped),
        when `word` is no word of the FAQ's and the FAQ's is better known to the model (`pieces`);
        of several, the one the FAQ writes most, then the best known; None when they tie. The first
        letter is never the typo, nor the last, nor an ending added or left out: that is another
        form of the same word ("datorn", "spärrat", "flyttar"), which the model reads alike."""
        if self._typos is None or self._pieces is None:
            return None
        if len(word) < TYPO_MIN_LETTERS - 1 or not word.isalpha() or word in self.written or word in WRITTEN_SO:
            return None
        pieces = self._pieces(word)
        found = [
            (s.count, -self._pieces(s.term), s.term)
            for s in self._typos.lookup(word, Verbosity.CLOSEST, max_edit_distance=1)
            if s.distance == 1 and self._a_typo(word, s.term)
        ]
        found = sorted((f for f in found if -f[1] < pieces), reverse=True)
        if not found or (len(found) > 1 and found[0][:2] == found[1][:2]):
            return None
        return found[0][2]

    @staticmethod
    def _a_typo(word: str, term: str) -> bool:
        """Whether `term` may be what `word` was typed for, rather than another form of it."""
        if max(len(word), len(term)) < TYPO_MIN_LETTERS or term[0] != word[0] or fold(term) == fold(word):
            return False
        return not (term.startswith(word) or word.startswith(term) or term[:-1] == word[:-1])
