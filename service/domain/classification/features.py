"""What the classifier reads besides the n-grams: the object of the petition, not its frame, and the verb of its request.

`core_text` removes what says who writes and to whom (salutation, name, birth year, ID and company numbers,
address, signature), asides ("nhân tiện…", "ngoài ra…") and the place a writer passed by ("đi qua trường
mầm non thì thấy…"): the object of the complaint outweighs the place and the writer (a company writing
about a flooded road is about the road). `rule_matrix` adds the keyword counts of config/categories.yaml and
the request's verb: a concrete action asked for (kiến nghị), a decision contested (khiếu nại), a wrongdoer
to be punished (tố cáo), or a situation told with at most "please check" (phản ánh) — domain.md's rule that
the main request decides the kind. Everything is matched on the folded text, so "ko dc" and "không được",
with or without diacritics, read the same.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Sequence

import numpy as np
from scipy import sparse

from service.domain.classification.normalise import (
    Rules,
    find,
    fold_normalised,
    names_official_bribery,
    names_official_misconduct,
    normalise,
)

RULE_FEATURE_SCALE = 0.6  # the keyword counts against the unit-length n-gram blocks
REQUEST_FEATURE_SCALE = 2.5  # the verbs of the request: what decides the kind across voices
OPENING_WORDS = 15  # how far from either end a kind cue counts as opening or closing the text

# Frame: who writes, to whom, how they sign (normalised, lower-case text with diacritics or without).
_FRAME = [re.compile(p) for p in (
    r"[^.]*\(m[ãa] s[ốo] doanh nghi[ệe]p \d+\)", r"k[íi]nh g[ửu]i:?[^.,\n]*[.,\n]", r"(?<!\w)s[ốo]:\s*[\w/-]+[.\n]?",
    r"t[ôo]i t[êe]n l[àa] [^,.]*,?", r"sinh n[ăa]m \d{4},?", r"(?:s[ốo] )?(?:c[ăa]n c[ưu][ớo]c c[ôo]ng d[âa]n|ch[ứu]ng minh nh[âa]n d[âa]n)(?: s[ốo])? ?\d+,?",
    r"m[ãa] s[ốo] doanh nghi[ệe]p \d+", r"\(?s[ốo] [đd]i[ệe]n tho[ạa]i \d+\)?", r"(?<!\d)0\d{9,11}(?!\d)",
    r"(?:th[ưu][ờo]ng tr[úu]|tr[úu]|c[ưu] tr[úu]|tr[ụu] s[ởo]) t[ạa]i [^,.;]*[,.;]?",
    r"tr[âa]n tr[ọo]ng (?:c[ảa]m [ơo]n|g[ửu]i|k[íi]nh ch[àa]o)[^.]*\.?", r"tr[âa]n tr[ọo]ng\.", r"(?:g[âa]y )?[ảa]nh h[ưu][ởo]ng (?:tr[ựu]c ti[ếe]p )?(?:t[ớo]i|[đd][ếe]n) (?:ho[ạa]t [đd][ộo]ng|s[ảa]n xu[ấa]t|[đd][ờo]i s[ốo]ng|sinh ho[ạa]t|vi[ệe]c|s[ứu]c kh[ỏo]e)[^.,;]*", r"gi[áa]m [đd][ốo]c [^.]*\.?\s*$", r"t[ôo]i (?:xin )?cam [đd]oan[^.]*\.?",
    r"t[ôo]i xin ch[ịi]u tr[áa]ch nhi[ệe]m[^.]*\.?",
)]
_WRITING_BODY = re.compile(r"(?:c[ôo]ng ty|doanh nghi[ệe]p|[đd][ơo]n v[ịi]|h[ợo]p t[áa]c x[ãa])(?: ch[úu]ng t[ôo]i)?"
                           r"( xin| ki[ếe]n ngh[ịi]| k[íi]nh| tr[âa]n tr[ọo]ng| kh[ôo]ng| t[ốo] c[áa]o| ch[úu]ng t[ôo]i| g[ặa]p)")
_LETTERHEAD = re.compile(r"(?:CÔNG TY|HỢP TÁC XÃ|HỘ KINH DOANH|DOANH NGHIỆP|CỘNG HÒA|CỘNG HOÀ|ĐỘC LẬP|CONG TY)\b")
_SENTENCE = re.compile(r"(?<=[.!?;\n])\s+")
# An aside: the petition's main request is elsewhere (domain.md: the main request decides).
_ASIDE = re.compile(r"^(?:nh[âa]n ti[ệe]n|ti[ệe]n th[ểe]|ch[ưu]a k[ểe]|ngo[àa]i ra|c[òo]n chuy[ệe]n|c[òo]n vi[ệe]c)\b")
# A place passed by or stood beside, opening a sentence up to its first comma.
_PASSING = re.compile(r"^(?:s[áa]ng nay |h[ôo]m qua |h[ôo]m t[ôo]i )?(?:ngay )?(?:tr[ưu][ớo]c c[ổo]ng|c[ạa]nh|g[ầa]n|s[áa]t|"
                      r"[đd][ốo]i di[ệe]n|[đd]i qua|[đd]i tr[êe]n|[đd][ưu]a ch[áa]u|l[êe]n b[ộo] ph[ậa]n)[^,:]*[,:]\s*")
# A place named only as where the object is ("làm gờ giảm tốc ở đoạn đường trước cổng trường tiểu học X", "xe rác
# đỗ ngay cổng trường mầm non"): the school, health station or market locates the problem, it is not its object.
_LOCATIVE = re.compile(r"\b(?:tr[ưu][ớo]c|g[ầa]n|c[ạa]nh|s[áa]t|[đd][ốo]i di[ệe]n|ngay)(?: c[ổo]ng)? "
                       r"(?:tr[ưu][ờo]ng(?: h[ọo]c| m[ầa]m non| ti[ểe]u h[ọo]c| thcs| thpt| trung h[ọo]c c[ơo] s[ởo])?|"
                       r"tr[ạa]m y t[ếe]|ch[ợo]|b[ệe]nh vi[ệe]n)(?: [^\s,.;:]+){0,3}")
_WRITER = re.compile(r"^t[ôo]i l[àa] (?:[^ ]+ ){0,7}[^ ]+[.]?$")


def core_text(text: str) -> str:
    """The petition without its frame, asides and passing places; the whole text if nothing would remain."""
    # A letterhead in capitals ("CÔNG TY TNHH ..."), not a title naming the petition ("ĐƠN KHIẾU NẠI").
    t = normalise(" ".join(s for s in re.split(r"(?<=\.)\s+", text or "")
                           if not (s.isupper() and _LETTERHEAD.match(s))))
    for pattern in _FRAME:
        t = pattern.sub(" ", t)
    t = _WRITING_BODY.sub(r"chúng tôi \1", t)  # the company writing is the writer, not the object
    kept = []
    for sentence in _SENTENCE.split(t):
        s = sentence.strip(" ,")
        if not s or _ASIDE.match(s) or _WRITER.match(s):
            continue
        kept.append(_LOCATIVE.sub(" ", _PASSING.sub("", s)))
    core = " ".join(kept).strip()
    return core if len(core.split()) >= 3 else normalise(text)


# The verb of the request, on folded text.
# Folded words are ambiguous ("mong" hope / móng foundation, "tra" trả / kiểm tra, "dat" đặt / đất), so the
# verbs are written with the word that follows them.
_ASK = (r"(?:de nghi|kien nghi|de xuat|kinh mong|mong xa|mong phuong|mong chinh quyen|mong uy ban|mong cac cap|"
        r"toi mong|chi mong|mong muon|xin|nho xa|nho phuong|nho chinh quyen|nho can bo|nho anh chi|nho cac|yeu cau|"
        r"can thiep de|lam on|xa co the)")
_ACTIONS = (r"(?:lap|lam duong|lam them|lam lai|lam ro|lam ham|lam viec voi|sua|xay|bo sung|cap giay|cap so|cap phep|"
            r"cap nuoc|cap them|cap thuoc|ho tro|to chuc|tang cuong|tang so|tang them|giam phi|giam gia|giam tien|"
            r"mo them|mo rong|mo thu vien|mo lop|di doi|nao vet|thay bong|thay the|thay nap|thay moi|bo tri|cong khai|"
            r"dieu chinh|huong dan|keo duong|keo nuoc|keo dien|nang cap|cho phep|cho dan|cho nha|cho cac ho|cho gia dinh|"
            r"dat them|dat bien|dat thung|cam bien|cam lai|rut ngan|dep cho|dep bo|thanh lap|quy dinh gio|tra tien|"
            r"tra luong|tra du|chi tra|dua vao|dua gia dinh|trai nhua|xem xet cho|xem xet che do|som|buoc|kiem dinh|"
            r"tao dieu kien|bu cuoc|bu tien|doc lai|doi gio|ro mom|canh bao|tuyen truyen|giai quyet che do|nhac nho|"
            r"kiem diem|xu ly cac|lay lai|co chinh sach|co ke hoach|thu hoi|kiem tra lai|cu can bo|cu nguoi|cu ng|"
            r"tuan tra|dung thi cong|ngan chan|chi dao|xu phat|cam hat|hoa giai|do lai|dinh chi|cuong che|pha do)")
CONCRETE_REQUEST = re.compile(rf"\b{_ASK}(?: \w+){{0,8}}? {_ACTIONS}\b")
QUESTION = re.compile(r"\b(?:cho (?:em|toi|minh|hoi) hoi|xin hoi|nhu the nao|o dau|can giay to gi|can giay gi|duoc khong|"
                      r"the nao|bao gio|ra sao)\b")
CHECK_ONLY = re.compile(rf"\b(?:{_ASK}|ai|xa|phuong|mong duoc)(?: \w+){{0,4}}? (?:kiem tra|xu ly|xem giup|quan tam|vao cuoc|"
                        r"khac phuc|nam bat)\b")
CONTEST = re.compile(r"\b(?:khong dong y|khong chap nhan|khong chiu|vo ly|trai voi|khong dung|la sai|sai quy dinh|"
                     r"xem xet lai|xem lai|giai quyet lai|huy bo|huy quyet dinh|thiet cho)\b")
DECISION = re.compile(r"\b(?:quyet dinh|xu phat|phat|tu choi|thu hoi|cat|loai|tra lai|danh sach|phuong an|ky luat|cuong che|"
                      r"dinh chi|tam giu|tinh|gach ten|khong gia han|bat)\b")
DENOUNCE = re.compile(r"\b(?:xu ly nghiem|giu bi mat|giau ten|khong tiet lo|de lo ten|lo ten|noi ten|giu kin|trai phep|"
                      r"lam gia|khai man|len lut|do trom|bao ke|lo de|danh bac|ma tuy|chiem dung|chiem doat|nang lai|"
                      r"hang gia|lap khong|de doa|co tinh|an tien|doi .{0,12}trieu)\b")
SITUATION = re.compile(r"\b(?:thuong xuyen|keo dai|suot|lien tuc|ca tuan|ca thang|nhieu ngay|hong|xuong cap|o nhiem|"
                       r"boc mui|tac|ngap|chua duoc|chua co|khong ai|qua tai|het)\b")


# The writer naming the kind of their own request ("tôi tố cáo", "ông X khiếu nại việc", "đơn kiến nghị").
_NAMED = {kind: re.compile(rf"\b(?:toi|em|chung toi|cong dan|nguoi dan|minh|cong ty|ong|ba|anh|chi|nguoi goi|don|cac ho)"
                           rf"(?: \w+){{0,3}}? (?:xin |muon |lam don |gui don )?{verb}\b")
          for kind, verb in (("khieu_nai", "khieu nai"), ("to_cao", "to cao"), ("kien_nghi", "kien nghi"),
                             ("phan_anh", "phan anh"))}


_POLITE_XIN = re.compile(r"\bxin (?=(?:trinh bay|chao|cam on|phep|gui|bao cao|thong tin|cam doan|chiu)\b)")
_NOT_A_REQUEST = re.compile(r"\bxin (?:trinh bay|chao|cam on|phep|gui|bao cao|thong tin|cam doan|chiu)\b")


# domain.md's borderline between phản ánh and kiến nghị: a report tells of a problem (something broken, missing,
# late, dirty, noisy, unpaid, a violation) and at most asks that this very problem be put right; a
# recommendation proposes a change or a measure that is not the repair of a fault told.
PROBLEM = re.compile(r"\b(?:hong|vo|sut|lun|nut|gay|do tran|do rac|do dat|do trom|tran|ngap|ung|tac|mat dien|mat nuoc|"
                     r"cat dien|mat ve sinh|boc mui|mui hoi|hoi thoi|bui|on ao|gay on|khoi|o nhiem|xuong cap|ruoi|muoi|"
                     r"lan chiem|lan duong|chan duong|no luong|no tien|cham|tre hen|hen lan|hen mai|khong ai|chua duoc|"
                     r"van chua|khong chiu|khong ngu|nguy hiem|tai nan|tranh chap|vi pham|trai phep|sai phep|"
                     r"sai quy dinh|toi om|bo hoang)\b")
_REMEDY_VERBS = (r"(?:sua|sua chua|khac phuc|xu ly|kiem tra|giai quyet|nhac nho|don doc|cho nguoi|thu gom|thay bong|"
                 r"thay|nao vet|tra loi|lam viec voi|bao dam|dam bao|chan chinh|dep|giai toa|ngan chan|xu phat|"
                 r"vao cuoc|xem|nang cap|cap lai)")
REMEDY = re.compile(rf"\b(?:{_ASK}|phuong|xa|ban|ai|moi nguoi)(?: \w+){{0,6}}? {_REMEDY_VERBS}\b"
                    r"|\b(?:ntn|nhu the nao|the nao|ra sao)(?: vay| day| a)?\b|\bco duoc khong\b")
PROPOSAL = re.compile(r"\b(?:nen co|nen lam|nen bo tri|nen to chuc|nen cong khai|gop y|de xuat|sang kien|dieu chinh|"
                      r"sua doi|thay doi quy dinh|bo sung quy dinh|ban hanh|chinh sach|chuong trinh|co che|mo them|"
                      r"lam them|xay them|lap them|bo tri them|tang them|ho tro|uu dai|quy hoach|mo rong|thanh lap|"
                      r"lap dat moi)\b")


def remedy_of_told_problem(folded: str) -> bool:
    """A report by domain.md: a problem told first, then at most its remedy asked for, no change proposed and
    no "kiến nghị" named by the writer."""
    first_ask = re.search(rf"\b{_ASK}\b", folded)
    told = PROBLEM.findall(folded[:first_ask.start()] if first_ask else folded)
    return (len(told) >= 2 and bool(REMEDY.search(folded)) and not PROPOSAL.search(folded)
            and not _NAMED["kien_nghi"].search(folded))


def request_features(folded: str) -> list[float]:
    folded = _NOT_A_REQUEST.sub(" ", folded)
    named = [2.0 * bool(pattern.search(folded)) for pattern in _NAMED.values()]
    contest = bool(CONTEST.search(folded))
    decision = bool(DECISION.search(folded))
    return [*named, float(bool(CONCRETE_REQUEST.search(folded))), float(bool(QUESTION.search(folded))),
            float(bool(CHECK_ONLY.search(folded))), float(contest), float(contest and decision),
            float(bool(DENOUNCE.search(folded))), float(bool(SITUATION.search(folded)))]


def rule_matrix(texts: Sequence[str], rules: Rules) -> sparse.csr_matrix:
    """Per folded text: log(1 + hits) of each field's keywords and each kind's cues, where the kind cues
    stand, the official rules, and the verb of the request."""
    groups = [*rules.categories.values(), *rules.kinds.values()]
    rows = []
    for folded in texts:
        counts = [np.log1p(len(find(g, folded))) for g in groups]
        # A request opening the text is the main request; one closing a description ("đề nghị kiểm
        # tra, xử lý") usually just asks to handle what was reported.
        words = folded.split()
        opening, closing = " ".join(words[:OPENING_WORDS]), " ".join(words[-OPENING_WORDS:])
        placed = [float(bool(find(g, part))) for g in rules.kinds.values() for part in (opening, closing)]
        official = [float(names_official_misconduct(folded, rules)), float(names_official_bribery(folded, rules))]
        rows.append([*(np.asarray([*counts, *placed, *official]) * RULE_FEATURE_SCALE),
                     *(np.asarray(request_features(folded)) * REQUEST_FEATURE_SCALE)])
    return sparse.csr_matrix(np.asarray(rows, dtype=float))


@lru_cache(maxsize=8192)
def model_text(text: str) -> str:
    """What the model reads: core_text folded (classifier_text of the core, without normalising twice), the
    polite "xin" of "xin trình bày", "xin cảm ơn" dropped: it asks for nothing."""
    return _POLITE_XIN.sub("", fold_normalised(core_text(text)))
