"""丢分分析: the arithmetic against hand-computed tables, the import's validation, comparison, trends."""

import openpyxl
import pytest

from core import audit, framework, settings, scoring, units
from core.errors import AppError

HEADERS_B = ["测评项目", "标准编号", "点位", "点位类型", "属地", "应得分", "实得分", "扣分", "责任单位", "问题描述"]

# The hand-computed case. Standards: 1.1.1 (lead 甲局), 1.1.2 (lead 各街道), 2.1.1 (lead 乙局),
# 9.1.1 (负面清单, lead 丁局). Lines:
#  r1 1.1.1 庆阳路 城关街道 1 / 0.5, names 甲局 and 乙局 (joint)
#  r2 1.1.1 东岗路 东岗街道 1 / 0.8 (扣分 0.2), names none → lead 甲局
#  r3 1.1.2 永昌巷 城关街道 1 / 1, names none → lead 各街道 narrowed to its 属地 城关街道
#  r4 2.1.1 路口 东岗街道 1 / 0.6, 丙局
#  r5 公共秩序 (not in the tree) 公交站 城关街道 0.5 / 0.3, names none, no standard → unattributed
#  r6 2.1.1 学校路口 东岗街道 1 / 0.7, 丙局
#  r7 9.1.1 负面清单 扣分 1, 丁局
CASE_ROWS = [
    ["市容环境", "1.1.1", "庆阳路", "主干道", "城关街道", 1, 0.5, None, "甲局、乙局", "路面垃圾"],
    ["市容环境", "1.1.1", "东岗路", "主干道", "东岗街道", 1, None, 0.2, None, "垃圾桶满溢"],
    ["市容环境", "1.1.2", "永昌巷", "背街小巷", "城关街道", 1, 1, None, None, None],
    ["文明交通", "2.1.1", "路口", "主要交通路口", "东岗街道", 1, 0.6, None, "丙局", "行人闯红灯"],
    ["公共秩序", None, "公交站", "公交站台", "城关街道", 0.5, 0.3, None, None, "排队秩序差"],
    ["文明交通", "2.1.1", "学校路口", "主要交通路口", "东岗街道", 1, 0.7, None, "丙局", "非机动车逆行"],
    ["负面清单", "9.1.1", None, None, None, None, None, 1, "丁局", "舆情处置不及时"],
]


def write_xlsx(path, headers, body, title=None):
    wb = openpyxl.Workbook()
    ws = wb.active
    if title:
        ws.append([title])
    ws.append(headers)
    for row in body:
        ws.append(row)
    wb.save(path)
    return path


@pytest.fixture
def case_db(db):
    """A small district made for hand computation."""
    ids = {name: units.create_unit(db, {"name": name, "kind": kind}) for name, kind in [
        ("甲局", "政府部门"), ("乙局", "政府部门"), ("丙局", "政府部门"), ("丁局", "政府部门"),
        ("城关街道", "街道"), ("东岗街道", "街道"), ("戊局", "政府部门")]}
    units.ensure_builtin_groups(db)
    edition = framework.create_edition(db, "测试版", 2026)
    res = units.resolver(db)

    def standard(parent, code, points, lead, negative=0):
        node = framework.add_node(db, edition, parent, {"code": code, "title": f"标准{code}", "points": points,
                                                        "negative": negative})
        framework.set_assignments(db, node, [res.lookup(lead)], [])

    for title, stds in [("一、市容环境", [("1.1.1", 2, "甲局"), ("1.1.2", 1, "各街道")]),
                        ("二、文明交通", [("2.1.1", 1, "乙局")]),
                        ("三、负面清单", [("9.1.1", None, "丁局", 1)])]:
        cat = framework.add_node(db, edition, None, {"title": title})
        ind = framework.add_node(db, edition, cat, {"title": title[2:] + "内容"})
        for s in stds:
            standard(ind, *s)
    db.ids = ids
    return db


@pytest.fixture
def case_round(case_db, tmp_path):
    path = write_xlsx(tmp_path / "r.xlsx", HEADERS_B, CASE_ROWS, title="2026年市测点位得分表")
    result = scoring.import_results(case_db, path, "2026年市测", held_on="2026-05-01")
    return result["round_id"]


