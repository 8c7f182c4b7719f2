"""What kind of reply the bot gives, and what each kind implies.

Every layer that asks "was this answered?", "does it take 👍/👎?", "is it a question staff
should see?" asks `ReplyKind`, never a string of its own. The values are the JSON contract's
`kind` strings (`faqbot ask --json`, `POST /api/ask`) and what the conversation log stores.
"""

from __future__ import annotations

from enum import StrEnum


class ReplyKind(StrEnum):
    """The kinds of reply, as `faqbot ask --json` names them."""

    ANSWER = "answer"  # an FAQ answer
    CHOICES = "choices"  # unsure between a few entries: "Menade du ...?"
    HELPDESK = "helpdesk"  # could not answer: write to the helpdesk
    GREETING = "greeting"  # "Hej", and words to the bot about itself
    THANKS = "thanks"
    EMPTY = "empty"  # nothing was asked
    ERROR = "error"  # the bot failed; the customer is sent to the helpdesk

    @property
    def resolved(self) -> bool:
        """The customer got an FAQ answer."""
        return self is ReplyKind.ANSWER

    @property
    def takes_feedback(self) -> bool:
        """The widget shows 👍/👎 under it: only FAQ answers can be rated."""
        return self is ReplyKind.ANSWER

    @property
    def is_question(self) -> bool:
        """The customer asked something of the FAQ (not small talk): counted in reports and trends."""
        return self in (ReplyKind.ANSWER, ReplyKind.CHOICES, ReplyKind.HELPDESK, ReplyKind.ERROR)

    @property
    def is_logged(self) -> bool:
        """Kept in the conversation log (an empty message asked nothing)."""
        return self is not ReplyKind.EMPTY

    @property
    def reaches_helpdesk(self) -> bool:
        """The reply points the customer to the helpdesk instead of answering."""
        return self in (ReplyKind.HELPDESK, ReplyKind.ERROR, ReplyKind.CHOICES)

    @property
    def has_topic(self) -> bool:
        """The bot ranked the FAQ for it: a chat's next follow-up refers to it."""
        return self in (ReplyKind.ANSWER, ReplyKind.CHOICES, ReplyKind.HELPDESK)


QUESTION_KINDS = tuple(k for k in ReplyKind if k.is_question)
