"""faqbot: a Swedish FAQ chatbot with retrieval that sends what it cannot answer to the helpdesk.

    from faqbot import FaqBot
    bot = FaqBot()                       # data/faq.yaml, data/config.yaml, index/
    reply = bot.ask("Kan jag ringa er?")
    reply.resolved, reply.match.faq_id, reply.answer
"""

from .bot import FaqBot, Reply, Suggestion
from .errors import DataError, FaqbotError, IndexMismatchError, IndexMissingError, ModelError
from .faq import Faq, FaqEntry, load_faq
from .index import BuildReport, build_index, load_index
from .search import Match

__all__ = [
    "BuildReport",
    "DataError",
    "Faq",
    "FaqBot",
    "FaqEntry",
    "FaqbotError",
    "IndexMismatchError",
    "IndexMissingError",
    "Match",
    "ModelError",
    "Reply",
    "Suggestion",
    "build_index",
    "load_faq",
    "load_index",
]
