"""Liveness: 200 when the database answers, 503 otherwise."""
from __future__ import annotations

from flask import Blueprint, jsonify

from service.web.session import database

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    try:
        database().ping()
    except Exception:  # any driver error means: not healthy
        return jsonify(status="unavailable", message="Cơ sở dữ liệu không phản hồi.",
                       message_en="The database does not answer."), 503
    return jsonify(status="ok")
