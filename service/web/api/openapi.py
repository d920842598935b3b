"""The OpenAPI 3 document of API v1, built from the same marshmallow schemas that load the requests."""
from __future__ import annotations

from functools import lru_cache

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import jsonify

from service.domain.intake.validation import MAX_CO_SIGNERS
from service.domain.matters.flags import CROWD
from service.schemas.base import VISIBLE
from service.schemas.petition import CoSigners, PetitionCreateSchema
from service.schemas.query import PetitionQuerySchema
from service.web.api import bp

ERROR = {"type": "object", "required": ["error"], "properties": {"error": {
    "type": "object", "required": ["code", "message", "message_en", "fields"],
    "properties": {"code": {"type": "string"}, "message": {"type": "string"}, "message_en": {"type": "string"},
                   "fields": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}}}}}}
DEADLINE = {"type": "object", "properties": {"step": {"type": "string"}, "due": {"type": "string", "format": "date-time"}}}
CREATED = {"type": "object", "required": ["code", "status", "kind", "category", "unit", "lead_office", "task",
                                          "deadlines", "received_at"],
           "properties": {"code": {"type": "string"}, "status": {"type": "string"}, "kind": {"type": "string"},
                          "category": {"type": "string"}, "unit": {"type": "string"},
                          "lead_office": {"type": ["string", "null"]}, "task": {"type": ["string", "null"]},
                          "deadlines": {"type": "array", "items": DEADLINE},
                          "received_at": {"type": "string", "format": "date-time"},
                          # Only for a petition with no phone on record, and only in this first answer.
                          "access_key": {"type": "string", "description": "Mã truy cập để tra cứu đơn không có "
                                                                         "số điện thoại (chỉ cấp một lần)."}}}


def _errors(*codes: int) -> dict:
    return {str(c): {"description": "Lỗi / error", "content": {"application/json": {"schema": ERROR}}} for c in codes}


# Representatives of a crowd (Luật Tiếp công dân Điều 29 k1, intake.law.representatives), stated with if/then:
# only five or more people (the petitioner and 4+ co-signers) appoint them, an anonymous petition names none, and
# each one has a name and a phone or an address. How many a crowd may appoint (at most 2 up to ten people, 5
# beyond) compares two counts: not statable, the strict fuzz test names it.
_REPRESENTATIVE = {"type": "object", "required": ["representative"], "properties": {"representative": {"const": True}}}
_REACHABLE = {"required": ["name"], "properties": {"name": {"type": "string", "pattern": VISIBLE}},
              "anyOf": [{"required": ["phone"], "properties": {"phone": {"type": "string", "pattern": r"\d"}}},
                        {"required": ["address"], "properties": {"address": {"type": "string", "pattern": VISIBLE}}}]}
_NAMES_ONE = {"anyOf": [{"required": ["petitioner"], "properties": {"petitioner": _REPRESENTATIVE}},
                        {"required": ["co_signers"], "properties": {"co_signers": {
                            "type": "array", "contains": _REPRESENTATIVE}}}]}
_FEWER_THAN_FIVE = {"anyOf": [{"not": {"required": ["co_signers"]}}, {"properties": {"co_signers": {
    "anyOf": [{"type": "integer", "maximum": CROWD - 2}, {"type": "array", "maxItems": CROWD - 2}]}}}]}
CROWD_RULES = [
    {"if": {"required": ["anonymous"], "properties": {"anonymous": {"const": True}}}, "then": {"not": _NAMES_ONE}},
    {"if": _FEWER_THAN_FIVE, "then": {"not": _NAMES_ONE}},
    {"if": {"required": ["petitioner"], "properties": {"petitioner": _REPRESENTATIVE}},
     "then": {"properties": {"petitioner": {"required": ["name"],
                                            "properties": {"name": {"type": "string", "pattern": VISIBLE}}}}}},
]


def _co_signers_field(converter, field, **kwargs):
    if isinstance(field, CoSigners):
        person = {"allOf": [{"$ref": "#/components/schemas/Person"}, {"if": _REPRESENTATIVE, "then": _REACHABLE}]}
        return {"oneOf": [{"type": "integer", "minimum": 0, "maximum": MAX_CO_SIGNERS},
                          {"type": "array", "maxItems": MAX_CO_SIGNERS, "items": person}]}
    return {}


