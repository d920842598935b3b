"""Strict fields and Vietnamese messages shared by the schemas."""
from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields

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
