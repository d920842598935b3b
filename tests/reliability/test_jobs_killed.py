"""Fault (d): the jobs process is killed with SIGKILL in the middle of the deadline scan. The scan is one
transaction, so nothing of it stays (no flag, no reminder); the dead process's lease keeps a second copy
waiting until it expires; the next run then does the whole scan, and each reminder reaches the office's
Telegram group exactly once. A further run finds nothing left to do.

"Mid-scan" is made exact: the test holds a lock on the outbox table, so the scan stops after it has
marked the deadlines and inserted the flags, just before it enqueues the reminders; then it is killed.
"""
from __future__ import annotations

import datetime as dt
import sys

import pytest
from sqlalchemy import func, select, text, update

from bench.loadlib import Fakes, Process, service_env, wait_until
from service import outbound
from service.db import Database, utcnow
from service.domain.inbound import CITIZEN, InboundMessage, PersonData
from service.domain.intake import operations as intake
from service.jobs import lease
from service.jobs.dispatch import dispatch_outbox
from service.jobs.scan import scan_deadlines
from service.jobs.schedule import JOBS, run_job
from service.models import Deadline, Flag, JobLease, Office, OutboxMessage

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(240)]


def count(database: Database, model, *where) -> int:
    with database.session_scope() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def jobs_once(env: dict[str, str], tmp_path, name: str) -> Process:
    return Process(name, [sys.executable, "-m", "bench.faults", "run-jobs-once"], env, tmp_path).start()


def test_jobs_killed_mid_scan_the_next_run_finishes_without_sending_twice(service_db, tmp_path):
    database = Database(service_db)
    fakes = Fakes(tmp_path).start()
    env = service_env(service_db, fakes)
    try:
        with database.session_scope() as session:
            for i in range(5):
                intake.submit(session, InboundMessage(
                    channel="web", unit="11914", kind="phan_anh", consent=True,
                    content=f"Cột điện số {i} ở thôn Gia Lộc nghiêng, có nguy cơ đổ, đề nghị xử lý.",
                    petitioner=PersonData(name="Đỗ Văn Minh", phone="0912888777")), CITIZEN)
            session.execute(update(Office).values(telegram_chat_id=-1_000_000 - Office.id))  # every office has a group
            session.execute(update(Deadline).values(due_at=utcnow() - dt.timedelta(hours=3)))  # all overdue now
        overdue = count(database, Deadline)
        receipts = count(database, OutboxMessage)  # the citizens' receipts, queued by intake itself

        locker = database.engine.connect()
        blocked = locker.begin()
        locker.execute(text("LOCK TABLE outbox IN SHARE MODE"))  # INSERTs wait; reads go on
        first = jobs_once(env, tmp_path, "jobs-killed")

        def waiting_on_the_lock() -> bool:
            with database.engine.connect() as conn:
                return bool(conn.scalar(text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock' AND query ILIKE 'INSERT INTO outbox %'")))

        assert wait_until(waiting_on_the_lock, 90, 0.3), first.log()[-2000:]
        first.kill()  # SIGKILL, mid-scan: deadlines marked and flags inserted, not committed
        blocked.rollback()
        locker.close()
        assert wait_until(lambda: not waiting_on_the_lock(), 30)

        assert count(database, Flag) == 0 and count(database, OutboxMessage) == receipts  # nothing of the scan
        assert count(database, Deadline, Deadline.overdue_flagged_at.is_not(None)) == 0
        with database.session_scope() as session:
            dead = session.scalar(select(JobLease))
        assert dead is not None and dead.expires_at > utcnow()  # the dead process still holds the lease

        # A second copy started now waits instead of scanning (the lease has not expired).
        assert run_job(database, next(j for j in JOBS if j.id == "deadline-scan"), lease.new_holder()) is False
        assert count(database, Flag) == 0

        with database.session_scope() as session:  # stands for the 60 s lease TTL passing
            session.execute(update(JobLease).values(expires_at=utcnow() - dt.timedelta(seconds=1)))
        second = jobs_once(env, tmp_path, "jobs-next")
        assert second.proc.wait(120) == 0, second.log()[-2000:]
        assert "deadline-scan: ran" in second.log()

        flags = count(database, Flag)
        assert flags == 5  # one quá hạn flag per petition
        assert count(database, Deadline, Deadline.overdue_flagged_at.is_not(None)) == overdue
        with database.session_scope() as session:
            telegram = list(session.scalars(select(OutboxMessage).where(OutboxMessage.channel == "telegram")))
        assert telegram and all(m.status == "sent" for m in telegram)
        delivered = fakes.delivered()["telegram"]
        assert sorted((chat, len(texts)) for chat, texts in delivered.items()) == \
            sorted((m.recipient, 1) for m in telegram)  # each group once, each reminder once
        assert all("[Quá hạn]" in texts[0] or "báo cáo lần" in texts[0] for texts in delivered.values())

        # Another run (the lease was given back at the end of the last one) claims nothing and sends nothing.
        registered = outbound.register_configured(database, env)
        try:
            rerun = scan_deadlines(database)
            assert (rerun.overdue, rerun.flags, rerun.messages) == (0, 0, 0)
            assert dispatch_outbox(database).claimed == 0
        finally:
            for channel in registered:
                outbound.unregister(channel)
        assert count(database, Flag) == flags
        assert fakes.delivered()["telegram"] == delivered
    finally:
        fakes.kill()
        database.dispose()
