"""Staff accounts and API tokens."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.db import utcnow
from service.domain.codes import ROLES
from service.domain.errors import Forbidden, NotFound, ValidationFailed
from service.domain.text import fold
from service.domain.units import find_unit, office_of
from service.models.unit import Office, Unit
from service.models.user import ApiToken, User

_hasher = PasswordHasher()
MIN_PASSWORD_LENGTH = 10
# Roles that belong to one unit; the office is required for staff and office heads.
UNIT_ROLES = {"staff", "office_head", "chairperson"}
OFFICE_ROLES = {"staff", "office_head"}
# Lock-out after repeated failures: slows down password guessing without locking a clerk out for the day.
MAX_FAILED_LOGINS = 5
LOCK_MINUTES = 15


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(user: User, password: str) -> bool:
    try:
        return _hasher.verify(user.password_hash, password)
    except VerificationError:
        return False


def create_user(session: Session, *, username: str, password: str, role: str, unit: str | None = None,
                office: str | None = None, full_name: str | None = None) -> User:
    """Create a staff account; unit by code or name, office by code within that unit."""
    errors: dict[str, list[str]] = {}
    username = (username or "").strip()
    if not username:
        errors["username"] = ["Cần tên đăng nhập."]
    elif len(username) > 80:
        errors["username"] = ["Tên đăng nhập dài quá 80 ký tự."]
    elif session.scalar(select(User).where(User.username == username)):
        errors["username"] = [f"Tên đăng nhập {username} đã có."]
    if len(password or "") < MIN_PASSWORD_LENGTH:
        errors["password"] = [f"Mật khẩu cần ít nhất {MIN_PASSWORD_LENGTH} ký tự."]
    unit_row, office_row = _placement(session, role, unit, office, errors)
    if errors:
        raise ValidationFailed("Không tạo được tài khoản.", "Cannot create the account.", fields=errors)
    user = User(username=username, password_hash=hash_password(password), role=role,
                full_name=(full_name or "").strip() or None,
                unit_id=unit_row.id if unit_row else None, office_id=office_row.id if office_row else None)
    session.add(user)
    session.flush()
    return user


def _placement(session: Session, role: str, unit: str | None, office: str | None,
               errors: dict[str, list[str]]) -> tuple[Unit | None, Office | None]:
    """The unit and office a role needs: staff and office heads belong to an office of a unit, a
    chairperson to a unit; admins and inspectors may have none. Problems go into `errors`."""
    if role not in ROLES:
        errors["role"] = [f"Vai trò không hợp lệ; chọn một trong: {', '.join(ROLES)}."]
    unit_row = find_unit(session, unit) if unit else None
    if unit and unit_row is None:
        errors["unit"] = [f"Không tìm thấy đơn vị '{unit}'."]
    if role in UNIT_ROLES and not unit:
        errors["unit"] = ["Vai trò này cần đơn vị."]
    office_row = office_of(session, unit_row, office) if (unit_row and office) else None
    if office and unit_row and office_row is None:
        errors["office"] = [f"Đơn vị không có phòng mã '{office}'."]
    if office and not unit:
        errors["office"] = ["Chọn đơn vị trước khi chọn phòng ban."]
    if role in OFFICE_ROLES and not office:
        errors["office"] = ["Vai trò này cần phòng ban."]
    return unit_row, office_row


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, username: str, label: str | None = None) -> str:
    """A new bearer token for the user; only its hash is stored, so it is shown once."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"Không có tài khoản {username}.", f"No user {username}.")
    token = "tds_" + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=_token_digest(token), label=label))
    session.flush()
    return token


def user_for_token(session: Session, token: str) -> User | None:
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_digest(token),
                                                ApiToken.revoked_at.is_(None)))
    if row is None or not row.user.active:
        return None
    row.last_used_at = utcnow()
    return row.user


class LoginFailed(Forbidden):
    code = "login_failed"
    http_status = 401


