"""What customers did, read from the conversation log, and the suggestions staff are shown:
the vocabulary that faqbot.staff.learn (confirmed phrasings, helpdesk questions) and
faqbot.staff.wrong_answers (questions whose answer got a 👎) share.

A `Signal` is one thing a customer did about one question: picked an entry among the choices
offered for it, or said 👍/👎 to its answer. A `Suggestion` is one thing staff decide on; its
id is stable across runs, so a rejected one stays rejected (the log's `learn_decisions`).
"""

from __future__ import annotations

import copy
import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Container, Iterable, Sequence
from dataclasses import dataclass, is_dataclass, replace
from typing import Any, TypeVar

from faqbot.bot import (
    FOLLOWUP_MAX_WORDS,
    FOLLOWUP_OPENERS,
    SENTENCE_END,
    as_a_question,
    clean_question,
    focus,
    is_question_sentence,
    refers_back,
    without_courtesies,
)
from faqbot.conversations.privacy import PLACEHOLDERS, holds_identifying_number
from faqbot.decision import ReplyKind
from faqbot.faq.model import normalize_question
from faqbot.retrieval.search import TOKEN, Tokenizer

ALTERNATIVE, NEW_ENTRY = "alternative", "new_entry"
WRONG_ANSWER = "wrong_answer"  # a 👎 question for staff to assign or reject (not in `--json`: issue 18's two actions)
# Staff's mark on a 👎 question that is about something the FAQ does not cover: its 👎 says nothing
# about the answer it got, so it no longer counts against that entry (a decision of its own id)
OFF_TOPIC = "off_topic"
S = TypeVar("S", bound="Suggestion")
OWN_WORDS = Tokenizer()  # a message's stems without stop words, as the bot reads it


@dataclass(frozen=True)
class Signal:
    """One thing a customer did about one question: picked entry `faq_id` (picked), rated its
    answer (liked True/False), for the question `question` asked in reply `reply_id`."""

    reply_id: str
    question: str
    faq_id: str
    picked: bool = False
    liked: bool | None = None
    client: str | None = None  # the pseudonym of the client who asked (None: unknown)
    asked_id: str = ""  # the reply to the question itself (for a picked choice, the earlier reply)
    language: str = ""  # the language the bot answered the question in ("sv", "en"; "" unknown): told from it, or an integrator's choice
    followup: bool = False  # the question was asked as a follow-up ("och vad kostar det?"): it means nothing alone


@dataclass(frozen=True)
class Suggestion:
    """One thing staff can accept: `question` as a learned phrasing of `faq_id` (alternative),
    or a group of helpdesk questions for a new entry (new_entry, `faq_id` the nearest entry or
    None); or, not to accept but to assign or reject, a question whose answer from `faq_id` got
    a 👎 (wrong_answer)."""

    id: str
    action: str
    faq_id: str | None
    question: str
    evidence: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "action": self.action,
            "faq_id": self.faq_id,
            "question": self.question,
            "evidence": self.evidence,
        }


# An id's hex digits: 64 bits. Customers choose the questions ids are made of, and with 36 bits
# (9 digits, before) a search of a million spellings each found two chosen phrasings with one id
# in seconds, so that "Godkänn" on the one wrote the other. Two open suggestions that still share
# an id are both left out (`apart`); a decision recorded under a 9-digit id still holds (`decided_by`).
ID_DIGITS, OLD_ID_DIGITS = 16, 9


def suggestion_id(action: str, faq_id: str | None, question: str) -> str:
    """Stable across runs (the same phrasing for the same entry keeps its id), short enough to copy."""
    key = f"{action}\n{faq_id or ''}\n{normalize_question(question)}"
    prefix = {ALTERNATIVE: "a", NEW_ENTRY: "n", OFF_TOPIC: "o"}.get(action, "w")
    return prefix + hashlib.sha256(key.encode()).hexdigest()[:ID_DIGITS]


def decided_by(decisions: Container[str]) -> Callable[[str], bool]:
    """Whether staff decided a suggestion, by its id: `decisions` holds the ids of the log's
    decisions, those recorded before ids grew (their first 1 + OLD_ID_DIGITS characters) too."""
    return lambda sid: sid in decisions or sid[: 1 + OLD_ID_DIGITS] in decisions


