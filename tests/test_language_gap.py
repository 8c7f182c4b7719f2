"""The same-language bonus: an English question is not drawn to the English phrasing that customers
taught another entry, and nothing changes for Swedish, or for an FAQ without such phrasings."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from faqbot import build_index, load_faq, load_index
from faqbot.cli import main
from faqbot.faq.model import FaqEntry
from faqbot.language import ENGLISH, detect_language
from faqbot.retrieval import language_gap
from faqbot.retrieval.draft import draft_index
from faqbot.retrieval.language_gap import language_penalty
from faqbot.retrieval.search import Searcher, lexical_text
from tests.fakes import small_bank

FIXTURE = Path(__file__).parent / "fixtures" / "learned_english.yaml"

TWO_ENGLISH = """\
helpdesk: support@example.se
entries:
  - id: password
    question: Hur byter jag lösenord?
    answer: Under Inställningar, Konto.
    learned:
      - How do I change my password please?
      - Hur byter man lösenordet?
  - id: price
    question: Vad kostar supporten?
    answer: 900 kr i månaden.
    learned:
      - How do I pay for the support please?
"""
CANCEL = """\
  - id: cancel
    question: Hur säger jag upp avtalet?
    answer: Med en månads varsel.
    learned:
      - How do I cancel the support please?
