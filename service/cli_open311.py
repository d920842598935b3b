"""`flask open311-keys create|list|revoke`: the api_keys of Open311 client applications.

`create --name NAME` prints the key once, on the LAST line of its output (scripts read that line).
"""
from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from service.domain.errors import DomainError
from service.domain.open311 import clients


def register(app: Flask) -> None:
    keys = AppGroup("open311-keys", help="API keys of Open311 client applications.")
    app.cli.add_command(keys)

    @keys.command("create")
    @click.option("--name", required=True, help="The client application, e.g. 'Ứng dụng Hải Phòng số'.")
    def create(name: str) -> None:
        """Issue a key for one application; printed once, on the last line."""
        try:
            with current_app.extensions["db"].session_scope() as session:
                client, key = clients.create(session, name)
                ident = client.id
        except DomainError as exc:
            raise click.ClickException(exc.message) from exc
        click.echo(f"Đã cấp api_key cho ứng dụng {name} (số {ident}); khóa chỉ hiện một lần:")
        click.echo(key)

    @keys.command("list")
    def listing() -> None:
        """The applications and whether their key is still valid."""
        with current_app.extensions["db"].session_scope() as session:
            for c in clients.listing(session):
                state = f"thu hồi {c.revoked_at:%d/%m/%Y}" if c.revoked_at else "còn hiệu lực"
                used = f", dùng lần cuối {c.last_used_at:%d/%m/%Y %H:%M}" if c.last_used_at else ""
                click.echo(f"{c.id}\t{c.name}\t{state}{used}")

    @keys.command("revoke")
    @click.argument("ident")
    def revoke(ident: str) -> None:
        """Revoke the key of an application, by its number or its name."""
        with current_app.extensions["db"].session_scope() as session:
            done = clients.revoke(session, ident)
        if not done:
            raise click.ClickException(f"Không có khóa còn hiệu lực nào của '{ident}'.")
        click.echo(f"Đã thu hồi {len(done)} khóa.")
