"""专项推进组 as groups: the schema step that turns the texts into groups, the 分解表 import naming
a new group, a group's 组长 and members (and a unit merge), what its standards show, and 通报 and
失分统计 per group — in core, on the command line and on the 推进组 page."""

import datetime as dt

import openpyxl
import pytest

from core import audit, framework, groups, materials, scoring, settings, supervision, units
from core.errors import AppError
from conftest import ledger_args
from test_supervision_io import run_cli

# --- the schema step ---------------------------------------------------------------------------


def _undo_m017(store) -> None:
    """The server's ledger as the release before m017 left it (the step is then applied again)."""
    store.execute("ALTER TABLE framework_nodes DROP COLUMN working_group_id")
    store.execute("DROP TABLE working_group_units")
    store.execute("DROP TABLE working_groups")
    store.execute("ALTER TABLE framework_nodes ADD COLUMN working_group TEXT NOT NULL DEFAULT ''")
    store.execute("DELETE FROM schema_migrations WHERE name = 'm017_working_groups'")


def _fill_old(store) -> None:
    """Standards carrying their 推进组 as text, and the office's word list of groups."""
    store.execute("INSERT INTO vocab (kind, value, position) VALUES ('working_group', '市容环境组', 1),"
                  " ('working_group', '综合协调组', 2)")
    edition = store.insert("editions", {"name": "2026年度", "year": 2026, "created_at": "2026-01-05 09:00:00"})
    cat = store.insert("framework_nodes", {"edition_id": edition, "level": 1, "title": "市容环境"})
    ind = store.insert("framework_nodes", {"edition_id": edition, "parent_id": cat, "level": 2, "title": "街容街貌"})
    for i, group in enumerate(["市容环境组", " 新闻宣传组", "", "市容环境组"], 1):
        store.insert("framework_nodes", {"edition_id": edition, "parent_id": ind, "level": 3, "position": i,
                                         "code": f"1.1.{i}", "title": f"标准{i}", "working_group": group})
    store.execute("INSERT INTO settings (key, value) VALUES ('current_edition_id', :id)", {"id": str(edition)})


@pytest.fixture
def migrated(db, tmp_path):
    """A ledger written before m017, then opened by this program."""
    if db.engine == "sqlite":
        from core.db import connect, open_db
        from core.migrations import migrations
        from core.store.sqlite import SqliteStore

        path = tmp_path / "old.db"
        raw = connect(path)
        migrations.apply(raw, stop_before="m017_working_groups")
        old = SqliteStore(raw, path, "测试员")
        with old.write():
            _fill_old(old)
        raw.conn.close()
        store = open_db(path, backup_dir=tmp_path / "backups")
        yield store
        store.conn.close()
        return
    from core import migrations_postgres

    with db.write():
        _undo_m017(db)
        _fill_old(db)
    assert migrations_postgres.upgrade(db) == ["m017_working_groups"]
    yield db


def test_m017_makes_every_group_text_a_group_and_links_its_standards(migrated):
    db = migrated
    assert framework.group_names(db) == ["市容环境组", "综合协调组", "新闻宣传组"]
    edition = framework.edition_id_by_name(db, "2026年度")
    named = {s["code"]: s["working_group"] for s in framework.standards(db, edition)}
    assert named == {"1.1.1": "市容环境组", "1.1.2": "新闻宣传组", "1.1.3": "", "1.1.4": "市容环境组"}
    # one truth: the text column and the word list are gone, the standard points at its group
    columns = db.rows("SELECT * FROM framework_nodes WHERE code = '1.1.1'")[0]
    assert "working_group" not in columns and columns["working_group_id"] == framework.group_id_by_name(db, "市容环境组")
    assert db.value("SELECT count(*) FROM vocab WHERE kind = 'working_group'") == 0
    assert _codes(db, framework.filter_node_ids(db, edition, working_group="市容环境组")) == {"1.1.1", "1.1.4"}


def _codes(db, ids) -> set[str]:
    return {n["code"] for n in framework.tree_rows(db, framework.edition_id_by_name(db, "2026年度"))
            if n["id"] in ids and n["level"] == framework.STANDARD}


# --- the 分解表 import -----------------------------------------------------------------------------

def _framework_file(path, groups_named):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["标准编号", "测评项目", "测评内容", "测评标准", "牵头单位", "专项推进组"])
    for i, group in enumerate(groups_named, 1):
        ws.append([f"1.1.{i}", "市容环境", "街容街貌", f"标准{i}", "区城管局", group])
    wb.save(path)
    return path