def by_name(rows_):
    return {r["name"]: r for r in rows_}


def table(rows_, keys=("full", "score", "loss", "rank")):
    return {r["name"]: tuple(round(r[k], 6) if isinstance(r[k], float) else r[k] for k in keys) for r in rows_}


def test_import_form_b_stores_every_line(case_db, case_round):
    rnd = scoring.get_round(case_db, case_round)
    assert rnd["kind"] == "市测" and rnd["held_on"] == "2026-05-01"
    lines = scoring.lines(case_db, case_round)
    assert len(lines) == 7
    assert [ln["loss"] for ln in lines] == [0.5, 0.2, 0, 0.4, 0.2, 0.3, 1]
    assert lines[4]["category_name"] == "公共秩序" and lines[4]["node_id"] is None
    assert lines[0]["category_name"] == "一、市容环境"  # matched to the tree despite the numbering
    assert lines[6]["full_points"] == 0 and lines[6]["score"] == -1 and lines[6]["negative"] == 1
    assert lines[0]["unit_names"] == "甲局、乙局"
    assert audit.recent(case_db, 1)[0]["action"] == "导入测评成绩"


def test_by_unit_full_attribution_hand_computed(case_db, case_round):
    report = scoring.report_by_unit(case_db, case_round, split=False, locality=False)
    assert table(report) == {
        "城关街道": (1, 1, 0, 1),
        "甲局": (2, 1.3, 0.7, 2),   # r1 in full + r2 through the lead
        "丙局": (2, 1.3, 0.7, 2),   # tie with 甲局: both 2nd
        "乙局": (1, 0.5, 0.5, 4),   # rank skips to 4
        "丁局": (0, -1, 1, None),  # only a 负面清单 deduction: nothing at stake, no rank
        "东岗街道": (0, 0, 0, None),
        "戊局": (0, 0, 0, None),
    }
    assert [r["name"] for r in report][:4] == ["城关街道", "甲局", "丙局", "乙局"]
    assert report[4]["name"] == "丁局"  # unranked, the one that lost points first
    assert by_name(report)["甲局"]["rate"] == pytest.approx(0.65)
    missing = scoring.unattributed_losses(case_db, case_round, split=False, locality=False)
    assert [(m["site"], m["loss"]) for m in missing] == [("公交站", 0.2)]


def test_by_unit_split_equally_hand_computed(case_db, case_round):
    report = scoring.report_by_unit(case_db, case_round, split=True, locality=False)
    got = table(report, ("full", "score", "rank"))
    assert got["甲局"] == (1.5, 1.05, 2)  # half of r1 (0.5 / 0.25) + r2
    assert got["乙局"] == (0.5, 0.25, 4)
    assert got["丙局"] == (2, 1.3, 3)
    assert got["城关街道"] == (1, 1, 1)


def test_locality_accountable_hand_computed(case_db, case_round):
    report = scoring.report_by_unit(case_db, case_round, split=False, locality=True)
    got = table(report, ("full", "score", "loss"))
    assert got["城关街道"] == (2.5, 1.8, 0.7)  # r1, r3 and the otherwise unattributed r5
    assert got["东岗街道"] == (3, 2.1, 0.9)  # r2, r4, r6
    assert got["甲局"] == (2, 1.3, 0.7)
    assert scoring.unattributed_losses(case_db, case_round, split=False, locality=True) == []


def test_settings_choose_the_attribution(case_db, case_round):
    settings.set(case_db, "loss_split_equally", True)
    assert table(scoring.report_by_unit(case_db, case_round), ("full",))["甲局"] == (1.5,)
    settings.set(case_db, "loss_split_equally", False)
    assert table(scoring.report_by_unit(case_db, case_round), ("full",))["甲局"] == (2,)


