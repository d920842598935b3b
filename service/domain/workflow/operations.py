"""The legal workflow of a petition: states, the one table of allowed moves, and the actions.

`perform(session, petition, action, actor, at=..., **params)` is the one entry point. Each action asks the
access policy (a staff actor), checks the table, stamps or closes the deadlines (legal.md Defaults), sends the
legally required notice and writes an event. It flushes and never commits.
"""
from __future__ import annotations

import datetime as dt
import enum
import inspect
import logging
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.db import utcnow
from service.domain import text as texts
from service.domain.codes import KINDS, STATUSES, categories
from service.domain.deadlines import rules
from service.domain.deadlines.calendar import VN_TZ, Calendar
from service.domain.errors import Conflict, ValidationFailed
from service.domain.events import record
from service.domain.inbound import Actor
from service.domain.notifications import outbox as notify
from service.domain.people.access import check_act
from service.domain.routing import operations as routing
from service.domain.workflow import answers, reviews
from service.models.deadline import Deadline
from service.models.event import Event
from service.models.petition import Petition
from service.models.reply import Reply

logger = logging.getLogger(__name__)

__all__ = ["ACTIONS", "Status", "TRANSITIONS", "allowed_actions", "can", "perform"]


class Status(enum.StrEnum):
    RECEIVED = "received"
    CLASSIFIED = "classified"
    ACCEPTED = "accepted"
    RETURNED = "returned"
    GUIDED = "guided"
    TRANSFERRED = "transferred"
    IN_PROGRESS = "in_progress"
    ANSWERED = "answered"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"


assert {s.value for s in Status} == set(STATUSES), "workflow states must match codes.STATUSES"

S = Status
ALL = frozenset(KINDS)
KN_TC = frozenset({"khieu_nai", "to_cao"})
KNPA = frozenset({"kien_nghi", "phan_anh"})
OPEN = frozenset({S.RECEIVED, S.CLASSIFIED, S.ACCEPTED, S.IN_PROGRESS})
UNDECIDED = frozenset({S.RECEIVED, S.CLASSIFIED})
WORKING = frozenset({S.ACCEPTED, S.IN_PROGRESS})


@dataclass(frozen=True)
class Move:
    action: str
    kinds: frozenset[str]
    sources: frozenset[Status]
    target: Status | None  # None: the status does not change


# THE table of allowed moves. A (kind, status, action) with no row is refused with a Conflict.
TRANSITIONS: tuple[Move, ...] = (
    Move("classify", ALL, UNDECIDED, S.CLASSIFIED),
    Move("accept", ALL, UNDECIDED, S.ACCEPTED),
    Move("return", ALL, UNDECIDED, S.RETURNED),
    Move("guide", ALL, UNDECIDED, S.GUIDED),
    # A complaint outside competence is guided, never forwarded (TT 05/2021; legal.md §1).
    Move("transfer", frozenset({"to_cao"}) | KNPA, UNDECIDED, S.TRANSFERRED),
    Move("start", ALL, frozenset({S.ACCEPTED}), S.IN_PROGRESS),
    # Only a denunciation is extended: thụ lý 7 -> 10 WD (TC Đ24 k1), resolution +30 days (TC Đ30).
    Move("extend", frozenset({"to_cao"}), UNDECIDED, None),
    Move("extend", frozenset({"to_cao"}), WORKING, S.IN_PROGRESS),
    Move("mark_complex", KN_TC, OPEN, None),
    Move("answer", KN_TC, WORKING, S.ANSWERED),
    Move("answer", KNPA, frozenset({S.CLASSIFIED}) | WORKING, S.ANSWERED),
    Move("close", ALL, frozenset({S.ANSWERED, S.RETURNED, S.GUIDED, S.TRANSFERRED}), S.CLOSED),
    Move("reopen", ALL, frozenset({S.ANSWERED, S.CLOSED}), S.IN_PROGRESS),
    Move("withdraw", ALL, OPEN, S.WITHDRAWN),
)


@lru_cache(maxsize=1)
def _refusals() -> dict[str, Any]:
    return yaml.safe_load((notify.NOTICES_DIR / "refusals.yaml").read_text(encoding="utf-8"))


def refusal(key: str, code: str = "transition_not_allowed", **values: Any) -> Conflict:
    """A Conflict worded from config/notices/refusals.yaml."""
    vi, en = _refusals()[key] if "." not in key else _refusals()["hints"][key]
    return Conflict(vi.format(**values), en.format(**values), code=code)


