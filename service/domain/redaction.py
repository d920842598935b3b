"""Redaction: a text with the personal data of the people in it replaced by Vietnamese placeholders.

Luật Tố cáo 2018 Điều 47 k2 and Điều 56: the denouncer's name, address and personal data are kept secret and
stripped from the file before it goes to those who verify it; NĐ 154/2026 Đ12 k2 and Luật Bảo vệ dữ liệu cá
nhân 91/2025/QH15 ask the same care for every petitioner. `service.domain.confidential` derives a petition's
redacted text once, at intake; everyone who may not see the identity reads only that text.

Matching runs on a folded shadow of the text (no diacritics, lower case, the same length), so "Nguyen Van An",
"NGUYỄN VĂN AN" and "nguyễn văn an" are one name and "sđt", "so nha" are the cues they look like; the
capitals of the original tell a name from an ordinary word where no cue does.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from service.domain.text import nfc, strip_marks

NAME, PHONE, ID_NUMBER, EMAIL, ADDRESS = "[họ tên]", "[số điện thoại]", "[số CCCD]", "[email]", "[địa chỉ]"
PLACEHOLDERS = (NAME, PHONE, ID_NUMBER, EMAIL, ADDRESS)

# Forms of address before a name (folded): "ông An", "chị Nguyễn Thị Lan".
HONORIFICS = ("ong", "ba", "anh", "chi", "em", "co", "chu", "bac", "cu", "chau", "di", "thim", "mo")
_HON = r"(?:" + "|".join(HONORIFICS) + r")"
# The same words as written, with or without their marks ("có", "chỉ", "cũ" are not honorifics).
_HONORIFIC_FORMS = frozenset({"ông", "bà", "anh", "chị", "em", "cô", "chú", "bác", "cụ", "cháu", "dì", "thím", "mợ",
                              "ong", "ba", "chi", "co", "chu", "bac", "cu", "chau", "di", "thim", "mo"})


@lru_cache(maxsize=8192)
def _fold_char(c: str) -> str:
    folded = strip_marks(c)
    folded = folded.lower() if len(folded) == 1 else c.lower()
    return folded if len(folded) == 1 else c


def shadow(text: str) -> str:
    """Folded, lower-case, character for character: an index in it is the same index in `text`."""
    return "".join(_fold_char(c) for c in text)


def _clean(text: str) -> str:
    # Zero-width and bidi controls (Unicode Cf) would split "Nguy\u200bễn" into two words nobody matches.
    return "".join(c for c in nfc(text) if unicodedata.category(c) != "Cf")


def _words(folded: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", folded)


def _cap(text: str, i: int) -> bool:
    """The word at i starts with a capital and is not an acronym (UBND, HĐND)."""
    end = i
    while end < len(text) and text[end].isalpha():
        end += 1
    word = text[i:end]
    return bool(word) and word[0].isupper() and (len(word) == 1 or not word[1:].isupper())


# --- e-mail, phones and ID numbers --------------------------------------------------------------------

_EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
# A run of digit groups: "0912 345 678", "0912.345.678", "(+84)912-345-678", "84912345678".
_RUN_BODY = r"(?:\+[ \t]*|\([ \t]*\+?[ \t]*)?\d(?:(?:[ \t]?[.\-][ \t]?|[ \t]|\)[ \t]?|[ \t]?\()?\d)*"
_RUN = re.compile(r"(?<![\d.,/])" + _RUN_BODY)
_CUED_RUN = re.compile(_RUN_BODY)  # after "ĐT." the run may follow a dot
_PHONE_CUE = re.compile(r"(?<![a-z])(?:so\s+)?(?:dien\s+thoai(?:\s+di\s+dong)?|dtdd|sdt|dt|di\s+dong|zalo|hotline|tel|"
                        r"phone|lien\s+he|lien\s+lac|goi(?:\s+so)?)(?:\s*(?:so|la|cua\s+toi|:|-|\.|,))*\s*(?=[(+\d])")
_ID_CUE = re.compile(r"(?<![a-z])(?:so\s+)?(?:cccd|cmnd|cmt|can\s+cuoc(?:\s+cong\s+dan)?|chung\s+minh\s+(?:nhan\s+dan|thu)|"
                     r"(?:ma\s+)?(?:so\s+)?dinh\s+danh(?:\s+ca\s+nhan)?|ho\s+chieu|passport)"
                     r"(?:\s*(?:so|la|cua\s+toi|:|-|\.|,|#))*\s*")
_ID_VALUE = re.compile(r"[a-z]{0,2}\d(?:[ .\-]?\d){5,14}(?!\d)")


def _digit_kind(groups: list[str], international: bool) -> str | None:
    digits = "".join(groups)
    if international and digits.startswith("84"):
        rest = digits[2:]
        if (9 <= len(rest) <= 10 and rest[0] != "0") or (len(rest) in (10, 11) and rest[0] == "0"):
            return PHONE
        return None
    if digits.startswith("84") and len(digits) in (11, 12) and digits[2] != "0":
        return PHONE
    if digits[0] == "0" and len(digits) in (10, 11) and digits[1] != "0":
        return PHONE
    if len(digits) == 12 and digits[0] == "0" and (len(groups) == 1 or all(3 <= len(g) <= 4 for g in groups)):
        return ID_NUMBER  # CCCD: 12 digits, a province code first
    if len(digits) == 9 and len(groups) == 1:
        return ID_NUMBER  # CMND: 9 digits written together (a sum of money is written 150.000.000)
    return None


def _classified(folded: str, run: re.Match[str]) -> list[tuple[int, int, str]]:
    """The phones and ID numbers in a run of digit groups, longest first from each group."""
    spans = []
    groups = list(re.finditer(r"\d+", run.group()))
    prefix = run.group()[:groups[0].start()] if groups else ""
    i = 0
    while i < len(groups):
        for j in range(len(groups), i, -1):
            kind = _digit_kind([g.group() for g in groups[i:j]], i == 0 and bool(prefix.strip()))
            if kind:
                start = run.start() if i == 0 else run.start() + groups[i].start()
                spans.append((start, run.start() + groups[j - 1].end(), kind))
                i = j
                break
        else:
            i += 1
    return spans


def _numbers(folded: str) -> list[tuple[int, int, str]]:
    spans = []
    # After a cue ("sđt", "CCCD số") a number is a phone or an ID even in an odd spelling ("zalo 912345678").
    for m in _PHONE_CUE.finditer(folded):
        run = _CUED_RUN.match(folded, m.end())
        found = [s for s in _classified(folded, run) if s[0] == run.start()] if run else []
        if found:
            spans.append((*found[0][:2], PHONE))
        elif run and sum(c.isdigit() for c in run.group()) >= 8:
            spans.append((run.start(), run.end(), PHONE))
    for m in _ID_CUE.finditer(folded):
        found = _ID_VALUE.match(folded, m.end())
        if found and sum(c.isdigit() for c in found.group()) >= 6:
            spans.append((found.start(), found.end(), ID_NUMBER))
    for run in _RUN.finditer(folded):
        spans += _classified(folded, run)
    return spans


# --- names ------------------------------------------------------------------------------------------

# "Tôi tên là …", "tên tôi là …", "họ tên: …", "người tố cáo: …": what follows is a name, capitals or not.
_STRONG_CUE = re.compile(
    r"(?<![a-z])(?:(?:toi|em|chau|minh|con)\s+(?:co\s+)?ten\s+(?:la\s+)?|(?:toi|em|chau|minh)\s+ho\s+ten\s+(?:la\s+)?|"
    r"ten\s+(?:cua\s+)?(?:toi|em|chau|minh)\s+(?:la\s+)?|ho\s+(?:va\s+)?ten(?:\s+(?:nguoi\s+(?:to\s+cao|khieu\s+nai|"
    r"gui\s+don|lam\s+don|viet\s+don|phan\s+anh|kien\s+nghi|dai\s+dien)|(?:cua\s+)?toi))?(?:\s+la)?|"
    r"nguoi\s+(?:to\s+cao|gui\s+don|lam\s+don|viet\s+don|khieu\s+nai|dung\s+don|phan\s+anh|kien\s+nghi|dai\s+dien)"
    r"(?:\s+la)?(?=\s*[:\-–]|\s+la\s)|ky\s+(?:va\s+ghi\s+ro\s+(?:ho\s+)?)?ten)\s*[:\-–]?\s*")
# "Tôi là Nguyễn Văn An", "Tôi, Nguyễn Văn An, …": a name only when written with capitals.
_WEAK_CUE = re.compile(r"(?<![a-z])(?:toi|em|chau|minh)\s*(?:\s+la\b|,|:)\s*")
# Words that end a name typed in lower case ("tôi tên là nguyễn văn an sinh năm 1980").
_STOP = frozenset("""sinh tuoi o tai tru hien dia chi so sdt dt dien thoai cccd cmnd cmt la va xin co da dang nguoi dan
    thon xom to ngo phuong xa kinh gui de ve viec nay cua toi em email zalo can bo cong chuc vien nghe lam trong thuong tam
    que quan huyen tinh duong khu nha mot cac nhung voi bi duoc khong se tren duoi gan""".split())
_ABBREVIATIONS = frozenset({"sdt", "dt", "cccd", "cmnd", "cmt", "email", "zalo", "dtdd"})
_WORD = re.compile(r"[ \t]*([a-z]+)")


def _take_name(text: str, folded: str, pos: int, *, caps_only: bool, most: int = 5) -> tuple[int, int] | None:
    """The name that starts at pos (an honorific may come first), as a span."""
    start, words, caps = None, 0, []
    first = _WORD.match(folded, pos)
    if first and first.group(1) in HONORIFICS and text[first.start(1):first.end(1)].lower() in _HONORIFIC_FORMS:
        start, pos = first.start(1), first.end()
    end = pos
    while words < most:
        m = _WORD.match(folded, pos)
        if not m:
            break
        word, at = m.group(1), m.start(1)
        cap = _cap(text, at)
        if word in _ABBREVIATIONS or (not cap and (caps_only or word in _STOP or any(caps))):
            break
        if m.end() < len(folded) and folded[m.end()].isdigit():
            break
        caps.append(cap)
        start = at if start is None else start
        end, pos, words = m.end(), m.end(), words + 1
    if words >= 2 or (words == 1 and caps[0] and not caps_only):
        return start, end
    return None


def _introduced(text: str, folded: str) -> list[tuple[int, int]]:
    spans = []
    for cue, caps_only in ((_STRONG_CUE, False), (_WEAK_CUE, True)):
        for m in cue.finditer(folded):
            span = _take_name(text, folded, m.end(), caps_only=caps_only, most=5 if caps_only else 4)
            if span:
                spans.append(span)
    return spans


def introduced_names(text: str | None) -> list[str]:
    """The names a text introduces ("Tôi tên là …"): to hide them in the petition's title as well."""
    if not text:
        return []
    text = _clean(text)
    return [text[s:e] for s, e in _introduced(text, shadow(text))]


