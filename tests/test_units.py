"""责任单位: add, edit, rename with aliases, retire, merge, groups, Excel import."""

import re

import openpyxl
import pytest

from core import framework, units
from core.errors import AppError
from district import load_district


@pytest.fixture
def district(db):
    return load_district(db)


def test_create_and_find_by_name_short_name_and_alias(db):
    uid = units.create_unit(db, {"name": "区城管局", "short_name": "城管局", "kind": "政府部门"})
    res = units.resolver(db)
    assert res.lookup("区城管局") == ("unit", uid)
    assert res.lookup("城管局") == ("unit", uid)
    units.rename_unit(db, uid, "区城市管理综合执法局")
    res = units.resolver(db)
    assert res.lookup("区城管局") == ("unit", uid)  # the old name still resolves
    assert units.get_unit(db, uid)["name"] == "区城市管理综合执法局"


def test_duplicate_names_and_unknown_kind_are_refused(db):
    units.create_unit(db, {"name": "区民政局", "short_name": "民政局", "kind": "政府部门"})
    with pytest.raises(AppError, match="已被另一个单位使用"):
        units.create_unit(db, {"name": "民政局"})
    with pytest.raises(AppError, match="单位类别"):
        units.create_unit(db, {"name": "区某局", "kind": "外星机构"})
    with pytest.raises(AppError, match="不能为空"):
        units.create_unit(db, {"name": "  "})


def test_kind_is_inferred_from_the_name(db):
    a = units.create_unit(db, {"name": "城关街道办事处"})
    b = units.create_unit(db, {"name": "阿干镇"})
    c = units.create_unit(db, {"name": "区档案馆"})
    assert [units.get_unit(db, i)["kind"] for i in (a, b, c)] == ["街道", "乡镇", "其他"]


def test_editing_the_name_is_a_rename(db):
    uid = units.create_unit(db, {"name": "区文广局", "kind": "政府部门"})
    units.update_unit(db, uid, {"name": "区文旅局", "phone": "0931-1"})
    u = units.get_unit(db, uid)
    assert (u["name"], u["phone"]) == ("区文旅局", "0931-1")
    assert units.resolver(db).lookup("区文广局") == ("unit", uid)


def test_retired_unit_is_kept_and_hidden(district):
    uid = units.resolve_one(district, "区水务局")
    units.retire_unit(district, uid)
    assert all(u["id"] != uid for u in units.list_units(district))
    assert any(u["id"] == uid for u in units.list_units(district, include_retired=True))
    with pytest.raises(AppError, match="不能删除"):
        units.delete_unit(district, uid)  # the 分解表 refers to it


def test_merge_moves_assignments_and_keeps_names(district):
    db = district
    edition = framework.current_edition_id(db)
    src = units.resolve_one(db, "区行政审批局")
    dst = units.resolve_one(db, "区政务服务中心")
    before = {s["code"] for s in framework.unit_standards(db, src, edition)}
    assert before
    units.merge_units(db, [src], dst)
    after = {s["code"] for s in framework.unit_standards(db, dst, edition)}
    assert before <= after
    assert framework.unit_standards(db, src, edition) == []
    assert units.resolver(db).lookup("区行政审批局") == ("unit", dst)
    assert units.get_unit(db, src)["retired"] == 1
    assert units.get_unit(db, src)["merged_into"] == dst


def test_builtin_group_expands_to_every_street(district):
    db = district
    edition = framework.current_edition_id(db)
    streets = [u["id"] for u in units.list_units(db) if u["kind"] == "街道"]
    assert len(streets) == 4
    node = next(s for s in framework.standards(db, edition) if s["code"] == "5.1.2")
    assert node["lead"] == ["各街道办事处"]
    for sid in streets:
        assert "5.1.2" in {s["code"] for s in framework.unit_standards(db, sid, edition) if s["role"] == "lead"}
    # A street added later is covered too.
    new = units.create_unit(db, {"name": "新城街道办事处", "kind": "街道"})
    assert "5.1.2" in {s["code"] for s in framework.unit_standards(db, new, edition)}


