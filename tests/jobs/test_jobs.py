"""The jobs process: the deadline scan (flags, reminders, escalation), digests, outbox dispatch, the lease."""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from service import outbound
from service.domain.deadlines.calendar import VN_TZ
from service.domain.inbound import Actor
from service.domain.notifications import outbox as notify
from service.domain.people import accounts
from service.jobs import lease
from service.jobs.dispatch import MAX_ATTEMPTS, backoff, dispatch_outbox
from service.jobs.scan import office_digest, scan_deadlines
from service.jobs.schedule import JOBS, build_scheduler, run_job
from service.models.deadline import Deadline
from service.models.flag import Flag
from service.models.outbox import OutboxMessage
from service.models.unit import Office
from service.outbound import SendError
from tests.factories import builder

ROOT = Path(__file__).resolve().parents[2]
UNIT = "11737"  # Phường Nam Đồ Sơn


def at(y, m, d, h=9):
    return dt.datetime(y, m, d, h, tzinfo=VN_TZ)


make = builder(content="Khiếu nại về giá bồi thường đất của gia đình tôi.", unit=UNIT, kind="khieu_nai",
               category="dat_dai", name="Trần Thị Bình", address="Số 2 Lạch Tray", now=at(2026, 3, 2), commit=True)


def flags(session, code=None):
    q = select(Flag).order_by(Flag.id)
    return list(session.scalars(q.where(Flag.code == code) if code else q))


def messages(session, like="scan:%"):
    return list(session.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key.like(like))
                                .order_by(OutboxMessage.id)))


# --- the deadline scan ---------------------------------------------------------------------

def test_due_soon_is_flagged_once_with_one_reminder(database, session):
    p = make(session)  # xu_ly_don and thu_ly due 16/3/2026
    assert scan_deadlines(database, now=at(2026, 3, 10)).due_soon == 0  # 4 working days ahead
    first = scan_deadlines(database, now=at(2026, 3, 11))
    assert first.due_soon == 2 and first.flags == 1
    second = scan_deadlines(database, now=at(2026, 3, 11))
    third = scan_deadlines(database, now=at(2026, 3, 12))
    assert (second.due_soon, second.flags, second.messages) == (0, 0, 0) and third.messages == 0
    [flag] = flags(session, "sap_han")
    assert flag.petition_id == p.id and sorted(flag.explanation["steps"]) == ["thu_ly", "xu_ly_don"]
    [reminder] = messages(session)
    assert reminder.channel == "console" and reminder.recipient == f"office:{p.lead_office_id}"
    assert p.code in reminder.text and "16/03/2026" in reminder.text


def test_overdue_replaces_due_soon_and_reaches_the_office_head(database, session):
    p = make(session)
    head = accounts.create_user(session, username="truongphong", password="mat-khau-dai-1", role="office_head",
                                unit=UNIT, office="phong_kinh_te")
    session.get(Office, p.lead_office_id).telegram_chat_id = "-100200"
    session.commit()
    scan_deadlines(database, now=at(2026, 3, 11))
    result = scan_deadlines(database, now=at(2026, 3, 17))
    assert result.overdue == 2 and result.flags == 1
    session.expire_all()
    [late] = flags(session, "qua_han")
    [soon] = flags(session, "sap_han")
    assert late.cleared_at is None and soon.cleared_at == at(2026, 3, 17)
    overdue = [m for m in messages(session, "scan:qua_han:%")]
    assert {(m.channel, m.recipient) for m in overdue} == {("console", f"office:{p.lead_office_id}"),
                                                          ("telegram", "-100200"), ("console", f"user:{head.id}")}
    assert scan_deadlines(database, now=at(2026, 3, 18)).messages == 0
    # conftest resets offices' chat ids on SQLite only; keep the reference row clean on PostgreSQL too.
    session.get(Office, p.lead_office_id).telegram_chat_id = None
    session.commit()


def test_escalation_to_van_phong_then_the_chairperson_each_exactly_once(database, session):
    p = make(session)
    chair = accounts.create_user(session, username="chutich", password="mat-khau-dai-1", role="chairperson",
                                 unit=UNIT)
    session.commit()
    scan_deadlines(database, now=at(2026, 3, 17))
    assert scan_deadlines(database, now=at(2026, 3, 20)).escalated == {2: 0, 3: 0}
    assert scan_deadlines(database, now=at(2026, 3, 23)).escalated == {2: 2, 3: 0}  # 5 WD after 16/3
    assert scan_deadlines(database, now=at(2026, 3, 24)).escalated == {2: 0, 3: 0}
    assert scan_deadlines(database, now=at(2026, 4, 3)).escalated == {2: 0, 3: 0}
    assert scan_deadlines(database, now=at(2026, 4, 6)).escalated == {2: 0, 3: 2}  # 15 WD after 16/3
    assert scan_deadlines(database, now=at(2026, 5, 6)).escalated == {2: 0, 3: 0}
    van_phong = session.scalar(select(Office).where(Office.unit_id == p.unit_id, Office.code == "van_phong"))
    [level2] = messages(session, "scan:escalate2:%")
    [level3] = messages(session, "scan:escalate3:%")
    assert level2.recipient == f"office:{van_phong.id}" and level3.recipient == f"user:{chair.id}"
    assert {d.escalation_level for d in session.scalars(select(Deadline))} == {3}


