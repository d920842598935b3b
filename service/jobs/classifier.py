"""Job "classifier-retrain": the classifier learns the staff corrections here, in the jobs process, never
inside a request (issue #17). Web processes load the newest stored model (service/domain/classification/store.py)."""
from __future__ import annotations

from service.db import Database
from service.domain.classification import store


def retrain_classifier(database: Database) -> int:
    """Retrain if staff corrected a classification since the last stored model; the model id or 0."""
    with database.session_scope() as session:
        row = store.retrain(session)
        return row.id if row is not None else 0
