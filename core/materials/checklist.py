"""The checklist of an edition: reading and filtering it, the default checklist (materials-init),
hand edits, and carrying last year's checklist into a new edition.

One row of `materials` is one required piece of evidence for a standard (测评标准): its type, title
and requirement, the unit that supplies it (the standard's lead unit by default) and a due date.
Removing a material only marks it removed, so no attached file is ever lost.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from core import attachments, audit, clock, dates, framework, units
from core.errors import AppError
from core.materials.records import (APPROVED, DEFAULT_KINDS, KINDS, OWING, OWNER, PENDING, code_ranges,
                                    material_code, material_row, needs_materials, not_found)
from core.query import Where

# Default titles and requirements of the four material types the default checklist creates.
DEFAULT_TEXT = {
    "规范性文件": ("相关规范性文件", "本年度印发的通知、方案、制度等文件，须有文号和成文日期，盖章扫描件。"),
    "说明报告": ("工作情况说明报告", "围绕本条标准的落实情况撰写说明，数据准确、内容详实，加盖单位公章。"),
    "实景图片": ("实景图片", "现场照片，A4 纸每页一张，每张注明时间、地点、人物、事由。"),
    "统计表格": ("统计表格", "相关数据统计表，注明统计口径、时间范围和填报人。"),
}
DUE_LABEL = "截止日期"

# --- reading ------------------------------------------------------------------------------------

# The file count is looked up per material in the index attachments_owner, so a few rows cost a
# few lookups (a grouped count over every attachment cost 25 ms at 10x for a single row).
_CHECKLIST_SQL = """
SELECT m.*, n.code, n.title AS standard_title, n.points, n.working_group_id, n.methods,
       COALESCE(g.name, '') AS working_group,
       c.id AS category_id, c.title AS category, u.name AS unit_name,
       (SELECT count(*) FROM attachments a WHERE a.owner_table = 'materials' AND a.owner_id = m.id) AS file_count
  FROM materials m
  JOIN framework_nodes n ON n.id = m.node_id
  JOIN framework_nodes p ON p.id = n.parent_id
  JOIN framework_nodes c ON c.id = p.parent_id
  LEFT JOIN units u ON u.id = m.unit_id
  LEFT JOIN working_groups g ON g.id = n.working_group_id
{where}
 ORDER BY c.position, c.id, p.position, p.id, n.position, n.id, m.position, m.id
"""


def checklist_query(edition_id: int | None, *, unit_id: int | None = None, status: str = "",
                    ids=None) -> tuple[str, dict]:
    """(sql, params) of checklist rows in 测评体系 order: an edition's active materials, narrowed to
    one unit's, one status or some ids (ids alone: those materials wherever they are)."""
    where = Where()
    if edition_id is not None:
        where.equals("m.edition_id", "edition", edition_id).add("m.removed = 0")
    where.equals("m.status", "status", status)
    where.equals("m.unit_id", "unit", unit_id)
    if ids is not None:
        where.one_of("m.id", "id", sorted(ids))
    return _CHECKLIST_SQL.format(where=where.sql()), where.params


def checklist(db, edition_id: int | None, today: str | None = None, *, unit_id: int | None = None,
              status: str = "", ids=None) -> list[dict]:
    """Every material of an edition in 测评体系 order (or one unit's, one status's, some ids'), with
    what the list shows and filters on."""
    sql, params = checklist_query(edition_id, unit_id=unit_id, status=status, ids=ids)
    return _decorate(db.rows(sql, params), today or clock.today().isoformat())


def _decorate(found: list[dict], today: str) -> list[dict]:
    for r in found:
        r["material_code"] = material_code(r["id"])
        r["overdue"] = bool(r["due_on"]) and r["due_on"] < today and r["status"] in OWING
        r["unit_name"] = r["unit_name"] or ""
        r["search_text"] = "\n".join((r["material_code"], r["code"], r["standard_title"], r["title"],
                                      r["requirement"], r["unit_name"], r["comment"], r["kind"])).casefold()
    return found


