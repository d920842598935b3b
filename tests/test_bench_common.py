"""bench.common.CpuMeter: the CPU a server's process tree spends, read from /proc (bench/intake.py divides it per
request to show the ceiling CPU puts on a load)."""
import subprocess
import sys
from pathlib import Path

import pytest

from bench.common import CpuMeter

pytestmark = pytest.mark.skipif(not Path("/proc/stat").exists(), reason="reads Linux /proc")

# Burns 0.4 s of its own CPU time (a slow machine only takes longer), says so, and lives until its input closes.
CHILD = "import sys, time\nwhile time.process_time() < 0.4: pass\nprint('burnt', flush=True)\nsys.stdin.read()"
# The "server": on "go" it starts a worker that burns, relays its word, and ends when its own input closes.
SERVER = (
    "import subprocess, sys\n"
    "sys.stdin.readline()\n"
    f"child = subprocess.Popen([sys.executable, '-c', {CHILD!r}], stdin=subprocess.PIPE, stdout=subprocess.PIPE,"
    " text=True)\n"
    "print(child.stdout.readline().strip(), flush=True)\n"
    "sys.stdin.read(); child.communicate('')\n"
)


def test_the_cpu_of_a_server_and_of_a_worker_it_started_is_counted_per_request():
    server = subprocess.Popen([sys.executable, "-c", SERVER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True)
    try:
        meter = CpuMeter(server.pid)
        before = meter.snapshot()
        server.stdin.write("go\n")
        server.stdin.flush()
        assert server.stdout.readline().strip() == "burnt"
        per_request = meter.since(before, requests=4)
    finally:
        server.communicate("")
    # 0.4 s over 4 requests, less a clock tick or two of rounding
    assert per_request["gunicorn"] >= 90
    assert per_request["machine"] >= per_request["gunicorn"] - 20
    assert per_request["load generator"] < per_request["gunicorn"]  # this test process only waited
