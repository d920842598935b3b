"""The Zalo OA token pair in ChannelToken("zalo"), refreshed under a row lock.

Zalo's refresh token is single-use: every refresh returns a new pair, and two processes refreshing
at once would invalidate each other. So the refresh happens inside one transaction holding the row
(SELECT … FOR UPDATE on PostgreSQL; on SQLite a first write takes the database's write lock, the
equivalent of BEGIN IMMEDIATE), re-reads the row, and refreshes only if nobody else just did.
The first pair comes from the settings ZALO_ACCESS_TOKEN / ZALO_REFRESH_TOKEN; it has no known expiry, so
the jobs process (`refresh_ahead`, every few minutes) trades it for a pair that has one, and from then on
refreshes an hour before expiry. No web request ever waits for Zalo's OAuth server.
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Any, Mapping

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from service.db import Database, utcnow
from service.models.channel import ChannelToken
from service.outbound.zalo.client import ZaloClient, ZaloError

logger = logging.getLogger(__name__)

CHANNEL = "zalo"
REFRESH_BEFORE = dt.timedelta(hours=1)  # access tokens live ~25 h; refresh an hour ahead


class NoToken(ZaloError):
    """Neither a stored token nor ZALO_ACCESS_TOKEN."""


def _seed(session: Session, settings: Mapping[str, Any]) -> None:
    access = str(settings.get("ZALO_ACCESS_TOKEN") or "")
    if not access:
        return
    module = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(module.insert(ChannelToken).values(
        channel=CHANNEL, access_token=access, refresh_token=str(settings.get("ZALO_REFRESH_TOKEN") or "") or None,
        expires_at=None, updated_at=utcnow()).on_conflict_do_nothing())


def _row(session: Session, settings: Mapping[str, Any], *, lock: bool) -> ChannelToken | None:
    query = select(ChannelToken).where(ChannelToken.channel == CHANNEL).execution_options(populate_existing=True)
    if lock:
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update()
        else:  # take SQLite's write lock before reading, so the read cannot be stale
            session.execute(update(ChannelToken).where(ChannelToken.channel == CHANNEL)
                            .values(updated_at=ChannelToken.updated_at))
    row = session.scalar(query)
    if row is None:
        _seed(session, settings)
        row = session.scalar(query)
    return row


def access_token(database: Database, client: ZaloClient, settings: Mapping[str, Any],
                 now: dt.datetime | None = None) -> str:
    """A usable access token, refreshed first when it expires within the hour."""
    now = now or utcnow()
    with database.session_scope() as session:
        row = _row(session, settings, lock=False)
        if row is None:
            raise NoToken("no Zalo access token: set ZALO_ACCESS_TOKEN / ZALO_REFRESH_TOKEN or run bots.admin")
        token, expires = row.access_token, row.expires_at
    if expires is not None and expires - now < REFRESH_BEFORE:
        return refresh(database, client, settings, stale=token, now=now)
    return token


def refresh_ahead(database: Database, client: ZaloClient, settings: Mapping[str, Any],
                  now: dt.datetime | None = None) -> bool:
    """The jobs process's refresh: when the stored pair expires within REFRESH_BEFORE, or has no known
    expiry (the settings' pair), refresh it now. True when it refreshed; nothing without a refresh token."""
    now = now or utcnow()
    with database.session_scope() as session:
        row = _row(session, settings, lock=False)
        if row is None or not row.refresh_token:
            return False
        token, expires = row.access_token, row.expires_at
    if expires is not None and expires - now >= REFRESH_BEFORE:
        return False
    refresh(database, client, settings, stale=token, now=now)
    return True


def refresh(database: Database, client: ZaloClient, settings: Mapping[str, Any], *, stale: str | None = None,
            now: dt.datetime | None = None) -> str:
    """Refresh under the row lock and store the new pair atomically; returns the access token.

    `stale` is the token the caller found wanting: if the row holds another one, someone refreshed
    meanwhile and that one is returned without spending the refresh token again."""
    now = now or utcnow()
    pair = None
    try:
        with database.session_scope() as session:
            row = _row(session, settings, lock=True)
            if row is None:
                raise NoToken("no Zalo token to refresh")
            if stale is not None and row.access_token != stale:
                return row.access_token
            if not row.refresh_token:
                raise NoToken("no Zalo refresh token stored")
            pair = client.refresh(row.refresh_token, now=now)
            row.access_token, row.refresh_token, row.expires_at = pair.access_token, pair.refresh_token, pair.expires_at
            row.updated_at = now
    except Exception:
        if pair is not None:  # the old refresh token is spent and the new pair is lost
            logger.critical("Zalo issued a new token pair that could not be stored; re-authorise the OA and "
                            "store the pair with `python -m bots.admin zalo-token`")
        raise
    logger.info("Zalo OA token refreshed; valid until %s", pair.expires_at.isoformat(timespec="minutes"))
    return pair.access_token


def store(session: Session, access: str, refresh_token: str | None, expires_at: dt.datetime | None) -> ChannelToken:
    """Put a pair in by hand (bots.admin), replacing what is stored."""
    row = session.scalar(select(ChannelToken).where(ChannelToken.channel == CHANNEL))
    if row is None:
        row = ChannelToken(channel=CHANNEL, access_token=access)
        session.add(row)
    row.access_token, row.refresh_token, row.expires_at, row.updated_at = access, refresh_token, expires_at, utcnow()
    session.flush()
    return row
