"""Petitions per second and p50/p99 latency through gunicorn (2 workers) on PostgreSQL, next to a bare
endpoint that only inserts one row, in the same run. Goal: ratio ≥ 0.5, p99 ≤ 100 ms at 20 clients.

    python bench/intake.py [--clients 20] [--requests 40]
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import fresh_database, run_load, start_gunicorn  # noqa: E402
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
    args = parser.parse_args()

    url, drop = fresh_database("tiepdan_bench_intake")
    server = None
    try:
        database = Database(url)
        run_setup(database)
        database.dispose()
        env = {"DATABASE_URL": url, "RATELIMIT_ENABLED": "false", "SCHEDULER_ENABLED": "false",
               "LOG_LEVEL": "WARNING", "SECRET_KEY": "bench"}
        server = start_gunicorn("bench.intake_app:app", env, workers=2, port=PORT)
        base = f"http://127.0.0.1:{PORT}"

        def petition(client, i, j):
            return client.post(f"{base}/api/v1/petitions", json={
                "content": TEXTS[(i + j) % len(TEXTS)].format(n=i * 1000 + j), "unit": "11914",
                "petitioner": {"name": "Nguyễn Văn An", "phone": "0912345678"}})

        def bare(client, i, j):
            return client.post(f"{base}/bench/bare")

        run_load("warm-up", petition, 4, 5)
        run_load("warm-up", bare, 4, 5)
        baseline = run_load("bare insert (1 row)", bare, args.clients, args.requests)
        intake = run_load("POST /api/v1/petitions", petition, args.clients, args.requests)
        print(f"clients: {args.clients}, requests per client: {args.requests}, gunicorn workers: 2, "
              f"database: PostgreSQL, cores: {os.cpu_count()}")
        print(baseline.line())
        print(intake.line())
        ratio = intake.rate / baseline.rate if baseline.rate else 0.0
        print(f"ratio petitions/s ÷ bare inserts/s: {ratio:.2f} (goal ≥ 0.5); "
              f"petition p99 {intake.pct(0.99):.1f} ms (goal ≤ 100 ms)")
    finally:
        if server:
            server.terminate()
            server.wait(10)
        drop()


if __name__ == "__main__":
    main()