@pytest.fixture
def city(db):
    for name in ("区城管局", "区住建局", "区交通运输局"):
        units.create_unit(db, {"name": name, "kind": "政府部门"})
    for name in ("市容环境组", "宣传氛围组", "文明交通组", "诚信建设组"):
        groups.add_group(db, {"name": name})
    return db


def test_a_new_ledger_has_no_groups_and_offers_the_usual_names(db):
    assert framework.group_names(db) == []
    assert framework.group_suggestions(db) == settings.WORKING_GROUPS


def test_an_import_naming_an_unknown_group_creates_it_and_says_so(city, tmp_path):
    db = city
    path = _framework_file(tmp_path / "分解表.xlsx", ["市容环境组", "新闻宣传组", "新闻宣传组", ""])
    report = framework.import_framework(db, path)
    assert report["created_groups"] == ["新闻宣传组"]
    std = {s["code"]: s["working_group"] for s in framework.standards(db, report["edition_id"])}
    assert std == {"1.1.1": "市容环境组", "1.1.2": "新闻宣传组", "1.1.3": "新闻宣传组", "1.1.4": ""}
    assert [e["summary"] for e in audit.history(db, "working_groups", framework.group_id_by_name(db, "新闻宣传组"))] \
        == ["新闻宣传组"]
    again = framework.import_framework(db, path)
    assert again["created_groups"] == [] and again["unchanged"] == 4


def test_the_command_line_import_names_the_new_group(city, data_dir, tmp_path):
    path = _framework_file(tmp_path / "分解表.xlsx", ["新闻宣传组"])
    out = run_cli(ledger_args(city, data_dir), "import-framework", str(path))
    assert out.returncode == 0, out.stderr
    assert "新建专项推进组：新闻宣传组" in out.stdout
    assert "新闻宣传组" in framework.group_names(city)


def test_a_standard_given_a_new_group_name_in_the_form_creates_the_group(city, tmp_path):
    db = city
    report = framework.import_framework(db, _framework_file(tmp_path / "分解表.xlsx", ["市容环境组"]))
    node = framework.standards(db, report["edition_id"])[0]
    framework.update_node(db, node["id"], {"working_group": "  交通秩序组 "})
    assert framework.get_node(db, node["id"])["working_group"] == "交通秩序组"
    assert "交通秩序组" in framework.group_names(db)
    edits = audit.history(db, "framework_nodes", node["id"])
    assert "交通秩序组" in edits[-1]["after_text"] and "市容环境组" in edits[-1]["before_text"]


# --- a group's 组长 and members ---------------------------------------------------------------------

def test_a_group_has_a_leader_a_lead_unit_and_members_and_its_history_names_them(city):
    db = city
    cg, zj, jt = (units.resolve_one(db, n) for n in ("区城管局", "区住建局", "区交通运输局"))
    group_id = framework.group_id_by_name(db, "市容环境组")
    groups.save_group(db, group_id, {"leader": "张明（副区长）", "lead_unit_id": cg}, [zj, jt, zj])
    g = groups.get_group(db, group_id)
    assert (g["leader"], g["lead_unit_name"], g["member_names"]) == ("张明（副区长）", "区城管局", ["区住建局", "区交通运输局"])
    texts = " ".join(e["after_text"] for e in audit.history(db, "working_groups", group_id))
    assert "组长：张明（副区长）" in texts and "区城管局" in texts and "区交通运输局" in texts
    with pytest.raises(AppError, match="已有名为“宣传氛围组”的专项推进组"):
        groups.save_group(db, group_id, {"name": "宣传氛围组"}, [cg])
    assert groups.get_group(db, group_id)["member_ids"] == [zj, jt]  # the refused save changed nothing


def test_a_group_with_standards_cannot_be_deleted(city, tmp_path):
    db = city
    framework.import_framework(db, _framework_file(tmp_path / "分解表.xlsx", ["市容环境组"]))
    with pytest.raises(AppError, match="还负责 1 条测评标准"):
        groups.delete_group(db, framework.group_id_by_name(db, "市容环境组"))
    empty = framework.group_id_by_name(db, "诚信建设组")
    groups.delete_group(db, empty)
    assert "诚信建设组" not in framework.group_names(db)


