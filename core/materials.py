"""档案材料: the archive-materials checklist of an edition, its review, archiving and gaps.

One row of `materials` is one required piece of evidence for a standard (测评标准): its type, title
and requirement, the unit that supplies it (the standard's lead unit by default), a due date and a
status that moves only along TRANSITIONS. The files themselves are attachments owned by
('materials', id). Removing a material only marks it removed, so no attached file is ever lost.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from core import attachments, audit, framework, units
from core.db import rows, scalar, write
from core.errors import AppError

OWNER = "materials"
KINDS = ["规范性文件", "说明报告", "实景图片", "统计表格", "其他"]
DEFAULT_KINDS = KINDS[:4]
STATUSES = ["待提交", "已提交", "审核通过", "需补充", "已归档"]
APPROVED = ("审核通过", "已归档")
OWING = ("待提交", "需补充")  # the unit still owes something: a passed due date means overdue
# A standard needs archive materials when its 测评方法 includes one of these.
MATERIAL_METHODS = ("材料审核", "网上申报")
CODE_PREFIX = "CL"

# Default titles and requirements of the four material types the default checklist creates.
DEFAULT_TEXT = {
    "规范性文件": ("相关规范性文件", "本年度印发的通知、方案、制度等文件，须有文号和成文日期，盖章扫描件。"),
    "说明报告": ("工作情况说明报告", "围绕本条标准的落实情况撰写说明，数据准确、内容详实，加盖单位公章。"),
    "实景图片": ("实景图片", "现场照片，A4 纸每页一张，每张注明时间、地点、人物、事由。"),
    "统计表格": ("统计表格", "相关数据统计表，注明统计口径、时间范围和填报人。"),
}


@dataclass(frozen=True)
class Transition:
    label: str
    sources: tuple[str, ...]
    target: str


# The only moves a material can make.
TRANSITIONS = {
    "submit": Transition("提交", ("待提交", "需补充"), "已提交"),
    "approve": Transition("审核通过", ("待提交", "已提交", "需补充"), "审核通过"),
    "request": Transition("需补充", ("待提交", "已提交", "审核通过"), "需补充"),
    "archive": Transition("归档", ("审核通过",), "已归档"),
    "unarchive": Transition("撤销归档", ("已归档",), "审核通过"),
    "reopen": Transition("退回待提交", ("已提交", "审核通过", "需补充"), "待提交"),
}


def allowed_actions(status: str) -> list[str]:
    return [key for key, t in TRANSITIONS.items() if status in t.sources]


def material_code(material_id: int) -> str:
    """The stable 材料编号 printed in exports and templates."""
    return f"{CODE_PREFIX}{material_id:06d}"


def parse_code(text) -> int | None:
    """The id in a 材料编号 as people write it back (CL000123, cl123, 123), or None."""
    m = re.fullmatch(rf"(?:{CODE_PREFIX})?-?0*(\d+)", "".join(str(text or "").split()), re.IGNORECASE)
    return int(m.group(1)) if m and int(m.group(1)) > 0 else None


def needs_materials(methods: str) -> bool:
    return any(m in MATERIAL_METHODS for m in framework.split_methods(methods))


def _now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


def _today() -> str:
    return dt.date.today().isoformat()


def _check_date(value, label: str = "截止日期") -> str:
    if value is None or str(value).strip() == "":
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    from core.text import parse_date

    try:
        parsed = parse_date(str(value).strip())
    except ValueError:
        parsed = None
    if parsed is None:
        raise AppError(f"{label}“{value}”无法识别，请写成 2026-03-15 的形式。")
    return parsed.isoformat()


# --- reading ------------------------------------------------------------------------------------

# The file count is looked up per material in the index attachments_owner, so a few rows cost a
# few lookups (a grouped count over every attachment cost 25 ms at 10x for a single row).
_CHECKLIST_SQL = """
SELECT m.*, n.code, n.title AS standard_title, n.points, n.working_group, n.methods,
       c.id AS category_id, c.title AS category, u.name AS unit_name,
       (SELECT count(*) FROM attachments a WHERE a.owner_table = 'materials' AND a.owner_id = m.id) AS file_count
  FROM materials m
  JOIN framework_nodes n ON n.id = m.node_id
  JOIN framework_nodes p ON p.id = n.parent_id
  JOIN framework_nodes c ON c.id = p.parent_id
  LEFT JOIN units u ON u.id = m.unit_id
 WHERE {where}
 ORDER BY c.position, c.id, p.position, p.id, n.position, n.id, m.position, m.id