def test_custom_group(district):
    db = district
    a, b = units.resolve_one(db, "区教育局"), units.resolve_one(db, "区卫健委")
    gid = units.save_group(db, "各学校主管部门", [a, b])
    assert units.group_member_ids(db, gid) == [a, b]
    assert units.resolver(db).lookup("各学校主管部门") == ("group", gid)
    with pytest.raises(AppError):
        units.save_group(db, "区教育局", [a])  # a unit's name
    with pytest.raises(AppError, match="内置"):
        units.delete_group(db, units.resolver(db).lookup("各街道")[1])


def _write_units(path, header, rows, title=None):
    wb = openpyxl.Workbook()
    ws = wb.active
    if title:
        ws.append([title])
    ws.append(header)
    for r in rows:
        ws.append(r)
    wb.save(path)


def test_import_sample_unit_list(db, samples):
    counts = units.import_units(db, samples / "责任单位_示例.xlsx")
    assert counts == {"created": 37, "updated": 0, "unchanged": 0}
    u = units.get_unit(db, units.resolve_one(db, "区公安分局交警大队"))
    assert (u["short_name"], u["kind"], u["liaison"], u["phone"]) == ("交警大队", "政府部门", "施雯", "0931-8123411")
    again = units.import_units(db, samples / "责任单位_示例.xlsx")
    assert again == {"created": 0, "updated": 0, "unchanged": 37}


def test_import_units_columns_in_any_order_with_variants(db, tmp_path):
    path = tmp_path / "u.xlsx"
    _write_units(path, ["联系人", "手机", "单位全称", "类别"],
                 [["张三", "13800000000", "区档案馆", "事业单位"], ["李四", "", "东岗街道", ""]],
                 title="2026年责任单位名单")
    assert units.import_units(db, path)["created"] == 2
    u = units.get_unit(db, units.resolve_one(db, "东岗街道"))
    assert (u["kind"], u["liaison"]) == ("街道", "李四")


def test_import_units_with_bad_kind_writes_nothing(db, tmp_path):
    path = tmp_path / "u.xlsx"
    _write_units(path, ["单位名称", "单位类别"], [["区档案馆", "事业单位"], ["区某某", "神秘部门"]])
    with pytest.raises(AppError) as err:
        units.import_units(db, path)
    assert err.value.problems[0].row == 3
    assert "神秘部门" in err.value.problems[0].message
    assert db.value("SELECT count(*) FROM units") == 0


def test_a_unit_others_were_merged_into_is_kept(db):
    old = units.create_unit(db, {"name": "区文广局", "kind": "政府部门"})
    new = units.create_unit(db, {"name": "区文旅局", "kind": "政府部门"})
    units.merge_units(db, [old], new)
    assert units.unit_reference_counts(db, new) == {"units": 1}
    with pytest.raises(AppError, match="不能删除"):
        units.delete_unit(db, new)
    assert units.get_unit(db, new)["name"] == "区文旅局"
    assert units.resolver(db).lookup("区文广局") == ("unit", new)


def test_list_filter_finds_former_names_and_takes_wildcards_literally(db, tmp_path):
    a = units.create_unit(db, {"name": "区文广局", "kind": "政府部门", "liaison": "周敏"})
    b = units.create_unit(db, {"name": "区100%服务中心", "kind": "事业单位"})
    c = units.create_unit(db, {"name": "区1000服务中心", "kind": "事业单位"})
    units.rename_unit(db, a, "区文旅局")
    assert [u["id"] for u in units.list_units(db, text="文广")] == [a]  # by its former name
    assert units.list_units(db, text="文广")[0]["aliases"] == "区文广局"
    assert [u["id"] for u in units.list_units(db, text="周敏")] == [a]
    assert [u["id"] for u in units.list_units(db, text="100%")] == [b]  # % is not a wildcard
    assert units.unit_names(db, [c, a, 999]) == ["区1000服务中心", "区文旅局"]
    units.retire_unit(db, c)
    assert [u["id"] for u in units.list_units(db, text="服务中心")] == [b]
    assert [u["id"] for u in units.list_units(db, include_retired=True, text="服务中心")] == [b, c]
    out = tmp_path / "units.xlsx"
    units.export_units(db, out)
    assert units.import_units(db, out) == {"created": 0, "updated": 0, "unchanged": 2}


