"""Issue 20: a session under 7 days ahead is warned of at once; sessions edited, postponed and cancelled with
the registered (and subscribed) told through the outbox; the briefing rebuilt on request with every version kept;
the briefing's matter titles neutral or staff-given, never the citizen's raw words; the place line names the unit."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from service.domain.dialogues import briefing as briefings
from service.domain.dialogues import changes
from service.domain.dialogues import operations as dialogue
from service.domain.dialogues import speakers
from service.domain.documents.administrative import build_docx, docx_text, place_name
from service.domain.documents.dialogue import briefing_document
from service.domain.errors import Conflict, ValidationFailed
from service.models import DialogueBriefingVersion, Matter, OutboxMessage
from tests.domain.test_dialogue import NOW, STAFF, UNIT, known_data


def planned(session, days: float = 12) -> object:
    return dialogue.create_session(session, STAFF, unit=UNIT, starts_at=NOW + dt.timedelta(days=days),
                                   place="Hội trường phường", topics=["Môi trường"], now=NOW)


def announced_with_speakers(session):
    ds = planned(session)
    dialogue.announce(session, ds, STAFF, now=NOW)
    speakers.register(session, ds, name="Trần Thị Hoa", phone="0912000003", question="Khi nào di dời bãi rác?",
                      now=NOW)
    speakers.register(session, ds, name="Vũ Văn Nam", phone="0912000009", question="Đèn đường?", channel="telegram",
                      chat_user_id="777", now=NOW)
    return ds


def sent_to(session, key_part: str) -> list[OutboxMessage]:
    return list(session.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key.contains(key_part))
                                .order_by(OutboxMessage.id)))


def test_a_session_under_7_days_ahead_is_warned_of_at_creation(session):
    soon = planned(session, days=3)
    assert "còn chưa đến 7 ngày" in changes.notice_warning(soon, NOW)
    assert "dời ngày" in changes.notice_warning(soon, NOW)
    assert changes.notice_warning(planned(session, days=8), NOW) is None
    with pytest.raises(Conflict):
        dialogue.announce(session, soon, STAFF, now=NOW)


def test_postponing_tells_the_registered_and_keeps_seven_days_notice(session):
    ds = announced_with_speakers(session)
    with pytest.raises(ValidationFailed) as refused:  # announced: the new date needs 7 days' notice too
        changes.postpone(session, ds, STAFF, date=NOW + dt.timedelta(days=4), now=NOW)
    assert "ít nhất 7 ngày" in refused.value.fields["date"][0]
    told = changes.postpone(session, ds, STAFF, date="15/12/2026", time="14:00", reason="Trùng lịch họp HĐND",
                            now=NOW)
    assert told == 2
    messages = sent_to(session, f"dialogue:{ds.id}:postponed")
    assert {m.channel for m in messages} == {"sms", "telegram"}
    assert all("14:00 ngày 15/12/2026" in m.text and "Trùng lịch họp HĐND" in m.text for m in messages)
    assert ds.history[-1]["what"] == "postponed" and ds.history[-1]["reason"] == "Trùng lịch họp HĐND"


def test_editing_the_place_tells_them_and_cancelling_ends_the_session(session):
    ds = announced_with_speakers(session)
    assert changes.edit_session(session, ds, STAFF, place="Nhà văn hóa khu phố Vạn Hương",
                                topics=["Môi trường", "Đất đai"], now=NOW) == 2
    assert all("Nhà văn hóa khu phố Vạn Hương" in m.text for m in sent_to(session, f"dialogue:{ds.id}:edited"))
    with pytest.raises(ValidationFailed):
        changes.cancel(session, ds, STAFF, reason="", now=NOW)  # a reason is required
    assert changes.cancel(session, ds, STAFF, reason="Bão số 9 đổ bộ.", now=NOW) == 2
    assert ds.status == "cancelled" and ds.cancelled_at == NOW and dialogue.STATUSES[ds.status] == "Đã hủy"
    assert all("hủy hội nghị" in m.text and "Bão số 9" in m.text for m in sent_to(session, f"dialogue:{ds.id}:cancelled"))
    with pytest.raises(Conflict):
        changes.postpone(session, ds, STAFF, date=NOW + dt.timedelta(days=20), now=NOW)
    assert ds not in dialogue.upcoming(session, ds.unit_id, NOW)


def test_the_briefing_is_rebuilt_when_asked_and_every_version_is_kept(session):
    known_data(session)
    ds = planned(session)
    dialogue.announce(session, ds, STAFF, now=NOW)
    first = briefings.current_briefing(session, ds, NOW)
    assert first["version"] == 1 and first["counts"]["speakers"] == 0
    speakers.register(session, ds, name="Trần Thị Hoa", phone="0912000003", question="Bãi rác?", now=NOW)
    assert briefings.changed_since(session, ds) == ["1 công dân đăng ký phát biểu (tài liệu ghi 0)"]
    later = NOW + dt.timedelta(hours=2)
    second = briefings.refresh_briefing(session, ds, later)
    assert second["version"] == 2 and second["counts"]["speakers"] == 1
    assert [(v.number, v.briefing["counts"]["speakers"]) for v in briefings.versions(session, ds)] == [(2, 1), (1, 0)]
    assert session.scalar(select(DialogueBriefingVersion).where(DialogueBriefingVersion.number == 1)).compiled_at == NOW
    assert briefings.changed_since(session, ds) == []


def test_matter_titles_in_the_briefing_are_neutral_unless_staff_named_them(session):
    p = known_data(session)
    crowd = p["crowd"]
    matter = session.get(Matter, crowd.matter_id)
    matter.title = "chúng tôi sáu hộ dân phản ánh xưởng gỗ ko ai xử lý"  # the citizen's words
    session.flush()
    b = briefings.refresh_briefing(session, planned(session), NOW)
    [group] = [f for f in b["flagged"] if f["key"] == f"matter:{matter.id}"]
    assert "ko ai" not in group["title"] and group["title"].startswith(f"Vụ việc #{matter.id}: Môi trường")
    from service.domain.events import record
    record(session, crowd, "matter_renamed", STAFF, matter_id=matter.id, data={"title": "Xưởng gỗ gây ồn ban đêm"})
    matter.title = "Xưởng gỗ gây ồn ban đêm"
    b = briefings.refresh_briefing(session, planned(session), NOW)
    [group] = [f for f in b["flagged"] if f["key"] == f"matter:{matter.id}"]
    assert group["title"] == f"Vụ việc #{matter.id}: Xưởng gỗ gây ồn ban đêm"


@pytest.mark.parametrize("unit, place", [("Xã Kim Thành", "Kim Thành"), ("Đặc khu Cát Hải", "Cát Hải"),
                                         ("Phường Nam Đồ Sơn", "Nam Đồ Sơn"), ("Thành phố Hải Phòng", "Hải Phòng")])
def test_the_place_line_names_the_issuing_unit(unit, place):
    assert place_name(unit) == place


def test_the_briefing_document_dates_from_the_ward_itself(session):
    known_data(session)
    ds = planned(session)
    text = docx_text(build_docx(briefing_document(session, ds, NOW)))
    assert "Nam Đồ Sơn, ngày 20 tháng 11 năm 2026" in text and "Hải Phòng, ngày" not in text
