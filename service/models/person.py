"""People on a petition: the petitioner, co-signers and representatives."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from service.crypto import EncryptedText, lookup_hash
from service.db import Base, utcnow

if TYPE_CHECKING:
    from service.models.petition import Petition


class Person(Base):
    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    petition_id: Mapped[int] = mapped_column(ForeignKey("petitions.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))  # petitioner | co_signer
    representative: Mapped[bool] = mapped_column(default=False)  # người đại diện (Luật TCD Điều 29)
    name: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(20), index=True)  # normalised "0xxxxxxxxx"
    email: Mapped[str | None] = mapped_column(String(254))
    address: Mapped[str | None]
    # CCCD: sensitive personal data, stored encrypted (Luật BVDLCN 91/2025/QH15); found by its keyed hash.
    id_number: Mapped[str | None] = mapped_column(EncryptedText())
    id_number_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    # Indexed: a word search also looks for the petitioner's exact name (casework.lookup), on every inbox search.
    name_folded: Mapped[str | None] = mapped_column(String(200), index=True)
    chat_channel: Mapped[str | None] = mapped_column(String(16))  # telegram | zalo, for replies
    chat_user_id: Mapped[str | None] = mapped_column(String(64))
    # Channels the citizen refused in the form: notices then go elsewhere (Luật BVDLCN 91/2025/QH15).
    refuses_sms: Mapped[bool] = mapped_column(default=False, server_default=false())
    refuses_email: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    anonymised_at: Mapped[dt.datetime | None]  # personal data erased when its retention period ended

    petition: Mapped[Petition] = relationship(back_populates="people")

    @validates("id_number")
    def _hash_id_number(self, _key: str, value: str | None) -> str | None:
        self.id_number_hash = lookup_hash(value)
        return value

    def __repr__(self) -> str:
        return f"<Person {self.id} {self.role} of petition {self.petition_id}>"