def get_material(db, material_id: int) -> dict:
    found = checklist(db, None, ids=[material_id])
    if not found:
        raise not_found(material_id)
    return found[0]


@dataclass
class MaterialFilter:
    category_id: int | None = None
    unit_id: int | None = None
    working_group: str = ""
    kind: str = ""
    status: str = ""
    overdue: bool = False
    text: str = ""


def filter_rows(all_rows: list[dict], f: MaterialFilter) -> list[dict]:
    """The rows matching every set filter. In memory: the page loads the checklist once per
    refresh, and filtering 40,000 loaded rows is faster than asking the store again."""
    text = f.text.strip().casefold()
    out = all_rows
    if f.category_id:
        out = [r for r in out if r["category_id"] == f.category_id]
    if f.unit_id:
        out = [r for r in out if r["unit_id"] == f.unit_id]
    if f.working_group:
        out = [r for r in out if r["working_group"] == f.working_group]
    if f.kind:
        out = [r for r in out if r["kind"] == f.kind]
    if f.status:
        out = [r for r in out if r["status"] == f.status]
    if f.overdue:
        out = [r for r in out if r["overdue"]]
    if text:
        out = [r for r in out if text in r["search_text"]]
    return out


def filter_choices(db, edition_id: int) -> dict:
    """What the filter boxes offer: categories, units with materials, working groups."""
    edition = {"edition": edition_id}
    return {
        "categories": db.rows("SELECT id, title FROM framework_nodes WHERE edition_id = :edition AND level = 1"
                              " AND retired = 0 ORDER BY position, id", edition),
        "units": db.rows("SELECT u.id, u.name FROM units u WHERE EXISTS (SELECT 1 FROM materials m"
                         " WHERE m.unit_id = u.id AND m.edition_id = :edition AND m.removed = 0)"
                         " ORDER BY u.position, u.id", edition),
        "working_groups": db.column("SELECT g.name FROM working_groups g WHERE EXISTS (SELECT 1 FROM framework_nodes n"
                                    " WHERE n.working_group_id = g.id AND n.edition_id = :edition AND n.level = 3)"
                                    " ORDER BY g.position, g.id", edition),
    }


def files_of(db, material_id: int) -> list[dict]:
    return attachments.list_attachments(db, OWNER, material_id)


def files_of_edition(db, edition_id: int) -> dict[int, list[dict]]:
    """material id → its files, for every active material of an edition (one query)."""
    out: dict[int, list[dict]] = {}
    for a in db.rows("SELECT a.* FROM attachments a JOIN materials m ON m.id = a.owner_id"
                     " WHERE a.owner_table = 'materials' AND m.edition_id = :edition AND m.removed = 0"
                     " ORDER BY a.owner_id, a.position, a.id", {"edition": edition_id}):
        out.setdefault(a["owner_id"], []).append(a)
    return out


# --- the default checklist ----------------------------------------------------------------------

def _lead_units(db, edition_id: int) -> dict[int, int]:
    """standard id → its first lead unit (groups expanded), the default 责任单位."""
    lead: dict[int, int] = {}
    for r in db.rows("SELECT a.node_id, a.unit_id FROM assignment_units a JOIN framework_nodes n ON n.id = a.node_id"
                     " JOIN units u ON u.id = a.unit_id WHERE n.edition_id = :edition AND a.role = 'lead'"
                     " ORDER BY a.node_id, a.position, u.position, u.id", {"edition": edition_id}):
        lead.setdefault(r["node_id"], r["unit_id"])
    return lead


def _lead_unit_of(db, node_id: int) -> int | None:
    return db.value("SELECT a.unit_id FROM assignment_units a JOIN units u ON u.id = a.unit_id"
                    " WHERE a.node_id = :node AND a.role = 'lead' ORDER BY a.position, u.position, u.id LIMIT 1",
                    {"node": node_id})


