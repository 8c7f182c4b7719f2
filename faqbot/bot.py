"""`FaqBot`: a customer's message in, a `Reply` out.

CLI, widget and API are thin shells over this class. It cleans the message, tells its
language, answers small talk, ranks the FAQ entries (`faqbot.retrieval.search`), lets the
policy decide (`faqbot.decision`: answer, choices or helpdesk), words the reply
(`faqbot.wording`) and records it in the conversation log. The index it ranks with is kept
current by `faqbot.retrieval.lifecycle.LiveIndex`.
"""

from __future__ import annotations

import logging
import re
import secrets
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

from bm25s.stopwords import STOPWORDS_EN

from faqbot import config as cfg
from faqbot.config import Settings
from faqbot.conversations.privacy import mask_pii, masked_traceback
from faqbot.conversations.recent import RecentReplies
from faqbot.conversations.rows import LoggedQuestion, LogRow
from faqbot.decision import Calibration, Decision, Policy, ReplyKind
from faqbot.decision.policy import SUGGESTION_COUNT
from faqbot.errors import ChoiceRefusedError, FeedbackRefusedError, UnknownReplyError
from faqbot.faq.model import FaqEntry
from faqbot.language import WORD, detect_language
from faqbot.retrieval.embedding import ChatMemory, RememberingEmbedder, load_embedder
from faqbot.retrieval.heldout import offtopic_questions
from faqbot.retrieval.index import LoadedIndex
from faqbot.retrieval.lifecycle import LiveIndex
from faqbot.retrieval.search import TOKEN, Match, Searcher, topic_of
from faqbot.wording import greeting_text, message

logger = logging.getLogger(__name__)

# The longest message the bot, the widget and the JSON API take: one limit for all three. A
# longer message (only `faqbot ask` and a paste in the widget can send one; the API refuses it)
# is read from its end, where the question usually is, and the reply says so.
MAX_MESSAGE_CHARS = 2000
# A message longer than this is background around a question: what is ranked is its question
# sentences, the last ones first, within this many characters (or, with no "?", its last sentences).
FOCUS_CHARS = 300
FALLBACK_THRESHOLD = 0.5  # `threshold: auto` with an index built before calibration existed
SMALL_TALK_MAX_CHARS = 60  # greetings and thanks are short; longer text is a question
# A follow-up in a chat: a message that opens with a conjunction ("och vad kostar det?"), or a
# short one with few words of its own ("Vem kan söka?"). Longer messages are new questions.
FOLLOWUP_MAX_WORDS, FOLLOWUP_SHORT_WORDS, FOLLOWUP_OWN_WORDS = 8, 5, 2
ASIDE_REMEMBERS = 2  # question vectors a message's ranking keeps for the off-topic check (set_aside)
VERBATIM_SCORE = 0.9  # a message scoring this high with an entry is that entry's own question, near enough
FOLLOWUP_OPENERS = frozenset({"och", "men", "samt", "eller", "and", "but", "or"})
ENGLISH_FUNCTION_WORDS = frozenset(STOPWORDS_EN)  # not words of a message's own (`own_words`)
# Words that point back at what was said before ("vad kostar det?", "spärras kortet då?", "kostar
# det något för henne?"). A short message without them or an opener names its own subject
# ("Har ni övervakning?" after a hosting question): its confident answer is not held to the
# topic of the previous question (`within_topic`), though the topic still nudges its ranking.
REFERRING_WORDS = frozenset(
    "det den dem dom denna detta dessa då där dit sån sådan sådant samma också även han hon hen "
    "honom henne dess deras it its that this these those there then them they he she him her same also too".split()
)
# Words that ask for help without saying with what ("Kan ni hjälpa mig?", "Jag har en fråga",
# "I need help"): a message with no other words of its own names no subject, so no entry is its
# answer however its words match one (the closest are offered as choices). Stemmed as the
# searcher stems; words that name a subject ("support", "avtal", "kostar") are not here.
VAGUE_WORDS = (
    "hjälp hjälpa hjälpen hjälper fråga frågan frågor frågorna undrar undra undrade undring "
    "problem problemet problemen ärende ärendet ärenden behöver behov veta vet info information "
    "sak saken saker grej grejen något sånt sådant snälla tacksam kolla titta svar svara "
    "help helping question questions issue issues problem problems wonder wondering need needs "
    "know something thing things info information please assist assistance answer"
).split()

