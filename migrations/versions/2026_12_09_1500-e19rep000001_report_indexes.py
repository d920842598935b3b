"""the periodic reports at a city's scale (issue #19): covering indexes, PostgreSQL only

- ix_petitions_report (unit_id, received_at) INCLUDE what a report reads of a petition: a unit's report
  reads its petitions from the index alone;
- ix_deadlines_report (petition_id) INCLUDE (step, starts_at, due_at, met_at, cancelled_at): a unit's
  deadlines, found from its petitions, without the table;
- ix_deadlines_final_met (met_at) INCLUDE (petition_id, due_at) WHERE the step is final (tra_loi,
  giai_quyet) and not cancelled: the petitions answered in a period, one range of the index.

INCLUDE is PostgreSQL's; on SQLite the indexes are created empty (WHERE 0), as ix_petitions_inbox is.

Revision ID: e19rep000001
Revises: e19spd000001
Create Date: 2026-12-09 15:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "e19rep000001"
down_revision = "e19spd000001"
branch_labels = None
depends_on = None

REPORT_COLUMNS = ["id", "lead_office_id", "task_id", "kind", "category", "channel", "status", "anonymous",
                  "co_signer_count", "decision", "decision_at", "settled_at", "reopened_at", "first_decided_at",
                  "last_decided_at"]
FINAL_MET = "step IN ('tra_loi', 'giai_quyet') AND cancelled_at IS NULL"


def upgrade() -> None:
    with op.batch_alter_table("petitions", schema=None) as batch_op:
        batch_op.create_index("ix_petitions_report", ["unit_id", "received_at"], unique=False,
                              postgresql_include=REPORT_COLUMNS, sqlite_where=sa.text("0"))
    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        batch_op.create_index("ix_deadlines_report", ["petition_id"], unique=False,
                              postgresql_include=["step", "starts_at", "due_at", "met_at", "cancelled_at"],
                              sqlite_where=sa.text("0"))
        batch_op.create_index("ix_deadlines_final_met", ["met_at"], unique=False,
                              postgresql_include=["petition_id", "due_at"], postgresql_where=sa.text(FINAL_MET),
                              sqlite_where=sa.text("0"))


def downgrade() -> None:
    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        batch_op.drop_index("ix_deadlines_final_met")
        batch_op.drop_index("ix_deadlines_report")
    with op.batch_alter_table("petitions", schema=None) as batch_op:
        batch_op.drop_index("ix_petitions_report")
