"""One engine and session factory for the web app, the bots and the jobs process.

Each of them builds a `Database` from the same `DATABASE_URL` and owns one
transaction per request, update or job item (`session_scope`).
"""
from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from typing import Any, Iterator

from sqlalchemy import JSON, DateTime, MetaData, Text, create_engine, event
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

UTC = dt.timezone.utc

# Named constraints, so Alembic batch mode on SQLite can drop and rebuild them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """Stores aware datetimes as UTC; SQLite drops time zones, so we re-attach UTC on read."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; every time stamp must carry a time zone")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


JsonDoc = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        dt.datetime: UTCDateTime(),
        dict[str, Any]: JsonDoc,
        list[Any]: JsonDoc,
        str: Text(),
    }


def utcnow() -> dt.datetime:
    return dt.datetime.now(UTC)


def normalise_url(url: str) -> str:
    """`postgresql://` and `postgres://` mean psycopg 3 here."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


class Database:
    """The engine and session factory; one per process, built from `DATABASE_URL`."""

    def __init__(self, url: str, *, echo: bool = False, pool_size: int = 5):
        self.url = normalise_url(url)
        kwargs: dict[str, Any] = {"echo": echo, "future": True}
        if self.url.startswith("sqlite"):
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        else:
            kwargs.update(pool_size=pool_size, max_overflow=10, pool_pre_ping=True, pool_recycle=1800,
                          # psycopg prepares a statement run five times, and PostgreSQL then tries a generic plan:
                          # for our data-dependent queries (a petition's index keys, a unit among 114) the generic
                          # plan of the matcher's candidate query took 13.8 ms against 3.7 ms (bench/matters.py at
                          # a million petitions). Planning each time costs well under a millisecond.
                          connect_args={"options": "-c plan_cache_mode=force_custom_plan"})
        self.engine: Engine = create_engine(self.url, **kwargs)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self.sessionmaker = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session_scope(self) -> Iterator[Session]:
        """One transaction: commit once at the end, roll back on any exception."""
        session = self.sessionmaker()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def bind_to(self, connection: Connection | None) -> None:
        """A test hook: new sessions (`sessionmaker()`, `session_scope()`) join `connection`'s open
        transaction, each in a SAVEPOINT, so their commits release savepoints and the test rolls everything
        back at the end. `bind_to(None)` returns to the engine. The sessionmaker is reconfigured in place,
        so factories already handed out (the quota, the look-up guard) follow. The engine itself is untouched."""
        if connection is None:
            self.sessionmaker.configure(bind=self.engine, join_transaction_mode="conditional_savepoint")
        else:
            self.sessionmaker.configure(bind=connection, join_transaction_mode="create_savepoint")

    def ping(self) -> bool:
        with self.engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
        return True

    def dispose(self) -> None:
        self.engine.dispose()


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()
