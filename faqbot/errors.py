"""Every error faqbot raises on purpose, and what the user should do about it.

FaqbotError                 base class; its message is meant for people
├── DataError               a data file (the FAQ, the config, a test set) is invalid;
│                           the message starts with `path:line:`
├── IndexMissingError       no usable index: none has been built yet; run `faqbot index`
│   └── IndexDamagedError   a file of the index is damaged (truncated, emptied, bits
│                           changed: its checksum fails); `faqbot index` repairs it
├── IndexMismatchError      the index was built with another model or format,
│                           or from another version of the FAQ; rebuild it
├── ModelError              the embedding model could not be loaded
├── UnknownReplyError       no reply has that reply_id (never given, or long forgotten);
│                           the API answers 404
├── UnknownEntryError       staff named an entry the FAQ does not have (`faqbot learn --assign`)
└── ChoiceRefusedError      the entry picked is not among the choices that reply offered
                            (or no longer in the FAQ); the API answers 400
"""

from __future__ import annotations

from pathlib import Path


class FaqbotError(Exception):
    """Base class of faqbot's own errors; `str(error)` tells the user what to do."""


class DataError(FaqbotError):
    """A data file is invalid. `problems` holds every `(line, message)` found."""

    def __init__(self, path: str | Path, problems: list[tuple[int, str]]) -> None:
        self.path = str(path)
        self.problems = sorted(problems)
        # line 0: the whole file (not found, unreadable), said without a line number
        super().__init__(
            "\n".join(f"{self.path}:{line}: {msg}" if line else f"{self.path}: {msg}" for line, msg in self.problems)
        )


class IndexMissingError(FaqbotError):
    """There is no usable index in the index folder."""


class IndexDamagedError(IndexMissingError):
    """A file of the index is unreadable or does not match its checksum in the manifest.

    A subclass of IndexMissingError: whoever rebuilds a missing index rebuilds a damaged one,
    and nothing from a damaged file is reused.
    """


class IndexMismatchError(FaqbotError):
    """The index on disk does not fit the FAQ, the model or this version of faqbot."""


class ModelError(FaqbotError):
    """The embedding model could not be loaded."""


class UnknownReplyError(FaqbotError):
    """A choice or a 👍/👎 names a reply_id the bot never gave (or has forgotten and the log does not hold)."""


class UnknownEntryError(FaqbotError):
    """Staff assigned a question to an entry id the FAQ does not have (removed, or mistyped)."""


class AssignRefusedError(FaqbotError):
    """Staff assigned a question to one entry that its customer confirmed another entry for (a
    mistyped reply id, most likely)."""


class PersonalDataError(AssignRefusedError):
    """Staff assigned a question that holds masked personal data ("[telefon]"): it would go into
    the FAQ with the placeholder, which no customer types."""


class DislikedAssignError(AssignRefusedError):
    """Staff assigned a question to the very entry whose answer its customer said 👎 to: the bot
    answers it so already; if that answer was right, the question is rejected instead."""


class FollowupAssignError(AssignRefusedError):
    """Staff assigned a question asked as a follow-up ("och vad kostar det?"): alone it names no
    subject, and as a phrasing of one entry it would answer every such follow-up with it."""


class SmallTalkAssignError(AssignRefusedError):
    """Staff assigned a message the bot took as small talk ("hej", "tack"), not a question of the
    FAQ: nothing for an entry to learn (the console's form only lists questions; a script can send
    any reply id)."""


class LogUnavailableError(FaqbotError):
    """The conversation log cannot be read now (its database is away): a reply made by another
    replica cannot be told from an unknown one until it is back."""


class FeedbackRefusedError(FaqbotError):
    """A 👍/👎 on a reply that is not an answer from the FAQ (a greeting, the helpdesk, choices)."""


class ChoiceRefusedError(FaqbotError):
    """A picked entry was not among the choices offered under that reply, or is no longer in the FAQ."""
