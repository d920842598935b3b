"""Classification and routing on the held-out quarter of the labelled corpus.

    python bench/classify.py [--seed 2026] [--held-out 0.25] [--seeds 1,2,3,7]

Trains on the train split, then classifies and routes every held-out petition (routing against a
throw-away SQLite database built by `run_setup`, rotating over five communes with different plans)
and prints accuracy per kind, field and office, the confusion tables, the agreement of
diacritics-free copies and the time per petition. `--seeds` adds one line per other split and the
mean, since a quarter of the corpus is about a hundred petitions (one petition is ~0.9 %).
Goals (printed, not asserted): office >= 95 %, field >= 90 %, kind >= 90 %, median <= 5 ms.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from service.cli import run_setup  # noqa: E402
from service.db import Database  # noqa: E402
from service.domain.classification import model as classify  # noqa: E402
from service.domain.routing import operations as routing
from service.domain.routing.units import find_unit  # noqa: E402
from service.domain.text import strip_marks  # noqa: E402

# Phường Nam Đồ Sơn, đặc khu Cát Hải, xã Kim Thành, xã An Khánh (own plans) and phường Hồng Bàng (city plan).
UNITS = ("11737", "11914", "10804", "11668", "11311")
GOALS = {"kind": 0.90, "category": 0.90, "office": 0.95}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--held-out", type=float, default=0.25)
    parser.add_argument("--seeds", default="", help="other splits to summarise, e.g. 1,2,3,7")
    args = parser.parse_args()

    records = [json.loads(line) for line in classify.CORPUS_PATH.read_text(encoding="utf-8").splitlines() if line]
    with tempfile.TemporaryDirectory(dir="/dev/shm" if Path("/dev/shm").is_dir() else None) as tmp:
        database = Database(f"sqlite:///{tmp}/bench.sqlite3")
        run_setup(database)
        with database.session_scope() as session:
            units = [find_unit(session, code) for code in UNITS]
            for unit in units:  # warm the catalogue caches, as a running service has them
                routing.route(session, unit, "phan_anh", "khac", "")
            rows, times = run_split(session, units, records, args.held_out, args.seed, verbose=True)
            report(rows, times)
            seeds = [int(s) for s in args.seeds.split(",") if s.strip()]
            if seeds:
                summarise(session, units, records, args.held_out, [args.seed, *seeds])
        database.dispose()


def run_split(session, units, records, held_out: float, seed: int, verbose: bool = False):
    train_part, test_part = classify.split_corpus(records, held_out, seed)
    started = time.perf_counter()
    model = classify.train([classify.Example(r["text"], r["kind"], r["category"]) for r in train_part])
    if verbose:
        print(f"Corpus: {len(records)} petitions; train {len(train_part)}, held out {len(test_part)} "
              f"(seed {seed}); training {time.perf_counter() - started:.2f} s")
    rows, times = [], []
    for i, r in enumerate(test_part):
        unit = units[i % len(units)]
        t0 = time.perf_counter()
        decision = classify.classify(r["text"], model=model)
        route = routing.route(session, unit, decision.kind, decision.category, r["text"],
                              needs_review=decision.needs_review)
        times.append(time.perf_counter() - t0)
        bare = classify.classify(strip_marks(r["text"]), model=model) if verbose else decision
        rows.append((r, decision, route, bare))
    return rows, times


def summarise(session, units, records, held_out: float, seeds: list[int]) -> None:
    print("\nOther splits (kind / field / office):")
    totals = []
    for seed in seeds:
        rows, _ = run_split(session, units, records, held_out, seed)
        got = [sum(d.kind == r["kind"] for r, d, _, _ in rows), sum(d.category == r["category"] for r, d, _, _ in rows),
               sum(route.office_code == r["office"] for r, _, route, _ in rows)]
        shares = [g / len(rows) for g in got]
        totals.append(shares)
        print(f"    seed {seed:<6} " + " / ".join(f"{x:6.1%}" for x in shares))
    mean = [sum(col) / len(totals) for col in zip(*totals)]
    print("    mean        " + " / ".join(f"{x:6.1%}" for x in mean))


def report(rows, times) -> None:
    n = len(rows)
    hit = {"kind": 0, "category": 0, "office": 0}
    per = {k: defaultdict(lambda: [0, 0]) for k in hit}
    confusion = {"kind": Counter(), "category": Counter()}
    same_bare = review = 0
    for r, d, route, bare in rows:
        got = {"kind": d.kind, "category": d.category, "office": route.office_code}
        for key in hit:
            ok = got[key] == r[key]
            hit[key] += ok
            per[key][r[key]][0] += ok
            per[key][r[key]][1] += 1
        for key in confusion:
            confusion[key][(r[key], got[key])] += 1
        same_bare += (bare.kind, bare.category) == (d.kind, d.category)
        review += d.needs_review
    print()
    for key, label in (("kind", "Kind"), ("category", "Field"), ("office", "Office")):
        accuracy = hit[key] / n
        flag = "ok" if accuracy >= GOALS[key] else "below goal"
        print(f"{label:<7} accuracy {accuracy:6.1%}   (goal {GOALS[key]:.0%}: {flag})")
        for code, (ok, total) in sorted(per[key].items()):
            print(f"    {code:<22} {ok:>3}/{total:<3} {ok / total:6.1%}")
    print(f"\nSent for review (confidence < {classify.REVIEW_THRESHOLD:.0%}): {review}/{n} ({review / n:.1%})")
    kept = [(r, d) for r, d, _, _ in rows if not d.needs_review]
    if kept:
        both = sum(d.kind == r["kind"] and d.category == r["category"] for r, d in kept) / len(kept)
        print(f"Kind and field both right when not sent for review: {both:.1%}")
    print(f"Diacritics-free copies classified like the original: {same_bare}/{n} ({same_bare / n:.1%})")
    for key in ("kind", "category"):
        print_confusion(key, confusion[key])
    ms = sorted(t * 1000 for t in times)
    p95 = ms[min(len(ms) - 1, int(round(0.95 * (len(ms) - 1))))]
    print(f"\nClassification + routing per petition: median {statistics.median(ms):.2f} ms, p95 {p95:.2f} ms "
          f"(goal: median <= 5 ms)")


def print_confusion(key: str, counts: Counter) -> None:
    codes = sorted({a for a, _ in counts} | {b for _, b in counts})
    short = {c: c[:6] for c in codes}
    print(f"\nConfusion ({key}): rows = expected, columns = predicted")
    print(" " * 22 + " ".join(f"{short[c]:>6}" for c in codes))
    for a in codes:
        cells = " ".join(f"{counts.get((a, b), 0) or '.':>6}" for b in codes)
        print(f"{a:<22}{cells}")


if __name__ == "__main__":
    main()
