"""Query-string filters of the staff listing."""
from __future__ import annotations

from marshmallow import fields, validate

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
    q = fields.String(validate=validate.Length(max=200))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))
