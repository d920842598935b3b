"""Grow the labelled corpus (config/corpus/petitions.jsonl) with petitions in six voices (issue #17).

    python scripts/make_corpus.py [--seed 17] [--per-voice 340]

Deterministic for a seed. The 450 hand-written petitions stay first, as voice `original`; the script
rewrites everything after them. Each generated row: text, kind, category, office (what domain.md's field
table and borderline rules give), style (= voice), voice, channel, unit (the commune-level unit the
petition is sent to) and names_kind (whether the text names its own kind; about a third do).

Voices differ in vocabulary and structure, so leaving one out (bench/classify.py) tests generalisation:
  zalo_sms     one-liners, no diacritics, k/ko/dc/ng, typos, colloquial words
  hotline      a clerk's third-person summary ("Công dân ... gọi đường dây nóng cho biết ...")
  formal       a long letter citing laws and decisions, "Kính gửi ... Trân trọng"
  rambling     a multi-topic complaint: side issues of other fields, the main request decides
  business     a company's letter (V/v, mã số doanh nghiệp), mostly business matters
  decoy_place  a petition that mentions a place or office of another field without being about it
"""
from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from corpus_topics import OFFICIALS, OFFICIALS_S, TOPICS  # noqa: E402

from service.domain.text import strip_marks  # noqa: E402

CORPUS = ROOT / "config" / "corpus" / "petitions.jsonl"
ORIGINAL_ROWS = 450
LEAD = {"dat_dai": "phong_kinh_te", "xay_dung_nha_o": "phong_kinh_te", "moi_truong": "phong_kinh_te",
        "ha_tang_giao_thong": "phong_kinh_te", "doanh_nghiep": "phong_kinh_te", "thu_tuc_hanh_chinh": "van_phong",
        "can_bo_cong_vu": "van_phong", "chinh_sach_xa_hoi": "phong_vhxh", "an_ninh_trat_tu": "cong_an",
        "khac": "van_phong"}
UNITS = {  # code: (name, kind, places)
    "11737": ("phường Nam Đồ Sơn", "phường", ["tổ dân phố số {n}", "ngõ {n}{n} phố Lý Thánh Tông", "khu Vạn Hương",
                                            "đường Nguyễn Hữu Cầu", "tổ dân phố Ngọc Xuyên"]),
    "11914": ("đặc khu Cát Hải", "đặc khu", ["thôn Xuân Đám", "khu Hoàng Châu", "thị trấn Cát Bà cũ", "thôn Gia Luận",
                                             "khu Bến Gót"]),
    "10804": ("xã Kim Thành", "xã", ["thôn Phương Mỹ", "thôn Lai Khê", "thôn Đồng Gia", "xóm Chùa thôn Cổ Dũng",
                                     "thôn Tuấn Hưng"]),
    "11668": ("xã An Khánh", "xã", ["thôn Đông Khê", "thôn Hạ Lũng", "xóm Đình thôn Mỹ Cụ", "thôn An Lão",
                                    "thôn Kiến Long"]),
    "11311": ("phường Hồng Bàng", "phường", ["ngõ {n}{n} Hoàng Văn Thụ", "tổ dân phố số {n}", "phố Tam Bạc",
                                             "ngõ chợ Sắt", "đường Hạ Lý"]),
}
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đỗ", "Bùi", "Đặng", "Ngô", "Đinh", "Lương", "Mạc"]
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Thu", "Quang", "Hồng", "Ngọc", "Xuân"]
GIVEN = ["Hùng", "Lan", "Tuấn", "Hoa", "Sơn", "Nga", "Bình", "Hạnh", "Dũng", "Mai", "Thắng", "Yến", "Khoa",
         "Tâm", "Phúc", "Quế", "Hải", "Trang"]
BUSINESSES = ["Công ty TNHH Thương mại Hải Long", "Công ty cổ phần Thủy sản Cát Bà", "Công ty TNHH Cơ khí Đông Á",
              "Hợp tác xã Nông nghiệp Kim Thành", "Công ty TNHH May mặc Phú Thịnh", "Công ty cổ phần Vật liệu An Khánh",
              "Hộ kinh doanh Minh Phát", "Công ty TNHH Logistics Đồ Sơn", "Doanh nghiệp tư nhân Thành Đạt"]
