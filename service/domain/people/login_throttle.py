"""Back-off after failed console logins, that neither tells which user names exist nor lets a stranger
lock an account.

Every failure is counted under the name typed (existing or not: so the answers for "no such user",
"wrong password" and "backed off" depend only on what was typed and from where, never on whether the
account exists) and the client address. Three sliding windows, checked before the password:

- the same name from the same address: PAIR_LIMIT failures in PAIR_WINDOW. This is the lock a clerk
  mistyping meets, and it holds only for that address: a stranger failing elsewhere does not lock the
  owner out at their desk.
- one address, any names: IP_LIMIT in IP_WINDOW. One guesser spraying many names. A commune office
  often reaches us through one NAT address shared by its 10–30 clerks; 30 failures in 15 minutes is
  far beyond their typos.
- one name, any address: ACCOUNT_LIMIT in ACCOUNT_WINDOW. A guesser spread over many addresses (a
  botnet): 100 an hour, about 20 times what the two rules above allow one address, and it ends by
  itself within the hour. It does not apply from an address where the account logged in during the last
  KNOWN_ADDRESS_DAYS, so even a sustained attack from elsewhere does not keep the owner out of
  their usual office.

A refused attempt is not counted again (the wait never grows because the owner retried), but it is
audited by the caller. Counters live in the database, so every web worker and machine shares them.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from service.models.staff_session import LoginFailure, StaffSession

PAIR_LIMIT, PAIR_WINDOW = 5, dt.timedelta(minutes=15)
IP_LIMIT, IP_WINDOW = 30, dt.timedelta(minutes=15)
ACCOUNT_LIMIT, ACCOUNT_WINDOW = 100, dt.timedelta(hours=1)
KNOWN_ADDRESS_DAYS = 30
KEEP = dt.timedelta(days=1)  # failures older than every window are deleted
UNKNOWN_IP = "-"


@dataclass(frozen=True)
class Backoff:
    scope: str  # "account_ip" | "ip" | "account"
    until: dt.datetime

    def minutes(self, now: dt.datetime) -> int:
        return max(1, int((self.until - now).total_seconds() // 60) + 1)


def name_hash(username: str) -> str:
    return hashlib.sha256((username or "").strip().encode("utf-8")).hexdigest()


def backoff(session: Session, username: str, ip: str | None, now: dt.datetime, *,
            user_id: int | None = None) -> Backoff | None:
    """The back-off in force for this name from this address, if any (the longest when several)."""
    key, ip = name_hash(username), ip or UNKNOWN_IP
    found = [
        _window(session, "account_ip", (LoginFailure.username_hash == key, LoginFailure.ip == ip),
                PAIR_LIMIT, PAIR_WINDOW, now),
        _window(session, "ip", (LoginFailure.ip == ip,), IP_LIMIT, IP_WINDOW, now),
    ]
    # Asked for unknown names too (id 0 matches nothing): the same queries, whether the account exists or not.
    if not _known_address(session, user_id or 0, ip, now):
        found.append(_window(session, "account", (LoginFailure.username_hash == key,), ACCOUNT_LIMIT,
                             ACCOUNT_WINDOW, now))
    found = [b for b in found if b is not None]
    return max(found, key=lambda b: b.until) if found else None


def _window(session: Session, scope: str, where: tuple, limit: int, window: dt.timedelta,
            now: dt.datetime) -> Backoff | None:
    """Backed off while `limit` failures lie inside the window; it ends when the oldest of the last
    `limit` leaves it."""
    times = session.scalars(select(LoginFailure.at).where(*where, LoginFailure.at > now - window)
                            .order_by(LoginFailure.at.desc()).limit(limit)).all()
    if len(times) < limit:
        return None
    return Backoff(scope, times[-1] + window)


def _known_address(session: Session, user_id: int, ip: str, now: dt.datetime) -> bool:
    since = now - dt.timedelta(days=KNOWN_ADDRESS_DAYS)
    return bool(session.scalar(select(func.count()).select_from(StaffSession).where(
        StaffSession.user_id == user_id, StaffSession.ip == ip, StaffSession.created_at >= since)))


def record_failure(session: Session, username: str, ip: str | None, now: dt.datetime) -> None:
    session.execute(delete(LoginFailure).where(LoginFailure.at < now - KEEP))
    session.add(LoginFailure(at=now, username_hash=name_hash(username), ip=ip or UNKNOWN_IP))
    session.flush()


def clear(session: Session, username: str, ip: str | None = None) -> None:
    """Forget the failures of a name: from one address (a successful login there) or everywhere (an
    admin lifting the lock). The address's own count (other names) stays."""
    stmt = delete(LoginFailure).where(LoginFailure.username_hash == name_hash(username))
    if ip is not None:
        stmt = stmt.where(LoginFailure.ip == ip)
    session.execute(stmt)
