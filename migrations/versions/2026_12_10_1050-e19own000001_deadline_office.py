"""the city report without joins (issue #19): each step carries its petition's lead office; fewer, wider indexes

- deadlines.office_id: the petition's lead office, copied (filled here from the petitions), so the city report
  counts two million steps by office from the deadlines alone;
- ix_petitions_unit_received INCLUDEs what a unit's report reads too, and replaces ix_petitions_report (both
  began with unit_id, received_at; every petition written paid for both);
- ix_petitions_open (id) WHERE the petition is open, and ix_deadlines_open_petition INCLUDE (starts_at): the
  petitions open with a step past due are counted from the two indexes alone;
- ix_petitions_redecided (last_decided_at) WHERE first_decided_at < last_decided_at: only a petition decided
  more than once can straddle a report's boundary; the report finds those few from this index alone;
- extended statistics on the report's second grouping (unit, office, status, task): the planner otherwise
  expects 100,000 groups instead of a few thousand and gives up its parallel plan. PostgreSQL only.

Revision ID: e19own000001
Revises: e19inb000001
Create Date: 2026-12-10 10:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "e19own000001"
down_revision = "e19inb000001"
branch_labels = None
depends_on = None

UNIT_COLUMNS = ["lead_office_id", "assignee_id", "kind", "status", "category", "channel", "needs_review", "task_id",
                "anonymous", "co_signer_count", "decision", "decision_at", "settled_at", "reopened_at",
                "first_decided_at", "last_decided_at"]
INBOX_COLUMNS = ["lead_office_id", "assignee_id", "kind", "status", "category", "channel", "needs_review"]
REPORT_COLUMNS = ["id", "lead_office_id", "task_id", "kind", "category", "channel", "status", "anonymous",
                  "co_signer_count", "decision", "decision_at", "settled_at", "reopened_at", "first_decided_at",
                  "last_decided_at"]
OPEN = "status IN ('received', 'classified', 'accepted', 'in_progress')"
REDECIDED = "first_decided_at < last_decided_at"
OPEN_DEADLINE = "met_at IS NULL AND cancelled_at IS NULL"
STATISTICS = "st_petitions_where"


def upgrade() -> None:
    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        batch_op.add_column(sa.Column("office_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_deadlines_office_id_offices"), "offices", ["office_id"], ["id"])
        batch_op.drop_index("ix_deadlines_open_petition")
        batch_op.create_index("ix_deadlines_open_petition", ["petition_id", "due_at", "id"], unique=False,
                              postgresql_include=["starts_at"], postgresql_where=sa.text(OPEN_DEADLINE),
                              sqlite_where=sa.text(OPEN_DEADLINE))
    op.execute("UPDATE deadlines SET office_id = (SELECT lead_office_id FROM petitions "
               "WHERE petitions.id = deadlines.petition_id)")
    with op.batch_alter_table("petitions", schema=None) as batch_op:
        batch_op.drop_index("ix_petitions_report")
        batch_op.drop_index("ix_petitions_unit_received")
        batch_op.create_index("ix_petitions_unit_received", ["unit_id", "received_at", "id"], unique=False,
                              postgresql_include=UNIT_COLUMNS)
        batch_op.create_index("ix_petitions_open", ["id"], unique=False, postgresql_where=sa.text(OPEN),
                              sqlite_where=sa.text(OPEN))
        batch_op.create_index("ix_petitions_redecided", ["last_decided_at"], unique=False,
                              postgresql_include=["id", "received_at", "first_decided_at", "decision_at", "unit_id"],
                              postgresql_where=sa.text(REDECIDED), sqlite_where=sa.text(REDECIDED))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE STATISTICS IF NOT EXISTS {STATISTICS} (ndistinct) "
                   "ON unit_id, lead_office_id, status, task_id FROM petitions")
        op.execute("ANALYZE petitions")
        op.execute("ANALYZE deadlines")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP STATISTICS IF EXISTS {STATISTICS}")
    with op.batch_alter_table("petitions", schema=None) as batch_op:
        batch_op.drop_index("ix_petitions_redecided")
        batch_op.drop_index("ix_petitions_open")
        batch_op.drop_index("ix_petitions_unit_received")
        batch_op.create_index("ix_petitions_unit_received", ["unit_id", "received_at", "id"], unique=False,
                              postgresql_include=INBOX_COLUMNS)
        batch_op.create_index("ix_petitions_report", ["unit_id", "received_at"], unique=False,
                              postgresql_include=REPORT_COLUMNS, sqlite_where=sa.text("0"))
    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        batch_op.drop_index("ix_deadlines_open_petition")
        batch_op.create_index("ix_deadlines_open_petition", ["petition_id", "due_at", "id"], unique=False,
                              postgresql_where=sa.text(OPEN_DEADLINE), sqlite_where=sa.text(OPEN_DEADLINE))
        batch_op.drop_constraint(batch_op.f("fk_deadlines_office_id_offices"), type_="foreignkey")
        batch_op.drop_column("office_id")
