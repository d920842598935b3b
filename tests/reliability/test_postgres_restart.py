"""Fault (b): PostgreSQL stops and starts again under a running gunicorn. Meanwhile the service answers 503
with its Vietnamese message (and stores nothing); afterwards it recovers by itself (pool pre-ping), without
a restart of the web workers.

The server restarted here is a private PostgreSQL cluster of this test (initdb in a temporary directory,
its own port), not the shared one: restarting that would break every other test running at the time.
It is the same PostgreSQL server program. Runs in the PostgreSQL pass of the tests (TEST_DATABASE_URL set),
like the other fault tests; skipped where the server binaries (initdb, pg_ctl) are not installed.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

import httpx
import pytest

from bench.loadlib import Gunicorn, free_port, recreate_database, service_env, setup_database, wait_until

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(240)]

BODY = {"content": "Đường liên thôn bị sụt lún sau mưa lớn, đề nghị sửa chữa.", "unit": "11914",
        "petitioner": {"name": "Vũ Thị Hoa", "phone": "0912000111"}}


def _bin(name: str) -> str:
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    if not found:
        pytest.fail("PostgreSQL server binaries (initdb, pg_ctl) are missing: scripts/install.sh --system installs them")
    return str(found[-1])


class PrivateCluster:
    """initdb + pg_ctl, as the postgres user when we are root (the server refuses to run as root)."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="tiepdan-pg-"))
        self.port = free_port()
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:
            os.chmod(self.dir, 0o755)
            shutil.chown(self.dir, "postgres", "postgres")
        self.data = self.dir / "data"
        self.run(_bin("initdb"), "-D", str(self.data), "-U", "tiepdan", "--auth=trust", "-E", "UTF8",
                 "--locale=C.UTF-8")

    def run(self, *argv: str) -> None:
        command = list(argv)
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.dir} -c fsync=off"
        self.run(_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.dir / "server.log"), "-o", options, "-w", "start")

    def stop(self) -> None:
        self.run(_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    @property
    def admin_url(self) -> str:
        return f"postgresql://tiepdan@127.0.0.1:{self.port}/postgres"

    def remove(self) -> None:
        subprocess.run(["runuser", "-u", "postgres", "--", _bin("pg_ctl"), "-D", str(self.data), "-m", "immediate",
                        "stop"] if self.as_postgres else [_bin("pg_ctl"), "-D", str(self.data), "-m", "immediate",
                                                          "stop"], capture_output=True, timeout=60)
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def cluster(pg_admin_url):  # like the other PostgreSQL tests: in the PostgreSQL pass only
    _bin("initdb")
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        pytest.fail("runuser (util-linux) is needed to start PostgreSQL as the postgres user")
    made = PrivateCluster()
    made.start()
    yield made
    made.remove()


STATUSES: list[int] = []


def post(url: str) -> httpx.Response:
    response = httpx.post(f"{url}/api/v1/petitions", json=BODY, headers={"Idempotency-Key": str(uuid.uuid4())},
                          timeout=30)
    STATUSES.append(response.status_code)
    return response


def test_database_restart_answers_503_meanwhile_and_recovers_by_itself(cluster, tmp_path):
    STATUSES.clear()
    url = recreate_database("tiepdan_restart", cluster.admin_url)
    setup_database(url)
    web = Gunicorn(service_env(url), tmp_path, workers=2).start()
    try:
        created = [post(web.url) for _ in range(4)]  # both workers hold pooled connections now
        assert [r.status_code for r in created] == [201] * 4

        cluster.stop()
        down = [post(web.url) for _ in range(4)]
        assert {r.status_code for r in down} == {503}
        error = down[0].json()["error"]
        assert error["code"] == "unavailable" and "tạm thời gián đoạn" in error["message"]
        assert "chưa được gửi" in error["message"] and error["message_en"]
        health = httpx.get(f"{web.url}/healthz", timeout=10)
        assert health.status_code == 503 and "không phản hồi" in health.json()["message"]
        page = httpx.get(f"{web.url}/gui-don", timeout=10)  # the citizen's form: a Vietnamese page, not a trace
        assert page.status_code == 503 and "tạm thời gián đoạn" in page.text and "Traceback" not in page.text

        cluster.start()
        assert wait_until(lambda: post(web.url).status_code == 201, 60, 0.5), "did not recover by itself"
        after = [post(web.url) for _ in range(6)]  # every worker's pool recovered, not just one
        assert [r.status_code for r in after] == [201] * 6
        assert web.running  # the same gunicorn: nobody restarted it
    finally:
        web.stop()

    import sqlalchemy

    engine = sqlalchemy.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:
        stored = conn.execute(sqlalchemy.text("SELECT count(*) FROM petitions")).scalar_one()
    engine.dispose()
    assert stored == STATUSES.count(201) and STATUSES.count(503) >= 4  # a 503 stored nothing
    assert "Traceback" not in web.log()
