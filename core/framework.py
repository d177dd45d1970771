"""测评体系: editions, the tree of 测评项目 → 测评内容 → 测评标准, and the 分解表 (who leads, who helps)."""

from __future__ import annotations

import re
from datetime import datetime

from core import audit, settings
from core.db import rows, scalar, write
from core.errors import AppError

LEVEL_NAMES = {1: "测评项目", 2: "测评内容", 3: "测评标准"}
ROLE_NAMES = {"lead": "牵头", "support": "配合"}
NODE_FIELDS = ("code", "title", "methods", "points", "working_group", "deadline", "negative")


# --- editions -----------------------------------------------------------------------------------

def list_editions(db) -> list[dict]:
    result = rows(db, "SELECT e.*, (SELECT count(*) FROM framework_nodes n WHERE n.edition_id = e.id"
                      " AND n.level = 3 AND n.retired = 0) AS standard_count FROM editions e ORDER BY e.id")
    current = current_edition_id(db)
    for e in result:
        e["current"] = e["id"] == current
    return result


def get_edition(db, edition_id: int) -> dict:
    found = rows(db, "SELECT * FROM editions WHERE id = ?", (edition_id,))
    if not found:
        raise AppError(f"找不到编号为 {edition_id} 的测评体系版本。")
    return found[0]


def current_edition_id(db) -> int | None:
    edition_id = settings.get(db, "current_edition_id")
    if edition_id and scalar(db, "SELECT 1 FROM editions WHERE id = ?", (edition_id,)):
        return edition_id
    return None


def resolve_edition(db, name: str | None = None) -> int:
    """The edition a command means: the one named, else the current one."""
    if name:
        found = scalar(db, "SELECT id FROM editions WHERE name = ?", (name.strip(),))
        if found is None:
            names = "、".join(e["name"] for e in list_editions(db)) or "（暂无）"
            raise AppError(f"找不到测评体系版本“{name}”。现有版本：{names}。")
        return found
    edition_id = current_edition_id(db)
    if edition_id is None:
        raise AppError("还没有测评体系版本。请先导入责任分解表（import-framework）或加载示例数据（demo）。")
    return edition_id


def year_from_text(text: str) -> int | None:
    m = re.search(r"(20\d\d)", text or "")
    return int(m.group(1)) if m else None


def create_edition(db, name: str, year: int | None = None, title: str = "") -> int:
    name = " ".join(str(name).split())
    if not name:
        raise AppError("版本名称不能为空。")
    year = year or year_from_text(name) or settings.get(db, "current_year")
    with write(db):
        if scalar(db, "SELECT 1 FROM editions WHERE name = ?", (name,)):
            raise AppError(f"已有名为“{name}”的版本，请换一个名称。")
        edition_id = db["editions"].insert({"name": name, "year": year, "title": title,
                                            "created_at": _now()}).last_pk
        audit.log(db, "新建版本", "editions", edition_id, None, {"name": name, "year": year}, name)
        if current_edition_id(db) is None:  # the first edition becomes current
            settings.set(db, "current_edition_id", edition_id)
    return edition_id


def update_edition(db, edition_id: int, name: str, year: int, title: str = "") -> None:
    name = " ".join(str(name).split())
    if not name:
        raise AppError("版本名称不能为空。")
    with write(db):
        before = get_edition(db, edition_id)
        if scalar(db, "SELECT 1 FROM editions WHERE name = ? AND id <> ?", (name, edition_id)):
            raise AppError(f"已有名为“{name}”的版本，请换一个名称。")
        after = {"name": name, "year": year, "title": title}
        db["editions"].update(edition_id, after)
        audit.log(db, "修改版本", "editions", edition_id,
                  {k: before[k] for k in after}, after, name)


def set_current_edition(db, edition_id: int) -> None:
    get_edition(db, edition_id)
    settings.set(db, "current_edition_id", edition_id)


