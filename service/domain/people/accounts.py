"""Staff accounts and API tokens."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from service.db import utcnow
from service.domain.codes import ROLES
from service.domain.errors import Forbidden, NotFound, ValidationFailed
from service.domain.people import login_throttle, passwords, staff_sessions
from service.domain.routing.units import find_unit, office_of
from service.domain.text import fold
from service.models.unit import Office, Unit
from service.models.user import ApiToken, User

_hasher = PasswordHasher()
# Checked when the user name matches no active account, so that the answer takes as long as a real check.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(24))
MIN_PASSWORD_LENGTH = passwords.MIN_LENGTH
# Roles that belong to one unit; the office is required for staff and office heads.
UNIT_ROLES = {"staff", "office_head", "chairperson"}
OFFICE_ROLES = {"staff", "office_head"}
# Failures of one name from one address before that address waits (service.domain.people.login_throttle tells
# the other limits and why).
MAX_FAILED_LOGINS = login_throttle.PAIR_LIMIT
LOCK_MINUTES = int(login_throttle.PAIR_WINDOW.total_seconds() // 60)


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
    unit_row, office_row = _placement(session, role, unit, office, errors)
    weak = passwords.problems(password, username=username, unit_names=_unit_names(unit_row) or [unit or ""])
    if weak:
        errors["password"] = weak
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
    """One answer for an unknown name, a wrong password and an inactive account. `backoff` is set when
    this failure started a back-off (the caller audits it)."""
    code = "login_failed"
    http_status = 401
    backoff: login_throttle.Backoff | None = None


class LoginBackedOff(LoginFailed):
    """Too many failures for this name or from this address: refused before the password is checked.
    Whether the name exists plays no part, so this answer does not tell either."""


def authenticate(session: Session, username: str, password: str, ip: str | None = None,
                 now: dt.datetime | None = None) -> User:
    """The user whose password matches, or LoginFailed. The answer, its status and the work done (one
    Argon2 check) are the same whether the name exists or not; the back-off depends only on the name
    typed and the address (service.domain.people.login_throttle)."""
    now = now or utcnow()
    username = (username or "").strip()
    user = session.scalar(select(User).where(User.username == username))
    if user is not None and not user.active:
        user = None
    wait = login_throttle.backoff(session, username, ip, now, user_id=user.id if user else None)
    if wait is not None:
        _check(None, password)  # the same work as a real check, so timing does not tell
        minutes = wait.minutes(now)
        raise LoginBackedOff(f"Đăng nhập sai nhiều lần nên tạm khóa đăng nhập; thử lại sau {minutes} phút.",
                             f"Too many failed logins; retry in {minutes} minutes.")
    if not _check(user, password):
        login_throttle.record_failure(session, username, ip, now)
        failed = LoginFailed("Tên đăng nhập hoặc mật khẩu không đúng.", "Wrong username or password.")
        failed.backoff = login_throttle.backoff(session, username, ip, now, user_id=user.id if user else None)
        if user is not None:  # shown to admins on the account page; the decision is the throttle's
            user.failed_logins = (user.failed_logins or 0) + 1
            if failed.backoff is not None:
                user.locked_until = failed.backoff.until
        raise failed
    login_throttle.clear(session, username, ip)
    user.failed_logins = 0
    user.locked_until = None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def _check(user: User | None, password: str) -> bool:
    if user is None:
        try:
            _hasher.verify(_DUMMY_HASH, password or "")
        except VerificationError:
            pass
        return False
    return verify_password(user, password or "")


def _unit_names(unit: Unit | None) -> list[str]:
    return [unit.name, unit.code] if unit is not None else []


def password_problems(user: User, new: str) -> list[str]:
    """What the password policy says about `new` for this account (empty: acceptable)."""
    return passwords.problems(new, username=user.username, unit_names=_unit_names(user.unit))


def change_password(session: Session, user: User, current: str, new: str) -> None:
    if not verify_password(user, current or ""):
        raise ValidationFailed("Mật khẩu hiện tại không đúng.", "The current password is wrong.",
                               fields={"current": ["Mật khẩu hiện tại không đúng."]})
    set_password(user, new, reason="password_changed")


def set_password(user: User, new: str, *, reason: str = "password_changed") -> None:
    """Set a password that passes the policy; every session of the account ends (the caller opens a new
    one for the person who changed their own password) and any back-off on the name is lifted."""
    weak = password_problems(user, new)
    if weak:
        raise ValidationFailed(" ".join(weak), "The new password does not meet the password policy.",
                               fields={"new": weak})
    user.password_hash = hash_password(new)
    user.failed_logins = 0
    user.locked_until = None
    session = object_session(user)
    if session is not None:
        staff_sessions.revoke_all(session, user, reason=reason, now=utcnow())
        login_throttle.clear(session, user.username)


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
    if user.active and not active:  # a deactivated account is logged out everywhere at once
        staff_sessions.revoke_all(session, user, reason="deactivated", now=utcnow())
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
    Every session of the account ends and any back-off on its name is lifted."""
    temporary = temporary_password()
    while password_problems(user, temporary):  # a random draw that happens to hold a run or the name
        temporary = temporary_password()
    set_password(user, temporary, reason="password_reset")
    return temporary


def temporary_password() -> str:
    """'k7mq-3xhp-…': 16 random letters and digits (about 79 bits), easy to read out and type."""
    return "-".join("".join(secrets.choice(TEMP_PASSWORD_ALPHABET) for _ in range(4)) for _ in range(4))


def unlock(user: User) -> bool:
    """Lift a lock-out after failed logins; True if the account was locked."""
    was_locked = user.locked_until is not None or bool(user.failed_logins)
    user.locked_until = None
    user.failed_logins = 0
    session = object_session(user)
    if session is not None:
        login_throttle.clear(session, user.username)
    return was_locked


def is_locked(user: User, now: dt.datetime | None = None) -> bool:
    return user.locked_until is not None and user.locked_until > (now or utcnow())
