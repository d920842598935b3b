"""intake.submit: validation, storage, tracking codes, attachments, hand-over to routing and deadlines."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from service.domain.errors import ValidationFailed
from service.domain.inbound import CITIZEN, Actor, AttachmentData, InboundMessage, PersonData
from service.domain.intake import operations as intake
from service.domain.intake import tracking
from service.models import Attachment, Deadline, Event, Person, Petition
from tests.helpers import count_petitions, png_bytes

NOW = dt.datetime(2026, 11, 20, 3, 0, tzinfo=dt.timezone.utc)  # Friday 10:00 in Hải Phòng


def message(**changes) -> InboundMessage:
    base = dict(channel="web", content="Rác thải tồn đọng ở chợ Cát Bà bốc mùi hôi thối.", unit="11914",
                petitioner=PersonData(name="Trần Thị Bình", phone="0987654321", address="Cát Bà"), consent=True)
    return InboundMessage(**{**base, **changes})


def test_submit_stores_petition_people_event_and_deadlines(session):
    submitted = intake.submit(session, message(), CITIZEN, now=NOW)
    session.commit()
    petition = session.scalar(select(Petition).where(Petition.code == submitted.petition.code))
    assert petition.status == "classified" and petition.unit.code == "11914"
    assert petition.content_folded.startswith("rac thai ton dong o cho cat ba")
    assert [p.name for p in session.scalars(select(Person).where(Person.petition_id == petition.id))] == ["Trần Thị Bình"]
    events = [e.kind for e in session.scalars(select(Event).where(Event.petition_id == petition.id).order_by(Event.id))]
    assert events == ["received", "classified", "routed", "matter_opened"]
    assert petition.matter_id is not None
    steps = {d.step: d for d in session.scalars(select(Deadline).where(Deadline.petition_id == petition.id))}
    assert set(steps) == {"xu_ly_don", "tra_loi"}
    # Received Friday 20/11/2026; 10 working days skip two weekends and 24/11 (holiday from 2026).
    assert steps["xu_ly_don"].due_at.astimezone(dt.timezone(dt.timedelta(hours=7))).date() == dt.date(2026, 12, 7)
    assert submitted.first_deadline is not None


def test_tracking_codes_are_unique_readable_and_checked():
    codes = {tracking.new_code() for _ in range(2000)}
    assert len(codes) == 2000
    for code in list(codes)[:50]:
        assert tracking.normalise_code(code.lower().replace("-", " ")) == code
        assert not set(code.replace("-", "")) & set("01OILUV")
    code = next(iter(codes))
    body, check = code[:-1], code[-1]
    wrong = next(c for c in tracking.ALPHABET if c != check)
    assert tracking.normalise_code(body + wrong) is None
    assert tracking.normalise_code("") is None and tracking.normalise_code("ABC") is None


def test_validation_errors_name_every_bad_field_and_store_nothing(session):
    bad = message(content=" ", channel="fax", unit="Xã Không Có",
                  petitioner=PersonData(name="A", phone="123", email="x@"))
    with pytest.raises(ValidationFailed) as info:
        intake.submit(session, bad, CITIZEN, now=NOW)
    assert set(info.value.fields) >= {"content", "channel", "unit", "petitioner.phone", "petitioner.email"}
    session.rollback()
    assert count_petitions(session) == 0


def test_complaint_needs_identity_and_denunciation_may_be_anonymous(session):
    with pytest.raises(ValidationFailed) as info:
        intake.submit(session, message(kind="khieu_nai", petitioner=None), CITIZEN, now=NOW)
    assert "petitioner" in info.value.fields
    anonymous = intake.submit(session, message(kind="to_cao", petitioner=None, anonymous=True,
                                               content="Tố cáo cán bộ thu tiền ngoài quy định."), CITIZEN, now=NOW)
    assert anonymous.petition.anonymous is True
    # Luật Tố cáo Điều 25: handled as information, so processed (xử lý đơn) but never thụ lý as a tố cáo
    steps = session.scalars(select(Deadline.step).where(Deadline.petition_id == anonymous.petition.id)).all()
    assert steps == ["xu_ly_don"]
    assert session.scalars(select(Person).where(Person.petition_id == anonymous.petition.id)).all() == []


def test_an_anonymous_sender_keeps_no_identity_even_if_given(session):
    submitted = intake.submit(session, message(kind="to_cao", anonymous=True), CITIZEN, now=NOW)
    assert session.scalars(select(Person).where(Person.petition_id == submitted.petition.id)).all() == []


def test_attachments_are_sniffed_from_bytes_and_images_lose_exif(session):
    photo = png_bytes(exif_gps=True)
    assert b"PhoneMaker" in photo
    submitted = intake.submit(session, message(attachments=[
        AttachmentData("anh.jpg", photo, "image/png"),
        AttachmentData("don.pdf", b"%PDF-1.4\n%...\n", "application/pdf")]), CITIZEN, now=NOW)
    files = session.scalars(select(Attachment).where(Attachment.petition_id == submitted.petition.id)
                            .order_by(Attachment.id)).all()
    assert [f.content_type for f in files] == ["image/jpeg", "application/pdf"]
    assert b"PhoneMaker" not in files[0].data


@pytest.mark.parametrize("filename, data", [
    ("anh.jpg", b"this is plain text, not a photo"),
    ("virus.pdf", b"MZ\x90\x00 windows executable"),
    ("trong.png", b""),
])
def test_files_that_are_not_what_they_claim_are_refused(session, filename, data):
    with pytest.raises(ValidationFailed) as info:
        intake.submit(session, message(attachments=[AttachmentData(filename, data)]), CITIZEN, now=NOW)
    assert "attachments" in info.value.fields


def test_more_than_five_or_larger_than_10_mb_attachments_are_refused(session):
    six = [AttachmentData(f"a{i}.png", png_bytes()) for i in range(6)]
    with pytest.raises(ValidationFailed):
        intake.submit(session, message(attachments=six), CITIZEN, now=NOW)
    huge = AttachmentData("big.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024))
    with pytest.raises(ValidationFailed) as info:
        intake.submit(session, message(attachments=[huge]), CITIZEN, now=NOW)
    assert "10 MB" in info.value.fields["attachments"][0]


def test_co_signers_as_people_are_stored(session):
    people = [PersonData(name=f"Người {i}", phone=f"09{i:08d}", representative=i == 0) for i in range(5)]
    submitted = intake.submit(session, message(co_signers=people), CITIZEN, now=NOW)
    stored = session.scalars(select(Person).where(Person.petition_id == submitted.petition.id,
                                                  Person.role == "co_signer")).all()
    assert len(stored) == 5 and submitted.petition.co_signer_count == 5
    assert [p.representative for p in stored].count(True) == 1


def test_staff_backdating_is_bounded(session):
    staff = Actor(label="Cán bộ", user_id=None, role="staff")
    earlier = NOW - dt.timedelta(days=10)
    ok = intake.submit(session, message(channel="hotline", received_at=earlier), staff, now=NOW)
    assert ok.petition.received_at == earlier
    with pytest.raises(ValidationFailed):
        intake.submit(session, message(received_at=NOW + dt.timedelta(days=1)), staff, now=NOW)
    with pytest.raises(ValidationFailed):
        intake.submit(session, message(received_at=earlier), CITIZEN, now=NOW)


def test_the_petition_and_its_rows_go_in_one_flush(session):
    """Issue #19: the petition, its people, events and deadlines are written by a single flush."""
    from sqlalchemy import event as sa_event

    flushed: list[set[str]] = []

    def before_flush(s, context, instances):
        flushed.append({type(o).__name__ for o in s.new})

    sa_event.listen(session, "before_flush", before_flush)
    try:
        intake.submit(session, message(), CITIZEN, now=NOW)
    finally:
        sa_event.remove(session, "before_flush", before_flush)
    with_petition = [names for names in flushed if "Petition" in names]
    assert len(with_petition) == 1
    assert {"Petition", "Person", "Event", "Deadline"} <= with_petition[0]
    assert not any({"Person", "Deadline"} & names for names in flushed if "Petition" not in names)


def test_a_worker_is_warmed_before_its_first_petition(session):
    """Issue #19: gunicorn's post_worker_init (config/gunicorn.conf.py) trains the classifier and reads the calendar,
    rules and fields once; the first petition then finds them ready."""
    import importlib.util
    from pathlib import Path
    from types import SimpleNamespace

    from service.domain.classification import model as classify
    from service.domain.deadlines.calendar import Calendar

    spec = importlib.util.spec_from_file_location(
        "gunicorn_conf", Path(__file__).resolve().parents[2] / "config" / "gunicorn.conf.py")
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    factory = SimpleNamespace(sessionmaker=lambda: session.__class__(bind=session.get_bind()))
    conf.post_worker_init(SimpleNamespace(wsgi=SimpleNamespace(extensions={"db": factory})))
    assert classify.current_model() is not None
    assert Calendar.load(session) is Calendar.load(session)
