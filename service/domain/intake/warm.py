"""Everything intake reads from files or trains, loaded before a worker's first petition (issue #19).

Called by gunicorn's `post_worker_init` (config/gunicorn.conf.py) in every worker: the classifier is trained,
the calendar, the deadline rules, the fields and the office vocabulary are read once; each is read again
only when its file changes (or, for the classifier, when staff corrections are added).
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from service.domain.classification import model as classify
from service.domain.codes import categories
from service.domain.deadlines.calendar import Calendar
from service.domain.deadlines.rules import load_rules
from service.domain.routing.specs import load_office_vocabulary


def warm_up(session: Session) -> None:
    classify.current_model(session)
    Calendar.load(session)
    load_rules()
    categories()
    load_office_vocabulary()
