"""测评体系: the tree, totals, editing, moving, deleting safely, editions and copying a year."""

import pytest

from core import framework, units
from core.errors import AppError
from district import load_district


@pytest.fixture
def district(db):
    return load_district(db)


def _std(db, code):
    edition = framework.current_edition_id(db)
    return next(s for s in framework.standards(db, edition, include_retired=True) if s["code"] == code)


def test_demo_tree_and_totals(district):
    db = district
    edition = framework.current_edition_id(db)
    nodes = framework.tree_rows(db, edition)
    cats = [n for n in nodes if n["level"] == 1]
    assert cats[0]["title"] == "一、廉洁高效的政务环境"
    assert cats[0]["standard_count"] == 5
    assert cats[0]["total_points"] == pytest.approx(1.5 + 1.5 + 2 + 1.5 + 2)
    totals = framework.edition_totals(db, edition)
    assert totals["standards"] == 43
    assert totals["points"] == pytest.approx(sum(n["points"] or 0 for n in nodes if n["level"] == 3))


def test_codes_are_text(district):
    db = district
    edition = framework.current_edition_id(db)
    ind = next(n for n in framework.tree_rows(db, edition) if n["level"] == 2)
    a = framework.add_node(db, edition, ind["id"], {"code": "1.1", "title": "甲"})
    b = framework.add_node(db, edition, ind["id"], {"code": "1.10", "title": "乙"})
    assert framework.get_node(db, a)["code"] == "1.1"
    assert framework.get_node(db, b)["code"] == "1.10"
    with pytest.raises(AppError, match="不能重复"):
        framework.add_node(db, edition, ind["id"], {"code": "1.10", "title": "丙"})


def test_filters(district):
    db = district
    edition = framework.current_edition_id(db)
    codes = lambda ids: {n["code"] for n in framework.tree_rows(db, edition) if n["level"] == 3 and n["id"] in ids}
    assert codes(framework.filter_node_ids(db, edition, text="斑马线")) == {"5.2.1"}
    unit = units.resolve_one(db, "区水务局")
    assert codes(framework.filter_node_ids(db, edition, unit_id=unit)) == {"6.1.2"}
    survey = codes(framework.filter_node_ids(db, edition, method="问卷调查"))
    assert "7.2.2" in survey and "1.1.1" not in survey
    assert codes(framework.filter_node_ids(db, edition, working_group="文明交通组")) == {"5.2.1", "5.2.2", "5.2.3"}
    ids = framework.filter_node_ids(db, edition, text="斑马线")
    std = _std(db, "5.2.1")
    assert std["indicator_id"] in ids and std["category_id"] in ids  # ancestors kept for the tree
    assert framework.filter_node_ids(db, edition) is None


def test_save_standard_edits_fields_and_units_in_one_step(district):
    db = district
    std = _std(db, "5.2.1")
    framework.save_standard(db, std["id"], {"title": "机动车礼让行人", "methods": ["实地考察", "问卷调查"],
                                            "points": "2.5", "deadline": "2026-06-30", "negative": False},
                            ["区公安分局交警大队"], ["区交通运输局", "各街道"])
    std = _std(db, "5.2.1")
    assert (std["title"], std["methods"], std["points"]) == ("机动车礼让行人", "实地考察、问卷调查", 2.5)
    assert std["lead"] == ["区公安分局交警大队"] and std["support"] == ["区交通运输局", "各街道"]
    with pytest.raises(AppError, match="不是已登记的单位"):
        framework.save_standard(db, std["id"], {"title": "改坏了"}, ["不存在的局"], [])
    assert _std(db, "5.2.1")["title"] == "机动车礼让行人"  # nothing written


def test_a_standard_whose_units_a_colleague_changed_since_is_refused(district):
    from core.errors import EditConflict

    db = district
    std = _std(db, "5.2.1")
    read_at = framework.get_node(db, std["id"])["version"]
    framework.save_standard(db, std["id"], {}, ["区公安分局交警大队"], ["区交通运输局"],  # only the units change
                            expected_version=read_at)
    with pytest.raises(EditConflict):  # a form read before that save
        framework.save_standard(db, std["id"], {}, ["区水务局"], [], expected_version=read_at)
    assert _std(db, "5.2.1")["lead"] == ["区公安分局交警大队"]


def test_unit_summary_points_at_stake(district):
    db = district
    edition = framework.current_edition_id(db)
    row = next(r for r in framework.unit_summary(db, edition) if r["name"] == "区水务局")
    assert (row["lead_count"], row["support_count"], row["points"]) == (1, 0, 1.0)
    street = next(r for r in framework.unit_summary(db, edition) if r["name"] == "城关街道办事处")
    assert street["lead_count"] == 1  # 5.1.2 through the group 各街道办事处
    assert street["support_count"] >= 10


def test_standards_without_lead(district):
    db = district
    std = _std(db, "6.1.2")
    framework.save_standard(db, std["id"], {}, [], ["区水务局"])
    assert [s["code"] for s in framework.standards_without_lead(db, framework.current_edition_id(db))] == ["6.1.2"]


def test_move_and_reorder(district):
    db = district
    std = _std(db, "1.1.1")
    target = _std(db, "1.2.1")["indicator_id"]
    framework.move_node(db, std["id"], target, 0)
    moved = _std(db, "1.1.1")
    assert moved["indicator_id"] == target
    edition = framework.current_edition_id(db)
    siblings = [s["code"] for s in framework.standards(db, edition) if s["indicator_id"] == target]
    assert siblings[0] == "1.1.1"
    with pytest.raises(AppError):
        framework.move_node(db, std["id"], moved["category_id"])  # a standard cannot sit under a category


