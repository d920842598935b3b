"""Legal deadlines as data (config/deadlines.yaml; legal.md section Defaults).

Each rule names its step, the kinds it applies to, the event it starts from, its limit and
variants, how far it may be extended, the dates between which it applies and its legal basis.
A petition keeps the rules of its own dates: the rule is chosen by the date of the starting
event (receipt, or thụ lý for the resolution period). Pure functions, except the last one,
which clears the flags of stored deadlines (used by the workflow and the deadline scan).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from service.domain.deadlines.calendar import Calendar, default_calendar, end_of_day, local_date
from service.models.deadline import Deadline
from service.models.flag import Flag

DEADLINES_FILE = Path(__file__).resolve().parents[3] / "config" / "deadlines.yaml"
STEP_CODES = ("xu_ly_don", "thu_ly", "tra_loi", "giai_quyet", "chuyen_don")
UNITS = {"working_days": "ngày làm việc", "days": "ngày"}
COMPLEXITY = {0: "none", 1: "complex", 2: "especially_complex"}
COMPLEXITY_LABELS = {0: "", 1: "phức tạp", 2: "đặc biệt phức tạp"}
VARIANT_LABELS = {"complex": "phức tạp", "remote": "vùng sâu, vùng xa, hải đảo",
                  "remote_complex": "vùng sâu, vùng xa, phức tạp", "several_places": "xác minh nhiều nơi"}
RULE_TEXT_MAX = 120  # the width of deadlines.rule


@dataclass(frozen=True)
class Limit:
    amount: int
    unit: str  # working_days | days

    @classmethod
    def parse(cls, raw: dict[str, Any], where: str) -> Limit:
        if not isinstance(raw, dict) or len(raw) != 1 or next(iter(raw)) not in UNITS:
            raise ValueError(f"{where}: a limit is {{working_days: N}} or {{days: N}}, got {raw!r}")
        unit, amount = next(iter(raw.items()))
        if not isinstance(amount, int) or amount <= 0:
            raise ValueError(f"{where}: the limit must be a positive whole number")
        return cls(amount, unit)

    def due(self, start: dt.date, calendar: Calendar) -> dt.date:
        if self.unit == "working_days":
            return calendar.add_working_days(start, self.amount)
        return calendar.add_calendar_days(start, self.amount)

    def label(self) -> str:
        return f"{self.amount} {UNITS[self.unit]}"


@dataclass(frozen=True)
class Extension:
    add: Limit | None = None  # each extension adds this (tố cáo: 30 days, TC Đ30)
    variant: str | None = None  # or: the step moves to this variant (tố cáo thụ lý: 10 WD, TC Đ24)
    max: dict[str, int] = field(default_factory=dict)  # complexity name -> how many extensions


@dataclass(frozen=True)
class Rule:
    id: str
    step: str
    kinds: frozenset[str]
    starts: str  # receipt | acceptance
    limit: Limit
    basis: str
    when: str = "always"  # always | outside_competence
    round: int | None = None
    variants: dict[str, Limit] = field(default_factory=dict)
    extension: Extension | None = None
    effective_from: dt.date | None = None
    effective_until: dt.date | None = None
    unconfirmed: bool = False

    def applies(self, step: str, kind: str, on: dt.date, round: int) -> bool:
        return (self.step == step and kind in self.kinds and (self.round is None or self.round == round)
                and (self.effective_from is None or on >= self.effective_from)
                and (self.effective_until is None or on <= self.effective_until))

    def max_extensions(self, complexity: int) -> int:
        if self.extension is None:
            return 0
        if self.extension.variant:
            return self.extension.max.get("any", 1)
        return self.extension.max.get(COMPLEXITY[complexity], 0)

    def period(self, variant: str | None = None, extensions: int = 0) -> tuple[Limit, str]:
        """The limit after the variant and extensions, with its label in Vietnamese."""
        limit, label = self.limit, self.limit.label()
        if variant and variant in self.variants:
            limit = self.variants[variant]
            label = f"{limit.label()}, {VARIANT_LABELS.get(variant, variant)}"
        if extensions and self.extension and self.extension.variant:
            limit = self.variants[self.extension.variant]
            label = f"{limit.label()}, gia hạn do {VARIANT_LABELS.get(self.extension.variant, '')}"
        elif extensions and self.extension and self.extension.add:
            add = self.extension.add
            limit = Limit(limit.amount + add.amount * extensions, limit.unit)
            label = f"{label} + {extensions} lần gia hạn {add.label()}"
        return limit, label


@dataclass(frozen=True)
class Escalation:
    level: int
    after_working_days: int
    to: str  # office_head | van_phong | chairperson


@dataclass(frozen=True)
class RuleBook:
    rules: tuple[Rule, ...]
    escalation: tuple[Escalation, ...]
    due_soon_working_days: int

    def find(self, step: str, kind: str, on: dt.date, round: int = 1) -> Rule | None:
        """The rule in force on `on` for this step and kind (None when the step does not apply)."""
        return next((r for r in self.rules if r.applies(step, kind, on, round)), None)

    def by_id(self, rule_id: str) -> Rule | None:
        return next((r for r in self.rules if r.id == rule_id), None)


@dataclass
class DeadlineSpec:
    step: str
    starts_at: dt.datetime
    due_at: dt.datetime
    rule: str  # what staff see: period and legal basis (≤ 120 characters)
    rule_id: str = ""
    basis: str = ""


def _date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _parse_rule(raw: dict[str, Any]) -> Rule:
    where = f"deadlines.yaml rule {raw.get('id')!r}"
    if raw.get("step") not in STEP_CODES:
        raise ValueError(f"{where}: unknown step {raw.get('step')!r}")
    if raw.get("starts") not in ("receipt", "acceptance") or not raw.get("basis"):
        raise ValueError(f"{where}: needs starts (receipt | acceptance) and a legal basis")
    ext = raw.get("extension")
    extension = None
    if ext:
        extension = Extension(add=Limit.parse(ext["add"], where) if ext.get("add") else None,
                              variant=ext.get("variant"), max={str(k): int(v) for k, v in ext["max"].items()}
                              if isinstance(ext.get("max"), dict) else {"any": int(ext.get("max", 1))})
    variants = {name: Limit.parse(v, f"{where} variant {name}") for name, v in (raw.get("variants") or {}).items()}
    if extension and extension.variant and extension.variant not in variants:
        raise ValueError(f"{where}: extension variant {extension.variant!r} is not among the variants")
    return Rule(id=str(raw["id"]), step=raw["step"], kinds=frozenset(raw["kinds"]), starts=raw["starts"],
                limit=Limit.parse(raw["limit"], where), basis=str(raw["basis"]), when=raw.get("when", "always"),
                round=raw.get("round"), variants=variants, extension=extension,
                effective_from=_date(raw.get("effective_from")), effective_until=_date(raw.get("effective_until")),
                unconfirmed=bool(raw.get("unconfirmed", False)))


def _check_overlaps(rules: list[Rule]) -> None:
    """Two rules for the same step, kind and round must not both apply on one day."""
    lo, hi = dt.date.min, dt.date.max
    for i, a in enumerate(rules):
        for b in rules[i + 1:]:
            same = a.step == b.step and a.kinds & b.kinds and (a.round is None or b.round is None or a.round == b.round)
            if same and (a.effective_from or lo) <= (b.effective_until or hi) \
                    and (b.effective_from or lo) <= (a.effective_until or hi):
                raise ValueError(f"deadlines.yaml: rules {a.id} and {b.id} overlap in time")


def parse_rulebook(data: dict[str, Any]) -> RuleBook:
    rules = [_parse_rule(r) for r in data.get("rules") or []]
    ids = [r.id for r in rules]
    if len(ids) != len(set(ids)):
        raise ValueError("deadlines.yaml: rule ids must be unique")
    _check_overlaps(rules)
    escalation = tuple(Escalation(int(e["level"]), int(e["after_working_days"]), str(e["to"]))
                       for e in data.get("escalation") or [])
    return RuleBook(tuple(rules), tuple(sorted(escalation, key=lambda e: e.level)),
                    int(data.get("due_soon_working_days", 3)))


def load_rules(path: Path = DEADLINES_FILE) -> RuleBook:
    """The rule book of config/deadlines.yaml: read once per process, again when the file's mtime changes."""
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        stamp = 0
    return _load_rules(path, stamp)


