"""档案材料 core: default checklist, status flow, completeness, health check, a new year."""

import pytest

from core import attachments, audit, clock, framework, materials, settings
from core.errors import AppError


def _edition(db):
    return framework.current_edition_id(db)


def _by(db, code, kind):
    return next(r for r in materials.checklist(db, _edition(db)) if r["code"] == code and r["kind"] == kind)


def _file(tmp_path, name="a.pdf", content=b"%PDF-1.4 x"):
    path = tmp_path / name
    path.write_bytes(content)
    return path


def test_default_checklist_covers_material_standards_and_rerun_adds_only_missing(demo_db):
    e = _edition(demo_db)
    data = materials.checklist(demo_db, e)
    needing = [s for s in framework.standards(demo_db, e) if materials.needs_materials(s["methods"])]
    assert len(data) == 4 * len(needing) == 76
    assert {r["kind"] for r in data} == set(materials.DEFAULT_KINDS)
    m = _by(demo_db, "1.1.2", "说明报告")
    assert m["unit_name"] == "区政府办公室"  # the lead unit by default
    field_only = {s["id"] for s in framework.standards(demo_db, e) if s["methods"] == "实地考察"}
    assert field_only and not any(r["node_id"] in field_only for r in data)
    materials.update_material(demo_db, m["id"], {"title": "改过的名称"})
    materials.remove_material(demo_db, _by(demo_db, "1.1.2", "统计表格")["id"])
    approved_before = _by(demo_db, "7.1.2", "规范性文件")
    assert materials.init_checklist(demo_db, e) == 0
    assert materials.get_material(demo_db, m["id"])["title"] == "改过的名称"
    assert _by(demo_db, "7.1.2", "规范性文件")["status"] == approved_before["status"] == "已归档"
    assert len(materials.checklist(demo_db, e)) == 75  # the removed one stays removed


def test_status_flow_follows_the_table_and_is_audited(demo_db, tmp_path):
    m = _by(demo_db, "6.1.1", "说明报告")
    with pytest.raises(AppError, match="还没有附件"):
        materials.change_status(demo_db, m["id"], "approve")
    with pytest.raises(AppError, match="不能归档"):
        materials.change_status(demo_db, m["id"], "archive", box=1)
    attachments.add_attachment(demo_db, materials.OWNER, m["id"], _file(tmp_path))
    assert materials.change_status(demo_db, m["id"], "submit") == "已提交"
    with pytest.raises(AppError, match="审核意见"):
        materials.change_status(demo_db, m["id"], "request", comment="  ")
    assert materials.change_status(demo_db, m["id"], "request", comment="缺少公章") == "需补充"
    assert materials.get_material(demo_db, m["id"])["comment"] == "缺少公章"
    materials.change_status(demo_db, m["id"], "submit")
    materials.change_status(demo_db, m["id"], "approve")
    with pytest.raises(AppError, match="第 1 盒第 1 件已是"):
        materials.change_status(demo_db, m["id"], "archive", box=1, item=1)
    materials.change_status(demo_db, m["id"], "archive", box=1, pages=3)
    got = materials.get_material(demo_db, m["id"])
    assert (got["status"], got["box"], got["item"], got["pages"]) == ("已归档", 1, 5, 3)
    actions = [h["action"] for h in audit.history(demo_db, "materials", m["id"])]
    assert actions == ["添加附件", "提交", "需补充", "提交", "审核通过", "归档"]
    assert materials.allowed_actions("已归档") == ["unarchive"]


def test_removing_a_material_keeps_its_files(demo_db):
    m = _by(demo_db, "1.1.1", "实景图片")
    shas = [a["sha256"] for a in materials.files_of(demo_db, m["id"])]
    materials.remove_material(demo_db, m["id"])
    assert len(materials.files_of(demo_db, m["id"])) == 2
    assert all(attachments.stored_path(demo_db, s).exists() for s in shas)
    with pytest.raises(AppError, match="找不到"):
        materials.update_material(demo_db, m["id"], {"title": "x"})


def test_filters_combine(demo_db):
    e = _edition(demo_db)
    data = materials.checklist(demo_db, e)
    f = materials.filter_rows
    assert len(f(data, materials.MaterialFilter(kind="实景图片"))) == 19
    assert {r["status"] for r in f(data, materials.MaterialFilter(status="已归档"))} == {"已归档"}
    unit = next(u for u in materials.filter_choices(demo_db, e)["units"] if u["name"] == "区文明办")
    mine = f(data, materials.MaterialFilter(unit_id=unit["id"], kind="规范性文件"))
    assert mine and all(r["unit_name"] == "区文明办" and r["kind"] == "规范性文件" for r in mine)
    assert [r["code"] for r in f(data, materials.MaterialFilter(text="征求意见稿"))] == ["1.1.2"]
    overdue = f(data, materials.MaterialFilter(overdue=True))
    assert all(r["status"] in materials.OWING and r["due_on"] < clock.today().isoformat() for r in overdue)


