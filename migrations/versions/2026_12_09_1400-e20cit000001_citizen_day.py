"""issue 20 (citizen slice): where a catalogue task comes from; dialogue sessions edited, postponed, cancelled;
the versions of a dialogue briefing

- catalogue_tasks.source: a task the plan's own text lacks says where it comes from (Kim Thành's 4.4 and 4.5:
  the city's list 3177/QĐ-UBND); `flask catalogues sync` (or setup) fills it from config/catalogue.
- dialogue_sessions.cancelled_at, .history (JSON list of edits, postponements, the cancellation); status may be
  "cancelled" (a String(16) without a CHECK, as before).
- dialogue_briefing_versions: every compilation of a briefing, numbered per session. Existing briefings are
  kept as version 1 of their session.

Revision ID: e20cit000001
Revises: e18pro000001
Create Date: 2026-12-09 14:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import service.db

revision = "e20cit000001"
down_revision = "e18pro000001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("catalogue_tasks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source", sa.Text(), nullable=True))
    with op.batch_alter_table("dialogue_sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cancelled_at", service.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("history", service.db.JsonDoc, nullable=False, server_default="[]"))
    op.create_table(
        "dialogue_briefing_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("briefing", service.db.JsonDoc, nullable=False),
        sa.Column("compiled_at", service.db.UTCDateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"],
                                name=op.f("fk_dialogue_briefing_versions_created_by_id_users")),
        sa.ForeignKeyConstraint(["session_id"], ["dialogue_sessions.id"],
                                name=op.f("fk_dialogue_briefing_versions_session_id_dialogue_sessions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dialogue_briefing_versions")),
        sa.UniqueConstraint("session_id", "number", name=op.f("uq_dialogue_briefing_versions_session_id_number")),
    )
    with op.batch_alter_table("dialogue_briefing_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dialogue_briefing_versions_session_id"), ["session_id"], unique=False)
    # The briefings compiled so far become version 1 of their session.
    sessions = sa.table("dialogue_sessions", sa.column("id", sa.Integer), sa.column("briefing", service.db.JsonDoc),
                        sa.column("created_by_id", sa.Integer), sa.column("created_at", service.db.UTCDateTime()))
    versions = sa.table("dialogue_briefing_versions", sa.column("session_id", sa.Integer),
                        sa.column("number", sa.Integer), sa.column("briefing", service.db.JsonDoc),
                        sa.column("compiled_at", service.db.UTCDateTime()), sa.column("created_by_id", sa.Integer))
    bind = op.get_bind()
    rows = [dict(session_id=r.id, number=1, briefing=r.briefing, compiled_at=r.created_at,
                 created_by_id=r.created_by_id)
            for r in bind.execute(sa.select(sessions)) if (r.briefing or {}).get("compiled_at")]
    if rows:
        op.bulk_insert(versions, rows)


def downgrade() -> None:
    with op.batch_alter_table("dialogue_briefing_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dialogue_briefing_versions_session_id"))
    op.drop_table("dialogue_briefing_versions")
    with op.batch_alter_table("dialogue_sessions", schema=None) as batch_op:
        batch_op.drop_column("history")
        batch_op.drop_column("cancelled_at")
    with op.batch_alter_table("catalogue_tasks", schema=None) as batch_op:
        batch_op.drop_column("source")
