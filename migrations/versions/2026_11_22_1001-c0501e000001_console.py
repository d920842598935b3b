"""console (schema changes of this slice; empty until it needs one)

Revision ID: c0501e000001
Revises: 529a5f2f6dcd
Create Date: 2026-11-22 10:01:00
"""
from __future__ import annotations

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "c0501e000001"
down_revision = "529a5f2f6dcd"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
