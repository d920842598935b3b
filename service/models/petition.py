"""A petition (đơn): phản ánh, kiến nghị, khiếu nại or tố cáo."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, Index, String, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.db import Base, utcnow
from service.models.vocabulary import Kind, Status, code_type

if TYPE_CHECKING:
    from service.models.attachment import Attachment
    from service.models.deadline import Deadline
    from service.models.matter import Matter
    from service.models.person import Person
    from service.models.unit import Office, Unit


# What one unit's inbox and its periodic report read of a petition, kept in ix_petitions_unit_received on
# PostgreSQL (migration e19own000001 says the same): neither reads the table.
UNIT_COLUMNS = ["lead_office_id", "assignee_id", "kind", "status", "category", "channel", "needs_review", "task_id",
                "anonymous", "co_signer_count", "decision", "decision_at", "settled_at", "reopened_at",
                "first_decided_at", "last_decided_at"]
OPEN_STATUSES = ("received", "classified", "accepted", "in_progress")
REDECIDED = "first_decided_at < last_decided_at"


class Petition(Base):
    __tablename__ = "petitions"
    __table_args__ = (
        Index("ix_petitions_unit_status_received", "unit_id", "status", "received_at"),
        Index("ix_petitions_office_status", "lead_office_id", "status"),
        # The staff inbox (service.domain.casework.search, bench/inbox.py), PostgreSQL only: what the nearest-deadline
        # walk filters on, read without the table; and trigram search of the folded content. On SQLite
        # `WHERE 0` keeps them empty (it has neither INCLUDE nor pg_trgm); the migration says the same.
        Index("ix_petitions_inbox", "id", postgresql_include=["unit_id", "lead_office_id", "assignee_id", "kind",
                                                                "status", "category", "channel", "needs_review",
                                                                "received_at"], sqlite_where=text("0")),
        # (unit_id too, btree_gin: a unit's word search reads that unit's trigrams only, issue #19)
        Index("ix_petitions_unit_content_trgm", "unit_id", "content_folded", postgresql_using="gin",
              postgresql_ops={"content_folded": "gin_trgm_ops"}, sqlite_where=text("0")),
        # One unit's inbox and its periodic report (issue #19): its petitions read from the index alone (the access
        # policy's, the filters' and the report's columns included on PostgreSQL), newest first by cursor. One
        # index for both: every petition written pays for each index of the table.
        Index("ix_petitions_unit_received", "unit_id", "received_at", "id", postgresql_include=UNIT_COLUMNS),
        # The petitions decided more than once: only they can straddle a report's boundary (reports.queries).
        Index("ix_petitions_redecided", "last_decided_at", postgresql_include=["id", "received_at", "first_decided_at",
                                                                              "decision_at", "unit_id"],
              postgresql_where=text(REDECIDED), sqlite_where=text(REDECIDED)),
        # The open petitions' ids: the reports' "open with a step past due" meets the deadlines' open index.
        Index("ix_petitions_open", "id", postgresql_where=text(f"status IN {OPEN_STATUSES}"),
              sqlite_where=text(f"status IN {OPEN_STATUSES}")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)  # tracking code read out over the phone
    kind: Mapped[Kind] = mapped_column(code_type(Kind, "kind", 16))  # khieu_nai | to_cao | kien_nghi | phan_anh
    category: Mapped[str] = mapped_column(String(32), index=True)  # the ten field codes of domain.md
    round: Mapped[int] = mapped_column(default=1)  # lần 1 / lần 2 (complaints)
    channel: Mapped[str] = mapped_column(String(16))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    title: Mapped[str | None]
    content: Mapped[str]
    content_folded: Mapped[str]  # diacritics-free, lower-case: what search matches (redacted, sealed to_cao)
    # Derived once with service.domain.people.redaction (service.domain.people.confidential): what staff who may not see a
    # denouncer, lists, reports, matter titles and public answers read (Luật Tố cáo Điều 47, 56).
    title_redacted: Mapped[str | None]
    content_redacted: Mapped[str | None]  # None only for rows bulk-loaded around intake (benchmarks): derived on read
    place: Mapped[str | None]  # address or place the petition is about
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    received_at: Mapped[dt.datetime] = mapped_column(index=True)
    status: Mapped[Status] = mapped_column(code_type(Status, "status", 24), index=True)
    lead_office_id: Mapped[int | None] = mapped_column(ForeignKey("offices.id"))
    collaborating_office_codes: Mapped[list[Any]] = mapped_column(default=list)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("catalogue_tasks.id"))
    matter_id: Mapped[int | None] = mapped_column(ForeignKey("matters.id"), index=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    anonymous: Mapped[bool] = mapped_column(default=False)
    identity_disclosed: Mapped[bool] = mapped_column(default=False)  # a denouncer who chose to disclose (TC Đ47)
    # Digest of the key a petitioner without a phone looks the petition up with (service.domain.intake.tracking).
    access_key_hash: Mapped[str | None] = mapped_column(String(64))
    co_signer_count: Mapped[int] = mapped_column(default=0)
    # Publication of the answer (issue #21): the citizen allows it when sending (default off), Văn phòng approves
    # (service.domain.accountability.publication); a denunciation is never published whatever was ticked.
    allow_publication: Mapped[bool] = mapped_column(default=False, server_default=false())
    published_at: Mapped[dt.datetime | None]
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    complex: Mapped[bool] = mapped_column(default=False)  # phức tạp: longer deadlines (KN Đ28, TC Đ30)
    needs_review: Mapped[bool] = mapped_column(default=False, index=True)  # cần phân loại lại
    classification: Mapped[dict[str, Any]] = mapped_column(default=dict)  # confidence, cues, source
    routing: Mapped[dict[str, Any]] = mapped_column(default=dict)  # explanation of the routing decision
    # What the channel sent besides the petition (Open311: media_url, attribute[...], device_id, account_id).
    channel_data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    closed_at: Mapped[dt.datetime | None]
    # The workflow's decisions, kept on the row by events.record (issue #19) so the periodic reports need no join
    # over the events: the weightiest decision (withdrawn > accepted/answered > transferred > guided > returned)
    # and when it was first reached; the latest settling and reopening; the first and the last decision event.
    decision: Mapped[str | None] = mapped_column(String(16))
    decision_at: Mapped[dt.datetime | None]
    settled_at: Mapped[dt.datetime | None]
    reopened_at: Mapped[dt.datetime | None]
    first_decided_at: Mapped[dt.datetime | None]
    last_decided_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    unit: Mapped[Unit] = relationship()
    lead_office: Mapped[Office | None] = relationship()
    people: Mapped[list[Person]] = relationship(back_populates="petition", order_by="Person.id")
    attachments: Mapped[list[Attachment]] = relationship(back_populates="petition", order_by="Attachment.id")
    deadlines: Mapped[list[Deadline]] = relationship(back_populates="petition", order_by="Deadline.id")
    # Lets a matter opened by a petition not flushed yet go in the petition's one flush (intake, issue #19).
    matter: Mapped[Matter | None] = relationship(foreign_keys=[matter_id])

    def __repr__(self) -> str:
        return f"<Petition {self.code} {self.kind}/{self.category} {self.status}>"
