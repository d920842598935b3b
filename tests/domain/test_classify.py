"""Vietnamese normalisation, the classifier on the held-out corpus, its rules and staff corrections."""
from __future__ import annotations

import json
import unicodedata

import pytest
from sqlalchemy import select

from service.domain.classification import calibration
from service.domain.classification import model as classify
from service.domain.classification.normalise import classifier_text, normalise
from service.domain.codes import categories
from service.domain.inbound import Actor
from service.domain.text import strip_marks
from service.models.event import Event
from service.models.job import ClassificationCorrection
from tests.factories import builder

STAFF = Actor(label="Cán bộ Văn phòng", role="staff")


def corpus_records() -> list[dict]:
    lines = classify.CORPUS_PATH.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


@pytest.fixture(scope="module")
def held_out_model():
    train_part, test_part = classify.split_corpus(corpus_records())
    model = classify.train([classify.Example(r["text"], r["kind"], r["category"]) for r in train_part])
    return model, test_part


# --- normalisation -----------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("Ko dc j", "không được gì"),
    ("k co ai xu ly", "không co ai xu ly"),
    ("a/c ơi, tdp 5 ko có đèn", "anh chị ơi, tổ dân phố 5 không có đèn"),
    ("UBND xã", "ủy ban nhân dân xã"),
    ("GPMB chậm", "giải phóng mặt bằng chậm"),
    ("mất CCCD làm lại ntn", "mất căn cước công dân làm lại như thế nào"),
    ("tiền bt gpmb", "tiền bồi thường giải phóng mặt bằng"),
    ("bt thì ko sao", "bình thường thì không sao"),
    ("nhà vs bẩn, đi vs mn", "nhà vệ sinh bẩn, đi với mọi người"),
    ("sdt của xã", "số điện thoại của xã"),
    ("k dk", "không được"),
    ("đk kết hôn", "đăng ký kết hôn"),
])
def test_chat_abbreviations_are_expanded(text, expected):
    assert normalise(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("hai triệu", "2000000"),
    ("năm trăm nghìn", "500000"),
    ("nộp thêm hai triệu rưỡi!", "nộp thêm 2500000!"),
    ("một triệu hai trăm nghìn đồng", "1200000 đồng"),
    ("hai trăm năm mươi nghìn", "250000"),
    ("mười lăm triệu", "15000000"),
    ("một trăm linh năm nghìn", "105000"),
    ("nam tram nghin dong", "500000 dong"),
    ("2tr", "2000000"),
    ("500k", "500000"),
    ("1tr5", "1500000"),
    ("1,5 triệu", "1500000"),
    ("3 trieu 5", "3500000"),
    ("hai triệu năm ngoái", "2000000 năm ngoái"),
    ("200.000 đồng", "200000 đồng"),
])
def test_amounts_in_words_become_digits(text, expected):
    assert normalise(text) == expected


@pytest.mark.parametrize("text", ["mười năm nay", "năm 2024", "ba người", "sau 2 năm", "hai tram bien ap",
                                  "trạm y tế", "12/3/2024", "100m2"])
def test_ordinary_words_are_not_read_as_amounts(text):
    assert normalise(text) == text


def test_nfd_input_normalises_like_nfc():
    nfc = "Đề nghị xã sửa đèn đường ở thôn Đông"
    nfd = unicodedata.normalize("NFD", nfc)
    assert nfd != nfc
    assert normalise(nfd) == normalise(nfc) == nfc.lower()


def test_classifier_text_is_the_same_with_and_without_diacritics():
    text = "Tôi khiếu nại quyết định bồi thường GPMB, giá đất quá thấp, ko đồng ý"
    assert classifier_text(text) == classifier_text(strip_marks(text))
    assert classifier_text(text) == ("toi khieu nai quyet dinh boi thuong giai phong mat bang gia dat qua thap "
                                     "khong dong y")