def _safe_date(text: str) -> str:
    try:
        return dates.iso(text, DUE_LABEL)
    except AppError:
        return ""  # a deadline such as "长期坚持" is not a date: leave the due date empty


def init_checklist(db, edition_id: int, progress=None) -> int:
    """The default checklist: for each standard whose method includes 材料审核 or 网上申报, one
    material of each of the four types. Adds only what is missing (also what was removed by hand
    stays removed); existing items are never touched. Returns how many were added."""
    edition = framework.get_edition(db, edition_id)["name"]
    params = {"edition": edition_id}
    with db.write():
        standards = db.rows("SELECT id, code, methods, deadline FROM framework_nodes WHERE edition_id = :edition"
                            " AND level = 3 AND retired = 0 ORDER BY position, id", params)
        existing = {(r["node_id"], r["default_kind"]) for r in db.rows(
            "SELECT node_id, default_kind FROM materials WHERE edition_id = :edition AND default_kind IS NOT NULL",
            params)}
        positions = {r["node_id"]: r["p"] for r in db.rows(
            "SELECT node_id, max(position) AS p FROM materials WHERE edition_id = :edition GROUP BY node_id", params)}
        lead = _lead_units(db, edition_id)
        now = clock.stamp()
        added, standards_touched = [], set()
        for s in standards:
            if not needs_materials(s["methods"]):
                continue
            for kind in DEFAULT_KINDS:
                if (s["id"], kind) in existing:
                    continue
                positions[s["id"]] = positions.get(s["id"], 0) + 1
                title, requirement = DEFAULT_TEXT[kind]
                added.append(db.insert("materials", {
                    "edition_id": edition_id, "node_id": s["id"], "position": positions[s["id"]], "kind": kind,
                    "title": f"{s['code']} {title}", "requirement": requirement, "unit_id": lead.get(s["id"]),
                    "due_on": _safe_date(s["deadline"]), "status": PENDING, "default_kind": kind, "updated_at": now}))
                standards_touched.add(s["id"])
        if added:
            audit.log(db, "生成默认材料清单", OWNER, None, None,
                      {"edition": edition, "added": len(added), "standards": len(standards_touched),
                       "materials": code_ranges(added)}, f"{edition}：新增 {len(added)} 项")
    if progress:
        progress(1, 1, f"新增 {len(added)} 项")
    return len(added)


# --- hand edits ---------------------------------------------------------------------------------

EDITABLE = ("kind", "title", "requirement", "unit_id", "due_on")


def _clean_fields(db, data: dict) -> dict:
    clean = {}
    for key, value in data.items():
        if key not in EDITABLE:
            raise ValueError(f"not an editable field: {key}")
        if key == "kind":
            if value not in KINDS:
                raise AppError(f"材料类型“{value}”无效，应为：{'、'.join(KINDS)}。")
        elif key == "title":
            value = " ".join(str(value or "").split())
            if not value:
                raise AppError("材料名称不能为空。")
        elif key == "requirement":
            value = str(value or "").strip()
        elif key == "unit_id":
            if value is not None:
                units.get_unit(db, value)
        elif key == "due_on":
            value = dates.iso(value, DUE_LABEL)
        clean[key] = value
    return clean


def add_material(db, node_id: int, data: dict) -> int:
    """A requirement added by hand to a standard."""
    node = framework.get_node(db, node_id)
    if node["level"] != 3:
        raise AppError("档案材料只能添加到测评标准（第三级）上。")
    data = {"kind": "其他", "requirement": "", "unit_id": _lead_unit_of(db, node_id), "due_on": "", **data}
    clean = _clean_fields(db, data)
    with db.write():
        position = (db.value("SELECT max(position) FROM materials WHERE node_id = :node", {"node": node_id}) or 0) + 1
        record = {**clean, "edition_id": node["edition_id"], "node_id": node_id, "position": position,
                  "status": PENDING, "updated_at": clock.stamp()}
        material_id = db.insert("materials", record)
        audit.log(db, "新增档案材料", OWNER, material_id, None, record, f"{node['code']} {clean['title']}")
    return material_id


