"""Issue #19 through HTTP: the inbox says "hơn N" when a search or a view of every unit has more than it counts,
and the exact figure otherwise; the same rows either way; API v1's total says when it is not exact."""
from __future__ import annotations

import re

from service.domain.casework import lookup, search
from tests import factories
from tests.factories import builder

UNIT, OTHER_UNIT = "11914", "11737"

make = builder(content="Mặt đường ngập nước sau mưa.", unit=UNIT, address=None, consent=True, days_ago=1,
               commit=True)


def rows(response) -> list[str]:
    return re.findall(r'data-row="([^"]+)"', response.get_data(as_text=True))


def test_a_search_with_more_matches_than_it_ranks_says_hon(session, login_as, monkeypatch):
    made = [make(session, f"Mặt đường số {i} ngập nước.", unit=UNIT if i % 2 else OTHER_UNIT) for i in range(5)]
    secret = make(session, "Tố cáo cán bộ để đường ngập nước.", kind="to_cao", category="can_bo_cong_vu",
                  name="Lê Tố Giác")
    admin, clerk = login_as("admin"), login_as("staff", office="phong_kinh_te")
    exact = admin.get("/can-bo/don?q=ngap+nuoc")
    assert "6 đơn" in exact.get_data(as_text=True) and len(rows(exact)) == 6
    monkeypatch.setattr(lookup, "RANK_CAP", 3)
    capped = admin.get("/can-bo/don?q=ngap+nuoc")
    page = capped.get_data(as_text=True)
    assert capped.status_code == 200 and "hơn 3" in page and "Hơn 3 đơn phù hợp" in page
    assert set(rows(capped)) == {p.code for p in sorted(made + [secret], key=lambda p: -p.id)[:3]}  # the newest
    # a plain member of the handling office never finds the denunciation, capped or not
    assert secret.code not in rows(clerk.get("/can-bo/don?q=ngap+nuoc"))
    api = admin.get("/api/v1/petitions?q=ngap+nuoc&per_page=2",
                    headers=factories.bearer(session, "api-admin", "admin", None, None)).get_json()
    assert api["total_exact"] is False and api["total"] >= 4 and api["has_next"]


def test_a_view_of_every_unit_says_hon_past_its_cap_one_unit_is_exact(session, login_as, monkeypatch):
    for i in range(4):
        make(session, f"Đèn đường số {i} hỏng.", unit=UNIT if i % 2 else OTHER_UNIT)
    monkeypatch.setattr(search, "CROSS_UNIT_COUNT_CAP", 2)
    assert "hơn 2" in login_as("admin").get("/can-bo/don").get_data(as_text=True)
    unit_page = login_as("staff", office="van_phong").get("/can-bo/don").get_data(as_text=True)
    assert "hơn 2" not in unit_page and "2 đơn" in unit_page
