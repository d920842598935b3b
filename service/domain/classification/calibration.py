"""How far the classifier's routing can be trusted: calibrated confidence, the review threshold, and why it is unsure.

The classifier's raw confidence in the office it routes to (the summed probability of the fields that office
leads) is mapped through an isotonic calibration fitted on held-out predictions: bench/classify.py trains
on all voices of the labelled corpus but one, predicts the one left out, and does this for every voice;
the (raw confidence, office right?) pairs of those held-out predictions give the calibration, and the review
threshold is the lowest calibrated confidence above which at least REVIEW_TARGET of the petitions were routed
right while at most REVIEW_BUDGET go to review. Both are stored with the model in
config/corpus/calibration.json (`python bench/classify.py --write-calibration`).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

CALIBRATION_PATH = Path(__file__).resolve().parents[3] / "config" / "corpus" / "calibration.json"
REVIEW_TARGET = 0.97  # routed without review: right at least this often (issue #17)
REVIEW_BUDGET = 0.15  # at most this share of petitions sent to Văn phòng for review
DEFAULT_THRESHOLD = 0.4  # without a calibration file: the raw confidence, as before


@dataclass(frozen=True)
class Calibration:
    raw: tuple[float, ...] = (0.0, 1.0)  # increasing raw confidences
    calibrated: tuple[float, ...] = (0.0, 1.0)  # the observed accuracy at each
    threshold: float = DEFAULT_THRESHOLD
    note: str = ""

    def __call__(self, raw: float) -> float:
        return float(np.interp(raw, self.raw, self.calibrated))

    def to_json(self) -> dict:
        return {"raw": list(self.raw), "calibrated": list(self.calibrated), "threshold": self.threshold,
                "note": self.note}


def fit(raw: Sequence[float], right: Sequence[bool], target: float = REVIEW_TARGET,
        budget: float = REVIEW_BUDGET, groups: Sequence[str] | None = None) -> Calibration:
    """Isotonic calibration of held-out (raw confidence, right?) pairs, and the review threshold from it.

    With groups (the voice each prediction was held out from), the threshold must hold for every voice:
    the strictest of the per-voice thresholds, so that an unseen voice as hard as the hardest seen one
    still meets the target, but capped so that no voice sends more than the budget to review."""
    from sklearn.isotonic import IsotonicRegression

    raw_a, right_a = np.asarray(raw, dtype=float), np.asarray(right, dtype=float)
    iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(raw_a, right_a)
    xs = np.asarray(iso.X_thresholds_, dtype=float)
    ys = np.asarray(iso.y_thresholds_, dtype=float)
    calibrated = np.interp(raw_a, xs, ys)
    threshold, note = choose_threshold(calibrated, right_a, target, budget)
    if groups is not None:
        group_a = np.asarray(groups)
        names = sorted(set(groups))
        strictest = max(choose_threshold(calibrated[group_a == g], right_a[group_a == g], target, 1.0)[0]
                        for g in names)
        # ... but no voice may send more than the budget to review
        cap = min(float(np.quantile(calibrated[group_a == g], budget)) for g in names)
        threshold = min(strictest, cap)
        kept = calibrated >= threshold
        note = (f"strictest voice {strictest:.3f}, review cap {cap:.3f}; kept right {right_a[kept].mean():.1%}, "
                f"review {1 - kept.mean():.1%}")
    return Calibration(tuple(round(float(x), 5) for x in xs), tuple(round(float(y), 5) for y in ys), threshold, note)


def choose_threshold(confidence: np.ndarray, right: np.ndarray, target: float = REVIEW_TARGET,
                     budget: float = REVIEW_BUDGET) -> tuple[float, str]:
    """The lowest threshold whose kept petitions are right >= target; capped so review stays <= budget."""
    order = np.argsort(-confidence)
    conf, ok = confidence[order], right[order]
    kept_accuracy = np.cumsum(ok) / np.arange(1, len(ok) + 1)
    n = len(conf)
    best = None
    for i in range(n):  # keep the i+1 most confident
        if i + 1 < n and conf[i + 1] == conf[i]:
            continue  # a threshold cannot split equal confidences
        if kept_accuracy[i] >= target:
            best = i
    if best is None:
        best = 0
    threshold = float(conf[best])
    review = float(np.mean(confidence < threshold))
    if review <= budget:
        return threshold, f"kept right {kept_accuracy[best]:.1%}, review {review:.1%}"
    cap = float(np.quantile(confidence, budget))
    kept = confidence >= cap
    return cap, (f"target {target:.0%} needs {review:.1%} review: capped at {budget:.0%} "
                 f"(kept right {right[kept].mean():.1%})")


def load(path: Path | str | None = None) -> Calibration:
    path = Path(path or CALIBRATION_PATH)
    if not path.exists():
        return Calibration()
    data = json.loads(path.read_text(encoding="utf-8"))
    return Calibration(tuple(data["raw"]), tuple(data["calibrated"]), float(data["threshold"]), data.get("note", ""))


def save(calibration: Calibration, path: Path | str | None = None) -> None:
    path = Path(path or CALIBRATION_PATH)
    path.write_text(json.dumps(calibration.to_json(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


# --- why it is unsure ----------------------------------------------------------------------------------------

CLOSE = 0.25  # two labels whose probabilities differ by less than this are "close"


def doubts(kind_p: dict[str, float], category_p: dict[str, float], field_hits: int, words: int,
           kind_label, category_label) -> list[str]:
    """Vietnamese reasons the decision is unsure, most telling first."""
    out = []
    fields = sorted(category_p.items(), key=lambda kv: -kv[1])
    if len(fields) > 1 and fields[0][1] - fields[1][1] < CLOSE:
        out.append(f"hai lĩnh vực gần nhau: {category_label(fields[0][0])} ({fields[0][1]:.0%}) và "
                   f"{category_label(fields[1][0])} ({fields[1][1]:.0%})")
    kinds = sorted(kind_p.items(), key=lambda kv: -kv[1])
    if len(kinds) > 1 and kinds[0][1] - kinds[1][1] < CLOSE:
        out.append(f"chưa rõ là {kind_label(kinds[0][0]).lower()} hay {kind_label(kinds[1][0]).lower()}")
    if not field_hits:
        out.append("đơn không nêu đối tượng, cơ quan hay việc cụ thể nào thuộc một lĩnh vực")
    if words < 6:
        out.append("nội dung quá ngắn")
    return out
