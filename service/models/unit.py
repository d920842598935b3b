"""Administrative units (the city, phường, xã, đặc khu) and their offices."""
from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.db import Base


class Unit(Base):
    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)  # ward code of the 2025 list; "31" for the city
    name: Mapped[str] = mapped_column(String(200))  # "Phường Nam Đồ Sơn"
    short_name: Mapped[str] = mapped_column(String(200))  # "Nam Đồ Sơn"
    name_folded: Mapped[str] = mapped_column(String(200), index=True)  # "phuong nam do son", for search
    kind: Mapped[str] = mapped_column(String(16))  # city | phuong | xa | dac_khu
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    remote: Mapped[bool] = mapped_column(default=False)  # vùng sâu, vùng xa, hải đảo (legal.md Defaults)

    parent: Mapped[Unit | None] = relationship(remote_side=[id])
    offices: Mapped[list[Office]] = relationship(back_populates="unit", order_by="Office.id")

    def __repr__(self) -> str:
        return f"<Unit {self.code} {self.name}>"


class Office(Base):
    __tablename__ = "offices"
    __table_args__ = (UniqueConstraint("unit_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))  # van_phong, phong_kinh_te, … (domain.md)
    name: Mapped[str] = mapped_column(String(200))
    telegram_chat_id: Mapped[str | None] = mapped_column(String(64))  # staff group for flags and digests
    zalo_group_id: Mapped[str | None] = mapped_column(String(64))

    unit: Mapped[Unit] = relationship(back_populates="offices")

    def __repr__(self) -> str:
        return f"<Office {self.code}@{self.unit_id}>"