"""


def checklist_query(edition_id: int | None, *, unit_id: int | None = None, status: str = "",
                    ids=None) -> tuple[str, list]:
    """(sql, params) of checklist rows in 测评体系 order: an edition's active materials, narrowed to
    one unit's, one status or some ids (ids alone: those materials wherever they are)."""
    where, params = [], []
    if edition_id is not None:
        where += ["m.edition_id = ?", "m.removed = 0"]
        params.append(edition_id)
    if status:
        where.append("m.status = ?")
        params.append(status)
    if unit_id is not None:
        where.append("m.unit_id = ?")
        params.append(unit_id)
    if ids is not None:
        where.append(f"m.id IN ({','.join(str(int(i)) for i in ids) or 'NULL'})")
    return _CHECKLIST_SQL.format(where=" AND ".join(where) or "1"), params


def checklist(db, edition_id: int, today: str | None = None, *, unit_id: int | None = None, status: str = "",
              ids=None) -> list[dict]:
    """Every material of an edition in 测评体系 order (or one unit's, one status's, some ids'), with
    what the list shows and filters on."""
    return _decorate(rows(db, *checklist_query(edition_id, unit_id=unit_id, status=status, ids=ids)),
                     today or _today())


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
        raise AppError(f"找不到材料编号为 {material_code(material_id)} 的档案材料，它可能已被删除。")
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
    """The rows matching every set filter (in memory: the list is loaded once per refresh)."""
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
    return {
        "categories": rows(db, "SELECT id, title FROM framework_nodes WHERE edition_id = ? AND level = 1"
                               " AND retired = 0 ORDER BY position, id", (edition_id,)),
        "units": rows(db, "SELECT DISTINCT u.id, u.name FROM materials m JOIN units u ON u.id = m.unit_id"
                          " WHERE m.edition_id = ? AND m.removed = 0 ORDER BY u.position, u.id", (edition_id,)),
        "working_groups": [r["working_group"] for r in rows(
            db, "SELECT DISTINCT working_group FROM framework_nodes WHERE edition_id = ? AND level = 3"
                " AND working_group <> '' ORDER BY working_group", (edition_id,))],
    }


def files_of(db, material_id: int) -> list[dict]:
    return attachments.list_attachments(db, OWNER, material_id)


def files_of_edition(db, edition_id: int) -> dict[int, list[dict]]:
    """material id → its files, for every active material of an edition (one query)."""
    out: dict[int, list[dict]] = {}
    for a in rows(db, "SELECT a.* FROM attachments a JOIN materials m ON m.id = a.owner_id"
                      " WHERE a.owner_table = 'materials' AND m.edition_id = ? AND m.removed = 0"
                      " ORDER BY a.owner_id, a.position, a.id", (edition_id,)):
        out.setdefault(a["owner_id"], []).append(a)
    return out


# --- the default checklist and hand edits -------------------------------------------------------

def _lead_units(db, edition_id: int) -> dict[int, int]:
    """standard id → its first lead unit (groups expanded), the default 责任单位."""
    lead: dict[int, int] = {}
    for r in rows(db, "SELECT a.node_id, a.unit_id FROM assignment_units a JOIN framework_nodes n ON n.id = a.node_id"
                      " JOIN units u ON u.id = a.unit_id"
                      " WHERE n.edition_id = ? AND a.role = 'lead' ORDER BY a.node_id, a.position, u.position, u.id",
                  (edition_id,)):
        lead.setdefault(r["node_id"], r["unit_id"])
    return lead


