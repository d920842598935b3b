"""Console views: Nhập đơn (placeholder until written)."""
from __future__ import annotations

from flask import render_template

from service.web.console import bp
from service.web.console.auth import login_required


@bp.get("/nhap-don")
@login_required("admin", "staff", "office_head")
def entry():
    return render_template("console/placeholder.html", title="Nhập đơn")