@lru_cache(maxsize=1)
def build_spec() -> dict:
    plugin = MarshmallowPlugin()
    spec = APISpec(title="Tiếp dân số — API v1", version="1.0.0", openapi_version="3.1.0", plugins=[plugin],
                   info={"description": "Gửi và theo dõi phản ánh, kiến nghị, khiếu nại, tố cáo ở Hải Phòng."})
    plugin.converter.add_attribute_function(_co_signers_field)
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    from service.schemas.petition import PersonSchema

    spec.components.schema("Person", schema=PersonSchema)
    spec.components.schema("PetitionCreate", schema=PetitionCreateSchema)
    spec.path(path="/api/v1/petitions", operations={
        "post": {"summary": "Gửi đơn (công khai)", "parameters": [
            {"in": "header", "name": "Idempotency-Key", "schema": {"type": "string", "maxLength": 200}}],
                 "requestBody": {"required": True, "content": {"application/json": {"schema": "PetitionCreate"}}},
                 "responses": {"201": {"description": "Đã tiếp nhận",
                                       "content": {"application/json": {"schema": CREATED}}},
                               **_errors(400, 403, 404, 409, 413, 415, 422, 429)}},
        "get": {"summary": "Danh sách đơn (cán bộ)", "security": [{"bearer": []}],
                "parameters": [{"in": "query", "schema": PetitionQuerySchema}],
                "responses": {"200": {"description": "{items, total, total_exact, has_next, page, per_page, next_cursor, "
                                                     "next}: total is exact up to 20 000 petitions, an estimate past "
                                                     "it (total_exact false); next_cursor goes in `after` (next: the "
                                                     "URL of the next page), null on the last page"},
                              **_errors(401, 422)}},
    })
    code = {"in": "path", "name": "code", "required": True, "schema": {"type": "string"}}
    spec.path(path="/api/v1/petitions/{code}", operations={"get": {
        "summary": "Toàn bộ hồ sơ đơn (cán bộ)", "security": [{"bearer": []}], "parameters": [code],
        "responses": {"200": {"description": "Hồ sơ"}, **_errors(401, 404)}}})
    spec.path(path="/api/v1/petitions/{code}/matter-suggestions/{id}", operations={"post": {
        "summary": "Văn phòng xác nhận / bác gợi ý \"có thể cùng vụ việc\"", "security": [{"bearer": []}],
        "parameters": [code, {"in": "path", "name": "id", "required": True, "schema": {"type": "integer"}}],
        "requestBody": {"content": {"application/json": {"schema": {
            "type": "object", "required": ["decision"],
            "properties": {"decision": {"type": "string", "enum": ["confirm", "reject"]},
                           "reason": {"type": "string"}}}}}},
        "responses": {"200": {"description": "{id, state, matter_id, petition_matter_id}"},
                      **_errors(401, 403, 404, 409, 422)}}})
    spec.path(path="/api/v1/status/{code}", operations={"get": {
        "summary": "Tra cứu đơn (công dân)",
        "parameters": [code, {"in": "query", "name": "phone", "schema": {"type": "string"}},
                       {"in": "query", "name": "key", "schema": {"type": "string"},
                        "description": "Mã truy cập của đơn không có số điện thoại"}],
        "responses": {"200": {"description": "Tình trạng"}, **_errors(404, 429)}}})
    spec.path(path="/api/v1/units", operations={"get": {"summary": "Đơn vị hành chính",
                                                        "responses": {"200": {"description": "Danh sách"}}}})
    spec.path(path="/api/v1/units/{code}/tasks", operations={"get": {
        "summary": "Danh mục nhiệm vụ áp dụng cho đơn vị", "parameters": [code],
        "responses": {"200": {"description": "Nhiệm vụ"}, **_errors(404)}}})
    spec.path(path="/api/v1/categories", operations={"get": {"summary": "Lĩnh vực",
                                                             "responses": {"200": {"description": "Danh sách"}}}})
    from service.web.api.reports import openapi_operation

    spec.path(path="/api/v1/reports", operations={"get": openapi_operation(_errors(401, 403, 404, 422))})
    from service.web.api.dialogues import openapi_paths

    for path, operations in openapi_paths(_errors).items():
        spec.path(path=path, operations=operations)
    from service.web.api.public_figures import openapi_paths as accountability_paths

    for path, operations in accountability_paths(_errors).items():
        spec.path(path=path, operations=operations)
    from service.web.api.reception import openapi_paths as reception_paths

    for path, operations in reception_paths(_errors).items():
        spec.path(path=path, operations=operations)
    document = spec.to_dict()
    document["components"]["schemas"]["PetitionCreate"]["allOf"] = CROWD_RULES
    for operations in document["paths"].values():  # any URL whose query string passes 4 KiB (errors.py)
        for operation in operations.values():
            operation["responses"].update(_errors(414))
    return document


@bp.get("/openapi.json")
def openapi_document():
    return jsonify(build_spec())
