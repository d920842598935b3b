"""Staff groups: an office's Telegram or Zalo group receives its flags, reminders and digests.

The domain already addresses them (`notify.enqueue_office_notice` uses Office.telegram_chat_id and
Office.zalo_group_id); this module registers a group for an office (administrators, through
`python -m bots.admin register-group`) and answers `/dangky` in a group with the group's id.
"""
from __future__ import annotations

import logging

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bots import prompts
from bots.replies import Reply
from service.domain.errors import NotFound, ValidationFailed
from service.domain.notifications import outbox as notify
from service.domain.routing.units import find_unit, office_of
from service.models.unit import Office

logger = logging.getLogger(__name__)

COLUMNS = {"telegram": "telegram_chat_id", "zalo": "zalo_group_id"}
GROUP_COMMANDS = ("/dangky", "/id")


def _column(channel: str) -> str:
    if channel not in COLUMNS:
        raise ValidationFailed("Kênh phải là telegram hoặc zalo.", "channel must be telegram or zalo.",
                               fields={"channel": ["Kênh phải là telegram hoặc zalo."]})
    return COLUMNS[channel]


def find_office(session: Session, unit: str, office: str) -> Office:
    """The office by unit (code or name) and office code; raises NotFound."""
    found_unit = find_unit(session, unit)
    if found_unit is None:
        raise NotFound(f"Không tìm thấy đơn vị '{unit}'.", f"Unknown unit '{unit}'.")
    found = office_of(session, found_unit, office)
    if found is None:
        raise NotFound(f"{found_unit.name} không có phòng '{office}'.", f"{found_unit.name} has no office '{office}'.")
    return found


def register_group(session: Session, channel: str, unit: str, office: str, chat_id: str) -> Office:
    """Point an office's notices to a group (replacing any earlier group) and greet the group."""
    column = _column(channel)
    chat_id = (chat_id or "").strip()
    if not chat_id:
        raise ValidationFailed("Cần mã nhóm.", "chat id is required.", fields={"chat_id": ["Cần mã nhóm."]})
    target = find_office(session, unit, office)
    setattr(target, column, chat_id)
    session.flush()
    notify.enqueue(session, channel=channel, recipient=chat_id, dedupe_key=f"group-registered:{channel}:{chat_id}:"
                   f"{target.id}", text=f"Nhóm đã được đăng ký nhận cờ cảnh báo, nhắc hạn và bản tổng hợp của "
                                        f"{target.name} – {target.unit.name}.")
    logger.info("%s group registered for office %s", channel, target)
    return target


def unregister_group(session: Session, channel: str, unit: str, office: str) -> Office:
    target = find_office(session, unit, office)
    setattr(target, _column(channel), None)
    session.flush()
    return target


def registered(session: Session) -> list[Office]:
    return list(session.scalars(select(Office).where(or_(Office.telegram_chat_id.is_not(None),
                                                         Office.zalo_group_id.is_not(None))).order_by(Office.id)))


def office_of_group(session: Session, channel: str, chat_id: str) -> Office | None:
    column = getattr(Office, _column(channel))
    return session.scalar(select(Office).where(column == chat_id).limit(1))


def group_command(session: Session, channel: str, chat_id: str, command: str) -> list[Reply]:
    """`/dangky` (or `/id`) in a group: its id and whether it is registered; other group messages: silence."""
    if command not in GROUP_COMMANDS:
        return []
    office = office_of_group(session, channel, chat_id)
    return [prompts.group_hint(chat_id, f"{office.name} – {office.unit.name}" if office else None)]
