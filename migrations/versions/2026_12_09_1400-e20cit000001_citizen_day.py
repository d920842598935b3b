"""issue 20 (citizen slice): where a catalogue task comes from

- catalogue_tasks.source: a task the plan's own text lacks says where it comes from (Kim Thành's 4.4 and 4.5:
  the city's list 3177/QĐ-UBND); `flask catalogues sync` (or setup) fills it from config/catalogue.

Revision ID: e20cit000001
Revises: e16not000001
Create Date: 2026-12-09 14:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "e20cit000001"
down_revision = "e16not000001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("catalogue_tasks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("catalogue_tasks", schema=None) as batch_op:
        batch_op.drop_column("source")
