"""The chairperson's briefing for a dialogue session (domain.md "Dialogue sessions"; issue #9 item 2).

Compiled from the database: open petitions of the unit by field, kind and place; every open đông người and
phức tạp, kéo dài case with its history and the offices' positions (task 4.5); overdue petitions by office;
commitments still open from earlier sessions; registered speakers and their questions. Stored as JSON in
`DialogueSession.briefing`; staff edit its introduction and per-section notes, and a recompile keeps
their text. Rendered as a page, as DOCX (Nghị định 30/2020 layout, service.domain.documents.administrative) and PDF.

Denouncers stay secret (Luật Tố cáo Điều 47): no petitioner is named; a speaker linked to a denunciation
shows as HIDDEN_DENOUNCER; the texts of denunciation files (replies, reasons) are left out.
"""
from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from service.db import utcnow
from service.domain.codes import (
    CHANNELS,
    FLAGS,
    KINDS,
    STATUSES,
    STEPS,
    category_label,
    event_label,
)
from service.domain.deadlines.calendar import VN_TZ, local_date
from service.domain.dialogues.commitments import is_overdue, open_commitments_before
from service.domain.dialogues.speakers import registrations_of, speaker_name
from service.domain.errors import ValidationFailed
from service.domain.intake.validation import FieldError, clean_text
from service.domain.people import confidential, redaction
from service.domain.text import fold
from service.models.deadline import Deadline
from service.models.dialogue import DialogueBriefingVersion, DialogueSession
from service.models.event import Event
from service.models.flag import Flag
from service.models.matter import Matter
from service.models.petition import OPEN_STATUSES, Petition
from service.models.reply import Reply
from service.models.unit import Office, Unit

MATTER_FLAGS = ("dong_nguoi", "phuc_tap_keo_dai")
SECTIONS: dict[str, str] = {"open": "Đơn đang giải quyết", "flagged": "Vụ việc đông người, phức tạp, kéo dài",
                            "overdue": "Đơn quá hạn theo cơ quan", "commitments": "Cam kết chưa hoàn thành",
                            "speakers": "Công dân đăng ký phát biểu"}
HISTORY_ITEMS = 12
EXCERPT = 400
NO_PLACE = "Chưa rõ địa điểm"

# Events whose reason is the machine's explanation (classifier cues, routing rule): the label says enough.
QUIET_REASONS = frozenset({"received", "classified", "classification_confirmed", "routed", "matter_opened", "matter_linked", "flag_raised"})
REPLY_LABELS = {"answer": "Văn bản trả lời", "thu_ly": "Thông báo thụ lý", "khong_thu_ly": "Thông báo không thụ lý",
                "chuyen_don": "Phiếu chuyển đơn", "huong_dan": "Văn bản hướng dẫn", "gia_han": "Quyết định gia hạn"}

# A locality in an address: the hamlet or residential group first, then the street, then a tổ.
_LOCALITIES = (re.compile(r"\b(thôn|xóm|ấp|bản|tổ dân phố|tdp|khu phố|khu dân cư|khu)\s+([^,;.\n]+)", re.I),
               re.compile(r"\b(đường|phố|ngõ)\s+([^,;.\n]+)", re.I),
               re.compile(r"\b(tổ)\s+([^,;.\n]+)", re.I))


def locality(place: str | None) -> str:
    """'Tổ 3, thôn Kim Lũy' -> 'Thôn Kim Lũy'; the place people would name in a meeting."""
    if not place or not place.strip():
        return NO_PLACE
    for pattern in _LOCALITIES:
        found = pattern.search(place)
        if found:
            word = "Tổ dân phố" if found.group(1).lower() == "tdp" else found.group(1).capitalize()
            return f"{word} {' '.join(found.group(2).split())}"
    return " ".join(place.split(",")[0].split())


def _day(moment: dt.datetime | None) -> str:
    return f"{moment.astimezone(VN_TZ):%d/%m/%Y}" if moment else ""


def _excerpt(text: str | None) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= EXCERPT else text[:EXCERPT - 1].rsplit(" ", 1)[0] + "…"


def _office_names(session: Session, unit_id: int) -> dict[int, str]:
    return dict(session.execute(select(Office.id, Office.name).where(Office.unit_id == unit_id)).all())


# --- the sections --------------------------------------------------------------------------------

def _place(kind: str, place: str | None) -> str | None:
    """A denunciation's place may be the denouncer's own street (Luật Tố cáo Điều 56): its redacted form."""
    if kind != "to_cao" or not place:
        return place
    return redaction.without_placeholders(confidential.redacted(kind, place) or "").strip(" ,.;:-") or None


