"""A file the browser saves: every export, report and evidence download answers through `attachment`."""
from __future__ import annotations

import unicodedata
from urllib.parse import quote

from flask import Response
from werkzeug.http import dump_options_header


def attachment(data: bytes | str, mimetype: str, filename: str) -> Response:
    """`data` as a download named `filename`. Never cached (exports carry personal data), never sniffed (an
    uploaded file is served as the type it was stored with). A name with diacritics, e.g. "Biên bản.pdf", goes
    as RFC 6266 `filename*` with an ASCII fallback: HTTP headers are Latin-1, so the bare name would fail."""
    try:
        filename.encode("ascii")
        names = {"filename": filename}
    except UnicodeEncodeError:
        ascii_name = unicodedata.normalize("NFKD", filename.replace("đ", "d").replace("Đ", "D"))
        names = {"filename": ascii_name.encode("ascii", "ignore").decode("ascii"),
                 "filename*": "UTF-8''" + quote(filename, safe="!#$&+^`|~")}
    return Response(data, mimetype=mimetype, headers={
        "Content-Disposition": dump_options_header("attachment", names),
        "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})
