"""Flask commands: setup, users, tokens, heads, catalogue, demo, crypto, outbox, open311-keys (`flask --app service.app …`)."""
from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from service import backup, cli_open311, cli_outbox, migrate
from service.db import Database
from service.domain.codes import ROLES, categories
from service.domain.errors import DomainError
from service.domain.people import accounts
from service.domain.routing import catalogue, units


def run_setup(database: Database, remote_units: frozenset[str] = units.DEFAULT_REMOTE_UNITS) -> dict[str, int]:
    """Migrate to head, then load units, catalogues and categories. Idempotent."""
    migrate.upgrade(database.url)
    with database.session_scope() as session:
        unit_count = units.load_units(session, remote_units)
        task_count = catalogue.sync_catalogues(session)
    return {"units": unit_count, "tasks": task_count, "categories": len(categories())}


def _database() -> Database:
    return current_app.extensions["db"]


def _fail(exc: DomainError) -> None:
    details = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.fields.items())
    raise click.ClickException(f"{exc.message} {details}".strip())


def register(app: Flask) -> None:
    @app.cli.command("setup")
    def setup_command() -> None:
        """Migrate the database to head and load units, catalogues and categories (safe to re-run)."""
        counts = run_setup(_database(), current_app.config["REMOTE_UNITS"])
        click.echo(f"Đã sẵn sàng: {counts['units']} đơn vị, {counts['tasks']} nhiệm vụ, "
                   f"{counts['categories']} lĩnh vực.")

    @app.cli.command("demo")
    @click.option("--count", default=60, show_default=True, help="How many demo petitions to create.")
    def demo_command(count: int) -> None:
        """Load a realistic demo data set (users and petitions); safe to re-run."""
        from service.demo import load_demo

        with _database().session_scope() as session:
            summary = load_demo(session, count=count)
        click.echo(summary)

    users = AppGroup("users", help="Staff accounts.")
    app.cli.add_command(users)

    @users.command("create")
    @click.option("--username", required=True)
    @click.option("--password", required=True)
    @click.option("--role", required=True, type=click.Choice(list(ROLES)))
    @click.option("--unit", default=None, help="Unit code or name (with or without diacritics).")
    @click.option("--office", default=None, help="Office code, e.g. van_phong.")
    @click.option("--full-name", default=None)
    def users_create(username: str, password: str, role: str, unit: str | None, office: str | None,
                     full_name: str | None) -> None:
        """Create a staff account."""
        try:
            with _database().session_scope() as session:
                user = accounts.create_user(session, username=username, password=password, role=role, unit=unit,
                                            office=office, full_name=full_name)
                click.echo(f"Đã tạo tài khoản {user.username} ({ROLES[user.role]}).")
        except DomainError as exc:
            _fail(exc)

    tokens = AppGroup("tokens", help="API bearer tokens.")
    app.cli.add_command(tokens)

    @tokens.command("create")
    @click.option("--username", required=True)
    @click.option("--label", default=None)
    def tokens_create(username: str, label: str | None) -> None:
        """Create a bearer token for API v1; printed once, on the last line."""
        try:
            with _database().session_scope() as session:
                token = accounts.create_token(session, username, label)
        except DomainError as exc:
            _fail(exc)
        click.echo("Mã truy cập (chỉ hiện một lần):")
        click.echo(token)

    backup.register(app)  # flask backup / flask restore
    cli_outbox.register(app)  # flask outbox dispatch / status
    cli_open311.register(app)  # flask open311-keys create / list / revoke

    crypto_group = AppGroup("crypto", help="Keys of the personal data encrypted at rest.")
    app.cli.add_command(crypto_group)

    @crypto_group.command("rotate")
    @click.option("--batch-size", default=500, show_default=True, type=click.IntRange(1, 100_000))
    def crypto_rotate(batch_size: int) -> None:
        """Re-encrypt every ID number under the first key of DATA_ENCRYPTION_KEY (safe to re-run)."""
        from service import crypto
        from service.crypto_rotation import rotate_id_numbers

        try:
            result = rotate_id_numbers(_database(), batch=batch_size)
        except crypto.CryptoKeyError as exc:
            raise click.ClickException(f"Không giải mã được số giấy tờ: {exc}. Hãy giữ khóa cũ sau khóa mới "
                                       "trong DATA_ENCRYPTION_KEY (cách nhau bởi dấu phẩy) rồi chạy lại.") from exc
        click.echo(f"Đã mã hóa lại {result.changed} số giấy tờ bằng khóa mới (đã kiểm tra {result.checked}).")

    heads_group = AppGroup("heads", help="Heads of offices over time (scorecards credit the head at the time).")
    app.cli.add_command(heads_group)

    @heads_group.command("appoint")
    @click.option("--username", required=True, help="The account that heads its office from now (or --from).")
    @click.option("--from", "first", default=None, help="From this day (dd/mm/yyyy); today when absent.")
    def heads_appoint(username: str, first: str | None) -> None:
        """Record that an account heads its office from a day; the previous head's term ends then."""
        from service.domain.accountability import heads
        from service.domain.deadlines.calendar import start_of_day
        from service.domain.reports.periods import parse_day

        try:
            with _database().session_scope() as session:
                row = heads.appoint_by_username(session, username,
                                                start_of_day(parse_day(first, "from")) if first else None)
                click.echo(f"Đã ghi nhận {username} là người đứng đầu cơ quan từ {row.from_at:%d/%m/%Y}.")
        except DomainError as exc:
            _fail(exc)

    cat = AppGroup("catalogue", help="Task catalogues of the plans.")
    app.cli.add_command(cat)

    @cat.command("import")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False))
    @click.option("--plan", "plan_code", required=True, help="Plan code (new or existing).")
    @click.option("--unit", "unit_code", required=True, help="Unit code of the plan.")
    @click.option("--title", default="Kế hoạch nhập từ bảng")
    def catalogue_import(path: str, plan_code: str, unit_code: str, title: str) -> None:
        """Import a plan's task table from CSV or XLSX (TT, Nhiệm vụ, Cơ quan chủ trì, …)."""
        try:
            with _database().session_scope() as session:
                n = catalogue.import_plan_table(session, plan_code, unit_code, title, path)
        except catalogue.CatalogueError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(f"Đã nhập {n} nhiệm vụ vào kế hoạch {plan_code}.")
