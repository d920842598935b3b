"""domain.md's borderline field rules applied after the model (service/domain/classification/borderline.py)."""
from __future__ import annotations

import pytest

from service.domain.classification import model as classify
from service.domain.classification.borderline import field_rule
from service.domain.classification.features import model_text
from service.domain.classification.normalise import classifier_text

SOME = {"ha_tang_giao_thong": 0.1, "moi_truong": 0.1, "an_ninh_trat_tu": 0.1, "xay_dung_nha_o": 0.1,
        "doanh_nghiep": 0.5, "khac": 0.1}


def moved(text: str, category: str, p: dict[str, float] = SOME) -> str | None:
    rule = field_rule(model_text(text), classifier_text(text), category, p)
    return rule[0] if rule else None


@pytest.mark.parametrize("text, wrong, right", [
    # the supply is the object, the company its source
    ("Nước máy ở tổ 7 có mùi tanh, đục, đề nghị công ty cấp nước kiểm tra.", "doanh_nghiep", "ha_tang_giao_thong"),
    ("mat dien ca ngay ma dien luc ko bao truoc", "doanh_nghiep", "ha_tang_giao_thong"),
    # the pollution is the object, the factory its source
    ("Xưởng tái chế nhựa ở cụm công nghiệp xả khói đen cả đêm, cả xóm ho.", "doanh_nghiep", "moi_truong"),
    # goods and vehicles on the pavement: public order
    ("Quán nhậu bày bàn ghế kín vỉa hè phố Cầu Đất, người đi bộ phải xuống lòng đường.", "ha_tang_giao_thong",
     "an_ninh_trat_tu"),
    # a road's surface sunk: the road, not a building
    ("Quốc lộ 10 đoạn qua thôn 3 bị lún sâu, ổ gà liên tục, xe máy hay ngã.", "xay_dung_nha_o", "ha_tang_giao_thong"),
    # the office the writer turns to
    ("Đề nghị công an xã lập chốt ở ngã tư chợ vào giờ tan học, xe phóng nhanh lắm.", "ha_tang_giao_thong",
     "an_ninh_trat_tu"),
    ("Kính gửi Thanh tra Sở Xây dựng. Chủ đầu tư tòa nhà thu thêm tiền chênh lệch ngoài hợp đồng.", "doanh_nghiep",
     "xay_dung_nha_o"),
])
def test_a_borderline_rule_moves_the_usual_mistake(text, wrong, right):
    assert moved(text, wrong) == right


@pytest.mark.parametrize("text, category", [
    # a utility bill is not the supply (domain.md: a private utility bill is khac)
    ("Điện lực tính tiền điện tháng này gấp ba, công tơ chạy sai.", "khac"),
    # a supply polluted by waste water is pollution, not the supply's repair
    ("Nước thải của xưởng chảy vào giếng, nước sinh hoạt của cả xóm có mùi hôi.", "moi_truong"),
    # a broken pavement is the road's repair, not public order
    ("Vỉa hè phố Lạch Tray bị vỡ nát, gạch bong tróc do các hộ kinh doanh cho ô tô lên xuống.", "ha_tang_giao_thong"),
    # a house sinking is construction, though a road is named
    ("Nhà tôi ở mặt đường tỉnh lộ 354 bị lún nứt tường từ khi công trình bên cạnh đào móng.", "xay_dung_nha_o"),
    # the object decided: waste oil dumped is pollution even when the police is asked
    ("Xe bồn đổ trộm dầu thải xuống kênh, đề nghị công an xã bắt giữ.", "moi_truong"),
])
def test_a_rule_never_overrides_what_the_text_is_about(text, category):
    assert moved(text, category) is None


def test_a_rule_needs_some_probability_from_the_model():
    text = "Nước máy ở tổ 7 có mùi tanh, đục, đề nghị công ty cấp nước kiểm tra."
    assert moved(text, "doanh_nghiep", {"doanh_nghiep": 0.999, "ha_tang_giao_thong": 0.0005}) is None


def test_a_request_to_the_police_is_public_order():
    d = classify.classify("de nghi cong an phuong lap chot o nga ba cho vao gio tan truong, xe may vuot den do "
                          "lien tuc")
    assert d.category == "an_ninh_trat_tu", d.explanation
