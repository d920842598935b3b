"""Reference data every petition reads, kept per process (issue #19): units, offices, catalogue task codes, the
classifier model and plans stamps, the holiday overrides, what staff's answers taught the matcher.

Values are plain (ids, codes, tuples of column values), never ORM objects shared between sessions: `attach`
makes a session's own instance from them without a query. Each value is read again after `TTL` seconds (a
change made by another process shows within that time) and at once when THIS process flushes a change to one
of the tables (`_watch`, a `before_flush` hook on every session). Keys include the database, so two databases in
one process never see each other's rows; tests clear everything before each test (tests/conftest.py).
"""
from __future__ import annotations

import threading
import time
import weakref
from typing import Any, Callable

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session, make_transient_to_detached

TTL = 30.0  # seconds
WATCHED = {"units", "offices", "plans", "catalogue_tasks", "holiday_overrides", "classifier_models"}
ANSWERED = "matter_suggestions"  # staff's answers teach the matcher (matters.learning); a pending one does not

_values: dict[tuple, tuple[float, Any]] = {}
_lock = threading.Lock()
_MISSING = object()


_urls: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def database_of(session: Session) -> str:
    engine = getattr(bind := session.get_bind(), "engine", bind)
    url = _urls.get(engine)
    if url is None:
        url = _urls[engine] = str(engine.url)
    return url


def cached(session: Session, name: str, key: Any, load: Callable[[], Any]) -> Any:
    """The value `load()` gives, read at most once per TTL per process (and database)."""
    k = (database_of(session), name, key)
    hit = _values.get(k, _MISSING)
    now = time.monotonic()
    if hit is not _MISSING and now - hit[0] < TTL:
        return hit[1]
    value = load()
    with _lock:
        if len(_values) > 4096:
            _values.clear()
        _values[k] = (now, value)
    return value


def clear() -> None:
    with _lock:
        _values.clear()


def row_values(obj: Any, columns: tuple[str, ...]) -> tuple:
    return tuple(getattr(obj, c) for c in columns)


def attach(session: Session, cls: type, columns: tuple[str, ...], values: tuple) -> Any:
    """The session's instance of a cached row: the one it holds already, else a new one made persistent without
    a query (the columns not cached are loaded when first read)."""
    data = dict(zip(columns, values))
    held = session.identity_map.get(session.identity_key(cls, data["id"]))
    if held is not None:
        return held
    obj = cls(**data)
    make_transient_to_detached(obj)
    session.add(obj)
    return obj


def _touches_reference(session: Session) -> bool:
    for obj in (*session.new, *session.dirty, *session.deleted):
        table = getattr(inspect(obj).mapper.local_table, "name", None)
        if table in WATCHED or table == ANSWERED and getattr(obj, "state", None) != "pending":
            return True
    return False


@event.listens_for(Session, "before_flush")
def _watch(session: Session, _context, _instances) -> None:
    if _touches_reference(session):
        clear()
        session.info["reference_changed"] = True  # and again at its end: another thread may have read meanwhile


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _ended(session: Session) -> None:
    if session.info.pop("reference_changed", False):
        clear()  # what was read between the flush and the end was not the committed state
