"""The 114 commune-level units of Hải Phòng after the 2025 reorganisation, plus the city, and their offices.

Loaded from the `vietnam-provinces` package, never typed by hand.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.domain import reference
from service.domain.text import fold
from service.models.unit import Office, Unit

HAI_PHONG_PROVINCE_CODE = 31
CITY_CODE = "31"

# The island special zones are remote by default (legal.md Defaults); config may add more.
DEFAULT_REMOTE_UNITS = frozenset({"11914", "11948"})  # Đặc khu Cát Hải, Đặc khu Bạch Long Vĩ

COMMUNE_OFFICES: dict[str, str] = {
    "van_phong": "Văn phòng HĐND và UBND",
    "phong_kinh_te": "Phòng Kinh tế",
    "phong_vhxh": "Phòng Văn hóa - Xã hội",
    "cong_an": "Công an",
    "trung_tam_hcc": "Trung tâm Phục vụ hành chính công",
}

CITY_OFFICES: dict[str, str] = {
    "vp_ubnd_tp": "Văn phòng UBND thành phố",
    "thanh_tra_tp": "Thanh tra thành phố",
    "so_xay_dung": "Sở Xây dựng",
    "so_nn_mt": "Sở Nông nghiệp và Môi trường",
    "so_noi_vu": "Sở Nội vụ",
    "so_khcn": "Sở Khoa học và Công nghệ",
    "bql_kkt": "Ban Quản lý Khu kinh tế",
    "tt_ptqd": "Trung tâm Phát triển quỹ đất",
    "so_tai_chinh": "Sở Tài chính",
    "so_tu_phap": "Sở Tư pháp",
    "so_cong_thuong": "Sở Công Thương",
    "so_vhttdl": "Sở Văn hóa, Thể thao và Du lịch",
    "so_gddt": "Sở Giáo dục và Đào tạo",
    "so_y_te": "Sở Y tế",
    "cong_an_tp": "Công an thành phố",
    "ban_tcd_tp": "Ban Tiếp công dân thành phố",
}

_KINDS = {"PHUONG": "phuong", "XA": "xa", "DAC_KHU": "dac_khu"}


@dataclass(frozen=True)
class UnitRow:
    code: str
    name: str
    kind: str


def hai_phong_units() -> list[UnitRow]:
    """The city and its communes, as the vietnam-provinces package lists them."""
    from vietnam_provinces import Province, Ward

    city = Province.from_code(HAI_PHONG_PROVINCE_CODE)
    rows = [UnitRow(CITY_CODE, city.name, "city")]
    for ward in Ward.iter_by_province(HAI_PHONG_PROVINCE_CODE):
        code = getattr(ward.code, "value", ward.code)
        rows.append(UnitRow(str(code), ward.name, _KINDS[ward.division_type.name]))
    return rows


def short_name(name: str) -> str:
    for prefix in ("Thành phố ", "Phường ", "Xã ", "Đặc khu "):
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def load_units(session: Session, remote_codes: frozenset[str] = DEFAULT_REMOTE_UNITS) -> int:
    """Insert or update every unit and its standard offices; safe to re-run. Returns the unit count."""
    existing = {u.code: u for u in session.scalars(select(Unit))}
    city = None
    for row in hai_phong_units():
        unit = existing.get(row.code) or Unit(code=row.code)
        unit.name, unit.short_name, unit.kind = row.name, short_name(row.name), row.kind
        unit.name_folded = fold(row.name)
        unit.remote = row.code in remote_codes
        if row.kind == "city":
            city = unit
        else:
            unit.parent = city
        session.add(unit)
        session.flush()
        _ensure_offices(session, unit, CITY_OFFICES if row.kind == "city" else COMMUNE_OFFICES)
    return session.scalar(select(func.count()).select_from(Unit)) or 0


def _ensure_offices(session: Session, unit: Unit, offices: dict[str, str]) -> None:
    have = {o.code for o in unit.offices}
    for code, name in offices.items():
        if code not in have:
            session.add(Office(unit_id=unit.id, code=code, name=_office_name(name, unit)))


def _office_name(name: str, unit: Unit) -> str:
    if name == "Công an":
        prefix = unit.name.removesuffix(unit.short_name).strip().lower()  # "xã", "phường", "đặc khu"
        return f"Công an {prefix} {unit.short_name}"
    return name


def find_unit(session: Session, code_or_name: str) -> Unit | None:
    """A unit by its code, or by its Vietnamese name with or without diacritics and prefix."""
    value = (code_or_name or "").strip()
    if not value:
        return None
    row = reference.cached(session, "unit", value, lambda: _unit_row(session, value))
    if row is not None:
        return reference.attach(session, Unit, UNIT_COLUMNS, row)
    folded = fold(value)
    matches = session.scalars(select(Unit).where(Unit.name_folded == folded)).all()
    if not matches:
        matches = [u for u in session.scalars(select(Unit)) if fold(u.short_name) == folded]
    return matches[0] if len(matches) == 1 else None


def search_units(session: Session, query: str, limit: int = 10) -> list[Unit]:
    """Units whose folded name contains every folded word of the query."""
    words = fold(query).split()
    stmt = select(Unit).order_by(Unit.kind != "city", Unit.name)
    units = session.scalars(stmt).all()
    return [u for u in units if all(w in u.name_folded for w in words)][:limit]


UNIT_COLUMNS = ("id", "code", "name", "short_name", "name_folded", "kind", "parent_id", "remote")
# The staff groups' chat ids too: a flag's notice goes to them (notifications.outbox.office_targets) without a read
# per notice; a group registered by `bots.admin` in another process is used within reference.TTL.
OFFICE_COLUMNS = ("id", "unit_id", "code", "name", "telegram_chat_id", "zalo_group_id")


def _unit_row(session: Session, code: str) -> tuple | None:
    unit = session.scalar(select(Unit).where(Unit.code == code))
    return reference.row_values(unit, UNIT_COLUMNS) if unit is not None else None


def unit_offices(session: Session, unit_id: int) -> dict[str, tuple]:
    """The unit's offices by code (cached reference data, `reference`)."""
    def load() -> dict[str, tuple]:
        rows = session.execute(select(*(getattr(Office, c) for c in OFFICE_COLUMNS)).where(Office.unit_id == unit_id))
        return {r.code: tuple(r) for r in rows}
    return reference.cached(session, "offices", unit_id, load)


def office_of(session: Session, unit: Unit, code: str) -> Office | None:
    row = unit_offices(session, unit.id).get(code)
    return reference.attach(session, Office, OFFICE_COLUMNS, row) if row is not None else None