def test_by_category_locality_site_type_and_top_standards(case_db, case_round):
    cats = table(scoring.report_by(case_db, case_round, "category"))
    assert cats == {"一、市容环境": (3, 2.3, 0.7, 1), "二、文明交通": (2, 1.3, 0.7, 2), "公共秩序": (0.5, 0.3, 0.2, 3),
                    "三、负面清单": (0, -1, 1, None)}
    places = table(scoring.report_by(case_db, case_round, "locality"))
    assert places == {"城关街道": (2.5, 1.8, 0.7, 1), "东岗街道": (3, 2.1, 0.9, 2),
                      scoring.UNNAMED_LOCALITY: (0, -1, 1, None)}
    types = table(scoring.report_by(case_db, case_round, "site-type"))
    assert types["主干道"] == (2, 1.3, 0.7, 2) and types["主要交通路口"] == (2, 1.3, 0.7, 2)
    assert types["背街小巷"] == (1, 1, 0, 1) and types["公交站台"][3] == 4
    top = scoring.top_standards(case_db, case_round)
    assert [(t["code"], t["loss"], t["loss_lines"]) for t in top] == [
        ("9.1.1", 1, 1), ("1.1.1", 0.7, 2), ("2.1.1", 0.7, 2), ("", 0.2, 1)]
    assert top[1]["reasons"] == "路面垃圾；垃圾桶满溢"


def test_unit_page_lists_every_loss_with_how(case_db, case_round):
    page = scoring.unit_losses(case_db, case_round, case_db.ids["甲局"], split=False, locality=False)
    assert [(p["site"], p["share_loss"], p["how"]) for p in page] == [("庆阳路", 0.5, "点名"), ("东岗路", 0.2, "牵头单位")]


@pytest.mark.parametrize("row, column, words", [
    (["市容环境", "1.1.1", "甲", "主干道", "城关街道", 1, "良好", None, "甲局", ""], "实得分", "不是有效的数字"),
    (["市容环境", "1.1.1", "甲", "主干道", "城关街道", 1, -0.5, None, "甲局", ""], "实得分", "不能为负数"),
    (["市容环境", "1.1.1", "甲", "主干道", "城关街道", 1, 1.5, None, "甲局", ""], "实得分", "大于满分"),
    (["市容环境", "1.1.1", "甲", "主干道", "城关街道", 1, 0.5, 0.3, "甲局", ""], "扣分", "不一致"),
    (["市容环境", "1.1.1", "甲", "主干道", "城关街道", 1, None, None, "甲局", ""], "实得分", "至少要填两项"),
    (["负面清单", "9.1.1", None, None, None, 5, None, 1, "丁局", ""], "应得分", "负面清单"),
    (["市容环境", "1.1.1", "甲", "主干道", "城关街道", 1, 0.5, None, "甲局、已局", ""], "责任单位", "未知的责任单位“已局”，是否是："),
    (["市容环境", "7.7.7", "甲", "主干道", "城关街道", 1, 0.5, None, "甲局", ""], "标准编号", "不在测评体系"),
    ([None, None, "甲", "主干道", "城关街道", 1, 0.5, None, "甲局", ""], "测评项目", "至少要填一项"),
])
def test_bad_rows_are_reported_and_nothing_written(case_db, tmp_path, row, column, words):
    good = CASE_ROWS[0]
    path = write_xlsx(tmp_path / "bad.xlsx", HEADERS_B, [good, row])
    with pytest.raises(AppError) as info:
        scoring.import_results(case_db, path, "坏文件")
    problems = info.value.problems
    assert len(problems) == 1, problems
    assert problems[0].row == 3 and problems[0].column == column and words in problems[0].message
    assert case_db.value("SELECT count(*) FROM score_rounds") == 0


def test_all_problems_reported_at_once(case_db, tmp_path):
    rows_ = [["市容环境", "1.1.1", "甲", "", "", 1, "x", None, "无此局", ""],
             ["市容环境", "1.1.1", "乙", "", "", 1, 2, None, "甲局", ""]]
    path = write_xlsx(tmp_path / "bad.xlsx", HEADERS_B, rows_)
    with pytest.raises(AppError) as info:
        scoring.import_results(case_db, path, "坏文件")
    assert sorted((p.row, p.column) for p in info.value.problems) == [(2, "实得分"), (2, "责任单位"), (3, "实得分")]


