"""speed at a city's scale (issue #19): the workflow's decisions on the petition row

- petitions.decision / decision_at: the weightiest decision event (withdrawn > accepted = answered > transferred >
  guided > returned) and when it was first reached; settled_at / reopened_at: the latest settling (answered,
  returned, guided, transferred, withdrawn, closed) and reopening; first_decided_at / last_decided_at: the first
  and the last of those events. Kept by service.domain.events.record; the periodic reports read them instead
  of grouping the events (service.domain.reports.queries).

Backfilled here from the events, in two UPDATEs (one pass over the decision events' partial index).

Revision ID: e19spd000001
Revises: e20cit000001
Create Date: 2026-12-09 14:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "e19spd000001"
down_revision = "e20cit000001"
branch_labels = None
depends_on = None

COLUMNS = ("decision", "decision_at", "settled_at", "reopened_at", "first_decided_at", "last_decided_at")
WEIGHT = ("CASE kind WHEN 'withdrawn' THEN 5 WHEN 'accepted' THEN 4 WHEN 'answered' THEN 4 WHEN 'transferred' THEN 3 "
          "WHEN 'guided' THEN 2 WHEN 'returned' THEN 1 ELSE 0 END")
SETTLING = "('answered', 'returned', 'guided', 'transferred', 'withdrawn', 'closed')"
DECISION_KINDS = "('answered', 'returned', 'guided', 'transferred', 'withdrawn', 'closed', 'accepted', 'reopened')"


def upgrade() -> None:
    with op.batch_alter_table("petitions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("decision", sa.String(length=16), nullable=True))
        for name in COLUMNS[1:]:
            batch_op.add_column(sa.Column(name, sa.DateTime(timezone=True), nullable=True))
    _backfill()


def _backfill() -> None:
    # 1. the times and the weight of the weightiest decision, per petition
    op.execute(f"""
        UPDATE petitions SET first_decided_at = ev.first_at, last_decided_at = ev.last_at,
                             settled_at = ev.settled_at, reopened_at = ev.reopened_at
        FROM (SELECT petition_id,
                     MIN(at) AS first_at, MAX(at) AS last_at,
                     MAX(CASE WHEN kind IN {SETTLING} THEN at END) AS settled_at,
                     MAX(CASE WHEN kind = 'reopened' THEN at END) AS reopened_at
              FROM events WHERE petition_id IS NOT NULL AND kind IN {DECISION_KINDS}
              GROUP BY petition_id) AS ev
        WHERE petitions.id = ev.petition_id""")
    # 2. the weightiest decision and the first time it was reached (the earliest event of that weight)
    op.execute(f"""
        UPDATE petitions SET decision = best.kind, decision_at = best.at
        FROM (SELECT petition_id, kind, at,
                     ROW_NUMBER() OVER (PARTITION BY petition_id ORDER BY {WEIGHT} DESC, at, id) AS n
              FROM events WHERE petition_id IS NOT NULL AND {WEIGHT} > 0) AS best
        WHERE petitions.id = best.petition_id AND best.n = 1""")


def downgrade() -> None:
    with op.batch_alter_table("petitions", schema=None) as batch_op:
        for name in reversed(COLUMNS):
            batch_op.drop_column(name)