def apart(suggestions: Iterable[S]) -> list[S]:
    """The suggestions without those whose id another one shares: an id staff act on names one
    phrasing. Two different questions with one id are no accident (`ID_DIGITS`)."""
    listed = list(suggestions)
    counts = Counter(s.id for s in listed)
    return [s for s in listed if counts[s.id] == 1]


def reads_alone(question: str, followup: bool) -> bool:
    """Whether staff, who read a question without the chat around it, can tell what it asks: not
    a follow-up that points back at the question before it ("och vad kostar det?"), nor a message
    that reads as one whatever the log says (`points_back`). A follow-up whose words name their
    subject ("Har ni parkering?") reads alone, though the question before it swayed its ranking;
    a customer's pick under it is still not learned (`followup`)."""
    return not ((followup and refers_back(question)) or points_back(question) or mixes_scripts(question))


def mixes_scripts(question: str) -> bool:
    """Whether a word mixes Latin letters with another alphabet's: "оch" with a Cyrillic "о" reads
    as "och" on any screen, and no customer writes so; an attack did, to pass a follow-up by
    `points_back` (and as many spellings of one text as it likes). Never proposed or assigned."""
    for word in TOKEN.findall(question):
        scripts = {unicodedata.name(c, "?").split(" ", 1)[0] for c in word if c.isalpha()}
        if "LATIN" in scripts and len(scripts) > 1:
            return True
    return False


def points_back(question: str) -> bool:
    """Whether a message can only mean something after a question before it, by its words alone:
    it opens with "och", "men"... and is short, or it refers back ("det", "då"...) and has at
    most one word of its own besides ("vad kostar det?", "kostar det något?"; not "Finns det
    wifi?"). The log's follow-up mark comes from the client (`previous`): an attacker who leaves it
    out and picks an entry for "och vad kostar det?" would otherwise teach that entry every such
    follow-up. Read as the chat reads a message (`clean_question`: "o", a variation selector and
    "ch" is "och")."""
    question = clean_question(question)[0]
    words = TOKEN.findall(question.casefold())
    if not words:
        return False
    opens = words[0] in FOLLOWUP_OPENERS and len(words) <= FOLLOWUP_MAX_WORDS
    return opens or (refers_back(question) and len(OWN_WORDS(question)) <= 1)


def as_asked(rows: Iterable[Any]) -> list[Any]:
    """Log rows with each question as it is learned (`phrasing`)."""
    return [_as_asked(r) for r in rows]


# A sentence that says who is asking: "Det är Lena Karlsson.", "My name is Olga." (the rest of a
# message stays: "Jag har tappat en fyllning. Vad gör jag nu?" asks nothing without it).
# "Det är", "I'm" and the like only before a name ("Det är min första gång." says what is asked about).
FULL_NAME = r"(?-i:[A-ZÅÄÖ][^\W\d_]+ [A-ZÅÄÖ][^\W\d_'-]*[^\W\d_])"
INTRODUCES = re.compile(
    r"^(hej,? )?(jag heter|mitt namn är|my name is|(det är|detta är|det här är|här är|i am|i'm|this is) (?-i:[A-ZÅÄÖ])"
    rf"|jag är {FULL_NAME}|{FULL_NAME} (här|here)\b|(namn|name) *:)",
    re.IGNORECASE,
)


