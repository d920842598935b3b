"""JSON API v1. Each module adds its routes to the one blueprint."""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from service.web.api import openapi, petitions, reference  # noqa: E402,F401  (routes register on import)
from service.web.api import actions  # noqa: E402,F401
from service.web.api import dialogues  # noqa: E402,F401
from service.web.api import reports  # noqa: E402,F401
