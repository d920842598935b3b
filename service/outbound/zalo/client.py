"""Our own small client of the Zalo Official Account Open API v3 and OAuth v4, over httpx.

No package on PyPI fits a government OA (integrations.md §2.3: obsolete v1/v2 SDKs, a GPL fork,
no webhook signature checks, or unofficial personal-account clients), so this is ~150 lines we own:
explicit timeouts, typed errors, and `error != 0` treated as failure even on HTTP 200.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

logger = logging.getLogger(__name__)
logging.getLogger("httpx").setLevel(logging.WARNING)  # never log URLs and headers that carry tokens

DEFAULT_API = "https://openapi.zalo.me"
DEFAULT_OAUTH = "https://oauth.zaloapp.com"
# Zalo's OA API error codes (issue #18 check), from Zalo's own table "Phụ lục / Mã lỗi"
# (https://developers.zalo.me/docs/official-account/phu-luc/ma-loi, now served at
# https://docs.zaloplatforms.com/docs/OA/phu-luc/ma-loi). That page could not be fetched from here: its rows are
# read from two independent verbatim quotations of it in public repositories (found by find_string on
# "access_token is expired or removed" and "User has not interacted with the OA"), which agree with each other and
# with Zalo's official PHP SDK (zaloplatform/zalo-php-sdk, src/Exceptions/ZaloResponseException.php: -213, -216,
# -217, -218 are OA errors). Whatever the code, an error is a failure (error != 0) and kept in the outbox; only
# these sets change what happens next:
#   -216 "Access token is invalid", -220 "access_token is expired or removed": refresh once and retry. -220 is
#   what a token past its 25 hours answers (it was missing here, so an expired token was never refreshed on the
#   spot); -124 is the ZNS API's "Access token invalid" (zalo.cloud ZNS table), not an OA code: dropped here.
TOKEN_ERRORS = frozenset({-216, -220})
#   -213 "User has not followed OA", -230 "User has not interacted with the OA in the past 7 days" (the
#   consultation window: docs.zaloplatforms.com/docs/OA/tin-nhan/tin-tu-van/dieu-kien-gui-tin-tu-van),
#   -232 "User has not interacted with the OA, or the last interaction has expired", -227 "User is banned or has
#   been inactive for more than 45 days", -244 "User has restricted this message type from your OA": an OA
#   message cannot reach this citizen now, so the notice falls back to ZNS/SMS. Not in the set: -32 (rate
#   limit), -211/-218 (quotas), -201 (a field invalid): retried or failed like any other error.
#   Still unverified: only that these rows are quoted, not read on Zalo's page itself.
WINDOW_ERRORS = frozenset({-213, -227, -230, -232, -244})
MEDIA_HOST_SUFFIXES = ("zadn.vn", "zdn.vn", "zalo.me", "zaloapp.com")
MAX_MEDIA_BYTES = 5 * 1024 * 1024
# A refresh whose answer is lost has spent the single-use refresh token: wait for it generously.
REFRESH_TIMEOUT = httpx.Timeout(20.0, connect=3.0)


class ZaloError(Exception):
    """Any failure talking to Zalo."""


class ZaloUnavailable(ZaloError):
    """Network error, timeout or an HTTP error status: worth retrying later."""


class ZaloApiError(ZaloError):
    """Zalo answered with `error != 0`."""

    def __init__(self, code: int, message: str):
        super().__init__(f"zalo error {code}: {message}")
        self.code = code
        self.message = message

    @property
    def token_invalid(self) -> bool:
        return self.code in TOKEN_ERRORS

    @property
    def window_closed(self) -> bool:
        return self.code in WINDOW_ERRORS


class ZaloMediaRefused(ZaloError):
    """An attachment URL outside Zalo's media hosts, or too large."""


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_at: dt.datetime

    def __repr__(self) -> str:  # never print tokens
        return f"<TokenPair expires {self.expires_at:%Y-%m-%d %H:%M}>"


