"""Task catalogues: the curated YAML plans, their loading, the effective catalogue and the task tables."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy import StaticPool, create_engine, event, func, select
from sqlalchemy.orm import Session

import service.models.catalogue  # noqa: F401  (registers the tables)
import service.models.unit  # noqa: F401
from service.db import Base
from service.domain.routing.catalogue import (
    effective_catalogue,
    import_plan_table,
    sync_catalogues,
)
from service.domain.routing.specs import (
    CATALOGUE_DIR,
    CatalogueError,
    TaskSpec,
    load_office_vocabulary,
    read_catalogue_dir,
    read_plan_file,
    resolve_office_name,
    resolve_office_names,
)
from service.domain.routing.tables import export_task_table, import_task_table
from service.domain.text import fold
from service.models.catalogue import CatalogueTask, Plan
from service.models.unit import Unit

DATA = Path(__file__).resolve().parents[1] / "data"
SEEDS = Path(__file__).resolve().parents[1] / "data" / "seeds"  # the five plans the project was created from
CORE = ("4.3", "4.4", "4.5")
PLAN_FILES = {
    "000_cat_hai.yaml": ("cat-hai-2025-h2", "11914", 21),
    "001_nam_do_son.yaml": ("nam-do-son-2025-h2", "11737", 23),
    "002_kim_thanh.yaml": ("kim-thanh-2025-h2", "10804", 16),
    "003_an_khanh.yaml": ("an-khanh-2025-h2", "11668", 11),
    "004_hai_phong.yaml": ("hai-phong-2026", "31", 35),
}
CITY_CODES = [
    "1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "2.4", "2.5", "2.6", "2.7", "2.8", "2.9",
    "3.1", "3.2", "3.3", "3.4", "3.5", "3.5.a", "3.5.b", "3.5.c", "3.5.d", "3.5.đ",
    "4.1", "4.2", "4.3", "4.4", "4.5", "4.6", "4.7", "4.8", "4.9", "4.10", "4.11", "5.1", "5.2",
]
CAT_HAI_CODES = [
    "1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "3.1", "3.2", "3.3", "3.4",
    "4.1", "4.2", "4.3", "4.4", "4.5", "4.6", "4.7", "4.8", "5.1", "5.2", "5.3",
]
UNITS = [  # code, name, kind
    ("31", "Thành phố Hải Phòng", "city"),
    ("11914", "Đặc khu Cát Hải", "dac_khu"),
    ("11737", "Phường Nam Đồ Sơn", "phuong"),
    ("10804", "Xã Kim Thành", "xa"),
    ("11668", "Xã An Khánh", "xa"),
    ("11383", "Phường Lê Chân", "phuong"),  # a commune with no plan of its own
]


# Local fixture until tests/conftest.py provides the shared `session`: an in-memory SQLite schema
# with the city and the few communes these tests need.
@pytest.fixture
def catalogue_session():
    engine = create_engine("sqlite://", poolclass=StaticPool)
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        city = None
        for code, name, kind in UNITS:
            short = name.split(" ", 1)[1] if kind != "city" else "Hải Phòng"
            unit = Unit(code=code, name=name, short_name=short, name_folded=fold(name), kind=kind, parent=city)
            session.add(unit)
            city = city or unit
        session.flush()
        yield session
        session.rollback()
    engine.dispose()


def _unit(session: Session, code: str) -> Unit:
    return session.scalar(select(Unit).where(Unit.code == code))


def _plans() -> dict[str, object]:
    return {p.path.name: p for p in read_catalogue_dir()}


# --- the curated files -----------------------------------------------------------------------------

def test_every_plan_file_loads_with_its_unit_and_task_count():
    plans = _plans()
    assert set(plans) == set(PLAN_FILES)
    for name, (code, unit, count) in PLAN_FILES.items():
        plan = plans[name]
        assert (plan.code, plan.unit, len(plan.tasks)) == (code, unit, count), name
        assert plan.source_document.startswith("shared/seeds/")
        assert all(t.title for t in plan.tasks), name
        # Only the city's 3.5 leaves its cells blank (its sub-items a-đ carry them).
        assert [t.code for t in plan.tasks if not t.timeframe] == (["3.5"] if unit == "31" else []), name


@pytest.mark.parametrize("name", sorted(PLAN_FILES))
def test_every_plan_has_tasks_4_3_to_4_5_with_resolved_leads(name):
    plan = _plans()[name]
    vocabulary = load_office_vocabulary()
    tasks = {t.code: t for t in plan.tasks}
    for code in CORE:
        task = tasks[code]
        assert task.lead and all(c in vocabulary for c in task.lead), (name, code)
        if plan.unit == "31":
            assert task.commune_lead == ["van_phong"]
        else:
            assert task.lead == ["van_phong"], (name, code)


def test_city_plan_has_its_full_table():
    city = _plans()["004_hai_phong.yaml"]
    assert [t.code for t in city.tasks] == CITY_CODES
    assert {t.code: t.commune_lead for t in city.tasks}["3.3"] == ["phong_kinh_te"]
    four_four = next(t for t in city.tasks if t.code == "4.4")
    assert four_four.lead == ["cac_so_nganh", "ubnd_cap_xa"] and four_four.collaborating == ["thanh_tra_tp"]


def test_cat_hai_plan_has_its_full_table():
    cat_hai = _plans()["000_cat_hai.yaml"]
    assert [t.code for t in cat_hai.tasks] == CAT_HAI_CODES
    tasks = {t.code: t for t in cat_hai.tasks}
    assert tasks["4.5"].collaborating == ["phong_vhxh", "phong_kinh_te", "cac_co_quan_don_vi"]
    assert tasks["3.3"].lead == ["phong_kinh_te"] and tasks["2.2"].timeframe == "Quý III/2025"


def _seed(prefix: str) -> Path:
    found = sorted(SEEDS.glob(f"{prefix}_*.txt")) if SEEDS.is_dir() else []
    assert found, f"seed plan {prefix} not found in {SEEDS} (tests/data/seeds holds a copy of the five seed plans)"
    return found[0]


def test_city_rows_match_the_seed_table():
    """Count the seed's numbered rows and compare each row's office and time cells with the YAML."""
    lines = _seed("004").read_text(encoding="utf-8").split("\n")
    rows, row = [], None
    for line in lines[lines.index("\tThời gian thực hiện") + 1:]:
        if re.fullmatch(r"\t(\d+\.\d+|[a-zđ])\s*", line):
            row = [line.strip()]
            rows.append(row)
        elif re.fullmatch(r"\t\d\s*", line):
            row = None  # a section heading
        elif row is not None and line.startswith("\t"):
            row.append(re.sub(r"\s+", " ", line).strip())
    assert len(rows) == 35
    tasks = {t.code: t for t in _plans()["004_hai_phong.yaml"].tasks}
    parent = None
    for cells in rows:
        code = cells[0] if not re.fullmatch(r"[a-zđ]", cells[0]) else f"{parent}.{cells[0]}"
        parent = code if code.count(".") == 1 else parent
        assert len(cells) == 5, cells
        lead, collaborating, timeframe = cells[2:]
        task = tasks[code]
        assert (task.lead_text, task.collaborating_text, task.timeframe) == (lead or None, collaborating or None,
                                                                             timeframe or None), code


def test_cat_hai_row_count_matches_the_seed_table():
    text = _seed("000").read_text(encoding="utf-8")
    annex = text[text.index("DANH MỤC NHIỆM VỤ CẦN TRIỂN KHAI"):]
    codes = re.findall(r"^(\d\.\d+)\s*$", annex, flags=re.M)
    assert codes == CAT_HAI_CODES


# --- office vocabulary -----------------------------------------------------------------------------

def test_every_office_name_and_alias_resolves_to_its_code():
    for code, office in load_office_vocabulary().items():
        assert office.level in ("commune", "city", "other")
        for name in (office.name, *office.aliases):
            assert resolve_office_names(name) == [code], name


def test_resolve_office_name_ignores_diacritics_case_and_unit_words():
    assert resolve_office_name("Van phong HDND - UBND dac khu") == "van_phong"
    assert resolve_office_name("PHÒNG KINH TẾ, HẠ TẦNG VÀ ĐÔ THỊ") == "phong_kinh_te"
    assert resolve_office_name("Thanh tra thành phố") == "thanh_tra_tp"
    assert resolve_office_names("Sở Tài chính; Ủy ban nhân dân cấp xã có liên quan") == ["so_tai_chinh", "ubnd_cap_xa"]
    with pytest.raises(CatalogueError, match="hoi nong dan"):
        resolve_office_name("Hội Nông dân xã")
    with pytest.raises(CatalogueError):
        resolve_office_name("Các sở, ngành và Ủy ban nhân dân cấp xã")  # two offices


# --- validation errors -------------------------------------------------------------------------------

PLAN_HEAD = 'code: test-plan\nunit: "11914"\ntitle: "Kế hoạch thử"\nsource_document: "none"\nperiod: "2026"\ntasks:\n'


def _write(tmp_path: Path, name: str, tasks: str) -> Path:
    path = tmp_path / name
    path.write_text(PLAN_HEAD + tasks, encoding="utf-8")
    return path


def test_unknown_office_error_names_the_file_and_the_task(tmp_path):
    path = _write(tmp_path, "bad_office.yaml", '  - code: "4.4"\n    title: "Tiếp nhận"\n    lead: [phong_xyz]\n')
    with pytest.raises(CatalogueError, match=r"bad_office\.yaml, task 4\.4: unknown office 'phong_xyz'"):
        read_plan_file(path)


def test_duplicated_task_code_error_names_the_file_and_the_code(tmp_path):
    task = '  - code: "4.5"\n    title: "Rà soát"\n    lead: [van_phong]\n'
    path = _write(tmp_path, "dup.yaml", task + task)
    with pytest.raises(CatalogueError, match=r"dup\.yaml, task 4\.5: duplicated task code"):
        read_plan_file(path)


@pytest.mark.parametrize("tasks, message", [
    ('  - code: 4.10\n    title: "T"\n    lead: [van_phong]\n', r"task 4\.1: the task code must be a quoted string"),
    ('  - code: "1"\n    title: "T"\n', r"task 1: missing key 'lead'"),
    ('  - code: "1"\n    title: " "\n    lead: [van_phong]\n', r"task 1: the title is empty"),
    ('  - code: "1"\n    title: "T"\n    lead: [van_phong]\n    leed: []\n', r"task 1: unknown key 'leed'"),
    ('  - code: "1"\n    title: "T"\n    lead: [van_phong]\n    commune_lead: [van_phong]\n',
     r"task 1: commune_lead belongs to the city plan only"),
])
def test_malformed_tasks_are_rejected_with_file_and_task(tmp_path, tasks, message):
    with pytest.raises(CatalogueError, match=r"plan\.yaml, " + message):
        read_plan_file(_write(tmp_path, "plan.yaml", tasks))


def test_missing_unit_is_rejected(tmp_path):
    path = tmp_path / "nounit.yaml"
    path.write_text('code: x\ntitle: "t"\nsource_document: "s"\ntasks: []\n', encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"nounit\.yaml: missing key 'unit'"):
        read_plan_file(path)


# --- database ------------------------------------------------------------------------------------

def _writes(session: Session, action) -> int:
    """How many INSERT / UPDATE / DELETE statements the action sends."""
    statements = []

    def count(conn, cursor, statement, *args):
        if statement.lstrip().split(" ", 1)[0].upper() in ("INSERT", "UPDATE", "DELETE"):
            statements.append(statement)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def test_sync_is_idempotent(catalogue_session, tmp_path):
    total = sum(count for _, _, count in PLAN_FILES.values())
    assert sync_catalogues(catalogue_session) == total
    assert _writes(catalogue_session, lambda: sync_catalogues(catalogue_session)) == 0
    assert catalogue_session.scalar(select(func.count()).select_from(Plan)) == len(PLAN_FILES)
    assert catalogue_session.scalar(select(func.count()).select_from(CatalogueTask)) == total

    # An edited title is one UPDATE, and still no duplicates.
    shutil.copytree(CATALOGUE_DIR, tmp_path / "catalogue")
    city_file = tmp_path / "catalogue" / "004_hai_phong.yaml"
    text = city_file.read_text(encoding="utf-8")
    city_file.write_text(text.replace("giai đoạn 2021 - 2030.", "giai đoạn 2021-2030.", 1), encoding="utf-8")
    assert _writes(catalogue_session, lambda: sync_catalogues(catalogue_session, tmp_path / "catalogue")) == 2
    assert catalogue_session.scalar(select(func.count()).select_from(CatalogueTask)) == total


def test_sync_with_an_unknown_unit_fails(catalogue_session, tmp_path):
    path = _write(tmp_path, "plan.yaml", '  - code: "1"\n    title: "T"\n    lead: [van_phong]\n')
    path.write_text(path.read_text(encoding="utf-8").replace('"11914"', '"99999"'), encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"plan\.yaml: unknown unit '99999'"):
        sync_catalogues(catalogue_session, tmp_path)


def test_unit_with_its_own_plan_gets_its_own_tasks(catalogue_session):
    sync_catalogues(catalogue_session)
    tasks = effective_catalogue(catalogue_session, _unit(catalogue_session, "11914"))
    own = [t for t in tasks if t.source == "unit"]
    assert [t.code for t in own] == CAT_HAI_CODES and {t.plan_code for t in own} == {"cat-hai-2025-h2"}
    # Where its plan is silent, the city's tasks apply at commune level: merged by meaning (subject and field),
    # not by number, so the city's housing task 2.2 is there although Cát Hải's own 2.2 is another task.
    inherited = [t for t in tasks if t.source == "city"]
    assert [t.code for t in inherited] == ["1.2", "2.1", "2.2", "2.5", "2.7", "3.5.d", "3.5.đ", "4.2", "4.11"]
    by_code = {t.code: t for t in tasks}
    assert all(by_code[c].lead_offices == ["van_phong"] and by_code[c].source == "unit" for c in CORE)


def test_commune_without_a_plan_inherits_the_city_tasks_at_commune_level(catalogue_session):
    sync_catalogues(catalogue_session)
    tasks = effective_catalogue(catalogue_session, _unit(catalogue_session, "11383"))
    by_code = {t.code: t for t in tasks}
    assert [t.code for t in tasks] == CITY_CODES
    assert {t.source for t in tasks} == {"city"} and {t.plan_code for t in tasks} == {"hai-phong-2026"}
    assert all(by_code[c].lead_offices == ["van_phong"] for c in CORE)
    assert by_code["3.3"].lead_offices == ["phong_kinh_te"]  # commune_lead
    assert by_code["2.7"].lead_offices == ["van_phong"]  # departments only: the default
    assert by_code["4.4"].collaborating_offices == ["thanh_tra_tp"]
    commune = {c for c, o in load_office_vocabulary().items() if o.level == "commune"}
    assert all(set(t.lead_offices) <= commune for t in tasks)


def test_city_gets_its_own_plan(catalogue_session):
    sync_catalogues(catalogue_session)
    tasks = effective_catalogue(catalogue_session, _unit(catalogue_session, "31"))
    assert [t.code for t in tasks] == CITY_CODES and {t.source for t in tasks} == {"unit"}
    assert {t.code: t for t in tasks}["4.4"].lead_offices == ["cac_so_nganh", "ubnd_cap_xa"]


def test_own_plan_without_core_tasks_gets_them_from_the_city(catalogue_session, tmp_path):
    sync_catalogues(catalogue_session)
    table = tmp_path / "le_chan.csv"
    export_task_table([TaskSpec("1", "Tuyên truyền công tác dân vận", ["phong_vhxh"], timeframe="Năm 2026")], table)
    assert import_plan_table(catalogue_session, "le-chan-2026", "11383", "Kế hoạch thử", table) == 1
    tasks = effective_catalogue(catalogue_session, _unit(catalogue_session, "11383"))
    assert (tasks[0].code, tasks[0].source, tasks[0].plan_code) == ("1", "unit", "le-chan-2026")
    by_code = {t.code: t for t in tasks}
    for code in CORE:
        assert (by_code[code].source, by_code[code].plan_code) == ("city", "hai-phong-2026")
        assert by_code[code].lead_offices == ["van_phong"]


# --- task tables ---------------------------------------------------------------------------------

def _key(task: TaskSpec) -> tuple:
    return task.code, task.title, task.lead, task.collaborating, task.timeframe, task.commune_lead or None


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
@pytest.mark.parametrize("name", sorted(PLAN_FILES))
def test_task_table_round_trip(tmp_path, name, suffix):
    tasks = _plans()[name].tasks
    path = export_task_table(tasks, tmp_path / f"table{suffix}")
    assert [_key(t) for t in import_task_table(path)] == [_key(t) for t in tasks]


def test_xlsx_keeps_task_codes_as_text(tmp_path):
    from openpyxl import load_workbook

    path = export_task_table(_plans()["004_hai_phong.yaml"].tasks, tmp_path / "city.xlsx")
    sheet = load_workbook(path).active
    assert [c.value for c in sheet[1]][:5] == ["TT", "Nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp",
                                               "Thời gian thực hiện"]
    assert "4.10" in [row[0].value for row in sheet.iter_rows(min_row=2)]


def test_import_matches_headers_without_diacritics_and_reads_seed_like_rows():
    tasks = import_task_table(DATA / "catalogue_sample.csv")
    assert [t.code for t in tasks] == ["3.5", "3.5.a", "3.5.b", "4.3", "4.4", "4.5", "4.10"]
    by_code = {t.code: t for t in tasks}
    assert by_code["4.4"].lead == ["van_phong"] and by_code["4.4"].lead_text == "Van phong HDND va UBND"
    assert by_code["4.5"].collaborating == ["phong_vhxh", "phong_kinh_te", "cac_co_quan_don_vi"]
    assert by_code["3.5.b"].lead == ["ubnd_cap_xa"] and by_code["3.5.b"].collaborating == ["so_noi_vu"]
    assert by_code["3.5"].lead == [] and by_code["4.10"].timeframe == "Năm 2026"


def test_xlsx_headers_without_diacritics(tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["STT", "NHIEM VU", "co quan chu tri", "CO QUAN PHOI HOP", "thoi gian thuc hien"])
    workbook.active.append(["4.4", "Tiếp nhận phản ánh", "Phòng Văn hóa - Xã hội", None, "Năm 2026"])
    workbook.save(tmp_path / "plain.xlsx")
    (task,) = import_task_table(tmp_path / "plain.xlsx")
    assert (task.code, task.lead, task.collaborating, task.timeframe) == ("4.4", ["phong_vhxh"], [], "Năm 2026")


def test_import_with_an_unknown_office_names_the_file_and_row(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("TT,Nhiệm vụ,Cơ quan chủ trì\n4.3,Đối thoại,Văn phòng HĐND và UBND\n4.4,Tiếp nhận,Phòng XYZ\n",
                    encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"bad\.csv, row 3: unknown office name 'xyz'"):
        import_task_table(path)


def test_import_with_a_duplicated_code_names_the_file_and_row(tmp_path):
    path = tmp_path / "dup.csv"
    path.write_text("TT,Nhiệm vụ,Cơ quan chủ trì\n4.3,A,Văn phòng HĐND và UBND\n4.3,B,Văn phòng HĐND và UBND\n",
                    encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"dup\.csv, row 3: duplicated task code '4\.3'"):
        import_task_table(path)


def test_import_plan_table_upserts_by_task_code(catalogue_session):
    sample = DATA / "catalogue_sample.csv"
    assert import_plan_table(catalogue_session, "mau-2026", "11668", "Bảng mẫu", sample) == 7
    assert _writes(catalogue_session, lambda: import_plan_table(catalogue_session, "mau-2026", "11668", "Bảng mẫu",
                                                                sample)) == 0
    plan = catalogue_session.scalar(select(Plan).where(Plan.code == "mau-2026"))
    assert plan.unit_id == _unit(catalogue_session, "11668").id
    assert [t.code for t in plan.tasks] == ["3.5", "3.5.a", "3.5.b", "4.3", "4.4", "4.5", "4.10"]
    with pytest.raises(CatalogueError, match="unknown unit '00000'"):
        import_plan_table(catalogue_session, "x", "00000", "x", sample)


# --- on the shared migrated database (tests/conftest.py: 115 units, catalogues synced by setup) ----------

def test_synced_database_needs_no_further_writes(session):
    assert _writes(session, lambda: sync_catalogues(session)) == 0
    assert session.scalar(select(func.count()).select_from(Plan).where(Plan.code.in_(
        [code for code, _, _ in PLAN_FILES.values()]))) == len(PLAN_FILES)


def test_every_commune_has_tasks_4_3_to_4_5_led_by_its_van_phong(session):
    communes = session.scalars(select(Unit).where(Unit.kind != "city")).all()
    assert len(communes) == 114
    for unit in communes:
        tasks = effective_catalogue(session, unit)
        by_code = {t.code: t for t in tasks}
        assert all(by_code[c].lead_offices[0] == "van_phong" for c in CORE), unit.name
        # Inherited tasks are led by offices the commune really has, so they can be routed.
        offices = {o.code for o in unit.offices}
        assert all(set(t.lead_offices) <= offices for t in tasks if t.source == "city"), unit.name


# --- issue 20: merged by meaning, curated leads and sources ----------------------------------------------------

def test_cat_hai_has_one_friendly_government_task_and_the_citys_housing_task(catalogue_session):
    sync_catalogues(catalogue_session)
    tasks = effective_catalogue(catalogue_session, _unit(catalogue_session, "11914"))
    friendly = [t for t in tasks if "chinh quyen than thien" in fold(t.title)]
    assert [(t.code, t.source) for t in friendly] == [("2.2", "unit")]
    housing = [t for t in tasks if "nha o xa hoi" in fold(t.title)]
    assert [(t.code, t.source, t.plan_code, t.lead_offices) for t in housing] == \
        [("2.2", "city", "hai-phong-2026", ["phong_kinh_te"])]
    # Every subject once: no city task repeats one the unit's plan already has.
    from service.domain.routing.subjects import subjects_of
    seen = [s for t in tasks for s in subjects_of(t.title) if t.source == "city"]
    own = {s for t in tasks if t.source == "unit" for s in subjects_of(t.title)}
    assert not set(seen) & own


def test_the_same_number_in_two_plans_is_not_the_same_task():
    from service.domain.routing.subjects import same_task
    city_housing = "Thực hiện công tác dân vận gắn với thực hiện hiệu quả các Nghị quyết về phát triển nhà ở, nhà ở xã hội"
    cat_hai_friendly = "Rà soát, hoàn thiện bộ tiêu chí “Chính quyền thân thiện” ở cấp xã"
    city_friendly = "Ban hành kế hoạch triển khai thực hiện mô hình “Chính quyền thân thiện” ở cấp xã."
    assert not same_task(city_housing, cat_hai_friendly)
    assert same_task(city_friendly, cat_hai_friendly)
    assert same_task("Chính quyen than thien", "CHÍNH QUYỀN THÂN THIỆN")  # diacritics and case ignored
    assert not same_task("Tổ chức hội nghị", "Tổ chức hội nghị")  # no subject: never taken for another


def test_nam_do_son_follows_the_citys_commune_lead_where_its_plan_names_no_office(catalogue_session):
    sync_catalogues(catalogue_session)
    tasks = {t.code: t for t in effective_catalogue(catalogue_session, _unit(catalogue_session, "11737"))
             if t.source == "unit"}
    for code in ("2.4", "5.1", "5.2"):
        assert tasks[code].lead_offices == ["phong_vhxh"], code
    city = {t.code: t for t in catalogue_session.scalars(
        select(CatalogueTask).join(Plan).where(Plan.code == "hai-phong-2026"))}
    assert city["2.6"].commune_lead_offices == city["5.1"].commune_lead_offices == ["phong_vhxh"]


def test_kim_thanh_tasks_from_the_city_list_say_where_they_come_from(catalogue_session):
    sync_catalogues(catalogue_session)
    rows = {t.code: t for t in catalogue_session.scalars(
        select(CatalogueTask).join(Plan).where(Plan.code == "kim-thanh-2025-h2"))}
    for code in ("4.4", "4.5"):
        assert "3177/QĐ-UBND" in rows[code].source
    assert rows["4.3"].source is None
    tasks = {t.code: t for t in effective_catalogue(catalogue_session, _unit(catalogue_session, "10804"))}
    assert "3177/QĐ-UBND" in tasks["4.4"].origin and tasks["4.4"].source == "unit"
