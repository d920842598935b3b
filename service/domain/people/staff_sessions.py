"""Staff console sessions held on the server (the cookie carries only a random id).

A session is live while it is not revoked, its account is active, it was used within the idle lifetime
and is younger than the absolute lifetime. Logging out revokes it; a password change, a reset by an
admin and deactivating the account revoke every session of the account.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, joinedload

from service.models.staff_session import StaffSession
from service.models.user import User

# Rows of sessions older than this are deleted at the next login (long after every lifetime).
KEEP = dt.timedelta(days=90)
# last_seen_at is written at most this often: a write per click would be wasted.
TOUCH_EVERY = dt.timedelta(seconds=60)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(session: Session, user: User, *, ip: str | None, user_agent: str | None,
                 now: dt.datetime) -> str:
    """A new session for `user`; returns the id for the cookie (only its hash is stored)."""
    session.execute(delete(StaffSession).where(StaffSession.created_at < now - KEEP))
    token = secrets.token_urlsafe(32)
    session.add(StaffSession(user_id=user.id, token_hash=_digest(token), created_at=now, last_seen_at=now,
                             ip=(ip or None) and ip[:64], user_agent=(user_agent or None) and user_agent[:200]))
    session.flush()
    return token


def live(session: Session, token: str | None, *, idle: dt.timedelta, absolute: dt.timedelta,
         now: dt.datetime) -> StaffSession | None:
    """The session of this cookie id if it may still be used, else None."""
    if not token or not isinstance(token, str):
        return None
    row = session.scalar(select(StaffSession).options(joinedload(StaffSession.user))  # one query per request
                         .where(StaffSession.token_hash == _digest(token)))
    if (row is None or row.revoked_at is not None or not row.user.active
            or row.last_seen_at + idle <= now or row.created_at + absolute <= now):
        return None
    return row


def needs_touch(row: StaffSession, now: dt.datetime) -> bool:
    return row.last_seen_at + TOUCH_EVERY <= now


def touch(session: Session, session_id: int, now: dt.datetime) -> None:
    """Record use (the idle lifetime counts from here); the caller commits it on its own."""
    session.execute(update(StaffSession).where(StaffSession.id == session_id).values(last_seen_at=now))


def revoke(session: Session, token: str | None, *, reason: str, now: dt.datetime) -> None:
    if token and isinstance(token, str):
        session.execute(update(StaffSession).where(StaffSession.token_hash == _digest(token),
                                                   StaffSession.revoked_at.is_(None))
                        .values(revoked_at=now, revoked_reason=reason))


def revoke_all(session: Session, user: User, *, reason: str, now: dt.datetime) -> int:
    """End every session of the account, on every device; returns how many were live."""
    result = session.execute(update(StaffSession).where(StaffSession.user_id == user.id,
                                                        StaffSession.revoked_at.is_(None))
                             .values(revoked_at=now, revoked_reason=reason))
    return result.rowcount or 0
