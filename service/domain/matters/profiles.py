"""Text profiles for same-matter matching, and how much two of them speak of the same thing (integrations.md §6).

A profile is a set of weighted syllable shingles of the folded text — unigrams of distinctive syllables and
bigrams — and among them the *names*: places, streets, villages, projects, decision and house numbers,
officials. Names are found by capitals, by the word that introduces them ("thôn", "ngõ", "chợ", "dự án",
"số", "Quyết định"…) or, in a caseless chat, by the two syllables after such a word; a name written as a
name in one text counts as a name in the other ("phuong my" in a chat is "thôn Phương Mỹ" in a letter).
General words ("đường", "ô nhiễm", "đề nghị") weigh little: their weight is an IDF learned from a reference
corpus of 393 petitions and baked in below as document-frequency tiers, so nothing is loaded at run time.

`index` keys the heaviest shingles of a profile into the candidate index; `similarity` re-ranks what it finds.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable

from rapidfuzz import fuzz

from service.domain.text import fold, nfc

NAME_WEIGHT = 2.0
MAX_CHARS = 4000  # the subject of a letter comes first; the rest only costs time
TYPICAL = 2  # against a matter of 3+ petitions, share a word at least half of them use (1/TYPICAL)

# Document frequency in a 393-petition reference corpus (config/corpus/petitions.jsonl, folded) as weight
# tiers w = ln((N+1)/(df+1)) / ln(N+1); a syllable not listed is rarer and weighs 1.0.
_DF_TIERS = {
    0.26: """an anh ban bao bi cao cho co cong cua dan de dinh do dong duong gia gui ho khong kinh lam nghi nguoi nha
    nhan o phan phuong so tai thi thu to toi tu ubnd va van viec xa""",
    0.38: """a bo ca cac can cap chi chu chua chung con cu da dang dat dau den di dien doi du dung duoc em giay hai
    hang hoi khi khieu khu kiem kien ky la lai lan ly ma mat moi mot nai nam nay nhieu noi ong qua quy ra thang thanh
    thon thuong tien tra tren tro trong vao vi voi xay xin xu""",
    0.49: """ba bien biet boi canh cat cau chan chinh chuc cung dai danh dao day dem dieu doan doanh don gio ha hanh
    he hien hoa hoc hon hong hop hung huong ke ket khai lang lap le len loi luong may minh mo mua muon nang nao ngay
    nghiep ngo nguyen nhung nong nop nuoc phai pham phep pho phong phu quan quyen quyet rat roi sach san sang sinh tam
    tang thay the them thoi thong tich tinh tran trang trieu tru truoc truong tuc tuyen ve vu xac xe xem xet xuong y""",
    0.60: """ai bac bai bang bat bay ben binh bui cai cam cham chat chau che chiem choi chuyen dac dia dich diem doc
    dot dua gan gay ghi gi giai giam giao giau goi han het hiem hieu hoach hoang hoat hom huy kenh keo khach kho khoi
    ko lao lich lien lieu lo long lua luc mai mang me mong muc mui nen nghe ngheo nghin ngoai nguy nhap nho nhu nuoi
    on phap phat phe phi phuc ro rong ruong sat sau som son song su sua tac tan tao tap te ten thai tham theo thieu
    thoai thoat thua thuc thue thuoc tiep tieu tin toan tong trai tram tranh tre tri trinh truc trung tuan tuoi tuong
    ty vay via vien vinh vo xuat xuyen yeu""",
    0.70: """am be benh boc bong buc buoi cay chap chay chet chieu chiu chuan coi cuoc cuoi cuong dam dc doa duc duyet
    e ep gap gian giang gioi giu giua giup gom gop hen hoan huu huynh j karaoke kem khac khan khe khoan khoang kieu
    kim lac lanh lau lay loc lon lop luat luu m2 mac mam manh mau met mien moc mu muong nat nga ngan ngap nghiem ngu
    nhac nhanh nhat nhiem nhom nien ninh non nut pha quang quoc rac rang ranh rao rieng sai sao sap say suat suc suot
    tay than thao thap thien thiet thuy tiem tieng tnhh ton trach trat trom truyen tung ung uong vat viet vua vuc vuon
    xom""",
}
_WEIGHT = {s: w for w, words in _DF_TIERS.items() for s in words.split()}

# Function words: never a shingle on their own (a capitalised "Cổ" of "Cổ Dũng" is not "có").
_STOP = frozenset("""a ah ai bi cac cai chung co cua cung da dang de duoc dc gi hay khi khong ko k kh la lai ma moi
    mot nay nao neu nen nhe nhung nua o oi ra rang rat roi se thi toi va vao ve voi vi vay xin ak nhi ne u ui
    uh""".split())
_HONORIFIC = frozenset("ông bà anh chị em cô chú bác cụ".split())  # they open a name; not part of it
_HONORIFIC_FOLDED = frozenset(fold(h) for h in _HONORIFIC)
_SURNAMES = frozenset("""nguyễn trần lê phạm hoàng huỳnh phan vũ võ đặng bùi đỗ hồ ngô dương lý đào đinh trịnh mai lâm
    lương triệu tạ cao kiều hà tống quách lại lưu phùng tô đoàn mạc hứa thái khúc lữ giáp""".split())
_SURNAMES_FOLDED = frozenset(fold(x) for x in _SURNAMES)
_PERSON_BEFORE = _HONORIFIC_FOLDED | {"bo", "chuc", "ten", "tich", "truong", "pho", "chi"}  # cán bộ, công chức, tên…
_DECISION_SUFFIX = frozenset({"qd", "nq", "tb", "ubnd", "kh", "ct", "cv"})  # "215/QĐ-UBND"
# With diacritics typed, a one-word marker must be written with its marks: "chợ" is a market, "cho" is "for".
_MARKED_FORM = {"cho": "chợ", "so": "số", "ong": "ông", "lo": "lô", "ke": "kè", "ben": "bến", "cau": "cầu",
                "dao": "đảo", "song": "sông", "lang": "làng", "ap": "ấp", "kenh": "kênh", "pho": "phố", "ten": "tên",
                "duong": "đường", "xuong": "xưởng", "ngo": "ngõ", "vinh": "vịnh", "nui": "núi", "truong": "trường",
                "chua": "chùa", "hem": "hẻm", "kiet": "kiệt", "lop": "lớp", "to": "tổ", "phong": "phòng", "khu": "khu"}


class _Phrases:
    """Folded multi-word phrases, indexed by their first word; the longest match wins."""

    def __init__(self, phrases: Iterable[str]):
        self.by_first: dict[str, list[tuple[str, ...]]] = {}
        for p in sorted({tuple(p.split()) for p in phrases if p.strip()}, key=len, reverse=True):
            self.by_first.setdefault(p[0], []).append(p)

    def at(self, seq: list[_Tok], i: int, marks: bool | None = None) -> tuple[str, ...] | None:
        """`marks`: None matches the folded words; True/False (the text has diacritics or not) refuses an
        ambiguous one-word marker unless written with its marks ("chợ", not "cho", which may be "for")."""
        for p in self.by_first.get(seq[i].f, ()):
            if i + len(p) <= len(seq) and all(seq[i + k].f == w for k, w in enumerate(p)) and not (
                    marks is not None and len(p) == 1 and p[0] in _MARKED_FORM and (
                        not marks or seq[i].low != _MARKED_FORM[p[0]])):
                return p
        return None


def _split(text: str) -> list[str]:
    return text.replace("\n", " ").split("|")


_BOILERPLATE = _Phrases(_split("""kinh gui|uy ban nhan dan|ubnd|hdnd|van phong hdnd|de nghi|phan anh|kien nghi|
    khieu nai|to cao|xem xet|giai quyet|xu ly|kiem tra|chi dao|cong dan|nguoi dan|ho dan|ba con|gia dinh|chung toi|
    co quan|tham quyen|duong day nong|goi dien|thanh pho|hai phong|dac khu|chu tich|trinh bay|noi dung|cam doan|
    su that|kem theo|tran trong|xin cam on|cam on|nguoi khieu nai|nguoi to cao|don khieu nai|don to cao|lam don|
    lan dau|mong|giup|sinh nam|tru tai|cu tru|ho ten|so dien thoai|sdt|goi duong day nong|goi dien thoai|anh huong|
    nghiem trong|tinh trang|doi song|suc khoe|nhieu lan|khac phuc|keo dai|thoi gian|hien nay|nguoi gia|tre em|
    lo lang|buc xuc|rat mong|som giai quyet|dut diem|cac co quan|chuc nang"""))
# Words that introduce a name: the capitalised run, number or (caseless chat) two syllables after them.
_PLACE_MARKERS = _Phrases(_split("""thon|xom|ngo|ngach|hem|kiet|duong|pho|to dan pho|tdp|khu dan cu|khu do thi|
    khu nha o|khu cong nghiep|kcn|khu tai dinh cu|khu|cho|cau|ben|ben ca|bai tam|vinh|dao|song|kenh|ke bien|ke|nui|
    nga ba|nga tu|nut giao|quoc lo|ql|tinh lo|xu dong|canh dong|lang|ap|chung cu|toa nha|nha van hoa|truong tieu hoc|
    truong mam non|truong thcs|truong thpt|truong|tram y te|benh vien|chua|nha tho|cong vien|du an|cong ty|
    cong ty tnhh|cong ty co phan|co so|xuong|nha hang|khach san|cong chuc|can bo|ong|ten"""))
_PLACE_WORDS = frozenset("""thon xom ngo ngach hem kiet duong pho to dan tdp khu cu do thi lang ap so nha thua ban
    quoc lo ql tinh cho nga ba tu nut giao xu dong canh truong tieu hoc mam non thcs thpt nha van hoa tram y te benh
    vien chua tho cong chung toa""".split())  # marker words that only say where: a landmark is not the matter
# Words after which only a number is a name: "số 125", "thửa 118", "tờ bản đồ 9", "Quyết định 215".
_NUMBER_MARKERS = _Phrases(_split("""so|so nha|thua|thua dat|thua dat so|to ban do|to ban do so|quyet dinh|
    quyet dinh so|lo|can ho|km|ngo|ngach|hem|kiet|duong|pho|to|to dan pho|tdp|quoc lo|ql|tinh lo|khu|phong"""))

# The same thing said two ways in petitions; the second spelling is added as a shingle beside the first.
_SYNONYMS = {tuple(k.split()): v for k, v in (x.split("=") for x in _split("""den bu=boi thuong|bi thu hoi=thu hoi|
    so do=giay chung nhan|so hong=giay chung nhan|bia do=giay chung nhan|cup dien=mat dien|cat dien=mat dien|
    khong co dien=mat dien|cup nuoc=mat nuoc|khong co nuoc=mat nuoc|het nuoc=mat nuoc|ngap lut=ngap ung|
    ngap nuoc=ngap ung|on ao=tieng on|hat to=tieng on|mo nhac to=tieng on|
    o ga=hu hong|xuong cap=hu hong|boc mui=mui hoi|hoi thoi=mui hoi"""))}
_SYNONYM_PHRASES = _Phrases(" ".join(k) for k in _SYNONYMS)
# What introduces the writer (whose name follows) or the addressee (the rest of the sentence).
_SELF = _Phrases(_split("""kinh gui|toi la|toi ten la|ten toi la|toi ten|em la|em ten la|chau la|ho ten|ho va ten|
    nguoi khieu nai|nguoi to cao|nguoi gui|nguoi lam don|nguoi kien nghi|nguoi phan anh"""))
_TOKEN = re.compile(r"\w+|[^\w\s]|\n")
_LETTER_DIGIT = re.compile(r"(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])")  # "QL10" -> "QL 10"
_BREAK = frozenset(".,;:!?()[]\"'“”‘’…\n-–/")
_SENTENCE_END = frozenset(".!?:\n")
_fold = lru_cache(maxsize=200_000)(fold)


@dataclass(slots=True)
class _Tok:
    low: str  # lower case, marks kept
    f: str  # folded
    cap: bool  # capitalised, not all capitals (UBND, QĐ are acronyms)
    sentence_start: bool
    stop: bool = False
    boiler: bool = False  # in a boilerplate phrase or a petitioner's name: breaks everything
    name: bool = False
    marked: bool = False  # named by the word before it ("tên Hòa", "ngõ 193")
    marker: bool = False  # the word before a name ("thôn", "trường tiểu học")


@dataclass
class Profile:
    """Weighted shingles of one petition (or, added up, of a matter); `names` is the subset naming something."""

    weights: dict[str, float] = field(default_factory=dict)
    names: set[str] = field(default_factory=set)
    text: str = ""  # the content words, for rapidfuzz
    support: dict[str, int] = field(default_factory=dict)  # of a matter: how many of its petitions use a shingle
    size: int = 0  # petitions added; 0 for a single petition's own profile

    def add(self, other: Profile) -> None:
        """Fold one more petition into a matter's profile."""
        for f, w in other.weights.items():
            self.weights[f] = max(w, self.weights.get(f, 0.0))
            self.support[f] = self.support.get(f, 0) + 1
        self.names |= other.names
        self.size += 1
        self.text = f"{self.text} {other.text}".strip()


