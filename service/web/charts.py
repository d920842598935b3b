"""Horizontal bar charts as numbers for an inline SVG (no script, no external file: the CSP allows neither
inline styles nor scripts). Every chart is drawn beside a table with the same figures, for screen readers."""
from __future__ import annotations

from typing import Any

ROW = 34  # px per bar
LABEL = 0  # labels sit above each bar, so the chart fits a 390 px screen
WIDTH = 320


def bars(rows: list[dict[str, Any]], key: str, *, percent: bool = False, scale: float = 1.0) -> dict[str, Any]:
    """{"height", "width", "bars": [{y, w, label, text}]} for rows that have a value of `key`."""
    out = []
    for r in rows:
        value = r.get(key)
        if value is None:
            continue
        share = max(0.0, min(float(value) / scale, 1.0))
        text = f"{100 * value:.0f}%" if percent else f"{value:.2f}".rstrip("0").rstrip(".")
        out.append({"y": len(out) * ROW * 1.6, "w": round(share * (WIDTH - 60), 1), "label": r["office_name"],
                    "text": text})
    return {"height": max(len(out), 1) * ROW * 1.6, "width": WIDTH, "bars": out}
