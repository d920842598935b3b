"""the inspector's inbox at a million petitions (issue #19): open flags by code with their petition

ix_flags_open_petition (code, petition_id) WHERE cleared_at IS NULL: the inspector's access rule (denunciations,
or an open dong_nguoi / phuc_tap_keo_dai flag) and the `flag=` filter read the petitions of open flags from the
index alone; through ix_flags_code_open they read the flags table (812 blocks, ~10 ms each time a page asks,
two or three times a page; bench/inbox.py).

Revision ID: e19inb000001
Revises: e19sig000001
Create Date: 2026-12-10 10:40:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "e19inb000001"
down_revision = "e19sig000001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("flags", schema=None) as batch_op:
        batch_op.create_index("ix_flags_open_petition", ["code", "petition_id"], unique=False,
                              postgresql_where=sa.text("cleared_at IS NULL"), sqlite_where=sa.text("cleared_at IS NULL"))


def downgrade() -> None:
    with op.batch_alter_table("flags", schema=None) as batch_op:
        batch_op.drop_index("ix_flags_open_petition")