def init_checklist(db, edition_id: int, progress=None) -> int:
    """The default checklist: for each standard whose method includes 材料审核 or 网上申报, one
    material of each of the four types. Adds only what is missing (also what was removed by hand
    stays removed); existing items are never touched. Returns how many were added."""
    framework.get_edition(db, edition_id)
    with write(db):
        standards = rows(db, "SELECT id, code, methods, deadline FROM framework_nodes WHERE edition_id = ?"
                             " AND level = 3 AND retired = 0 ORDER BY position, id", (edition_id,))
        existing = {(r["node_id"], r["default_kind"]) for r in rows(
            db, "SELECT node_id, default_kind FROM materials WHERE edition_id = ? AND default_kind IS NOT NULL",
            (edition_id,))}
        positions = {r["node_id"]: r["p"] for r in rows(
            db, "SELECT node_id, max(position) AS p FROM materials WHERE edition_id = ? GROUP BY node_id",
            (edition_id,))}
        lead = _lead_units(db, edition_id)
        now = _now()
        new_rows = []
        for s in standards:
            if not needs_materials(s["methods"]):
                continue
            for kind in DEFAULT_KINDS:
                if (s["id"], kind) in existing:
                    continue
                positions[s["id"]] = positions.get(s["id"], 0) + 1
                title, requirement = DEFAULT_TEXT[kind]
                new_rows.append({"edition_id": edition_id, "node_id": s["id"], "position": positions[s["id"]],
                                 "kind": kind, "title": f"{s['code']} {title}", "requirement": requirement,
                                 "unit_id": lead.get(s["id"]), "due_on": _safe_date(s["deadline"]),
                                 "status": "待提交", "default_kind": kind, "updated_at": now})
        if new_rows:
            last_before = scalar(db, "SELECT coalesce(max(id), 0) FROM materials")
            db["materials"].insert_all(new_rows)
            added = [r["id"] for r in rows(db, "SELECT id FROM materials WHERE id > ? ORDER BY id", (last_before,))]
            edition = framework.get_edition(db, edition_id)["name"]
            audit.log(db, "生成默认材料清单", OWNER, None, None,
                      {"edition": edition, "added": len(added), "standards": len({r["node_id"] for r in new_rows}),
                       "materials": _code_ranges(added)}, f"{edition}：新增 {len(added)} 项")
    if progress:
        progress(1, 1, f"新增 {len(new_rows)} 项")
    return len(new_rows)


def _code_ranges(ids: list[int]) -> str:
    """Material codes as runs, "CL000077–CL000080、CL000085": a default checklist adds thousands at once."""
    runs: list[list[int]] = []
    for material_id in sorted(ids):
        if runs and material_id == runs[-1][1] + 1:
            runs[-1][1] = material_id
        else:
            runs.append([material_id, material_id])
    return "、".join(material_code(a) if a == b else f"{material_code(a)}–{material_code(b)}" for a, b in runs)


def _safe_date(text: str) -> str:
    try:
        return _check_date(text)
    except AppError:
        return ""  # a deadline such as "长期坚持" is not a date: leave the due date empty


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
            value = _check_date(value)
        clean[key] = value
    return clean


def add_material(db, node_id: int, data: dict) -> int:
    """A requirement added by hand to a standard."""
    node = framework.get_node(db, node_id)
    if node["level"] != 3:
        raise AppError("档案材料只能添加到测评标准（第三级）上。")
    data = {"kind": "其他", "requirement": "", "unit_id": _lead_units_of(db, node_id), "due_on": "", **data}
    clean = _clean_fields(db, data)
    with write(db):
        position = (scalar(db, "SELECT max(position) FROM materials WHERE node_id = ?", (node_id,)) or 0) + 1
        record = {**clean, "edition_id": node["edition_id"], "node_id": node_id, "position": position,
                  "status": "待提交", "updated_at": _now()}
        material_id = db["materials"].insert(record).last_pk
        audit.log(db, "新增档案材料", OWNER, material_id, None, record, f"{node['code']} {clean['title']}")
    return material_id


def _lead_units_of(db, node_id: int) -> int | None:
    return scalar(db, "SELECT a.unit_id FROM assignment_units a JOIN units u ON u.id = a.unit_id"
                      " WHERE a.node_id = ? AND a.role = 'lead' ORDER BY a.position, u.position, u.id LIMIT 1",
                  (node_id,))