def test_round_name_used_is_refused_unless_replace(case_db, case_round, tmp_path):
    path = write_xlsx(tmp_path / "again.xlsx", HEADERS_B, CASE_ROWS[:2])
    with pytest.raises(AppError, match="已有名为“2026年市测”"):
        scoring.import_results(case_db, path, "2026年市测")
    assert len(scoring.lines(case_db, case_round)) == 7
    result = scoring.import_results(case_db, path, "2026年市测", replace=True)
    assert result["round_id"] == case_round and result["replaced"] == 7
    assert len(scoring.lines(case_db, case_round)) == 2
    assert case_db.value("SELECT count(*) FROM score_result_units") == 2  # old unit links went too


def test_empty_file_and_missing_columns(case_db, tmp_path):
    path = write_xlsx(tmp_path / "empty.xlsx", HEADERS_B, [])
    with pytest.raises(AppError, match="没有找到任何成绩数据"):
        scoring.import_results(case_db, path, "空")
    path = write_xlsx(tmp_path / "cols.xlsx", ["测评项目", "得分"], [["市容环境", 1]])
    with pytest.raises(AppError, match="标准编号"):
        scoring.import_results(case_db, path, "空")
    assert case_db.value("SELECT count(*) FROM score_rounds") == 0


def test_form_a_per_standard_uses_standard_points(case_db, tmp_path):
    path = write_xlsx(tmp_path / "a.xlsx", ["标准编号", "得分", "失分原因"],
                      [["1.1.1", 1.5, "台账不全"], ["1.1.2", 1, None], ["2.1.1", 0, "未开展"], ["9.1.1", -2, "一般事件"]])
    result = scoring.import_results(case_db, path, "2026年自查", kind="自查")
    assert result["form"] == "a" and result["lines"] == 4
    lines = scoring.lines(case_db, result["round_id"])
    assert [(ln["full_points"], ln["score"], ln["loss"]) for ln in lines] == [(2, 1.5, 0.5), (1, 1, 0), (1, 0, 1),
                                                                             (0, -2, 2)]
    report = table(scoring.report_by_unit(case_db, result["round_id"], split=False, locality=False))
    # 1.1.2's lead is 各街道 and the line has no 属地: every street is accountable in full.
    assert report["城关街道"] == (1, 1, 0, 1) and report["东岗街道"] == (1, 1, 0, 1)
    assert report["甲局"] == (2, 1.5, 0.5, 3) and report["乙局"] == (1, 0, 1, 4)


def test_hand_entry_and_correction(case_db, case_round):
    line_id = scoring.add_line(case_db, case_round, {"code": "2.1.1", "site": "新路口", "full_points": 1, "score": 0.9,
                                                      "units": ["乙局"]})
    assert scoring.get_line(case_db, line_id)["loss"] == 0.1
    with pytest.raises(AppError, match="大于满分"):
        scoring.update_line(case_db, line_id, {"code": "2.1.1", "full_points": 1, "score": 3})
    scoring.update_line(case_db, line_id, {"code": "2.1.1", "site": "新路口", "full_points": 1, "score": 0.4,
                                           "units": ["丙局", "乙局"]})
    line = scoring.get_line(case_db, line_id)
    assert line["loss"] == 0.6 and line["unit_ids"] == [case_db.ids["丙局"], case_db.ids["乙局"]]
    assert [a["action"] for a in audit.history(case_db, "score_results", line_id)] == ["录入测评成绩", "修改测评成绩"]
    scoring.delete_lines(case_db, [line_id])
    assert len(scoring.lines(case_db, case_round)) == 7


