"""Đối thoại in the chat: `/doithoai` (Telegram) or «đối thoại» (Zalo) lists the announced dialogue sessions of
the citizen's unit, registers them to speak with a question, and subscribes the chat to the unit's notices.

The same step-per-message style as the intake (bots/conversation.py): the state (`dlg_*`) and the draft
(`draft["dlg"]`) live in ChatConversation, so any worker continues. Registration goes through
`service.domain.dialogues.speakers.register` (one per phone and session: a retry or a second try never duplicates).
"""
from __future__ import annotations

from typing import Any

from bots.replies import ASK_NAME, CONTACT, EXIT, OTHER_UNIT, YES_NO, Button, Reply, command_of, enters, pick
from bots.unit_choice import ASK_UNIT, chosen_unit, latest_petition_unit
from service.domain.deadlines.calendar import VN_TZ
from service.domain.dialogues import operations as sessions
from service.domain.dialogues import speakers
from service.domain.errors import Conflict, ValidationFailed
from service.domain.intake.validation import FieldError, normalise_phone
from service.domain.routing.units import find_unit
from service.domain.text import fold
from service.models.unit import Unit

UNIT, PICK, QUESTION, PHONE, NAME, CODE, CONSENT = ("dlg_unit", "dlg_pick", "dlg_question", "dlg_phone", "dlg_name",
                                                    "dlg_code", "dlg_consent")
COMMANDS = frozenset({"doithoai", "doi_thoai"})
WORDS = frozenset({"doi thoai", "dang ky doi thoai", "hoi nghi doi thoai", "dang ky phat bieu"})
EXIT_WORDS = frozenset({"huy", "huy bo", "thoat", "cancel", "thoat doi thoai"})

ASK_QUESTION = "Bạn muốn hỏi hoặc trình bày điều gì tại hội nghị? Gõ câu hỏi (tối đa 2000 ký tự)."
ASK_PHONE = "Số điện thoại của bạn (để cơ quan sắp xếp lượt phát biểu)? Bấm “Chia sẻ số điện thoại” hoặc gõ số."
ASK_CODE = "Nếu bạn đã gửi đơn về việc này, gõ mã đơn (ví dụ K7M4-Q2XA-R); nếu không, bấm “Bỏ qua”."
ASK_CONSENT = ("Cơ quan sẽ xử lý họ tên, số điện thoại và câu hỏi của bạn để tổ chức đối thoại (Luật Bảo vệ dữ liệu "
               "cá nhân 91/2025/QH15). Bạn có đồng ý không?")
SKIP = Button("Bỏ qua", "skip", aliases=("bo qua", "khong", "ko", "khong co"))
SUBSCRIBE = Button("Nhận thông báo đối thoại", "sub", aliases=("nhan thong bao", "dang ky nhan tin"))
UNSUBSCRIBE = Button("Ngừng nhận thông báo", "unsub", aliases=("ngung nhan thong bao", "huy nhan tin"))



def wants(turn: Any) -> bool:
    return enters(turn, "dlg_", COMMANDS, WORDS)


def step(turn: Any) -> list[Reply]:
    """One message of the đối thoại part; other commands leave it and run as usual."""
    command = command_of(turn.inc.text)
    if turn.drafting:  # never throw away a petition being written
        return [Reply("Bạn đang soạn đơn. Hãy gửi hoặc huỷ đơn (/huy) trước, rồi gõ /doithoai."),
                turn.prompt(turn.state)]
    if command is not None and command[0] in COMMANDS or \
            not turn.state.startswith("dlg_") and fold(turn.inc.text or "") in WORDS:
        return start(turn)
    if command is not None or fold(turn.inc.text or "") in EXIT_WORDS:
        turn.reset()
        if command is not None:
            return turn.command(*command)
        return turn.menu("Đã thoát phần đối thoại. Bạn cần gì nữa?")
    handler = {UNIT: on_unit, PICK: on_pick, QUESTION: on_question, PHONE: on_phone, NAME: on_name, CODE: on_code,
               CONSENT: on_consent}.get(turn.state)
    if handler is None:
        turn.reset()
        return start(turn)
    return handler(turn)


def _draft(turn: Any) -> dict[str, Any]:
    turn.draft = {"dlg": dict(turn.draft.get("dlg") or {})}
    return turn.draft["dlg"]


def _known_unit(turn: Any) -> Unit | None:
    """The unit the chat subscribed to, else the unit of its latest petition."""
    units = speakers.subscribed_units(turn.session, turn.channel, turn.user)
    if units:
        return units[0]
    return latest_petition_unit(turn)


def start(turn: Any) -> list[Reply]:
    turn.draft = {"dlg": {}}
    unit = _known_unit(turn)
    if unit is None:
        turn.state = UNIT
        return [Reply(ASK_UNIT)]
    return show_sessions(turn, unit)


def on_unit(turn: Any) -> list[Reply]:
    unit = chosen_unit(turn, _draft(turn))
    return unit if isinstance(unit, list) else show_sessions(turn, unit)


def _buttons(turn: Any, d: dict[str, Any]) -> list[Button]:
    buttons = [Button(f"Đăng ký phát biểu {label}", f"s:{sid}") for sid, label in d.get("sessions", [])]
    subscribed = any(u.code == d["unit"] for u in speakers.subscribed_units(turn.session, turn.channel, turn.user))
    return buttons + [UNSUBSCRIBE if subscribed else SUBSCRIBE, OTHER_UNIT, EXIT]


