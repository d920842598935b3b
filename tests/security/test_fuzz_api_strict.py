"""schemathesis' positive- and negative-data checks over /api/v1/openapi.json (issue #18): a request the
document forbids is refused (negative_data_rejection, every operation), and one it allows is accepted
(positive_data_acceptance) wherever the document can state every rule the server enforces. In process
(WSGI), bounded: a dozen derandomised examples per operation.

What the document cannot state is answered so that positive_data_acceptance accepts it: a well-formed reference to
a unit (booking, …) that does not exist is a 404; a date the clock refuses (a reception day already past, a visit
after today) is a 409; `from` after `to` is the same range. Query rules across parameters (a period or a range)
are stated with one form-exploded object parameter and JSON Schema `if`/`then`. The rules left are listed below:
CROSS_FIELD_RULES (a 422 on exactly those fields is excused when the request breaks that rule, beside it the
STATE_FIELDS checked against the server) and STILL_UNSTATED (positive_data_acceptance not asserted yet: none
left)."""
from __future__ import annotations

import re

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import checks

from service.domain.intake.validation import EMAIL_PATTERN, PHONE_PATTERN, FieldError, check_email, normalise_phone
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


def _times(case) -> tuple[str, str] | None:
    body = case.body if isinstance(case.body, dict) else {}
    start, end = (str(body.get(k) or "").strip().lower().replace("h", ":") for k in ("starts_at", "ends_at"))
    return (start.zfill(5), end.zfill(5)) if start and end else None


def _lacks_identity(case) -> bool:
    body = case.body if isinstance(case.body, dict) else {}
    if body.get("kind") not in (None, "khieu_nai", "to_cao"):
        return False
    person = body.get("petitioner") if isinstance(body.get("petitioner"), dict) else {}
    def given(key: str) -> bool:
        value = person.get(key)
        return isinstance(value, str) and bool(value.strip())
    return not (given("name") and (given("phone") or given("address") or given("email")))


def _representatives_over(case) -> bool:
    body = case.body if isinstance(case.body, dict) else {}
    signers = body.get("co_signers", 0)
    listed = signers if isinstance(signers, list) else []
    if not isinstance(signers, (list, int, float)) or isinstance(signers, bool):
        return False
    count = len(listed) if isinstance(signers, list) else int(signers)
    sender = isinstance(body.get("petitioner"), dict) and body["petitioner"].get("representative") is True
    named = sender + sum(isinstance(p, dict) and p.get("representative") is True for p in listed)
    return named > (2 if count + 1 <= 10 else 5)


# The rules across fields that JSON Schema cannot state (a comparison of two values, a classifier reading the
# text); everything else the server enforces is in the document or answered 404/409. A request that breaks one
# of these may be refused with a 422 on exactly these fields; positive_data_acceptance is asserted otherwise.
CROSS_FIELD_RULES = {
    # a reception day ends after it starts (schedule.create_day): two times compared
    ("POST", "/api/v1/reception-days"): [({"ends_at"}, lambda case: (t := _times(case)) is not None and t[1] <= t[0])],
    # the kind decides whether the petitioner's name and contact are required (Luật Khiếu nại Đ8, Luật Tố cáo
    # Đ23): a kind given as khieu_nai / to_cao, or none (the classifier reads the text), and a petitioner
    # without them
    ("POST", "/api/v1/petitions"): [({"petitioner"}, _lacks_identity),
                                    # how many representatives a crowd appoints: 1-2 up to ten people, at most
                                    # 5 beyond (Luật Tiếp công dân Đ29): two counts compared
                                    ({"representatives"}, lambda case: _representatives_over(case))],
}
# Fields checked against the server's state (unknown unit: 404; received_at and the clock: 409; received_at from a
# public client: 403) when they are the only mistake; beside a broken cross-field rule they are listed in its 422.
STATE_FIELDS = {("POST", "/api/v1/petitions"): {"unit", "received_at"}}
STILL_UNSTATED: set[tuple[str, str]] = set()


def _error(response) -> dict:
    try:
        body = response.json()
    except Exception:  # not JSON: no fields named
        return {}
    return (body.get("error") or {}) if isinstance(body, dict) else {}


@schema.parametrize()
@STRICT
def test_the_document_states_every_rule_the_server_enforces(case, strict_app):
    headers = {"Authorization": f"Bearer {strict_app.config['FUZZ_TOKEN']}"} if case.operation.security else None
    operation = (case.operation.method.upper(), case.operation.path)
    response = case.call(headers=headers)
    # 414 (a query string past 4 KiB, in the API's error format) is a refusal too, one schemathesis does not list
    chosen = [checks.negative_data_rejection] if response.status_code != 414 else []
    if operation not in STILL_UNSTATED:
        excused = set().union(*(fields for fields, broken in CROSS_FIELD_RULES.get(operation, []) if broken(case)))
        refused = set(_error(response).get("fields") or {}) if response.status_code == 422 else set()
        if not (refused & excused and refused <= excused | STATE_FIELDS.get(operation, set())):
            chosen.append(checks.positive_data_acceptance)
    case.validate_response(response, checks=chosen)


def test_an_unknown_unit_is_a_404_where_the_unit_is_what_is_read(client, session):
    """GET /api/v1/plan-tasks and /api/v1/public/answers: a unit that matches no code or name is not found (404 in
    the API's error format), so schemathesis' positive check accepts a well-formed request for it."""
    token = staff_token(session, username="fuzz-unknown-unit", role="admin", unit=None, office=None)
    for path, headers in (("/api/v1/plan-tasks?unit=khong-co-don-vi", {"Authorization": f"Bearer {token}"}),
                          ("/api/v1/public/answers?unit=khong-co-don-vi", None)):
        response = client.get(path, headers=headers)
        assert response.status_code == 404, path
        assert response.get_json()["error"]["code"] == "not_found"
        assert response.get_json()["error"]["message"].startswith("Không tìm thấy đơn vị")


@settings(max_examples=200, deadline=None, derandomize=True)
@given(phone=st.one_of(st.from_regex(PHONE_PATTERN, fullmatch=True), st.text(alphabet="0123456789+84 .-()x", max_size=16)),
       email=st.one_of(st.from_regex(EMAIL_PATTERN, fullmatch=True), st.text(max_size=12)))
def test_the_phone_and_email_patterns_are_what_intake_accepts(phone, email):
    """The API document's patterns (PHONE_PATTERN, EMAIL_PATTERN) admit exactly what normalise_phone and
    check_email accept (the e-mail's 254 characters aside)."""
    def accepts(check, value) -> bool:
        try:
            check(value)
            return True
        except FieldError:
            return False
    assert accepts(normalise_phone, phone) == bool(re.search(PHONE_PATTERN, phone))
    assert accepts(check_email, email) == bool(re.search(EMAIL_PATTERN, email))