GREETING = re.compile(
    r"^((hej+|hejsan|hallå|tjena(re)?|tja|god (morgon|dag|eftermiddag|kväll)|hello|hi|hey|good (morning|afternoon|evening))"
    r"( (där|there|allihop|igen|again|(?-i:[A-ZÅÄÖ]\w+)))?[\s!.,:)]*)+$",
    re.IGNORECASE,
)
# Words to the bot about itself ("Hur mår du?", "Är du en robot?", "What's your name?"): the
# greeting answers them, saying what the bot is for. Addressed to "du"/"you" only; "Vem är ni?"
# and "Who are you?" may ask about the company, which its FAQ may answer.
ABOUT_THE_BOT = re.compile(
    r"^((hej+|hejsan|hallå|hello|hi|hey)[\s,!.]+)?"
    r"(hur (mår du|är läget|har du det)|läget|vem är du|vad är du( för något)?|vad heter du|"
    r"(är du|pratar jag med) (en |ett )?(robot|bot|chattbot|chatbot|människa|riktig (människa|person)|ai|dator)|"
    r"how are you( doing)?|how'?s it going|how is it going|what('s| is) your name|"
    r"(are you|am i (talking|chatting|speaking) (to|with)) (a |an )?"
    r"(robot|bot|chatbot|human|real (person|human)|ai|computer))"
    r"( (idag|i dag|nu|today|now))?[\s?!.:)]*$",
    re.IGNORECASE,
)
# Thanks, alone or after "ok"/"perfekt"/"great" ("Thanks a lot!", "Tack för hjälpen", "Ok, thank you
# very much"); a message that goes on ("Tack, men hur gör jag ...?") is a question.
THANKS = re.compile(
    r"^((ok(ej|ay)?|perfekt|toppen|super|jättebra|bra|great|perfect|awesome|cool)[\s,!.]+)?"
    r"((stort |tusen )?tack( tack)?( så)?( (ska du ha|för (hjälpen|svaret|det|infon|informationen)))*( så)?( mycket)?"
    r"|tackar( så mycket)?"
    r"|(many )?thanks?( you)?( (so|very) much| a lot| a bunch| a million)?( for (the|your) help| for that)?"
    r"|thx|ty)[\s!.,:)]*$",
    re.IGNORECASE,
)
# Thanks for something named, and nothing more: no question, no "but", no second clause
# ("Tack för kallelsen!", "Thanks for the quick reply"; not "Tack för svaret, men hur ...").
THANKS_FOR = re.compile(
    r"^(stort |tusen |många )?(tack|thanks|thank you)( så mycket| so much)? (för|for) (?![^?,]*\b(men|but)\b)[^?,.!]{1,40}(, ?(?-i:[A-ZÅÄÖ]\w+))?[!.]*$",
    re.IGNORECASE,
)
# The answer helped, with or without thanks around it ("Tack, det hjälpte!", "Thanks, that helped!",
# "Det var precis vad jag behövde, tack"). Found by a walk-through: each went to the helpdesk as a
# question, and staff could teach it to an entry. "Det hjälpte inte" goes on, so it is a question.
SATISFIED = re.compile(
    r"^(((stort |tusen )?tack( så mycket)?|tackar|(many )?thanks?( you)?( so much)?|ok(ej|ay)?|perfekt|toppen|"
    r"super|jättebra|bra|great|perfect|awesome)[\s,!.]+)*"
    r"(det|that|it|this|svaret|the answer)( (hjälpte|helped|löste (sig|det|saken|mitt problem)|fungerade|funkade|"
    r"worked|solved (it|my problem)|var (bra|till hjälp|precis vad jag (behövde|undrade|letade efter))|"
    r"was (helpful|what i needed|just what i needed)|answers my question|is what i needed))( (mig|me))?"
    r"( (mycket|a lot|så mycket))?( (tack|thanks|thank you)( så mycket| so much)?)?"
    r"([\s,!.]+((stort |tusen )?tack( så mycket)?|tackar|(many )?thanks?( you)?( so much)?|bye|hej ?då))*[\s!.,:)]*$",
    re.IGNORECASE,
)
# Goodbye, alone or after thanks ("Tack, hej då", "Thanks, bye", "Ha det bra!"), and "ok" alone:
# the customer is done. Found by a walk-through: each went to the helpdesk as a question.
GOODBYE = re.compile(
    r"^(((stort |tusen )?tack( så mycket)?|tackar|(many )?thanks?( you)?( so much)?|ok(ej|ay)?)[\s,!.]+)?"
    r"(hej ?då|hejdå|adjö|bye( bye)?|goodbye|good bye|see you|ha det (så )?(bra|gott)|vi hörs|"
    r"ha en (bra|fin|trevlig) (dag|kväll|helg)|trevlig (dag|kväll|helg)|have a (nice|good|great) (day|evening|weekend))[\s!.,:)]*$",
    re.IGNORECASE,
)
NOTED = re.compile(
    r"^(ok(ej|ay|idoki)?|jaha|aha|ah|fint|då så|uppfattat|got it|i see|alright|all right)[\s!.,:)]*$", re.IGNORECASE
)


def new_reply_id() -> str:
    """An id no one can guess from another (128 random bits), given to a reply as it is made.

    Never one that starts with "-": staff type it after an option (`faqbot learn --assign ID
    FAQ_ID`), where a leading dash reads as another option (one id in 64 did).
    """
    while (reply_id := secrets.token_urlsafe(16)).startswith("-"):
        pass
    return reply_id


@dataclass(frozen=True)
class Suggestion:
    faq_id: str
    faq_question: str
    score: float


@dataclass(frozen=True)
class Reply:
    """What the bot answers to one message.

    kind is "answer" (an FAQ answer), "choices" (unsure between a few entries: "Menade du ...?",
    the entries in `suggestions`), "helpdesk" (could not answer), "greeting" (also to words
    to the bot about itself: "Hur mår du?", "Are you a bot?"), "thanks",
    "empty" (nothing was asked) or "error".

    `reply_id` is unguessable and given when the reply is made, before it is logged: a
    customer's choice (`FaqBot.choose`) and 👍/👎 (`FaqBot.feedback`) name it. `threshold` and
    `index_version` are those of the index that answered; `answer_to` is the reply_id of the
    earlier reply whose choice this reply answers ("" for a typed question).
    """

    question: str
    language: str
    kind: ReplyKind
    answer: str
    helpdesk: str
    match: Match | None = None
    score: float = 0.0
    suggestions: list[Suggestion] = field(default_factory=list)
    truncated: bool = False
    ranking: tuple[str, ...] = ()  # entry ids the search ranked, best first (for evaluation)
    ranking_scores: tuple[float, ...] = ()  # their scores, in the same order
    followup_to: str = ""  # the previous question this one was ranked as a follow-up to ("" for a new question)
    # It means nothing without that question: it points back at it ("och vad kostar det?"), or the
    # question changed which entry it is taken to ask for ("Vad kostar?" after one about printing).
    # The log marks it (`followup`), and it is never learned as a phrasing of its own.
    leans_on_previous: bool = False
    vague: bool = False  # the message names no subject of its own ("Kan ni hjälpa mig?"): never answered with an entry
    set_aside: bool = False  # nearer a question staff marked as off-topic than its best entry: the helpdesk
    reply_id: str = field(default_factory=new_reply_id)
    threshold: float = 0.0
    index_version: str = ""
    answer_to: str = ""
    client: str | None = None  # the address the message came from (the log keeps a pseudonym of it)

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", ReplyKind(self.kind))  # "answer" and ReplyKind.ANSWER alike

    @property
    def topic(self) -> str:
        """The question a chat's next follow-up refers to: this one, or what it followed up ("" for small talk)."""
        return (self.followup_to or self.question) if self.kind.has_topic else ""

    @property
    def resolved(self) -> bool:
        return self.kind.resolved

    def to_dict(self) -> dict:
        """The JSON contract of `faqbot ask --json`."""
        return {
            "question": self.question,
            "language": self.language,
            "resolved": self.resolved,
            "kind": str(self.kind),
            "faq_id": self.match.faq_id if self.resolved and self.match else None,
            "faq_question": self.match.faq_question if self.resolved and self.match else None,
            "score": round(self.score, 4),
            "answer": self.answer,
            "suggestions": [
                {"faq_id": s.faq_id, "faq_question": s.faq_question, "score": round(s.score, 4)}
                for s in self.suggestions
            ],
        }

    def log_row(self) -> LogRow:
        """The row the conversation log stores for this reply (the log masks the question)."""
        match = self.match
        return LogRow(
            reply_id=self.reply_id,
            question=self.question,
            language=self.language,
            kind=self.kind,
            resolved=self.resolved,
            faq_id=match.faq_id if self.resolved and match else None,
            candidate_id=match.faq_id if not self.resolved and match else None,
            score=float(self.score),
            threshold=float(self.threshold),
            index_version=self.index_version,
            offered=tuple(s.faq_id for s in self.suggestions),
            answer_to=self.answer_to or None,
            client=self.client,
            # a short new subject after another question ("Har ni parkering?") is ranked with the
            # topic's nudge but asks for the same entry alone, and may be learned
            followup=self.leans_on_previous,
        )


