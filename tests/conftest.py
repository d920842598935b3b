"""Shared fixtures: one migrated database per test run (SQLite by default, PostgreSQL when
TEST_DATABASE_URL says so), reference data loaded once.

Each test that uses the database runs inside one transaction that is rolled back at the end: the test's
`session`, the `database` fixture's sessions and every app built by `make_app` share one connection, and
whatever they commit only releases a SAVEPOINT (`Database.bind_to`). Tests that cannot share that
connection (threads, subprocesses, live servers, locks between connections) are marked `committed`: they
use the database as production does, and every table but the reference data is emptied afterwards."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import Connection

import service.models  # noqa: F401
from service.app import create_app
from service.cli import run_setup
from service.db import Base, Database
from service.domain import reference

# Loaded once by `setup`; every other table is emptied after each `committed` test.
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


# Fixtures whose tests cannot share one connection: the database is used for real and emptied afterwards.
COMMITTED_FIXTURES = {"live_server"}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "committed: the test commits for real (threads, subprocesses, live "
                                       "servers, locks between connections); the tables are emptied afterwards "
                                       "instead of the test's transaction being rolled back")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if COMMITTED_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.committed)


@pytest.fixture(scope="session")
def _rollback_database(database: Database) -> Database:
    """A second engine on the test database for the per-test outer transactions. pysqlite neither emits BEGIN
    itself nor lets SAVEPOINT work inside its own transaction handling, so on SQLite this engine does it the
    way SQLAlchemy documents ("Serializable isolation / Savepoints / Transactional DDL")."""
    db = Database(database.url)
    if db.dialect == "sqlite":
        @event.listens_for(db.engine, "connect")
        def _no_pysqlite_begin(dbapi_conn, _record):
            dbapi_conn.isolation_level = None

        @event.listens_for(db.engine, "begin")
        def _begin(conn):
            conn.exec_driver_sql("BEGIN")
    yield db
    db.dispose()


@pytest.fixture
def db_connection(request: pytest.FixtureRequest, database: Database, _rollback_database: Database):
    """The connection of this test's transaction, rolled back at the end; None for a `committed` test."""
    if request.node.get_closest_marker("committed"):
        try:
            yield None
        finally:
            _empty_mutable_tables(database)
        return
    with _rollback_database.engine.connect() as conn:
        # routing.catalogue keys its cache on `session.get_bind().url`, which an Engine has and a Connection
        # lacks; `.get_bind().engine.url` there would serve both, and this line could go.
        conn.url = conn.engine.url
        outer = conn.begin()
        database.bind_to(conn)
        try:
            yield conn
        finally:
            database.bind_to(None)
            outer.rollback()


@pytest.fixture(autouse=True)
def _isolated_database(request: pytest.FixtureRequest):
    """Every test that touches the database gets `db_connection` first, so it is undone last; the per-process
    reference cache (service.domain.reference) starts empty, so no test sees another's rolled-back rows."""
    reference.clear()
    if "database" in request.fixturenames:
        request.getfixturevalue("db_connection")
    yield
    reference.clear()


@pytest.fixture
def session(database: Database):
    """A session on the test database, inside the test's transaction."""
    s = database.sessionmaker()
    yield s
    s.rollback()
    s.close()


TEST_SETTINGS = {"TESTING": True, "SCHEDULER_ENABLED": False, "RATELIMIT_ENABLED": False,
                 "SECRET_KEY": "test-secret-key-0123456789", "TELEGRAM_WEBHOOK_SECRET": "tg-secret",
                 "ZALO_APP_ID": "zalo-app", "ZALO_OA_SECRET_KEY": "zalo-oa-secret"}


@pytest.fixture
def make_app(database: Database, database_url: str, db_connection: Connection | None):
    """Build an app on the test database with extra settings, inside the test's transaction."""
    apps = []

    def build(**overrides):
        app = create_app({**TEST_SETTINGS, "DATABASE_URL": database_url, **overrides})
        if db_connection is not None:
            app.extensions["db"].bind_to(db_connection)
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