def weight(syllable: str) -> float:
    return 0.0 if syllable in _STOP else _WEIGHT.get(syllable, 1.0)


def _segments(text: str) -> list[list[_Tok]]:
    """Tokens in runs between punctuation, with capitals and sentence starts noted."""
    segments: list[list[_Tok]] = [[]]
    start = True
    for m in _TOKEN.finditer(_LETTER_DIGIT.sub(" ", nfc(text[:MAX_CHARS]))):
        raw = m.group()
        if raw in _BREAK or not raw[0].isalnum():
            if segments[-1]:
                segments.append([])
            start = start or raw in _SENTENCE_END
            continue
        segments[-1].append(_Tok(raw.lower(), _fold(raw), raw[0].isupper() and not raw.isupper(), start))
        start = False
    return [s for s in segments if s]


def _mark(seq: list[_Tok], phrases: _Phrases) -> None:
    for i in range(len(seq)):
        p = phrases.at(seq, i)
        for k in range(len(p) if p else 0):
            seq[i + k].stop = seq[i + k].boiler = True


def _mark_names(seq: list[_Tok], cased: bool, diacritics: bool) -> None:
    for i, t in enumerate(seq):  # capitalised runs; a lone capital opening a sentence proves nothing
        nxt_cap = i + 1 < len(seq) and seq[i + 1].cap
        t.name = t.cap and not t.boiler and (not t.sentence_start or nxt_cap)
        if t.f.isdigit() and i + 1 < len(seq) and seq[i + 1].f in _DECISION_SUFFIX:
            t.name = True
    for i, t in enumerate(seq):  # "Ông Trần Văn Hòa", "Chợ Cát Bà …": the opening word is not the name
        honorific = t.low in _HONORIFIC if diacritics else t.f in _HONORIFIC_FOLDED
        opening = t.sentence_start and _PLACE_MARKERS.at(seq, i, diacritics)
        if t.name and not (i and seq[i - 1].name) and (honorific or opening):
            t.name = False
    i = 0
    while i < len(seq):
        if seq[i].cap and not seq[i].sentence_start:
            i += 1  # "Hàng Kênh", "Núi Ngọc": a capitalised marker word inside a sentence belongs to the name
            continue
        place, number = _PLACE_MARKERS.at(seq, i, diacritics), _NUMBER_MARKERS.at(seq, i)
        marker = max(place or (), number or (), key=len)
        for k in range(len(marker)):
            seq[i + k].marker = True
        j, taken = i + len(marker), 0
        while marker and j < len(seq) and taken < 2 and not seq[j].stop:
            t = seq[j]
            chat = not cased and not diacritics and t.f not in _STOP and t.f not in _PERSON_BEFORE
            if not (t.f.isdigit() and number or place and (t.name or chat)):
                break
            t.name = t.marked = True
            taken, j = taken + 1, j + 1
            if t.f.isdigit() and not cased:
                break  # "ngo 193 van cao": the number is the name; what follows is read on its own
        i = max(j, i + 1)