def copy_edition(db, source_id: int, name: str, year: int | None = None, title: str | None = None,
                 progress=None) -> int:
    """新年度: a copy of an edition (tree and 分解表) whose standards point back to their origin,
    so later areas can carry work forward and compare years."""
    source = get_edition(db, source_id)
    with write(db):
        new_id = create_edition(db, name, year, source["title"] if title is None else title)
        mapping: dict[int, int] = {}
        nodes = rows(db, "SELECT * FROM framework_nodes WHERE edition_id = ? AND retired = 0"
                         " ORDER BY level, position, id", (source_id,))
        for i, n in enumerate(nodes):
            if n["parent_id"] is not None and n["parent_id"] not in mapping:
                continue  # under a retired parent
            data = {k: n[k] for k in ("level", "position") + NODE_FIELDS}
            data.update(edition_id=new_id, parent_id=mapping.get(n["parent_id"]), origin_id=n["id"])
            mapping[n["id"]] = db["framework_nodes"].insert(data).last_pk
            if progress:
                progress(i + 1, len(nodes), "复制测评体系")
        db.conn.executemany(
            "INSERT INTO assignments (node_id, role, unit_id, group_id, position)"
            " SELECT ?, role, unit_id, group_id, position FROM assignments WHERE node_id = ?",
            [(new, old) for old, new in mapping.items()])
        audit.log(db, "复制版本", "editions", new_id, None,
                  {"from": source["name"], "nodes": len(mapping)}, f"{source['name']} → {name}")
    return new_id


def delete_edition(db, edition_id: int) -> None:
    with write(db):
        edition = get_edition(db, edition_id)
        node_ids = [r["id"] for r in rows(db, "SELECT id FROM framework_nodes WHERE edition_id = ?", (edition_id,))]
        refs = _external_references(db, node_ids)
        refs.update(_edition_references(db, edition_id))
        if refs:
            detail = "、".join(f"{t} {n} 条" for t, n in refs.items())
            raise AppError(f"版本“{edition['name']}”已被其他记录引用（{detail}），不能删除。")
        db.execute("DELETE FROM assignments WHERE node_id IN (SELECT id FROM framework_nodes WHERE edition_id = ?)",
                   (edition_id,))
        db.execute("UPDATE framework_nodes SET origin_id = NULL WHERE origin_id IN"
                   " (SELECT id FROM framework_nodes WHERE edition_id = ?)", (edition_id,))
        # Children before parents: the tree references itself.
        db.execute("DELETE FROM framework_nodes WHERE edition_id = ? AND level = 3", (edition_id,))
        db.execute("DELETE FROM framework_nodes WHERE edition_id = ? AND level = 2", (edition_id,))
        db.execute("DELETE FROM framework_nodes WHERE edition_id = ?", (edition_id,))
        db.execute("UPDATE editions SET copied_from = NULL WHERE copied_from = ?", (edition_id,))
        db.execute("DELETE FROM editions WHERE id = ?", (edition_id,))
        if settings.get(db, "current_edition_id") == edition_id:
            other = scalar(db, "SELECT max(id) FROM editions")
            settings.set(db, "current_edition_id", other)
        audit.log(db, "删除版本", "editions", edition_id, edition, None, edition["name"])


# --- the tree -----------------------------------------------------------------------------------

def tree_rows(db, edition_id: int, include_retired: bool = False) -> list[dict]:
    """Every node of an edition in display order, with lead/support names and subtree totals."""
    where = "" if include_retired else " AND n.retired = 0"
    nodes = rows(db, "SELECT n.* FROM framework_nodes n WHERE n.edition_id = ?" + where +
                 " ORDER BY n.level, n.position, n.id", (edition_id,))
    names = _assignment_names(db, edition_id)
    by_id = {n["id"]: n for n in nodes}
    for n in nodes:
        n["lead"], n["support"] = names.get(n["id"], ([], []))
        n["total_points"] = 0.0
        n["standard_count"] = 0
    for n in nodes:
        if n["level"] == 3 and not n["retired"]:
            p = n
            while p is not None:
                p["total_points"] += n["points"] or 0
                p["standard_count"] += 1
                p = by_id.get(p["parent_id"])
    return nodes


