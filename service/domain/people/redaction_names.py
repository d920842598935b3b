"""Names in a petition's text, for `service.domain.people.redaction`: the petition's people in any spelling, names a
text introduces ("Tôi tên là …", a signature block), a full name written beside a phone, and for public answers
anyone named with an honorific or a family name.

Everything matches on a folded shadow of the text (no diacritics, lower case, the same length); the capitals of
the original tell a name from an ordinary word where no cue does.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from service.domain.text import nfc, strip_marks

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


def clean(text: str) -> str:
    # Zero-width and bidi controls (Unicode Cf) would split "Nguy\u200bễn" into two words nobody matches.
    return "".join(c for c in nfc(text) if unicodedata.category(c) != "Cf")


def fold_words(folded: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", folded)


def _cap(text: str, i: int) -> bool:
    """The word at i starts with a capital and is not an acronym (UBND, HĐND)."""
    end = i
    while end < len(text) and text[end].isalpha():
        end += 1
    word = text[i:end]
    return bool(word) and word[0].isupper() and (len(word) == 1 or not word[1:].isupper())


# --- names ------------------------------------------------------------------------------------------

# "Tôi tên là …", "tên tôi là …", "họ tên: …", "người tố cáo: …": what follows is a name, capitals or not.
_STRONG_CUE = re.compile(
    r"(?<![a-z])(?:(?:toi|em|chau|minh|con)\s+(?:co\s+)?ten\s+(?:la\s+)?|(?:toi|em|chau|minh)\s+ho\s+ten\s+(?:la\s+)?|"
    r"ten\s+(?:cua\s+)?(?:toi|em|chau|minh)\s+(?:la\s+)?|ho\s+(?:va\s+)?ten(?:\s+(?:nguoi\s+(?:to\s+cao|khieu\s+nai|"
    r"gui\s+don|lam\s+don|viet\s+don|phan\s+anh|kien\s+nghi|dai\s+dien)|(?:cua\s+)?toi))?(?:\s+la)?|"
    r"nguoi\s+(?:to\s+cao|gui\s+don|lam\s+don|viet\s+don|khieu\s+nai|dung\s+don|phan\s+anh|kien\s+nghi|dai\s+dien)"
    r"(?:\s+la)?(?=\s*[:\-–\n]|\s+la\s)|\(?ky(?:\s*,\s*|\s+va\s+|\s+)ghi\s+ro\s+(?:ho\s+)?ten\s*\)?|ky\s+ten)"
    r"\s*[:\-–]?\s*")  # the last two: a letter's signature block, "(ký, ghi rõ họ tên)"
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
    start, words, caps, honorific = None, 0, [], False
    first = _WORD.match(folded, pos)
    if first and first.group(1) in HONORIFICS and text[first.start(1):first.end(1)].lower() in _HONORIFIC_FORMS:
        start, pos, honorific = first.start(1), first.end(), True
    end = pos
    while words < most:
        m = _WORD.match(folded, pos)
        if not m:
            break
        word, at = m.group(1), m.start(1)
        cap = text[at].isupper()  # "NGUYỄN THỊ LAN" too
        if word in _ABBREVIATIONS or (not cap and (caps_only or word in _STOP or any(caps))):
            break
        if m.end() < len(folded) and folded[m.end()].isdigit():
            break
        caps.append(cap)
        start = at if start is None else start
        end, pos, words = m.end(), m.end(), words + 1
    if words >= 2 or (words == 1 and caps[0] and (honorific or not caps_only)):  # "tôi là chị Hoa"
        return start, end
    return None


_MID_SENTENCE_CAPITAL = re.compile(r"[^\s.!?:\n\"“(]\s+[^\W\d_]")


def _cased(text: str) -> bool:
    """The writer uses capitals inside sentences (a letter, not a lower-case chat): names are capitalised."""
    return any(m.group()[-1].isupper() for m in _MID_SENTENCE_CAPITAL.finditer(text))


def introduced_spans(text: str, folded: str) -> list[tuple[int, int]]:
    spans = []
    cased = _cased(text)  # "ký tên xác nhận" in a letter is no name; "toi ten la nguyen van an" in a chat is
    for cue, caps_only in ((_STRONG_CUE, cased), (_WEAK_CUE, True)):
        for m in cue.finditer(folded):
            span = _take_name(text, folded, m.end(), caps_only=caps_only, most=5 if caps_only else 4)
            if span:
                spans.append(span)
    return spans


def introduced_names(text: str | None) -> list[str]:
    """The names a text introduces ("Tôi tên là …"): to hide them in the petition's title as well."""
    if not text:
        return []
    text = clean(text)
    return [text[s:e] for s, e in introduced_spans(text, shadow(text))]


