"""The petition-drafting steps of the conversation: kind, description and photos, unit, place, contact,
name, co-signers and, for a crowd, its representatives, consent, summary (edit or send), and the one call
to `intake.submit`.

A mixin of `bots.conversation._Turn`, which supplies the plumbing (`go`, `then`, `prompt`, `cancel`,
`draft`, `inc`); each `on_<state>` method takes one step of its state (see conversation.mmd).
"""
from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

from bots import prompts
from bots.replies import Button, Incoming, Reply, pick
from bots.states import (CO_SIGNERS, CONFIRM, CONSENT, CONTACT, DESCRIBE, EDIT, FIELD_STEPS, KIND, MAX_CHOICES, NAME,
                         PLACE, UNIT, UNIT_CHOICE)
from service.domain.codes import KINDS
from service.domain.errors import ValidationFailed
from service.domain.inbound import CITIZEN, AttachmentData, InboundMessage, Location, PersonData
from service.domain.intake import law
from service.domain.intake import operations as intake
from service.domain.intake.validation import MAX_CO_SIGNERS, MAX_CONTENT_CHARS, FieldError, clean_text, normalise_phone
from service.domain.matters import flags
from service.domain.matters import operations as matters
from service.domain.routing.units import find_unit, search_units
from service.domain.text import fold, strip_invisible

if TYPE_CHECKING:
    import datetime as dt

    from sqlalchemy.orm import Session

    from service.domain.intake.limits import IntakeLimits


TOO_LONG = ("Tin nhắn vừa gửi chưa được ghi: nội dung đơn tối đa {limit} ký tự và đã có {used} ký tự. "
            "Phần đã viết vẫn được giữ; hãy gửi phần còn lại ngắn gọn hơn, hoặc bấm “Xong”.")
EDITED = "Đã cập nhật nội dung đơn theo tin nhắn vừa sửa."
EDIT_NOT_IN_DRAFT = "Tin nhắn vừa sửa không thuộc nội dung đơn nên đơn không đổi; có thể sửa ở bước xem lại đơn."


def too_long(content: list[str]) -> bool:
    return len("\n".join(content)) > MAX_CONTENT_CHARS


def apply_edit(session: Session, channel: str, user: str, message_id: str, text: str) -> list[Reply]:
    """A message the citizen edited (Telegram edited_message): the part of the description it wrote is
    replaced while the petition is being drafted. Flushes, never commits."""
    from bots.states import DRAFTING
    from service.domain.notifications.chat_state import load

    conversation = load(session, channel, user)
    if conversation.state not in DRAFTING:
        return []
    draft = dict(conversation.draft or {})
    content, index = list(draft.get("content", [])), (draft.get("content_ids") or {}).get(message_id)
    text = strip_invisible(text or "").strip()
    if index is None or index >= len(content) or not text:
        return [Reply(EDIT_NOT_IN_DRAFT)]
    content[index] = text
    if too_long(content):
        return [Reply(TOO_LONG.format(limit=f"{MAX_CONTENT_CHARS:,}".replace(",", "."),
                                      used=len("\n".join(draft.get("content", [])))))]
    conversation.draft = {**draft, "content": content}
    session.flush()
    return [Reply(EDITED)]