class ReplyLog(Protocol):
    """Where replies are recorded for staff (see faqbot.conversations.store); must never raise."""

    def record(self, row: LogRow) -> bool: ...

    def record_feedback(self, reply_id: str, liked: bool | None) -> None: ...

    def find(self, reply_id: str) -> LoggedQuestion | None: ...

    def lookup(self, reply_id: str) -> LoggedQuestion | None:
        """As `find`, but LogUnavailableError when the log cannot be read now."""
        ...

    def close(self) -> None: ...


def policy_for(threshold: float | str, calibration: Calibration | None) -> Policy:
    """The policy for a configured threshold, or for "auto" the one the index was calibrated with.

    A number is that threshold alone, without choices: it is what `faqbot evaluate
    --write-threshold` measures and writes.
    """
    if threshold != cfg.AUTO:
        return Policy(float(threshold))
    if calibration is None:  # an index built before calibration existed
        return Policy(FALLBACK_THRESHOLD)
    return calibration.policy()


# Letters that print as nothing (the Hangul fillers, the blank Braille pattern, two Khmer vowel
# signs): Unicode counts them as letters, so they survived as words. An attack padded questions
# with them to make different suggestion ids and rankings of text that staff read as the same.
BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u17b4\u17b5")
# Marks that print as nothing or on another letter, left once "o" + "¨" is "ö" (NFC): variation
# selectors, the combining grapheme joiner, stacked accents; and format characters (zero-width
# space, soft hyphen, direction marks). Inside a word they split it for the bot ("o\ufe02ch" read
# as "o ch", not the follow-up opener "och", an attack's way past `points_back`), so they go.
INVISIBLE_CATEGORIES = ("Mn", "Me", "Cf")


def clean_question(text: str) -> tuple[str, bool]:
    """Printable text on one line, at most MAX_MESSAGE_CHARS: a longer one keeps its end (whole
    words), where the question usually is. Returns (text, was_cut)."""
    composed = unicodedata.normalize("NFC", text)
    visible = "".join(c for c in composed if unicodedata.category(c) not in INVISIBLE_CATEGORIES)
    printable = "".join(
        " " if (unicodedata.category(c)[0] in "CZ" and c != " ") or c in BLANK_LETTERS else c for c in visible
    )
    collapsed = " ".join(printable.split())
    if len(collapsed) > MAX_MESSAGE_CHARS:
        end = collapsed[-MAX_MESSAGE_CHARS:]
        return (end.split(" ", 1)[1] if " " in end else end), True
    return collapsed, False


SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


AFTER_MARK = " )\"'”»"  # what may close a sentence after its mark: "(Kan jag det?)", "»Går det?»"


def is_question_sentence(sentence: str) -> bool:
    return sentence.rstrip(AFTER_MARK).endswith("?")


def focus(question: str) -> str:
    """What the bot ranks of a cleaned message: all of a short one; of one over FOCUS_CHARS, the
    question it holds.

    A long message is mostly background ("Vi har en webbshop sedan 2019 ... Hur ofta tar ni
    backup?"): ranked whole, its background outweighs the question (and the embedding model
    reads only its first 512 tokens). So the sentences that end in "?" are kept, the last ones
    first, within FOCUS_CHARS; a message with no "?" keeps its last sentences.
    """
    if len(question) <= FOCUS_CHARS:
        return question
    sentences = [s for s in SENTENCE_END.split(question) if has_words(s)]
    asked = [s for s in sentences if is_question_sentence(s)] or sentences
    kept: list[str] = []
    for sentence in reversed(asked):
        if kept and sum(len(s) + 1 for s in kept) + len(sentence) > FOCUS_CHARS:
            break
        kept.insert(0, sentence)
    read = " ".join(kept)
    if len(read) > FOCUS_CHARS:  # one sentence longer than FOCUS_CHARS: its end, whole words
        read = read[-FOCUS_CHARS:].split(" ", 1)[-1]
    return read


# Words a question opens with (an interrogative, or a verb put first), Swedish and English. A chat
# message often ends without its "?" ("hur säger jag upp mitt avtal"), and the embedding model
# scores it lower against the FAQ's questions, which have theirs: below the threshold more
# often (`python -m benchmarks.writing`, "lower case, no ?"). A keyword query ("bettskena pris")
# opens with none of them and is read as written: given a "?", it was answered right less often.
QUESTION_OPENERS = frozenset(
    "hur vad var vart varifrån när varför vem vems vilka vilken vilket kan får går har finns är "
    "måste ska skall behöver gör tar erbjuder brukar skickar hjälper accepterar fungerar funkar "
    "ingår kostar blir betalar bör ger säljer how what where when why who whose which can could "
    "do does did is are was will would should may might have has".split()
)


def as_a_question(read: str) -> str:
    """A message that opens as a question and ends without a mark, with its "?"; not one that
    asks with a "?" already and goes on ("Do you take puppies? Mine is 5 months old": a
    walk-through found it learned with a "?" after the statement)."""
    first = WORD.match(read.casefold())
    if read.rstrip(AFTER_MARK).endswith(("?", ".", "!")) or "?" in read:
        return read
    if first is None or first.group() not in QUESTION_OPENERS:
        return read
    return read + "?"


def reading(question: str, language: str, searcher: Searcher) -> str:
    """What the bot ranks of a cleaned message: the question without the courtesies around it,
    of a long message its question sentences (`focus`), in Swedish each word written without
    å, ä or ö as the FAQ spells it (`Searcher.spelled`), and a question written without its "?"
    with it (`as_a_question`)."""
    read = focus(without_courtesies(question))
    return as_a_question(searcher.spelled(read) if language == "sv" else read)


def characters(count: int, language: str) -> str:
    """A count of characters as the customer's language writes it: "2 000" in Swedish, "2,000" in English."""
    return f"{count:,}" if language == "en" else f"{count:,}".replace(",", "\N{NO-BREAK SPACE}")


