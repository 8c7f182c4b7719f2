"""Concurrent queries embedded together: one model call for every question waiting on the model.

A server answering many customers at once calls the embedder from many threads, one question
each. The model runs one call at a time (it parallelises inside a call), and a call for 16
questions costs far less than 16 calls for one. So while the model is busy, callers queue
their texts; whichever caller gets the model next embeds everything queued, up to MAX_BATCH
texts, and hands each caller its own rows. An idle server embeds a lone question at once, as
before: nobody waits to fill a batch. The vectors are the same as one call per question (the
model pads each text on its own).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import cast

import numpy as np

MAX_BATCH = 32  # texts per model call; more wait for the next call


class _Job:
    def __init__(self, texts: list[str]) -> None:
        self.texts = texts
        self.done = threading.Event()
        self.vectors: np.ndarray | None = None
        self.error: BaseException | None = None


class QueryBatcher:
    """Calls `embed(texts) -> (len(texts), dim)` for the texts of all waiting callers at once.

    `model_lock` is held for every model call, so other users of the model (an index build
    embedding passages) are serialised with these calls.
    """

    def __init__(
        self, embed: Callable[[list[str]], np.ndarray], model_lock: threading.Lock, max_batch: int = MAX_BATCH
    ) -> None:
        self._embed = embed
        self._model_lock = model_lock
        self._max_batch = max_batch
        self._queue_lock = threading.Lock()
        self._waiting: list[_Job] = []

    def __call__(self, texts: list[str]) -> np.ndarray:
        job = _Job(list(texts))
        with self._queue_lock:
            self._waiting.append(job)
        while not job.done.is_set():
            with self._model_lock:
                if not job.done.is_set():  # another caller may have embedded it meanwhile
                    self._run(self._take())
        if job.error is not None:
            raise job.error
        return cast(np.ndarray, job.vectors)  # set whenever error is not

    def _take(self) -> list[_Job]:
        """The oldest waiting jobs, up to max_batch texts (at least one job)."""
        with self._queue_lock:
            taken: list[_Job] = []
            size = 0
            while self._waiting and (not taken or size + len(self._waiting[0].texts) <= self._max_batch):
                size += len(self._waiting[0].texts)
                taken.append(self._waiting.pop(0))
            return taken

    def _run(self, jobs: list[_Job]) -> None:
        try:
            vectors = self._embed([text for job in jobs for text in job.texts])
        except BaseException as err:  # every caller in the batch gets the error, as if alone
            for job in jobs:
                job.error = err
                job.done.set()
            return
        start = 0
        for job in jobs:
            job.vectors = vectors[start : start + len(job.texts)]
            start += len(job.texts)
            job.done.set()