def _name_patterns(names: Iterable[str]) -> list[tuple[re.Pattern[str], bool]]:
    """(pattern, the given name alone after an honorific: its first letter must be a capital)."""
    out: dict[str, bool] = {}
    for name in names:
        words = _words(shadow(_clean(name or "")))
        if not words or len("".join(words)) < 2:
            continue
        if len(words) >= 2:
            out[rf"(?:{_HON}\s+)?" + r"[\s.\-]+".join(words)] = False
        if len(words) >= 3:
            out[rf"(?:{_HON}\s+)?" + r"\s+".join(words[-2:])] = False
        out[rf"{_HON}\s+{words[-1]}"] = True
    return [(re.compile(rf"(?<![a-z0-9]){p}(?![a-z0-9])"), single) for p, single in out.items()]


def _known_names(text: str, folded: str, names: Iterable[str]) -> list[tuple[int, int]]:
    spans = []
    for pattern, single in _name_patterns(names):
        for m in pattern.finditer(folded):
            if single and not _cap(text, m.end() - len(m.group().split()[-1])):
                continue  # "em an toàn" is not "em An"
            spans.append(m.span())
    return spans


# Public answers hide every person named with a form of address or a common family name, not only the
# petitioners; "Chủ tịch", "đường Lê Lợi" are not people.
_ROLES = frozenset({"chu", "pho", "truong", "giam", "bi", "can", "cong", "to", "thu", "ke", "dia", "thanh", "tong",
                    "doi", "dai", "ong", "ba", "uy", "ban", "hoi", "so", "phong", "tram", "ubnd", "hdnd"})
