"""reports (schema changes of this slice; empty until it needs one)

Revision ID: 4e9047000004
Revises: 5ec0e1000003
Create Date: 2026-11-22 10:04:00
"""
from __future__ import annotations

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "4e9047000004"
down_revision = "5ec0e1000003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
