"""Who headed an office when (seed plans task 4.6: theo dõi, đánh giá người đứng đầu).

The history is the `office_heads` table: one row per head, from a moment until another (None: still heads).
`appoint` closes the previous row. An office with no row yet is headed by its active `office_head` accounts,
from their creation (the migration backfills the same): the simple rule until Văn phòng records appointments.
"""
from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.db import utcnow
from service.domain.errors import ValidationFailed
from service.models.accountability import OfficeHead
from service.models.unit import Office
from service.models.user import User


def appoint(session: Session, office: Office, user: User, *, at: dt.datetime | None = None) -> OfficeHead:
    """`user` heads `office` from `at`; whoever headed it until then stops at that moment."""
    at = at or utcnow()
    if user.unit_id is not None and user.unit_id != office.unit_id:
        raise ValidationFailed("Trưởng phòng phải thuộc đơn vị của cơ quan.", "The head must belong to the office's unit.")
    for row in session.scalars(select(OfficeHead).where(OfficeHead.office_id == office.id,
                                                        OfficeHead.until_at.is_(None))):
        row.until_at = at
    row = OfficeHead(office_id=office.id, user_id=user.id, from_at=at)
    session.add(row)
    session.flush()
    return row


class Heads:
    """The head of each office at any moment, from the history and, where an office has none, its accounts."""

    def __init__(self, session: Session, office_ids: list[int]):
        self.rows: dict[int, list[tuple[dt.datetime, dt.datetime | None, int]]] = defaultdict(list)
        for r in session.scalars(select(OfficeHead).where(OfficeHead.office_id.in_(office_ids))
                                 .order_by(OfficeHead.from_at)):
            self.rows[r.office_id].append((r.from_at, r.until_at, r.user_id))
        recorded = set(self.rows)
        for u in session.scalars(select(User).where(User.role == "office_head", User.office_id.in_(office_ids),
                                                    User.active.is_(True)).order_by(User.id)):
            if u.office_id not in recorded:  # no history yet: the office's head account, since ever
                self.rows[u.office_id].append((dt.datetime.min.replace(tzinfo=dt.UTC), None, u.id))
        for rows in self.rows.values():
            rows.sort(key=lambda r: r[0])
        self._starts = {oid: [r[0] for r in rows] for oid, rows in self.rows.items()}

    def at(self, office_id: int | None, moment: dt.datetime) -> int | None:
        """The user id heading the office at that moment (the latest appointment before it still running)."""
        if office_id is None or office_id not in self.rows:
            return None
        rows = self.rows[office_id]
        i = bisect_right(self._starts[office_id], moment) - 1
        while i >= 0:
            _, until, uid = rows[i]
            if until is None or until > moment:
                return uid
            i -= 1
        return None


def appoint_by_username(session: Session, username: str, at: dt.datetime | None = None) -> OfficeHead:
    """`appoint` for an account of the office_head role, to the office it belongs to (the CLI)."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None or user.office_id is None:
        raise ValidationFailed(f"Không có tài khoản “{username}” gắn với một cơ quan.",
                               f"No account '{username}' with an office.", fields={"username": ["Không tìm thấy."]})
    return appoint(session, session.get(Office, user.office_id), user, at=at)
