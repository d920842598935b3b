"""Who gets what: the channels every notice to a citizen goes by (issue #16 "Who gets what").

A notice (receipt with the first legal deadline, acceptance, transfer, guidance, extension, answer, reopening)
goes to
  1. the chat the petition came from (Telegram / Zalo), when the citizen wrote from one;
     otherwise to the phone by Zalo ZNS (a template message), falling back to SMS when ZNS refuses;
  2. and, besides, to the e-mail address when one was given.
A chat message that cannot be delivered (bot blocked, Zalo's 48-hour window closed) falls back the same way,
to ZNS then SMS: the chain rides in the message's payload (`fallback`), and the dispatcher queues the next
link (service.jobs.dispatch). Only notices carry a chain: the chat's own prompts never become an SMS.

A channel the citizen refused in the form is never used (Luật BVDLCN 91/2025/QH15: personal data only for
the purpose consented to); a phone refusal covers ZNS and SMS alike. An anonymous denunciation gets nothing
(Luật Tố cáo 2018 Điều 25), and a crowd's notices go to its representative (Luật TCD 2013 Điều 29).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.models.outbox import OutboxMessage
from service.models.person import Person
from service.models.petition import Petition

CHAT_CHANNELS = ("telegram", "zalo")
PHONE_CHAIN = ("zns", "sms")  # ZNS first (cheaper, shows the OA's name); SMS when ZNS refuses


@dataclass(frozen=True)
class Target:
    channel: str
    recipient: str
    fallback: list[dict[str, str]] = field(default_factory=list)  # the next links, in order

    @property
    def payload(self) -> dict[str, Any]:
        return {"fallback": self.fallback} if self.fallback else {}


def phone_e164(phone: str) -> str:
    """"0916555888" -> "84916555888", the form ZNS and the SMS providers take."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if digits.startswith("84"):
        return digits
    return "84" + digits[1:] if digits.startswith("0") else digits


def addressee(petition: Petition) -> Person | None:
    """The person notices go to: the petitioner, else the crowd's representative; None for nobody."""
    if petition.kind == "to_cao" and petition.anonymous:
        return None
    people = [p for p in petition.people if p.role == "petitioner"] or \
        [p for p in petition.people if p.representative]
    people.sort(key=lambda p: not p.representative)
    return people[0] if people else None


def phone_chain(person: Person) -> list[dict[str, str]]:
    if not person.phone or person.refuses_sms:
        return []
    return [{"channel": channel, "recipient": person.phone} for channel in PHONE_CHAIN]


def targets(petition: Petition, *, chat: bool = True, email: bool = True) -> list[Target]:
    """Where a notice to the citizen goes, in order; [] when nobody can or may be told.

    `chat=False` leaves out the chat (and the phone that stands in for it): the chat got its own reply
    already, e.g. the receipt a bot shows right after the petition is sent."""
    person = addressee(petition)
    if person is None:
        return []
    out: list[Target] = []
    chain = phone_chain(person)
    chat_channel = person.chat_channel or petition.channel
    if person.chat_user_id and chat_channel in CHAT_CHANNELS:
        if chat:
            out.append(Target(chat_channel, person.chat_user_id, chain))
    elif chain:
        first, *rest = chain
        out.append(Target(first["channel"], first["recipient"], rest))
    if email and person.email and not person.refuses_email:
        out.append(Target("email", person.email))
    return out


def contact(petition: Petition) -> tuple[str, str] | None:
    """The first channel a notice goes by, (channel, recipient); None when nobody can be told."""
    found = targets(petition)
    return (found[0].channel, found[0].recipient) if found else None


# What each notice is called in a short message (SMS, ZNS) and which ZNS template carries it.
NOTICE_LABELS = {
    "received": "đã được tiếp nhận", "thu_ly": "đã được thụ lý", "khong_thu_ly": "không được thụ lý",
    "chuyen_don": "đã được chuyển tới cơ quan có thẩm quyền", "huong_dan": "đã có hướng dẫn",
    "gia_han": "đã được gia hạn giải quyết", "answer": "đã có trả lời", "reopened": "đã được mở lại để xem xét lại",
}
ZNS_TEMPLATES = {"received": "received", "answer": "answered"}  # every other notice: the "status" template
ZNS_PARAM_MAX = 100  # ZNS refuses template_data values longer than the template's parameter allows


def _clip(value: str, limit: int = ZNS_PARAM_MAX) -> str:
    value = " ".join(str(value).split())
    return value if len(value) <= limit else value[:limit - 1] + "…"


def short_payload(petition: Petition, notice: str, *, date: str, due: str = "", summary: str = "") -> dict[str, Any]:
    """What a phone message needs besides the full text: the ZNS template and its data, and a short text
    (an SMS carries it, with the tracking code and the status link the sender adds)."""
    unit = petition.unit.name if petition.unit else ""
    label = NOTICE_LABELS.get(notice, "có cập nhật")
    short = f"{unit}: đơn {petition.code} {label}"
    if due:
        short += f", hạn xử lý chậm nhất ngày {due}"
    template = ZNS_TEMPLATES.get(notice, "status")
    data = {"ma_don": petition.code, "don_vi": _clip(unit), "ngay": date, "trang_thai": _clip(label)}
    if due:
        data["han_xu_ly"] = due
    if summary:
        data["tom_tat"] = _clip(summary)
    return {"notice": notice, "code": petition.code, "short": short + ".", "zns": {"template": template,
                                                                                  "data": data}}


CHANNEL_LABELS = {"zns": "Zalo ZNS", "sms": "Tin nhắn SMS", "email": "Thư điện tử", "telegram": "Telegram",
                  "zalo": "Zalo OA"}
STATUS_LABELS = {"pending": "Đang chờ gửi", "sending": "Đang gửi", "sent": "Đã gửi tới nhà cung cấp",
                 "failed": "Không gửi được"}
CITIZEN_CHANNELS = tuple(CHANNEL_LABELS)


def deliveries(session: Session, petition: Petition) -> list[dict[str, Any]]:
    """What was sent to the citizen about this petition, where, and whether it went out (the staff page)."""
    rows = session.scalars(select(OutboxMessage).where(OutboxMessage.petition_id == petition.id,
                                                       OutboxMessage.channel.in_(CITIZEN_CHANNELS))
                           .order_by(OutboxMessage.created_at, OutboxMessage.id))
    return [{"id": m.id, "channel": CHANNEL_LABELS.get(m.channel, m.channel), "recipient": m.recipient,
             "notice": NOTICE_LABELS.get(str(m.payload.get("reply_kind") or ""), "có cập nhật"),
             "status": m.status, "status_label": STATUS_LABELS.get(m.status, m.status), "created_at": m.created_at,
             "sent_at": m.sent_at, "attempts": m.attempts, "error": m.last_error, "provider_id": m.provider_id,
             "fallback_of": m.payload.get("fallback_of")} for m in rows]
