"""Benchmark: the yearly city report (TT 01/2024 year 2026: 15/12/2025 – 14/12/2026) over N petitions.

    python bench/reports.py [--rows 1000000] [--url postgresql://…/tiepdan_bench_reports] [--runs 3]
                            [--keep] [--profile] [--compare]

Recreates the database, builds the schema with the project's migrations, loads the units, then COPYs N
petitions received over 18 months (so a third of them predate the year and some are carried over), with
their workflow events, deadlines, ratings and flagged matters. It then times `reports.build` for the
whole city and for one unit, and the XLSX of the city report, each beside the machine's load and as a ratio
to a plain GROUP BY of the petitions in the same run. Goals: the yearly city report <= 2 s, a unit's <= 0.2 s,
the XLSX <= 2 s. --keep reuses the loaded database; --profile prints the city report's statements, timed;
--compare [REV] also runs `reports.build` as it was at git revision REV (default: before issue #19's third
round), read from the repository's history, and checks that the figures are identical.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import time
import types
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg
from sqlalchemy import event, func, select

from bench.common import copy_rows as _copy
from bench.common import recreate_database
from service.cli import run_setup
from service.db import Database
from service.domain.codes import CHANNELS, KINDS, categories
from service.domain.deadlines.calendar import VN_TZ
from service.domain.documents import spreadsheets
from service.domain.events import note_decision
from service.domain.reports import queries as reports
from service.domain.reports.periods import parse_period
from service.models.petition import Petition
from service.models.unit import Office, Unit

DEFAULT_URL = "postgresql://tiepdan:tiepdan@127.0.0.1:5432/tiepdan_bench_reports"
FIRST = dt.datetime(2025, 6, 15, tzinfo=VN_TZ)
SPAN_DAYS = 547  # to 14/12/2026
NOW = dt.datetime(2026, 12, 20, 9, tzinfo=VN_TZ)
DECISION_COLUMNS = ("decision", "decision_at", "settled_at", "reopened_at", "first_decided_at", "last_decided_at")
# fate: (weight, events after "received", final status)
FATES = [(40, ("answered",), "answered"), (15, ("accepted", "answered"), "closed"), (10, ("guided",), "guided"),
         (5, ("transferred",), "transferred"), (5, ("returned",), "returned"), (3, ("withdrawn",), "withdrawn"),
         (12, ("accepted",), "in_progress"), (10, (), "classified")]



def load(database: Database, url: str, n: int, seed: int = 11) -> None:
    rng = random.Random(seed)
    with database.session_scope() as s:
        offices: dict[int, list[int]] = {}
        for unit_id, office_id in s.execute(select(Unit.id, Office.id).join(Office, Office.unit_id == Unit.id)):
            offices.setdefault(unit_id, []).append(office_id)
    units = sorted(offices)
    kinds, cats, channels = list(KINDS), list(categories()), list(CHANNELS)
    fates = [f for f in FATES for _ in range(f[0])]
    empty, none = json.dumps({}), json.dumps([])
    petitions, events, deadlines, ratings = [], [], [], []
    matters, flags = [], []
    for i in range(1, n + 1):
        unit = units[i % len(units)]
        kind, received = rng.choice(kinds), FIRST + dt.timedelta(minutes=rng.randrange(SPAN_DAYS * 1440))
        _, steps, status = rng.choice(fates)
        at, matter_id = received, None
        if i % 200 == 0:  # one petition in 200 is part of a flagged (đông người / kéo dài) matter
            matter_id = len(matters) + 1
            matters.append((matter_id, unit, f"Vụ việc {matter_id}", "open", 7, received, received))
            flags.append((len(flags) + 1, rng.choice(reports.MATTER_FLAGS), matter_id, received + dt.timedelta(days=1),
                          empty))
        row = (i, f"R{i:09d}", kind, rng.choice(cats), 1, rng.choice(channels), unit, "nội dung",
               "noi dung", received, status, rng.choice(offices[unit]), none,
               rng.random() < 0.03, False, 6 if rng.random() < 0.02 else 0, False, False, empty, empty,
               matter_id, received, received)
        events.append((i, "received", received))
        handled = None
        decided = SimpleNamespace(**{c: None for c in DECISION_COLUMNS})
        for step in steps:
            at = at + dt.timedelta(days=rng.randint(1, 25))
            events.append((i, step, at))
            note_decision(decided, step, at)  # the row's decision columns, as events.record keeps them
            handled = handled or at
        petitions.append(row + tuple(getattr(decided, c) for c in DECISION_COLUMNS))
        first_step = "tra_loi" if kind in ("kien_nghi", "phan_anh") else "thu_ly"
        office = row[11]  # each step carries the petition's lead office (Deadline.office_id)
        for step, days in (("xu_ly_don", 14), (first_step, 12)):
            deadlines.append((i, step, received, received + dt.timedelta(days=days), handled, office))
        if "accepted" in steps and kind in ("khieu_nai", "to_cao"):
            start = next(e[2] for e in reversed(events) if e[0] == i and e[1] == "accepted")
            met = at if "answered" in steps else None
            deadlines.append((i, "giai_quyet", start, start + dt.timedelta(days=30), met, office))
        if "answered" in steps and rng.random() < 0.2:
            ratings.append((i, rng.randint(1, 5), at + dt.timedelta(days=2)))
    with psycopg.connect(url) as conn:
        _copy(conn, "matters", ["id", "unit_id", "title", "status", "petitioner_count", "created_at", "updated_at"],
              matters)
        _copy(conn, "petitions", ["id", "code", "kind", "category", "round", "channel", "unit_id", "content",
                                  "content_folded", "received_at", "status", "lead_office_id",
                                  "collaborating_office_codes", "anonymous", "identity_disclosed", "co_signer_count",
                                  "complex", "needs_review", "classification", "routing", "matter_id", "created_at",
                                  "updated_at", *DECISION_COLUMNS], petitions)
        _copy(conn, "events", ["petition_id", "kind", "at", "actor_label", "data", "public"],
              ((pid, kind, at, "bench", "{}", True) for pid, kind, at in events))
        _copy(conn, "deadlines", ["petition_id", "step", "starts_at", "due_at", "met_at", "office_id", "rule",
                                  "extensions", "escalation_level"], (row + ("bench", 0, 0) for row in deadlines))
        _copy(conn, "ratings", ["petition_id", "score", "created_at"], ratings)
        _copy(conn, "flags", ["id", "code", "matter_id", "raised_at", "explanation"], flags)
        for table, last in (("petitions", n), ("matters", len(matters)), ("flags", len(flags))):
            conn.execute(f"SELECT setval('{table}_id_seq', %s)", (max(last, 1),))
        conn.commit()
    with psycopg.connect(url, autocommit=True) as conn:
        for table in ("petitions", "events", "deadlines", "ratings", "flags", "matters"):
            conn.execute(f"VACUUM ANALYZE {table}")
    print(f"loaded {n:,} petitions, {len(events):,} events, {len(deadlines):,} deadlines, {len(ratings):,} ratings, "
          f"{len(matters):,} flagged matters")


def load_average() -> str:
    """The machine's load beside each figure: the machine is shared, so only ratios of one run compare."""
    return "load " + " ".join(f"{x:.1f}" for x in os.getloadavg())


