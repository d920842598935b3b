"""Dialogue sessions: the notice rule, registrations, the briefing (checked against the database, in its DOCX),
minutes, commitments and their reminders."""
from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from docx import Document
from sqlalchemy import func, select

from service.domain.deadlines.calendar import VN_TZ
from service.domain.dialogues import briefing as briefings
from service.domain.dialogues import commitments
from service.domain.dialogues import operations as dialogue
from service.domain.dialogues import speakers
from service.domain.documents.administrative import build_docx, date_line, docx_text
from service.domain.documents.dialogue import briefing_document, conclusion_document
from service.domain.errors import Conflict, Forbidden, ValidationFailed
from service.domain.inbound import Actor
from service.domain.people.access import HIDDEN_DENOUNCER
from service.domain.routing.units import find_unit, office_of
from service.domain.workflow import operations as workflow
from service.models import (
    Commitment,
    Deadline,
    DialogueRegistration,
    DialogueSession,
    Event,
    Flag,
    OutboxMessage,
    Petition,
)
from tests.factories import builder

UNIT = "11737"  # Phường Nam Đồ Sơn
NOW = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.timezone.utc)  # 09:00 in Hải Phòng
STAFF = Actor(label="Cán bộ Văn phòng", user_id=None, role="staff")
DENOUNCER = "Lê Văn Tố"
DENOUNCER_PHONE = "0987000111"
OPEN = ("received", "classified", "accepted", "in_progress")


petition = builder(unit=UNIT, name="Nguyễn Thị Hoa", phone="0912000001", address="Số 5 Vạn Hương", consent=True,
                   now=NOW, days_ago=1)


def known_data(session) -> dict:
    """Six petitions of Nam Đồ Sơn: one overdue, one đông người, one second-round complaint, one denunciation,
    one answered; an earlier session with three commitments (open late, open, done)."""
    p = {
        "road": petition(session, "Đường bê tông ở tổ 3 khu phố Vạn Hương bị sụt lún, xe máy đi lại rất nguy hiểm.",
                         kind="phan_anh", category="ha_tang_giao_thong", days_ago=60,
                         place="Tổ 3, khu phố Vạn Hương", phone="0912000002"),
        "smell": petition(session, "Bãi rác tạm gần chợ Vạn Hương bốc mùi hôi, đề nghị phường di dời.",
                          kind="kien_nghi", category="moi_truong", days_ago=2, place="Khu phố Vạn Hương",
                          phone="0912000003"),
        "land": petition(session, "Tôi khiếu nại lần hai quyết định giải quyết khiếu nại về giá bồi thường đất "
                                  "của gia đình tại dự án mở rộng đường ven biển.", kind="khieu_nai",
                         category="dat_dai", round=2, days_ago=1, place="Thôn Đồng Tiến", phone="0912000004"),
        "crowd": petition(session, "Chúng tôi sáu hộ dân phản ánh xưởng gỗ hoạt động ban đêm gây tiếng ồn và bụi.",
                          kind="phan_anh", category="moi_truong", co_signers=6, days_ago=3, phone="0912000005"),
        "denounce": petition(session, "Tố cáo cán bộ địa chính phường nhận tiền khi làm hồ sơ cấp giấy chứng nhận.",
                             kind="to_cao", category="can_bo_cong_vu", days_ago=4, name=DENOUNCER,
                             phone=DENOUNCER_PHONE, place="Tổ dân phố 7"),
        "answered": petition(session, "Đèn chiếu sáng ngõ 12 phố Lý Thánh Tông bị hỏng.", kind="phan_anh",
                             category="ha_tang_giao_thong", days_ago=20, phone="0912000006"),
    }
    workflow.perform(session, p["answered"], "answer", STAFF, at=NOW - dt.timedelta(days=10),
                     text="Phường đã thay bóng đèn ngày 10/11/2026.")
    unit = find_unit(session, UNIT)
    earlier = DialogueSession(unit_id=unit.id, starts_at=NOW - dt.timedelta(days=40), place="Hội trường phường",
                              status="closed", participants=[], topics=["Môi trường"], briefing={})
    session.add(earlier)
    session.flush()
    kinh_te = office_of(session, unit, "phong_kinh_te")
    for text, due_days, status in (("Nạo vét mương thoát nước khu phố Vạn Hương", -5, "open"),
                                   ("Lắp biển cấm xe tải ngõ 12", 20, "open"),
                                   ("Thu dọn rác bãi biển", -15, "done")):
        session.add(Commitment(session_id=earlier.id, text=text, office_id=kinh_te.id, status=status,
                               due_at=NOW + dt.timedelta(days=due_days), petition_ids=[p["road"].id]))
    session.commit()
    return p


