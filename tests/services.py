"""Throwaway PostgreSQL clusters and nginx instances for the tests, on free ports in temp folders.

Debian's packages provide the programs (`make test` installs them). PostgreSQL refuses to run
as root, so as root the cluster's folder belongs to the `postgres` user and its programs run
as that user; as anyone else they run as oneself.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

from benchmarks.webapp import free_port

ROOT = Path(__file__).resolve().parent.parent


def postgres_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}")) or [shutil.which(name) or ""]
    if not found[-1]:
        raise RuntimeError(
            f"{name} not found; install PostgreSQL with: make postgres-nginx (apt-get install postgresql)"
        )
    return found[-1]


class PostgresCluster:
    """`initdb` in a temp folder, started on its own port with trust authentication for user faqbot."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="faqbot-pg-"))
        self.data = self.folder / "data"
        self.port = free_port()
        self.as_root = os.geteuid() == 0
        if self.as_root:
            shutil.chown(self.folder, "postgres", "postgres")
        self._run(postgres_bin("initdb"), "-D", str(self.data), "-U", "faqbot", "-A", "trust", "-E", "UTF8")
        with open(self.data / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.write(
                f"port = {self.port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{self.folder}'\n"
                "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\nmax_connections = 200\n"
            )
        self.start()
        self._run(postgres_bin("createdb"), "-h", str(self.folder), "-p", str(self.port), "-U", "faqbot", "faqbot")

    def _run(self, *argv: str) -> None:
        command = ["runuser", "-u", "postgres", "--", *argv] if self.as_root else list(argv)
        subprocess.run(command, check=True, capture_output=True, cwd=self.folder, timeout=120)

    def url(self, database: str = "faqbot") -> str:
        return f"postgresql://faqbot@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        log = str(self.folder / "server.log")
        self._run(postgres_bin("pg_ctl"), "-D", str(self.data), "-l", log, "-w", "-t", "60", "start")

    def stop(self) -> None:
        self._run(postgres_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def new_database(self) -> str:
        """A fresh, empty database; returns its URL."""
        name = "t_" + uuid.uuid4().hex[:12]
        self._run(postgres_bin("createdb"), "-h", str(self.folder), "-p", str(self.port), "-U", "faqbot", name)
        return self.url(name)

    def destroy(self) -> None:
        try:
            self._run(postgres_bin("pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        except subprocess.CalledProcessError:
            pass  # already stopped
        shutil.rmtree(self.folder, ignore_errors=True)


def wait_for_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listens on port {port} after {timeout} s")
