"""The audit log: every login, view of personal data, action and export (who, when, what).

Rows are only ever added; nothing in the service updates or deletes them (Luật Tố cáo Điều 47,
Luật Bảo vệ dữ liệu cá nhân 91/2025: who saw a denouncer's identity must be traceable).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.models.user import AuditEntry, User

# The actions written to the log, with the Vietnamese label the admin page shows.
ACTIONS: dict[str, str] = {
    "login": "Đăng nhập",
    "login_failed": "Đăng nhập không thành công",
    "login_locked": "Tài khoản bị tạm khóa",
    "logout": "Đăng xuất",
    "password_changed": "Đổi mật khẩu",
    "view_identity": "Xem thông tin người gửi",
    "view_attachment": "Xem tệp đính kèm",
    "petition_action": "Thao tác trên đơn",
    "petition_entered": "Nhập đơn",
    "petition_assigned": "Giao người xử lý",
    "note_added": "Ghi chú nội bộ",
    "matter_changed": "Thay đổi vụ việc",
    "export": "Xuất dữ liệu",
    "user_created": "Tạo tài khoản",
    "user_changed": "Sửa tài khoản",
    "data_request": "Yêu cầu dữ liệu cá nhân",
    "data_request_handled": "Xử lý yêu cầu dữ liệu cá nhân",
    "attachments_erased": "Xóa tệp đính kèm khi hết thời hạn lưu trữ",
    "dialogue_changed": "Thay đổi phiên đối thoại",
}

# What an entry's object_type names, in the admin page's words.
OBJECT_TYPES: dict[str, str] = {
    "petition": "Đơn",
    "user": "Tài khoản",
    "matter": "Vụ việc",
    "attachment": "Tệp đính kèm",
    "report": "Báo cáo",
    "dialogue": "Đối thoại",
    "audit_log": "Nhật ký",
}


def record(session: Session, action: str, *, user: User | None = None, object_type: str | None = None,
           object_id: Any = None, ip: str | None = None, **data: Any) -> AuditEntry:
    """Add one line to the audit log (flushed with the caller's transaction)."""
    entry = AuditEntry(user_id=user.id if user is not None else None, action=action, object_type=object_type,
                       object_id=None if object_id is None else str(object_id), ip=ip,
                       data={k: v for k, v in data.items() if v is not None})
    session.add(entry)
    return entry


@dataclass
class AuditFilters:
    username: str | None = None
    action: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None


def _filtered(f: AuditFilters):
    stmt = select(AuditEntry)
    if f.username:
        stmt = stmt.where(AuditEntry.user_id.in_(select(User.id).where(User.username == f.username.strip())))
    for column, value in ((AuditEntry.action, f.action), (AuditEntry.object_type, f.object_type),
                          (AuditEntry.object_id, f.object_id)):
        if value:
            stmt = stmt.where(column == value.strip())
    if f.since:
        stmt = stmt.where(AuditEntry.at >= f.since)
    if f.until:
        stmt = stmt.where(AuditEntry.at <= f.until)
    return stmt


def _newest_first(stmt):
    return stmt.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())


def search(session: Session, f: AuditFilters, *, page: int = 1, per_page: int = 50) -> tuple[list[AuditEntry], int]:
    """Newest first, filtered; the admin's audit page and tests read the log through this."""
    stmt = _filtered(f)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    per_page = max(1, min(per_page, 200))
    rows = session.scalars(_newest_first(stmt).offset((max(page, 1) - 1) * per_page).limit(per_page)).all()
    return list(rows), total


EXPORT_LIMIT = 100_000  # a CSV an office can still open; narrow the dates for more


def export(session: Session, f: AuditFilters, *, limit: int = EXPORT_LIMIT) -> list[AuditEntry]:
    """Every entry matching the filters (newest first, at most `limit`), for the CSV export."""
    return list(session.scalars(_newest_first(_filtered(f)).limit(limit)))


def usernames(session: Session, entries: list[AuditEntry]) -> dict[int, str]:
    """The user name of each entry's author, for display (the log keeps only the id)."""
    ids = {e.user_id for e in entries if e.user_id is not None}
    if not ids:
        return {}
    return dict(session.execute(select(User.id, User.username).where(User.id.in_(ids))).all())