def _assignment_names(db, edition_id: int) -> dict[int, tuple[list[str], list[str]]]:
    """node id → (lead names, support names) as written: a group shows as its name."""
    result: dict[int, tuple[list[str], list[str]]] = {}
    for r in rows(db, "SELECT a.node_id, a.role, coalesce(u.name, g.name) AS name FROM assignments a"
                      " JOIN framework_nodes n ON n.id = a.node_id"
                      " LEFT JOIN units u ON u.id = a.unit_id LEFT JOIN unit_groups g ON g.id = a.group_id"
                      " WHERE n.edition_id = ? ORDER BY a.node_id, a.role, a.position, a.id", (edition_id,)):
        lead, support = result.setdefault(r["node_id"], ([], []))
        (lead if r["role"] == "lead" else support).append(r["name"])
    return result


def get_node(db, node_id: int) -> dict:
    found = rows(db, "SELECT * FROM framework_nodes WHERE id = ?", (node_id,))
    if not found:
        raise AppError(f"找不到编号为 {node_id} 的测评体系条目，它可能已被删除。")
    return found[0]


def standards(db, edition_id: int, include_retired: bool = False) -> list[dict]:
    """Standards in tree order with their category and indicator, and lead/support names."""
    nodes = tree_rows(db, edition_id, include_retired)
    return _flatten(nodes)


def _flatten(nodes: list[dict]) -> list[dict]:
    by_parent: dict = {}
    for n in nodes:
        by_parent.setdefault(n["parent_id"], []).append(n)
    out = []
    for cat in by_parent.get(None, []):
        for ind in by_parent.get(cat["id"], []):
            for std in by_parent.get(ind["id"], []):
                out.append({**std, "category": cat["title"], "indicator": ind["title"],
                            "category_id": cat["id"], "indicator_id": ind["id"]})
    return out


def split_methods(text: str) -> list[str]:
    return [m for m in re.split(r"[、，,；;／/\s]+", text or "") if m]


def filter_node_ids(db, edition_id: int, text: str = "", unit_id: int | None = None, method: str = "",
                    working_group: str = "", no_lead: bool = False,
                    include_retired: bool = False) -> set[int] | None:
    """Standards matching every given filter, plus their ancestors (so the tree can show them).
    None when no filter is set. The rows of the tree (tree_rows) are read once per change of the
    data, not per filter: the page keeps them and shows the ids this returns."""
    if not (text or unit_id or method or working_group or no_lead):
        return None
    found = rows(db, *filter_query(edition_id, text, unit_id, method, working_group, no_lead, include_retired))
    ids: set[int] = set()
    for r in found:
        ids.update((r["id"], r["parent_id"], r["grand_id"]))
    return ids


def filter_query(edition_id: int, text: str = "", unit_id: int | None = None, method: str = "",
                 working_group: str = "", no_lead: bool = False, include_retired: bool = False) -> tuple[str, list]:
    """(sql, params) of filter_node_ids: the matching standards with their parent and grandparent."""
    where, params = ["n.edition_id = ?", "n.level = 3"], [edition_id]
    if not include_retired:
        where.append("n.retired = 0")
    if text:
        like = f"%{text}%"
        where.append("(n.code LIKE ? OR n.title LIKE ? OR p.title LIKE ? OR c.title LIKE ?)")
        params += [like] * 4
    if method:
        where.append("('、' || n.methods || '、') LIKE ?")
        params.append(f"%、{method}、%")
    if working_group:
        where.append("n.working_group = ?")
        params.append(working_group)
    if unit_id:
        where.append("n.id IN (SELECT node_id FROM assignment_units WHERE unit_id = ?)")
        params.append(unit_id)
    if no_lead:
        # Straight from the assignments: the expanded view would be rebuilt for every standard.
        where.append("NOT EXISTS (SELECT 1 FROM assignments a WHERE a.node_id = n.id AND a.role = 'lead' AND ("
                     "a.unit_id IS NOT NULL OR EXISTS (SELECT 1 FROM unit_groups g JOIN units u ON u.kind = g.unit_kind"
                     " AND u.retired = 0 WHERE g.id = a.group_id) OR EXISTS (SELECT 1 FROM unit_group_members m"
                     " WHERE m.group_id = a.group_id)))")
    return ("SELECT n.id, n.parent_id, p.parent_id AS grand_id FROM framework_nodes n"
            " JOIN framework_nodes p ON p.id = n.parent_id"
            " JOIN framework_nodes c ON c.id = p.parent_id WHERE " + " AND ".join(where), params)


