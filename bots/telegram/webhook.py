"""`POST /bots/telegram/webhook`: Telegram's updates, accepted only with the webhook's secret token.

Loaded by name through the WEB_PLUGINS setting (service never imports bots). Telegram sends the
secret given to setWebhook in `X-Telegram-Bot-Api-Secret-Token`; anything else is refused with 401
before a byte of the body is read. An update is answered with 200 once it is stored (or was already),
so Telegram does not retry it; a database outage answers 503 and Telegram retries later. A body that
is not a JSON object, nests deeper than MAX_DEPTH or is larger than MAX_UPDATE_BYTES is a 4xx, never a 500.
"""
from __future__ import annotations

import hmac
import logging

from flask import Blueprint, abort, current_app, jsonify, request

from bots.telegram.updates import handle_update
from bots.web import database, limits
from service import jsonsafe

logger = logging.getLogger(__name__)

bp = Blueprint("telegram_bot", __name__, url_prefix="/bots/telegram")
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_DEPTH = 32  # a real update nests about 8 levels (callback_query.message.reply_markup.inline_keyboard…)
MAX_UPDATE_BYTES = 1024 * 1024  # updates carry file ids, never files


def authorised() -> bool:
    """Constant-time check of the secret token; an unset secret refuses everything."""
    expected = str(current_app.config.get("TELEGRAM_WEBHOOK_SECRET") or "")
    given = request.headers.get(SECRET_HEADER, "")
    return bool(expected) and hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


@bp.post("/webhook")
def webhook():
    if not authorised():
        logger.warning("telegram webhook: wrong or missing secret token from %s", request.remote_addr)
        abort(401)
    if request.content_length is not None and request.content_length > MAX_UPDATE_BYTES:
        abort(413)
    raw = request.get_data(cache=False)
    if len(raw) > MAX_UPDATE_BYTES:
        abort(413)
    try:
        update = jsonsafe.loads(raw, max_depth=MAX_DEPTH)
    except ValueError:  # not JSON, or nested deeper than any update (TooDeep)
        abort(400)
    if not isinstance(update, dict):
        abort(400)
    outcome = handle_update(database(), current_app.config, update, limits=limits())
    return jsonify({"ok": True, "result": outcome})
