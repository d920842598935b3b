"""Public figures and scorecards (issue #21) on a built scenario: every figure against a hand count, and
against the staff report (`reports.queries.build`) for the same unit and period."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from service.domain.accountability import heads, scorecards, stats
from service.domain.casework import status
from service.domain.deadlines.calendar import VN_TZ
from service.domain.errors import Forbidden
from service.domain.inbound import Actor
from service.domain.reports import periods
from service.domain.reports import queries as reports
from service.domain.routing.units import find_unit
from service.domain.workflow import operations as workflow
from service.domain.workflow import reviews
from service.models import Attachment, Office, Reply
from tests import factories

UNIT = "11737"  # Phường Nam Đồ Sơn
STAFF = Actor(label="Cán bộ Văn phòng", role="staff")
AFTER = dt.datetime(2026, 7, 1, 9, tzinfo=VN_TZ)
SIX_MONTHS = periods.parse_period("2026-6m")  # 15/12/2025 – 14/06/2026
ROAD = "Đường trục tổ dân phố {n} phường Nam Đồ Sơn có nhiều ổ gà lớn sau mưa, đề nghị phường vá lại mặt đường."
POLICY = "Gia đình tôi thuộc diện cận nghèo nhưng chưa được xét hỗ trợ bảo hiểm y tế năm 2026, đề nghị phường xem xét."
DENUNCIATION = "Tôi tố cáo cán bộ địa chính phường Nam Đồ Sơn nhận tiền của dân để làm nhanh hồ sơ đất đai."
ANSWER = ("Ngày {d} cán bộ phường đã kiểm tra hiện trường và đã xử lý xong nội dung được phản ánh; kết quả đã "
          "thông báo cho tổ trưởng tổ dân phố.")


def at(y, m, d, h=9):
    return dt.datetime(y, m, d, h, tzinfo=VN_TZ)


def _submit(session, content, kind, category, when, **kw):
    return factories.petition(session, content, actor=STAFF, now=when, unit=UNIT, kind=kind, category=category,
                              channel="web", **kw)


def _answer(session, p, when):
    workflow.perform(session, p, "answer", STAFF, at=when, text=ANSWER.format(d=f"{when:%d/%m/%Y}"))


def _rate(session, p, score, when, reopen=False):
    rating = status.rate(session, p, score)
    rating.created_at = when
    if reopen:
        reviews.decide(session, p, rating, True, now=when)
    return rating


@pytest.fixture
def scenario(session):
    """Three road petitions (one answered on time, one late and reopened by its citizen, one open past due),
    a policy petition answered on time, a denunciation; and one outside the period."""
    p = {}
    p["road1"] = _submit(session, ROAD.format(n=1), "phan_anh", "ha_tang_giao_thong", at(2026, 3, 2))
    _answer(session, p["road1"], at(2026, 3, 4))  # 2 working days, within the 10 of xu_ly_don
    _rate(session, p["road1"], 5, at(2026, 3, 5))
    p["road2"] = _submit(session, ROAD.format(n=2), "phan_anh", "ha_tang_giao_thong", at(2026, 3, 2))
    _answer(session, p["road2"], at(2026, 4, 20))  # 35 working days: late
    _rate(session, p["road2"], 2, at(2026, 4, 21), reopen=True)
    p["road3"] = _submit(session, ROAD.format(n=3), "phan_anh", "ha_tang_giao_thong", at(2026, 5, 4))
    p["policy"] = _submit(session, POLICY, "kien_nghi", "chinh_sach_xa_hoi", at(2026, 1, 12))
    _answer(session, p["policy"], at(2026, 1, 14))
    _rate(session, p["policy"], 4, at(2026, 1, 15))
    p["denounce"] = _submit(session, DENUNCIATION, "to_cao", "can_bo_cong_vu", at(2026, 3, 10),
                            name="Người Tố Cáo Thử")
    p["later"] = _submit(session, ROAD.format(n=9), "phan_anh", "ha_tang_giao_thong", at(2026, 6, 20))
    session.commit()
    road = {p[k].lead_office.code for k in ("road1", "road2", "road3")}
    assert len(road) == 1, "the road petitions go to one office"
    return p


def _figures(session):
    return stats.compute(session, find_unit(session, UNIT), SIX_MONTHS, now=AFTER)


def test_figures_equal_the_hand_count(session, scenario):
    road = scenario["road1"].lead_office.code
    policy = scenario["policy"].lead_office.code
    by = {r["office"]: r for r in _figures(session)["offices"]}
    r = by[road]
    assert (r["received"], r["received_new"], r["answered"], r["answered_on_time"]) == (3, 3, 2, 1)
    assert r["on_time_rate"] == 0.5
    assert r["median_days_to_answer"] == 18.5  # (2 + 35) / 2 working days
    assert (r["satisfaction_avg"], r["ratings"], r["reopened_by_citizens"]) == (3.5, 2, 1)
    assert r["open_now"] == 2  # road3, and road2 reopened
    assert r["overdue_now"] == 2  # road3 past its xu_ly_don, road2 past the deadline its reopening set
    p = by[policy]
    assert (p["received"], p["answered"], p["on_time_rate"], p["satisfaction_avg"]) == (1, 1, 1.0, 4.0)
    assert p["median_days_to_answer"] == 2.0


def test_figures_equal_the_staff_report(session, scenario):
    unit = find_unit(session, UNIT)
    report = reports.build(session, unit, SIX_MONTHS, now=AFTER)
    public = _figures(session)
    assert {r["office"]: r["received"] for r in public["offices"] if r["received"]} == \
        {k: v for k, v in report["by_office"].items() if v}
    assert public["totals"]["received"] == report["received"]["total"] == 5
    assert public["totals"]["ratings"] == report["ratings"]["count"] == 3
    assert public["totals"]["satisfaction_avg"] == report["ratings"]["average"] == round(11 / 3, 2)
    assert public["totals"]["by_kind"] == report["by_kind"]


def test_figures_equal_the_staff_report_on_its_own_dataset(session):
    """The staff report's own test data set (fourteen petitions, carried over, withdrawn, transferred …)."""
    from tests.domain.test_reports import AFTER as REPORT_AFTER
    from tests.domain.test_reports import SIX_MONTHS as PERIOD
    from tests.domain.test_reports import UNIT as REPORT_UNIT
    from tests.domain.test_reports import build_dataset

    build_dataset(session)
    unit = find_unit(session, REPORT_UNIT)
    report = reports.build(session, unit, PERIOD, now=REPORT_AFTER)
    public = stats.compute(session, unit, PERIOD, now=REPORT_AFTER)
    assert {r["office"]: r["received"] for r in public["offices"] if r["received"]} == \
        {k: v for k, v in report["by_office"].items() if v}
    assert public["totals"]["received"] == report["total"]
    assert (public["totals"]["ratings"], public["totals"]["satisfaction_avg"]) == \
        (report["ratings"]["count"], report["ratings"]["average"])


