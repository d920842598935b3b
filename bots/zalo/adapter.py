"""Zalo OA webhook event JSON -> Incoming. No I/O of its own (Reply -> text with numbered options:
service.outbound.zalo.sender.render).

Ids are strings (often beyond 2^53), kept as text. Handled events: user_send_text, user_send_image,
user_send_location, user_submit_info (the "share your information" form) and follow.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Callable

from bots.replies import Incoming
from service.domain.inbound import AttachmentData, Location
from service.domain.intake.validation import sniff_type

logger = logging.getLogger(__name__)

CHANNEL = "zalo"
NOT_AN_IMAGE = "Tệp vừa gửi không phải ảnh (JPEG, PNG, WebP, GIF) nên không được nhận."
DOWNLOAD_FAILED = "Không tải được ảnh vừa gửi; vui lòng gửi lại."
UNSUPPORTED = "Kênh này chỉ nhận chữ, ảnh và vị trí."
MESSAGE_EVENTS = ("user_send_text", "user_send_image", "user_send_location")
OTHER_USER_EVENTS = ("user_send_file", "user_send_audio", "user_send_video", "user_send_sticker", "user_send_gif",
                     "user_send_link", "user_send_business_card")


@dataclass
class ParsedEvent:
    external_id: str
    user_id: str
    incoming: Incoming
    image_urls: list[str] = field(default_factory=list)


def parse(event: dict[str, Any]) -> ParsedEvent | None:
    """What this event means for us; None for events we do not handle (seen/received receipts, OA echoes)."""
    name = str(event.get("event_name") or "")
    timestamp = str(event.get("timestamp") or "")
    if name == "follow":
        user = str((event.get("follower") or {}).get("id") or "")
        key = f"follow:{user}:{timestamp}"
        return ParsedEvent(key, user, Incoming(CHANNEL, user, key, event="follow")) if user else None
    user = str((event.get("sender") or {}).get("id") or "")
    if not user:
        return None
    if name == "user_submit_info":
        info = event.get("info") or {}
        key = f"info:{user}:{timestamp}"
        inc = Incoming(CHANNEL, user, key, phone=info.get("phone") or None, contact_name=info.get("name") or None)
        return ParsedEvent(key, user, inc)
    message = event.get("message") or {}
    msg_id = str(message.get("msg_id") or "")
    if not msg_id:
        return None
    if name in OTHER_USER_EVENTS:
        return ParsedEvent(msg_id, user, Incoming(CHANNEL, user, msg_id, refused_files=[UNSUPPORTED]))
    if name not in MESSAGE_EVENTS:
        return None
    inc = Incoming(CHANNEL, user, msg_id, text=message.get("text") or None)
    parsed = ParsedEvent(msg_id, user, inc)
    for attachment in message.get("attachments") or []:
        payload = attachment.get("payload") or {}
        if attachment.get("type") == "image" and payload.get("url"):
            parsed.image_urls.append(str(payload["url"]))
        elif attachment.get("type") == "location":
            point = payload.get("coordinates") or {}
            try:
                inc.location = Location(float(point["latitude"]), float(point["longitude"]))
            except (KeyError, TypeError, ValueError):
                logger.info("zalo location without coordinates")
    return parsed


def fetch_images(parsed: ParsedEvent, download: Callable[[str], bytes]) -> None:
    """Download the event's images into the Incoming (before the transaction starts)."""
    for i, url in enumerate(parsed.image_urls):
        try:
            data = download(url)
        except Exception as exc:  # told to the citizen; the rest of the message still counts
            logger.info("zalo image download failed: %s", exc.__class__.__name__)
            parsed.incoming.refused_files.append(DOWNLOAD_FAILED)
            continue
        kind = sniff_type(data)
        if kind is None or not kind.startswith("image/"):
            parsed.incoming.refused_files.append(NOT_AN_IMAGE)
            continue
        extension = kind.split("/")[1].replace("jpeg", "jpg")
        parsed.incoming.photos.append(AttachmentData(f"zalo-{parsed.external_id}-{i + 1}.{extension}", data))
