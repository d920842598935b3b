"""Console fixtures: staff accounts of every role and a logged-in test client."""
from __future__ import annotations

import re

import pytest

from tests import factories
from tests.factories import PASSWORD


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page carries no CSRF token"
    return match.group(1)


def login(client, username: str, password: str = PASSWORD):
    page = client.get("/can-bo/dang-nhap")
    return client.post("/can-bo/dang-nhap", data={"username": username, "password": password,
                                                   "csrf_token": csrf_of(page.get_data(as_text=True))})


@pytest.fixture
def make_user(session):
    """make_user("vp", "staff", unit="11914", office="van_phong") → the User, committed."""
    def build(username: str, role: str, unit: str | None = None, office: str | None = None, **kw):
        return factories.user(session, username, role, unit=unit, office=office, **kw)
    return build


@pytest.fixture
def login_as(app, make_user):
    """login_as("staff", unit=..., office=...) → a test client logged in as a new user of that role."""
    counter = iter(range(1000))

    def build(role: str, unit: str | None = "11914", office: str | None = "van_phong", username: str | None = None):
        username = username or f"{role}{next(counter)}"
        if role in ("admin", "inspector"):
            unit, office = None, None
        elif role == "chairperson":
            office = None
        make_user(username, role, unit=unit, office=office, full_name=f"Cán bộ {username}")
        client = app.test_client()
        answer = login(client, username)
        assert answer.status_code == 302, answer.get_data(as_text=True)
        client.username = username
        return client
    return build
