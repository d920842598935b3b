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
from service.domain.units import find_unit, office_of
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
    elif session.scalar(select(User).where(User.username == username)):
        errors["username"] = [f"Tên đăng nhập {username} đã có."]
    if len(password or "") < MIN_PASSWORD_LENGTH:
        errors["password"] = [f"Mật khẩu cần ít nhất {MIN_PASSWORD_LENGTH} ký tự."]
    if role not in ROLES:
        errors["role"] = [f"Vai trò không hợp lệ; chọn một trong: {', '.join(ROLES)}."]
    unit_row = find_unit(session, unit) if unit else None
    if unit and unit_row is None:
        errors["unit"] = [f"Không tìm thấy đơn vị '{unit}'."]
    if role in UNIT_ROLES and not unit:
        errors["unit"] = ["Vai trò này cần đơn vị (--unit)."]
    office_row = office_of(session, unit_row, office) if (unit_row and office) else None
    if office and unit_row and office_row is None:
        errors["office"] = [f"Đơn vị không có phòng mã '{office}'."]
    if role in OFFICE_ROLES and not office:
        errors["office"] = ["Vai trò này cần phòng ban (--office)."]
    if errors:
        raise ValidationFailed("Không tạo được tài khoản.", "Cannot create the account.", fields=errors)
    user = User(username=username, password_hash=hash_password(password), role=role, full_name=full_name,
                unit_id=unit_row.id if unit_row else None, office_id=office_row.id if office_row else None)
    session.add(user)
    session.flush()
    return user


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