def show_sessions(turn: Any, unit: Unit) -> list[Reply]:
    found = sessions.upcoming(turn.session, unit.id, turn.now, limit=5)
    d = _draft(turn)
    d.update(unit=unit.code, unit_name=unit.name, units=[],
             sessions=[[ds.id, f"ngày {ds.starts_at.astimezone(VN_TZ):%d/%m}"] for ds in found])
    turn.state = PICK
    if not found:
        text = f"Hiện chưa có hội nghị đối thoại nào được thông báo ở {unit.name}."
    else:
        lines = [f"Hội nghị đối thoại sắp tới của UBND {unit.name}:"]
        for i, ds in enumerate(found, 1):
            lines.append(f"{i}. {sessions.when_vn(ds.starts_at)} tại {ds.place}. Nội dung: {'; '.join(ds.topics)}.")
        text = "\n".join(lines)
    return [Reply(text, _buttons(turn, d))]


def on_pick(turn: Any) -> list[Reply]:
    d = _draft(turn)
    unit = find_unit(turn.session, d.get("unit", ""))
    choice = pick(_buttons(turn, d), turn.inc) if unit else None
    if choice is None:
        return show_sessions(turn, unit) if unit else start(turn)
    if choice == "sub":
        speakers.subscribe(turn.session, turn.channel, turn.user, unit)
        turn.reset()
        return [Reply(f"Đã đăng ký nhận thông báo hội nghị đối thoại của {unit.name}. Gõ /doithoai để xem lịch.")]
    if choice == "unsub":
        speakers.unsubscribe(turn.session, turn.channel, turn.user)
        turn.reset()
        return [Reply("Bạn sẽ không nhận thông báo đối thoại nữa.")]
    if choice == "unit":
        turn.draft, turn.state = {"dlg": {}}, UNIT
        return [Reply(ASK_UNIT)]
    if choice == "exit":
        turn.reset()
        return turn.menu("Đã thoát phần đối thoại. Bạn cần gì nữa?")
    d["session"] = int(choice.split(":", 1)[1])
    turn.state = QUESTION
    return [Reply(ASK_QUESTION)]


def on_question(turn: Any) -> list[Reply]:
    text = (turn.inc.text or "").strip()
    if not text:
        return [Reply(ASK_QUESTION)]
    _draft(turn)["question"] = text[:2000]
    turn.state = PHONE
    return [Reply(ASK_PHONE, [Button("📱 Chia sẻ số điện thoại", "contact", kind=CONTACT)])]


def on_phone(turn: Any) -> list[Reply]:
    try:
        phone = normalise_phone(turn.inc.phone or turn.inc.text or "")
    except FieldError as err:
        return [Reply(err.message + " " + ASK_PHONE, [Button("📱 Chia sẻ số điện thoại", "contact", kind=CONTACT)])]
    if phone is None:
        return [Reply(ASK_PHONE, [Button("📱 Chia sẻ số điện thoại", "contact", kind=CONTACT)])]
    d = _draft(turn)
    d["phone"] = phone
    d["suggested"] = turn.inc.contact_name or turn.inc.display_name
    turn.state = NAME
    return [Reply(ASK_NAME, [Button(d["suggested"], "suggested")] if d["suggested"] else [])]


def on_name(turn: Any) -> list[Reply]:
    d = _draft(turn)
    chosen = pick([Button(d["suggested"], "suggested")], turn.inc) if d.get("suggested") else None
    name = d["suggested"] if chosen else (turn.inc.text or "").strip()
    if not name:
        return [Reply(ASK_NAME)]
    d["name"] = name[:200]
    turn.state = CODE
    return [Reply(ASK_CODE, [SKIP])]


def on_code(turn: Any) -> list[Reply]:
    d = _draft(turn)
    d["code"] = None if pick([SKIP], turn.inc) == "skip" else (turn.inc.text or "").strip() or None
    turn.state = CONSENT
    return [Reply(ASK_CONSENT, YES_NO)]


def on_consent(turn: Any) -> list[Reply]:
    d = _draft(turn)
    choice = pick(YES_NO, turn.inc)
    if choice is None:
        return [Reply(ASK_CONSENT, YES_NO)]
    if choice == "no":
        turn.reset()
        return turn.menu("Chưa đăng ký vì bạn chưa đồng ý; thông tin vừa nhập đã được xoá.")
    ds = sessions.get_session(turn.session, int(d.get("session", 0)))
    try:
        _, created = speakers.register(turn.session, ds, name=d.get("name"), phone=d.get("phone"),
                                       question=d.get("question"), petition_code=d.get("code"), channel=turn.channel,
                                       chat_user_id=turn.user, now=turn.now)
    except ValidationFailed as err:
        if "petition_code" in err.fields:
            turn.state = CODE
            return [Reply(err.fields["petition_code"][0] + " " + ASK_CODE, [SKIP])]
        turn.reset()
        return [Reply(" ".join(m for ms in err.fields.values() for m in ms) or err.message)]
    except Conflict as err:
        turn.reset()
        return [Reply(err.message)]
    turn.reset()
    said = "Đã đăng ký phát biểu" if created else "Đã cập nhật câu hỏi của bạn"
    return [Reply(f"{said} tại hội nghị đối thoại lúc {sessions.when_vn(ds.starts_at)}, {ds.place}. "
                  f"Bạn sẽ được nhắc lịch một ngày trước. Gõ /doithoai để xem lịch hoặc nhận thông báo.")]
