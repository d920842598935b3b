"""Vietnamese text folding: the diacritics-free, lower-case form used for search and matching.

NFD stripping leaves `đ` in place, so the table adds it explicitly (integrations.md §6).
"""
from __future__ import annotations

import re
import unicodedata


def _build_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for cp in [*range(0xC0, 0x250), *range(0x1E00, 0x1F00)]:
        base = "".join(c for c in unicodedata.normalize("NFD", chr(cp)) if not unicodedata.combining(c))
        if base and base != chr(cp):
            table[cp] = base
    table[ord("đ")] = "d"
    table[ord("Đ")] = "D"
    return table


_FOLD_TABLE = _build_table()
_NON_WORD = re.compile(r"[\W_]+")  # underscore too: "a_ b" folds to "a b", never "a  b"


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def strip_marks(text: str) -> str:
    """Remove Vietnamese diacritics but keep case and punctuation."""
    text = nfc(text).translate(_FOLD_TABLE)
    if text.isascii():  # the usual case: every Vietnamese letter was in the table (4× faster, issue #19)
        return text
    # Characters outside the table (rare combining sequences) lose their marks here.
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def fold(text: str) -> str:
    """'Đèn  ĐƯỜNG hỏng!' -> 'den duong hong': lower-case, no diacritics, words separated by one space."""
    return _NON_WORD.sub(" ", strip_marks(text).lower()).strip()


# Invisible characters a citizen never types on purpose: bidi controls (U+202A–U+202E, U+2066–U+2069,
# U+200E/U+200F, U+061C) make "Nguyễn Văn A" display as another name or hide a phrase from staff, and
# zero-width characters (U+200B–U+200D, U+2060, U+FEFF, U+180E) let an empty letter or a near-duplicate
# name slip past checks. All are Unicode category Cf ("format"); Vietnamese marks are Mn and stay.
_INVISIBLE = {cp: None for cp in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C,
                                  *range(0x200B, 0x200E), 0x2060, 0xFEFF, 0x180E)}


def strip_invisible(text: str) -> str:
    """The text without bidi controls, zero-width and other format (Cf) characters, NFC normalised."""
    text = text.translate(_INVISIBLE)
    if any(unicodedata.category(ch) == "Cf" for ch in text):
        text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return nfc(text)
