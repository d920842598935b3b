"""What the webhooks take from the Flask app that loads them (WEB_PLUGINS): its database and its limits.

The app factory keeps them in `app.extensions["db"]` (service.app.register_database) and
`app.extensions["intake_limits"]` (service.web.security.init_security); reading them here keeps `bots`
from importing `service.web`."""
from __future__ import annotations

from flask import current_app

from service.db import Database
from service.domain.intake.limits import IntakeLimits


def database() -> Database:
    return current_app.extensions["db"]


def limits() -> IntakeLimits:
    """The app's petitions-per-phone and failed-look-up limits, built once from its settings."""
    return current_app.extensions["intake_limits"]
