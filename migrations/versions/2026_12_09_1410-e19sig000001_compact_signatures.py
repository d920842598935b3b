"""compact candidate index for same-matter matching (issue #19, item 4)

petition_signatures held 44 MinHash band rows a petition (id, petition_id, unit_id, band, bigint bucket, two
indexes): 3.7 KB a petition on PostgreSQL. It becomes an inverted index of each petition's heaviest shingles
(service.domain.matters.index): at most 14 + 3 rows of (bucket integer, petition_id), the primary key being the
lookup index (WITHOUT ROWID on SQLite), under 1 KB a petition.

The old buckets cannot be turned into the new keys (they are MinHash values, not shingles): the index is rebuilt
from the profiles kept in the matter events, for the petitions received in the last two 90-day periods (older
ones are never probed again: a lookup reads the periods of its 90-day window only). Downgrade restores the old
table empty (the old matcher then finds no candidate among the petitions stored before it).

Revision ID: e19sig000001
Revises: e19spd000001
Create Date: 2026-12-09 14:10:00
"""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "e19sig000001"
down_revision = "e19key000001"
branch_labels = None
depends_on = None

BATCH = 2000
_meta = sa.MetaData()
petitions = sa.Table("petitions", _meta, sa.Column("id", sa.Integer), sa.Column("unit_id", sa.Integer),
                     sa.Column("matter_id", sa.Integer), sa.Column("received_at", sa.DateTime(timezone=True)))
events = sa.Table("events", _meta, sa.Column("id", sa.Integer), sa.Column("petition_id", sa.Integer),
                  sa.Column("kind", sa.String), sa.Column("data", sa.JSON))
signatures = sa.Table("petition_signatures", _meta, sa.Column("bucket", sa.Integer),
                      sa.Column("petition_id", sa.Integer))


def upgrade() -> None:
    with op.batch_alter_table("petition_signatures", schema=None) as batch_op:
        batch_op.drop_index("ix_petition_signatures_petition_id")
        batch_op.drop_index("ix_petition_signatures_band_bucket")
    op.drop_table("petition_signatures")
    op.create_table(
        "petition_signatures",
        sa.Column("bucket", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("petition_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.ForeignKeyConstraint(["petition_id"], ["petitions.id"],
                                name=op.f("fk_petition_signatures_petition_id_petitions")),
        sa.PrimaryKeyConstraint("bucket", "petition_id", name=op.f("pk_petition_signatures")),
        sqlite_with_rowid=False,
    )
    _backfill(op.get_bind())


def _backfill(bind) -> None:
    # The application's own functions, so rebuilt and new rows are keyed alike (as e14red000001 does).
    from service.domain.matters import index
    from service.domain.matters.texts import stored_profile

    since = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=2 * index.EPOCH_DAYS)
    last = 0
    while True:
        rows = bind.execute(sa.select(petitions.c.id, petitions.c.unit_id, petitions.c.received_at)
                            .where(petitions.c.id > last, petitions.c.matter_id.is_not(None),
                                   petitions.c.received_at >= since)
                            .order_by(petitions.c.id).limit(BATCH)).all()
        if not rows:
            break
        last = rows[-1].id
        data: dict[int, dict] = {}
        for pid, d in bind.execute(sa.select(events.c.petition_id, events.c.data).where(
                events.c.petition_id.in_([r.id for r in rows]),
                events.c.kind.in_(("matter_opened", "matter_linked"))).order_by(events.c.id)):
            data.setdefault(pid, d)
        values = []
        for r in rows:
            profile = stored_profile(data.get(r.id))
            if profile is None:
                continue
            received = r.received_at if r.received_at.tzinfo else r.received_at.replace(tzinfo=dt.timezone.utc)
            values += [{"bucket": k, "petition_id": r.id}
                       for k in index.stored_keys(profile, r.unit_id, index.epoch(received))]
        if values:
            bind.execute(signatures.insert(), values)


def downgrade() -> None:
    op.drop_table("petition_signatures")
    op.create_table(
        "petition_signatures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("petition_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("band", sa.Integer(), nullable=False),
        sa.Column("bucket", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["petition_id"], ["petitions.id"],
                                name=op.f("fk_petition_signatures_petition_id_petitions")),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_petition_signatures_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_petition_signatures")),
    )
    with op.batch_alter_table("petition_signatures", schema=None) as batch_op:
        batch_op.create_index("ix_petition_signatures_band_bucket", ["band", "bucket"], unique=False)
        batch_op.create_index(batch_op.f("ix_petition_signatures_petition_id"), ["petition_id"], unique=False)
