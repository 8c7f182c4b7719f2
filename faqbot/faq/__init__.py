"""The FAQ: the file staff edit (`data/faq.yaml`), its validation, and importers from other formats."""

from faqbot.faq.model import Faq, FaqEntry, load_faq, normalize_question

__all__ = ["Faq", "FaqEntry", "load_faq", "normalize_question"]
