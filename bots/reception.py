"""Tiếp công dân in the chat, and "already reported here" while a petition is written.

1. `/tiepdan` (Telegram) or «tiếp dân» / «đặt lịch» (Zalo): the coming reception days of the citizen's unit
   (Luật Tiếp công dân Điều 15), booking one (topic, phone, name, consent) through
   service.domain.reception.schedule.book, and cancelling the chat's own bookings. States `rcp_*`, draft["rcp"].
2. After the description and the unit of a petition (`suggest`, called by bots.conversation.handle): up to three
   open, public, similar petitions of the unit, each with «Tôi cũng gặp vấn đề này», or «Vấn đề của tôi khác» to go
   on with the petition — the citizen's choice, never forced. Supporting asks phone, name and consent, then adds the
   citizen to the matter (service.domain.reception.supporters) and drops the draft.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bots.replies import ASK_NAME, CONTACT, EXIT, OTHER_UNIT, YES_NO, Button, Reply, command_of, enters, pick
from bots.states import DRAFTING, UNIT as PETITION_UNIT, UNIT_CHOICE
from bots.unit_choice import ASK_UNIT, chosen_unit, latest_petition_unit
from service.domain.errors import Conflict, DomainError, ValidationFailed
from service.domain.intake.validation import FieldError, normalise_phone
from service.domain.reception import schedule, similar, supporters
from service.domain.routing.units import find_unit
from service.domain.text import fold
from service.models.reception import ReceptionBooking, ReceptionDay
from service.models.unit import Unit

UNIT, PICK, TOPIC, PHONE, NAME, CONSENT = ("rcp_unit", "rcp_pick", "rcp_topic", "rcp_phone", "rcp_name", "rcp_consent")
SIMILAR, SUP_PHONE, SUP_NAME, SUP_CONSENT = ("rcp_similar", "rcp_sup_phone", "rcp_sup_name", "rcp_sup_consent")
COMMANDS = frozenset({"tiepdan", "tiep_dan", "datlich"})
WORDS = frozenset({"tiep dan", "tiep cong dan", "lich tiep dan", "lich tiep cong dan", "dat lich", "dat lich tiep dan"})
EXIT_WORDS = frozenset({"huy", "huy bo", "thoat", "cancel"})
MAX_DAYS = 5

ASK_TOPIC = "Bạn cần trình bày việc gì? Gõ tóm tắt nội dung (tối đa 2000 ký tự)."
ASK_PHONE = "Số điện thoại của bạn (để xác nhận và nhắc lịch)? Bấm “Chia sẻ số điện thoại” hoặc gõ số."
ASK_CONSENT = ("Cơ quan sẽ xử lý họ tên, số điện thoại và nội dung bạn gửi để xếp lịch tiếp công dân (Luật Bảo vệ "
               "dữ liệu cá nhân 91/2025/QH15). Bạn có đồng ý không?")
ASK_SUP_CONSENT = ("Cơ quan sẽ xử lý họ tên và số điện thoại của bạn để tính bạn vào số người phản ánh và báo kết quả "
                   "giải quyết (Luật Bảo vệ dữ liệu cá nhân 91/2025/QH15). Bạn có đồng ý không?")
SHARE_PHONE = Button("📱 Chia sẻ số điện thoại", "contact", kind=CONTACT)
DIFFERENT = Button("Vấn đề của tôi khác, tiếp tục gửi đơn", "different",
                   aliases=("khac", "van de khac", "tiep tuc", "tiep tuc gui don", "gui don"))



def wants(turn: Any) -> bool:
    return enters(turn, "rcp_", COMMANDS, WORDS)


def step(turn: Any) -> list[Reply]:
    command = command_of(turn.inc.text)
    if turn.state in (SIMILAR, SUP_PHONE, SUP_NAME, SUP_CONSENT):
        return _similar_step(turn, command)
    if turn.drafting:
        return [Reply("Bạn đang soạn đơn. Hãy gửi hoặc huỷ đơn (/huy) trước, rồi gõ /tiepdan."), turn.prompt(turn.state)]
    if command is not None and command[0] in COMMANDS or \
            not turn.state.startswith("rcp_") and fold(turn.inc.text or "") in WORDS:
        return start(turn)
    if command is not None or fold(turn.inc.text or "") in EXIT_WORDS:
        turn.reset()
        return turn.command(*command) if command is not None else turn.menu("Đã thoát phần đặt lịch. Bạn cần gì nữa?")
    handler = {UNIT: on_unit, PICK: on_pick, TOPIC: on_topic, PHONE: on_phone, NAME: on_name,
               CONSENT: on_consent}.get(turn.state)
    if handler is None:
        turn.reset()
        return start(turn)
    return handler(turn)


def _draft(turn: Any) -> dict[str, Any]:
    """The booking's own draft (a fresh dict: the JSON column sees the change)."""
    turn.draft = {"rcp": dict(turn.draft.get("rcp") or {})}
    return turn.draft["rcp"]