def new_session(session, days_ahead=10, **kw) -> DialogueSession:
    values = {"unit": UNIT, "starts_at": NOW + dt.timedelta(days=days_ahead), "place": "Hội trường UBND phường",
              "topics": ["Ô nhiễm môi trường", "Bồi thường đất đai"], "chair": "Phạm Văn Chủ",
              "participants": ["phong_kinh_te"], **kw}
    return dialogue.create_session(session, STAFF, now=NOW, **values)


# --- sessions and the notice -------------------------------------------------------------------------

def test_create_session_validates_and_invites_the_front_and_offices(session):
    with pytest.raises(ValidationFailed) as err:
        dialogue.create_session(session, STAFF, unit="không có", starts_at=NOW - dt.timedelta(days=1), place=" ",
                                topics=[], now=NOW)
    assert set(err.value.fields) == {"unit", "date", "place", "topics"}
    ds = new_session(session)
    assert ds.status == "planned" and ds.participants[0].startswith("Ủy ban Mặt trận Tổ quốc Việt Nam")
    assert "Phòng Kinh tế" in ds.participants  # an office code becomes the office's name


def test_announcing_less_than_seven_days_before_is_refused(session):
    ds = new_session(session, days_ahead=6)
    with pytest.raises(Conflict) as err:
        dialogue.announce(session, ds, STAFF, now=NOW)
    assert "ít nhất 7 ngày" in err.value.message and err.value.code == "notice_too_late"
    assert ds.status == "planned" and ds.notice_published_at is None


def test_announce_publishes_and_queues_the_notice_to_subscribers_of_the_unit_once(session):
    unit, other = find_unit(session, UNIT), find_unit(session, "11341")
    assert speakers.subscribe(session, "telegram", "111", unit) is True
    assert speakers.subscribe(session, "telegram", "111", unit) is False  # already subscribed
    speakers.subscribe(session, "zalo", "z-2", unit)
    speakers.subscribe(session, "telegram", "999", other)
    ds = new_session(session, days_ahead=8)
    assert dialogue.announce(session, ds, STAFF, now=NOW) == 2
    sent = session.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key.like(f"dialogue:{ds.id}:notice:%"))).all()
    assert {(m.channel, m.recipient) for m in sent} == {("telegram", "111"), ("zalo", "z-2")}
    assert "Hội trường UBND phường" in sent[0].text and "09:00 ngày 28/11/2026" in sent[0].text
    invited = office_of(session, unit, "phong_kinh_te")
    assert session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.recipient == f"office:{invited.id}")) == 1
    assert ds.status == "announced" and dialogue.is_public(ds)
    with pytest.raises(Conflict):
        dialogue.announce(session, ds, STAFF, now=NOW)  # announced once


def test_only_chairperson_and_van_phong_manage(session):
    from service.domain.people import accounts

    unit = find_unit(session, UNIT)
    users = {role: accounts.create_user(session, username=f"u-{role}-{office}", password="mat-khau-dai-1", role=role,
                                        unit=UNIT, office=office)
             for role, office in (("chairperson", None), ("staff", "van_phong"), ("staff", "phong_kinh_te"),
                                  ("office_head", "van_phong"))}
    assert dialogue.can_manage(users["chairperson"], unit.id) and dialogue.can_manage(users["office_head"], unit.id)
    assert not dialogue.can_manage(users["staff"], unit.id)  # the last staff user is of phong_kinh_te
    with pytest.raises(Forbidden):
        new_session(session, user=users["staff"])
    assert not dialogue.can_manage(users["chairperson"], find_unit(session, "11341").id)


# --- registrations ----------------------------------------------------------------------------------