def moved_by_topic(decision: Decision, by_itself: Decision) -> bool:
    """Whether the previous question changed what this one is answered with or offered: another
    best entry, or an entry among the choices that the message by itself would not bring. A pick
    among such choices confirms nothing about the message alone (found by an attack: asked after a
    question about backups, "Fungerar WordPress?" was offered the backup entry, and five
    addresses picking it made it a phrasing of the backup entry)."""
    if (decision.best is None) != (by_itself.best is None):
        return True
    if decision.best is not None and by_itself.best is not None and decision.best.faq_id != by_itself.best.faq_id:
        return True
    own = {m.faq_id for m in by_itself.suggestions} | ({by_itself.best.faq_id} if by_itself.best else set())
    return any(m.faq_id not in own for m in decision.suggestions)


def own_words(searcher: Searcher[LoadedIndex], text: str) -> list[str]:
    """The words a message says of its own: the searcher's, without English function words.
    The searcher keeps most of them (its stop words are Swedish), so "And how long does it
    last?" had three words of its own ("long", "it", "last"), too many for a follow-up that
    leans on the previous question, and was answered alone with an invoicing entry."""
    return [word for word in searcher.words(text) if word not in ENGLISH_FUNCTION_WORDS]


def is_followup(question: str, own_words: int) -> bool:
    """Whether a chat message reads as a follow-up to the previous question rather than a new one.

    `own_words`: how many words the message has besides stop words (the searcher's tokens).
    """
    words = TOKEN.findall(question.casefold())
    if not words or len(words) > FOLLOWUP_MAX_WORDS:
        return False
    return words[0] in FOLLOWUP_OPENERS or (len(words) <= FOLLOWUP_SHORT_WORDS and own_words <= FOLLOWUP_OWN_WORDS)


def refers_back(question: str) -> bool:
    """Whether a follow-up points back at the previous question: it opens with a conjunction or
    has a word that refers to something said before (REFERRING_WORDS)."""
    words = TOKEN.findall(question.casefold())
    return bool(words) and (words[0] in FOLLOWUP_OPENERS or any(w in REFERRING_WORDS for w in words))


GREETING_FIRST = re.compile(
    r"^(hej+|hejsan|hallå|tjena|god (morgon|dag|kväll)|hello|hi|hey|good (morning|afternoon|evening))\b[\s!.,:)]*",
    re.IGNORECASE,
)
# What a customer says before asking ("Jag har en fråga", "Kan ni hjälpa mig?", "I need help"):
# whole, nothing else. Not every message of VAGUE_WORDS: "När svarar ni?" and "Vilken information
# har ni om mig?" ask something (an attack found them greeted back, never to reach staff).
ASKS_TO_ASK = re.compile(
    r"^((jag )?(har|hade) (en )?(liten |kort |snabb )?(fråga|frågor)( till er| till dig)?"
    r"|(jag )?undrar (en sak|något|lite|över en sak)"
    r"|(jag )?behöver (lite |er |din )?hjälp"
    r"|(kan|skulle) (ni|du) (hjälpa|svara på en fråga)( mig)?"
    r"|i (have|got|'ve got) a (quick |short )?question( for you)?"
    r"|i need (some )?help|can you help( me)?|(a )?(quick )?question)[\s?!.,:)]*$",
    re.IGNORECASE,
)


# The courtesies around a question ("Hej! ... Tack på förhand! Mvh Anna"): the bot ranks the
# question without them (`without_courtesies`). Ranked with them, a greeting or a signature pulls
# every question towards the same few entries: on the three FAQs' test sets with a greeting and
# a closing around each question, answered right fell 0.85 -> 0.68-0.72, 0.46 -> 0.28, 0.51 -> 0.28-0.34
# (benchmarks/writing.py --raw).
# A greeting opens the message, with up to two words of address before a mark ("Hej Anna,",
# "Hi team!"); without a mark only the greeting itself goes ("Hej vad kostar det?").
OPENING = re.compile(
    r"^(hej+( hej+)?(?! ?då\b)|hejsan( hejsan)?|hallå|tjena(re)?|tja|morr?n|god ?(morgon|middag|dag|eftermiddag|kväll)"
    r"|hello|hi|hey|hiya|greetings|good (morning|afternoon|evening|day)|dear)"
    r"(( [^\W\d_]+){0,2}[!.,:]+|[!.,:]*)\s+",
    re.IGNORECASE,
)
# Asking to ask, as a sentence of its own before the question ("Jag har en fråga: ...").
ASKING_FIRST = re.compile(ASKS_TO_ASK.pattern.replace(r"[\s?!.,:)]*$", r"[?!.,:)]+\s+"), re.IGNORECASE)
# A closing at the end: thanks, a wish, a signature with a name, "Skickat från min iPhone".
THANKS_LAST = (
    r"((stort |tusen |många )?tack(ar)?( så mycket| så länge| på förhand| i förväg| för (hjälpen|svaret|svar|er hjälp|din hjälp))*"
    r"|(many )?thanks( a lot| so much| in advance| for (your|the) help)*|thank you( so much| very much| in advance| for (your|the) help)*"
    r"|thx)"
)
WISH_LAST = r"(ha en (bra|fin|trevlig) (dag|kväll|helg)|trevlig (dag|kväll|helg)|have a (nice|good|great) (day|evening|weekend))"
SIGNED = r"(mvh|m\.v\.h\.?|vh|(med )?vänliga? hälsning(ar)?)"
# Words that also occur inside questions ("regards", "vänligen", "tia"): only after the end of a
# sentence, and followed by a name or nothing ("Vänligen återställ sajten." is a request).
# A wish opens a sentence: after its end, or with a capital ("... pajar Ha en trevlig helg!",
# not "för en trevlig kväll"); "/Anna" is a signature at the end, "kort / swish" is not.
SIGNED_AFTER_SENTENCE = (
    r"(hälsningar|hälsning|hälsn|kram|vänligen|allt gott|(best |kind |warm )?regards|best wishes|best|cheers"
    r"|sincerely|yours( sincerely| truly)?|br|tia)"
)
SENT_FROM = r"(skickat från|sent from)( min| my)?( \S+){1,4}"
# A name: after a signature word up to seven words of any kind ("mvh anna", "Mvh Anna Svensson,
# Svensson Bygg AB, [telefon]"), elsewhere up to five that open with a capital ("Tack, Anna",
# "/Anna-Karin"). Each word after the first follows a space, so that no run of letters can be
# split into words in many ways (300 letters after "mvh" took 11 s when it could).
CAPITALISED = r"(?-i:[A-ZÅÄÖ][\w'-]*)"
# A day after a slash is the other of two days ("öppet lör /Sön"), not a signature like "/Maria".
DAY = r"(mån(dag)?|tis(dag)?|ons(dag)?|tors?(dag)?|fre(dag)?|lör(dag)?|sön(dag)?)"
NAME = rf"([,:!.]?\s*{CAPITALISED}([,:]?\s+({CAPITALISED}|\[\w+\])){{0,4}})?"
ANY_NAME = r"([,:]?\s*[^\s?]+([,:]?\s+[^\s?]+){0,6})?"
CLOSING = re.compile(
    rf"(\s*[,;]?\s+{THANKS_LAST}{NAME}[!.\s]*"
    rf"|((?<=[.!?])\s*|\s+(?=(?-i:[A-ZÅÄÖ])))({WISH_LAST}|{SENT_FROM})[!.\s]*"
    rf"|\s+{SIGNED}(?![\w-])(?!\s+(på|i|och|som|till|för|med|av|om|in|on|at|to)\b){ANY_NAME}[!.\s]*"
    rf"|\s+(best |kind |warm )?regards,{NAME}[!.\s]*"
    rf"|(?<=[.!?])\s*{SIGNED_AFTER_SENTENCE}{NAME}[!.\s]*"
    rf"|(?<=[.!?])\s*(//?|--?|–|—)\s?{CAPITALISED}( {CAPITALISED})?|\s+//?(?!{DAY}\b){CAPITALISED}( {CAPITALISED})?)$",
    re.IGNORECASE,
)
# A signature and nothing else ("Hej! Mvh Anna" after its greeting): small talk, no question.
SIGNATURE_ALONE = re.compile(rf"^{SIGNED}(?![\w-]){ANY_NAME}[!.\s]*$", re.IGNORECASE)


