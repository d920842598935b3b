"""Fixtures of the fault and backup tests: their own PostgreSQL databases, processes and ports, so they
disturb no other test. The ones that need a PostgreSQL server run in CI's PostgreSQL pass (when
TEST_DATABASE_URL is a postgresql:// URL) and are skipped on the SQLite pass."""
from __future__ import annotations

import os
import uuid

import pytest

from bench.loadlib import admin_url_from, drop_database, recreate_database, setup_database


def pytest_configure(config):
    config.addinivalue_line("markers", "postgres: needs a PostgreSQL server (runs in CI's PostgreSQL pass)")


def _postgres_url() -> str | None:
    url = os.environ.get("TEST_DATABASE_URL", "")
    return url if url.startswith(("postgresql://", "postgres://", "postgresql+psycopg://")) else None


@pytest.fixture
def pg_admin_url() -> str:
    url = _postgres_url()
    if url is None:
        pytest.skip("needs PostgreSQL: runs when TEST_DATABASE_URL=postgresql://… (CI's PostgreSQL pass)")
    return admin_url_from(url.replace("postgresql+psycopg://", "postgresql://", 1))


@pytest.fixture
def new_pg_database(pg_admin_url):
    """make() -> the URL of a new, empty database of our own; all are dropped after the test."""
    made: list[str] = []

    def make() -> str:
        url = recreate_database(f"tiepdan_rel_{uuid.uuid4().hex[:8]}", pg_admin_url)
        made.append(url)
        return url

    yield make
    for url in made:
        drop_database(url)


@pytest.fixture
def service_db(new_pg_database) -> str:
    """A new PostgreSQL database, migrated and loaded as `flask setup` does."""
    url = new_pg_database()
    setup_database(url)
    return url