def _move(kind: str, status: str, action: str) -> Move | None:
    return next((m for m in TRANSITIONS if m.action == action and kind in m.kinds and status in m.sources), None)


def can(petition: Petition, action: str) -> bool:
    return _move(petition.kind, petition.status, action) is not None


def allowed_actions(petition: Petition) -> list[str]:
    return [a for a in ACTIONS if can(petition, a)]


def _refuse(petition: Petition, action: str) -> Conflict:
    if f"{action}.{petition.kind}" in _refusals()["hints"]:
        return refusal(f"{action}.{petition.kind}")
    vi, en = _refusals()["actions"].get(action, [action, action])
    values = {"action": action, "action_vi": vi, "action_en": en, "kind": petition.kind,
              "kind_vi": KINDS[petition.kind].lower(), "status": petition.status,
              "status_vi": STATUSES.get(petition.status, petition.status)}
    if not any(m.action == action and petition.kind in m.kinds for m in TRANSITIONS):
        return refusal("not_for_kind", **values)
    return refusal("not_in_state", **values)


# --- helpers ----------------------------------------------------------------------------------

def complexity_of(session: Session, petition: Petition) -> int:
    """0 none, 1 phức tạp, 2 đặc biệt phức tạp: the latest written determination (an event)."""
    data = session.scalar(select(Event.data).where(Event.petition_id == petition.id, Event.kind == "marked_complex")
                          .order_by(Event.at.desc(), Event.id.desc()).limit(1))
    if data and data.get("complexity"):
        return int(data["complexity"])
    return 1 if petition.complex else 0


def reclassify(session: Session, petition: Petition, actor: Actor, *, kind: str | None, category: str | None,
               office: str | None, reason: str | None) -> dict[str, Any]:
    """Correct kind, field or office through `routing.reroute` (events, training data, notices)."""
    p = petition
    if kind is not None and kind not in KINDS:
        raise ValidationFailed("Loại đơn không hợp lệ.", "Unknown kind.", fields={"kind": ["Không hợp lệ."]})
    if category is not None and category not in categories():
        raise ValidationFailed("Lĩnh vực không hợp lệ.", "Unknown category.", fields={"category": ["Không hợp lệ."]})
    changes = {name: [old, new] for name, old, new in (("kind", p.kind, kind), ("category", p.category, category),
                                                       ("office", p.routing.get("office"), office))
               if new is not None and new != old}
    if not changes:
        return {}
    if not (reason or "").strip():
        raise ValidationFailed("Sửa phân loại cần ghi lý do.", "A correction needs a reason.",
                               fields={"reason": ["Cần ghi lý do."]})
    routing.reroute(session, p, actor, kind=kind if "kind" in changes else None,
                    category=category if "category" in changes else None,
                    office_code=office if "office" in changes else None, reason=reason)
    return changes


# --- deadlines of one petition ---------------------------------------------------------------

@dataclass
class _Ctx:
    session: Session
    petition: Petition
    actor: Actor
    at: dt.datetime
    calendar: Calendar
    paper: bool  # entered afterwards from paper records: keep the notice, do not send it

    def open_deadlines(self, *steps: str) -> list[Deadline]:
        return [d for d in self.petition.deadlines
                if d.met_at is None and d.cancelled_at is None and (not steps or d.step in steps)]

    def meet(self, *steps: str) -> list[str]:
        done = self.open_deadlines(*steps)
        for d in done:
            d.met_at = self.at
        return [d.step for d in done]

    def cancel(self, *steps: str) -> list[str]:
        done = self.open_deadlines(*steps)
        for d in done:
            d.cancelled_at = self.at
        return [d.step for d in done]

    def stamp(self, spec: rules.DeadlineSpec) -> Deadline:
        row = Deadline(petition_id=self.petition.id, step=spec.step, starts_at=spec.starts_at, due_at=spec.due_at,
                       rule=spec.rule)
        self.petition.deadlines.append(row)  # the relationship adds it to the session
        return row

    def notice(self, kind: str, **values: Any) -> Reply | None:
        p = self.petition
        base = {"code": p.code, "kind_label": KINDS[p.kind].lower(), "unit": p.unit.name,
                "office": p.lead_office.name if p.lead_office else p.unit.name,
                "received": f"{p.received_at.astimezone(VN_TZ):%d/%m/%Y}",
                "date": f"{self.at.astimezone(VN_TZ):%d/%m/%Y}",
                "basis": notify.notice_basis(kind, p.kind)}
        key = f"petition:{p.id}:{kind}:{self.at.isoformat()}"  # one notice per action (the table allows no repeat)
        return notify.send_notice(self.session, p, kind, self.actor, key, at=self.at, send=not self.paper,
                                  **{**base, **values})


