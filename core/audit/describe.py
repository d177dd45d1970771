"""修改前/修改后 as a user reads them: each field by its Chinese label, ids as the names they stand
for (责任单位：区城管局, not unit_id: 18), flags as 是/否, lists joined with 、. Used by the 操作日志
page, a record's history and the export, so the screen and the file say the same.

A row is described when its text is first read, and each name is read once.
"""

from __future__ import annotations

import json

# Field → label. Some keys mean different things in different tables: (table, key) comes first.
LABELS = {
    "name": "名称", "short_name": "简称", "kind": "类别", "head": "负责人", "leader": "分管领导",
    "liaison": "联络员", "phone": "电话", "position": "排序", "retired": "停用", "merged_into": "并入单位",
    "aliases": "曾用名", "members": "成员单位", "unit_kind": "按单位类别", "year": "年度",
    "code": "标准编号", "title": "名称", "methods": "测评方法", "points": "分值", "working_group": "专项推进组",
    "deadline": "完成时限", "negative": "负面清单", "level": "层级", "parent_id": "上级条目",
    "lead": "牵头单位", "support": "配合单位", "edition_id": "测评体系版本", "edition": "测评体系版本",
    "edition_name": "测评体系版本", "status": "状态", "found_on": "发现日期", "source": "来源", "site_id": "点位",
    "node_id": "测评标准", "category_id": "测评项目", "description": "问题描述", "unit_id": "责任单位",
    "support_ids": "配合单位", "severity": "严重程度", "limit_days": "整改时限（工作日）",
    "requested_due": "要求整改期限", "due_on": "整改期限", "closed_on": "销号日期", "created_at": "录入时间",
    "updated_at": "更新时间", "fixed_on_spot": "现场整改", "prev_at_site": "该点位前一个问题",
    "supervision_count": "督办次数", "note": "备注", "person": "人员", "result": "结果", "attachment": "附件编号",
    "sha256": "文件校验值", "number": "文号", "unit": "责任单位", "units": "单位", "findings": "所列问题",
    "finding_id": "督查问题", "at": "日期", "signer": "签收人", "signed": "签收", "voided": "作废",
    "reason": "原因", "issued_on": "印发日期", "requirement": "要求", "state": "状态", "signed_on": "签订日期",
    "signed_by": "签订人", "doc_number": "文号", "doc_date": "成文日期", "pages": "页数", "box": "盒号",
    "item": "件号", "comment": "审核意见", "reviewed_at": "审核时间", "reviewed_by": "审核人",
    "submitted_at": "提交时间", "removed": "已删除", "added": "新增条数", "materials": "材料编号",
    "standards": "标准数", "material_type": "材料类型", "caption": "说明", "original_name": "文件名",
    "role": "类别", "files": "文件", "address": "地址", "locality_unit_id": "属地", "unit_ids": "默认责任单位",
    "site_type": "点位类型", "held_on": "测评日期", "full_points": "满分", "score": "得分", "category": "测评项目",
    "site": "点位", "locality": "属地", "lines": "条数", "full": "应得分", "loss": "失分", "file": "文件",
    "form": "格式", "builtin": "内置", "contact": "联系人", "value": "值", "count": "数量", "day": "日期",
    "notice_id": "督办通知单", "owner_table": "所属", "owner_id": "所属记录", "size": "大小（字节）",
    "mime": "文件类型", "is_workday": "上班", "holiday": "节日", "doc_title": "题名", "responsible": "责任者",
    "place": "地点", "people": "人物", "subject": "事由", "taken_at": "时间", "period": "期间", "seq": "序号",
    "method": "催办方式",
    "lead_unit_id": "组长单位", "target": "目标值", "actual": "实际值", "indicator": "指标", "met": "达标", "rows": "条数",
    "not_met": "未达标",
}
TABLE_LABELS = {
    ("findings", "result"): "复查结果", ("findings", "name"): "文件名", ("materials", "name"): "文件名",
    ("score_rounds", "kind"): "测评类型", ("score_results", "reason"): "失分原因",
    ("score_results", "unit_ids"): "责任单位", ("unit_groups", "name"): "分组名称",
    ("framework_nodes", "title"): "标题", ("materials", "title"): "材料名称", ("notices", "signed"): "签收问题数",
    ("findings", "unit_ids"): "责任单位", ("sites", "name"): "点位名称", ("score_rounds", "name"): "轮次名称",
    # an import's counts (导入责任分解表)
    ("editions", "added"): "新增", ("editions", "updated"): "更新", ("editions", "unchanged"): "未变",
    ("editions", "retired"): "停用", ("editions", "restored"): "恢复", ("editions", "created_units"): "新建单位",
    ("editions", "created_groups"): "新建专项推进组",
    ("working_groups", "name"): "推进组名称", ("working_groups", "leader"): "组长",
}
COUNTS = {("editions", "retired")}  # a flag's name used for a count
FLAGS = {"retired", "negative", "fixed_on_spot", "voided", "removed", "builtin", "is_workday"}
UNIT_KEYS = {"unit_id", "unit_ids", "support_ids", "locality_unit_id", "merged_into", "members", "lead_unit_id"}
NODE_KEYS = {"node_id", "parent_id", "category_id"}
FORMS = {"a": "按标准", "b": "按点位"}
EMPTY = "（空）"


def label(table: str, key: str) -> str:
    return TABLE_LABELS.get((table, key)) or LABELS.get(key) or _setting_label(table, key) or key