def _validate_node(db, level: int, data: dict) -> dict:
    clean = {}
    for key, value in data.items():
        if key not in NODE_FIELDS:
            raise AppError(f"未知的字段：{key}")
        clean[key] = value
    if "title" in clean:
        clean["title"] = str(clean["title"] or "").strip()
        if not clean["title"]:
            raise AppError(f"{LEVEL_NAMES[level]}的内容不能为空。")
    if "code" in clean:
        clean["code"] = "".join(str(clean["code"] or "").split())
        if level == 3 and not clean["code"]:
            raise AppError("测评标准必须有标准编号（例如 5.2.3）。")
    if "methods" in clean:
        methods = clean["methods"] if isinstance(clean["methods"], list) else split_methods(clean["methods"])
        known = settings.vocab(db, "method")
        for m in methods:
            if m not in known:
                raise AppError(f"未知的测评方法“{m}”。可选：{'、'.join(known)}。")
        clean["methods"] = "、".join(dict.fromkeys(methods))
    if "points" in clean and clean["points"] not in (None, ""):
        try:
            clean["points"] = float(clean["points"])
        except (TypeError, ValueError):
            raise AppError(f"分值“{clean['points']}”不是数字。") from None
        if clean["points"] < 0:
            raise AppError("分值不能为负数。")
    elif "points" in clean:
        clean["points"] = None
    if "negative" in clean:
        clean["negative"] = int(bool(clean["negative"]))
    for key in ("working_group", "deadline"):
        if key in clean:
            clean[key] = str(clean[key] or "").strip()
    return clean


def add_node(db, edition_id: int, parent_id: int | None, data: dict) -> int:
    with write(db):
        get_edition(db, edition_id)
        level = 1 if parent_id is None else get_node(db, parent_id)["level"] + 1
        if level > 3:
            raise AppError("测评标准下不能再添加子项。")
        clean = _validate_node(db, level, data)
        if level == 3:
            _check_code_free(db, edition_id, clean.get("code", ""))
        position = (scalar(db, "SELECT max(position) FROM framework_nodes WHERE edition_id = ? AND "
                               + ("parent_id IS NULL" if parent_id is None else "parent_id = ?"),
                           (edition_id,) if parent_id is None else (edition_id, parent_id)) or 0) + 1
        node_id = db["framework_nodes"].insert({**clean, "edition_id": edition_id, "parent_id": parent_id,
                                                "level": level, "position": position}).last_pk
        audit.log(db, f"新增{LEVEL_NAMES[level]}", "framework_nodes", node_id, None, clean,
                  clean.get("code") or clean.get("title", ""))
    return node_id


def _check_code_free(db, edition_id: int, code: str, own_id: int | None = None) -> None:
    other = scalar(db, "SELECT id FROM framework_nodes WHERE edition_id = ? AND level = 3 AND code = ?"
                       " AND id IS NOT ?", (edition_id, code, own_id))
    if other:
        raise AppError(f"本版本中已有编号为“{code}”的测评标准，标准编号不能重复。")


def update_node(db, node_id: int, data: dict) -> None:
    with write(db):
        before = get_node(db, node_id)
        clean = _validate_node(db, before["level"], data)
        if before["level"] == 3 and "code" in clean:
            _check_code_free(db, before["edition_id"], clean["code"], node_id)
        changed = {k: v for k, v in clean.items() if before.get(k) != v}
        if changed:
            db["framework_nodes"].update(node_id, changed)
            audit.log(db, f"修改{LEVEL_NAMES[before['level']]}", "framework_nodes", node_id,
                      {k: before[k] for k in changed}, changed, before["code"] or before["title"])


