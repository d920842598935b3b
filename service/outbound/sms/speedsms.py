"""SpeedSMS (speedsms.vn), the first SMS provider: `POST {SMS_API_URL}/sms/send` with HTTP Basic
(SMS_ACCESS_TOKEN as the user name, "x" as the password) and JSON
`{"to": ["84…"], "content", "sms_type", "sender": SMS_SENDER}`.

It answers `{"status": "success", "code": "00", "data": {"tranId", "totalSMS", "totalPrice", "invalidPhone"}}`
or `{"status": "error", "code", "message"}`. sms_type 3 is a brandname message (SMS_SENDER is the registered
brandname; the content must carry no diacritics), 2 a customer-care message from a random number.
"""
from __future__ import annotations

import logging
from typing import Any, Mapping

import httpx

from service.outbound import SendError

logger = logging.getLogger(__name__)

DEFAULT_URL = "https://api.speedsms.vn/index.php"
BRANDNAME, CUSTOMER_CARE = 3, 2
MAX_CHARS = 306  # two 153-character segments of a message without diacritics


class SpeedSms:
    name = "speedsms"
    unicode = False
    max_chars = MAX_CHARS

    def __init__(self, settings: Mapping[str, Any], *, timeout: float = 10.0,
                 transport: httpx.BaseTransport | None = None):
        self.url = (str(settings.get("SMS_API_URL") or "") or DEFAULT_URL).rstrip("/") + "/sms/send"
        self.token = str(settings.get("SMS_ACCESS_TOKEN") or "")
        self.sender = str(settings.get("SMS_SENDER") or "")
        self.sms_type = BRANDNAME if self.sender else CUSTOMER_CARE
        self.timeout = httpx.Timeout(timeout, connect=min(timeout, 5.0))
        self.transport = transport

    def send(self, phone: str, content: str, reference: str) -> str | None:
        if not self.token:
            raise SendError("speedsms: SMS_ACCESS_TOKEN is not set")
        body = {"to": [phone], "content": content, "sms_type": self.sms_type, "sender": self.sender}
        try:
            with httpx.Client(timeout=self.timeout, transport=self.transport) as client:
                response = client.post(self.url, json=body, auth=(self.token, "x"))
        except httpx.HTTPError as exc:
            raise SendError(f"speedsms unavailable: {exc.__class__.__name__}") from exc
        if response.status_code in (401, 403):
            raise SendError(f"speedsms refused the access token (HTTP {response.status_code})")
        if response.status_code >= 400:
            raise SendError(f"speedsms unavailable: HTTP {response.status_code}")
        try:
            answer = response.json()
        except ValueError as exc:
            raise SendError("speedsms answered without JSON") from exc
        data = answer.get("data") if isinstance(answer, dict) else None
        if not isinstance(answer, dict) or answer.get("status") != "success":
            code = answer.get("code") if isinstance(answer, dict) else None
            message = answer.get("message") if isinstance(answer, dict) else None
            raise SendError(f"speedsms error {code}: {message or 'không rõ'}")
        if isinstance(data, dict) and phone in (data.get("invalidPhone") or []):
            raise SendError("speedsms: the phone number is invalid", permanent=True)
        tran = data.get("tranId") if isinstance(data, dict) else None
        logger.info("speedsms %s sent (%s)", reference, tran)
        return str(tran) if tran is not None else None
