"""What GeoReport v2's POST carries besides the petition, and the Service Discovery document.

- `attribute[CODE]` (or `attribute[CODE][]`), `device_id`, `account_id` and `media_url` are kept as given in
  the petition's channel_data and `media_url` is returned by GET; a multipart `media` file becomes an attachment.
- HTML in a description is stripped to its text (tags, scripts and styles removed, entities decoded).
- `/open311/discovery.json` (and .xml): the spec's discovery format, listing the v2 endpoint, its formats and
  the contact (wiki.open311.org/Service_Discovery).
"""
from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from typing import Any, Mapping

from flask import Blueprint, request

from service.domain.inbound import AttachmentData
from service.web.open311_answers import FORMATS, Open311Error, bilingual, error_answer, render

MAX_ATTRIBUTES = 50
MAX_VALUE = 500
_ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]{1,100})\](\[\])?$")
_TAG_HINT = re.compile(r"<[a-zA-Z/!?]")


class _Text(HTMLParser):
    SKIP = frozenset({"script", "style", "head", "title", "template"})
    BREAK = frozenset({"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6"})

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BREAK:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self.SKIP and self.skipping:
            self.skipping -= 1
        elif tag in self.BREAK:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def strip_html(text: Any) -> Any:
    """The text of an HTML description ('<b>Ổ gà</b><script>…</script>' -> 'Ổ gà'); other values unchanged."""
    if not isinstance(text, str) or not _TAG_HINT.search(text):
        return text
    parser = _Text()
    parser.feed(text)
    parser.close()
    lines = (" ".join(line.split()) for line in html.unescape("".join(parser.parts)).splitlines())
    return "\n".join(line for line in lines if line)


def extras(form: Mapping[str, Any], lists: Mapping[str, list[str]], media_url: str | None) -> dict[str, Any]:
    """channel_data: attributes, device_id, account_id and media_url, as the client sent them."""
    problems: list[str] = []
    attributes: dict[str, Any] = {}
    for name in form:
        found = _ATTRIBUTE.match(name)
        if not found:
            continue
        values = [v for v in (lists.get(name) or [form[name]]) if v is not None]
        if any(not isinstance(v, (str, int, float)) or len(str(v)) > MAX_VALUE for v in values):
            problems.append(bilingual(f"Giá trị của {name} không hợp lệ.", f"{name} is not a valid value.", name))
            continue
        attributes[found.group(1)] = [str(v) for v in values] if found.group(2) or len(values) > 1 else str(values[0])
    if len(attributes) > MAX_ATTRIBUTES:
        problems.append(bilingual("Quá nhiều thuộc tính.", f"At most {MAX_ATTRIBUTES} attributes.", "attribute"))
    data: dict[str, Any] = {"attributes": attributes} if attributes else {}
    for name in ("device_id", "account_id"):
        value = form.get(name)
        if value is None or value == "":
            continue
        if not isinstance(value, (str, int)) or isinstance(value, bool) or len(str(value)) > 200:
            problems.append(bilingual("Phải là chuỗi ký tự tối đa 200 ký tự.", "must be a string of at most 200 "
                                      "characters.", name))
            continue
        data[name] = str(value).strip()
    if media_url:
        data["media_url"] = media_url
    if problems:
        raise Open311Error(400, problems)
    return data


def media_file() -> list[AttachmentData]:
    """The multipart `media` file, kept as an attachment (intake checks its type and size)."""
    stored = request.files.get("media") if request.mimetype == "multipart/form-data" else None
    if stored is None or not stored.filename:
        return []
    return [AttachmentData(stored.filename, stored.read(), stored.mimetype or None)]


# ---------------------------------------------------------------- Service Discovery

discovery_bp = Blueprint("open311_discovery", __name__, url_prefix="/open311")
discovery_bp.register_error_handler(Exception, error_answer)

CHANGESET = "2026-12-09T00:00:00Z"  # when the endpoint list below last changed
CONTACT = "Văn phòng HĐND và UBND thành phố Hải Phòng – tiếp dân số (Open311 GeoReport v2)"


@discovery_bp.get("/discovery.<fmt>")
def discovery(fmt: str):
    if fmt not in FORMATS:
        raise Open311Error(404, [bilingual(f"Không hỗ trợ định dạng '{fmt}' (chỉ xml, json).",
                                           f"Unsupported format '{fmt}' (xml or json only).")])
    base = request.url_root.rstrip("/") + "/open311/v2/"
    document = {
        "changeset": CHANGESET, "contact": CONTACT,
        "key_service": "Xin api_key tại Văn phòng (flask open311-keys create) / Ask the office for an api_key.",
        "endpoints": [{"specification": "http://wiki.open311.org/GeoReport_v2", "url": base,
                       "changeset": CHANGESET, "type": "production",
                       "formats": ["text/xml", "application/json"]}],
    }
    return render(fmt, "discovery", document)
