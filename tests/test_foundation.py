"""The foundation: app factory, health, reference endpoints, CLI, layers."""
from __future__ import annotations

from sqlalchemy import func, select

from service.app import create_app
from service.models import Office, Unit


def test_healthz_answers_when_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["status"] == "ok"


def test_healthz_answers_503_when_database_is_down(make_app, tmp_path):
    app = make_app(DATABASE_URL="postgresql://nobody:x@127.0.0.1:1/none")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert "không phản hồi" in response.get_json()["message"]


def test_settings_default_to_sqlite_under_instance(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app({"TESTING": True})
    assert app.config["DATABASE_URL"].startswith("sqlite:///")
    assert "/instance/" in app.config["DATABASE_URL"]
    assert app.config["SCHEDULER_ENABLED"] is True
    app.extensions["db"].dispose()


def test_mapping_overrides_environment(monkeypatch):
    monkeypatch.setenv("RATELIMIT_ENABLED", "true")
    app = create_app({"RATELIMIT_ENABLED": "false", "DATABASE_URL": "sqlite://"})
    assert app.config["RATELIMIT_ENABLED"] is False
    app.extensions["db"].dispose()


def test_setup_loads_115_units_with_their_offices(session):
    assert session.scalar(select(func.count()).select_from(Unit)) == 115
    kinds = dict(session.execute(select(Unit.kind, func.count()).group_by(Unit.kind)).all())
    assert kinds == {"city": 1, "phuong": 45, "xa": 67, "dac_khu": 2}
    cat_hai = session.scalar(select(Unit).where(Unit.name == "Đặc khu Cát Hải"))
    assert cat_hai.remote is True
    assert {o.code for o in cat_hai.offices} == {"van_phong", "phong_kinh_te", "phong_vhxh", "cong_an", "trung_tam_hcc"}
    city = session.scalar(select(Unit).where(Unit.kind == "city"))
    assert city.name == "Thành phố Hải Phòng"
    assert "thanh_tra_tp" in {o.code for o in city.offices}
    assert session.scalar(select(func.count()).select_from(Office).where(Office.code == "van_phong")) == 114


def test_setup_is_idempotent(database):
    from service.cli import run_setup

    before = _counts(database)
    run_setup(database)
    assert _counts(database) == before


def _counts(database):
    from service.models import CatalogueTask, Plan

    with database.session_scope() as s:
        return tuple(s.scalar(select(func.count()).select_from(m)) for m in (Unit, Office, Plan, CatalogueTask))


def test_units_endpoint_lists_city_and_communes(client):
    units = client.get("/api/v1/units").get_json()
    assert len(units) == 115
    assert units[0] == {"code": "31", "name": "Thành phố Hải Phòng", "kind": "city", "remote": False, "parent": None}
    nam_do_son = next(u for u in units if u["name"] == "Phường Nam Đồ Sơn")
    assert nam_do_son["kind"] == "phuong" and nam_do_son["parent"] == "31"


def test_unit_tasks_endpoint_gives_effective_catalogue(client):
    body = client.get("/api/v1/units/11914/tasks").get_json()  # Đặc khu Cát Hải has its own plan
    codes = {t["code"]: t for t in body["tasks"]}
    for code in ("4.3", "4.4", "4.5"):
        assert codes[code]["lead_offices"] == ["van_phong"]
        assert codes[code]["source"] == "unit"
    assert set(codes["4.4"]) >= {"code", "title", "lead_offices", "collaborating_offices", "timeframe"}


def test_unit_without_plan_inherits_city_tasks_at_commune_level(client):
    units = client.get("/api/v1/units").get_json()
    other = next(u for u in units if u["name"] == "Phường Thuỷ Nguyên")
    tasks = client.get(f"/api/v1/units/{other['code']}/tasks").get_json()["tasks"]
    by_code = {t["code"]: t for t in tasks}
    assert by_code["4.5"]["lead_offices"] == ["van_phong"]
    assert all(t["source"] == "city" for t in tasks)


def test_unknown_unit_tasks_is_404_in_both_languages(client):
    response = client.get("/api/v1/units/99999/tasks")
    assert response.status_code == 404
    error = response.get_json()["error"]
    assert error["code"] == "not_found" and "99999" in error["message"] and "99999" in error["message_en"]


def test_categories_endpoint_lists_the_ten_fields(client):
    cats = client.get("/api/v1/categories").get_json()
    assert [c["code"] for c in cats] == ["dat_dai", "xay_dung_nha_o", "moi_truong", "ha_tang_giao_thong",
                                         "doanh_nghiep", "thu_tuc_hanh_chinh", "can_bo_cong_vu",
                                         "chinh_sach_xa_hoi", "an_ninh_trat_tu", "khac"]
    assert cats[0]["label"] == "Đất đai, bồi thường, tái định cư" and cats[0]["lead_office"] == "phong_kinh_te"


def test_security_headers_are_set(client):
    response = client.get("/healthz")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
