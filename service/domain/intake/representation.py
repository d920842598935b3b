"""A crowd's petition from an integration (API v1, Open311) that named no representatives (Luật Tiếp công dân
Điều 29): intake accepted it with the petitioner standing in (law.stands_in); here Văn phòng HĐND-UBND of
the handling unit is asked to complete them: an event on the petition and a notice on the office's console.
The notice carries the code and the count, never a name (a denouncer's identity is secret, Luật Tố cáo Đ47)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from service.domain.events import record
from service.domain.inbound import Actor
from service.domain.notifications import outbox as notify
from service.domain.routing.units import office_of
from service.models.petition import Petition
from service.models.unit import Unit

REPRESENTATIVES_REQUESTED = "representatives_requested"
INTAKE_ACTOR = Actor(label="Hệ thống (tiếp nhận đơn)")


def ask_office(session: Session, petition: Petition, unit: Unit, people: int, now: dt.datetime) -> None:
    office = office_of(session, unit, "van_phong" if unit.kind != "city" else "vp_ubnd_tp")
    text = (f"Đơn {petition.code} có {people} người cùng đứng tên, gửi qua kênh tích hợp (API), chưa cử người "
            f"đại diện (Luật Tiếp công dân Điều 29): người gửi đơn tạm đứng làm người đại diện. Đề nghị Văn phòng "
            f"liên hệ để hoàn thiện người đại diện (từ 5 đến 10 người cử 1–2 người, từ 11 người trở lên tối đa 5).")
    record(session, petition, REPRESENTATIVES_REQUESTED, INTAKE_ACTOR, at=now,
           data={"people": people, "office": office.code if office else None},
           reason="Đơn đông người chưa cử người đại diện; người gửi đơn tạm đứng làm người đại diện.")
    if office is not None:
        notify.enqueue(session, channel="console", recipient=f"office:{office.id}", text=text,
                       dedupe_key=f"representatives:{petition.id}:office:{office.id}", petition=petition,
                       payload={"kind": REPRESENTATIVES_REQUESTED}, now=now)