def update_material(db, material_id: int, data: dict) -> None:
    clean = _clean_fields(db, data)
    with write(db):
        before = _row(db, material_id)
        changed = {k: v for k, v in clean.items() if before[k] != v}
        if not changed:
            return
        db["materials"].update(material_id, {**changed, "updated_at": _now()})
        audit.log(db, "修改档案材料", OWNER, material_id, {k: before[k] for k in changed}, changed, before["title"])


def remove_material(db, material_id: int) -> None:
    """Take a material off the checklist. Its row and files stay (history, and the audit log)."""
    with write(db):
        before = _row(db, material_id)
        db["materials"].update(material_id, {"removed": 1, "updated_at": _now()})
        audit.log(db, "删除档案材料", OWNER, material_id, {"removed": 0}, {"removed": 1}, before["title"])


def _row(db, material_id: int) -> dict:
    found = rows(db, "SELECT * FROM materials WHERE id = ?", (material_id,))
    if not found or found[0]["removed"]:
        raise AppError(f"找不到材料编号为 {material_code(material_id)} 的档案材料，它可能已被删除。")
    return found[0]


# --- status flow --------------------------------------------------------------------------------

def change_status(db, material_id: int, action: str, *, comment: str = "", box: int | None = None,
                  item: int | None = None, pages: int | None = None) -> str:
    """Move a material along TRANSITIONS; returns the new status. 需补充 needs a comment the unit
    will see; 审核通过 needs at least one file; 归档 needs a box and an item number free in it."""
    t = TRANSITIONS.get(action)
    if t is None:
        raise ValueError(f"unknown action {action}")
    with write(db):
        before = _row(db, material_id)
        if before["status"] not in t.sources:
            raise AppError(f"材料“{before['title']}”当前状态为“{before['status']}”，不能{t.label}。")
        change: dict = {"status": t.target, "updated_at": _now()}
        if action == "request":
            comment = str(comment or "").strip()
            if not comment:
                raise AppError("标记“需补充”时请填写审核意见，说明需要补充什么（责任单位会看到）。")
            change["comment"] = comment
        if action == "approve":
            if not scalar(db, "SELECT count(*) FROM attachments WHERE owner_table = ? AND owner_id = ?",
                          (OWNER, material_id)):
                raise AppError(f"材料“{before['title']}”还没有附件，不能审核通过。请先添加文件，或标记为“需补充”。")
            change["comment"] = str(comment or "").strip()
        if action in ("approve", "request"):
            change.update(reviewed_at=_now(), reviewed_by=getattr(db, "operator", ""))
        if action == "archive":
            change.update(_placement(db, before, box, item, pages))
        if action == "unarchive":
            change.update(box=None, item=None, pages=None)
        db["materials"].update(material_id, change)
        audit.log(db, t.label, OWNER, material_id, {k: before.get(k) for k in change if k != "updated_at"},
                  {k: v for k, v in change.items() if k != "updated_at"}, before["title"])
    return t.target


def _placement(db, material: dict, box, item, pages) -> dict:
    if not isinstance(box, int) or box < 1:
        raise AppError("归档时请填写盒号（从 1 开始的整数）。")
    if item is None:
        item = (scalar(db, "SELECT max(item) FROM materials WHERE edition_id = ? AND box = ? AND removed = 0",
                       (material["edition_id"], box)) or 0) + 1
    if not isinstance(item, int) or item < 1:
        raise AppError("件号应为从 1 开始的整数。")
    if pages is not None and (not isinstance(pages, int) or pages < 1):
        raise AppError("页数应为不小于 1 的整数，不清楚时可以不填。")
    taken = rows(db, "SELECT id, title FROM materials WHERE edition_id = ? AND box = ? AND item = ? AND removed = 0"
                     " AND id <> ?", (material["edition_id"], box, item, material["id"]))
    if taken:
        raise AppError(f"第 {box} 盒第 {item} 件已是“{taken[0]['title']}”，请换一个件号。")
    return {"box": box, "item": item, "pages": pages if pages is not None else material["pages"]}


def submit_if_pending(db, material_id: int) -> bool:
    """After files were attached: a material still 待提交 (or 需补充) becomes 已提交."""
    status = _row(db, material_id)["status"]
    if status in TRANSITIONS["submit"].sources:
        change_status(db, material_id, "submit")
        return True
    return False


