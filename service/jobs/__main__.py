"""`python -m service.jobs`: the one jobs process (deadline scan, reminders, digests, outbox dispatch).
`python -m service.jobs run JOB_ID` runs one job of the list once, under the lease, and exits (e.g.
`run classifier-retrain` after a batch of staff corrections).

It delivers every channel whose sender is configured (service.outbound.register_configured: the
console always, Telegram with TELEGRAM_BOT_TOKEN, Zalo with ZALO_APP_ID)."""
from __future__ import annotations

import logging
import signal
import sys

from service import crypto, logging_filters, outbound
from service.db import Database
from service.jobs import lease
from service.jobs.schedule import JOBS, build_scheduler, run_job
from service.settings import InsecureSettings, load_settings, refuse_insecure

logger = logging.getLogger("service.jobs")


def main(argv: list[str] | None = None) -> int:
    settings = load_settings()  # the one reading of the environment of this process; handed to whoever needs it
    try:
        refuse_insecure(settings)  # the same refusal as the web app: the jobs write encrypted ID numbers too
    except InsecureSettings as exc:
        print(exc, file=sys.stderr)
        return 2
    logging.basicConfig(level=settings.get("LOG_LEVEL", "INFO"),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging_filters.install(settings)  # no phone, ID number or token in the logs
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["run"]:
        return run_once(settings, args[1:])
    if not settings["SCHEDULER_ENABLED"]:
        print("SCHEDULER_ENABLED=false: the jobs process does not run; exiting.")
        return 0
    crypto.configure(settings)  # the key of the ID numbers the jobs write and erase
    database = Database(settings.database_url)
    channels = outbound.register_configured(database, settings)
    logger.info("senders registered: %s", ", ".join(["console", *channels]))
    holder = lease.new_holder()
    scheduler = build_scheduler(database, holder, settings=settings)

    def stop(signum, _frame):
        logger.info("signal %s: stopping", signum)
        scheduler.shutdown(wait=True)

    signal.signal(signal.SIGTERM, stop)
    logger.info("jobs process %s starting: %s", holder, ", ".join(j.id for j in JOBS))
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        lease.release(database, holder)
        database.dispose()
    return 0


def run_once(settings, job_ids: list[str]) -> int:
    """Run the named jobs once each (under the lease, like the scheduler) and exit; 2 for an unknown job."""
    by_id = {job.id: job for job in JOBS}
    unknown = [j for j in job_ids if j not in by_id]
    if not job_ids or unknown:
        print(f"unknown job {', '.join(unknown) or '(none)'}; jobs: {', '.join(by_id)}", file=sys.stderr)
        return 2
    crypto.configure(settings)
    database = Database(settings.database_url)
    holder = lease.new_holder()
    try:
        for job_id in job_ids:
            if not run_job(database, by_id[job_id].configured(settings), holder):
                print(f"{job_id}: another jobs process holds the lease", file=sys.stderr)
                return 1
            print(f"{job_id}: done")
    finally:
        lease.release(database, holder)
        database.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