def _setting_label(table: str, key: str) -> str:
    if table != "settings":
        return ""
    from core.settings import SETTINGS  # settings writes the trail: imported when read

    return SETTINGS.get(key, ("",))[0]


class Names:
    """The names of the ids a row names, read when a row is first described and kept: a page
    describes the few rows it paints, an export every row."""

    def __init__(self, db):
        self.db = db
        self.names: dict[str, dict[int, str]] = {kind: {} for kind in _NAME_SQL}

    def read(self, wanted: dict[str, set[int]]) -> None:
        for kind, ids in wanted.items():
            missing = sorted(ids - self.names[kind].keys())
            if missing:
                marks = ", ".join(f":i{n}" for n in range(len(missing)))
                found = dict(self.db.tuples(_NAME_SQL[kind].format(marks=marks),
                                            {f"i{n}": i for n, i in enumerate(missing)}))
                self.names[kind].update({i: found.get(i) for i in missing})

    def of(self, kind: str, i) -> str:
        return self.names[kind].get(i) or f"（已删除，编号 {i}）"


_NAME_SQL = {
    "units": "SELECT id, name FROM units WHERE id IN ({marks})",
    "unit_groups": "SELECT id, name FROM unit_groups WHERE id IN ({marks})",
    "sites": "SELECT id, name FROM sites WHERE id IN ({marks})",
    "framework_nodes": "SELECT id, CASE WHEN code <> '' THEN code || ' ' || title ELSE title END"
                       " FROM framework_nodes WHERE id IN ({marks})",
    "editions": "SELECT id, name FROM editions WHERE id IN ({marks})",
}


def _ids(v) -> list[int]:
    items = v if isinstance(v, list) else [v]
    return [i for i in items if isinstance(i, int) and not isinstance(i, bool)]


def _collect(key: str, v, wanted: dict[str, set[int]]) -> None:
    if key in UNIT_KEYS:
        wanted["units"].update(_ids(v))
    elif key == "site_id":
        wanted["sites"].update(_ids(v))
    elif key in NODE_KEYS:
        wanted["framework_nodes"].update(_ids(v))
    elif key == "edition_id":
        wanted["editions"].update(_ids(v))
    elif key in ("lead", "support") and isinstance(v, list):
        for ref in v:
            if isinstance(ref, list) and len(ref) == 2:
                wanted["units" if ref[0] == "unit" else "unit_groups"].add(ref[1])


def _value(table: str, key: str, v, names: Names) -> str:
    if v is None or v == "" or v == []:
        return EMPTY
    if key in FLAGS and (table, key) not in COUNTS:
        return "是" if v else "否"
    if key in UNIT_KEYS:
        return "、".join(names.of("units", i) for i in _ids(v)) or EMPTY
    if key == "site_id":
        return "、".join(names.of("sites", i) for i in _ids(v))
    if key in NODE_KEYS:
        return "、".join(names.of("framework_nodes", i) for i in _ids(v))
    if key == "edition_id":
        return "、".join(names.of("editions", i) for i in _ids(v))
    if key in ("finding_id", "findings", "prev_at_site"):
        return "、".join(f"{i} 号问题" for i in _ids(v))
    if key in ("lead", "support") and isinstance(v, list) and all(isinstance(r, list) for r in v):
        return "、".join(names.of("units" if r[0] == "unit" else "unit_groups", r[1]) for r in v) or EMPTY
    if key == "form":
        return FORMS.get(v, str(v))
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, list):
        return "、".join(str(x) for x in v)
    if isinstance(v, dict):
        return "；".join(f"{k}：{x}" for k, x in v.items())
    text = str(v)
    if key.endswith("_at") and "T" in text:  # a moment, as the 时间 column shows it
        return text.replace("T", " ")
    return text


def _parsed(raw):
    if raw is None:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def describe_value(table: str, value, names: Names, *, whole: bool = False) -> str:
    """whole: the record as made or deleted (the other side is empty), its empty fields left out."""
    if value is None:
        return ""
    if isinstance(value, dict):
        shown = {k: v for k, v in value.items() if not (whole and v in (None, "", []))}
        return "；".join(f"{label(table, k)}：{_value(table, k, v, names)}" for k, v in shown.items())
    if isinstance(value, list):
        return "、".join(str(x) for x in value)
    return str(value)


TEXT_KEYS = ("before_text", "after_text")


class DescribedEntry(dict):
    """An audit row whose before_text and after_text are made when first read as entry[key] (a
    page paints a few of its thousand rows; JSON and names are not read for the others). A plain
    dict otherwise: get() does not make them."""

    def __init__(self, row: dict, names: Names):
        super().__init__(row)
        self._names = names

    def __missing__(self, key):
        if key not in TEXT_KEYS:
            raise KeyError(key)
        before, after = _parsed(self.get("before")), _parsed(self.get("after"))
        wanted = {kind: set() for kind in _NAME_SQL}
        for value in (before, after):
            if isinstance(value, dict):
                for k, v in value.items():
                    _collect(k, v, wanted)
        self._names.read(wanted)
        table = self["table_name"]
        self["before_text"] = describe_value(table, before, self._names, whole=after is None)
        self["after_text"] = describe_value(table, after, self._names, whole=before is None)
        return self[key]


def describe(db, entries: list[dict]) -> list[dict]:
    """The audit rows with before_text and after_text (修改前/修改后 as a user reads them), made
    when first read."""
    names = Names(db)
    return [DescribedEntry(e, names) for e in entries]
