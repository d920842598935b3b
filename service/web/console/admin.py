"""Console views: users and audit log for admins (placeholder until written)."""
from __future__ import annotations

from flask import render_template

from service.web.console import bp
from service.web.console.auth import login_required


@bp.get("/quan-tri/tai-khoan")
@login_required("admin")
def users():
    return render_template("console/placeholder.html", title="Tài khoản")


@bp.get("/quan-tri/nhat-ky")
@login_required("admin")
def audit_log():
    return render_template("console/placeholder.html", title="Nhật ký")
