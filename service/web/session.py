"""One database session per request: the view commits once before it answers; anything else is rolled back."""
from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy.orm import Session

from service.db import Database


def bind_database(app: Flask, database: Database) -> None:
    app.extensions["db"] = database

    @app.teardown_appcontext
    def _close_session(exc: BaseException | None) -> None:
        # Views commit explicitly before they answer; whatever is left uncommitted here belongs to a
        # request that failed (an error handler's answer reaches teardown with exc=None), so it is undone.
        session: Session | None = g.pop("db_session", None)
        if session is None:
            return
        try:
            session.rollback()
        finally:
            session.close()


def database() -> Database:
    return current_app.extensions["db"]


def db_session() -> Session:
    """The request's session; the view commits with `commit()` before it answers."""
    if "db_session" not in g:
        g.db_session = database().sessionmaker()
    return g.db_session


def commit() -> None:
    """Commit before the response is sent, so a client never sees '201' for something not stored."""
    if "db_session" in g:
        g.db_session.commit()
