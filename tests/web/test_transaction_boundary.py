"""One transaction per web request (service/web/session.py): committed once the view has answered, and a
commit that fails answers like any other failure, with nothing stored and no after-commit work done."""
from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from service.web import session as boundary
from tests.helpers import count_petitions
from tests.web.test_api_petitions import VALID, post


def _failing_commit(error: Exception):
    def commit(self):
        raise error
    return commit


@pytest.fixture
def hooks(monkeypatch) -> list[str]:
    """Every request registers one after-commit hook; the list tells whether it ran."""
    ran: list[str] = []
    real = boundary.TransactionalFlask.dispatch_request

    def dispatch(self):
        boundary.after_commit(ran.append, "ran")
        return real(self)

    monkeypatch.setattr(boundary.TransactionalFlask, "dispatch_request", dispatch)
    return ran


@pytest.mark.parametrize(("error", "status"), [
    (OperationalError("COMMIT", {}, Exception("server closed the connection")), 503),
    (IntegrityError("INSERT", {}, Exception("duplicate key")), 500),
])
def test_a_failing_commit_answers_the_error_and_stores_nothing(client, session, hooks, monkeypatch, error,
                                                                status):
    before = count_petitions(session)
    with monkeypatch.context() as patch:
        patch.setattr(Session, "commit", _failing_commit(error))
        response = post(client, VALID)
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == ("unavailable" if status == 503 else "internal")
    assert count_petitions(session) == before
    assert hooks == []


def test_the_view_answer_is_committed_and_after_commit_work_runs(client, session, hooks):
    before = count_petitions(session)
    assert post(client, VALID).status_code == 201
    assert count_petitions(session) == before + 1
    assert hooks == ["ran"]


def test_an_error_raised_by_a_view_stores_nothing(client, session, hooks):
    before = count_petitions(session)
    assert post(client, {**VALID, "unit": "không có xã này"}).status_code == 404  # an unknown unit (issue #18)
    assert count_petitions(session) == before
    assert hooks == []