def test_merging_units_keeps_each_member_once_and_moves_the_lead(city):
    db = city
    cg, zj, jt = (units.resolve_one(db, n) for n in ("区城管局", "区住建局", "区交通运输局"))
    both = framework.group_id_by_name(db, "市容环境组")
    one = framework.group_id_by_name(db, "文明交通组")
    groups.save_group(db, both, {"lead_unit_id": zj}, [zj, cg, jt])
    groups.save_group(db, one, {}, [zj])
    units.merge_units(db, [zj], cg)
    assert groups.get_group(db, both)["member_ids"] == [cg, jt]
    assert groups.get_group(db, both)["lead_unit_id"] == cg
    assert groups.get_group(db, one)["member_ids"] == [cg]


# --- what a group's standards show --------------------------------------------------------------

def _group_of_standard(db, edition_id) -> dict[int, str]:
    return {s["id"]: s["working_group"] for s in framework.standards(db, edition_id)}


def test_a_groups_figures_are_its_standards_materials_findings_and_losses(demo_db):
    db = demo_db
    edition = framework.current_edition_id(db)
    group_of = _group_of_standard(db, edition)
    found = groups.overview(db, edition)
    latest = groups.last_round(db, edition)
    assert latest is not None and found["round"] == latest["name"]
    completeness = {g["name"]: g for g in materials.completeness(db, edition, "working_group")}
    open_findings: dict[str, int] = {}
    for f in supervision.list_findings(db)[0]:
        if f["status"] in supervision.OPEN and f["node_id"] in group_of:
            open_findings[group_of[f["node_id"]]] = open_findings.get(group_of[f["node_id"]], 0) + 1
    losses = {r["name"]: r["loss"] for r in scoring.report_by(db, latest["id"], scoring.BY_GROUP)}
    assert [g["name"] for g in found["groups"]] == framework.group_names(db)
    seen_any = False
    for g in found["groups"]:
        standards = groups.group_standards(db, g["id"], edition)
        assert g["standards"] == len(standards) == sum(1 for name in group_of.values() if name == g["name"])
        expected = completeness.get(g["name"], {"materials": 0, "approved": 0})
        assert (g["materials"], g["approved"]) == (expected["materials"], expected["approved"])
        assert g["open"] == open_findings.get(g["name"], 0) == sum(s["open"] for s in standards)
        assert g["loss"] == pytest.approx(losses.get(g["name"], 0.0))
        seen_any = seen_any or (g["materials"] and g["open"] and g["loss"])
    assert seen_any  # the demo district has a group with materials, open findings and losses


def test_the_loss_report_by_group_adds_up_the_lines_of_each_groups_standards(demo_db, data_dir, tmp_path):
    db = demo_db
    edition = framework.current_edition_id(db)
    latest = groups.last_round(db, edition)
    group_of = _group_of_standard(db, edition)
    expected: dict[str, float] = {}
    for line in scoring.lines(db, latest["id"]):
        name = group_of.get(line["node_id"]) or scoring.UNNAMED_GROUP
        expected[name] = expected.get(name, 0.0) + line["loss"]
    report = {r["name"]: r["loss"] for r in scoring.report_by(db, latest["id"], scoring.BY_GROUP)}
    assert report == pytest.approx(expected)
    out_path = tmp_path / "失分.xlsx"
    out = run_cli(ledger_args(db, data_dir), "loss-report", "--round", latest["name"], "--by", "group",
                  "--out", str(out_path))
    assert out.returncode == 0, out.stderr
    assert "按专项推进组" in out.stdout
    ws = openpyxl.load_workbook(out_path).worksheets[0]
    cells = [[c.value for c in row] for row in ws.iter_rows()]
    header = next(r for r in cells if "专项推进组" in r)
    column = header.index("专项推进组")
    named = {r[column] for r in cells[cells.index(header) + 1:] if r[column]}
    assert set(expected) <= named


