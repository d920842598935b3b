"""Every row of legal.md "Defaults": the right due date for each kind, round, variant and date."""
from __future__ import annotations

import datetime as dt

import pytest

from service.domain.deadlines import rules as dl
from service.domain.deadlines.calendar import VN_TZ, Calendar

D = dt.date


def at(y, m, d, h=9):
    return dt.datetime(y, m, d, h, tzinfo=VN_TZ)


def due(specs, step):
    [spec] = [s for s in specs if s.step == step]
    return spec.due_at.astimezone(VN_TZ).date()


def steps(specs):
    return [s.step for s in specs]


@pytest.mark.parametrize("kind, expected", [
    ("khieu_nai", ["xu_ly_don", "thu_ly"]), ("to_cao", ["xu_ly_don", "thu_ly"]),
    ("kien_nghi", ["xu_ly_don", "tra_loi"]), ("phan_anh", ["xu_ly_don", "tra_loi"]),
])
def test_receipt_steps_per_kind(kind, expected):
    assert steps(dl.receipt_deadlines(kind, at(2026, 3, 2))) == expected


@pytest.mark.parametrize("received, kind, step, expected", [
    # Before Tết 2026 (16-20/2): 10 WD and 7 WD.
    (at(2026, 2, 13), "phan_anh", "xu_ly_don", D(2026, 3, 6)),
    (at(2026, 2, 13), "kien_nghi", "tra_loi", D(2026, 3, 6)),
    (at(2026, 2, 13), "khieu_nai", "thu_ly", D(2026, 3, 6)),
    (at(2026, 2, 13), "to_cao", "thu_ly", D(2026, 3, 3)),
    # A tố cáo is processed (xử lý đơn) within 7 WD, TC 2018 Đ24 k1: Friday 13/2 -> Tuesday 3/3 across Tết.
    (at(2026, 2, 13), "to_cao", "xu_ly_don", D(2026, 3, 3)),
    # Around 30/4-1/5 and the nghỉ bù of 27/4/2026.
    (at(2026, 4, 23), "to_cao", "thu_ly", D(2026, 5, 7)),
    (at(2026, 4, 23), "to_cao", "xu_ly_don", D(2026, 5, 7)),
    # The swapped Saturday 22/8/2026 counts, Monday 31/8 and 1-2/9 do not.
    (at(2026, 8, 20), "to_cao", "thu_ly", D(2026, 8, 28)),
    (at(2026, 8, 20), "phan_anh", "tra_loi", D(2026, 9, 7)),
    # Tết 2027 (4-10/2).
    (at(2027, 2, 3), "to_cao", "thu_ly", D(2027, 2, 19)),
    (at(2027, 2, 3), "khieu_nai", "thu_ly", D(2027, 2, 19)),
    (at(2027, 2, 3), "kien_nghi", "xu_ly_don", D(2027, 2, 24)),
    # Month end: received on the last day of a month.
    (at(2026, 3, 31), "phan_anh", "tra_loi", D(2026, 4, 14)),
])
def test_receipt_due_dates(received, kind, step, expected):
    assert due(dl.receipt_deadlines(kind, received), step) == expected


def test_complaint_acceptance_period_changes_on_1_july_2026():
    before = dl.receipt_deadlines("khieu_nai", at(2026, 6, 30))
    after = dl.receipt_deadlines("khieu_nai", at(2026, 7, 1))
    assert due(before, "thu_ly") == D(2026, 7, 14)  # 10 WD
    assert due(after, "thu_ly") == D(2026, 7, 10)  # 7 WD
    assert "NĐ 124/2020" in [s for s in before if s.step == "thu_ly"][0].rule
    assert "NĐ 155/2026" in [s for s in after if s.step == "thu_ly"][0].rule


