"""the inbox at a million petitions (issue #19): indexes for keyset pages, one unit's view and name search

- ix_petitions_unit_received (unit_id, received_at, id): one unit's petitions in the inbox's second order
  (newest first, the cursor's key); on PostgreSQL it INCLUDEs the columns the access policy and the filters read,
  so a unit's or an office's view reads no table rows (bench/inbox.py: 8,000 heap blocks a page before).
- ix_people_name_folded: a word search also matches the petitioner's exact name; without it every search read
  all of `people` (370 ms at a million).

Revision ID: e19key000001
Revises: e19spd000001
Create Date: 2026-12-09 15:00:00
"""
from __future__ import annotations

from alembic import op

revision = "e19key000001"
down_revision = "e19rep000001"
branch_labels = None
depends_on = None

INCLUDED = ["lead_office_id", "assignee_id", "kind", "status", "category", "channel", "needs_review"]


def upgrade() -> None:
    with op.batch_alter_table("petitions", schema=None) as batch_op:
        batch_op.create_index("ix_petitions_unit_received", ["unit_id", "received_at", "id"], unique=False,
                              postgresql_include=INCLUDED)  # SQLite: the key columns only
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.create_index("ix_people_name_folded", ["name_folded"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_index("ix_people_name_folded")
    with op.batch_alter_table("petitions", schema=None) as batch_op:
        batch_op.drop_index("ix_petitions_unit_received")
