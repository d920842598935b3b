"""Alembic environment: the models' metadata, the URL from the settings, batch mode for SQLite."""
from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy import JSON, engine_from_config, pool

import service.models  # noqa: F401  (registers every table)
from service import crypto
from service.db import Base, UTCDateTime, normalise_url
from service.settings import load_settings

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def _entry_settings():
    """Run by the app (`flask setup`, the tests) alembic gets the URL and finds the keyring configured; run by its
    own command line it is an entry point and reads the settings once, for the URL and the data migrations' key."""
    if crypto.is_configured() and config.attributes.get("database_url"):
        return None
    settings = load_settings()
    if not crypto.is_configured():
        crypto.configure(settings)
    return settings


SETTINGS = _entry_settings()


def database_url() -> str:
    return normalise_url(config.attributes.get("database_url") or SETTINGS.database_url)


def render_item(type_: str, obj, autogen_context):
    """Write the project's column types as importable code in migration files."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        autogen_context.imports.add("import service.db")
        return "service.db.UTCDateTime()"
    if type_ == "type" and isinstance(obj, JSON) and getattr(obj, "_variant_mapping", None):
        autogen_context.imports.add("import service.db")
        return "service.db.JsonDoc"
    return False


def _configure(**kwargs) -> None:
    context.configure(target_metadata=target_metadata, render_as_batch=True, compare_type=True,
                      render_item=render_item, **kwargs)


def run_migrations_offline() -> None:
    _configure(url=database_url(), literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = engine_from_config({"sqlalchemy.url": database_url()}, prefix="sqlalchemy.", poolclass=pool.NullPool)
    with engine.connect() as conn:
        _configure(connection=conn)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
