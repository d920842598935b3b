"""One vocabulary: every code an enum stored in its column, one table of labels, explicit dispatch."""
from __future__ import annotations

import datetime as dt
import inspect

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, StatementError

from bots import conversation
from bots.states import DRAFTING, IDLE, LOOKUP, MENU, RATING, REOPEN
from service.domain import codes
from service.domain.casework import operations as casework
from service.domain.casework import status as citizen_status
from service.domain.codes import EventKind, Kind, Status, Step
from service.domain.deadlines.calendar import VN_TZ
from service.domain.errors import ValidationFailed
from service.domain.inbound import Actor, InboundMessage, PersonData
from service.domain.intake.operations import submit
from service.domain.workflow import operations as workflow
from service.domain.workflow.table import PARAMETERS
from service.models.event import Event
from service.models.petition import Petition

STAFF = Actor(label="Cán bộ Văn phòng", role="staff")
# Events the domain writes with public=True: the citizen reads each in their own words.
PUBLIC = {EventKind.RECEIVED, EventKind.RATED, EventKind.COMMITMENT_MADE, EventKind.COMMITMENT_MET,
          EventKind.COMMITMENT_CANCELLED} | {h.event for h in workflow.ACTIONS.values() if h.public}


def _petition(session, kind="phan_anh") -> Petition:
    person = PersonData(name="Nguyễn Văn An", phone="0912345678", address="Số 1 Lê Lợi")
    msg = InboundMessage(consent=True, channel="web", content="Đường trước nhà tôi bị ngập nước mỗi khi mưa lớn.", unit="11737",
                         kind=kind, category="ha_tang_giao_thong", petitioner=person)
    petition = submit(session, msg, Actor(label="Công dân"), now=dt.datetime(2026, 3, 2, 9, tzinfo=VN_TZ)).petition
    session.flush()
    return petition


def test_each_code_is_its_string_and_has_one_label():
    assert Kind.TO_CAO == "to_cao" and f"{Status.IN_PROGRESS}" == "in_progress" and str(Step.THU_LY) == "thu_ly"
    assert codes.KINDS["to_cao"] is codes.KINDS[Kind.TO_CAO]
    for kind in EventKind:
        assert codes.event_label(kind) != kind and codes.event_label(kind, citizen=True) != kind
    # The console's history, the dialogue briefing and the flag digest read the same table.
    assert casework.event_label("routed") == codes.EVENTS[EventKind.ROUTED].staff == codes.event_label("routed")


def test_every_public_event_has_the_citizens_words():
    for kind in PUBLIC:
        assert codes.EVENTS[kind].citizen, kind
    assert codes.event_label("transferred", citizen=True) == "Đã chuyển đơn tới cơ quan có thẩm quyền"
    assert codes.event_label("transferred") == "Chuyển đơn"


def test_the_parameter_table_matches_the_handlers():
    for action, params in PARAMETERS.items():
        signature = inspect.signature(workflow.ACTIONS[action].fn)
        named = {n: p for n, p in signature.parameters.items() if p.kind is p.KEYWORD_ONLY}
        assert set(named) == set(params.required) | set(params.optional), action
        assert {n for n, p in named.items() if p.default is p.empty} == set(params.required), action


def test_every_conversation_state_has_an_explicit_handler():
    assert set(conversation.HANDLERS) == {IDLE, MENU, LOOKUP, RATING, REOPEN} | DRAFTING
    assert all(callable(h) for h in conversation.HANDLERS.values())


def test_perform_refuses_parameters_outside_the_table(session):
    p = _petition(session)
    when = dt.datetime(2026, 3, 3, 9, tzinfo=VN_TZ)
    with pytest.raises(ValidationFailed) as unknown:
        workflow.perform(session, p, "accept", STAFF, at=when, colour="blue")
    assert "colour" in unknown.value.fields["_schema"][0]
    with pytest.raises(ValidationFailed) as missing:
        workflow.perform(session, p, "guide", STAFF, at=when)
    assert "to_body" in missing.value.fields["_schema"][0]
    workflow.perform(session, p, "accept", STAFF, at=when, document_number="12/TB")
    assert p.status == Status.ACCEPTED and isinstance(p.status, Status)


def test_columns_read_enums_and_refuse_stray_codes(session):
    p = _petition(session)
    session.expire_all()
    assert isinstance(p.kind, Kind) and isinstance(p.status, Status) and all(isinstance(d.step, Step)
                                                                               for d in p.deadlines)
    session.add(Event(petition_id=p.id, kind="escalated", actor_label="x"))
    with pytest.raises(StatementError):
        session.flush()
    session.rollback()


def test_the_database_checks_the_codes_too(session):
    p = _petition(session)
    session.commit()
    with pytest.raises(IntegrityError):
        session.execute(text("UPDATE petitions SET status = 'lost' WHERE id = :id"), {"id": p.id})
        session.flush()
    session.rollback()


def test_the_citizen_timeline_uses_the_citizen_column(session):
    p = _petition(session)
    workflow.perform(session, p, "accept", STAFF, at=dt.datetime(2026, 3, 3, 9, tzinfo=VN_TZ))
    workflow.perform(session, p, "start", STAFF, at=dt.datetime(2026, 3, 4, 9, tzinfo=VN_TZ))
    labels = [e["label"] for e in citizen_status.citizen_view(session, p).timeline]
    assert labels == ["Đã tiếp nhận đơn", "Đã thụ lý", "Đã bắt đầu giải quyết"]
