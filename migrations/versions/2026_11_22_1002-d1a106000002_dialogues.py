"""dialogues: conclusions, registrations once per phone, minutes linked to speakers, commitment tracking,
chat subscriptions to a unit's dialogue notices

Revision ID: d1a106000002
Revises: c0501e000001
Create Date: 2026-11-22 10:02:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import service.db

revision = "d1a106000002"
down_revision = "c0501e000001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("dialogue_sessions") as batch:
        batch.add_column(sa.Column("conclusion", sa.Text(), nullable=True))
        batch.add_column(sa.Column("held_at", service.db.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("closed_at", service.db.UTCDateTime(), nullable=True))
    with op.batch_alter_table("dialogue_registrations") as batch:
        batch.create_unique_constraint("uq_dialogue_registrations_session_id_phone", ["session_id", "phone"])
    with op.batch_alter_table("agenda_items") as batch:
        batch.add_column(sa.Column("registration_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("answered_by_office_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_agenda_items_registration_id_dialogue_registrations",
                                 "dialogue_registrations", ["registration_id"], ["id"])
        batch.create_foreign_key("fk_agenda_items_answered_by_office_id_offices", "offices",
                                 ["answered_by_office_id"], ["id"])
    with op.batch_alter_table("commitments") as batch:
        batch.add_column(sa.Column("result", sa.Text(), nullable=True))
        batch.add_column(sa.Column("reminded_at", service.db.UTCDateTime(), nullable=True))
    op.create_table(
        "dialogue_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("chat_user_id", sa.String(length=64), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("created_at", service.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name="fk_dialogue_subscriptions_unit_id_units"),
        sa.PrimaryKeyConstraint("id", name="pk_dialogue_subscriptions"),
        sa.UniqueConstraint("channel", "chat_user_id", "unit_id",
                            name="uq_dialogue_subscriptions_channel_chat_user_id_unit_id"),
    )
    op.create_index("ix_dialogue_subscriptions_unit_id", "dialogue_subscriptions", ["unit_id"])


def downgrade() -> None:
    op.drop_index("ix_dialogue_subscriptions_unit_id", table_name="dialogue_subscriptions")
    op.drop_table("dialogue_subscriptions")
    with op.batch_alter_table("commitments") as batch:
        batch.drop_column("reminded_at")
        batch.drop_column("result")
    with op.batch_alter_table("agenda_items") as batch:
        batch.drop_constraint("fk_agenda_items_answered_by_office_id_offices", type_="foreignkey")
        batch.drop_constraint("fk_agenda_items_registration_id_dialogue_registrations", type_="foreignkey")
        batch.drop_column("answered_by_office_id")
        batch.drop_column("registration_id")
    with op.batch_alter_table("dialogue_registrations") as batch:
        batch.drop_constraint("uq_dialogue_registrations_session_id_phone", type_="unique")
    with op.batch_alter_table("dialogue_sessions") as batch:
        batch.drop_column("closed_at")
        batch.drop_column("held_at")
        batch.drop_column("conclusion")