def test_compare_rounds_and_trend(case_db, case_round, tmp_path):
    later = [
        ["市容环境", "1.1.1", "庆阳路", "主干道", "城关街道", 1, 1, None, "甲局、乙局", ""],       # fixed
        ["市容环境", "1.1.1", "东岗路", "主干道", "东岗街道", 1, 0.8, None, None, "垃圾桶满溢"],  # still lost
        ["市容环境", "1.1.2", "永昌巷", "背街小巷", "城关街道", 1, 0.5, None, None, "杂物堆放"],  # new loss
        ["文明交通", "2.1.1", "路口", "主要交通路口", "东岗街道", 1, 1, None, "丙局", ""],         # fixed
    ]
    path = write_xlsx(tmp_path / "later.xlsx", HEADERS_B, later)
    to_id = scoring.import_results(case_db, path, "2027年市测", held_on="2027-05-01")["round_id"]
    result = scoring.compare_rounds(case_db, case_round, to_id)
    units_ = by_name(result["units"])
    assert units_["甲局"]["from_rate"] == pytest.approx(0.65) and units_["甲局"]["to_rate"] == pytest.approx(0.9)
    assert units_["甲局"]["rate_change"] == pytest.approx(0.25) and units_["甲局"]["loss_change"] == -0.5
    assert units_["城关街道"]["to_loss"] == 0.5 and units_["城关街道"]["loss_change"] == 0.5
    cats = by_name(result["categories"])
    assert cats["一、市容环境"]["to_loss"] == 0.7 and cats["公共秩序"]["to_loss"] is None
    assert [(x["code"], x["site"]) for x in result["new_losses"]] == [("1.1.2", "永昌巷")]
    assert sorted((x["code"], x["site"]) for x in result["fixed_losses"]) == [("1.1.1", "庆阳路"), ("2.1.1", "路口")]
    # 学校路口 and 公交站 were not assessed again: neither fixed nor new.
    points = scoring.trend(case_db, unit_id=case_db.ids["甲局"])
    assert [(p["round"], p["loss"], p["rank"]) for p in points] == [("2026年市测", 0.7, 2), ("2027年市测", 0.2, 3)]
    assert points[1]["rate"] == pytest.approx(0.9)
    cat_points = scoring.trend(case_db, category="市容环境")
    assert [(p["full"], p["score"]) for p in cat_points] == [(3, 2.3), (3, 2.3)]
    assert "公共秩序" in scoring.category_names(case_db)


def test_unit_merge_keeps_the_losses(case_db, case_round):
    units.merge_units(case_db, [case_db.ids["乙局"]], case_db.ids["甲局"])
    report = by_name(scoring.report_by_unit(case_db, case_round, split=False, locality=False))
    assert report["甲局"]["full"] == 2  # r1 named both; after the merge it still counts once
    assert "乙局" not in report


def test_delete_round_removes_its_lines(case_db, case_round):
    scoring.delete_round(case_db, case_round)
    assert case_db.value("SELECT count(*) FROM score_results") == 0
    assert case_db.value("SELECT count(*) FROM score_result_units") == 0


def test_demo_district_has_two_rounds(demo_db):
    rounds = scoring.list_rounds(demo_db)
    assert [r["name"] for r in rounds] == ["2025年市测", "2026年模拟测评"]
    assert all(r["line_count"] > 30 for r in rounds)
    report = scoring.report_by_unit(demo_db, rounds[0]["id"])
    assert report[0]["rank"] == 1 and any(r["rank"] is None for r in report)


def test_every_report_names_its_columns_by_key_and_kind(case_db, case_round, tmp_path):
    """The page, the workbook and the PDF format a column by what it holds, never by its header."""
    later = write_xlsx(tmp_path / "later.xlsx", HEADERS_B, CASE_ROWS[:2])
    other = scoring.import_results(case_db, later, "2027年市测")
    tables = [scoring.report_table(case_db, case_round, by) for by in scoring.REPORT_KINDS]
    tables += scoring.compare_tables(case_db, case_round, other["round_id"])
    tables.append(scoring.unit_page_table(case_db, case_round, case_db.ids["甲局"]))
    for t in tables:
        keys = [c.key for c in t.columns]
        assert len(set(keys)) == len(keys), t.title
        assert all(set(keys) <= set(row) for row in t.rows), t.title
    by_unit = tables[0]
    kinds = {c.title: c.kind for c in by_unit.columns}
    assert kinds == {"责任单位": scoring.TEXT, "应得分": scoring.POINTS, "实得分": scoring.POINTS,
                     "失分": scoring.POINTS, "得分率": scoring.RATE, "排名": scoring.COUNT}
    jia = next(r for r in by_unit.rows if r["unit_id"] == case_db.ids["甲局"])
    assert (jia["name"], jia["loss"], jia["rank"]) == ("甲局", 0.7, 2) and jia["rate"] == pytest.approx(0.65)
    assert [(c.key, c.kind) for c in tables[len(scoring.REPORT_KINDS)].columns if "变化" in c.title] == [
        ("rate_change", scoring.RATE_CHANGE), ("loss_change", scoring.POINTS_CHANGE), ("rank_change", scoring.COUNT)]
    assert by_unit.top_losses(2) == [{"name": "丁局", "loss": 1}, {"name": "甲局", "loss": 0.7}]


