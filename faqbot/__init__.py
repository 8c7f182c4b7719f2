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
    from faqbot.bot import FaqBot, Reply, Suggestion
    from faqbot.decision import Policy
    from faqbot.errors import DataError, FaqbotError, IndexMismatchError, IndexMissingError, ModelError
    from faqbot.faq.model import Faq, FaqEntry, load_faq
    from faqbot.retrieval.index import BuildReport, build_index, load_index
    from faqbot.retrieval.search import Match

_HOMES = {
    "FaqBot": "bot",
    "Reply": "bot",
    "Suggestion": "bot",
    "DataError": "errors",
    "FaqbotError": "errors",
    "IndexMismatchError": "errors",
    "IndexMissingError": "errors",
    "ModelError": "errors",
    "Faq": "faq.model",
    "FaqEntry": "faq.model",
    "load_faq": "faq.model",
    "BuildReport": "retrieval.index",
    "build_index": "retrieval.index",
    "load_index": "retrieval.index",
    "Match": "retrieval.search",
    "Policy": "decision",
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
