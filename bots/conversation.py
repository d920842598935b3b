"""The intake dialogue shared by Telegram and Zalo (diagram: conversation.mmd).

Plain functions over a Session: `handle(session, incoming)` loads the citizen's ChatConversation
(state + JSON draft, locked on PostgreSQL), takes one step and returns the replies. Nothing lives
in memory, so a restart or another worker continues the dialogue. The petition is stored only by
`intake.submit`, at the confirming step; the caller owns the transaction and the processed-once mark.
"""
from __future__ import annotations

import base64
import datetime as dt
import logging
import re
from typing import Any, Callable

from sqlalchemy.orm import Session

from bots import (
    citizen,
    dialogue,  # đối thoại: /doithoai, «đối thoại» (bots/dialogue.py)
    prompts,
    reception,  # tiếp công dân: /tiepdan, «tiếp dân»; "already reported here" (bots/reception.py)
)
from bots.drafting import Drafting
from bots.replies import Incoming, Reply, command_of, pick
from bots.states import (
    CO_SIGNERS,
    CONFIRM,
    CONSENT,
    CONTACT,
    DESCRIBE,
    DRAFTING,
    EDIT,
    IDLE,
    KIND,
    LOOKUP,
    MENU,
    NAME,
    PLACE,
    RATING,
    REOPEN,
    UNIT,
    UNIT_CHOICE,
)
from service.db import utcnow
from service.domain.errors import DomainError
from service.domain.inbound import AttachmentData
from service.domain.intake import tracking
from service.domain.intake.limits import NO_LIMITS, IntakeLimits
from service.domain.intake.validation import MAX_ATTACHMENTS, FieldError, normalise_phone
from service.domain.notifications.chat_state import (
    load,  # the conversation row (the domain sets RATING on a queued answer)
)
from service.domain.text import fold, strip_invisible
from service.models.channel import ChatConversation

logger = logging.getLogger(__name__)

_PHONE_TAIL = re.compile(r"(?:^|\s)((?:\+84|0)[\d .\-]{8,})$")
_SEPARATORS = re.compile(r"[\s\-.]")
_CODE_CHARS = 9  # a tracking code without its dashes
CANCEL_WORDS = frozenset({"huy", "huy bo", "huy don", "thoat", "cancel"})
STORY_CHARS, STORY_WORDS = 30, 6  # a first message this long is a story, not a greeting ("Cho tôi hỏi chút")


def handle(session: Session, incoming: Incoming, now: dt.datetime | None = None, *,
           limits: IntakeLimits = NO_LIMITS) -> list[Reply]:
    """One step of the dialogue for one message or button press; flushes, never commits. `limits`: the
    petitions-per-phone and failed-look-up limits the adapter built from its settings."""
    conversation = load(session, incoming.channel, incoming.chat_user_id)
    turn = _Turn(session, conversation, incoming, now or utcnow(), limits)
    replies = reception.suggest(turn, turn.state, turn.run())  # similar open petitions once the unit is known
    conversation.state, conversation.draft = turn.state, dict(turn.draft)  # a new dict: JSON columns track assignment
    conversation.last_inbound_at = turn.now  # Zalo's 48-hour free-reply window counts from here
    session.flush()
    return replies



def _code_and_phone(text: str) -> tuple[str, str | None]:
    """'K7M4-Q2XA-R 0912 345 678' -> ('K7M4-Q2XA-R', '0912 345 678'); codes never start with 0 or +.
    'K7M4-Q2XA-R H7KQ-M2XA-R9TB' -> the code and its access key (spaces and dashes anywhere)."""
    found = _PHONE_TAIL.search(text.strip())
    if found:
        return text.strip()[:found.start()].strip(), found.group(1)
    raw = _SEPARATORS.sub("", text.upper())
    code, key = raw[:_CODE_CHARS], raw[_CODE_CHARS:]
    if key and tracking.normalise_code(code) and tracking.normalise_access_key(key):
        return code, key
    return text.strip(), None


