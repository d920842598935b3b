"""`flask outbox dispatch` and `flask outbox status`: the outbox from the command line.

`dispatch` registers the configured senders (service.outbound.register_configured: ZNS, SMS, e-mail,
Telegram, Zalo) and sends every due message once, as the jobs process does on its schedule, then exits;
a fallback queued while it runs (ZNS refused -> SMS) is due at once and goes in the same run.
`status` prints the pending / sending / failed / sent counts per channel.
`flask mailbox read` reads the office mailbox once (IMAP_URL), as the jobs' `mailbox` job does.
"""
from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from service import outbound
from service.jobs.dispatch import DispatchResult, dispatch_outbox
from service.models.outbox import OutboxMessage

STATUSES = ("pending", "sending", "failed", "sent")
MAX_ROUNDS = 10  # a fallback chain is at most three links long; this only bounds a pathological loop


def dispatch_all(database, settings, batch: int = 100) -> DispatchResult:
    """Send what is due now, in rounds until a round claims nothing: a failed row waits for its back-off
    (30 s at least), so each row is tried once; a fallback queued in one round goes in the next."""
    outbound.register_configured(database, settings)
    total = DispatchResult()
    for _ in range(MAX_ROUNDS):
        result = dispatch_outbox(database, batch=batch)
        for name in ("claimed", "sent", "retried", "failed"):
            setattr(total, name, getattr(total, name) + getattr(result, name))
        if not result.claimed:
            break
    return total


def register(app: Flask) -> None:
    group = AppGroup("outbox", help="Outgoing messages (ZNS, SMS, e-mail, chat).")
    app.cli.add_command(group)

    @group.command("dispatch")
    @click.option("--batch", default=100, show_default=True, type=click.IntRange(1, 10_000))
    def dispatch_command(batch: int) -> None:
        """Send every due message once and exit."""
        result = dispatch_all(current_app.extensions["db"], current_app.config, batch)
        click.echo(f"Đã gửi {result.sent}, chờ gửi lại {result.retried}, thất bại {result.failed} "
                   f"(trên {result.claimed} tin đến hạn).")

    @group.command("status")
    def status_command() -> None:
        """Pending / failed counts per channel."""
        with current_app.extensions["db"].session_scope() as session:
            rows = session.execute(select(OutboxMessage.channel, OutboxMessage.status, func.count())
                                   .group_by(OutboxMessage.channel, OutboxMessage.status)).all()
        counts: dict[str, dict[str, int]] = {}
        for channel, status, n in rows:
            counts.setdefault(channel, {})[status] = n
        click.echo(f"{'kênh':<10}" + "".join(f"{s:>10}" for s in STATUSES))
        for channel in sorted(counts):
            click.echo(f"{channel:<10}" + "".join(f"{counts[channel].get(s, 0):>10}" for s in STATUSES))
        if not counts:
            click.echo("Hộp thư đi trống.")

    mail = AppGroup("mailbox", help="The office mailbox (IMAP_URL).")
    app.cli.add_command(mail)

    @mail.command("read")
    def mailbox_read() -> None:
        """Take every unseen letter: a petition each, or a reply to one."""
        from service.jobs.mailbox import read_mailbox

        if not current_app.config.get("IMAP_URL"):
            raise click.ClickException("Chưa đặt IMAP_URL (hộp thư của cơ quan).")
        result = read_mailbox(current_app.extensions["db"], current_app.config)
        click.echo(f"Đã đọc {result.read} thư: {result.petitions} đơn mới, {result.replies} thư trả lời, "
                   f"{result.skipped} bỏ qua.")
