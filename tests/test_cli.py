"""The flask commands, run through Click's runner as an operator would."""
from __future__ import annotations

import re

from sqlalchemy import select

from service.models import User


def test_users_create_with_unit_name_without_diacritics(app, session):
    result = app.test_cli_runner().invoke(args=[
        "users", "create", "--username", "lan", "--password", "mat-khau-dai-1", "--role", "staff",
        "--unit", "nam do son", "--office", "van_phong"])
    assert result.exit_code == 0, result.output
    user = session.scalar(select(User).where(User.username == "lan"))
    assert user.role == "staff" and user.unit.name == "Phường Nam Đồ Sơn" and user.office.code == "van_phong"
    assert user.password_hash != "mat-khau-dai-1"


def test_users_create_refuses_unknown_office_and_short_password(app, session):
    result = app.test_cli_runner().invoke(args=[
        "users", "create", "--username", "x", "--password", "short", "--role", "staff",
        "--unit", "11914", "--office", "phong_xyz"])
    assert result.exit_code != 0
    assert "phong_xyz" in result.output and "10 ký tự" in result.output
    assert session.scalar(select(User).where(User.username == "x")) is None


def test_tokens_create_prints_a_token_the_api_accepts(app, client):
    runner = app.test_cli_runner()
    runner.invoke(args=["users", "create", "--username", "tt", "--password", "mat-khau-dai-1",
                        "--role", "inspector"])
    result = runner.invoke(args=["tokens", "create", "--username", "tt"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert token.startswith("tds_") and len(token) > 30
    from service.web.api.auth import user_from_bearer

    with app.test_request_context(headers={"Authorization": f"Bearer {token}"}):
        assert user_from_bearer().username == "tt"
    with app.test_request_context(headers={"Authorization": "Bearer tds_wrong"}):
        assert user_from_bearer() is None


def test_setup_command_reports_counts(app):
    result = app.test_cli_runner().invoke(args=["setup"])
    assert result.exit_code == 0, result.output
    assert "115 đơn vị" in result.output


def test_demo_loads_users_and_petitions_once(app, session):
    from sqlalchemy import func

    from service.models import Petition, Reply

    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "--count", "20"])
    assert first.exit_code == 0, first.output
    assert "20 đơn mẫu" in first.output
    # Each demo account is printed with its role (and office, unit).
    assert re.search(r"truongphong\.catHai\s+Trưởng phòng — Phòng Kinh tế, 11914", first.output)
    assert re.search(r"chutich\.catHai\s+Chủ tịch UBND", first.output) and re.search(r"thanhtra\s+Thanh tra", first.output)
    # A dialogue session with registrations (issue 20), announced so the chairperson can prepare it.
    from service.models import DialogueRegistration, DialogueSession
    ds = session.scalar(select(DialogueSession))
    assert ds.status == "announced" and ds.unit.code == "11914"
    assert session.scalar(select(func.count()).select_from(DialogueRegistration)) == 3
    assert session.scalar(select(func.count()).select_from(Petition)) == 20
    assert session.scalar(select(func.count()).select_from(Reply)) > 0  # some were answered through the workflow
    again = runner.invoke(args=["demo", "--count", "20"])
    assert "đã có" in again.output
    assert session.scalar(select(func.count()).select_from(Petition)) == 20
