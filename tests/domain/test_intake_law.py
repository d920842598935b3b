"""Intake owns the law of intake (issue #15 item 2): the representatives of a crowd (Luật Tiếp công dân Điều 29),
consent (Luật Bảo vệ dữ liệu cá nhân 91/2025) and identity are checked once, in intake, for every channel."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from service.domain.errors import ValidationFailed
from service.domain.inbound import CITIZEN, Actor, InboundMessage, PersonData
from service.domain.intake import law
from service.domain.intake import operations as intake
from service.domain.intake.representation import REPRESENTATIVES_REQUESTED
from service.domain.routing.units import find_unit, office_of
from service.models import Event, OutboxMessage, Person
from tests.helpers import count_petitions

NOW = dt.datetime(2026, 11, 20, 3, 0, tzinfo=dt.timezone.utc)
UNIT = "11914"  # Đặc khu Cát Hải
CLERK = Actor(label="Cán bộ tiếp dân", user_id=None, role="staff")
TOO_FEW = ("Đơn có 8 người cùng đứng tên: vui lòng ghi họ tên, số điện thoại của người đại diện "
           "(từ 1 đến 2 người, Luật Tiếp công dân, Điều 29).")
# channel -> the actor that submits through it: citizens on the web form and the bots, a clerk at staff entry
REFUSING = [("web", CITIZEN), ("telegram", CITIZEN), ("zalo", CITIZEN), ("in_person", CLERK), ("hotline", CLERK)]


def crowd(channel: str, *, co_signers=7, consent=True, **changes) -> InboundMessage:
    values = dict(channel=channel, unit=UNIT, kind="kien_nghi", category="ha_tang_giao_thong", consent=consent,
                  content="Tám hộ dân thôn Lý Hải đề nghị sửa đường liên thôn bị sạt lở sau mưa lớn.",
                  petitioner=PersonData(name="Trần Văn Bình", phone="0912345678", address="Thôn Lý Hải"),
                  co_signers=co_signers, chat_user_id="u-1" if channel in ("telegram", "zalo") else None)
    values.update(changes)
    return InboundMessage(**values)


def refusal(session, msg: InboundMessage, actor: Actor) -> dict[str, list[str]]:
    with pytest.raises(ValidationFailed) as exc:
        intake.submit(session, msg, actor, now=NOW)
    session.rollback()
    assert count_petitions(session) == 0
    return exc.value.fields


@pytest.mark.parametrize("channel, actor", REFUSING)
def test_a_crowd_without_representatives_is_refused_with_one_message(session, channel, actor):
    assert refusal(session, crowd(channel), actor) == {"representatives": [TOO_FEW]}


def test_an_integration_crowd_is_accepted_with_the_petitioner_standing_in_and_van_phong_asked(session):
    petition = intake.submit(session, crowd("api"), CITIZEN, now=NOW).petition
    session.flush()
    people = session.scalars(select(Person).where(Person.petition_id == petition.id)).all()
    assert [(p.role, p.name, p.representative) for p in people] == [("petitioner", "Trần Văn Bình", True)]
    event = session.scalar(select(Event).where(Event.petition_id == petition.id,
                                               Event.kind == REPRESENTATIVES_REQUESTED))
    assert event is not None and event.data["people"] == 8
    office = office_of(session, find_unit(session, UNIT), "van_phong")
    notice = session.scalar(select(OutboxMessage).where(OutboxMessage.petition_id == petition.id,
                                                        OutboxMessage.dedupe_key.like("representatives:%")))
    assert notice.channel == "console" and notice.recipient == f"office:{office.id}"
    assert petition.code in notice.text and "Điều 29" in notice.text and "Trần Văn Bình" not in notice.text


def test_an_integration_crowd_that_names_its_representatives_asks_nothing(session):
    reps = [PersonData(name="Lê Thị Hoa", phone="0987654321", representative=True)]
    petition = intake.submit(session, crowd("api", co_signers=reps, co_signer_total=7), CITIZEN, now=NOW).petition
    session.flush()
    assert not session.scalar(select(Event.id).where(Event.kind == REPRESENTATIVES_REQUESTED))
    assert [p.representative for p in petition.people] == [False, True]


@pytest.mark.parametrize("channel, actor", [*REFUSING, ("api", CITIZEN)])
def test_more_representatives_than_the_law_allows_are_refused_everywhere(session, channel, actor):
    reps = [PersonData(name=f"Người {n}", phone=f"091200011{n}", representative=True) for n in range(3)]
    fields = refusal(session, crowd(channel, co_signers=reps, co_signer_total=7), actor)
    too_many = ("Đơn có 8 người cùng đứng tên chỉ cử tối đa 2 người đại diện; bạn đã ghi 3 người "
                "(Luật Tiếp công dân, Điều 29).")
    assert fields == {"representatives": [too_many]}
    six = [PersonData(name=f"Người {n}", phone=f"091200011{n}", representative=True) for n in range(6)]
    assert "tối đa 5 người" in refusal(session, crowd(channel, co_signers=six, co_signer_total=40), actor)[
        "representatives"][0]


@pytest.mark.parametrize("channel, actor", [*REFUSING, ("api", CITIZEN)])
def test_representatives_without_a_crowd_or_a_contact_are_refused(session, channel, actor):
    rep = PersonData(name="Lê Thị Hoa", representative=True)
    assert "Chỉ cử người đại diện khi có từ 5 người" in refusal(
        session, crowd(channel, co_signers=[rep], co_signer_total=2), actor)["representatives"][0]
    assert refusal(session, crowd(channel, co_signers=[rep], co_signer_total=9), actor) == {
        "co_signers.0.phone": ["Cần nhập số điện thoại hoặc địa chỉ của người đại diện thứ 1."]}


def test_the_law_is_the_same_below_the_crowd_and_for_an_anonymous_petition(session):
    for channel, actor in [*REFUSING, ("api", CITIZEN)]:
        intake.submit(session, crowd(channel, co_signers=3), actor, now=NOW)
        intake.submit(session, crowd(channel, kind="to_cao", anonymous=True, petitioner=None, consent=False,
                                     chat_user_id=None), actor, now=NOW)
    session.flush()
    assert count_petitions(session) == 2 * (len(REFUSING) + 1)
    assert not session.scalar(select(Event.id).where(Event.kind == REPRESENTATIVES_REQUESTED))


@pytest.mark.parametrize("channel, actor", REFUSING)
def test_personal_data_without_consent_is_refused_and_not_validated(session, channel, actor):
    msg = crowd(channel, co_signers=0, consent=False, petitioner=PersonData(name="Trần Văn Bình", phone="12345"))
    assert refusal(session, msg, actor) == {"consent": [law.CONSENT_MISSING]}  # the bad phone is not even read


def test_a_chat_account_is_personal_data_and_integrations_keep_their_contract(session):
    assert "consent" in refusal(session, crowd("zalo", co_signers=0, consent=False, petitioner=None), CITIZEN)
    intake.submit(session, crowd("web", co_signers=0, consent=False, petitioner=None), CITIZEN, now=NOW)
    intake.submit(session, crowd("api", co_signers=0, consent=False), CITIZEN, now=NOW)  # consent is the client's
    session.flush()
    assert count_petitions(session) == 2


@pytest.mark.parametrize("channel, actor", [*REFUSING, ("api", CITIZEN)])
def test_identity_rules_are_unchanged_on_every_channel(session, channel, actor):
    msg = crowd(channel, co_signers=0, kind="khieu_nai", petitioner=PersonData(name="Trần Văn Bình"))
    assert refusal(session, msg, actor) == {
        "petitioner": ["Đơn khiếu nại cần ghi rõ họ tên và địa chỉ hoặc số điện thoại của người khiếu nại."]}
    assert "kind" in refusal(session, crowd(channel, co_signers=0, kind="don_thu"), actor)