def test_a_round_follows_the_edition_given_by_id(case_db, tmp_path):
    """Core takes the edition's id (the command line resolves --edition NAME): lines are matched
    against that edition, not the current one."""
    second = framework.create_edition(case_db, "次年版", 2027)
    cat = framework.add_node(case_db, second, None, {"title": "一、市容环境"})
    ind = framework.add_node(case_db, second, cat, {"title": "市容内容"})
    framework.add_node(case_db, second, ind, {"code": "8.8.8", "title": "新标准", "points": 3})
    path = write_xlsx(tmp_path / "a.xlsx", ["标准编号", "得分"], [["8.8.8", 2]])
    with pytest.raises(AppError) as refused:
        scoring.import_results(case_db, path, "2027年自查")
    assert "不在测评体系" in refused.value.problems[0].message
    result = scoring.import_results(case_db, path, "2027年自查", edition_id=second)
    assert scoring.get_round(case_db, result["round_id"])["edition_name"] == "次年版"
    assert [(ln["full_points"], ln["loss"]) for ln in scoring.lines(case_db, result["round_id"])] == [(3, 1)]


def test_the_notice_ranks_only_units_with_something_at_stake(case_db, case_round):
    content = scoring.notice_content(case_db, case_round)
    assert [r["name"] for r in content["ranking"].rows] == ["城关街道", "甲局", "丙局", "乙局", "丁局"]
    assert content["idle_units"] == 2  # 东岗街道 and 戊局: nothing at stake, nothing lost
    assert [t["code"] for t in content["top"]] == ["9.1.1", "1.1.1", "2.1.1", ""]
    assert [x["site"] for x in content["unattributed"]] == ["公交站"]


def test_points_with_their_unit_and_a_total_row_are_read(case_db, data_dir, tmp_path):
    rows_ = [["市容环境", "1.1.1", "庆阳路", "主干道", "城关街道", "1分", "0.5分", None, "甲局", "路面垃圾"],
             ["文明交通", "2.1.1", "路口", "主要交通路口", "东岗街道", "2 分", "1.5 分", None, "丙局", "闯红灯"],
             ["合 计", None, None, None, None, "3分", "2", None, None, None]]
    path = write_xlsx(tmp_path / "r.xlsx", HEADERS_B, rows_)
    result = scoring.import_results(case_db, path, "自查一", held_on="2026-05-01")
    assert [(ln["full_points"], ln["score"]) for ln in scoring.lines(case_db, result["round_id"])] == [(1, 0.5), (2, 1.5)]
    assert result["warnings"] == ["第 4 行是“合计”行，已跳过，与各行之和一致。"]
    rows_[2][6] = "3"
    path = write_xlsx(tmp_path / "r2.xlsx", HEADERS_B, rows_)
    done = run_cli_import(case_db, data_dir, path)
    assert done.returncode == 0, done.stderr
    assert "注意：第 4 行是“合计”行，已跳过；但它与各行之和不符（实得分 3，各行之和为 2），请核对文件。" in done.stderr


def run_cli_import(db, data_dir, path):
    import subprocess
    import sys
    from pathlib import Path

    ledger = ["--data", str(data_dir.root)] + (["--server", db.url] if db.engine == "postgresql" else [])
    db.close()
    main = Path(__file__).resolve().parent.parent / "main.py"
    return subprocess.run([sys.executable, str(main), *ledger, "import-results", str(path), "--round", "自查二",
                           "--date", "2026-05-02", "--edition", "测试版"], capture_output=True, text=True,
                          encoding="utf-8")