def test_register_validates_links_own_petition_only_and_never_duplicates(session):
    p = known_data(session)
    ds = new_session(session)
    with pytest.raises(Conflict):  # not announced yet
        speakers.register(session, ds, name="A", phone="0912345678", question="?", now=NOW)
    dialogue.announce(session, ds, STAFF, now=NOW)
    with pytest.raises(ValidationFailed) as err:
        speakers.register(session, ds, name="", phone="123", question="", now=NOW)
    assert set(err.value.fields) == {"name", "phone", "question"}
    with pytest.raises(ValidationFailed) as err:
        speakers.register(session, ds, name="Kẻ lạ", phone="0933333333", question="Hỏi", now=NOW,
                          petition_code=p["denounce"].code)
    assert "petition_code" in err.value.fields  # someone else's petition cannot be linked
    first, created = speakers.register(session, ds, name="Trần Văn Bình", phone="+84 912 000 002",
                                       question="Bao giờ sửa đường?", petition_code=p["road"].code.lower(), now=NOW)
    again, created_again = speakers.register(session, ds, name="Trần Văn Bình", phone="0912000002",
                                             question="Bao giờ sửa đường?", now=NOW)  # an identical retry
    assert created and not created_again and again.id == first.id
    # Issue #14: another question under the same phone (any spelling) is refused and changes nothing.
    with pytest.raises(Conflict):
        speakers.register(session, ds, name="Kẻ lạ", phone="0912 000 002", question="Câu hỏi khác", now=NOW)
    chat, _ = speakers.register(session, ds, name="Lê Văn Chat", phone="0912000009", question="Hỏi 1", now=NOW,
                                channel="telegram", chat_user_id="777")
    updated, _ = speakers.register(session, ds, name="Lê Văn Chat", phone="0912000009", question="Hỏi 2", now=NOW,
                                   channel="telegram", chat_user_id="777")  # its own chat user may update it
    assert updated.id == chat.id and updated.question == "Hỏi 2"
    assert again.question == "Bao giờ sửa đường?" and again.name == "Trần Văn Bình" and again.petition_id == p["road"].id
    assert session.scalar(select(func.count()).select_from(DialogueRegistration)) == 2


# --- the briefing: every count and every flagged matter against the database --------------------------

def _db_counts(session, unit_id):
    open_ = dict(session.execute(select(Petition.category, func.count()).where(
        Petition.unit_id == unit_id, Petition.status.in_(OPEN)).group_by(Petition.category)).all())
    overdue = session.scalar(select(func.count(func.distinct(Petition.id))).join(Deadline).where(
        Petition.unit_id == unit_id, Petition.status.in_(OPEN), Deadline.met_at.is_(None),
        Deadline.cancelled_at.is_(None), Deadline.due_at < NOW))
    flagged = session.execute(select(Flag.code, Flag.matter_id, Flag.petition_id).where(
        Flag.code.in_(("dong_nguoi", "phuc_tap_keo_dai")), Flag.cleared_at.is_(None))).all()
    groups: dict[str, set[str]] = {}
    for code, matter_id, petition_id in flagged:
        key = f"matter:{matter_id}" if matter_id else f"petition:{petition_id}"
        groups.setdefault(key, set()).add(code)
    return open_, overdue, groups


def test_briefing_docx_matches_the_database_and_hides_the_denouncer(session):
    p = known_data(session)
    ds = new_session(session)
    dialogue.announce(session, ds, STAFF, now=NOW)
    speakers.register(session, ds, name=DENOUNCER, phone=DENOUNCER_PHONE, question="Cán bộ đó đã bị xử lý chưa?",
                      petition_code=p["denounce"].code, now=NOW)
    speakers.register(session, ds, name="Trần Thị Hoa", phone="0912000003", question="Khi nào di dời bãi rác?",
                      now=NOW)
    unit = find_unit(session, UNIT)
    open_by_category, overdue, groups = _db_counts(session, unit.id)
    b = briefings.refresh_briefing(session, ds, NOW)
    c = b["counts"]
    assert c["open"] == sum(open_by_category.values()) == 5  # the answered petition is not open
    assert {x["code"]: x["count"] for x in b["open"]["by_category"]} == open_by_category
    assert c["overdue_petitions"] == overdue == 1
    assert {f["key"]: set(f["flags"]) for f in b["flagged"]} == groups
    assert c["dong_nguoi"] == 1 and c["phuc_tap_keo_dai"] == 1
    assert c["open_commitments"] == 2 and c["overdue_commitments"] == 1 and c["speakers"] == 2
    assert {x["place"]: x["count"] for x in b["open"]["by_place"]} == {
        "Khu phố Vạn Hương": 2, "Thôn Đồng Tiến": 1, "Tổ dân phố 7": 1, briefings.NO_PLACE: 1}

    data = build_docx(briefing_document(session, ds, NOW))
    text = docx_text(data)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Độc lập - Tự do - Hạnh phúc" in text
    # The place line names the issuing unit itself, not the city (NĐ 30/2020 Phụ lục I mục II.5).
    assert date_line("Nam Đồ Sơn", dt.date(2026, 11, 20)) in text and "Nơi nhận:" in text and "/BC-VP" in text
    assert "Hải Phòng, ngày" not in text
    assert f"Tổng số đơn đang giải quyết: {c['open']} đơn." in text
    assert f"Tổng số đơn quá hạn: {overdue} đơn." in text
    tables = Document(io.BytesIO(data)).tables
    by_category = next(t for t in tables if t.rows[0].cells[1].text == "Lĩnh vực")
    from service.domain.codes import category_label
    assert {r.cells[1].text: int(r.cells[2].text) for r in by_category.rows[1:]} == \
        {category_label(k): v for k, v in open_by_category.items()}
    for f in b["flagged"]:
        assert f["title"] in text
        for row in f["petitions"]:
            assert row["code"] in text
    assert len(re.findall(r"^\d+\. (Vụ việc #\d+|Đơn [A-Z0-9-]+).* — ", text, re.M)) == len(groups)
    assert "Nạo vét mương thoát nước khu phố Vạn Hương" in text and "Lắp biển cấm xe tải ngõ 12" in text
    assert "Thu dọn rác bãi biển" not in text  # done commitments are not listed
    assert "Quá hạn" in text and "Khi nào di dời bãi rác?" in text
    assert DENOUNCER not in text and HIDDEN_DENOUNCER in text
    assert "nhận tiền" not in text  # a denunciation's content never reaches the document


