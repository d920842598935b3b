"""The documents of a dialogue session in the Nghị định 30/2020 layout: the chairperson's briefing
(Báo cáo of Văn phòng HĐND-UBND) and the conclusion notice (Thông báo kết luận of UBND)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.db import utcnow
from service.domain.deadlines.calendar import VN_TZ, local_date
from service.domain.dialogues.briefing import SECTIONS, current_briefing
from service.domain.dialogues.commitments import commitments_of
from service.domain.dialogues.operations import agenda_of, agenda_speaker
from service.domain.documents.administrative import (AdminDocument, Block, Bullets, Heading, Paragraph, Table,
                                                    place_name)
from service.models.dialogue import DialogueSession
from service.models.petition import Petition
from service.models.unit import Office, Unit


def _day(moment: dt.datetime) -> str:
    return f"{moment.astimezone(VN_TZ):%d/%m/%Y}"


def _note(briefing: dict, key: str) -> list[Block]:
    note = (briefing.get("notes") or {}).get(key)
    return [Paragraph(line, italic=True) for line in note.splitlines() if line.strip()] if note else []


def _open_section(b: dict) -> list[Block]:
    o = b["open"]
    blocks: list[Block] = [Heading(f"I. {SECTIONS['open'].upper()}"),
                           Paragraph(f"Tổng số đơn đang giải quyết: {o['total']} đơn.")]
    if o["by_kind"]:
        blocks.append(Paragraph("Theo loại đơn: " + "; ".join(f"{k['label']}: {k['count']}" for k in o["by_kind"]) + "."))
    if o["by_category"]:
        blocks += [Heading("1. Theo lĩnh vực", 2),
                   Table(["TT", "Lĩnh vực", "Số đơn"],
                         [[str(i), c["label"], str(c["count"])] for i, c in enumerate(o["by_category"], 1)],
                         [1.2, 12.0, 3.3])]
    if o["by_place"]:
        blocks += [Heading("2. Theo địa bàn", 2),
                   Table(["TT", "Địa bàn", "Số đơn"],
                         [[str(i), p["place"], str(p["count"])] for i, p in enumerate(o["by_place"], 1)],
                         [1.2, 12.0, 3.3])]
    return blocks + _note(b, "open")


def _flagged_section(b: dict) -> list[Block]:
    c = b["counts"]
    blocks: list[Block] = [Heading(f"II. {SECTIONS['flagged'].upper()}"),
                           Paragraph(f"Có {c['flagged']} vụ việc đang gắn cờ, trong đó {c['dong_nguoi']} vụ việc đông "
                                     f"người, {c['phuc_tap_keo_dai']} vụ việc phức tạp, kéo dài (nhiệm vụ 4.5).")]
    for i, f in enumerate(b["flagged"], 1):
        blocks += [Heading(f"{i}. {f['title']} — {', '.join(f['flag_labels'])}", 2),
                   Paragraph(f"Số đơn: {len(f['petitions'])}; số người: {f['people']}; gắn cờ từ ngày {f['since']}."),
                   Table(["Mã đơn", "Loại", "Tình trạng", "Cơ quan", "Ngày nhận"],
                         [[p["code"], p["kind"], p["status"], p["office"], p["received"]] for p in f["petitions"]],
                         [3.2, 2.4, 3.2, 4.9, 2.8])]
        if f["history"]:
            blocks += [Paragraph("Quá trình giải quyết:", bold=True),
                       Bullets([f"{h['at']}: {h['text']}" for h in f["history"]])]
        if f["positions"]:
            blocks += [Paragraph("Ý kiến, văn bản của các cơ quan:", bold=True),
                       Bullets([f"{p['at']} — {p['office']} (đơn {p['petition']}): {p['text']}"
                                for p in f["positions"]])]
    return blocks + _note(b, "flagged")


def _overdue_section(b: dict) -> list[Block]:
    blocks: list[Block] = [Heading(f"III. {SECTIONS['overdue'].upper()}"),
                           Paragraph(f"Tổng số đơn quá hạn: {b['counts']['overdue_petitions']} đơn.")]
    if b["overdue"]:
        blocks.append(Table(["TT", "Cơ quan", "Số đơn quá hạn", "Mã đơn (bước, số ngày quá hạn)"],
                            [[str(i), o["office"], str(o["count"]),
                              "; ".join(f"{p['code']} ({p['step']}, {p['days_late']} ngày)" for p in o["petitions"])]
                             for i, o in enumerate(b["overdue"], 1)], [1.2, 4.5, 2.5, 8.3]))
    return blocks + _note(b, "overdue")


def _commitments_section(b: dict) -> list[Block]:
    c = b["counts"]
    blocks: list[Block] = [Heading(f"IV. {SECTIONS['commitments'].upper()} TỪ CÁC PHIÊN TRƯỚC"),
                           Paragraph(f"Còn {c['open_commitments']} cam kết chưa hoàn thành, trong đó "
                                     f"{c['overdue_commitments']} cam kết quá hạn.")]
    if b["commitments"]:
        blocks.append(Table(["TT", "Nội dung cam kết", "Cơ quan", "Phiên", "Hạn", "Tình trạng"],
                            [[str(i), x["text"], x["office"], x["session_date"], x["due"],
                              "Quá hạn" if x["overdue"] else "Trong hạn"] for i, x in enumerate(b["commitments"], 1)],
                            [1.0, 6.5, 3.0, 2.2, 2.2, 1.6]))
    return blocks + _note(b, "commitments")


def _speakers_section(b: dict) -> list[Block]:
    blocks: list[Block] = [Heading(f"V. {SECTIONS['speakers'].upper()}"),
                           Paragraph(f"Có {b['counts']['speakers']} công dân đăng ký phát biểu.")]
    if b["speakers"]:
        blocks.append(Table(["TT", "Người đăng ký", "Câu hỏi", "Đơn liên quan"],
                            [[str(i), s["name"], s["question"], s["petition"]] for i, s in enumerate(b["speakers"], 1)],
                            [1.0, 4.0, 8.5, 3.0]))
    return blocks + _note(b, "speakers")


def briefing_document(session: Session, ds: DialogueSession, now: dt.datetime | None = None) -> AdminDocument:
    """The briefing as a Báo cáo of Văn phòng HĐND-UBND to the chairperson."""
    now = now or utcnow()
    unit = session.get(Unit, ds.unit_id)
    b = current_briefing(session, ds, now)
    city = unit.kind == "city"
    body: list[Block] = [Paragraph(b["intro"])]
    for part in (_open_section, _flagged_section, _overdue_section, _commitments_section, _speakers_section):
        body += part(b)
    return AdminDocument(
        issuer_parent=None if city else f"UBND {unit.name}",
        issuer="VĂN PHÒNG UBND THÀNH PHỐ" if city else "VĂN PHÒNG HĐND VÀ UBND",
        symbol="BC-VP", kind="BÁO CÁO", date=local_date(now),
        subject=f"Tài liệu phục vụ hội nghị đối thoại của Chủ tịch UBND với Nhân dân ngày {_day(ds.starts_at)}",
        body=body, recipients=["Chủ tịch UBND (để chủ trì hội nghị)", "Các Phó Chủ tịch UBND"],
        signer_title="CHÁNH VĂN PHÒNG", place=place_name(unit.name))


def conclusion_document(session: Session, ds: DialogueSession, now: dt.datetime | None = None) -> AdminDocument:
    """Thông báo kết luận: what was raised and answered, the conclusions, the tasks with deadlines."""
    now = now or utcnow()
    unit = session.get(Unit, ds.unit_id)
    offices = dict(session.execute(select(Office.id, Office.name).where(Office.unit_id == unit.id)).all())
    codes = dict(session.execute(select(Petition.id, Petition.code).where(Petition.unit_id == unit.id)).all())
    body: list[Block] = [Paragraph(
        f"Ngày {_day(ds.starts_at)}, tại {ds.place}, Ủy ban nhân dân {unit.name} tổ chức hội nghị đối thoại với "
        f"Nhân dân" + (f" do {ds.chair} chủ trì" if ds.chair else "") + ". Tham dự có: "
        + ", ".join(ds.participants or ["các cơ quan liên quan"]) + " và Nhân dân trên địa bàn.")]
    if ds.topics:
        body += [Paragraph("Nội dung đối thoại:"), Bullets(list(ds.topics))]
    items = agenda_of(session, ds)
    body.append(Heading("1. Ý kiến của Nhân dân và trả lời của các cơ quan"))
    if items:
        body.append(Bullets([f"{agenda_speaker(session, a)}"
                             + (f" (đơn {codes[a.petition_id]})" if a.petition_id in codes else "") + f": {a.title}"
                             + (f" — Trả lời ({offices.get(a.answered_by_office_id, 'Chủ tịch UBND')}): {a.answer}"
                                if a.answer else "") for a in items]))
    else:
        body.append(Paragraph("Không có ý kiến phát biểu được ghi nhận."))
    body.append(Heading("2. Kết luận của Chủ tịch Ủy ban nhân dân"))
    body += [Paragraph(line) for line in (ds.conclusion or "").splitlines() if line.strip()] or \
        [Paragraph("(Chưa ghi kết luận.)", italic=True)]
    commitments = commitments_of(session, ds)
    body.append(Heading("3. Giao nhiệm vụ"))
    if commitments:
        body.append(Table(["TT", "Nội dung", "Cơ quan thực hiện", "Thời hạn", "Đơn liên quan"],
                          [[str(i), c.text, offices.get(c.office_id, ""), _day(c.due_at),
                            ", ".join(codes[p] for p in c.petition_ids or [] if p in codes)]
                           for i, c in enumerate(commitments, 1)], [1.0, 6.0, 3.4, 2.7, 3.4]))
    else:
        body.append(Paragraph("Không có nhiệm vụ được giao."))
    body.append(Paragraph(f"Ủy ban nhân dân {unit.name} thông báo để các cơ quan, đơn vị và Nhân dân biết, "
                          f"thực hiện./."))
    return AdminDocument(
        issuer=f"ỦY BAN NHÂN DÂN\n{unit.name}", symbol="TB-UBND", kind="THÔNG BÁO", date=local_date(now),
        subject=f"Kết luận của Chủ tịch Ủy ban nhân dân tại hội nghị đối thoại với Nhân dân ngày {_day(ds.starts_at)}",
        body=body, recipients=[f"Thường trực Đảng ủy, HĐND {unit.name}", f"Ủy ban MTTQ Việt Nam {unit.name}",
                               "Các cơ quan được giao nhiệm vụ", "Công dân có liên quan"],
        signer_authority="TM. ỦY BAN NHÂN DÂN", signer_title="CHỦ TỊCH", signer_name=ds.chair,
        place=place_name(unit.name))
