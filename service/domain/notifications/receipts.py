"""The receipt a citizen is sent when their petition is received, with its first legal deadline.

A chat citizen reads the receipt in the chat right away (bots.drafting); everyone else (web form, API,
Open311, hotline, walk-in, e-mail, SMS) is sent it by ZNS (SMS when ZNS refuses) and e-mail
(citizens.targets). The first deadline carries its legal basis as the deadline rule stamped it: xử lý đơn
10 working days (TT 05/2021/TT-TTCP), 7 for a denunciation (Luật Tố cáo 2018 Điều 24 khoản 1).
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from service.domain.codes import KINDS, STEPS
from service.domain.deadlines.calendar import VN_TZ
from service.domain.notifications import citizens
from service.domain.notifications import outbox as notify
from service.models.deadline import Deadline
from service.models.outbox import OutboxMessage
from service.models.petition import Petition


def _date(value: dt.datetime) -> str:
    return f"{value.astimezone(VN_TZ):%d/%m/%Y}"


def receipt_text(petition: Petition, first: Deadline | None) -> str:
    unit = petition.unit.name if petition.unit else "Cơ quan tiếp nhận"
    lines = ["GIẤY BÁO TIẾP NHẬN ĐƠN",
             f"{unit} đã nhận đơn {KINDS[petition.kind].lower()} của ông/bà ngày {_date(petition.received_at)}, "
             f"mã đơn {petition.code}."]
    if first is not None:
        lines.append(f"Hạn {STEPS.get(first.step, first.step).lower()}: chậm nhất ngày {_date(first.due_at)}"
                     + (f", theo quy định: {first.rule}." if first.rule else "."))
    lines.append(f"Ông/bà có thể tra cứu tình trạng đơn bằng mã đơn {petition.code} và số điện thoại đã khai "
                 "(hoặc mã truy cập được cấp khi gửi đơn).")
    return "\n".join(lines)


def send_receipt(session: Session, petition: Petition, first: Deadline | None,
                 now: dt.datetime | None = None) -> OutboxMessage | None:
    """Queue the receipt; a chat petition's chat already has it, so only its e-mail copy goes."""
    chat = petition.channel not in citizens.CHAT_CHANNELS
    short = citizens.short_payload(petition, "received", date=_date(petition.received_at),
                                   due=_date(first.due_at) if first is not None else "")
    return notify.notify_citizen(session, petition, receipt_text(petition, first), f"petition:{petition.id}:receipt",
                                 payload={"reply_kind": "received", **short}, now=now, chat=chat)
