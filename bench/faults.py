"""Helpers of the fault tests (tests/reliability/) that must run as a separate process, so they can be killed.

    python -m bench.faults run-jobs-once

runs the deadline scan and then the outbox dispatch once, each under the jobs lease exactly as the
scheduler of `python -m service.jobs` runs them (`service.jobs.schedule.run_job`, with the Telegram and
Zalo senders registered), then gives the lease up as the jobs process does when it stops. The
scheduler's own interval (the scan every 5 minutes) is too slow for a test; the work done is the same.
Prints `ran` or `lease held by another process`.
"""
from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def run_jobs_once(job_ids: tuple[str, ...] = ("deadline-scan", "outbox-dispatch")) -> bool:
    from service import crypto, outbound
    from service.db import Database
    from service.jobs import lease
    from service.jobs.schedule import JOBS, run_job
    from service.settings import load_settings

    settings = load_settings()
    crypto.configure(settings)
    database = Database(settings["DATABASE_URL"])
    outbound.register_configured(database, settings)
    holder = lease.new_holder()
    ran = False
    try:
        for job_id in job_ids:  # in this order: the scan's reminders are then dispatched at once
            job = next(j for j in JOBS if j.id == job_id)
            done = run_job(database, job, holder)
            ran = ran or done
            print(f"{job.id}: {'ran' if done else 'lease held by another process'}", flush=True)
    finally:
        if ran:
            lease.release(database, holder)
        database.dispose()
    return ran


if __name__ == "__main__":
    if sys.argv[1:] != ["run-jobs-once"]:
        sys.exit(__doc__)
    sys.exit(0 if run_jobs_once() else 3)