def test_staff_edits_survive_a_recompile(session):
    known_data(session)
    ds = new_session(session)
    briefings.edit_briefing(session, ds, intro="Mở đầu do Văn phòng viết.", notes={"flagged": "Lưu ý vụ xưởng gỗ.",
                                                                                     "unknown": "x"})
    petition(session, "Cống thoát nước ngõ 40 tắc nghẽn.", kind="phan_anh", category="ha_tang_giao_thong",
             phone="0912000009")
    b = briefings.refresh_briefing(session, ds, NOW)
    assert b["intro"] == "Mở đầu do Văn phòng viết." and b["notes"] == {"flagged": "Lưu ý vụ xưởng gỗ."}
    assert b["counts"]["open"] == 6
    text = docx_text(build_docx(briefing_document(session, ds, NOW)))
    assert "Mở đầu do Văn phòng viết." in text and "Lưu ý vụ xưởng gỗ." in text


# --- minutes, commitments, conclusion -----------------------------------------------------------------

def test_minutes_commitments_tell_citizens_and_conclusion_docx(session):
    p = known_data(session)
    ds = new_session(session)
    with pytest.raises(Conflict):
        dialogue.record_speech(session, ds, title="Chưa thông báo")
    dialogue.announce(session, ds, STAFF, now=NOW)
    reg, _ = speakers.register(session, ds, name=DENOUNCER, phone=DENOUNCER_PHONE, question="Xử lý chưa?",
                               petition_code=p["denounce"].code, now=NOW)
    item = dialogue.record_speech(session, ds, title="Hỏi về việc xử lý cán bộ", registration_id=reg.id,
                                  answer="Đang xác minh, sẽ trả lời bằng văn bản.", office="van_phong")
    assert item.petition_id == p["denounce"].id and dialogue.agenda_speaker(session, item) == HIDDEN_DENOUNCER
    dialogue.record_speech(session, ds, title="Đường tổ 3 sụt lún", speaker="Ông Trần Văn Bình",
                           petition_code=p["road"].code, answer="Phòng Kinh tế khảo sát trong tuần.")
    with pytest.raises(ValidationFailed) as err:
        commitments.add_commitment(session, ds, STAFF, text="", office="cong_an_tp", due="31/02/2026", now=NOW)
    assert set(err.value.fields) == {"text", "office", "due"}
    c = commitments.add_commitment(session, ds, STAFF, text="Sửa đường bê tông tổ 3.", office="phong_kinh_te",
                                   due="15/12/2026", petition_codes=f"{p['road'].code}, {p['smell'].code}", now=NOW)
    assert c.due_at.astimezone(VN_TZ).date() == dt.date(2026, 12, 15) and len(c.petition_ids) == 2
    told = session.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key.like(f"commitment:{c.id}:made:%"))).all()
    assert {m.petition_id for m in told} == {p["road"].id, p["smell"].id}
    assert all("Sửa đường bê tông tổ 3." in m.text and "15/12/2026" in m.text for m in told)
    assert session.scalar(select(func.count()).select_from(Event).where(Event.kind == "commitment_made")) == 2
    with pytest.raises(Conflict):
        dialogue.close(session, ds, STAFF, now=NOW)  # not held, and no conclusion yet
    dialogue.mark_held(session, ds, STAFF, now=ds.starts_at + dt.timedelta(hours=3))
    dialogue.save_minutes(session, ds, minutes="Có 40 người dự.", conclusion="Giao Phòng Kinh tế sửa đường.\n"
                                                                          "Văn phòng theo dõi.")
    told = dialogue.close(session, ds, STAFF, now=ds.starts_at + dt.timedelta(days=1))
    assert told == 1 and ds.status == "closed"
    text = docx_text(build_docx(conclusion_document(session, ds, NOW)))
    assert "THÔNG BÁO" in text and "/TB-UBND" in text and "TM. ỦY BAN NHÂN DÂN" in text and "Phạm Văn Chủ" in text
    assert "Sửa đường bê tông tổ 3." in text and "15/12/2026" in text and "Giao Phòng Kinh tế sửa đường." in text
    assert HIDDEN_DENOUNCER in text and DENOUNCER not in text and "Ông Trần Văn Bình" in text
    with pytest.raises(Conflict):
        commitments.add_commitment(session, ds, STAFF, text="Sau khi kết thúc", office="van_phong",
                                   due="20/12/2026", now=NOW)


