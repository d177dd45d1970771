"""The tree of an edition: 测评项目 → 测评内容 → 测评标准. Adding, editing, moving, retiring and
deleting nodes; a node other areas' records refer to is retired, never deleted."""

from __future__ import annotations

import re

from core import audit, settings
from core.errors import AppError
from core.framework.groups import GROUP_NAME_SQL, ensure_group
from core.query import Where

CATEGORY, INDICATOR, STANDARD = 1, 2, 3
LEVEL_NAMES = {CATEGORY: "测评项目", INDICATOR: "测评内容", STANDARD: "测评标准"}
NODE_FIELDS = ("code", "title", "methods", "points", "working_group", "deadline", "negative")
# The fields as stored: a standard names its 专项推进组 by id (the API and the history name it).
NODE_COLUMNS = tuple("working_group_id" if f == "working_group" else f for f in NODE_FIELDS)
# Tables whose rows belong to a node and go with it (the 分解表 rows).
OWN_TABLES = ("assignments",)

# Standards with their category and indicator, in tree order, only standards whose whole branch is
# in use (the readers in reading.py and assignments.py share these pieces).
TREE_ORDER = " ORDER BY c.position, c.id, p.position, p.id, n.position, n.id"
STANDARD_COLUMNS = ("SELECT n.*, c.title AS category, p.title AS indicator, c.id AS category_id,"
                    f" p.id AS indicator_id, {GROUP_NAME_SQL} AS working_group")
STANDARD_JOINS = (" JOIN framework_nodes p ON p.id = n.parent_id JOIN framework_nodes c ON c.id = p.parent_id"
                  " WHERE n.edition_id = :edition AND n.level = 3 AND n.retired = 0 AND p.retired = 0"
                  " AND c.retired = 0")


def get_node(db, node_id: int) -> dict:
    found = db.one(f"SELECT n.*, {GROUP_NAME_SQL} AS working_group FROM framework_nodes n WHERE n.id = :id",
                   {"id": node_id})
    if found is None:
        raise AppError(f"找不到编号为 {node_id} 的测评体系条目，它可能已被删除。")
    return found


def split_methods(text: str) -> list[str]:
    return [m for m in re.split(r"[、，,；;／/\s]+", text or "") if m]


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
        if level == STANDARD and not clean["code"]:
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


def _stored(db, clean: dict) -> dict:
    """The validated fields as the table keeps them: the group's name becomes its id (a name the
    ledger does not know yet becomes a new group)."""
    if "working_group" not in clean:
        return clean
    stored = {k: v for k, v in clean.items() if k != "working_group"}
    stored["working_group_id"] = ensure_group(db, clean["working_group"])
    return stored


def _under(edition_id: int, parent_id: int | None) -> Where:
    """The nodes under a parent (None: the edition's 测评项目)."""
    where = Where().equals("edition_id", "edition", edition_id)
    if parent_id is None:
        return where.add("parent_id IS NULL")
    return where.equals("parent_id", "parent", parent_id)


def _siblings(db, edition_id: int, parent_id: int | None, but: int | None = None) -> list[int]:
    """The ids under a parent in their order."""
    where = _under(edition_id, parent_id)
    if but is not None:
        where.add("id <> :but", but=but)
    return db.column("SELECT id FROM framework_nodes" + where.sql() + " ORDER BY position, id", where.params)


def add_node(db, edition_id: int, parent_id: int | None, data: dict) -> int:
    with db.write():
        if not db.value("SELECT 1 FROM editions WHERE id = :id", {"id": edition_id}):
            raise AppError(f"找不到编号为 {edition_id} 的测评体系版本。")
        level = CATEGORY if parent_id is None else get_node(db, parent_id)["level"] + 1
        if level > STANDARD:
            raise AppError("测评标准下不能再添加子项。")
        clean = _validate_node(db, level, data)
        if level == STANDARD:
            _check_code_free(db, edition_id, clean.get("code", ""))
        where = _under(edition_id, parent_id)
        position = (db.value("SELECT max(position) FROM framework_nodes" + where.sql(), where.params) or 0) + 1
        node_id = db.insert("framework_nodes", {**_stored(db, clean), "edition_id": edition_id, "parent_id": parent_id,
                                                "level": level, "position": position})
        audit.log(db, f"新增{LEVEL_NAMES[level]}", "framework_nodes", node_id, None, clean,
                  clean.get("code") or clean.get("title", ""))
    return node_id


def _check_code_free(db, edition_id: int, code: str, own_id: int | None = None) -> None:
    where = Where().equals("edition_id", "edition", edition_id).add("level = 3").add("code = :code", code=code)
    if own_id is not None:
        where.add("id <> :own", own=own_id)
    if db.value("SELECT id FROM framework_nodes" + where.sql(), where.params):
        raise AppError(f"本版本中已有编号为“{code}”的测评标准，标准编号不能重复。")


def update_node(db, node_id: int, data: dict, *, expected_version: int | None = None) -> None:
    """expected_version: the version the form read (refused when someone saved the node since)."""
    with db.write():
        db.check_version("framework_nodes", node_id, expected_version)
        before = get_node(db, node_id)
        clean = _validate_node(db, before["level"], data)
        if before["level"] == STANDARD and "code" in clean:
            _check_code_free(db, before["edition_id"], clean["code"], node_id)
        changed = {k: v for k, v in clean.items() if before.get(k) != v}
        if changed:
            db.update("framework_nodes", node_id, _stored(db, changed))
            audit.log(db, f"修改{LEVEL_NAMES[before['level']]}", "framework_nodes", node_id,
                      {k: before[k] for k in changed}, changed, before["code"] or before["title"])


