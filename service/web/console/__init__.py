"""The staff console (/can-bo): login, inbox, petition pages, staff entry, dialogues, reports, admin.

Every view is a thin adapter over service.domain; `auth.login_required` checks the role on the server
for every route, and the domain's access rules decide which petitions and identities a user sees.
"""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("console", __name__, url_prefix="/can-bo")

# Each module adds its views to `bp`.
from service.web.console import (  # noqa: F401
    accountability,
    admin,
    auth,
    bulk,
    canned,
    dialogues,
    entry,
    inbox,
    petition,
    plans,
    reception,
    reports,
    suggestions,
)