def test_a_long_overdue_deadline_climbs_every_level_in_one_scan(database, session):
    make(session)
    result = scan_deadlines(database, now=at(2026, 6, 1))
    assert result.overdue == 2 and result.escalated == {2: 2, 3: 2}
    # No chairperson account: the chairperson's copy goes through Văn phòng.
    [level3] = messages(session, "scan:escalate3:%")
    assert level3.text.startswith("Kính trình Chủ tịch")
    assert scan_deadlines(database, now=at(2026, 6, 1)).messages == 0


def test_met_and_cancelled_deadlines_are_never_flagged(database, session):
    from service.domain.workflow import operations as workflow

    p = make(session)
    workflow.perform(session, p, "accept", Actor(label="Cán bộ", role="staff"), at=at(2026, 3, 3))
    session.commit()
    result = scan_deadlines(database, now=at(2026, 3, 17))
    assert (result.due_soon, result.overdue) == (0, 0)


@pytest.mark.committed  # the lock is held by a second connection
def test_a_second_scan_at_the_same_time_is_skipped_on_postgresql(database, session):
    if database.dialect != "postgresql":
        pytest.skip("the advisory lock is PostgreSQL's; SQLite serialises writers")
    from sqlalchemy import text

    make(session)
    with database.engine.connect() as other:
        with other.begin():
            other.execute(text("SELECT pg_advisory_xact_lock(hashtext('deadline-scan'))"))
            assert scan_deadlines(database, now=at(2026, 3, 17)).skipped
    assert scan_deadlines(database, now=at(2026, 3, 17)).overdue == 2


def test_daily_digest_per_office_once_a_day(database, session):
    p = make(session)
    make(session, kind="phan_anh")
    assert office_digest(database, now=at(2026, 3, 17, 7)) >= 1
    assert office_digest(database, now=at(2026, 3, 17, 8)) == 0
    [digest] = [m for m in messages(session, f"digest:{p.lead_office_id}:%") if m.channel == "console"]
    assert "2 đơn đang xử lý" in digest.text and "2 đơn quá hạn" in digest.text


# --- outbox dispatch ------------------------------------------------------------------------

def queue(database, n=1, channel="console"):
    with database.session_scope() as s:
        for i in range(n):
            notify.enqueue(s, channel=channel, recipient=f"r{i}", text=f"tin {i}", dedupe_key=f"test:{channel}:{i}",
                           now=at(2026, 3, 1))


