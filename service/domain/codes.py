"""The codes of domain.md (contracts) with the Vietnamese labels people see."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

CONFIG_DIR = Path(__file__).resolve().parents[2] / "config"

KINDS: dict[str, str] = {
    "phan_anh": "Phản ánh",
    "kien_nghi": "Kiến nghị",
    "khieu_nai": "Khiếu nại",
    "to_cao": "Tố cáo",
}

CHANNELS: dict[str, str] = {
    "web": "Cổng thông tin (web)",
    "telegram": "Telegram",
    "zalo": "Zalo",
    "hotline": "Đường dây nóng",
    "email": "Thư điện tử",
    "sms": "Tin nhắn",
    "in_person": "Trực tiếp",
    "api": "API",
}
STAFF_CHANNELS = frozenset({"hotline", "email", "sms", "in_person"})

STATUSES: dict[str, str] = {
    "received": "Đã tiếp nhận",
    "classified": "Đã phân loại",
    "accepted": "Đã thụ lý",
    "returned": "Đã trả lại đơn",
    "guided": "Đã hướng dẫn",
    "transferred": "Đã chuyển đơn",
    "in_progress": "Đang giải quyết",
    "answered": "Đã trả lời",
    "closed": "Đã đóng",
    "withdrawn": "Đã rút đơn",
}

FLAGS: dict[str, str] = {
    "dong_nguoi": "Đông người",
    "phuc_tap_keo_dai": "Phức tạp, kéo dài",
    "qua_han": "Quá hạn",
    "sap_han": "Sắp hạn",
}

STEPS: dict[str, str] = {
    "xu_ly_don": "Xử lý đơn",
    "thu_ly": "Thụ lý",
    "tra_loi": "Trả lời",
    "giai_quyet": "Giải quyết",
    "chuyen_don": "Chuyển đơn",
}

ROLES: dict[str, str] = {
    "admin": "Quản trị",
    "staff": "Cán bộ",
    "office_head": "Trưởng phòng",
    "chairperson": "Chủ tịch UBND",
    "inspector": "Thanh tra",
}

UNIT_KINDS: dict[str, str] = {"city": "Thành phố", "phuong": "Phường", "xa": "Xã", "dac_khu": "Đặc khu"}


@lru_cache(maxsize=1)
def categories() -> dict[str, dict[str, Any]]:
    """The ten fields from config/categories.yaml, in the order of domain.md."""
    data = yaml.safe_load((CONFIG_DIR / "categories.yaml").read_text(encoding="utf-8"))
    return data["categories"]


def category_label(code: str) -> str:
    return categories().get(code, {}).get("label", code)
