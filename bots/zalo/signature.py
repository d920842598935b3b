"""The Zalo OA webhook signature: `X-ZEvent-Signature: mac=<sha256 hex>` of
app_id + raw body + timestamp (from the body) + OA secret key (integrations.md §2.1)."""
from __future__ import annotations

import hashlib
import hmac

from service import jsonsafe

HEADER = "X-ZEvent-Signature"
MAX_DEPTH = 32  # a real event nests about 5 levels; deeper bodies are refused before parsing


def expected_mac(raw: bytes, app_id: str, oa_secret_key: str) -> str | None:
    """The mac Zalo computes for this body; None when the body is not a JSON object."""
    try:
        event = jsonsafe.loads(raw, max_depth=MAX_DEPTH)
    except ValueError:  # not JSON, or too deeply nested (jsonsafe.TooDeep)
        return None
    if not isinstance(event, dict):
        return None
    timestamp = str(event.get("timestamp", ""))
    digest = hashlib.sha256(app_id.encode() + raw + timestamp.encode() + oa_secret_key.encode())
    return digest.hexdigest()


def verify(raw: bytes, header: str | None, app_id: str, oa_secret_key: str) -> bool:
    """Constant-time check; an unset app id or key refuses everything."""
    if not (header and app_id and oa_secret_key):
        return False
    expected = expected_mac(raw, app_id, oa_secret_key)
    if expected is None:
        return False
    given = header.strip()
    given = given[4:] if given.lower().startswith("mac=") else given
    return hmac.compare_digest(given.strip().lower().encode("utf-8", "replace"), expected.encode())


def sign(raw: bytes, app_id: str, oa_secret_key: str) -> str:
    """The header value Zalo would send (tests and local tools)."""
    return f"mac={expected_mac(raw, app_id, oa_secret_key)}"
