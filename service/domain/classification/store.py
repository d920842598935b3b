"""The classifier retrained on staff corrections: trained by the jobs process, stored, loaded by web processes.

`retrain` (job "classifier-retrain", service/jobs) trains on the labelled corpus and every staff correction
when there are corrections the newest stored model has not seen, and stores it (a compressed pickle in
table classifier_models; it is written only by this service, so loading it trusts no outside input).
`latest` gives a web process the newest stored model, cached per process by its id: one cheap query per
classification, and never a training inside a request.
"""
from __future__ import annotations

import logging
import pickle
import threading
import zlib
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from service.domain import reference
from service.models.job import ClassificationCorrection, ClassifierModel

logger = logging.getLogger(__name__)
KEEP = 2  # stored models kept: the newest and the one before (a process may be loading it)

_loaded: dict[tuple[str, int], Any] = {}
_lock = threading.Lock()


def latest(session: Session) -> Any | None:
    """The newest model the jobs process stored, or None (then the corpus model serves)."""
    newest = reference.cached(session, "classifier_model", None,
                              lambda: session.scalar(select(func.max(ClassifierModel.id))))
    if newest is None:
        return None
    key = (str(session.get_bind().url), newest)
    model = _loaded.get(key)
    if model is None:
        with _lock:
            model = _loaded.get(key)
            if model is None:
                payload = session.scalar(select(ClassifierModel.payload).where(ClassifierModel.id == newest))
                model = pickle.loads(zlib.decompress(payload))  # noqa: S301 - written by retrain() below
                if len(_loaded) >= 4:
                    _loaded.pop(next(iter(_loaded)))
                _loaded[key] = model
    return model


def retrain(session: Session, force: bool = False) -> ClassifierModel | None:
    """Train on the corpus and the staff corrections if there are new corrections; the stored row or None."""
    from service.domain.classification import model as classify

    count, last = session.execute(select(func.count(ClassificationCorrection.id),
                                         func.max(ClassificationCorrection.id))).one()
    stored = session.scalar(select(ClassifierModel.last_correction_id).order_by(ClassifierModel.id.desc()).limit(1))
    if not force and (last is None or stored == last):
        return None
    trained = classify.train(corrections=classify.correction_examples(session))
    if trained is None:
        return None
    row = ClassifierModel(corrections=count, last_correction_id=last,
                          payload=zlib.compress(pickle.dumps(trained, protocol=pickle.HIGHEST_PROTOCOL), 6))
    session.add(row)
    session.flush()
    keep = select(ClassifierModel.id).order_by(ClassifierModel.id.desc()).limit(KEEP).scalar_subquery()
    session.execute(delete(ClassifierModel).where(ClassifierModel.id.not_in(keep)))
    logger.info("Classifier retrained on the corpus and %s staff corrections (model %s)", count, row.id)
    return row