def authenticate(session: Session, username: str, password: str, now: dt.datetime | None = None) -> User:
    """The user whose password matches, or LoginFailed (one message for every cause, so that a guesser
    learns nothing). After MAX_FAILED_LOGINS failures in a row the account is locked for LOCK_MINUTES."""
    now = now or utcnow()
    user = session.scalar(select(User).where(User.username == (username or "").strip()))
    failed = LoginFailed("Tên đăng nhập hoặc mật khẩu không đúng.", "Wrong username or password.")
    if user is None or not user.active:
        _hasher.hash(password or "")  # the same work as a real check, so timing does not tell
        raise failed
    if user.locked_until is not None and user.locked_until > now:
        minutes = max(1, int((user.locked_until - now).total_seconds() // 60) + 1)
        raise LoginFailed(f"Tài khoản tạm khóa do đăng nhập sai nhiều lần; thử lại sau {minutes} phút.",
                          f"Account locked after repeated failures; retry in {minutes} minutes.")
    if not verify_password(user, password or ""):
        user.failed_logins = (user.failed_logins or 0) + 1
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.locked_until = now + dt.timedelta(minutes=LOCK_MINUTES)
            user.failed_logins = 0
        raise failed
    user.failed_logins = 0
    user.locked_until = None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def change_password(session: Session, user: User, current: str, new: str) -> None:
    if not verify_password(user, current or ""):
        raise ValidationFailed("Mật khẩu hiện tại không đúng.", "The current password is wrong.",
                               fields={"current": ["Mật khẩu hiện tại không đúng."]})
    set_password(user, new)


def set_password(user: User, new: str) -> None:
    if len(new or "") < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(f"Mật khẩu mới cần ít nhất {MIN_PASSWORD_LENGTH} ký tự.",
                               f"The new password needs at least {MIN_PASSWORD_LENGTH} characters.",
                               fields={"new": [f"Cần ít nhất {MIN_PASSWORD_LENGTH} ký tự."]})
    user.password_hash = hash_password(new)
    user.failed_logins = 0
    user.locked_until = None


def password_stamp(user: User) -> str:
    """Changes whenever the password does: kept in the login cookie so that changing the password
    ends every other session of the account."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


# ---- administration of accounts (the admin pages) ----------------------------------------------

TEMP_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read out or typed by hand


def list_users(session: Session, *, query: str | None = None, role: str | None = None, page: int = 1,
               per_page: int = 50) -> tuple[list[User], int]:
    """Accounts by user name, matching `query` in the user name or full name (diacritics ignored)."""
    stmt = select(User)
    if role:
        stmt = stmt.where(User.role == role)
    users = list(session.scalars(stmt.order_by(User.username)))
    words = fold(query or "").split()
    if words:  # a few hundred accounts at most: folding in Python matches names typed without diacritics
        users = [u for u in users if all(w in fold(f"{u.username} {u.full_name or ''}") for w in words)]
    per_page = max(1, min(per_page, 200))
    start = (max(page, 1) - 1) * per_page
    return users[start:start + per_page], len(users)


def update_user(session: Session, user: User, *, by: User, role: str, unit: str | None, office: str | None,
                full_name: str | None, active: bool) -> dict[str, list]:
    """Change an account's role, placement, name and whether it may log in. Returns what changed
    ({field: [before, after]}) for the audit log. An admin cannot demote or deactivate themselves,
    so the service is never left without anyone able to administer it."""
    errors: dict[str, list[str]] = {}
    if user.id == by.id and role != "admin":
        errors["role"] = ["Bạn không thể tự bỏ vai trò quản trị của mình."]
    if user.id == by.id and not active:
        errors["active"] = ["Bạn không thể tự khóa tài khoản của mình."]
    unit_row, office_row = _placement(session, role, unit, office, errors)
    full_name = (full_name or "").strip() or None
    if full_name and len(full_name) > 200:
        errors["full_name"] = ["Họ và tên dài quá 200 ký tự."]
    if errors:
        raise ValidationFailed("Chưa lưu được tài khoản.", "Cannot update the account.", fields=errors)
    before = _snapshot(user)
    user.role, user.full_name, user.active = role, full_name, bool(active)
    user.unit_id = unit_row.id if unit_row else None
    user.office_id = office_row.id if office_row else None
    session.flush()
    session.refresh(user, ["unit", "office"])
    after = _snapshot(user)
    return {k: [before[k], after[k]] for k in before if before[k] != after[k]}


def _snapshot(user: User) -> dict[str, object]:
    return {"role": user.role, "full_name": user.full_name, "active": user.active,
            "unit": user.unit.code if user.unit else None, "office": user.office.code if user.office else None}


def reset_password(user: User) -> str:
    """A new temporary password, returned once to be handed to the user, who should change it.
    Every session of the account ends (the password stamp changes) and any lock-out is lifted."""
    temporary = temporary_password()
    set_password(user, temporary)
    return temporary


def temporary_password() -> str:
    """'k7mq-3xhp-…': 16 random letters and digits (about 79 bits), easy to read out and type."""
    return "-".join("".join(secrets.choice(TEMP_PASSWORD_ALPHABET) for _ in range(4)) for _ in range(4))


def unlock(user: User) -> bool:
    """Lift a lock-out after failed logins; True if the account was locked."""
    was_locked = user.locked_until is not None or bool(user.failed_logins)
    user.locked_until = None
    user.failed_logins = 0
    return was_locked


def is_locked(user: User, now: dt.datetime | None = None) -> bool:
    return user.locked_until is not None and user.locked_until > (now or utcnow())
