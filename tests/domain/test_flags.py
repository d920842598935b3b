"""flags: đông người and phức tạp, kéo dài fire exactly when their rule says, once, explained and routed."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from service.domain.errors import Forbidden, ValidationFailed
from service.domain.inbound import CITIZEN, Actor, InboundMessage, PersonData
from service.domain.intake import operations as intake
from service.domain.matters import flags, suggestions
from service.domain.matters import operations as matters
from service.domain.routing.units import find_unit, office_of
from service.domain.workflow import operations as workflow
from service.models import Event, Flag, Matter, OutboxMessage, Petition

NOW = dt.datetime(2026, 11, 20, 3, 0, tzinfo=dt.timezone.utc)
STAFF = Actor(label="Cán bộ Văn phòng", role="staff")
FLOOD = "Ngõ 193 Văn Cao ngập sâu mỗi khi mưa, cống thoát nước đầu ngõ bị tắc. Đề nghị phường nạo vét cống."


def send(session, i: int, *, phone: str | None = None, name: str | None = None, address: str | None = "Ngõ 193",
         unit: str = "11341", hours: float = 0, co_signers: int = 0, round: int = 1, kind: str = "phan_anh",
         content: str = FLOOD) -> Petition:
    when = NOW + dt.timedelta(hours=hours or i)
    person = PersonData(name=name or f"Người số {i}", phone=phone or f"09170000{i:02d}", address=address,
                        representative=co_signers >= 4)
    msg = InboundMessage(channel="web", unit=unit, kind=kind, category="ha_tang_giao_thong", round=round,
                         content=content, petitioner=person, co_signers=co_signers, consent=True)
    petition = intake.submit(session, msg, CITIZEN, now=when).petition
    matters.on_petition_received(session, petition, now=when)
    return petition


def open_flags(session, code: str, **where) -> list[Flag]:
    stmt = select(Flag).where(Flag.code == code, Flag.cleared_at.is_(None))
    for key, value in where.items():
        column = getattr(Flag, key)
        stmt = stmt.where(column == value if value is not None else column.is_(None))
    return session.scalars(stmt).all()


def notices_to(session, unit_code: str, office_code: str) -> int:
    office = office_of(session, find_unit(session, unit_code), office_code)
    return session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.recipient == f"office:{office.id}", OutboxMessage.dedupe_key.like("flag:%"))) or 0


def test_four_people_no_flag_fifth_flags_matter_and_every_petition_and_notifies_once(session):
    petitions = [send(session, i) for i in range(4)]
    matter_id = petitions[0].matter_id
    assert all(p.matter_id == matter_id for p in petitions)
    assert not open_flags(session, flags.DONG_NGUOI)
    petitions.append(send(session, 4))
    [matter_flag] = open_flags(session, flags.DONG_NGUOI, petition_id=None)
    assert matter_flag.matter_id == matter_id
    assert {f.petition_id for f in open_flags(session, flags.DONG_NGUOI, matter_id=matter_id) if f.petition_id} == \
        {p.id for p in petitions}
    e = matter_flag.explanation
    assert e["people"] == 5 and e["petitions"] == 5 and e["task"] == "4.5" and "van_phong" in e["routed_to"]
    assert e["since"] == petitions[0].received_at.isoformat()
    assert session.get(Matter, matter_id).petitioner_count == 5
    assert notices_to(session, "11341", "van_phong") == 1
    petitions.append(send(session, 5))  # a sixth: its petition is flagged, the matter flag is refreshed, no new notice
    assert len(open_flags(session, flags.DONG_NGUOI, petition_id=None)) == 1
    assert open_flags(session, flags.DONG_NGUOI, petition_id=petitions[-1].id)
    assert notices_to(session, "11341", "van_phong") == 1
    flags.evaluate_matter_flags(session, session.get(Matter, matter_id), NOW + dt.timedelta(days=1))
    assert len(open_flags(session, flags.DONG_NGUOI, petition_id=None)) == 1  # idempotent
    assert len(open_flags(session, flags.DONG_NGUOI, petition_id=petitions[0].id)) == 1


def test_same_phone_twice_counts_once(session):
    for i in range(4):
        send(session, i)
    send(session, 4, phone="0917000001", name="Người khác")  # the phone of person 1
    assert not open_flags(session, flags.DONG_NGUOI)
    assert session.scalar(select(Matter)).petitioner_count == 4


def test_same_folded_name_and_address_counts_once(session):
    for i in range(4):
        send(session, i)
    send(session, 4, phone="0987111222", name="NGUOI SO 2", address="ngõ 193")  # Người số 2, another phone
    assert not open_flags(session, flags.DONG_NGUOI)


def test_one_petition_with_five_signers_is_dong_nguoi_four_is_not(session):
    other = "Đề nghị lắp đèn tín hiệu tại nút giao đường 208 với đường vào khu dân cư An Đồng."
    send(session, 1, co_signers=3, content=other, unit="11674")
    assert not open_flags(session, flags.DONG_NGUOI)
    p = send(session, 2, co_signers=4, content=FLOOD)
    [flag] = open_flags(session, flags.DONG_NGUOI, petition_id=None)
    assert flag.explanation["rules"][0] == {"rule": "many_signers", "petition": p.code, "people": 5}
    assert open_flags(session, flags.DONG_NGUOI, petition_id=p.id)


def test_second_round_complaint_is_phuc_tap_keo_dai(session):
    first = send(session, 1, kind="khieu_nai")
    assert not open_flags(session, flags.PHUC_TAP)
    second = send(session, 2, kind="khieu_nai", round=2)
    assert second.matter_id == first.matter_id
    [flag] = open_flags(session, flags.PHUC_TAP, petition_id=None)
    assert {"rule": "second_round", "petition": second.code} in flag.explanation["rules"]
    assert {f.petition_id for f in open_flags(session, flags.PHUC_TAP) if f.petition_id} == {first.id, second.id}


def test_new_petition_after_an_answer_is_phuc_tap_keo_dai(session):
    first = send(session, 1)
    send(session, 2)
    assert not open_flags(session, flags.PHUC_TAP)
    workflow.perform(session, first, "answer", STAFF, at=NOW + dt.timedelta(days=3), text="Phường đã nạo vét cống. Cán bộ xã đã kiểm tra hiện trường và khắc phục xong trong ngày.")
    third = send(session, 3, hours=24 * 10)
    assert third.matter_id == first.matter_id
    [flag] = open_flags(session, flags.PHUC_TAP, petition_id=None)
    rule = next(r for r in flag.explanation["rules"] if r["rule"] == "resubmitted")
    assert rule["petition"] == third.code and rule["answered"] == first.code


def test_thirty_one_days_overdue_is_flagged_twenty_nine_is_not(session):
    p = send(session, 1)
    due = min(d.due_at for d in p.deadlines)
    flags.evaluate_petition_flags(session, p, now=due + dt.timedelta(days=29))
    assert flags.raise_overdue_flags(session, now=due + dt.timedelta(days=29)) == 0
    assert not open_flags(session, flags.PHUC_TAP)
    assert flags.raise_overdue_flags(session, now=due + dt.timedelta(days=31)) == 1
    [flag] = open_flags(session, flags.PHUC_TAP, petition_id=None)
    assert flag.explanation["rules"][0]["rule"] == "overdue_30"
    assert flags.raise_overdue_flags(session, now=due + dt.timedelta(days=32)) == 0  # already flagged


def test_city_petition_on_a_commune_matter_is_vuot_cap(session):
    first = send(session, 1)
    city = send(session, 2, unit="31", content="Kính gửi UBND thành phố. Ngõ 193 Văn Cao, phường Ngô Quyền ngập "
                                               "sâu mỗi khi mưa, cống thoát nước bị tắc, phường chưa nạo vét.")
    # Another unit's petition is never linked without asking (issue #17): a suggestion, no flag until confirmed.
    assert city.matter_id != first.matter_id and not open_flags(session, flags.PHUC_TAP)
    [suggestion] = suggestions.for_petition(session, city)
    assert suggestion.matter_id == first.matter_id
    suggestions.decide(session, suggestion, "confirm", STAFF)
    assert city.matter_id == first.matter_id
    [flag] = open_flags(session, flags.PHUC_TAP, petition_id=None)
    assert {"rule": "escalated", "petition": city.code, "unit": "Thành phố Hải Phòng"} in flag.explanation["rules"]


def test_city_petition_naming_the_commune_and_two_objects_of_its_matter_is_linked_and_vuot_cap(session):
    from service.models import Event
    land = ("Tôi khiếu nại Quyết định số 732/QĐ-UBND của UBND phường Ngô Quyền về đơn giá bồi thường khi thu hồi "
            "đất làm dự án cải tạo mương An Kim Hải, giá quá thấp so với thị trường.")
    first = send(session, 1, kind="khieu_nai", content=land)
    city = send(session, 2, unit="31", kind="khieu_nai", content=(
        "Kính gửi UBND thành phố. Các hộ dân phường Ngô Quyền đã nhiều lần khiếu nại Quyết định 732/QĐ-UBND về "
        "đơn giá bồi thường của dự án cải tạo mương An Kim Hải nhưng phường chưa giải quyết."))
    # The same decision and the same project, sent over the commune's head: the same matter without asking.
    assert city.matter_id == first.matter_id and not suggestions.for_petition(session, city)
    linked = session.scalar(select(Event).where(Event.petition_id == city.id, Event.kind == "matter_linked"))
    assert "vượt cấp" in linked.reason and "Kim Hải" in linked.reason
    [flag] = open_flags(session, flags.PHUC_TAP, petition_id=None)
    assert {"rule": "escalated", "petition": city.code, "unit": "Thành phố Hải Phòng"} in flag.explanation["rules"]


def test_escalated_param_flags_a_petition_forwarded_from_above(session):
    p = send(session, 1)
    flags.evaluate_petition_flags(session, p, NOW, escalated=True)
    assert open_flags(session, flags.PHUC_TAP, petition_id=p.id)


def test_denunciation_flag_also_goes_to_city_inspectors(session):
    text = "Tố cáo ông Trần Văn Hòa, công chức địa chính phường Ngô Quyền, nhận tiền làm sổ đỏ ngoài quy định."
    send(session, 1, kind="to_cao", content=text, co_signers=5)
    assert notices_to(session, "11341", "van_phong") == 1
    assert notices_to(session, "31", "thanh_tra_tp") == 1
    body = session.scalar(select(OutboxMessage.text).where(OutboxMessage.dedupe_key.like("flag:%")))
    assert "Người số 1" not in body and "0917" not in body  # the denouncer stays secret (TC Đ47)


def test_clear_needs_staff_and_reason_and_stays_cleared_until_something_new(session):
    petitions = [send(session, i) for i in range(5)]
    [flag] = open_flags(session, flags.DONG_NGUOI, petition_id=None)
    with pytest.raises(Forbidden):
        flags.clear_flag(session, flag, CITIZEN, "không đúng")
    with pytest.raises(ValidationFailed):
        flags.clear_flag(session, flag, STAFF, " ")
    flags.clear_flag(session, flag, STAFF, "Cùng một hộ gia đình, không phải đông người",
                     now=NOW + dt.timedelta(days=1))
    assert not open_flags(session, flags.DONG_NGUOI)
    assert flag.cleared_reason.startswith("Cùng một hộ")
    flags.evaluate_matter_flags(session, session.get(Matter, petitions[0].matter_id), NOW + dt.timedelta(days=2))
    assert not open_flags(session, flags.DONG_NGUOI)
    send(session, 9, hours=24 * 3)  # a new person after the clearing: raised again, and told again
    assert len(open_flags(session, flags.DONG_NGUOI, petition_id=None)) == 1
    assert notices_to(session, "11341", "van_phong") == 2


def test_digest_lists_flagged_matters_with_history_once_a_day(session):
    for i in range(5):
        send(session, i)
    matter = session.scalar(select(Matter))
    unit = find_unit(session, "11341")
    text = flags.flag_digest(session, unit, NOW + dt.timedelta(days=1))
    assert matter.title in text and "Đông người" in text and "5 đơn, 5 người" in text and "mở vụ việc" in text
    assert flags.send_flag_digests(session, NOW + dt.timedelta(days=1)) == 1
    assert flags.send_flag_digests(session, NOW + dt.timedelta(days=1, hours=2)) == 0
    assert flags.send_flag_digests(session, NOW + dt.timedelta(days=2)) == 1


def test_split_and_merge_re_evaluate_flags(session):
    petitions = [send(session, i) for i in range(5)]
    moved = petitions[-1]
    matters.split_petition(session, moved, STAFF, "Đơn này nói về ngõ khác")
    assert not open_flags(session, flags.DONG_NGUOI, petition_id=moved.id)
    old = session.get(Matter, petitions[0].matter_id)
    assert old.petitioner_count == 4
    # Undoing the link took the matter under five people: its flag is cleared, with an event saying why.
    assert not open_flags(session, flags.DONG_NGUOI)
    cleared = session.scalars(select(Event).where(Event.kind == "flag_cleared", Event.matter_id == old.id)).all()
    assert any(f"Tách đơn {moved.code}" in e.reason and "4 người" in e.reason and "Điều 29" in e.reason
               for e in cleared)
    matters.merge_matters(session, old, session.get(Matter, moved.matter_id), STAFF, "Thực ra cùng một ngõ")
    assert old.petitioner_count == 5
    assert open_flags(session, flags.DONG_NGUOI, petition_id=moved.id)
