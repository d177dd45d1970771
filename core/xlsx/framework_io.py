"""测评达标责任分解表 from and to Excel.

Accepted column names (any order; the header row is found by name, also a two-row merged header):
  测评项目|一级指标|项目 (required)        测评内容|二级指标|测评指标
  测评标准|三级指标|标准内容|具体标准 (required)    标准编号|编号|指标编号 (required)
  测评方法|测评方式|考核方式              分值|分值（分）|分数
  牵头单位|主责单位|责任单位 (required)    配合单位|协办单位|协同单位|参与单位
  专项推进组|推进组|工作组                完成时限|时限|完成时间
  负面清单 (是/否, √, Y)
Multi-unit cells are split on 、，,；;／/ and line breaks; group names (各街道办事处 …) stay groups.
Columns missing from a file leave those fields of existing standards as they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core import framework, settings, units
from core.db import write
from core.errors import AppError, Cancelled
from core.xlsx.reader import Column, Problem, read_table
from core.text import clean_text, parse_date, parse_number, split_multi
from core.xlsx.writer import Sheet, write_workbook

COLUMNS = [
    Column("category", ("测评项目", "一级指标", "项目"), required=True),
    Column("indicator", ("测评内容", "二级指标", "测评指标"), free_text=True),
    Column("title", ("测评标准", "三级指标", "标准内容", "具体标准"), required=True, free_text=True),
    Column("code", ("标准编号", "编号", "指标编号"), required=True),
    Column("methods", ("测评方法", "测评方式", "考核方式")),
    Column("points", ("分值", "分值（分）", "分数")),
    Column("lead", ("牵头单位", "主责单位", "责任单位"), required=True),
    Column("support", ("配合单位", "协办单位", "协同单位", "参与单位")),
    Column("working_group", ("专项推进组", "推进组", "工作组")),
    Column("deadline", ("完成时限", "时限", "完成时间")),
    Column("negative", ("负面清单",)),
]
LABELS = {c.key: c.names[0] for c in COLUMNS}
EXPORT_HEADERS = ["标准编号", "测评项目", "测评内容", "测评标准", "测评方法", "分值", "牵头单位", "配合单位",
                  "专项推进组"]
_YES = {"是", "√", "✓", "y", "yes", "1", "true", "负面清单", "有"}


@dataclass
class ParsedFramework:
    rows: list[dict]
    columns: set[str]
    problems: list[Problem] = field(default_factory=list)
    unknown_units: dict[str, list[int]] = field(default_factory=dict)  # name → row numbers


class UnknownUnitsError(AppError):
    """The file names units the program does not know; the user creates them or fixes the file."""

    def __init__(self, unknown: dict[str, list[str]], rows_of: dict[str, list[int]]):
        lines = [f"“{name}”（第 {'、'.join(map(str, rows_of[name][:5]))} 行）"
                 + (f"，是否是：{'、'.join(s)}？" if s else "") for name, s in unknown.items()]
        super().__init__(f"文件中有 {len(unknown)} 个未知的责任单位。请修改文件中的单位名称，"
                         "或选择自动新建这些单位（命令行加 --create-units）。", "\n".join(lines))
        self.unknown = unknown
        self.rows_of = rows_of


def parse_framework(db, path, cancel=None) -> ParsedFramework:
    """Read and validate the whole file; nothing is written."""
    table = read_table(path, COLUMNS)
    result = ParsedFramework(rows=[], columns=set(table.columns_found))
    methods_known = settings.vocab(db, "method")
    resolver = units.resolver(db)
    seen_codes: dict[str, int] = {}
    for row in table.rows:
        if cancel and cancel():
            raise Cancelled()
        v = row.values
        n = row.number
        code = "".join(clean_text(v.get("code")).split())
        title = clean_text(v.get("title"))
        category = clean_text(v.get("category"))
        if not (code or title):
            continue  # a row with only category text left over from merged cells
        problems = result.problems
        if not code:
            problems.append(Problem(n, LABELS["code"], "缺少标准编号"))
        elif code in seen_codes:
            problems.append(Problem(n, LABELS["code"], f"标准编号“{code}”与第 {seen_codes[code]} 行重复"))
        else:
            seen_codes[code] = n
        if not title:
            problems.append(Problem(n, LABELS["title"], "测评标准内容为空"))
        if not category:
            problems.append(Problem(n, LABELS["category"], "测评项目为空"))
        item = {"row": n, "code": code, "title": title, "category": category,
                "indicator": clean_text(v.get("indicator")) or category}
        if "methods" in result.columns:
            methods = split_multi(clean_text(v.get("methods")))
            for m in methods:
                if m not in methods_known:
                    problems.append(Problem(n, LABELS["methods"],
                                            f"未知的测评方法“{m}”，可选：{'、'.join(methods_known)}"))
            item["methods"] = "、".join(methods)
        if "points" in result.columns:
            try:
                points = parse_number(v.get("points"))
                if points is not None and points < 0:
                    problems.append(Problem(n, LABELS["points"], f"分值不能为负数：{points:g}"))
                item["points"] = points
            except ValueError as exc:
                problems.append(Problem(n, LABELS["points"], str(exc)))
        for key in ("working_group",):
            if key in result.columns:
                item[key] = clean_text(v.get(key))
        if "deadline" in result.columns:
            raw = v.get("deadline")
            try:
                d = parse_date(raw)
                item["deadline"] = d.isoformat() if d else ""
            except ValueError:
                item["deadline"] = clean_text(raw)  # free text such as "2026年6月底前" is kept as written
        if "negative" in result.columns:
            item["negative"] = int(clean_text(v.get("negative")).lower() in _YES)
        for role in ("lead", "support"):
            refs = []
            if role in result.columns:
                for name in split_multi(clean_text(v.get(role))):
                    hit = resolver.lookup(name)
                    if hit is None:
                        result.unknown_units.setdefault(name, []).append(n)
                    refs.append((name, hit))
            item[role] = refs
        result.rows.append(item)
    if not result.rows and not result.problems:
        raise AppError("文件中没有找到任何测评标准。请检查表头下方是否有数据。")
    return result


def import_framework(db, path, edition: str | None = None, create_units: bool = False,
                     progress=None, cancel=None) -> dict:
    """Validate the whole file, then write it in one transaction. Returns what changed."""
    parsed = parse_framework(db, path, cancel)
    if parsed.problems:
        raise AppError(f"责任分解表中有 {len(parsed.problems)} 处问题，未导入任何数据。"
                       "请按问题清单修改后重新导入。", problems=parsed.problems)
    if parsed.unknown_units and not create_units:
        res = units.resolver(db)
        raise UnknownUnitsError({name: res.suggestions(name) for name in parsed.unknown_units},
                                parsed.unknown_units)
    with write(db):
        edition_id = _target_edition(db, edition)
        created_units = []
        for name in parsed.unknown_units:
            units.create_unit(db, {"name": name, "kind": units.infer_kind(name)})
            created_units.append(name)
        report = _apply(db, edition_id, parsed, progress, cancel)
        report["created_units"] = created_units
        report["edition_id"] = edition_id
        from core import audit
        audit.log(db, "导入责任分解表", "editions", edition_id, None,
                  {k: (len(v) if isinstance(v, list) else v) for k, v in report.items()}, str(path))
    return report


def _target_edition(db, name: str | None) -> int:
    if name:
        from core.db import scalar
        found = scalar(db, "SELECT id FROM editions WHERE name = ?", (name.strip(),))
        return found if found else framework.create_edition(db, name)
    current = framework.current_edition_id(db)
    if current:
        return current
    return framework.create_edition(db, f"{settings.get(db, 'current_year')}年度")


def _apply(db, edition_id: int, parsed: ParsedFramework, progress, cancel) -> dict:
    resolver = units.resolver(db)
    existing = {n["code"]: n for n in framework.tree_rows(db, edition_id, include_retired=True)
                if n["level"] == 3}
    parents = {(n["parent_id"], n["title"]): n for n in framework.tree_rows(db, edition_id, True)
               if n["level"] < 3}
    report = {"added": [], "updated": [], "unchanged": 0, "retired": [], "restored": []}
    seen: dict = {}
    positions: dict[int, int] = {}
    fields = [k for k in ("methods", "points", "working_group", "deadline", "negative") if k in parsed.columns]
    for i, item in enumerate(parsed.rows):
        if cancel and cancel():
            raise Cancelled()
        cat = _ensure_parent(db, edition_id, parents, seen, None, item["category"], 1)
        ind = _ensure_parent(db, edition_id, parents, seen, cat, item["indicator"], 2)
        positions[ind] = positions.get(ind, 0) + 1
        data = {"title": item["title"], **{k: item[k] for k in fields}}
        node = existing.get(item["code"])
        if node is None:
            node_id = framework.add_node(db, edition_id, ind, {"code": item["code"], **data})
            db.execute("UPDATE framework_nodes SET position = ? WHERE id = ?", (positions[ind], node_id))
            report["added"].append(item["code"])
            changed = True
        else:
            node_id = node["id"]
            changed = False
            if node["retired"]:
                framework.retire_node(db, node_id, False)
                report["restored"].append(item["code"])
                changed = True
            if node["parent_id"] != ind or node["position"] != positions[ind]:
                db.execute("UPDATE framework_nodes SET parent_id = ?, position = ? WHERE id = ?",
                           (ind, positions[ind], node_id))
                changed = changed or node["parent_id"] != ind
            if any(node.get(k) != v for k, v in data.items()):
                framework.update_node(db, node_id, data)
                changed = True
        refs = {}
        for role in ("lead", "support"):
            refs[role] = []
            if role in parsed.columns:
                for name, hit in item[role]:
                    hit = hit or resolver.lookup(name)  # units created just now
                    refs[role].append(hit)
        if "support" not in parsed.columns:
            refs["support"] = [r[:2] for r in framework.assignment_refs(db, node_id)["support"]]
        if framework.set_assignments(db, node_id, refs["lead"], refs["support"]):
            changed = True
        if node is not None:
            if changed:
                report["updated"].append(item["code"])
            else:
                report["unchanged"] += 1
        if progress:
            progress(i + 1, len(parsed.rows), item["code"])
    in_file = {item["code"] for item in parsed.rows}
    for code, node in existing.items():
        if code not in in_file and not node["retired"]:
            framework.retire_node(db, node["id"], True)
            report["retired"].append(code)
    return report


def _ensure_parent(db, edition_id, parents, seen, parent_id, title, level) -> int:
    """The category or indicator of this title under this parent, created when new; positions
    follow the order in which the file first mentions them."""
    key = (parent_id, title)
    if key in seen:
        return seen[key]
    seen["count", parent_id] = position = seen.get(("count", parent_id), 0) + 1
    node = parents.get(key)
    if node is None:
        node_id = framework.add_node(db, edition_id, parent_id, {"title": title})
    else:
        node_id = node["id"]
        if node["retired"]:
            framework.retire_node(db, node_id, False)
    if node is None or node["position"] != position:
        db.execute("UPDATE framework_nodes SET position = ? WHERE id = ?", (position, node_id))
    seen[key] = node_id
    return node_id


def framework_table(db, edition_id: int) -> list[list]:
    """The rows of the export, in the export's column order."""
    out = []
    for s in framework.standards(db, edition_id):
        points = s["points"]
        if points is not None and float(points).is_integer():
            points = int(points)
        out.append([s["code"], s["category"], s["indicator"], s["title"], s["methods"], points,
                    "、".join(s["lead"]), "、".join(s["support"]), s["working_group"]])
    return out


def export_framework(db, path, edition_id: int, progress=None, cancel=None) -> int:
    data = framework_table(db, edition_id)
    write_workbook(path, [Sheet("责任分解表", EXPORT_HEADERS, data)], progress=progress, cancel=cancel)
    return len(data)