def test_common_misspellings_are_fixed():
    assert classifier_text("tôi khiếu lại quyết định") == "toi khieu nai quyet dinh"


# --- the corpus and the held-out accuracy --------------------------------------------------------------

def test_corpus_covers_every_kind_and_field():
    records = corpus_records()
    assert len(records) >= 300
    assert {r["kind"] for r in records} == {"khieu_nai", "to_cao", "kien_nghi", "phan_anh"}
    assert {r["category"] for r in records} == set(categories())
    assert all(r["text"] == unicodedata.normalize("NFC", r["text"]) for r in records)


def test_held_out_accuracy_is_above_the_floors(held_out_model):
    model, test_part = held_out_model
    decisions = [classify.classify(r["text"], model=model) for r in test_part]
    kind = sum(d.kind == r["kind"] for d, r in zip(decisions, test_part)) / len(test_part)
    field = sum(d.category == r["category"] for d, r in zip(decisions, test_part)) / len(test_part)
    assert kind >= 0.8, kind
    assert field >= 0.8, field


def test_text_without_diacritics_classifies_like_the_original(held_out_model):
    model, test_part = held_out_model
    same = 0
    for r in test_part:
        original = classify.classify(r["text"], model=model)
        bare = classify.classify(strip_marks(r["text"]), model=model)
        same += (original.kind, original.category) == (bare.kind, bare.category)
    assert same / len(test_part) >= 0.9


def test_training_is_deterministic():
    # Formerly asserted training under 10 s; a timing on a shared machine is not behaviour (house rules).
    examples = [classify.Example(r["text"], r["kind"], r["category"]) for r in corpus_records()[::3]]
    first, second = classify.train(examples), classify.train(examples)
    text = "den duong o ngo 5 hong ca thang, toi om, xa lap lai giup"
    a, b = classify.classify(text, model=first), classify.classify(text, model=second)
    assert (a.kind, a.category, a.confidence) == (b.kind, b.category, b.confidence)


# --- decisions, rules and explanations ------------------------------------------------------------------

def test_a_decision_has_confidences_cues_and_a_vietnamese_explanation():
    d = classify.classify("Tôi khiếu nại quyết định thu hồi đất của UBND xã vì giá bồi thường quá thấp.")
    assert (d.kind, d.category) == ("khieu_nai", "dat_dai")
    # confidence: the calibrated probability that the routed office is right (issue #17), no longer min(kind, field)
    assert 0 < d.confidence <= 1 and 0 < d.kind_confidence <= 1 and 0 < d.category_confidence <= 1
    assert d.office == "phong_kinh_te" and d.confidence >= d.threshold
    assert "khiếu nại" in d.cues and "bồi thường" in d.cues
    assert d.explanation.startswith("Loại đơn: Khiếu nại")
    assert "Lĩnh vực: Đất đai, bồi thường, tái định cư" in d.explanation
    assert not d.needs_review
    assert d.source == "rules+model"


def test_chat_without_diacritics_and_abbreviations_classifies():
    d = classify.classify("nha hang xom hat karaoke den 12h dem ko ngu dc, bao tdp roi ma k ai xu ly")
    assert (d.kind, d.category) == ("phan_anh", "an_ninh_trat_tu")


def test_a_report_naming_the_official_who_took_money_is_a_denunciation():
    d = classify.classify("Tôi phản ánh việc anh Hưng cán bộ địa chính xã đòi hai triệu mới ký xác nhận đất cho tôi.")
    assert (d.kind, d.category) == ("to_cao", "can_bo_cong_vu")
    assert "Quy tắc" in d.explanation


def test_an_unofficial_fee_with_no_official_named_is_an_administrative_procedure():
    d = classify.classify("Làm chứng thực ở xã phải nộp thêm 200.000 đồng tiền làm nhanh, không có biên lai.")
    assert d.category == "thu_tuc_hanh_chinh"
    assert d.kind != "to_cao"


