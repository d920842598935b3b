"""Tracking codes: short, random (not guessable in sequence) and easy to read over the phone.

The alphabet leaves out 0/O, 1/I/L and U/V, which people confuse when they read or hear them;
the last character is a check character, so a mistyped code is caught before any look-up.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets

ALPHABET = "ABCDEFGHJKMNPQRSTWXYZ23456789"  # 29 symbols
_BODY = 8  # 29^8 ≈ 5·10^11 codes
_CLEAN = re.compile(r"[\s\-.]")


def _check_char(body: str) -> str:
    total = sum((i + 1) * ALPHABET.index(c) for i, c in enumerate(body))
    return ALPHABET[total % len(ALPHABET)]


def new_code() -> str:
    """A fresh code such as 'K7M4-Q2XA-R'."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(_BODY))
    return f"{body[:4]}-{body[4:]}-{_check_char(body)}"


def normalise_code(value: str | None) -> str | None:
    """Accepts lower case, spaces and missing dashes; None when the code cannot be one of ours."""
    if not value or not isinstance(value, str):
        return None
    raw = _CLEAN.sub("", value.upper())
    if len(raw) != _BODY + 1 or any(c not in ALPHABET for c in raw):
        return None
    body, check = raw[:_BODY], raw[_BODY]
    if _check_char(body) != check:
        return None
    return f"{body[:4]}-{body[4:]}-{check}"


# ---- access keys ------------------------------------------------------------------------------
# A petition with no phone on record (anonymous, e-mail only) is looked up with its code and a key given
# once at submission: the code alone would let anyone who sees it read the petition (issue #14).
# 12 symbols of the same unambiguous alphabet (29^12 ≈ 3·10^17); only a salted digest is stored.
KEY_LENGTH = 12


def new_access_key() -> str:
    """A fresh key such as 'H7KQ-M2XA-R9TB' (the dashes are only for reading)."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(KEY_LENGTH))
    return "-".join(raw[i:i + 4] for i in range(0, KEY_LENGTH, 4))


def normalise_access_key(value: str | None) -> str | None:
    """Accepts lower case, spaces and missing dashes; None when the value cannot be a key."""
    if not value or not isinstance(value, str):
        return None
    raw = _CLEAN.sub("", value.upper())
    if len(raw) != KEY_LENGTH or any(c not in ALPHABET for c in raw):
        return None
    return raw


def access_key_digest(code: str, key: str) -> str:
    """The stored form of a key, salted with the petition's code."""
    return hashlib.sha256(f"{code}:{key}".encode()).hexdigest()


def access_key_matches(code: str, stored: str | None, given: str | None) -> bool:
    key = normalise_access_key(given)
    return bool(stored and key) and hmac.compare_digest(stored, access_key_digest(code, key))
