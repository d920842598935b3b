"""Staff console sessions kept on the server, and failed console logins (the lock-out's counters).

The login cookie carries only a random session id; the row says whether that id is still good. So
logging out, a password change, a reset by an admin or deactivating the account ends a session at once,
everywhere, even for a cookie someone copied (a signed cookie alone stays valid until it expires)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.db import Base, utcnow
from service.models.user import User


class StaffSession(Base):
    __tablename__ = "staff_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 of the cookie's id, never the id
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[dt.datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(String(32))  # logout | password_changed | password_reset | …
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(200))

    user: Mapped[User] = relationship()


class LoginFailure(Base):
    """One failed console login: the counters of the back-off (service.domain.people.login_throttle).

    The name is stored as a hash: what was typed may be a password typed in the wrong field."""

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_name_at", "username_hash", "at"),
                      Index("ix_login_failures_ip_at", "ip", "at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    username_hash: Mapped[str] = mapped_column(String(64))
    ip: Mapped[str] = mapped_column(String(64))
