"""one vocabulary: CHECK constraints on the columns holding kinds, statuses, deadline steps and event kinds

The columns keep their types and strings (service.models.vocabulary: StrEnums stored by value); each gains a
CHECK constraint named `ck_<table>_<column>`. Stray values a deployment may hold are converted first:
- any value that is a code once trimmed and lower-cased ("To_cao ", "phan-anh") becomes that code;
- an event of a kind no release wrote becomes an internal note (kind "note", not public) keeping its old kind
  in data["former_kind"], so no history is lost;
- a classifier correction (training data) from an unknown kind loses its old kind; one to an unknown kind is
  dropped, as the classifier cannot learn it;
- a petition's kind or status, or a deadline's step, has no safe guess: the upgrade stops and names them.
The lists below are frozen copies of the enums at this revision; a later code needs its own migration
(drop the constraint, create it with the longer list).

Revision ID: e15voc000001
Revises: e14red000001
Create Date: 2026-12-08 12:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import service.db

revision = "e15voc000001"
down_revision = "e14red000001"
branch_labels = None
depends_on = None

KINDS = ("phan_anh", "kien_nghi", "khieu_nai", "to_cao")
STATUSES = ("received", "classified", "accepted", "returned", "guided", "transferred", "in_progress", "answered",
            "closed", "withdrawn")
STEPS = ("xu_ly_don", "thu_ly", "tra_loi", "giai_quyet", "chuyen_don")
EVENT_KINDS = ("received", "classified", "routed", "reclassified", "rerouted", "accepted", "returned", "guided",
               "transferred", "started", "extended", "marked_complex", "answered", "closed", "reopened", "withdrawn",
               "assigned", "note", "matter_opened", "matter_linked", "matter_merged", "matter_split",
               "matter_renamed", "flag_raised", "flag_cleared", "rated", "reopen_requested", "commitment_made",
               "commitment_met", "commitment_cancelled", "commitment_overdue")

# table -> [(column, allowed codes)]
CHECKS = {
    "petitions": [("kind", KINDS), ("status", STATUSES)],
    "deadlines": [("step", STEPS)],
    "events": [("kind", EVENT_KINDS)],
    "classification_corrections": [("old_kind", KINDS), ("new_kind", KINDS)],
}

events = sa.table("events", sa.column("id", sa.Integer), sa.column("kind", sa.String),
                  sa.column("public", sa.Boolean), sa.column("data", service.db.JsonDoc))


def _in(column: str, codes: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(c) for c in codes)})"


def _normalise(bind, table: str, column: str, codes: tuple[str, ...]) -> list[str]:
    """Map near-codes to their code; the values still outside the list."""
    t = sa.table(table, sa.column(column, sa.String))
    col = t.c[column]
    stray = [v for v in bind.scalars(sa.select(col).where(col.is_not(None)).distinct()) if v not in codes]
    left = []
    for value in stray:
        code = value.strip().lower().replace("-", "_").replace(" ", "_")
        if code in codes:
            bind.execute(sa.update(t).where(col == value).values({column: code}))
        else:
            left.append(value)
    return left


def _convert(bind) -> None:
    stuck = []
    for table, checks in CHECKS.items():
        for column, codes in checks:
            left = _normalise(bind, table, column, codes)
            if not left:
                continue
            if table == "events":
                for row in bind.execute(sa.select(events.c.id, events.c.kind, events.c.data)
                                        .where(events.c.kind.in_(left))):
                    data = {**(row.data or {}), "former_kind": row.kind}
                    bind.execute(sa.update(events).where(events.c.id == row.id)
                                 .values(kind="note", public=False, data=data))
            elif table == "classification_corrections":
                t = sa.table(table, sa.column(column, sa.String))
                if column == "old_kind":
                    bind.execute(sa.update(t).where(t.c.old_kind.in_(left)).values(old_kind=None))
                else:
                    bind.execute(sa.delete(t).where(t.c.new_kind.in_(left)))
            else:
                stuck.append(f"{table}.{column}: {', '.join(sorted(map(repr, left)))}")
    if stuck:
        raise RuntimeError("Values outside the codes of domain.md, which this upgrade cannot guess; correct them "
                           "(or restore from a backup) and run the upgrade again: " + "; ".join(stuck))


def upgrade() -> None:
    _convert(op.get_bind())
    for table, checks in CHECKS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column, codes in checks:
                batch_op.create_check_constraint(op.f(f"ck_{table}_{column}"), _in(column, codes))


def downgrade() -> None:
    for table, checks in CHECKS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column, _codes in checks:
                batch_op.drop_constraint(op.f(f"ck_{table}_{column}"), type_="check")
