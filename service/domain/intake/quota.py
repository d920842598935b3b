"""How many petitions one phone number may send: counted in the database, so every web worker, the
bots and every channel share one count (a per-IP limit cannot see a bot user or a changing IP).

The quota is an argument: the adapter (web, API, bots) passes the one built at start from the
`RATELIMIT_PER_PHONE` setting (e.g. "5 per hour"; service.domain.intake.limits); None (tests, scripts)
is not limited. Staff entering hotline calls and walk-ins are never limited.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Mapping

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.domain.errors import ValidationFailed
from service.models.person import Person
from service.models.petition import Petition

_UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
_SPEC = re.compile(r"^\s*(\d+)\s*(?:per|/)\s*(\d+)?\s*(second|minute|hour|day)s?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class PhoneQuota:
    limit: int
    window: dt.timedelta

    @classmethod
    def parse(cls, spec: str) -> PhoneQuota:
        """'5 per hour', '10/day', '3 per 2 hours'."""
        match = _SPEC.match(spec or "")
        if not match:
            raise ValueError(f"RATELIMIT_PER_PHONE must look like '5 per hour', not {spec!r}")
        count, amount, unit = match.groups()
        return cls(int(count), dt.timedelta(seconds=int(amount or 1) * _UNITS[unit.lower()]))

    def describe(self) -> str:
        seconds = int(self.window.total_seconds())
        for unit, label in ((86400, "ngày"), (3600, "giờ"), (60, "phút")):
            if seconds % unit == 0:
                count = seconds // unit
                return f"{count} {label}" if count > 1 else f"1 {label}"
        return f"{seconds} giây"


class TooManyPetitions(ValidationFailed):
    """More petitions from one phone number than the quota allows (HTTP 429)."""

    code = "rate_limited"
    http_status = 429


def check_phone(session: Session, quota: PhoneQuota | None, phone: str | None, now: dt.datetime,
                field: str = "petitioner.phone") -> None:
    """Raises TooManyPetitions when this phone already sent `limit` petitions within the window. Every
    petition a phone is on counts, as petitioner or as co-signer."""
    if quota is None or not phone:
        return
    since = now - quota.window
    sent = session.scalar(select(func.count(func.distinct(Person.petition_id)))
                          .join(Petition, Petition.id == Person.petition_id)
                          .where(Person.phone == phone, Petition.received_at > since)) or 0
    if sent >= quota.limit:
        message = (f"Số điện thoại này đã gửi {sent} đơn trong {quota.describe()} qua, quá số lượng cho phép. "
                   f"Vui lòng thử lại sau. Nếu việc khẩn cấp, hãy gọi đường dây nóng của xã, phường.")
        raise TooManyPetitions(message, f"This phone number sent {sent} petitions within {quota.window}; "
                                        f"the limit is {quota.limit}. Try again later.",
                               fields={field: [message]})


def check_phones(session: Session, quota: PhoneQuota | None, phones: Mapping[str, str], now: dt.datetime) -> None:
    """`check_phone` for each phone of a new petition (field name -> phone): the petitioner's and the
    co-signers', so a sender cannot escape the quota by listing their number as a co-signer's."""
    for field, phone in phones.items():
        check_phone(session, quota, phone, now, field)
