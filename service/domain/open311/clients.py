"""The api_keys of Open311 client applications: issued per application, stored as a sha256, revocable.

GeoReport v2 asks every POST for an `api_key` "obtained from the jurisdiction"; one key per application
(a city app, a partner's site) lets the office see who sent what and revoke one without the others.
The key is shown once, when it is created; only its digest is kept.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.db import utcnow
from service.domain.errors import DomainError
from service.models.open311 import Open311Client

PREFIX = "o311_"


def digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def create(session: Session, name: str) -> tuple[Open311Client, str]:
    """A new client and its key (returned once, never stored in clear)."""
    name = " ".join((name or "").split())
    if not name or len(name) > 120:
        raise DomainError("Tên ứng dụng không được để trống và tối đa 120 ký tự.",
                          "The application name must be 1 to 120 characters.")
    key = PREFIX + secrets.token_urlsafe(32)
    client = Open311Client(name=name, key_hash=digest(key), created_at=utcnow())
    session.add(client)
    session.flush()
    return client, key


def check(session: Session, key: str, now: dt.datetime | None = None) -> Open311Client | None:
    """The client holding this key, unless it was revoked; its last use is recorded."""
    if not key or len(key) > 200:
        return None
    client = session.scalar(select(Open311Client).where(Open311Client.key_hash == digest(key)))
    if client is None or client.revoked_at is not None:
        return None
    client.last_used_at = now or utcnow()
    return client


def revoke(session: Session, ident: str) -> list[Open311Client]:
    """Revoke by id or by name (every key of that name); the clients revoked."""
    query = select(Open311Client).where(Open311Client.revoked_at.is_(None))
    query = query.where(Open311Client.id == int(ident)) if ident.isdigit() else \
        query.where(Open311Client.name == " ".join(ident.split()))
    found = list(session.scalars(query))
    for client in found:
        client.revoked_at = utcnow()
    session.flush()
    return found


def listing(session: Session) -> list[Open311Client]:
    return list(session.scalars(select(Open311Client).order_by(Open311Client.id)))