def _name_patterns(names: Iterable[str]) -> list[tuple[re.Pattern[str], bool]]:
    """(pattern, the given name alone after an honorific: its first letter must be a capital)."""
    out: dict[str, bool] = {}
    for name in names:
        words = fold_words(shadow(clean(name or "")))
        if not words or len("".join(words)) < 2:
            continue
        if len(words) >= 2:
            out[rf"(?:{_HON}\s+)?" + r"[\s.\-]+".join(words)] = False
        if len(words) >= 3:
            out[rf"(?:{_HON}\s+)?" + r"\s+".join(words[-2:])] = False
        out[rf"{_HON}\s+{words[-1]}"] = True
    return [(re.compile(rf"(?<![a-z0-9]){p}(?![a-z0-9])"), single) for p, single in out.items()]


def known_names(text: str, folded: str, names: Iterable[str]) -> list[tuple[int, int]]:
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


def capital_run(text: str, folded: str, pos: int, most: int = 4) -> list[tuple[int, int, str]]:
    run = []
    while len(run) < most:
        m = _WORD.match(folded, pos)
        if not m or not _cap(text, m.start(1)):
            break
        run.append((m.start(1), m.end(1), m.group(1)))
        pos = m.end()
    return run


def public_names(text: str, folded: str) -> list[tuple[int, int]]:
    spans = []
    for m in re.finditer(rf"(?<![a-z]){_HON}(?=[ \t]+[a-z])", folded):
        if text[m.start():m.end()].lower() not in _HONORIFIC_FORMS:
            continue
        run = capital_run(text, folded, m.end())
        said = " ".join(w for _, _, w in run)
        if not run or (len(run) == 1 and run[0][2] in _ROLES) or said.startswith(_ROLE_PHRASES):
            continue
        spans.append((m.start(), run[-1][1]))
    for m in re.finditer(r"(?<![a-z])(" + "|".join(sorted(_SURNAMES)) + r")(?![a-z])", folded):
        if not _cap(text, m.start()):
            continue
        run = capital_run(text, folded, m.start())
        before = fold_words(folded[max(0, m.start() - 20):m.start()])
        if len(run) >= 2 and not (before and before[-1] in _PLACE_WORDS):
            spans.append((m.start(), run[-1][1]))
    return spans


_BEFORE_CONTACT = re.compile(r"(?:[\s,:;()\-–—/]|(?<![a-z])(?:so\s+)?(?:dien\s+thoai|sdt|dt|email|zalo|cccd|cmnd)"
                             r"(?![a-z]))*$")


def contact_names(text: str, folded: str, contacts: list[tuple[int, int, str]]) -> list[tuple[int, int]]:
    """"Nguyễn Văn An – 0912345678": a full name written right before a phone, e-mail or ID number."""
    spans = []
    for start, _, _ in contacts:
        window = max(0, start - 80)
        gap = _BEFORE_CONTACT.search(folded, window, start)
        end = gap.start() if gap else start
        words = list(re.finditer(r"[a-z]+", folded[window:end]))
        run = []
        for w in reversed(words[-4:]):
            at = window + w.start()
            if not _cap(text, at) or (run and folded[at + len(w.group()):run[-1][0]].strip(" \t")):
                break
            run.append((at, w.group()))
        while run and run[-1][1] not in _SURNAMES:
            run.pop()  # from the family name on: "Liên hệ Nguyễn Văn An" keeps "Liên hệ"
        if len(run) >= 2 and run[0][0] + len(run[0][1]) == end:
            spans.append((run[-1][0], end))
    return spans