def _kept(turn: Any) -> dict[str, Any]:
    """draft["rcp"] beside a petition being written (kept), as a fresh dict."""
    turn.draft["rcp"] = dict(turn.draft.get("rcp") or {})
    return turn.draft["rcp"]


def _known_unit(turn: Any) -> Unit | None:
    """The unit of the chat's latest booking, else of its latest petition."""
    booked = turn.session.scalar(select(Unit).join(ReceptionDay, ReceptionDay.unit_id == Unit.id)
                                 .join(ReceptionBooking, ReceptionBooking.day_id == ReceptionDay.id)
                                 .where(ReceptionBooking.channel == turn.channel,
                                        ReceptionBooking.chat_user_id == turn.user)
                                 .order_by(ReceptionBooking.created_at.desc()).limit(1))
    if booked is not None:
        return booked
    return latest_petition_unit(turn)


def start(turn: Any) -> list[Reply]:
    turn.draft = {"rcp": {}}
    unit = _known_unit(turn)
    if unit is None:
        turn.state = UNIT
        return [Reply(ASK_UNIT)]
    return show_days(turn, unit)


def on_unit(turn: Any) -> list[Reply]:
    unit = chosen_unit(turn, _draft(turn))
    return unit if isinstance(unit, list) else show_days(turn, unit)


def _buttons(turn: Any, d: dict[str, Any]) -> list[Button]:
    days = [Button(f"Đặt lịch {label}", f"d:{day_id}") for day_id, label in d.get("days", [])]
    mine = [Button(f"Hủy lịch {code}", f"c:{code}") for code in d.get("mine", [])]
    return days + mine + [OTHER_UNIT, EXIT]


def show_days(turn: Any, unit: Unit) -> list[Reply]:
    found = [day for day in schedule.upcoming(turn.session, unit.id, turn.now) if schedule.free_slots(turn.session, day)]
    found = found[:MAX_DAYS]
    d = _draft(turn)
    d.update(unit=unit.code, units=[], days=[[day.id, f"ngày {day.day:%d/%m}"] for day in found],
             mine=[b.code for b, _ in schedule.bookings_of_chat(turn.session, turn.channel, turn.user, turn.now)])
    turn.state = PICK
    if not found:
        text = (f"Hiện chưa có ngày tiếp công dân nào còn chỗ ở {unit.name}. Chủ tịch UBND tiếp công dân định kỳ ít "
                f"nhất một ngày mỗi tuần (Luật Tiếp công dân, Điều 15); bạn vẫn có thể đến trụ sở hoặc gửi đơn.")
    else:
        lines = [f"Lịch tiếp công dân sắp tới của UBND {unit.name}:"]
        for i, day in enumerate(found, 1):
            lines.append(f"{i}. {day.day:%d/%m/%Y}, {day.starts_at}–{day.ends_at}: {day.host}"
                         f"{f' tại {day.place}' if day.place else ''} (còn {schedule.free_slots(turn.session, day)} lượt).")
        text = "\n".join(lines)
    return [Reply(text, _buttons(turn, d))]


