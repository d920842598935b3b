"""The password policy of staff accounts: long enough, not a common password, not a pattern.

A length rule alone lets "123456789012" and "password1234" through, and those are the first a guesser
tries. The common passwords come from a maintained list (config/common-passwords.txt.gz: Django's list
of 19,640 passwords from breach corpora; source and BSD licence in config/common-passwords.LICENSE.txt),
not from a hand-typed one. The patterns refused are the ones guessing tools enumerate: one character or
one block repeated, runs along the alphabet, the digits or a keyboard row, and the account's own user
name or unit written inside the password.
"""
from __future__ import annotations

import functools
import gzip
import re
from pathlib import Path
from typing import Iterable

from service.domain.text import fold

MIN_LENGTH = 10
COMMON_PASSWORDS_FILE = Path(__file__).resolve().parents[3] / "config" / "common-passwords.txt.gz"
# Fewer distinct characters than this is a repetition whatever the order ("abababab1212").
MIN_DISTINCT = 5
# What must be left once the runs (≥ 3 characters of one pattern) are taken out: "password1234" keeps 8,
# "123456789012" and "abcdef123456" keep 0, "mat-khau-dai-1" keeps all 14.
MIN_LEFT_AFTER_RUNS = 4
# Rows of the keyboards staff type on (QWERTY), and the digit row: "qwerty", "asdf", "7890" are runs.
KEYBOARD_ROWS = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm")
ALPHABET = "abcdefghijklmnopqrstuvwxyz"
# The names around a unit's place name ("Đặc khu Cát Hải" → "cathai").
UNIT_PREFIXES = ("dac khu", "phuong", "xa", "thanh pho", "quan", "huyen", "thi tran")

TOO_SHORT = f"Mật khẩu cần ít nhất {MIN_LENGTH} ký tự."
TOO_COMMON = "Mật khẩu này nằm trong danh sách mật khẩu phổ biến, dễ bị đoán; hãy chọn mật khẩu khác."
TOO_SIMPLE = ("Mật khẩu chỉ là ký tự lặp lại hoặc dãy liên tiếp (như aaaa, 1234, abcabc, qwerty); "
              "hãy chọn mật khẩu khó đoán hơn, ví dụ vài từ không liên quan nối với nhau.")
HAS_USERNAME = "Mật khẩu không được chứa tên đăng nhập."
HAS_UNIT = "Mật khẩu không được chứa tên hoặc mã đơn vị."


@functools.lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    with gzip.open(COMMON_PASSWORDS_FILE, "rt", encoding="utf-8") as f:
        return frozenset(line.strip() for line in f if line.strip())


def problems(password: str, *, username: str | None = None, unit_names: Iterable[str] = ()) -> list[str]:
    """What is wrong with `password` (Vietnamese messages; empty when it is acceptable)."""
    password = password or ""
    if len(password) < MIN_LENGTH:
        return [TOO_SHORT]
    found: list[str] = []
    lowered = password.lower().strip()
    if _is_common(lowered):
        found.append(TOO_COMMON)
    if _is_pattern(lowered):
        found.append(TOO_SIMPLE)
    squeezed = _squeeze(password)
    name = _squeeze(username or "")
    if name and (name == squeezed or (len(name) >= 4 and name in squeezed)):
        found.append(HAS_USERNAME)
    if any(len(u) >= 4 and u in squeezed for u in map(_squeeze, _unit_words(unit_names))):
        found.append(HAS_UNIT)
    return found


def _is_common(lowered: str) -> bool:
    """In the list as typed, or once the digits and signs stuck at either end are taken off
    ("Password@2026", "2026dragon!")."""
    words = common_passwords()
    core = lowered.strip("0123456789!@#$%^&*()-_=+.,;:?/\\|~`'\" ")
    return lowered in words or (len(core) >= 4 and core in words)


def _is_pattern(lowered: str) -> bool:
    if len(set(lowered)) < MIN_DISTINCT:
        return True
    for size in range(1, len(lowered) // 2 + 1):  # one block over and over: "abcabcabcabc", "1234512345"
        if (lowered[:size] * (len(lowered) // size + 1)).startswith(lowered):
            return True
    return len(lowered) - _covered_by_runs(lowered) < MIN_LEFT_AFTER_RUNS


def _follows(a: str, b: str) -> int | None:
    """+1 or -1 when b comes right after / before a in the alphabet, the digits (9→0 wraps) or a
    keyboard row; 0 when b repeats a; None otherwise."""
    if a == b:
        return 0
    for ring in (ALPHABET, "0123456789", *KEYBOARD_ROWS):
        i, j = ring.find(a), ring.find(b)
        if i >= 0 and j >= 0:
            if j - i == 1 or (ring == "0123456789" and (i, j) == (9, 0)):
                return 1
            if i - j == 1 or (ring == "0123456789" and (i, j) == (0, 9)):
                return -1
    return None


def _covered_by_runs(text: str) -> int:
    """How many characters belong to a run of 3 or more taking the same step each time (a repeat, one up,
    one down). Runs may share their end character: "1234321" is two runs covering all 7."""
    marked = [False] * len(text)
    i = 0
    while i < len(text) - 1:
        step = _follows(text[i], text[i + 1])
        if step is None:
            i += 1
            continue
        j = i + 1
        while j + 1 < len(text) and _follows(text[j], text[j + 1]) == step:
            j += 1
        if j - i >= 2:
            marked[i:j + 1] = [True] * (j + 1 - i)
        i = j
    return sum(marked)


def _squeeze(text: str) -> str:
    """Lower case, no diacritics, letters and digits only: 'Cát Hải' → 'cathai'."""
    return re.sub(r"[^a-z0-9]", "", fold(text or ""))


def _unit_words(unit_names: Iterable[str]) -> list[str]:
    out: list[str] = []
    for name in unit_names:
        if not name:
            continue
        folded = fold(name)
        out.append(folded)
        for prefix in UNIT_PREFIXES:
            if folded.startswith(prefix + " "):
                out.append(folded[len(prefix) + 1:])
    return out
