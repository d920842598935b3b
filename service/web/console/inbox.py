"""Console views: the inbox (placeholder; the full inbox replaces this)."""
from __future__ import annotations

from flask import render_template

from service.web.console import bp
from service.web.console.auth import login_required


@bp.get("/don")
@login_required()
def inbox():
    return render_template("console/inbox.html")
