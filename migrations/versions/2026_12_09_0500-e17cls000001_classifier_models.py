"""classifier models: the classifier retrained on staff corrections by the jobs process (issue #17)

- classifier_models: the newest models the jobs process trained on the labelled corpus and the staff
  corrections (classification_corrections); web processes load the newest instead of training inside a
  request. Nothing to backfill: the next run of the job "classifier-retrain" writes the first row.

Revision ID: e17cls000001
Revises: e17mat000001
Create Date: 2026-12-09 05:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import service.db

revision = "e17cls000001"
down_revision = "e17mat000001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "classifier_models",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", service.db.UTCDateTime(), nullable=False),
        sa.Column("corrections", sa.Integer(), nullable=False),
        sa.Column("last_correction_id", sa.Integer(), nullable=True),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_classifier_models")),
    )


def downgrade() -> None:
    op.drop_table("classifier_models")