KIND_WEIGHTS = {"phan_anh": 0.27, "kien_nghi": 0.25, "khieu_nai": 0.24, "to_cao": 0.24}
NAMES_KIND_SHARE = 0.33
VOICE_CHANNELS = {"zalo_sms": ["zalo", "zalo", "sms", "telegram"], "hotline": ["hotline"],
                  "formal": ["in_person", "web", "email"], "rambling": ["web", "telegram", "zalo"],
                  "business": ["email", "web", "api"], "decoy_place": ["web", "zalo", "telegram", "hotline"]}
ORIGINAL_CHANNELS = {"chat": "telegram", "chat_nodiac": "zalo", "hotline": "hotline", "formal": "in_person",
                     "email": "email", "mixed": "web"}


class Writer:
    def __init__(self, rng: random.Random):
        self.r = rng

    def pick(self, items):
        return self.r.choice(items)

    def name(self) -> str:
        return f"{self.pick(SURNAMES)} {self.pick(MIDDLE)} {self.pick(GIVEN)}"

    def fill(self, text: str, unit: str, chat: bool = False) -> str:
        uname, _, places = UNITS[unit]
        while "{" in text:
            text = (text.replace("{place}", self.pick(places), 1).replace("{unit}", uname, 1)
                    .replace("{who}", self.pick(GIVEN) if chat else self.name(), 1)
                    .replace("{n}", str(self.r.randint(2, 9)), 1)
                    .replace("{decision}", f"{self.r.randint(100, 2999)}/QĐ-UBND", 1)
                    .replace("{date}", f"{self.r.randint(1, 28)}/{self.r.randint(1, 12)}/2026", 1)
                    .replace("{official}", self.official(chat), 1).replace("{name}", self.pick(GIVEN), 1))
        return text

    def official(self, chat: bool) -> str:
        return self.pick(OFFICIALS_S if chat else OFFICIALS)


# --- the parts of a petition, per kind ------------------------------------------------------------------------

def parts(topic: dict, kind: str, chat: bool) -> dict:
    suffix = "_s" if chat else ""
    key = {"phan_anh": "f", "kien_nghi": "ask", "khieu_nai": "dec", "to_cao": "wrong"}[kind]
    main = topic.get(key + ("_s" if chat and key != "f" else "")) if key != "f" else topic.get("s" if chat else "f")
    situation = topic.get("s" if chat else "f") or []
    return {"main": main, "situation": situation, "suffix": suffix}


def choose(rng: random.Random, field: str | None = None, kinds=None):
    """A (field, topic, kind) with the kind available in the topic."""
    while True:
        f = field or rng.choice(list(TOPICS))
        topic = rng.choice(TOPICS[f])
        available = [k for k, key in (("phan_anh", "f"), ("kien_nghi", "ask"), ("khieu_nai", "dec"), ("to_cao", "wrong"))
                     if topic.get(key) and (kinds is None or k in kinds)]
        if not available:
            continue
        weights = [KIND_WEIGHTS[k] for k in available]
        kind = rng.choices(available, weights)[0]
        return f, topic, kind


def office_for(field: str, kind: str) -> str:
    return "van_phong" if field == "can_bo_cong_vu" else LEAD[field]


# --- voices --------------------------------------------------------------------------------------------------

CHAT_WORDS = {"không": ["k", "ko", "hok", "khong"], "được": ["dc", "đc", "duoc"], "người": ["ng", "người"],
              "anh chị": ["a/c", "ac"], "em": ["e", "em"], "rồi": ["r", "roi"], "gì": ["j", "gi"],
              "biết": ["bit", "bik"], "với": ["vs", "voi"], "quá": ["wa", "qua"], "thôi": ["thui"]}


def chatify(w: Writer, text: str, diacritics: bool) -> str:
    words = text.split()
    out = []
    for word in words:
        bare = word.strip(",.?!").lower()
        if bare in CHAT_WORDS and w.r.random() < 0.7:
            word = word.lower().replace(bare, w.pick(CHAT_WORDS[bare]))
        elif len(word) > 4 and w.r.random() < 0.06:  # a typo: a letter dropped or doubled
            i = w.r.randrange(1, len(word) - 1)
            word = word[:i] + word[i + 1:] if w.r.random() < 0.5 else word[:i] + word[i] + word[i:]
        out.append(word)
    text = " ".join(out)
    if not diacritics:
        text = strip_marks(text)
    return text.lower() if w.r.random() < 0.8 else text


