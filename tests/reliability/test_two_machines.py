"""Two web machines and two jobs processes on one PostgreSQL and one Redis (issue #19, item 5).

Two gunicorn instances (two ports standing for two machines behind a load balancer) share the database and
`RATELIMIT_STORAGE_URI=redis://…`. Through real HTTP, requests alternating between them show that
(a) a public rate limit is counted once for both, (b) a staff session ended on one is refused by the other,
and (c) the login back-off counts the failures made on both. Then two processes dispatch one outbox at the
same time against a fake Telegram server, and every notice arrives exactly once.

Needs a PostgreSQL TEST_DATABASE_URL and a Redis (TEST_REDIS_URL, or one answering on 127.0.0.1:6379:
`bash scripts/redis.sh`); CI's PostgreSQL pass starts both (.ci/run)."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid

import httpx
import pytest
from sqlalchemy import func, select

from bench.load import wait_for_outbox
from bench.loadlib import ROOT, Fakes, Gunicorn, Process, service_env
from service.db import Database
from service.domain.people import accounts
from service.models.outbox import OutboxMessage

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(240)]

PASSWORD = "Hai-Phong-2026-tiep-dan"
LIMIT = 6


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get("TEST_REDIS_URL") or "redis://127.0.0.1:6379/0"
    try:
        import redis
    except ImportError:
        pytest.skip("needs the Python package redis (pip install -e '.[test]')")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError:
        pytest.skip(f"needs a Redis at {url}: start one with `bash scripts/redis.sh` or set TEST_REDIS_URL "
                    "(CI's PostgreSQL pass does)")
    return url


@pytest.fixture
def two_machines(redis_url, service_db, tmp_path):
    """Machines A and B: one gunicorn worker each (so what they share can only be the database and Redis)."""
    env = service_env(service_db, RATELIMIT_ENABLED="true", RATELIMIT_STORAGE_URI=redis_url,
                      RATELIMIT_KEY_PREFIX=f"test-{uuid.uuid4().hex[:8]}",  # counters of this test only
                      RATELIMIT_PUBLIC=f"{LIMIT} per hour", SCHEDULER_ENABLED="false")
    machines = []
    try:
        for _ in range(2):
            machines.append(Gunicorn(env, tmp_path, workers=1).start())
        yield machines
    finally:
        for machine in machines:
            machine.stop()


def make_staff(database_url: str, username: str) -> None:
    database = Database(database_url)
    try:
        with database.session_scope() as session:
            accounts.create_user(session, username=username, password=PASSWORD, role="staff", unit="11914",
                                 office="van_phong", full_name="Cán bộ thử hai máy")
    finally:
        database.dispose()


def csrf_of(answer: httpx.Response) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', answer.text)
    assert found, answer.text[:500]
    return found.group(1)


def log_in(client: httpx.Client, base: str, username: str, password: str) -> httpx.Response:
    token = csrf_of(client.get(f"{base}/can-bo/dang-nhap"))
    return client.post(f"{base}/can-bo/dang-nhap", data={"username": username, "password": password,
                                                           "csrf_token": token, "next": ""})


def test_a_rate_limit_is_counted_once_for_both_machines(two_machines):
    a, b = two_machines
    statuses = []
    with httpx.Client(timeout=30) as client:
        for i in range(LIMIT + 2):  # A, B, A, B, …: each machine alone sees half the requests
            statuses.append(client.get(f"{(a, b)[i % 2].url}/api/v1/public/stats").status_code)
        # Both machines now refuse: the limit was reached by the two together.
        after = [client.get(f"{m.url}/api/v1/public/stats").status_code for m in (a, b)]
    assert statuses[:LIMIT] == [200] * LIMIT, statuses
    assert statuses[LIMIT:] == [429, 429], statuses
    assert after == [429, 429]


def test_a_logout_on_one_machine_ends_the_session_on_the_other(two_machines, service_db):
    a, b = two_machines
    make_staff(service_db, "canbo_hai_may")
    with httpx.Client(timeout=30) as client:
        assert log_in(client, a.url, "canbo_hai_may", PASSWORD).status_code == 302
        cookie = client.cookies.get("session")
        assert cookie
        for machine in (a, b):  # the one session works on both machines
            page = client.get(f"{machine.url}/can-bo/tai-khoan")
            assert page.status_code == 200 and "canbo_hai_may" in page.text
        token = csrf_of(client.get(f"{b.url}/can-bo/tai-khoan"))
        out = client.post(f"{b.url}/can-bo/dang-xuat", data={"csrf_token": token})
        assert out.status_code == 302
    # The cookie kept from before the logout (a copy on a stolen laptop) is refused by machine A.
    with httpx.Client(timeout=30, cookies={"session": cookie}) as copy:
        for machine in (a, b):
            answer = copy.get(f"{machine.url}/can-bo/tai-khoan")
            assert answer.status_code == 302 and "/can-bo/dang-nhap" in answer.headers["location"]


def test_the_login_back_off_counts_failures_on_both_machines(two_machines, service_db):
    a, b = two_machines
    make_staff(service_db, "canbo_khoa")
    with httpx.Client(timeout=30) as client:
        answers = [log_in(client, (a, b)[i % 2].url, "canbo_khoa", "sai-mat-khau") for i in range(5)]
        assert [r.status_code for r in answers] == [401] * 5
        assert "tạm khóa" not in answers[3].text  # four failures: not yet
        # The fifth failure (two on B, three on A) started the back-off: the right password is refused on both.
        for machine in (a, b):
            refused = log_in(client, machine.url, "canbo_khoa", PASSWORD)
            assert refused.status_code == 401 and "tạm khóa" in refused.text, refused.text[:300]


DISPATCHER = """
import sys
from service import outbound
from service.db import Database
from service.jobs.dispatch import dispatch_outbox
from service.settings import load_settings

