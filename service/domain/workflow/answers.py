"""The answer rule: an answer must say what was done or decided.

Luật Tiếp công dân 2013 Điều 28 asks the body to answer a kiến nghị, phản ánh with the result of its
consideration; Luật Khiếu nại 2011 Điều 31 and Luật Tố cáo 2018 Điều 35 ask for a decision or conclusion with
its content. "ok", "đã xử lý" or a draft whose blanks were never filled tells the citizen nothing (iHanoi's
unhappy citizens blamed vague answers), so the workflow's answer action refuses (422):
  - an unfilled placeholder: the draft's "[…]", "[...]" or any short text in square brackets, "${…}",
    "{{…}}", "<<…>>", a dotted or underlined blank ("……", "____"), "XXX";
  - an answer whose substance, the text without the drafts' fixed lines (heading, "Căn cứ: …", the look-up
    line, the rights to appeal), holds no full sentence of at least MIN_SYLLABLES syllables that says what
    was done, found or decided.
One rule for every door (console, API, paper entry): `perform` calls it through the answer action.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

from service.domain.deadlines.calendar import VN_TZ
from service.domain.errors import ValidationFailed
from service.domain.notifications import citizens
from service.domain.text import fold
from service.models.petition import Petition
from service.models.reply import Reply

MIN_SYLLABLES = 8
MIN_CHARS = 30
PLACEHOLDERS = (
    re.compile(r"\[[^\[\]\n]{0,80}\]"),  # […], [...], [ghi rõ kết quả]
    re.compile(r"\$\{[^}]*\}|\{\{[^}]*\}\}|<<[^>]*>>"),
    re.compile(r"(?:\.\s?){5,}|…{2,}|_{3,}"),
    re.compile(r"\bX{3,}\b"),
)
# The drafts' fixed lines (service.domain.casework.notices) and their labels: not the substance.
BOILERPLATE_LINE = re.compile(
    r"^(van ban tra loi don [a-z ]{0,20}$|quyet dinh giai quyet khieu nai lan (dau|hai)$"
    r"|thong bao ket qua giai quyet to cao$|ve don [a-z ]{0,20}ma |ngay \d.*nhan duoc don"
    r"|sau khi xem xet\b.*\btra loi nhu sau\s*$|can cu|ong ba co the tra cuu|trong thoi han 30 ngay"
    r"|neu khong dong y voi quyet dinh nay)")
LABEL = re.compile(r"^(kết quả xác minh|kết luận nội dung tố cáo|kết luận|giải quyết|biện pháp xử lý)\s*:\s*",
                   re.IGNORECASE)
# Words that say something was done, found or decided (folded: no diacritics).
DEED = re.compile(
    r"\b(da|se|dang|quyet dinh|ket luan|chap nhan|dong y|bac|giu nguyen|huy|sua|thay|lap|lam|thuc hien|hoan thanh"
    r"|khac phuc|xu ly|giai quyet|kiem tra|xac minh|yeu cau|huong dan|bo tri|phoi hop|dieu chinh|thu hoi"
    r"|cong nhan|khong co can cu|dung|sai|duoc|cap|chuyen|tra lai|nang cap|don dep|thong tac|cat)\b")
SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+")


def _refuse(vi: str, en: str, field: str) -> ValidationFailed:
    return ValidationFailed(vi, en, fields={"text": [field]}, code="answer_too_vague")


def substance(text: str) -> list[str]:
    """The sentences of the answer that are not the drafts' fixed lines."""
    out = []
    for line in text.splitlines():
        for sentence in SENTENCE_END.split(LABEL.sub("", line.strip())):
            folded = fold(sentence)
            if folded and not BOILERPLATE_LINE.match(folded):
                out.append(sentence.strip())
    return out


def says_something(sentence: str) -> bool:
    folded = fold(sentence)
    return len(folded.split()) >= MIN_SYLLABLES and len(sentence) >= MIN_CHARS and bool(DEED.search(folded))


def check_answer(text: str | None) -> str:
    """The answer, trimmed; raises ValidationFailed (422) saying what is missing."""
    text = (text or "").strip()
    for pattern in PLACEHOLDERS:
        found = pattern.search(text)
        if found:
            mark = found.group(0)[:40]
            raise _refuse(f"Văn bản trả lời còn chỗ chưa điền “{mark}”: hãy viết nội dung thay cho chỗ đó rồi gửi lại.",
                          f"The answer still contains an unfilled placeholder ({mark!r}).",
                          f"Còn chỗ “{mark}” chưa điền.")
    if not any(says_something(s) for s in substance(text)):
        raise _refuse(
            "Câu trả lời chưa cho công dân biết cơ quan đã làm gì hoặc đã quyết định gì. Hãy viết ít nhất một câu "
            "đầy đủ nêu rõ việc đã làm, kết quả xem xét hoặc quyết định, ví dụ: “Ngày 08/12, xã đã thay nắp cống "
            "trước nhà số 14 thôn Lai Khê.”",
            "The answer does not say what was done or decided: write at least one full sentence stating the "
            "action taken, the finding or the decision.",
            f"Cần ít nhất một câu đầy đủ (từ {MIN_SYLLABLES} tiếng) nêu việc đã làm hoặc quyết định.")
    return text


def answer_payload(petition: Petition, reply: Reply, at: dt.datetime, files: list[int] | None = None) -> dict[str, Any]:
    """What the phone and e-mail copies of an answer carry besides its text: the ZNS template data and the
    short text (citizens.short_payload), and the answer's files for the e-mail."""
    first = next((s for s in substance(reply.text) if says_something(s)), reply.text)
    payload = citizens.short_payload(petition, "answer", date=f"{at.astimezone(VN_TZ):%d/%m/%Y}", summary=first)
    if files:
        payload["attachment_ids"] = list(files)
    return payload
