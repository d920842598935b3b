"""Jinja filters that show times the way people in Hải Phòng read them: dd/mm/yyyy, Asia/Ho_Chi_Minh.

Registered by each blueprint that renders pages (`register(bp)`), so the citizen pages and the
staff console share them.
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import Blueprint

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def local(value: dt.datetime | dt.date | None) -> dt.datetime | dt.date | None:
    """The time in Asia/Ho_Chi_Minh; a naive datetime is taken as UTC (what the database stores); an ISO 8601
    string (kept in JSON columns) is read first."""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return None
    if value is None or not isinstance(value, dt.datetime):
        return value
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(LOCAL_TZ)


def date_vn(value: dt.datetime | dt.date | str | None) -> str:
    """'07/12/2026'; an empty string for None. An ISO string (a time kept in JSON) is read first."""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value) if "T" in value else dt.date.fromisoformat(value)
        except ValueError:
            return value
    value = local(value)
    return value.strftime("%d/%m/%Y") if value is not None else ""


def datetime_vn(value: dt.datetime | None) -> str:
    """'07/12/2026 16:05' (24-hour clock)."""
    value = local(value)
    if value is None:
        return ""
    if not isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y")
    return value.strftime("%d/%m/%Y %H:%M")


def iso_local(value: dt.datetime | None) -> str:
    """The machine-readable form for `<time datetime=…>`."""
    value = local(value)
    return value.isoformat(timespec="minutes") if isinstance(value, dt.datetime) else ""


def number_vn(value, decimals: int = 1) -> str:
    """Vietnamese number format: '1.234' (a dot between thousands), '4,0' (a comma before decimals); other values
    as they are."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "" if value is None else str(value)
    text = f"{value:,}" if isinstance(value, int) else f"{value:,.{decimals}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def register(bp: Blueprint) -> None:
    bp.add_app_template_filter(number_vn, "number_vn")
    bp.add_app_template_filter(date_vn, "date_vn")
    bp.add_app_template_filter(datetime_vn, "datetime_vn")
    bp.add_app_template_filter(iso_local, "iso_local")
