"""One transaction per web request, as indico's `RH.process`: the view works in the request's session and
never commits; its response is committed once before it leaves, and any exception rolls everything back.

- `TransactionalFlask.dispatch_request` runs the view, builds its response, then commits. An exception
  from the view *or from the commit* (IntegrityError, OperationalError, ...) goes on to the error handlers
  of service/web/errors.py, which answer as for any failure (503 when the database is unreachable):
  a client never sees "201" for something not stored.
- A view that *returns* an error page (a failed login, a wrong proof, a refused form shown again) has
  answered normally: what it flushed is committed (the audit line, the failed attempt). Where the refused
  operation itself must leave nothing, the view calls `session.rollback()` before answering.
- A record that must outlive an error the request *raises* is written in a short transaction of its own,
  `database().session_scope()` (a failed status look-up, the touch of a staff session).
- `after_commit(fn)` runs `fn` once the commit succeeded (a flash message, a cookie that remembers a
  petition); nothing registered runs for a request that failed.
- The teardown rolls back and closes whatever is left.
"""
from __future__ import annotations

from typing import Any, Callable

from flask import Flask, current_app, g
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from service.db import Database


class TransactionalFlask(Flask):
    """The app: every view dispatch ends in one commit of the request's session."""

    def dispatch_request(self) -> ResponseReturnValue:
        try:
            response = self.make_response(super().dispatch_request())
            if "db_session" in g:
                g.db_session.commit()
        except BaseException:
            _roll_back_request()
            raise
        for fn, args, kwargs in g.pop("after_commit", []):
            fn(*args, **kwargs)
        return response


def bind_database(app: Flask, database: Database) -> None:
    if not isinstance(app, TransactionalFlask):
        raise TypeError("the web app must be a TransactionalFlask: its views never commit themselves")
    app.extensions["db"] = database

    @app.teardown_appcontext
    def _close_session(exc: BaseException | None) -> None:
        # A committed request leaves nothing here; anything else (an error handler's page, a request
        # that never reached its view) is undone.
        g.pop("after_commit", None)
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
    """The request's session; committed by the boundary once the view has answered."""
    if "db_session" not in g:
        g.db_session = database().sessionmaker()
    return g.db_session


def after_commit(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Run `fn(*args, **kwargs)` after the request's transaction is committed; never if it fails."""
    g.setdefault("after_commit", []).append((fn, args, kwargs))


def roll_back() -> None:
    """Undo what this request flushed (the error handlers call it; nothing of a failed request is kept)."""
    _roll_back_request()


def _roll_back_request() -> None:
    g.pop("after_commit", None)
    if "db_session" in g:
        g.db_session.rollback()
