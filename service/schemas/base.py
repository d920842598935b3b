"""Strict fields and Vietnamese messages shared by the schemas."""
from __future__ import annotations

import sys
import unicodedata
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

MESSAGES_VI = {
    "Missing data for required field.": "Trường này là bắt buộc.",
    "Unknown field.": "Trường không được hỗ trợ.",
    "Not a valid string.": "Phải là chuỗi ký tự.",
    "Not a valid integer.": "Phải là số nguyên.",
    "Not a valid number.": "Phải là số.",
    "Not a valid boolean.": "Phải là true hoặc false.",
    "Not a valid datetime.": "Thời điểm không hợp lệ (ISO 8601).",
    "Not a valid mapping type.": "Phải là một đối tượng {…}.",
    "Invalid input type.": "Kiểu dữ liệu không hợp lệ.",
    "Field may not be null.": "Không được để trống (null).",
    "Not a valid list.": "Phải là danh sách […].",
    "Not a valid aware datetime.": "Thời điểm cần có múi giờ (ví dụ 2026-11-21T09:00:00+07:00).",
}


def vietnamese(messages: Any) -> Any:
    """marshmallow's English messages, in Vietnamese, keeping the structure."""
    if isinstance(messages, dict):
        return {k: vietnamese(v) for k, v in messages.items()}
    if isinstance(messages, list):
        return [vietnamese(m) for m in messages]
    return MESSAGES_VI.get(messages, messages)


def flatten(messages: dict, prefix: str = "") -> dict[str, list[str]]:
    """{'petitioner': {'phone': [...]}} -> {'petitioner.phone': [...]}."""
    flat: dict[str, list[str]] = {}
    for key, value in messages.items():
        # A whole-object error of a nested field belongs to that field ("petitioner", not "petitioner._schema").
        name = prefix.rstrip(".") if key == "_schema" and prefix else f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, f"{name}."))
        else:
            flat[name] = list(value) if isinstance(value, list) else [value]
    return flat


class StrictBoolean(fields.Boolean):
    """Only JSON true/false: a string or a number where a boolean is expected is an error."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise ValidationError("Not a valid boolean.")
        return value


class StrictFloat(fields.Float):
    """A JSON number only, never a string or a boolean."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValidationError("Not a valid number.")
        return super()._deserialize(value, attr, data, **kwargs)


class StrictSchema(Schema):
    """Unknown keys are refused (marshmallow's default, stated here on purpose)."""

    class Meta:
        unknown = "raise"


def _format_characters() -> str:
    """A regex class body of every Unicode format (Cf) character: intake.validation.clean_text removes them."""
    ranges, start, last = [], None, None
    for cp in range(sys.maxunicode + 1):
        if unicodedata.category(chr(cp)) == "Cf":
            if start is None:
                start = cp
            elif cp != last + 1:
                ranges.append((start, last))
                start = cp
            last = cp
    ranges.append((start, last))
    def esc(cp: int) -> str:
        return f"\\u{cp:04x}" if cp <= 0xFFFF else f"\\U{cp:08x}"
    return "".join(esc(a) if a == b else f"{esc(a)}-{esc(b)}" for a, b in ranges)


# What intake.validation.clean_text enforces, as JSON Schema (issue #18: the document states the server's rules):
# no control character (a tab anywhere, line breaks in multi-line texts), and, when required, one character
# that is neither a space, a control nor an invisible (format) character.
CONTROL_ONE_LINE = r"[\x00-\x08\x0a-\x1f\x7f-\x9f]"
CONTROL_MULTILINE = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
VISIBLE = rf"[^\s\x00-\x1f\x7f-\x9f{_format_characters()}]"


def text_field(max_chars: int, *, required: bool = False, multiline: bool = False, **metadata: Any) -> fields.String:
    """A text the domain cleans with clean_text(max_chars=…, multiline=…): its rules in the OpenAPI document."""
    rules: dict[str, Any] = {"maxLength": max_chars,
                             "not": {"pattern": CONTROL_MULTILINE if multiline else CONTROL_ONE_LINE}}
    if required:
        rules["pattern"] = VISIBLE
    options: dict[str, Any] = {"required": True} if required else {"load_default": None}
    return fields.String(validate=validate.Length(max=max_chars), metadata={**rules, **metadata}, **options)


class JsonInteger(fields.Integer):
    """A JSON Schema integer: 3 or 3.0 (JSON Schema counts both as integers), never a string, a boolean or 3.5."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or \
                (isinstance(value, float) and not value.is_integer()):
            raise ValidationError("Not a valid integer.")
        return int(value)