def _open_petitions(session: Session, unit_id: int) -> dict[str, Any]:
    rows = session.execute(select(Petition.category, Petition.kind, Petition.place)
                           .where(Petition.unit_id == unit_id, Petition.status.in_(OPEN_STATUSES))).all()
    by_category = Counter(r.category for r in rows)
    by_kind = Counter(r.kind for r in rows)
    labels: dict[str, str] = {}
    by_place: Counter[str] = Counter()
    for r in rows:
        label = locality(_place(r.kind, r.place))
        key = fold(label)
        labels.setdefault(key, label)
        by_place[key] += 1
    return {
        "total": len(rows),
        "by_category": [{"code": c, "label": category_label(c), "count": n} for c, n in by_category.most_common()],
        "by_kind": [{"code": k, "label": KINDS.get(k, k), "count": n} for k, n in by_kind.most_common()],
        "by_place": [{"place": labels[k], "count": n}
                     for k, n in sorted(by_place.items(), key=lambda kv: (-kv[1], labels[kv[0]]))],
    }


def _flag_groups(session: Session, unit_id: int) -> dict[tuple[str, int], list[Flag]]:
    """Open đông người / kéo dài flags of the unit, grouped by matter (or by petition when it has none)."""
    flags = session.scalars(select(Flag).outerjoin(Matter, Matter.id == Flag.matter_id)
                            .outerjoin(Petition, Petition.id == Flag.petition_id)
                            .where(Flag.code.in_(MATTER_FLAGS), Flag.cleared_at.is_(None),
                                   or_(Matter.unit_id == unit_id, Petition.unit_id == unit_id))
                            .order_by(Flag.raised_at, Flag.id)).all()
    groups: dict[tuple[str, int], list[Flag]] = defaultdict(list)
    for f in flags:
        groups[("matter", f.matter_id) if f.matter_id else ("petition", f.petition_id)].append(f)
    return groups


def _history(session: Session, matter_id: int | None, petitions: list[Petition]) -> list[dict[str, str]]:
    secret = {p.id for p in petitions if p.kind == "to_cao"}
    codes = {p.id: p.code for p in petitions}
    scope = Event.petition_id.in_(list(codes))
    if matter_id is not None:
        scope = or_(scope, Event.matter_id == matter_id)
    events = session.scalars(select(Event).where(scope).order_by(Event.at.desc(), Event.id.desc())
                             .limit(HISTORY_ITEMS)).all()
    out = []
    for e in reversed(events):
        label = event_label(e.kind)
        if e.kind == "flag_raised" and e.data.get("code"):
            label += f" «{FLAGS.get(e.data['code'], e.data['code'])}»"
        where = f" (đơn {codes[e.petition_id]})" if e.petition_id in codes else ""
        quiet = e.petition_id in secret or e.kind in QUIET_REASONS or not e.reason
        reason = "" if quiet else f": {_excerpt(e.reason)}"
        out.append({"at": _day(e.at), "text": f"{label}{where}{reason}"})
    return out


def _positions(session: Session, petitions: list[Petition], offices: dict[int, str]) -> list[dict[str, str]]:
    """What the offices said in writing: every reply on the petitions (no text for a denunciation)."""
    by_id = {p.id: p for p in petitions}
    replies = session.scalars(select(Reply).where(Reply.petition_id.in_(list(by_id)))
                              .order_by(Reply.created_at, Reply.id)).all()
    out = []
    for r in replies:
        p = by_id[r.petition_id]
        text = REPLY_LABELS.get(r.kind, r.kind) + (f" số {r.document_number}" if r.document_number else "")
        if p.kind != "to_cao":
            text += f": {_excerpt(r.text)}"
        out.append({"at": _day(r.created_at), "office": offices.get(p.lead_office_id, "Chưa giao cơ quan"),
                    "petition": p.code, "text": text})
    return out


def _matter_title(session: Session, matter: Matter, petitions: list[Petition]) -> str:
    """The title staff gave the matter, else a neutral summary: the citizen's own words ("…ko ai dọn") are not
    the chairperson's."""
    renamed = session.scalar(select(Event.id).where(Event.kind == "matter_renamed", Event.matter_id == matter.id)
                             .limit(1))
    return matter.title if renamed is not None else _neutral_summary(petitions)


def _neutral_summary(petitions: list[Petition]) -> str:
    """'Môi trường, nông nghiệp – Chợ Cát Bà': the field and the place of the petitions (most common first)."""
    if not petitions:
        return "Vụ việc"
    field = Counter(p.category for p in petitions).most_common(1)[0][0]
    places = Counter(locality(_place(p.kind, p.place)) for p in petitions)
    place = next((name for name, _ in places.most_common() if name != NO_PLACE), None)
    return category_label(field) + (f" – {place}" if place else "")


