"""The workflow: one table of moves per kind, deadlines stamped and met, notices and events."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from service.domain.codes import KINDS, STATUSES
from service.domain.deadlines.calendar import VN_TZ
from service.domain.errors import Conflict, ValidationFailed
from service.domain.inbound import Actor
from service.domain.workflow import operations as workflow
from service.models.event import Event
from service.models.flag import Flag
from service.models.outbox import OutboxMessage
from service.models.reply import Reply
from tests.factories import builder

REMOTE_UNIT = "11914"  # Đặc khu Cát Hải: remote by default
MAINLAND_UNIT = "11737"  # Phường Nam Đồ Sơn
STAFF = Actor(label="Cán bộ Văn phòng", role="staff")


def at(y, m, d, h=9):
    return dt.datetime(y, m, d, h, tzinfo=VN_TZ)


make = builder(content="Đề nghị xem xét việc bồi thường khi thu hồi đất của gia đình tôi.", unit=MAINLAND_UNIT,
               kind="khieu_nai", category="dat_dai", now=at(2026, 3, 2), commit=True)


def act(session, petition, action, when, **params):
    workflow.perform(session, petition, action, STAFF, at=when, **params)
    session.flush()
    return petition


def deadline(petition, step):
    [d] = [d for d in petition.deadlines if d.step == step and d.cancelled_at is None]
    return d


def due_date(petition, step):
    return deadline(petition, step).due_at.astimezone(VN_TZ).date()


def outbox(session):
    """The notices of the actions, without the receipt every petition is sent when it arrives."""
    return [m for m in session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
            if m.payload.get("reply_kind") != "received"]


def test_states_are_the_status_codes():
    assert {s.value for s in workflow.Status} == set(STATUSES)
    assert set(workflow.ACTIONS) >= {"classify", "accept", "return", "guide", "transfer", "extend", "mark_complex",
                                     "answer", "close", "reopen", "withdraw"}
    for move in workflow.TRANSITIONS:
        assert move.action in workflow.ACTIONS and move.kinds <= set(KINDS)


def test_accepting_a_complaint_meets_receipt_steps_and_stamps_resolution(session):
    p = make(session)
    act(session, p, "accept", at(2026, 3, 3))
    assert p.status == "accepted"
    assert deadline(p, "thu_ly").met_at == at(2026, 3, 3) and deadline(p, "xu_ly_don").met_at is not None
    assert due_date(p, "giai_quyet") == dt.date(2026, 4, 2)  # 30 days from 3/3
    assert "Điều 28" in deadline(p, "giai_quyet").rule


def test_remote_unit_gets_the_longer_period_and_complex_longer_still(session):
    p = make(session, unit=REMOTE_UNIT)
    act(session, p, "accept", at(2026, 3, 2, 15))
    assert due_date(p, "giai_quyet") == dt.date(2026, 4, 16)  # remote: 45 days
    act(session, p, "mark_complex", at(2026, 3, 5), reason="Cần xác minh ở nhiều nơi", criteria=["a"])
    assert due_date(p, "giai_quyet") == dt.date(2026, 5, 4)  # remote and complex: 60 days
    assert p.complex and p.status == "accepted"


def test_second_round_complaint_uses_article_37(session):
    p = make(session, round=2)
    act(session, p, "accept", at(2026, 3, 2, 15))
    assert due_date(p, "giai_quyet") == dt.date(2026, 4, 16)  # 45 days
    assert "Điều 37" in deadline(p, "giai_quyet").rule


def test_an_old_complaint_keeps_the_rules_of_its_receipt_date(session):
    old = make(session, now=at(2026, 6, 30))
    new = make(session, now=at(2026, 7, 1))
    assert due_date(old, "thu_ly") == dt.date(2026, 7, 14) and due_date(new, "thu_ly") == dt.date(2026, 7, 10)


def test_answering_before_acceptance_is_a_conflict(session):
    p = make(session)
    with pytest.raises(Conflict) as err:
        act(session, p, "answer", at(2026, 3, 3), text="Trả lời. Cán bộ xã đã kiểm tra hiện trường và khắc phục xong trong ngày.")
    assert "trạng thái" in err.value.message and "status" in err.value.message_en


def test_a_complaint_is_guided_never_transferred(session):
    p = make(session)
    assert not workflow.can(p, "transfer")
    with pytest.raises(Conflict) as err:
        act(session, p, "transfer", at(2026, 3, 3), to_body="UBND thành phố")
    assert "hướng dẫn" in err.value.message and "guided" in err.value.message_en


@pytest.mark.parametrize("kind, status, action, allowed", [
    ("to_cao", "classified", "transfer", True), ("phan_anh", "classified", "transfer", True),
    ("khieu_nai", "classified", "transfer", False), ("phan_anh", "classified", "answer", True),
    ("khieu_nai", "classified", "answer", False), ("khieu_nai", "accepted", "extend", False),
    ("to_cao", "accepted", "extend", True), ("phan_anh", "in_progress", "mark_complex", False),
    ("khieu_nai", "closed", "accept", False), ("khieu_nai", "withdrawn", "reopen", False),
    ("kien_nghi", "answered", "close", True), ("to_cao", "answered", "withdraw", False),
])
def test_transition_table_per_kind(kind, status, action, allowed):
    class P:
        pass
    p = P()
    p.kind, p.status = kind, status
    assert workflow.can(p, action) is allowed


def test_return_is_the_refusal_notice_with_reasons(session):
    p = make(session)
    act(session, p, "return", at(2026, 3, 4), reason="Đơn không có chữ ký của người khiếu nại (Luật KN Điều 11).")
    assert p.status == "returned" and deadline(p, "thu_ly").met_at is not None
    reply = session.scalar(select(Reply).where(Reply.petition_id == p.id))
    assert reply.kind == "khong_thu_ly" and "chữ ký" in reply.text and "Điều 11" in reply.text
    [msg] = outbox(session)  # ZNS to the phone, SMS when ZNS refuses (citizens.targets)
    assert msg.channel == "zns" and msg.recipient == "0912345678" and msg.text == reply.text
    assert msg.payload["fallback"] == [{"channel": "sms", "recipient": "0912345678"}]


def test_a_reason_is_required_to_return(session):
    p = make(session)
    with pytest.raises(ValidationFailed):
        act(session, p, "return", at(2026, 3, 4), reason=" ")


def test_denunciation_outside_competence_is_forwarded_within_5_working_days(session):
    p = make(session, kind="to_cao", now=at(2026, 8, 20), category="can_bo_cong_vu")
    act(session, p, "classify", at(2026, 8, 21), competent=False)
    assert due_date(p, "chuyen_don") == dt.date(2026, 8, 26)
    assert not [d for d in p.deadlines if d.step == "thu_ly" and d.cancelled_at is None]
    with pytest.raises(Conflict):
        act(session, p, "accept", at(2026, 8, 24))
    act(session, p, "transfer", at(2026, 8, 27), to_body="Thanh tra thành phố", document_number="15/CV-UBND")
    chuyen = [d for d in p.deadlines if d.step == "chuyen_don"][0]
    assert p.status == "transferred" and chuyen.met_at > chuyen.due_at  # one day late
    reply = session.scalar(select(Reply).where(Reply.petition_id == p.id))
    assert reply.kind == "chuyen_don" and "Thanh tra thành phố" in reply.text and "Điều 24" in reply.text


def test_guiding_closes_the_receipt_steps(session):
    p = make(session, kind="kien_nghi", category="khac")
    act(session, p, "guide", at(2026, 3, 3), to_body="Công ty Điện lực Hải Phòng")
    assert p.status == "guided" and deadline(p, "tra_loi").met_at is not None
    assert session.scalar(select(Reply.kind).where(Reply.petition_id == p.id)) == "huong_dan"
    act(session, p, "close", at(2026, 3, 4))
    assert p.status == "closed" and p.closed_at == at(2026, 3, 4)


def test_correcting_the_kind_restamps_the_receipt_steps(session):
    p = make(session, kind="phan_anh", category="khac")
    with pytest.raises(ValidationFailed):
        act(session, p, "classify", at(2026, 3, 3), kind="khieu_nai")
    act(session, p, "classify", at(2026, 3, 3), kind="khieu_nai", category="dat_dai",
        reason="Đơn phản đối quyết định thu hồi đất của chính người viết")
    assert p.kind == "khieu_nai" and p.status == "classified"
    assert [d.step for d in p.deadlines if d.cancelled_at is None] == ["xu_ly_don", "thu_ly"]
    assert due_date(p, "thu_ly") == dt.date(2026, 3, 16)  # counted from the same receipt


def test_denunciation_extensions_need_complexity_and_stop_at_the_limit(session):
    p = make(session, kind="to_cao", category="can_bo_cong_vu")
    act(session, p, "accept", at(2026, 3, 2, 15))
    assert due_date(p, "giai_quyet") == dt.date(2026, 4, 1)
    with pytest.raises(Conflict) as err:
        act(session, p, "extend", at(2026, 3, 20), reason="Cần thêm thời gian")
    assert err.value.code == "extension_limit" and "phức tạp" in err.value.message
    act(session, p, "mark_complex", at(2026, 3, 20), reason="Nhiều nội dung cần xác minh", criteria=["b"])
    act(session, p, "extend", at(2026, 3, 25), reason="Vụ việc phức tạp", document_number="01/QĐ-GH")
    assert p.status == "in_progress" and due_date(p, "giai_quyet") == dt.date(2026, 5, 4)
    with pytest.raises(Conflict):
        act(session, p, "extend", at(2026, 4, 25), reason="Thêm lần nữa")
    act(session, p, "mark_complex", at(2026, 4, 25), reason="Đặc biệt phức tạp", level="especially_complex")
    act(session, p, "extend", at(2026, 4, 28), reason="Vụ việc đặc biệt phức tạp")
    assert due_date(p, "giai_quyet") == dt.date(2026, 6, 1) and deadline(p, "giai_quyet").extensions == 2
    with pytest.raises(Conflict):
        act(session, p, "extend", at(2026, 5, 28), reason="Lần thứ ba")
    assert session.scalar(select(Reply.kind).where(Reply.petition_id == p.id, Reply.kind == "gia_han").limit(1))


def test_denunciation_acceptance_period_is_lengthened_once(session):
    p = make(session, kind="to_cao", now=at(2026, 2, 13), category="can_bo_cong_vu")
    assert due_date(p, "thu_ly") == dt.date(2026, 3, 3)
    act(session, p, "extend", at(2026, 2, 24), reason="Cần xác minh tại nhiều nơi")
    assert due_date(p, "thu_ly") == dt.date(2026, 3, 6) and p.status == "classified"
    with pytest.raises(Conflict):
        act(session, p, "extend", at(2026, 2, 25), reason="Lần nữa")


def test_anonymous_denunciation_gets_no_notice_and_cannot_be_accepted(session):
    p = make(session, kind="to_cao", anonymous=True, category="can_bo_cong_vu")
    with pytest.raises(Conflict) as err:
        act(session, p, "accept", at(2026, 3, 3))
    assert "Điều 25" in err.value.message
    act(session, p, "return", at(2026, 3, 3), reason="Nặc danh, không có căn cứ xác minh")
    assert outbox(session) == [] and session.scalar(select(Reply.id).where(Reply.petition_id == p.id)) is None


def test_answer_is_kept_and_sent_to_the_chat_the_citizen_used(session):
    p = make(session, kind="phan_anh", channel="telegram", chat_user_id="555001", category="ha_tang_giao_thong")
    act(session, p, "answer", at(2026, 3, 5), text="Đèn đường đã được thay ngày 04/3/2026. Cán bộ xã đã kiểm tra hiện trường và khắc phục xong trong ngày.")
    assert p.status == "answered" and deadline(p, "tra_loi").met_at == at(2026, 3, 5)
    [msg] = outbox(session)
    assert (msg.channel, msg.recipient) == ("telegram", "555001") and "Đèn đường" in msg.text
    with pytest.raises(Conflict):
        act(session, p, "withdraw", at(2026, 3, 6))


def test_withdrawal_cancels_every_open_deadline(session):
    p = make(session)
    act(session, p, "accept", at(2026, 3, 3))
    act(session, p, "withdraw", at(2026, 3, 10), reason="Công dân rút đơn")
    assert p.status == "withdrawn" and all(d.met_at or d.cancelled_at for d in p.deadlines)
    with pytest.raises(Conflict):
        act(session, p, "reopen", at(2026, 3, 11), reason="x")


def test_reopen_after_answer_restarts_the_resolution_period(session):
    p = make(session)
    act(session, p, "accept", at(2026, 3, 3))
    act(session, p, "answer", at(2026, 3, 20), text="Quyết định giải quyết khiếu nại. Cán bộ xã đã kiểm tra hiện trường và khắc phục xong trong ngày.", document_number="5/QĐ")
    act(session, p, "close", at(2026, 3, 21))
    act(session, p, "reopen", at(2026, 3, 23), reason="Công dân không đồng ý, có tình tiết mới")
    assert p.status == "in_progress" and p.closed_at is None
    open_ = [d for d in p.deadlines if d.met_at is None and d.cancelled_at is None]
    assert [d.step for d in open_] == ["giai_quyet"] and open_[0].due_at.date() == dt.date(2026, 4, 22)


def test_a_returned_petition_cannot_be_reopened(session):
    p = make(session)
    act(session, p, "return", at(2026, 3, 3), reason="Thiếu chữ ký")
    act(session, p, "close", at(2026, 3, 4))
    with pytest.raises(Conflict) as err:
        act(session, p, "reopen", at(2026, 3, 5), reason="Bổ sung chữ ký")
    assert "đơn mới" in err.value.message


def test_every_action_writes_an_event(session):
    p = make(session, kind="kien_nghi", category="khac")
    act(session, p, "accept", at(2026, 3, 3))
    act(session, p, "start", at(2026, 3, 4))
    act(session, p, "answer", at(2026, 3, 5), text="Đã tiếp thu. Cán bộ xã đã kiểm tra hiện trường và khắc phục xong trong ngày.")
    kinds = list(session.scalars(select(Event.kind).where(Event.petition_id == p.id).order_by(Event.id)))
    assert kinds[-3:] == ["accepted", "started", "answered"]
    accepted = session.scalar(select(Event).where(Event.petition_id == p.id, Event.kind == "accepted"))
    assert accepted.data["from"] == "classified" and accepted.data["to"] == "accepted" and accepted.public
    assert accepted.actor_label == STAFF.label and accepted.at == at(2026, 3, 3)


def test_paper_history_keeps_the_notice_without_sending_it(session):
    p = make(session)
    workflow.perform(session, p, "accept", STAFF, at=at(2026, 3, 3), paper=True)
    session.flush()
    assert session.scalar(select(Reply.kind).where(Reply.petition_id == p.id)) == "thu_ly"
    assert outbox(session) == []


def test_an_action_cannot_predate_the_receipt(session):
    p = make(session)
    with pytest.raises(ValidationFailed):
        act(session, p, "accept", at(2026, 3, 1))


def test_unknown_action_or_parameter_is_invalid(session):
    p = make(session)
    with pytest.raises(ValidationFailed):
        act(session, p, "approve", at(2026, 3, 3))
    with pytest.raises(ValidationFailed):
        act(session, p, "accept", at(2026, 3, 3), text="không có tham số này")


def test_meeting_a_deadline_clears_its_flags(session):
    p = make(session)
    for d in p.deadlines:
        d.overdue_flagged_at = at(2026, 3, 20)
    session.add(Flag(code="qua_han", petition_id=p.id, raised_at=at(2026, 3, 20)))
    session.flush()
    act(session, p, "accept", at(2026, 3, 21))
    flag = session.scalar(select(Flag).where(Flag.petition_id == p.id))
    assert flag.cleared_at == at(2026, 3, 21)


def test_acceptance_notice_quotes_the_period_and_its_basis(session):
    p = make(session, email="an@example.vn")
    act(session, p, "accept", at(2026, 3, 3), document_number="12/TB-UBND")
    zns, msg = outbox(session)  # the phone by ZNS, and the e-mail besides
    assert (zns.channel, msg.channel, msg.recipient) == ("zns", "email", "an@example.vn")
    assert zns.payload["zns"]["template"] == "status" and zns.payload["zns"]["data"]["ma_don"] == p.code
    assert "30 ngày" in msg.text and "02/04/2026" in msg.text and "Điều 27" in msg.text and "12/TB-UBND" in msg.text