class Drafting:
    """The steps of drafting a petition; mixed into the conversation's turn."""

    session: Session
    inc: Incoming
    now: dt.datetime
    limits: IntakeLimits
    channel: str
    user: str
    state: str
    draft: dict[str, Any]

    def on_kind(self) -> list[Reply]:
        choice = pick(prompts.kind_buttons(None if self.draft.get("editing") else self.draft.get("group")), self.inc)
        if choice is None:
            return [Reply(prompts.PICK_ONE), self.prompt(KIND)]
        self.draft["kind"] = choice if choice in KINDS else None
        if self.draft.pop("story_first", False):  # the story came first: more of it, or "Xong"
            self.state = DESCRIBE
            return [Reply(prompts.STORY_MORE, [prompts.DONE])]
        return self.then(DESCRIBE)

    def on_describe(self) -> list[Reply]:
        inc, content = self.inc, list(self.draft.get("content", []))
        if inc.location:
            self.draft["place"] = {"lat": inc.location.lat, "lon": inc.location.lon, "address": inc.location.address}
        if pick([prompts.DONE], inc) == "done":
            if not content:
                return [Reply("Vui lòng mô tả sự việc bằng chữ trước khi bấm “Xong”."), self.prompt(DESCRIBE)]
            return self.then(UNIT)
        text = strip_invisible(inc.text or "").strip()  # zero-width or bidi characters alone say nothing
        if text and too_long(content + [text]):  # refused now, not at "Gửi đơn"; what was written stays
            return [Reply(TOO_LONG.format(limit=f"{MAX_CONTENT_CHARS:,}".replace(",", "."),
                                          used=len("\n".join(content))), [prompts.DONE])]
        if text:
            if inc.message_id:  # an edit of this message (Telegram edited_message) replaces this part
                self.draft["content_ids"] = {**self.draft.get("content_ids", {}), inc.message_id: len(content)}
            content.append(text)
            self.draft["content"] = content
        if not (text or inc.photos or inc.location):
            return [self.prompt(DESCRIBE)]
        photos = len(self.draft.get("photos", []))
        return [Reply(f"Đã ghi nhận ({len(content)} tin nhắn, {photos} ảnh). Gửi thêm, hoặc bấm “Xong”.",
                      [prompts.DONE])]

    def unit_buttons(self) -> list[Button]:
        return [Button(name, f"unit:{code}") for code, name in self.draft.get("unit_choices", [])]

    def on_unit(self) -> list[Reply]:
        typed = (self.inc.text or "").strip()
        if not typed:
            return [self.prompt(UNIT)]
        exact = find_unit(self.session, typed)
        units = [exact] if exact else search_units(self.session, typed, limit=MAX_CHOICES + 1)
        if not units:
            return [Reply(f"Không tìm thấy “{typed}”. Vui lòng gõ lại tên xã, phường, đặc khu (ví dụ: Kim Thành).")]
        if len(units) == 1:
            return self.choose_unit(units[0].code, units[0].name)
        self.draft["unit_choices"] = [[u.code, u.name] for u in units[:MAX_CHOICES]]
        more = " Có thêm kết quả khác; gõ cụ thể hơn nếu không thấy nơi cần tìm." if len(units) > MAX_CHOICES else ""
        self.state = UNIT_CHOICE
        return [Reply(f"Có nhiều nơi khớp với “{typed}”. Chọn một:{more}", self.unit_buttons())]

    def on_unit_choice(self) -> list[Reply]:
        choice = pick(self.unit_buttons(), self.inc)
        if choice is None:
            return self.on_unit()  # a new name typed instead of a number
        code = choice.removeprefix("unit:")
        name = next(n for c, n in self.draft["unit_choices"] if c == code)
        return self.choose_unit(code, name)

    def choose_unit(self, code: str, name: str) -> list[Reply]:
        self.draft.pop("unit_choices", None)
        self.draft["unit"], self.draft["unit_name"] = code, name
        return self.then(PLACE, Reply(f"Đơn sẽ gửi tới {name}."))

    def on_place(self) -> list[Reply]:
        inc = self.inc
        if inc.location:
            self.draft["place"] = {"lat": inc.location.lat, "lon": inc.location.lon, "address": inc.location.address}
        elif pick(prompts.place_buttons(), inc) == "skip":
            self.draft["place"] = None
        elif inc.text and inc.text.strip():
            try:
                address = clean_text(inc.text, label="địa điểm")
            except FieldError as err:
                return [Reply(err.message), self.prompt(PLACE)]
            self.draft["place"] = {"lat": None, "lon": None, "address": address}
        else:
            return [self.prompt(PLACE)]
        return self.then(CONTACT)

    def on_contact(self) -> list[Reply]:
        inc = self.inc
        choice = pick(prompts.contact_buttons(True, anonymous=self.draft.get("kind") == "to_cao"), inc)
        if choice == "anonymous":  # Luật Tố cáo 2018 Điều 25: no identity, no acknowledgement
            self.draft.update(anonymous=True, phone=None, name=None, co_signers=0, representatives=[])
            self.draft.pop("editing", None)
            return self.go(CONFIRM if self.draft.get("consent") else CONSENT, Reply(prompts.ANONYMOUS_NOTE))
        self.draft.pop("anonymous", None)
        if choice == "skip":
            if self.identity_required:
                return [Reply("Đơn khiếu nại, tố cáo cần số điện thoại của người gửi."), self.prompt(CONTACT)]
            self.draft["phone"] = None
            return self.then(NAME)
        typed = inc.phone or inc.text
        if not typed:
            return [self.prompt(CONTACT)]
        try:
            self.draft["phone"] = normalise_phone(typed)
        except FieldError as err:
            return [Reply(err.message), self.prompt(CONTACT)]
        if inc.contact_name:
            self.draft["suggested_name"] = inc.contact_name
        return self.then(NAME)

    def on_name(self) -> list[Reply]:
        choice = pick(prompts.name_buttons(self.draft.get("suggested_name"), True), self.inc)
        if choice == "skip" and not self.identity_required:
            self.draft["name"] = None
        elif choice == "suggested":
            self.draft["name"] = self.draft["suggested_name"]
        else:
            try:
                name = clean_text(self.inc.text if choice != "skip" else None, label="họ tên", max_chars=200,
                                  required=True)
            except FieldError as err:
                return [Reply(err.message), self.prompt(NAME)]
            self.draft["name"] = name
        return self.then(CO_SIGNERS)

    # --- co-signers, then for a crowd its representatives (Luật Tiếp công dân Điều 29) --------------
    # The CO_SIGNERS state has sub-steps kept in the draft: the count, then "rep_step" = name | phone
    # for each representative in turn (conversation.mmd).

    def co_signer_prompt(self) -> Reply:
        step, reps = self.draft.get("rep_step"), self.draft.get("representatives", [])
        if step == "phone":
            return Reply(prompts.REP_PHONE.format(name=self.draft.get("rep_name", "")))
        if step == "name":
            buttons = [prompts.REP_SELF] if self.draft.get("name") and not any(r.get("self") for r in reps) else []
            low = self.representative_limits()[0]
            return Reply(prompts.REP_NAME.format(n=len(reps) + 1) + (prompts.REP_OR_DONE if len(reps) >= low else ""),
                         buttons + ([prompts.DONE] if len(reps) >= low else []))
        return Reply(prompts.CO_SIGNERS, prompts.co_signer_buttons())

    def representative_limits(self) -> tuple[int, int]:
        return matters.representative_limits(1 + int(self.draft.get("co_signers") or 0))

    def on_co_signers(self) -> list[Reply]:
        if self.draft.get("rep_step"):
            return self.on_representative()
        typed = fold(self.inc.text or "").split()
        # A typed number is the count, even on Zalo where "1" would also pick the first numbered option.
        said = typed[0] if typed and typed[0].isdigit() else pick(prompts.co_signer_buttons(), self.inc) or ""
        if not said.isdigit() or int(said) > MAX_CO_SIGNERS:
            return [Reply(f"Vui lòng gõ một số từ 0 đến {MAX_CO_SIGNERS}."), self.prompt(CO_SIGNERS)]
        self.draft["co_signers"] = int(said)
        self.draft["representatives"] = []
        people = 1 + int(said)
        if people < flags.CROWD:
            return self.after_co_signers()
        low, high = self.representative_limits()
        self.draft["rep_step"] = "name"
        return [Reply(prompts.REP_INTRO.format(people=people, low=low, high=high)), self.prompt(CO_SIGNERS)]

    def on_representative(self) -> list[Reply]:
        reps, inc = list(self.draft.get("representatives", [])), self.inc
        high = self.representative_limits()[1]  # asked no further than the law allows
        if self.draft["rep_step"] == "phone":
            try:
                phone = normalise_phone(inc.text or inc.phone)
            except FieldError as err:
                return [Reply(err.message), self.prompt(CO_SIGNERS)]
            if not phone:
                return [self.prompt(CO_SIGNERS)]
            reps.append({"name": self.draft.pop("rep_name"), "phone": phone})
        else:
            said = fold(inc.text or "")
            choice = pick(self.co_signer_prompt().buttons, inc) or ("done" if said in prompts.DONE.aliases else None)
            if choice == "done":
                problems = self.representatives_refused()
                if problems:
                    return [Reply("\n".join(problems)), self.prompt(CO_SIGNERS)]
                return self.after_co_signers()
            if choice == "self" and self.draft.get("name"):
                reps.append({"self": True})
            else:
                try:
                    name = clean_text(inc.text, label="họ tên người đại diện", max_chars=200, required=True)
                except FieldError as err:
                    return [Reply(err.message), self.prompt(CO_SIGNERS)]
                self.draft["rep_name"], self.draft["rep_step"] = name, "phone"
                return [self.prompt(CO_SIGNERS)]
        self.draft["representatives"] = reps
        self.draft["rep_step"] = "name"
        noted = Reply(prompts.REP_NOTED.format(n=len(reps), who=self.representative_label(reps[-1])))
        if len(reps) >= high:
            return self.after_co_signers(noted)
        return [noted, self.prompt(CO_SIGNERS)]

    def representatives_refused(self) -> list[str]:
        """What intake's law (Luật Tiếp công dân Điều 29) says of the representatives named so far."""
        msg = self.message()
        return [err.message for _, err in law.representatives(msg, msg.petitioner, msg.co_signer_list)]

    def after_co_signers(self, *before: Reply) -> list[Reply]:
        self.draft.pop("rep_step", None)
        self.draft.pop("rep_name", None)
        return self.then(CONFIRM if self.draft.get("consent") else CONSENT, *before)

    def representative_label(self, rep: dict[str, Any]) -> str:
        if rep.get("self"):
            return ", ".join(x for x in (self.draft.get("name"), self.draft.get("phone"), "người gửi đơn") if x)
        return f"{rep['name']}, {rep['phone']}"

    def on_consent(self) -> list[Reply]:
        choice = pick(prompts.consent_buttons(), self.inc)
        if choice == "yes":
            self.draft["consent"] = True
            return self.go(CONFIRM)
        if choice == "no":
            self.reset()
            return self.menu(prompts.CONSENT_REFUSED)
        return [Reply(prompts.PICK_ONE), self.prompt(CONSENT)]

    def summary(self) -> Reply:
        d = self.draft
        content = "\n".join(d.get("content", []))
        place = d.get("place") or {}
        where = place.get("address") or (f"vị trí đã gửi ({place['lat']:.5f}, {place['lon']:.5f})"
                                         if place.get("lat") is not None else "không ghi")
        kind = KINDS.get(d.get("kind") or "", "chưa rõ (cán bộ sẽ phân loại)")
        person = "nặc danh" if d.get("anonymous") else \
            ", ".join(x for x in (d.get("name"), d.get("phone")) if x) or "không ghi"
        lines = ["Xin kiểm tra lại đơn:", f"• Loại đơn: {kind}",
                 f"• Nội dung: {content if len(content) <= 400 else content[:400] + '…'}",
                 f"• Ảnh: {len(d.get('photos', []))}", f"• Gửi tới: {d.get('unit_name', '')}",
                 f"• Địa điểm: {where}", f"• Người gửi: {person}", f"• Số người cùng ký: {d.get('co_signers', 0)}"]
        if d.get("representatives"):
            lines.append("• Người đại diện: " + "; ".join(self.representative_label(r) for r in d["representatives"]))
        return Reply("\n".join(lines), list(prompts.CONFIRM))

    def on_confirm(self) -> list[Reply]:
        choice = pick(prompts.CONFIRM, self.inc)
        if choice == "send":
            return self.submit()
        if choice == "edit":
            return self.go(EDIT)
        if choice == "cancel":
            return self.cancel()
        return [Reply(prompts.PICK_ONE), self.prompt(CONFIRM)]

    def on_edit(self) -> list[Reply]:
        choice = pick(prompts.EDIT, self.inc)
        if choice is None:
            return [Reply(prompts.PICK_ONE), self.prompt(EDIT)]
        if choice == "back":
            return self.go(CONFIRM)
        self.draft["editing"] = True
        if choice == "describe":
            self.draft["content"] = []  # replaced by what comes next; photos stay
            self.draft.pop("content_ids", None)
            return self.go(DESCRIBE, Reply("Gửi nội dung mới (thay cho nội dung cũ; ảnh đã gửi được giữ)."))
        return self.go(choice)

    def message(self) -> InboundMessage:
        d = self.draft
        place = d.get("place")
        reps = d.get("representatives") or []
        person = PersonData(name=d.get("name"), phone=d.get("phone"), representative=any(r.get("self") for r in reps)) \
            if d.get("name") or d.get("phone") else None
        listed = [PersonData(name=r["name"], phone=r["phone"], representative=True) for r in reps if not r.get("self")]
        count = int(d.get("co_signers") or 0)
        return InboundMessage(
            channel=self.channel, content="\n".join(d.get("content", [])), unit=d.get("unit"), kind=d.get("kind"),
            petitioner=person, co_signers=listed or count, co_signer_total=count,
            location=Location(place.get("lat"), place.get("lon"), place.get("address")) if place else None,
            attachments=[AttachmentData(p["filename"], base64.b64decode(p["data"])) for p in d.get("photos", [])],
            consent=bool(d.get("consent")), anonymous=bool(d.get("anonymous")),
            chat_user_id=None if d.get("anonymous") else self.user,  # the chat account is not kept with it
            external_id=f"{self.channel}:{self.inc.external_id}")

    def submit(self) -> list[Reply]:
        try:  # consent and the rest of the law are intake's; a refusal goes back to the step that asks
            submitted = intake.submit(self.session, self.message(), CITIZEN, now=self.now, quota=self.limits.phone)
        except ValidationFailed as err:
            return self.refused(err)
        petition, first = submitted.petition, submitted.first_deadline
        anonymous = bool(self.draft.get("anonymous"))
        self.reset()
        if anonymous:  # no code, no deadline, no notice promised (Luật Tố cáo 2018 Điều 25)
            return [Reply(prompts.ANONYMOUS_RECEIVED)]
        return [prompts.receipt(petition.code, first.step if first else None, first.due_at if first else None,
                                self.channel, submitted.access_key)]

    def refused(self, err: ValidationFailed) -> list[Reply]:
        problems = [m for messages in err.fields.values() for m in messages] or [err.message]
        text = "Chưa gửi được đơn:\n" + "\n".join(f"• {m}" for m in problems)
        if any(f.startswith("attachments") for f in err.fields):
            self.draft["photos"] = []
            text += "\nCác ảnh không hợp lệ đã được bỏ."
        step = next((FIELD_STEPS.get(f) or (CO_SIGNERS if f.startswith("co_signers.") else None)
                     for f in err.fields if f in FIELD_STEPS or f.startswith("co_signers.")), CONFIRM)
        if step == DESCRIBE:
            self.draft["content"] = []
            self.draft.pop("content_ids", None)
        if step == CO_SIGNERS:
            self.draft["representatives"] = []  # asked again from the count
        if step != CONFIRM:
            self.draft["editing"] = True
        return self.go(step, Reply(text))