def test_a_denunciation_of_an_official_is_the_officials_field_whatever_it_touches():
    d = classify.classify("Tôi tố cáo ông Tuấn cán bộ thanh tra xây dựng phường nhận tiền của các chủ công trình "
                          "xây dựng sai phép để bỏ qua không xử lý.")
    assert (d.kind, d.category) == ("to_cao", "can_bo_cong_vu")


def test_a_denunciation_of_a_private_person_keeps_its_field():
    d = classify.classify("Tôi tố cáo ông Sơn ở thôn 3 tự ý chiếm 500 m2 đất bãi bồi của xã, san lấp rồi bán lại "
                          "bằng giấy viết tay.")
    assert (d.kind, d.category) == ("to_cao", "dat_dai")


def test_a_problem_told_then_only_its_repair_asked_is_a_report():
    # domain.md: a report tells of a situation; asking to put right the very problem told does not make it a
    # recommendation. With and without diacritics.
    for text in ("Cống thoát nước đầu ngõ 12 bị vỡ, nước thải tràn ra đường, mùi hôi suốt cả tuần nay, "
                 "đề nghị phường cho người sửa chữa.",
                 "cong thoat nuoc dau ngo 12 bi vo, nuoc thai tran ra duong, mui hoi suot ca tuan nay, "
                 "de nghi phuong cho nguoi sua chua."):
        d = classify.classify(text)
        assert d.kind == "phan_anh", text
    from service.domain.classification.features import model_text, remedy_of_told_problem
    assert remedy_of_told_problem(model_text("Cống đầu ngõ vỡ, nước thải tràn ra đường, đề nghị phường sửa chữa."))


def test_a_change_proposed_is_a_recommendation_even_after_a_problem():
    from service.domain.classification.features import model_text, remedy_of_told_problem
    text = ("Đường vào thôn hay ngập, tối thì tối om. Tôi góp ý xã nên có kế hoạch lắp đặt đèn năng lượng "
            "mặt trời cho các ngõ.")
    assert not remedy_of_told_problem(model_text(text))


def test_the_official_named_right_after_to_cao_is_the_one_accused():
    from service.domain.classification.normalise import names_official_misconduct
    folded = classify.model_text("Tôi tố cáo bà Hoa, cán bộ văn hóa xã hội phường, làm hồ sơ cho người nhà.")
    assert names_official_misconduct(folded)
    private = classify.model_text("Tôi tố cáo ông Hải ở thôn 2 đổ đất lấn kênh, tôi đã báo cán bộ thôn nhiều lần.")
    assert not names_official_misconduct(private)


def test_a_petition_denouncing_an_official_by_name_is_a_denunciation_in_the_officials_field():
    d = classify.classify("Chúng tôi là các hộ thôn Bắc, tố cáo ông Đạt, cán bộ văn hóa xã hội xã, bớt xén tiền "
                          "quà Tết của các gia đình chính sách.")
    assert (d.kind, d.category) == ("to_cao", "can_bo_cong_vu")


def test_a_school_named_only_as_the_place_does_not_decide_the_field():
    from service.domain.classification.features import core_text
    assert "trường" not in core_text("Đề nghị phường làm gờ giảm tốc ở đoạn đường trước cổng trường tiểu học Lê Lợi, "
                                     "xe phóng nhanh lắm.")
    assert "trường" in core_text("Trường mầm non thôn Đông xuống cấp, mái dột, tường nứt.")


def test_a_message_without_content_is_sent_for_review():
    d = classify.classify("xin chào")
    assert d.needs_review
    assert "cần cán bộ" in d.explanation


def test_without_a_corpus_the_keywords_decide_and_review_is_asked(monkeypatch, tmp_path):
    monkeypatch.setattr(classify, "CORPUS_PATH", tmp_path / "missing.jsonl")
    d = classify.classify("Đèn đường hỏng, đề nghị sửa chữa")
    assert d.source == "rules" and d.needs_review
    assert d.category == "ha_tang_giao_thong"


# --- staff corrections -------------------------------------------------------------------------------------

