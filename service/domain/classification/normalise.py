"""Citizen Vietnamese made comparable, and the cue phrases of config/categories.yaml found in it.

`normalise` keeps the diacritics the writer typed ("ko dc" -> "không được", "hai triệu" -> "2000000");
`classifier_text` is its folded form (service.domain.text.fold), so a message typed without
diacritics and the same message typed with them give the classifier the same words. The cue
phrases (field keywords, kind cues, officials, misconduct) are matched on that folded form.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

import yaml

from service.domain.codes import CONFIG_DIR, KINDS
from service.domain.text import fold, nfc

CATEGORIES_FILE = CONFIG_DIR / "categories.yaml"
CUE_WINDOW = 30  # words: an official and a misconduct cue this close describe one act
# Words: "tố cáo ông Chủ tịch UBND xã ..." names the accused right after the verb, "phó chủ tịch xã
# nhận tiền ..." right before the wrong; "... nhận tiền, tôi đã báo chủ tịch xã" only mentions them.
ACCUSED_WITHIN, DENOUNCED_WITHIN = 12, 7  # words from an official to a wrong; from "tố cáo" to the official it names

# Token -> expansion. Keys are lower-case NFC; only whole tokens are replaced.
ABBREVIATIONS: dict[str, str] = {
    **dict.fromkeys(("ko", "khong", "kh", "hok", "hông", "hem", "k0", "khg", "kg"), "không"),
    **dict.fromkeys(("dc", "đc"), "được"),
    "j": "gì", "ji": "gì",
    **dict.fromkeys(("a/c", "anh/chị"), "anh chị"),
    **dict.fromkeys(("đ/c", "d/c"), "đồng chí"),
    "ubnd": "ủy ban nhân dân", "hđnd": "hội đồng nhân dân", "hdnd": "hội đồng nhân dân",
    "ubmttq": "ủy ban mặt trận tổ quốc", "mttq": "mặt trận tổ quốc",
    "gpmb": "giải phóng mặt bằng", "tđc": "tái định cư", "tdc": "tái định cư",
    "tdp": "tổ dân phố", "tđp": "tổ dân phố", "kdc": "khu dân cư",
    "cccd": "căn cước công dân", "cmnd": "chứng minh nhân dân", "cmt": "chứng minh nhân dân",
    "ntn": "như thế nào", "mn": "mọi người", "mng": "mọi người",
    **dict.fromkeys(("sdt", "sđt"), "số điện thoại"),
    "ng": "người", "ngta": "người ta", "bn": "bao nhiêu", "r": "rồi", "trc": "trước", "ms": "mới",
    **dict.fromkeys(("mik", "mk"), "mình"),
    "nhìu": "nhiều", "wá": "quá", "qá": "quá", "bít": "biết", "bik": "biết", "đag": "đang", "dag": "đang",
    "cx": "cũng", "cg": "cũng", "lm": "làm", "mún": "muốn", "hum": "hôm", "kbh": "không bao giờ",
    "kp": "không phải", "tg": "thời gian", "tgian": "thời gian", "đg": "đường", "dg": "đường",
    "cb": "cán bộ", "cbcc": "cán bộ công chức", "cq": "cơ quan", "cqcn": "cơ quan chức năng",
    "csgt": "cảnh sát giao thông", "pccc": "phòng cháy chữa cháy", "atgt": "an toàn giao thông",
    "attp": "an toàn thực phẩm", "kcn": "khu công nghiệp", "kkt": "khu kinh tế", "ccn": "cụm công nghiệp",
    "gcn": "giấy chứng nhận", "qsdđ": "quyền sử dụng đất", "qsdd": "quyền sử dụng đất",
    "gcnqsdđ": "giấy chứng nhận quyền sử dụng đất", "gcnqsdd": "giấy chứng nhận quyền sử dụng đất",
    "gpxd": "giấy phép xây dựng", "cty": "công ty", "dn": "doanh nghiệp", "hkd": "hộ kinh doanh",
    "qđ": "quyết định", "nđ": "nghị định", "bhyt": "bảo hiểm y tế", "bhxh": "bảo hiểm xã hội",
    "tp": "thành phố", "hp": "hải phòng", "vp": "văn phòng", "xh": "xã hội", "ttg": "thủ tướng",
}

# Misspellings people type (the n/l confusion of the coast among them), by folded phrase.
FOLDED_FIXES: dict[str, str] = {
    "khieu lai": "khieu nai", "khiu nai": "khieu nai", "kieu nai": "khieu nai", "kien ngi": "kien nghi",
    "kien nhi": "kien nghi", "phan ang": "phan anh", "lan chien": "lan chiem", "lo nhiem": "o nhiem",
}
_FIX_RE = re.compile(r"\b(" + "|".join(map(re.escape, FOLDED_FIXES)) + r")\b")

# "bt" and "vs" read by their neighbours: "tiền bt" is compensation, "bt" alone is "normal".
_COMPENSATION_NEIGHBOURS = {"tiền", "tien", "giá", "gia", "đền", "den", "mức", "muc", "phương", "án", "pa",
                            "gpmb", "tđc", "tdc", "hỗ", "ho", "được", "dc", "đc", "nhận", "nhan"}
_HYGIENE_NEIGHBOURS = {"nhà", "nha", "khu", "phí", "phi", "công", "cong", "tiền", "tien", "môi", "moi"}
_NOT_WORDS = {"không", "ko", "k", "chưa", "chua", "chẳng", "mới", "moi", "khong"}

DIGIT_WORDS = {"không": 0, "một": 1, "mốt": 1, "hai": 2, "ba": 3, "bốn": 4, "tư": 4, "năm": 5, "lăm": 5,
               "nhăm": 5, "sáu": 6, "bảy": 7, "bẩy": 7, "tám": 8, "chín": 9,
               "mot": 1, "bon": 4, "chin": 9, "bay": 7, "sau": 6, "nam": 5, "tam": 8, "lam": 5}
# Digit words that are also everyday words ("sau" after, "nam" south, "ba" father): numbers only
# inside an amount, never trailing one ("hai triệu năm ngoái" is not 2.5 million).
_AMBIGUOUS = {"mot", "bon", "chin", "bay", "sau", "nam", "tam", "lam", "không", "ba", "tư", "năm"}
_UNITS_ONLY = {"lăm", "nhăm", "mốt", "lam"}  # only after "mươi"/"mười": hai mươi lăm
TENS = {"mươi", "mười", "muoi"}
HUNDREDS = {"trăm", "tram"}
SCALES = {"nghìn": 10**3, "ngàn": 10**3, "nghin": 10**3, "ngan": 10**3, "k": 10**3,
          "triệu": 10**6, "trieu": 10**6, "tr": 10**6, "củ": 10**6, "tỷ": 10**9, "tỉ": 10**9, "ty": 10**9}
_AFTER_DIGITS_ONLY = {"k", "tr", "củ", "ty"}  # "500k", "2tr": only right after a numeral
_HALF = {"rưỡi", "ruoi"}
_LINKS = {"linh", "lẻ"}
_CURRENCY = {"đồng", "dong", "đ", "vnđ", "vnd"}

_TOKEN = re.compile(r"[^\W\d_]+/[^\W\d_]+|\d+(?:[.,]\d+)*|[^\W\d_]+|\d+|\S", re.UNICODE)
_THOUSANDS = re.compile(r"\d{1,3}(?:[.,]\d{3})+")


@lru_cache(maxsize=512)
def normalise(text: str) -> str:
    """NFC, lower case, single spaces, abbreviations expanded, amounts in digits ('hai triệu' -> '2000000')."""
    matches = list(_TOKEN.finditer(nfc(text or "").lower()))
    tokens = [m.group() for m in matches]
    # Spacing between tokens is kept ("100m2", "12/3") but runs of blanks become one space.
    gaps = [" " if i and m.start() > matches[i - 1].end() else "" for i, m in enumerate(matches)]
    tokens = _expand(tokens)
    return "".join(gap + token for gap, token in _amounts(tokens, gaps))


@lru_cache(maxsize=512)
def classifier_text(text: str) -> str:
    """The folded, expanded form the classifier reads: 'Ko đc GPMB' -> 'khong duoc giai phong mat bang'."""
    folded = fold(normalise(text))
    return _FIX_RE.sub(lambda m: FOLDED_FIXES[m.group(1)], folded)


def fold_normalised(text: str) -> str:
    """classifier_text of a text `normalise` already gave (no second expansion pass)."""
    return _FIX_RE.sub(lambda m: FOLDED_FIXES[m.group(1)], fold(text))


def _expand(tokens: list[str]) -> list[str]:
    out: list[str] = []
    for i, token in enumerate(tokens):
        prev = tokens[i - 1] if i else ""
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        if token == "k" and _is_numeral(prev):
            out.append(token)  # "500k": an amount, read by _amounts
        elif token == "bt":
            near = {prev, nxt}
            out.append("bồi thường" if near & _COMPENSATION_NEIGHBOURS else "bình thường")
        elif token == "vs":
            out.append("vệ sinh" if prev in _HYGIENE_NEIGHBOURS else "với")
        elif token in ("dk", "đk"):
            out.append("được" if prev in _NOT_WORDS else "đăng ký")
        elif token in ("dt", "đt"):
            out.append("diện tích" if _is_numeral(nxt) else "điện thoại")
        elif token == "k":
            out.append("không")
        else:
            out.append(ABBREVIATIONS.get(token, token))
    return out


def _is_numeral(token: str) -> bool:
    """A number as written ("12", "1.500.000", "1,5"); not a digit-like sign such as "²" (isdigit, no float)."""
    if not token or not token[0].isdigit():
        return False
    try:
        _numeral_value(token)
    except ValueError:
        return False
    return True


def _numeral_value(token: str) -> float:
    # "200.000" and "1.500.000" group thousands; a single comma is the decimal mark ("1,5 triệu").
    if _THOUSANDS.fullmatch(token) and not re.fullmatch(r"\d+,\d{3}", token) or token.count(".") > 1:
        return float(re.sub(r"[.,]", "", token))
    return float(token.replace(",", "."))


def _amounts(tokens: list[str], gaps: list[str]) -> list[tuple[str, str]]:
    """Runs of number words with a multiplier become digits: 'năm trăm nghìn' -> '500000'."""
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(tokens):
        value, end = _read_amount(tokens, i)
        if value is None:
            token = tokens[i]
            out.append((gaps[i], _format(_numeral_value(token)) if _THOUSANDS.fullmatch(token) else token))
            i += 1
        else:
            out.append((gaps[i], _format(value)))
            i = end
    return out


def _format(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _meaning(tokens: list[str], j: int, prev: str | None) -> tuple[str, float] | None:
    """What tokens[j] adds to an amount whose last part was `prev`; None ends the amount."""
    token = tokens[j]
    nxt = tokens[j + 1] if j + 1 < len(tokens) else ""
    if _is_numeral(token):
        if prev is None or prev == "link":
            return "numeral", _numeral_value(token)
        if prev == "scale" and _starts_multiplier(tokens, j + 1, "num"):
            return "numeral", _numeral_value(token)
        if prev == "scale" and token.isdigit() and len(token) == 1 and not _is_wordy(nxt):
            return "trailing", float(token)  # "1tr5", "2 triệu 5": 1.5 / 2.5 million
        return None
    if token in SCALES:
        if token in _AFTER_DIGITS_ONLY:
            return ("scale", SCALES[token]) if prev == "numeral" else None
        return ("scale", SCALES[token]) if prev in ("num", "numeral", "ten", "tens", "hundred") else None
    if token in HUNDREDS:
        if token == "tram" and _is_wordy(nxt) and nxt not in (*SCALES, *DIGIT_WORDS, *TENS, *_LINKS, *_HALF):
            return None  # "hai tram bien ap": two stations (trạm), not two hundred
        return ("hundred", 100) if prev in (None, "num", "numeral", "scale") else None
    if token in TENS:
        if prev in ("num",) and token != "mười":
            return "tens", 10
        return ("ten", 10) if prev in (None, "scale", "hundred", "link") and token != "mươi" else None
    if token in _HALF:
        return ("half", 0.5) if prev in ("scale", "hundred") else None
    if token in _LINKS:
        return ("link", 0) if prev == "hundred" else None
    if token in DIGIT_WORDS:
        value = DIGIT_WORDS[token]
        if prev in ("ten", "tens"):
            return None if token in ("năm", "nam") else ("num", value)  # "mười năm" is ten years
        if token in _UNITS_ONLY:
            return None
        if prev in ("link", None, "scale", "hundred") and _starts_multiplier(tokens, j + 1, "num"):
            return "num", value
        if prev == "link" or (prev == "hundred" and token not in _AMBIGUOUS and not _is_wordy(nxt)):
            return "num", value
        if prev == "scale" and token not in _AMBIGUOUS and not _is_wordy(nxt):
            return "trailing", value  # "hai triệu hai": 2.2 million
    return None


def _starts_multiplier(tokens: list[str], j: int, prev: str) -> bool:
    if j >= len(tokens) or tokens[j] in _AFTER_DIGITS_ONLY:
        return False
    meaning = _meaning(tokens, j, prev)
    return meaning is not None and meaning[0] in ("tens", "hundred", "scale")


def _is_wordy(token: str) -> bool:
    return bool(token) and token[0].isalpha() and token not in _CURRENCY


def _read_amount(tokens: list[str], start: int) -> tuple[float | None, int]:
    run: list[tuple[str, float]] = []
    prev: str | None = None
    j = start
    while j < len(tokens):
        meaning = _meaning(tokens, j, prev)
        if meaning is None:
            break
        run.append(meaning)
        prev = meaning[0]
        j += 1
        if prev == "trailing":
            break
    kinds = [k for k, _ in run]
    if not any(k in ("ten", "tens", "hundred", "scale") for k in kinds) or len(run) < 2:
        return None, start
    return _evaluate(run), j


def _evaluate(run: list[tuple[str, float]]) -> float:
    total, group, unit, last_scale = 0.0, 0.0, None, 0
    for kind, value in run:
        if kind in ("num", "numeral"):
            unit = value
        elif kind == "ten":
            group += 10
        elif kind == "tens":
            group += (unit or 1) * 10
            unit = None
        elif kind == "hundred":
            group += (unit if unit is not None else 1) * 100
            unit = None
        elif kind == "scale":
            total += ((group + (unit or 0)) or 1) * value
            group, unit, last_scale = 0.0, None, int(value)
        elif kind == "half":
            group, total = (group + 50, total) if group else (group, total + last_scale / 2)
        elif kind == "trailing":
            total += value * last_scale / 10
    return total + group + (unit or 0)


# --- cue phrases of config/categories.yaml ---------------------------------------------------------

@dataclass(frozen=True)
class Phrase:
    folded: str  # what is matched: whole folded words
    shown: str  # what the explanation quotes


@dataclass(frozen=True)
class Rules:
    categories: dict[str, tuple[Phrase, ...]]
    kinds: dict[str, tuple[Phrase, ...]]
    officials: tuple[Phrase, ...]
    misconduct: tuple[Phrase, ...]
    bribery: tuple[Phrase, ...]
    unit_leaders: tuple[Phrase, ...]
    city_matters: tuple[dict[str, Any], ...]


def _phrases(values: Iterable[Any]) -> tuple[Phrase, ...]:
    out = {}
    for value in values or ():
        shown = str(value)
        key = classifier_text(shown)
        if key:
            out.setdefault(key, Phrase(key, shown))
    return tuple(out.values())


def load_rules(path: Path | str | None = None) -> Rules:
    path = Path(path or CATEGORIES_FILE)
    return _load_rules(path, path.stat().st_mtime_ns)


@lru_cache(maxsize=4)
def _load_rules(path: Path, _mtime: int) -> Rules:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    matters = []
    for m in data.get("city_matters") or ():
        matters.append({**m, "keywords": _phrases(m.get("keywords")), "requires": _phrases(m.get("requires"))})
    return Rules(
        categories={code: _phrases(row.get("keywords")) for code, row in data["categories"].items()},
        kinds={code: _phrases((data.get("kinds") or {}).get(code)) for code in KINDS},
        officials=_phrases(data.get("officials")), misconduct=_phrases(data.get("misconduct")),
        bribery=_phrases(data.get("bribery")),
        unit_leaders=_phrases(data.get("accused_unit_leaders")), city_matters=tuple(matters),
    )


def find(phrases: Iterable[Phrase], folded: str) -> list[Phrase]:
    """The phrases present as whole words in a folded text."""
    padded = f" {folded} "
    return [p for p in phrases if f" {p.folded} " in padded]


def _positions(phrases: tuple[Phrase, ...], folded: str) -> list[int]:
    """Word positions where any of the phrases starts."""
    return [folded.count(" ", 0, m.start()) for m in _pattern(phrases).finditer(folded)]


@lru_cache(maxsize=64)
def _pattern(phrases: tuple[Phrase, ...]) -> re.Pattern[str]:
    # A lookahead finds every start, also where two phrases overlap ("cán bộ" in "cán bộ địa chính").
    words = sorted((p.folded for p in phrases), key=len, reverse=True) or ["(?!)"]
    return re.compile(r"(?<!\S)(?=(?:" + "|".join(map(re.escape, words)) + r")(?!\S))")


# "đòi 10 triệu", "nhận của tôi 15 triệu": a verb of taking, up to three words, then an amount in digits.
TAKING_AMOUNT = re.compile(r"\b(?:doi|vong|an chan|thu them|bat nop|nhan cua)(?: \w+){0,3} \d{4,}")


def _near(a: list[int], b: list[int]) -> bool:
    return any(abs(i - j) <= CUE_WINDOW for i in a for j in b)


# "chị Nga ở bộ phận một cửa", "anh Tuấn công an xã": a named person at a public office is an official.
NAMED_AT_OFFICE = re.compile(r"\b(?:ong|ba|anh|chi|co|chu|ten) \w+ (?:\w+ )?(?:o |tai |cua |lam o |lam tai )?"
                             r"(?:bo phan mot cua|trung tam phuc vu hanh chinh cong|uy ban nhan dan|cong an)\b")


_SALUTATION = re.compile(r"\b(?:kinh gui|kinh thua|gui)\b(?: \w+){0,10}")


def official_positions(folded: str, rules: Rules) -> list[int]:
    """Where officials are named, leaving out the addressee ("Kính gửi Chủ tịch UBND xã")."""
    named = [folded.count(" ", 0, m.start()) for m in NAMED_AT_OFFICE.finditer(folded)]
    addressed = set()
    for m in _SALUTATION.finditer(folded):
        start = folded.count(" ", 0, m.start())
        addressed.update(range(start, start + 11))
    return [p for p in _positions(rules.officials, folded) + named if p not in addressed]


def names_official_misconduct(folded: str, rules: Rules | None = None) -> bool:
    """An official and a misconduct cue close together, or denounced by name: the petition accuses an official."""
    rules = rules or load_rules()
    wrongs = _positions(rules.misconduct, folded) + _taking(folded)
    return _near(official_positions(folded, rules), wrongs) or denounces_official(folded, rules)


def denounces_official(folded: str, rules: Rules | None = None) -> bool:
    """The official right after "tố cáo" ("tố cáo bà X, hiệu trưởng ...") is the one accused (domain.md)."""
    return any(0 < a - d <= DENOUNCED_WITHIN for a in official_positions(folded, rules or load_rules())
               for d in _positions(_DENOUNCE, folded))


def names_official_bribery(folded: str, rules: Rules | None = None) -> bool:
    """An official named near money taken: a denunciation even when written as a report (domain.md)."""
    rules = rules or load_rules()
    return _near(official_positions(folded, rules), _positions(rules.bribery, folded) + _taking(folded))


_DENOUNCE = (Phrase("to cao", "tố cáo"),)


def accused(phrases: tuple[Phrase, ...], folded: str, rules: Rules | None = None) -> list[Phrase]:
    """The phrases (e.g. a unit's chairperson) the petition accuses: right after "tố cáo" or beside a
    misconduct cue, not merely mentioned ("tôi đã báo chủ tịch xã")."""
    rules = rules or load_rules()
    denounced = _positions(_DENOUNCE, folded)
    wrongs = _positions(rules.misconduct, folded) + _positions(rules.bribery, folded) + _taking(folded)
    out = []
    for phrase in find(phrases, folded):
        at = _positions((phrase,), folded)
        if any(0 <= a - d <= ACCUSED_WITHIN for a in at for d in denounced) or \
                any(0 < w - a <= ACCUSED_WITHIN for a in at for w in wrongs):
            out.append(phrase)
    return out


def _taking(folded: str) -> list[int]:
    return [folded.count(" ", 0, m.start()) for m in TAKING_AMOUNT.finditer(folded)]