def zalo_sms(w: Writer, field, topic, kind, unit, named):
    greet = w.pick(["", "", "ad oi ", "xa oi ", "cho e hoi ", "alo ", "a/c oi ", "chao xa, "])
    main = w.fill(w.pick(parts(topic, kind, True)["main"]), unit, chat=True)
    sit = w.fill(w.pick(topic.get("s") or [""]), unit, chat=True)
    place = w.pick(["", "", " o " + strip_marks(w.fill("{place}", unit)).lower()])
    if kind == "phan_anh":
        body = (w.pick(["e phan anh ", "phan anh: ", "phan anh vu "]) if named else "") + main + place + \
            w.pick(["", ". ai xu ly vs", ". lau lam r ma k ai xu ly", " kinh khung", ". xa xem giup", "!!!", " met lam r"])
    elif kind == "kien_nghi":
        lead = w.pick(["e kien nghi ", "kien nghi xa ", "kien nghi "]) if named else \
            w.pick(["xin ", "mong xa ", "de nghi xa ", "nho xa ", "cho dan xin ", "xa co the ", "xa lam on "])
        body = (w.pick(["", sit + place + ". "]) + lead + main + w.pick(["", " a", " dc k a", " nhe", " voi a"]))
    elif kind == "khieu_nai":
        if named:
            body = w.pick(["e khieu nai vu ", "khieu nai: ", "e muon khieu nai "]) + main
        else:
            body = w.pick(["{m}, e ko dong y", "sao lai {m}? vo ly qua", "e ko chiu vu {m}, xa xem lai di",
                           "{m}. the la sai, de nghi xem lai cho e"]).format(m=main)
    else:
        if named:
            body = w.pick(["e to cao ", "to cao ", "e muon to cao vu "]) + main + w.pick(["", ". dung lo ten e nhe"])
        else:
            body = main + w.pick([". xu ly di", ". bao cho xa biet, dung noi ten e nhe", ". phai xu ly nghiem",
                                  " ma k ai dong vao"])
    return chatify(w, greet + body, diacritics=w.r.random() < 0.15)


def third_person(text: str) -> str:
    for mine, theirs in (("gia đình tôi", "gia đình công dân"), ("nhà tôi", "nhà công dân"), ("của tôi", "của công dân"),
                         ("mẹ tôi", "mẹ công dân"), ("bố tôi", "bố công dân"), ("chú tôi", "chú công dân"),
                         ("con tôi", "con công dân"), ("tôi", "công dân")):
        text = text.replace(mine, theirs)
    return text


def hotline(w: Writer, field, topic, kind, unit, named):
    who = w.pick(["Ông", "Bà", "Anh", "Chị"])
    caller = f"{who} {w.name()}"
    place = w.fill("{place}", unit)
    head = w.pick([f"{caller} (SĐT 09{w.r.randint(10000000, 99999999)}), trú tại {place}, gọi đường dây nóng",
                   f"Công dân {caller} ở {place} gọi điện", f"Cuộc gọi lúc {w.r.randint(7, 17)}h{w.r.randint(10, 59)}: {caller}",
                   f"Ghi nhận qua đường dây nóng: {caller}, {place},"])
    main = third_person(w.fill(w.pick(parts(topic, kind, False)["main"]), unit))
    sit = third_person(w.fill(w.pick(topic.get("f") or [""]), unit))
    if kind == "phan_anh":
        verb = "phản ánh" if named else w.pick(["cho biết", "báo", "thông tin", "nói"])
        tail = w.pick(["", " Công dân mong được kiểm tra.", " Sự việc đã kéo dài nhiều ngày.", " Người gọi rất bức xúc."])
        return f"{head} {verb} {main}.{tail}"
    if kind == "kien_nghi":
        verb = "kiến nghị" if named else w.pick(["đề nghị", "mong muốn", "đề xuất", "xin", "nhờ chính quyền"])
        lead = w.pick(["", f"Theo {who.lower()}, {sit}. "])
        return f"{lead}{head} {verb} {main}."
    if kind == "khieu_nai":
        if named:
            return f"{head} khiếu nại {main}, yêu cầu xem xét lại."
        return f"{head} cho rằng {main} là không đúng, ảnh hưởng quyền lợi của gia đình; {who.lower()} không đồng ý và yêu cầu giải quyết lại."
    if named:
        return f"{head} tố cáo {main}. Người gọi đề nghị giữ bí mật danh tính."
    return w.pick([f"Người gọi xin giấu tên, báo việc {main}; đề nghị xác minh, xử lý.",
                   f"{head} báo: {main}. {who} đề nghị xử lý nghiêm và không tiết lộ tên người báo."])


