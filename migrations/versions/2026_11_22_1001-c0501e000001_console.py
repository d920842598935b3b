"""console: indexes of the staff inbox

The inbox lists petitions nearest open deadline first by walking open deadlines in due order
(ix_deadlines_open_nearest, covering petition_id and step) and checking that none of the same
petition's comes earlier (ix_deadlines_open_petition). On PostgreSQL, ix_petitions_inbox covers the
columns the walk filters on, so it never reads the table, and a pg_trgm GIN index serves the
diacritics-free search (`content_folded LIKE '%word%'`). SQLite has neither INCLUDE nor pg_trgm: those
two are created there with `WHERE 0` (empty), as the models declare them. bench/inbox.py measures all.

Revision ID: c0501e000001
Revises: 529a5f2f6dcd
Create Date: 2026-11-22 10:01:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "c0501e000001"
down_revision = "529a5f2f6dcd"
branch_labels = None
depends_on = None

OPEN = "met_at IS NULL AND cancelled_at IS NULL"
INBOX_COLUMNS = ["unit_id", "lead_office_id", "assignee_id", "kind", "status", "category", "channel", "needs_review",
                 "received_at"]


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")  # a trusted extension: the database owner may
    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        batch_op.create_index("ix_deadlines_open_nearest", ["due_at", "id"], unique=False,
                              postgresql_include=["petition_id", "step"], postgresql_where=sa.text(OPEN),
                              sqlite_where=sa.text(OPEN))
        batch_op.create_index("ix_deadlines_open_petition", ["petition_id", "due_at", "id"], unique=False,
                              postgresql_where=sa.text(OPEN), sqlite_where=sa.text(OPEN))
    with op.batch_alter_table("petitions", schema=None) as batch_op:
        batch_op.create_index("ix_petitions_inbox", ["id"], unique=False, postgresql_include=INBOX_COLUMNS,
                              sqlite_where=sa.text("0"))
        batch_op.create_index("ix_petitions_content_trgm", ["content_folded"], unique=False, postgresql_using="gin",
                              postgresql_ops={"content_folded": "gin_trgm_ops"}, sqlite_where=sa.text("0"))


def downgrade() -> None:
    # pg_trgm stays installed: dropping an extension may break what others built on it.
    with op.batch_alter_table("petitions", schema=None) as batch_op:
        batch_op.drop_index("ix_petitions_content_trgm")
        batch_op.drop_index("ix_petitions_inbox")
    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        batch_op.drop_index("ix_deadlines_open_petition")
        batch_op.drop_index("ix_deadlines_open_nearest")
