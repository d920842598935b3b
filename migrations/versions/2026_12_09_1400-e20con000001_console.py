"""console: canned answers per office and kind, who read a petition, "xác nhận phân loại"

- canned_answers: an office's "mẫu trả lời" for one kind of petition, edited by the office head and Văn phòng.
- petition_reads: a staff user read a petition (opened it or marked it read in the inbox; bulk, with undo).
- events.kind gains classification_confirmed: staff confirmed the classification without changing it.

Revision ID: e20con000001
Revises: e22rec000001
Create Date: 2026-12-09 14:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import service.db

revision = "e20con000001"
down_revision = "e22rec000001"
branch_labels = None
depends_on = None

OLD_EVENT_KINDS = (
    "received", "classified", "routed", "reclassified", "rerouted", "accepted", "returned", "guided", "transferred",
    "started", "extended", "marked_complex", "answered", "closed", "reopened", "withdrawn", "assigned", "note",
    "matter_opened", "matter_linked", "matter_merged", "matter_split", "matter_renamed", "flag_raised",
    "flag_cleared", "rated", "reopen_requested", "commitment_made", "commitment_met", "commitment_cancelled",
    "commitment_overdue", "citizen_replied", "sender_to_confirm", "representatives_requested")
EVENT_KINDS = OLD_EVENT_KINDS + ("classification_confirmed",)


def _event_kinds(codes: tuple[str, ...]) -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_events_kind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_events_kind"), f"kind IN ({', '.join(repr(c) for c in codes)})")


def upgrade() -> None:
    _event_kinds(EVENT_KINDS)
    op.create_table(
        "canned_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", service.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", service.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["office_id"], ["offices.id"], name=op.f("fk_canned_answers_office_id_offices")),
        sa.ForeignKeyConstraint(["updated_by_id"], ["users.id"], name=op.f("fk_canned_answers_updated_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_canned_answers")),
    )
    op.create_index(op.f("ix_canned_answers_office_id"), "canned_answers", ["office_id"])
    op.create_table(
        "petition_reads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("petition_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("read_at", service.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["petition_id"], ["petitions.id"], name=op.f("fk_petition_reads_petition_id_petitions")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_petition_reads_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_petition_reads")),
        sa.UniqueConstraint("petition_id", "user_id", name=op.f("uq_petition_reads_petition_id_user_id")),
    )
    op.create_index(op.f("ix_petition_reads_user_id"), "petition_reads", ["user_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_petition_reads_user_id"), table_name="petition_reads")
    op.drop_table("petition_reads")
    op.drop_index(op.f("ix_canned_answers_office_id"), table_name="canned_answers")
    op.drop_table("canned_answers")
    op.execute("DELETE FROM events WHERE kind = 'classification_confirmed'")
    _event_kinds(OLD_EVENT_KINDS)
