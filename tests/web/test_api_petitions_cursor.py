"""API v1's list by cursor (issue #19): `next_cursor` / `next` walk every page once, a bad cursor is a 422."""
from __future__ import annotations

import json

from tests.helpers import staff_token
from tests.web.test_api_petitions import VALID, post


def test_next_cursor_walks_every_petition_once_and_ends_with_null(client, session):
    for i in range(7):
        post(client, {**VALID, "kind": "phan_anh", "category": "moi_truong", "content": f"Khói bụi nhà máy số {i}"})
    auth = {"Authorization": f"Bearer {staff_token(session)}"}
    first = client.get("/api/v1/petitions?per_page=3&kind=phan_anh", headers=auth).get_json()
    seen, answer, pages = [], first, 1
    while True:
        seen += [item["code"] for item in answer["items"]]
        if answer["next_cursor"] is None:
            assert answer["next"] is None and answer["has_next"] is False
            break
        assert "after=" in answer["next"] and "kind=phan_anh" in answer["next"]
        by_url = client.get(answer["next"], headers=auth).get_json()
        by_cursor = client.get(f"/api/v1/petitions?per_page=3&kind=phan_anh&after={answer['next_cursor']}",
                               headers=auth).get_json()
        assert [i["code"] for i in by_url["items"]] == [i["code"] for i in by_cursor["items"]]
        pages += 1
        assert by_url["page"] == pages
        answer = by_url
    assert pages == 3 and len(seen) == len(set(seen)) == 7 and first["total"] == 7
    by_page = [client.get(f"/api/v1/petitions?per_page=3&kind=phan_anh&page={n}", headers=auth).get_json()
               for n in (1, 2, 3)]
    assert [i["code"] for a in by_page for i in a["items"]] == seen


def test_a_cursor_reaches_only_what_the_caller_may_list(client, session):
    for i in range(4):
        post(client, {**VALID, "content": f"Đèn đường hỏng số {i} ở tổ dân phố 3."})
    secret = post(client, {**VALID, "kind": "to_cao", "category": "can_bo_cong_vu",
                           "content": "Tôi tố cáo cán bộ địa chính xã nhận tiền của dân."}).get_json()["code"]
    triage = {"Authorization": f"Bearer {staff_token(session, username='vp')}"}
    other = {"Authorization": f"Bearer {staff_token(session, username='vhxh', office='phong_vhxh')}"}
    cursor = client.get("/api/v1/petitions?per_page=1", headers=triage).get_json()["next_cursor"]
    answer = client.get(f"/api/v1/petitions?per_page=5&after={cursor}", headers=other).get_json()
    assert secret not in json.dumps(answer) and "Nguyễn Văn An" not in json.dumps(answer, ensure_ascii=False)


def test_a_bad_cursor_is_a_422_naming_after(client, session):
    auth = {"Authorization": f"Bearer {staff_token(session)}"}
    answer = client.get("/api/v1/petitions?after=abc", headers=auth)
    body = answer.get_json()
    assert answer.status_code == 422 and "after" in json.dumps(body)
    assert "vị trí trang" in json.dumps(body, ensure_ascii=False)
