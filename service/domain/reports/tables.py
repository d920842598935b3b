"""A report as titled tables with Vietnamese labels: what the XLSX sheets and the console page show.

One list of tables, built from the report dict of `reports.build`, so the page, the spreadsheet and the
JSON always carry the same numbers.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from service.domain.codes import CHANNELS, FLAGS, KINDS, STATUSES, STEPS, category_label
from service.domain.deadlines.calendar import VN_TZ
from service.domain.reports.queries import NO_OFFICE, OUTCOMES, SIGNERS, TIMELINESS
from service.domain.routing.units import CITY_OFFICES, COMMUNE_OFFICES

SIGNER_LABELS = {"mot_nguoi": "Một người đứng tên", "hai_den_bon": "Từ 2 đến 4 người đứng tên",
                 "nhieu_nguoi": "Nhiều người đứng tên (từ 5 người)", "khong_ro_ten": "Không rõ họ tên (nặc danh)"}
OUTCOME_LABELS = {"trong_tham_quyen": "Thuộc thẩm quyền (đã thụ lý, trả lời)", "chuyen_don": "Chuyển đơn",
                  "huong_dan": "Hướng dẫn", "tra_lai": "Trả lại, không thụ lý", "rut_don": "Rút đơn",
                  "chua_xu_ly": "Chưa xử lý xong"}
TIMELINESS_LABELS = {"on_time": "Đúng hạn", "late": "Xong nhưng quá hạn", "overdue_open": "Quá hạn, chưa xong",
                     "pending": "Chưa đến hạn"}
MATTER_STATUS = {"open": "Đang mở", "closed": "Đã đóng", "merged": "Đã gộp"}
PLAN_TASKS = {"4.3": "Đối thoại của Chủ tịch UBND với Nhân dân",
              "4.4": "Tiếp nhận phản ánh về tham nhũng, sách nhiễu, thu phí ngoài quy định (TTHC, cán bộ)",
              "4.5": "Vụ việc khiếu nại, tố cáo đông người, phức tạp, kéo dài",
              "4.11": "Đánh giá sự hài lòng của người dân"}


def office_label(code: str) -> str:
    if code == NO_OFFICE:
        return "Chưa giao cơ quan"
    return COMMUNE_OFFICES.get(code) or CITY_OFFICES.get(code) or code


@dataclass
class Table:
    key: str
    title: str
    sheet: str  # an Excel sheet name: at most 31 characters
    headers: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    total: bool = True  # a "Tổng cộng" row sums the numeric columns

    def total_row(self) -> list[Any]:
        sums: list[Any] = ["Tổng cộng"]
        for i in range(1, len(self.headers)):
            values = [r[i] for r in self.rows]
            sums.append(sum(values) if values and all(isinstance(v, int) for v in values) else "")
        return sums


def _counts(key: str, title: str, sheet: str, header: str, counts: dict[str, int], label) -> Table:
    return Table(key, title, sheet, [header, "Số đơn"], [[label(code), n] for code, n in counts.items()])


def _day(iso: str) -> str:
    return dt.datetime.fromisoformat(iso).astimezone(VN_TZ).strftime("%d/%m/%Y")


def tables(report: dict[str, Any]) -> list[Table]:
    r = report
    out = [
        Table("summary", "Tổng hợp", "Tổng hợp", ["Chỉ tiêu", "Số lượng"], total=False, rows=[
            ["Tổng số đơn (kỳ trước chuyển sang + tiếp nhận trong kỳ)", r["received"]["total"]],
            ["— Kỳ trước chuyển sang", r["received"]["carried_over"]],
            ["— Tiếp nhận trong kỳ", r["received"]["new"]],
            ["Đơn nhiều người đứng tên (từ 5 người)", r["by_signers"]["nhieu_nguoi"]["total"]],
            ["Thuộc thẩm quyền (đã thụ lý, trả lời)", r["handled"]["within_competence"]],
            ["Không thuộc thẩm quyền (hướng dẫn, chuyển đơn)", r["handled"]["outside_competence"]],
            ["Trả lại, không thụ lý", r["handled"]["returned"]],
            ["Rút đơn", r["handled"]["withdrawn"]],
            ["Chưa xử lý xong", r["handled"]["undecided"]],
            ["Đơn đã trả lời, giải quyết trong kỳ", r["answered"]["total"]],
            ["— Trong đó đúng hạn", r["answered"]["on_time"]],
            ["— Trong đó quá hạn", r["answered"]["late"]],
            ["Đơn đang giải quyết đã quá hạn", r["answered"]["open_overdue"]],
            ["Bước xử lý đúng hạn", r["on_time"]],
            ["Bước xử lý quá hạn", r["overdue"]],
            ["Vụ việc đông người", r["flagged"]["counts"]["dong_nguoi"]],
            ["Vụ việc phức tạp, kéo dài", r["flagged"]["counts"]["phuc_tap_keo_dai"]],
            ["Lượt đánh giá hài lòng", r["ratings"]["count"]],
            ["Điểm hài lòng trung bình (1–5)", r["ratings"]["average"] if r["ratings"]["average"] is not None
             else "—"],
        ]),
        Table("signers", "Số đơn theo người đứng tên", "Người đứng tên",
              ["Loại đơn theo người đứng tên", "Kỳ trước chuyển sang", "Tiếp nhận trong kỳ", "Tổng"],
              [[SIGNER_LABELS[s], r["by_signers"][s]["carried_over"], r["by_signers"][s]["new"],
                r["by_signers"][s]["total"]] for s in SIGNERS]),
        Table("kind", "Theo loại đơn và kết quả xử lý", "Loại đơn",
              ["Loại đơn", *(OUTCOME_LABELS[o] for o in OUTCOMES), "Tổng"],
              [[KINDS[k], *(r["outcome_by_kind"][k][o] for o in OUTCOMES), r["by_kind"][k]] for k in KINDS]),
        _counts("category", "Theo lĩnh vực", "Lĩnh vực", "Lĩnh vực", r["by_category"], category_label),
        _counts("channel", "Theo kênh tiếp nhận", "Kênh tiếp nhận", "Kênh", r["by_channel"],
                lambda c: CHANNELS.get(c, c)),
        Table("office", "Theo cơ quan chủ trì và thời hạn", "Cơ quan",
              ["Cơ quan", "Số đơn", *(TIMELINESS_LABELS[t] for t in TIMELINESS)],
              [[office_label(code), r["by_office"].get(code, 0),
                *(r["deadlines"]["by_office"].get(code, {}).get(t, 0) for t in TIMELINESS)]
               for code in sorted(set(r["by_office"]) | set(r["deadlines"]["by_office"]),
                                  key=lambda c: (-r["by_office"].get(c, 0), c))]),
        _counts("status", "Theo tình trạng (tại thời điểm lập báo cáo)", "Tình trạng", "Tình trạng", r["by_status"],
                lambda c: STATUSES.get(c, c)),
        Table("deadlines", "Thời hạn theo bước xử lý", "Thời hạn",
              ["Bước", *(TIMELINESS_LABELS[t] for t in TIMELINESS)],
              [[STEPS.get(s, s), *(v[t] for t in TIMELINESS)] for s, v in r["deadlines"]["by_step"].items()]),
    ]
    if "by_unit" in r:
        out.append(Table("unit", "Theo đơn vị hành chính", "Đơn vị", ["Mã", "Đơn vị", "Số đơn"],
                         [[code, v["name"], v["total"]] for code, v in r["by_unit"].items()]))
    out.append(Table("task", "Theo nhiệm vụ của kế hoạch", "Nhiệm vụ", ["Nhiệm vụ (TT)", "Số đơn"],
                     [[code, n] for code, n in r["by_task"].items()]))
    out.append(Table("flagged", "Vụ việc đông người, phức tạp, kéo dài", "Đông người, phức tạp",
                     ["STT", "Vụ việc", "Đơn vị", "Cờ", "Số đơn", "Số người", "Đơn còn mở", "Ngày gắn cờ",
                      "Tình trạng"], total=False,
                     rows=[[i, m["title"], m["unit_name"], ", ".join(FLAGS[f] for f in m["flags"]), m["petitions"],
                            m["petitioners"], m["open_petitions"], _day(m["raised_at"]),
                            "Đã giải quyết" if m["resolved"] else "Chưa giải quyết xong"]
                           for i, m in enumerate(r["flagged"]["matters"], 1)]))
    rating = r["ratings"]
    out.append(Table("ratings", "Đánh giá sự hài lòng", "Hài lòng", ["Điểm", "Số lượt"],
                     [[f"{s} sao", n] for s, n in rating["distribution"].items()]))
    plan = r["plan"]
    out.append(Table("plan", "Số liệu theo nhiệm vụ của kế hoạch (báo cáo trước 01/6, 01/9, 01/12)",
                     "Nhiệm vụ kế hoạch", ["Nhiệm vụ", "Chỉ tiêu", "Số liệu"], total=False, rows=[
                         ["4.3", "Hội nghị đối thoại đã tổ chức", plan["4.3"]["held"]],
                         ["4.3", "Cam kết tại đối thoại / đã thực hiện / quá hạn",
                          f'{plan["4.3"]["commitments"]} / {plan["4.3"]["commitments_done"]} / '
                          f'{plan["4.3"]["commitments_overdue"]}'],
                         ["4.4", "Đơn về TTHC, cán bộ, tham nhũng tiếp nhận", plan["4.4"]["received"]],
                         *(["4.4", f"— qua {CHANNELS.get(ch, ch)}", n] for ch, n in plan["4.4"]["by_channel"].items()),
                         ["4.4", "— đã thụ lý, trả lời", plan["4.4"]["within_competence"]],
                         ["4.5", "Vụ việc đông người, phức tạp, kéo dài", plan["4.5"]["matters"]],
                         ["4.5", "— đã giải quyết xong", plan["4.5"]["resolved"]],
                         ["4.11", "Lượt đánh giá", plan["4.11"]["ratings"]],
                         ["4.11", "Tỷ lệ hài lòng (4–5 sao, %)", plan["4.11"]["satisfied_percent"]
                          if plan["4.11"]["satisfied_percent"] is not None else "—"],
                     ]))
    if "plan_tasks" in r:  # the plan's own tasks (service.domain.plans.tracking.report_section)
        t = r["plan_tasks"]
        out.append(Table("plan_tasks", f"Tiến độ nhiệm vụ của kế hoạch ({t['unit_name']})", "Tiến độ kế hoạch",
                         ["Nhiệm vụ", "Nội dung", "Cơ quan chủ trì", "Thời gian thực hiện", "Hạn", "Trạng thái"],
                         total=False, rows=[
                             ["", "Số nhiệm vụ: " + "; ".join(f"{label.lower()} {t['by_status'][code]}"
                                                               for code, label in t["labels"].items()),
                              "", "", "", t["total"]],
                             *([x["code"], x["title"], ", ".join(office_label(c) for c in x["lead_offices"]),
                                x["timeframe"] or "", _iso_day(x["due_on"]), x["status_label"]]
                               for x in t["tasks"])]))
    return out


def _iso_day(iso: str | None) -> str:
    return dt.date.fromisoformat(iso).strftime("%d/%m/%Y") if iso else ""
