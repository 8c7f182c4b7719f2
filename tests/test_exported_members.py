"""`faqbot.__all__` is the public API (`from faqbot import FaqBot, load_faq, build_index`): every
name in it imports, everything the package offers is in it, and it changes only on purpose
(the way httpx guards its exports)."""

from __future__ import annotations

from types import ModuleType

import pytest

import faqbot

# The public API. Adding or removing a name is a decision: change it here and in the README.
EXPECTED = {
    "BuildReport",
    "DataError",
    "FaqBot",
    "Faq",
    "FaqEntry",
    "FaqbotError",
    "IndexMismatchError",
    "IndexMissingError",
    "Match",
    "ModelError",
    "Policy",
    "Reply",
    "Suggestion",
    "build_index",
    "load_faq",
    "load_index",
}
# What faqbot/__init__.py itself needs and does not offer.
MACHINERY = {"annotations", "TYPE_CHECKING", "Any"}


def test_the_public_api_is_the_expected_one_and_sorted():
    assert set(faqbot.__all__) == EXPECTED
    assert faqbot.__all__ == sorted(faqbot.__all__)


def test_every_exported_name_imports_and_is_what_it_says():
    namespace: dict[str, object] = {}
    exec("from faqbot import *", namespace)  # noqa: S102  (the star import is what is tested)
    assert {name for name in namespace if not name.startswith("__")} == EXPECTED
    for name in faqbot.__all__:
        assert getattr(namespace[name], "__name__", None) == name, name


def test_everything_the_package_offers_is_exported():
    offered = {
        name for name in dir(faqbot) if not name.startswith("_") and not isinstance(getattr(faqbot, name), ModuleType)
    }
    assert offered - MACHINERY == set(faqbot.__all__)


def test_an_unknown_name_is_an_attribute_error_that_names_it():
    unknown = "ask"
    with pytest.raises(AttributeError, match="has no attribute 'ask'"):
        getattr(faqbot, unknown)
