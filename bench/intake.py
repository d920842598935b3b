"""Petitions per second and p50/p99 latency through gunicorn (2 workers) on PostgreSQL, next to a bare
endpoint that only inserts one row, in the same run. Goal: ratio ≥ 0.5, p99 ≤ 100 ms at 20 clients.

Then the CPU each request costs (gunicorn, PostgreSQL, this load generator, the whole machine; read from /proc),
which bounds the ratio once the cores are busy, and where each millisecond of a petition goes, from the same run:
every worker writes the time spent in each stage of intake.submit, in the commit and in the rest of the request
(bench/intake_app.py).

    python bench/intake.py [--clients 20] [--requests 40] [--without-matching]

--without-matching also runs an experiment (not the service): the same petitions with same-matter matching, its
index and the flags left out of the request, as if they were moved to the jobs process, and prints that ratio.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import CpuMeter, fresh_database, run_load, start_gunicorn  # noqa: E402
from service.cli import run_setup  # noqa: E402
from service.db import Database  # noqa: E402

PORT = 18765
TEXTS = [
    "Đèn đường ở ngõ {n} đường Hà Sen bị hỏng, buổi tối rất tối, đề nghị sửa chữa.",
    "Bãi rác gần chợ số {n} bốc mùi hôi thối, đề nghị thu gom.",
    "Tôi khiếu nại quyết định bồi thường giải phóng mặt bằng thửa đất số {n} vì đơn giá thấp.",
    "Đề nghị lắp biển báo giảm tốc độ gần trường học thôn {n}.",
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=40, help="requests per client")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (the Dockerfile runs 4)")
    parser.add_argument("--without-matching", action="store_true",
                        help="also the experiment: the request without same-matter matching and flags")
    args = parser.parse_args()

    url, drop = fresh_database("tiepdan_bench_intake")
    server = None
    try:
        database = Database(url)
        run_setup(database)
        database.dispose()
        stages_file = Path(tempfile.mkdtemp(prefix="bench_intake_")) / "stages.jsonl"
        env = {"DATABASE_URL": url, "RATELIMIT_ENABLED": "false", "SCHEDULER_ENABLED": "false",
               "LOG_LEVEL": "WARNING", "SECRET_KEY": "bench", "BENCH_STAGES_FILE": str(stages_file)}
        gunicorn_config = str(Path(__file__).resolve().parents[1] / "config" / "gunicorn.conf.py")
        server = start_gunicorn("bench.intake_app:app", env, workers=args.workers, port=PORT, config=gunicorn_config)
        base = f"http://127.0.0.1:{PORT}"

        def petition(client, i, j):
            return client.post(f"{base}/api/v1/petitions", json={
                "content": TEXTS[(i + j) % len(TEXTS)].format(n=i * 1000 + j), "unit": "11914",
                "petitioner": {"name": "Nguyễn Văn An", "phone": "0912345678"}})

        def bare(client, i, j):
            return client.post(f"{base}/bench/bare")

        run_load("warm-up", petition, 4, 5)
        run_load("warm-up", bare, 4, 5)
        stages_file.unlink(missing_ok=True)  # only the measured run below
        meter = CpuMeter(server.pid)
        before = meter.snapshot()
        baseline = run_load("bare insert (1 row)", bare, args.clients, args.requests)
        bare_cpu = meter.since(before, baseline.ok)
        before = meter.snapshot()
        intake = run_load("POST /api/v1/petitions", petition, args.clients, args.requests)
        intake_cpu = meter.since(before, intake.ok)
        print(f"clients: {args.clients}, requests per client: {args.requests}, gunicorn workers: {args.workers}, "
              f"database: PostgreSQL, cores: {os.cpu_count()}")
        print(baseline.line())
        print(intake.line())
        ratio = intake.rate / baseline.rate if baseline.rate else 0.0
        print(f"ratio petitions/s ÷ bare inserts/s: {ratio:.2f} (goal ≥ 0.5); "
              f"petition p99 {intake.pct(0.99):.1f} ms (goal ≤ 100 ms)")
        print_cpu(bare_cpu, intake_cpu)
        print_stages(stages_file)
        if args.without_matching:
            server.terminate()
            server.wait(10)
            server = start_gunicorn("bench.intake_app:app", {**env, "BENCH_WITHOUT_MATCHING": "1"},
                                    workers=args.workers, port=PORT, config=gunicorn_config)
            run_load("warm-up", petition, 4, 5)
            bare_again = run_load("bare insert (1 row)", bare, args.clients, args.requests)
            without = run_load("POST /api/v1/petitions (experiment: no matching in the request)", petition,
                               args.clients, args.requests)
            print(bare_again.line())
            print(without.line())
            print(f"experiment, not the service: ratio without same-matter matching, index and flags in the request "
                  f"{without.rate / bare_again.rate if bare_again.rate else 0.0:.2f}")
    finally:
        if server:
            server.terminate()
            server.wait(10)
        drop()


def print_cpu(bare: dict[str, float], petition: dict[str, float]) -> None:
    """CPU per request of each part, from /proc. With every core busy the rate is cores ÷ the machine's CPU per
    request, so the ratio cannot exceed bare's machine CPU ÷ a petition's, however the latency is spread."""
    parts = ("gunicorn", "postgresql", "load generator", "machine")
    print("CPU per request (ms, from /proc, same run): " + "; ".join(
        f"{name}: " + ", ".join(f"{part} {cpu[part]:.1f}" for part in parts)
        for name, cpu in (("bare insert", bare), ("petition", petition))))
    if petition["machine"]:
        print(f"ceiling of the ratio while the machine's {os.cpu_count()} cores are busy: "
              f"{bare['machine']:.1f} ÷ {petition['machine']:.1f} ms = {bare['machine'] / petition['machine']:.2f}")
        server = {name: cpu["gunicorn"] + cpu["postgresql"] for name, cpu in (("bare", bare), ("petition", petition))}
        if server["petition"]:
            print(f"the same for the service alone (gunicorn + PostgreSQL, as with a load generator that costs no CPU): "
                  f"{server['bare']:.1f} ÷ {server['petition']:.1f} ms = {server['bare'] / server['petition']:.2f}")


def print_stages(path: Path) -> None:
    """Mean ms per petition of each stage, from the workers' lines of this run."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()] \
        if path.exists() else []
    if not rows:
        print("no stage timings recorded")
        return
    names = list(dict.fromkeys(name for row in rows for name in row))
    mean = {name: sum(row.get(name, 0.0) for row in rows) / len(rows) for name in names}
    print(f"where a petition's time goes (mean of {len(rows)} petitions, ms, server side, same run):")
    inner = [n for n in names if n not in ("submit (all)", "request (all)", "commit", "flush count",
                                          "flushes (inside the stages)")]
    for name in inner:
        print(f"  {name:<28} {mean[name]:7.2f}")
    other_submit = mean.get("submit (all)", 0.0) - sum(mean[n] for n in inner)
    print(f"  {'rest of submit (rows, events)':<28} {other_submit:7.2f}")
    print(f"  {'= submit (all)':<28} {mean.get('submit (all)', 0.0):7.2f}")
    print(f"  {'commit':<28} {mean.get('commit', 0.0):7.2f}")
    rest = mean.get("request (all)", 0.0) - mean.get("submit (all)", 0.0) - mean.get("commit", 0.0)
    print(f"  {'HTTP, JSON, schema, answer':<28} {rest:7.2f}")
    print(f"  {'= request (all)':<28} {mean.get('request (all)', 0.0):7.2f}")
    print(f"  of which flushes: {mean.get('flushes (inside the stages)', 0.0):.2f} ms in "
          f"{mean.get('flush count', 0):.1f} flushes a petition")


if __name__ == "__main__":
    main()
