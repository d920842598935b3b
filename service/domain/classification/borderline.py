"""domain.md's borderline rules for the field, applied after the model: the object of the complaint outweighs
the business that causes it, and the office the writer turns to tells the field.

- Water supply, power cuts and street lighting are `ha_tang_giao_thong` even when a company (the water
  company, the power company, "nhà máy nước") is named: the supply is the object, the company its source.
  A utility *bill* is not: it stays with the model (domain.md: a private utility bill is `khac`); nor is
  a supply polluted (waste water in the wells): that is the pollution rule's.
- A road's surface sunk, broken or full of potholes is `ha_tang_giao_thong`, not construction: "lún" is
  the road's, not a house's, when the text names a road and no building.
- Smoke, dust, waste water and smell let out by a factory or a business are `moi_truong`: the pollution is
  the object, the business its source (`doanh_nghiep` is a business's own obstacles, domain.md).
- Street vendors, goods, vehicles or materials taking the pavement or the roadway are public order
  (`an_ninh_trat_tu`, domain.md), not the road's repair — unless the pavement itself is broken.
- A writer who turns to the police ("đề nghị công an phường…", "kính gửi Công an…") asks for public order;
  one who writes to the construction inspectors or Sở Xây dựng asks about building. This is read on the
  whole text, salutation included (`core_text` drops "Kính gửi …" for the model). An official accused of
  misconduct still makes the petition `can_bo_cong_vu` (the rule in model.py runs after these).

Each rule moves the field only away from the field it names as the usual mistake, and only when the model
gives the rule's field some probability (`FLOOR`): a rule fixes a confusion, it never overrides a clear text.
"""
from __future__ import annotations

import re

FLOOR = 0.01  # the rule's field must be at least this likely to the model

_BILL = re.compile(r"\b(?:tien dien|tien nuoc|hoa don|cong to|dong ho nuoc|chi so|gia dien|gia nuoc)\b")
_UTILITY = re.compile(r"\b(?:mat nuoc|nuoc may|nuoc sinh hoat|cap nuoc|khong co nuoc|mat dien|cat dien|cup dien|"
                      r"den duong|den chieu sang|khong co dien)\b")
_POLLUTION = re.compile(r"\b(?:xa khoi|khoi bui|khoi den|bui ban|bui bam|bui mu|nuoc thai|xa thai|dau thai|mui hoi|"
                        r"mui hoa chat|mui khet|o nhiem|khoi tu|quan trac)\b")
_PAVEMENT = r"(?:via he|long duong|le duong)"
_OCCUPY = re.compile(rf"\b(?:lan chiem|chiem dung|chiem|ban hang|bay hang|bay ban|hop cho|do xe|dau xe|do vat lieu|"
                     rf"do tran lan|tap ket)(?: \w+){{0,3}}? {_PAVEMENT}\b|\b{_PAVEMENT}(?: \w+){{0,2}}? bi "
                     r"(?:lan chiem|chiem)\b")
_BROKEN = re.compile(r"\b(?:vo|hong|sut|lun|o ga|xuong cap|nut|bong troc|vo nat)\b")
_ROAD = re.compile(r"\b(?:quoc lo|ql|tinh lo|mat duong|tuyen duong|duong truc|duong lien|km)\b")
_ROAD_DAMAGE = re.compile(r"\b(?:lun|sut|sut lun|o ga|o voi|hu hong|xuong cap|bong troc)\b")
_BUILDING = re.compile(r"\b(?:nha|tuong|tang|chung cu|cong trinh|xay|mong)\b")
_TURN_TO = r"(?:de nghi|kien nghi|yeu cau|nho|mong|bao|trinh bao|goi|kinh gui|gui|xin)(?: \w+){0,2}?"
_OFFICES = (
    ("an_ninh_trat_tu", re.compile(rf"\b{_TURN_TO} (?:cong an|canh sat|dan phong)\b")),
    ("xay_dung_nha_o", re.compile(rf"\b{_TURN_TO} (?:so xay dung|thanh tra xay dung|doi trat tu xay dung|"
                                  r"thanh tra so xay dung|phong quan ly do thi)\b")),
)

# (field moved to, fields it is moved away from, test on the folded core text, note)
_OBJECT_RULES = (
    ("ha_tang_giao_thong", ("doanh_nghiep", "moi_truong", "xay_dung_nha_o"),
     lambda t: bool(_UTILITY.search(t)) and not _BILL.search(t) and not _POLLUTION.search(t),
     "Quy tắc: cấp nước, điện, chiếu sáng là lĩnh vực Hạ tầng, giao thông, dù đơn nêu doanh nghiệp cung cấp."),
    ("ha_tang_giao_thong", ("xay_dung_nha_o",),
     lambda t: bool(_ROAD.search(t) and _ROAD_DAMAGE.search(t)) and not _BUILDING.search(t),
     "Quy tắc: mặt đường lún, sụt, hư hỏng là lĩnh vực Hạ tầng, giao thông (đối tượng là con đường)."),
    ("moi_truong", ("doanh_nghiep",), lambda t: bool(_POLLUTION.search(t)),
     ("Quy tắc: khói bụi, nước thải, mùi do cơ sở sản xuất kinh doanh gây ra là lĩnh vực Môi trường "
      "(đối tượng là ô nhiễm, không phải doanh nghiệp).")),
    ("an_ninh_trat_tu", ("ha_tang_giao_thong", "doanh_nghiep"),
     lambda t: bool(_OCCUPY.search(t)) and not _BROKEN.search(t),
     "Quy tắc: lấn chiếm vỉa hè, lòng đường là lĩnh vực An ninh, trật tự."),
)


def field_rule(core: str, whole: str, category: str, category_p: dict[str, float]) -> tuple[str, str] | None:
    """(field, note) when a borderline rule moves the model's field; `core` is the folded text the model reads,
    `whole` the folded text with its salutation."""
    objects = [(target, away, note) for target, away, test, note in _OBJECT_RULES if test(core)]
    for target, away, note in objects:
        if category in away and category_p.get(target, 0.0) >= FLOOR:
            return target, note
    if any(category == target for target, _, _ in objects):
        return None  # the object decided already: "đề nghị công an" about waste oil dumped is still pollution
    for target, pattern in _OFFICES:
        if category != target and category_p.get(target, 0.0) >= FLOOR and pattern.search(whole):
            return target, "Quy tắc: đơn gửi hoặc đề nghị cơ quan phụ trách lĩnh vực này giải quyết."
    return None