def test_the_rule_change_follows_the_local_date_of_receipt():
    late_evening_utc = dt.datetime(2026, 6, 30, 17, 30, tzinfo=dt.timezone.utc)  # 00:30 on 1/7 in Hải Phòng
    spec = [s for s in dl.receipt_deadlines("khieu_nai", late_evening_utc) if s.step == "thu_ly"][0]
    assert spec.rule_id == "thu_ly.khieu_nai.7wd"


def test_positional_call_used_by_intake_still_works():
    specs = dl.receipt_deadlines("khieu_nai", at(2026, 3, 2))
    assert all(isinstance(s, dl.DeadlineSpec) and s.starts_at == at(2026, 3, 2) for s in specs)


@pytest.mark.parametrize("round_, remote, complexity, expected", [
    (1, False, 0, D(2026, 4, 1)),   # 30 days
    (1, False, 1, D(2026, 4, 16)),  # complex 45
    (1, True, 0, D(2026, 4, 16)),   # remote 45
    (1, True, 1, D(2026, 5, 4)),    # remote and complex 60: 1/5 holiday, then the weekend
    (2, False, 0, D(2026, 4, 16)),  # second round 45
    (2, False, 1, D(2026, 5, 4)),   # complex 60
    (2, True, 0, D(2026, 5, 4)),    # remote 60
    (2, True, 1, D(2026, 5, 11)),   # remote and complex 70
])
def test_complaint_resolution_periods(round_, remote, complexity, expected):
    specs = dl.acceptance_deadlines("khieu_nai", at(2026, 3, 2), round=round_, remote=remote, complexity=complexity)
    assert steps(specs) == ["giai_quyet"] and due(specs, "giai_quyet") == expected
    assert ("Điều 28" if round_ == 1 else "Điều 37") in specs[0].rule


def test_resolution_period_ending_in_tet_moves_to_the_next_working_day():
    assert due(dl.acceptance_deadlines("khieu_nai", at(2026, 1, 16)), "giai_quyet") == D(2026, 2, 23)
    assert due(dl.acceptance_deadlines("khieu_nai", at(2027, 1, 5)), "giai_quyet") == D(2027, 2, 11)
    assert due(dl.acceptance_deadlines("to_cao", at(2026, 1, 30)), "giai_quyet") == D(2026, 3, 2)


@pytest.mark.parametrize("extensions, expected", [(0, D(2026, 4, 1)), (1, D(2026, 5, 4)), (2, D(2026, 6, 1))])
def test_denunciation_resolution_and_its_extensions(extensions, expected):
    specs = dl.acceptance_deadlines("to_cao", at(2026, 3, 2), extensions=extensions)
    assert due(specs, "giai_quyet") == expected


def test_denunciation_extension_limits_follow_complexity():
    rule = dl.load_rules().find("giai_quyet", "to_cao", D(2026, 3, 2))
    assert [rule.max_extensions(c) for c in (0, 1, 2)] == [0, 1, 2]
    thu_ly = dl.load_rules().find("thu_ly", "to_cao", D(2026, 3, 2))
    assert thu_ly.max_extensions(0) == 1
    spec = dl.spec_for(thu_ly, at(2026, 2, 13), extensions=1)
    assert spec.due_at.date() == D(2026, 3, 6)  # 10 WD when verification needs several places


def test_recommendations_and_reports_have_no_resolution_period():
    assert dl.acceptance_deadlines("kien_nghi", at(2026, 3, 2)) == []
    assert dl.acceptance_deadlines("phan_anh", at(2026, 3, 2)) == []


def test_transfer_of_a_denunciation_outside_competence():
    spec = dl.transfer_deadline("to_cao", at(2026, 8, 20))
    assert spec.step == "chuyen_don" and spec.due_at.date() == D(2026, 8, 26)
    assert dl.transfer_deadline("to_cao", at(2027, 2, 3)).due_at.date() == D(2027, 2, 17)
    assert dl.transfer_deadline("khieu_nai", at(2026, 8, 20)) is None
    assert "chuyen_don" not in steps(dl.receipt_deadlines("to_cao", at(2026, 8, 20)))