def move_node(db, node_id: int, new_parent_id: int | None, position: int | None = None) -> None:
    """Move a node under another parent of the level above (or reorder within its parent)."""
    with write(db):
        node = get_node(db, node_id)
        if new_parent_id is None:
            if node["level"] != 1:
                raise AppError(f"{LEVEL_NAMES[node['level']]}必须放在{LEVEL_NAMES[node['level'] - 1]}之下。")
        else:
            parent = get_node(db, new_parent_id)
            if parent["edition_id"] != node["edition_id"] or parent["level"] != node["level"] - 1:
                raise AppError(f"{LEVEL_NAMES[node['level']]}只能移到同一版本的{LEVEL_NAMES[node['level'] - 1]}之下。")
        siblings = [r["id"] for r in rows(
            db, "SELECT id FROM framework_nodes WHERE edition_id = ? AND parent_id IS ? AND id <> ?"
                " ORDER BY position, id", (node["edition_id"], new_parent_id, node_id))]
        position = len(siblings) if position is None else max(0, min(position, len(siblings)))
        siblings.insert(position, node_id)
        db.conn.executemany("UPDATE framework_nodes SET position = ? WHERE id = ?",
                            [(i + 1, sid) for i, sid in enumerate(siblings)])
        db.execute("UPDATE framework_nodes SET parent_id = ? WHERE id = ?", (new_parent_id, node_id))
        audit.log(db, "移动条目", "framework_nodes", node_id,
                  {"parent_id": node["parent_id"], "position": node["position"]},
                  {"parent_id": new_parent_id, "position": position + 1}, node["code"] or node["title"])


def subtree_ids(db, node_id: int) -> list[int]:
    return [r["id"] for r in rows(
        db, "WITH RECURSIVE t(id) AS (SELECT ? UNION ALL SELECT n.id FROM framework_nodes n JOIN t"
            " ON n.parent_id = t.id) SELECT id FROM t", (node_id,))]


def _node_references(db) -> list[tuple[str, str]]:
    found = []
    for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
        for fk in db.execute(f"PRAGMA foreign_key_list([{table}])").fetchall():
            if fk[2] == "framework_nodes" and table not in ("framework_nodes", "assignments"):
                found.append((table, fk[3]))
    return found


def _external_references(db, node_ids: list[int]) -> dict[str, int]:
    """Records of other areas (materials, findings, scores …) that refer to these nodes."""
    counts: dict[str, int] = {}
    if not node_ids:
        return counts
    marks = ",".join("?" * len(node_ids))
    for table, column in _node_references(db):
        n = scalar(db, f"SELECT count(*) FROM [{table}] WHERE [{column}] IN ({marks})", node_ids)
        if n:
            counts[table] = counts.get(table, 0) + n
    return counts


def _edition_references(db, edition_id: int) -> dict[str, int]:
    counts = {}
    for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
        if table in ("framework_nodes", "editions"):
            continue
        for fk in db.execute(f"PRAGMA foreign_key_list([{table}])").fetchall():
            if fk[2] == "editions":
                n = scalar(db, f"SELECT count(*) FROM [{table}] WHERE [{fk[3]}] = ?", (edition_id,))
                if n:
                    counts[table] = n
    return counts


def delete_impact(db, node_id: int) -> dict:
    """What deleting a node would take with it, for the confirmation dialog."""
    ids = subtree_ids(db, node_id)
    marks = ",".join("?" * len(ids))
    return {
        "nodes": len(ids) - 1,
        "standards": scalar(db, f"SELECT count(*) FROM framework_nodes WHERE level = 3 AND id IN ({marks})", ids),
        "assignments": scalar(db, f"SELECT count(*) FROM assignments WHERE node_id IN ({marks})", ids),
        "references": _external_references(db, ids),
        "later_editions": scalar(db, f"SELECT count(*) FROM framework_nodes WHERE origin_id IN ({marks})", ids),
    }


