"""JSON API v1. Each module adds its routes to the one blueprint."""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from service.web.api import (  # noqa: E402,F401  (routes register on import)
    actions,  # noqa: E402,F401
    dialogues,  # noqa: E402,F401
    openapi,
    petitions,
    plan_tasks,
    public_figures,
    reception,  # noqa: E402,F401
    reception_book,  # noqa: E402,F401
    reference,
    reports,  # noqa: E402,F401
    scorecards,
    similar,  # noqa: E402,F401
)