def update_material(db, material_id: int, data: dict, *, expected_version: int | None = None) -> None:
    """expected_version: the version the form read (refused when someone saved the material since)."""
    clean = _clean_fields(db, data)
    with db.write():
        db.check_version("materials", material_id, expected_version)
        before = material_row(db, material_id)
        changed = {k: v for k, v in clean.items() if before[k] != v}
        if not changed:
            return
        db.update("materials", material_id, {**changed, "updated_at": clock.stamp()})
        audit.log(db, "修改档案材料", OWNER, material_id, {k: before[k] for k in changed}, changed, before["title"])


def remove_material(db, material_id: int) -> None:
    """Take a material off the checklist. Its row and files stay (history, and the audit log)."""
    with db.write():
        before = material_row(db, material_id)
        db.update("materials", material_id, {"removed": 1, "updated_at": clock.stamp()})
        audit.log(db, "删除档案材料", OWNER, material_id, {"removed": 0}, {"removed": 1}, before["title"])


# --- a new year ---------------------------------------------------------------------------------

_CARRIED_COLUMNS = ("edition_id", "node_id", "position", "kind", "title", "requirement", "unit_id", "due_on",
                    "status", "default_kind", "origin_id", "missing_last_year", "updated_at")


def carry_forward(db, source_edition_id: int, target_edition_id: int) -> int:
    """Copy last year's checklist (requirements, not verdicts) onto the standards of a new edition
    that were copied from it; what was not approved last year is marked. Carries each material
    once. Returns how many were added."""
    if source_edition_id == target_edition_id:
        raise AppError("结转的来源版本和目标版本不能相同。")
    framework.get_edition(db, source_edition_id)
    target = framework.get_edition(db, target_edition_id)
    with db.write():
        to = {"edition": target_edition_id}
        mapping = {r["origin_id"]: r["id"] for r in db.rows(
            "SELECT id, origin_id FROM framework_nodes WHERE edition_id = :edition AND origin_id IS NOT NULL"
            " AND level = 3", to)}
        carried = set(db.column("SELECT origin_id FROM materials WHERE edition_id = :edition"
                                " AND origin_id IS NOT NULL", to))
        now = clock.stamp()
        new_rows = []
        for m in db.rows("SELECT * FROM materials WHERE edition_id = :edition AND removed = 0"
                         " ORDER BY node_id, position, id", {"edition": source_edition_id}):
            if m["node_id"] not in mapping or m["id"] in carried:
                continue
            new_rows.append({"edition_id": target_edition_id, "node_id": mapping[m["node_id"]],
                             "position": m["position"], "kind": m["kind"], "title": m["title"],
                             "requirement": m["requirement"], "unit_id": m["unit_id"],
                             "due_on": _shift_year(m["due_on"], target["year"]), "status": PENDING,
                             "default_kind": m["default_kind"], "origin_id": m["id"],
                             "missing_last_year": int(m["status"] not in APPROVED), "updated_at": now})
        db.executemany(f"INSERT INTO materials ({', '.join(_CARRIED_COLUMNS)})"
                       f" VALUES ({', '.join(':' + c for c in _CARRIED_COLUMNS)})", new_rows)
        audit.log(db, "结转上年材料清单", OWNER, None, None,
                  {"from": source_edition_id, "to": target_edition_id, "added": len(new_rows)},
                  f"新增 {len(new_rows)} 项")
    return len(new_rows)


def _shift_year(due_on: str, year: int | None) -> str:
    if not due_on or not year:
        return due_on
    try:
        return dt.date.fromisoformat(due_on).replace(year=year).isoformat()
    except ValueError:  # 29 February
        return dt.date(year, 2, 28).isoformat()
