"""Backups and restores: `flask backup` and `flask restore` (README, section "Vận hành").

PostgreSQL: `pg_dump -Fc` (one consistent snapshot, while the service runs) to a dated file, restored
with `pg_restore` into an empty database. SQLite: the online backup API (`sqlite3.Connection.backup`,
consistent even while workers write), restored by copying the pages back into an empty file.
A restore refuses a database that already has tables: restoring over live data would mix two states.
Petitions are records a unit must keep, so every backup is read back before it counts as done.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

import click
from flask import Flask, current_app
from sqlalchemy import create_engine, inspect, text

from service.db import normalise_url

STAMP = "%Y%m%d-%H%M%S"
NAME = re.compile(r"^tiepdan-(\d{8}-\d{6})\.(dump|sqlite3)$")


class BackupError(Exception):
    pass


def _is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def sqlite_path(url: str) -> Path:
    if not url.startswith("sqlite:///") or url.endswith(":memory:"):
        raise BackupError("Chỉ sao lưu được cơ sở dữ liệu SQLite lưu trong tệp.")
    return Path(url[len("sqlite:///"):])


def libpq_url(url: str) -> str:
    """pg_dump and pg_restore take the plain postgresql:// form."""
    return re.sub(r"^postgres(ql)?(\+\w+)?://", "postgresql://", url)


def pg_tool(name: str) -> str:
    """pg_dump / pg_restore from PATH, else from the newest /usr/lib/postgresql/*/bin."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
                        key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0)
    if not candidates:
        raise BackupError(f"Không tìm thấy {name} (cài gói postgresql-client).")
    return str(candidates[-1])


def row_counts(url: str) -> dict[str, int]:
    """Rows per table, to compare a database with its restored copy."""
    engine = create_engine(normalise_url(url))
    try:
        with engine.connect() as conn:
            tables = sorted(inspect(conn).get_table_names())
            return {t: conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one() for t in tables}
    finally:
        engine.dispose()


def backup(url: str, directory: Path, now: dt.datetime | None = None) -> Path:
    """Write a dated backup of the database at `url` into `directory`; returns its path."""
    directory.mkdir(parents=True, exist_ok=True)
    stamp = (now or dt.datetime.now(dt.timezone.utc)).strftime(STAMP)
    if _is_sqlite(url):
        target = directory / f"tiepdan-{stamp}.sqlite3"
        source = sqlite3.connect(sqlite_path(url))
        copy = sqlite3.connect(target)
        try:
            with copy:
                source.backup(copy)  # page by page, consistent even while other connections write
            if copy.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError(f"Bản sao lưu {target} bị lỗi (integrity_check).")
        finally:
            copy.close()
            source.close()
        return target
    target = directory / f"tiepdan-{stamp}.dump"
    _run([pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", "--file", str(target),
          "--dbname", libpq_url(url)])
    _run([pg_tool("pg_restore"), "--list", str(target)])  # readable: the archive's table of contents parses
    return target


def restore(url: str, path: Path) -> dict[str, int]:
    """Restore the backup at `path` into the empty database at `url`; returns its row counts."""
    if not path.exists():
        raise BackupError(f"Không có tệp {path}.")
    if _is_sqlite(url):
        target = sqlite_path(url)
        if target.exists() and _has_tables(url):
            raise BackupError(f"{target} đã có dữ liệu: hãy khôi phục vào một tệp mới (trống).")
        target.parent.mkdir(parents=True, exist_ok=True)
        for stale in (Path(f"{target}-wal"), Path(f"{target}-shm")):
            stale.unlink(missing_ok=True)
        source, copy = sqlite3.connect(path), sqlite3.connect(target)
        try:
            with copy:
                source.backup(copy)  # the pages copied back, as one file
        finally:
            copy.close()
            source.close()
    else:
        if _has_tables(url):
            raise BackupError("Cơ sở dữ liệu đích đã có bảng: hãy khôi phục vào một cơ sở dữ liệu mới (trống).")
        _run([pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
              "--dbname", libpq_url(url), str(path)])
    return row_counts(url)


def prune(directory: Path, keep_days: int, now: dt.datetime | None = None) -> list[Path]:
    """Delete this tool's backups older than `keep_days` days; returns what was deleted."""
    now = now or dt.datetime.now(dt.timezone.utc)
    removed = []
    for path in sorted(directory.glob("tiepdan-*")):
        found = NAME.match(path.name)
        if found:
            taken = dt.datetime.strptime(found.group(1), STAMP).replace(tzinfo=dt.timezone.utc)
            if now - taken > dt.timedelta(days=keep_days):
                path.unlink()
                removed.append(path)
    return removed


def _has_tables(url: str) -> bool:
    engine = create_engine(normalise_url(url))
    try:
        with engine.connect() as conn:
            return bool(inspect(conn).get_table_names())
    finally:
        engine.dispose()


def _run(argv: list[str]) -> None:
    # The URL may carry a password: never echo the command line, only the tool's own message.
    done = subprocess.run(argv, capture_output=True, text=True, env={**os.environ, "PGCONNECT_TIMEOUT": "10"})
    if done.returncode != 0:
        raise BackupError(f"{Path(argv[0]).name} thất bại: {done.stderr.strip()[-2000:]}")


def register(app: Flask) -> None:
    @app.cli.command("backup")
    @click.option("--dir", "directory", default="instance/backups", show_default=True, type=click.Path(file_okay=False))
    @click.option("--keep-days", type=int, default=None, help="Also delete backups older than this many days.")
    def backup_command(directory: str, keep_days: int | None) -> None:
        """Back up the database (pg_dump -Fc, or SQLite's online backup) to a dated file."""
        url = current_app.config["DATABASE_URL"]
        try:
            path = backup(url, Path(directory))
        except BackupError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(f"Đã sao lưu: {path} ({path.stat().st_size} byte).")
        if keep_days is not None:
            for old in prune(Path(directory), keep_days):
                click.echo(f"Đã xoá bản cũ: {old}")

    @app.cli.command("restore")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False))
    def restore_command(path: str) -> None:
        """Restore a backup into the (empty) database of DATABASE_URL, then print its row counts."""
        url = current_app.config["DATABASE_URL"]
        current_app.extensions["db"].dispose()  # no pooled connection of ours to the target during the restore
        try:
            counts = restore(url, Path(path))
        except BackupError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(f"Đã khôi phục {path}. Số dòng theo bảng:")
        for table, n in counts.items():
            click.echo(f"  {table}: {n}")