def delete_node(db, node_id: int) -> None:
    """Delete a node with its subtree and their 分解表 rows. Refused when records of other areas
    refer to it: those must not be dropped silently, so the user retires the standard instead."""
    with write(db):
        node = get_node(db, node_id)
        impact = delete_impact(db, node_id)
        if impact["references"]:
            detail = "、".join(f"{t} {n} 条" for t, n in impact["references"].items())
            raise AppError(f"“{node['code'] or node['title']}”已被其他记录引用（{detail}），不能删除。"
                           "如该标准已不再使用，请改为“停用”，历史记录会保留。")
        ids = subtree_ids(db, node_id)
        marks = ",".join("?" * len(ids))
        db.execute(f"UPDATE framework_nodes SET origin_id = NULL WHERE origin_id IN ({marks})", ids)
        db.execute(f"DELETE FROM assignments WHERE node_id IN ({marks})", ids)
        for level in (3, 2, 1):
            db.execute(f"DELETE FROM framework_nodes WHERE level = ? AND id IN ({marks})", [level, *ids])
        audit.log(db, f"删除{LEVEL_NAMES[node['level']]}", "framework_nodes", node_id, node,
                  {"deleted_descendants": len(ids) - 1}, node["code"] or node["title"])


def retire_node(db, node_id: int, retired: bool = True) -> None:
    with write(db):
        node = get_node(db, node_id)
        ids = subtree_ids(db, node_id)
        marks = ",".join("?" * len(ids))
        db.execute(f"UPDATE framework_nodes SET retired = ? WHERE id IN ({marks})", [int(retired), *ids])
        audit.log(db, "停用条目" if retired else "恢复条目", "framework_nodes", node_id,
                  {"retired": node["retired"]}, {"retired": int(retired)}, node["code"] or node["title"])


# --- the 分解表 -----------------------------------------------------------------------------------

def assignment_refs(db, node_id: int) -> dict[str, list[tuple[str, int, str]]]:
    """{'lead': [('unit'|'group', id, name)], 'support': [...]} as assigned (groups not expanded)."""
    result: dict[str, list] = {"lead": [], "support": []}
    for r in rows(db, "SELECT a.role, a.unit_id, a.group_id, coalesce(u.name, g.name) AS name"
                      " FROM assignments a LEFT JOIN units u ON u.id = a.unit_id"
                      " LEFT JOIN unit_groups g ON g.id = a.group_id WHERE a.node_id = ?"
                      " ORDER BY a.position, a.id", (node_id,)):
        ref = ("unit", r["unit_id"], r["name"]) if r["unit_id"] else ("group", r["group_id"], r["name"])
        result[r["role"]].append(ref)
    return result


def set_assignments(db, node_id: int, lead: list[tuple[str, int]], support: list[tuple[str, int]],
                    *, log: bool = True) -> bool:
    """Replace a standard's lead and supporting units. Returns True when anything changed."""
    with write(db):
        node = get_node(db, node_id)
        if node["level"] != 3:
            raise AppError("只有测评标准可以指定牵头单位和配合单位。")
        before = assignment_refs(db, node_id)
        lead = list(dict.fromkeys((k, i) for k, i, *_ in lead))
        support = [r for r in dict.fromkeys((k, i) for k, i, *_ in support) if r not in lead]
        if [r[:2] for r in before["lead"]] == lead and [r[:2] for r in before["support"]] == support:
            return False
        db.execute("DELETE FROM assignments WHERE node_id = ?", (node_id,))
        db.conn.executemany(
            "INSERT INTO assignments (node_id, role, unit_id, group_id, position) VALUES (?, ?, ?, ?, ?)",
            [(node_id, role, i if k == "unit" else None, i if k == "group" else None, pos)
             for role, refs in (("lead", lead), ("support", support)) for pos, (k, i) in enumerate(refs)])
        if log:
            after = assignment_refs(db, node_id)
            audit.log(db, "修改责任分工", "assignments", node_id,
                      {r: [x[2] for x in v] for r, v in before.items()},
                      {r: [x[2] for x in v] for r, v in after.items()}, node["code"])
    return True


