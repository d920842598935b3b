"""Charts of the report page, drawn server-side by matplotlib as SVG and sent as data: URIs
(the CSP allows `img-src 'self' data:`; no script runs in the browser). Each chart repeats a table shown
beside it, so nothing is only in a picture."""
from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from typing import Any

from service.domain.codes import CHANNELS, KINDS, STEPS, category_label
from service.domain.reports.queries import TIMELINESS
from service.domain.reports.tables import TIMELINESS_LABELS

BRAND = "#1d4e89"
TIMELINESS_COLOURS = {"on_time": "#2e7d4f", "late": "#c77700", "overdue_open": "#b3261e", "pending": "#8a9aa9"}


@dataclass
class Chart:
    title: str
    alt: str  # the same figures in words, for screen readers
    src: str  # data:image/svg+xml;base64,…


def _render(fig) -> str:
    import matplotlib

    out = io.BytesIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "tiepdan"}):  # text stays text
        fig.savefig(out, format="svg", bbox_inches="tight", metadata={"Date": None})
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def _figure(height: float):
    from matplotlib.figure import Figure  # the object API: no pyplot state shared between requests

    fig = Figure(figsize=(7.5, height), dpi=96)
    fig.patch.set_facecolor("white")
    return fig


def _bars(title: str, counts: dict[str, int], label, sort: bool = True) -> Chart | None:
    items = [(label(code), n) for code, n in counts.items() if n]
    if not items:
        return None
    if sort:
        items.sort(key=lambda kv: kv[1])
    fig = _figure(0.45 * len(items) + 0.9)
    ax = fig.add_subplot()
    bars = ax.barh([k for k, _ in items], [n for _, n in items], color=BRAND)
    ax.bar_label(bars, padding=3)
    ax.set_title(title, loc="left", fontsize=12)
    ax.spines[["top", "right"]].set_visible(False)
    ax.xaxis.set_visible(False)
    alt = f"{title}: " + "; ".join(f"{k} {n}" for k, n in reversed(items))
    return Chart(title, alt, _render(fig))


def _timeliness(report: dict[str, Any]) -> Chart | None:
    steps = [(s, v) for s, v in report["deadlines"]["by_step"].items() if any(v.values())]
    if not steps:
        return None
    fig = _figure(0.5 * len(steps) + 1.4)
    ax = fig.add_subplot()
    labels = [STEPS.get(s, s) for s, _ in steps]
    left = [0] * len(steps)
    for t in TIMELINESS:
        values = [v[t] for _, v in steps]
        ax.barh(labels, values, left=left, color=TIMELINESS_COLOURS[t], label=TIMELINESS_LABELS[t])
        left = [a + b for a, b in zip(left, values)]
    title = "Thời hạn theo bước xử lý"
    ax.set_title(title, loc="left", fontsize=12)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=4, frameon=False, fontsize=9)
    ax.spines[["top", "right"]].set_visible(False)
    alt = f"{title}: " + "; ".join(
        f"{STEPS.get(s, s)}: " + ", ".join(f"{TIMELINESS_LABELS[t].lower()} {v[t]}" for t in TIMELINESS)
        for s, v in steps)
    return Chart(title, alt, _render(fig))


def charts(report: dict[str, Any]) -> list[Chart]:
    made = [
        _bars("Số đơn theo loại", report["by_kind"], lambda c: KINDS.get(c, c)),
        _bars("Số đơn theo lĩnh vực", report["by_category"], category_label),
        _bars("Số đơn theo kênh tiếp nhận", report["by_channel"], lambda c: CHANNELS.get(c, c)),
        _timeliness(report),
        _bars("Đánh giá hài lòng (số lượt theo điểm)", report["ratings"]["distribution"], lambda s: f"{s} sao",
              sort=False),
    ]
    return [c for c in made if c is not None]
