"""An index of a draft FAQ in memory, for trying an edit before it is saved (the staff console).

    space, embedded = draft_index(bot.searcher.index, draft_faq, bot.embedder)
    reply = bot.ask_with(Searcher(space, bot.embedder), "Kan jag ringa er?")

Nothing is written. The vectors of every text the serving index already holds are copied from
it (as a build reuses the previous generation's); only the draft's new or edited texts are
embedded, and at most MAX_DRAFT_TEXTS of them (an index from another model would need every
text embedded again: that is a build, not a try). A copied row keeps its hubness; a new row
gets the average view's (0: hubness is centred), so the draft is neither favoured nor held back.
The same-language bonus (language_gap.py) is measured again on the draft's own learned phrasings.
The calibration (threshold, choices) is the serving index's: what the draft changes is ranking.
"""

from __future__ import annotations

import numpy as np

from faqbot.errors import FaqbotError
from faqbot.faq.model import Faq
from faqbot.retrieval.embedding import Embedder
from faqbot.retrieval.index import LoadedIndex, reuse_previous, vector_index
from faqbot.retrieval.language_gap import language_penalty
from faqbot.retrieval.views import ViewTable

MAX_DRAFT_TEXTS = 200


def draft_index(serving: LoadedIndex, faq: Faq, embedder: Embedder) -> tuple[LoadedIndex, int]:
    """An in-memory index of `faq`, reusing `serving`'s vectors; returns it and how many texts were embedded."""
    views = ViewTable(faq.entries)
    texts = list(views.texts())
    vectors = np.empty((len(views), embedder.dim), dtype=np.float32)
    reuse = reuse_previous(serving, embedder.name, embedder.dim, texts, vectors)
    missing = reuse.missing
    if len(missing) > MAX_DRAFT_TEXTS:
        raise FaqbotError(
            f"the draft needs {len(missing)} texts embedded (at most {MAX_DRAFT_TEXTS} are for a try); "
            "rebuild the index with `faqbot index` first"
        )
    if missing:
        vectors[missing] = embedder.embed_passages([texts[row] for row in missing])
    hubness = None
    if serving.hubness is not None:
        copied = serving.hubness[np.maximum(reuse.rows, 0)]
        hubness = np.where(reuse.rows >= 0, copied, 0.0).astype(np.float32)
    space = LoadedIndex(
        manifest=serving.manifest,
        vectors=vector_index(vectors, reuse=reuse),
        views=views,
        entries=list(faq.entries),
        helpdesk=faq.helpdesk,
        path=serving.path,
        hubness=hubness,
        marked=serving.marked,
        language_penalty=language_penalty(faq.entries, vectors),
    )
    return space, len(missing)
