"""`POST /bots/zalo/webhook`: Zalo OA events, accepted only with a valid `X-ZEvent-Signature`.

Loaded by name through the WEB_PLUGINS setting (service never imports bots). The mac is checked
over the raw body before anything is parsed or stored; a forged or missing one gets 401. Each
msg_id is processed once; the reply goes out right after the commit (the outbox keeps it otherwise).
A body nested deeper than any event (signature.MAX_DEPTH) is a 400 and one over MAX_EVENT_BYTES a 413,
never a 500: measuring the depth reads brackets, it parses nothing.
"""
from __future__ import annotations

import logging
from typing import Any, Mapping

from flask import Blueprint, abort, current_app, jsonify, request

from bots import conversation, delivery
from bots.web import database, limits
from bots.zalo import adapter, signature
from service import jsonsafe, outbound
from service.db import Database
from service.domain.intake.limits import NO_LIMITS, IntakeLimits
from service.outbound.zalo.sender import ZaloSender, api_host

logger = logging.getLogger(__name__)

bp = Blueprint("zalo_bot", __name__, url_prefix="/bots/zalo")
WEBHOOK_TIMEOUT = 1.5  # seconds per call to Zalo while the webhook request waits
MAX_EVENT_BYTES = 1024 * 1024  # events carry image URLs, never images


def handle_event(db: Database, settings: Mapping[str, Any], event: dict[str, Any], sender: ZaloSender | None = None,
                 limits: IntakeLimits = NO_LIMITS) -> str:
    """'processed', 'duplicate' or 'ignored'. Images are downloaded before the transaction, never twice.
    `limits`: the app's petitions-per-phone and failed-look-up limits."""
    parsed = adapter.parse(event)
    if parsed is None:
        return "ignored"
    if delivery.is_processed(db, adapter.CHANNEL, parsed.external_id):
        return "duplicate"
    # Zalo wants its 200 within ~2 s: short timeouts here; what is not sent in time waits in the outbox.
    sender = sender or outbound.build(adapter.CHANNEL, db, settings, timeout=WEBHOOK_TIMEOUT)
    adapter.fetch_images(parsed, lambda url: sender.client.download(url, allowed_hosts=(api_host(settings),)))

    def step(session):
        return conversation.handle(session, parsed.incoming, limits=limits)

    received = delivery.receive(db, adapter.CHANNEL, parsed.external_id, parsed.user_id, step, sender)
    return "duplicate" if received.duplicate else "processed"


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
    outcome = handle_event(database(), config, event, limits=limits())
    return jsonify({"ok": True, "result": outcome})
