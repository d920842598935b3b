"""Fault (a): gunicorn killed with SIGKILL (master and workers at once) in the middle of a burst of
submissions, then started again on the same port.

The invariant checked, submission by submission (each carries a unique reference in its text):
- every petition whose 201 / 303 the client received is stored, exactly once, under the code it was told;
- an API client that got no answer retries with the same Idempotency-Key until it gets one, and that
  answer names the one petition stored for the key (a retry never creates a second petition), so in the
  end every API submission is accepted exactly once;
- a web-form post that got no answer may have committed just before the kill (the "in flight" case): it
  is then stored once; nothing is ever stored that the clients did not send, and nothing is half-written
  (each petition has its received event, its people and its deadlines: one transaction).
"""
from __future__ import annotations

import asyncio
import threading
import time

import pytest
import sqlalchemy

from bench.load import Citizens, Stats, check, run_citizens
from bench.loadlib import Gunicorn, service_env

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(240)]


def test_sigkill_during_a_burst_loses_and_duplicates_nothing(service_db, tmp_path):
    env = service_env(service_db)
    web = Gunicorn(env, tmp_path, workers=2).start()
    stats, ledger = Stats(), []
    # Each citizen writes to its own commune: this test is about the kill, not about two similar petitions
    # joining one matter at the same moment (bench/load.py exercises that).
    engine = sqlalchemy.create_engine(service_db.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:
        units = list(conn.scalars(sqlalchemy.text("SELECT code FROM units WHERE code <> '31' ORDER BY code LIMIT 12")))
    engine.dispose()
    # API clients keep retrying with the same key for up to 60 s; web-form clients do not retry.
    citizens = Citizens(web.url, stats, ledger, twice=0.2, patience=60, units=units)
    killed = threading.Event()

    def kill_and_restart():
        time.sleep(4)
        web.kill()
        killed.set()
        time.sleep(1)
        web.start()

    try:
        restarter = threading.Thread(target=kill_and_restart)
        restarter.start()
        asyncio.run(run_citizens(citizens, 12, 8, channels=("api", "api", "web")))
        restarter.join(120)
        assert killed.is_set()
        failed_in_flight = sum(by.get(0, 0) for by in stats.statuses.values())
        assert failed_in_flight > 0, "the kill interrupted no request: the test proved nothing"
        result = check(service_db, ledger)
    finally:
        web.stop()

    api = [s for s in ledger if s.channel == "api"]
    assert api and all(s.accepted and s.code for s in api), [s.outcome for s in api if not s.accepted]
    assert result["lost"] == 0 and result["duplicated"] == 0, result
    assert result["code differs from the answer"] == 0 and result["stored but never sent"] == 0, result
    assert result["half-written"] == 0 and result["tracking code not unique"] == 0, result
    assert stats.server_errors() == 0, dict(stats.statuses)
    print(f"SIGKILL test: {len(ledger)} submissions, {failed_in_flight} requests cut by the kill, {result}")
    stored = result["petitions stored"]
    assert result["accepted by the client"] <= stored <= result["accepted by the client"] + failed_in_flight