def _flagged(session: Session, unit_id: int, offices: dict[int, str]) -> list[dict[str, Any]]:
    out = []
    for (scope, key), flags in _flag_groups(session, unit_id).items():
        if scope == "matter":
            matter = session.get(Matter, key)
            petitions = list(session.scalars(select(Petition).where(Petition.matter_id == key)
                                             .order_by(Petition.received_at, Petition.id)))
            title, matter_id = f"Vụ việc #{matter.id}: {_matter_title(session, matter, petitions)}", matter.id
        else:
            petitions = [session.get(Petition, key)]
            title, matter_id = f"Đơn {petitions[0].code}: {_neutral_summary(petitions)}", None
        codes = sorted({f.code for f in flags}, key=MATTER_FLAGS.index)
        people = max([f.explanation.get("people", 0) for f in flags] + [0])
        out.append({
            "key": f"{scope}:{key}", "title": title, "flags": codes, "flag_labels": [FLAGS[c] for c in codes],
            "people": people, "since": _day(min(f.raised_at for f in flags)),
            "petitions": [{"code": p.code, "kind": KINDS.get(p.kind, p.kind), "category": category_label(p.category),
                           "status": STATUSES.get(p.status, p.status),
                           "office": offices.get(p.lead_office_id, "Chưa giao cơ quan"),
                           "received": _day(p.received_at)} for p in petitions],
            "history": _history(session, matter_id, petitions),
            "positions": _positions(session, petitions, offices),
        })
    return out


def _overdue(session: Session, unit_id: int, offices: dict[int, str], now: dt.datetime) -> list[dict[str, Any]]:
    """Open petitions with a legal step past due, by handling office; each petition once (its oldest step)."""
    rows = session.execute(select(Petition.code, Petition.lead_office_id, Deadline.step, Deadline.due_at)
                           .join(Deadline, Deadline.petition_id == Petition.id)
                           .where(Petition.unit_id == unit_id, Petition.status.in_(OPEN_STATUSES),
                                  Deadline.met_at.is_(None), Deadline.cancelled_at.is_(None), Deadline.due_at < now)
                           .order_by(Deadline.due_at, Petition.code)).all()
    seen: set[str] = set()
    by_office: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for code, office_id, step, due in rows:
        if code in seen:
            continue
        seen.add(code)
        by_office[offices.get(office_id, "Chưa giao cơ quan")].append(
            {"code": code, "step": STEPS.get(step, step), "due": _day(due),
             "days_late": (local_date(now) - local_date(due)).days})
    return [{"office": name, "count": len(items), "petitions": items}
            for name, items in sorted(by_office.items(), key=lambda kv: (-len(kv[1]), kv[0]))]


def _commitments(session: Session, ds: DialogueSession, offices: dict[int, str], now: dt.datetime) -> list[dict]:
    out = []
    for c, earlier in open_commitments_before(session, ds):
        codes = session.scalars(select(Petition.code).where(Petition.id.in_(c.petition_ids or []))).all()
        out.append({"id": c.id, "session_date": _day(earlier.starts_at), "text": c.text,
                    "office": offices.get(c.office_id, ""), "due": _day(c.due_at), "overdue": is_overdue(c, now),
                    "petitions": sorted(codes)})
    return out


def _speakers(session: Session, ds: DialogueSession) -> list[dict[str, str]]:
    out = []
    for r in registrations_of(session, ds):
        code = session.scalar(select(Petition.code).where(Petition.id == r.petition_id)) if r.petition_id else None
        out.append({"name": speaker_name(session, r), "question": r.question or "", "petition": code or "",
                    "channel": CHANNELS.get(r.channel, r.channel)})
    return out


# --- compile, store, edit ------------------------------------------------------------------------

def default_intro(unit: Unit, ds: DialogueSession, now: dt.datetime) -> str:
    return (f"Văn phòng HĐND và UBND tổng hợp tình hình tiếp nhận, giải quyết phản ánh, kiến nghị, khiếu nại, tố cáo "
            f"của {unit.name} đến ngày {_day(now)}, phục vụ hội nghị đối thoại của Chủ tịch UBND với Nhân dân "
            f"ngày {_day(ds.starts_at)} tại {ds.place}, như sau:")


