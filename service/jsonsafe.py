"""Parsing JSON from strangers without a RecursionError: the nesting is measured before parsing.

`json.loads` recurses once per `[` or `{`; 5,000 of them raise RecursionError, which no caller expected
(a Telegram update of nested brackets was a 500). Counting the brackets outside strings is linear,
needs no stack, and refuses such a body as a plain ValueError that every entry point turns into a 400.
"""
from __future__ import annotations

import json
import re
from typing import Any

# A JSON string literal (escapes included); brackets inside strings do not nest anything.
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKET = re.compile(rb"[\[\]{}]")


class TooDeep(ValueError):
    """The JSON nests arrays/objects deeper than allowed."""

    def __init__(self, limit: int):
        super().__init__(f"JSON nested deeper than {limit} levels")
        self.limit = limit


def nesting(raw: bytes | str, limit: int | None = None) -> int:
    """How deep arrays and objects nest in this JSON text; stops counting once past `limit`."""
    data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
    depth = deepest = 0
    for match in _BRACKET.finditer(_STRING.sub(b'""', data)):
        if match.group() in (b"[", b"{"):
            depth += 1
            if depth > deepest:
                deepest = depth
                if limit is not None and deepest > limit:
                    break
        else:
            depth -= 1
    return deepest


def loads(raw: bytes | str, *, max_depth: int, **kwargs: Any) -> Any:
    """`json.loads`, refusing nesting deeper than `max_depth` with TooDeep; only ValueError escapes."""
    if nesting(raw, max_depth) > max_depth:
        raise TooDeep(max_depth)
    try:
        return json.loads(raw, **kwargs)
    except RecursionError as exc:  # cannot happen under the limit; kept so no caller ever sees it
        raise TooDeep(max_depth) from exc