class ZaloClient:
    def __init__(self, app_id: str, app_secret: str, *, api_base: str = DEFAULT_API, oauth_base: str = DEFAULT_OAUTH,
                 timeout: float = 5.0, transport: httpx.BaseTransport | None = None):
        self.app_id, self.app_secret = app_id, app_secret
        self.api_base = (api_base or DEFAULT_API).rstrip("/")
        self.oauth_base = (oauth_base or DEFAULT_OAUTH).rstrip("/")
        self.timeout = httpx.Timeout(timeout, connect=min(timeout, 3.0))
        self.transport = transport

    def _client(self, timeout: httpx.Timeout | None = None) -> httpx.Client:
        return httpx.Client(timeout=timeout or self.timeout, transport=self.transport, follow_redirects=False)

    def _post(self, url: str, timeout: httpx.Timeout | None = None, **kwargs: Any) -> dict[str, Any]:
        try:
            with self._client(timeout) as client:
                response = client.post(url, **kwargs)
        except httpx.HTTPError as exc:
            raise ZaloUnavailable(f"{exc.__class__.__name__} calling {urlsplit(url).path}") from exc
        if response.status_code >= 400:
            raise ZaloUnavailable(f"HTTP {response.status_code} from {urlsplit(url).path}")
        try:
            body = response.json()
        except ValueError as exc:
            raise ZaloUnavailable(f"not JSON from {urlsplit(url).path}") from exc
        if not isinstance(body, dict):
            raise ZaloUnavailable(f"unexpected answer from {urlsplit(url).path}")
        error = int(body.get("error", 0) or 0)
        if error != 0:
            raise ZaloApiError(error, str(body.get("message") or body.get("error_name") or
                                          body.get("error_description") or ""))
        return body

    def send_text(self, access_token: str, user_id: str, text: str, reply_to: str | None = None) -> str:
        """A consultation (cs) message to a follower; returns Zalo's message id. `reply_to`: the user's
        msg_id this answers, sent as recipient.message_id so that Zalo counts it as an answer."""
        return self._send_cs(access_token, user_id, {"text": text}, reply_to)

    def request_user_info(self, access_token: str, user_id: str, title: str, subtitle: str, image_url: str,
                          reply_to: str | None = None) -> str:
        """The request_user_info template: the user shares name and phone in one tap (user_submit_info)."""
        payload = {"template_type": "request_user_info",
                   "elements": [{"title": title[:100], "subtitle": subtitle[:500], "image_url": image_url}]}
        return self._send_cs(access_token, user_id, {"attachment": {"type": "template", "payload": payload}},
                             reply_to)

    def _send_cs(self, access_token: str, user_id: str, message: dict[str, Any], reply_to: str | None) -> str:
        recipient = {"user_id": user_id, **({"message_id": reply_to} if reply_to else {})}
        body = self._post(f"{self.api_base}/v3.0/oa/message/cs", headers={"access_token": access_token},
                          json={"recipient": recipient, "message": message})
        return str((body.get("data") or {}).get("message_id", ""))

    def send_group_text(self, access_token: str, group_id: str, text: str) -> str:
        """A text message to an OA chat group (Group Message Framework)."""
        body = self._post(f"{self.api_base}/v3.0/oa/group/message", headers={"access_token": access_token},
                          json={"recipient": {"group_id": group_id}, "message": {"text": text}})
        return str((body.get("data") or {}).get("message_id", ""))

    def refresh(self, refresh_token: str, now: dt.datetime | None = None) -> TokenPair:
        """Trade the single-use refresh token for a new pair; the caller must store both at once."""
        body = self._post(f"{self.oauth_base}/v4/oa/access_token", timeout=REFRESH_TIMEOUT,
                          headers={"secret_key": self.app_secret},
                          data={"app_id": self.app_id, "grant_type": "refresh_token", "refresh_token": refresh_token})
        if not body.get("access_token") or not body.get("refresh_token"):
            raise ZaloApiError(-1, "no token pair in the answer")
        try:
            seconds = int(body.get("expires_in") or 90000)
        except (TypeError, ValueError):
            seconds = 90000
        now = now or dt.datetime.now(dt.timezone.utc)
        return TokenPair(body["access_token"], body["refresh_token"], now + dt.timedelta(seconds=seconds))

    def download(self, url: str, allowed_hosts: tuple[str, ...] = (), max_bytes: int = MAX_MEDIA_BYTES) -> bytes:
        """An attachment the user sent; only from Zalo's media hosts (or `allowed_hosts`), size-capped."""
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        hosts = MEDIA_HOST_SUFFIXES + tuple(h.lower() for h in allowed_hosts if h)
        if parts.scheme not in ("https", "http") or not any(host == h or host.endswith("." + h) for h in hosts):
            raise ZaloMediaRefused(f"media host {host!r} is not Zalo's")
        try:
            with self._client() as client, client.stream("GET", url) as response:
                if response.status_code >= 400:
                    raise ZaloUnavailable(f"HTTP {response.status_code} downloading media")
                data = bytearray()
                for chunk in response.iter_bytes():
                    data += chunk
                    if len(data) > max_bytes:
                        raise ZaloMediaRefused("media larger than allowed")
                return bytes(data)
        except httpx.HTTPError as exc:
            raise ZaloUnavailable(f"{exc.__class__.__name__} downloading media") from exc