LAWS = {"khieu_nai": "Luật Khiếu nại năm 2011", "to_cao": "Luật Tố cáo năm 2018",
        "kien_nghi": "Luật Tiếp công dân năm 2013", "phan_anh": "Nghị định số 20/2008/NĐ-CP về tiếp nhận phản ánh, kiến nghị"}


def formal(w: Writer, field, topic, kind, unit, named):
    uname = UNITS[unit][0]
    place = w.fill("{place}", unit)
    intro = (f"Kính gửi: Ủy ban nhân dân {uname}. Tôi tên là {w.name()}, sinh năm 19{w.r.randint(45, 99)}, "
             f"số CCCD 0310{w.r.randint(10000000, 99999999)}, thường trú tại {place}, {uname}.")
    main = w.fill(w.pick(parts(topic, kind, False)["main"]), unit)
    sit = w.fill(w.pick(topic.get("f") or [""]), unit)
    date = w.fill("{date}", unit)
    if kind == "phan_anh":
        opening = "Tôi làm đơn này để phản ánh sự việc sau:" if named else "Tôi xin trình bày sự việc như sau:"
        body = f"{opening} từ ngày {date}, {main}. Sự việc đã ảnh hưởng đến đời sống của nhiều hộ dân."
        close = w.pick(["Kính mong Ủy ban quan tâm.", "Kính mong các cơ quan chức năng nắm bắt tình hình.", ""])
    elif kind == "kien_nghi":
        verb = "kiến nghị" if named else w.pick(["kính đề nghị", "trân trọng đề xuất", "kính mong"])
        body = (w.pick(["", f"Hiện nay {sit}. "]) +
                f"Căn cứ tình hình thực tế tại địa phương, tôi {verb} Ủy ban nhân dân {uname} {main}.")
        close = "Rất mong nhận được sự quan tâm."
    elif kind == "khieu_nai":
        law = LAWS["khieu_nai"] if named else "quy định của pháp luật"
        title = "ĐƠN KHIẾU NẠI. " if named else ""
        body = (f"{title}Ngày {date}, tôi nhận được văn bản về {main}. Tôi không đồng ý, vì việc này trái với "
                f"{law}, xâm phạm quyền và lợi ích hợp pháp của gia đình tôi. Đề nghị xem xét lại, hủy bỏ và giải quyết lại.")
        close = "Tôi xin chịu trách nhiệm về nội dung trình bày."
    else:
        law = LAWS["to_cao"] if named else "quy định của pháp luật"
        title = "ĐƠN TỐ CÁO. " if named else ""
        body = (f"{title}Tôi xin báo cáo với cơ quan có thẩm quyền về hành vi vi phạm: {main}. Căn cứ {law}, đề nghị "
                "xác minh, làm rõ và xử lý nghiêm người vi phạm; đề nghị giữ bí mật họ tên, địa chỉ của tôi.")
        close = "Tôi cam đoan nội dung trên là đúng sự thật."
    return " ".join(p for p in (intro, body, close, "Trân trọng.") if p)


def side_issue(w: Writer, field: str, unit: str) -> str:
    other = w.pick([f for f in TOPICS if f != field])
    topic = w.pick(TOPICS[other])
    text = w.fill(w.pick(topic.get("s") or topic.get("f")), unit)
    return w.pick([f"Còn chuyện {text} thì tôi nói mãi rồi, thôi để sau.", f"Nhân tiện nói thêm là {text}, nhưng cái đó không gấp.",
                   f"Chưa kể {text}, mà thôi.", f"Ngoài ra {text} nữa nhưng tôi không kêu chuyện đó."])