# The same at the start of the question's own sentence, up to where the question begins: "Jag
# heter Lena och undrar om ...?", "Hej, jag heter Lena Berg, har ni ...?", "Det är Anna här, kan
# jag ...?". After "jag heter" and the like any word is the name; after "det är" only a capitalised
# one; after "jag är" and "I'm" only a full name ("I'm Swedish, can I pay in SEK?" and "Jag är VD,
# ..." say something the question needs; "Hi, I'm Anna Svensson, how do I ...?" does not).
NAME_WORD = r"[^\W\d_][\w'-]*"
CAPITALISED_NAME = r"(?-i:[A-ZÅÄÖ])[\w'-]*"
INTRODUCTION_CLAUSE = re.compile(
    rf"^(hej,? )?((jag heter|mitt namn är|my name is) {NAME_WORD}( {CAPITALISED_NAME})?"
    rf"|(det är|här är|this is) {CAPITALISED_NAME}( {CAPITALISED_NAME})?( här| here)?"
    rf"|(?P<self>(jag är|i'm|i am) {FULL_NAME}))"
    r"(,? och|,? and|,|\.) +",
    re.IGNORECASE,
)
# Left anywhere in a phrasing, the words that name the asker keep it out of the FAQ
# (`has_personal_data`): "jag heter" and the like, or "Namn:", or a person's full name (`names_someone`).
ASKER_NAMED = re.compile(r"\b(jag heter|mitt namn är|my name is)\b", re.IGNORECASE)
NAMES_THE_ASKER = re.compile(
    r"\b(jag heter|mitt namn är|namnet är|my name is|my name's)\b|\b(namn|name) *:(?! *(på|fältet|field)\b)",
    re.IGNORECASE,
)
# A person's full name: two capitalised words, the first a common first name or the second a
# surname's ending ("Anna Svensson", "Søren Hansen", "Lena Lindberg"); not "Apple Pay", "Black
# Friday", "Mina Sidor" or "Google Chrome" (a red team's second round: such pairs kept good
# phrasings out of the FAQ).
NAME_PAIR = re.compile(r"(?-i:(?=\b([A-ZÅÄÖ][^\W\d_]+) ([A-ZÅÄÖ][^\W\d_]+)\b))")  # overlapping: "Kan Anna Svensson"
FIRST_NAMES = frozenset(
    """anna eva maria karin sara lena kerstin emma ingrid marie malin jenny hanna linda elin annika susanne
    johanna sofia ida elisabeth monica helena birgitta ulla julia camilla lisa amanda frida emelie åsa louise
    therese klara ebba maja alice elsa agnes astrid wilma ella olivia saga nora signe märta karolina lotta
    erik lars karl anders johan per nils jan mikael hans peter lennart thomas daniel fredrik stefan bengt magnus
    mats oskar andreas jonas alexander martin björn gustav david simon sven ulf göran bo leif mattias niklas
    christer william liam hugo lucas oliver elias adam axel noah viktor filip isak emil anton olle kalle
    john james michael robert mary patricia jennifer sarah jessica""".split()
)
SURNAME_ENDING = re.compile(
    r"(s?son|sen|berg|ström|strom|lund|gren|qvist|kvist|quist|holm|dahl|stedt|blad|sköld|fors|ius|lind|löf|bäck)$"
)


def names_someone(text: str) -> bool:
    """Whether `text` holds a person's full name (`NAME_PAIR`)."""
    return any(
        first.casefold() in FIRST_NAMES or SURNAME_ENDING.search(last.casefold())
        for first, last in NAME_PAIR.findall(text)
    )


# What else a customer's message may carry that identifies someone and has no place in the FAQ,
# though the log keeps it readable for staff (faqbot/conversations/privacy.py): a web address, an
# IP address, an @, a customer, order or invoice number (`holds_identifying_number`). Found by a
# red team (thirty-ninth session): each was proposed as a phrasing to add to the FAQ.
IDENTIFYING = re.compile(
    r"https?://|\bwww\.|@|\b\d{1,3}(\.\d{1,3}){3}\b|\b[0-9a-f]{1,4}(:[0-9a-f]{0,4}){3,7}\b",
    re.IGNORECASE,
)


def phrasing(question: str) -> str:
    """What is learned of a logged question: without the greeting, thanks and signature around
    it (`without_courtesies`), nor a sentence or clause that says who asks (`INTRODUCES`,
    `INTRODUCTION_CLAUSE`). "Hej! Har ni parkering? Mvh Anna" is learned as "Har ni parkering?",
    the same phrasing as a customer's who asked it plainly, "Det är Lena Karlsson. Kan jag byta
    tandläkare?" as "Kan jag byta tandläkare?" and "Jag heter Lena och undrar om ni har
    parkering?" as "Undrar om ni har parkering?": no customer's name goes into the FAQ (found by
    walk-throughs). A question typed without its "?" gets it, as the bot reads it (`as_a_question`):
    "hur säger jag upp avtalet" is learned as "hur säger jag upp avtalet?", which is how the FAQ's
    own questions are written and how the next customer's question is embedded. A message the
    customer began with a capital keeps one where the greeting is cut: "Hej, jag undrar om ni
    klipper stora hundar?" is learned as "Jag undrar om ni klipper stora hundar?"."""
    asked, question = question, without_courtesies(question)
    if question != asked and asked[:1].isupper():  # "Hej, jag undrar om ...": as the customer began it
        question = question[:1].upper() + question[1:]
    sentences = [s for s in SENTENCE_END.split(question) if s.strip()]
    kept = [s for s in sentences if is_question_sentence(s) or not INTRODUCES.search(s)]
    kept = [_without_introduction(s) if is_question_sentence(s) else s for s in kept]
    return as_a_question(" ".join(kept) if any(is_question_sentence(s) for s in kept) else question)