_ROLE_PHRASES = ("chu tich", "pho chu tich", "truong thon", "truong ban", "can bo", "giam doc", "bi thu", "cong an",
                 "to truong", "ke toan", "dia chinh", "truong phong", "pho truong")
_SURNAMES = frozenset("""nguyen tran le pham hoang huynh phan vu vo dang bui do ngo duong ly dao dinh trinh luong doan
    vuong trieu quach phung kieu mac luu nong tang khuc tieu""".split())
_PLACE_WORDS = frozenset("""duong pho phuong xa thon xom ngo ngach hem kiet cau cho truong vien quan huyen tinh thanh khu
    to lang ap song ho nui dao cang ben cong so tp tt benh nha van dinh chua den mieu""".split())


def _capital_run(text: str, folded: str, pos: int, most: int = 4) -> list[tuple[int, int, str]]:
    run = []
    while len(run) < most:
        m = _WORD.match(folded, pos)
        if not m or not _cap(text, m.start(1)):
            break
        run.append((m.start(1), m.end(1), m.group(1)))
        pos = m.end()
    return run


def _public_names(text: str, folded: str) -> list[tuple[int, int]]:
    spans = []
    for m in re.finditer(rf"(?<![a-z]){_HON}(?=[ \t]+[a-z])", folded):
        if text[m.start():m.end()].lower() not in _HONORIFIC_FORMS:
            continue
        run = _capital_run(text, folded, m.end())
        said = " ".join(w for _, _, w in run)
        if not run or (len(run) == 1 and run[0][2] in _ROLES) or said.startswith(_ROLE_PHRASES):
            continue
        spans.append((m.start(), run[-1][1]))
    for m in re.finditer(r"(?<![a-z])(" + "|".join(sorted(_SURNAMES)) + r")(?![a-z])", folded):
        if not _cap(text, m.start()):
            continue
        run = _capital_run(text, folded, m.start())
        before = _words(folded[max(0, m.start() - 20):m.start()])
        if len(run) >= 2 and not (before and before[-1] in _PLACE_WORDS):
            spans.append((m.start(), run[-1][1]))
    return spans


