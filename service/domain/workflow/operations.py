"""The legal workflow of a petition: the actions and `perform`, the one verb that does them (the table of
allowed moves and its refusals are in `workflow.table`).

`perform(session, petition, action, actor, at=..., **params)` is the one entry point. Each action asks the
access policy (a staff actor), checks the table, stamps or closes the deadlines (legal.md Defaults), sends the
legally required notice and writes an event. It flushes and never commits.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any, Callable, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.db import utcnow
from service.domain import text as texts
from service.domain.codes import KINDS, Action, EventKind, categories
from service.domain.deadlines import rules
from service.domain.deadlines.calendar import VN_TZ, Calendar
from service.domain.errors import ValidationFailed
from service.domain.events import record
from service.domain.inbound import Actor
from service.domain.notifications import outbox as notify
from service.domain.people.access import check_act
from service.domain.routing import operations as routing
from service.domain.workflow import answers, reviews
from service.domain.workflow.table import (
    ACTION_NAMES,
    PARAMETERS,
    REASON_REQUIRED,
    TRANSITIONS,
    UNDECIDED,
    Status,
    allowed_actions,
    can,
    move_for,
    refusal,
    refuse,
)
from service.models.deadline import Deadline
from service.models.event import Event
from service.models.petition import Petition
from service.models.reply import Reply

logger = logging.getLogger(__name__)

# The table's names stay importable from here: callers know the workflow as this module.
__all__ = ["ACTIONS", "Status", "TRANSITIONS", "allowed_actions", "can", "perform", "refusal"]


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
                       rule=spec.rule, office_id=self.petition.lead_office_id)
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
    if not changes:  # nothing corrected: the timeline says "xác nhận phân loại", not a correction
        return {"competent": competent, "_event": E.CLASSIFICATION_CONFIRMED}
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


class Handler(NamedTuple):
    fn: Callable[..., dict[str, Any]]  # takes the parameters of `table.PARAMETERS[action]`
    event: EventKind  # the event it writes
    public: bool  # shown to the citizen


A, E = Action, EventKind
ACTIONS: dict[Action, Handler] = {
    A.CLASSIFY: Handler(_classify, E.CLASSIFIED, False),
    A.ACCEPT: Handler(_accept, E.ACCEPTED, True),
    A.RETURN: Handler(_return, E.RETURNED, True),
    A.GUIDE: Handler(_guide, E.GUIDED, True),
    A.TRANSFER: Handler(_transfer, E.TRANSFERRED, True),
    A.START: Handler(_start, E.STARTED, True),
    A.EXTEND: Handler(_extend, E.EXTENDED, True),
    A.MARK_COMPLEX: Handler(_mark_complex, E.MARKED_COMPLEX, False),
    A.ANSWER: Handler(_answer, E.ANSWERED, True),
    A.CLOSE: Handler(_close, E.CLOSED, True),
    A.REOPEN: Handler(_reopen, E.REOPENED, True),
    A.WITHDRAW: Handler(_withdraw, E.WITHDRAWN, True),
}
assert tuple(ACTIONS) == ACTION_NAMES, "every action of the table needs a handler, in the table's order"


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
    action = Action(action)
    if session.get_bind().dialect.name == "postgresql":  # one action at a time on a petition
        session.execute(select(Petition.id).where(Petition.id == petition.id).with_for_update())
        session.refresh(petition)
    check_act(session, actor, petition, action)  # the one access policy, whichever door the action came by
    move = move_for(petition.kind, petition.status, action)
    if move is None:
        raise refuse(petition, action)
    if action in REASON_REQUIRED and not (params.get("reason") or "").strip():
        raise ValidationFailed("Cần ghi rõ lý do.", "A reason is required.", fields={"reason": ["Cần ghi lý do."]})
    when = _check_at(petition, at)
    fn, event_kind, public = ACTIONS[action]
    problem = PARAMETERS[action].problem(set(params))
    if problem:
        raise ValidationFailed(f"Tham số không hợp lệ cho thao tác “{action}”.", f"Invalid parameters for "
                               f"'{action}': {problem}.", fields={"_schema": [problem]})
    before = petition.status
    data = fn(_Ctx(session, petition, actor, when, calendar or Calendar.load(session), paper), **params)
    event_kind = data.pop("_event", event_kind)  # a handler may name a more exact event (classify confirmed)
    if move.target is not None:
        petition.status = move.target
    record(session, petition, event_kind, actor, at=when, reason=params.get("reason"), public=public,
           data={"from": before, "to": petition.status, **({"paper": True} if paper else {}),
                 **{k: v for k, v in data.items() if v not in (None, [], {})}})
    session.flush()
    rules.clear_deadline_flags(session, [petition.id], when)
    logger.info("Petition %s: %s (%s -> %s)", petition.code, action, before, petition.status)
    return petition
