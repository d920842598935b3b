"""THE list of scheduled jobs, and how the jobs process runs each one under the lease.

Every job is idempotent (it marks what it has done), so a rerun after a crash is harmless.
"""
from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Mapping

from service.db import Database
from service.domain.matters import flags
from service.jobs import lease, retention
from service.jobs.classifier import retrain_classifier
from service.jobs.dialogues import dialogue_reminders
from service.jobs.dispatch import dispatch_outbox
from service.jobs.plans import plan_reminders
from service.jobs.reception import reception_reminders, supporter_notices
from service.jobs.retention import apply_retention
from service.jobs.scan import office_digest, scan_deadlines

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    id: str
    func: Callable[[Database], Any]
    trigger: str  # APScheduler trigger: interval | cron
    args: dict[str, Any] = field(default_factory=dict)
    misfire_grace_time: int = 60
    # The job's keyword arguments from the process's settings (its one reading of them), if it has any.
    options: Callable[[Mapping[str, Any]], dict[str, Any]] | None = None

    def configured(self, settings: Mapping[str, Any] | None) -> Job:
        if self.options is None or settings is None:
            return self
        return replace(self, func=functools.partial(self.func, **self.options(settings)), options=None)


def mailbox(database: Database) -> Any:
    """The office mailbox over IMAP (IMAP_URL; nothing when it is empty): letters become petitions."""
    from service.jobs.mailbox import read_mailbox
    from service.settings import load_settings

    return read_mailbox(database, load_settings())


def flag_digest(database: Database) -> int:
    """Also raises the kéo dài flag of matters more than 30 days past their deadline."""
    with database.session_scope() as session:
        return flags.send_flag_digests(session)


def zalo_token(database: Database, settings: Mapping[str, Any] | None = None) -> bool:
    """The Zalo OA token pair, refreshed ahead of its expiry here and never inside a web request."""
    from service.outbound.zalo import sender, tokens

    if settings is None:
        from service.settings import load_settings
        settings = load_settings()
    if not settings.get("ZALO_APP_ID") or not settings.get("ZALO_APP_SECRET"):
        return False
    return tokens.refresh_ahead(database, sender.client_from(settings, timeout=20.0), settings)


JOBS: tuple[Job, ...] = (
    Job("outbox-dispatch", dispatch_outbox, "interval", {"seconds": 5}, misfire_grace_time=30),
    # Letters to the office mailbox become petitions (issue #16; seed task 4.4 "tin nhắn, thư điện tử").
    Job("mailbox", mailbox, "interval", {"minutes": 2}, misfire_grace_time=120),
    Job("deadline-scan", scan_deadlines, "interval", {"minutes": 5}, misfire_grace_time=300),
    # 07:00 in Hải Phòng, before the working day starts.
    Job("office-digest", office_digest, "cron", {"hour": 7, "minute": 0}, misfire_grace_time=3 * 3600),
    # Every open đông người / phức tạp kéo dài matter, to each unit's Văn phòng (task 4.5 of the plans).
    Job("flag-digest", flag_digest, "cron", {"hour": 7, "minute": 5},
        misfire_grace_time=3 * 3600),
    # Personal data past its retention period (RETENTION_* settings; Luật BVDLCN 91/2025/QH15).
    Job("privacy-retention", apply_retention, "cron", {"hour": 2, "minute": 30}, misfire_grace_time=6 * 3600,
        options=retention.options),
    # Dialogue commitments: 3-day reminder and overdue flag; registered speakers reminded the day before.
    Job("dialogue-reminders", dialogue_reminders, "interval", {"hours": 1}, misfire_grace_time=1800),
    # The plans' own tasks: lead offices reminded before due dates and report dates (issue #21).
    Job("plan-reminders", plan_reminders, "cron", {"hour": 7, "minute": 10}, misfire_grace_time=3 * 3600),
    # Citizens booked on tomorrow's reception day (Luật Tiếp công dân Điều 15) are reminded.
    Job("reception-reminders", reception_reminders, "interval", {"hours": 1}, misfire_grace_time=1800),
    # Supporters of a matter ("tôi cũng gặp vấn đề này") told of its answer.
    Job("supporter-notices", supporter_notices, "interval", {"minutes": 5}, misfire_grace_time=600),
    # The classifier learns the staff corrections (reclassify / reroute) here, never inside a request (issue #17).
    Job("classifier-retrain", retrain_classifier, "interval", {"minutes": 10}, misfire_grace_time=600),
    # The Zalo OA access token, an hour before it expires (and the settings' pair, which has no known expiry).
    Job("zalo-token", zalo_token, "interval", {"minutes": 10}, misfire_grace_time=600,
        options=lambda settings: {"settings": settings}),
)



def run_job(database: Database, job: Job, holder: str) -> bool:
    """Run one job if this process holds (or can take) the lease; False: another copy has it, wait."""
    if not lease.acquire(database, holder):
        logger.debug("job %s: another jobs process holds the lease; waiting", job.id)
        return False
    try:
        job.func(database)
    except Exception:  # one failing run must not stop the scheduler; the next run retries
        logger.exception("job %s failed", job.id)
    return True


def build_scheduler(database: Database, holder: str, scheduler_class: Any = None,
                    settings: Mapping[str, Any] | None = None) -> Any:
    """A BlockingScheduler with every job of JOBS (one process only: never inside web workers), each given
    what it needs of the jobs process's `settings`."""
    if scheduler_class is None:
        from apscheduler.schedulers.blocking import BlockingScheduler as scheduler_class
    from service.domain.deadlines.calendar import VN_TZ

    scheduler = scheduler_class(timezone=VN_TZ)
    for job in (j.configured(settings) for j in JOBS):
        scheduler.add_job(run_job, job.trigger, args=[database, job, holder], id=job.id, name=job.id,
                          coalesce=True, max_instances=1, misfire_grace_time=job.misfire_grace_time,
                          replace_existing=True, **job.args)
    return scheduler