def test_the_bulletin_ranks_groups_by_their_standards_findings(demo_db, data_dir, tmp_path):
    db = demo_db
    edition = framework.current_edition_id(db)
    group_of = _group_of_standard(db, edition)
    end = dt.date(2026, 11, 30)
    data = supervision.bulletin_data(db, dt.date(2026, 9, 1), end, today=end, by="group")
    assert data["ranked_by"] == "专项推进组"
    expected: dict[str, int] = {}
    for f in supervision.list_findings(db, today=end)[0]:
        if f["status"] in supervision.OPEN:
            name = group_of.get(f["node_id"]) or supervision.BULLETIN_NO_GROUP
            expected[name] = expected.get(name, 0) + 1
    assert {r["name"]: r["open"] for r in data["ranking"]} == expected
    assert sum(n for _, n in data["overdue_by_unit"]) == data["counts"]["overdue"]
    by_unit = supervision.bulletin_data(db, dt.date(2026, 9, 1), end, today=end)
    assert by_unit["counts"] == data["counts"] and by_unit["ranked_by"] == "责任单位"
    path = tmp_path / "通报.xlsx"
    out = run_cli(ledger_args(db, data_dir), "bulletin", "--from", "2026-09-01", "--to", "2026-11-30",
                  "--by", "group", "--out", str(path))
    assert out.returncode == 0, out.stderr
    ws = openpyxl.load_workbook(path)["推进组排名"]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    header = next(r for r in rows if "专项推进组" in r)
    listed = {r[1]: r[2] for r in rows[rows.index(header) + 1:] if r[1]}
    assert listed == expected


# --- the command line -----------------------------------------------------------------------------

def test_group_edit_and_groups_on_the_command_line(demo_db, data_dir):
    db = demo_db
    ledger = ledger_args(db, data_dir)
    out = run_cli(ledger, "group-edit", "市容环境组", "--leader", "张明（副区长）", "--lead-unit", "区城管局",
                  "--members", "区住建局、区交通运输局")
    assert out.returncode == 0, out.stderr
    assert "已保存专项推进组“市容环境组”：组长 张明（副区长）、区城管局，成员单位 2 个。" in out.stdout
    out = run_cli(ledger, "groups")
    assert out.returncode == 0, out.stderr
    line = next(x for x in out.stdout.splitlines() if x.startswith("市容环境组\t"))
    g = next(g for g in groups.overview(db, framework.current_edition_id(db))["groups"] if g["name"] == "市容环境组")
    assert "组长：张明（副区长）、区城管局" in line and "成员单位：区住建局、区交通运输局" in line
    assert f"标准 {g['standards']} 条" in line and f"未销号问题 {g['open']} 个" in line
    before = db.value("SELECT count(*) FROM audit_log")
    out = run_cli(ledger, "group-edit", "市容环境组", "--leader", "李四", "--members", "区城管局、没有这个局")
    assert out.returncode == 2 and "没有这个局" in out.stderr
    assert db.value("SELECT count(*) FROM audit_log") == before
    assert groups.get_group(db, framework.group_id_by_name(db, "市容环境组"))["leader"] == "张明（副区长）"


# --- the 推进组 page ------------------------------------------------------------------------------

def test_the_page_lists_the_groups_shows_a_groups_standards_and_edits_it(qtbot, window, demo_db, monkeypatch):
    from PySide6.QtCore import Qt

    from gui.views.groups.dialogs import GroupDialog
    from gui.widgets.locate import select_row_by_id

    page = window.show_page("groups")
    edition = framework.current_edition_id(demo_db)
    shown = [page.model.data(page.model.index(r, 0)) for r in range(page.model.rowCount())]
    assert shown == framework.group_names(demo_db)
    group_id = framework.group_id_by_name(demo_db, "平安建设组")
    assert select_row_by_id(page.table, group_id)
    codes_shown = [page.standard_model.data(page.standard_model.index(r, 0))
                   for r in range(page.standard_model.rowCount())]
    assert codes_shown == [s["code"] for s in groups.group_standards(demo_db, group_id, edition)] and codes_shown
    assert "平安建设组" in page.heading.text()
    unit = units.resolve_one(demo_db, "区公安分局")

    def fill_and_accept(dialog):
        dialog.leader.setText("王强（区委常委）")
        dialog.lead_unit.setCurrentIndex(dialog.lead_unit.findData(unit))
        for i in range(dialog.members.count()):
            item = dialog.members.item(i)
            item.setCheckState(Qt.Checked if item.text() in ("区公安分局", "区司法局") else Qt.Unchecked)
        return True

    monkeypatch.setattr(GroupDialog, "exec", fill_and_accept)
    page.edit_group()
    g = groups.get_group(demo_db, group_id)
    assert (g["leader"], g["lead_unit_name"]) == ("王强（区委常委）", "区公安分局")
    assert set(g["member_names"]) == {"区公安分局", "区司法局"}
    page.refresh_if_stale()
    row = next(r for r in range(page.model.rowCount()) if page.model.data(page.model.index(r, 0)) == "平安建设组")
    assert page.model.data(page.model.index(row, 1)) == "王强（区委常委）"