def on_pick(turn: Any) -> list[Reply]:
    d = _draft(turn)
    unit = find_unit(turn.session, d.get("unit", ""))
    choice = pick(_buttons(turn, d), turn.inc) if unit else None
    if choice is None:
        return show_days(turn, unit) if unit else start(turn)
    if choice == "unit":
        turn.draft, turn.state = {"rcp": {}}, UNIT
        return [Reply(ASK_UNIT)]
    if choice == "exit":
        turn.reset()
        return turn.menu("Đã thoát phần đặt lịch. Bạn cần gì nữa?")
    if choice.startswith("c:"):
        code = choice[2:]
        own = {b.code: b for b, _ in schedule.bookings_of_chat(turn.session, turn.channel, turn.user, turn.now)}
        turn.reset()
        if code not in own:
            return [Reply("Không tìm thấy lịch này.")]
        schedule.cancel(turn.session, code, own[code].phone, turn.now)
        return [Reply(f"Đã hủy lịch tiếp công dân {code}.")]
    d["day"] = int(choice.split(":", 1)[1])
    turn.state = TOPIC
    return [Reply(ASK_TOPIC)]


def on_topic(turn: Any) -> list[Reply]:
    text = (turn.inc.text or "").strip()
    if not text:
        return [Reply(ASK_TOPIC)]
    _draft(turn)["topic"] = text[:2000]
    turn.state = PHONE
    return [Reply(ASK_PHONE, [SHARE_PHONE])]


def _phone(turn: Any, then: str) -> list[Reply] | None:
    """Keeps the phone in the draft and moves to `then`; or the question again."""
    try:
        phone = normalise_phone(turn.inc.phone or turn.inc.text or "")
    except FieldError as err:
        return [Reply(err.message + " " + ASK_PHONE, [SHARE_PHONE])]
    if phone is None:
        return [Reply(ASK_PHONE, [SHARE_PHONE])]
    d = _draft(turn) if then == NAME else _kept(turn)
    d["phone"], d["suggested"] = phone, turn.inc.contact_name or turn.inc.display_name
    turn.state = then
    return [Reply(ASK_NAME, [Button(d["suggested"], "suggested")] if d["suggested"] else [])]


def on_phone(turn: Any) -> list[Reply]:
    return _phone(turn, NAME)


def _name(turn: Any, d: dict[str, Any], then: str, ask: str) -> list[Reply]:
    chosen = pick([Button(d["suggested"], "suggested")], turn.inc) if d.get("suggested") else None
    name = d["suggested"] if chosen else (turn.inc.text or "").strip()
    if not name:
        return [Reply(ASK_NAME)]
    d["name"] = name[:200]
    turn.state = then
    return [Reply(ask, YES_NO)]


def on_name(turn: Any) -> list[Reply]:
    return _name(turn, _draft(turn), CONSENT, ASK_CONSENT)


def on_consent(turn: Any) -> list[Reply]:
    d = _draft(turn)
    choice = pick(YES_NO, turn.inc)
    if choice is None:
        return [Reply(ASK_CONSENT, YES_NO)]
    turn.reset()
    if choice == "no":
        return turn.menu("Chưa đặt lịch vì bạn chưa đồng ý; thông tin vừa nhập đã được xoá.")
    day = schedule.get_day(turn.session, int(d.get("day", 0)))
    try:
        booking, _ = schedule.book(turn.session, day, name=d.get("name"), phone=d.get("phone"), topic=d.get("topic"),
                                   channel=turn.channel, chat_user_id=turn.user, now=turn.now)
    except schedule.DayFull as full:
        return [Reply(full.message)]
    except (ValidationFailed, Conflict) as err:
        return [Reply(" ".join(m for ms in err.fields.values() for m in ms) or err.message)]
    unit = turn.session.get(Unit, day.unit_id)
    return [Reply(schedule.confirmation_text(day, booking, unit).replace("trang Tiếp công dân, mã đăng ký và số điện "
                                                                         "thoại", "gõ /tiepdan rồi bấm “Hủy lịch”")
                  + " Bạn sẽ được nhắc lịch một ngày trước.")]


# --- "already reported here" while a petition is written ------------------------------------------------------

