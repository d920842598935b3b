"""Reading a JSON body safely: type, size, encoding, depth; each failure is a precise 4xx."""
from __future__ import annotations

from typing import Any

from flask import request

from service import jsonsafe
from service.domain.errors import DomainError

MAX_JSON_BYTES = 256 * 1024
MAX_DEPTH = 8


class BadBody(DomainError):
    http_status = 400
    code = "malformed"


class UnsupportedType(DomainError):
    http_status = 415
    code = "unsupported_media_type"


class TooLarge(DomainError):
    http_status = 413
    code = "too_large"

    def __init__(self) -> None:
        super().__init__(f"Dữ liệu gửi lên lớn hơn {MAX_JSON_BYTES // 1024} KB.",
                         f"The body is larger than {MAX_JSON_BYTES // 1024} KB.")


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _depth(value: Any, limit: int) -> int:
    """Depth of nested arrays/objects, without recursion (a hostile body cannot exhaust the stack)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, (dict, list)):
            deepest = max(deepest, depth)
            if deepest > limit:
                return deepest
            children = node.values() if isinstance(node, dict) else node
            stack.extend((child, depth + 1) for child in children)
    return deepest


def json_body(*, require_object: bool = True) -> Any:
    if request.mimetype != "application/json":
        raise UnsupportedType("Cần gửi dữ liệu JSON (Content-Type: application/json).",
                              "Send JSON with Content-Type: application/json.")
    length = request.content_length
    if length is not None and length > MAX_JSON_BYTES:
        raise TooLarge()
    raw = request.get_data(cache=True)
    if len(raw) > MAX_JSON_BYTES:
        raise TooLarge()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadBody("Dữ liệu không phải UTF-8 hợp lệ.", "The body is not valid UTF-8.")
    try:  # the depth is measured before parsing: 5,000 nested `[` never reach json's recursion
        data = jsonsafe.loads(text, max_depth=MAX_DEPTH, parse_constant=_reject_constant)
    except jsonsafe.TooDeep:
        raise BadBody(f"Dữ liệu JSON lồng nhau quá {MAX_DEPTH} cấp.", f"JSON nested deeper than {MAX_DEPTH} levels.")
    except (ValueError, RecursionError):
        raise BadBody("Dữ liệu JSON không đúng cú pháp.", "The body is not valid JSON.")
    if _depth(data, MAX_DEPTH) > MAX_DEPTH:
        raise BadBody(f"Dữ liệu JSON lồng nhau quá {MAX_DEPTH} cấp.", f"JSON nested deeper than {MAX_DEPTH} levels.")
    if require_object and not isinstance(data, dict):
        raise BadBody("Dữ liệu JSON phải là một đối tượng {…}.", "The JSON body must be an object.")
    return data
