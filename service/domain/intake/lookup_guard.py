"""Status look-ups are no oracle: limits on failed attempts per requester and per tracking code.

Without them anyone could test a suspect's phone number against a denunciation's code and learn who
denounced (Luật Tố cáo 2018 Điều 47 k2: the denouncer's identity is kept secret; Điều 56). Every channel
(web page, API, personal-data page, both bots) calls `guarded` around its look-up:

- failed attempts are counted in the database, so every web worker and the polling bot share one count;
- per requester (an IP address, or a chat user) and per code, whatever the requester: over either
  limit every look-up is refused until the window has passed, even one with the right proof, so a
  refusal tells nothing about the code or the phone;
- requesters are stored as digests, not as addresses (Luật Bảo vệ dữ liệu cá nhân 91/2025/QH15).

The policy is an argument: the adapter passes the one built at start from the settings
`LOOKUP_LIMIT_PER_CLIENT` and `LOOKUP_LIMIT_PER_CODE` (service.domain.intake.limits); with None (tests,
scripts) nothing is limited.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Callable, TypeVar

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from service.db import utcnow
from service.domain.errors import DomainError, NotFound
from service.domain.intake import tracking
from service.domain.intake.quota import PhoneQuota
from service.models.lookup import LookupFailure

T = TypeVar("T")


@dataclass(frozen=True)
class LookupPolicy:
    per_client: PhoneQuota | None
    per_code: PhoneQuota | None

    @property
    def longest(self) -> dt.timedelta:
        return max((q.window for q in (self.per_client, self.per_code) if q), default=dt.timedelta(0))


class TooManyLookups(DomainError):
    """Too many failed look-ups from this requester or on this code (HTTP 429)."""

    code = "rate_limited"
    http_status = 429


TOO_MANY = ("Bạn đã tra cứu không thành công quá nhiều lần. Vì an toàn thông tin, việc tra cứu mã đơn này tạm "
            "thời bị khóa; vui lòng thử lại sau {wait}. Nếu cần gấp, hãy liên hệ bộ phận tiếp công dân của xã, phường.")


def requester(kind: str, value: str | None) -> str:
    """The stored form of a requester ('ip', '203.0.113.7' or 'telegram', '5550001'): a digest."""
    return hashlib.sha256(f"{kind}:{value or '?'}".encode()).hexdigest()


def _code_key(code: str | None) -> str | None:
    normal = tracking.normalise_code(code) if isinstance(code, str) else None
    return normal  # a string that cannot be a code counts only against its requester


def _failures(session: Session, scope: str, key: str, since: dt.datetime) -> int:
    return session.scalar(select(func.count()).select_from(LookupFailure).where(
        LookupFailure.scope == scope, LookupFailure.key == key, LookupFailure.at > since)) or 0


def check(session: Session, client: str, code: str | None, now: dt.datetime | None = None, *,
          rules: LookupPolicy | None) -> None:
    """Raises TooManyLookups when the requester or the code has used up its failed attempts."""
    if rules is None:
        return
    now = now or utcnow()
    code_key = _code_key(code)
    for scope, key, quota in (("client", client, rules.per_client), ("code", code_key, rules.per_code)):
        if quota is not None and key is not None and _failures(session, scope, key, now - quota.window) >= quota.limit:
            message = TOO_MANY.format(wait=quota.describe())
            raise TooManyLookups(message, "Too many failed look-ups; try again later.")


def record_failure(session: Session, client: str, code: str | None, now: dt.datetime | None = None, *,
                   rules: LookupPolicy | None) -> None:
    """Count one failed look-up (flushed; the caller commits it even though it answers an error)."""
    if rules is None:
        return
    now = now or utcnow()
    session.add(LookupFailure(scope="client", key=client, at=now))
    code_key = _code_key(code)
    if code_key is not None:
        session.add(LookupFailure(scope="code", key=code_key, at=now))
    # Rows older than every window count for nothing: keep the table small.
    session.execute(delete(LookupFailure).where(LookupFailure.at < now - rules.longest))
    session.flush()


def guarded(session: Session, client: str, code: str | None, find: Callable[[], T],
            now: dt.datetime | None = None, *, policy: LookupPolicy | None) -> T:
    """`find()` within the limits of `policy` (None: unlimited); its NotFound counts as a failed attempt and
    is raised again."""
    check(session, client, code, now, rules=policy)
    try:
        return find()
    except NotFound:
        record_failure(session, client, code, now, rules=policy)
        raise
