"""Kind and field of a petition from its free Vietnamese text.

Rules from config/categories.yaml (keywords per field, cues per kind, the borderline rules of
domain.md) are features of a small scikit-learn model trained on the labelled corpus and on the
staff corrections (table classification_corrections). Everything reads the folded, expanded text
(service.domain.classification.normalise), so a message typed without diacritics classifies like one with them.
"""
from __future__ import annotations

import json
import logging
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sqlalchemy import select
from sqlalchemy.orm import Session
from threadpoolctl import threadpool_limits

from service.domain.classification import calibration as calibrating
from service.domain.classification import store
from service.domain.classification.borderline import field_rule
from service.domain.classification.features import model_text, remedy_of_told_problem, rule_matrix
from service.domain.classification.normalise import (
    TAKING_AMOUNT,
    Phrase,
    classifier_text,
    Rules,
    denounces_official,
    find,
    load_rules,
    names_official_bribery,
    names_official_misconduct,
    normalise,
)
from service.domain.codes import KINDS, categories, category_label
from service.domain.events import record
from service.domain.inbound import Actor
from service.domain.text import fold
from service.models.job import ClassificationCorrection
from service.models.petition import Petition

logger = logging.getLogger(__name__)

# Below this calibrated confidence in the office Văn phòng classifies again: chosen by bench/classify.py
# from held-out voices (calibration.py) and stored in config/corpus/calibration.json.
REVIEW_THRESHOLD = calibrating.DEFAULT_THRESHOLD
CORPUS_PATH = Path(__file__).resolve().parents[3] / "config" / "corpus" / "petitions.jsonl"
CORRECTION_WEIGHT = 5.0  # one staff correction outweighs a handful of corpus examples
# Cosine of the tf-idf vectors: different petitions on one topic stay under 0.5, a paraphrase is ~0.7.
SIMILAR_TO_CORRECTION = 0.55
WORD_NGRAMS = (1, 2)  # syllable bigrams catch compound words ("đất đai", "đèn đường")
CHAR_NGRAMS = (2, 5)  # character n-grams survive typos and partly missing diacritics
REGULARISATION_C = 20.0  # little regularisation: a few hundred short texts, many rare but telling words
# Function words never quoted as cues (folded): they carry weight in the model but explain nothing.
_STOPWORDS = frozenset("""
a ai anh ba bao bi bo ca cac cai can cho chi chu chua chung co con cua cung da dang day de den di do du duoc
gi gio gui h ha hay ho hoac hon khi khac khong kinh la lai lam lan len luc ly ma minh moi mot nam nao nay ne
nen neu nha nhat nhieu nhu nhung nua o oi ong qua ra rat roi sang sau se ta tai thang the thi tho toi trong
tu uy ban nhan dan va vao van vay ve vi voi xa phuong xin xuong em nguoi viec dua thon
""".split())


@dataclass
class Classification:
    kind: str
    category: str
    confidence: float
    kind_confidence: float
    category_confidence: float
    cues: list[str] = field(default_factory=list)
    explanation: str = ""
    source: str = "rules"
    office: str = "van_phong"  # the office the field table gives (routing may still move it)
    office_confidence: float = 0.0  # raw: the summed probability of the fields that office leads
    threshold: float = REVIEW_THRESHOLD
    doubts: list[str] = field(default_factory=list)  # why it is unsure, in Vietnamese

    @property
    def needs_review(self) -> bool:
        return self.confidence < self.threshold


@dataclass(frozen=True)
class Example:
    text: str
    kind: str
    category: str
    weight: float = 1.0


# --- the model -----------------------------------------------------------------------------------