def timed(label: str, fn, runs: int) -> tuple[float, object]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    print(f"{label:<44} median {statistics.median(times) * 1000:8.1f} ms  (runs: "
          f"{', '.join(f'{t * 1000:.0f}' for t in times)} ms; {load_average()})")
    return statistics.median(times), result


def statement_log(engine):
    """Every SQL statement with its duration (--profile): SQLAlchemy's cursor events."""
    log: list[tuple[float, str]] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _before(conn, cursor, statement, parameters, context, executemany):
        conn.info.setdefault("_started", []).append(time.perf_counter())

    @event.listens_for(engine, "after_cursor_execute")
    def _after(conn, cursor, statement, parameters, context, executemany):
        log.append((time.perf_counter() - conn.info["_started"].pop(), " ".join(statement.split())))

    return log


REFERENCE_REVISION = "3a6a95e"  # service/domain/reports/queries.py before issue #19's third round


def reference_build(revision: str):
    """The module service/domain/reports/queries.py as it was at `revision`, read from git history (not a copy
    kept in the tree); it imports today's helpers (sections, periods), whose interfaces it shares."""
    source = subprocess.run(["git", "show", f"{revision}:service/domain/reports/queries.py"], check=True,
                            capture_output=True, text=True, cwd=Path(__file__).resolve().parents[1]).stdout
    module = types.ModuleType(f"reports_at_{revision}")
    sys.modules[module.__name__] = module  # dataclasses look their module up
    exec(compile(source, f"{revision}:service/domain/reports/queries.py", "exec"), module.__dict__)
    return module