def _mark_senders(segments: list[list[_Tok]]) -> None:
    """The writer and the addressee say nothing about the matter: "Kính gửi UBND xã …", "Tôi là Nguyễn Văn
    Hùng", a hotline note opening with "Ông Vũ Văn Thắng gọi …". An official accused later in the text stays."""
    for n, seq in enumerate(segments):
        for i in range(len(seq)):
            p = _SELF.at(seq, i)
            if p is None and not (n == 0 and i == 0 and seq[0].f in _HONORIFIC_FOLDED):
                continue
            if p is not None and " ".join(p) == "kinh gui":
                after = segments[n + 1] if i + len(p) == len(seq) and n + 1 < len(segments) else []
                rest = seq[i:] + after  # "Kính gửi: Chủ tịch UBND xã …" goes on past the colon
                for t in rest:
                    t.stop = t.boiler = True
                continue
            j = i + (len(p) if p else 1)
            if j < len(seq) and seq[j].cap and seq[j].f in _SURNAMES_FOLDED:
                for t in seq[j:j + 4]:
                    if not t.cap:
                        break
                    t.stop = t.boiler = True


def _runs(seq: list[_Tok]) -> list[tuple[int, int]]:
    runs, i = [], 0
    while i < len(seq):
        j = i
        while j < len(seq) and seq[j].name and not seq[j].stop and not seq[j].marker:
            j += 1
        if j > i:
            runs.append((i, j))
        i = j + 1 if j == i else j
    return runs


