"""Files sent with a petition (photos, scanned letters, PDF)."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from service.db import Base, utcnow

if TYPE_CHECKING:
    from service.models.petition import Petition


class Attachment(Base):
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    petition_id: Mapped[int] = mapped_column(ForeignKey("petitions.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(64))  # sniffed from the bytes, never from the name
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    # Kept in the database so every web worker and machine sees the same files.
    data: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    reply_id: Mapped[int | None] = mapped_column(ForeignKey("replies.id"), index=True)  # a file of an answer
    handwriting: Mapped[bool] = mapped_column(default=False)  # bút tích of a denouncer (TC Đ56)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # Set when retention emptied the file (data, name, size, hash) of a petition closed beyond the period.
    erased_at: Mapped[dt.datetime | None]

    petition: Mapped[Petition] = relationship(back_populates="attachments")

    def __repr__(self) -> str:
        return f"<Attachment {self.filename} {self.content_type} {self.size}B>"
