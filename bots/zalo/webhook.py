"""`POST /bots/zalo/webhook`: Zalo OA events, accepted only with a valid `X-ZEvent-Signature`.

Loaded by name through the WEB_PLUGINS setting (service never imports bots). The mac is checked
over the raw body before anything is parsed or stored; a forged or missing one gets 401. Each
msg_id is processed once; the answer is given at once and the replies go out right after it, in order,
from a background lane (bots.background; the outbox keeps them if the process dies).
A body nested deeper than any event (signature.MAX_DEPTH) is a 400 and one over MAX_EVENT_BYTES a 413,
never a 500: measuring the depth reads brackets, it parses nothing.
"""
from __future__ import annotations

import logging
import time
from typing import Any, Mapping

from flask import Blueprint, abort, current_app, jsonify, request

from bots import background, conversation, delivery
from bots.web import database, limits
from bots.zalo import adapter, signature
from service import jsonsafe, outbound
from service.db import Database, utcnow
from service.domain.intake.limits import NO_LIMITS, IntakeLimits
from service.domain.notifications import chat_state
from service.outbound.zalo.sender import ZaloSender, api_host, client_from

logger = logging.getLogger(__name__)

bp = Blueprint("zalo_bot", __name__, url_prefix="/bots/zalo")
MEDIA_TIMEOUT = 0.8  # seconds to download a sent image while the webhook request waits (Zalo wants ~2 s)
MEDIA_BUDGET = 0.8  # no new download starts after this many seconds: the citizen is asked to resend the rest
SEND_TIMEOUT = 10.0  # seconds per reply sent after the answer (a background lane, not the request)
MAX_EVENT_BYTES = 1024 * 1024  # events carry image URLs, never images


def handle_event(db: Database, settings: Mapping[str, Any], event: dict[str, Any], sender: ZaloSender | None = None,
                 limits: IntakeLimits = NO_LIMITS, *, later: bool = False) -> str:
    """'processed', 'duplicate' or 'ignored'. Images are downloaded before the transaction, never twice.
    `limits`: the app's petitions-per-phone and failed-look-up limits. `later`: the replies are sent by a
    background lane after the caller has answered (the webhook), not before this returns."""
    parsed = adapter.parse(event, now=utcnow())
    if parsed is None:
        return "ignored"
    if delivery.is_processed(db, adapter.CHANNEL, parsed.external_id):
        return "duplicate"
    if parsed.image_urls:  # media come from Zalo's CDN, not the OA API: short timeouts and one budget
        media = sender.client if sender is not None else client_from(settings, timeout=MEDIA_TIMEOUT)
        budget = time.monotonic() + MEDIA_BUDGET

        def download(url: str) -> bytes:
            if time.monotonic() > budget:  # told to the citizen as "send it again"; the answer stays fast
                raise TimeoutError("media budget spent")
            return media.download(url, allowed_hosts=(api_host(settings),))

        adapter.fetch_images(parsed, download)

    def step(session):
        if parsed.unfollowed:  # no reply can reach them; notices go by ZNS / SMS until they write again
            chat_state.set_blocked(session, adapter.CHANNEL, parsed.user_id, True)
            return []
        chat_state.set_blocked(session, adapter.CHANNEL, parsed.user_id, False)
        return conversation.handle(session, parsed.incoming, limits=limits)

    # Replies carry the message's id: Zalo counts them as answers (recipient.message_id), not proactive messages.
    received = delivery.process(db, adapter.CHANNEL, parsed.external_id, parsed.user_id, step,
                                reply_to=parsed.message_id)
    if received.duplicate:
        return "duplicate"
    if received.outgoing:
        def send() -> None:
            chosen = sender or outbound.build(adapter.CHANNEL, db, settings, timeout=SEND_TIMEOUT)
            delivery.deliver_in_order(db, received, chosen)

        if later:
            background.submit(f"{adapter.CHANNEL}:{parsed.user_id}", send)
        else:
            send()
    return "processed"


@bp.post("/webhook")
def webhook():
    config = current_app.config
    if request.content_length is not None and request.content_length > MAX_EVENT_BYTES:
        abort(413)
    raw = request.get_data(cache=False)
    if len(raw) > MAX_EVENT_BYTES:
        abort(413)
    if jsonsafe.nesting(raw, signature.MAX_DEPTH) > signature.MAX_DEPTH:
        abort(400)  # the signature check would have to parse it to find the timestamp
    if not signature.verify(raw, request.headers.get(signature.HEADER), str(config.get("ZALO_APP_ID") or ""),
                            str(config.get("ZALO_OA_SECRET_KEY") or "")):
        logger.warning("zalo webhook: bad or missing signature from %s", request.remote_addr)
        abort(401)
    event = jsonsafe.loads(raw, max_depth=signature.MAX_DEPTH)  # valid JSON: the signature check parsed it
    try:
        outcome = handle_event(database(), config, event, limits=limits(), later=True)
    except adapter.Refused as exc:  # signed, but no event Zalo would send now
        logger.warning("zalo webhook: event refused (%s)", exc)
        abort(400)
    return jsonify({"ok": True, "result": outcome})
