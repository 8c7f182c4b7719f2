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
import threading
import time
import traceback
from collections.abc import Callable
from typing import TextIO, cast

from faqbot.conversations.privacy import mask_pii

MAX_RECORD_CHARS = 2000  # of one log record or one write to stderr
CUT = " [... cut: {n:,} characters ...] "
# The loggers with handlers of their own (uvicorn's, configured by uvicorn.Config) besides the root's.
LOGGERS = ("", "uvicorn", "uvicorn.error", "uvicorn.access", "gradio", "httpx")


def bounded(text: str, limit: int = MAX_RECORD_CHARS) -> str:
    """`text` masked and cut to `limit` characters: its first half and its last, the middle cut
    (a traceback's end names the error; a walk-through found the first 2,000 characters of a
    deep one never reached it). Each part is masked a little beyond its cut, so a number that
    straddles it is still recognised and never half-written."""
    if len(text) <= limit:
        return mask_pii(text)
    head, tail = limit // 2, limit - limit // 2
    start = mask_pii(text[: head + 100])[:head]
    end = mask_pii(text[-(tail + 100) :])[-tail:]
    return start + CUT.format(n=len(text) - limit) + end


REPEAT_SECONDS, REPEATS_KEPT = 10.0, 5  # the same line at most this often in a window; the rest counted
REPEAT_KEYS = 1000  # different lines followed at once


class MaskingFilter(logging.Filter):
    """Rewrites every record it sees into one masked, bounded message (its traceback folded in).
    A line that repeats (the same logger and message) is written REPEATS_KEPT times in
    REPEAT_SECONDS, then counted: an attack that held 20,000 connections open had asyncio log
    "socket.accept() out of system resource" with its traceback on every try, 149 MB in 100 s.
    The next one written after the window says how many were left out."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.clock = clock
        self.seen: dict[tuple[str, str], list[float]] = {}  # (logger, message) -> [window start, written, left out]
        self.lock = threading.Lock()

    def repeated(self, record: logging.LogRecord) -> int | None:
        """None to leave the record out; else how many like it were left out before it."""
        try:
            key = (record.name, record.getMessage()[:200])
        except Exception:  # a record whose arguments do not fit its format
            key = (record.name, str(record.msg)[:200])
        now = self.clock()
        with self.lock:
            if len(self.seen) > REPEAT_KEYS:
                self.seen.clear()
            window = self.seen.setdefault(key, [now, 0, 0])
            if now - window[0] > REPEAT_SECONDS:
                left_out = int(window[2])
                window[:] = [now, 1, 0]
                return left_out
            if window[1] >= REPEATS_KEPT:
                window[2] += 1
                return None
            window[1] += 1
            return 0

    def filter(self, record: logging.LogRecord) -> bool:
        left_out = self.repeated(record)
        if left_out is None:
            return False
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
        if left_out:
            text += f"\n({left_out:,} more like it in the last {REPEAT_SECONDS:g} s not written)"
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