# --- addresses ----------------------------------------------------------------------------------------

_NUMBER = r"(?>\d+(?:[a-z](?![a-z]))?(?:[ \t]*/[ \t]*\d+(?:[a-z](?![a-z]))?)*)(?![ \t]*/[ \t]*[a-z]|[\d.,]\d)"
_KEYWORDS = (r"so\s+nha|nha\s+so|so|ngo|ngach|hem|kiet|lo|can\s+ho|phong|tang|toa|duong|pho|thon|xom|ap|ban|"
             r"khu\s+pho|khu\s+dan\s+cu|khu|to\s+dan\s+pho|tdp|to|cum|doi|lang|phuong|xa|thi\s+tran|quan|huyen|"
             r"dac\s+khu|tp|thanh\s+pho|tinh")
_COMPONENT = re.compile(rf"[ \t]*(?:[,\-][ \t]*)?(?<![a-z])({_KEYWORDS})(?![a-z])[ \t]*[:.]?[ \t]*(?=[\da-z])")
_BARE_NUMBER = re.compile(rf"[ \t]*({_NUMBER})")
_OWN_HOUSE = re.compile(r"(?<![a-z])(?:so\s+nha|nha\s+so)(?![a-z])")  # someone's house, whoever writes it
_STREET_NUMBER = re.compile(r"(?<![a-z])(?:ngo|ngach|hem|kiet|so)\s+(?=\d)")
_ADDRESS_CUE = re.compile(
    r"(?<![a-z])(?:dia\s+chi(?:\s+(?:thuong\s+tru|tam\s+tru|cu\s+tru|lien\s+he|lien\s+lac|nha\s+rieng|hien\s+nay|"
    r"hien\s+tai))?|(?:thuong|tam|cu)\s+tru(?:\s+(?:tai|o))?|tru\s+(?:tai|o)|noi\s+o(?:\s+hien\s+(?:nay|tai))?|"
    r"ho\s+khau(?:\s+thuong\s+tru)?(?:\s+(?:tai|o))?|que\s+quan|"
    r"nha\s+(?:toi|em|chau|minh|chung\s+toi|ong|ba|anh|chi|co|chu|bac)(?:\s+(?:o|tai))*|"
    r"(?:toi|em|chau|minh|chung\s+toi|gia\s+dinh\s+(?:toi|em|chau))\s+(?:hien\s+)?(?:dang\s+)?"
    r"(?:o|song|sinh\s+song|cu\s+ngu|tru)(?:\s+tai)?)(?![a-z])\s*[:\-–]?")