def box_items(db, edition_id: int, box: int | None = None) -> list[dict]:
    """Archived materials by box and 件号, for the 归档文件目录."""
    where = " AND m.box = ?" if box is not None else ""
    params = (edition_id, box) if box is not None else (edition_id,)
    return rows(db, "SELECT m.*, n.code, coalesce(u.name, '') AS unit_name FROM materials m"
                    " JOIN framework_nodes n ON n.id = m.node_id LEFT JOIN units u ON u.id = m.unit_id"
                    " WHERE m.edition_id = ? AND m.removed = 0 AND m.status = '已归档' AND m.box IS NOT NULL"
                    + where + " ORDER BY m.box, m.item", params)


# --- review mode --------------------------------------------------------------------------------

def review_order(db, edition_id: int) -> list[int]:
    """Material ids in 测评体系 order: the path the 档案审查 walks."""
    return [r["id"] for r in rows(
        db, "SELECT m.id FROM materials m JOIN framework_nodes n ON n.id = m.node_id"
            " JOIN framework_nodes p ON p.id = n.parent_id JOIN framework_nodes c ON c.id = p.parent_id"
            " WHERE m.edition_id = ? AND m.removed = 0"
            " ORDER BY c.position, c.id, p.position, p.id, n.position, n.id, m.position, m.id", (edition_id,))]


def review_position(db, edition_id: int) -> int | None:
    return scalar(db, "SELECT material_id FROM material_review_progress WHERE edition_id = ?", (edition_id,))


def save_review_position(db, edition_id: int, material_id: int) -> None:
    """Where the walk is (not audited: it is a bookmark, not a change to the archive)."""
    with write(db):
        db.execute("INSERT INTO material_review_progress (edition_id, material_id, updated_at) VALUES (?, ?, ?)"
                   " ON CONFLICT (edition_id) DO UPDATE SET material_id = excluded.material_id,"
                   " updated_at = excluded.updated_at", (edition_id, material_id, _now()))


def review_item(db, material_id: int) -> dict:
    """One step of the review: the material, its standard, and its files with their stored paths."""
    m = get_material(db, material_id)
    m["files"] = files_of(db, material_id)
    for f in m["files"]:
        f["path"] = attachments.stored_path(db, f["sha256"])
        f["is_image"] = attachments.is_image_name(f["original_name"])
        f["is_pdf"] = f["original_name"].lower().endswith(".pdf")
    return m


# --- completeness -------------------------------------------------------------------------------

BY = {"category": "测评项目", "unit": "责任单位", "working_group": "专项推进组"}


def completeness(db, edition_id: int, by: str = "category") -> list[dict]:
    """Per 测评项目, unit or working group: share of materials approved (已归档 counts) and share
    of points covered (a standard is covered when all its materials are approved; the base is the
    points of the standards that have materials)."""
    if by not in BY:
        raise ValueError(by)
    data = checklist(db, edition_id)
    groups: dict = {}
    standards: dict = {}
    for r in data:
        key = {"category": (r["category_id"], r["category"]), "unit": (r["unit_id"], r["unit_name"] or "（未指定）"),
               "working_group": (r["working_group"], r["working_group"] or "（未分组）")}[by]
        g = groups.setdefault(key, {"name": key[1], "materials": 0, "approved": 0, "_std": {}})
        g["materials"] += 1
        approved = r["status"] in APPROVED
        g["approved"] += approved
        s = g["_std"].setdefault(r["node_id"], {"points": r["points"] or 0, "all": True})
        s["all"] = s["all"] and approved
        standards.setdefault(r["node_id"], r["points"] or 0)
    out = []
    for g in groups.values():
        std = g.pop("_std")
        g["points"] = sum(s["points"] for s in std.values())
        g["covered_points"] = sum(s["points"] for s in std.values() if s["all"])
        g["standards"] = len(std)
        g["covered_standards"] = sum(1 for s in std.values() if s["all"])
        g["approved_share"] = g["approved"] / g["materials"] if g["materials"] else 0.0
        g["points_share"] = g["covered_points"] / g["points"] if g["points"] else 0.0
        out.append(g)
    if by != "category":
        out.sort(key=lambda g: (g["approved_share"], g["name"]))
    return out


