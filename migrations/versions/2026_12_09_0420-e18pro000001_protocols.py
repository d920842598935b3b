"""protocols: Open311 client keys, what a channel sent besides the petition, chats that blocked the bot

- open311_clients: client applications allowed to POST Open311 service requests; only the api_key's sha256
  is stored (`flask open311-keys create --name NAME` prints the key once).
- petitions.channel_data: what the channel sent besides the petition (Open311 media_url, attribute[...],
  device_id, account_id), kept as given.
- chat_conversations.blocked_at: the citizen blocked the Telegram bot or unfollowed the Zalo OA; notices go
  by the fallback chain until the citizen writes again.

No backfill: no client had a key, no petition carried such data, no chat was known to be blocked.

Revision ID: e18pro000001
Revises: e17cls000001
Create Date: 2026-12-09 04:20:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import service.db

revision = "e18pro000001"
down_revision = "e17cls000001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "open311_clients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", service.db.UTCDateTime(), nullable=False),
        sa.Column("last_used_at", service.db.UTCDateTime(), nullable=True),
        sa.Column("revoked_at", service.db.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_open311_clients")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_open311_clients_key_hash")),
    )
    with op.batch_alter_table("petitions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("channel_data", service.db.JsonDoc, nullable=False, server_default="{}"))
    with op.batch_alter_table("chat_conversations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("blocked_at", service.db.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("chat_conversations", schema=None) as batch_op:
        batch_op.drop_column("blocked_at")
    with op.batch_alter_table("petitions", schema=None) as batch_op:
        batch_op.drop_column("channel_data")
    op.drop_table("open311_clients")