def suggest(turn: Any, before: str, replies: list[Reply]) -> list[Reply]:
    """Right after the unit of a petition is chosen: the similar open petitions, if any, before going on."""
    d = turn.draft
    if before not in (PETITION_UNIT, UNIT_CHOICE) or turn.state not in DRAFTING or turn.state in (
            PETITION_UNIT, UNIT_CHOICE) or not d.get("unit") or d.get("similar_offered") or not d.get("content"):
        return replies
    unit = find_unit(turn.session, d["unit"])
    place = d.get("place") or {}
    found = similar.find(turn.session, unit.id, " ".join(d.get("content", [])), place.get("lat"), place.get("lon"),
                         turn.now) if unit else []
    d["similar_offered"] = True
    if not found:
        return replies
    d["rcp"] = {"resume": turn.state, "codes": [s.petition.code for s in found]}
    turn.state = SIMILAR
    return replies[:-1] + [_similar_reply(found)]


def _similar_reply(found: list[similar.Suggestion]) -> Reply:
    lines = ["Đã có người phản ánh vấn đề tương tự ở đây:"]
    for i, s in enumerate(found, 1):
        item = similar.as_dict(s)
        lines.append(f"{i}. {item['summary']} — {item['status_label']} (mã {item['code']}, nhận {item['received']}).")
    lines.append("Nếu đúng là vấn đề của bạn, bấm «Tôi cũng gặp vấn đề này» thay vì gửi đơn mới; nếu khác, tiếp tục "
                 "gửi đơn.")
    buttons = [_support_button(s.petition.code) for s in found]
    return Reply("\n".join(lines), buttons + [DIFFERENT])


def _support_button(code: str) -> Button:
    return Button(f"Tôi cũng gặp vấn đề này ({code})", f"sup:{code}", aliases=(fold(code),))


def _resume(turn: Any, *before: Reply) -> list[Reply]:
    resume = (turn.draft.pop("rcp", None) or {}).get("resume")
    return turn.go(resume if resume in DRAFTING else PETITION_UNIT, *before)


def _similar_step(turn: Any, command) -> list[Reply]:
    d = _kept(turn)
    if command is not None or fold(turn.inc.text or "") in EXIT_WORDS:
        if command is not None and command[0] not in ("huy", "cancel"):
            return _resume(turn)
        turn.reset()
        return turn.menu("Đã huỷ đơn đang soạn. Bạn cần gì nữa?")
    if turn.state == SIMILAR:
        offered = [_support_button(c) for c in d.get("codes", [])] + [DIFFERENT]
        choice = pick(offered, turn.inc)
        if choice == "different":
            return _resume(turn)
        if choice is None:  # the citizen went on writing the petition: never forced, that message is its next step
            resume = (turn.draft.pop("rcp", None) or {}).get("resume")
            turn.state = resume if resume in DRAFTING else PETITION_UNIT
            return turn.run()
        d["support"] = choice[4:]
        if turn.draft.get("phone"):
            d["phone"], d["suggested"] = turn.draft["phone"], turn.draft.get("suggested_name")
            turn.state = SUP_NAME
            return [Reply(ASK_NAME, [Button(d["suggested"], "suggested")] if d.get("suggested") else [])]
        turn.state = SUP_PHONE
        return [Reply(ASK_PHONE, [SHARE_PHONE])]
    if turn.state == SUP_PHONE:
        return _phone(turn, SUP_NAME)
    if turn.state == SUP_NAME:
        return _name(turn, d, SUP_CONSENT, ASK_SUP_CONSENT)
    choice = pick(YES_NO, turn.inc)
    if choice is None:
        return [Reply(ASK_SUP_CONSENT, YES_NO)]
    if choice == "no":
        return _resume(turn, Reply("Chưa ghi nhận vì bạn chưa đồng ý. Bạn có thể tiếp tục gửi đơn."))
    try:
        _, created = supporters.support(turn.session, d.get("support"), name=d.get("name"), phone=d.get("phone"),
                                        channel=turn.channel, chat_user_id=turn.user, consent=True, now=turn.now)
    except DomainError as err:
        return _resume(turn, Reply(err.message + " Bạn có thể tiếp tục gửi đơn."))
    code = d.get("support")
    turn.reset()
    said = "Đã ghi nhận bạn cũng gặp vấn đề này" if created else "Số điện thoại này đã được ghi nhận cho vấn đề này"
    return [Reply(f"{said} (đơn {code}). Đơn bạn đang soạn không được gửi; cơ quan sẽ báo kết quả giải quyết cho "
                  f"bạn tại đây.")]
