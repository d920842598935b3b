"""Checks shared by every entry point: text, Vietnamese phone numbers, e-mail, uploaded files."""
from __future__ import annotations

import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass

from service.domain.text import nfc, strip_invisible

MAX_CONTENT_CHARS = 20_000
MAX_TITLE_CHARS = 300
MAX_SHORT_CHARS = 500
MAX_ATTACHMENTS = 5
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_CO_SIGNERS = 1000  # more people than that sign petitions in batches, not one letter
# Pixels an uploaded image may have (the MAX_IMAGE_PIXELS setting): a 79 KB palette PNG may declare
# 9000×9000 and decode to gigabytes, so the size is read from the header and refused before decoding.
DEFAULT_MAX_IMAGE_PIXELS = 40_000_000
_image_pixel_budget = DEFAULT_MAX_IMAGE_PIXELS

# Mobile 03/05/07/08/09 + 8 digits; landline 02 + 9 digits (after the 2017-2018 renumbering).
_PHONE = re.compile(r"^0(?:[35789]\d{8}|2\d{9})$")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
_ALLOWED_CONTROL = {"\n", "\r", "\t"}

# What normalise_phone and check_email accept, as the API's OpenAPI document states it (issue #18): separators
# (spaces, dots, dashes, brackets) anywhere, an optional +84 / 84 in place of the leading 0; blank is no value.
_SEP = r"[\s.\-()]*"
_NATIONAL = rf"(?:[35789](?:{_SEP}\d){{8}}|2(?:{_SEP}\d){{9}})"
PHONE_PATTERN = rf"^{_SEP}(?:(?:0|\+{_SEP}8{_SEP}4|8{_SEP}4){_SEP}{_NATIONAL}{_SEP})?$"
EMAIL_PATTERN = r"^\s*(?:[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,})?\s*$"


class FieldError(ValueError):
    """A field-level problem, with its Vietnamese and English message."""

    def __init__(self, message: str, message_en: str):
        super().__init__(message)
        self.message = message
        self.message_en = message_en