def test_a_denunciation_is_counted_and_never_described(session, scenario):
    figures = _figures(session)
    assert figures["totals"]["by_kind"]["to_cao"] == 1
    text = repr(figures)
    for secret in ("Người Tố Cáo Thử", "nhận tiền", scenario["denounce"].code):
        assert secret not in text


def test_scorecards_credit_the_head_at_the_time(session, scenario):
    road_office = scenario["road1"].lead_office
    first = factories.user(session, "truong1", "office_head", UNIT, road_office.code, full_name="Trưởng Phòng Một")
    second = factories.user(session, "truong2", "office_head", UNIT, road_office.code, full_name="Trưởng Phòng Hai")
    heads.appoint(session, road_office, first, at=at(2026, 1, 1))
    heads.appoint(session, road_office, second, at=at(2026, 4, 1))  # after road1's answer, before road2's
    reply = session.scalar(select(Reply).where(Reply.petition_id == scenario["road1"].id))
    session.add(Attachment(petition_id=scenario["road1"].id, reply_id=reply.id, filename="anh.png",
                           content_type="image/png", size=3, sha256="0" * 64, data=b"png"))
    session.commit()
    chair = factories.user(session, "chair", "chairperson", UNIT, None)
    cards = scorecards.scorecards_for(session, chair, unit=UNIT, period="2026-6m", now=AFTER)
    office = next(c for c in cards["offices"] if c["office"] == road_office.code)
    assert (office["answered"], office["with_evidence"], office["reopen_rate"]) == (2, 1, 0.5)
    assert office["overdue_count"] >= 2 and office["overdue_days"] > 0
    assert office["score"]["total"] is not None and office["score"]["unconfirmed"]
    by_head = {h["username"]: h for h in cards["heads"]}
    assert (by_head["truong1"]["answered"], by_head["truong1"]["answered_on_time"]) == (1, 1)
    assert (by_head["truong2"]["answered"], by_head["truong2"]["answered_on_time"]) == (1, 0)
    assert by_head["truong1"]["with_evidence"] == 1 and by_head["truong2"]["reopened_by_citizens"] == 1


def test_scorecards_are_for_the_chairperson_and_the_city(session, scenario):
    other = factories.user(session, "chair2", "chairperson", "11914", None)
    staff = factories.user(session, "nv", "staff", UNIT, "van_phong")
    for user in (other, staff):
        with pytest.raises(Forbidden):
            scorecards.scorecards_for(session, user, unit=UNIT, period="2026-6m", now=AFTER)
    inspector = factories.user(session, "tt", "inspector", None, None)
    assert scorecards.scorecards_for(session, inspector, unit=UNIT, period="2026-6m", now=AFTER)["offices"]


def test_heads_without_history_are_the_office_head_accounts(session, scenario):
    office = session.scalar(select(Office).where(Office.id == scenario["policy"].lead_office_id))
    head = factories.user(session, "truong_vh", "office_head", UNIT, office.code)
    assert heads.Heads(session, [office.id]).at(office.id, at(2026, 1, 14)) == head.id


def test_heads_are_appointed_from_the_command_line(app, session):
    factories.user(session, "truong_kt", "office_head", UNIT, "phong_kinh_te")
    result = app.test_cli_runner().invoke(args=["heads", "appoint", "--username", "truong_kt", "--from", "01/03/2026"])
    assert result.exit_code == 0, result.output
    assert "01/03/2026" in result.output
    bad = app.test_cli_runner().invoke(args=["heads", "appoint", "--username", "khong_co"])
    assert bad.exit_code != 0 and "Không có tài khoản" in bad.output