def compile_briefing(session: Session, ds: DialogueSession, now: dt.datetime | None = None) -> dict[str, Any]:
    """Every section from the database, as JSON-ready values (dates already dd/mm/yyyy)."""
    now = now or utcnow()
    unit = session.get(Unit, ds.unit_id)
    offices = _office_names(session, ds.unit_id)
    flagged = _flagged(session, ds.unit_id, offices)
    overdue = _overdue(session, ds.unit_id, offices, now)
    commitments = _commitments(session, ds, offices, now)
    speakers = _speakers(session, ds)
    open_ = _open_petitions(session, ds.unit_id)
    return {
        "compiled_at": now.isoformat(), "compiled_on": _day(now), "unit": unit.name,
        "session": {"id": ds.id, "date": _day(ds.starts_at), "place": ds.place, "chair": ds.chair or ""},
        "counts": {"open": open_["total"], "overdue_petitions": sum(o["count"] for o in overdue),
                   "flagged": len(flagged),
                   "dong_nguoi": sum("dong_nguoi" in f["flags"] for f in flagged),
                   "phuc_tap_keo_dai": sum("phuc_tap_keo_dai" in f["flags"] for f in flagged),
                   "open_commitments": len(commitments),
                   "overdue_commitments": sum(c["overdue"] for c in commitments), "speakers": len(speakers)},
        "open": open_, "flagged": flagged, "overdue": overdue, "commitments": commitments, "speakers": speakers,
        "intro": default_intro(unit, ds, now), "notes": {},
    }


def refresh_briefing(session: Session, ds: DialogueSession, now: dt.datetime | None = None,
                     user_id: int | None = None) -> dict[str, Any]:
    """Recompile and store; the staff's introduction and notes are kept, and the compilation is kept as the
    session's next version (DialogueBriefingVersion), so what an earlier download showed stays known."""
    fresh = compile_briefing(session, ds, now)
    old = ds.briefing or {}
    if old.get("intro_edited"):
        fresh["intro"], fresh["intro_edited"] = old["intro"], True
    fresh["notes"] = dict(old.get("notes") or {})
    number = (session.scalar(select(func.max(DialogueBriefingVersion.number))
                             .where(DialogueBriefingVersion.session_id == ds.id)) or 0) + 1
    fresh["version"] = number
    ds.briefing = fresh  # a new dict: JSON columns track assignment
    session.add(DialogueBriefingVersion(session_id=ds.id, number=number, briefing=dict(fresh),
                                        compiled_at=dt.datetime.fromisoformat(fresh["compiled_at"]),
                                        created_by_id=user_id))
    session.flush()
    return fresh


def versions(session: Session, ds: DialogueSession) -> list[DialogueBriefingVersion]:
    """Every compilation of the session's briefing, newest first."""
    return list(session.scalars(select(DialogueBriefingVersion).where(DialogueBriefingVersion.session_id == ds.id)
                                .order_by(DialogueBriefingVersion.number.desc())))


def changed_since(session: Session, ds: DialogueSession) -> list[str]:
    """What the stored briefing no longer shows (a registration, a petition since it was compiled), in words."""
    b = ds.briefing or {}
    if not b.get("compiled_at"):
        return []
    counts, out = b.get("counts") or {}, []
    speakers = len(registrations_of(session, ds))
    if speakers != counts.get("speakers"):
        out.append(f"{speakers} công dân đăng ký phát biểu (tài liệu ghi {counts.get('speakers', 0)})")
    open_now = open_count(session, ds.unit_id)
    if open_now != counts.get("open"):
        out.append(f"{open_now} đơn đang giải quyết (tài liệu ghi {counts.get('open', 0)})")
    return out


def current_briefing(session: Session, ds: DialogueSession, now: dt.datetime | None = None) -> dict[str, Any]:
    """The stored briefing, compiled on first use."""
    if not (ds.briefing or {}).get("compiled_at"):
        return refresh_briefing(session, ds, now)
    return ds.briefing


def edit_briefing(session: Session, ds: DialogueSession, *, intro: Any, notes: dict[str, Any]) -> dict[str, Any]:
    """Staff's own words: the introduction and a note under each section."""
    briefing = dict(current_briefing(session, ds))
    errors: dict[str, list[str]] = {}
    clean_notes: dict[str, str] = {}
    try:
        text = clean_text(intro, label="phần mở đầu", max_chars=5000, multiline=True)
    except FieldError as err:
        errors["intro"], text = [err.message], None
    for key, value in (notes or {}).items():
        if key not in SECTIONS:
            continue
        try:
            note = clean_text(value, label="ghi chú", max_chars=10_000, multiline=True)
        except FieldError as err:
            errors[f"notes.{key}"] = [err.message]
            continue
        if note:
            clean_notes[key] = note
    if errors:
        raise ValidationFailed("Nội dung chỉnh sửa chưa hợp lệ.", "Invalid briefing edits.", fields=errors)
    if text:
        briefing["intro"], briefing["intro_edited"] = text, True
    briefing["notes"] = clean_notes
    ds.briefing = briefing
    session.flush()
    return briefing


def open_count(session: Session, unit_id: int) -> int:
    """The same count as the briefing's, straight from the database (for checks and dashboards)."""
    return session.scalar(select(func.count()).select_from(Petition).where(
        Petition.unit_id == unit_id, Petition.status.in_(OPEN_STATUSES))) or 0