# --- health check -------------------------------------------------------------------------------

CHECKS = ["标准无材料", "材料无附件", "文件哈希不符", "已过截止日期", "需补充未重新提交"]


def health_check(db, edition_id: int, *, verify_files: bool = True, progress=None, cancel=None) -> list[dict]:
    """材料体检: every gap to act on, as rows {check, code, material_code, title, unit, detail}."""
    from core.errors import Cancelled

    today = _today()
    found: list[dict] = []
    for s in rows(db, "SELECT n.id, n.code, n.title, n.methods FROM framework_nodes n WHERE n.edition_id = ?"
                      " AND n.level = 3 AND n.retired = 0 AND NOT EXISTS (SELECT 1 FROM materials m"
                      " WHERE m.node_id = n.id AND m.removed = 0) ORDER BY n.position, n.id", (edition_id,)):
        if needs_materials(s["methods"]):
            found.append({"check": "标准无材料", "code": s["code"], "material_code": "", "material_id": None,
                          "title": s["title"], "unit": "", "detail": f"测评方法含{s['methods']}，清单中没有材料"})
    data = checklist(db, edition_id, today)
    for r in data:
        base = {"code": r["code"], "material_code": r["material_code"], "material_id": r["id"],
                "title": r["title"], "unit": r["unit_name"]}
        if not r["file_count"]:
            found.append({**base, "check": "材料无附件", "detail": f"状态：{r['status']}"})
        if r["overdue"]:
            found.append({**base, "check": "已过截止日期", "detail": f"截止 {r['due_on']}，状态：{r['status']}"})
        if r["status"] == "需补充":
            found.append({**base, "check": "需补充未重新提交", "detail": r["comment"]})
    if verify_files:
        by_material = {r["id"]: r for r in data}
        shas = rows(db, "SELECT a.sha256, a.owner_id, a.original_name FROM attachments a JOIN materials m"
                        " ON m.id = a.owner_id WHERE a.owner_table = 'materials' AND m.edition_id = ?"
                        " AND m.removed = 0 ORDER BY a.sha256", (edition_id,))
        checked: dict[str, str] = {}
        distinct = len({a["sha256"] for a in shas})
        for a in shas:
            sha = a["sha256"]
            if sha not in checked:
                if cancel and cancel():
                    raise Cancelled()
                path = attachments.stored_path(db, sha)
                checked[sha] = ("文件缺失" if not path.exists() else
                                "" if attachments.file_sha256(path) == sha else "内容已被改动（哈希不符）")
                if progress:
                    progress(len(checked), distinct, "核对文件")
            if checked[sha] and a["owner_id"] in by_material:
                r = by_material[a["owner_id"]]
                found.append({"check": "文件哈希不符", "code": r["code"], "material_code": r["material_code"],
                              "material_id": r["id"], "title": r["title"], "unit": r["unit_name"],
                              "detail": f"{a['original_name']}：{checked[sha]}"})
    order = {c: i for i, c in enumerate(CHECKS)}
    found.sort(key=lambda x: order[x["check"]])
    return found


def export_health(path, found: list[dict]) -> None:
    from core.xlsx.writer import Sheet, write_workbook

    write_workbook(path, [Sheet("材料体检", ["问题类型", "标准编号", "材料编号", "材料名称", "责任单位", "说明"],
                                [[f["check"], f["code"], f["material_code"], f["title"], f["unit"], f["detail"]]
                                 for f in found])])


# --- a new year ---------------------------------------------------------------------------------