def profile(text: str, drop: Iterable[str] = ()) -> Profile:
    """The weighted shingles of a text; `drop` lists phrases (petitioners' names, the unit's name) to ignore."""
    segments = _segments(text)
    diacritics = any(ord(c) > 127 for c in text[:MAX_CHARS] if c.isalpha())
    cased = any(t.cap and not t.sentence_start for s in segments for t in s)
    dropped = _Phrases(fold(d) for d in drop if d)
    out = Profile()
    words: list[str] = []

    def name(feature: str) -> None:
        out.weights[feature] = NAME_WEIGHT
        out.names.add(feature)

    _mark_senders(segments)
    for seq in segments:
        _mark(seq, _BOILERPLATE)
        _mark(seq, dropped)
        for t in seq:
            t.stop = t.stop or (t.f in _STOP and not t.cap) or (len(t.f) == 1 and not t.f.isdigit())
        _mark_names(seq, cased, diacritics)
        for i in range(len(seq)):
            same = _SYNONYM_PHRASES.at(seq, i)
            if same:
                out.weights.setdefault(_SYNONYMS[same], max(weight(x) for x in _SYNONYMS[same].split()))
        person: set[int] = set()
        for a, b in _runs(seq):
            run = [t.f for t in seq[a:b]]
            surname = seq[a].low in _SURNAMES if diacritics else run[0] in _SURNAMES_FOLDED
            if surname and 2 <= len(run) <= 4 and not any(f.isdigit() for f in run):
                name(" ".join(run))  # a person, whole: "tran van hoa", never "van hoa" (and "nhà văn hóa")
                if a and seq[a - 1].f in _PERSON_BEFORE:
                    name(run[-1])  # "ông Trần Văn Hòa" is also "ông Hòa"; "đường Tô Hiệu" is not "Hiệu"
                person.update(range(a, b))
            elif len(run) == 1:
                t = seq[a]
                if t.f.isdigit() or t.marked or weight(t.f) >= 0.6:  # "193", "tên Hòa", "Cát"; not "Luật", "Nhà"
                    name(t.f)
            else:
                for k in range(a, b - 1):
                    name(f"{seq[k].f} {seq[k + 1].f}")
                for t in seq[a:b]:
                    if t.f.isdigit():
                        name(t.f)  # a number names on its own too: "ngõ 193" is "ngõ 193 Văn Cao"
        for i, t in enumerate(seq):
            nxt = seq[i + 1] if i + 1 < len(seq) else None
            if t.stop or t.name and t.marker:
                if nxt and not (t.boiler or nxt.boiler or t.f.isdigit() or nxt.f.isdigit()):
                    out.weights.setdefault(f"{t.f} {nxt.f}", 0.0)  # "co dung" in a chat: "Cổ Dũng" elsewhere
                continue
            words.append(t.f)
            where = t.marker and t.f in _PLACE_WORDS  # "thôn", "ngõ" say where, not what
            if not t.f.isdigit() and not where and i not in person and weight(t.f) >= 0.3:
                out.weights.setdefault(t.f, weight(t.f))
            if nxt is None or nxt.boiler or (t.f.isdigit() and nxt.f.isdigit()) or (i in person and i + 1 in person):
                continue  # "105 000", "40 50": amounts, not names
            bigram = f"{t.f} {nxt.f}"
            if t.name and nxt.name and not nxt.stop:
                continue  # a name, added above
            if nxt.stop or where or t.marker and nxt.name or t.name and nxt.marker:
                out.weights.setdefault(bigram, 0.0)  # "tieu hoc" of "trường tiểu học": the kind of place
            elif not (t.f.isdigit() or nxt.f.isdigit()):
                out.weights.setdefault(bigram, (weight(t.f) + weight(nxt.f)) / 2)
    out.text = " ".join(words)
    return out


