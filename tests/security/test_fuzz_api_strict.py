"""schemathesis' positive- and negative-data checks over /api/v1/openapi.json (issue #18): the document states
every rule the server enforces, so a request the document allows is accepted (positive_data_acceptance) and
one it forbids is refused (negative_data_rejection). In process (WSGI), bounded: a few examples per operation.

Unknown query parameters are ignored by the API, as by the web; schemathesis' negative data includes them
("?=false"), so the check is run on the documented parameters' values only (the generated case is still
checked whole for 5xx, status codes and response schemas by tests/security/test_fuzz_api.py)."""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis import checks

from tests.helpers import staff_token

STRICT = settings(max_examples=12, deadline=None, derandomize=True, phases=[Phase.explicit, Phase.generate],
                  suppress_health_check=list(HealthCheck))


@pytest.fixture
def strict_app(make_app, session):
    app = make_app()
    app.config["FUZZ_TOKEN"] = staff_token(session, username="fuzz-strict", role="admin", unit=None, office=None)
    return app


@pytest.fixture
def strict_schema(strict_app):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", strict_app)


schema = schemathesis.pytest.from_fixture("strict_schema")


@schema.parametrize()
@STRICT
def test_the_document_states_every_rule_the_server_enforces(case, strict_app):
    headers = {"Authorization": f"Bearer {strict_app.config['FUZZ_TOKEN']}"} if case.operation.security else None
    case.call_and_validate(headers=headers, checks=[checks.positive_data_acceptance, checks.negative_data_rejection])
