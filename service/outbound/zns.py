"""The Zalo ZNS sender (Zalo Notification Service): a template message to a phone number.

`POST {ZNS_API_URL}/message/template`, header `access_token: <the OA's token>` (the pair the Zalo OA settings
manage, service.outbound.zalo.tokens), JSON `{"phone": "84…", "template_id", "template_data", "tracking_id"}`.
Zalo answers `{"error": 0, "data": {"msg_id", …}}`; a non-zero `error` is a failure even on HTTP 200.

The template of each notice comes from the settings (ZNS_TEMPLATE_RECEIVED, ZNS_TEMPLATE_ANSWERED,
ZNS_TEMPLATE_STATUS) and its parameters from the outbox payload (`zns.data`, filled by the domain:
ma_don, don_vi, ngay, trang_thai, han_xu_ly, tom_tat). `tracking_id` is the outbox row's id, so a
message Zalo received but whose answer was lost is recognisable in Zalo's delivery reports.

Errors (Zalo's ZNS table "Cách xử lý mã lỗi", https://zalo.cloud/zns/guidelines/handle-error-code: -100…-112 read
on that page; -114…-144 from a verbatim public quotation of the same table, which names them in the same order as
the page's own English labels): an invalid token is refreshed once; Zalo's own trouble and network failures are retried by the outbox; every
refusal that sending again cannot change (no Zalo account, the phone does not take ZNS, the template missing
or not approved, the quota or balance spent, the data refused) is `Unreachable`, and the dispatcher sends the
SMS that follows ZNS in the notice's chain.
"""
from __future__ import annotations

import logging
from typing import Any, Mapping

import httpx

from service.domain.notifications.citizens import phone_e164
from service.outbound import Outgoing, SendError, Unreachable
from service.outbound.zalo import tokens
from service.outbound.zalo.sender import client_from

logger = logging.getLogger(__name__)
logging.getLogger("httpx").setLevel(logging.WARNING)  # the headers carry the token

DEFAULT_URL = "https://business.openapi.zalo.me"
# -124 "Access token invalid" (the ZNS table); -216 "Access token is invalid" and -220 "access_token is expired or
# removed" are the OA API's (service.outbound.zalo.client cites the table); public ZNS clients refresh on -220 from
# this endpoint (unverified on Zalo's ZNS page, which lists only -124).
TOKEN_ERRORS = frozenset({-124, -216, -220})
RETRY_ERRORS = frozenset({-100})  # "Unknown error": Zalo's own trouble, "vui lòng thử lại sau"
KNOWN_REFUSALS = {  # what sending again cannot change: the dispatcher sends the SMS next
    -108: "số điện thoại không hợp lệ", -109: "mẫu ZNS không hợp lệ", -110: "phiên bản Zalo không nhận được ZNS",
    -111: "dữ liệu mẫu trống", -112: "dữ liệu mẫu không hợp lệ", -114: "người dùng không nhận được ZNS",
    -115: "tài khoản ZNS hết số dư", -117: "OA chưa được cấp quyền dùng mẫu này",
    -118: "số điện thoại không có tài khoản Zalo", -119: "tài khoản không nhận được ZNS",
    -131: "mẫu ZNS chưa được duyệt", -139: "người dùng từ chối nhận loại ZNS này",
    -141: "người dùng từ chối nhận ZNS của OA", -144: "OA đã hết hạn mức gửi trong ngày",
}
TEMPLATE_SETTINGS = {"received": "ZNS_TEMPLATE_RECEIVED", "answered": "ZNS_TEMPLATE_ANSWERED",
                     "status": "ZNS_TEMPLATE_STATUS"}


class ZnsSender:
    def __init__(self, database: Any, settings: Mapping[str, Any], *, timeout: float = 10.0,
                 transport: httpx.BaseTransport | None = None):
        self.database, self.settings = database, settings
        self.url = (str(settings.get("ZNS_API_URL") or "") or DEFAULT_URL).rstrip("/") + "/message/template"
        self.timeout = httpx.Timeout(timeout, connect=min(timeout, 5.0))
        self.transport = transport
        self.zalo = client_from(settings, timeout=timeout)

    def body(self, message: Outgoing) -> dict[str, Any]:
        zns = (message.payload or {}).get("zns") or {}
        template = zns.get("template") or "status"
        template_id = str(self.settings.get(TEMPLATE_SETTINGS.get(template, "ZNS_TEMPLATE_STATUS")) or "")
        if not template_id:
            raise Unreachable(f"zns: no template id in {TEMPLATE_SETTINGS.get(template)}")
        data = {k: str(v) for k, v in (zns.get("data") or {}).items()}
        return {"phone": phone_e164(message.recipient), "template_id": template_id, "template_data": data,
                "tracking_id": f"outbox-{message.id}"}

    def __call__(self, message: Outgoing) -> str | None:
        body = self.body(message)
        try:
            token = tokens.access_token(self.database, self.zalo, self.settings)
        except Exception as exc:  # no token stored, or its refresh failed: an operator fixes it, the row waits
            raise SendError(f"zns: no usable OA access token ({exc.__class__.__name__})") from exc
        answer = self._post(token, body)
        if answer.get("error") in TOKEN_ERRORS:
            try:
                token = tokens.refresh(self.database, self.zalo, self.settings, stale=token)
            except Exception as exc:
                raise SendError(f"zns: access token refused and not refreshed ({exc.__class__.__name__})") from exc
            answer = self._post(token, body)
        code = answer.get("error")
        if code == 0:
            return str((answer.get("data") or {}).get("msg_id") or "") or None
        reason = f"zns error {code}: {KNOWN_REFUSALS.get(code) or answer.get('message') or 'không rõ'}"
        if code in TOKEN_ERRORS or code in RETRY_ERRORS or not isinstance(code, int):
            raise SendError(reason)
        raise Unreachable(reason)

    def _post(self, token: str, body: dict[str, Any]) -> dict[str, Any]:
        try:
            with httpx.Client(timeout=self.timeout, transport=self.transport) as client:
                response = client.post(self.url, json=body, headers={"access_token": token})
        except httpx.HTTPError as exc:
            raise SendError(f"zns unavailable: {exc.__class__.__name__}") from exc
        if response.status_code >= 500 or response.status_code == 429:
            raise SendError(f"zns unavailable: HTTP {response.status_code}")
        try:
            answer = response.json()
        except ValueError as exc:
            raise SendError(f"zns answered HTTP {response.status_code} without JSON") from exc
        if not isinstance(answer, dict):
            raise SendError("zns answered an unexpected body")
        return answer


def build(database: Any, settings: Mapping[str, Any], **options: Any) -> ZnsSender:
    """The registry's factory (service.outbound.build)."""
    return ZnsSender(database, settings, **options)