def resolve_refs(db, names: list[str], role_label: str) -> list[tuple[str, int]]:
    """Unit or group references for names a user typed; unknown names are refused with suggestions."""
    from core import units

    res = units.resolver(db)
    refs = []
    for name in names:
        hit = res.lookup(name)
        if hit is None:
            hint = "、".join(res.suggestions(name))
            raise AppError(f"{role_label}中的“{name}”不是已登记的单位或分组。"
                           + (f"是否是：{hint}？" if hint else "请先在“责任单位”中新增该单位。"))
        refs.append(hit)
    return refs


def save_standard(db, node_id: int, data: dict, lead: list[str], support: list[str]) -> None:
    """Save a standard's fields and its lead and supporting units in one transaction."""
    with write(db):
        lead_refs = resolve_refs(db, lead, "牵头单位")
        support_refs = resolve_refs(db, support, "配合单位")
        update_node(db, node_id, data)
        set_assignments(db, node_id, lead_refs, support_refs)


def count_without_lead(db, edition_id: int) -> int:
    ids = filter_node_ids(db, edition_id, no_lead=True)
    return scalar(db, f"SELECT count(*) FROM framework_nodes WHERE level = 3 AND id IN ({','.join('?' * len(ids))})",
                  list(ids)) if ids else 0


def standards_without_lead(db, edition_id: int) -> list[dict]:
    return [s for s in standards(db, edition_id) if not s["lead"]]


_TREE_ORDER = " ORDER BY c.position, c.id, p.position, p.id, n.position, n.id"
# Standards with their category and indicator, in tree order (as `standards` gives them, without
# the assignment names); only standards whose whole branch is in use.
_STANDARD_COLUMNS = ("SELECT n.*, c.title AS category, p.title AS indicator, c.id AS category_id,"
                     " p.id AS indicator_id")
_STANDARD_JOINS = (" JOIN framework_nodes p ON p.id = n.parent_id JOIN framework_nodes c ON c.id = p.parent_id"
                   " WHERE n.edition_id = :edition AND n.level = 3 AND n.retired = 0 AND p.retired = 0"
                   " AND c.retired = 0")


def standards_in_order(db, edition_id: int) -> list[dict]:
    """The standards of an edition in tree order with category and indicator (no unit names)."""
    return rows(db, _STANDARD_COLUMNS + " FROM framework_nodes n" + _STANDARD_JOINS + _TREE_ORDER,
                {"edition": edition_id})


def unit_standards_query(unit_id: int, edition_id: int) -> tuple[str, dict]:
    """(sql, params) of one unit's standards in tree order with is_lead. The unit's condition
    reaches each branch of the assignment_units view (m007): only its own rows are expanded."""
    return (_STANDARD_COLUMNS + ", r.is_lead FROM (SELECT node_id, max(role = 'lead') AS is_lead"
            " FROM assignment_units WHERE unit_id = :unit GROUP BY node_id) r"
            " JOIN framework_nodes n ON n.id = r.node_id" + _STANDARD_JOINS + _TREE_ORDER,
            {"edition": edition_id, "unit": unit_id})


def unit_standards(db, unit_id: int, edition_id: int) -> list[dict]:
    """A unit's standards in an edition, as lead and as support (groups expanded)."""
    result = rows(db, *unit_standards_query(unit_id, edition_id))
    for s in result:
        s["role"] = "lead" if s.pop("is_lead") else "support"
        s["role_name"] = ROLE_NAMES[s["role"]]
    return result


# Who belongs to a group, as the assignment_units view (m007) expands it: every active unit of the
# group's kind, and its listed members.
GROUP_MEMBERS_SQL = """
SELECT g.id AS group_id, u.id AS unit_id FROM unit_groups g JOIN units u ON u.kind = g.unit_kind AND u.retired = 0
 WHERE g.unit_kind IS NOT NULL
UNION ALL
SELECT g.id, m.unit_id FROM unit_groups g JOIN unit_group_members m ON m.group_id = g.id"""


