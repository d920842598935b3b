"""dialogues (schema changes of this slice; empty until it needs one)

Revision ID: d1a106000002
Revises: c0501e000001
Create Date: 2026-11-22 10:02:00
"""
from __future__ import annotations

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "d1a106000002"
down_revision = "c0501e000001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
