"""attachment erasure: attachments.erased_at, set when retention empties a file (Luật Tố cáo Đ47, Đ56)

Revision ID: e14inp000001
Revises: 4e9047000004
Create Date: 2026-12-06 12:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import service.db

revision = "e14inp000001"
down_revision = "4e9047000004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # No backfill: no file was erased before this column existed.
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("erased_at", service.db.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.drop_column("erased_at")
