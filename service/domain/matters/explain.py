"""One sentence a clerk can check for every link and every flag (issue #17 item 4).

Link sentences are written when the link is made (`evidence.sentence`, from what matching reads: a sealed
denunciation's redacted text, so they never name a denouncer, Luật Tố cáo Điều 47 k2); flag sentences carry
counts and rules only, never a name.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.domain.codes import FLAGS
from service.domain.matters import suggestions
from service.models.event import Event
from service.models.flag import Flag
from service.models.matter import Matter, MatterSuggestion
from service.models.petition import Petition

_LINKS = ("matter_opened", "matter_linked", "matter_suggestion_confirmed", "matter_merged", "matter_split")


@dataclass
class Explained:
    link: str | None = None
    suggestions: list[tuple[MatterSuggestion, str]] = field(default_factory=list)


def flag_sentence(flag: Flag) -> str:
    """"Đông người: 6 người khác nhau đã gửi 7 đơn cùng vụ việc trong 90 ngày (từ 5 người, Luật TCD Điều 29)"."""
    e, parts = flag.explanation or {}, []
    for r in e.get("rules", []):
        rule = r.get("rule")
        if rule == "many_petitioners":
            parts.append(f"{r.get('people')} người khác nhau đã gửi {r.get('petitions')} đơn cùng vụ việc trong "
                         f"{r.get('window_days', 90)} ngày (từ 5 người: Luật Tiếp công dân Điều 29)")
        elif rule == "many_signers":
            parts.append(f"đơn {r.get('petition')} có {r.get('people')} người đứng tên (TT 07/2014 Điều 6 khoản 4)")
        elif rule == "second_round":
            parts.append(f"đơn {r.get('petition')} khiếu nại lần hai")
        elif rule == "escalated":
            parts.append(f"đơn {r.get('petition')} gửi vượt cấp")
        elif rule == "resubmitted":
            parts.append(f"đơn {r.get('petition')} gửi lại sau khi đơn {r.get('answered')} đã được trả lời")
        elif rule == "overdue_30":
            parts.append(f"đơn {r.get('petition')} quá hạn {r.get('days_late')} ngày")
    return f"{FLAGS.get(flag.code, flag.code)}: " + ("; ".join(parts[:4]) or "theo quy tắc của vụ việc")


def petition(session: Session, p: Petition) -> Explained:
    """Why this petition is in its matter (and how many people sent it), and the matters it may belong to."""
    out = Explained()
    if p.matter_id is not None:
        ev = session.scalar(select(Event).where(Event.petition_id == p.id, Event.matter_id == p.matter_id,
                                                Event.kind.in_(_LINKS)).order_by(Event.id.desc()).limit(1))
        matter = session.get(Matter, p.matter_id)
        if ev is None:
            out.link = "Cán bộ đã gộp vụ việc của đơn này vào vụ việc này"
        elif ev.kind == "matter_opened":
            out.link = "Đơn này mở vụ việc"
        elif ev.kind == "matter_split":
            out.link = "Cán bộ đã tách đơn này thành vụ việc riêng"
        else:
            out.link = (ev.data or {}).get("sentence") or ev.reason or "Ghép vào vụ việc"
        if matter is not None and matter.petitioner_count > 1:
            out.link += f"; {matter.petitioner_count} người khác nhau đã gửi"
    out.suggestions = [(s, f"Có thể cùng vụ việc #{s.matter_id}: {s.reason}")
                       for s in suggestions.for_petition(session, p)]
    return out