def _due_text(deadline: Deadline | None) -> str:
    return f"{deadline.due_at.astimezone(VN_TZ):%d/%m/%Y}" if deadline else ""


# --- the actions -----------------------------------------------------------------------------

def _classify(c: _Ctx, *, kind: str | None = None, category: str | None = None, office: str | None = None,
              competent: bool = True, reason: str | None = None) -> dict[str, Any]:
    changes = reclassify(c.session, c.petition, c.actor, kind=kind, category=category, office=office, reason=reason)
    p = c.petition
    p.needs_review = False
    if changes.get("kind"):
        # A new kind has other receipt steps (e.g. tra_loi -> thu_ly), counted from the same receipt.
        wanted = rules.receipt_deadlines(p.kind, p.received_at, round=p.round, calendar=c.calendar)
        wanted_steps = {s.step for s in wanted}
        for d in c.open_deadlines():
            if d.step not in wanted_steps:
                d.cancelled_at = c.at
        have = {d.step for d in c.open_deadlines()}
        for spec in wanted:
            if spec.step not in have:
                c.stamp(spec)
    if not competent and p.kind == "to_cao" and not c.open_deadlines("chuyen_don"):
        spec = rules.transfer_deadline(p.kind, p.received_at, calendar=c.calendar)
        if spec:
            c.stamp(spec)
            c.cancel("thu_ly")  # the competent body decides thụ lý, not this one (TC Đ24 k2)
    return {**changes, "competent": competent}


def _accept(c: _Ctx, *, document_number: str | None = None, note: str | None = None) -> dict[str, Any]:
    p = c.petition
    if p.kind == "to_cao" and p.anonymous:
        raise refusal("anonymous_denunciation")
    if c.open_deadlines("chuyen_don"):
        raise refusal("outside_competence")
    met = c.meet("xu_ly_don", "thu_ly")
    specs = rules.acceptance_deadlines(p.kind, c.at, round=p.round, remote=p.unit.remote,
                                       complexity=complexity_of(c.session, p), calendar=c.calendar)
    rows = [c.stamp(s) for s in specs]
    main = rows[0] if rows else next(iter(c.open_deadlines("tra_loi")), None)
    rule = rules.rule_for(main.step, p.kind, main.starts_at, p.round) if main else None
    period = rule.period(rules.variant_for(remote=p.unit.remote, complexity=complexity_of(c.session, p)))[1] \
        if rule else ""
    doc = f" (văn bản số {document_number})" if document_number else ""
    c.notice("thu_ly", document_number=document_number, document=doc, period=period, due=_due_text(main))
    return {"met": met, "stamped": [s.step for s in specs], "document_number": document_number, "note": note}


def _return(c: _Ctx, *, reason: str, document_number: str | None = None) -> dict[str, Any]:
    # Refusing is itself the thụ lý decision, which must give reasons (KN Đ27; TCD Đ28 k1).
    met = c.meet("xu_ly_don", "thu_ly", "tra_loi")
    cancelled = c.cancel()
    c.notice("khong_thu_ly", reason=reason, document_number=document_number)
    return {"met": met, "cancelled": cancelled, "document_number": document_number}


def _guide(c: _Ctx, *, to_body: str, reason: str | None = None) -> dict[str, Any]:
    # Guiding the person in person also discharges the forwarding duty (TC Đ24 k2).
    met = c.meet("xu_ly_don", "tra_loi", "chuyen_don")
    cancelled = c.cancel()
    c.notice("huong_dan", to_body=to_body, reason=reason or "")
    return {"met": met, "cancelled": cancelled, "to_body": to_body}


def _transfer(c: _Ctx, *, to_body: str, document_number: str | None = None,
              reason: str | None = None) -> dict[str, Any]:
    p = c.petition
    if p.kind == "to_cao" and not c.open_deadlines("chuyen_don") and \
            not any(d.step == "chuyen_don" for d in p.deadlines):
        spec = rules.transfer_deadline(p.kind, p.received_at, calendar=c.calendar)
        if spec:
            c.stamp(spec)
    met = c.meet("chuyen_don", "xu_ly_don", "tra_loi")
    cancelled = c.cancel()
    doc = f" (văn bản số {document_number})" if document_number else ""
    c.notice("chuyen_don", to_body=to_body, document=doc, document_number=document_number)
    return {"met": met, "cancelled": cancelled, "to_body": to_body, "document_number": document_number}


