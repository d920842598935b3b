"""The service as production runs it, plus a bare endpoint that only inserts one row (the baseline)."""
from __future__ import annotations

from flask import jsonify

from service.app import create_app
from service.db import utcnow
from service.models.channel import ProcessedInbound
from service.web.session import commit, db_session


def build():
    app = create_app()

    @app.post("/bench/bare")
    def bare_insert():
        session = db_session()
        row = ProcessedInbound(channel="bench", external_id=str(utcnow().timestamp()) + str(id(session)),
                               received_at=utcnow())
        session.add(row)
        session.flush()
        commit()
        return jsonify(id=row.id), 201

    return app


app = build()