def carry_forward(db, source_edition_id: int, target_edition_id: int) -> int:
    """Copy last year's checklist (requirements, not verdicts) onto the standards of a new edition
    that were copied from it; what was not approved last year is marked. Carries each material
    once. Returns how many were added."""
    if source_edition_id == target_edition_id:
        raise AppError("结转的来源版本和目标版本不能相同。")
    framework.get_edition(db, source_edition_id)
    target = framework.get_edition(db, target_edition_id)
    with write(db):
        mapping = {r["origin_id"]: r["id"] for r in rows(
            db, "SELECT id, origin_id FROM framework_nodes WHERE edition_id = ? AND origin_id IS NOT NULL"
                " AND level = 3", (target_edition_id,))}
        carried = {r["origin_id"] for r in rows(
            db, "SELECT origin_id FROM materials WHERE edition_id = ? AND origin_id IS NOT NULL", (target_edition_id,))}
        now = _now()
        new_rows = []
        for m in rows(db, "SELECT * FROM materials WHERE edition_id = ? AND removed = 0 ORDER BY node_id, position",
                      (source_edition_id,)):
            if m["node_id"] not in mapping or m["id"] in carried:
                continue
            new_rows.append({"edition_id": target_edition_id, "node_id": mapping[m["node_id"]],
                             "position": m["position"], "kind": m["kind"], "title": m["title"],
                             "requirement": m["requirement"], "unit_id": m["unit_id"],
                             "due_on": _shift_year(m["due_on"], target["year"]), "status": "待提交",
                             "default_kind": m["default_kind"], "origin_id": m["id"],
                             "missing_last_year": int(m["status"] not in APPROVED), "updated_at": now})
        if new_rows:
            db["materials"].insert_all(new_rows)
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


# --- the demo district --------------------------------------------------------------------------

def load_demo_part(db, demo: dict) -> None:
    """The demo district's archive: the default checklist, files for some materials (photos drawn
    here, a report as text), and materials at every step of the status flow."""
    part = demo.get("materials")
    edition_id = framework.current_edition_id(db)
    if not part or edition_id is None:
        return
    import tempfile
    from pathlib import Path

    with write(db), tempfile.TemporaryDirectory() as tmp:
        init_checklist(db, edition_id)
        by_code_kind = {(r["code"], r["kind"]): r["id"] for r in checklist(db, edition_id)}
        for step in part["steps"]:
            material_id = by_code_kind[(step["code"], step["kind"])]
            for i, f in enumerate(step.get("files", [])):
                path = Path(tmp) / f["name"]
                if attachments.is_image_name(f["name"]):
                    _demo_photo(path, i)
                else:
                    _demo_pdf(path, f.get("text", f["name"]))
                attachments.add_attachment(db, OWNER, material_id, path, caption=f.get("caption", ""),
                                           taken_at=f.get("taken_at", ""))
            if step.get("doc_number") or step.get("doc_date"):
                db["materials"].update(material_id, {"doc_number": step.get("doc_number", ""),
                                                     "doc_date": step.get("doc_date", "")})
            for action in step.get("actions", []):
                change_status(db, material_id, action, comment=step.get("comment", ""),
                              box=step.get("box"), item=step.get("item"), pages=step.get("pages"))
        if part.get("due_on"):
            db.execute("UPDATE materials SET due_on = ? WHERE edition_id = ? AND due_on = ''",
                       (part["due_on"], edition_id))


def _demo_pdf(path, text: str) -> None:
    """A one-page scan stand-in: the document's title and opening lines."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    from core.pdf.fonts import register_fonts
    from core.pdf.gbt9704 import draw_string

    fonts = register_fonts()
    c = canvas.Canvas(str(path), pagesize=A4)
    lines = text.splitlines()
    draw_string(c, lines[0], A4[0] / 2, A4[1] - 140, fonts["xiaobiaosong"], 20, anchor="centre")
    for i, line in enumerate(lines[1:]):
        draw_string(c, line, 80, A4[1] - 200 - i * 30, fonts["fangsong"], 15)
    c.save()


def _demo_photo(path, seed: int) -> None:
    from PIL import Image, ImageDraw

    colours = [(70, 130, 180), (60, 150, 90), (200, 120, 60), (140, 90, 160)]
    img = Image.new("RGB", (640, 480), colours[seed % len(colours)])
    draw = ImageDraw.Draw(img)
    draw.rectangle((40, 300, 600, 440), fill=(235, 235, 225))
    draw.rectangle((80, 120, 260, 300), fill=(250, 250, 250))
    draw.ellipse((420, 60, 520, 160), fill=(250, 220, 90))
    img.save(path)
