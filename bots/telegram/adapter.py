"""Telegram update JSON -> Incoming. No I/O except the given download (Reply -> sendMessage arguments:
service.outbound.telegram.render).

Works on the plain JSON of an update (the webhook body, or `Update.to_dict()` in polling mode), so
both entry points share it.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Callable

from bots.replies import Incoming
from service.domain.inbound import AttachmentData, Location
from service.domain.intake.validation import sniff_type

logger = logging.getLogger(__name__)

CHANNEL = "telegram"
MAX_FILE_BYTES = 5 * 1024 * 1024  # a draft keeps its photos until the petition is sent
PHOTO_SIDE = 1280  # the size Telegram offers that is sharp enough and small enough
NOT_AN_IMAGE = "Tệp {name} không phải ảnh (JPEG, PNG, WebP, GIF) hoặc PDF nên không được nhận."
TOO_LARGE = "Tệp {name} lớn hơn 5 MB nên không được nhận; hãy gửi ảnh thay vì tệp."
DOWNLOAD_FAILED = "Không tải được ảnh vừa gửi; vui lòng gửi lại."
UNSUPPORTED = "Kênh này chỉ nhận chữ, ảnh, vị trí và số điện thoại."


@dataclass
class ParsedUpdate:
    update_id: str
    chat_id: str
    private: bool
    incoming: Incoming | None = None  # a citizen's message or button press (private chats)
    group_command: str | None = None  # /dangky and the like, in a staff group
    callback_id: str | None = None
    file_ids: list[tuple[str, str, int | None]] | None = None  # (file_id, filename, size) still to download
    member_status: str | None = None  # my_chat_member: "kicked" (blocked the bot), "member" (unblocked)
    edited: tuple[str, str] | None = None  # edited_message: (message_id, its new text)
    buttons_message_id: int | None = None  # the message whose inline buttons were pressed


def parse(update: dict[str, Any]) -> ParsedUpdate | None:
    """What this update means for us; None for updates we do not handle (joins, channel posts, group edits)."""
    update_id = str(update.get("update_id", ""))
    if "my_chat_member" in update:
        member = update["my_chat_member"] or {}
        chat = member.get("chat") or {}
        status = str((member.get("new_chat_member") or {}).get("status") or "")
        if chat.get("type") != "private" or "id" not in chat or not status:
            return None
        return ParsedUpdate(update_id, str(chat["id"]), True, member_status=status)
    if "edited_message" in update:
        edited = update["edited_message"] or {}
        chat = edited.get("chat") or {}
        text = edited.get("text") or edited.get("caption")
        if chat.get("type") != "private" or "id" not in chat or not isinstance(text, str) or \
                "message_id" not in edited:
            return None
        return ParsedUpdate(update_id, str(chat["id"]), True, edited=(str(edited["message_id"]), text))
    if "callback_query" in update:
        query = update["callback_query"]
        chat = (query.get("message") or {}).get("chat") or {"id": query["from"]["id"], "type": "private"}
        if chat.get("type") != "private":
            return None  # our buttons with data (ratings) live in private chats only
        parsed = ParsedUpdate(update_id, str(chat["id"]), True, callback_id=query.get("id"),
                              buttons_message_id=(query.get("message") or {}).get("message_id"))
        parsed.incoming = Incoming(CHANNEL, parsed.chat_id, update_id, choice=query.get("data"),
                                   display_name=_name(query.get("from")))
        return parsed
    message = update.get("message")
    if not message or "chat" not in message:
        return None
    chat = message["chat"]
    parsed = ParsedUpdate(update_id, str(chat["id"]), chat.get("type") == "private")
    if not parsed.private:
        text = (message.get("text") or "").strip()
        parsed.group_command = text.split()[0].split("@")[0].lower() if text.startswith("/") else None
        return parsed if parsed.group_command else None
    parsed.incoming = _incoming(update_id, parsed.chat_id, message)
    parsed.file_ids = _files(message, update_id, parsed.incoming)
    return parsed


def _name(user: dict[str, Any] | None) -> str | None:
    if not user:
        return None
    return " ".join(x for x in (user.get("last_name"), user.get("first_name")) if x) or None


def _incoming(update_id: str, chat_id: str, message: dict[str, Any]) -> Incoming:
    inc = Incoming(CHANNEL, chat_id, update_id, text=message.get("text") or message.get("caption"),
                   display_name=_name(message.get("from")), message_id=str(message.get("message_id") or "") or None)
    contact = message.get("contact")
    if contact:
        inc.phone = contact.get("phone_number")
        # A contact of someone else is only a typed number: the name offered is the sender's own.
        if str(contact.get("user_id", "")) == str((message.get("from") or {}).get("id", "")):
            inc.contact_name = _name(contact)
    venue, location = message.get("venue"), message.get("location")
    if venue or location:
        point = (venue or {}).get("location") or location
        address = ", ".join(x for x in ((venue or {}).get("title"), (venue or {}).get("address")) if x) or None
        inc.location = Location(float(point["latitude"]), float(point["longitude"]), address)
    known = ("text", "caption", "contact", "venue", "location", "photo", "document")
    if not any(k in message for k in known):
        inc.refused_files.append(UNSUPPORTED)
    return inc


def _files(message: dict[str, Any], update_id: str, inc: Incoming) -> list[tuple[str, str, int | None]]:
    if message.get("photo"):
        sizes = sorted(message["photo"], key=lambda p: max(p.get("width", 0), p.get("height", 0)))
        fitting = [p for p in sizes if max(p.get("width", 0), p.get("height", 0)) <= PHOTO_SIDE] or sizes[:1]
        best = fitting[-1]
        return [(best["file_id"], f"telegram-{update_id}.jpg", best.get("file_size"))]
    document = message.get("document")
    if document:
        name = document.get("file_name") or f"telegram-{update_id}"
        kind = document.get("mime_type") or ""
        if not (kind.startswith("image/") or kind == "application/pdf"):
            inc.refused_files.append(NOT_AN_IMAGE.format(name=name))
            return []
        return [(document["file_id"], name, document.get("file_size"))]
    return []


def fetch_files(parsed: ParsedUpdate, download: Callable[[str], bytes]) -> None:
    """Download the update's photo or document into the Incoming (before the transaction starts)."""
    if not parsed.incoming or not parsed.file_ids:
        return
    inc = parsed.incoming
    for file_id, name, size in parsed.file_ids:
        if size and size > MAX_FILE_BYTES:
            inc.refused_files.append(TOO_LARGE.format(name=name))
            continue
        try:
            data = download(file_id)
        except Exception as exc:  # a lost photo is told to the citizen, the text still counts
            logger.info("telegram file download failed: %s", exc.__class__.__name__)
            inc.refused_files.append(DOWNLOAD_FAILED)
            continue
        if len(data) > MAX_FILE_BYTES:
            inc.refused_files.append(TOO_LARGE.format(name=name))
        elif sniff_type(data) is None:
            inc.refused_files.append(NOT_AN_IMAGE.format(name=name))
        else:
            inc.photos.append(AttachmentData(name, data))
