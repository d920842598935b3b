"""Finding a hotline caller's petition without its code (issue 20 point 2): by phone in any spelling and by exact
name, never a denunciation by its denouncer's phone for someone who may not know who denounced (Luật Tố cáo
Điều 47 k2); word searches rank whole-word, accent-exact matches first."""
from __future__ import annotations

import re

import pytest

from tests.factories import bearer, builder

UNIT = "11914"
make = builder(unit=UNIT, consent=True, days_ago=1, commit=True)
DENOUNCER_PHONE = "0987111222"


def codes_in(response) -> list[str]:
    return re.findall(r'<th scope="row"><a href="/can-bo/don/([A-Z0-9-]+)"', response.get_data(as_text=True))


def api_codes(client, headers, q) -> list[str]:
    answer = client.get("/api/v1/petitions", query_string={"q": q}, headers=headers)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return [item["code"] for item in answer.get_json()["items"]]


@pytest.mark.parametrize("spelling", ["0913.246.810", "+84913246810", "0913 246 810", "84913246810"])
def test_a_phone_in_any_spelling_finds_the_petition(session, client, login_as, spelling):
    mine = make(session, "Rãnh thoát nước bị lấp.", name="Bùi Văn Gọi", phone="0913 246 810")
    other = make(session, "Đèn đường hỏng.", name="Lê Thị Hoa", phone="0912000111")
    vp = login_as("staff", office="van_phong")
    assert codes_in(vp.get("/can-bo/don", query_string={"q": spelling})) == [mine.code]
    headers = bearer(session, "api_vp", "staff", UNIT, "van_phong")
    assert api_codes(client, headers, spelling) == [mine.code]
    assert other.code not in api_codes(client, headers, spelling)


def test_an_exact_name_finds_the_petition_with_or_without_accents(session, login_as):
    mine = make(session, "Rãnh thoát nước bị lấp.", name="Bùi Văn Gọi", phone="0913246810")
    make(session, "Đèn đường hỏng.", name="Bùi Văn Gọi Hai", phone="0912000111")
    vp = login_as("staff", office="van_phong")
    for q in ("Bùi Văn Gọi", "bui van goi"):
        assert codes_in(vp.get("/can-bo/don", query_string={"q": q})) == [mine.code]


@pytest.fixture
def denunciation(session):
    return make(session, "Tố cáo cơ sở chế biến hải sản xả nước thải chưa xử lý ra bãi biển vào ban đêm.",
                kind="to_cao", category="moi_truong", name="Đỗ Minh Khang", phone=DENOUNCER_PHONE)


def test_the_denouncers_phone_or_name_never_finds_the_denunciation_for_who_may_not_know_him(
        session, client, login_as, denunciation):
    """Plain staff of the handling office (who list it, without the denouncer) and an admin (not a handler)
    search the denouncer's phone and name: nothing. Văn phòng and the head of the office find it."""
    code = denunciation.code
    plain = login_as("staff", office="phong_kinh_te")
    assert code in codes_in(plain.get("/can-bo/don", query_string={"q": "hải sản"}))  # it is in their list
    for q in ("0987.111.222", "+84987111222", "Đỗ Minh Khang"):
        assert code not in codes_in(plain.get("/can-bo/don", query_string={"q": q})), q
    admin = login_as("admin")
    assert code in codes_in(admin.get("/can-bo/don", query_string={"q": "hải sản"}))
    assert code not in codes_in(admin.get("/can-bo/don", query_string={"q": "0987 111 222"}))
    api_plain = bearer(session, "api_kt", "staff", UNIT, "phong_kinh_te")
    assert code not in api_codes(client, api_plain, "0987111222")
    for role, office in (("staff", "van_phong"), ("office_head", "phong_kinh_te")):
        allowed = login_as(role, office=office)
        assert codes_in(allowed.get("/can-bo/don", query_string={"q": "0987.111.222"})) == [code], role
    api_vp = bearer(session, "api_vp2", "staff", UNIT, "van_phong")
    assert api_codes(client, api_vp, "+84987111222") == [code]


def test_huong_ranks_the_whole_accented_word_first(session, client, login_as):
    direction = make(session, "Đề nghị sửa biển chỉ hướng ở ngã ba thôn Đông.", days_ago=3)
    ward = make(session, "Đường phương án tránh ngập chưa được làm.", days_ago=2)
    person = make(session, "Bà Hương ở tổ 3 phản ánh cống vỡ.", days_ago=1)
    vp = login_as("staff", office="van_phong")
    found = codes_in(vp.get("/can-bo/don", query_string={"q": "Hương"}))
    assert found == [person.code, direction.code, ward.code]
    headers = bearer(session, "api_rank", "staff", UNIT, "van_phong")
    assert api_codes(client, headers, "Hương") == [person.code, direction.code, ward.code]


def test_huong_without_accents_ranks_both_whole_words_before_one_inside_a_word(session, client, login_as):
    """Unaccented words rank against the petition's stored search text (folded once at intake, not again for
    each of the 500 candidates of a page): "hướng" and "Hương" are whole words there, "phương" is not."""
    direction = make(session, "Đề nghị sửa biển chỉ hướng ở ngã ba thôn Đông.", days_ago=3)
    ward = make(session, "Đường phương án tránh ngập chưa được làm.", days_ago=2)
    person = make(session, "Bà Hương ở tổ 3 phản ánh cống vỡ.", days_ago=1)
    vp = login_as("staff", office="van_phong")
    assert codes_in(vp.get("/can-bo/don", query_string={"q": "huong"})) == [direction.code, person.code, ward.code]
    headers = bearer(session, "api_rank2", "staff", UNIT, "van_phong")
    assert api_codes(client, headers, "huong") == [direction.code, person.code, ward.code]
