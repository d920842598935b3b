"""The codes stored in columns (domain.md): kinds, statuses, deadline steps and event kinds as enums.

Each is a `StrEnum`, so a member is the very string the column, the API's JSON and the templates hold
(`Kind.TO_CAO == "to_cao"`). The Vietnamese labels people read are in ONE table per vocabulary, in
`service.domain.codes` (models know no domain). A column declared with `code_type` stores the same strings
and carries a CHECK constraint, so no stray value gets in.

To add a code: add the member here, its labels in `service.domain.codes` (an import-time check insists),
and an Alembic migration that rebuilds the column's CHECK constraint with the new list (as e15voc000001 does:
`batch_op.drop_constraint("ck_<table>_<column>")`, then `batch_op.create_check_constraint`).
"""
from __future__ import annotations

import enum

from sqlalchemy import Enum


class Kind(enum.StrEnum):
    """Loại đơn."""
    PHAN_ANH = "phan_anh"
    KIEN_NGHI = "kien_nghi"
    KHIEU_NAI = "khieu_nai"
    TO_CAO = "to_cao"


class Status(enum.StrEnum):
    """The states of the legal workflow (service.domain.workflow.table)."""
    RECEIVED = "received"
    CLASSIFIED = "classified"
    ACCEPTED = "accepted"
    RETURNED = "returned"
    GUIDED = "guided"
    TRANSFERRED = "transferred"
    IN_PROGRESS = "in_progress"
    ANSWERED = "answered"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"


class Step(enum.StrEnum):
    """The steps a legal deadline is for (config/deadlines.yaml)."""
    XU_LY_DON = "xu_ly_don"
    THU_LY = "thu_ly"
    TRA_LOI = "tra_loi"
    GIAI_QUYET = "giai_quyet"
    CHUYEN_DON = "chuyen_don"


class EventKind(enum.StrEnum):
    """What an event of a petition's or matter's history records."""
    # intake and routing
    RECEIVED = "received"
    CLASSIFIED = "classified"
    ROUTED = "routed"
    RECLASSIFIED = "reclassified"
    REROUTED = "rerouted"
    CLASSIFICATION_CONFIRMED = "classification_confirmed"  # staff confirmed kind, field and office unchanged
    # the workflow's actions (service.domain.workflow.operations.ACTIONS)
    ACCEPTED = "accepted"
    RETURNED = "returned"
    GUIDED = "guided"
    TRANSFERRED = "transferred"
    STARTED = "started"
    EXTENDED = "extended"
    MARKED_COMPLEX = "marked_complex"
    ANSWERED = "answered"
    CLOSED = "closed"
    REOPENED = "reopened"
    WITHDRAWN = "withdrawn"
    # casework
    ASSIGNED = "assigned"
    NOTE = "note"
    MATTER_OPENED = "matter_opened"
    MATTER_LINKED = "matter_linked"
    MATTER_MERGED = "matter_merged"
    MATTER_SPLIT = "matter_split"
    MATTER_RENAMED = "matter_renamed"
    MATTER_SUGGESTED = "matter_suggested"  # "có thể cùng vụ việc": Văn phòng confirms or rejects
    MATTER_SUGGESTION_CONFIRMED = "matter_suggestion_confirmed"
    MATTER_SUGGESTION_REJECTED = "matter_suggestion_rejected"
    FLAG_RAISED = "flag_raised"
    FLAG_CLEARED = "flag_cleared"
    # the citizen
    RATED = "rated"
    REOPEN_REQUESTED = "reopen_requested"
    CITIZEN_REPLIED = "citizen_replied"  # a reply by e-mail to the office mailbox (service.domain.intake.mail)
    SENDER_TO_CONFIRM = "sender_to_confirm"  # a petition by e-mail or SMS: Văn phòng confirms who sent it
    REPRESENTATIVES_REQUESTED = "representatives_requested"  # a crowd by API: Văn phòng completes them (TCD Đ29)
    # dialogues (đối thoại)
    COMMITMENT_MADE = "commitment_made"
    COMMITMENT_MET = "commitment_met"
    COMMITMENT_CANCELLED = "commitment_cancelled"
    COMMITMENT_OVERDUE = "commitment_overdue"


def code_type(codes: type[enum.StrEnum], column: str, length: int) -> Enum:
    """A VARCHAR(length) column holding one of the codes' values, with the CHECK constraint
    `ck_<table>_<column>` (NAMING_CONVENTION); reads give the enum member, writes take a member or its string
    and refuse any other string (LookupError) before it reaches the database."""
    return Enum(codes, name=column, native_enum=False, create_constraint=True, validate_strings=True,
                length=length, values_callable=lambda members: [m.value for m in members])
