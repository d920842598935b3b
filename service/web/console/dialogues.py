"""Console views: Đối thoại (placeholder until written)."""
from __future__ import annotations

from flask import render_template

from service.web.console import bp
from service.web.console.auth import login_required


@bp.get("/doi-thoai")
@login_required("admin", "staff", "office_head", "chairperson")
def dialogues():
    return render_template("console/placeholder.html", title="Đối thoại")