class Model:
    """Two logistic regressions (kind, field) over word and character n-grams plus the rule features."""

    def __init__(self, examples: Sequence[Example], corrections: Sequence[Example] = (), rules: Rules | None = None):
        self.rules = rules or load_rules()
        everything = [*examples, *corrections]
        texts = [model_text(e.text) for e in everything]
        self.words = TfidfVectorizer(ngram_range=WORD_NGRAMS, sublinear_tf=True, token_pattern=r"\S+")
        self.chars = TfidfVectorizer(analyzer="char_wb", ngram_range=CHAR_NGRAMS, sublinear_tf=True, min_df=2)
        words = self.words.fit_transform(texts)
        chars = self.chars.fit_transform(texts)
        features = sparse.hstack([words, chars, rule_matrix(texts, self.rules)]).tocsr()
        weights = np.asarray([e.weight for e in everything])
        # One BLAS thread: on small sparse problems more threads only contend (10x slower on 2 cores).
        with threadpool_limits(limits=1):
            self.kind_model = LogisticRegression(C=REGULARISATION_C, max_iter=3000, class_weight="balanced")
            self.kind_model.fit(features, [e.kind for e in everything], sample_weight=weights)
            self.category_model = LogisticRegression(C=REGULARISATION_C, max_iter=3000, class_weight="balanced")
            self.category_model.fit(features, [e.category for e in everything], sample_weight=weights)
        self._word_analyzer, self._char_analyzer = self.words.build_analyzer(), self.chars.build_analyzer()
        self.word_names = self.words.get_feature_names_out()
        # Grams seen in fewer than three petitions are names and places: never quoted as cues.
        n = len(texts)
        self.common_words = (1 + n) / np.exp(self.words.idf_ - 1) - 1 >= 3
        self.corrections = list(corrections)
        self.calibration = calibrating.load()  # stored with the model: the isotonic map and the review threshold
        self.correction_vectors = sparse.hstack([words, chars]).tocsr()[len(examples):] if corrections else None

    def vectors(self, folded: str) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
        """(all features, the two tf-idf blocks) of one text, without sklearn's per-call checks (~1 ms)."""
        words = _tfidf_row(self.words, self._word_analyzer, folded)
        chars = _tfidf_row(self.chars, self._char_analyzer, folded)
        full = sparse.hstack([words, chars, rule_matrix([folded], self.rules)]).tocsr()
        return full, sparse.hstack([words, chars]).tocsr()

    def probabilities(self, clf: LogisticRegression, row: sparse.csr_matrix) -> dict[str, float]:
        scores = np.asarray(row @ clf.coef_.T).ravel() + clf.intercept_
        if len(clf.classes_) == 2:
            scores = np.array([-scores[0], scores[0]]) / 2
        exp = np.exp(scores - scores.max())
        return dict(zip(clf.classes_, exp / exp.sum()))

    def nearest_correction(self, text_vector: sparse.csr_matrix) -> tuple[Example | None, float]:
        if self.correction_vectors is None:
            return None, 0.0
        similarity = (self.correction_vectors @ text_vector.T).toarray().ravel() / 2  # two unit-norm blocks
        best = int(similarity.argmax())
        return self.corrections[best], float(similarity[best])

    def word_cues(self, row: sparse.csr_matrix, clf: LogisticRegression, label: str, limit: int = 3) -> list[str]:
        """The content-word n-grams that pushed the decision towards `label` most."""
        coef = clf.coef_[list(clf.classes_).index(label)] if len(clf.classes_) > 2 else clf.coef_[0]
        n_words = len(self.word_names)
        scored = sorted(((value * coef[c], c) for c, value in zip(row.indices, row.data)
                         if c < n_words and self.common_words[c]), reverse=True)
        grams = [self.word_names[c] for score, c in scored if score > 0]
        return [g for g in grams if not any(w in _STOPWORDS or not w.isalpha() for w in g.split())][:limit]


def _tfidf_row(vectorizer: TfidfVectorizer, analyzer, text: str) -> sparse.csr_matrix:
    """What vectorizer.transform([text]) gives (sublinear tf, idf, L2 norm), computed directly."""
    vocabulary = vectorizer.vocabulary_
    counts: dict[int, int] = {}
    for gram in analyzer(text):
        column = vocabulary.get(gram)
        if column is not None:
            counts[column] = counts.get(column, 0) + 1
    columns = np.fromiter(sorted(counts), dtype=np.int32, count=len(counts))
    values = (1 + np.log([counts[c] for c in columns])) * vectorizer.idf_[columns] if len(columns) else np.zeros(0)
    norm = np.sqrt((values ** 2).sum())
    if norm:
        values = values / norm
    return sparse.csr_matrix((values, columns, [0, len(columns)]), shape=(1, len(vocabulary)))


