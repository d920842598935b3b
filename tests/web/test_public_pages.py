"""The citizen pages through the Flask test client: landing page, form, confirmation, status, rating."""
from __future__ import annotations

import datetime as dt
import io
import re
from html.parser import HTMLParser

import pytest
from PIL import Image
from sqlalchemy import func, select, text

from service.models.attachment import Attachment
from service.models.person import Person
from service.models.petition import Petition
from service.models.rating import Rating
from service.models.reply import Reply
from service.web.formatting import date_vn, datetime_vn

NAM_DO_SON = "11737"  # Phường Nam Đồ Sơn
NEUTRAL = "Không tìm thấy đơn với mã và số điện thoại này"


# ---- helpers --------------------------------------------------------------------------------

def petition_count(database) -> int:
    with database.session_scope() as s:
        return s.execute(text("SELECT COUNT(*) FROM petitions")).scalar_one()


def token(client) -> str:
    html = client.get("/gui-don").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def valid_form(client, **overrides) -> dict:
    data = {"csrf_token": token(client), "unit": NAM_DO_SON, "kind": "",
            "title": "Đèn đường hỏng", "content": "Đèn đường ngõ 12 phố Lý Thánh Tông tắt đã hai tuần.",
            "place": "Ngõ 12 Lý Thánh Tông", "name": "Nguyễn Văn An", "address": "Số 3 ngõ 12",
            "phone": "0912 345 678", "email": "", "co_signers": "", "consent": "1"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def submit(client, **overrides):
    return client.post("/gui-don", data=valid_form(client, **overrides), content_type="multipart/form-data")


def submitted_code(client, **overrides) -> str:
    response = submit(client, **overrides)
    assert response.status_code == 303, response.get_data(as_text=True)
    return response.headers["Location"].rsplit("/", 1)[1]


class FormParser(HTMLParser):
    """Collects the visible inputs and the `for` targets of labels."""

    def __init__(self):
        super().__init__()
        self.inputs: list[dict] = []
        self.label_for: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "label" and attrs.get("for"):
            self.label_for.add(attrs["for"])
        if tag in ("input", "select", "textarea") and attrs.get("type") != "hidden":
            self.inputs.append(attrs)


def parse(html: str) -> FormParser:
    parser = FormParser()
    parser.feed(html)
    return parser


# ---- landing page and form --------------------------------------------------------------------

def test_landing_page_explains_kinds_identity_deadlines_and_channels(client):
    response = client.get("/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<html lang="vi">' in html
    for words in ("Phản ánh", "Kiến nghị", "Khiếu nại", "Tố cáo", "Luật Khiếu nại, Điều 8", "Luật Tố cáo, Điều 23",
                  "Luật Tố cáo, Điều 47", "Luật Tố cáo, Điều 25", "giữ bí mật", "nặc danh", "10 ngày làm việc",
                  "30 ngày", "Zalo", "Telegram", "Bỏ qua, tới nội dung chính"):
        assert words in html, words
    assert 'href="/gui-don"' in html and 'href="/tra-cuu"' in html


def test_form_offers_every_unit_grouped_by_kind_and_labels_every_input(client):
    response = client.get("/gui-don")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert len(re.findall(r"<option value=\"\d+\" data-folded", html)) == 115  # 114 units and the city
    for group in ("Phường", "Xã", "Đặc khu", "Thành phố"):
        assert f'<optgroup label="{group}">' in html
    assert html.index('label="Phường"') < html.index('label="Xã"') < html.index('label="Đặc khu"') \
        < html.index('label="Thành phố"')
    assert 'enctype="multipart/form-data"' in html
    assert 'type="file" multiple accept="image/*,application/pdf"' in html
    assert "Chưa rõ — để cán bộ phân loại" in html and "Luật Tiếp công dân, Điều 29" in html
    assert "91/2025/QH15" in html
    page = parse(html)
    ids = [i.get("id") for i in page.inputs]
    assert all(ids) and set(ids) <= page.label_for, set(ids) - page.label_for
    assert {"f-content", "f-unit", "f-unit-search", "f-phone", "f-consent", "f-attachments"} <= set(ids)
    assert 'src="/static/form.js"' in html and "<script>" not in html  # CSP: no inline script


@pytest.mark.parametrize("query", ["nam do son", "NAM ĐỒ SƠN", "  nam   đo son "])
def test_unit_search_ignores_diacritics_and_narrows_the_select(client, query):
    html = client.get("/gui-don", query_string={"tim": query}).get_data(as_text=True)
    options = re.findall(r'<option value="(\d+)" data-folded="[^"]*"( selected)?>([^<]+)</option>', html)
    assert options == [(NAM_DO_SON, " selected", "Phường Nam Đồ Sơn")]
    assert "Có 1 nơi phù hợp" in html


def test_unit_search_without_match_keeps_the_whole_list(client):
    html = client.get("/gui-don", query_string={"tim": "khong co noi nay"}).get_data(as_text=True)
    assert "Không tìm thấy nơi nào phù hợp" in html
    assert len(re.findall(r"data-folded=", html)) == 115


# ---- submitting ---------------------------------------------------------------------------------

def test_valid_post_stores_one_petition_and_redirects_to_confirmation(client, database, session):
    before = petition_count(database)
    data = valid_form(client)
    data["attachments"] = [(io.BytesIO(png_bytes()), "anh-den-duong.png", "image/png")]
    response = client.post("/gui-don", data=data, content_type="multipart/form-data")
    assert response.status_code == 303
    assert petition_count(database) == before + 1
    code = response.headers["Location"].rsplit("/", 1)[1]
    assert response.headers["Location"].endswith(f"/da-gui/{code}")

    petition = session.scalar(select(Petition).where(Petition.code == code))
    assert petition.channel == "web" and petition.unit.code == NAM_DO_SON
    assert petition.content.startswith("Đèn đường ngõ 12") and petition.place == "Ngõ 12 Lý Thánh Tông"
    people = session.scalars(select(Person).where(Person.petition_id == petition.id)).all()
    assert [(p.name, p.phone) for p in people] == [("Nguyễn Văn An", "0912345678")]
    files = session.scalars(select(Attachment).where(Attachment.petition_id == petition.id)).all()
    assert [f.content_type for f in files] == ["image/png"]

    page = client.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f'<p class="tracking-code" aria-labelledby="code-label" data-code>{code}</p>' in html
    first = min((d for d in petition.deadlines if d.cancelled_at is None), key=lambda d: d.due_at)
    assert f"Chậm nhất ngày <strong>{date_vn(first.due_at)}</strong>" in html
    assert "Phường Nam Đồ Sơn" in html and petition.lead_office.name in html
    assert f'href="/tra-cuu/{code}"' in html
    assert len(re.findall(r'<span class="spoken__char">', html)) == 9  # how to read the code aloud


def test_confirmation_page_is_only_for_the_browser_that_submitted(app, client):
    code = submitted_code(client)
    stranger = app.test_client()
    response = stranger.get(f"/da-gui/{code}")
    html = response.get_data(as_text=True)
    # Opened later in another browser: what is needed (the code and the phone), with the look-up form; nothing
    # of the petition, and the same page for a code that does not exist.
    assert response.status_code == 404 and "Không thực hiện được" not in html
    assert "mã đơn" in html and "số điện thoại đã khai khi gửi đơn" in html and 'action="/tra-cuu"' in html
    assert "Nguyễn Văn An" not in html and "Đèn đường" not in html and "Chậm nhất" not in html
    unknown = client.get("/da-gui/AAAA-AAAA-A")
    assert unknown.status_code == 404
    assert unknown.get_data(as_text=True).replace("AAAA-AAAA-A", code) == html


@pytest.mark.parametrize("overrides, field, message", [
    ({"consent": None}, "consent", "Cần có sự đồng ý của người gửi cho việc xử lý dữ liệu cá nhân"),
    ({"content": "   "}, "content", "Cần nhập nội dung."),
    ({"phone": "12345"}, "phone", "Số điện thoại không phải số Việt Nam hợp lệ"),
    ({"co_signers": "nhiều"}, "co_signers", "Số người cùng ký phải từ 0 đến"),
    ({"kind": "khieu_nai", "name": "", "address": "", "phone": ""}, "name", "Đơn khiếu nại cần ghi rõ họ tên"),
])
def test_invalid_post_shows_inline_errors_keeps_input_and_stores_nothing(client, database, overrides, field, message):
    before = petition_count(database)
    response = submit(client, **{"title": "Tiêu đề giữ nguyên", **overrides})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert petition_count(database) == before
    assert 'id="error-summary" role="alert"' in html
    assert re.search(rf'<li><a href="#f-{field}">{re.escape(message)}', html)
    assert re.search(rf'<p class="field-error" id="f-{field}-error"><span class="visually-hidden">Lỗi: </span>'
                     rf'{re.escape(message)}', html)
    tag = re.search(rf'<(?:input|textarea)[^>]*id="f-{field}"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in tag and f"f-{field}-error" in tag
    assert 'value="Tiêu đề giữ nguyên"' in html  # the user's input is kept


def test_a_text_file_named_jpg_is_refused_from_its_bytes(client, database):
    before = petition_count(database)
    data = valid_form(client, content="Nội dung vẫn còn sau khi báo lỗi")
    data["attachments"] = [(io.BytesIO(b"just some text, not a picture"), "anh.jpg", "image/jpeg")]
    response = client.post("/gui-don", data=data, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert petition_count(database) == before
    assert 'id="f-attachments-error"' in html and "anh.jpg không phải ảnh" in html
    assert "Nội dung vẫn còn sau khi báo lỗi</textarea>" in html


def test_missing_consent_with_files_asks_to_choose_them_again(client, database):
    data = valid_form(client, consent=None)
    data["attachments"] = [(io.BytesIO(png_bytes()), "anh.png", "image/png")]
    html = client.post("/gui-don", data=data, content_type="multipart/form-data").get_data(as_text=True)
    assert "vui lòng chọn lại tệp đính kèm" in html


@pytest.mark.parametrize("csrf", [None, "forged-token"])
def test_post_without_the_browsers_csrf_token_is_refused(client, database, csrf):
    before = petition_count(database)
    response = submit(client, csrf_token=csrf)
    assert response.status_code == 400
    assert "Phiên làm việc đã hết hạn" in response.get_data(as_text=True)
    assert petition_count(database) == before


def test_anonymous_denunciation_is_stored_without_identity_and_found_by_code_and_access_key(app, client, session):
    # Issue #14: the code alone no longer opens a petition without a phone; its access key does.
    code = submitted_code(client, kind="to_cao", anonymous="1",
                          content="Cán bộ địa chính phường thu tiền ngoài quy định khi làm sổ đỏ.")
    petition = session.scalar(select(Petition).where(Petition.code == code))
    assert petition.anonymous and petition.kind == "to_cao"
    assert session.scalar(select(func.count()).select_from(Person).where(Person.petition_id == petition.id)) == 0
    page = client.get(f"/da-gui/{code}").get_data(as_text=True)
    key = re.search(r"data-access-key>([^<]+)<", page).group(1)
    stranger = app.test_client()
    response = stranger.post("/tra-cuu", data={"code": code.lower().replace("-", ""), "phone": ""})
    assert response.status_code == 422 and "Vui lòng nhập số điện thoại" in response.get_data(as_text=True)
    assert "Tình trạng đơn" not in response.get_data(as_text=True)  # the code alone opens nothing
    response = stranger.post("/tra-cuu", data={"code": code.lower().replace("-", ""), "phone": key.lower()})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/tra-cuu/{code}")


def test_too_large_request_shows_a_vietnamese_page_and_stores_nothing(make_app, database):
    client = make_app(MAX_CONTENT_LENGTH=4096).test_client()
    before = petition_count(database)
    data = valid_form(client)
    data["attachments"] = [(io.BytesIO(b"%PDF-" + b"0" * 10_000), "ho-so.pdf", "application/pdf")]
    response = client.post("/gui-don", data=data, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "Tệp gửi lên quá lớn — đơn chưa được gửi" in html and "mỗi tệp không quá 10 MB" in html
    assert petition_count(database) == before


def test_posting_is_rate_limited(make_app):
    client = make_app(RATELIMIT_ENABLED=True, RATELIMIT_PUBLIC="2 per minute").test_client()
    statuses = [submit(client, content="").status_code for _ in range(3)]
    assert statuses == [422, 422, 429]
    assert client.get("/gui-don").status_code == 200  # only the POST is limited


# ---- status and rating --------------------------------------------------------------------------

def test_status_page_with_the_right_phone_shows_timeline_and_deadlines(app, client, session):
    code = submitted_code(client)
    stranger = app.test_client()
    assert stranger.get(f"/tra-cuu/{code}").headers["Location"].endswith(f"/tra-cuu?code={code}")
    response = stranger.post("/tra-cuu", data={"code": code, "phone": "+84 912 345 678"})
    assert response.status_code == 303
    html = stranger.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Tình trạng đơn <span class=\"code-inline\">{code}</span>" in html
    assert "Đã tiếp nhận đơn" in html and "Quá trình xử lý" in html
    petition = session.scalar(select(Petition).where(Petition.code == code))
    assert datetime_vn(petition.received_at) in html
    assert "Chậm nhất ngày " + date_vn(petition.deadlines[0].due_at) in html
    assert "Chưa có trả lời" in html and 'name="score"' not in html
    by_get = app.test_client().get("/tra-cuu", query_string={"code": code, "phone": "0912345678"})
    assert by_get.status_code == 303


def test_wrong_phone_unknown_code_and_garbage_get_one_neutral_message(app, client):
    code = submitted_code(client)
    bodies = []
    for data in ({"code": code, "phone": "0987654321"},
                 {"code": "ABCD-EFGH-J", "phone": "0912345678"}, {"code": "<b>x</b>", "phone": "x"}):
        response = app.test_client().post("/tra-cuu", data=data)
        html = response.get_data(as_text=True)
        assert response.status_code == 404 and NEUTRAL in html and 'role="alert"' in html
        bodies.append(re.search(r'<div class="error-summary".*?</div>', html, re.S).group(0))
    assert len(set(bodies)) == 1
    assert "<b>x</b>" not in html


def test_rating_is_offered_only_after_an_answer(client, session, database):
    code = submitted_code(client)
    csrf = token(client)
    refused = client.post(f"/tra-cuu/{code}/danh-gia", data={"csrf_token": csrf, "score": "5"})
    assert refused.status_code == 409
    assert session.scalar(select(func.count()).select_from(Rating)) == 0

    petition = session.scalar(select(Petition).where(Petition.code == code))
    petition.status = "answered"
    session.add(Reply(petition_id=petition.id, kind="answer", text="Đã thay bóng đèn.\nCảm ơn ông.",
                      document_number="12/UBND"))
    session.commit()

    html = client.get(f"/tra-cuu/{code}").get_data(as_text=True)
    assert "Đã thay bóng đèn." in html and "Văn bản số 12/UBND" in html
    assert "<legend class=\"choices__legend\">Bạn hài lòng với việc giải quyết đơn đến mức nào?</legend>" in html
    for score in range(1, 6):
        assert f'<input type="radio" id="f-score-{score}" name="score" value="{score}">' in html
        assert f'<label for="f-score-{score}">{score} — ' in html

    bad = client.post(f"/tra-cuu/{code}/danh-gia", data={"csrf_token": csrf, "score": "9"})
    assert bad.status_code == 422 and "Điểm đánh giá phải từ 1 đến 5." in bad.get_data(as_text=True)
    assert client.post(f"/tra-cuu/{code}/danh-gia", data={"score": "4"}).status_code == 400  # no CSRF
    done = client.post(f"/tra-cuu/{code}/danh-gia", data={"csrf_token": csrf, "score": "4", "comment": "Nhanh"})
    assert done.status_code == 303
    assert "Cảm ơn bạn đã đánh giá" in client.get(done.headers["Location"]).get_data(as_text=True)
    session.expire_all()
    assert [(r.score, r.comment) for r in session.scalars(select(Rating))] == [(4, "Nhanh")]


def test_rating_from_another_browser_needs_the_phone(app, client, session):
    code = submitted_code(client)
    session.scalar(select(Petition).where(Petition.code == code)).status = "closed"
    session.commit()
    other = app.test_client()
    csrf = token(other)
    wrong = other.post(f"/tra-cuu/{code}/danh-gia", data={"csrf_token": csrf, "score": "2", "phone": "0987654321"})
    assert wrong.status_code == 404 and NEUTRAL in wrong.get_data(as_text=True)
    right = other.post(f"/tra-cuu/{code}/danh-gia", data={"csrf_token": csrf, "score": "2", "phone": "0912345678"})
    assert right.status_code == 303


def test_html_in_citizen_input_is_escaped_on_every_page(client, session):
    evil = "<script>alert('x')</script>"
    code = submitted_code(client, title=f"Tiêu đề {evil}", content=f"Nội dung {evil}", name=f"Tên {evil}")
    petition = session.scalar(select(Petition).where(Petition.code == code))
    petition.status = "answered"
    session.add(Reply(petition_id=petition.id, kind="answer", text=f"Trả lời {evil}"))
    session.commit()
    pages = [client.get(f"/da-gui/{code}"), client.get(f"/tra-cuu/{code}"),
             submit(client, content=f"Nội dung {evil}", phone="sai", place=evil),
             client.get("/gui-don", query_string={"tim": evil}),
             client.post("/tra-cuu", data={"code": evil, "phone": evil})]
    for page in pages:
        html = page.get_data(as_text=True)
        assert "<script>alert" not in html, page.request.path
    assert "&lt;script&gt;alert" in pages[1].get_data(as_text=True)  # title and answer, shown as text
    assert "&lt;script&gt;alert" in pages[2].get_data(as_text=True)  # kept in the form, as text


def test_date_filters_use_vietnam_time():
    late = dt.datetime(2026, 12, 7, 17, 30, tzinfo=dt.timezone.utc)
    assert date_vn(late) == "08/12/2026"
    assert datetime_vn(late) == "08/12/2026 00:30"
    assert datetime_vn(dt.datetime(2026, 1, 2, 3, 4)) == "02/01/2026 10:04"  # naive means UTC
    assert date_vn(dt.date(2026, 7, 1)) == "01/07/2026"
    assert date_vn(None) == "" and datetime_vn(None) == ""