def move_node(db, node_id: int, new_parent_id: int | None, position: int | None = None) -> None:
    """Move a node under another parent of the level above (or reorder within its parent)."""
    with db.write():
        node = get_node(db, node_id)
        level = node["level"]
        if new_parent_id is None:
            if level != CATEGORY:
                raise AppError(f"{LEVEL_NAMES[level]}必须放在{LEVEL_NAMES[level - 1]}之下。")
        else:
            parent = get_node(db, new_parent_id)
            if parent["edition_id"] != node["edition_id"] or parent["level"] != level - 1:
                raise AppError(f"{LEVEL_NAMES[level]}只能移到同一版本的{LEVEL_NAMES[level - 1]}之下。")
        siblings = _siblings(db, node["edition_id"], new_parent_id, but=node_id)
        position = len(siblings) if position is None else max(0, min(position, len(siblings)))
        siblings.insert(position, node_id)
        db.executemany("UPDATE framework_nodes SET position = :position WHERE id = :id",
                       [{"position": i + 1, "id": sid} for i, sid in enumerate(siblings)])
        db.update("framework_nodes", node_id, {"parent_id": new_parent_id})
        audit.log(db, "移动条目", "framework_nodes", node_id,
                  {"parent_id": node["parent_id"], "position": node["position"]},
                  {"parent_id": new_parent_id, "position": position + 1}, node["code"] or node["title"])


def place_node(db, node_id: int, parent_id: int | None, position: int) -> None:
    """Put a node at a position under a parent without renumbering its siblings (an import sets
    every position in the file's order). The import's own audit row records it."""
    db.update("framework_nodes", node_id, {"parent_id": parent_id, "position": position})


def subtree_ids(db, node_id: int) -> list[int]:
    """The node and everything under it."""
    return db.column("WITH RECURSIVE t(id) AS (SELECT CAST(:id AS BIGINT) UNION ALL SELECT n.id"
                     " FROM framework_nodes n JOIN t ON n.parent_id = t.id) SELECT id FROM t", {"id": node_id})


def delete_impact(db, node_id: int) -> dict:
    """What deleting a node would take with it, for the confirmation dialog; 'references' are the
    records of other areas (materials, findings, scores …) that forbid it, {table: rows}."""
    ids = subtree_ids(db, node_id)
    where = Where().one_of("id", "node", ids)
    in_subtree = Where().one_of("node_id", "node", ids)
    from_subtree = Where().one_of("origin_id", "node", ids)
    return {
        "nodes": len(ids) - 1,
        "standards": db.value("SELECT count(*) FROM framework_nodes" + where.sql() + " AND level = 3", where.params),
        "assignments": db.value("SELECT count(*) FROM assignments" + in_subtree.sql(), in_subtree.params),
        "references": db.references_to("framework_nodes", ids, ignore=OWN_TABLES),
        "later_editions": db.value("SELECT count(*) FROM framework_nodes" + from_subtree.sql(), from_subtree.params),
    }


def delete_node(db, node_id: int) -> None:
    """Delete a node with its subtree and their 分解表 rows. Refused when records of other areas
    refer to it: those must not be dropped silently, so the user retires the standard instead."""
    with db.write():
        node = get_node(db, node_id)
        impact = delete_impact(db, node_id)
        if impact["references"]:
            detail = audit.references_text(impact["references"])
            raise AppError(f"“{node['code'] or node['title']}”已被其他记录引用（{detail}），不能删除。"
                           "如该标准已不再使用，请改为“停用”，历史记录会保留。")
        ids = subtree_ids(db, node_id)
        origin = Where().one_of("origin_id", "node", ids)
        db.execute("UPDATE framework_nodes SET origin_id = NULL" + origin.sql(), origin.params)
        owned = Where().one_of("node_id", "node", ids)
        db.execute("DELETE FROM assignments" + owned.sql(), owned.params)
        for level in (STANDARD, INDICATOR, CATEGORY):  # children before parents: the tree refers to itself
            where = Where().one_of("id", "node", ids).add("level = :level", level=level)
            db.execute("DELETE FROM framework_nodes" + where.sql(), where.params)
        audit.log(db, f"删除{LEVEL_NAMES[node['level']]}", "framework_nodes", node_id, node,
                  {"deleted_descendants": len(ids) - 1}, node["code"] or node["title"])


def retire_node(db, node_id: int, retired: bool = True) -> None:
    """Retire a node and its subtree (kept for the history that names them), or bring it back."""
    with db.write():
        node = get_node(db, node_id)
        where = Where().one_of("id", "node", subtree_ids(db, node_id))
        db.execute("UPDATE framework_nodes SET retired = :retired" + where.sql(),
                   {**where.params, "retired": int(retired)})
        audit.log(db, "停用条目" if retired else "恢复条目", "framework_nodes", node_id,
                  {"retired": node["retired"]}, {"retired": int(retired)}, node["code"] or node["title"])