def clean_text(value: object, *, label: str, required: bool = False, max_chars: int = MAX_SHORT_CHARS,
               multiline: bool = False) -> str | None:
    """NFC text, trimmed; refuses non-strings, control characters, lone surrogates and over-long text.

    Bidi overrides and zero-width characters are removed first, so a text made only of them is empty."""
    if value is None:
        if required:
            raise FieldError(f"Cần nhập {label}.", f"{label} is required.")
        return None
    if not isinstance(value, str):
        raise FieldError(f"{label.capitalize()} phải là chuỗi ký tự.", f"{label} must be a string.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise FieldError(f"{label.capitalize()} chứa ký tự không hợp lệ.", f"{label} contains invalid characters.")
    for ch in value:
        if ch in _ALLOWED_CONTROL and (multiline or ch == "\t"):
            continue
        if unicodedata.category(ch) in ("Cc", "Cs"):
            raise FieldError(f"{label.capitalize()} chứa ký tự điều khiển không được phép.",
                             f"{label} contains control characters.")
    text = strip_invisible(value).strip()
    if not text:
        if required:
            raise FieldError(f"Cần nhập {label}.", f"{label} is required.")
        return None
    if len(text) > max_chars:
        raise FieldError(f"{label.capitalize()} dài quá {max_chars} ký tự.", f"{label} is longer than {max_chars} characters.")
    return text


def normalise_phone(value: str | None) -> str | None:
    """'+84 912 345 678' -> '0912345678'; a number that is not Vietnamese raises FieldError."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise FieldError("Số điện thoại phải là chuỗi ký tự.", "phone must be a string.")
    digits = re.sub(r"[\s.\-()]", "", value)
    if not digits:
        return None
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    if not _PHONE.match(digits):
        raise FieldError("Số điện thoại không phải số Việt Nam hợp lệ (ví dụ 0912345678).",
                         "Not a valid Vietnamese phone number (e.g. 0912345678).")
    return digits


def check_email(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    if len(value) > 254 or not _EMAIL.match(value):
        raise FieldError("Địa chỉ thư điện tử không hợp lệ.", "Invalid e-mail address.")
    return value.lower()


@dataclass
class CheckedFile:
    filename: str
    content_type: str
    data: bytes
    sha256: str


_SIGNATURES: list[tuple[bytes, int, str]] = [
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"GIF87a", 0, "image/gif"),
    (b"GIF89a", 0, "image/gif"),
    (b"%PDF-", 0, "application/pdf"),
]


def sniff_type(data: bytes) -> str | None:
    """The file type from its first bytes; the name and the declared type are never trusted."""
    for magic, offset, kind in _SIGNATURES:
        if data[offset:offset + len(magic)] == magic:
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def set_image_pixel_budget(pixels: int) -> None:
    """Install the MAX_IMAGE_PIXELS setting here and in Pillow, whose own bomb check then errs at twice it."""
    global _image_pixel_budget
    from PIL import Image

    _image_pixel_budget = max(1, int(pixels))
    Image.MAX_IMAGE_PIXELS = _image_pixel_budget


def _too_many_pixels() -> FieldError:
    megapixels = f"{_image_pixel_budget / 1_000_000:g}"
    return FieldError(f"Ảnh quá lớn (tối đa {megapixels.replace('.', ',')} triệu điểm ảnh); vui lòng gửi ảnh có "
                      "kích thước nhỏ hơn.", f"The image has more than {megapixels} million pixels.")


def strip_image_metadata(data: bytes, content_type: str) -> bytes:
    """Re-encode an image without EXIF (GPS position, device) to protect the sender's privacy.

    `Image.open` reads only the header: the pixel count is checked there, before anything is decoded."""
    import warnings

    from PIL import Image, UnidentifiedImageError

    fmt = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP", "image/gif": "GIF"}[content_type]
    Image.MAX_IMAGE_PIXELS = _image_pixel_budget  # Pillow's own check, should ours ever be bypassed
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:  # the header only: nothing decoded yet
                width, height = img.size
                if width * height > _image_pixel_budget:
                    raise _too_many_pixels()
                img.load()
                # A fresh image from the raw pixels carries no metadata; no per-pixel Python list
                # (a list of 81 million ints is what took a gigabyte).
                clean = Image.frombytes(img.mode, img.size, img.tobytes())
                if img.mode == "P" and img.getpalette():
                    clean.putpalette(img.getpalette())
                out = io.BytesIO()
                params = {"quality": 90} if fmt == "JPEG" else {}
                clean.save(out, format=fmt, **params)
                return out.getvalue()
    except FieldError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):  # Pillow's header check fired first
        raise _too_many_pixels()
    except (UnidentifiedImageError, OSError, ValueError):
        raise FieldError("Tệp ảnh bị hỏng hoặc không đọc được.", "The image is damaged or unreadable.")


def check_attachment(filename: str, data: bytes) -> CheckedFile:
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise FieldError(f"Tệp {filename} lớn hơn 10 MB.", f"{filename} is larger than 10 MB.")
    if not data:
        raise FieldError(f"Tệp {filename} rỗng.", f"{filename} is empty.")
    kind = sniff_type(data)
    if kind is None:
        raise FieldError(f"Tệp {filename} không phải ảnh (JPEG, PNG, WebP, GIF) hoặc PDF.",
                         f"{filename} is not an image (JPEG, PNG, WebP, GIF) or a PDF.")
    if kind.startswith("image/"):
        data = strip_image_metadata(data, kind)
    safe_name = re.sub(r"[^\w.\- ]", "_", nfc(filename or "tep"))[:120] or "tep"
    return CheckedFile(safe_name, kind, data, hashlib.sha256(data).hexdigest())