submitted = builder(unit="11737", kind="phan_anh", category="khac", petitioner=None)


def test_record_correction_keeps_training_data_and_an_event(session):
    petition = submitted(session, "Cây xanh đổ chắn ngang đường sau bão, chưa ai dọn.", category="moi_truong")
    correction = classify.record_correction(session, petition, None, "ha_tang_giao_thong", STAFF, "Cây đổ chắn đường")
    assert correction.old_category == "moi_truong" and correction.new_category == "ha_tang_giao_thong"
    assert correction.new_kind == correction.old_kind == "phan_anh"
    assert petition.category == "ha_tang_giao_thong"
    event = session.scalars(select(Event).where(Event.petition_id == petition.id, Event.kind == "reclassified")).one()
    assert event.reason == "Cây đổ chắn đường" and event.data["category"] == ["moi_truong", "ha_tang_giao_thong"]
    assert classify.record_correction(session, petition, "phan_anh", "ha_tang_giao_thong", STAFF, "x") is None


def test_a_staff_correction_is_learnt_by_the_jobs_process_not_inside_the_request(session):
    # The correction is stored at once; the model that knows it comes from the job "classifier-retrain"
    # (tests/jobs/test_classifier_retrain.py runs it through `python -m service.jobs run`).
    petition = submitted(session, "Khu vui chơi trẻ em ở công viên có cầu trượt gãy, đề nghị kiểm tra.")
    before = classify.current_model(session)
    classify.record_correction(session, petition, "phan_anh", "chinh_sach_xa_hoi", STAFF, "Thiết chế cho trẻ em")
    assert session.scalar(select(ClassificationCorrection.id)) is not None
    assert classify.current_model(session) is before  # nothing was trained inside the request


# --- the corpus's voices, held out whole; calibration and the reasons for doubt ----------------------------

def test_the_corpus_has_voices_channels_units_and_few_self_named_kinds():
    records = corpus_records()
    assert len(records) >= 2000
    voices = {r["voice"] for r in records}
    assert voices >= {"original", "zalo_sms", "hotline", "formal", "rambling", "business", "decoy_place"}
    for voice in voices:
        rows = [r for r in records if r["voice"] == voice]
        assert {r["category"] for r in rows} == set(categories()), voice
        assert {r["kind"] for r in rows} == {"khieu_nai", "to_cao", "kien_nghi", "phan_anh"}, voice
    assert {r["unit"] for r in records} >= {"11737", "11914", "10804", "11668", "11311"}  # phường, đặc khu, xã
    assert len({r["channel"] for r in records}) >= 7
    generated = [r for r in records if r["voice"] != "original"]
    named = sum(r["names_kind"] for r in generated) / len(generated)
    assert 0.25 <= named <= 0.40, named


@pytest.fixture(scope="module")
def zalo_held_out():
    records = corpus_records()
    model = classify.train([classify.Example(r["text"], r["kind"], r["category"])
                            for r in records if r["voice"] != "zalo_sms"])
    return model, [r for r in records if r["voice"] == "zalo_sms"]


def test_a_voice_never_seen_in_training_is_classified(zalo_held_out):
    model, rows = zalo_held_out
    decisions = [classify.classify(r["text"], model=model) for r in rows]
    field = sum(d.category == r["category"] for d, r in zip(decisions, rows)) / len(rows)
    kind = sum(d.kind == r["kind"] for d, r in zip(decisions, rows)) / len(rows)
    office = sum(d.office == r["office"] for d, r in zip(decisions, rows) if r["kind"] != "to_cao") / \
        sum(r["kind"] != "to_cao" for r in rows)
    assert field >= 0.9 and office >= 0.9 and kind >= 0.85, (field, office, kind)
    kept = [(d, r) for d, r in zip(decisions, rows) if not d.needs_review]
    assert len(kept) >= 0.85 * len(rows)
    assert sum(d.office == r["office"] for d, r in kept if r["kind"] != "to_cao") / \
        sum(r["kind"] != "to_cao" for _, r in kept) >= 0.95


