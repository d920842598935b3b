"""Upgrades keep data: a database made and filled by the release of 2026-11-22 (commit 7c7a0a7: `flask setup`,
`flask demo`, whose petitions went through answers, closures, matters and flags) is upgraded by today's
`flask setup`; every petition, deadline, event, matter and account is still there and readable through the
console and API v1. Runs on SQLite, and on PostgreSQL in CI's PostgreSQL pass."""
from __future__ import annotations

import io
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from service.db import normalise_url
from tests.test_migrations import empty_database_url  # noqa: F401 (fixture)

ROOT = Path(__file__).resolve().parents[1]
RELEASE = "7c7a0a7"  # the release landed at stop 12 (2026-11-22)
DEMO_PASSWORD = "tiepdan-demo-2026"


def _git(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True)


@pytest.fixture
def old_release(tmp_path) -> Path:
    """The release's tree, from this checkout's history."""
    if _git("rev-parse", "--is-shallow-repository").stdout.strip() == b"true":
        pytest.skip("a shallow clone has no history to take the old release from")
    archive = _git("archive", RELEASE)
    assert archive.returncode == 0, f"release {RELEASE} is not in the history: {archive.stderr[-300:]!r}"
    tree = tmp_path / "release"
    tree.mkdir()
    tarfile.open(fileobj=io.BytesIO(archive.stdout)).extractall(tree, filter="data")
    return tree


def _flask(tree: Path, url: str, *args: str) -> str:
    env = dict(os.environ, DATABASE_URL=url, PYTHONPATH=str(tree), SECRET_KEY="upgrade-test-secret-key-0123456789",
               RATELIMIT_ENABLED="false", SCHEDULER_ENABLED="false")
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "service.app", *args], cwd=tree, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"flask {' '.join(args)} in {tree}: {(done.stderr or done.stdout)[-1500:]}"
    return done.stdout


def _snapshot(url: str) -> dict[str, set]:
    queries = {
        "petitions": "SELECT code, kind, status, category, unit_id, channel, content, received_at FROM petitions",
        "deadlines": "SELECT p.code, d.step, d.due_at, d.met_at, d.cancelled_at FROM deadlines d "
                     "JOIN petitions p ON p.id = d.petition_id",
        "events": "SELECT e.id, p.code, e.kind, e.at FROM events e LEFT JOIN petitions p ON p.id = e.petition_id",
        "matters": "SELECT m.id, p.code FROM matters m JOIN petitions p ON p.matter_id = m.id",
        "flags": "SELECT f.code, f.matter_id, f.raised_at, f.cleared_at FROM flags f",
        "people": "SELECT p.code, pe.role, pe.name, pe.phone, pe.email, pe.id_number_hash FROM people pe JOIN petitions p ON p.id = pe.petition_id",
        "accounts": "SELECT u.username, u.role, u.unit_id, u.office_id, u.password_hash FROM users u",
    }
    engine = create_engine(normalise_url(url))
    with engine.connect() as conn:
        snapshot = {name: {tuple(row) for row in conn.execute(text(sql))} for name, sql in queries.items()}
    engine.dispose()
    return snapshot


def test_a_database_of_the_last_release_upgrades_with_nothing_lost(old_release, empty_database_url):  # noqa: F811
    url = empty_database_url
    _flask(old_release, url, "setup")
    _flask(old_release, url, "demo")
    before = _snapshot(url)
    assert len(before["petitions"]) >= 50 and before["deadlines"] and before["events"] and before["matters"]

    _flask(ROOT, url, "setup")
    after = _snapshot(url)
    for table, rows in before.items():
        lost = rows - after[table]
        assert not lost, f"{len(lost)} rows of {table} lost or changed in the upgrade, e.g. {sorted(lost, key=str)[:2]}"

    _flask(ROOT, url, "users", "create", "--username", "upgrade_admin", "--password", "Nang-cap-du-lieu-2026",
           "--role", "admin")
    token = _flask(ROOT, url, "tokens", "create", "--username", "upgrade_admin").strip().splitlines()[-1].strip()
    from service.app import create_app

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "upgrade-test-secret-key-0123456789", "TESTING": True,
                      "RATELIMIT_ENABLED": False, "SCHEDULER_ENABLED": False})
    client = app.test_client()
    for code, kind, status, category, *_ in sorted(before["petitions"]):
        answer = client.get(f"/api/v1/petitions/{code}", headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 200, (code, answer.status_code)
        body = answer.get_json()
        assert (body["kind"], body["status"], body["category"]) == (kind, status, category)
        steps = {d["step"] for d in body["deadlines"]}
        assert steps == {step for c, step, *_ in before["deadlines"] if c == code}
    # The demo accounts made by the old release still sign in to the console with their password.
    login = client.get("/can-bo/dang-nhap")
    token_field = login.get_data(as_text=True).split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    signed_in = client.post("/can-bo/dang-nhap", data={"username": "vanphong.catHai", "password": DEMO_PASSWORD,
                                                         "csrf_token": token_field})
    assert signed_in.status_code == 302, signed_in.get_data(as_text=True)[:500]
    _decisions_backfilled_as_recorded(url)


def _decisions_backfilled_as_recorded(url: str) -> None:
    """Issue #19: the migration fills the petitions' decision columns from the events exactly as
    events.note_decision keeps them for new events."""
    from types import SimpleNamespace

    from sqlalchemy import select

    from service.db import Database
    from service.domain.events import note_decision
    from service.models import Event, Petition

    database = Database(url)
    columns = ("decision", "decision_at", "settled_at", "reopened_at", "first_decided_at", "last_decided_at")
    with database.session_scope() as session:
        decided = 0
        for petition in session.scalars(select(Petition)):
            replay = SimpleNamespace(**{c: None for c in columns})
            for event in session.scalars(select(Event).where(Event.petition_id == petition.id)
                                         .order_by(Event.at, Event.id)):
                note_decision(replay, event.kind, event.at)
            assert {c: getattr(petition, c) for c in columns} == vars(replay), petition.code
            decided += petition.decision is not None
        assert decided
    database.dispose()
