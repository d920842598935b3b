"""The petition as API v1 receives it and answers it."""
from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, pre_load, validate

from service.domain.codes import CHANNELS, KINDS, categories
from service.domain.inbound import InboundMessage, Location, PersonData
from service.domain.intake.validation import (
    EMAIL_PATTERN,
    MAX_CONTENT_CHARS,
    MAX_SHORT_CHARS,
    MAX_TITLE_CHARS,
    PHONE_PATTERN,
)
from service.schemas.base import JsonInteger, StrictBoolean, StrictFloat, StrictSchema, text_field

# Fields the service owns: a client that sends them gets a precise refusal, not silence.
SERVER_OWNED = ("id", "code", "status", "office", "lead_office", "task", "flags", "matter", "deadlines",
                "events", "created_at", "updated_at")


PUBLIC_CHANNEL = ("Ứng dụng không đăng nhập chỉ gửi đơn qua kênh api (bỏ trống channel hoặc ghi \"api\"); "
                  "đơn qua đường dây nóng, thư điện tử, tin nhắn hay trực tiếp do cán bộ nhập bằng mã truy cập của cán bộ.")


class PersonSchema(StrictSchema):
    # What intake's _check_person enforces (clean_text, normalise_phone, check_email), stated (issue #18).
    name = text_field(200)
    phone = fields.String(allow_none=True, metadata={
        "pattern": PHONE_PATTERN, "description": "Số Việt Nam: 0912345678, +84 912 345 678, 0225 3xxx xxx"})
    email = fields.String(allow_none=True, metadata={"pattern": EMAIL_PATTERN})
    address = text_field(MAX_SHORT_CHARS)
    id_number = text_field(64)
    representative = StrictBoolean(load_default=False)
    refuses_sms = StrictBoolean(load_default=False)  # no ZNS / SMS notices to this phone
    refuses_email = StrictBoolean(load_default=False)  # no e-mail notices


class LocationSchema(StrictSchema):
    lat = StrictFloat(allow_none=True, metadata={"minimum": -90, "maximum": 90})
    lon = StrictFloat(allow_none=True, metadata={"minimum": -180, "maximum": 180})
    address = text_field(MAX_SHORT_CHARS)


class CoSigners(fields.Field):
    """A count of co-signers, or the list of them."""

    def _deserialize(self, value: Any, attr, data, **kwargs):
        if isinstance(value, bool):
            raise ValidationError("Phải là số người hoặc danh sách người cùng ký.")
        if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
            return int(value)  # 35.0 is an integer to JSON Schema
        if isinstance(value, list):
            return [PersonData(**PersonSchema().load(item)) if isinstance(item, dict) else _bad_item() for item in value]
        raise ValidationError("Phải là số người hoặc danh sách người cùng ký.")


def _bad_item():
    raise ValidationError("Mỗi người cùng ký phải là một đối tượng {name, phone, …}.")


class PetitionCreateSchema(StrictSchema):
    # The document states what intake enforces (issue #18); the refusal itself stays intake's, in its words.
    content = text_field(MAX_CONTENT_CHARS, required=True, multiline=True,
                         description="Nội dung đơn, không để trống, tối đa 20.000 ký tự.")
    title = text_field(MAX_TITLE_CHARS)
    unit = fields.String(allow_none=True, metadata={"description": "Mã hoặc tên xã, phường, đặc khu; không có: 404"})
    channel = fields.String(load_default="api", validate=validate.OneOf(list(CHANNELS), error="Kênh không hợp lệ."))
    kind = fields.String(allow_none=True, validate=validate.OneOf(list(KINDS), error="Loại đơn không hợp lệ."))
    category = fields.String(allow_none=True, metadata={"enum": [*categories(), None]})
    round = JsonInteger(load_default=1,
                           validate=validate.OneOf([1, 2], error="Lần khiếu nại chỉ có thể là 1 hoặc 2."))
    petitioner = fields.Nested(PersonSchema, allow_none=True)
    anonymous = StrictBoolean(load_default=False)
    co_signers = CoSigners(load_default=0)
    location = fields.Nested(LocationSchema, allow_none=True)
    received_at = fields.AwareDateTime(allow_none=True, metadata={
        "description": "Chỉ cán bộ: ngày nhận đơn giấy, điện thoại trước đó; không ở tương lai, không quá 3 năm."})
    consent = StrictBoolean(load_default=False)
    allow_publication = StrictBoolean(load_default=False)

    @pre_load
    def refuse_server_owned(self, data, **kwargs):
        if isinstance(data, dict):
            owned = [k for k in SERVER_OWNED if k in data]
            if owned:
                raise ValidationError({k: ["Trường này do hệ thống quản lý, không được gửi lên."] for k in owned})
        return data

    def load_message(self, data: dict, *, staff: bool = False) -> InboundMessage:
        """`staff`: the caller has a staff token. Anyone else is a public client, channel `api`: only staff
        enter hotline, e-mail, SMS and walk-in petitions on a citizen's behalf (domain.md, Channels)."""
        values = self.load(data)
        if not staff and values["channel"] != "api":
            raise ValidationError({"channel": [PUBLIC_CHANNEL]})
        category = values.get("category")
        if category is not None and category not in categories():
            raise ValidationError({"category": ["Lĩnh vực không hợp lệ."]})
        petitioner = values.get("petitioner")
        location = values.get("location")
        return InboundMessage(
            channel=values["channel"], content=values["content"], title=values.get("title"), unit=values.get("unit"),
            kind=values.get("kind"), category=category, round=values["round"],
            petitioner=PersonData(**petitioner) if petitioner else None, anonymous=values["anonymous"],
            co_signers=values["co_signers"], location=Location(**location) if location else None,
            received_at=values.get("received_at"), consent=values["consent"],
            allow_publication=values["allow_publication"],
        )
