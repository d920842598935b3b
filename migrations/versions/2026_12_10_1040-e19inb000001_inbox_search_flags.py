"""the inbox at a million petitions (issue #19): word search within a unit, open flags with their petition

- ix_petitions_unit_content_trgm, GIN (unit_id, content_folded gin_trgm_ops) on PostgreSQL (btree_gin, a trusted
  extension), replaces ix_petitions_content_trgm: a unit's or an office's word search reads the trigrams of that
  unit's petitions only (GIN skips through the other posting lists), where the trigram index alone gave every
  match of the city ("duong": 368,623 rows, 150 ms, for 949 in the unit); a search across units uses its trigram
  column alone, as before. SQLite keeps it empty (WHERE 0), as it kept the old one.
- ix_flags_open_petition (code, petition_id) WHERE cleared_at IS NULL: the inspector's access rule (denunciations,
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


TRGM = {"content_folded": "gin_trgm_ops"}


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")  # a trusted extension: the database owner may
    with op.batch_alter_table("petitions", schema=None) as batch_op:
        batch_op.create_index("ix_petitions_unit_content_trgm", ["unit_id", "content_folded"], unique=False,
                              postgresql_using="gin", postgresql_ops=TRGM, sqlite_where=sa.text("0"))
        batch_op.drop_index("ix_petitions_content_trgm")
    with op.batch_alter_table("flags", schema=None) as batch_op:
        batch_op.create_index("ix_flags_open_petition", ["code", "petition_id"], unique=False,
                              postgresql_where=sa.text("cleared_at IS NULL"), sqlite_where=sa.text("cleared_at IS NULL"))


def downgrade() -> None:
    with op.batch_alter_table("flags", schema=None) as batch_op:
        batch_op.drop_index("ix_flags_open_petition")
    with op.batch_alter_table("petitions", schema=None) as batch_op:
        batch_op.create_index("ix_petitions_content_trgm", ["content_folded"], unique=False, postgresql_using="gin",
                              postgresql_ops=TRGM, sqlite_where=sa.text("0"))
        batch_op.drop_index("ix_petitions_unit_content_trgm")