"""


def entries_of(*learned: tuple[str, ...]) -> list[FaqEntry]:
    return [FaqEntry(f"e{i}", f"Fråga {i}?", "Svar.", learned=phrasings) for i, phrasings in enumerate(learned)]


def test_the_gap_is_how_much_nearer_other_entries_english_lies_than_its_own_swedish():
    # rows: e0 question, e0 learned, e0 answer, e1 question, e1 learned, e1 answer
    entries = entries_of(("How do I log in?",), ("What does it cost?",))
    vectors = np.array(
        [[1, 0, 0], [0.6, 0.8, 0], [0, 0, 0], [0, 0, 1], [0, 0.8, 0.6], [0, 0, 0]],
        dtype=np.float32,
    )
    # each English phrasing: 0.64 to the other's, 0.6 to its own question
    penalty = language_penalty(entries, vectors)
    assert list(penalty) == ["en"]
    assert penalty["en"] == pytest.approx([0, 0.04, 0, 0, 0.04, 0], abs=1e-6)


def test_nothing_is_taken_off_when_its_own_questions_lie_nearer_or_there_is_one_phrasing():
    entries = entries_of(("How do I log in?",), ("What does it cost?",))
    vectors = np.array(
        [[1, 0, 0], [0.6, 0.8, 0], [0, 0, 0], [0, 0, 1], [0, 0.6, 0.8], [0, 0, 0]],
        dtype=np.float32,
    )
    assert language_penalty(entries, vectors) == {}  # 0.48 to each other, 0.6 and 0.8 to their own
    one = entries_of(("How do I log in?",), ())
    assert language_penalty(one, np.eye(5, dtype=np.float32)) == {}
    swedish = entries_of(("Hur loggar jag in?",), ("Vad kostar det?",))
    assert language_penalty(swedish, np.ones((6, 3), dtype=np.float32)) == {}


def test_the_bonus_is_stored_with_the_index_measured_again_for_a_draft_and_told(small, fake_embedder, capsys):
    (small / "faq.yaml").write_text(TWO_ENGLISH, encoding="utf-8")
    build_index(load_faq(small / "faq.yaml"), fake_embedder, small / "index", offtopic=small_bank(small))
    index = load_index(small / "index")
    vectors = index.vectors.reconstruct_n(0, index.vectors.ntotal)
    expected = language_penalty(index.entries, vectors)
    assert list(index.language_penalty) == ["en"]
    english_rows = [i for i, view in enumerate(index.views) if view.text.startswith("How do I")]
    assert np.flatnonzero(index.language_penalty["en"]).tolist() == english_rows == [1, 5]
    assert index.language_penalty["en"] == pytest.approx(expected["en"])

    # staff are told, and machines read it
    command = [
        "index",
        "--faq",
        str(small / "faq.yaml"),
        "--out",
        str(small / "other"),
        "--config",
        str(small / "config.yaml"),
    ]
    main(command)
    gap = float(expected["en"].max())
    told = f"2 learned phrasing(s) in English: {gap:.3f} taken off their similarity to a question in English"
    assert told in capsys.readouterr().out
    main([*command, "--json"])
    assert json.loads(capsys.readouterr().out)["language_bonus"]["en"] == [2, pytest.approx(gap)]

    # a draft with a third English phrasing: its rows, measured on the draft's own vectors
    (small / "faq.yaml").write_text(TWO_ENGLISH + CANCEL, encoding="utf-8")
    draft, _ = draft_index(index, load_faq(small / "faq.yaml"), fake_embedder)
    assert np.flatnonzero(draft.language_penalty["en"]).tolist() == [1, 5, 8]


def test_only_a_question_in_that_language_has_the_bonus_taken_off(small, fake_embedder):
    (small / "faq.yaml").write_text(TWO_ENGLISH, encoding="utf-8")
    build_index(load_faq(small / "faq.yaml"), fake_embedder, small / "index", offtopic=small_bank(small))
    index = load_index(small / "index")
    without = dataclasses.replace(index, language_penalty={})
    english, swedish = "How do I pay please?", "Hur betalar jag supporten?"
    gap = float(index.language_penalty["en"].max())
    taken = Searcher(without, fake_embedder).dense_scores(english) - Searcher(index, fake_embedder).dense_scores(
        english
    )
    # each entry's best view is its English phrasing, one of its three best: half the best and
    # half the mean of the three best (search.py) lose the gap and a third of it
    assert taken == pytest.approx([gap * 2 / 3] * 2, abs=1e-6)
    assert Searcher(index, fake_embedder).dense_scores(swedish) == pytest.approx(
        Searcher(without, fake_embedder).dense_scores(swedish)
    )


QUESTIONS = [  # an English question of an entry that customers taught no English phrasing
    ("What am I allowed to flush down the toilet?", "spola-toaletten"),  # not bevattningsforbud's
    ("How do I submit my water meter reading?", "lasa-av-matare"),  # not egen-brunn's
    ("Can you turn off the water supply to my house while I renovate?", "stanga-vattnet"),
]


def test_an_english_question_finds_its_entry_not_another_entrys_english_phrasing(tmp_path, embedder):
    shutil.copy(FIXTURE, tmp_path / "faq.yaml")
    build_index(load_faq(tmp_path / "faq.yaml"), embedder, tmp_path / "index")
    index = load_index(tmp_path / "index")
    english = {text for entry in index.entries for text in entry.learned if detect_language(text) == ENGLISH}
    learned_english = [row for row, view in enumerate(index.views) if view.text in english]
    assert np.flatnonzero(index.language_penalty["en"]).tolist() == learned_english and len(learned_english) == 12
    searcher = Searcher(index, embedder)
    for question, expected in QUESTIONS:
        assert searcher.rank(question)[0].faq_id == expected, question
    # the cause: with the bonus left on, the meter reading goes to the entry that customers taught
    # "Can you test the water from my private well?" (the other two went wrong on BM25 too, before
    # it stopped reading the English phrasings customers taught: `lexical_text`)
    bonus_left_on = Searcher(dataclasses.replace(index, language_penalty={}), embedder)
    assert bonus_left_on.rank(QUESTIONS[1][0])[0].faq_id == "egen-brunn"
    # a Swedish question is ranked as before, to the score
    for question in ("Hur lämnar jag mätarställningen?", "Får jag spola ner våtservetter?"):
        assert searcher.rank(question) == bonus_left_on.rank(question)


def test_the_gap_is_the_same_however_many_phrasings_are_compared_at_a_time(monkeypatch):
    generator = np.random.default_rng(7)
    entries = [
        FaqEntry(f"e{i}", f"Fråga {i}?", "Svar.", learned=(f"How do I do thing {i}?", "Hur gör jag?")) for i in range(9)
    ]
    vectors = generator.normal(size=(9 * 4, 8)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    whole = language_penalty(entries, vectors)
    assert whole["en"].max() > 0  # this draw of random vectors has a bonus to take off
    monkeypatch.setattr(language_gap, "GAP_CHUNK", 2)
    assert language_penalty(entries, vectors).keys() == whole.keys()
    for language, penalty in whole.items():
        assert language_penalty(entries, vectors)[language] == pytest.approx(penalty)


BROWN_AND_CLOUDY = """\
helpdesk: vatten@example.se
entries:
  - id: brown
    question: Varför är vattnet brunt?
    answer: Spola kallvattnet tills det blir klart.
    alternatives:
      - Why is my water brown?
    learned:
      - Why is my tap water so brown today?
      - Varför är kranvattnet brunt idag?
  - id: cloudy
    question: Varför är vattnet vitt eller grumligt?
    answer: Det är luft; låt glaset stå en stund.
"""


def test_bm25_reads_no_english_phrasing_that_customers_taught(small, fake_embedder):
    """In a Swedish FAQ the English phrasings customers taught are its only English words, so BM25
    found every English word in them rare: the entry got the words of any English question about
    water (a walk-through: "Why is the water cloudy?" was answered with the brown-water entry)."""
    (small / "faq.yaml").write_text(BROWN_AND_CLOUDY, encoding="utf-8")
    build_index(load_faq(small / "faq.yaml"), fake_embedder, small / "index", offtopic=small_bank(small))
    searcher = Searcher(load_index(small / "index"), fake_embedder)
    brown = lexical_text(searcher.entries[0])
    assert "tap" not in brown and "kranvattnet" in brown  # the English one taught goes, the Swedish one stays
    assert "Why is my water brown?" in brown  # staff's own English alternative stays
    taught_only = searcher.lexical_scores(searcher.query_words("Is my tap running today?"))
    assert taught_only.tolist() == [0.0, 0.0]  # "tap" and "today": words only the taught phrasing has
    staffs = searcher.lexical_scores(searcher.query_words("Is my water brown?"))
    assert staffs[0] > 0 and staffs[1] == 0