def test_commitment_reminders_and_overdue_flag_once_then_done(session):
    p = known_data(session)
    ds = new_session(session)
    dialogue.announce(session, ds, STAFF, now=NOW)
    c = commitments.add_commitment(session, ds, STAFF, text="Di dời bãi rác tạm.", office="phong_kinh_te",
                                   due="05/12/2026", petition_codes=[p["smell"].code], now=NOW)
    # Far from its deadline: no reminder; the late one of the earlier session is flagged.
    assert commitments.remind_commitments(session, NOW) == {"reminded": 0, "overdue": 1}
    soon = dt.datetime(2026, 12, 3, 1, tzinfo=dt.timezone.utc)
    assert commitments.remind_commitments(session, soon) == {"reminded": 1, "overdue": 0}
    assert commitments.remind_commitments(session, soon) == {"reminded": 0, "overdue": 0}
    late = dt.datetime(2026, 12, 6, 1, tzinfo=dt.timezone.utc)
    assert commitments.remind_commitments(session, late)["overdue"] == 1 and commitments.is_overdue(c, late)
    assert c.overdue_flagged_at == late
    keys = session.scalars(select(OutboxMessage.dedupe_key).where(
        OutboxMessage.dedupe_key.like(f"commitment:{c.id}:overdue%"))).all()
    assert len(keys) == 2  # the office and Văn phòng (no chairperson account here)
    commitments.complete_commitment(session, c, STAFF, "Đã di dời ngày 06/12/2026.", now=late)
    assert c.status == "done" and not commitments.is_overdue(c, late)
    assert session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.dedupe_key == f"commitment:{c.id}:met:petition:{p['smell'].id}")) == 1
    with pytest.raises(Conflict):
        commitments.cancel_commitment(session, c, STAFF, "muộn")


def test_speakers_are_reminded_the_day_before_once(session):
    ds = new_session(session)
    dialogue.announce(session, ds, STAFF, now=NOW)
    speakers.register(session, ds, name="Bùi Văn Nam", phone="0912000007", question="Hỏi về học phí",
                      channel="telegram", chat_user_id="555", now=NOW)
    assert commitments.remind_speakers(session, NOW) == 0
    eve = ds.starts_at - dt.timedelta(hours=20)
    assert commitments.remind_speakers(session, eve) == 1 and commitments.remind_speakers(session, eve) == 0
    message = session.scalar(select(OutboxMessage).where(OutboxMessage.dedupe_key.like("dialogue:%:reminder:%")))
    assert (message.channel, message.recipient) == ("telegram", "555") and "Nhắc lịch" in message.text


def test_date_line_follows_decree_30():
    assert date_line("Hải Phòng", dt.date(2026, 2, 5)) == "Hải Phòng, ngày 05 tháng 02 năm 2026"
    assert date_line("Hải Phòng", dt.date(2026, 11, 20)) == "Hải Phòng, ngày 20 tháng 11 năm 2026"


def test_the_scheduled_job_flags_overdue_commitments_once(database, session):
    from service.jobs.schedule import JOBS, run_job

    known_data(session)  # the earlier session left one commitment past its deadline
    [job] = [j for j in JOBS if j.id == "dialogue-reminders"]
    first = job.func(database)  # on the real clock: at least that one is late
    assert first["overdue"] >= 1 and first["speakers"] == 0
    assert run_job(database, job, "test-holder") is True
    assert job.func(database) == {"reminded": 0, "overdue": 0, "speakers": 0}  # nothing twice
    session.expire_all()
    late = session.scalars(select(Commitment.text).where(Commitment.overdue_flagged_at.is_not(None))).all()
    assert "Nạo vét mương thoát nước khu phố Vạn Hương" in late and "Thu dọn rác bãi biển" not in late
    assert session.scalar(select(func.count()).select_from(Event).where(Event.kind == "commitment_overdue")) == \
        first["overdue"]
