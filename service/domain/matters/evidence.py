"""Is a candidate link strong enough to make without asking? (issue #17: grouping that errs on the side of asking)

A petition joins a matter automatically only when the re-rank accepts it (`operations.accepts`) AND
  - it is of the same unit, or it went over that unit's head (vượt cấp): sent to the city, it names the commune
    whose matter it is and shares at least two concrete objects with it (`OVER_HEAD_OBJECTS`: "Quyết định
    215/QĐ-UBND" and "đường nối Quốc lộ 10"). The same content sent higher up is the same matter: its people
    count towards đông người (Luật Tiếp công dân Điều 29, legal.md) and the matter is phức tạp, kéo dài
    (vượt cấp, `flags`). A city-level petition that shares less, or names no commune, is only suggested,
  - its field is the matter's or a compatible one (the classifier's known confusions, `COMPATIBLE`),
  - they share a *concrete object*: a number (the ngõ, thôn, house, plot, decision, km), a person's full name
    (a named official), or a name written after an object word ("karaoke Ánh Dương", "Công ty … Việt Hưng",
    "chợ Cát Bà", "trường THCS Cát Bà") — not a name the petition only uses to say where ("thị trấn Cát Bà",
    "đảo Cát Bà") — that the unit's Văn phòng has not rejected as evidence before (`learning`),
  - and they do not name two different numbers after the same word ("ngõ 64" and "ngõ 97": two objects).
Everything else the re-rank finds becomes a "có thể cùng vụ việc" suggestion (`suggestions`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from service.domain.codes import category_label
from service.domain.matters.profiles import _SURNAMES_FOLDED, Similarity
from service.domain.text import fold

# Field pairs the classifier is known to confuse (issue #17): a link across them is still automatic.
COMPATIBLE = frozenset(frozenset(p) for p in (
    ("khac", "thu_tuc_hanh_chinh"), ("can_bo_cong_vu", "thu_tuc_hanh_chinh"), ("can_bo_cong_vu", "dat_dai"),
    ("ha_tang_giao_thong", "an_ninh_trat_tu"), ("dat_dai", "xay_dung_nha_o"),
    ("moi_truong", "ha_tang_giao_thong")))  # trees, drains and flooding sit between the two
_OBJECT = (r"karaoke|quan|nha hang|khach san|cong ty|tnhh|co phan|cua hang|cay xang|xang dau|co so|nha may|xuong|"
           r"trai|lo gach|lo mo|cho|truong|thcs|thpt|tieu hoc|mam non|chung cu|nha [a-e]|toa|du an|khu nha o|bai rac|"
           r"tram bom|tram|ke|ke bien|cau|ben|cong trinh|quyet dinh|qd|thua|ong|ba|can bo|cong chuc|truong thon")
PLACE_AND_TOPIC = 0.19  # a shared place name plus this much of the same words describes one object
_PLACE = r"thon|xom|phuong|xa|dao|thi tran|huyen|dac khu|khu vuc|vinh"
_NUMBERED = ("ngo", "ngach", "hem", "so", "thua", "km", "thon", "to dan pho", "tdp", "quyet dinh", "qd", "lo")
_NUMBER_AFTER = re.compile(r"\b(" + "|".join(sorted(_NUMBERED, key=len, reverse=True)) + r")(?: so)? (\d+)\b")
_YEAR = re.compile(r"^(19|20)\d\d$")
OVER_HEAD_OBJECTS = 2  # shared concrete objects that link a petition sent over the commune's head



@dataclass
class Evidence:
    strong: bool
    objects: list[str]  # the shared concrete objects (folded)
    names: list[str]  # every shared name (folded)
    same_field: bool
    same_unit: bool
    conflict: list[str] = field(default_factory=list)  # "ngo 64 / ngo 97"
    why_not: str = ""  # what keeps it from being automatic, for the suggestion's sentence


def numbers(text: str) -> dict[str, set[str]]:
    """{"ngo": {"64"}, "quyet dinh": {"1520"}}: the numbered objects a folded text names."""
    out: dict[str, set[str]] = {}
    for m in _NUMBER_AFTER.finditer(text):
        key = {"qd": "quyet dinh", "tdp": "to dan pho", "hem": "ngo", "ngach": "ngo"}.get(m.group(1), m.group(1))
        out.setdefault(key, set()).add(m.group(2))
    return out


# What comes right before a name: an object word and up to three more words, or a place word. Compiled once and
# matched on the few words before each occurrence of the name (a pattern per name cost a compilation for every new
# place a petition names: ~1 ms each; issue #19).
_OBJECT_BEFORE = re.compile(rf"\b(?:{_OBJECT})(?: \w+){{0,3}} $")
_PLACE_BEFORE = re.compile(rf"\b(?:{_PLACE}) $")
_WINDOW = 12  # words before a name: an object phrase (three words at most) and three more fit


def _preceded(before: re.Pattern, name: str, text: str) -> bool:
    """`before` matches the words right before some occurrence of `name` as a whole word, after a space."""
    start = text.find(name)
    while start != -1:
        end = start + len(name)
        if start > 0 and text[start - 1] == " " and (end == len(text) or not _word_char(text[end])):
            words = text[:start].rsplit(" ", _WINDOW + 1)  # the last words only: the text may be long
            if before.search(" ".join(words[1:]) if len(words) > _WINDOW + 1 else text[:start]):
                return True
        start = text.find(name, start + 1)
    return False


def _word_char(c: str) -> bool:
    return c.isalnum() or c == "_"


def _introduced(name: str, text: str) -> bool:
    return name in text and _preceded(_OBJECT_BEFORE, name, text)


def where_only(name: str, mine: str) -> bool:
    """The petition names it only to say where: "thị trấn Cát Bà", "trên đảo Cát Bà"."""
    return name in mine and _preceded(_PLACE_BEFORE, name, mine) and not _introduced(name, mine)


def concrete(name: str, mine: str, theirs: str, trusted: frozenset[str] = frozenset()) -> bool:
    """A shared name that says *what* (an object, a number, a person), not only *where*."""
    if name in trusted:
        return True
    if name.isdigit():
        return not _YEAR.match(name) and not re.search(rf"\bnam {name}\b", mine)
    parts = name.split()
    if 2 <= len(parts) <= 4 and parts[0] in _SURNAMES_FOLDED:
        return True  # a person's full name: "tran van hoa"
    if where_only(name, mine):
        return False
    return _introduced(name, mine) or _introduced(name, theirs)


def compatible(field_a: str | None, fields_b: set[str]) -> bool:
    if not field_a or not fields_b or field_a in fields_b or "khac" in fields_b or field_a == "khac":
        return True
    return any(frozenset((field_a, f)) in COMPATIBLE for f in fields_b)


def judge(s: Similarity, mine: str, theirs: str, category: str | None, categories: set[str], same_unit: bool,
          trusted: frozenset[str] = frozenset(), over_head: bool = False) -> Evidence:
    """`mine`/`theirs`: the folded texts of the petition and of the matter's petitions; `category` None when
    the classifier was unsure of the petition's field (then the field does not stand in the way); `over_head`:
    the petition was sent to the city and names the matter's commune (vượt cấp)."""
    objects = [n for n in s.names if concrete(n, mine, theirs, trusted)]
    if not objects and s.topic >= PLACE_AND_TOPIC:  # "xưởng bột cá ở Bàng La": the place and what is there
        objects = [n for n in s.names if not n.isdigit() and not (  # "đảo Cát Bà" here, "chợ Cát Bà" there
            where_only(n, mine) and _introduced(n, theirs))][:2]
    a, b = numbers(mine), numbers(theirs)
    conflict = [f"{k} {'/'.join(sorted(a[k]))} ≠ {'/'.join(sorted(b[k]))}" for k in a.keys() & b.keys()
                if not a[k] & b[k]]
    same_field = compatible(category, categories)
    escalated = not same_unit and over_head and len(objects) >= OVER_HEAD_OBJECTS
    why = ("gửi đơn vị khác" if not (same_unit or escalated) else "khác lĩnh vực" if not same_field else
           "số hiệu khác nhau: " + "; ".join(conflict) if conflict else
           "chỉ trùng địa danh, chưa trùng đối tượng cụ thể" if not objects else "")
    return Evidence(not why, objects, list(s.names), same_field, same_unit, conflict, why)


