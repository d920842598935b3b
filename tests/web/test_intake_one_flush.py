"""Intake at a city's scale (issue #19 item 1): a petition that opens a new matter is stored in one flush with its
matter, judged for flags in memory, and reads no reference data nor anything it just wrote; the behaviour is
the same (a crowd still raises đông người at once, Luật Tiếp công dân Điều 29)."""
from __future__ import annotations

import json

from sqlalchemy import event, select, update

from service.domain import reference
from service.domain.routing.units import find_unit
from service.models import Event, Flag, Matter, OutboxMessage, Petition, Unit

BODY = {
    "content": "Bãi rác tự phát ở cuối ngõ 12 thôn Đông bốc mùi hôi thối, đề nghị xã cho thu gom.",
    "unit": "11914",
    "petitioner": {"name": "Nguyễn Văn An", "phone": "0912345678", "address": "Số 5 đường Hà Sen"},
}


def post(client, body):
    return client.post("/api/v1/petitions", data=json.dumps(body), content_type="application/json")


class Statements:
    """Every SQL statement the app's database runs while counting (a count, never a timing)."""

    def __init__(self, app, connection):
        # The test's transaction: the app runs on this connection (tests/conftest.py), else on its engine.
        self.engine, self.seen, self.on = connection or app.extensions["db"].engine, [], False
        event.listen(self.engine, "before_cursor_execute", self._seen)

    def _seen(self, _conn, _cursor, statement, *_args):
        if self.on:
            self.seen.append(" ".join(statement.split()))

    def close(self):
        event.remove(self.engine, "before_cursor_execute", self._seen)


def test_a_petition_opening_a_new_matter_is_one_flush_and_at_most_twelve_statements(app, client, session,
                                                                                    db_connection):
    warm = "Khói từ xưởng nhựa phía nam xã gây ô nhiễm không khí, đề nghị kiểm tra."  # the same field, another thing
    assert post(client, {**BODY, "content": warm}).status_code == 201  # the per-process cache is filled
    counter = Statements(app, db_connection)
    counter.on = True
    try:
        answer = post(client, BODY)
    finally:
        counter.close()
    assert answer.status_code == 201, answer.get_json()
    body = answer.get_json()
    petition = session.scalar(select(Petition).where(Petition.code == body["code"]))
    matter = session.get(Matter, petition.matter_id)
    assert matter.petitioner_count == 1 and matter.unit_id == petition.unit_id
    opened = session.scalar(select(Event).where(Event.petition_id == petition.id, Event.kind == "matter_opened"))
    assert opened.matter_id == matter.id
    assert body["lead_office"] and body["deadlines"] and body["unit"] == "11914"
    seen = [s for s in counter.seen if "SAVEPOINT" not in s]  # the test's transaction, not the petition's
    # The matter and the petition go in the same flush: the petition is inserted with its matter_id.
    assert sum(s.startswith("INSERT INTO matters") for s in seen) == 1
    assert not [s for s in seen if s.startswith("UPDATE petitions") or s.startswith("UPDATE matters")]
    # Nothing just written is read back, and the reference data comes from the per-process cache.
    read = " ".join(s for s in seen if s.startswith("SELECT"))
    for table in ("FROM outbox", "FROM units", "FROM offices", "FROM holiday_overrides", "FROM plans",
                  "FROM classifier_models", "FROM catalogue_tasks", "FROM people", "FROM deadlines",
                  "FROM supporters", "FROM matter_suggestions"):
        assert table not in read, table
    # SQLite inserts several rows of a table one statement each; PostgreSQL sends them in one.
    several = len(seen) if session.get_bind().dialect.name == "postgresql" else len(set(seen))
    assert several <= 12, "\n".join(seen)
    receipt = session.scalar(select(OutboxMessage).where(OutboxMessage.petition_id == petition.id))
    assert receipt is not None and petition.code in receipt.text


def test_five_co_signers_opening_a_new_matter_still_raise_dong_nguoi(client, session):
    signers = [{"name": f"Trần Văn {n}", "phone": f"09123450{i:02d}", "address": "Thôn Đông"}
               for i, n in enumerate(("Bình", "Cường", "Dũng", "Hải"), start=1)]
    answer = post(client, {**BODY, "co_signers": signers,
                           "petitioner": {**BODY["petitioner"], "representative": True}})
    assert answer.status_code == 201, answer.get_json()
    petition = session.scalar(select(Petition).where(Petition.code == answer.get_json()["code"]))
    matter = session.get(Matter, petition.matter_id)
    assert matter.petitioner_count == 5
    found = session.scalars(select(Flag).where(Flag.code == "dong_nguoi", Flag.matter_id == matter.id)).all()
    assert {f.petition_id for f in found} == {None, petition.id}  # the matter's flag and the petition's
    assert found[0].explanation["rules"][0] == {"rule": "many_signers", "petition": petition.code, "people": 5}
    assert session.scalar(select(Event.id).where(Event.petition_id == petition.id, Event.kind == "flag_raised"))
    notices = session.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key.like("flag:%"))).all()
    assert notices and all("Trần Văn" not in m.text for m in notices)  # counts and codes, never a name


def test_reference_data_changed_here_shows_at_once_and_from_elsewhere_within_the_ttl(session, monkeypatch):
    unit = find_unit(session, "11914")
    name = unit.name
    unit.name = "Đặc khu Cát Hải (đổi tên)"
    session.flush()  # a change this process makes clears the cache at once
    session.expunge_all()
    assert find_unit(session, "11914").name == "Đặc khu Cát Hải (đổi tên)"
    # Another process's change (a statement the ORM does not see) is read again after the TTL.
    session.execute(update(Unit).where(Unit.code == "11914").values(name=name))
    session.expunge_all()
    assert find_unit(session, "11914").name == "Đặc khu Cát Hải (đổi tên)"
    monkeypatch.setattr(reference, "TTL", 0.0)
    session.expunge_all()
    assert find_unit(session, "11914").name == name