def load_corpus(path: Path | str | None = None) -> list[Example]:
    path = Path(path or CORPUS_PATH)
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as fh:
        return [Example(r["text"], r["kind"], r["category"]) for r in map(json.loads, filter(str.strip, fh))]


def split_corpus(records: Sequence[Any], held_out: float = 0.25, seed: int = 2026) -> tuple[list, list]:
    """A fixed, field-stratified split: (train, held out). Records need a `category` (key or attribute)."""
    rng = np.random.default_rng(seed)
    by_field: dict[str, list] = {}
    for r in records:
        by_field.setdefault(r["category"] if isinstance(r, dict) else r.category, []).append(r)
    train_part, test_part = [], []
    for code in sorted(by_field):
        rows = by_field[code]
        order = rng.permutation(len(rows))
        cut = int(round(len(rows) * held_out))
        test_part += [rows[i] for i in order[:cut]]
        train_part += [rows[i] for i in order[cut:]]
    return train_part, test_part


def train(examples: Sequence[Example] | None = None, corrections: Sequence[Example] = ()) -> Model | None:
    """A model from the examples (default: the corpus) and staff corrections; None without examples."""
    examples = load_corpus() if examples is None else list(examples)
    if not examples:
        return None
    return Model(examples, [Example(c.text, c.kind, c.category, CORRECTION_WEIGHT) for c in corrections])


# The corpus model, trained once per process (per corpus file); the model retrained on staff corrections
# comes from the jobs process (store.py), never from a training inside a request.
_models: dict[tuple, Model | None] = {}
_lock = threading.Lock()


def _corpus_key() -> tuple:
    stamp = CORPUS_PATH.stat().st_mtime_ns if CORPUS_PATH.exists() else 0
    return str(CORPUS_PATH), stamp, id(load_rules())


def current_model(session: Session | None = None) -> Model | None:
    """With a session, the newest model the jobs process retrained on the staff corrections; else (or
    before its first run) the model of the labelled corpus."""
    if session is not None and CORPUS_PATH.exists():
        stored = store.latest(session)
        if stored is not None:
            return stored
    key: tuple = _corpus_key()
    model = _models.get(key)
    if model is not None or key in _models:
        return model
    with _lock:
        if key not in _models:
            if len(_models) >= 4:
                _models.pop(next(iter(_models)))
            _models[key] = train()
            logger.info("Classifier trained on the corpus")
    return _models[key]


def correction_examples(session: Session) -> list[Example]:
    rows = session.execute(select(ClassificationCorrection.text, ClassificationCorrection.new_kind,
                                  ClassificationCorrection.new_category).order_by(ClassificationCorrection.id))
    return [Example(text, kind, category) for text, kind, category in rows]


# --- classify ------------------------------------------------------------------------------------