def without_courtesies(question: str) -> str:
    """The question a cleaned message asks, without the greeting before it and the thanks or
    signature after it ("Hej! Jag har en fråga. Hur säger jag upp avtalet? Tack! Mvh Anna" ->
    "Hur säger jag upp avtalet?"). A message that is nothing but courtesies is left whole (small
    talk answers it). Also what is learned of a customer's question: no name goes into the FAQ."""
    rest = question
    for _ in range(2):  # "Hejsan! Hej, ..."
        if opening := OPENING.match(rest):
            rest = rest[opening.end() :]
    if asking := ASKING_FIRST.match(rest):
        rest = rest[asking.end() :]
    for _ in range(3):  # "Tack på förhand! Mvh Anna": the signature, then the thanks
        closing = CLOSING.search(rest)
        if closing is None or closing.start() == 0:
            break
        rest = rest[: closing.start()]
    rest = rest.strip(" ,;–-")
    return rest if has_words(rest) else question


def small_talk(message: str) -> str | None:
    """What a short message that asks nothing is: "greeting", "thanks", "goodbye" or "noted";
    None for a question. Read whole, and without the greeting or signature around it: "Tack för
    kallelsen! Mvh Eva" is thanks, not a question about the notice (a walk-through found it
    answered with the notice entry once the signature was no longer ranked)."""
    if len(message) > SMALL_TALK_MAX_CHARS:
        return None
    for text in dict.fromkeys((message, without_courtesies(message))):
        if GREETING.match(text) or ABOUT_THE_BOT.match(text) or SIGNATURE_ALONE.match(text):
            return "greeting"
        if THANKS.match(text) or THANKS_FOR.match(text) or SATISFIED.match(text):
            return "thanks"
        if GOODBYE.match(text):
            return "goodbye"
        if NOTED.match(text):
            return "noted"
        if greets_without_subject(text):
            return "greeting"
    return None


def greets_without_subject(message: str) -> bool:
    """A greeting followed by asking to ask ("Hej! Jag har en fråga", "Hi, I need help"): the
    customer has not asked yet, so the bot greets back and asks what they wonder."""
    opening = GREETING_FIRST.match(message)
    return opening is not None and opening.end() < len(message) and bool(ASKS_TO_ASK.match(message[opening.end() :]))


def names_no_subject(searcher: Searcher[LoadedIndex], text: str) -> bool:
    """Whether a message asks for help without saying with what ("Kan ni hjälpa mig?", "Jag har
    en fråga"): no words of its own (`own_words`) but VAGUE_WORDS."""
    return is_vague(own_words(searcher, text), frozenset(searcher.words(" ".join(VAGUE_WORDS))))


def is_vague(words: list[str], vague_words: frozenset[str]) -> bool:
    """Whether a message's stems (`Searcher.words`: stop words left out) name no subject: none
    besides `vague_words` (VAGUE_WORDS, stemmed)."""
    return all(w in vague_words for w in words)


def within_topic(
    decision: Decision, ranked: list[Match], topic: frozenset[str], anchor: Match | None, policy: Policy
) -> Decision:
    """A follow-up's decision: an answer from outside the conversation's `topic` becomes choices,
    and what is offered then (or beside a helpdesk reply) holds the previous question's entry
    (`anchor`).

    "och vad kostar det?" after "Hur säger jag upp mitt avtal?" refers to the cancellation; when
    its own words rank another entry first (support billing, on "kostar"), which one is meant
    is unsure: the best entry of the topic is offered next to it, and the entry that answered the
    question before, however low the follow-up's own words rank it ("And who pays for it?" after
    "Why are you replacing my water meter?" was offered invoicing and direct debit, not the meter
    entry: a walk-through). (The bot asks this only of a follow-up with few words of its own: one
    that names its subject itself is answered.)
    """
    if not topic or (decision.kind is ReplyKind.ANSWER and ranked[0].faq_id in topic):
        return decision
    if decision.kind is ReplyKind.ANSWER:
        decision = policy.unsure(ranked, first=next((m for m in ranked if m.faq_id in topic), None))
    if anchor is None or any(m.faq_id == anchor.faq_id for m in decision.suggestions):
        return decision
    offered = sorted([*decision.suggestions[: SUGGESTION_COUNT - 1], anchor], key=lambda m: -m.score)
    return replace(decision, suggestions=offered)  # a helpdesk reply stays one, the entry offered beside it


