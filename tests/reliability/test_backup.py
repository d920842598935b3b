"""Backups through the operator's commands (`flask backup`, `flask restore`): SQLite always, PostgreSQL when
a server and pg_dump are there. The restored copy must hold the very same petitions, people, attachments
and audit log."""
from __future__ import annotations

import datetime as dt
import shutil
import threading
import uuid

import pytest
from sqlalchemy import create_engine, text

from service.app import create_app
from service.backup import BackupError, prune, restore, row_counts
from service.cli import run_setup
from service.db import Database, normalise_url
from service.domain.inbound import CITIZEN, AttachmentData, InboundMessage, PersonData
from service.domain.intake import operations as intake
from service.domain.people import accounts, audit
from tests.conftest import TEST_SETTINGS
from tests.helpers import png_bytes

COMPARED = ("petitions", "people", "attachments", "audit_log", "events", "deadlines", "users")


def fill(url: str, n: int = 6) -> None:
    """Petitions with people and a photo each, a staff account and audit lines."""
    database = Database(url)
    try:
        with database.session_scope() as session:
            user = accounts.create_user(session, username=f"vp-{uuid.uuid4().hex[:8]}", password="mat-khau-dai-1", role="staff",
                                        unit="11914", office="van_phong")
            for i in range(n):
                kind = "to_cao" if i % 3 == 0 else "phan_anh"
                submitted = intake.submit(session, InboundMessage(
                    channel="web", unit="11914", kind=kind, consent=True,
                    content=f"Cán bộ thu tiền sai quy định lần {i} tại bộ phận một cửa, đề nghị xem xét.",
                    petitioner=PersonData(name=f"Người gửi số {i}", phone=f"09123456{i:02d}",
                                          address="Thôn 3, đặc khu Cát Hải", id_number=f"0312000000{i:02d}"),
                    attachments=[AttachmentData(f"anh-{i}.png", png_bytes((8 + i, 8)))]), CITIZEN)
                audit.record(session, "view_identity", user=user, object_type="petition",
                             object_id=submitted.petition.code, ip="127.0.0.1")
    finally:
        database.dispose()


def rows(url: str, table: str) -> list[tuple]:
    engine = create_engine(normalise_url(url))
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(f"SELECT * FROM {table} ORDER BY id"))]
    finally:
        engine.dispose()


def cli(url: str, *args: str):
    app = create_app({**TEST_SETTINGS, "DATABASE_URL": url})
    try:
        return app.test_cli_runner().invoke(args=list(args))
    finally:
        app.extensions["db"].dispose()


def assert_identical(source: str, copy: str) -> None:
    assert row_counts(copy) == row_counts(source)
    for table in COMPARED:
        original = rows(source, table)
        assert original, f"nothing to compare in {table}"
        assert rows(copy, table) == original, table


def test_sqlite_backup_and_restore_give_back_the_same_data(tmp_path):
    source = f"sqlite:///{tmp_path / 'live.sqlite3'}"
    run_setup(Database(source))
    fill(source)
    made = cli(source, "backup", "--dir", str(tmp_path / "backups"))
    assert made.exit_code == 0, made.output
    [backup] = list((tmp_path / "backups").glob("tiepdan-*.sqlite3"))
    assert str(backup) in made.output and "Đã sao lưu" in made.output

    fill(source, 1)  # written after the backup: must not be in the restored copy
    target = f"sqlite:///{tmp_path / 'restored' / 'tiepdan.sqlite3'}"
    restored = cli(target, "restore", str(backup))
    assert restored.exit_code == 0, restored.output
    assert "petitions: 6" in restored.output
    assert len(rows(target, "petitions")) == 6 and len(rows(source, "petitions")) == 7
    # The restored database is the source as it was at the backup: compare with a copy of that moment.
    snapshot = f"sqlite:///{tmp_path / 'snapshot.sqlite3'}"
    shutil.copy(backup, tmp_path / "snapshot.sqlite3")
    assert_identical(snapshot, target)
    assert rows(target, "petitions") == rows(source, "petitions")[:6]
    assert rows(target, "attachments") == rows(source, "attachments")[:6]

    # The service runs on the restored file: a petition is found by its code through the API.
    app = create_app({**TEST_SETTINGS, "DATABASE_URL": target})
    code = rows(target, "petitions")[1][1]
    phone = "0912345601"
    answer = app.test_client().get(f"/api/v1/status/{code}?phone={phone}")
    app.extensions["db"].dispose()
    assert answer.status_code == 200 and answer.get_json()["code"] == code