# An edition's assignments as written (a unit, or a group), on standards whose branch is in use.
EDITION_ASSIGNMENTS_SQL = ("SELECT a.node_id, a.role, a.unit_id, a.group_id, n.points FROM assignments a"
                           " JOIN framework_nodes n ON n.id = a.node_id" + _STANDARD_JOINS)


class EditionRoles:
    """Every unit's standards in an edition with its role (lead wins over support), read without
    expanding the groups to their units: at 10x data the expanded view holds 147,000 rows, where
    the edition has 15,000 assignments and a few groups. A unit's standards are its own plus those
    of its groups; units in the same groups share one merged set."""

    def __init__(self, db, edition_id: int):
        self.direct: dict[int, dict[int, bool]] = {}  # unit → node → is lead
        by_group: dict[int, dict[int, bool]] = {}
        self.points: dict[int, float] = {}
        for node_id, role, unit_id, group_id, points in db.execute(
                EDITION_ASSIGNMENTS_SQL, {"edition": edition_id}).fetchall():
            target = self.direct.setdefault(unit_id, {}) if unit_id is not None else by_group.setdefault(group_id, {})
            target[node_id] = target.get(node_id, False) or role == "lead"
            self.points[node_id] = points or 0
        groups_of: dict[int, list[int]] = {}
        for group_id, unit_id in db.execute(GROUP_MEMBERS_SQL).fetchall():
            if group_id in by_group:
                groups_of.setdefault(unit_id, []).append(group_id)
        self.groups_of = {u: tuple(sorted(set(g))) for u, g in groups_of.items()}
        self._merged: dict[tuple, dict[int, bool]] = {}
        for combo in set(self.groups_of.values()):
            merged: dict[int, bool] = {}
            for group_id in combo:
                for node_id, lead in by_group[group_id].items():
                    merged[node_id] = merged.get(node_id, False) or lead
            self._merged[combo] = merged
        self._totals: dict[tuple, tuple[int, int, float]] = {}

    def units(self) -> set[int]:
        return set(self.direct) | set(self.groups_of)

    def of_groups(self, unit_id: int) -> dict[int, bool]:
        """node → is lead for what the unit holds through its groups (shared: do not modify)."""
        return self._merged.get(self.groups_of.get(unit_id, ()), {})

    def roles(self, unit_id: int) -> dict[int, bool]:
        """node → is lead for every standard the unit holds."""
        merged = self.of_groups(unit_id)
        own = self.direct.get(unit_id)
        if not own:
            return merged
        result = dict(merged)
        for node_id, lead in own.items():
            result[node_id] = result.get(node_id, False) or lead
        return result


    def totals(self, unit_id: int) -> tuple[int, int, float]:
        """(standards, of which it leads, their points) for the unit, without building its list."""
        combo = self.groups_of.get(unit_id, ())
        merged = self.of_groups(unit_id)
        if combo not in self._totals:
            self._totals[combo] = (len(merged), sum(merged.values()), sum(self.points[n] for n in merged))
        count, lead, points = self._totals[combo]
        for node_id, own_lead in self.direct.get(unit_id, {}).items():
            via_group = merged.get(node_id)
            if via_group is None:
                count, lead, points = count + 1, lead + own_lead, points + self.points[node_id]
            elif own_lead and not via_group:
                lead += 1
        return count, lead, float(points)


def unit_summary(db, edition_id: int) -> list[dict]:
    """Per active unit: how many standards it leads and supports, and the points at stake."""
    roles = EditionRoles(db, edition_id)
    out = []
    for u in rows(db, "SELECT id, name, short_name, kind FROM units WHERE retired = 0 ORDER BY position, id"):
        count, lead, points = roles.totals(u["id"])
        out.append({**u, "lead_count": lead, "support_count": count - lead, "points": points})
    return out


def edition_totals(db, edition_id: int) -> dict:
    return rows(db, "SELECT count(*) AS standards, coalesce(sum(points), 0) AS points FROM framework_nodes"
                    " WHERE edition_id = ? AND level = 3 AND retired = 0", (edition_id,))[0]


def _now() -> str:
    return datetime.now().isoformat(timespec="seconds")