def as_marked(question: str) -> str:
    """What goes into the FAQ's `off_topic:` of a logged question: as learned (`phrasing`), and of
    a long message the question sentences the chat ranks (`focus`), since the chat compares what
    it ranks with the marked questions (a 925-character question marked whole was never matched:
    found by a walk-through)."""
    return as_a_question(focus(phrasing(question)))


def _without_introduction(sentence: str) -> str:
    clause = INTRODUCTION_CLAUSE.match(sentence)
    if clause is None or (clause.group("self") and not names_someone(clause.group("self"))):
        return sentence  # "Jag är Premium Kund, har jag rabatt?" names nobody
    rest = sentence[clause.end() :]
    return rest[:1].upper() + rest[1:]


def _as_asked(row: Any) -> Any:
    question = phrasing(row.question) if row.question else row.question
    if question == row.question:
        return row
    if is_dataclass(row) and not isinstance(row, type):
        return replace(row, question=question)
    asked = copy.copy(row)  # a row of another kind (a test's namespace)
    asked.question = question
    return asked


def holds_masked_data(text: str) -> bool:
    """Whether `text` holds masked personal data ("[telefon]") or says the asker's name ("jag heter"):
    never written into the FAQ, not even by staff's own `--assign` (the placeholder would go in).
    What else `has_personal_data` finds (a full name, a customer number) staff may assign: they
    read the question, and "Har ni böcker av Astrid Lindgren?" is a library's customers' question."""
    return any(placeholder in text for placeholder in PLACEHOLDERS) or bool(ASKER_NAMED.search(text))


def has_personal_data(text: str) -> bool:
    """Whether `text` holds masked personal data ("[telefon]"), says the asker's name ("jag heter"),
    holds a person's full name ("Anna Svensson"), or what identifies someone though it is not masked
    (`IDENTIFYING`, `holds_identifying_number`): never proposed for the FAQ, where `--accept all`
    and `learn: auto` would write it unread."""
    return (
        holds_masked_data(text)
        or bool(NAMES_THE_ASKER.search(text))
        or names_someone(text)
        or bool(IDENTIFYING.search(text))
        or holds_identifying_number(text)
    )


def signals_from_rows(rows: Sequence[Any]) -> list[Signal]:
    """The signals in conversation-log rows: a row that answers an earlier reply (`answer_to`: a
    picked choice) confirms the earlier question; 👍/👎 on an answer rates that question's entry
    (for a picked choice, the earlier question's)."""
    by_id = {r.reply_id: r for r in rows if getattr(r, "reply_id", None)}
    signals = []
    for row in rows:
        if row.kind != ReplyKind.ANSWER or not row.faq_id:
            continue
        earlier = by_id.get(row.answer_to) if getattr(row, "answer_to", None) else None
        asked = earlier if earlier is not None else row
        liked = None if row.feedback is None else row.feedback > 0
        if earlier is None and liked is None:
            continue  # answered, and nobody said whether it was right
        client = getattr(asked, "client", None)
        signals.append(
            Signal(
                row.reply_id or "",
                asked.question,
                row.faq_id,
                earlier is not None,
                liked,
                client,
                asked.reply_id or "",
                getattr(asked, "language", "") or "",
                bool(getattr(asked, "followup", False)),
            )
        )
    return signals


def answered_by_choice(rows: Sequence[Any]) -> set[str]:
    """The ids of replies whose customer picked one of their suggestions afterwards and did not
    say 👎 to what they picked."""
    return {r.answer_to for r in rows if getattr(r, "answer_to", None) and r.feedback != -1}