def on_topic(
    searcher: Searcher[LoadedIndex],
    read: str,
    own: list[str],
    ranked: list[Match],
    topic: frozenset[str],
    answered: str,
    decision: Decision,
    alone: Decision,
    policy: Policy,
) -> tuple[Decision, bool]:
    """A follow-up's decision in the light of the question before it (its `topic`; `answered`: the
    entry that question is answered with, "" when it is not), and whether staff's marks apply to
    it (`Searcher.set_aside`). `alone`: the decision on the message by itself."""
    if not topic:
        return decision, True
    points_back = refers_back(read)
    # leaning on the previous question, unless it is (nearly) word for word one of the FAQ's own
    # questions ("Can I call you?" after a backup question): that names its subject; not when a
    # word of it points back ("och hur lång tid tar det?" scored 0.905 with the learned phrasing
    # "Hur lång tid tar en retur?" and was answered with returns after a Swish question: a walk-through)
    verbatim = ranked[0].score >= VERBATIM_SCORE and not pronoun_back(read)
    leaning = points_back and len(own) <= own_words_leaning(read) and not verbatim
    if leaning and answered:
        anchor = match_of(searcher, read, ranked, answered, topic)
        # a mark is read against the message alone: "Och vad kostar det?" after a flooding question
        # asks about flooding, though the mark "Vad kostar elen?" is nearer; "Och vad kostar elen?"
        # names a subject the FAQ does not have, and the marks apply (two walk-throughs)
        return within_topic(decision, ranked, topic, anchor, policy), not searcher.knows_all(own)
    if points_back and not answered and decision.kind is ReplyKind.ANSWER:
        # pointing back at a question the bot could not answer: what "it" is, the bot does not know
        # ("Vad kostar elen?" then "Och vad kostar det?" was answered with the water price). One that
        # names its own subject ("Och vad kostar vattnet?", "Det luktar klor") is answered as alone.
        names_it = ranked[0].score >= VERBATIM_SCORE or not pronoun_back(read)
        return (decision if names_it and alone.faq_id == decision.faq_id else policy.unsure(ranked)), True
    if not answered or not points_back:
        # a new question, or one after a question the bot could not answer: the topic's nudge is no
        # reason to answer ("Do you sell bicycles?" then "And what does it cost?")
        return unless_pointed_back(decision, ranked, alone, policy), True
    return decision, True


def own_words_leaning(question: str) -> int:
    """How many words of its own a follow-up that points back may have and still lean on the
    question before it: FOLLOWUP_OWN_WORDS, one more when it points back twice, with an opener
    and a word such as "det" after it. "och hur lång tid tar det?" has three ("lång", "tid",
    "tar"; "and how long does it take?" two), and after "Kan jag betala med Swish?" or "Hur
    fungerar era presentkort?" it was answered with a shop's delivery time (a walk-through)."""
    words = TOKEN.findall(question.casefold())
    twice = bool(words) and words[0] in FOLLOWUP_OPENERS and pronoun_back(question)
    return FOLLOWUP_OWN_WORDS + 1 if twice else FOLLOWUP_OWN_WORDS


def pronoun_back(question: str) -> bool:
    """Whether a word after the message's first (an opener aside) refers to something said before:
    "Och vad kostar det?", "And how long does it last?"; not "Det luktar klor" (a subject of its own)."""
    words = TOKEN.findall(question.casefold())
    if words and words[0] in FOLLOWUP_OPENERS:
        words = words[1:]
    return any(word in REFERRING_WORDS for word in words[1:])


def match_of(
    searcher: Searcher[LoadedIndex], read: str, ranked: list[Match], faq_id: str, topic: frozenset[str]
) -> Match | None:
    """Entry `faq_id` as the follow-up `read` ranks it (with its `topic` favoured): among `ranked`,
    or from its whole ranking, where its own words may put it low."""
    found = next((m for m in ranked if m.faq_id == faq_id), None)
    if found is None:
        found = next((m for m in searcher.rank(read, len(searcher.entries), topic) if m.faq_id == faq_id), None)
    return found


def unless_pointed_back(decision: Decision, ranked: list[Match], alone: Decision, policy: Policy) -> Decision:
    """The decision on a short message that does not point back at the previous question (no
    "och", no "det"): it may be a follow-up ("Vem kan söka?") or a new subject ("Har ni
    parkering?"). The topic's nudge orders its ranking, but it is answered with the topic's
    entry only when it would be so answered asked alone; else that entry is offered as a choice.
    ("Har ni parkering?" after "Kan jag ringa er?" was answered with the phone entry.) Measured
    by benchmarks/followups.py on the three imported FAQs: wrong answers 8 -> 4 (and the one
    off-topic question answered is offered choices), right 231 -> 229 (two became one click); of
    the library's 15 follow-up conversations, 2 more are one click instead of answered
    (docs/evaluation.md, "Follow-ups")."""
    if decision.kind is not ReplyKind.ANSWER or alone.faq_id == decision.faq_id:
        return decision
    return policy.unsure(ranked, first=ranked[0])


def has_words(text: str) -> bool:
    return any(c.isalnum() for c in text)


def question_text(match: Match, language: str) -> str:
    """The entry's question as offered to the customer: English when staff wrote one, else Swedish."""
    return match.question_en if language == "en" and match.question_en else match.faq_question


def answer_text(match: Match, language: str) -> str:
    """The entry's answer in the customer's language: English when staff wrote one, else Swedish."""
    if language == "en" and match.answer_en:
        return match.answer_en.strip()
    return match.answer.strip()


def worded_answer(match: Match, language: str, helpdesk: str) -> str:
    """An FAQ answer as the customer reads it: the answer, the footer, and a note when English was asked for."""
    parts = [answer_text(match, language), message("footer", language, helpdesk)]
    if language == "en" and not match.answer_en:
        parts.insert(0, message("swedish_note", language, helpdesk))
    return "\n\n".join(parts)


def picked(entry: FaqEntry, score: float) -> Match:
    """An entry a customer picked among the choices, as a match."""
    return Match(entry.id, entry.question, entry.answer, score, 0.0, 0.0, entry.answer_en, entry.question_en)