@dataclass
class Similarity:
    score: float
    names: list[str]  # the names both share: a place, object, project, decision, person
    words: list[str]  # the other distinctive shingles they share, heaviest first
    topic: float  # weighted overlap of the non-name shingles, relative to the shorter side
    fuzzy: float  # rapidfuzz token_set_ratio of the content words, 0..1
    typical: bool  # shares a shingle most petitions of the matter use (true against a young matter)
    strength: float = 0.0  # shared names: 1 per two-word name or long number, 0.5 per lone word or short number

    def explain(self) -> dict[str, object]:
        return {"score": self.score, "names": self.names, "words": self.words, "topic": self.topic,
                "fuzzy": self.fuzzy}


def similarity(q: Profile, c: Profile, fuzzy_text: str | None = None) -> Similarity:
    """How much a new petition `q` speaks of the same concrete thing as `c` (a petition or a whole matter)."""
    names = q.names | c.names
    in_names = {s for f in names for s in f.split()}
    shared = q.weights.keys() & c.weights.keys()
    shared_names = sorted(f for f in shared if f in names)

    def topical(f: str) -> bool:  # "chau mat", "kim" belong to the names "Hoàng Châu", "Kim Xuyên"
        return f not in names and not any(s in in_names for s in f.split())

    def share(f: str) -> float:  # a word one letter of five used once says less about the matter
        return 1.0 if c.size <= 1 else (c.support.get(f, 1) / c.size) ** 0.5

    topic_q = sum(w for f, w in q.weights.items() if topical(f))
    topic_c = sum(w for f, w in c.weights.items() if topical(f))
    common = sorted(((min(q.weights[f], c.weights[f]) * share(f), f) for f in shared if topical(f)), reverse=True)
    topic = sum(w for w, _ in common) / (min(topic_q, topic_c) + 1.0)
    fuzzy = fuzz.token_set_ratio(q.text, fuzzy_text if fuzzy_text is not None else c.text) / 100.0
    strength = sum(1.0 if " " in f or len(f) >= 3 and f.isdigit() else 0.5 for f in shared_names)
    score = 0.45 * min(1.0, strength / 2) + 0.35 * min(1.0, topic / 0.6) + 0.2 * fuzzy
    typical = c.size < 3 or any(c.support.get(f, 0) * TYPICAL >= c.size for x, f in common if x > 0)
    return Similarity(round(score, 4), shared_names, [f for x, f in common if x >= 0.3][:10], round(topic, 4),
                      round(fuzzy, 4), typical, strength)
