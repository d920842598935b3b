"""What the government sends the citizen: notices and answers."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from service.db import Base, utcnow


class Reply(Base):
    __tablename__ = "replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    petition_id: Mapped[int] = mapped_column(ForeignKey("petitions.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))  # answer | thu_ly | khong_thu_ly | chuyen_don | huong_dan | …
    text: Mapped[str]
    document_number: Mapped[str | None] = mapped_column(String(64))  # số văn bản, if any
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<Reply {self.kind} to petition {self.petition_id}>"
