"""The service as production runs it, plus a bare endpoint that only inserts one row (the baseline).

With BENCH_STAGES_FILE set, each petition request appends one JSON line to that file: the milliseconds spent in
each stage of `intake.submit` (wrapped here, the service's code is unchanged), in the commit, and in the rest of
the request (HTTP, JSON, schema, answer). bench/intake.py reads the lines of the same run.
"""
from __future__ import annotations

import functools
import json
import os
import time

from flask import g, jsonify, request
from sqlalchemy import event
from sqlalchemy.orm import Session

from service.app import create_app
from service.db import utcnow
from service.models.channel import ProcessedInbound
from service.web.session import db_session

# (module, attribute, stage name): the steps of intake.submit, in the order it calls them.
STAGES = (
    ("service.domain.intake.operations", "_validate", "validate"),
    ("service.domain.intake.quota", "check_phones", "phone quota"),
    ("service.domain.classification.model", "classify", "classify"),
    ("service.domain.routing.operations", "route", "route"),
    ("service.domain.intake.operations", "_unique_code", "tracking code"),
    ("service.domain.people.confidential", "derive", "redact + search text"),
    ("service.domain.intake.operations", "_stamp_deadlines", "deadlines"),
    ("service.domain.matters.arrival", "prepare", "matters (match)"),  # before the one flush
    ("service.domain.matters.arrival", "finish", "matters (index, flags)"),  # after it
    ("service.domain.notifications.receipts", "send_receipt", "receipt"),
    ("service.domain.intake.operations", "submit", "submit (all)"),
)


def _timings() -> dict[str, float] | None:
    try:
        return g.bench_stages
    except (AttributeError, RuntimeError):
        return None


def _wrap(module_name: str, attr: str, stage: str) -> None:
    import importlib

    module = importlib.import_module(module_name)
    original = getattr(module, attr)

    @functools.wraps(original)
    def timed(*args, **kwargs):
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent = (time.perf_counter() - started) * 1000
            stages = _timings()
            if stages is not None:
                stages[stage] = stages.get(stage, 0.0) + spent

    setattr(module, attr, timed)


def _instrument(app, path: str) -> None:
    for module_name, attr, stage in STAGES:
        _wrap(module_name, attr, stage)
    original_commit = Session.commit

    def timed_commit(self):
        started = time.perf_counter()
        try:
            return original_commit(self)
        finally:
            stages = _timings()
            if stages is not None:
                stages["commit"] = stages.get("commit", 0.0) + (time.perf_counter() - started) * 1000

    Session.commit = timed_commit

    @event.listens_for(Session, "before_flush")
    def _flush_started(session, context, instances):
        session.info["bench_flush"] = time.perf_counter()

    @event.listens_for(Session, "after_flush_postexec")
    def _flush_done(session, context):
        started = session.info.pop("bench_flush", None)
        stages = _timings()
        if started is not None and stages is not None:
            stages["flushes (inside the stages)"] = stages.get("flushes (inside the stages)", 0.0) + \
                (time.perf_counter() - started) * 1000
            stages["flush count"] = stages.get("flush count", 0) + 1

    @app.before_request
    def _start():
        g.bench_stages = {}
        g.bench_started = time.perf_counter()

    @app.teardown_request
    def _write(exc):
        stages = _timings()
        if stages is None or request.path != "/api/v1/petitions" or "submit (all)" not in stages:
            return
        stages["request (all)"] = (time.perf_counter() - g.bench_started) * 1000
        with open(path, "a", encoding="utf-8") as fh:  # one short line, appended: workers do not interleave
            fh.write(json.dumps(stages) + "\n")


def _without_matching() -> None:
    """An experiment (bench/intake.py --without-matching), never the service: no same-matter matching, index or
    flags in the request, to show what would be left of a petition's cost if they moved to the jobs process."""
    from service.domain.matters import arrival

    arrival.prepare = lambda session, petition, now: None
    arrival.finish = lambda session, came, now, **kwargs: None


def build():
    if os.environ.get("BENCH_WITHOUT_MATCHING"):
        _without_matching()
    app = create_app()
    stages_file = os.environ.get("BENCH_STAGES_FILE")
    if stages_file:
        _instrument(app, stages_file)

    @app.post("/bench/bare")
    def bare_insert():
        session = db_session()
        row = ProcessedInbound(channel="bench", external_id=str(utcnow().timestamp()) + str(id(session)),
                               received_at=utcnow())
        session.add(row)
        session.flush()
        return jsonify(id=row.id), 201

    return app


app = build()
