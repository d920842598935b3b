"""security and personal data (schema changes of this slice; empty until it needs one)

Revision ID: 5ec0e1000003
Revises: d1a106000002
Create Date: 2026-11-22 10:03:00
"""
from __future__ import annotations

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "5ec0e1000003"
down_revision = "d1a106000002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