def outbox_rows(database):
    with database.session_scope() as s:
        return list(s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_enqueue_is_idempotent_on_its_key(session):
    first = notify.enqueue(session, channel="console", recipient="x", text="a", dedupe_key="k1")
    again = notify.enqueue(session, channel="console", recipient="x", text="b", dedupe_key="k1")
    assert first is not None and again is None
    assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 1


def test_console_messages_are_marked_sent(database):
    queue(database, 3)
    result = dispatch_outbox(database, now=at(2026, 3, 2))
    assert (result.claimed, result.sent) == (3, 3)
    assert {(m.status, m.attempts) for m in outbox_rows(database)} == {("sent", 1)}
    assert dispatch_outbox(database, now=at(2026, 3, 3)).claimed == 0


def test_a_failed_send_backs_off_exponentially_then_gives_up(database):
    calls = []

    def flaky(message):
        calls.append(message.id)
        raise RuntimeError("máy chủ không phản hồi")

    outbound.register("flaky", flaky)
    try:
        queue(database, 1, channel="flaky")
        now = at(2026, 3, 2)
        for attempt in range(1, MAX_ATTEMPTS + 1):
            assert dispatch_outbox(database, now=now).claimed == 1
            [row] = outbox_rows(database)
            assert row.attempts == attempt and "RuntimeError" in row.last_error
            if attempt < MAX_ATTEMPTS:
                assert row.status == "pending" and row.next_attempt_at == now + backoff(attempt)
                assert dispatch_outbox(database, now=now + backoff(attempt) - dt.timedelta(seconds=1)).claimed == 0
                now = row.next_attempt_at
        assert row.status == "failed" and len(calls) == MAX_ATTEMPTS
        assert dispatch_outbox(database, now=now + dt.timedelta(days=1)).claimed == 0
    finally:
        outbound.unregister("flaky")


def test_permanent_failure_and_missing_sender(database):
    outbound.register("broken", lambda m: (_ for _ in ()).throw(SendError("sai số điện thoại", permanent=True)))
    try:
        queue(database, 1, channel="broken")
        queue(database, 1, channel="sms")  # no SMS sender yet: kept and retried
        dispatch_outbox(database, now=at(2026, 3, 2))
        broken, sms = outbox_rows(database)
        assert broken.status == "failed" and sms.status == "pending" and "no sender" in sms.last_error
    finally:
        outbound.unregister("broken")


def test_backoff_doubles_and_is_capped():
    assert [backoff(n).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]
    assert backoff(30) == dt.timedelta(hours=6)


def test_a_claim_left_by_a_dead_dispatcher_is_taken_over(database):
    queue(database, 1)
    with database.session_scope() as s:
        row = s.scalar(select(OutboxMessage))
        row.status, row.claimed_until = "sending", at(2026, 3, 2, 8)
    assert dispatch_outbox(database, now=at(2026, 3, 2, 7)).claimed == 0
    assert dispatch_outbox(database, now=at(2026, 3, 2, 9)).sent == 1


@pytest.mark.committed  # three threads, three connections
def test_two_dispatchers_never_send_the_same_message(database):
    sent: list[int] = []
    lock = threading.Lock()

    def slow(message):
        time.sleep(0.002)
        with lock:
            sent.append(message.id)

    outbound.register("slow", slow)
    try:
        queue(database, 60, channel="slow")
        barrier = threading.Barrier(3)

        def worker():
            barrier.wait()
            for _ in range(10):
                dispatch_outbox(database, now=at(2026, 3, 2), batch=7)

        threads = [threading.Thread(target=worker) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(sent) == 60 and len(set(sent)) == 60
        assert {m.status for m in outbox_rows(database)} == {"sent"}
    finally:
        outbound.unregister("slow")


# --- the lease and the scheduler -----------------------------------------------------------

def test_only_one_jobs_process_holds_the_lease(database):
    t0 = at(2026, 3, 2)
    assert lease.acquire(database, "A", now=t0)
    assert not lease.acquire(database, "B", now=t0 + dt.timedelta(seconds=30))
    assert lease.acquire(database, "A", now=t0 + dt.timedelta(seconds=50))  # renewal
    assert not lease.acquire(database, "B", now=t0 + dt.timedelta(seconds=100))
    assert lease.acquire(database, "B", now=t0 + dt.timedelta(seconds=111))  # A stopped renewing
    assert not lease.acquire(database, "A", now=t0 + dt.timedelta(seconds=112))
    lease.release(database, "B")
    assert lease.acquire(database, "A", now=t0 + dt.timedelta(seconds=113))


def test_a_second_copy_waits_instead_of_running_the_job(database):
    runs = []
    job = JOBS[0].__class__("probe", lambda db: runs.append(1), "interval", {"seconds": 5})
    first, second = lease.new_holder(), lease.new_holder()
    assert run_job(database, job, first) and not run_job(database, job, second)
    assert run_job(database, job, first) and runs == [1, 1]


def test_the_scheduler_holds_every_job_of_the_one_list(database):
    from apscheduler.schedulers.background import BackgroundScheduler

    scheduler = build_scheduler(database, "holder", scheduler_class=BackgroundScheduler)
    assert {j.id for j in scheduler.get_jobs()} == {j.id for j in JOBS} >= {"outbox-dispatch", "deadline-scan",
                                                                           "office-digest"}
    assert all(j.max_instances == 1 and j.coalesce for j in scheduler.get_jobs())


def test_jobs_process_exits_when_the_scheduler_is_disabled(tmp_path):
    env = {**os.environ, "SCHEDULER_ENABLED": "false", "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"}
    result = subprocess.run([sys.executable, "-m", "service.jobs"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0 and "SCHEDULER_ENABLED=false" in result.stdout


def test_the_web_app_never_starts_the_scheduler(tmp_path):
    code = ("import sys; from service.app import create_app; "
            f"create_app({{'DATABASE_URL': 'sqlite:///{tmp_path / 'w.sqlite3'}', 'TESTING': True}}); "
            "print('apscheduler' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.stdout.strip().endswith("False"), result.stderr


@pytest.mark.parametrize("job_id", ["deadline-scan", "office-digest", "outbox-dispatch"])
def test_every_job_runs_on_an_empty_database(database, job_id):
    [job] = [j for j in JOBS if j.id == job_id]
    job.func(database)


def test_flag_digest_job_is_in_the_one_list_and_runs(database, session):
    from service.jobs.schedule import JOBS, flag_digest

    assert "flag-digest" in {job.id for job in JOBS}
    assert flag_digest(database) == 0  # no flagged matter yet: nothing to send, and no error
