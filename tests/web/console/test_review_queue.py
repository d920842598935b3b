"""A petition the classifier is unsure of lands, through HTTP, in Văn phòng's needs-review queue with the reason
it is unsure (issue #17: routing that knows when it is unsure)."""
from __future__ import annotations

import html
import json
import re

from sqlalchemy import select

from service.models.petition import Petition

UNSURE = {"content": "Cho em hỏi chút việc ạ, mong anh chị giúp đỡ.", "unit": "Cát Hải",
          "petitioner": {"name": "Nguyễn Văn An", "phone": "0912345678"}}
CLEAR = {"content": "Đèn đường trên tuyến đường Hà Sen bị hỏng cả tháng nay, buổi tối rất tối, đề nghị xã thay bóng.",
         "unit": "Cát Hải", "petitioner": {"name": "Trần Thị Bình", "phone": "0912345679"}}


def submit(client, body) -> dict:
    response = client.post("/api/v1/petitions", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_a_low_confidence_petition_waits_for_review_with_its_explanation(client, session, login_as):
    unsure = submit(client, UNSURE)
    clear = submit(client, CLEAR)
    petition = session.scalar(select(Petition).where(Petition.code == unsure["code"]))
    assert petition.needs_review and petition.lead_office.code == "van_phong"
    assert petition.routing["rule"] == "review" and petition.classification["doubts"]
    assert not session.scalar(select(Petition).where(Petition.code == clear["code"])).needs_review

    clerk = login_as("staff", unit="11914", office="van_phong")
    queue = clerk.get("/can-bo/don?review=1").get_data(as_text=True)
    assert unsure["code"] in queue and clear["code"] not in queue
    page = html.unescape(clerk.get(f"/can-bo/don/{unsure['code']}").get_data(as_text=True))
    explanation = re.search(r"data-classification>([^<]+)<", page).group(1)
    assert "cần cán bộ Văn phòng xem lại phân loại" in explanation and "Chưa chắc vì" in explanation
    assert any(why in explanation for why in petition.classification["doubts"])