def test_completeness_counts_archived_as_approved_and_points_only_when_all_approved(demo_db, tmp_path):
    e = _edition(demo_db)
    cat = next(c for c in materials.completeness(demo_db, e) if c["name"].startswith("七"))
    # 7.1.1 (1 of 4 approved), 7.1.2 (2 of 4), 7.1.3, 7.2.1: 16 materials, 3 archived
    assert (cat["materials"], cat["approved"], cat["covered_points"]) == (16, 3, 0)
    for m in materials.checklist(demo_db, e):
        if m["code"] == "7.1.3":
            attachments.add_attachment(demo_db, materials.OWNER, m["id"], _file(tmp_path))
            materials.change_status(demo_db, m["id"], "approve")
    cat = next(c for c in materials.completeness(demo_db, e) if c["name"].startswith("七"))
    points = demo_db.value("SELECT points FROM framework_nodes WHERE code = '7.1.3' AND edition_id = :edition",
                           {"edition": e})
    assert cat["covered_points"] == points and cat["approved"] == 7
    assert cat["points_share"] == pytest.approx(points / cat["points"])
    by_unit = materials.completeness(demo_db, e, "unit")
    assert sum(g["materials"] for g in by_unit) == 76
    assert materials.completeness(demo_db, e, "working_group")


def test_health_check_finds_every_kind_of_gap_including_a_tampered_file(demo_db, tmp_path):
    e = _edition(demo_db)
    m = _by(demo_db, "4.2.2", "统计表格")
    stored = attachments.stored_path(demo_db, materials.files_of(demo_db, m["id"])[0]["sha256"])
    stored.write_bytes(b"changed behind our back")
    materials.remove_material(demo_db, _by(demo_db, "8.1.1", "规范性文件")["id"])
    for kind in materials.DEFAULT_KINDS[1:]:
        materials.remove_material(demo_db, _by(demo_db, "8.1.1", kind)["id"])
    found = materials.health_check(demo_db, e)
    checks = {f["check"] for f in found}
    assert checks == set(materials.CHECKS)
    tampered = [f for f in found if f["check"] == "文件哈希不符"]
    assert [f["material_code"] for f in tampered] == [m["material_code"]]
    assert [f["code"] for f in found if f["check"] == "标准无材料"] == ["8.1.1"]
    out = tmp_path / "体检.xlsx"
    materials.export_health(out, found)
    from openpyxl import load_workbook

    sheet = load_workbook(out).active
    assert [c.value for c in sheet[1]][:3] == ["问题类型", "标准编号", "材料编号"]
    assert sheet.max_row == len(found) + 1


def test_review_progress_is_saved_and_order_follows_the_framework(demo_db):
    e = _edition(demo_db)
    order = materials.review_order(demo_db, e)
    codes = [materials.get_material(demo_db, i)["code"] for i in order[:5]]
    assert codes == ["1.1.1"] * 4 + ["1.1.2"]
    assert materials.review_position(demo_db, e) is None
    materials.save_review_position(demo_db, e, order[10])
    materials.save_review_position(demo_db, e, order[11])
    assert materials.review_position(demo_db, e) == order[11]
    item = materials.review_item(demo_db, order[2])
    assert item["kind"] == "实景图片" and all(f["is_image"] and f["path"].exists() for f in item["files"])


def test_the_review_walk_can_keep_to_what_waits_for_a_verdict(demo_db):
    e = _edition(demo_db)
    waiting = materials.review_order(demo_db, e, to_review_only=True)
    every = materials.review_order(demo_db, e)
    assert waiting == [i for i in every if materials.get_material(demo_db, i)["status"] in ("已提交", "需补充")
                       and materials.files_of(demo_db, i)]
    assert 0 < len(waiting) < len(every)
    pending_without_file = next(i for i in every if materials.get_material(demo_db, i)["status"] == "待提交")
    assert pending_without_file not in waiting


