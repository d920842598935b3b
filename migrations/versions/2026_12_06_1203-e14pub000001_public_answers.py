"""public answers: the access key of petitions without a phone, and failed status look-ups (issue #14)

Revision ID: e14pub000001
Revises: 4e9047000004
Create Date: 2026-12-06 12:03:00

Existing petitions get no key (none could be delivered to their senders): one without a phone on record is
from now on found only by its chat user (bots) or by staff, never by its code alone.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import service.db

revision = "e14pub000001"
down_revision = "e14inp000001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("petitions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("access_key_hash", sa.String(length=64), nullable=True))
    op.create_table(
        "lookup_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=8), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("at", service.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lookup_failures")),
    )
    with op.batch_alter_table("lookup_failures", schema=None) as batch_op:
        batch_op.create_index("ix_lookup_failures_scope_key_at", ["scope", "key", "at"], unique=False)
        batch_op.create_index(batch_op.f("ix_lookup_failures_at"), ["at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("lookup_failures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lookup_failures_at"))
        batch_op.drop_index("ix_lookup_failures_scope_key_at")
    op.drop_table("lookup_failures")
    with op.batch_alter_table("petitions", schema=None) as batch_op:
        batch_op.drop_column("access_key_hash")
