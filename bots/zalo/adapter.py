"""Zalo OA webhook event JSON -> Incoming. No I/O of its own (Reply -> text with numbered options:
service.outbound.zalo.sender.render).

Ids are strings (often beyond 2^53), kept as text. Handled events: user_send_text, user_send_image,
user_send_location, user_submit_info (the answer to the request_user_info form), follow and unfollow; a file,
sticker, audio or video is answered with what the channel takes. An event whose timestamp is not a time
near now (Zalo stamps events in milliseconds when it sends them) is refused (`Refused`).
"""
from __future__ import annotations

import datetime as dt
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
HANDLED_BEFORE = ("follow", "unfollow", "user_submit_info")
OTHER_USER_EVENTS = ("user_send_file", "user_send_audio", "user_send_video", "user_send_sticker", "user_send_gif",
                     "user_send_link", "user_send_business_card")


# How far an event's timestamp may be from our clock: Zalo retries for minutes, clocks drift by seconds.
MAX_AGE = dt.timedelta(hours=24)
MAX_AHEAD = dt.timedelta(minutes=10)


class Refused(ValueError):
    """An event no real Zalo sends (a timestamp far from now): answered 400."""
HANDLED = frozenset(HANDLED_BEFORE + MESSAGE_EVENTS + OTHER_USER_EVENTS)


@dataclass
class ParsedEvent:
    external_id: str
    user_id: str
    incoming: Incoming
    image_urls: list[str] = field(default_factory=list)
    message_id: str | None = None  # the user's msg_id, answered with recipient.message_id
    unfollowed: bool = False


def moment(timestamp: Any, now: dt.datetime) -> dt.datetime:
    """The event's time from its millisecond timestamp; Refused when absent, malformed or absurd."""
    try:
        millis = int(str(timestamp))
        when = dt.datetime.fromtimestamp(millis / 1000, dt.timezone.utc)
    except (TypeError, ValueError, OverflowError, OSError):
        raise Refused("timestamp is not a millisecond time") from None
    if not now - MAX_AGE <= when <= now + MAX_AHEAD:
        raise Refused("timestamp far from now")
    return when


def parse(event: dict[str, Any], now: dt.datetime | None = None) -> ParsedEvent | None:
    """What this event means for us; None for events we do not handle (seen/received receipts, OA echoes).
    With `now`, the timestamp must be near it (else Refused)."""
    name = str(event.get("event_name") or "")
    timestamp = str(event.get("timestamp") or "")
    if name not in HANDLED:
        return None
    at = moment(timestamp, now) if now is not None else None
    if name in ("follow", "unfollow"):
        user = str((event.get("follower") or {}).get("id") or "")
        key = f"{name}:{user}:{timestamp}"
        if not user:
            return None
        return ParsedEvent(key, user, Incoming(CHANNEL, user, key, event="follow", at=at),
                           unfollowed=name == "unfollow")
    user = str((event.get("sender") or {}).get("id") or "")
    if not user:
        return None
    if name == "user_submit_info":
        info = event.get("info") or {}
        key = f"info:{user}:{timestamp}"
        inc = Incoming(CHANNEL, user, key, phone=str(info.get("phone") or "") or None,
                       contact_name=str(info.get("name") or "") or None, at=at)
        return ParsedEvent(key, user, inc)
    message = event.get("message") or {}
    msg_id = str(message.get("msg_id") or "")
    if not msg_id:
        return None
    if name in OTHER_USER_EVENTS:
        return ParsedEvent(msg_id, user, Incoming(CHANNEL, user, msg_id, refused_files=[UNSUPPORTED], at=at),
                           message_id=msg_id)
    if name not in MESSAGE_EVENTS:
        return None
    text = message.get("text")
    inc = Incoming(CHANNEL, user, msg_id, text=text if isinstance(text, str) and text else None, at=at)
    parsed = ParsedEvent(msg_id, user, inc, message_id=msg_id)
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