def original_spelling(name: str, text: str) -> str:
    """The words of `text` whose folded form is `name` ("anh duong" → "Ánh Dương"), else the name itself."""
    words = re.findall(r"\w+", text)
    n = len(name.split())
    for i in range(len(words) - n + 1):
        if fold(" ".join(words[i:i + n])) == name:
            return " ".join(words[i:i + n])
    return name


def sentence(e: Evidence, text: str, category: str | None = None, people: int | None = None) -> str:
    """One sentence a clerk can check: "cùng đối tượng: karaoke Ánh Dương, ngõ 64, Trại Lẻ; cùng lĩnh vực …".
    `text` must be what matching reads (a denunciation's redacted text), so it never names a denouncer."""
    shown = [original_spelling(n, text) for n in (e.objects or e.names)[:4]]
    head = ("cùng đối tượng: " if e.objects else "trùng địa danh: ") + ", ".join(shown) if shown else \
        "nội dung gần giống"
    parts = [head]
    if not e.same_unit and e.strong:
        parts.append("đơn gửi vượt cấp, nêu đúng xã, phường của vụ việc")
    if category and e.same_field:
        parts.append(f"cùng lĩnh vực {category_label(category)}")
    if e.why_not:
        parts.append(f"cần xác nhận vì {e.why_not}")
    if people:
        parts.append(f"{people} người khác nhau đã gửi")
    return "; ".join(parts)
