"""Console and API v1: Văn phòng confirms or rejects a "có thể cùng vụ việc" suggestion in one click."""
from __future__ import annotations

from sqlalchemy import select

from service.models import Event, MatterSuggestion, Petition
from tests import factories
from tests.web.console.conftest import csrf_of

UNIT = "11914"
SIGNS = ("Trước cổng trường THCS Cát Bà xe tải chạy rất nhanh, không có biển báo hạn chế tốc độ và gờ giảm tốc. "
         "Đề nghị đặc khu lắp biển báo khu vực trường học.")
FLOOD = ("Ngõ 12 đường Hà Sen, thị trấn Cát Bà ngập sâu mỗi khi mưa vì cống thoát nước bị bồi lấp. "
         "Đề nghị nạo vét cống.")


def two_petitions(session) -> tuple[Petition, Petition, MatterSuggestion]:
    first = factories.petition(session, SIGNS, unit=UNIT, name="Nguyễn Thị Bích", phone="0912170201", commit=True)
    # Another commune's city-level petition about the same school: never linked without asking.
    second = factories.petition(session, "Kính gửi UBND thành phố. Ở đặc khu Cát Hải: " + SIGNS, unit="31", name="Lê Văn Hải",
                                phone="0912170202", commit=True)
    rows = session.scalars(select(MatterSuggestion).where(MatterSuggestion.petition_id == second.id)).all()
    assert second.matter_id != first.matter_id and len(rows) == 1 and rows[0].matter_id == first.matter_id
    return first, second, rows[0]


def test_console_confirm_links_and_explains(session, login_as):
    first, second, row = two_petitions(session)
    client = login_as("staff", unit=UNIT)
    page = client.get(f"/can-bo/don/{first.code}").get_data(as_text=True)
    assert "Đơn này mở vụ việc" in page
    page = client.get(f"/can-bo/don/{second.code}")
    html = page.get_data(as_text=True)
    assert page.status_code in (200, 404)  # the city petition belongs to the city's Văn phòng
    admin = login_as("admin")
    html = admin.get(f"/can-bo/don/{second.code}").get_data(as_text=True)
    assert f"Có thể cùng vụ việc #{first.matter_id}" in html and "Cùng vụ việc" in html
    answer = admin.post(f"/can-bo/don/{second.code}/vu-viec-goi-y/{row.id}",
                        data={"decision": "confirm", "csrf_token": csrf_of(html)})
    assert answer.status_code == 303, answer.get_data(as_text=True)
    session.expire_all()
    assert session.get(Petition, second.id).matter_id == first.matter_id
    assert session.get(MatterSuggestion, row.id).state == "confirmed"
    html = admin.get(f"/can-bo/don/{second.code}").get_data(as_text=True)
    assert "Văn phòng xác nhận cùng vụ việc" in html and "2 người khác nhau đã gửi" in html


def test_console_refuses_without_csrf_and_for_read_only_roles(session, login_as):
    _, second, row = two_petitions(session)
    inspector = login_as("inspector")
    r = inspector.post(f"/can-bo/don/{second.code}/vu-viec-goi-y/{row.id}", data={"decision": "confirm"})
    assert r.status_code in (400, 403, 404)
    session.expire_all()
    assert session.get(MatterSuggestion, row.id).state == "pending"


def test_api_reject_separates_and_audits(client, session):
    first, second, row = two_petitions(session)
    headers = factories.bearer(session, "vp_city", "admin", None, None)
    r = client.post(f"/api/v1/petitions/{second.code}/matter-suggestions/{row.id}", json={"decision": "maybe"},
                    headers=headers)
    assert r.status_code == 422, r.json
    r = client.post(f"/api/v1/petitions/{second.code}/matter-suggestions/{row.id}", json={"decision": "reject"},
                    headers=headers)
    assert r.status_code == 200, r.json
    assert r.json["state"] == "rejected" and r.json["petition_matter_id"] != first.matter_id
    detail = client.get(f"/api/v1/petitions/{second.code}", headers=headers).json
    assert detail["matter_suggestions"] == [] and detail["matter"]["explanation"] == "Đơn này mở vụ việc"
    kinds = {e.kind for e in session.scalars(select(Event).where(Event.petition_id == second.id))}
    assert {"matter_suggested", "matter_suggestion_rejected"} <= kinds
    again = client.post(f"/api/v1/petitions/{second.code}/matter-suggestions/{row.id}",
                        json={"decision": "reject"}, headers=headers)
    assert again.status_code == 409