def _start(c: _Ctx) -> dict[str, Any]:
    return {}


def _extend(c: _Ctx, *, reason: str, document_number: str | None = None) -> dict[str, Any]:
    p = c.petition
    step = "thu_ly" if p.status in UNDECIDED else "giai_quyet"
    deadline = next(iter(c.open_deadlines(step)), None)
    if deadline is None:
        raise refusal("no_deadline", code="no_deadline", step=step)
    rule = rules.rule_for(step, p.kind, deadline.starts_at, p.round)
    complexity = complexity_of(c.session, p)
    allowed = rule.max_extensions(complexity) if rule else 0
    if deadline.extensions >= allowed:
        key = "extension_thu_ly" if step == "thu_ly" else "extension_limit" if complexity else "extension_not_complex"
        raise refusal(key, code="extension_limit", allowed=allowed,
                      level_vi=rules.COMPLEXITY_LABELS[complexity])
    variant = rules.variant_for(remote=p.unit.remote, complexity=complexity) if step == "giai_quyet" else None
    spec = rules.spec_for(rule, deadline.starts_at, variant=variant, extensions=deadline.extensions + 1,
                          calendar=c.calendar)
    old_due = deadline.due_at
    deadline.due_at, deadline.rule, deadline.extensions = spec.due_at, spec.rule, deadline.extensions + 1
    deadline.due_soon_flagged_at = deadline.overdue_flagged_at = None
    deadline.escalation_level = 0
    doc = f" (quyết định số {document_number})" if document_number else ""
    c.notice("gia_han", due=_due_text(deadline), reason=reason, document=doc, document_number=document_number,
             basis=rule.basis)
    return {"step": step, "old_due": old_due.isoformat(), "new_due": spec.due_at.isoformat(),
            "extensions": deadline.extensions, "allowed": allowed, "document_number": document_number}


def _mark_complex(c: _Ctx, *, reason: str, level: str = "complex",
                  criteria: list[str] | None = None) -> dict[str, Any]:
    p = c.petition
    new = {"complex": 1, "especially_complex": 2}[level]
    if new == 2 and p.kind != "to_cao":
        raise refusal("especially_complex_only_to_cao")
    old = complexity_of(c.session, p)
    if new <= old:
        raise refusal("already_complex", code="already_complex")
    p.complex = True
    changed = []
    if p.kind == "khieu_nai":
        # KN Đ28/Đ37: a complex complaint has a longer resolution period from the same thụ lý date.
        for d in c.open_deadlines("giai_quyet"):
            rule = rules.rule_for("giai_quyet", p.kind, d.starts_at, p.round)
            spec = rules.spec_for(rule, d.starts_at, variant=rules.variant_for(remote=p.unit.remote, complexity=new),
                                  calendar=c.calendar)
            d.due_at, d.rule = spec.due_at, spec.rule
            d.due_soon_flagged_at = d.overdue_flagged_at = None
            d.escalation_level = 0
            changed.append(d.step)
    return {"level": level, "complexity": new, "criteria": criteria or [], "recomputed": changed}


def _answer(c: _Ctx, *, text: str, document_number: str | None = None) -> dict[str, Any]:
    p = c.petition
    text = answers.check_answer(text)  # says what was done or decided, no blank left (TCD Đ28, KN Đ31, TC Đ35)
    reply = Reply(petition_id=p.id, kind="answer", text=text, document_number=document_number,
                  author_id=c.actor.user_id, created_at=c.at)
    c.session.add(reply)
    c.session.flush()
    if not c.paper:
        notify.notify_citizen(c.session, p, text, f"petition:{p.id}:reply:{reply.id}", now=c.at,
                              payload={"reply_kind": "answer", **answers.answer_payload(p, reply, c.at)})
    met = c.meet("giai_quyet", "tra_loi", "xu_ly_don")
    return {"met": met, "reply_id": reply.id, "document_number": document_number}


def _close(c: _Ctx, *, reason: str | None = None) -> dict[str, Any]:
    reviews.check_closable(c.session, c.petition, c.at)  # not while the citizen's review is open
    c.petition.closed_at = c.at
    return {"cancelled": c.cancel()}