def test_the_review_threshold_is_stored_with_the_model():
    stored = calibration.load()
    assert stored.raw and stored.threshold == calibration.load(calibration.CALIBRATION_PATH).threshold
    assert 0.5 <= stored.threshold < 1
    model = classify.train([classify.Example(r["text"], r["kind"], r["category"]) for r in corpus_records()[::4]])
    assert model.calibration == stored
    text = "Đèn đường ngõ 5 hỏng cả tháng, đề nghị xã thay bóng đèn."
    d = classify.classify(text, model=model)
    assert d.threshold == stored.threshold and not d.needs_review
    model.calibration = calibration.Calibration(threshold=1.01)  # the model's own calibration decides review
    assert classify.classify(text, model=model).needs_review


def test_the_threshold_keeps_routed_petitions_right_and_review_within_budget():
    raw = [0.99] * 80 + [0.9] * 10 + [0.6] * 10
    right = [True] * 79 + [False] + [True] * 9 + [False] + [True] * 4 + [False] * 6
    fitted = calibration.fit(raw, right)
    kept = [ok for c, ok in zip(raw, right) if fitted(c) >= fitted.threshold]
    assert sum(kept) / len(kept) >= 0.97 and 1 - len(kept) / len(raw) <= 0.15


def test_an_unsure_decision_says_why():
    d = classify.classify("cho em hỏi chút việc ạ")
    assert d.needs_review and d.doubts
    assert "Chưa chắc vì" in d.explanation and "cần cán bộ Văn phòng" in d.explanation
    assert any("quá ngắn" in why or "không nêu" in why or "gần nhau" in why or "chưa rõ" in why for why in d.doubts)


@pytest.mark.parametrize("text, kind, category", [
    # the object of the complaint outweighs the place: a road by the school is a road
    ("Ngay trước cổng trường tiểu học, mặt đường bị sụt lún thành hố sâu, đã có người ngã xe.", "phan_anh",
     "ha_tang_giao_thong"),
    # a company writing about the lights of its street: infrastructure, not business
    ("CÔNG TY TNHH CƠ KHÍ ĐÔNG Á. Kính gửi: Ủy ban nhân dân xã Kim Thành. Công ty TNHH Cơ khí Đông Á (mã số doanh "
     "nghiệp 0201234567), trụ sở tại thôn Lai Khê. Cả dãy đèn đường ở thôn Lai Khê không sáng gần một tháng.",
     "phan_anh", "ha_tang_giao_thong"),
    # street vendors on the road: public order, not infrastructure
    ("cho tam hop tran ra long duong, xe k di dc", "phan_anh", "an_ninh_trat_tu"),
    # a slow civil-status dossier with nobody named: administrative procedure
    ("lam giay khai sinh cho con qua hen 2 tuan chua co", "phan_anh", "thu_tuc_hanh_chinh"),
    # mobile signal: outside the commune's offices
    ("song dt o thon yeu qua ko goi dc", "phan_anh", "khac"),
    # a concrete action asked for, without naming the kind: a recommendation
    ("xa lam on lap them den duong cho ngo 12 voi a", "kien_nghi", "ha_tang_giao_thong"),
    # a decision contested, without the word khiếu nại
    ("xa phat e 3 trieu vi de xe truoc cua nha, e ko dong y, xem lai cho e", "khieu_nai", "an_ninh_trat_tu"),
])
def test_borderline_rules_of_domain_md(text, kind, category):
    d = classify.classify(text)
    assert (d.kind, d.category) == (kind, category), d.explanation


def test_a_digit_like_sign_is_no_number_and_no_crash():
    """"²" is a digit to str.isdigit but no float: found by schemathesis over POST /api/v1/petitions (issue #18)."""
    assert "²" in classifier_text("Diện tích 50m² bị lấn chiếm, ²*")
