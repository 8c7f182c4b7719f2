"""What the server writes to its own log (stderr): masked and bounded, whatever the call.

    guard_server_log()    # once the server's log handlers exist (faqbot.web.server.launch)

A customer's message can reach the server's log by many roads: an exception that quotes it,
a library's own error line (Gradio prints "Received inputs: [...]" for a call it cannot
handle), uvicorn's access log. Rather than trust every one of them, each log handler gets a
filter (`MaskingFilter`) that masks personal data in the whole record, traceback included, with
faqbot.conversations.privacy.mask_pii and cuts it to MAX_RECORD_CHARS; and what is written to
stderr without logging (Gradio's `traceback.print_exc()`) goes through `MaskedStream`, which
does the same per write. So a flood of 250 KB calls adds at most a few KB of log per call, and
no raw personal number is ever written.
"""

from __future__ import annotations

import logging
import sys
import traceback
from typing import TextIO, cast

from faqbot.conversations.privacy import mask_pii

MAX_RECORD_CHARS = 2000  # of one log record or one write to stderr
CUT = " [... cut: {n:,} more characters]"
# The loggers with handlers of their own (uvicorn's, configured by uvicorn.Config) besides the root's.
LOGGERS = ("", "uvicorn", "uvicorn.error", "uvicorn.access", "gradio", "httpx")


def bounded(text: str, limit: int = MAX_RECORD_CHARS) -> str:
    """`text` masked and cut to `limit` characters (masked a little beyond the cut, so a number
    that straddles it is still recognised and never half-written)."""
    if len(text) <= limit:
        return mask_pii(text)
    masked = mask_pii(text[: limit + 100])[:limit]
    return masked + CUT.format(n=len(text) - limit)


class MaskingFilter(logging.Filter):
    """Rewrites every record it sees into one masked, bounded message (its traceback folded in)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            text = record.getMessage()
        except Exception:  # a record whose arguments do not fit its format: keep what is there
            text = f"{record.msg!s} {record.args!r}"
        if record.exc_info and record.exc_info[1] is not None:
            text += "\n" + "".join(traceback.format_exception(record.exc_info[1])).rstrip()
        elif record.exc_text:
            text += "\n" + record.exc_text
        if record.stack_info:
            text += "\n" + record.stack_info
        record.msg, record.args = bounded(text), ()
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        return True


class MaskedStream:
    """A text stream (stderr) whose every write is masked and bounded before it reaches `stream`."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        # a little more room than a record: a filtered record written here is not cut twice
        self.stream.write(bounded(text, MAX_RECORD_CHARS + len(CUT) + 20))
        return len(text)

    def flush(self) -> None:
        self.stream.flush()

    def __getattr__(self, name: str) -> object:  # fileno, isatty, encoding, ... of the real stream
        return getattr(self.stream, name)


FILTER = MaskingFilter()


def guard_server_log(streams: bool = True) -> None:
    """Put MaskingFilter on every handler the server's loggers have now (and on Python's last
    resort handler); with `streams`, wrap sys.stderr in MaskedStream. Calling it again adds nothing."""
    handlers = [logging.lastResort] if logging.lastResort is not None else []
    for name in LOGGERS:
        handlers += logging.getLogger(name).handlers
    for handler in handlers:
        if FILTER not in handler.filters:
            handler.addFilter(FILTER)
    if streams and not isinstance(sys.stderr, MaskedStream):
        sys.stderr = cast(TextIO, MaskedStream(sys.stderr))
