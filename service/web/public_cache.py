"""A short in-process cache of the public figures: anyone may ask for them, and the city-wide ones group every
petition of the city (seconds at a million rows, README "Periodic reports"), so each worker computes one
(unit, period) at most every TTL seconds. Kept per app (tests get a fresh one with each app)."""
from __future__ import annotations

import threading
import time
from typing import Any

from flask import current_app

from service.domain.accountability import stats
from service.domain.errors import ValidationFailed
from service.web.session import db_session

TTL = 300
MAX_ENTRIES = 512
_LOCK = threading.Lock()


def public_stats(args, missing_unit=ValidationFailed) -> dict[str, Any]:
    key = tuple((args.get(k) or "").strip() for k in ("unit", "period", "from", "to"))
    cache: dict = current_app.extensions.setdefault("public_stats_cache", {})
    now = time.monotonic()
    with _LOCK:
        hit = cache.get(key)
    if hit is not None and now - hit[0] < TTL:
        return hit[1]
    value = stats.public_stats(db_session(), unit=key[0] or None, period=key[1] or None, first=key[2] or None,
                               last=key[3] or None, missing_unit=missing_unit)
    with _LOCK:
        if len(cache) >= MAX_ENTRIES:
            cache.clear()
        cache[key] = (now, value)
    return value
