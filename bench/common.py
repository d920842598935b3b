"""Shared by the benchmarks: a fresh PostgreSQL database, a real gunicorn, a timed load of HTTP calls."""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_ADMIN_URL = "postgresql://tiepdan:tiepdan@127.0.0.1:5432/postgres"



def recreate_database(url: str) -> None:
    """Drop and create the PostgreSQL database of `url` (a benchmark's own database)."""
    import psycopg

    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def copy_rows(conn, table: str, columns: list[str], rows) -> None:
    """Bulk-load rows with COPY: a million rows in seconds, where the ORM would take minutes."""
    with conn.cursor().copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)

def fresh_database(prefix: str) -> tuple[str, callable]:
    """A new empty PostgreSQL database and a function that drops it."""
    admin_url = os.environ.get("BENCH_ADMIN_URL", DEFAULT_ADMIN_URL)
    name = f"{prefix}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(admin_url.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin_url.rsplit("/", 1)[0] + f"/{name}"

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url, drop


def start_gunicorn(app_spec: str, env: dict[str, str], workers: int = 2, port: int = 18765,
                   config: str | None = None) -> subprocess.Popen:
    """`config`: a gunicorn settings file (config/gunicorn.conf.py warms every worker as production does)."""
    cmd = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
           "--log-level", "warning", *(["-c", config] if config else []), app_spec]
    proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **env})
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("gunicorn did not start")


@dataclass
class LoadResult:
    name: str
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def ok(self) -> int:
        return sum(n for s, n in self.statuses.items() if 200 <= s < 300)

    @property
    def rate(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def pct(self, q: float) -> float:
        data = sorted(self.latencies)
        return data[min(len(data) - 1, int(q * len(data)))] * 1000 if data else float("nan")

    def line(self) -> str:
        return (f"{self.name:<28} {self.rate:8.1f} req/s  p50 {self.pct(0.5):6.1f} ms  p99 {self.pct(0.99):6.1f} ms  "
                f"median {statistics.median(self.latencies) * 1000 if self.latencies else 0:6.1f} ms  "
                f"statuses {dict(sorted(self.statuses.items()))}")


_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat(pid: str) -> tuple[str, int, int] | None:
    """(command name, parent pid, CPU ticks used) of a process, from /proc (Linux); None once it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    comm, rest = raw[raw.index("(") + 1:raw.rindex(")")], raw[raw.rindex(")") + 2:].split()
    return comm, int(rest[1]), int(rest[11]) + int(rest[12])  # ppid; utime + stime


class CpuMeter:
    """CPU time spent by the gunicorn under test (master and workers), by PostgreSQL's processes, by this process
    (the load generator's threads) and by the whole machine, between two snapshots: a load on a machine whose cores
    are all busy is bounded by CPU per request, whatever the latency says."""

    def __init__(self, server_pid: int):
        self.server_pid = server_pid

    def snapshot(self) -> dict[str, dict[str, int] | float]:
        procs = {pid: stat for pid in os.listdir("/proc") if pid.isdigit() and (stat := _stat(pid)) is not None}
        tree, grew = {str(self.server_pid)}, True
        while grew:
            children = {pid for pid, (_, ppid, _) in procs.items() if str(ppid) in tree} - tree
            tree, grew = tree | children, bool(children)
        with open("/proc/stat", encoding="ascii") as fh:
            cpu = [int(x) for x in fh.readline().split()[1:]]
        return {"gunicorn": {pid: procs[pid][2] for pid in tree if pid in procs},
                "postgresql": {pid: t for pid, (comm, _, t) in procs.items() if comm.startswith("postgres")},
                "load generator": sum(os.times()[:2]), "machine": (sum(cpu) - cpu[3] - cpu[4]) / _TICK}

    def since(self, before: dict, requests: int) -> dict[str, float]:
        """Milliseconds of CPU per request of each part (a process that ended meanwhile is not counted)."""
        after = self.snapshot()
        out = {}
        for part in ("gunicorn", "postgresql"):
            ticks = sum(t - before[part].get(pid, 0) for pid, t in after[part].items())  # new ones: all theirs
            out[part] = ticks / _TICK
        out["load generator"] = after["load generator"] - before["load generator"]
        out["machine"] = after["machine"] - before["machine"]
        return {part: seconds * 1000 / max(requests, 1) for part, seconds in out.items()}


def run_load(name: str, make_request, clients: int, per_client: int) -> LoadResult:
    """`clients` threads, each sending `per_client` requests made by make_request(client, i, j)."""
    result = LoadResult(name)
    lock = threading.Lock()

    def worker(i: int) -> None:
        with httpx.Client(timeout=30) as client:
            for j in range(per_client):
                started = time.perf_counter()
                try:
                    status = make_request(client, i, j).status_code
                except httpx.HTTPError:
                    status = 0
                elapsed = time.perf_counter() - started
                with lock:
                    result.latencies.append(elapsed)
                    result.statuses[status] = result.statuses.get(status, 0) + 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result.seconds = time.perf_counter() - started
    return result