def test_groups_list_their_members_and_a_used_group_is_kept(district):
    db = district
    groups = {g["name"]: g for g in units.list_groups(db)}
    streets = [u["id"] for u in units.list_units(db) if u["kind"] == "街道"]
    assert groups["各街道办事处"]["member_ids"] == streets and groups["各街道办事处"]["builtin"] == 1
    windows = groups["各窗口单位"]
    assert windows["member_ids"] and not windows["unit_kind"]
    std = next(s for s in framework.standards(db, framework.current_edition_id(db)) if s["code"] == "6.1.2")
    framework.save_standard(db, std["id"], {}, ["各窗口单位"], [])
    with pytest.raises(AppError, match="被引用 1 处"):
        units.delete_group(db, windows["id"])
    framework.save_standard(db, std["id"], {}, ["区水务局"], [])
    units.delete_group(db, windows["id"])
    assert "各窗口单位" not in {g["name"] for g in units.list_groups(db)}


def test_a_unit_saved_from_a_form_read_before_someone_elses_save_is_refused_with_who_and_when(db):
    from core.errors import EditConflict

    uid = units.create_unit(db, {"name": "区城管局", "kind": "政府部门"})
    read_at = units.get_unit(db, uid)["version"]
    units.update_unit(db, uid, {"liaison": "张三"}, expected_version=read_at)  # the first save
    aliases = db.value("SELECT count(*) FROM unit_aliases WHERE unit_id = :id", {"id": uid})
    with pytest.raises(EditConflict) as refused:  # the second form, read at the same version
        units.update_unit(db, uid, {"name": "区城市管理局", "liaison": "李四"}, expected_version=read_at)
    assert refused.value.who == db.operator and refused.value.when
    assert f"已被{db.operator}于 " in refused.value.message_zh
    unit = units.get_unit(db, uid)
    assert (unit["name"], unit["liaison"]) == ("区城管局", "张三")  # nothing of the refused save, no rename
    assert db.value("SELECT count(*) FROM unit_aliases WHERE unit_id = :id", {"id": uid}) == aliases
    units.update_unit(db, uid, {"liaison": "李四"}, expected_version=unit["version"])  # after reloading
    assert units.get_unit(db, uid)["liaison"] == "李四"


def test_delete_refusal_names_the_referring_records_in_chinese(demo_db):
    db = demo_db
    uid = units.resolve_one(db, "区公安分局")
    with pytest.raises(AppError) as refused:
        units.delete_unit(db, uid)
    message = str(refused.value)
    assert "已被其他记录引用（责任分工 5 条、" in message
    assert "责任书 1 条" in message and "档案材料 4 条" in message
    assert re.findall(r"[A-Za-z_]{2,}", message) == []


def test_the_district_unit_list_exported_imports_back_unchanged(district, tmp_path):
    db = district
    out = tmp_path / "units.xlsx"
    units.export_units(db, out)
    from core.xlsx.units_io import EXPORT_KEYS

    before = [{k: u[k] for k in EXPORT_KEYS} for u in units.list_units(db)]
    result = units.import_units(db, out)
    assert result["created"] == 0 and result["updated"] == 0 and result["unchanged"] == len(before)
    after = [{k: u[k] for k in EXPORT_KEYS} for u in units.list_units(db)]
    assert after == before
