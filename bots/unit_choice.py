"""Which commune, ward or special zone a chat's sub-flow (dialogue sessions, reception days) is about: the unit
of the chat's latest petition when it has one, else the one the citizen names (with or without diacritics),
picked from a short list when several match."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bots.replies import Button, Reply, pick
from service.domain.routing.units import find_unit, search_units
from service.models.person import Person
from service.models.petition import Petition
from service.models.unit import Unit

MAX_UNITS = 8
ASK_UNIT = "Bạn ở xã, phường hay đặc khu nào? Gõ tên, có dấu hay không dấu đều được (ví dụ: Nam Đồ Sơn)."


def latest_petition_unit(turn: Any) -> Unit | None:
    """The unit of the latest petition this chat account sent."""
    return turn.session.scalar(select(Unit).join(Petition, Petition.unit_id == Unit.id)
                               .join(Person, Person.petition_id == Petition.id)
                               .where(Person.chat_channel == turn.channel, Person.chat_user_id == turn.user)
                               .order_by(Petition.received_at.desc()).limit(1))


def chosen_unit(turn: Any, draft: dict[str, Any]) -> Unit | list[Reply]:
    """The unit the citizen's answer names, or the replies that ask again (several matches, or none)."""
    offered = [Button(name, code) for code, name in draft.get("units", [])]
    chosen = pick(offered, turn.inc) if offered else None
    unit = find_unit(turn.session, chosen) if chosen else find_unit(turn.session, turn.inc.text or "")
    if unit is not None:
        return unit
    found = search_units(turn.session, turn.inc.text or "", limit=MAX_UNITS)
    if len(found) == 1:
        return found[0]
    if found:
        draft["units"] = [[u.code, u.name] for u in found]
        return [Reply("Có nhiều nơi trùng tên. Chọn một:", [Button(u.name, u.code) for u in found])]
    return [Reply("Không tìm thấy xã, phường, đặc khu này. " + ASK_UNIT)]
