"""Fault (c): the Telegram and Zalo APIs are unreachable while citizens write to the bots, then come back
slow. The webhooks still accept every update (the petition is stored, the update marked processed), the
replies wait in the outbox, and once the platforms are back the jobs process delivers each one, once.

One limit, by design and not tested here: a send that times out after the platform took the message
(no answer within the timeout) is retried, and neither Telegram nor Zalo accepts an idempotency key, so
that one message can arrive twice. Delivery is at-least-once; storage is exactly-once.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import threading

import httpx
import pytest
from sqlalchemy import func, select, update
from werkzeug.serving import make_server

from bench.load import Citizens, Stats, check, wait_for_outbox
from bench.loadlib import Fakes, jobs_process, service_env
from service import outbound
from service.app import create_app
from service.db import Database, utcnow
from service.jobs.dispatch import dispatch_outbox
from service.models import OutboxMessage, Petition

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(240)]


def outbox_statuses(database: Database) -> dict[str, int]:
    with database.session_scope() as session:
        return dict(session.execute(select(OutboxMessage.status, func.count())
                                    .where(OutboxMessage.channel.in_(("telegram", "zalo")))
                                    .group_by(OutboxMessage.status)).all())


@pytest.fixture
def live_app(service_db, tmp_path):
    """The web app on a real HTTP server in this process, pointed at the fakes' (fixed) ports."""
    fakes = Fakes(tmp_path)
    settings = service_env(service_db, fakes)
    app = create_app(settings)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", fakes, settings
    server.shutdown()
    thread.join(10)
    app.extensions["db"].dispose()
    fakes.kill()


def test_platforms_down_then_slow_every_reply_delivered_once(live_app, service_db, tmp_path):
    base, fakes, settings = live_app
    database = Database(service_db)
    stats, ledger = Stats(), []
    citizens = Citizens(base, stats, ledger, twice=0.3)

    async def two_citizens():  # the platforms are not running: every call to them is refused
        async with httpx.AsyncClient(timeout=60) as a, httpx.AsyncClient(timeout=60) as b:
            await asyncio.gather(citizens.telegram(a), citizens.zalo(b))

    asyncio.run(two_citizens())
    assert all(s.accepted for s in ledger), [s.outcome for s in ledger]
    assert set(stats.statuses["telegram webhook"]) == {200} and set(stats.statuses["zalo webhook"]) == {200}
    with database.session_scope() as session:
        assert session.scalar(select(func.count()).select_from(Petition)) == 2
    waiting = outbox_statuses(database)
    assert set(waiting) == {"pending"} and waiting["pending"] >= 20  # ~11 replies per dialogue, none sent

    registered = outbound.register_configured(database, settings)
    try:
        # The jobs process tries again after the backoff, while the platforms are still down: kept, not lost.
        retried = dispatch_outbox(database, now=utcnow() + dt.timedelta(minutes=1), batch=100)
        assert (retried.sent, retried.failed, retried.retried) == (0, 0, waiting["pending"])
        assert outbox_statuses(database) == waiting

        fakes.start()  # back on the same addresses, and slow
        fakes.steer("telegram", delay=0.3)
        fakes.steer("zalo", delay=0.3)
        with database.session_scope() as session:  # the retry is due now (stands for waiting out the backoff)
            session.execute(update(OutboxMessage).values(next_attempt_at=utcnow()))
        jobs = jobs_process(service_env(service_db, fakes), tmp_path).start()
        try:
            final = wait_for_outbox(service_db, seconds=90)
        finally:
            jobs.stop()
        assert final == {"sent": waiting["pending"]}, final

        calls_before = len(fakes.calls("telegram")) + len(fakes.calls("zalo"))
        again = dispatch_outbox(database, now=utcnow() + dt.timedelta(hours=1), batch=100)
        assert again.claimed == 0
        assert len(fakes.calls("telegram")) + len(fakes.calls("zalo")) == calls_before
    finally:
        for channel in registered:
            outbound.unregister(channel)
        database.dispose()

    result = check(service_db, ledger, fakes)
    assert result["lost"] == result["duplicated"] == result["half-written"] == 0, result
    assert result["chat confirmation missing or twice"] == 0 and result["chat messages sent twice"] == 0, result
    # Each chat got its replies in the order the dialogue produced them.
    delivered = fakes.delivered()
    with Database(service_db).session_scope() as session:
        for sub in ledger:
            texts = list(session.scalars(select(OutboxMessage.text).where(OutboxMessage.recipient == sub.user)
                                         .order_by(OutboxMessage.id)))
            # (the opening of each: Zalo renders a phone question its own way, with the request_user_info form)
            assert [t.split("\n\n")[0][:40] for t in delivered[sub.channel][sub.user]] == \
                [t.split("\n\n")[0][:40] for t in texts]