def _value(text: str, folded: str, pos: int, *, bare_name: bool) -> int | None:
    """The end of a house number (and the street name after it) or of a capitalised place name at pos."""
    number = _BARE_NUMBER.match(folded, pos)
    if number:
        run = _capital_run(text, folded, number.end())
        return run[-1][1] if run else number.end()
    if bare_name:
        run = _capital_run(text, folded, pos)
        return run[-1][1] if run else None
    return None


def _address_from(text: str, folded: str, pos: int, *, bare: bool) -> tuple[int, int] | None:
    """Address components from pos ("số 12 ngõ 64 Trại Lẻ, phường …"); `bare`: the first may lack a keyword."""
    start = end = None
    while True:
        m = _COMPONENT.match(folded, pos)
        if m:
            stop = _value(text, folded, m.end(), bare_name=True)
            if stop is None:
                break
            start = m.start(1) if start is None else start
        elif start is None and bare:
            lead = len(folded[pos:]) - len(folded[pos:].lstrip(" \t"))
            stop = _value(text, folded, pos + lead, bare_name=True)
            if stop is None:
                break
            start = pos + lead
        else:
            break
        end = pos = stop
    return (start, end) if start is not None else None


def _addresses(text: str, folded: str, strict: bool) -> list[tuple[int, int]]:
    spans = []
    for m in _ADDRESS_CUE.finditer(folded):
        found = _address_from(text, folded, m.end(), bare=True)
        if found:
            spans.append(found)
    for m in _OWN_HOUSE.finditer(folded):
        found = _address_from(text, folded, m.start(), bare=False)
        if found:
            spans.append(found)
    if strict:  # a denunciation: any house number may point to the denouncer's home
        for m in _STREET_NUMBER.finditer(folded):
            found = _address_from(text, folded, m.start(), bare=False)
            if not found:
                continue
            head = _COMPONENT.match(folded, m.start())
            number = _BARE_NUMBER.match(folded, head.end()) if head else None
            if head and head.group(1) == "so" and number and found[1] == number.end():
                continue  # "số 3" alone (a count, a page) is no address; "số 3 Lạch Tray", "số 3 ngõ 5" are
            spans.append(found)
    return spans


def _literal(folded: str, values: Iterable[str]) -> list[tuple[int, int]]:
    spans = []
    for value in values:
        words = _words(shadow(_clean(value or "")))
        if len(words) >= 2:
            pattern = r"(?<![a-z0-9])" + r"[\s,.\-/]+".join(map(re.escape, words)) + r"(?![a-z0-9])"
            spans += [m.span() for m in re.finditer(pattern, folded)]
    return spans


# --- all together -------------------------------------------------------------------------------------

def _merge(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    out: list[list] = []
    for start, end, label in sorted(spans, key=lambda s: (s[0], -s[1])):
        if out and start < out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end, label])
    return [tuple(s) for s in out]


def redact(text: str | None, names: Iterable[str] = (), *, addresses: Iterable[str] = (), strict: bool = False,
           public: bool = False) -> str:
    """`text` with names, phones, ID numbers, e-mail addresses and home addresses replaced by placeholders.

    names: the petition's people (matched with or without marks, in any case, after an honorific);
    addresses: their addresses, wherever they appear; strict: a denunciation, where every house number goes;
    public: also every person named with an honorific or a family name (public answers).
    """
    if not text:
        return text or ""
    text = _clean(text)
    folded = shadow(text)
    spans: list[tuple[int, int, str]] = [(m.start(), m.end(), EMAIL) for m in _EMAIL.finditer(folded)]
    spans += _numbers(folded)
    introduced = _introduced(text, folded)
    names = [*names, *(text[s:e] for s, e in introduced)]
    spans += [(s, e, NAME) for s, e in [*introduced, *_known_names(text, folded, names)]]
    if public:
        spans += [(s, e, NAME) for s, e in _public_names(text, folded)]
    spans += [(s, e, ADDRESS) for s, e in [*_addresses(text, folded, strict), *_literal(folded, addresses)]]
    out, last = [], 0
    for start, end, label in _merge(spans):
        out += [text[last:start], label]
        last = end
    out.append(text[last:])
    return "".join(out)


def without_placeholders(text: str) -> str:
    """The text with its placeholders removed: what matching and titles work from."""
    for p in PLACEHOLDERS:
        text = text.replace(p, " ")
    return text
