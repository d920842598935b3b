"""GET /api/v1/reports: JSON and XLSX, scope by role, period errors, audit of every export."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from service.domain.codes import CHANNELS, FLAGS, KINDS, STATUSES, STEPS, category_label
from service.domain.documents import spreadsheets
from service.domain.reports import queries as reports
from service.domain.reports.periods import parse_period
from service.domain.reports.queries import SIGNERS, TIMELINESS
from service.domain.reports.tables import SIGNER_LABELS, TIMELINESS_LABELS, office_label
from service.domain.routing.units import find_unit
from service.models import AuditEntry
from tests.domain.test_reports import DENOUNCER, OTHER, UNIT, build_dataset
from tests.helpers import staff_token


def _get(client, token, **params):
    return client.get("/api/v1/reports", query_string=params, headers={"Authorization": f"Bearer {token}"})


def _sheet_rows(ws):
    """The table under the legal header: {first column: [other columns]}, without the total row."""
    rows = {}
    for values in ws.iter_rows(min_row=spreadsheets.HEADER_ROW + 1, values_only=True):
        if values[0] is None or values[0] == "Tổng cộng":
            continue
        cells = list(values[1:])
        while cells and cells[-1] is None:  # the legal header spans at least four columns
            cells.pop()
        rows[values[0]] = cells
    return rows


def test_a_token_is_required(client):
    answer = client.get("/api/v1/reports?period=2026-6m")
    assert answer.status_code == 401 and answer.get_json()["error"]["message_en"]


def test_json_report_of_the_staff_unit_matches_the_domain(client, session):
    build_dataset(session)
    token = staff_token(session, unit=UNIT)
    answer = _get(client, token, period="2026-6m")
    assert answer.status_code == 200, answer.get_data(as_text=True)
    body = answer.get_json()
    expected = reports.build(session, find_unit(session, UNIT), parse_period("2026-6m"))
    for key in ("total", "received", "by_kind", "by_category", "by_channel", "by_office", "by_status", "on_time",
                "overdue", "deadlines", "flagged", "ratings", "plan", "by_signers", "outcome"):
        assert body[key] == expected[key], key
    assert body["total"] == 11 and body["unit"]["code"] == UNIT and body["period"]["from"] == "2025-12-15"
    assert DENOUNCER not in answer.get_data(as_text=True)
    same = _get(client, token, **{"from": "15/12/2025", "to": "2026-06-14"}).get_json()
    assert same["total"] == 11 and same["period"]["code"] == "range"


def test_xlsx_has_the_legal_header_and_every_count_of_the_json(client, session):
    build_dataset(session)
    token = staff_token(session, unit=UNIT)
    body = _get(client, token, period="2026-6m").get_json()
    answer = _get(client, token, period="2026-6m", format="xlsx")
    assert answer.status_code == 200 and answer.mimetype == spreadsheets.XLSX_TYPE
    assert "attachment" in answer.headers["Content-Disposition"] and ".xlsx" in answer.headers["Content-Disposition"]
    wb = load_workbook(io.BytesIO(answer.data))
    assert wb.sheetnames[0] == "Tổng hợp" and len(wb.sheetnames) == len(set(wb.sheetnames)) >= 12
    for ws in wb.worksheets:
        cells = [str(c) for row in ws.iter_rows(max_row=7, values_only=True) for c in row if c]
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in cells and "Độc lập - Tự do - Hạnh phúc" in cells
        assert "ỦY BAN NHÂN DÂN" in cells and "PHƯỜNG NAM ĐỒ SƠN" in cells and spreadsheets.TITLE in cells
        assert any("15/12/2025" in c and "14/06/2026" in c for c in cells), ws.title
        for row in ws.iter_rows(values_only=True):
            assert not any(DENOUNCER in str(c) for c in row if c)

    kinds = _sheet_rows(wb["Loại đơn"])
    assert {k: kinds[label][-1] for k, label in KINDS.items()} == body["by_kind"]
    assert {c: _sheet_rows(wb["Lĩnh vực"])[category_label(c)][0] for c in body["by_category"]} == body["by_category"]
    assert {c: _sheet_rows(wb["Kênh tiếp nhận"])[CHANNELS[c]][0] for c in body["by_channel"]} == body["by_channel"]
    assert {s: _sheet_rows(wb["Tình trạng"])[STATUSES[s]][0] for s in body["by_status"]} == body["by_status"]
    offices = _sheet_rows(wb["Cơ quan"])
    assert {c: offices[office_label(c)][0] for c in body["by_office"]} == body["by_office"]
    for code, figures in body["deadlines"]["by_office"].items():
        assert offices[office_label(code)][1:] == [figures[t] for t in TIMELINESS]
    steps = _sheet_rows(wb["Thời hạn"])
    assert {s: dict(zip(TIMELINESS, steps[STEPS[s]])) for s in body["deadlines"]["by_step"]} == \
        body["deadlines"]["by_step"]
    assert list(TIMELINESS_LABELS.values()) == [c.value for c in wb["Thời hạn"][spreadsheets.HEADER_ROW][1:]]
    signers = _sheet_rows(wb["Người đứng tên"])
    assert {s: dict(zip(("carried_over", "new", "total"), signers[SIGNER_LABELS[s]])) for s in SIGNERS} == \
        body["by_signers"]
    flagged = _sheet_rows(wb["Đông người, phức tạp"])
    assert len(flagged) == body["flagged"]["total"] == 2
    for i, matter in enumerate(body["flagged"]["matters"], 1):
        assert flagged[i][0] == matter["title"] and flagged[i][2] == ", ".join(FLAGS[f] for f in matter["flags"])
        assert flagged[i][3:5] == [matter["petitions"], matter["petitioners"]]
    ratings = _sheet_rows(wb["Hài lòng"])
    assert {s: ratings[f"{s} sao"][0] for s in "12345"} == body["ratings"]["distribution"]
    summary = _sheet_rows(wb["Tổng hợp"])
    assert summary["— Kỳ trước chuyển sang"] == [2] and summary["— Tiếp nhận trong kỳ"] == [9]
    assert summary["Bước xử lý quá hạn"] == [body["overdue"]] and summary["Bước xử lý đúng hạn"] == [body["on_time"]]
    total_row = [r for r in wb["Loại đơn"].iter_rows(values_only=True) if r[0] == "Tổng cộng"][0]
    assert total_row[-1] == body["total"]


def test_every_export_is_audited(client, session):
    token = staff_token(session, unit=UNIT)
    assert _get(client, token, period="2026-q1").status_code == 200
    assert _get(client, token, period="2026-9m", format="xlsx").status_code == 200
    session.expire_all()
    lines = session.scalars(select(AuditEntry).where(AuditEntry.action == "export")
                            .order_by(AuditEntry.id)).all()
    assert [(a.object_type, a.object_id, a.data["period"], a.data["format"]) for a in lines] == [
        ("report", UNIT, "2026-q1", "json"), ("report", UNIT, "2026-9m", "xlsx")]
    assert all(a.user_id is not None for a in lines)


def test_unit_staff_get_only_their_unit(client, session):
    token = staff_token(session, unit=UNIT)
    for unit in (OTHER, "city"):
        answer = _get(client, token, unit=unit, period="2026-6m")
        error = answer.get_json()["error"]
        assert answer.status_code == 403 and error["message"] != error["message_en"]
    assert _get(client, token, unit="Nam Đồ Sơn", period="2026-6m").status_code == 200


def test_inspectors_see_the_whole_city(client, session):
    build_dataset(session)
    token = staff_token(session, username="tt", role="inspector", unit=None, office=None)
    body = _get(client, token, period="2026-6m").get_json()
    assert body["unit"]["code"] == "city" and body["total"] == 12 and body["by_unit"][OTHER]["total"] == 1
    other = _get(client, token, unit=OTHER, period="2026-6m").get_json()
    assert other["total"] == 1 and "by_unit" not in other


@pytest.mark.parametrize("params, field", [({"period": "2026-h1"}, "period"), ({"from": "31/02/2026", "to": "01/03/2026"},
                                                                               "from"),
                                           ({"period": "2026-6m", "from": "01/01/2026"}, "period"),
                                           ({"period": "2026-6m", "format": "pdf"}, "format"), ({"format": ""}, "format"),
                                           ({"from": "01/01/1999", "to": "01/03/2026"}, "from"),
                                           ({"period": "2026-6m", "tu": "01/01/2026"}, "tu")])
def test_bad_parameters_answer_422_in_both_languages(client, session, params, field):
    token = staff_token(session, role="admin", unit=None, office=None)
    answer = _get(client, token, **params)
    error = answer.get_json()["error"]
    assert answer.status_code == 422 and field in error["fields"]
    assert error["message"] and error["message_en"] and error["message"] != error["message_en"]


def test_an_unknown_unit_is_a_404_and_a_range_may_be_given_either_way(client, session):
    """Issue #18: what the document cannot state is not a refusal: a unit that does not exist is not found (404),
    and `from` after `to` is the same range."""
    token = staff_token(session, role="admin", unit=None, office=None)
    answer = _get(client, token, unit="Không có xã này")
    assert answer.status_code == 404 and answer.get_json()["error"]["code"] == "not_found"
    assert "unit" in answer.get_json()["error"]["fields"]
    swapped = _get(client, token, **{"from": "31/03/2026", "to": "2026-01-01"}).get_json()["period"]
    assert (swapped["code"], swapped["from"], swapped["to"]) == ("range", "2026-01-01", "2026-03-31")
    assert _get(client, token, **{"from": "01/01/2000", "to": "31/12/2100"}).status_code == 200


def test_the_openapi_document_describes_reports(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/reports"]["get"]
    [filters] = operation["parameters"]  # one form-exploded object: the query string is ?unit=…&period=…
    assert (filters["in"], filters["style"], filters["explode"]) == ("query", "form", True)
    assert set(filters["schema"]["properties"]) == {"unit", "period", "from", "to", "format"}
    assert filters["schema"]["additionalProperties"] is False and len(filters["schema"]["allOf"]) == 3
    assert {"200", "401", "403", "404", "422"} <= set(operation["responses"])
