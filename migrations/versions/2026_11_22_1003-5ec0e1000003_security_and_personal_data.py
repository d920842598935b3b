"""security and personal data: ID numbers encrypted at rest, data requests, anonymisation mark

ID numbers (CCCD) are sensitive personal data (Luật Bảo vệ dữ liệu cá nhân 91/2025/QH15): the
column now holds AES-GCM ciphertext (service.crypto, key DATA_ENCRYPTION_KEY) and a keyed hash for
look-ups. Existing rows are encrypted here; the downgrade decrypts them back.

Revision ID: 5ec0e1000003
Revises: d1a106000002
Create Date: 2026-11-22 10:03:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import service.db

revision = "5ec0e1000003"
down_revision = "d1a106000002"
branch_labels = None
depends_on = None

people = sa.table("people", sa.column("id", sa.Integer), sa.column("id_number", sa.Text),
                  sa.column("id_number_hash", sa.String))


def upgrade() -> None:
    from service import crypto

    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.alter_column("id_number", existing_type=sa.String(length=64), type_=sa.Text(), existing_nullable=True)
        batch_op.add_column(sa.Column("id_number_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("anonymised_at", service.db.UTCDateTime(), nullable=True))
        batch_op.create_index(batch_op.f("ix_people_id_number_hash"), ["id_number_hash"], unique=False)

    bind = op.get_bind()
    keyring = crypto.keyring()
    rows = bind.execute(sa.select(people.c.id, people.c.id_number).where(people.c.id_number.is_not(None))).all()
    for row_id, plain in rows:
        if crypto.is_encrypted(plain):
            continue
        bind.execute(people.update().where(people.c.id == row_id)
                     .values(id_number=keyring.encrypt(plain), id_number_hash=keyring.lookup_hash(plain)))

    op.create_table(
        "data_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("petition_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("details", sa.Text(), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=True),
        sa.Column("response", sa.Text(), nullable=True),
        sa.Column("handled_by_id", sa.Integer(), nullable=True),
        sa.Column("handled_at", service.db.UTCDateTime(), nullable=True),
        sa.Column("created_at", service.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["handled_by_id"], ["users.id"], name=op.f("fk_data_requests_handled_by_id_users")),
        sa.ForeignKeyConstraint(["office_id"], ["offices.id"], name=op.f("fk_data_requests_office_id_offices")),
        sa.ForeignKeyConstraint(["petition_id"], ["petitions.id"], name=op.f("fk_data_requests_petition_id_petitions")),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_data_requests_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_requests")),
    )
    with op.batch_alter_table("data_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_data_requests_petition_id"), ["petition_id"], unique=False)
        batch_op.create_index("ix_data_requests_unit_status", ["unit_id", "status"], unique=False)


def downgrade() -> None:
    from service import crypto

    with op.batch_alter_table("data_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_data_requests_unit_status")
        batch_op.drop_index(batch_op.f("ix_data_requests_petition_id"))
    op.drop_table("data_requests")

    bind = op.get_bind()
    keyring = crypto.keyring()
    rows = bind.execute(sa.select(people.c.id, people.c.id_number).where(people.c.id_number.is_not(None))).all()
    for row_id, stored in rows:
        if crypto.is_encrypted(stored):
            bind.execute(people.update().where(people.c.id == row_id).values(id_number=keyring.decrypt(stored)))

    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_people_id_number_hash"))
        batch_op.drop_column("anonymised_at")
        batch_op.drop_column("id_number_hash")
        batch_op.alter_column("id_number", existing_type=sa.Text(), type_=sa.String(length=64), existing_nullable=True)
