"""Builders of test data, one place instead of a `make()` per test module.

Petitions are made the way production makes them, through `intake.submit` (validate → classify → route →
stamp deadlines), never by inserting rows: a builder that bypassed intake would let tests drift from it.

    petition(session)                                    # a citizen's phản ánh to Cát Hải, flushed
    petition(session, "Ổ gà trước số 12.", kind="khieu_nai", category="dat_dai", commit=True)
    petition(session, anonymous=True, days_ago=3)        # received three days ago, nobody named
    make = builder(kind="khieu_nai", category="dat_dai", now=NOW, commit=True)   # a module's defaults
    make(session, unit="11737")
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any, Callable

from sqlalchemy.orm import Session

from service.db import utcnow
from service.domain.dialogues import operations as dialogues
from service.domain.inbound import CITIZEN, Actor, InboundMessage, Location, PersonData
from service.domain.intake import operations as intake
from service.domain.matters.flags import CROWD
from service.domain.people import accounts
from service.models import DialogueSession, Petition, User

UNIT = "11914"  # Đặc khu Cát Hải
CONTENT = "Đèn đường ngõ 12 tắt đã hai tuần, buổi tối rất tối."
PASSWORD = "mat-khau-dai-1"
STAFF = Actor(label="Cán bộ Văn phòng", role="staff")

_DEFAULT: Any = object()  # "the builder's default petitioner", as opposed to an explicit None


def person(name: str = "Nguyễn Văn An", phone: str | None = "0912345678", address: str | None = "Số 1 Lê Lợi",
           **fields: Any) -> PersonData:
    return PersonData(name=name, phone=phone, address=address, **fields)


def message(content: str = CONTENT, *, channel: str = "web", unit: str | None = UNIT, kind: str | None = "phan_anh",
            category: str | None = "ha_tang_giao_thong", petitioner: PersonData | None = _DEFAULT,
            anonymous: bool = False, name: str = _DEFAULT, phone: str | None = _DEFAULT,
            address: str | None = _DEFAULT, email: str | None = _DEFAULT, place: str | None = None,
            **fields: Any) -> InboundMessage:
    """An inbound message; `name`/`phone`/`address`/`email` adjust the default petitioner, `anonymous=True`
    or `petitioner=None` leaves it out, `place` is the location's address."""
    if anonymous:
        petitioner = None
    elif petitioner is _DEFAULT:
        given = {k: v for k, v in (("name", name), ("phone", phone), ("address", address), ("email", email))
                 if v is not _DEFAULT}
        petitioner = person(**given)
    if place is not None:
        fields["location"] = Location(address=place)
    # A citizen's channel carries consent (intake refuses personal data without it: Luật BVDLCN 91/2025), and a
    # crowd of five or more names its representatives — by default the petitioner (Luật Tiếp công dân Điều 29).
    fields.setdefault("consent", True)
    co_signers = fields.get("co_signers", 0)
    if isinstance(co_signers, int) and co_signers + 1 >= CROWD and petitioner is not None \
            and not petitioner.representative:
        petitioner = dataclasses.replace(petitioner, representative=True)
    return InboundMessage(channel=channel, content=content, unit=unit, kind=kind, category=category,
                          petitioner=petitioner, anonymous=anonymous, **fields)


def petition(session: Session, content: str = CONTENT, *, actor: Actor = CITIZEN, now: dt.datetime | None = None,
             days_ago: float = 0, hours_ago: float = 0, commit: bool = False, **fields: Any) -> Petition:
    """A petition through intake, received at `now` (the real clock when None) less `days_ago`/`hours_ago`;
    flushed, or committed with `commit=True`. The other keywords go to `message`."""
    when = now
    if days_ago or hours_ago:
        when = (now or utcnow()) - dt.timedelta(days=days_ago, hours=hours_ago)
    created = intake.submit(session, message(content, **fields), actor, now=when).petition
    if commit:
        session.commit()
    else:
        session.flush()
    return created


def builder(**defaults: Any) -> Callable[..., Petition]:
    """`petition` with a test module's own defaults: `make = builder(kind="khieu_nai", commit=True)`."""
    def make(session: Session, content: str | None = None, **overrides: Any) -> Petition:
        fields = {**defaults, **overrides}
        if content is not None:
            fields["content"] = content
        return petition(session, **fields)
    return make


def user(session: Session, username: str = "vp", role: str = "staff", unit: str | None = UNIT,
         office: str | None = "van_phong", *, commit: bool = True, **fields: Any) -> User:
    """A staff account with the tests' password, committed (or flushed with `commit=False`). The unit is left
    out for the province-wide roles (admin, inspector), the office for the roles that have none."""
    created = accounts.create_user(session, username=username, password=PASSWORD, role=role,
                                   unit=None if role in ("admin", "inspector") else unit,
                                   office=office if role in ("staff", "office_head") else None, **fields)
    if commit:
        session.commit()
    else:
        session.flush()
    return created


def bearer(session: Session, username: str = "vp", role: str = "staff", unit: str | None = UNIT,
           office: str | None = "van_phong") -> dict[str, str]:
    """A new account's API token as request headers, committed."""
    user(session, username, role, unit, office, commit=False)
    token = accounts.create_token(session, username)
    session.commit()
    return {"Authorization": f"Bearer {token}"}


def dialogue_session(session: Session, *, unit: str, actor: Actor = STAFF, days_ahead: float = 10,
                     place: str = "Nhà văn hóa tổ dân phố 7", announce: bool = True, **fields: Any) -> DialogueSession:
    """A dialogue session `days_ahead` from now on the real clock, announced unless `announce=False`; committed."""
    fields.setdefault("topics", ["Rác thải", "Đường giao thông"])
    fields.setdefault("chair", "Phạm Văn Chủ")
    ds = dialogues.create_session(session, actor, unit=unit, starts_at=utcnow() + dt.timedelta(days=days_ahead),
                                  place=place, **fields)
    if announce:
        dialogues.announce(session, ds, actor)
    session.commit()
    return ds