class _Turn(Drafting):
    """One step: the citizen's state and draft in, the next state, draft and replies out."""

    def __init__(self, session: Session, conversation: ChatConversation, incoming: Incoming, now: dt.datetime,
                 limits: IntakeLimits = NO_LIMITS):
        self.session, self.inc, self.now, self.limits = session, incoming, now, limits
        self.channel, self.user = incoming.channel, incoming.chat_user_id
        self.state = conversation.state or IDLE
        self.draft: dict[str, Any] = dict(conversation.draft or {})

    # --- plumbing ----------------------------------------------------------------------------
    @property
    def drafting(self) -> bool:
        return self.state in DRAFTING

    @property
    def identity_required(self) -> bool:
        """Complaints and denunciations need a name and a contact (Luật KN Đ8, Luật TC Đ23)."""
        kind = self.draft.get("kind")
        return kind in ("khieu_nai", "to_cao") or (kind is None and self.draft.get("group") == "kntc")

    def go(self, state: str, *before: Reply) -> list[Reply]:
        self.state = state
        return [*before, self.prompt(state)]

    def menu(self, text: str) -> list[Reply]:
        """The main menu in one message that starts with `text`."""
        self.state = MENU
        return [prompts.menu(text)]

    def then(self, state: str, *before: Reply) -> list[Reply]:
        """The next step, or back to the summary when the citizen was editing one item."""
        if self.draft.pop("editing", False):
            state = CONFIRM
        elif state == PLACE and self.draft.get("place"):
            state = CONTACT  # a location was already shared while describing
        if state == CONTACT and self.draft.get("phone"):
            state = NAME  # a contact was already shared
        return self.go(state, *before)

    def reset(self) -> None:
        self.state, self.draft = IDLE, {}

    def prompt(self, state: str) -> Reply:
        d = self.draft
        optional = not self.identity_required
        prompts_by_state: dict[str, Callable[[], Reply]] = {
            IDLE: lambda: prompts.menu(), MENU: lambda: prompts.menu(prompts.ASK),
            KIND: lambda: prompts.kind_prompt(None if d.get("editing") else d.get("group")),
            DESCRIBE: lambda: Reply(prompts.DESCRIBE, [prompts.DONE]), UNIT: lambda: Reply(prompts.UNIT),
            UNIT_CHOICE: lambda: Reply("Có nhiều nơi trùng tên. Chọn một:", self.unit_buttons()),
            PLACE: lambda: Reply(prompts.PLACE, prompts.place_buttons()),
            CONTACT: lambda: Reply(prompts.CONTACT_ASK + ("" if optional else prompts.CONTACT_REQUIRED)
                                   + (prompts.CONTACT_ANONYMOUS if d.get("kind") == "to_cao" else ""),
                                   prompts.contact_buttons(optional, anonymous=d.get("kind") == "to_cao")),
            NAME: lambda: Reply(prompts.NAME, prompts.name_buttons(d.get("suggested_name"), optional)),
            CO_SIGNERS: self.co_signer_prompt,  # the count, or the next representative of a crowd
            CONSENT: lambda: Reply(prompts.CONSENT, prompts.consent_buttons()),
            CONFIRM: self.summary, EDIT: lambda: Reply("Bạn muốn sửa mục nào?", list(prompts.EDIT)),
            LOOKUP: lambda: Reply(prompts.LOOKUP),
            RATING: lambda: prompts.rating_reply(d.get("petition", "")),
            REOPEN: lambda: Reply(prompts.REOPEN_ASK.format(code=d.get("petition", "")), prompts.yes_no()),
        }
        return prompts_by_state.get(state, prompts_by_state[IDLE])()

    # --- the step ----------------------------------------------------------------------------
    def run(self) -> list[Reply]:
        inc = self.inc
        if inc.event == "follow":
            return self.menu(prompts.GREETING) if not self.drafting else [self.prompt(self.state)]
        if inc.choice and inc.choice.startswith("rate:"):
            return self.rate_choice(inc.choice)
        if dialogue.wants(self):
            return dialogue.step(self)
        if reception.wants(self):
            return reception.step(self)
        command = command_of(inc.text)
        if command is not None:
            return self.command(*command)
        if fold(inc.text or "") in CANCEL_WORDS:
            return self.cancel()
        early = self.take_early_inputs()
        if self.drafting and not (inc.text or inc.choice) and not self.consumes_media():
            return early + [self.prompt(self.state)]
        return early + HANDLERS.get(self.state, _Turn.on_idle)(self)

    def consumes_media(self) -> bool:
        """Whether this step itself takes a message with no text (a photo, a position, a contact)."""
        inc = self.inc
        return self.state == DESCRIBE or (self.state == PLACE and inc.location is not None) or \
            (self.state == CONTACT and bool(inc.phone))

    def command(self, name: str, args: list[str]) -> list[Reply]:
        if name in ("huy", "cancel"):
            return self.cancel()
        if name in ("start", "menu"):
            if self.drafting:
                return [Reply(prompts.STILL_DRAFTING), self.prompt(self.state)]
            return self.menu(prompts.GREETING)
        if name in ("tracuu", "tra_cuu"):
            if args:
                return self.lookup(*_code_and_phone(" ".join(args)))
            return [Reply(prompts.STILL_DRAFTING), self.prompt(self.state)] if self.drafting else self.go(LOOKUP)
        if name in ("huongdan", "help"):
            return [Reply(prompts.HELP), self.prompt(self.state)] if self.drafting else self.go(MENU, Reply(prompts.HELP))
        return [Reply(prompts.UNKNOWN_COMMAND), self.prompt(self.state)]

    def cancel(self) -> list[Reply]:
        said = prompts.CANCELLED if self.drafting else prompts.NOTHING_TO_CANCEL
        self.reset()
        return self.menu(f"{said} {prompts.ASK}")

    def take_early_inputs(self) -> list[Reply]:
        """Photos, a position or a contact sent during the dialogue are kept whatever the step."""
        inc, out = self.inc, []
        if not self.drafting:
            return [Reply(m) for m in inc.refused_files]
        for reason in inc.refused_files:
            out.append(Reply(reason))
        if inc.photos:
            said = self.add_photos(inc.photos)
            if said and (self.state != DESCRIBE or said.startswith("Chỉ")):  # describing acknowledges itself
                out.append(Reply(said))
        if inc.location and self.state not in (PLACE, DESCRIBE):
            self.draft["place"] = {"lat": inc.location.lat, "lon": inc.location.lon, "address": inc.location.address}
            out.append(Reply("Đã nhận vị trí."))
        if inc.phone and self.state != CONTACT:
            try:
                self.draft["phone"] = normalise_phone(inc.phone)
                self.draft["suggested_name"] = inc.contact_name or self.draft.get("suggested_name")
                out.append(Reply("Đã nhận số điện thoại."))
            except FieldError as err:
                out.append(Reply(err.message))
        return out

    def add_photos(self, photos: list[AttachmentData]) -> str:
        kept = list(self.draft.get("photos", []))
        room = MAX_ATTACHMENTS - len(kept)
        for photo in photos[:max(room, 0)]:
            kept.append({"filename": photo.filename, "data": base64.b64encode(photo.data).decode("ascii")})
        self.draft["photos"] = kept
        if len(photos) > room:
            return f"Chỉ nhận tối đa {MAX_ATTACHMENTS} ảnh; ảnh vượt quá không được lưu."
        return f"Đã nhận ảnh ({len(kept)}/{MAX_ATTACHMENTS})."

    # --- outside a petition ------------------------------------------------------------------
    def on_idle(self) -> list[Reply]:
        choice = pick(prompts.MENU, self.inc)
        if choice in ("pakn", "kntc"):
            self.draft = {"group": choice, "suggested_name": self.inc.display_name}
            return self.go(KIND)
        if choice == "lookup":
            return self.go(LOOKUP)
        if choice == "help":
            return self.go(MENU, Reply(prompts.HELP))
        if self.inc.text and tracking.normalise_code(self.inc.text):
            return self.lookup(self.inc.text)
        story = strip_invisible(self.inc.text or "").strip()
        if len(story) >= STORY_CHARS and len(story.split()) >= STORY_WORDS:
            # Someone who starts by telling what happened: that is the description; the kind is asked after.
            self.draft = {"content": [story], "story_first": True, "suggested_name": self.inc.display_name}
            return self.go(KIND, Reply(prompts.STORY_TAKEN))
        return self.menu(prompts.GREETING if self.state == IDLE else prompts.PICK_ONE)

    on_menu = on_idle

    def on_lookup(self) -> list[Reply]:
        if not (self.inc.text or "").strip():
            return [self.prompt(LOOKUP)]
        return self.lookup(*_code_and_phone(self.inc.text))

    def lookup(self, code: str, proof: str | None = None) -> list[Reply]:
        try:
            petition = citizen.find_for_chat(self.session, self.channel, self.user, code, proof,
                                             policy=self.limits.lookup)
        except DomainError as err:
            return [Reply(err.message), self.prompt(self.state)] if self.drafting else self.menu(err.message)
        reply = citizen.status_reply(self.session, petition)
        if self.drafting:
            return [reply, Reply(prompts.STILL_DRAFTING), self.prompt(self.state)]
        self.reset()
        if reply.inline:  # answered and not rated: a typed 1-5 rates it
            self.state, self.draft = RATING, {"petition": petition.code}
        return [reply]

    def on_rating(self) -> list[Reply]:
        code = self.draft.get("petition", "")
        choice = pick(prompts.rating_reply(code).buttons, self.inc)
        if choice is None:
            self.reset()
            return self.on_idle()
        return self.rate_choice(choice)

    def rate_choice(self, value: str) -> list[Reply]:
        _, code, score = (value.split(":") + ["", ""])[:3]
        try:
            petition, rating = citizen.rate(self.session, self.channel, self.user, code, int(score or 0),
                                            policy=self.limits.lookup)
        except (DomainError, ValueError) as err:
            message = getattr(err, "message", "Điểm đánh giá phải từ 1 đến 5.")
            return [Reply(message)] + ([self.prompt(self.state)] if self.drafting else [])
        thanks = Reply(prompts.THANKS_RATING.format(score=rating.score))
        if self.drafting:
            return [thanks, self.prompt(self.state)]
        if rating.score <= 2:
            self.draft = {"petition": petition.code, "rating_id": rating.id}
            return self.go(REOPEN, thanks)
        self.reset()
        return [thanks]

    def on_reopen_offer(self) -> list[Reply]:
        choice = pick(prompts.yes_no(), self.inc)
        code, rating_id = self.draft.get("petition", ""), self.draft.get("rating_id")
        if choice is None:
            self.reset()
            return self.on_idle()
        self.reset()
        petition = citizen.find_for_chat(self.session, self.channel, self.user, code, policy=self.limits.lookup)
        citizen.request_reopen(self.session, petition, rating_id, self.channel, self.now, reopen=choice != "no")
        if choice == "no":
            return [Reply("Cảm ơn bạn. Ý kiến đánh giá đã được ghi nhận.")]
        return [Reply(prompts.REOPEN_DONE.format(code=code))]


# What each state of the conversation does with a message (conversation.mmd); an unknown state starts over
# from the menu. Dialogue registration states ("dlg_*") are taken earlier, by bots.dialogue.
HANDLERS: dict[str, Callable[[_Turn], list[Reply]]] = {
    IDLE: _Turn.on_idle, MENU: _Turn.on_menu, LOOKUP: _Turn.on_lookup, RATING: _Turn.on_rating,
    REOPEN: _Turn.on_reopen_offer, KIND: _Turn.on_kind, DESCRIBE: _Turn.on_describe, UNIT: _Turn.on_unit,
    UNIT_CHOICE: _Turn.on_unit_choice, PLACE: _Turn.on_place, CONTACT: _Turn.on_contact, NAME: _Turn.on_name,
    CO_SIGNERS: _Turn.on_co_signers, CONSENT: _Turn.on_consent, CONFIRM: _Turn.on_confirm, EDIT: _Turn.on_edit,
}
assert set(HANDLERS) == {IDLE, MENU, LOOKUP, RATING, REOPEN} | DRAFTING, "every state needs its handler"
