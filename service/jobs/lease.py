"""A lease row (table job_leases) so only one jobs process runs its jobs; works on SQLite and PostgreSQL.

The holder renews the lease each time it runs a job; a second copy finds it held and waits
until it expires (its holder died) before taking over (integrations.md §3).
"""
from __future__ import annotations

import datetime as dt
import os
import socket
import uuid

from sqlalchemy import delete, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from service.db import Database, utcnow
from service.models.job import JobLease

LEASE_NAME = "jobs"
LEASE_TTL = dt.timedelta(seconds=60)


def new_holder() -> str:
    """Who holds the lease: host, process and a random part (two copies never share it)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"[:128]


def acquire(database: Database, holder: str, *, name: str = LEASE_NAME, ttl: dt.timedelta = LEASE_TTL,
            now: dt.datetime | None = None) -> bool:
    """Take or renew the lease; False while another live holder has it."""
    now = now or utcnow()
    with database.session_scope() as session:
        renewed = session.execute(
            update(JobLease).where(JobLease.name == name, or_(JobLease.holder == holder, JobLease.expires_at < now))
            .values(holder=holder, expires_at=now + ttl).execution_options(synchronize_session=False))
        if renewed.rowcount == 1:
            return True
    module = postgresql if database.dialect == "postgresql" else sqlite
    try:
        with database.session_scope() as session:
            inserted = session.execute(module.insert(JobLease).values(name=name, holder=holder, expires_at=now + ttl)
                                       .on_conflict_do_nothing(index_elements=["name"]).returning(JobLease.name))
            return inserted.scalar() is not None
    except IntegrityError:
        return False


def release(database: Database, holder: str, *, name: str = LEASE_NAME) -> None:
    """Give the lease up at shutdown, so a waiting copy need not wait for it to expire."""
    with database.session_scope() as session:
        session.execute(delete(JobLease).where(JobLease.name == name, JobLease.holder == holder))
