"""Throughput through nginx with 1 and with 2 `faqbot serve` replicas on one PostgreSQL.

    python benchmarks/replicas.py                          # 1 then 2 replicas, 16 clients, 600 questions each
    python -m benchmarks.replicas --replicas 1 2 3 --requests 1200

The production setup of docs/production.md on this machine: a throwaway PostgreSQL cluster
(tests/services.py: initdb in a temp folder, its own port), N replicas (`python app.py`, each in
a folder of its own, the conversation log on that PostgreSQL) and nginx with deploy/nginx.conf
in front. The clients (benchmarks/api_load.py) send the mixed questions to /api/ask through
nginx, without cookies, so nginx spreads them over the replicas.

Prints per run: answers per second, p50/p95/max latency, errors, the CPU time per answer of
the replicas, of nginx and of PostgreSQL (each process with its children, from /proc), and the
conversation rows in PostgreSQL against the answers (lost rows). Needs
Debian's postgresql and nginx (`make postgres-nginx`) and, as root, the `postgres` user.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

import psycopg

from benchmarks.api_load import cpu_seconds, load, prepare
from benchmarks.webapp import running_app
from faqbot.staff.evaluate import percentile
from tests.services import Nginx, PostgresCluster


def tree_cpu(root: int) -> float:
    """CPU seconds of a process and all its descendants (nginx's workers, PostgreSQL's backends)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    tree, grew = {root}, True
    while grew:
        grown = tree | {pid for pid, parent in parents.items() if parent in tree}
        grew, tree = grown != tree, grown
    total = 0.0
    for pid in tree:
        try:
            total += cpu_seconds(pid)
        except (OSError, IndexError):
            pass  # gone meanwhile
    return total


def postmaster(cluster: PostgresCluster) -> int:
    return int((cluster.data / "postmaster.pid").read_text().split()[0])


def logged_rows(db: str) -> int:
    with psycopg.connect(db) as conn:
        return int(conn.execute("SELECT count(*) FROM conversations").fetchone()[0])  # type: ignore[index]


def run(
    base: Path, cluster: PostgresCluster, replicas: int, clients: int, requests: int, warmup: int, number: int = 0
) -> bool:
    """Measurement `number` with `replicas` replicas behind nginx; prints it; False on errors or lost rows."""
    db = cluster.new_database()
    with ExitStack() as stack:
        processes, ports = [], []
        for n in range(replicas):
            folder = base / f"run{number}-r{replicas}-{n}"  # --replicas 1 2 1 2 runs each count twice
            shutil.copytree(base / "shipped", folder)
            url, process = stack.enter_context(running_app(folder, db))
            processes.append(process)
            ports.append(int(url.rstrip("/").rsplit(":", 1)[1]))
        nginx = Nginx(ports)
        stack.callback(nginx.stop)
        asyncio.run(load(nginx.url + "/", min(clients, warmup or 1), warmup))
        rows_before = logged_rows(db)
        load_before = os.getloadavg()[0]
        cpu_before = sum(cpu_seconds(p.pid) for p in processes)
        others_before = tree_cpu(nginx.process.pid), tree_cpu(postmaster(cluster))
        elapsed, latencies, errors = asyncio.run(load(nginx.url + "/", clients, requests))
        cpu = sum(cpu_seconds(p.pid) for p in processes) - cpu_before
        nginx_cpu = tree_cpu(nginx.process.pid) - others_before[0]
        postgres_cpu = tree_cpu(postmaster(cluster)) - others_before[1]
        load_after = os.getloadavg()[0]
        used = nginx.upstreams_used(at_least=warmup + requests)[warmup:]
        answered = len(latencies) - len(errors)
        for _ in range(50):  # the last rows may still be on their way from a replica's writer
            rows = logged_rows(db) - rows_before
            if rows >= answered:
                break
            asyncio.run(asyncio.sleep(0.1))
    shares = ", ".join(str(used.count(f"127.0.0.1:{port}")) for port in ports)
    print(
        f"{replicas} replica(s), {clients} clients, {requests} questions through nginx; load {load_before:.1f} -> {load_after:.1f}"
    )
    print(f"  throughput: {answered / elapsed:.1f} answers/s ({answered} in {elapsed:.1f} s); per replica: {shares}")
    print(
        f"  latency: p50 {statistics.median(latencies) * 1000:.0f} ms, p95 {percentile(latencies, 0.95) * 1000:.0f} ms,"
        f" max {max(latencies) * 1000:.0f} ms"
    )
    per = 1000 / max(answered, 1)
    print(
        f"  CPU per answer: replicas {cpu * per:.1f} ms, nginx {nginx_cpu * per:.2f} ms,"
        f" PostgreSQL {postgres_cpu * per:.2f} ms"
    )
    print(f"  errors: {len(errors)}" + (f" (first: {errors[0]})" if errors else ""))
    print(f"  rows in PostgreSQL: {rows} of {answered} answered ({answered - rows} lost)")
    return not errors and rows == answered


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--replicas", type=int, nargs="+", default=[1, 2], help="replica counts to run (default 1 2)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (default 16)")
    parser.add_argument("--requests", type=int, default=600, help="questions per run (default 600)")
    parser.add_argument("--warmup", type=int, default=40, help="questions sent first and not counted")
    args = parser.parse_args()

    print(f"faqbot behind nginx: {os.cpu_count()} cores")
    cluster = PostgresCluster()
    try:
        with tempfile.TemporaryDirectory(prefix="faqbot-replicas-") as tmp:
            base = Path(tmp)
            (base / "shipped").mkdir()
            prepare(base / "shipped")  # the shipped FAQ, rate limit off, its index built once
            results = [
                run(base, cluster, n, args.clients, args.requests, args.warmup, number)
                for number, n in enumerate(args.replicas)
            ]
    finally:
        cluster.destroy()
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
