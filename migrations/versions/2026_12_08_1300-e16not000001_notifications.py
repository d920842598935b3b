"""notifications: who refused SMS / e-mail, what the provider said, the citizen's review after a low rating,
the files of an answer

- people.refuses_sms / refuses_email: the citizen may refuse a channel in the form (Luật BVDLCN 91/2025/QH15:
  personal data is used only for the purpose consented to).
- outbox.provider_id: the provider's message id (ZNS msg_id, SpeedSMS tranId, SMTP Message-ID), shown to staff.
- ratings.review: after a 1-2 rating, whether the citizen asked to have the petition looked at again
  (offered | requested | declined); an offered review keeps the petition from being closed.
- attachments.reply_id: a file sent with an answer (a photo of the repaired road, the signed decision).

No backfill: nobody refused a channel, no review was offered, no answer had files before this revision.

Revision ID: e16not000001
Revises: e15voc000001
Create Date: 2026-12-07 12:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "e16not000001"
down_revision = "e15voc000001"
branch_labels = None
depends_on = None


# The event kinds of e15voc000001 and the three this revision adds (mail intake, representatives by API) (service.models.vocabulary.EventKind).
OLD_EVENT_KINDS = (
    "received", "classified", "routed", "reclassified", "rerouted", "accepted", "returned", "guided", "transferred",
    "started", "extended", "marked_complex", "answered", "closed", "reopened", "withdrawn", "assigned", "note",
    "matter_opened", "matter_linked", "matter_merged", "matter_split", "matter_renamed", "flag_raised",
    "flag_cleared", "rated", "reopen_requested", "commitment_made", "commitment_met", "commitment_cancelled",
    "commitment_overdue")
EVENT_KINDS = OLD_EVENT_KINDS + ("citizen_replied", "sender_to_confirm", "representatives_requested")


def _event_kinds(codes: tuple[str, ...]) -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_events_kind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_events_kind"), f"kind IN ({', '.join(repr(c) for c in codes)})")


def upgrade() -> None:
    _event_kinds(EVENT_KINDS)
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(sa.Column("refuses_sms", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("refuses_email", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("provider_id", sa.String(length=128), nullable=True))
    with op.batch_alter_table("ratings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("review", sa.String(length=16), nullable=True))
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reply_id", sa.Integer(), nullable=True))
        batch_op.create_index("ix_attachments_reply_id", ["reply_id"])
        batch_op.create_foreign_key("fk_attachments_reply_id_replies", "replies", ["reply_id"], ["id"])


def downgrade() -> None:
    op.execute("DELETE FROM events WHERE kind IN ('citizen_replied', 'sender_to_confirm', 'representatives_requested')")
    _event_kinds(OLD_EVENT_KINDS)
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.drop_constraint("fk_attachments_reply_id_replies", type_="foreignkey")
        batch_op.drop_index("ix_attachments_reply_id")
        batch_op.drop_column("reply_id")
    with op.batch_alter_table("ratings", schema=None) as batch_op:
        batch_op.drop_column("review")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("provider_id")
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_column("refuses_email")
        batch_op.drop_column("refuses_sms")
