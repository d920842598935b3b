"""Shared fixtures: one migrated database per test run (SQLite by default, PostgreSQL when
TEST_DATABASE_URL says so), reference data loaded once, everything else emptied after each test."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import text

import service.models  # noqa: F401
from service.app import create_app
from service.cli import run_setup
from service.db import Base, Database

# Loaded once by `setup`; every other table is emptied after each test.
REFERENCE_TABLES = {"units", "offices", "plans", "catalogue_tasks", "alembic_version"}


def _test_database_url(tmp_root: Path) -> str:
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_root / 'test.sqlite3'}"


def _reset_schema(database: Database) -> None:
    """Start from an empty database, so migrations run from base."""
    with database.engine.begin() as conn:
        if database.dialect == "postgresql":
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        else:
            Base.metadata.drop_all(conn)
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return _test_database_url(tmp_path_factory.mktemp("db"))


@pytest.fixture(scope="session")
def database(database_url: str) -> Database:
    db = Database(database_url)
    _reset_schema(db)
    run_setup(db)
    yield db
    db.dispose()


def _empty_mutable_tables(database: Database) -> None:
    tables = [t for t in reversed(Base.metadata.sorted_tables) if t.name not in REFERENCE_TABLES]
    with database.engine.begin() as conn:
        if database.dialect == "postgresql":
            conn.execute(text("TRUNCATE " + ", ".join(t.name for t in tables) + " RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())
        conn.execute(text("UPDATE offices SET telegram_chat_id = NULL, zalo_group_id = NULL"))


@pytest.fixture(autouse=True)
def _clean_database(request: pytest.FixtureRequest):
    yield
    if "database" in request.fixturenames:
        _empty_mutable_tables(request.getfixturevalue("database"))


@pytest.fixture
def session(database: Database):
    """A session on the test database; committed rows are removed after the test."""
    s = database.sessionmaker()
    yield s
    s.rollback()
    s.close()


TEST_SETTINGS = {"TESTING": True, "SCHEDULER_ENABLED": False, "RATELIMIT_ENABLED": False,
                 "SECRET_KEY": "test-secret-key-0123456789", "TELEGRAM_WEBHOOK_SECRET": "tg-secret",
                 "ZALO_APP_ID": "zalo-app", "ZALO_OA_SECRET_KEY": "zalo-oa-secret"}


@pytest.fixture
def make_app(database: Database, database_url: str):
    """Build an app on the test database with extra settings."""
    apps = []

    def build(**overrides):
        app = create_app({**TEST_SETTINGS, "DATABASE_URL": database_url, **overrides})
        apps.append(app)
        return app

    yield build
    for app in apps:
        app.extensions["db"].dispose()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()
