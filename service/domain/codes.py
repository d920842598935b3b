"""The codes of domain.md (contracts) with the Vietnamese labels people see: ONE table of labels per vocabulary.

The codes stored in columns are enums of `service.models.vocabulary` (models know no domain), re-exported
here; each table below is keyed by its enum, and an import-time check insists every code has its labels.
A `StrEnum` member is its string, so `KINDS["to_cao"]` and `KINDS[Kind.TO_CAO]` are the same entry.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from service.models.vocabulary import EventKind, Kind, Status, Step

__all__ = ["ACTIONS", "CHANNELS", "EVENTS", "FLAGS", "KINDS", "ROLES", "STAFF_CHANNELS", "STATUSES", "STEPS",
           "UNIT_KINDS", "Action", "EventKind", "EventLabel", "Kind", "Status", "Step", "categories",
           "category_label", "event_label"]

CONFIG_DIR = Path(__file__).resolve().parents[2] / "config"

KINDS: dict[Kind, str] = {
    Kind.PHAN_ANH: "Phản ánh",
    Kind.KIEN_NGHI: "Kiến nghị",
    Kind.KHIEU_NAI: "Khiếu nại",
    Kind.TO_CAO: "Tố cáo",
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

STATUSES: dict[Status, str] = {
    Status.RECEIVED: "Đã tiếp nhận",
    Status.CLASSIFIED: "Đã phân loại",
    Status.ACCEPTED: "Đã thụ lý",
    Status.RETURNED: "Đã trả lại đơn",
    Status.GUIDED: "Đã hướng dẫn",
    Status.TRANSFERRED: "Đã chuyển đơn",
    Status.IN_PROGRESS: "Đang giải quyết",
    Status.ANSWERED: "Đã trả lời",
    Status.CLOSED: "Đã đóng",
    Status.WITHDRAWN: "Đã rút đơn",
}

FLAGS: dict[str, str] = {
    "dong_nguoi": "Đông người",
    "phuc_tap_keo_dai": "Phức tạp, kéo dài",
    "qua_han": "Quá hạn",
    "sap_han": "Sắp hạn",
}

STEPS: dict[Step, str] = {
    Step.XU_LY_DON: "Xử lý đơn",
    Step.THU_LY: "Thụ lý",
    Step.TRA_LOI: "Trả lời",
    Step.GIAI_QUYET: "Giải quyết",
    Step.CHUYEN_DON: "Chuyển đơn",
}

class Action(enum.StrEnum):
    """What staff do to a petition: the legal workflow's moves (allowed by `workflow.table.TRANSITIONS`, done by
    `workflow.operations.perform`), then the casework commands of the console and the API."""
    CLASSIFY = "classify"
    ACCEPT = "accept"
    RETURN = "return"
    GUIDE = "guide"
    TRANSFER = "transfer"
    START = "start"
    EXTEND = "extend"
    MARK_COMPLEX = "mark_complex"
    ANSWER = "answer"
    CLOSE = "close"
    REOPEN = "reopen"
    WITHDRAW = "withdraw"
    ROUTE = "route"
    ASSIGN = "assign"
    NOTE = "note"
    MERGE_MATTER = "merge_matter"
    SPLIT_MATTER = "split_matter"
    RENAME_MATTER = "rename_matter"
    CLEAR_FLAG = "clear_flag"


# What the console's buttons and messages call each action.
ACTIONS: dict[Action, str] = {
    Action.CLASSIFY: "Xác nhận hoặc sửa phân loại",
    Action.ACCEPT: "Thụ lý",
    Action.RETURN: "Trả lại đơn",
    Action.GUIDE: "Hướng dẫn",
    Action.TRANSFER: "Chuyển đơn đến cơ quan có thẩm quyền",
    Action.START: "Bắt đầu giải quyết",
    Action.EXTEND: "Gia hạn",
    Action.MARK_COMPLEX: "Xác định vụ việc phức tạp",
    Action.ANSWER: "Trả lời",
    Action.CLOSE: "Đóng hồ sơ",
    Action.REOPEN: "Mở lại",
    Action.WITHDRAW: "Ghi nhận rút đơn",
    Action.ROUTE: "Chuyển phòng ban, đơn vị",
    Action.ASSIGN: "Giao người xử lý",
    Action.NOTE: "Thêm ghi chú nội bộ",
    Action.MERGE_MATTER: "Gộp vụ việc",
    Action.SPLIT_MATTER: "Tách đơn khỏi vụ việc",
    Action.RENAME_MATTER: "Đổi tên vụ việc",
    Action.CLEAR_FLAG: "Gỡ cờ",
}


@dataclass(frozen=True)
class EventLabel:
    staff: str  # the console's history, the dialogue briefing, the flag digests
    citizen: str | None = None  # the citizen's status page and chat look-up (public events); None: staff's words


E = EventKind
# What each event of a history is called: by staff, and on the citizen's timeline when the event is public.
EVENTS: dict[EventKind, EventLabel] = {
    E.RECEIVED: EventLabel("Tiếp nhận đơn", "Đã tiếp nhận đơn"),
    E.CLASSIFIED: EventLabel("Phân loại", "Đã phân loại"),
    E.ROUTED: EventLabel("Giao phòng ban chủ trì"),
    E.RECLASSIFIED: EventLabel("Sửa phân loại"),
    E.REROUTED: EventLabel("Chuyển phòng ban, đơn vị"),
    E.CLASSIFICATION_CONFIRMED: EventLabel("Xác nhận phân loại"),
    E.ACCEPTED: EventLabel("Thụ lý", "Đã thụ lý"),
    E.RETURNED: EventLabel("Trả lại đơn (không thụ lý)", "Đã trả lại đơn"),
    E.GUIDED: EventLabel("Hướng dẫn gửi đơn", "Đã hướng dẫn"),
    E.TRANSFERRED: EventLabel("Chuyển đơn", "Đã chuyển đơn tới cơ quan có thẩm quyền"),
    E.STARTED: EventLabel("Bắt đầu giải quyết", "Đã bắt đầu giải quyết"),
    E.EXTENDED: EventLabel("Gia hạn", "Đã gia hạn giải quyết"),
    E.MARKED_COMPLEX: EventLabel("Xác định vụ việc phức tạp"),
    E.ANSWERED: EventLabel("Trả lời", "Đã trả lời"),
    E.CLOSED: EventLabel("Đóng hồ sơ", "Đã đóng hồ sơ"),
    E.REOPENED: EventLabel("Mở lại", "Đã mở lại"),
    E.WITHDRAWN: EventLabel("Rút đơn", "Đã rút đơn"),
    E.ASSIGNED: EventLabel("Giao người xử lý"),
    E.NOTE: EventLabel("Ghi chú nội bộ"),
    E.MATTER_OPENED: EventLabel("Mở vụ việc"),
    E.MATTER_LINKED: EventLabel("Ghép đơn vào vụ việc"),
    E.MATTER_MERGED: EventLabel("Gộp vụ việc"),
    E.MATTER_SPLIT: EventLabel("Tách đơn khỏi vụ việc"),
    E.MATTER_RENAMED: EventLabel("Đổi tên vụ việc"),
    E.MATTER_SUGGESTED: EventLabel("Gợi ý: có thể cùng vụ việc"),
    E.MATTER_SUGGESTION_CONFIRMED: EventLabel("Xác nhận cùng vụ việc"),
    E.MATTER_SUGGESTION_REJECTED: EventLabel("Không cùng vụ việc"),
    E.FLAG_RAISED: EventLabel("Gắn cờ"),
    E.FLAG_CLEARED: EventLabel("Gỡ cờ"),
    E.RATED: EventLabel("Công dân đánh giá", "Công dân đã đánh giá"),
    E.REOPEN_REQUESTED: EventLabel("Công dân đề nghị xem xét lại", "Đã đề nghị xem xét lại"),
    E.CITIZEN_REPLIED: EventLabel("Công dân phản hồi qua thư điện tử", "Đã nhận phản hồi của bạn"),
    E.SENDER_TO_CONFIRM: EventLabel("Cần xác nhận người gửi"),
    E.REPRESENTATIVES_REQUESTED: EventLabel("Đề nghị Văn phòng hoàn thiện người đại diện"),
    E.COMMITMENT_MADE: EventLabel("Cam kết tại đối thoại", "Cơ quan cam kết tại buổi đối thoại"),
    E.COMMITMENT_MET: EventLabel("Thực hiện xong cam kết", "Đã thực hiện cam kết"),
    E.COMMITMENT_CANCELLED: EventLabel("Hủy cam kết", "Cam kết đã được hủy"),
    E.COMMITMENT_OVERDUE: EventLabel("Cam kết quá hạn"),
}
del E


def event_label(kind: str, *, citizen: bool = False) -> str:
    """The words for an event kind: staff's, or with `citizen=True` the citizen's; an unknown kind as it is."""
    label = EVENTS.get(kind)  # type: ignore[call-overload]  (a StrEnum key is found by its string)
    if label is None:
        return kind
    return (label.citizen or label.staff) if citizen else label.staff


ROLES: dict[str, str] = {
    "admin": "Quản trị",
    "staff": "Cán bộ",
    "office_head": "Trưởng phòng",
    "chairperson": "Chủ tịch UBND",
    "inspector": "Thanh tra",
}

UNIT_KINDS: dict[str, str] = {"city": "Thành phố", "phuong": "Phường", "xa": "Xã", "dac_khu": "Đặc khu"}


def categories() -> dict[str, dict[str, Any]]:
    """The ten fields from config/categories.yaml, in the order of domain.md (re-read when the file changes)."""
    path = CONFIG_DIR / "categories.yaml"
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        stamp = 0
    return _categories(stamp)


@lru_cache(maxsize=2)
def _categories(_stamp: int) -> dict[str, dict[str, Any]]:
    data = yaml.safe_load((CONFIG_DIR / "categories.yaml").read_text(encoding="utf-8"))
    return data["categories"]


def category_label(code: str) -> str:
    return categories().get(code, {}).get("label", code)


for _codes, _labels in ((Kind, KINDS), (Status, STATUSES), (Step, STEPS), (Action, ACTIONS), (EventKind, EVENTS)):
    assert set(_codes) == set(_labels), f"every {_codes.__name__} needs its labels, and only those: " \
                                        f"{set(_codes) ^ set(_labels)}"