def test_sqlite_backup_is_consistent_while_the_service_writes(tmp_path):
    source = f"sqlite:///{tmp_path / 'busy.sqlite3'}"
    run_setup(Database(source))
    stop = threading.Event()

    def writer():
        while not stop.is_set():
            fill_one(source)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        made = cli(source, "backup", "--dir", str(tmp_path / "b"))
    finally:
        stop.set()
        thread.join(30)
    assert made.exit_code == 0, made.output
    copy = f"sqlite:///{next((tmp_path / 'b').glob('*.sqlite3'))}"
    # Whole petitions only: each one in the copy has its person, attachment and received event.
    counts = row_counts(copy)
    assert counts["petitions"] == counts["people"] == counts["attachments"]


def fill_one(url: str) -> None:
    database = Database(url)
    try:
        with database.session_scope() as session:
            intake.submit(session, InboundMessage(channel="web", unit="11914", kind="phan_anh", consent=True,
                                                  content="Đường ngập nước sau mưa, đề nghị khơi thông cống.",
                                                  petitioner=PersonData(name="Phạm Văn Dũng", phone="0987654321"),
                                                  attachments=[AttachmentData("a.png", png_bytes())]), CITIZEN)
    finally:
        database.dispose()


def test_restore_refuses_a_database_that_has_data(tmp_path):
    source = f"sqlite:///{tmp_path / 'a.sqlite3'}"
    run_setup(Database(source))
    backup = tmp_path / "b.sqlite3"
    shutil.copy(tmp_path / "a.sqlite3", backup)
    with pytest.raises(BackupError, match="đã có dữ liệu"):
        restore(source, backup)
    result = cli(source, "restore", str(backup))
    assert result.exit_code != 0 and "đã có dữ liệu" in result.output


def test_prune_keeps_recent_backups(tmp_path):
    now = dt.datetime(2026, 11, 22, 3, 0, tzinfo=dt.timezone.utc)
    for stamp in ("20261001-030000", "20261121-030000", "20261122-030000"):
        (tmp_path / f"tiepdan-{stamp}.dump").write_bytes(b"x")
    (tmp_path / "notes.txt").write_text("kept")
    removed = prune(tmp_path, 30, now=now)
    assert [p.name for p in removed] == ["tiepdan-20261001-030000.dump"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt", "tiepdan-20261121-030000.dump",
                                                          "tiepdan-20261122-030000.dump"]


@pytest.mark.postgres
def test_postgresql_pg_dump_and_pg_restore_round_trip(service_db, new_pg_database, tmp_path):
    if shutil.which("pg_dump") is None:
        pytest.fail("pg_dump is missing: scripts/install.sh --system installs the PostgreSQL client")
    fill(service_db)
    made = cli(service_db, "backup", "--dir", str(tmp_path))
    assert made.exit_code == 0, made.output
    [dump] = list(tmp_path.glob("tiepdan-*.dump"))
    assert dump.read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format

    target = new_pg_database()
    restored = cli(target, "restore", str(dump))
    assert restored.exit_code == 0, restored.output
    assert "petitions: 6" in restored.output
    assert_identical(service_db, target)
    again = cli(target, "restore", str(dump))
    assert again.exit_code != 0 and "đã có bảng" in again.output
