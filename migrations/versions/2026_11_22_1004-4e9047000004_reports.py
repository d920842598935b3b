"""reports: an index of the workflow decisions of each petition (periodic reports, bench/reports.py)

Revision ID: 4e9047000004
Revises: 5ec0e1000003
Create Date: 2026-11-22 10:04:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "4e9047000004"
down_revision = "5ec0e1000003"
branch_labels = None
depends_on = None

# The same predicate as service.models.event.DECISION_EVENTS_WHERE (a migration never imports models).
WHERE = "kind IN ('accepted', 'answered', 'returned', 'guided', 'transferred', 'withdrawn', 'closed', 'reopened')"


def upgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index("ix_events_decisions", ["petition_id", "kind", "at"], unique=False,
                              postgresql_where=sa.text(WHERE), sqlite_where=sa.text(WHERE))


def downgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_decisions", postgresql_where=sa.text(WHERE), sqlite_where=sa.text(WHERE))