def test_every_rule_cites_its_basis_and_fits_the_column():
    book = dl.load_rules()
    assert {r.step for r in book.rules} == set(dl.STEP_CODES)
    for rule in book.rules:
        assert rule.basis
        for variant in [None, *rule.variants]:
            for n in range(3):
                spec = dl.spec_for(rule, at(2026, 3, 2), variant=variant, extensions=n)
                assert len(spec.rule) <= dl.RULE_TEXT_MAX and rule.basis[:10] in spec.rule


def test_due_is_the_end_of_the_local_day():
    spec = dl.receipt_deadlines("to_cao", at(2026, 3, 2, 23))[1]
    assert spec.due_at == dt.datetime(2026, 3, 11, 23, 59, 59, tzinfo=VN_TZ)


def test_a_rule_change_is_a_config_change_with_an_effective_date():
    data = {"rules": [
        {"id": "tra_loi.old", "step": "tra_loi", "kinds": ["phan_anh"], "starts": "receipt",
         "limit": {"working_days": 10}, "effective_until": "2027-03-31", "basis": "Luật TCD Đ28"},
        {"id": "tra_loi.new", "step": "tra_loi", "kinds": ["phan_anh"], "starts": "receipt",
         "limit": {"working_days": 5}, "effective_from": "2027-04-01", "basis": "Luật mới"},
    ]}
    book = dl.parse_rulebook(data)
    old = dl.receipt_deadlines("phan_anh", at(2027, 3, 31), rules=book)
    new = dl.receipt_deadlines("phan_anh", at(2027, 4, 1), rules=book)
    assert due(old, "tra_loi") == D(2027, 4, 14) and due(new, "tra_loi") == D(2027, 4, 8)


@pytest.mark.parametrize("bad", [
    {"rules": [{"id": "x", "step": "nope", "kinds": ["phan_anh"], "starts": "receipt",
                "limit": {"days": 1}, "basis": "b"}]},
    {"rules": [{"id": "x", "step": "tra_loi", "kinds": ["phan_anh"], "starts": "receipt",
                "limit": {"weeks": 1}, "basis": "b"}]},
    {"rules": [{"id": "x", "step": "tra_loi", "kinds": ["phan_anh"], "starts": "receipt", "limit": {"days": 1}}]},
    {"rules": [{"id": "a", "step": "tra_loi", "kinds": ["phan_anh"], "starts": "receipt", "limit": {"days": 1},
                "basis": "b"},
               {"id": "b", "step": "tra_loi", "kinds": ["phan_anh"], "starts": "receipt", "limit": {"days": 2},
                "basis": "b", "effective_from": "2027-01-01"}]},
])
def test_invalid_rule_books_are_refused(bad):
    with pytest.raises(ValueError):
        dl.parse_rulebook(bad)


def test_a_calendar_with_database_overrides_can_be_passed():
    extra = Calendar(add=[D(2026, 3, 3)])
    assert due(dl.receipt_deadlines("to_cao", at(2026, 3, 2), calendar=extra), "thu_ly") == D(2026, 3, 12)


def test_due_soon_cutoff_is_three_working_days_ahead():
    assert dl.due_soon_cutoff(at(2026, 2, 12)).date() == D(2026, 2, 24)


def test_a_denunciation_is_processed_within_7_working_days_under_the_law_on_denunciations():
    [spec] = [s for s in dl.receipt_deadlines("to_cao", at(2026, 2, 13)) if s.step == "xu_ly_don"]
    assert spec.due_at.astimezone(VN_TZ).date() == D(2026, 3, 3)  # Friday 13/2/2026, across Tết (16-20/2)
    assert "Luật Tố cáo 2018 Điều 24 khoản 1" in spec.rule
    [other] = [s for s in dl.receipt_deadlines("phan_anh", at(2026, 2, 13)) if s.step == "xu_ly_don"]
    assert other.due_at.astimezone(VN_TZ).date() == D(2026, 3, 6)  # 10 WD stays for the others
