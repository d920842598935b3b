"""The Flask application factory: wiring only."""
from __future__ import annotations

import importlib
import logging
from typing import Any, Mapping

from flask import Flask

from service import crypto, logging_filters
from service.db import Database
from service.domain.intake import validation
from service.settings import load_settings, refuse_insecure
from service.web.session import TransactionalFlask


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """The app of these settings: read once here (the environment, then `config`, which tests pass) and kept
    in `app.extensions["settings"]`; Flask's `app.config` gets a copy of them for the extensions."""
    settings = load_settings(config)
    refuse_insecure(settings)  # production never starts with the development SECRET_KEY or encryption key
    app = TransactionalFlask(__name__, template_folder="web/templates", static_folder="web/static")
    app.config.update(settings)
    app.extensions["settings"] = settings
    logging.basicConfig(level=settings.get("LOG_LEVEL", "INFO"))
    logging_filters.install(settings)  # no phone, ID number or token ever reaches a log
    crypto.configure(settings)  # the key of the ID numbers encrypted at rest
    validation.set_image_pixel_budget(settings["MAX_IMAGE_PIXELS"])  # decompression bombs refused unread
    register_database(app)
    register_extensions(app)
    register_blueprints(app)
    register_plugins(app)
    register_error_handlers(app)
    register_commands(app)
    return app


def register_database(app: Flask) -> None:
    from service.web.session import bind_database

    bind_database(app, Database(app.extensions["settings"].database_url))


def register_extensions(app: Flask) -> None:
    from service.web.security import init_security

    init_security(app)


def register_blueprints(app: Flask) -> None:
    from service.web import (api, console, health, open311, open311_extras, privacy, public, public_dialogues,
                             public_reception, transparency)

    app.register_blueprint(health.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(open311.bp)
    app.register_blueprint(open311_extras.discovery_bp)  # /open311/discovery.json
    app.register_blueprint(public.bp)
    app.register_blueprint(console.bp)
    app.register_blueprint(privacy.bp)
    app.register_blueprint(privacy.staff_bp)
    app.register_blueprint(public_dialogues.bp)
    app.register_blueprint(transparency.bp)
    app.register_blueprint(public_reception.bp)


def register_plugins(app: Flask) -> None:
    """Blueprints named in WEB_PLUGINS ("module:attribute", comma-separated), such as the chat webhooks.

    Named by string so that `service` never imports `bots` (architecture.md layers)."""
    for spec in filter(None, (s.strip() for s in str(app.config.get("WEB_PLUGINS", "")).split(","))):
        module, _, attribute = spec.partition(":")
        try:
            blueprint = getattr(importlib.import_module(module), attribute or "bp")
        except ModuleNotFoundError as exc:
            if exc.name is None or not (module == exc.name or module.startswith(exc.name + ".")):
                raise  # the plugin exists but something it needs is missing: say so
            logging.getLogger(__name__).warning("web plugin %s is not installed; skipped", spec)
            continue
        app.register_blueprint(blueprint)


def register_error_handlers(app: Flask) -> None:
    from service.web.errors import register

    register(app)


def register_commands(app: Flask) -> None:
    from service.cli import register

    register(app)
