"""Query-string filters of the staff listing."""
from __future__ import annotations

from marshmallow import fields, validate

from service.domain.casework.paging import CURSOR_PATTERN
from service.domain.codes import CHANNELS, FLAGS, KINDS, STATUSES, categories
from service.schemas.base import StrictSchema


class PetitionQuerySchema(StrictSchema):
    unit = fields.String()
    office = fields.String()
    kind = fields.String(validate=validate.OneOf(list(KINDS)))
    category = fields.String(validate=validate.OneOf(list(categories())))
    status = fields.String(validate=validate.OneOf(list(STATUSES)))
    flag = fields.String(validate=validate.OneOf(list(FLAGS)))
    channel = fields.String(validate=validate.OneOf(list(CHANNELS)))
    received_from = fields.AwareDateTime(data_key="from")
    received_to = fields.AwareDateTime(data_key="to")
    overdue = fields.Boolean()
    needs_review = fields.Boolean()
    q = fields.String(validate=validate.Length(max=200), metadata={"description": (
        "Words (with or without diacritics; whole-word, accent-exact matches first), a tracking code, the "
        "petitioner's phone in any spelling or exact name (only petitions whose petitioner the caller may see: "
        "never a denunciation for whoever may not know its denouncer).")})
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))
    # paging.decode refuses (in Vietnamese) what the pattern does not admit
    after = fields.String(validate=validate.Length(max=200), metadata={"pattern": CURSOR_PATTERN, "description": (
        "The `next_cursor` of the previous answer: the next page starts right after its last row, as fast as the "
        "first page whatever the depth (`page` then only numbers the page).")})