def test_delete_subtree_with_assignments(district):
    db = district
    edition = framework.current_edition_id(db)
    cat = framework.add_node(db, edition, None, {"title": "九、临时项目"})
    ind = framework.add_node(db, edition, cat, {"title": "临时内容"})
    ids = [framework.add_node(db, edition, ind, {"code": f"9.1.{i}", "title": "临时标准"}) for i in (1, 2)]
    for node_id in ids:
        framework.save_standard(db, node_id, {}, ["区水务局"], ["各街道"])
    impact = framework.delete_impact(db, ind)
    assert impact["standards"] == 2 and impact["assignments"] == 4 and impact["references"] == {}
    framework.delete_node(db, ind)
    assert db.value("SELECT count(*) FROM framework_nodes WHERE code IN ('9.1.1', '9.1.2')") == 0
    assert db.value("SELECT count(*) FROM assignments WHERE node_id IN (:a, :b)", {"a": ids[0], "b": ids[1]}) == 0
    assert framework.get_node(db, cat)["title"] == "九、临时项目"


def test_delete_refused_when_other_records_refer(district):
    db = district
    db.execute("CREATE TABLE materials_probe (node_id BIGINT REFERENCES framework_nodes (id))")
    std = _std(db, "4.1.1")
    db.execute("INSERT INTO materials_probe (node_id) VALUES (:node)", {"node": std["id"]})
    with pytest.raises(AppError, match="停用"):
        framework.delete_node(db, std["category_id"])
    assert _std(db, "4.1.1")["id"] == std["id"]
    framework.retire_node(db, std["id"])
    assert _std(db, "4.1.1")["retired"] == 1


def test_copy_edition_links_standards_by_origin(district):
    db = district
    src = framework.current_edition_id(db)
    new = framework.copy_edition(db, src, "2027年度")
    assert framework.get_edition(db, new)["year"] == 2027
    old_std, new_std = _std(db, "5.1.2"), next(s for s in framework.standards(db, new) if s["code"] == "5.1.2")
    assert new_std["origin_id"] == old_std["id"]
    assert new_std["lead"] == ["各街道办事处"]
    assert framework.edition_totals(db, new) == framework.edition_totals(db, src)
    assert framework.current_edition_id(db) == src  # copying does not switch the current edition
    with pytest.raises(AppError, match="已有名为"):
        framework.copy_edition(db, src, "2027年度")


def test_first_edition_becomes_current_and_resolve(db):
    assert framework.current_edition_id(db) is None
    with pytest.raises(AppError, match="还没有"):
        framework.resolve_edition(db)
    e = framework.create_edition(db, "2026年度")
    assert framework.current_edition_id(db) == e
    framework.create_edition(db, "2027年度")
    assert framework.current_edition_id(db) == e
    assert framework.resolve_edition(db, "2027年度") != e
    with pytest.raises(AppError, match="找不到"):
        framework.resolve_edition(db, "1999年度")


def test_delete_edition(district):
    db = district
    src = framework.current_edition_id(db)
    new = framework.copy_edition(db, src, "2027年度")
    framework.set_current_edition(db, new)
    framework.delete_edition(db, new)
    assert framework.current_edition_id(db) == src  # the current edition falls back to another one
    assert all(e["id"] != new for e in framework.list_editions(db))


def test_delete_edition_refused_while_other_records_refer(district):
    db = district
    db.execute("CREATE TABLE rounds_probe (edition_id BIGINT REFERENCES editions (id))")
    src = framework.current_edition_id(db)
    db.execute("INSERT INTO rounds_probe (edition_id) VALUES (:edition)", {"edition": src})
    with pytest.raises(AppError, match="不能删除"):
        framework.delete_edition(db, src)
    assert framework.edition_totals(db, src)["standards"] == 43


def test_a_group_that_stands_for_no_unit_leads_nothing(district):
    db = district
    edition = framework.current_edition_id(db)
    empty = units.save_group(db, "各社区（待定）", [])
    std = _std(db, "6.1.2")
    framework.save_standard(db, std["id"], {}, ["各社区（待定）"], [])
    assert _std(db, "6.1.2")["lead"] == ["各社区（待定）"]  # shown as written
    # …but nobody leads it: the tree, the list and the count agree
    assert [s["code"] for s in framework.standards_without_lead(db, edition)] == ["6.1.2"]
    assert framework.count_without_lead(db, edition) == 1
    assert framework.filter_node_ids(db, edition, no_lead=True) >= {std["id"]}
    units.save_group(db, "各社区（待定）", [units.resolve_one(db, "区水务局")], group_id=empty)
    assert framework.count_without_lead(db, edition) == 0
    assert framework.standards_without_lead(db, edition) == []


def test_editions_are_listed_renamed_and_counted(district):
    db = district
    src = framework.current_edition_id(db)
    new = framework.copy_edition(db, src, "2027年度")
    framework.update_edition(db, new, "2027年度（征求意见稿）", 2027, "全国文明城市测评体系（2027年版）")
    listed = {e["name"]: e for e in framework.list_editions(db)}
    assert listed["2027年度（征求意见稿）"]["standard_count"] == listed["2026年度"]["standard_count"] == 43
    assert listed["2026年度"]["current"] and not listed["2027年度（征求意见稿）"]["current"]
    with pytest.raises(AppError, match="已有名为"):
        framework.update_edition(db, new, "2026年度", 2027)
    assert framework.edition_references(db, new) == {}
    assert framework.edition_references(db, src)["letter_status"] > 0  # the demo's letters were generated from it
