"""Logs never carry phone numbers, ID numbers, chat ids or secrets (Luật BVDLCN 91/2025/QH15; style.md).

Installed as the process's log record factory, so every record is scrubbed when it is created,
whatever handler later writes it (gunicorn's, the jobs process's, pytest's): the message is
formatted, cleaned and frozen (`args` emptied), and an exception's traceback is formatted and
cleaned too (exception messages quote values, e.g. a database's "Key (phone)=(…)").

Access-log lines (werkzeug's, gunicorn's `"%(r)s"` and referer) carry query strings: each value is
URL-decoded before it is checked, so `%2B84912345678` or `0912%20345%20678` are caught, and staff
search terms (`q=`, `search=`, which are often a citizen's name) are never written at all.
"""
from __future__ import annotations

import logging
import re
import threading
from typing import Any, Iterable, Mapping
from urllib.parse import quote_plus, unquote_plus

# Settings whose values are secrets: any literal occurrence is replaced.
SECRET_SETTINGS = ("SECRET_KEY", "DATA_ENCRYPTION_KEY", "TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET",
                   "ZALO_APP_SECRET", "ZALO_OA_SECRET_KEY", "ZALO_ACCESS_TOKEN", "ZALO_REFRESH_TOKEN")

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # Telegram bot tokens (they appear in Bot API URLs: /bot123456:AA…/sendMessage).
    (re.compile(r"\d{5,12}:[A-Za-z0-9_-]{30,}"), "[token]"),
    # API tokens of this service and bearer credentials.
    (re.compile(r"tds_[A-Za-z0-9_-]{8,}"), "[token]"),
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}"), r"\1 [token]"),
    # name=value / "name": "value" pairs whose name says secret.
    (re.compile(r"(?i)\b((?:[a-z_-]*)(?:password|passwd|secret|token|api[_-]?key|signature|csrf|mac|code_verifier)"
                r"[a-z_-]*)(\"?\s*[:=]\s*\"?)([^\s\"'&,;}]+)"), r"\1\2[redacted]"),
    # E-mail addresses.
    (re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"), "[email]"),
    # CCCD written in four groups of three ('031 090 012 345'), before the phone pattern takes its head.
    (re.compile(r"(?<!\d)\d{3}(?:(?:[ .\-+]|%20)\d{3}){3}(?!\d)"), "[number]"),
    # Vietnamese phone numbers, with or without +84 / spaces / dots / dashes, URL-encoded too
    # ('%2B84…', '0912%20345%20678', '+84+912+345+678' where '+' is a query string's space).
    (re.compile(r"(?<![\d])(?:(?:\+|%2B)?84|0)(?:(?:[ .\-+]|%20|%2D|%2E)?\d){8,10}(?!\d)", re.IGNORECASE),
     "[phone]"),
    # CCCD (12 digits), CMND (9), chat user ids and any other long run of digits.
    (re.compile(r"(?<!\d)\d{9,}(?!\d)"), "[number]"),
    # CMND in groups of three, and any digits joined by URL-encoded spaces.
    (re.compile(r"(?<!\d)\d{3}(?:(?:[ .\-+]|%20)\d{3}){2}(?!\d)"), "[number]"),
    (re.compile(r"(?<!\d)\d{2,}(?:(?:%20|%2B|\+)\d{2,}){2,}(?!\d)", re.IGNORECASE), "[number]"),
)
# Query parameters whose value is never logged: staff searches look people up by name; a petition's access key
# (`?key=` on the status API) opens it like a password.
SEARCH_PARAMETERS = frozenset({"q", "search", "query", "tu_khoa", "keyword", "key", "access_key"})
_QUERY = re.compile(r"\?([^\s\"'<>#]+)")
# The same parameters in a bare query string (gunicorn's %(q)s atom has no '?').
_SEARCH_PAIR = re.compile(r"(?i)(?:(?<=[\s&\"'])|^)((?:%s)=)[^&\s\"'#]+" % "|".join(sorted(SEARCH_PARAMETERS)))

_lock = threading.Lock()
_secrets: set[str] = set()
_installed = False
_original_factory = logging.getLogRecordFactory()


def _patterns(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def _query_value(key: str, value: str) -> str:
    if unquote_plus(key).strip().lower() in SEARCH_PARAMETERS:
        return "[search]"
    decoded = unquote_plus(value)
    cleaned = _patterns(decoded)
    return value if cleaned == decoded else quote_plus(cleaned, safe="[]")


def _scrub_query(match: re.Match[str]) -> str:
    pairs = []
    for pair in match.group(1).split("&"):
        key, eq, value = pair.partition("=")
        pairs.append(f"{key}={_query_value(key, value)}" if eq and value else pair)
    return "?" + "&".join(pairs)


def scrub(text: str, secrets: Iterable[str] = ()) -> str:
    """The text without phone numbers, ID numbers, e-mail addresses, tokens, search terms or the given secrets."""
    for secret in sorted({*secrets, *_secrets}, key=len, reverse=True):
        if secret:
            text = text.replace(secret, "[secret]")
    if "?" in text:
        text = _QUERY.sub(_scrub_query, text)
    if "=" in text:
        text = _SEARCH_PAIR.sub(r"\1[search]", text)
    return _patterns(text)


def _scrubbed_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
    record = _original_factory(*args, **kwargs)
    try:
        record.msg = scrub(record.getMessage())
        record.args = None
        if record.exc_info and record.exc_info[0] is not None:
            record.exc_text = scrub(logging.Formatter().formatException(record.exc_info))
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
    except Exception:  # a broken log call must not break the request; keep only a safe placeholder
        record.msg, record.args = "[log message dropped: could not be scrubbed]", None
    return record


def install(settings: Mapping[str, Any] | None = None) -> None:
    """Scrub every log record of this process from now on; remembers the settings' secret values."""
    global _installed
    values = {str((settings or {}).get(k) or "") for k in SECRET_SETTINGS}
    with _lock:
        _secrets.update(v for v in values if len(v) >= 6)  # short values would blank ordinary words
        if not _installed:
            logging.setLogRecordFactory(_scrubbed_record)
            _installed = True
    # httpx logs each request's URL at INFO, and a Bot API URL carries the bot token.
    logging.getLogger("httpx").setLevel(max(logging.getLogger("httpx").level, logging.WARNING))


def installed() -> bool:
    return _installed
