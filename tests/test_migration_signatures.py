"""Migration e19sig000001 rebuilds the compact candidate index from the profiles the matter events keep."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import text

from service import migrate
from service.cli import run_setup
from service.db import Database
from service.domain.inbound import CITIZEN, InboundMessage, PersonData
from service.domain.intake import operations as intake
from service.domain.matters import index
from tests.test_migrations import empty_database_url  # noqa: F401 (the fixture)


def _rows(database: Database) -> dict[int, set[int]]:
    with database.engine.connect() as conn:
        out: dict[int, set[int]] = {}
        for bucket, pid in conn.execute(text("SELECT bucket, petition_id FROM petition_signatures")):
            out.setdefault(pid, set()).add(bucket)
        return out


def test_the_index_is_rebuilt_from_the_matter_events_for_the_periods_still_probed(empty_database_url):  # noqa: F811
    database = Database(empty_database_url)
    run_setup(database)
    now = dt.datetime.now(dt.timezone.utc)
    texts = ["Ngõ 193 Văn Cao ngập sâu mỗi khi mưa, cống thoát nước bị tắc, đề nghị nạo vét.",
             "ngo 193 van cao ngap nang, cong tac, nuoc vao nha",
             "Quán karaoke ở thôn Phương Mỹ hát to đến 2 giờ sáng."]
    with database.session_scope() as s:
        ids = []
        for k, (content, days) in enumerate(zip(texts, (3, 1, 400))):
            msg = InboundMessage(channel="web", content=content, unit="11341", consent=True,
                                 petitioner=PersonData(name=f"Nguyễn Văn {'ABC'[k]}", phone=f"091234567{k}"))
            ids.append(intake.submit(s, msg, CITIZEN, now=now - dt.timedelta(days=days)).petition.id)
    stored = _rows(database)
    assert set(stored) == set(ids) and all(1 <= len(v) <= index.STORED + 3 for v in stored.values())

    migrate.downgrade(empty_database_url, "e19spd000001")  # the MinHash band table, empty
    migrate.upgrade(empty_database_url)
    rebuilt = _rows(database)
    assert rebuilt == {pid: stored[pid] for pid in ids[:2]}  # a 400-day-old petition is never probed again
    database.dispose()