def _reopen(c: _Ctx, *, reason: str) -> dict[str, Any]:
    p = c.petition
    answered = c.session.scalar(select(Reply.id).where(Reply.petition_id == p.id, Reply.kind == "answer").limit(1))
    if answered is None:
        raise refusal("reopen_needs_answer")
    p.closed_at = None
    specs = rules.acceptance_deadlines(p.kind, c.at, round=p.round, remote=p.unit.remote,
                                       complexity=complexity_of(c.session, p), calendar=c.calendar)
    if not specs:  # KNPA: a new answer within the 10 WD of TCD Đ28
        rule = rules.rule_for("tra_loi", p.kind, c.at, p.round)
        specs = [rules.spec_for(rule, c.at, calendar=c.calendar)] if rule else []
    for spec in specs:
        c.stamp(spec)
    return {"stamped": [s.step for s in specs]}


def _withdraw(c: _Ctx, *, reason: str | None = None) -> dict[str, Any]:
    c.petition.closed_at = c.at
    return {"cancelled": c.cancel()}


# action -> (function, event kind, shown to the citizen)
ACTIONS: dict[str, tuple[Callable[..., dict[str, Any]], str, bool]] = {
    "classify": (_classify, "classified", False),
    "accept": (_accept, "accepted", True),
    "return": (_return, "returned", True),
    "guide": (_guide, "guided", True),
    "transfer": (_transfer, "transferred", True),
    "start": (_start, "started", True),
    "extend": (_extend, "extended", True),
    "mark_complex": (_mark_complex, "marked_complex", False),
    "answer": (_answer, "answered", True),
    "close": (_close, "closed", True),
    "reopen": (_reopen, "reopened", True),
    "withdraw": (_withdraw, "withdrawn", True),
}
REASON_REQUIRED = {"return", "extend", "mark_complex", "reopen"}


def _check_at(petition: Petition, at: dt.datetime | None) -> dt.datetime:
    if at is None:
        return utcnow()
    if at.tzinfo is None:
        raise ValidationFailed("Thời điểm cần có múi giờ.", "'at' needs a time zone.",
                               fields={"at": ["Thiếu múi giờ."]})
    if at < petition.received_at:
        raise ValidationFailed("Thời điểm thao tác không thể trước khi tiếp nhận đơn.",
                               "'at' cannot be before the petition was received.",
                               fields={"at": ["Trước thời điểm tiếp nhận."]})
    return at


def perform(session: Session, petition: Petition, action: str, actor: Actor, *, at: dt.datetime | None = None,
            paper: bool = False, calendar: Calendar | None = None, **params: Any) -> Petition:
    """Do one action on a petition, or raise Conflict saying why the law or its state forbids it.

    `at` is when it happened (default: now). `paper=True` enters history from paper records: the
    notices are kept as replies but not sent, since the citizen already received them on paper.
    """
    params = {k: texts.strip_invisible(v) if isinstance(v, str) else v for k, v in params.items()}  # staff texts too
    if action not in ACTIONS:
        raise ValidationFailed(f"Thao tác “{action}” không tồn tại.", f"Unknown action '{action}'.",
                               fields={"action": [f"Chọn một trong: {', '.join(ACTIONS)}."]})
    if session.get_bind().dialect.name == "postgresql":  # one action at a time on a petition
        session.execute(select(Petition.id).where(Petition.id == petition.id).with_for_update())
        session.refresh(petition)
    check_act(session, actor, petition, action)  # the one access policy, whichever door the action came by
    move = _move(petition.kind, petition.status, action)
    if move is None:
        raise _refuse(petition, action)
    if action in REASON_REQUIRED and not (params.get("reason") or "").strip():
        raise ValidationFailed("Cần ghi rõ lý do.", "A reason is required.", fields={"reason": ["Cần ghi lý do."]})
    when = _check_at(petition, at)
    fn, event_kind, public = ACTIONS[action]
    try:
        inspect.signature(fn).bind(None, **params)
    except TypeError as err:
        raise ValidationFailed(f"Tham số không hợp lệ cho thao tác “{action}”.", f"Invalid parameters for "
                               f"'{action}': {err}.", fields={"_schema": [str(err)]}) from err
    before = petition.status
    data = fn(_Ctx(session, petition, actor, when, calendar or Calendar.load(session), paper), **params)
    if move.target is not None:
        petition.status = move.target.value
    record(session, petition, event_kind, actor, at=when, reason=params.get("reason"), public=public,
           data={"from": before, "to": petition.status, **({"paper": True} if paper else {}),
                 **{k: v for k, v in data.items() if v not in (None, [], {})}})
    session.flush()
    rules.clear_deadline_flags(session, [petition.id], when)
    logger.info("Petition %s: %s (%s -> %s)", petition.code, action, before, petition.status)
    return petition