def rambling(w: Writer, field, topic, kind, unit, named):
    main = w.fill(w.pick(parts(topic, kind, w.r.random() < 0.4)["main"]), unit)
    sit = w.fill(w.pick(topic.get("f") or topic.get("s") or [""]), unit)
    opener = w.pick(["Tôi năm nay đã già, viết hơi dài mong các anh chị thông cảm.", "Thưa các anh chị, nói thật là tôi rất bức xúc.",
                     "Chuyện này kể ra dài dòng lắm.", "Tôi đã đi lại nhiều nơi rồi mà chưa ai giải quyết.", "Xin chào cán bộ xã."])
    side = side_issue(w, field, unit)
    if kind == "phan_anh":
        core = (f"{'Tôi phản ánh việc' if named else 'Việc chính là'} {main}. Ngày nào cũng vậy, cả xóm ai cũng biết.")
    elif kind == "kien_nghi":
        core = (f"{w.pick(['', 'Ở đây ' + sit + '. '])}Cho nên {'tôi kiến nghị' if named else 'tôi chỉ mong'} "
                f"chính quyền {main}, vậy thôi.")
    elif kind == "khieu_nai":
        core = (f"{'Tôi khiếu nại' if named else 'Điều tôi không chấp nhận được là'} {main}. Làm thế là thiệt cho nhà tôi, "
                "tôi không đồng ý, các anh chị xem lại cho.")
    else:
        core = (f"{'Tôi tố cáo' if named else 'Tôi phải nói ra là'} {main}. Mọi người sợ không dám nói, "
                "đề nghị xử lý nghiêm, đừng để lộ tên tôi.")
    order = w.r.random()
    pieces = [opener, side, core] if order < 0.5 else [opener, core, side]
    text = " ".join(pieces)
    return strip_marks(text) if w.r.random() < 0.2 else text


BUSINESS_FIELDS = ["doanh_nghiep"] * 5 + ["dat_dai", "xay_dung_nha_o", "moi_truong", "ha_tang_giao_thong",
                                         "thu_tuc_hanh_chinh", "can_bo_cong_vu", "an_ninh_trat_tu", "khac",
                                         "chinh_sach_xa_hoi"]


SUBJECTS = {  # the letter's subject line says what it asks for, as real ones do
    "phan_anh": ["báo cáo tình hình", "thông tin về tình hình tại địa phương", "vướng mắc trong sản xuất kinh doanh"],
    "kien_nghi": ["đề nghị tháo gỡ khó khăn", "đề xuất hỗ trợ", "xin ý kiến và đề nghị"],
    "khieu_nai": ["đề nghị xem xét lại", "không đồng ý với quyết định"],
    "to_cao": ["thông tin hành vi vi phạm", "đề nghị xác minh, xử lý vi phạm"],
}


def business(w: Writer, field, topic, kind, unit, named):
    biz = w.pick(BUSINESSES)
    uname = UNITS[unit][0]
    main = w.fill(w.pick(parts(topic, kind, False)["main"]), unit)
    for mine in ("gia đình tôi", "nhà tôi", "của tôi", "cho tôi"):
        main = main.replace(mine, "công ty chúng tôi" if mine != "của tôi" else "của công ty")
    head = (f"{biz.upper()}. Số: {w.r.randint(10, 99)}/CV-{w.pick(['HL', 'DA', 'PT', 'TD'])}. "
            f"Kính gửi: Ủy ban nhân dân {uname}. V/v: {w.pick(SUBJECTS[kind])}. "
            f"{biz} (mã số doanh nghiệp 02{w.r.randint(10000000, 99999999)}), trụ sở tại {w.fill('{place}', unit)}, trân trọng gửi tới Quý Ủy ban nội dung sau.")
    if kind == "phan_anh":
        body = f"{'Công ty xin phản ánh:' if named else 'Thời gian qua,'} {main}, gây ảnh hưởng tới hoạt động sản xuất kinh doanh của đơn vị."
    elif kind == "kien_nghi":
        body = f"Để ổn định sản xuất, công ty {'kiến nghị' if named else w.pick(['kính đề nghị', 'trân trọng đề xuất'])} Quý Ủy ban {main}."
    elif kind == "khieu_nai":
        body = (f"{'Công ty khiếu nại' if named else 'Công ty không đồng ý với'} {main}, vì ảnh hưởng trực tiếp đến quyền và lợi ích "
                "hợp pháp của doanh nghiệp; đề nghị xem xét lại.")
    else:
        body = (f"{'Công ty tố cáo việc' if named else 'Công ty xin thông tin việc'} {main}; đề nghị cơ quan có thẩm quyền xác minh, "
                "xử lý theo pháp luật.")
    return f"{head} {body} Trân trọng cảm ơn. Giám đốc {w.name()}."


