"""matters: "có thể cùng vụ việc" suggestions Văn phòng confirms or rejects

- matter_suggestions: a petition the matcher was not sure of, the matter it may belong to, the score, the one
  sentence a clerk checks, the evidence (data), and the answer (pending | confirmed | rejected | dropped).
- three event kinds: matter_suggested, matter_suggestion_confirmed, matter_suggestion_rejected.

No backfill: petitions linked before this revision stay linked (their links were automatic).

Revision ID: e17mat000001
Revises: e20con000001
Create Date: 2026-12-09 04:20:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "e17mat000001"
down_revision = "e20con000001"
branch_labels = None
depends_on = None

OLD_EVENT_KINDS = (
    "received", "classified", "routed", "reclassified", "rerouted", "accepted", "returned", "guided", "transferred",
    "started", "extended", "marked_complex", "answered", "closed", "reopened", "withdrawn", "assigned", "note",
    "matter_opened", "matter_linked", "matter_merged", "matter_split", "matter_renamed", "flag_raised",
    "flag_cleared", "rated", "reopen_requested", "commitment_made", "commitment_met", "commitment_cancelled",
    "commitment_overdue", "citizen_replied", "sender_to_confirm", "representatives_requested",
    "classification_confirmed")  # e20con000001
NEW = ("matter_suggested", "matter_suggestion_confirmed", "matter_suggestion_rejected")
EVENT_KINDS = OLD_EVENT_KINDS + NEW


def _event_kinds(codes: tuple[str, ...]) -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_events_kind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_events_kind"), f"kind IN ({', '.join(repr(c) for c in codes)})")


def upgrade() -> None:
    _event_kinds(EVENT_KINDS)
    op.create_table(
        "matter_suggestions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("petition_id", sa.Integer(), nullable=False),
        sa.Column("matter_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("data", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["petition_id"], ["petitions.id"], name=op.f("fk_matter_suggestions_petition_id_petitions")),
        sa.ForeignKeyConstraint(["matter_id"], ["matters.id"], name=op.f("fk_matter_suggestions_matter_id_matters")),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_matter_suggestions_unit_id_units")),
        sa.ForeignKeyConstraint(["decided_by_id"], ["users.id"], name=op.f("fk_matter_suggestions_decided_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_matter_suggestions")),
        sa.UniqueConstraint("petition_id", "matter_id", name=op.f("uq_matter_suggestions_petition_id_matter_id")),
    )
    op.create_index("ix_matter_suggestions_petition_id", "matter_suggestions", ["petition_id"])
    op.create_index("ix_matter_suggestions_matter_id", "matter_suggestions", ["matter_id"])
    op.create_index("ix_matter_suggestions_unit_state", "matter_suggestions", ["unit_id", "state"])


def downgrade() -> None:
    op.drop_table("matter_suggestions")
    op.execute("DELETE FROM events WHERE kind IN ('matter_suggested', 'matter_suggestion_confirmed', "
               "'matter_suggestion_rejected')")
    _event_kinds(OLD_EVENT_KINDS)
