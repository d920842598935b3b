"""Drafts of the written answer to a petition, and the legal basis of each action's notice, for the staff console.

The notices the workflow sends itself (thụ lý, không thụ lý, chuyển đơn, hướng dẫn, gia hạn) are rendered from
config/notices by `notify`; the answer is written by staff, so the console prefills it from the draft below,
with the petition's data and the article that governs it. A draft never names the petitioner ("ông/bà"): a
denouncer's identity stays out of any text that leaves the case file (Luật Tố cáo Điều 47).
"""
from __future__ import annotations

import datetime as dt
from string import Template

from service.db import utcnow
from service.domain.codes import KINDS
from service.domain.deadlines.calendar import VN_TZ
from service.domain.errors import ValidationFailed
from service.domain.matters.titles import title_for
from service.domain.notifications import outbox as notify
from service.models.petition import Petition

# What staff must replace before the answer can be sent.
BLANK = "[…]"

_KNPA = Template("""VĂN BẢN TRẢ LỜI ĐƠN ${KIND}
Ngày ${received}, ${unit} nhận được đơn ${kind} mã ${code} của ông/bà về việc: ${subject}.
Sau khi xem xét, ${office} trả lời như sau:
${blank} (nêu kết quả xem xét, việc đã làm hoặc sẽ làm, thời gian thực hiện)
Căn cứ: Luật Tiếp công dân 2013 Điều 28.
Ông/bà có thể tra cứu tình trạng đơn bằng mã ${code}.""")

_KHIEU_NAI = Template("""QUYẾT ĐỊNH GIẢI QUYẾT KHIẾU NẠI (LẦN ${round_vi})
Về đơn khiếu nại mã ${code} của ông/bà gửi ${unit} ngày ${received}, về việc: ${subject}.
Kết quả xác minh: ${blank}
Kết luận: ${blank} (nội dung khiếu nại đúng, đúng một phần hay sai)
Giải quyết: ${blank} (giữ nguyên, sửa đổi hoặc hủy bỏ quyết định, hành vi bị khiếu nại; bồi thường nếu có)
Căn cứ: ${basis}.
${rights}""")

_TO_CAO = Template("""THÔNG BÁO KẾT QUẢ GIẢI QUYẾT TỐ CÁO
Về đơn tố cáo mã ${code} gửi ${unit} ngày ${received}, về việc: ${subject}.
Kết luận nội dung tố cáo: ${blank} (tố cáo đúng, đúng một phần hay sai; hành vi vi phạm, trách nhiệm)
Biện pháp xử lý: ${blank}
Căn cứ: Luật Tố cáo 2018 Điều 35.""")

_RIGHTS = {
    1: "Trong thời hạn 30 ngày kể từ ngày nhận được quyết định này, nếu không đồng ý, ông/bà có quyền khiếu nại "
       "lần hai hoặc khởi kiện vụ án hành chính tại Tòa án (Luật Khiếu nại 2011 Điều 33).",
    2: "Nếu không đồng ý với quyết định này, ông/bà có quyền khởi kiện vụ án hành chính tại Tòa án "
       "(Luật Khiếu nại 2011 Điều 42).",
}
_KN_BASIS = {1: "Luật Khiếu nại 2011 Điều 31", 2: "Luật Khiếu nại 2011 Điều 40"}

# The notice each workflow action sends to the citizen (config/notices), for the basis shown beside its form.
ACTION_NOTICES = {"accept": "thu_ly", "return": "khong_thu_ly", "guide": "huong_dan", "transfer": "chuyen_don",
                  "extend": "gia_han"}


def answer_draft(petition: Petition, now: dt.datetime | None = None) -> str:
    """The answer's text with the petition's data filled in and `BLANK` where staff write the substance."""
    p = petition
    values = {"code": p.code, "kind": KINDS[p.kind].lower(), "KIND": KINDS[p.kind].upper(), "unit": p.unit.name,
              "office": p.lead_office.name if p.lead_office else p.unit.name, "subject": title_for(p),
              "received": f"{p.received_at.astimezone(VN_TZ):%d/%m/%Y}",
              "date": f"{(now or utcnow()).astimezone(VN_TZ):%d/%m/%Y}", "blank": BLANK}
    if p.kind == "khieu_nai":
        round_ = 2 if p.round >= 2 else 1
        return _KHIEU_NAI.substitute(values, round_vi="HAI" if round_ == 2 else "ĐẦU", basis=_KN_BASIS[round_],
                                     rights=_RIGHTS[round_])
    if p.kind == "to_cao":
        return _TO_CAO.substitute(values)
    return _KNPA.substitute(values)


def check_filled(text: str) -> str:
    """The answer as staff wrote it; refused while a `BLANK` of the draft is left in it."""
    text = (text or "").strip()
    if BLANK in text:
        raise ValidationFailed(f"Văn bản trả lời còn chỗ chưa điền “{BLANK}”: hãy viết nội dung thay cho chỗ đó.",
                               "The answer still contains a blank of the draft.",
                               fields={"text": [f"Còn chỗ “{BLANK}” chưa điền."]})
    return text


def action_basis(action: str, kind: str) -> str:
    """The legal basis quoted in the notice an action sends ("" when it sends none)."""
    if action == "answer":
        return {"khieu_nai": "Luật Khiếu nại 2011 Điều 31, Điều 40", "to_cao": "Luật Tố cáo 2018 Điều 35"}.get(
            kind, "Luật Tiếp công dân 2013 Điều 28")
    notice = ACTION_NOTICES.get(action)
    return notify.notice_basis(notice, kind) if notice else ""