def classify(text: str, title: str | None = None, *, session: Session | None = None,
             model: Model | None = None) -> Classification:
    """Kind and field with confidences and the cues that decided, in Vietnamese.

    With a session, staff corrections count: the model is retrained on them, and a near-copy of a
    corrected petition takes the corrected kind and field.
    """
    raw = f"{title}. {text}" if title else text
    folded = model_text(raw)
    rules = load_rules()
    model = model or current_model(session)
    if model is None:
        return _rules_only(folded, rules)
    full, text_vector = model.vectors(folded)
    kind_p = model.probabilities(model.kind_model, full)
    category_p = model.probabilities(model.category_model, full)
    kind, category = max(kind_p, key=kind_p.get), max(category_p, key=category_p.get)
    kind_conf, category_conf = kind_p[kind], category_p[category]
    notes, source = [], "rules+model"

    corrected, similarity = model.nearest_correction(text_vector)
    if corrected is not None and similarity >= SIMILAR_TO_CORRECTION:
        kind, category = corrected.kind, corrected.category
        kind_conf = category_conf = max(similarity, kind_p.get(kind, 0), 0.8)
        notes.append(f"Giống {similarity:.0%} một đơn đã được cán bộ phân loại lại: theo phân loại của cán bộ.")
        source = "correction"
    else:
        moved = field_rule(folded, classifier_text(raw), category, category_p)
        if moved:
            (category, note), category_conf = moved, max(category_p.get(moved[0], 0), 1 - category_conf)
            notes.append(note)
        if kind == "kien_nghi" and remedy_of_told_problem(folded):
            kind, kind_conf = "phan_anh", max(kind_p.get("phan_anh", 0), 1 - kind_conf)
            notes.append("Quy tắc: đơn kể một sự việc, vấn đề và chỉ đề nghị khắc phục chính việc đó là phản ánh.")
        if kind != "to_cao" and denounces_official(folded, rules):
            kind, kind_conf = "to_cao", max(kind_p.get("to_cao", 0), 1 - kind_conf)
            notes.append("Quy tắc: đơn tố cáo đích danh cán bộ, công chức là tố cáo.")
        if kind in ("phan_anh", "kien_nghi", "to_cao") and names_official_bribery(folded, rules):
            kind, kind_conf = "to_cao", max(kind_conf, kind_p.get("to_cao", 0))
            notes.append("Quy tắc: đơn nêu cán bộ, công chức nhận hoặc đòi tiền là tố cáo.")
        if kind == "to_cao" and names_official_misconduct(folded, rules):
            category, category_conf = "can_bo_cong_vu", max(category_conf, category_p.get("can_bo_cong_vu", 0))
            notes.append("Quy tắc: tố cáo nêu cán bộ, công chức có hành vi sai phạm thuộc lĩnh vực "
                         "Cán bộ, công vụ, tham nhũng (dù sai phạm thuộc lĩnh vực nào).")

    kind_cues, field_cues = _cues(raw, folded, kind, category, rules, model, full)
    if notes and source != "correction":  # the rules that decided come first
        official = [p.shown for p in find(rules.officials, folded)][:2]
        taken = [p.shown for p in find((*rules.bribery, *rules.misconduct), folded)][:2]
        taken += [_Written(raw).find(m.group()) or m.group() for m in TAKING_AMOUNT.finditer(folded)][:1]
        kind_cues = list(dict.fromkeys([*official, *taken, *kind_cues]))[:5]
        field_cues = [c for c in field_cues if c not in kind_cues]
    office, office_raw = office_probability(category, category_conf, category_p)
    calibration = model.calibration
    confidence = calibration(office_raw) if source != "correction" else max(calibration(office_raw), category_conf)
    result = Classification(str(kind), str(category), round(float(confidence), 3),
                            round(float(kind_conf), 3), round(float(category_conf), 3), kind_cues + field_cues, "",
                            source, office, round(float(office_raw), 3), calibration.threshold)
    if result.needs_review:
        hits = sum(bool(find(phrases, folded)) for phrases in rules.categories.values())
        result.doubts = calibrating.doubts(kind_p, category_p, hits, len(folded.split()), KINDS.get, category_label)
    result.explanation = _explain(result, kind_cues, field_cues, notes)
    return result


def office_probability(category: str, category_conf: float, category_p: dict[str, float]) -> tuple[str, float]:
    """The field table's office for the field, and how likely that office is right: the summed
    probability of every field it leads (two fields of one office confused still route right)."""
    table = categories()
    office = (table.get(category) or table["khac"])["lead_office"]
    summed = sum(p for code, p in category_p.items() if (table.get(code) or table["khac"])["lead_office"] == office)
    return office, max(float(summed), float(category_conf))