def test_a_new_year_carries_requirements_not_verdicts(demo_db):
    old = _edition(demo_db)
    new = framework.copy_edition(demo_db, old, "2027年度", 2027)
    added = materials.carry_forward(demo_db, old, new)
    assert added == 76
    assert materials.carry_forward(demo_db, old, new) == 0
    data = materials.checklist(demo_db, new)
    assert {r["status"] for r in data} == {"待提交"} and not any(r["file_count"] for r in data)
    archived = [r for r in data if r["code"] == "7.1.2" and r["kind"] == "规范性文件"][0]
    missing = [r for r in data if r["code"] == "1.1.2" and r["kind"] == "规范性文件"][0]
    assert archived["missing_last_year"] == 0 and missing["missing_last_year"] == 1
    assert archived["due_on"].startswith("2027-")
    assert materials.get_material(demo_db, archived["origin_id"])["edition_id"] == old
    assert materials.init_checklist(demo_db, new) == 0  # the default kinds came along


def test_add_material_and_bad_input(demo_db):
    node = demo_db.rows("SELECT id FROM framework_nodes WHERE code = '6.2.1'")[0]["id"]
    new_id = materials.add_material(demo_db, node, {"title": "  绿地统计  年报 ", "kind": "统计表格", "due_on": "2026.9.1"})
    got = materials.get_material(demo_db, new_id)
    assert (got["title"], got["due_on"], got["unit_name"]) == ("绿地统计 年报", "2026-09-01", "区城管局")
    with pytest.raises(AppError, match="材料类型"):
        materials.add_material(demo_db, node, {"title": "x", "kind": "视频"})
    with pytest.raises(AppError, match="不是有效的日期"):
        materials.update_material(demo_db, new_id, {"due_on": "下个月"})
    with pytest.raises(AppError, match="不能为空"):
        materials.update_material(demo_db, new_id, {"title": " "})
    assert materials.parse_code("cl000012") == 12 and materials.parse_code("12") == 12
    assert materials.parse_code("ABC") is None


def test_attachment_size_limit_refuses_before_copying(demo_db, tmp_path):
    settings.set(demo_db, "attachment_max_mb", 1)
    big = tmp_path / "big.pdf"
    with open(big, "wb") as f:
        f.truncate(2 * 1024 * 1024)  # sparse
    before = demo_db.value("SELECT count(*) FROM attachments")
    with pytest.raises(AppError, match="超过附件上限"):
        attachments.add_attachment(demo_db, materials.OWNER, _by(demo_db, "6.1.1", "说明报告")["id"], big)
    assert demo_db.value("SELECT count(*) FROM attachments") == before
    if demo_db.engine == "sqlite":  # nothing half-copied is left in the data folder's store
        assert not list(attachments.attachments_root(demo_db).glob(".incoming-*"))


def test_materials_init_logs_the_materials_it_created(tmp_path):
    import json
    import sqlite3

    from test_cli import run

    data = tmp_path / "d"
    assert run("demo", data=data).returncode == 0
    conn = sqlite3.connect(data / "chuangcheng.db")
    # A standard judged by 材料审核 that has no materials yet: the next run adds its four.
    conn.execute("UPDATE framework_nodes SET methods = '材料审核' WHERE code = '1.2.1'")
    conn.commit()
    r = run("--operator", "李娜", "materials-init", data=data)
    assert r.returncode == 0, r.stderr
    added = [row[0] for row in conn.execute("SELECT id FROM materials WHERE node_id ="
                                            " (SELECT id FROM framework_nodes WHERE code = '1.2.1') ORDER BY id")]
    operator, after = conn.execute("SELECT operator, after FROM audit_log WHERE action = '生成默认材料清单'"
                                   " ORDER BY id DESC").fetchone()
    assert len(added) == 4 and operator == "李娜"
    assert json.loads(after) == {"edition": "2026年度", "added": 4, "standards": 1,
                                 "materials": f"{materials.material_code(added[0])}–{materials.material_code(added[-1])}"}
    conn.close()


def test_overdue_follows_the_days_set_for_the_program(demo_db, monkeypatch):
    """CHUANGCHENG_TODAY (tests, demonstrations, the command line) decides what is overdue."""
    e = _edition(demo_db)
    monkeypatch.setenv("CHUANGCHENG_TODAY", "2026-01-05")
    assert not [r for r in materials.checklist(demo_db, e) if r["overdue"]]
    assert not [f for f in materials.health_check(demo_db, e, verify_files=False) if f["check"] == "已过截止日期"]
    monkeypatch.setenv("CHUANGCHENG_TODAY", "2027-01-05")
    late = [r for r in materials.checklist(demo_db, e) if r["overdue"]]
    assert late and {r["status"] for r in late} <= set(materials.OWING)
    assert len(late) == sum(1 for r in materials.checklist(demo_db, e) if r["status"] in materials.OWING)
    assert [f["material_code"] for f in materials.health_check(demo_db, e, verify_files=False)
            if f["check"] == "已过截止日期"] == [r["material_code"] for r in late]
