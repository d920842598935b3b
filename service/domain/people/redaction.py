"""Redaction: a text with the personal data of the people in it replaced by Vietnamese placeholders.

Luật Tố cáo 2018 Điều 47 k2 and Điều 56: the denouncer's name, address and personal data are kept secret and
stripped from the file before it goes to those who verify it; NĐ 154/2026 Đ12 k2 and Luật Bảo vệ dữ liệu cá
nhân 91/2025/QH15 ask the same care for every petitioner. `service.domain.people.confidential` derives a petition's
redacted text once, at intake; everyone who may not see the identity reads only that text.

Matching runs on a folded shadow of the text (no diacritics, lower case, the same length), so "Nguyen Van An",
"NGUYỄN VĂN AN" and "nguyễn văn an" are one name and "sđt", "so nha" are the cues they look like; the
capitals of the original tell a name from an ordinary word where no cue does.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

from service.domain.people.redaction_names import (
    capital_run,
    clean,
    contact_names,
    fold_words,
    introduced_names,
    introduced_spans,
    known_names,
    public_names,
    shadow,
)

__all__ = ["ADDRESS", "EMAIL", "ID_NUMBER", "NAME", "PHONE", "PLACEHOLDERS", "introduced_names", "redact", "shadow",
           "without_placeholders"]

NAME, PHONE, ID_NUMBER, EMAIL, ADDRESS = "[họ tên]", "[số điện thoại]", "[số CCCD]", "[email]", "[địa chỉ]"
PLACEHOLDERS = (NAME, PHONE, ID_NUMBER, EMAIL, ADDRESS)

# --- e-mail, phones and ID numbers --------------------------------------------------------------------

_EMAIL = re.compile(r"(?<![\w.+\-])[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
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
    """The phones and ID numbers in a run of digit groups, the longest first from each group."""
    spans = []
    groups = list(re.finditer(r"\d+", run.group()))
    prefix = run.group()[:groups[0].start()] if groups else ""
    texts = [g.group() for g in groups]
    i = 0
    while i < len(groups):
        found, digits = None, 0
        for j in range(i, len(groups)):  # no phone or ID has more than 13 digits: a long run costs linear time
            digits += len(texts[j])
            if digits > 13:
                break
            kind = _digit_kind(texts[i:j + 1], i == 0 and bool(prefix.strip()))
            found = (j, kind) if kind else found
        if found is None:
            i += 1
            continue
        j, kind = found
        start = run.start() if i == 0 else run.start() + groups[i].start()
        end = run.start() + groups[j].end()
        if folded[start] == "(" and ")" not in folded[start:end]:
            start = run.start() + groups[i].start()  # "(0912345678)": the brackets stay
        spans.append((start, end, kind))
        i = j + 1
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


# --- addresses ----------------------------------------------------------------------------------------

_NUMBER = r"(?>\d+(?:[a-z](?![a-z]))?(?:[ \t]*/[ \t]*\d+(?:[a-z](?![a-z]))?)*)(?![ \t]*/[ \t]*[a-z]|[\d.,]\d)"
_KEYWORDS = (r"so\s+nha|nha\s+so|so|ngo|ngach|hem|kiet|lo|can\s+ho|phong|tang|toa|duong|pho|thon|xom|ap|ban|"
             r"khu\s+pho|khu\s+dan\s+cu|khu|to\s+dan\s+pho|tdp|to|cum|doi|lang|phuong|xa|thi\s+tran|quan|huyen|"
             r"dac\s+khu|tp|thanh\s+pho|tinh")
_COMPONENT = re.compile(rf"[ \t]*(?:[,\-][ \t]*)?(?<![a-z])({_KEYWORDS})(?![a-z])[ \t]*[:.]?[ \t]*(?=[\da-z])")
_BARE_NUMBER = re.compile(rf"[ \t]*({_NUMBER})")
MAX_COMPONENTS = 8  # số, ngõ, ngách, tổ, thôn, phường, …: a longer chain is no single address
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
        run = capital_run(text, folded, number.end())
        return run[-1][1] if run else number.end()
    if bare_name:
        run = capital_run(text, folded, pos)
        return run[-1][1] if run else None
    return None


def _address_from(text: str, folded: str, pos: int, *, bare: bool) -> tuple[int, int] | None:
    """Address components from pos ("số 12 ngõ 64 Trại Lẻ, phường …"); `bare`: the first may lack a keyword."""
    start = end = None
    for _ in range(MAX_COMPONENTS):
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
    spans: list[tuple[int, int]] = []

    def take(start: int, bare: bool) -> tuple[int, int] | None:
        if spans and start < spans[-1][1]:
            return None  # inside an address already found: each text is walked once
        found = _address_from(text, folded, start, bare=bare)
        return found

    for m in _ADDRESS_CUE.finditer(folded):
        found = take(m.end(), True)
        if found:
            spans.append(found)
    for m in _OWN_HOUSE.finditer(folded):
        found = take(m.start(), False)
        if found:
            spans.append(found)
    if strict:  # a denunciation: any house number may point to the denouncer's home
        for m in _STREET_NUMBER.finditer(folded):
            found = take(m.start(), False)
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
        words = fold_words(shadow(clean(value or "")))
        if len(words) >= 2:
            pattern = r"(?<![a-z0-9])" + r"[\s,.\-/]+".join(map(re.escape, words)) + r"(?![a-z0-9])"
            spans += [m.span() for m in re.finditer(pattern, folded)]
    return spans


# "Tôi tên là …, ở xóm 3 thôn Đông": where the person just named lives.
_AFTER_NAME = re.compile(r"[ \t]*[,(]?[ \t]*(?:sinh\s+nam\s+\d{4}[ \t]*,?[ \t]*)?(?:hien\s+)?(?:dang\s+)?"
                         r"(?:nha\s+(?:o|tai)|o|tru|song|cu\s+ngu|thuong\s+tru|tam\s+tru|dia\s+chi)(?:\s+(?:o|tai))?(?![a-z])"
                         r"\s*[:\-]?")


def _where_named(text: str, folded: str, names: list[tuple[int, int]]) -> list[tuple[int, int]]:
    spans = []
    for _, end in names:
        m = _AFTER_NAME.match(folded, end)
        found = _address_from(text, folded, m.end(), bare=True) if m else None
        if found:
            spans.append(found)
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
    text = clean(text)
    folded = shadow(text)
    spans: list[tuple[int, int, str]] = [(m.start(), m.end(), EMAIL) for m in _EMAIL.finditer(folded)]
    spans += _numbers(folded)
    introduced = introduced_spans(text, folded)
    names = [*names, *(text[s:e] for s, e in introduced)]
    spans += [(s, e, NAME) for s, e in [*introduced, *known_names(text, folded, names),
                                         *contact_names(text, folded, spans)]]
    spans += [(s, e, ADDRESS) for s, e in _where_named(text, folded, introduced)]
    if public:
        spans += [(s, e, NAME) for s, e in public_names(text, folded)]
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
