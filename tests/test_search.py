"""Ranking details: Swedish compounds in questions find the FAQ's words."""

from __future__ import annotations

import pytest

from faqbot import build_index, load_faq, load_index
from faqbot.retrieval.search import Searcher, split_compound
from tests.fakes import SMALL_FAQ


@pytest.mark.parametrize(
    "word, vocabulary, parts",
    [
        ("plattformsoberoend", {"plattform"}, ["plattform", "soberoend"]),  # the rest stays as it is
        ("sakerhetssystem", {"sakerhet", "system"}, ["sakerhet", "system"]),  # linking s dropped
        ("telefonsupport", {"tele", "telefon", "support"}, ["telefon", "support"]),  # the longest known head
        ("molntjanst", {"moln"}, ["moln", "tjanst"]),
        ("instagram", {"ins", "insta"}, ["insta", "gram"]),
        ("instagram", {"ins"}, ["instagram"]),  # a head shorter than four letters is no head
        ("jobbet", {"jobb"}, ["jobbet"]),  # the rest would be shorter than three letters
        ("hemsid", set(), ["hemsid"]),
    ],
)
def test_split_compound(word, vocabulary, parts):
    assert split_compound(word, vocabulary) == parts


def test_a_compound_in_the_question_matches_the_entry_with_its_first_part(tmp_path, embedder):
    (tmp_path / "faq.yaml").write_text(SMALL_FAQ, encoding="utf-8")
    build_index(load_faq(tmp_path / "faq.yaml"), embedder, tmp_path / "index")
    searcher = Searcher(load_index(tmp_path / "index"), embedder)
    question = "Hur fungerar era säkerhetskopieringsrutiner?"  # the FAQ says "säkerhetskopior"
    words = searcher.query_words(question)
    assert "sakerhetskopi" in words
    backup, phone = searcher.lexical_scores(words)
    assert backup > 0 and phone == 0
    assert searcher.coverage(words)[0] > 0