def same_figures(new: dict, old: dict) -> bool:
    """The report of the current code and of the reference, `generated_at` aside."""
    keep = lambda r: {k: v for k, v in r.items() if k != "generated_at"}
    return json.dumps(keep(new), sort_keys=True, default=str) == json.dumps(keep(old), sort_keys=True, default=str)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="reuse the loaded database (no reload)")
    parser.add_argument("--profile", action="store_true", help="print the city report's SQL statements, timed")
    parser.add_argument("--compare", nargs="?", const=REFERENCE_REVISION, metavar="REV",
                        help="also run reports.build as it was at git revision REV and check the figures are the same")
    args = parser.parse_args()
    url = args.url.replace("postgresql+psycopg://", "postgresql://")
    print(f"database {url.rsplit('@', 1)[-1]}, {args.rows:,} petitions")
    if not args.keep:
        recreate_database(url)
    database = Database(url)
    if not args.keep:
        run_setup(database)
        started = time.perf_counter()
        load(database, url, args.rows)
        print(f"loaded and analysed in {time.perf_counter() - started:.1f} s")
    year = parse_period("2026-year")
    log = statement_log(database.engine) if args.profile else None
    with database.session_scope() as s:
        unit = s.scalar(select(Unit).where(Unit.code == "11737"))
        # A yardstick for a shared machine: one plain scan and GROUP BY of the petitions table.
        baseline, _ = timed("baseline: SELECT kind, count(*) GROUP BY kind", lambda: s.execute(
            select(Petition.kind, func.count()).group_by(Petition.kind)).all(), args.runs)
        if log is not None:
            log.clear()
        city, report = timed("yearly city report (reports.build)", lambda: reports.build(s, None, year, now=NOW),
                             args.runs)
        if log is not None:
            print(f"  its {len(log)} statements (all runs), slowest first:")
            for seconds, statement in sorted(log, reverse=True)[:12]:
                print(f"  {seconds * 1000:8.1f} ms  {statement[:150]}")
        one, unit_report = timed("yearly report of one unit", lambda: reports.build(s, unit, year, now=NOW),
                                 args.runs)
        timed("6-month city report", lambda: reports.build(s, None, parse_period("2026-6m"), now=NOW), args.runs)
        sheet, _ = timed("XLSX of the yearly city report", lambda: spreadsheets.workbook(report), args.runs)
        if args.compare:
            reference = reference_build(args.compare)
            old_city, old_report = timed("reference (before): yearly city report",
                                         lambda: reference.build(s, None, year, now=NOW), 1)
            old_unit, old_unit_report = timed("reference (before): one unit",
                                              lambda: reference.build(s, unit, year, now=NOW), 1)
            same = same_figures(report, old_report) and same_figures(unit_report, old_unit_report)
            print(f"figures identical to the reference: {'yes' if same else 'NO'}")
            print(f"reference ÷ GROUP BY: city {old_city / baseline:.1f}, unit {old_unit / baseline:.2f}")
    print(f"city 2026: {report['total']:,} petitions ({report['received']['carried_over']:,} carried over), "
          f"on time {report['on_time']:,}, overdue {report['overdue']:,}, flagged {report['flagged']['total']:,}")
    print(f"ratios to the sample GROUP BY of this run ({baseline * 1000:.0f} ms): city report {city / baseline:.1f}, "
          f"a unit {one / baseline:.2f}, XLSX {sheet / baseline:.1f}")
    print(f"goal: yearly city report <= 2 s: {'OK' if city <= 2 else 'ABOVE GOAL'} ({city:.2f} s); "
          f"a unit <= 0.2 s: {'OK' if one <= 0.2 else 'ABOVE GOAL'} ({one:.2f} s); "
          f"XLSX <= 2 s: {'OK' if sheet <= 2 else 'ABOVE GOAL'} ({sheet:.2f} s)")
    database.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