settings = load_settings()
database = Database(settings.database_url)
outbound.register_configured(database, settings)
sys.stdout.write("ready\\n"); sys.stdout.flush()
sys.stdin.readline()  # both start together
claimed = 0
while True:
    result = dispatch_outbox(database, batch=3)  # small batches: the two interleave
    if not result.claimed:
        break
    claimed += result.claimed
print(claimed)
"""


def queue_notices(database: Database, tag: str, count: int) -> dict[tuple[str, str], list[str]]:
    """`count` notices in the outbox, three or so to each of several Telegram chats (a Zalo consultation
    message would need a citizen who wrote within 48 hours); returns the texts expected in each chat."""
    notices: dict[tuple[str, str], list[str]] = {}
    with database.session_scope() as session:
        for i in range(count):
            recipient = str(9100 + i % 20)
            text = f"Thông báo {tag} số {i}: đơn của ông/bà đã được tiếp nhận."
            notices.setdefault(("telegram", recipient), []).append(text)
            session.add(OutboxMessage(dedupe_key=f"{tag}:{i}", channel="telegram", recipient=recipient, text=text))
    return notices


def outbox_statuses(database: Database) -> dict[str, int]:
    with database.session_scope() as session:
        return dict(session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())


def delivered_once(fakes: Fakes, notices: dict[tuple[str, str], list[str]]) -> None:
    got = {("telegram", chat): sorted(texts) for chat, texts in fakes.delivered()["telegram"].items()}
    assert got == {key: sorted(texts) for key, texts in notices.items()}  # each once, in its own chat


def test_two_dispatchers_at_once_send_every_notice_exactly_once(service_db, tmp_path):
    """The lease keeps a second `python -m service.jobs` waiting (the next test); this is the case behind it:
    two processes dispatching one outbox at the same moment (FOR UPDATE SKIP LOCKED and the conditional claim)."""
    fakes = Fakes(tmp_path).start()
    database = Database(service_db)
    try:
        notices = queue_notices(database, "two-dispatchers", 60)
        env = {**os.environ, **service_env(service_db, fakes)}
        workers = [subprocess.Popen([sys.executable, "-c", DISPATCHER], cwd=ROOT, env=env, text=True,
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE) for _ in range(2)]
        for worker in workers:
            assert worker.stdout.readline().strip() == "ready"
        for worker in workers:
            worker.stdin.write("go\n")
            worker.stdin.flush()
        claimed = [int(worker.communicate(timeout=180)[0].strip().splitlines()[-1]) for worker in workers]
        assert outbox_statuses(database) == {"sent": 60}
        assert sum(claimed) == 60, claimed  # no message was claimed by both
        delivered_once(fakes, notices)
    finally:
        fakes.kill()
        database.dispose()


def test_two_jobs_processes_send_every_notice_exactly_once(service_db, tmp_path):
    """Two `python -m service.jobs` (a main and a standby, on two machines): the notices queued before they
    start all go out, each once."""
    fakes = Fakes(tmp_path).start()
    database = Database(service_db)
    env = service_env(service_db, fakes, LOG_LEVEL="INFO")
    jobs = [Process(f"jobs-{n}", [sys.executable, "-m", "service.jobs"], env, tmp_path) for n in (1, 2)]
    try:
        notices = queue_notices(database, "two-jobs", 40)
        for process in jobs:
            process.start()
        statuses = wait_for_outbox(service_db, 150)
        assert all(process.running for process in jobs), [process.log()[-2000:] for process in jobs]
        assert statuses == {"sent": 40}, (statuses, [process.log()[-2000:] for process in jobs])
        delivered_once(fakes, notices)
    finally:
        for process in jobs:
            process.stop()
        fakes.kill()
        database.dispose()
