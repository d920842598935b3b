"""The Flask application factory: wiring only."""
from __future__ import annotations

import logging
from typing import Any, Mapping

from flask import Flask

from service.db import Database
from service.settings import load_settings


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    settings = load_settings(config)
    app = Flask(__name__, template_folder="web/templates", static_folder="web/static")
    app.config.update(settings)
    logging.basicConfig(level=settings.get("LOG_LEVEL", "INFO"))
    register_database(app)
    register_extensions(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_commands(app)
    return app


def register_database(app: Flask) -> None:
    from service.web.session import bind_database

    bind_database(app, Database(app.config["DATABASE_URL"]))


def register_extensions(app: Flask) -> None:
    from service.web.security import init_security

    init_security(app)


def register_blueprints(app: Flask) -> None:
    from service.web import api, health

    app.register_blueprint(health.bp)
    app.register_blueprint(api.bp)


def register_error_handlers(app: Flask) -> None:
    from service.web.errors import register

    register(app)


def register_commands(app: Flask) -> None:
    from service.cli import register

    register(app)
