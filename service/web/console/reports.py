"""Console views: Báo cáo (placeholder until written)."""
from __future__ import annotations

from flask import render_template

from service.web.console import bp
from service.web.console.auth import login_required


@bp.get("/bao-cao")
@login_required()
def reports():
    return render_template("console/placeholder.html", title="Báo cáo")
