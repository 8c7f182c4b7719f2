"""faqbot: a Swedish FAQ chatbot with retrieval that sends what it cannot answer to the helpdesk.

    from faqbot import FaqBot
    bot = FaqBot()                       # data/faq.yaml, data/config.yaml, index/
    reply = bot.ask("Kan jag ringa er?")
    reply.resolved, reply.match.faq_id, reply.answer

The names below are imported when first used (PEP 562), so `faqbot index` does not pay for the
search's BM25 and SciPy, nor `faqbot ask` for what only the index build needs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .bot import FaqBot, Reply, Suggestion
    from .errors import DataError, FaqbotError, IndexMismatchError, IndexMissingError, ModelError
    from .faq import Faq, FaqEntry, load_faq
    from .index import BuildReport, build_index, load_index
    from .search import Match

_HOMES = {
    "FaqBot": "bot",
    "Reply": "bot",
    "Suggestion": "bot",
    "DataError": "errors",
    "FaqbotError": "errors",
    "IndexMismatchError": "errors",
    "IndexMissingError": "errors",
    "ModelError": "errors",
    "Faq": "faq",
    "FaqEntry": "faq",
    "load_faq": "faq",
    "BuildReport": "index",
    "build_index": "index",
    "load_index": "index",
    "Match": "search",
}

__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{home}", __name__), name)
    globals()[name] = value  # the next lookup is an ordinary one
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_HOMES])