def _rules_only(folded: str, rules: Rules) -> Classification:
    """Without a corpus (a bare deployment): the keyword counts alone, always sent for review."""
    def best(groups: dict[str, tuple[Phrase, ...]], default: str) -> tuple[str, list[str]]:
        hits = {code: find(phrases, folded) for code, phrases in groups.items()}
        code = max(hits, key=lambda c: len(hits[c]))
        return (code, [p.shown for p in hits[code]]) if hits[code] else (default, [])

    kind, kind_cues = best(rules.kinds, "phan_anh")
    category, field_cues = best(rules.categories, "khac")
    office = (categories().get(category) or categories()["khac"])["lead_office"]
    result = Classification(kind, category, 0.3, 0.3, 0.3, kind_cues + field_cues, "", "rules", office, 0.3, 1.0)
    result.explanation = _explain(result, kind_cues, field_cues, ["Chưa có dữ liệu huấn luyện: chỉ dùng từ khóa."])
    return result


def _cues(raw: str, folded: str, kind: str, category: str, rules: Rules, model: Model,
          full: sparse.csr_matrix) -> tuple[list[str], list[str]]:
    """(kind cues, field cues): the rule phrases found, then the model's strongest content words."""
    kind_cues = [p.shown for p in find(rules.kinds.get(kind, ()), folded)][:3]
    field_cues = [p.shown for p in find(rules.categories.get(category, ()), folded)][:5]
    written = _Written(raw)
    for gram in model.word_cues(full, model.category_model, category):
        shown = written.find(gram)
        if shown and len(field_cues) < 6 and all(fold(shown) not in fold(c) for c in field_cues + kind_cues):
            field_cues.append(shown)
    return kind_cues, [c for c in field_cues if c not in kind_cues]


class _Written:
    """Folded words back to the writer's spelling: 'can bo dia chinh' -> 'cán bộ địa chính'."""

    def __init__(self, raw: str):
        self.words = re.findall(r"\w+", normalise(raw))
        self.folded = fold(" ".join(self.words)).split()

    def find(self, folded_gram: str) -> str | None:
        target = folded_gram.split()
        n = len(target)
        for i in range(len(self.folded) - n + 1):
            if self.folded[i:i + n] == target:
                return " ".join(self.words[i:i + n])
        return None


def _explain(c: Classification, kind_cues: list[str], field_cues: list[str], notes: list[str]) -> str:
    parts = [f"Loại đơn: {KINDS[c.kind]} (độ tin cậy {c.kind_confidence:.0%})"
             + (f", dấu hiệu: {', '.join(kind_cues)}" if kind_cues else ", theo mô hình học từ các đơn đã phân loại")
             + ".",
             f"Lĩnh vực: {category_label(c.category)} (độ tin cậy {c.category_confidence:.0%})"
             + (f", dấu hiệu: {', '.join(field_cues)}" if field_cues else "") + ".", *notes]
    if c.needs_review:
        why = f" Chưa chắc vì {'; '.join(c.doubts)}." if c.doubts else ""
        parts.append(f"Độ tin cậy {c.confidence:.0%}, dưới ngưỡng {c.threshold:.0%}: cần cán bộ Văn phòng "
                     f"xem lại phân loại.{why}")
    return " ".join(parts)


# --- staff corrections ---------------------------------------------------------------------------

def record_correction(session: Session, petition: Petition, new_kind: str | None, new_category: str | None,
                      actor: Actor, reason: str) -> ClassificationCorrection | None:
    """Set the corrected kind / field, keep the correction as training data and write the event."""
    kind, category = new_kind or petition.kind, new_category or petition.category
    if kind == petition.kind and category == petition.category:
        return None
    text = f"{petition.title}. {petition.content}" if petition.title else petition.content
    correction = ClassificationCorrection(petition_id=petition.id, text=text, old_kind=petition.kind, new_kind=kind,
                                          old_category=petition.category, new_category=category,
                                          user_id=actor.user_id)
    session.add(correction)
    record(session, petition, "reclassified", actor, reason=reason,
           data={"kind": [petition.kind, kind], "category": [petition.category, category]})
    petition.kind, petition.category = kind, category
    petition.classification = {**(petition.classification or {}), "corrected": {"kind": kind, "category": category}}
    session.flush()
    return correction