@lru_cache(maxsize=4)
def _load_rules(path: Path, _stamp: int) -> RuleBook:
    return parse_rulebook(yaml.safe_load(path.read_text(encoding="utf-8")) or {})


def variant_for(*, remote: bool = False, complexity: int = 0) -> str | None:
    """The variant name of KN Đ28/Đ37: complex, remote, or both."""
    if remote and complexity:
        return "remote_complex"
    if remote:
        return "remote"
    return "complex" if complexity else None


def _rule_text(label: str, basis: str) -> str:
    text = f"{label} ({basis})"
    return text if len(text) <= RULE_TEXT_MAX else text[:RULE_TEXT_MAX - 1] + "…"


def spec_for(rule: Rule, starts_at: dt.datetime, *, variant: str | None = None, extensions: int = 0,
             calendar: Calendar | None = None, counted_from: dt.datetime | None = None) -> DeadlineSpec:
    """The deadline of one rule that started at `starts_at` (day 1 is the next day, BLDS Đ147)."""
    calendar = calendar or default_calendar()
    limit, label = rule.period(variant, extensions)
    due = end_of_day(limit.due(local_date(counted_from or starts_at), calendar))
    return DeadlineSpec(rule.step, starts_at, due, _rule_text(label, rule.basis), rule.id, rule.basis)


