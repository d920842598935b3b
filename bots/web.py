"""What the webhooks take from the Flask app that loads them (WEB_PLUGINS): its database.

The app factory keeps it in `app.extensions["db"]` (service.app.register_database); reading it here
keeps `bots` from importing `service.web`."""
from __future__ import annotations

from flask import current_app

from service.db import Database


def database() -> Database:
    return current_app.extensions["db"]
