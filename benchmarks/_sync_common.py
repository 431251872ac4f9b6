"""Shared by sync_chaos.py and sync_throughput.py: a central server subprocess, a throwaway PostgreSQL cluster,
database setup, and the demo accounts.

Only the standard library and `_common` at module level; the server and seat packages are imported lazily.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from _common import REPO, log

PYTHON = sys.executable
DEMO_PASSWORD = "demo-12345"
# Fixed, so access tokens stay valid across server restarts (and across uvicorn workers).
SECRET_KEY = "benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
SERVER_ENV = {"CENTRAL_SERVER_SECRET_KEY": SECRET_KEY}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_cli(*args: str, db: str) -> None:
    """`python -m central_server ARGS --db DB`, failing loudly."""
    proc = subprocess.run([PYTHON, "-m", "central_server", *args, "--db", db], cwd=REPO, capture_output=True,
                          text=True, timeout=180, env=dict(os.environ, **SERVER_ENV))
    if proc.returncode != 0:
        raise RuntimeError(f"central_server {' '.join(args)} failed: {proc.stderr.strip()[-2000:]}")


def prepare_db(db: str) -> None:
    """init-db + seed-demo (every roster person and admin, password demo-12345)."""
    run_cli("init-db", db=db)
    run_cli("seed-demo", db=db)


@dataclass
class ServerProcess:
    """A central server subprocess on a fixed port; `command` is the argv (default: `central_server serve`)."""

    db: str
    port: int
    log_path: Path
    command: list[str] | None = None
    env: dict[str, str] = field(default_factory=dict)
    proc: subprocess.Popen[bytes] | None = None
    starts: int = 0
    _log: IO[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def argv(self) -> list[str]:
        return self.command or [PYTHON, "-m", "central_server", "serve", "--db", self.db, "--port", str(self.port)]

    def start(self, timeout: float = 60.0) -> float:
        """Start and wait until /api/v1/health answers; returns the seconds it took."""
        import requests

        started = time.monotonic()
        if self._log is None:
            self._log = open(self.log_path, "ab")  # noqa: SIM115 - kept open across restarts
        self._log.write(f"\n==== start {self.starts + 1} at {time.time():.3f} ====\n".encode())
        self._log.flush()
        self.proc = subprocess.Popen(self.argv(), cwd=REPO, env=dict(os.environ, **SERVER_ENV, **self.env),
                                     stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)
        self.starts += 1
        deadline = started + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited with {self.proc.returncode}; see {self.log_path}")
            try:
                if requests.get(f"{self.url}/api/v1/health", timeout=1).ok:
                    return time.monotonic() - started
            except requests.RequestException:
                pass
            time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"the server did not answer within {timeout:.0f} s; see {self.log_path}")

    def kill(self) -> None:
        """SIGKILL the server (and any uvicorn worker children: it runs in its own process group)."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            with suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(30)
        self.proc = None

    def stop(self) -> None:
        """A clean stop (SIGTERM to the group), falling back to SIGKILL."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(15)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                pass
        self.kill()
        if self._log is not None:
            self._log.close()
            self._log = None

    def pids(self) -> list[int]:
        """The server process and its children (uvicorn workers), for CPU accounting."""
        if self.proc is None:
            return []
        pids = [self.proc.pid]
        try:
            children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()
            pids += [int(c) for c in children]
        except OSError:
            pass
        return pids


def cpu_seconds(pids: list[int]) -> float:
    """utime + stime of these processes (Linux /proc), in seconds."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def postgres_pids(cluster: Any) -> list[int]:
    """Every postgres process of the cluster (postmaster + backends), for CPU accounting."""
    pid_file = cluster.root / "data" / "postmaster.pid"
    try:
        master = int(pid_file.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return []
    pids = [master]
    with suppress(OSError):
        pids += [int(c) for c in Path(f"/proc/{master}/task/{master}/children").read_text().split()]
    return pids


@contextmanager
def postgres_database(name: str = "central_bench") -> Any:
    """A throwaway PostgreSQL cluster (tests/server/pg_cluster.py: initdb + pg_ctl, as `postgres` via runuser
    when root) with one empty database; yields (url, cluster)."""
    import psycopg

    from tests.server.pg_cluster import find_pg_bin, start_cluster

    bin_dir = find_pg_bin()
    if bin_dir is None:
        raise SystemExit("PostgreSQL server binaries (initdb, pg_ctl) are not installed: apt-get install postgresql")
    started = time.monotonic()
    cluster = start_cluster(bin_dir)
    try:
        with psycopg.connect(cluster.url("postgres").replace("+psycopg", ""), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        log(f"PostgreSQL {bin_dir.parent.name} cluster on port {cluster.port} ({time.monotonic() - started:.1f} s)")
        yield cluster.url(name), cluster
    finally:
        cluster.stop()


def loadavg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]