DECOYS = {  # field the decoy belongs to: mentions of its places or offices
    "chinh_sach_xa_hoi": ["Sáng nay đưa cháu đến trường mầm non, đi qua {place} thì thấy", "Ngay trước cổng trạm y tế,",
                          "Tôi là giáo viên về hưu. Gần trường tiểu học"],
    "thu_tuc_hanh_chinh": ["Hôm tôi lên bộ phận một cửa làm giấy khai sinh cho cháu, ra về đi qua {place} và thấy",
                           "Tôi vừa nộp hồ sơ chứng thực xong thì nghe bà con kể"],
    "an_ninh_trat_tu": ["Tôi đã lên công an xã hỏi nhưng họ bảo không phải việc của họ:", "Cạnh trụ sở công an,"],
    "can_bo_cong_vu": ["Tôi là cán bộ hưu trí, sống ở {place}.", "Tôi đã gặp cán bộ thôn nói chuyện này rồi."],
    "ha_tang_giao_thong": ["Nhà tôi ở ngay mặt đường {place}.", "Đi trên đường liên thôn về nhà, tôi thấy"],
    "dat_dai": ["Nhà tôi đã có sổ đỏ từ lâu, ở {place}.", "Ở khu đất tái định cư mới,"],
    "moi_truong": ["Cạnh cánh đồng lúa {place},", "Gần bãi rác của thôn,"],
    "khac": ["Hôm qua ra bưu điện nhận lương hưu thì nghe chuyện:", "Lễ hội vừa rồi mọi người bàn nhiều chuyện này:"],
    "xay_dung_nha_o": ["Ở khu tập thể cũ chỗ tôi,", "Cạnh công trình đang xây ở {place},"],
    "doanh_nghiep": ["Tôi làm công nhân ở một công ty gần đây.", "Đi qua chợ {place},"],
}


def decoy_place(w: Writer, field, topic, kind, unit, named):
    decoy_field = w.pick([f for f in DECOYS if f != field])
    decoy = w.fill(w.pick(DECOYS[decoy_field]), unit)
    main = w.fill(w.pick(parts(topic, kind, False)["main"]), unit)
    if kind == "phan_anh":
        body = f"{'phản ánh: ' if named else ''}{main}. Mong được quan tâm."
    elif kind == "kien_nghi":
        body = f"Tôi {'kiến nghị' if named else w.pick(['đề nghị', 'mong', 'xin'])} chính quyền {main}."
    elif kind == "khieu_nai":
        body = f"Tôi {'khiếu nại' if named else 'không đồng ý với'} {main}, đề nghị xem xét lại cho gia đình tôi."
    else:
        body = f"Tôi {'tố cáo' if named else 'báo để xử lý việc'} {main}. Đề nghị xử lý nghiêm và giữ kín tên tôi."
    return f"{decoy} {body}" if w.r.random() < 0.7 else f"{body[0].upper() + body[1:]} {decoy} (tôi nói thêm cho rõ hoàn cảnh)."


VOICES = {"zalo_sms": zalo_sms, "hotline": hotline, "formal": formal, "rambling": rambling, "business": business,
          "decoy_place": decoy_place}


def generate(seed: int, per_voice: int) -> list[dict]:
    rows = []
    for index, (voice, write) in enumerate(VOICES.items()):
        rng = random.Random(seed * 1000 + index)
        w = Writer(rng)
        seen = set()
        attempts = 0
        while sum(r["voice"] == voice for r in rows) < per_voice and attempts < per_voice * 20:
            attempts += 1
            field = rng.choice(BUSINESS_FIELDS) if voice == "business" else None
            field, topic, kind = choose(rng, field)
            unit = rng.choice(list(UNITS))
            named = rng.random() < NAMES_KIND_SHARE
            text = " ".join(write(w, field, topic, kind, unit, named).split())
            if text in seen:
                continue
            seen.add(text)
            rows.append({"text": text, "kind": kind, "category": field, "office": office_for(field, kind),
                         "style": voice, "voice": voice, "channel": rng.choice(VOICE_CHANNELS[voice]), "unit": unit,
                         "names_kind": named})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--per-voice", type=int, default=340)
    args = parser.parse_args()
    lines = [line for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()][:ORIGINAL_ROWS]
    original = []
    rng = random.Random(args.seed)
    for line in lines:
        r = json.loads(line)
        r.setdefault("voice", "original")
        r.setdefault("channel", ORIGINAL_CHANNELS.get(r.get("style"), "web"))
        r.setdefault("unit", rng.choice(list(UNITS)))
        original.append(r)
    rows = original + generate(args.seed, args.per_voice)
    with CORPUS.open("w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"{len(rows)} petitions written to {CORPUS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
