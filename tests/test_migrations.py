"""Migrations build the schema from nothing and back, and agree with the models."""
from __future__ import annotations

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from service import migrate
from service.db import Base, normalise_url


@pytest.fixture
def empty_database_url(database_url, tmp_path):
    """A fresh, empty database of the same kind as the test database."""
    if not database_url.startswith("postgres"):
        yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
        return
    name = f"migr_{uuid.uuid4().hex[:8]}"
    admin = create_engine(normalise_url(database_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    base, _, _ = database_url.rpartition("/")
    yield f"{base}/{name}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_upgrade_to_head_and_downgrade_to_base(empty_database_url):
    migrate.upgrade(empty_database_url)
    engine = create_engine(normalise_url(empty_database_url))
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    migrate.downgrade(empty_database_url, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()


def test_models_and_migrations_agree(empty_database_url):
    migrate.upgrade(empty_database_url)
    engine = create_engine(normalise_url(empty_database_url))
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert diff == []