class FaqBot:
    """Answers customers' questions from the FAQ index.

    >>> bot = FaqBot()                      # data/faq.yaml, data/config.yaml, index/
    >>> bot.ask("Kan jag ringa er?").match.faq_id
    'telefonsupport'

    `FaqBot.from_settings` is the bot a server runs: its settings resolved once
    (`faqbot.config.Settings`), with the conversation log they ask for.
    """

    def __init__(
        self,
        faq_path: str | Path | None = None,
        index_dir: str | Path | None = None,
        config_path: str | Path | None = None,
        auto_build: bool = True,
        log: ReplyLog | None = None,
        settings: Settings | None = None,
    ) -> None:
        """The three paths, or `settings` already resolved (with the settings file read) instead."""
        if settings is None:
            settings = Settings.resolve(faq_path, index_dir, config_path)
        elif (faq_path, index_dir, config_path) != (None, None, None):
            raise TypeError("FaqBot takes the paths or the settings, not both")
        self.settings = settings
        self.faq_path, self.index_dir, self.config_path = settings.faq_path, settings.index_dir, settings.config_path
        self.log = log
        self.recent = RecentReplies()  # what a choice or 👍 names, while its row may still wait
        self._config_stamp = settings.config_stamp
        self.config = settings.config
        self.embedder = load_embedder(self.config.model)
        bank = offtopic_questions(self.config.offtopic_bank or None)
        self.index = LiveIndex(self.faq_path, self.index_dir, self.embedder, auto_build, bank)

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> FaqBot:
        """The bot with the conversation log `settings` ask for (default: `Settings.resolve()`)."""
        from faqbot.conversations.backends import open_log

        settings = settings if settings is not None else Settings.resolve()
        return cls(log=open_log(settings.config, settings.log_location), settings=settings)

    @property
    def searcher(self) -> Searcher[LoadedIndex]:
        """The searcher over the index serving now."""
        return self.index.searcher

    @property
    def helpdesk(self) -> str:
        return self.searcher.index.helpdesk

    @property
    def calibration(self) -> Calibration | None:
        """What `faqbot index` calibrated on the FAQ (threshold, choices, and why); None for an older index."""
        return self.index.manifest.calibration

    @property
    def threshold(self) -> float:
        """The configured threshold, or the calibrated one when the config says `auto`."""
        return self.policy.threshold

    @property
    def policy(self) -> Policy:
        """The decision rule: the config's threshold, or `auto` (threshold and choices calibrated at index time)."""
        return self.policy_of(self.searcher.index)

    def policy_of(self, index: LoadedIndex) -> Policy:
        """The decision rule for questions answered from `index` (its calibration under `auto`)."""
        return policy_for(self.config.threshold, index.manifest.calibration)

    def greeting(self, language: str = "sv") -> str:
        """The bot's first words in `language`, as the settings (`name`, `greeting`) have them."""
        return self._greeting(language, self.helpdesk)

    def _greeting(self, language: str, helpdesk: str) -> str:
        own = self.config.greeting_en if language == "en" else self.config.greeting
        return greeting_text(language, helpdesk, self.config.name, own)

    @property
    def entries(self) -> list:
        """The FAQ entries the serving index holds, in file order."""
        return self.searcher.entries

    @property
    def index_version(self) -> str:
        """Which index answered: its build time and FAQ hash."""
        return self.index.manifest.version

    def refresh(self, wait: bool = True) -> bool:
        """Pick up an edited config and a rebuilt index or edited FAQ. True when something changed.

        With `wait=False` (a server answering customers) an index rebuild runs in the background.
        On an invalid FAQ, config or index the bot keeps serving what it had and logs why.
        """
        changed = self.reload_settings()
        return self.index.refresh(wait) or changed

    def reload_settings(self) -> bool:
        """Read the settings file again when it changed, with the off-topic bank it names (the
        index's own rebuilds calibrate with it: a bank set while the app ran was not used until a
        restart). True when they changed; on an invalid file the current ones stay, and the log says why."""
        stamp = cfg.stamp(self.config_path)
        if stamp == self._config_stamp:
            return False
        self._config_stamp = stamp
        try:
            config = cfg.load_config(self.config_path)
            bank = offtopic_questions(config.offtopic_bank or None)
        except cfg.DataError as err:
            logger.error("keeping the current settings: %s", err)
            return False
        self.config, self.index.offtopic = config, bank
        return True

    def ask(
        self,
        text: str,
        language: str | None = None,
        previous: str | None = None,
        client: str | None = None,
        memory: ChatMemory | None = None,
    ) -> Reply:
        """Answer one customer message and record it in the log, if any. Never raises.

        `language` ("sv" or "en") overrides the language told from the message (the API's option).
        `previous`: the conversation's previous question (the chat's); a short follow-up such as
        "och vad kostar det?" is then ranked with that question's topic in mind. `client`: the
        address the message came from, for the log (which keeps only a pseudonym of it).
        `memory`: the chat's own memory of its last question vectors (the widget's), so that the
        previous question is not embedded again for a follow-up.
        """
        searcher = self.searcher  # the same index for the whole request, even during a swap
        if memory is not None:
            searcher = searcher.embedding_with(memory.around(searcher.embedder))
        reply = replace(self._answer(text, language, previous, searcher), client=client)
        self._record(reply)
        return reply

    def feedback(self, reply_id: str, liked: bool | None) -> bool:
        """Record a customer's 👍 (liked=True) or 👎 on a reply, or take it back (None: the
        widget's thumb clicked again); False when no reply has that id.
        FeedbackRefusedError for a reply that is not an answer: the widget rates answers only,
        and a 👍 on a greeting or on the helpdesk address counted among the answers' in the
        report (found by a walk-through through the API)."""
        earlier = self._earlier(reply_id)
        if earlier is None:
            return False
        if earlier.kind != ReplyKind.ANSWER:
            raise FeedbackRefusedError(
                f"only an answer from the FAQ is rated; that reply was {ReplyKind(earlier.kind).value}"
            )
        if self.log is not None:
            self.log.record_feedback(reply_id, liked)
        return True

    def choose(self, reply_id: str, faq_id: str, client: str | None = None) -> Reply:
        """The customer picked entry `faq_id` among the choices under reply `reply_id`: its answer.

        The answer is worded as any answer, in the language of the question the choices were
        offered for, and logged as the answer to that question (`answer_to`). Its `score` is
        that question's. Raises UnknownReplyError for a reply_id no reply has (here or in the
        log), ChoiceRefusedError for an entry that reply did not offer.

        >>> offered = bot.ask("Hur gör jag?")                    # doctest: +SKIP
        >>> bot.choose(offered.reply_id, offered.suggestions[0].faq_id).kind  # doctest: +SKIP
        'answer'
        """
        earlier = self._earlier(reply_id)
        if earlier is None:
            raise UnknownReplyError(f"no reply has the id {reply_id[:40]!r}; send the reply_id of a recent reply")
        if faq_id not in earlier.offered:
            raise ChoiceRefusedError(f"the entry {faq_id[:80]!r} was not among the choices offered under that reply")
        searcher = self.searcher  # one index for the whole request
        entry = next((e for e in searcher.entries if e.id == faq_id), None)
        if entry is None:
            raise ChoiceRefusedError(f"the entry {faq_id[:80]!r} is no longer in the FAQ")
        language, helpdesk, match = earlier.language, searcher.index.helpdesk, picked(entry, earlier.score)
        threshold, version = self._stamp(searcher)
        reply = Reply(
            question_text(match, language),
            language,
            ReplyKind.ANSWER,
            worded_answer(match, language, helpdesk),
            helpdesk,
            match=match,
            score=earlier.score,
            answer_to=reply_id,
            threshold=threshold,
            index_version=version,
            client=client,
        )
        self._record(reply)
        return reply

    def _earlier(self, reply_id: str) -> LogRow | LoggedQuestion | None:
        """The reply with `reply_id`: remembered here, else from the log (another replica's).
        LogUnavailableError when it is neither here nor readable there (the database away): a
        walk-through's 👍 through nginx, landing on the other replica, were refused as unknown."""
        if not isinstance(reply_id, str) or not reply_id:
            return None
        found = self.recent.get(reply_id)
        if found is None and self.log is not None:
            return self.log.lookup(reply_id)
        return found

    def _record(self, reply: Reply) -> None:
        """Remember the reply for a choice or 👍 on it, and log it."""
        if not reply.kind.is_logged:  # nothing was asked: nothing to pick or rate
            return
        row = reply.log_row()
        self.recent.add(row)
        if self.log is not None:
            self.log.record(row)

    def _stamp(self, searcher: Searcher[LoadedIndex]) -> tuple[float, str]:
        """The threshold and index version of the index snapshot `searcher` answers with."""
        return self.policy_of(searcher.index).threshold, searcher.index.manifest.version

    def ask_with(self, searcher: Searcher[LoadedIndex], text: str) -> Reply:
        """Answer `text` from `searcher` instead of the index serving now, never logged: the staff
        console's try of a draft entry (an index of the FAQ with the draft in it, in memory)."""
        return self._answer(text, searcher=searcher)

    def _answer(
        self, text: str, language: str | None = None, previous: str | None = None, searcher: Searcher | None = None
    ) -> Reply:
        searcher = searcher or self.searcher  # the same index for the whole request, even during a swap
        if searcher.marked is not None:  # set_aside embeds the question again: remember its vector
            searcher = searcher.embedding_with(RememberingEmbedder(searcher.embedder, ASIDE_REMEMBERS))
        helpdesk = searcher.index.helpdesk
        question, truncated = clean_question(text if isinstance(text, str) else str(text))
        language = language if language in ("sv", "en") else detect_language(question)

        def reply(kind: ReplyKind, **extra: object) -> Reply:
            answer = extra.pop("answer", None) or message(kind, language, helpdesk)
            if truncated:
                note = message("truncated", language, helpdesk, limit=characters(MAX_MESSAGE_CHARS, language))
                answer = note + "\n\n" + str(answer)
            threshold, version = self._stamp(searcher)  # what the log names: the index that answered
            stamp = {"threshold": threshold, "index_version": version}
            return Reply(question, language, kind, str(answer), helpdesk, truncated=truncated, **stamp, **extra)  # type: ignore[arg-type]

        if not has_words(question):
            return reply(ReplyKind.EMPTY)
        talk = small_talk(question)
        if talk == "greeting":
            return reply(ReplyKind.GREETING, answer=self._greeting(language, helpdesk))
        if talk is not None:  # thanks, a goodbye, "ok"
            return reply(ReplyKind.THANKS, answer=None if talk == "thanks" else message(talk, language, helpdesk))

        try:
            read = reading(question, language, searcher)
            topic, answered = self._topic(searcher, read, previous)
            ranked, alone = searcher.rankings(read, topic)
        except Exception as err:  # the customer gets the helpdesk, staff get the traceback in the server log
            # masked, as the conversation log would store it: never the raw question
            logger.error("could not rank the question %r:\n%s", mask_pii(question), masked_traceback(err))
            return reply(ReplyKind.ERROR)
        vague, aside, decision, by_itself = self._decide(searcher, read, ranked, alone, topic, answered)
        best = ranked[0]
        ranking = {
            "ranking": tuple(m.faq_id for m in ranked),
            "ranking_scores": tuple(m.score for m in ranked),
            "followup_to": clean_question(previous)[0] if topic and previous else "",
            "leans_on_previous": bool(topic) and (refers_back(read) or moved_by_topic(decision, by_itself)),
            "vague": vague,
            "set_aside": aside,
        }
        suggestions = [Suggestion(m.faq_id, question_text(m, language), m.score) for m in decision.suggestions]  # type: ignore[arg-type]
        if decision.kind is ReplyKind.ANSWER:
            answer = worded_answer(best, language, helpdesk)
            return reply(
                ReplyKind.ANSWER, answer=answer, match=best, score=best.score, suggestions=suggestions, **ranking
            )
        # A helpdesk reply with close questions under it says they may hold the answer.
        close = (
            message("helpdesk_close", language, helpdesk)
            if decision.kind is ReplyKind.HELPDESK and suggestions
            else None
        )
        return reply(decision.kind, answer=close, match=best, score=best.score, suggestions=suggestions, **ranking)

    def _decide(
        self,
        searcher: Searcher[LoadedIndex],
        read: str,
        ranked: list[Match],
        alone: list[Match],
        topic: frozenset[str],
        answered: str,
    ) -> tuple[bool, bool, Decision, Decision]:
        """Whether the message names no subject (`vague`), whether it lies nearer a question staff
        marked as off-topic than its best entry (`aside`: the helpdesk), the decision on it:
        `ranked` with its `topic` in mind (a follow-up; `answered`: the entry the previous question
        is answered with, "" when it is not), `alone` without; and the decision on the message by
        itself, with no topic."""
        own = own_words(searcher, read)
        without_subject = names_no_subject(searcher, read)
        vague = not topic and without_subject
        policy = self.policy_of(searcher.index)
        decision = policy.decide(ranked, vague)
        by_itself = policy.decide(alone, without_subject) if topic else decision
        decision, marks_apply = on_topic(searcher, read, own, ranked, topic, answered, decision, by_itself, policy)
        aside = marks_apply and searcher.set_aside(read, ranked[0].faq_id)
        if aside:
            decision = policy.decide(ranked, vague, aside)
        return vague, aside, decision, by_itself

    def _topic(
        self, searcher: Searcher[LoadedIndex], question: str, previous: str | None
    ) -> tuple[frozenset[str], str]:
        """The entries the previous question was about, when this message is a follow-up to it,
        and the entry it is answered with ("" when its best entry is under the threshold): only
        then does the topic say what the follow-up is about, beyond a nudge in the ranking."""
        if not previous or not is_followup(question, len(own_words(searcher, question))):
            return frozenset(), ""
        earlier = focus(clean_question(previous)[0])
        if not has_words(earlier) or small_talk(earlier) is not None:  # "Hej" then "Och när har ni öppet?"
            return frozenset(), ""
        ranked = searcher.rank(earlier)
        sure = bool(ranked) and ranked[0].score >= self.policy_of(searcher.index).threshold
        return topic_of(ranked, searcher.entries), ranked[0].faq_id if sure else ""
