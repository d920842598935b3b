"""Tracking codes: short, random (not guessable in sequence) and easy to read over the phone.

The alphabet leaves out 0/O, 1/I/L and U/V, which people confuse when they read or hear them;
the last character is a check character, so a mistyped code is caught before any look-up.
"""
from __future__ import annotations

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
