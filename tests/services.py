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

from tests.harness import free_port

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


def render_nginx(listen: int, upstreams: list[int], run: Path) -> str:
    """deploy/nginx.conf with its fields filled in for replicas on these local ports."""
    servers = "\n        ".join(f"server 127.0.0.1:{port} max_fails=1 fail_timeout=10s;" for port in upstreams)
    template = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    return (
        template.replace("{{LISTEN}}", f"127.0.0.1:{listen}")
        .replace("{{UPSTREAMS}}", servers)
        .replace("{{RUN}}", str(run))
    )


class Nginx:
    """nginx in the foreground with the shipped configuration, on a free port in front of `upstreams`."""

    def __init__(self, upstreams: list[int]) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="faqbot-nginx-"))
        self.folder.chmod(0o755)  # its workers run as an unprivileged user when started as root
        for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.folder / name).mkdir(mode=0o777)
            (self.folder / name).chmod(0o777)
        self.port = free_port()
        self.conf = self.folder / "nginx.conf"
        self.conf.write_text(render_nginx(self.port, upstreams, self.folder), encoding="utf-8")
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        check = subprocess.run([nginx, "-t", "-p", str(self.folder), "-c", str(self.conf)], capture_output=True)
        if check.returncode != 0:
            raise RuntimeError(f"nginx rejects deploy/nginx.conf: {check.stderr.decode()}")
        with open(self.folder / "stderr.log", "wb") as stderr:
            self.process = subprocess.Popen(
                [nginx, "-p", str(self.folder), "-c", str(self.conf), "-g", "daemon off;"], stderr=stderr
            )
        wait_for_port(self.port)
        self.url = f"http://127.0.0.1:{self.port}"

    def upstreams_used(self, at_least: int = 0, timeout: float = 5.0) -> list[str]:
        """The replica (host:port) of every request in the access log, in order. nginx writes a
        request's line after its response has gone out, so wait for `at_least` lines."""
        deadline = time.monotonic() + timeout
        while True:
            lines = (self.folder / "access.log").read_text(encoding="utf-8").splitlines()
            used = [line.split("upstream=", 1)[1].split()[0] for line in lines if "upstream=" in line]
            if len(used) >= at_least or time.monotonic() > deadline:
                return used
            time.sleep(0.05)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.folder, ignore_errors=True)
