"""accountability: published answers, heads of offices over time, the plans' tasks tracked (issue #21)

- petitions.allow_publication / published_at / published_by_id: the citizen allows publication when sending
  (default off), Văn phòng approves; a denunciation is never published.
- office_heads: who headed an office from when until when (scorecards credit the head at the time).
- plan_task_states / plan_task_notes: each catalogue task's status in a unit, progress notes, evidence files.

Backfill: every existing petition stays unpublished and not allowed (nobody was asked); each active user with
the office_head role becomes the head of their office from the moment the account was created.

Revision ID: e21pub000001
Revises: e16not000001
Create Date: 2026-12-09 12:10:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import service.db

revision = "e21pub000001"
down_revision = "e16not000001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("petitions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("allow_publication", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("published_at", service.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("published_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_petitions_published_by_id_users", "users", ["published_by_id"], ["id"])
    op.create_table(
        "office_heads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("from_at", service.db.UTCDateTime(), nullable=False),
        sa.Column("until_at", service.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["office_id"], ["offices.id"], name=op.f("fk_office_heads_office_id_offices")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_office_heads_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_office_heads")),
    )
    with op.batch_alter_table("office_heads", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_office_heads_office_id"), ["office_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_office_heads_user_id"), ["user_id"], unique=False)
    op.create_table(
        "plan_task_states",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("plan_code", sa.String(length=64), nullable=False),
        sa.Column("task_code", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("completed_at", service.db.UTCDateTime(), nullable=True),
        sa.Column("updated_at", service.db.UTCDateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_plan_task_states_unit_id_units")),
        sa.ForeignKeyConstraint(["updated_by_id"], ["users.id"], name=op.f("fk_plan_task_states_updated_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_task_states")),
        sa.UniqueConstraint("unit_id", "plan_code", "task_code",
                            name=op.f("uq_plan_task_states_unit_id_plan_code_task_code")),
    )
    with op.batch_alter_table("plan_task_states", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_task_states_unit_id"), ["unit_id"], unique=False)
    op.create_table(
        "plan_task_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("state_id", sa.Integer(), nullable=False),
        sa.Column("at", service.db.UTCDateTime(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=True),
        sa.Column("content_type", sa.String(length=64), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("data", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], name=op.f("fk_plan_task_notes_author_id_users")),
        sa.ForeignKeyConstraint(["state_id"], ["plan_task_states.id"],
                                name=op.f("fk_plan_task_notes_state_id_plan_task_states")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_task_notes")),
    )
    with op.batch_alter_table("plan_task_notes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_task_notes_state_id"), ["state_id"], unique=False)
    op.execute("INSERT INTO office_heads (office_id, user_id, from_at) SELECT office_id, id, created_at FROM users "
               "WHERE role = 'office_head' AND office_id IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table("plan_task_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_task_notes_state_id"))
    op.drop_table("plan_task_notes")
    with op.batch_alter_table("plan_task_states", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_task_states_unit_id"))
    op.drop_table("plan_task_states")
    with op.batch_alter_table("office_heads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_office_heads_user_id"))
        batch_op.drop_index(batch_op.f("ix_office_heads_office_id"))
    op.drop_table("office_heads")
    with op.batch_alter_table("petitions", schema=None) as batch_op:
        batch_op.drop_constraint("fk_petitions_published_by_id_users", type_="foreignkey")
        batch_op.drop_column("published_by_id")
        batch_op.drop_column("published_at")
        batch_op.drop_column("allow_publication")
