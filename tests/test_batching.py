"""Concurrent queries share model calls, and every caller still gets exactly its own vectors."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from faqbot.retrieval.batching import QueryBatcher


class SlowModel:
    """A stand-in model: one row per text (its length and first letter), 20 ms per call."""

    def __init__(self) -> None:
        self.calls: list[int] = []

    def __call__(self, texts: list[str]) -> np.ndarray:
        self.calls.append(len(texts))
        time.sleep(0.02)
        if "boom" in texts:
            raise RuntimeError("the model failed")
        return np.array([[len(t), ord(t[0])] for t in texts], dtype=np.float32)


def test_a_lone_question_is_embedded_at_once_on_its_own():
    model = SlowModel()
    batcher = QueryBatcher(model, threading.Lock())
    assert batcher(["Kan jag ringa er?"]).tolist() == [[17.0, ord("K")]]
    assert model.calls == [1]


def test_questions_arriving_together_share_calls_and_each_gets_its_own_rows():
    model = SlowModel()
    batcher = QueryBatcher(model, threading.Lock(), max_batch=8)
    questions = [f"{chr(65 + n % 26)}{'x' * n}" for n in range(40)]
    with ThreadPoolExecutor(max_workers=40) as pool:
        results = list(pool.map(lambda q: batcher([q]), questions))
    for question, vectors in zip(questions, results, strict=True):
        assert vectors.tolist() == [[len(question), ord(question[0])]]
    assert sum(model.calls) == 40 and max(model.calls) <= 8
    assert len(model.calls) < 20  # far fewer calls than questions


def test_a_failing_call_fails_every_question_in_it_and_the_next_call_works():
    model = SlowModel()
    batcher = QueryBatcher(model, threading.Lock())
    with pytest.raises(RuntimeError, match="the model failed"):
        batcher(["boom"])
    assert batcher(["ok"]).shape == (1, 2)


def test_the_real_model_gives_the_same_vectors_batched_and_alone(embedder):
    questions = ["Kan jag ringa er?", "Hur ofta tar ni backup? Och vad kostar det per månad?", "Can I call you?"]
    with ThreadPoolExecutor(max_workers=3) as pool:
        together = list(pool.map(lambda q: embedder.embed_queries([q]), questions))
    alone = [embedder.embed_queries([q]) for q in questions]
    for a, b in zip(together, alone, strict=True):
        np.testing.assert_allclose(a, b, atol=1e-6)