def receipt_deadlines(kind: str, received_at: dt.datetime, *, round: int = 1, calendar: Calendar | None = None,
                      rules: RuleBook | None = None) -> list[DeadlineSpec]:
    """The steps that run from receipt, in the order the citizen meets them."""
    rules = rules or load_rules()
    day = local_date(received_at)
    specs = []
    for step in ("xu_ly_don", "thu_ly", "tra_loi"):
        rule = rules.find(step, kind, day, round)
        if rule and rule.starts == "receipt" and rule.when == "always":
            specs.append(spec_for(rule, received_at, calendar=calendar))
    return specs


def acceptance_deadlines(kind: str, accepted_at: dt.datetime, *, round: int = 1, remote: bool = False,
                         complexity: int = 0, extensions: int = 0, calendar: Calendar | None = None,
                         rules: RuleBook | None = None) -> list[DeadlineSpec]:
    """The resolution period that starts at thụ lý (KN Đ28, Đ37; TC Đ30); none for KNPA."""
    rules = rules or load_rules()
    rule = rules.find("giai_quyet", kind, local_date(accepted_at), round)
    if rule is None:
        return []
    variant = variant_for(remote=remote, complexity=complexity)
    return [spec_for(rule, accepted_at, variant=variant, extensions=extensions, calendar=calendar)]


def transfer_deadline(kind: str, received_at: dt.datetime, *, calendar: Calendar | None = None,
                      rules: RuleBook | None = None) -> DeadlineSpec | None:
    """Forwarding a tố cáo outside competence: 5 WD from receipt (TC Đ24 k2)."""
    rules = rules or load_rules()
    rule = rules.find("chuyen_don", kind, local_date(received_at))
    return spec_for(rule, received_at, calendar=calendar) if rule else None


def rule_for(step: str, kind: str, starts_at: dt.datetime, round: int = 1,
             rules: RuleBook | None = None) -> Rule | None:
    return (rules or load_rules()).find(step, kind, local_date(starts_at), round)


def due_soon_cutoff(now: dt.datetime, calendar: Calendar | None = None, rules: RuleBook | None = None) -> dt.datetime:
    """Deadlines due on or before this moment are "sắp hạn" (within N working days, domain.md)."""
    calendar = calendar or default_calendar()
    n = (rules or load_rules()).due_soon_working_days
    return end_of_day(calendar.add_working_days(local_date(now), n))


def clear_deadline_flags(session: Session, petition_ids: list[int], now: dt.datetime) -> int:
    """Clear sắp hạn / quá hạn flags whose reason is gone (the step was met, cancelled or extended)."""
    if not petition_ids:
        return 0
    rows = session.execute(select(Deadline.petition_id, Deadline.due_soon_flagged_at, Deadline.overdue_flagged_at)
                           .where(Deadline.petition_id.in_(petition_ids), Deadline.met_at.is_(None),
                                  Deadline.cancelled_at.is_(None))).all()
    still = {"sap_han": {pid for pid, s, o in rows if s is not None and o is None},
             "qua_han": {pid for pid, s, o in rows if o is not None}}
    stale = [fid for fid, code, pid in session.execute(
        select(Flag.id, Flag.code, Flag.petition_id).where(Flag.petition_id.in_(petition_ids),
                                                           Flag.cleared_at.is_(None),
                                                           Flag.code.in_(tuple(still))))
             if pid not in still[code]]
    if stale:
        session.execute(update(Flag).where(Flag.id.in_(stale)).values(
            cleared_at=now, cleared_reason="Đã thực hiện, gia hạn hoặc không còn áp dụng."))
    return len(stale)
